//! [`solve_active_set`]: the primal-dual active-set method for mean-variance problems with
//! bounds and equalities, one restricted linear solve per iteration.

use super::{Certificate, MeanVariance, Objective, Solution};
use crate::error::{check, Error, Result};
use crate::optim::Projection;
use crate::run::History;
use faer::linalg::solvers::Solve;
use std::collections::HashSet;
use std::time::Instant;

/// Settings of [`solve_active_set`].
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveSetSettings {
    /// Iterations (restricted solves) at most (default 100).
    pub max_iterations: u64,
    /// The starting weights, whose assets at a bound start in the active set; `None` (default):
    /// none active, so the first iterate is the solution with the equalities only.
    pub start: Option<Vec<f64>>,
}

impl Default for ActiveSetSettings {
    fn default() -> Self {
        Self {
            max_iterations: 100,
            start: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Status {
    Free,
    Lower,
    Upper,
}

/// Solves `min ½γ wᵀΣw − cᵀw  s.t.  Aw = b, lo ≤ w ≤ hi` (`c = μ` for utility, `0` for minimum
/// variance; rows of `A`: the budget and the target return) by the primal-dual active-set
/// method (Hintermüller, Ito & Kunisch, *SIAM J. Optim.* 13, 2002; for bounds it is a
/// semismooth Newton method). Each iteration fixes the active assets at their bounds and
/// solves the equality-constrained problem in the free ones `F` exactly:
///
/// ```text
/// γ Σ_FF w_F = c_F − γ Σ_{F,X} w_X + A_Fᵀ ν,    A_F w_F = b − A_X w_X,
/// ```
///
/// by [`super::RiskModel::restricted`] (`m + 1` solves and an `m × m` system for `ν`; a factor
/// model costs `O(|F| k²)`), then moves a free asset that crossed a bound to that bound and
/// frees an active one whose multiplier `z = γΣw − c − Aᵀν` has the wrong sign (`z_i < 0` at
/// a lower bound, `> 0` at an upper one). When no asset moves, `w` satisfies the KKT
/// conditions to rounding. The method is not monotone and can cycle on covariances that are
/// not M-matrices: a repeated active set, a singular system or the iteration cap ends it with
/// a `termination` that says so and the last iterate projected onto the feasible set (a good
/// start for [`super::solve_projected`], which is what [`super::solve`] does with it).
///
/// Group limits and turnover or leverage limits are not handled (an error names them); use
/// [`super::solve_projected`].
pub fn solve_active_set(problem: &MeanVariance, settings: &ActiveSetSettings) -> Result<Solution> {
    check(
        settings.max_iterations >= 1,
        "active-set solver",
        "max_iterations",
        settings.max_iterations as f64,
        "must be >= 1",
    )?;
    let c = problem.constraints();
    if c.has_coupling_limits() {
        return Err(Error::InvalidConfig {
            component: "active-set solver",
            message: format!(
                "group limits ({} groups) and turnover or leverage limits are not supported; \
                 use solve_projected",
                c.groups.len()
            ),
        });
    }
    let clock = Instant::now();
    let n = problem.dim();
    let (lo, hi) = (c.lower(), c.upper());
    let mut status: Vec<Status> = match &settings.start {
        Some(w0) => {
            if w0.len() != n {
                return Err(Error::DimensionMismatch {
                    component: "active-set solver",
                    what: "start",
                    expected: n,
                    got: w0.len(),
                });
            }
            (0..n)
                .map(|i| match () {
                    _ if w0[i] <= lo[i] => Status::Lower,
                    _ if w0[i] >= hi[i] => Status::Upper,
                    _ => Status::Free,
                })
                .collect()
        }
        None => vec![Status::Free; n],
    };
    let mut seen = HashSet::new();
    let mut w = problem.initial_point();
    let mut iterations = 0;
    let mut converged = false;
    let termination = loop {
        if iterations == settings.max_iterations {
            break format!("stopped: {iterations} iterations without a stable active set");
        }
        iterations += 1;
        let Some((x, nu)) = equality_solve(problem, &status) else {
            break format!("stopped: singular restricted system at iteration {iterations}");
        };
        w = x;
        let z = multipliers(problem, &w, &nu)?;
        let scale = z.iter().fold(f64::MIN_POSITIVE, |a, v| a.max(v.abs()));
        let next: Vec<Status> = (0..n)
            .map(|i| {
                let slack = 1e-13 * (1.0 + lo[i].abs().min(hi[i].abs()));
                match status[i] {
                    Status::Free if w[i] < lo[i] - slack => Status::Lower,
                    Status::Free if w[i] > hi[i] + slack => Status::Upper,
                    Status::Lower if z[i] < -1e-13 * scale => Status::Free,
                    Status::Upper if z[i] > 1e-13 * scale => Status::Free,
                    s => s,
                }
            })
            .collect();
        if next == status {
            converged = true;
            break format!("converged: active set stable after {iterations} iterations");
        }
        if !seen.insert(next.clone()) {
            break format!("stopped: the active set cycled at iteration {iterations}");
        }
        status = next;
    };
    if converged {
        // Within rounding of the bounds (free assets may cross them by the slack).
        for i in 0..n {
            w[i] = w[i].clamp(lo[i], hi[i]);
        }
    } else {
        // Feasible for whatever continues from here.
        c.project(&mut w);
    }
    Ok(Solution {
        solver: "active-set".into(),
        certificate: Certificate::of(problem, &w)?,
        weights: w,
        iterations,
        evaluations: iterations,
        seconds: clock.elapsed().as_secs_f64(),
        termination,
        history: History::default(),
        inspections: Vec::new(),
    })
}

/// `z = γΣw − c − Aᵀν`, the bound multipliers (zero on the free assets, to rounding).
fn multipliers(problem: &MeanVariance, w: &[f64], nu: &[f64]) -> Result<Vec<f64>> {
    let mut z = problem.gradient(w)?;
    for ((a, _), v) in problem.constraints().equalities().iter().zip(nu) {
        z.iter_mut().zip(a).for_each(|(zi, ai)| *zi -= v * ai);
    }
    Ok(z)
}

/// The equality-constrained minimiser with the non-free assets at their bounds, and `ν`;
/// `None` when a restricted system is singular or the result is not finite.
fn equality_solve(problem: &MeanVariance, status: &[Status]) -> Option<(Vec<f64>, Vec<f64>)> {
    let c = problem.constraints();
    let n = status.len();
    let gamma = problem.objective_kind().gamma();
    let mut w = vec![0.0; n];
    let mut free = Vec::new();
    for i in 0..n {
        match status[i] {
            Status::Free => free.push(i),
            Status::Lower => w[i] = c.lower()[i],
            Status::Upper => w[i] = c.upper()[i],
        }
    }
    let eq = c.equalities();
    if free.is_empty() {
        return eq
            .iter()
            .all(|(a, b)| (dot(a, &w) - b).abs() <= 1e-12 * (1.0 + b.abs()))
            .then(|| (w, vec![0.0; eq.len()]));
    }
    let solver = problem.risk().restricted(&free)?;
    // Right-hand side c_F − γ Σ_{F,X} w_X: w is zero on F, so (Σw)_F is the coupling.
    let mut coupling = vec![0.0; n];
    problem.risk().matvec(&w, &mut coupling);
    let with_mean = matches!(problem.objective_kind(), Objective::Utility { .. });
    let rhs: Vec<f64> = free
        .iter()
        .map(|&i| (if with_mean { problem.mean()[i] } else { 0.0 }) - gamma * coupling[i])
        .collect();
    let x0: Vec<f64> = solver.solve(&rhs).iter().map(|v| v / gamma).collect();
    let rows: Vec<Vec<f64>> = eq
        .iter()
        .map(|(a, _)| free.iter().map(|&i| a[i]).collect())
        .collect();
    let directions: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| solver.solve(r).iter().map(|v| v / gamma).collect())
        .collect();
    // (A_F H⁻¹ A_Fᵀ) ν = b − A_X w_X − A_F x0.
    let m = eq.len();
    let schur = faer::Mat::from_fn(m, m, |a, b| dot(&rows[a], &directions[b]));
    let residual = faer::Mat::from_fn(m, 1, |a, _| {
        eq[a].1 - dot(&eq[a].0, &w) - dot(&rows[a], &x0)
    });
    let nu: Vec<f64> = if m == 0 {
        Vec::new()
    } else {
        let sol = schur.partial_piv_lu().solve(&residual);
        (0..m).map(|a| sol[(a, 0)]).collect()
    };
    for (r, &i) in free.iter().enumerate() {
        w[i] = x0[r]
            + directions
                .iter()
                .zip(&nu)
                .map(|(d, v)| d[r] * v)
                .sum::<f64>();
    }
    (w.iter().chain(&nu).all(|v| v.is_finite())).then_some((w, nu))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
