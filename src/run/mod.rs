//! Running solvers: the argmin bridge, the generic adaptive solver, stage chains and records.

mod adaptive;
mod bfgs;
mod bridge;
mod inspect;
mod record;
mod runner;

pub use adaptive::{AdaptiveSolver, Divergence, State};
pub use bfgs::{Bfgs, QuasiNewtonUpdate, MAX_DENSE_ENTRIES};
pub use bridge::{ArgminProblem, Evaluate, Evaluation, Probe};
pub use inspect::{Inspection, InspectionRow, Inspector};
pub use record::{History, Record};
pub use runner::{BfgsConfig, LbfgsConfig, RunReport, Runner, Stage, StageReport, Termination};
