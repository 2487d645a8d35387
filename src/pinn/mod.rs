//! Physics-informed neural networks: domains, samplers, PDEs as residual functions of the jet,
//! conditions as named loss terms, and the loss as a [`crate::Problem`].
//!
//! ```
//! use ravine::nn::{Activation, JetSpec, Mlp};
//! use ravine::pinn::{Condition, Pde, Pinn, SpaceTime};
//! use ravine::Problem;
//! // The heat equation u_t = u_xx on [0, 1] × [0, 0.1] with u(0, x) = sin(πx), u = 0 at the ends.
//! let heat = Pde::new("heat", JetSpec::new(2).pure(0, 2).unwrap(), |_x, u| u.d(1) - u.dn(0, 2))
//!     .unwrap();
//! let pinn = Pinn::builder(
//!     Mlp::new(&[2, 16, 16, 1], Activation::Tanh).unwrap(),
//!     SpaceTime::interval((0.0, 1.0), (0.0, 0.1)).unwrap(),
//!     heat,
//! )
//! .interior(200)
//! .condition(Condition::dirichlet("boundary", 20, |_| 0.0))
//! .condition(Condition::initial("initial", 20, |x| (std::f64::consts::PI * x[0]).sin()))
//! .build()
//! .unwrap();
//! let theta = pinn.mlp().init(0);
//! let mut grad = vec![0.0; theta.len()];
//! let mut parts = vec![0.0; pinn.component_names().len()];
//! let loss = pinn.evaluate(&theta, &mut grad, &mut parts).unwrap();
//! assert!((loss - parts.iter().sum::<f64>()).abs() < 1e-12 * loss); // the loss is its terms' sum
//! ```

mod balance;
mod builder;
mod causal;
mod coefficient;
mod condition;
mod curvature;
mod domain;
mod dual;
mod error_field;
mod hessian;
mod jacobian;
mod jet_view;
mod loss;
mod model;
mod pde;
mod periodic;
mod rad;
mod sampler;
mod series;
mod sharded;
mod snapshot;
mod transform;

pub use builder::PinnBuilder;
pub use causal::CausalWeights;
pub use coefficient::Coefficient;
pub use condition::{Condition, ConditionKind, TargetFn};
pub use curvature::{PinnCurvature, PinnHessian};
pub use domain::SpaceTime;
pub use dual::{Dual, MAX_ENTRIES};
pub use error_field::{grid_error, ErrorField};
pub use jet_view::Jet;
pub use model::Pinn;
pub use pde::{Pde, ResidualFn};
pub use rad::{Rad, RadStats};
pub use sampler::Sampler;
pub use series::Series;
pub use transform::{OutputTransform, SeriesFn};
