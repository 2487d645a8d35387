//! Per-iteration records, the in-memory [`History`], and the argmin observer that fills them.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use argmin::core::observers::Observe;
use argmin::core::{State as _, KV};

use super::adaptive::State;
use super::bridge::Probe;

/// One row of a run's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Index of the stage (0 for the first solver of a chain).
    pub stage: u32,
    /// Iteration counted over the whole run (0 is the initial point).
    pub iteration: u64,
    /// Seconds since the run started.
    pub elapsed: f64,
    /// Loss at the stage's current parameters.
    pub loss: f64,
    /// ‖∇loss‖₂ there.
    pub grad_norm: f64,
    /// Loss-and-gradient evaluations so far, over the whole run, line searches included.
    pub evaluations: u64,
    /// Learning rate of the step that led here (NaN for solvers without one, e.g. L-BFGS).
    pub learning_rate: f64,
    /// The named loss components, NaN where unknown.
    pub components: Vec<f64>,
}

/// A run's history kept in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Names of the loss components, in the order of [`Record::components`].
    pub component_names: Vec<String>,
    /// The rows, in order.
    pub records: Vec<Record>,
}

impl History {
    /// The losses, in order.
    pub fn losses(&self) -> Vec<f64> {
        self.records.iter().map(|r| r.loss).collect()
    }
}

/// What the argmin observer shares with the runner: where rows are kept until the runner (or
/// the problem host, at its next evaluation) hands them to the user's observer.
pub(crate) struct Recording {
    pub history: Option<History>,
    pub pending: Vec<Record>,
    pub inspections: Vec<super::InspectionRow>,
    pub stage: u32,
    pub offset: u64,
    pub start: Instant,
    /// The runner's context of the current attempt, when checkpoints are taken.
    pub checkpoint: Option<super::checkpoint::Context>,
    /// The last snapshot the stage's argmin hook saved, not yet handed to the observer.
    pub saved: Rc<RefCell<Option<super::checkpoint::Saved>>>,
}

/// argmin's observer of a stage: turns its state into [`Record`]s.
pub(crate) struct RecordObserver {
    pub recording: Rc<RefCell<Recording>>,
    pub probe: Rc<RefCell<Probe>>,
}

impl RecordObserver {
    fn record(&self, state: &State, kv: &KV, iteration: u64) {
        let probe = self.probe.borrow();
        let at_probe = state.get_param().is_some_and(|p| *p == probe.x);
        let components = if at_probe {
            probe.components.clone()
        } else {
            vec![f64::NAN; probe.components.len()]
        };
        // The solver's own stationarity measure when it reports one (the gradient mapping for
        // projected rules), else ‖g‖₂.
        let grad_norm = kv
            .get("grad_norm")
            .and_then(|v| v.get_float())
            .unwrap_or_else(|| {
                state
                    .get_gradient()
                    .map_or(f64::NAN, |g| g.iter().map(|v| v * v).sum::<f64>().sqrt())
            });
        let learning_rate = kv
            .get("learning_rate")
            .and_then(|v| v.get_float())
            .unwrap_or(f64::NAN);
        let mut rec = self.recording.borrow_mut();
        let row = Record {
            stage: rec.stage,
            iteration: rec.offset + iteration,
            elapsed: rec.start.elapsed().as_secs_f64(),
            loss: state.get_cost(),
            grad_norm,
            evaluations: probe.evaluations,
            learning_rate,
            components,
        };
        if let Some(h) = rec.history.as_mut() {
            h.records.push(row.clone());
        }
        rec.pending.push(row);
    }
}

impl Observe<State> for RecordObserver {
    fn observe_init(
        &mut self,
        _name: &str,
        state: &State,
        kv: &KV,
    ) -> Result<(), argmin::core::Error> {
        // The first stage logs its starting point; later stages start where the previous ended.
        let first = {
            let r = self.recording.borrow();
            r.stage == 0 && r.offset == 0
        };
        if first {
            self.record(state, kv, 0);
        }
        Ok(())
    }

    fn observe_iter(&mut self, state: &State, kv: &KV) -> Result<(), argmin::core::Error> {
        // Called before argmin increments the counter: this is iteration get_iter() + 1.
        self.record(state, kv, state.get_iter() + 1);
        Ok(())
    }
}
