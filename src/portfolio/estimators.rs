//! Covariance estimators from a [`Returns`] table: sample (ddof = 1), Ledoit-Wolf shrinkage,
//! and exponentially weighted with a half-life.

use super::{Covariance, Returns};
use crate::error::{positive, Result};

/// Deviations from the column means, row-major, with the means.
fn centered(r: &Returns) -> (Vec<f64>, Vec<f64>) {
    let m = r.mean();
    let n = m.len();
    let mut x = r.values().to_vec();
    for row in x.chunks_mut(n) {
        for (v, mj) in row.iter_mut().zip(&m) {
            *v -= mj;
        }
    }
    (x, m)
}

/// `Σ_t w_t x_t x_tᵀ` for row-major `x` (`w_t = 1` when `weights` is `None`), lower triangle
/// mirrored.
fn weighted_gram(x: &[f64], n: usize, weights: Option<&[f64]>) -> Vec<f64> {
    let mut s = vec![0.0; n * n];
    for (t, row) in x.chunks(n).enumerate() {
        let wt = weights.map_or(1.0, |w| w[t]);
        for i in 0..n {
            let a = wt * row[i];
            let si = &mut s[i * n..i * n + i + 1];
            for (sij, xj) in si.iter_mut().zip(row) {
                *sij += a * xj;
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            s[j * n + i] = s[i * n + j];
        }
    }
    s
}

/// Sample covariance with Bessel's correction: `Σ = (1/(T−1)) Σ_t (r_t − r̄)(r_t − r̄)ᵀ`.
pub fn sample_covariance(returns: &Returns) -> Result<Covariance> {
    let n = returns.assets_len();
    let (x, _) = centered(returns);
    let mut s = weighted_gram(&x, n, None);
    let inv = 1.0 / (returns.periods() - 1) as f64;
    s.iter_mut().for_each(|v| *v *= inv);
    Covariance::new(n, s)
}

/// Ledoit-Wolf shrinkage towards a scaled identity (Ledoit & Wolf 2004, "A well-conditioned
/// estimator for large-dimensional covariance matrices"):
///
/// ```text
/// S = XᵀX/T (X centred),  μ = tr(S)/n,
/// δ² = ‖S − μI‖²_F / n,   β̄² = (1/(nT²)) Σ_t ‖x_t x_tᵀ − S‖²_F,   β² = min(β̄², δ²),
/// Σ = (1 − s) S + s μ I   with   s = β²/δ²
/// ```
///
/// This is the estimator of scikit-learn's `ledoit_wolf` (which uses the `1/T` sample
/// covariance); the test suite checks it against scikit-learn's numbers. Returns the matrix and
/// the shrinkage `s ∈ [0, 1]`.
pub fn ledoit_wolf(returns: &Returns) -> Result<(Covariance, f64)> {
    let n = returns.assets_len();
    let t = returns.periods() as f64;
    let (x, _) = centered(returns);
    let mut s = weighted_gram(&x, n, None);
    s.iter_mut().for_each(|v| *v /= t);
    let x2: Vec<f64> = x.iter().map(|v| v * v).collect();
    let g2 = weighted_gram(&x2, n, None); // Σ_t x_ti² x_tj²
    let mu = (0..n).map(|i| s[i * n + i]).sum::<f64>() / n as f64;
    // ‖S‖²_F and Σ_t ‖x_t‖⁴ / T² (= Σ_ij g2_ij / T²).
    let delta_raw: f64 = s.iter().map(|v| v * v).sum();
    let beta_raw: f64 = g2.iter().sum::<f64>() / (t * t);
    let beta_bar = (beta_raw - delta_raw / t) / n as f64 * 1.0;
    let trace: f64 = (0..n).map(|i| s[i * n + i]).sum();
    let delta = (delta_raw - 2.0 * mu * trace + n as f64 * mu * mu) / n as f64;
    let beta = beta_bar.min(delta);
    let shrinkage = if beta <= 0.0 || delta <= 0.0 {
        0.0
    } else {
        beta / delta
    };
    let mut out = s;
    out.iter_mut().for_each(|v| *v *= 1.0 - shrinkage);
    for i in 0..n {
        out[i * n + i] += shrinkage * mu;
    }
    Ok((Covariance::new(n, out)?, shrinkage))
}

/// Exponentially weighted covariance with half-life `h` periods: weights
/// `w_t ∝ λ^{T−1−t}`, `λ = 2^{−1/h}`, normalised to sum to one; the mean is the weighted mean
/// and the bias correction is the one for reliability weights,
///
/// ```text
/// Σ = Σ_t w_t (r_t − r̄_w)(r_t − r̄_w)ᵀ / (1 − Σ_t w_t²)
/// ```
///
/// (pandas' `ewm(halflife=h).cov()` with `adjust=True, bias=False`, read at the last date). As
/// `h → ∞` this is the sample covariance with ddof = 1.
pub fn ewma_covariance(returns: &Returns, half_life: f64) -> Result<Covariance> {
    positive("ewma_covariance", "half_life", half_life)?;
    let n = returns.assets_len();
    let periods = returns.periods();
    let lambda = 0.5f64.powf(1.0 / half_life);
    let mut w: Vec<f64> = (0..periods)
        .map(|t| lambda.powi((periods - 1 - t) as i32))
        .collect();
    let total: f64 = w.iter().sum();
    w.iter_mut().for_each(|v| *v /= total);
    let mut m = vec![0.0; n];
    for (t, row) in returns.values().chunks(n).enumerate() {
        for (mj, r) in m.iter_mut().zip(row) {
            *mj += w[t] * r;
        }
    }
    let mut x = returns.values().to_vec();
    for row in x.chunks_mut(n) {
        for (v, mj) in row.iter_mut().zip(&m) {
            *v -= mj;
        }
    }
    let mut s = weighted_gram(&x, n, Some(&w));
    let correction = 1.0 - w.iter().map(|v| v * v).sum::<f64>();
    s.iter_mut().for_each(|v| *v /= correction);
    Covariance::new(n, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::RiskModel;

    fn table() -> Returns {
        let values = vec![
            0.01, -0.02, 0.005, 0.03, 0.01, -0.01, -0.02, 0.00, 0.02, 0.015, -0.01, 0.0, 0.0, 0.02,
            -0.005,
        ];
        let dates = (0..5).map(|i| format!("d{i}")).collect();
        Returns::new(dates, vec!["a".into(), "b".into(), "c".into()], values).unwrap()
    }

    #[test]
    fn sample_covariance_matches_the_definition() {
        let r = table();
        let c = sample_covariance(&r).unwrap();
        let m = r.mean();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..5)
                    .map(|t| (r.row(t)[i] - m[i]) * (r.row(t)[j] - m[j]))
                    .sum::<f64>()
                    / 4.0;
                approx::assert_abs_diff_eq!(c.get(i, j), s, epsilon = 1e-18);
            }
        }
    }

    #[test]
    fn ewma_tends_to_sample_covariance_and_weights_recent_periods() {
        let r = table();
        let s = sample_covariance(&r).unwrap();
        let e = ewma_covariance(&r, 1e12).unwrap();
        for (a, b) in s.data().iter().zip(e.data()) {
            assert!(
                (a - b).abs() < 1e-12 * s.data()[0].abs().max(1e-4),
                "{a} {b}"
            );
        }
        // A tiny half-life puts almost all weight on the last two periods.
        let short = ewma_covariance(&r, 0.05).unwrap();
        let last = r.tail(2);
        let two = sample_covariance(&last).unwrap();
        assert!(
            (short.get(0, 0) - two.get(0, 0)).abs() < 1e-6,
            "{short:?} {two:?}"
        );
        assert!(ewma_covariance(&r, 0.0).is_err());
    }

    #[test]
    fn ledoit_wolf_is_between_sample_and_target() {
        let r = table();
        let (lw, s) = ledoit_wolf(&r).unwrap();
        assert!((0.0..=1.0).contains(&s));
        // Trace is preserved (with the 1/T sample covariance).
        let sc = sample_covariance(&r).unwrap();
        let tr_s: f64 = sc.diagonal().iter().sum::<f64>() * 4.0 / 5.0;
        let tr_lw: f64 = lw.diagonal().iter().sum();
        approx::assert_abs_diff_eq!(tr_s, tr_lw, epsilon = 1e-15);
    }
}
