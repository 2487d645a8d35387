//! AdaGrad's accumulator of squared gradients.

use super::transform::{named, set_buffer, unknown_state};
use super::Transform;
use crate::error::{non_negative, Result};

/// AdaGrad scaling (Duchi, Hazan & Singer 2011; optax `scale_by_rss`):
///
/// ```text
/// s_t = s_{t−1} + u_t²,                     s_0 = initial_accumulator
/// u_i ← u_i / √(s_{t,i} + ε)   if s_{t,i} > 0,   else 0
/// ```
///
/// Defaults follow optax: `initial_accumulator = 0.1`, `ε = 1e-7`, with ε *inside* the square
/// root. (PyTorch's `Adagrad` starts from 0 and adds ε = 1e-10 outside the root.) The
/// accumulator never forgets, so the effective step `α/√(s_t+ε)` is non-increasing in `t`.
///
/// Effective step factor: `1/√(s_t + ε)` (0 where `s_t = 0`).
#[derive(Debug, Clone)]
pub struct ScaleByAdaGrad {
    initial_accumulator: f64,
    eps: f64,
    sum_of_squares: Vec<f64>,
}

impl ScaleByAdaGrad {
    /// optax's default initial accumulator.
    pub const DEFAULT_INITIAL_ACCUMULATOR: f64 = 0.1;
    /// optax's default ε.
    pub const DEFAULT_EPS: f64 = 1e-7;

    /// AdaGrad scaling with the given initial accumulator (≥ 0) and ε (≥ 0).
    pub fn new(initial_accumulator: f64, eps: f64) -> Result<Self> {
        non_negative(
            "scale_by_adagrad",
            "initial_accumulator",
            initial_accumulator,
        )?;
        non_negative("scale_by_adagrad", "eps", eps)?;
        Ok(Self {
            initial_accumulator,
            eps,
            sum_of_squares: Vec::new(),
        })
    }

    /// The accumulator `s_t`.
    pub fn sum_of_squares(&self) -> &[f64] {
        &self.sum_of_squares
    }

    fn factor(&self, s: f64) -> f64 {
        if s > 0.0 {
            1.0 / (s + self.eps).sqrt()
        } else {
            0.0
        }
    }
}

impl Transform for ScaleByAdaGrad {
    fn name(&self) -> &'static str {
        "scale_by_adagrad"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![
            ("initial_accumulator", self.initial_accumulator),
            ("eps", self.eps),
        ])
    }

    fn init(&mut self, dim: usize) {
        self.sum_of_squares = vec![self.initial_accumulator; dim];
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        for (u, s) in updates.iter_mut().zip(self.sum_of_squares.iter_mut()) {
            *s += *u * *u;
            *u *= if *s > 0.0 {
                1.0 / (*s + self.eps).sqrt()
            } else {
                0.0
            };
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        for (f, s) in factor.iter_mut().zip(&self.sum_of_squares) {
            *f *= self.factor(*s);
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("sum_of_squares", self.sum_of_squares.clone())])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "sum_of_squares" => set_buffer(self.name(), name, &mut self.sum_of_squares, values),
            _ => Err(unknown_state(self.name(), name)),
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulator_and_zero_handling() {
        let mut a = ScaleByAdaGrad::new(0.0, 0.0).unwrap();
        a.init(2);
        let mut u = [3.0, 0.0];
        a.update(&mut u, &[0.0, 0.0]);
        // s = (9, 0): first coordinate 3/√9 = 1; second has s = 0, so 0 rather than NaN.
        assert_eq!(u, [1.0, 0.0]);
        let mut u = [4.0, 0.0];
        a.update(&mut u, &[0.0, 0.0]);
        assert_eq!(u, [4.0 / 5.0, 0.0]);
        assert_eq!(a.sum_of_squares(), &[25.0, 0.0]);
        assert_eq!(
            ScaleByAdaGrad::new(-0.1, 1e-7).unwrap_err().to_string(),
            "scale_by_adagrad: invalid initial_accumulator = -0.1: must be finite and >= 0"
        );
    }
}
