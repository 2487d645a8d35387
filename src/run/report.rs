//! What a run reports: [`StageReport`] per stage and the [`RunReport`].

use super::{History, InspectionRow, Termination};

/// What one stage did.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// The solver's name.
    pub name: String,
    /// Why it stopped.
    pub termination: Termination,
    /// Iterations it ran.
    pub iterations: u64,
    /// Loss-and-gradient evaluations it used (line searches included).
    pub evaluations: u64,
    /// Wall time in seconds.
    pub elapsed: f64,
    /// Loss at the end of the stage.
    pub final_loss: f64,
    /// Restarts after line-search failures (see [`super::StageSolver::restarts`]).
    pub restarts: u32,
}

/// The outcome of a [`super::Runner`] run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// Final parameters.
    pub params: Vec<f64>,
    /// Loss there.
    pub loss: f64,
    /// One report per stage that ran, in order.
    pub stages: Vec<StageReport>,
    /// Stages that never started because the run's wall-time budget
    /// ([`super::Runner::time_budget`]) ran out: 0 when every stage ran. With several
    /// processes the budget stops a run only between stages, so the last report's own
    /// termination (say, its iteration cap) does not show the stop; this does.
    pub skipped_stages: usize,
    /// The history, if [`super::Runner::keep_history`] was set.
    pub history: History,
    /// Total evaluations.
    pub evaluations: u64,
    /// Total wall time in seconds.
    pub elapsed: f64,
    /// Every inspection row (see [`super::Inspector`]).
    pub inspections: Vec<InspectionRow>,
}
