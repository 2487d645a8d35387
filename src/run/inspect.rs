//! [`Inspector`]: a callback that computes diagnostics every `k` steps of an adaptive stage,
//! with the optimizer's effective steps in hand; the rows go to the run report and the run
//! file's `/diagnostics` group.

use crate::error::Result;
use std::cell::RefCell;
use std::rc::Rc;

/// What an inspection sees: the point, its gradient and loss, and the optimizer's state.
#[derive(Debug)]
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
    /// Named diagnostics, as the callback returned them.
    pub values: Vec<(String, f64)>,
}

type Callback = dyn FnMut(&Inspection) -> Result<Vec<(String, f64)>>;

/// A diagnostics callback run every `every` iterations of each adaptive stage (and at its
/// start). Shared by reference: clones call the same closure and fill the same rows.
#[derive(Clone)]
pub struct Inspector {
    every: u64,
    callback: Rc<RefCell<Box<Callback>>>,
    rows: Rc<RefCell<Vec<InspectionRow>>>,
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector")
            .field("every", &self.every)
            .field("rows", &self.rows.borrow().len())
            .finish()
    }
}

impl Inspector {
    /// Calls `callback` every `every ≥ 1` iterations.
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
            callback: Rc::new(RefCell::new(Box::new(callback))),
            rows: Rc::new(RefCell::new(Vec::new())),
        })
    }

    /// Whether iteration `i` is inspected.
    pub fn due(&self, iteration: u64) -> bool {
        iteration.is_multiple_of(self.every)
    }

    /// Runs the callback and keeps its row.
    pub fn inspect(&self, at: &Inspection) -> Result<()> {
        let values = (self.callback.borrow_mut())(at)?;
        self.rows.borrow_mut().push(InspectionRow {
            stage: at.stage,
            iteration: at.iteration,
            values,
        });
        Ok(())
    }

    /// The rows so far.
    pub fn rows(&self) -> Vec<InspectionRow> {
        self.rows.borrow().clone()
    }
}
