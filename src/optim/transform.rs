//! The [`Transform`] trait: one stage of an update rule.

/// One stage of an update rule, in the manner of optax's `GradientTransformation`.
///
/// A transform receives the current update direction `u` (initially the gradient `g`) and the
/// parameters `x`, and rewrites `u` in place. Update rules are chains of transforms followed by
/// the learning rate, which [`crate::Optimizer`] applies in one place:
/// `x ← x − α_t · u`.
///
/// State (moment estimates, accumulators, counters) lives in the transform as plain data and is
/// exposed through [`Transform::state`] so that it can be inspected and tested.
pub trait Transform: std::fmt::Debug + Send {
    /// Short name of the transform, e.g. `"scale_by_adam"`.
    fn name(&self) -> &'static str;

    /// The hyperparameters, by name, for logging and run files.
    fn hyperparameters(&self) -> Vec<(&'static str, f64)>;

    /// Allocates (or resets) the state for a parameter vector of length `dim`.
    fn init(&mut self, dim: usize);

    /// Rewrites `updates` in place. `params` are the parameters the gradient was taken at.
    /// Lengths have been checked by the caller.
    fn update(&mut self, updates: &mut [f64], params: &[f64]);

    /// Multiplies `factor[i]` by the per-coordinate scale `d_i` that this transform applied at
    /// its last update, so that the product over a chain times the learning rate is the rule's
    /// effective step `α_t · Π d_i`. Transforms that do not rescale per coordinate (momentum,
    /// weight decay) leave `factor` unchanged; their documentation says what that means.
    fn scale_factor(&self, factor: &mut [f64]) {
        let _ = factor;
    }

    /// Named state buffers, for inspection. Scalars are returned as length-1 vectors.
    fn state(&self) -> Vec<(&'static str, Vec<f64>)> {
        Vec::new()
    }

    /// A boxed copy with the same hyperparameters and state.
    fn boxed_clone(&self) -> Box<dyn Transform>;
}

impl Clone for Box<dyn Transform> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}
