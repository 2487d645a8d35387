//! Curvature diagnostics: spectra of linear operators beside the optimizers' steps.
//!
//! A generic leaf: it knows [`Operator`]s (a dimension, a matrix-vector product and a label),
//! never PINNs or portfolios; each domain implements [`Operator`] for its own curvature
//! (`pinn::PinnHessian`, `portfolio::PortfolioHessian`).
//!
//! - Operators: the Gauss-Newton matrix of a least-squares loss, whole or per term
//!   ([`GaussNewton`] over a [`ResidualJacobian`], also the Fisher of a Gaussian residual
//!   model), the empirical Fisher ([`EmpiricalFisher`], a gradient-noise statistic), any
//!   operator restricted to a constraint's tangent space ([`TangentRestriction`]),
//!   preconditioned `D^{1/2} H D^{1/2}` ([`Preconditioned`]), dense matrices and closures, and a
//!   finite-difference Hessian of any [`crate::Problem`] for cross-checks only.
//! - Eigen-solvers: the full dense spectrum through faer ([`dense_spectrum`]); Lanczos with
//!   full reorthogonalisation and residual certificates ([`lanczos`]); stochastic Lanczos
//!   quadrature for the density ([`spectral_density`]); Hutch++ for the trace
//!   ([`hutchpp_trace`]).
//! - [`CurvatureReport`]: `λmax` (certified), `λmin`, the smallest positive eigenvalue, the
//!   condition number, `1/λmax` and `2/λmax`, effective-step statistics and the
//!   preconditioned sharpness against 2 and `(2 + 2β1)/(1 − β1)`.
//!
//! ```
//! use ravine::diagnostics::{lanczos, DenseOperator, LanczosSettings};
//! // diag(1, 2, 3, 10) as a row-major dense operator
//! let mut a = vec![0.0; 16];
//! for (i, v) in [1.0, 2.0, 3.0, 10.0].into_iter().enumerate() {
//!     a[i * 4 + i] = v;
//! }
//! let op = DenseOperator::new(4, a, "diag").unwrap();
//! let top = lanczos(&op, LanczosSettings::default()).unwrap();
//! assert!((top.pairs[0].value - 10.0).abs() < 1e-10);
//! ```

mod dense;
mod density;
mod finite_difference;
mod gauss_newton;
mod jacobian;
mod lanczos;
mod operator;
mod report;
mod restriction;
mod trace;

pub use dense::dense_spectrum;
pub use density::{spectral_density, DensitySettings, SpectralDensity};
pub use finite_difference::FiniteDifferenceHessian;
pub use gauss_newton::{EmpiricalFisher, GaussNewton};
pub use jacobian::ResidualJacobian;
pub use lanczos::{lanczos, Eigenpair, End, LanczosResult, LanczosSettings};
pub use operator::{assemble, DenseOperator, FnOperator, Operator, Preconditioned};
pub use report::{CurvatureReport, ReportSettings, StepStats};
pub use restriction::TangentRestriction;
pub use trace::{hutchpp_trace, TraceSettings};
