//! Physics-informed neural networks: domains, samplers, PDEs as residual functions of the jet,
//! conditions as named loss terms, and the loss as a [`crate::Problem`].

mod balance;
#[allow(clippy::module_inception)]
mod builder;
mod burgers;
mod causal;
mod coefficient;
mod condition;
mod domain;
mod dual;
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
mod stiff;
mod transform;

pub use builder::PinnBuilder;
pub use burgers::{burgers_error, burgers_hard_constraints, burgers_pde, BurgersSetup, ErrorField};
pub use causal::CausalWeights;
pub use coefficient::Coefficient;
pub use condition::{Condition, ConditionKind, TargetFn};
pub use domain::SpaceTime;
pub use dual::{Dual, MAX_ENTRIES};
pub use jacobian::ResidualJacobian;
pub use jet_view::Jet;
pub use model::Pinn;
pub use pde::{Pde, ResidualFn};
pub use rad::{Rad, RadStats};
pub use sampler::Sampler;
pub use series::Series;
pub use stiff::{grid_error, Encoding, InitialConstraint, StiffPde, StiffSetup};
pub use transform::{OutputTransform, SeriesFn};
