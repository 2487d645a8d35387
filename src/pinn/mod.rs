//! Physics-informed neural networks: domains, samplers, PDEs as residual functions of the jet,
//! conditions as named loss terms, and the loss as a [`crate::Problem`].

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
