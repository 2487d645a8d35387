//! Running solvers: the argmin bridge, the generic adaptive solver, stage chains and records.

mod adaptive;
mod bridge;
mod inspect;
mod record;
mod runner;

pub use adaptive::{AdaptiveSolver, Divergence, State};
pub use bridge::{ArgminProblem, Evaluate, Evaluation, Probe};
pub use inspect::{Inspection, InspectionRow, Inspector};
pub use record::{History, Record};
pub use runner::{LbfgsConfig, RunReport, Runner, Stage, StageReport, Termination};
