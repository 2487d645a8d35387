//! [`solve`]: a solver choice that needs no reference, certified.

use super::{
    polish, portfolio_rule, solve_active_set, solve_projected, ActiveSetSettings, MeanVariance,
    Projected, Solution,
};
use crate::error::{check, Result};

/// Settings of [`solve`]: the step budget, given once, and the bar the certificate must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoSettings {
    /// Steps of the update rule at most, if the active-set method does not certify (default
    /// 20 000).
    pub max_steps: u64,
    /// The certificate's worst relative KKT residual must be at most this (default 1e-8).
    pub tol: f64,
}

impl Default for AutoSettings {
    fn default() -> Self {
        Self {
            max_steps: 20_000,
            tol: 1e-8,
        }
    }
}

/// Solves `problem` without a reference solution. First the active-set method
/// ([`solve_active_set`], at most 100 restricted solves; skipped with group limits or an L1
/// limit): if its
/// certificate meets `tol`, that is the answer. Otherwise, from its point (projected), projected
/// Nesterov momentum (`μ = 0.9`) with the step `1/L`, `L` the smoothness of the scaled loss along the feasible set
/// ([`super::scaled_lipschitz`], by power iteration), stopped when the gradient mapping of the
/// scaled loss falls below `1e-13` or the budget is spent; then the KKT [`super::Certificate`]
/// is measured and, if it misses `tol`, the point is polished on its active set (an exact
/// equality-constrained solve, kept only if it certifies better). The [`Solution`]'s
/// `termination` says whether the result is certified (`"certified ≤ tol"`) or not, with the
/// worst residual; the certificate is there to read either way.
pub fn solve(problem: &MeanVariance, settings: &AutoSettings) -> Result<Solution> {
    check(
        settings.tol.is_finite() && settings.tol > 0.0,
        "portfolio solve",
        "tol",
        settings.tol,
        "must be finite and > 0",
    )?;
    let mut start = None;
    if !problem.constraints().has_coupling_limits() {
        let mut s = solve_active_set(problem, &ActiveSetSettings::default())?;
        let worst = s.certificate.worst();
        if worst <= settings.tol {
            s.termination = format!(
                "certified ≤ {:e} (worst KKT residual {worst:.1e}; {})",
                settings.tol, s.termination
            );
            return Ok(s);
        }
        start = Some(s.weights);
    }
    let rule = portfolio_rule("nesterov", problem, settings.max_steps)?;
    let projected = Projected {
        start,
        ..Projected::new(settings.max_steps, 1e-13)
    };
    let warm = projected.start.is_some();
    let mut s = solve_projected(problem, rule, &projected)?;
    if warm {
        s.solver = format!("active-set → {}", s.solver);
    }
    if s.certificate.worst() > settings.tol && polish(problem, &mut s.weights, 1e-9)? {
        s.certificate = super::Certificate::of(problem, &s.weights)?;
        s.solver.push_str(" + polish");
    }
    let worst = s.certificate.worst();
    s.termination = if worst <= settings.tol {
        format!(
            "certified ≤ {:e} (worst KKT residual {worst:.1e}; {})",
            settings.tol, s.termination
        )
    } else {
        format!(
            "NOT certified: worst KKT residual {worst:.1e} > {:e} after {} steps ({})",
            settings.tol, s.iterations, s.termination
        )
    };
    Ok(s)
}
