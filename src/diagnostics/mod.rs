//! Curvature diagnostics: Hessian and related spectra beside the optimizers' steps.
//!
//! - Operators ([`Operator`], each with an exact label): the exact Hessian of a PINN loss,
//!   whole or per term ([`PinnHessian`], forward-over-reverse products), the Gauss-Newton
//!   matrix of a PINN
//!   loss, whole or per term ([`GaussNewton`], also the Fisher of a Gaussian residual model),
//!   the empirical Fisher ([`EmpiricalFisher`], a gradient-noise statistic), the portfolio
//!   Hessian `γΣ`
//!   ([`PortfolioHessian`]), any operator restricted to a constraint's tangent space
//!   ([`TangentRestriction`]), preconditioned `D^{1/2} H D^{1/2}` ([`Preconditioned`]), dense
//!   matrices, and a finite-difference Hessian for cross-checks only.
//! - Eigen-solvers: the full dense spectrum through faer ([`dense_spectrum`]); Lanczos with
//!   full reorthogonalisation and residual certificates ([`lanczos`]); stochastic Lanczos
//!   quadrature for the density ([`spectral_density`]); Hutch++ for the trace
//!   ([`hutchpp_trace`]).
//! - [`CurvatureReport`]: `λmax` (certified), `λmin`, the smallest positive eigenvalue, the
//!   condition number, `1/λmax` and `2/λmax`, effective-step statistics and the
//!   preconditioned sharpness against 2 and `(2 + 2β1)/(1 − β1)`.
//! - [`PinnCurvature`]: a PINN's Hessian and Gauss-Newton diagnostics (whole and per term) as
//!   named values, and as an [`crate::Inspector`] recording them every `k` steps of a run.

mod dense;
mod density;
mod gauss_newton;
mod hessian;
mod lanczos;
mod operator;
mod pinn_curvature;
mod report;
mod trace;

pub use dense::{dense_spectrum, symmetric_eigenvalues};
pub use density::{spectral_density, SpectralDensity};
pub use gauss_newton::{EmpiricalFisher, GaussNewton};
pub use hessian::{FiniteDifferenceHessian, PinnHessian, PortfolioHessian, TangentRestriction};
pub use lanczos::{lanczos, Eigenpair, End, LanczosResult, LanczosSettings};
pub use operator::{assemble, DenseOperator, FnOperator, Operator, Preconditioned};
pub use pinn_curvature::PinnCurvature;
pub use report::{CurvatureReport, ReportSettings, StepStats};
pub use trace::hutchpp_trace;
