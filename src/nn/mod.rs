//! The derivative core: an MLP whose input derivatives are propagated as truncated Taylor jets
//! (batched as matrix products: see `gemm`) and whose parameter gradients come from a
//! hand-written reverse pass through the same computation, parallel over chunks of points;
//! and exact Hessian-vector products by differentiating both passes forward.
//!
//! ```
//! use ravine::nn::{predict, Activation, JetSpec, Mlp};
//! // u(x) = MLP(x); the jet carries u and ∂u/∂x, compared here with a central difference.
//! let mlp = Mlp::new(&[1, 8, 8, 1], Activation::Tanh).unwrap();
//! let theta = mlp.init(0);
//! let spec = JetSpec::new(1);
//! let jet = predict(&mlp, &theta, &spec, &[0.3]); // [u, u_x] at x = 0.3
//! let h = 1e-5;
//! let u = |x: f64| predict(&mlp, &theta, &JetSpec::values_only(1), &[x])[0];
//! assert!((jet[1] - (u(0.3 + h) - u(0.3 - h)) / (2.0 * h)).abs() < 1e-8);
//! ```

mod activation;
mod batch;
mod embedding;
mod embedding_memo;
mod gemm;
mod hvp;
mod jet;
mod mlp;
mod tangent;
mod tangent_activation;
mod taylor;
mod taylor_activation;
mod workspace;

pub use activation::Activation;
pub use batch::{
    chunk_count, chunk_partials, loss_and_gradient, predict, ChunkPartials, CHUNK_POINTS,
};
pub use embedding::{Embedding, Feature};
pub use hvp::{backward_tangent, forward_tangent, loss_gradient_hvp, predict_tangent, TangentTape};
pub use jet::{Direction, JetSpec, MAX_ORDER};
pub use mlp::Mlp;
pub use tangent::{Scalar, Tangent};
pub use taylor::{backward, forward, Tape};
pub(crate) use workspace::recycle;
