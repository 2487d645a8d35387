//! [`Constraints`] as a [`Projection`]: its name, the exact projection, the tangent cone and
//! the gradient mapping used by the projected rules.

use super::Constraints;
use crate::optim::Projection;

impl Projection for Constraints {
    fn name(&self) -> String {
        let long_only =
            self.lower.iter().all(|&l| l == 0.0) && self.upper.iter().all(|u| u.is_infinite());
        let mut s = match (self.budget, long_only) {
            (true, true) => "long-only simplex".to_string(),
            (true, false)
                if self.lower.iter().all(|l| l.is_infinite())
                    && self.upper.iter().all(|u| u.is_infinite()) =>
            {
                "budget hyperplane".to_string()
            }
            (true, false) => "capped simplex".to_string(),
            (false, _) => "box".to_string(),
        };
        if self.target.is_some() {
            s.push_str(" + target return");
        }
        if !self.groups.is_empty() {
            s.push_str(&format!(" + {} group limits", self.groups.len()));
        }
        match self.l1.as_ref().map(|l| l.kind) {
            Some(super::L1Kind::Turnover) => s.push_str(" + turnover limit"),
            Some(super::L1Kind::Leverage) => s.push_str(" + leverage limit"),
            None => {}
        }
        s
    }

    /// A vector of the wrong length cannot be projected: it is filled with NaN, which the
    /// optimizer and runner report as a non-finite parameter instead of panicking.
    fn project(&self, x: &mut [f64]) {
        if x.len() != self.dim() {
            x.iter_mut().for_each(|v| *v = f64::NAN);
            return;
        }
        if let Some(l1) = &self.l1 {
            self.project_l1(l1, x);
            return;
        }
        let Some((mean, r)) = &self.target else {
            self.project_budget_box(x);
            return;
        };
        let y = x.to_vec();
        let mut w = vec![0.0; y.len()];
        let at = |lambda: f64, w: &mut [f64]| -> f64 {
            for ((wi, yi), mi) in w.iter_mut().zip(&y).zip(mean) {
                *wi = yi - lambda * mi;
            }
            self.project_budget_box(w);
            w.iter().zip(mean).map(|(a, b)| a * b).sum::<f64>()
        };
        // g(λ) = μᵀw(λ) is non-increasing.
        let scale = mean
            .iter()
            .map(|m| m * m)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let step = (1.0 + y.iter().map(|v| v.abs()).sum::<f64>()) / scale.sqrt();
        let lambda = decreasing_root(|l| at(l, &mut w), *r, step);
        at(lambda, &mut w);
        x.copy_from_slice(&w);
    }
}

/// The root of `g(λ) = r` for a continuous, non-increasing, piecewise-linear `g`: brackets it
/// from 0 by doubling steps (starting at `step`), bisects until the bracket sits on one linear
/// piece (or 200 halvings), then interpolates, which is exact on that piece (checked: an
/// interpolated point that misses the root sends the bisection on).
pub(super) fn decreasing_root(mut at: impl FnMut(f64) -> f64, r: f64, step: f64) -> f64 {
    let mut step = step;
    let (mut lo, mut hi) = (0.0, 0.0);
    let g0 = at(0.0);
    if g0 > r {
        hi = step;
        while at(hi) > r && hi.is_finite() {
            lo = hi;
            step *= 2.0;
            hi += step;
        }
    } else if g0 < r {
        lo = -step;
        while at(lo) < r && lo.is_finite() {
            hi = lo;
            step *= 2.0;
            lo -= step;
        }
    } else {
        return 0.0;
    }
    let (mut glo, mut ghi) = (at(lo), at(hi));
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let gm = at(mid);
        // On a linear piece the midpoint value is the average of the ends.
        let linear = (gm - 0.5 * (glo + ghi)).abs() <= 1e-15 * (glo.abs() + ghi.abs() + r.abs());
        if gm > r {
            lo = mid;
            glo = gm;
        } else {
            hi = mid;
            ghi = gm;
        }
        if linear && (glo - ghi).abs() > 0.0 {
            // The midpoint test can be fooled by kinks that balance (a flat piece halfway
            // between two drops): accept the interpolated root only if it is one.
            let x = lo + (glo - r) * (hi - lo) / (glo - ghi);
            if (at(x) - r).abs() <= 1e-12 * (glo.abs() + ghi.abs() + r.abs()) {
                return x;
            }
        }
    }
    if glo == ghi {
        0.5 * (lo + hi)
    } else {
        lo + (glo - r) * (hi - lo) / (glo - ghi)
    }
}
