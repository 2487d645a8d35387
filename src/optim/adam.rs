//! Adam's bias-corrected moment estimates, with the AMSGrad variant.

use super::Transform;
use crate::error::{non_negative, unit_interval, Result};

/// Adam scaling (Kingma & Ba 2015; optax `scale_by_adam`), optionally AMSGrad (Reddi, Kale &
/// Kumar 2018; optax `scale_by_amsgrad`):
///
/// ```text
/// m_t = β₁ m_{t−1} + (1 − β₁) u_t,          m̂_t = m_t / (1 − β₁^t)
/// v_t = β₂ v_{t−1} + (1 − β₂) u_t²,         v̂_t = v_t / (1 − β₂^t)
/// Adam:     u ← m̂_t / (√(v̂_t + ε_root) + ε)
/// AMSGrad:  v̂max_t = max(v̂max_{t−1}, v̂_t),   u ← m̂_t / (√(v̂max_t + ε_root) + ε)
/// ```
///
/// Defaults (optax, PyTorch): `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e-8`, `ε_root = 0`. AMSGrad
/// takes the maximum of the *bias-corrected* second moment, as optax does by default
/// (`bias_correction_nu=True`), so its denominator never decreases.
///
/// Effective step factor: `1/(√(v̂_t + ε_root) + ε)` (with `v̂max_t` for AMSGrad). It
/// multiplies the bias-corrected first moment `m̂_t`, not the raw gradient; with β₁ = 0 the two
/// coincide. Since `|m̂_t| ≈ |g|` for a steady gradient and `√v̂_t ≈ |g|`, Adam's steps have
/// magnitude ≈ α per coordinate, whatever the gradient's scale; ε bounds the step by
/// `α·|m̂|/ε` when gradients are tiny.
#[derive(Debug, Clone)]
pub struct Adam {
    b1: f64,
    b2: f64,
    eps: f64,
    eps_root: f64,
    amsgrad: bool,
    count: u64,
    mu: Vec<f64>,
    nu: Vec<f64>,
    nu_max: Vec<f64>,
}

impl Adam {
    /// Default β₁.
    pub const DEFAULT_B1: f64 = 0.9;
    /// Default β₂.
    pub const DEFAULT_B2: f64 = 0.999;
    /// Default ε.
    pub const DEFAULT_EPS: f64 = 1e-8;

    /// Adam scaling with β₁, β₂ ∈ [0, 1), ε ≥ 0, ε_root ≥ 0.
    pub fn new(b1: f64, b2: f64, eps: f64, eps_root: f64) -> Result<Self> {
        Self::build(b1, b2, eps, eps_root, false)
    }

    /// AMSGrad scaling with β₁, β₂ ∈ [0, 1), ε ≥ 0, ε_root ≥ 0.
    pub fn amsgrad(b1: f64, b2: f64, eps: f64, eps_root: f64) -> Result<Self> {
        Self::build(b1, b2, eps, eps_root, true)
    }

    fn build(b1: f64, b2: f64, eps: f64, eps_root: f64, amsgrad: bool) -> Result<Self> {
        let c = if amsgrad { "amsgrad" } else { "adam" };
        unit_interval(c, "b1", b1)?;
        unit_interval(c, "b2", b2)?;
        non_negative(c, "eps", eps)?;
        non_negative(c, "eps_root", eps_root)?;
        Ok(Self {
            b1,
            b2,
            eps,
            eps_root,
            amsgrad,
            count: 0,
            mu: Vec::new(),
            nu: Vec::new(),
            nu_max: Vec::new(),
        })
    }

    /// First moment `m_t` (not bias-corrected).
    pub fn mu(&self) -> &[f64] {
        &self.mu
    }

    /// Second moment `v_t` (not bias-corrected).
    pub fn nu(&self) -> &[f64] {
        &self.nu
    }

    /// AMSGrad's running maximum of `v̂_t` (empty for Adam).
    pub fn nu_max(&self) -> &[f64] {
        &self.nu_max
    }

    /// The denominator `√(v̂_t + ε_root) + ε` for each coordinate (v̂max for AMSGrad).
    pub fn denominator(&self) -> Vec<f64> {
        (0..self.nu.len()).map(|i| self.denom(i)).collect()
    }

    fn nu_hat(&self, i: usize) -> f64 {
        if self.amsgrad {
            self.nu_max[i]
        } else if self.count == 0 {
            self.nu[i]
        } else {
            self.nu[i] / (1.0 - self.b2.powf(self.count as f64))
        }
    }

    fn denom(&self, i: usize) -> f64 {
        (self.nu_hat(i) + self.eps_root).sqrt() + self.eps
    }
}

impl Transform for Adam {
    fn name(&self) -> &'static str {
        if self.amsgrad {
            "scale_by_amsgrad"
        } else {
            "scale_by_adam"
        }
    }

    fn hyperparameters(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("b1", self.b1),
            ("b2", self.b2),
            ("eps", self.eps),
            ("eps_root", self.eps_root),
        ]
    }

    fn init(&mut self, dim: usize) {
        self.count = 0;
        self.mu = vec![0.0; dim];
        self.nu = vec![0.0; dim];
        self.nu_max = if self.amsgrad {
            vec![0.0; dim]
        } else {
            Vec::new()
        };
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        self.count += 1;
        let t = self.count as f64;
        let c1 = 1.0 - self.b1.powf(t);
        let c2 = 1.0 - self.b2.powf(t);
        for (i, u) in updates.iter_mut().enumerate() {
            let g = *u;
            self.mu[i] = self.b1 * self.mu[i] + (1.0 - self.b1) * g;
            self.nu[i] = self.b2 * self.nu[i] + (1.0 - self.b2) * g * g;
            if self.amsgrad {
                self.nu_max[i] = self.nu_max[i].max(self.nu[i] / c2);
            }
            *u = (self.mu[i] / c1) / self.denom(i);
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        for (i, f) in factor.iter_mut().enumerate() {
            *f /= self.denom(i);
        }
    }

    fn state(&self) -> Vec<(&'static str, Vec<f64>)> {
        let mut s = vec![
            ("count", vec![self.count as f64]),
            ("mu", self.mu.clone()),
            ("nu", self.nu.clone()),
        ];
        if self.amsgrad {
            s.push(("nu_max", self.nu_max.clone()));
        }
        s
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}
