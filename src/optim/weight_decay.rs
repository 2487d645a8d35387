//! Adds `λ·x` to the update: L2 regularisation or decoupled weight decay, by position.

use super::transform::named;
use super::Transform;
use crate::error::{non_negative, Result};

/// Adds decayed weights (optax `add_decayed_weights`):
///
/// ```text
/// u ← u + λ x
/// ```
///
/// Where it sits in a chain decides what it means:
/// - *before* an adaptive scaling (Adam + L2, PyTorch `Adam(weight_decay=λ)`), the decay term
///   is divided by `√v̂` like the gradient, so coordinates with a large gradient history are
///   shrunk less;
/// - *after* it (AdamW, Loshchilov & Hutter 2019), every coordinate is shrunk by the same
///   factor `1 − α_t λ` per step.
///
/// Effective step: contributes no per-coordinate scale (factor 1).
#[derive(Debug, Clone)]
pub struct AddDecayedWeights {
    weight_decay: f64,
}

impl AddDecayedWeights {
    /// Decay coefficient λ ≥ 0.
    pub fn new(weight_decay: f64) -> Result<Self> {
        non_negative("weight_decay", "weight_decay", weight_decay)?;
        Ok(Self { weight_decay })
    }
}

impl Transform for AddDecayedWeights {
    fn name(&self) -> &'static str {
        "add_decayed_weights"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![("weight_decay", self.weight_decay)])
    }

    fn init(&mut self, _dim: usize) {}

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        for (u, x) in updates.iter_mut().zip(params) {
            *u += self.weight_decay * x;
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}
