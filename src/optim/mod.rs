//! The adaptive-optimizer backend: update rules as small composable transforms.
//!
//! An [`Optimizer`] is a chain of [`Transform`]s and a learning-rate [`Schedule`]; the named
//! rules (gradient descent, momentum, Nesterov, normalized GD, sign descent, AdaGrad, RMSProp,
//! Adam, AdamW, Adam + L2, AMSGrad) are built in [`rules`]. Every rule reports its
//! per-coordinate effective step ([`Optimizer::effective_step`]) for the diagnostics.

mod adagrad;
mod adam;
mod clip;
mod momentum;
mod normalize;
mod optimizer;
mod projection;
mod rms;
pub mod rules;
mod schedule;
mod sign;
mod transform;
mod weight_decay;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use clip::{ClipByGlobalNorm, ClipByValue};
pub use momentum::Momentum;
pub use normalize::Normalize;
pub use optimizer::Optimizer;
pub use projection::Projection;
pub use rms::{EpsPlacement, Rms};
pub use rules::{AdamConfig, RmsPropConfig};
pub use schedule::Schedule;
pub use sign::Sign;
pub use transform::Transform;
pub use weight_decay::WeightDecay;
