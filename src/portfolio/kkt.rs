//! [`Certificate`]: the KKT conditions of a mean-variance solution, measured.

use super::MeanVariance;
use crate::optim::Projection;

/// How far `w` is from satisfying the KKT conditions of
/// `min f(w)  s.t.  Aw = b, lo ≤ w ≤ hi` (rows of `A`: the budget, the target return).
///
/// With `g = ∇f(w)`, multipliers `ν` fitted by least squares on the support
/// `S = {i : lo_i + τ < w_i < hi_i − τ}` (where that leaves them undetermined — one asset held
/// under a budget and a target return — the ones that best meet the sign conditions) and
/// reduced costs `d = g + Aᵀν` (group limits within [`super::GROUP_TOLERANCE`] of `w`'s group
/// total count as rows of `A`, their multipliers signed: `≥ 0` at an upper limit, `≤ 0` at a
/// lower one; an active turnover or leverage limit `Σ|w − a| ≤ T` is the row `sign(w − a)`
/// with a multiplier `κ ≥ 0`, and at its kinks `w_i = a_i`, left out of `S`, stationarity is
/// `|d_i| ≤ κ`, the sign conditions get `κ` of slack):
///
/// - primal infeasibility: `max(‖Aw − b‖∞, max bound or group-limit violation)`;
/// - stationarity on the support: `max_{i∈S} |d_i|`;
/// - sign conditions off the support: `d_i ≥ 0` at a lower bound, `d_i ≤ 0` at an upper
///   bound; the worst violation;
/// - duality gap: `Σ z_lo (w − lo) + Σ z_hi (hi − w) + |νᵀ(Aw − b)|` with `z_lo = d⁺`,
///   `z_hi = d⁻` off the support (zero where the bound is infinite): `f(w)` minus the Wolfe dual
///   value at these multipliers when stationarity holds;
/// - the gradient mapping `‖w − P_C(w − g/s)‖₂` of the scaled loss (no thresholds at all).
///
/// Stationarity and sign violations are relative to `max(‖g‖∞, ‖ν‖∞)`; the gap is also given
/// relative to `|f(w)|`.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    /// `f(w)` in the data's units.
    pub objective: f64,
    /// Worst equality residual or bound violation.
    pub primal_infeasibility: f64,
    /// Worst relative reduced cost on the support.
    pub stationarity: f64,
    /// Worst relative wrong-signed reduced cost off the support.
    pub sign_violation: f64,
    /// Complementarity duality gap, in the objective's units.
    pub duality_gap: f64,
    /// `duality_gap / |f(w)|`.
    pub relative_gap: f64,
    /// `‖w − P_C(w − ∇f/s)‖₂`.
    pub gradient_mapping: f64,
    /// Equality multipliers `ν` (budget, then target return).
    pub multipliers: Vec<f64>,
    /// Size of the support.
    pub support: usize,
}

/// Threshold `τ` separating the support from assets at a bound.
pub const SUPPORT_TOLERANCE: f64 = 1e-10;

impl Certificate {
    /// Measures the KKT conditions of `problem` at `w`. Errors when `w` has the wrong length.
    pub fn of(problem: &MeanVariance, w: &[f64]) -> crate::error::Result<Self> {
        let c = problem.constraints();
        let (lo, hi) = (c.lower(), c.upper());
        let g = problem.gradient(w)?;
        // The equalities, then the group limits active at w (as equalities whose multipliers
        // must have the limit's sign).
        let mut groups = c.active_group_rows(w);
        // An active turnover/leverage limit: one more signed row (last), and its kinks.
        groups.extend(c.active_l1_row(w));
        let kink = c.l1_kinks(w);
        let mut eq = c.equalities();
        let m_eq = eq.len();
        eq.extend(groups.iter().map(|(a, b, _)| (a.clone(), *b)));
        let n = w.len();
        let support: Vec<usize> = (0..n)
            .filter(|&i| {
                w[i] > lo[i] + SUPPORT_TOLERANCE && w[i] < hi[i] - SUPPORT_TOLERANCE && !kink[i]
            })
            .collect();
        // Least squares for ν on the support: (A_S A_Sᵀ) ν = −A_S g_S.
        let m = eq.len();
        let mut gram = vec![0.0; m * m];
        let mut rhs = vec![0.0; m];
        for (a, (ra, _)) in eq.iter().enumerate() {
            rhs[a] = -support.iter().map(|&i| ra[i] * g[i]).sum::<f64>();
            for (b, (rb, _)) in eq.iter().enumerate() {
                gram[a * m + b] = support.iter().map(|&i| ra[i] * rb[i]).sum();
            }
        }
        let in_support = {
            let mut s = vec![false; n];
            support.iter().for_each(|&i| s[i] = true);
            s
        };
        let at_lower: Vec<bool> = (0..n)
            .map(|i| (w[i] - lo[i]).abs() <= (hi[i] - w[i]).abs())
            .collect();
        let nu = resolve_multipliers(
            &gram,
            solve_small(&gram, &rhs, m),
            &eq,
            &g,
            &in_support,
            &at_lower,
        );
        let d: Vec<f64> = (0..n)
            .map(|i| g[i] + eq.iter().zip(&nu).map(|((r, _), v)| r[i] * v).sum::<f64>())
            .collect();
        let gscale = g
            .iter()
            .chain(&nu)
            .fold(0.0f64, |a, v| a.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        let mut stationarity: f64 = 0.0;
        let mut sign: f64 = 0.0;
        let mut gap = 0.0;
        // At a kink of Σ|w − a| the subgradient spans [−κ, κ]: stationarity inside the box is
        // |d_i| ≤ κ, and at a bound the sign condition gets κ of slack.
        let kappa = if kink.iter().any(|&k| k) {
            nu.last().copied().unwrap_or(0.0).max(0.0)
        } else {
            0.0
        };
        for i in 0..n {
            if in_support[i] {
                stationarity = stationarity.max(d[i].abs());
                continue;
            }
            if kink[i] {
                if w[i] > lo[i] + SUPPORT_TOLERANCE && w[i] < hi[i] - SUPPORT_TOLERANCE {
                    stationarity = stationarity.max(d[i].abs() - kappa);
                } else if at_lower[i] {
                    sign = sign.max(-d[i] - kappa);
                } else {
                    sign = sign.max(d[i] - kappa);
                }
                continue;
            }
            if at_lower[i] {
                sign = sign.max(-d[i]);
                if d[i] > 0.0 {
                    gap += d[i] * (w[i] - lo[i]);
                }
            } else {
                sign = sign.max(d[i]);
                if d[i] < 0.0 {
                    gap += -d[i] * (hi[i] - w[i]);
                }
            }
        }
        for ((_, _, side), v) in groups.iter().zip(&nu[m_eq..]) {
            // At an upper limit ν ≥ 0, at a lower one ν ≤ 0.
            sign = sign.max(-side * v);
        }
        let mut infeas: f64 = c.group_violation(w);
        for (k, (r, b)) in eq.iter().enumerate() {
            let res = r.iter().zip(w).map(|(a, x)| a * x).sum::<f64>() - b;
            infeas = infeas.max(res.abs());
            gap += (nu[k] * res).abs();
        }
        for i in 0..n {
            infeas = infeas.max(lo[i] - w[i]).max(w[i] - hi[i]);
        }
        let objective = problem.objective(w)?;
        let scaled: Vec<f64> = g.iter().map(|v| v / problem.scale()).collect();
        Ok(Self {
            objective,
            primal_infeasibility: infeas,
            stationarity: stationarity / gscale,
            sign_violation: sign.max(0.0) / gscale,
            duality_gap: gap,
            relative_gap: gap / objective.abs().max(f64::MIN_POSITIVE),
            gradient_mapping: c.gradient_mapping_norm(w, &scaled),
            multipliers: nu,
            support: support.len(),
        })
    }

    /// The worst of the relative KKT residuals (infeasibility, stationarity, sign, relative
    /// gap): one number to compare against a tolerance.
    pub fn worst(&self) -> f64 {
        self.primal_infeasibility
            .max(self.stationarity)
            .max(self.sign_violation)
            .max(self.relative_gap)
    }
}

/// Stationarity fixes the equality multipliers only up to the null space of the support's
/// rows: with the budget and a target return (m = 2) and a Gram matrix of rank 1 (one asset
/// held, or held assets with equal returns) they are `ν₀ + t z` for every `t`, with
/// `A_Sᵀ z = 0`. The KKT conditions hold if *some* `t` meets the sign conditions off the
/// support, so this picks the `t` nearest 0 that does, or, when none does, the `t` with the
/// smallest worst violation (golden-section search on that convex function). Full-rank cases
/// return `ν₀` unchanged.
fn resolve_multipliers(
    gram: &[f64],
    nu: Vec<f64>,
    eq: &[(Vec<f64>, f64)],
    g: &[f64],
    in_support: &[bool],
    at_lower: &[bool],
) -> Vec<f64> {
    if nu.len() != 2 {
        return nu;
    }
    let (g00, g01, g11) = (gram[0], gram[1], gram[3]);
    let det = g00 * g11 - g01 * g01;
    if g00 + g11 <= 0.0 || det > 1e-12 * g00 * g11 {
        return nu;
    }
    let z = if g00.abs() >= g11.abs() {
        [-g01, g00]
    } else {
        [g11, -g01]
    };
    let zn = (z[0] * z[0] + z[1] * z[1]).sqrt();
    let z = [z[0] / zn, z[1] / zn];
    let (r0, r1) = (&eq[0].0, &eq[1].0);
    // Off the support: need b_i + t a_i ≥ 0 (signed reduced cost along t).
    let lines: Vec<(f64, f64)> = (0..g.len())
        .filter(|&i| !in_support[i])
        .map(|i| {
            let sigma = if at_lower[i] { 1.0 } else { -1.0 };
            let d = g[i] + r0[i] * nu[0] + r1[i] * nu[1];
            let c = r0[i] * z[0] + r1[i] * z[1];
            (sigma * c, sigma * d)
        })
        .collect();
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    for &(a, b) in &lines {
        if a > 0.0 {
            lo = lo.max(-b / a);
        } else if a < 0.0 {
            hi = hi.min(-b / a);
        }
    }
    let t = if lo <= hi {
        0.0f64.clamp(lo, hi)
    } else {
        let violation = |t: f64| lines.iter().fold(0.0f64, |v, &(a, b)| v.max(-(b + t * a)));
        let (mut x0, mut x1) = (hi, lo);
        let r = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..200 {
            let (m0, m1) = (x1 - r * (x1 - x0), x0 + r * (x1 - x0));
            if violation(m0) <= violation(m1) {
                x1 = m1;
            } else {
                x0 = m0;
            }
        }
        0.5 * (x0 + x1)
    };
    vec![nu[0] + t * z[0], nu[1] + t * z[1]]
}

/// Solves the `m × m` (m ≤ 2 in practice) system by Gaussian elimination with partial pivoting;
/// a singular system gets zeros for the undetermined unknowns.
pub(crate) fn solve_small(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    let scale = a
        .iter()
        .fold(0.0f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    let mut pivots = vec![usize::MAX; m];
    let mut row_used = vec![false; m];
    for col in 0..m {
        let Some(p) = (0..m)
            .filter(|&r| !row_used[r])
            .max_by(|&x, &y| a[x * m + col].abs().total_cmp(&a[y * m + col].abs()))
        else {
            break;
        };
        if a[p * m + col].abs() <= 1e-13 * scale {
            continue;
        }
        row_used[p] = true;
        pivots[col] = p;
        for r in 0..m {
            if r != p {
                let f = a[r * m + col] / a[p * m + col];
                for c in 0..m {
                    a[r * m + c] -= f * a[p * m + c];
                }
                b[r] -= f * b[p];
            }
        }
    }
    (0..m)
        .map(|col| match pivots[col] {
            usize::MAX => 0.0,
            p => b[p] / a[p * m + col],
        })
        .collect()
}
