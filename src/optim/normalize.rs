//! Normalization of the whole update by its Euclidean norm.

use super::transform::{named, scalar, unknown_state};
use super::Transform;
use crate::error::{non_negative, Result};

/// Normalized gradient descent's direction (optax `normalize_by_update_norm`):
///
/// ```text
/// u ← u / (‖u‖₂ + ε)
/// ```
///
/// so that with learning rate η every step has length η (up to ε). Default ε = 1e-6 (optax);
/// ε = 0 is allowed and gives a zero update for a zero gradient.
///
/// Effective step: the factor `1/(‖u‖₂ + ε)` is the same for every coordinate.
#[derive(Debug, Clone)]
pub struct NormalizeByGlobalNorm {
    eps: f64,
    last_norm: f64,
}

impl NormalizeByGlobalNorm {
    /// optax's default ε.
    pub const DEFAULT_EPS: f64 = 1e-6;

    /// Normalization with jitter `eps` ≥ 0.
    pub fn new(eps: f64) -> Result<Self> {
        non_negative("normalize_by_global_norm", "eps", eps)?;
        Ok(Self {
            eps,
            last_norm: f64::NAN,
        })
    }
}

impl Transform for NormalizeByGlobalNorm {
    fn name(&self) -> &'static str {
        "normalize_by_global_norm"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![("eps", self.eps)])
    }

    fn init(&mut self, _dim: usize) {
        self.last_norm = f64::NAN;
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        let norm = updates.iter().map(|u| u * u).sum::<f64>().sqrt();
        self.last_norm = norm;
        let denom = norm + self.eps;
        for u in updates.iter_mut() {
            *u = if denom > 0.0 { *u / denom } else { 0.0 };
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        let denom = self.last_norm + self.eps;
        let d = if denom > 0.0 { 1.0 / denom } else { 0.0 };
        factor.iter_mut().for_each(|f| *f *= d);
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("last_norm", vec![self.last_norm])])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "last_norm" => self.last_norm = scalar(self.name(), name, values)?,
            _ => return Err(unknown_state(self.name(), name)),
        }
        Ok(())
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::optim::rules;

    #[test]
    fn every_step_has_length_eta() {
        let mut opt = rules::normalized_gd(0.05, 0.0).unwrap();
        let mut x = vec![1.0, 2.0, -3.0];
        for k in 0..20 {
            let before = x.clone();
            let g = [k as f64 + 1.0, -1e-6, 1e3];
            opt.step(&mut x, &g).unwrap();
            let len = x
                .iter()
                .zip(&before)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt();
            approx::assert_abs_diff_eq!(len, 0.05, epsilon = 1e-15);
        }
        let mut zero = rules::normalized_gd(0.05, 0.0).unwrap();
        let mut y = vec![1.0];
        zero.step(&mut y, &[0.0]).unwrap();
        assert_eq!(y, vec![1.0]);
    }
}
