//! Fixed benchmark problems and the background's claim experiments, for the examples, tests
//! and benches: **not** part of the core library.
//!
//! Nothing in the core modules imports `benchmarks` (the layer rule in `ARCHITECTURE.md`,
//! checked by `tests/architecture.rs`); everything here is built from the public API a user
//! has, so it doubles as worked examples of it.
//!
//! - [`BurgersSetup`]: viscous Burgers as in Raissi et al. and DeepXDE, with its Cole-Hopf
//!   error ([`burgers_error`]).
//! - [`StiffSetup`]: Allen-Cahn and KdV in the JAX-PI conventions ([`StiffPde`]), with the
//!   spectral references.
//! - [`fma_peak`]: the machine's measured f64 FMA rate, the peak that kernels are quoted
//!   against.
//! - [`compare`]: the benchmark matrix of every method on every problem under one budget.
//! - [`landscapes`]: experiments that turn the background articles' claims about adaptive
//!   steps into numbers; [`adaptation`]: the application claims beyond Adam.
//!
//! ```no_run
//! use ravine::benchmarks::BurgersSetup;
//! let pinn = BurgersSetup::default().build().unwrap();
//! let theta = pinn.mlp().init(0);
//! ```

pub mod adaptation;
mod burgers;
pub mod compare;
pub mod landscapes;
mod peak;
mod stiff;

pub use burgers::{burgers_error, burgers_hard_constraints, burgers_pde, BurgersSetup};
pub use peak::fma_peak;
pub use stiff::{Encoding, InitialConstraint, StiffPde, StiffSetup};
