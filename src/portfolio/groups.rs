//! Group (sector) limits: `L_g ≤ Σ_{i∈g} w_i ≤ U_g` for disjoint groups of assets, their exact
//! projection, tangent cone and active rows.

use super::constraints_projection::decreasing_root;
use super::Constraints;
use crate::error::{Error, Result};

/// Assets whose total weight is limited, `lower ≤ Σ_{i ∈ members} w_i ≤ upper` (a sector
/// cap, say; either limit may be infinite).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// A name for messages and reports.
    pub name: String,
    /// Asset indices (distinct, each in at most one group).
    pub members: Vec<usize>,
    /// Lower limit of the group's total weight.
    pub lower: f64,
    /// Upper limit of the group's total weight.
    pub upper: f64,
}

/// A group total counts as at its limit within this distance.
pub const GROUP_TOLERANCE: f64 = 1e-10;

impl Group {
    /// `Σ_{i ∈ members} w_i`.
    pub fn total(&self, w: &[f64]) -> f64 {
        self.members.iter().map(|&i| w[i]).sum()
    }
}

impl Constraints {
    /// Adds limits on the total weight of disjoint groups of assets. The projection stays
    /// exact: for a budget shift `τ` each group takes `clip(y − τ − ν_g, lo, hi)` with its own
    /// shift `ν_g`, zero unless the group's clipped total leaves `[L_g, U_g]`, so the budget
    /// total is a non-increasing piecewise-linear function of `τ` (each group's total clamped
    /// to its limits), whose root is found as for the target return; each group's `ν_g` is
    /// then a budget shift of its own. Needs a budget (fully invested); combines with bounds
    /// and a target return. Errors on an index out of range, an asset in two groups, limits
    /// that are NaN or reversed, or limits that no portfolio meets.
    pub fn with_groups(mut self, groups: Vec<Group>) -> Result<Self> {
        let n = self.dim();
        let invalid = |message: String| Error::InvalidConfig {
            component: "group limits",
            message,
        };
        if !self.budget {
            return Err(invalid("group limits need a fully invested set".into()));
        }
        if self.l1.is_some() {
            return Err(invalid(
                "group limits do not combine with a turnover or leverage limit".into(),
            ));
        }
        let mut owner: Vec<Option<usize>> = vec![None; n];
        let (mut least, mut most) = (0.0, 0.0);
        for (k, g) in groups.iter().enumerate() {
            if g.lower.is_nan() || g.upper.is_nan() || g.lower > g.upper || g.members.is_empty() {
                return Err(invalid(format!(
                    "group {:?}: limits [{}, {}] over {} assets",
                    g.name,
                    g.lower,
                    g.upper,
                    g.members.len()
                )));
            }
            for &i in &g.members {
                match owner.get(i) {
                    None => {
                        return Err(invalid(format!(
                            "group {:?}: asset {i} of {n} does not exist",
                            g.name
                        )))
                    }
                    Some(Some(other)) => {
                        return Err(invalid(format!(
                            "asset {i} is in groups {:?} and {:?}",
                            groups[*other].name, g.name
                        )))
                    }
                    Some(None) => owner[i] = Some(k),
                }
            }
            let lo: f64 = g.members.iter().map(|&i| self.lower[i]).sum();
            let hi: f64 = g.members.iter().map(|&i| self.upper[i]).sum();
            let (a, b) = (lo.max(g.lower), hi.min(g.upper));
            if a > b {
                return Err(invalid(format!(
                    "group {:?}: limits [{}, {}] miss its assets' range [{lo}, {hi}]",
                    g.name, g.lower, g.upper
                )));
            }
            least += a;
            most += b;
        }
        for i in (0..n).filter(|&i| owner[i].is_none()) {
            least += self.lower[i];
            most += self.upper[i];
        }
        if least > self.total || most < self.total {
            return Err(invalid(format!(
                "no portfolio is fully invested within the limits: totals range over \
                 [{least}, {most}]"
            )));
        }
        self.groups = groups;
        Ok(self)
    }

    /// The group limits.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The groups at a limit at `w` as rows `(a, b, sign)` of `aᵀw = b`: `sign = 1` at the
    /// upper limit (its multiplier must be ≥ 0), `−1` at the lower one (≤ 0).
    pub(super) fn active_group_rows(&self, w: &[f64]) -> Vec<(Vec<f64>, f64, f64)> {
        let n = self.dim();
        let mut rows = Vec::new();
        for g in &self.groups {
            let t = g.total(w);
            let limit = if t >= g.upper - GROUP_TOLERANCE {
                Some((g.upper, 1.0))
            } else if t <= g.lower + GROUP_TOLERANCE {
                Some((g.lower, -1.0))
            } else {
                None
            };
            if let Some((b, sign)) = limit {
                let mut a = vec![0.0; n];
                g.members.iter().for_each(|&i| a[i] = 1.0);
                rows.push((a, b, sign));
            }
        }
        rows
    }

    /// The worst group-limit violation at `w` (0 when all hold).
    pub(super) fn group_violation(&self, w: &[f64]) -> f64 {
        self.groups.iter().fold(0.0f64, |v, g| {
            let t = g.total(w);
            v.max(t - g.upper).max(g.lower - t)
        })
    }

    /// The groups of the tangent cone at `w`: a group at its upper limit may not grow, one
    /// at its lower limit may not shrink, the others are free.
    pub(super) fn group_cone(&self, w: &[f64]) -> Vec<Group> {
        self.groups
            .iter()
            .map(|g| {
                let t = g.total(w);
                Group {
                    name: g.name.clone(),
                    members: g.members.clone(),
                    lower: if t <= g.lower + GROUP_TOLERANCE {
                        0.0
                    } else {
                        f64::NEG_INFINITY
                    },
                    upper: if t >= g.upper - GROUP_TOLERANCE {
                        0.0
                    } else {
                        f64::INFINITY
                    },
                }
            })
            .collect()
    }

    /// The exact projection onto `{lo ≤ w ≤ hi, 1ᵀw = total, L_g ≤ Σ_g w ≤ U_g}` (see
    /// [`Constraints::with_groups`]).
    pub(super) fn project_groups(&self, y: &mut [f64]) {
        let n = y.len();
        let mut grouped = vec![false; n];
        for g in &self.groups {
            g.members.iter().for_each(|&i| grouped[i] = true);
        }
        let clip = |i: usize, tau: f64| (y[i] - tau).clamp(self.lower[i], self.upper[i]);
        let total_at = |tau: f64| -> f64 {
            let free: f64 = (0..n).filter(|&i| !grouped[i]).map(|i| clip(i, tau)).sum();
            let groups: f64 = self
                .groups
                .iter()
                .map(|g| {
                    let s: f64 = g.members.iter().map(|&i| clip(i, tau)).sum();
                    s.clamp(g.lower, g.upper)
                })
                .sum();
            free + groups
        };
        let step = 1.0 + y.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let tau = decreasing_root(total_at, self.total, step);
        let mut out: Vec<f64> = (0..n).map(|i| clip(i, tau)).collect();
        for g in &self.groups {
            let s: f64 = g.members.iter().map(|&i| out[i]).sum();
            let target = s.clamp(g.lower, g.upper);
            if target == s {
                continue;
            }
            // The group's own shift: a budget projection of y_g − τ onto its total.
            let sub = Constraints {
                lower: g.members.iter().map(|&i| self.lower[i]).collect(),
                upper: g.members.iter().map(|&i| self.upper[i]).collect(),
                budget: true,
                total: target,
                target: None,
                groups: Vec::new(),
                l1: None,
            };
            let mut z: Vec<f64> = g.members.iter().map(|&i| y[i] - tau).collect();
            sub.project_budget_box(&mut z);
            for (&i, v) in g.members.iter().zip(z) {
                out[i] = v;
            }
        }
        y.copy_from_slice(&out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Projection;
    use crate::portfolio::{solve_reference, Covariance, MeanVariance, Objective};
    use rand::{Rng, SeedableRng};
    use std::sync::Arc;

    /// The projection of `y` onto `set` by Clarabel: `min ½‖w‖² − yᵀw` over the set.
    fn by_clarabel(set: &Constraints, y: &[f64]) -> Vec<f64> {
        let n = y.len();
        let mut eye = vec![0.0; n * n];
        (0..n).for_each(|i| eye[i * n + i] = 1.0);
        let p = MeanVariance::new(
            Arc::new(Covariance::new(n, eye).unwrap()),
            y.to_vec(),
            Objective::Utility { gamma: 1.0 },
            set.clone(),
        )
        .unwrap();
        solve_reference(&p).unwrap().weights
    }

    fn sectors(lower: f64) -> Vec<Group> {
        vec![
            Group {
                name: "a".into(),
                members: vec![0, 1, 2, 3],
                lower: 0.0,
                upper: 0.3,
            },
            Group {
                name: "b".into(),
                members: vec![4, 5, 6, 7],
                lower,
                upper: 0.5,
            },
        ]
    }

    #[test]
    fn the_projection_is_the_exact_one() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 12;
        let mean: Vec<f64> = (0..n).map(|i| 0.01 * i as f64).collect();
        let sets = [
            Constraints::long_only(n)
                .with_groups(sectors(0.25))
                .unwrap(),
            Constraints::bounded(vec![0.0; n], vec![0.2; n])
                .unwrap()
                .with_groups(sectors(0.0))
                .unwrap(),
            Constraints::long_only(n)
                .with_groups(sectors(0.1))
                .unwrap()
                .with_target_return(mean, 0.07)
                .unwrap(),
        ];
        let mut active = 0;
        for set in &sets {
            for _ in 0..20 {
                let y: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 0.6 - 0.1).collect();
                let mut w = y.clone();
                set.project(&mut w);
                let want = by_clarabel(set, &y);
                for (a, b) in w.iter().zip(&want) {
                    approx::assert_abs_diff_eq!(*a, *b, epsilon = 1e-8);
                }
                assert!(set.group_violation(&w) <= 1e-14);
                active += set.active_group_rows(&w).len();
                // A feasible point is its own projection.
                let mut again = w.clone();
                set.project(&mut again);
                for (a, b) in again.iter().zip(&w) {
                    approx::assert_abs_diff_eq!(*a, *b, epsilon = 1e-14);
                }
            }
        }
        assert!(active > 20, "the limits were rarely active ({active})");
    }

    #[test]
    fn bad_groups_are_refused() {
        let g = |members: Vec<usize>, lower: f64, upper: f64| Group {
            name: "g".into(),
            members,
            lower,
            upper,
        };
        let base = Constraints::long_only(4);
        let cases = [
            vec![g(vec![0, 9], 0.0, 1.0)],
            vec![g(vec![0, 1], 0.0, 0.5), g(vec![1, 2], 0.0, 0.5)],
            vec![g(vec![0], 0.6, 0.5)],
            vec![g(vec![0], f64::NAN, 0.5)],
            vec![g(vec![0, 1], 0.0, 0.2), g(vec![2, 3], 0.0, 0.2)],
            vec![g(vec![], 0.0, 1.0)],
        ];
        for groups in cases {
            assert!(
                base.clone().with_groups(groups.clone()).is_err(),
                "{groups:?}"
            );
        }
        assert!(Constraints::homogenised(vec![1.0, 1.0])
            .unwrap()
            .with_groups(vec![g(vec![0], 0.0, 0.5)])
            .is_err());
    }
}
