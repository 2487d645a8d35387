//! The derivative core: an MLP whose input derivatives are propagated as truncated Taylor jets
//! (batched as matrix products: see `gemm`) and whose parameter gradients come from a
//! hand-written reverse pass through the same computation, parallel over chunks of points;
//! and exact Hessian-vector products by differentiating both passes forward.

mod activation;
mod batch;
mod embedding;
mod gemm;
mod hvp;
mod jet;
mod mlp;
mod tangent;
mod taylor;
mod taylor_activation;
mod workspace;

pub use activation::Activation;
pub use batch::{loss_and_gradient, predict, CHUNK_POINTS};
pub use embedding::{Embedding, Feature};
pub use hvp::{backward_tangent, forward_tangent, loss_gradient_hvp, predict_tangent, TangentTape};
pub use jet::{Direction, JetSpec, MAX_ORDER};
pub use mlp::Mlp;
pub use tangent::{Scalar, Tangent};
pub use taylor::{backward, forward, Tape};
pub(crate) use workspace::{recycle, scratch};
