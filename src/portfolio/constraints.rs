//! [`Constraints`]: the feasible set of a portfolio and its exact Euclidean projection.

use crate::error::{Error, Result};
use crate::optim::Projection;

/// A feasible set
///
/// ```text
/// C = { w : lo ≤ w ≤ hi,  [1ᵀw = 1],  [μᵀw = r] }
/// ```
///
/// with per-asset bounds (either may be infinite), an optional budget (fully invested) and an
/// optional target return. Its Euclidean projection is exact:
///
/// - box only: clipping;
/// - budget and box (the simplex for `lo = 0, hi = ∞`, the capped simplex for finite caps):
///   `P(y) = clip(y − τ, lo, hi)` where `τ` solves `Σ clip(y_i − τ, lo_i, hi_i) = 1`, a
///   non-increasing piecewise-linear equation solved exactly by sorting its `2n` breakpoints
///   (`O(n log n)`);
/// - with a target return: `P(y) = P_B(y − λμ)` where `P_B` is the projection above and `λ`
///   solves `μᵀP_B(y − λμ) = r` (a non-increasing piecewise-linear function of `λ`, the
///   derivative of the concave dual): bisection down to one linear piece, then exact linear
///   interpolation.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraints {
    pub(super) lower: Vec<f64>,
    pub(super) upper: Vec<f64>,
    pub(super) budget: bool,
    /// The budget's right-hand side: 1 for portfolios, 0 for tangent cones.
    pub(super) total: f64,
    pub(super) target: Option<(Vec<f64>, f64)>,
}

impl Constraints {
    /// Fully invested, no bounds: `1ᵀw = 1` (short positions allowed).
    pub fn fully_invested(n: usize) -> Self {
        Self {
            lower: vec![f64::NEG_INFINITY; n],
            upper: vec![f64::INFINITY; n],
            budget: true,
            total: 1.0,
            target: None,
        }
    }

    /// Fully invested and long-only: the probability simplex.
    pub fn long_only(n: usize) -> Self {
        Self {
            lower: vec![0.0; n],
            upper: vec![f64::INFINITY; n],
            budget: true,
            total: 1.0,
            target: None,
        }
    }

    /// Fully invested with per-asset bounds `lo ≤ w ≤ hi` (use infinities for one-sided
    /// bounds). Errors when a bound is NaN, `lo_i > hi_i`, or `Σ lo > 1` / `Σ hi < 1` (empty set).
    pub fn bounded(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self> {
        if lower.len() != upper.len() {
            return Err(Error::DimensionMismatch {
                component: "constraints",
                what: "upper bounds",
                expected: lower.len(),
                got: upper.len(),
            });
        }
        for (i, (l, h)) in lower.iter().zip(&upper).enumerate() {
            if l.is_nan() || h.is_nan() || l > h || *l == f64::INFINITY || *h == f64::NEG_INFINITY {
                return Err(Error::InvalidConfig {
                    component: "constraints",
                    message: format!("asset {i}: bounds [{l}, {h}] are not an interval"),
                });
            }
        }
        let lo: f64 = lower.iter().sum();
        let hi: f64 = upper.iter().sum();
        if lo > 1.0 || hi < 1.0 {
            return Err(Error::InvalidConfig {
                component: "constraints",
                message: format!(
                    "no fully invested portfolio fits the bounds: Σlo = {lo}, Σhi = {hi}"
                ),
            });
        }
        Ok(Self {
            lower,
            upper,
            budget: true,
            total: 1.0,
            target: None,
        })
    }

    /// Adds the target-return constraint `μᵀw = r`. Errors when `μ` has the wrong length or a
    /// non-finite entry, or `r` lies outside the range of `μᵀw` over the set.
    pub fn with_target_return(mut self, mean: Vec<f64>, r: f64) -> Result<Self> {
        if mean.len() != self.dim() {
            return Err(Error::DimensionMismatch {
                component: "constraints",
                what: "expected returns",
                expected: self.dim(),
                got: mean.len(),
            });
        }
        if let Some(i) = mean.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "constraints",
                what: "expected return",
                index: i,
                value: mean[i],
            });
        }
        self.target = None;
        let (lo, hi) = self.return_range(&mean);
        if !(r >= lo && r <= hi) {
            return Err(Error::InvalidConfig {
                component: "constraints",
                message: format!(
                    "target return {r:e} outside the attainable range [{lo:e}, {hi:e}]"
                ),
            });
        }
        self.target = Some((mean, r));
        Ok(self)
    }

    /// Number of assets.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// Lower bounds.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// Upper bounds.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// Whether `1ᵀw = 1` is imposed.
    pub fn has_budget(&self) -> bool {
        self.budget
    }

    /// The target-return constraint `(μ, r)`, if any.
    pub fn target_return(&self) -> Option<(&[f64], f64)> {
        self.target.as_ref().map(|(m, r)| (m.as_slice(), *r))
    }

    /// The equality constraints as rows `(a, b)` of `aᵀw = b`: the budget, then the target.
    pub fn equalities(&self) -> Vec<(Vec<f64>, f64)> {
        let mut rows = Vec::new();
        if self.budget {
            rows.push((vec![1.0; self.dim()], self.total));
        }
        if let Some((m, r)) = &self.target {
            rows.push((m.clone(), *r));
        }
        rows
    }

    /// Projects `v` onto the tangent cone of the set at `w ∈ C`:
    ///
    /// ```text
    /// T_C(w) = { d : 1ᵀd = 0 [budget], μᵀd = 0 [target], d_i ≥ 0 where w_i = lo_i, d_i ≤ 0 where w_i = hi_i }
    /// ```
    ///
    /// the same kind of set (a box with a zero budget), so the same exact projection applies.
    /// `−P_{T_C(w)}(−∇f)` is the projected gradient: zero exactly at the constrained optima.
    pub fn project_onto_tangent_cone(&self, w: &[f64], v: &mut [f64]) {
        let n = self.dim();
        if w.len() != n || v.len() != n {
            v.iter_mut().for_each(|x| *x = f64::NAN);
            return;
        }
        let mut lower = vec![f64::NEG_INFINITY; n];
        let mut upper = vec![f64::INFINITY; n];
        for i in 0..n {
            if w[i] <= self.lower[i] {
                lower[i] = 0.0;
            }
            if w[i] >= self.upper[i] {
                upper[i] = 0.0;
            }
        }
        let cone = Constraints {
            lower,
            upper,
            budget: self.budget,
            total: 0.0,
            target: self.target.as_ref().map(|(m, _)| (m.clone(), 0.0)),
        };
        cone.project(v);
    }

    /// `[min, max]` of `cᵀw` over the budget-and-box set (ignoring any target), by the greedy
    /// fractional-knapsack rule; infinite when unbounded.
    pub fn return_range(&self, c: &[f64]) -> (f64, f64) {
        let neg: Vec<f64> = c.iter().map(|v| -v).collect();
        (self.min_linear(c), -self.min_linear(&neg))
    }

    /// `min cᵀw` over the budget-and-box set.
    fn min_linear(&self, c: &[f64]) -> f64 {
        let n = self.dim();
        let term = |a: f64, b: f64| if a == 0.0 { 0.0 } else { a * b };
        if !self.budget {
            return (0..n)
                .map(|i| term(c[i], self.lower[i]).min(term(c[i], self.upper[i])))
                .sum();
        }
        if self.lower.iter().any(|l| l.is_infinite()) {
            // Short one asset without limit against another: unbounded unless c is constant.
            let constant = c.iter().all(|v| *v == c[0]);
            return if constant { c[0] } else { f64::NEG_INFINITY };
        }
        // Every asset at its lower bound, then fill the budget cheapest-first.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
        let mut left = self.total - self.lower.iter().sum::<f64>();
        let mut value: f64 = (0..n).map(|i| c[i] * self.lower[i]).sum();
        for &i in &order {
            if left <= 0.0 {
                break;
            }
            let take = (self.upper[i] - self.lower[i]).min(left);
            value += c[i] * take;
            left -= take;
        }
        value
    }

    /// Exact projection onto `{lo ≤ w ≤ hi, 1ᵀw = 1}` (or the box alone without a budget).
    pub(super) fn project_budget_box(&self, y: &mut [f64]) {
        if !self.budget {
            for ((v, l), h) in y.iter_mut().zip(&self.lower).zip(&self.upper) {
                *v = v.clamp(*l, *h);
            }
            return;
        }
        let tau = self.budget_shift(y);
        for ((v, l), h) in y.iter_mut().zip(&self.lower).zip(&self.upper) {
            *v = (*v - tau).clamp(*l, *h);
        }
    }

    /// The `τ` with `Σ clip(y_i − τ, lo_i, hi_i) = total`.
    fn budget_shift(&self, y: &[f64]) -> f64 {
        if self.upper.iter().all(|u| *u == f64::INFINITY) {
            return self.budget_shift_lower_only(y);
        }
        self.budget_shift_sorted(y)
    }

    /// Condat's (2016) algorithm for lower bounds only (the simplex, shifted), in `O(n)`
    /// observed time without sorting. With `z_i = y_i − lo_i` for bounded coordinates and the
    /// unbounded ones always active, the root is `τ = (Σ_{active} z + Σ_{free} y − a)/#`, with
    /// `a = total − Σ_bounded lo`. One pass builds a candidate active set (restarting it when a
    /// single new element beats it), a second adds back discarded elements above `τ`, and a
    /// cleanup removes elements at or below `τ` until none is left.
    fn budget_shift_lower_only(&self, y: &[f64]) -> f64 {
        let n = y.len();
        let mut sum = -self.total;
        let mut free = 0usize;
        for (yi, lo) in y.iter().zip(&self.lower) {
            if *lo == f64::NEG_INFINITY {
                sum += yi;
                free += 1;
            } else {
                sum += lo;
            }
        }
        let base = sum; // Σ_free y + Σ_bounded lo − total
        let bounded = (0..n).filter(|&i| self.lower[i] != f64::NEG_INFINITY);
        let mut v: Vec<f64> = Vec::with_capacity(n);
        let mut rest: Vec<f64> = Vec::new();
        let (mut sum, mut count) = (base, free);
        let mut rho = if free > 0 {
            base / free as f64
        } else {
            f64::NEG_INFINITY
        };
        for i in bounded {
            let z = y[i] - self.lower[i];
            if z <= rho {
                continue;
            }
            let alone = (base + z) / (free + 1) as f64;
            let grown = (sum + z) / (count + 1) as f64;
            if alone >= grown {
                rest.append(&mut v);
                v.push(z);
                sum = base + z;
                count = free + 1;
                rho = alone;
            } else {
                v.push(z);
                sum += z;
                count += 1;
                rho = grown;
            }
        }
        for z in rest {
            if z > rho {
                v.push(z);
                sum += z;
                count += 1;
                rho = sum / count as f64;
            }
        }
        loop {
            let before = v.len();
            v.retain(|&z| {
                if z <= rho {
                    sum -= z;
                    count -= 1;
                    rho = if count > 0 {
                        sum / count as f64
                    } else {
                        f64::NEG_INFINITY
                    };
                    false
                } else {
                    true
                }
            });
            if v.len() == before {
                break;
            }
        }
        if count == 0 {
            // Not reachable for a feasible set; the sorted solver handles anything.
            return self.budget_shift_sorted(y);
        }
        rho
    }

    /// The general case, by sorting the `2n` breakpoints.
    fn budget_shift_sorted(&self, y: &[f64]) -> f64 {
        let n = y.len();
        // h(τ) = Σ clip(y_i − τ, lo_i, hi_i) is non-increasing; coordinate i is free (slope −1)
        // for τ in (y_i − hi_i, y_i − lo_i).
        let mut points: Vec<(f64, i32)> = Vec::with_capacity(2 * n);
        let mut slope_left = 0i32; // slope of h left of every finite breakpoint (negated count)
        for ((yi, hi), lo) in y.iter().zip(&self.upper).zip(&self.lower) {
            let (a, b) = (yi - hi, yi - lo);
            if a.is_finite() {
                points.push((a, 1)); // becomes free: −1 more slope (stored as +1 free count)
            } else {
                slope_left += 1;
            }
            if b.is_finite() {
                points.push((b, -1));
            }
        }
        let h = |tau: f64| -> f64 {
            (0..n)
                .map(|i| (y[i] - tau).clamp(self.lower[i], self.upper[i]))
                .sum()
        };
        if points.is_empty() {
            // No finite bounds at all: a plain shift.
            return (y.iter().sum::<f64>() - self.total) / n as f64;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut free = slope_left;
        let mut tau = points[0].0;
        let mut value = h(tau);
        if value < self.total {
            // Left of every breakpoint: h(τ) = value + free·(tau − τ).
            return tau - (self.total - value) / free.max(1) as f64;
        }
        let mut k = 0;
        while k < points.len() {
            // Apply every breakpoint at this τ.
            while k < points.len() && points[k].0 == tau {
                free += points[k].1;
                k += 1;
            }
            let next = if k < points.len() {
                points[k].0
            } else {
                f64::INFINITY
            };
            let at_next = if next.is_finite() {
                value - free as f64 * (next - tau)
            } else {
                f64::NEG_INFINITY
            };
            if at_next <= self.total {
                if free == 0 {
                    return tau;
                }
                return tau + (value - self.total) / free as f64;
            }
            tau = next;
            value = at_next;
        }
        tau
    }
}

#[cfg(test)]
#[path = "constraints_tests.rs"]
mod tests;
