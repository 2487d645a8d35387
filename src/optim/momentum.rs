//! Momentum accumulator: heavy-ball and Nesterov.

use super::transform::{named, set_buffer, unknown_state};
use super::Transform;
use crate::error::{unit_interval, Result};

/// Momentum accumulator (optax `trace`, PyTorch `SGD(momentum=μ, dampening=0)`).
///
/// With incoming direction `u_t` (the gradient, for plain momentum SGD):
///
/// ```text
/// m_t = μ m_{t−1} + u_t,        m_0 = 0
/// heavy ball (Polyak 1964):     u ← m_t
/// Nesterov (Sutskever et al. 2013 form):  u ← u_t + μ m_t
/// ```
///
/// The accumulator is not dampened, so at steady state a constant gradient gives a step
/// `α/(1−μ)` times larger than gradient descent's.
///
/// Effective step: momentum does not rescale coordinates, so it contributes a factor 1;
/// the reported effective step of a momentum rule is the step `α_t` applied to the momentum
/// buffer, not to the current gradient. The long-run amplification `1/(1−μ)` is not included.
#[derive(Debug, Clone)]
pub struct Trace {
    mu: f64,
    nesterov: bool,
    trace: Vec<f64>,
}

impl Trace {
    /// Heavy-ball momentum with coefficient `mu` ∈ [0, 1).
    pub fn heavy_ball(mu: f64) -> Result<Self> {
        Self::new(mu, false)
    }

    /// Nesterov momentum with coefficient `mu` ∈ [0, 1).
    pub fn nesterov(mu: f64) -> Result<Self> {
        Self::new(mu, true)
    }

    fn new(mu: f64, nesterov: bool) -> Result<Self> {
        unit_interval(Self::component(nesterov), "momentum", mu)?;
        Ok(Self {
            mu,
            nesterov,
            trace: Vec::new(),
        })
    }

    fn component(nesterov: bool) -> &'static str {
        if nesterov {
            "trace_nesterov"
        } else {
            "trace"
        }
    }

    /// The momentum buffer `m_t`.
    pub fn trace(&self) -> &[f64] {
        &self.trace
    }
}

impl Transform for Trace {
    fn name(&self) -> &'static str {
        Self::component(self.nesterov)
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![
            ("momentum", self.mu),
            ("nesterov", f64::from(u8::from(self.nesterov))),
        ])
    }

    fn init(&mut self, dim: usize) {
        self.trace = vec![0.0; dim];
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        for (u, m) in updates.iter_mut().zip(self.trace.iter_mut()) {
            *m = self.mu * *m + *u;
            *u = if self.nesterov { *u + self.mu * *m } else { *m };
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("trace", self.trace.clone())])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "trace" => set_buffer(self.name(), name, &mut self.trace, values),
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
    fn constant_gradient_builds_geometric_sum() {
        let mu = 0.9f64;
        let (mut hb, mut nv) = (Trace::heavy_ball(mu).unwrap(), Trace::nesterov(mu).unwrap());
        hb.init(1);
        nv.init(1);
        for t in 1..=30 {
            let (mut a, mut b) = ([2.0], [2.0]);
            hb.update(&mut a, &[0.0]);
            nv.update(&mut b, &[0.0]);
            let m = 2.0 * (1.0 - mu.powi(t)) / (1.0 - mu);
            approx::assert_abs_diff_eq!(a[0], m, epsilon = 1e-13);
            approx::assert_abs_diff_eq!(b[0], (2.0 + mu * m), epsilon = 1e-13);
        }
    }

    #[test]
    fn momentum_out_of_range_is_named() {
        assert_eq!(
            Trace::nesterov(1.5).unwrap_err().to_string(),
            "trace_nesterov: invalid momentum = 1.5: must lie in [0, 1)"
        );
    }
}
