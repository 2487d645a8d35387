//! Adam's bias-corrected moment estimates, with the AMSGrad variant.

use super::transform::{counter, named, set_buffer, unknown_state};
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
pub struct ScaleByAdam {
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

impl ScaleByAdam {
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
        let denom = self.denominators();
        self.nu
            .iter()
            .zip(self.maxima())
            .map(|(&nu, nu_max)| denom(nu, nu_max))
            .collect()
    }

    /// `(v, v̂max) ↦ √(v̂ + ε_root) + ε`, one coordinate's denominator from its second moment
    /// `v` (bias-corrected, `v̂ = v/(1 − β₂^t)`, after the first step) or, for AMSGrad, its
    /// running maximum `v̂max`; the step's constants are computed once, not per coordinate.
    fn denominators(&self) -> impl Fn(f64, f64) -> f64 {
        let correction = (self.count > 0).then(|| 1.0 - self.b2.powf(self.count as f64));
        let (amsgrad, eps, eps_root) = (self.amsgrad, self.eps, self.eps_root);
        move |nu, nu_max| {
            let nu_hat = if amsgrad {
                nu_max
            } else {
                correction.map_or(nu, |c| nu / c)
            };
            (nu_hat + eps_root).sqrt() + eps
        }
    }

    /// AMSGrad's maxima per coordinate, zeros for Adam (which has none; unused there).
    fn maxima(&self) -> impl Iterator<Item = f64> + '_ {
        self.nu_max.iter().copied().chain(std::iter::repeat(0.0))
    }
}

impl Transform for ScaleByAdam {
    fn name(&self) -> &'static str {
        if self.amsgrad {
            "scale_by_amsgrad"
        } else {
            "scale_by_adam"
        }
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![
            ("b1", self.b1),
            ("b2", self.b2),
            ("eps", self.eps),
            ("eps_root", self.eps_root),
        ])
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
        // One loop per variant with the step's constants hoisted (a per-coordinate `powf`
        // and branch would keep the loop scalar); the same operations per coordinate.
        let (b1, b2) = (self.b1, self.b2);
        let denom = self.denominators();
        let moments = updates.iter_mut().zip(&mut self.mu).zip(&mut self.nu);
        if self.amsgrad {
            for (((u, mu), nu), nu_max) in moments.zip(&mut self.nu_max) {
                let g = *u;
                *mu = b1 * *mu + (1.0 - b1) * g;
                *nu = b2 * *nu + (1.0 - b2) * g * g;
                *nu_max = nu_max.max(*nu / c2);
                *u = (*mu / c1) / denom(*nu, *nu_max);
            }
        } else {
            for ((u, mu), nu) in moments {
                let g = *u;
                *mu = b1 * *mu + (1.0 - b1) * g;
                *nu = b2 * *nu + (1.0 - b2) * g * g;
                *u = (*mu / c1) / denom(*nu, 0.0);
            }
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        let denom = self.denominators();
        for ((f, &nu), nu_max) in factor.iter_mut().zip(&self.nu).zip(self.maxima()) {
            *f /= denom(nu, nu_max);
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named({
            let mut s = vec![
                ("count", vec![self.count as f64]),
                ("mu", self.mu.clone()),
                ("nu", self.nu.clone()),
            ];
            if self.amsgrad {
                s.push(("nu_max", self.nu_max.clone()));
            }
            s
        })
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        let me = self.name();
        match name {
            "count" => self.count = counter(me, name, values)?,
            "mu" => set_buffer(me, name, &mut self.mu, values)?,
            "nu" => set_buffer(me, name, &mut self.nu, values)?,
            "nu_max" if self.amsgrad => set_buffer(me, name, &mut self.nu_max, values)?,
            _ => return Err(unknown_state(me, name)),
        }
        Ok(())
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{rules, AdamConfig, EpsPlacement, ScaleByRms};

    #[test]
    fn effective_step_is_alpha_over_sqrt_vhat_plus_eps() {
        let alpha = 0.01;
        let mut opt = rules::adam(alpha, AdamConfig::default()).unwrap();
        let mut x = vec![0.0; 3];
        let grads = [[1.0, -0.5, 1e-3], [0.2, 0.4, -2e-3], [-1.0, 0.1, 0.0]];
        let (b2, eps) = (0.999f64, 1e-8);
        let mut v = [0.0; 3];
        for (t, g) in grads.iter().enumerate() {
            opt.step(&mut x, g).unwrap();
            for i in 0..3 {
                v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            }
            let c2 = 1.0 - b2.powi(t as i32 + 1);
            let eff = opt.effective_step().unwrap();
            for i in 0..3 {
                let want = alpha / ((v[i] / c2).sqrt() + eps);
                assert!((eff[i] / want - 1.0).abs() < 1e-14, "{} vs {want}", eff[i]);
            }
        }
    }

    #[test]
    fn rmsprop_with_bias_correction_equals_adam_without_momentum() {
        // optax's documented equivalence: scale_by_rms(decay=b2, eps_in_sqrt=False,
        // bias_correction=True) == scale_by_adam(b1=0, b2=b2).
        let b2 = 0.99;
        let mut adam = rules::adam(
            0.1,
            AdamConfig {
                b1: 0.0,
                b2,
                ..AdamConfig::default()
            },
        )
        .unwrap();
        let rms = ScaleByRms::new(b2, 1e-8, 0.0, EpsPlacement::OutsideSqrt, true).unwrap();
        let mut rms = super::super::Optimizer::new("rms", 0.1, vec![Box::new(rms)]).unwrap();
        let (mut x, mut y) = (vec![1.0, -1.0], vec![1.0, -1.0]);
        for k in 0..50 {
            let g = [(k as f64 * 0.7).sin(), 1e-3 * (k as f64).cos()];
            adam.step(&mut x, &g).unwrap();
            rms.step(&mut y, &g).unwrap();
        }
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
    }

    #[test]
    fn amsgrad_denominator_never_decreases() {
        let mut opt = ScaleByAdam::amsgrad(0.9, 0.999, 1e-8, 0.0).unwrap();
        opt.init(1);
        let mut last = 0.0;
        for k in 0..500 {
            let mut u = [if k < 50 { 5.0 } else { 0.01 }];
            opt.update(&mut u, &[0.0]);
            let d = opt.denominator()[0];
            assert!(d >= last);
            last = d;
        }
    }

    #[test]
    fn invalid_betas_are_named() {
        let e = ScaleByAdam::new(1.0, 0.999, 1e-8, 0.0).unwrap_err();
        assert_eq!(e.to_string(), "adam: invalid b1 = 1: must lie in [0, 1)");
        let e = ScaleByAdam::amsgrad(0.9, -0.1, 1e-8, 0.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "amsgrad: invalid b2 = -0.1: must lie in [0, 1)"
        );
        let e = ScaleByAdam::new(0.9, 0.999, -1e-8, 0.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "adam: invalid eps = -0.00000001: must be finite and >= 0"
        );
    }
}
