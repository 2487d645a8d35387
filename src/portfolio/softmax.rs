//! [`SoftmaxPortfolio`]: the long-only, fully invested problem as an unconstrained one, for
//! argmin's L-BFGS.

use super::MeanVariance;
use crate::error::{Error, Result};
use crate::problem::Problem;

/// `w = softmax(z)` maps `ℝⁿ` onto the open simplex, so `min_z f(softmax(z))` is unconstrained:
///
/// ```text
/// w_i = e^{z_i} / Σ_j e^{z_j},    ∇_z = w ∘ (g − (wᵀg) 1)   with g = ∇_w f
/// ```
///
/// Assets with zero weight at the optimum sit at `z → −∞`, so L-BFGS approaches them only
/// asymptotically: the benchmark measures how far it gets.
#[derive(Debug, Clone)]
pub struct SoftmaxPortfolio {
    inner: MeanVariance,
}

impl SoftmaxPortfolio {
    /// Wraps a problem whose feasible set is the long-only simplex (no caps, no target).
    pub fn new(problem: MeanVariance) -> Result<Self> {
        let c = problem.constraints();
        let simplex = c.has_budget()
            && c.target_return().is_none()
            && c.lower().iter().all(|&l| l == 0.0)
            && c.upper().iter().all(|u| u.is_infinite());
        if !simplex {
            return Err(Error::InvalidConfig {
                component: "softmax reparametrisation",
                message: "needs the long-only fully invested set (no caps, no target return)"
                    .into(),
            });
        }
        Ok(Self { inner: problem })
    }

    /// `softmax(z)`, computed stably.
    pub fn weights(z: &[f64]) -> Vec<f64> {
        let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
        let s: f64 = e.iter().sum();
        e.into_iter().map(|v| v / s).collect()
    }

    /// The wrapped problem.
    pub fn inner(&self) -> &MeanVariance {
        &self.inner
    }
}

impl Problem for SoftmaxPortfolio {
    fn name(&self) -> String {
        format!("{} (softmax)", self.inner.name())
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn component_names(&self) -> Vec<String> {
        self.inner.component_names()
    }

    fn evaluate(&self, z: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        let w = Self::weights(z);
        let mut g = vec![0.0; w.len()];
        let loss = self.inner.evaluate(&w, &mut g, components)?;
        let wg: f64 = w.iter().zip(&g).map(|(a, b)| a * b).sum();
        for ((out, wi), gi) in grad.iter_mut().zip(&w).zip(&g) {
            *out = wi * (gi - wg);
        }
        Ok(loss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::{Constraints, Covariance, Objective};
    use std::sync::Arc;

    #[test]
    fn gradient_matches_finite_differences() {
        let cov = Covariance::new(3, vec![4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0]).unwrap();
        let p = MeanVariance::new(
            Arc::new(cov),
            vec![0.3, 0.1, 0.2],
            Objective::Utility { gamma: 2.0 },
            Constraints::long_only(3),
        )
        .unwrap();
        let s = SoftmaxPortfolio::new(p).unwrap();
        let z = vec![0.3, -0.5, 0.1];
        let mut g = vec![0.0; 3];
        let mut c = vec![0.0; 2];
        s.evaluate(&z, &mut g, &mut c).unwrap();
        for i in 0..3 {
            let h = 1e-6;
            let (mut zp, mut zm) = (z.clone(), z.clone());
            zp[i] += h;
            zm[i] -= h;
            let fd = (s.loss(&zp).unwrap() - s.loss(&zm).unwrap()) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() < 1e-9 * g[i].abs().max(1.0),
                "{i}: {fd} {}",
                g[i]
            );
        }
    }
}
