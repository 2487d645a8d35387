//! The budget shift of the simplex and capped-simplex projections: the `τ` with
//! `Σ clip(y_i − τ, lo_i, hi_i) = 1`, by Condat's algorithm (lower bounds only) or by sorting
//! the breakpoints (finite caps). [`Constraints`] projects with it.

use super::Constraints;

impl Constraints {
    /// The `τ` with `Σ clip(y_i − τ, lo_i, hi_i) = total`.
    pub(super) fn budget_shift(&self, y: &[f64]) -> f64 {
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
    pub(super) fn budget_shift_lower_only(&self, y: &[f64]) -> f64 {
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
    pub(super) fn budget_shift_sorted(&self, y: &[f64]) -> f64 {
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
