//! [`Inspector`]: an [`Observer`] that computes diagnostics every `k` steps of an adaptive
//! stage, with the optimizer's effective steps in hand. Its rows go to the run report and to
//! every observer (a run file writes them to `/diagnostics`).

use super::Observer;
use crate::error::Result;

/// What an inspection sees: the point, its gradient and loss, and the optimizer's state.
#[derive(Debug, Clone)]
pub struct Inspection<'a> {
    /// Stage index.
    pub stage: u32,
    /// Iteration within the stage.
    pub iteration: u64,
    /// Parameters.
    pub params: &'a [f64],
    /// Gradient there (as handed to the rule).
    pub gradient: &'a [f64],
    /// Loss there.
    pub loss: f64,
    /// The rule's per-coordinate effective steps of the last step (`None` before the first).
    pub effective_steps: Option<Vec<f64>>,
    /// The learning rate of the last step (NaN before the first).
    pub learning_rate: f64,
}

/// One inspection's named values.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionRow {
    /// Stage index.
    pub stage: u32,
    /// Iteration within the stage.
    pub iteration: u64,
    /// Named diagnostics, as the observers returned them.
    pub values: Vec<(String, f64)>,
}

type Callback = dyn FnMut(&Inspection) -> Result<Vec<(String, f64)>>;

/// Runs a callback every `k` iterations of each adaptive stage (and at its start); pass it to
/// [`crate::Runner::run_observed`] like any other [`Observer`].
///
/// ```
/// use ravine::{rules, Inspector, Quadratic, Runner, Stage};
/// let mut q = Quadratic::diagonal(&[1.0, 10.0], vec![1.0, 1.0]).unwrap();
/// let mut curvature = Inspector::new(5, |at| {
///     Ok(vec![("loss".to_string(), at.loss)])
/// })
/// .unwrap();
/// let report = Runner::new()
///     .stage(Stage::adaptive(rules::gd(0.05).unwrap(), 10))
///     .run_observed(&mut q, vec![1.0, 1.0], &mut curvature)
///     .unwrap();
/// assert_eq!(report.inspections.len(), 3); // iterations 0, 5 and 10
/// ```
pub struct Inspector {
    every: u64,
    callback: Box<Callback>,
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector")
            .field("every", &self.every)
            .finish()
    }
}

impl Inspector {
    /// Calls `callback` every `every` iterations (≥ 1) of an adaptive stage.
    pub fn new(
        every: u64,
        callback: impl FnMut(&Inspection) -> Result<Vec<(String, f64)>> + 'static,
    ) -> Result<Self> {
        crate::error::check(
            every >= 1,
            "inspector",
            "every",
            every as f64,
            "must be >= 1",
        )?;
        Ok(Self {
            every,
            callback: Box::new(callback),
        })
    }
}

impl Observer for Inspector {
    fn inspects_at(&self, iteration: u64) -> bool {
        iteration.is_multiple_of(self.every)
    }

    fn inspect(&mut self, at: &Inspection<'_>) -> Result<Vec<(String, f64)>> {
        (self.callback)(at)
    }
}
