//! The adaptive-optimizer backend: update rules as small composable transforms.
//!
//! An [`Optimizer`] is a chain of [`Transform`]s and a learning-rate [`Schedule`]; the named
//! rules (gradient descent, momentum, Nesterov, normalized GD, sign descent, AdaGrad, RMSProp,
//! Adam, AdamW, Adam + L2, AMSGrad) are built in [`rules`]. Every rule reports its
//! per-coordinate effective step ([`Optimizer::effective_step`]) for the diagnostics.
//!
//! Transforms are named for what they do to the update, as optax names them, so an optax
//! chain reads the same here: `scale_by_*` rescales ([`ScaleByAdam`], [`ScaleByRms`],
//! [`ScaleByAdaGrad`], [`ScaleBySign`]), `clip_by_*` clips ([`ClipByGlobalNorm`],
//! [`ClipByValue`]), [`NormalizeByGlobalNorm`] divides by the norm, [`Trace`] keeps a momentum
//! buffer, [`AddDecayedWeights`] adds `λx`. Each type's [`Transform::name`] is its snake-case
//! name. [`Chain`] makes a list of transforms one transform; [`MultiTransform`] gives each
//! parameter group its own; [`Schedule::custom`] takes any function of the step count.
//!
//! ```
//! use ravine::optim::{ClipByGlobalNorm, Optimizer, Schedule, ScaleByAdam};
//! // optax: chain(clip_by_global_norm(1.0), scale_by_adam(), scale_by_learning_rate(cosine))
//! let lr = Schedule::cosine(1e-2, 1000, 0.0).unwrap();
//! let mut adam = Optimizer::new(
//!     "clipped_adam",
//!     lr,
//!     vec![
//!         Box::new(ClipByGlobalNorm::new(1.0).unwrap()),
//!         Box::new(ScaleByAdam::new(0.9, 0.999, 1e-8, 0.0).unwrap()),
//!     ],
//! )
//! .unwrap();
//! let mut x = vec![3.0, -1.0];
//! for _ in 0..500 {
//!     let g: Vec<f64> = x.iter().map(|v| 2.0 * v).collect(); // ∇‖x‖²
//!     adam.step(&mut x, &g).unwrap();
//! }
//! assert!(x.iter().all(|v| v.abs() < 1e-2));
//! ```

mod adagrad;
mod adam;
mod chain;
mod clip;
mod feedback;
mod layerwise;
mod momentum;
mod multi_transform;
mod normalize;
mod optimizer;
mod precondition;
mod projection;
mod rms;
pub mod rules;
mod schedule;
mod sign;
mod surprise;
mod transform;
mod weight_decay;

pub use adagrad::ScaleByAdaGrad;
pub use adam::ScaleByAdam;
pub use chain::Chain;
pub use clip::{ClipByGlobalNorm, ClipByValue};
pub use feedback::{FeedbackFn, ScaleByFeedback};
pub use layerwise::{ScaleByInverseSpectralNorm, ScaleByTrustRatio};
pub use momentum::Trace;
pub use multi_transform::MultiTransform;
pub use normalize::NormalizeByGlobalNorm;
pub use optimizer::Optimizer;
pub use precondition::{CurvatureFn, ScaleByInverseCurvature};
pub use projection::Projection;
pub use rms::{EpsPlacement, ScaleByRms};
pub use rules::{AdamConfig, RmsPropConfig};
pub use schedule::{Schedule, ScheduleFn};
pub use sign::ScaleBySign;
pub use surprise::ScaleByGlobalNorm;
pub use transform::Transform;
pub use weight_decay::AddDecayedWeights;
