//! # ravine
//!
//! Adaptive optimizers with inspectable state, run through argmin's executor beside L-BFGS,
//! with HDF5 run files. The PINN solver, the portfolio optimizer and the curvature diagnostics
//! build on this backend.
//!
//! - [`optim`]: update rules as composable transforms ([`Optimizer`], [`rules`]).
//! - [`problem`]: the [`Problem`] trait and test landscapes.
//! - [`run`]: the argmin bridge ([`AdaptiveSolver`]), stages ([`StageSolver`]), chains of them
//!   ([`Runner`]), observers ([`Observer`]) and records.
//! - [`io`]: HDF5 run files ([`RunFile`]).
//! - [`diagnostics`]: curvature spectra (Lanczos, dense, density, trace) beside effective steps.
//! - [`portfolio`]: mean-variance portfolios with exact projections and KKT certificates.
//! - [`dist`]: data-parallel evaluation over several processes (MPI with the feature `mpi`),
//!   bit for bit the same as one process.
#![warn(missing_docs)]

pub mod benchmarks;
pub mod diagnostics;
pub mod dist;
pub mod error;
pub mod io;
pub mod linalg;
pub mod nn;
pub mod optim;
pub mod pinn;
pub mod portfolio;
pub mod problem;
pub mod reference;
pub mod rng;
pub mod run;

pub use error::{Error, Result};
pub use io::RunFile;
pub use optim::rules;
pub use optim::{
    AdamConfig, AddDecayedWeights, Chain, ClipByGlobalNorm, ClipByValue, EpsPlacement,
    MultiTransform, NormalizeByGlobalNorm, Optimizer, Projection, RmsPropConfig, ScaleByAdaGrad,
    ScaleByAdam, ScaleByRms, ScaleBySign, Schedule, Trace, Transform,
};
pub use problem::{LogisticRegression, PlateauBasin, Problem, Quadratic, Rosenbrock};
pub use rng::batch_rng;
pub use run::{
    AdaptiveSolver, AdaptiveStage, ArgminProblem, ArgminStage, Attempt, Bfgs, BfgsConfig,
    Checkpoint, History, Host, InitialStep, Inspection, InspectionRow, Inspector, LbfgsConfig,
    Observer, OnRecord, QuasiNewtonUpdate, Record, RunEnd, RunReport, RunStart, Runner, Stage,
    StageContext, StageReport, StageSolver, Termination,
};

/// The README's code blocks, compiled and run as doctests (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
