//! Running solvers: the argmin bridge, stages (one file per solver), the runner with its one
//! retry rule, observers and records.
//!
//! `run` knows nothing of files: the run file is an [`Observer`] implemented in `crate::io`.
//!
//! ```
//! use ravine::{rules, AdamConfig, LbfgsConfig, Quadratic, Runner, Stage, Termination};
//! let mut f = Quadratic::diagonal(&[1.0, 100.0], vec![1.0, -1.0]).unwrap();
//! let report = Runner::new()
//!     .stage(Stage::adaptive(rules::adam(1e-2, AdamConfig::default()).unwrap(), 200))
//!     .stage(Stage::lbfgs(LbfgsConfig::default()))
//!     .run(&mut f, vec![0.0, 0.0])
//!     .unwrap();
//! assert_eq!(report.stages[1].termination, Termination::Converged);
//! assert!((report.params[1] + 1.0).abs() < 1e-8);
//! ```

mod adaptive;
mod adaptive_stage;
mod argmin_stage;
mod bfgs;
mod bfgs_stage;
mod bridge;
mod checkpoint;
mod inspect;
mod lbfgs_stage;
mod observer;
mod record;
mod report;
mod runner;
mod stage;
mod stage_run;
mod termination;

pub use adaptive::{AdaptiveSolver, Divergence, State};
pub use adaptive_stage::AdaptiveStage;
pub use argmin_stage::ArgminStage;
pub use bfgs::{Bfgs, InitialStep, QuasiNewtonUpdate, MAX_DENSE_ENTRIES};
pub use bfgs_stage::BfgsConfig;
pub use bridge::{ArgminProblem, Evaluate, Evaluation, Lent, Probe};
pub use checkpoint::{Checkpoint, SavedReport, SolverSnapshot, CHECKPOINT_VERSION};
pub use inspect::{Inspection, InspectionRow, Inspector};
pub use lbfgs_stage::LbfgsConfig;
pub use observer::{Observer, OnRecord, RunEnd, RunStart};
pub use record::{History, Record};
pub use report::{RunReport, StageReport};
pub use runner::Runner;
pub use stage::{Attempt, Host, Stage, StageContext, StageSolver};
pub use termination::Termination;
