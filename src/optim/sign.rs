//! Sign descent.

use super::transform::{named, set_buffer, unknown_state};
use super::Transform;

/// Sign of each coordinate (optax `scale_by_sign`; signSGD, Bernstein et al. 2018):
///
/// ```text
/// u_i ← sign(u_i),   sign(0) = 0
/// ```
///
/// Effective step: as a multiplier of the incoming direction, `1/|u_i|` (0 where `u_i = 0`).
#[derive(Debug, Clone, Default)]
pub struct ScaleBySign {
    last_abs: Vec<f64>,
}

impl ScaleBySign {
    /// Sign descent; it has no hyperparameters.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Transform for ScaleBySign {
    fn name(&self) -> &'static str {
        "scale_by_sign"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(Vec::new())
    }

    fn init(&mut self, dim: usize) {
        self.last_abs = vec![0.0; dim];
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        for (u, a) in updates.iter_mut().zip(self.last_abs.iter_mut()) {
            *a = u.abs();
            *u = if *u > 0.0 {
                1.0
            } else if *u < 0.0 {
                -1.0
            } else {
                0.0
            };
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        for (f, a) in factor.iter_mut().zip(&self.last_abs) {
            *f *= if *a > 0.0 { 1.0 / a } else { 0.0 };
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("last_abs", self.last_abs.clone())])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "last_abs" => set_buffer(self.name(), name, &mut self.last_abs, values),
            _ => Err(unknown_state(self.name(), name)),
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}
