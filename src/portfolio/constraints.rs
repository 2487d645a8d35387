//! [`Constraints`]: the feasible set of a portfolio and its exact Euclidean projection.

use crate::error::{Error, Result};
use crate::optim::Projection;

/// A feasible set
///
/// ```text
/// C = { w : lo ≤ w ≤ hi,  [1ᵀw = 1],  [μᵀw = r] }
/// ```
///
/// with per-asset bounds (either may be infinite), an optional budget (fully invested), an
/// optional target return and optional limits on the total weight of disjoint groups
/// ([`Constraints::with_groups`]). Its Euclidean projection is exact:
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
    /// Disjoint groups with limits on their total weight ([`Constraints::with_groups`]).
    pub(super) groups: Vec<super::Group>,
    /// A turnover or gross-leverage limit ([`Constraints::with_turnover_limit`],
    /// [`Constraints::with_leverage_limit`]).
    pub(super) l1: Option<super::L1Limit>,
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
            groups: Vec::new(),
            l1: None,
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
            groups: Vec::new(),
            l1: None,
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
            groups: Vec::new(),
            l1: None,
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
        if self.l1.is_some() {
            return Err(Error::InvalidConfig {
                component: "constraints",
                message: "a target return does not combine with a turnover or leverage limit"
                    .into(),
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

    /// The homogenised set of the maximum-Sharpe problem ([`super::MaxSharpe`]): `y ≥ 0` and
    /// `eᵀy = 1` for the excess returns `e = μ − r_f`, with no budget. Its projection is the
    /// target-return one with clipping in place of the budget shift: `P(z) = max(z − λe, 0)`
    /// with `λ` solving `eᵀP(z) = 1`. Errors on a non-finite `e` or when no `e_i > 0` (no
    /// asset beats the risk-free rate: the set is empty).
    pub fn homogenised(excess: Vec<f64>) -> Result<Self> {
        if let Some(i) = excess.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "constraints",
                what: "excess return",
                index: i,
                value: excess[i],
            });
        }
        if !excess.iter().any(|e| *e > 0.0) {
            return Err(Error::InvalidConfig {
                component: "constraints",
                message: format!(
                    "no asset's expected return exceeds the risk-free rate (largest excess {:e})",
                    excess.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                ),
            });
        }
        let n = excess.len();
        Ok(Self {
            lower: vec![0.0; n],
            upper: vec![f64::INFINITY; n],
            budget: false,
            total: 1.0,
            target: Some((excess, 1.0)),
            groups: Vec::new(),
            l1: None,
        })
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
            groups: self.group_cone(w),
            l1: None,
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
        if !self.groups.is_empty() {
            self.project_groups(y);
            return;
        }
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
}

#[cfg(test)]
#[path = "constraints_tests.rs"]
mod tests;
