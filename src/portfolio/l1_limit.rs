//! [`L1Limit`]: a limit on `Σ|w_i − a_i|`, the turnover against current holdings `a` or the
//! gross leverage (`a = 0`), with its exact projection and its row in the KKT certificate.

use super::constraints_projection::decreasing_root;
use super::Constraints;
use crate::error::{Error, Result};

/// What an [`L1Limit`] bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L1Kind {
    /// One-way-and-back turnover `Σ|w_i − h_i|` against current holdings `h`.
    Turnover,
    /// Gross leverage `Σ|w_i|` (long plus short exposure).
    Leverage,
}

/// `Σ_i |w_i − a_i| ≤ limit` over the fully invested, boxed set ([`Constraints::with_turnover_limit`],
/// [`Constraints::with_leverage_limit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct L1Limit {
    /// The anchor `a`: current holdings for turnover, zero for leverage.
    pub anchor: Vec<f64>,
    /// The limit.
    pub limit: f64,
    /// Turnover or leverage.
    pub kind: L1Kind,
}

impl L1Limit {
    /// `Σ|w_i − a_i|`.
    pub fn distance(&self, w: &[f64]) -> f64 {
        w.iter().zip(&self.anchor).map(|(x, a)| (x - a).abs()).sum()
    }
}

/// `argmin_w ½(w − v)² + κ|w − a|` on `[lo, hi]`: soft thresholding towards `a`, then clipping
/// (the clipped minimiser of a convex function of one variable).
fn shrink(v: f64, a: f64, kappa: f64, lo: f64, hi: f64) -> f64 {
    let d = v - a;
    (a + d.signum() * (d.abs() - kappa).max(0.0)).clamp(lo, hi)
}

impl Constraints {
    /// Adds a turnover limit `Σ|w_i − h_i| ≤ limit` against the current holdings `h`.
    ///
    /// The projection onto `{1ᵀw = 1, lo ≤ w ≤ hi, Σ|w − h| ≤ T}` is exact: if the budget-and-box
    /// projection already meets the limit it is the answer; otherwise, with `κ > 0` the limit's
    /// multiplier and `τ` the budget's, `w_i = clip(h_i + sign(u_i)·max(|u_i| − κ, 0), lo_i, hi_i)`
    /// with `u_i = y_i − τ − h_i`; `τ(κ)` solves the budget and `κ` the limit, each a root of a
    /// non-increasing piecewise-linear function (nested, as for the target return).
    ///
    /// Needs a budget; does not combine with a target return or group limits (an error says
    /// so). Errors when `h` has the wrong length or a non-finite entry, when `limit` is NaN or
    /// negative, or when no portfolio is within `limit` of `h` (the least distance is
    /// `Σ|clip(h) − h| + |1 − Σ clip(h)|`).
    pub fn with_turnover_limit(self, holdings: Vec<f64>, limit: f64) -> Result<Self> {
        self.with_l1(holdings, limit, L1Kind::Turnover)
    }

    /// Adds a gross-leverage limit `Σ|w_i| ≤ limit` (for long-short sets; `limit ≥ 1`, since
    /// the budget alone makes `Σ|w_i| ≥ 1`). The projection is the turnover one with `h = 0`.
    pub fn with_leverage_limit(self, limit: f64) -> Result<Self> {
        let n = self.dim();
        self.with_l1(vec![0.0; n], limit, L1Kind::Leverage)
    }

    fn with_l1(mut self, anchor: Vec<f64>, limit: f64, kind: L1Kind) -> Result<Self> {
        let component = match kind {
            L1Kind::Turnover => "turnover limit",
            L1Kind::Leverage => "leverage limit",
        };
        let invalid = |message: String| Error::InvalidConfig { component, message };
        if anchor.len() != self.dim() {
            return Err(Error::DimensionMismatch {
                component,
                what: "current holdings",
                expected: self.dim(),
                got: anchor.len(),
            });
        }
        if let Some(i) = anchor.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component,
                what: "current holding",
                index: i,
                value: anchor[i],
            });
        }
        if limit.is_nan() || limit < 0.0 {
            return Err(invalid(format!("limit {limit} must be >= 0")));
        }
        if !self.budget || self.target.is_some() || !self.groups.is_empty() || self.l1.is_some() {
            return Err(invalid(
                "needs a fully invested set without a target return, group limits or another \
                 turnover/leverage limit"
                    .into(),
            ));
        }
        let clipped: Vec<f64> = (0..anchor.len())
            .map(|i| anchor[i].clamp(self.lower[i], self.upper[i]))
            .collect();
        let least = clipped
            .iter()
            .zip(&anchor)
            .map(|(c, a)| (c - a).abs())
            .sum::<f64>()
            + (self.total - clipped.iter().sum::<f64>()).abs();
        if limit < least * (1.0 - 1e-12) {
            return Err(invalid(format!(
                "limit {limit} is below the least distance {least} of any portfolio in the set"
            )));
        }
        self.l1 = Some(L1Limit {
            anchor,
            limit,
            kind,
        });
        Ok(self)
    }

    /// The turnover or leverage limit, if any.
    pub fn l1_limit(&self) -> Option<&L1Limit> {
        self.l1.as_ref()
    }

    /// The exact projection with the L1 limit (see [`Constraints::with_turnover_limit`]).
    pub(super) fn project_l1(&self, l1: &L1Limit, y: &mut [f64]) {
        let mut w = y.to_vec();
        self.project_budget_box(&mut w);
        if l1.distance(&w) <= l1.limit {
            y.copy_from_slice(&w);
            return;
        }
        let v = y.to_vec();
        let scale = 1.0 + v.iter().map(|x| x.abs()).fold(0.0, f64::max);
        // w(τ, κ), and the budget's shift τ(κ) for a given κ.
        let at = |tau: f64, kappa: f64, w: &mut [f64]| -> f64 {
            for i in 0..w.len() {
                w[i] = shrink(
                    v[i] - tau,
                    l1.anchor[i],
                    kappa,
                    self.lower[i],
                    self.upper[i],
                );
            }
            w.iter().sum()
        };
        let solve = |kappa: f64, w: &mut [f64]| {
            let tau = decreasing_root(|t| at(t, kappa, w), self.total, scale);
            at(tau, kappa, w);
        };
        let kappa = decreasing_root(
            |k| {
                solve(k, &mut w);
                l1.distance(&w)
            },
            l1.limit,
            scale,
        )
        .max(0.0);
        solve(kappa, &mut w);

        y.copy_from_slice(&w);
    }

    /// The limit as a row `(s, T + sᵀa, 1)` of `sᵀw = b` when it is active at `w` (within
    /// [`super::GROUP_TOLERANCE`]), `s_i = sign(w_i − a_i)` off the anchor and 0 within
    /// [`super::SUPPORT_TOLERANCE`] of it; the multiplier must be `≥ 0`.
    pub(super) fn active_l1_row(&self, w: &[f64]) -> Option<(Vec<f64>, f64, f64)> {
        let l1 = self.l1.as_ref()?;
        if l1.distance(w) < l1.limit - super::GROUP_TOLERANCE {
            return None;
        }
        let s: Vec<f64> = w
            .iter()
            .zip(&l1.anchor)
            .map(|(x, a)| {
                if (x - a).abs() <= super::SUPPORT_TOLERANCE {
                    0.0
                } else {
                    (x - a).signum()
                }
            })
            .collect();
        let b = l1.limit + s.iter().zip(&l1.anchor).map(|(x, a)| x * a).sum::<f64>();
        Some((s, b, 1.0))
    }

    /// The assets held at their anchor while the limit is active at `w` (the kinks of
    /// `Σ|w − a|`, where stationarity is an interval condition).
    pub(super) fn l1_kinks(&self, w: &[f64]) -> Vec<bool> {
        match self.active_l1_row(w) {
            // The row's sign is 0 exactly at the kinks.
            Some((s, _, _)) => s.iter().map(|v| *v == 0.0).collect(),
            None => vec![false; w.len()],
        }
    }

    /// Whether the set has group limits or a turnover/leverage limit, which couple the assets
    /// beyond the equalities (the active-set method does not handle them).
    pub(super) fn has_coupling_limits(&self) -> bool {
        !self.groups.is_empty() || self.l1.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Projection;
    use rand::{Rng, SeedableRng};

    /// The projection is feasible, idempotent and satisfies the variational inequality
    /// `⟨y − P(y), z − P(y)⟩ ≤ 0` for feasible `z` (which characterises it).
    #[test]
    fn projection_is_exact() {
        let n = 12;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let holdings: Vec<f64> = (0..n).map(|i| if i < 4 { 0.25 } else { 0.0 }).collect();
        let sets = [
            Constraints::long_only(n)
                .with_turnover_limit(holdings, 0.4)
                .unwrap(),
            Constraints::bounded(vec![-0.3; n], vec![0.4; n])
                .unwrap()
                .with_leverage_limit(1.5)
                .unwrap(),
        ];
        for set in sets {
            let l1 = set.l1_limit().unwrap().clone();
            let mut feasible: Vec<Vec<f64>> = Vec::new();
            for trial in 0..200 {
                let y: Vec<f64> = (0..n).map(|_| 2.0 * rng.random::<f64>() - 0.8).collect();
                let mut p = y.clone();
                set.project(&mut p);
                assert!(
                    (p.iter().sum::<f64>() - 1.0).abs() < 1e-13,
                    "{trial}: sum {:e}, distance {:e}, {p:?}",
                    p.iter().sum::<f64>() - 1.0,
                    l1.distance(&p)
                );
                assert!(
                    l1.distance(&p) <= l1.limit + 1e-12,
                    "{trial}: distance {:e} over {}",
                    l1.distance(&p) - l1.limit,
                    l1.limit
                );
                assert!(p.iter().all(|x| *x >= set.lower()[0] - 1e-15));
                let mut again = p.clone();
                set.project(&mut again);
                let moved = again
                    .iter()
                    .zip(&p)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(moved < 1e-13, "not idempotent: {moved:e}");
                for z in &feasible {
                    let vi: f64 = (0..n).map(|i| (y[i] - p[i]) * (z[i] - p[i])).sum::<f64>();
                    assert!(vi <= 1e-12, "variational inequality {vi:e}");
                }
                feasible.push(p);
            }
        }
    }

    #[test]
    fn rejects_what_cannot_hold() {
        let n = 4;
        let e = Constraints::long_only(n)
            .with_turnover_limit(vec![0.5, 0.5, 0.5, 0.5], 0.5)
            .unwrap_err();
        assert!(e.to_string().contains("least distance 1"), "{e}");
        let e = Constraints::bounded(vec![-1.0; n], vec![1.0; n])
            .unwrap()
            .with_leverage_limit(0.9)
            .unwrap_err();
        assert!(e.to_string().contains("leverage limit"), "{e}");
        assert!(Constraints::long_only(n)
            .with_turnover_limit(vec![0.25; 3], 1.0)
            .is_err());
        assert!(Constraints::long_only(n)
            .with_turnover_limit(vec![f64::NAN, 0.0, 0.0, 1.0], 1.0)
            .is_err());
        let limited = Constraints::long_only(n).with_leverage_limit(1.0).unwrap();
        assert!(limited
            .clone()
            .with_target_return(vec![1.0, 2.0, 3.0, 4.0], 2.0)
            .is_err());
        assert!(limited.with_leverage_limit(2.0).is_err());
    }
}
