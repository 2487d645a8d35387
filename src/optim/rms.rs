//! RMSProp's exponential moving average of squared gradients.

use super::transform::{counter, named, set_buffer, unknown_state};
use super::Transform;
use crate::error::{non_negative, unit_interval, Result};

/// Where RMSProp adds ε.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpsPlacement {
    /// `u / √(ν + ε)`: optax's default (`eps_in_sqrt=True`), and TensorFlow's.
    InsideSqrt,
    /// `u / (√ν + ε)`: PyTorch's `RMSprop`, and Adam's.
    OutsideSqrt,
}

/// RMSProp scaling (Tieleman & Hinton 2012; optax `scale_by_rms`):
///
/// ```text
/// ν_t = ρ ν_{t−1} + (1 − ρ) u_t²,        ν_0 = initial_scale
/// ν̂_t = ν_t / (1 − ρ^t)  if bias_correction, else ν_t
/// u ← u / √(ν̂_t + ε)      (EpsPlacement::InsideSqrt, default)
/// u ← u / (√ν̂_t + ε)      (EpsPlacement::OutsideSqrt)
/// ```
///
/// Defaults (optax): `ρ = 0.9`, `ε = 1e-8` inside the root, `initial_scale = 0`, no bias
/// correction. With ε outside the root and bias correction on, this equals Adam with β₁ = 0.
/// Unlike AdaGrad the average forgets, so after a burst of large gradients the step recovers
/// within a few multiples of `1/(1−ρ)` steps.
///
/// Effective step factor: `1/√(ν̂_t + ε)` or `1/(√ν̂_t + ε)`.
#[derive(Debug, Clone)]
pub struct ScaleByRms {
    decay: f64,
    eps: f64,
    initial_scale: f64,
    placement: EpsPlacement,
    bias_correction: bool,
    nu: Vec<f64>,
    count: u64,
}

impl ScaleByRms {
    /// RMSProp scaling with decay `ρ` ∈ [0, 1), `ε` ≥ 0, ν₀ = `initial_scale` ≥ 0.
    pub fn new(
        decay: f64,
        eps: f64,
        initial_scale: f64,
        placement: EpsPlacement,
        bias_correction: bool,
    ) -> Result<Self> {
        unit_interval("rmsprop", "decay", decay)?;
        non_negative("rmsprop", "eps", eps)?;
        non_negative("rmsprop", "initial_scale", initial_scale)?;
        Ok(Self {
            decay,
            eps,
            initial_scale,
            placement,
            bias_correction,
            nu: Vec::new(),
            count: 0,
        })
    }

    /// The moving average `ν_t`.
    pub fn nu(&self) -> &[f64] {
        &self.nu
    }

    /// `ν ↦ 1/√(ν̂ + ε)` or `1/(√ν̂ + ε)` with this step's bias correction `ν̂ = ν/(1 − ρ^t)`,
    /// the step's constants computed once (not per entry).
    fn factors(&self) -> impl Fn(f64) -> f64 {
        let correction = (self.bias_correction && self.count > 0)
            .then(|| 1.0 - self.decay.powi(self.count as i32));
        let (eps, inside) = (self.eps, self.placement == EpsPlacement::InsideSqrt);
        move |nu| {
            let nu_hat = correction.map_or(nu, |c| nu / c);
            if inside {
                1.0 / (nu_hat + eps).sqrt()
            } else {
                1.0 / (nu_hat.sqrt() + eps)
            }
        }
    }
}

impl Transform for ScaleByRms {
    fn name(&self) -> &'static str {
        "scale_by_rms"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![
            ("decay", self.decay),
            ("eps", self.eps),
            ("initial_scale", self.initial_scale),
            (
                "eps_in_sqrt",
                f64::from(u8::from(self.placement == EpsPlacement::InsideSqrt)),
            ),
            ("bias_correction", f64::from(u8::from(self.bias_correction))),
        ])
    }

    fn init(&mut self, dim: usize) {
        self.nu = vec![self.initial_scale; dim];
        self.count = 0;
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        self.count += 1;
        let decay = self.decay;
        let factor_of = self.factors();
        // One pass: each entry's average, then its factor (the same operations as two passes).
        for (u, nu) in updates.iter_mut().zip(self.nu.iter_mut()) {
            *nu = decay * *nu + (1.0 - decay) * *u * *u;
            *u *= factor_of(*nu);
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        let factor_of = self.factors();
        for (f, nu) in factor.iter_mut().zip(&self.nu) {
            *f *= factor_of(*nu);
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![
            ("nu", self.nu.clone()),
            ("count", vec![self.count as f64]),
        ])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "nu" => set_buffer(self.name(), name, &mut self.nu, values)?,
            "count" => self.count = counter(self.name(), name, values)?,
            _ => return Err(unknown_state(self.name(), name)),
        }
        Ok(())
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}
