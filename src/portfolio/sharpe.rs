//! [`MaxSharpe`]: the tangency portfolio, through the homogenised quadratic program.

use super::{Constraints, MeanVariance, Objective, RiskModel};
use crate::error::{Error, Result};
use std::sync::Arc;

/// The long-only portfolio of maximum Sharpe ratio,
///
/// ```text
/// max (μ − r_f)ᵀw / √(wᵀΣw)   s.t.  1ᵀw = 1, w ≥ 0,
/// ```
///
/// solved as the convex problem in `y = w/κ`, `κ = (μ − r_f)ᵀw > 0` (the ratio is invariant
/// to scaling `w`, so the budget can be traded for a normalisation of the excess return):
///
/// ```text
/// min ½ yᵀΣy   s.t.  ((μ − r_f)/e_max)ᵀy = 1, y ≥ 0,     w* = y* / 1ᵀy*
/// ```
///
/// (`e_max`, the largest excess return, keeps `y` of the size of the weights).
///
/// (Cornuéjols & Tütüncü, *Optimization Methods in Finance*, 2007, §8.2). The homogenised
/// problem is an ordinary [`MeanVariance`] (minimum variance over [`Constraints::homogenised`],
/// a box with one hyperplane and no budget, projected exactly), so every update rule, the
/// KKT [`super::Certificate`] and the Clarabel reference apply to it unchanged; this type maps
/// its solution back. Needs one asset whose expected return exceeds `r_f`.
#[derive(Debug, Clone)]
pub struct MaxSharpe {
    problem: MeanVariance,
    mean: Vec<f64>,
    risk_free: f64,
}

impl MaxSharpe {
    /// The tangency problem for covariance `risk`, expected returns `mean` and risk-free rate
    /// `risk_free` (per period, as `mean`). Errors on mismatched lengths, non-finite values, or
    /// when no asset's expected return exceeds `risk_free` (then no portfolio has a positive
    /// ratio and the homogenised set is empty).
    pub fn new(risk: Arc<dyn RiskModel>, mean: Vec<f64>, risk_free: f64) -> Result<Self> {
        crate::error::check(
            risk_free.is_finite(),
            "max sharpe",
            "risk_free",
            risk_free,
            "must be finite",
        )?;
        // Normalised by the largest excess, so that y is of the size of the weights (holding
        // the best asset alone is y = e_i) and tolerances mean the same as for w.
        let excess: Vec<f64> = mean.iter().map(|m| m - risk_free).collect();
        let top = excess.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let scaled = if top > 0.0 {
            excess.iter().map(|e| e / top).collect()
        } else {
            excess
        };
        let constraints = Constraints::homogenised(scaled)?;
        let problem = MeanVariance::new(risk, mean.clone(), Objective::MinVariance, constraints)?;
        Ok(MaxSharpe {
            problem,
            mean,
            risk_free,
        })
    }

    /// The homogenised problem in `y`, to solve with any solver.
    pub fn problem(&self) -> &MeanVariance {
        &self.problem
    }

    /// The portfolio `w = y / 1ᵀy` of a solution `y` of [`MaxSharpe::problem`]. Errors on a
    /// wrong length or when `1ᵀy ≤ 0` (not a point of the homogenised set).
    pub fn weights(&self, y: &[f64]) -> Result<Vec<f64>> {
        if y.len() != self.mean.len() {
            return Err(Error::DimensionMismatch {
                component: "max sharpe",
                what: "y",
                expected: self.mean.len(),
                got: y.len(),
            });
        }
        let total: f64 = y.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(Error::InvalidConfig {
                component: "max sharpe",
                message: format!("1ᵀy = {total} must be finite and > 0"),
            });
        }
        Ok(y.iter().map(|v| v / total).collect())
    }

    /// The Sharpe ratio `(μ − r_f)ᵀw / √(wᵀΣw)` of weights `w` (per period; `×√252` for an
    /// annual figure from daily data).
    pub fn sharpe(&self, w: &[f64]) -> Result<f64> {
        if w.len() != self.mean.len() {
            return Err(Error::DimensionMismatch {
                component: "max sharpe",
                what: "weights",
                expected: self.mean.len(),
                got: w.len(),
            });
        }
        let excess: f64 = self
            .mean
            .iter()
            .zip(w)
            .map(|(m, x)| (m - self.risk_free) * x)
            .sum();
        Ok(excess
            / self
                .problem
                .risk()
                .quadratic(w)
                .max(f64::MIN_POSITIVE)
                .sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Projection as _;
    use crate::portfolio::{solve_reference, Covariance};
    use approx::assert_abs_diff_eq;

    fn market() -> (Arc<dyn RiskModel>, Vec<f64>) {
        // Three correlated assets whose unconstrained tangency weights are all positive.
        let sigma = Covariance::new(
            3,
            vec![
                4e-4, 1e-4, 0.5e-4, 1e-4, 2.25e-4, 0.3e-4, 0.5e-4, 0.3e-4, 1e-4,
            ],
        )
        .unwrap();
        (Arc::new(sigma), vec![8e-4, 6e-4, 3e-4])
    }

    #[test]
    fn the_tangency_portfolio_matches_the_closed_form() {
        let (risk, mean) = market();
        let rf = 1e-4;
        let ms = MaxSharpe::new(risk.clone(), mean.clone(), rf).unwrap();
        let y = solve_reference(ms.problem()).unwrap().weights;
        let w = ms.weights(&y).unwrap();
        // Closed form without the sign constraints: w ∝ Σ⁻¹(μ − r_f), by Cramer's rule.
        let s = risk.to_dense();
        let e: Vec<f64> = mean.iter().map(|m| m - rf).collect();
        let det = |m: &[f64]| {
            m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
                + m[2] * (m[3] * m[7] - m[4] * m[6])
        };
        let d = det(&s);
        let mut z = [0.0; 3];
        for (k, zk) in z.iter_mut().enumerate() {
            let mut m = s.clone();
            for r in 0..3 {
                m[r * 3 + k] = e[r];
            }
            *zk = det(&m) / d;
        }
        let total: f64 = z.iter().sum();
        assert!(
            z.iter().all(|v| *v > 0.0),
            "the closed form is long-only here"
        );
        for (a, b) in w.iter().zip(&z) {
            assert_abs_diff_eq!(*a, b / total, epsilon = 1e-9);
        }
        // No other portfolio does better: a grid over the simplex.
        let best = ms.sharpe(&w).unwrap();
        for i in 0..=20 {
            for j in 0..=(20 - i) {
                let v = [i as f64 / 20.0, j as f64 / 20.0, (20 - i - j) as f64 / 20.0];
                assert!(ms.sharpe(&v).unwrap() <= best + 1e-12);
            }
        }
        // The homogenised set: y ≥ 0 and (μ − r_f)ᵀy/e_max = 1, its projection exact.
        let mut p = vec![3.0, -2.0, 0.5];
        ms.problem().constraints().project(&mut p);
        let dot: f64 = p.iter().zip(&e).map(|(a, b)| a * b / e[0]).sum();
        assert!(p.iter().all(|v| *v >= 0.0));
        assert_abs_diff_eq!(dot, 1.0, epsilon = 1e-12);
    }

    #[test]
    fn no_asset_above_the_risk_free_rate_is_an_error() {
        let (risk, mean) = market();
        let e = MaxSharpe::new(risk.clone(), mean.clone(), 1e-3).unwrap_err();
        assert!(e.to_string().contains("risk-free"), "{e}");
        assert!(MaxSharpe::new(risk.clone(), mean.clone(), f64::NAN).is_err());
        let ms = MaxSharpe::new(risk, mean, 0.0).unwrap();
        assert!(ms.weights(&[0.0, 0.0, 0.0]).is_err() && ms.weights(&[1.0]).is_err());
    }
}
