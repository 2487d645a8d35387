//! Any weights against any problem: [`compare`] (objective gap, weight error and the KKT
//! certificate of a plain weight vector) and [`RiskReport`] (return, variance and volatility
//! per period and annualised).

use super::{Certificate, MeanVariance};
use crate::error::{Error, Result};

/// Trading days in a year, the usual factor for annualising daily figures.
pub const TRADING_DAYS: f64 = 252.0;

/// Weights `w` measured against reference weights `w*` for one problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// `f(w)`, ravine's objective (see [`super::Objective`]: `½wᵀΣw`, or `(γ/2)wᵀΣw − μᵀw`).
    pub objective: f64,
    /// `f(w*)`.
    pub reference_objective: f64,
    /// `(f(w) − f(w*)) / |f(w*)|` (slightly negative within rounding, or when `w` is not
    /// feasible: see the certificate).
    pub objective_gap: f64,
    /// `max_i |w_i − w*_i|`.
    pub weight_error: f64,
    /// The KKT conditions at `w`: whether `w` is optimal, whatever `w*` is.
    pub certificate: Certificate,
}

/// `max_i |a_i − b_i|`.
pub(super) fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

/// Compares `weights` with `reference` on `problem` (say, a portfolio from another library
/// with ravine's certified solution). Errors when a length differs from the problem's or a
/// weight is not finite.
pub fn compare(problem: &MeanVariance, weights: &[f64], reference: &[f64]) -> Result<Comparison> {
    for (what, w) in [("weights", weights), ("reference", reference)] {
        if w.len() != problem.dim() {
            return Err(Error::DimensionMismatch {
                component: "portfolio compare",
                what,
                expected: problem.dim(),
                got: w.len(),
            });
        }
        if let Some(i) = w.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "portfolio compare",
                what,
                value: w[i],
                index: i,
            });
        }
    }
    let objective = problem.objective(weights)?;
    let reference_objective = problem.objective(reference)?;
    let weight_error = max_abs_diff(weights, reference);
    Ok(Comparison {
        objective,
        reference_objective,
        objective_gap: (objective - reference_objective)
            / reference_objective.abs().max(f64::MIN_POSITIVE),
        weight_error,
        certificate: Certificate::of(problem, weights)?,
    })
}

/// A portfolio's expected return and risk in the data's units (per period: daily for daily
/// returns) and annualised over `periods_per_year` periods (`×P` for the return and variance,
/// `×√P` for the volatility; arithmetic, as for mean and covariance estimated per period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskReport {
    /// `μᵀw` per period.
    pub expected_return: f64,
    /// `wᵀΣw` per period.
    pub variance: f64,
    /// `√(wᵀΣw)` per period.
    pub volatility: f64,
    /// Periods per year used below.
    pub periods_per_year: f64,
    /// `P·μᵀw`.
    pub annual_return: f64,
    /// `P·wᵀΣw`.
    pub annual_variance: f64,
    /// `√P·√(wᵀΣw)`.
    pub annual_volatility: f64,
}

impl RiskReport {
    /// The report of `weights` under `problem`'s mean and covariance; `periods_per_year`
    /// must be positive ([`TRADING_DAYS`] for daily data).
    pub fn of(problem: &MeanVariance, weights: &[f64], periods_per_year: f64) -> Result<Self> {
        crate::error::check(
            periods_per_year.is_finite() && periods_per_year > 0.0,
            "risk report",
            "periods_per_year",
            periods_per_year,
            "must be finite and > 0",
        )?;
        if weights.len() != problem.dim() {
            return Err(Error::DimensionMismatch {
                component: "risk report",
                what: "weights",
                expected: problem.dim(),
                got: weights.len(),
            });
        }
        let variance = problem.risk().quadratic(weights).max(0.0);
        let expected_return: f64 = problem.mean().iter().zip(weights).map(|(m, w)| m * w).sum();
        Ok(RiskReport {
            expected_return,
            variance,
            volatility: variance.sqrt(),
            periods_per_year,
            annual_return: periods_per_year * expected_return,
            annual_variance: periods_per_year * variance,
            annual_volatility: (periods_per_year * variance).sqrt(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::{solve_reference, Constraints, Covariance, Objective};
    use approx::assert_abs_diff_eq;
    use std::sync::Arc;

    /// Two uncorrelated assets, variances 1e-4 and 4e-4 per day, means 1e-3 and 2e-3.
    fn two_assets(objective: Objective) -> MeanVariance {
        let sigma = Covariance::new(2, vec![1e-4, 0.0, 0.0, 4e-4]).unwrap();
        MeanVariance::new(
            Arc::new(sigma),
            vec![1e-3, 2e-3],
            objective,
            Constraints::long_only(2),
        )
        .unwrap()
    }

    #[test]
    fn a_plain_vector_is_compared_and_certified() {
        let p = two_assets(Objective::MinVariance);
        // Closed form: w* = (0.8, 0.2), f* = ½ (0.64e-4 + 0.04·4e-4) = 0.4e-4.
        let star = [0.8, 0.2];
        let c = compare(&p, &[0.5, 0.5], &star).unwrap();
        assert_abs_diff_eq!(c.reference_objective, 0.4e-4, epsilon = 1e-18);
        assert_abs_diff_eq!(c.objective, 0.5 * (0.25e-4 + 1e-4), epsilon = 1e-18);
        assert_abs_diff_eq!(c.objective_gap, 0.5625, epsilon = 1e-12);
        assert_abs_diff_eq!(c.weight_error, 0.3, epsilon = 1e-15);
        assert!(c.certificate.worst() > 0.1, "equal weights are not optimal");
        // The reference solver's weights compared with the closed form: certified optimal.
        let solved = solve_reference(&p).unwrap().weights;
        let c = compare(&p, &solved, &star).unwrap();
        assert!(
            c.weight_error < 1e-9 && c.objective_gap.abs() < 1e-12,
            "{c:?}"
        );
        assert!(c.certificate.worst() < 1e-8, "{:?}", c.certificate);
        assert!(compare(&p, &[1.0], &star).is_err());
        assert!(compare(&p, &[f64::NAN, 1.0], &star).is_err());
    }

    #[test]
    fn risk_is_reported_per_day_and_per_year() {
        let p = two_assets(Objective::Utility { gamma: 3.0 });
        let r = RiskReport::of(&p, &[0.8, 0.2], TRADING_DAYS).unwrap();
        assert_abs_diff_eq!(r.variance, 0.8e-4, epsilon = 1e-18);
        assert_abs_diff_eq!(r.volatility, 0.8e-4f64.sqrt(), epsilon = 1e-15);
        assert_abs_diff_eq!(r.expected_return, 1.2e-3, epsilon = 1e-15);
        assert_abs_diff_eq!(r.annual_return, 252.0 * 1.2e-3, epsilon = 1e-12);
        assert_abs_diff_eq!(r.annual_variance, 252.0 * 0.8e-4, epsilon = 1e-15);
        assert_abs_diff_eq!(
            r.annual_volatility,
            (252.0 * 0.8e-4f64).sqrt(),
            epsilon = 1e-15
        );
        // ravine minimises the negative utility: f(w) = (γ/2) wᵀΣw − μᵀw.
        assert_abs_diff_eq!(
            p.objective(&[0.8, 0.2]).unwrap(),
            1.5 * r.variance - r.expected_return,
            epsilon = 1e-18
        );
        assert!(RiskReport::of(&p, &[0.8, 0.2], 0.0).is_err());
        assert!(RiskReport::of(&p, &[1.0], 252.0).is_err());
    }
}
