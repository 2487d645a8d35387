//! The efficient frontier: minimum variance at each of `K` target returns, warm-started from
//! the neighbouring point.

use super::{solve_projected, solve_reference, MeanVariance, Objective, Projected, Solution};
use crate::error::{Error, Result};
use crate::optim::Optimizer;

/// One point of the frontier.
#[derive(Debug, Clone)]
pub struct FrontierPoint {
    /// Target return `r` (per period).
    pub target: f64,
    /// Portfolio volatility `√(wᵀΣw)` (per period).
    pub volatility: f64,
    /// ravine's solution (projected rule), with its certificate.
    pub solution: Solution,
    /// The certified reference at the same target, when requested.
    pub reference: Option<Solution>,
}

/// Settings of [`efficient_frontier`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrontierSettings {
    /// Number of points `K ≥ 2`.
    pub points: usize,
    /// Fraction of the attainable return range `[r_mv, r_max]` covered (`< 1`: the very top,
    /// where the feasible set shrinks to the single best asset, is degenerate).
    pub span: f64,
    /// Step cap per point.
    pub max_iters: u64,
    /// Gradient-mapping tolerance per point.
    pub tol: f64,
    /// Also solve each point with the certified reference.
    pub with_reference: bool,
}

impl Default for FrontierSettings {
    fn default() -> Self {
        Self {
            points: 50,
            span: 0.99,
            max_iters: 200_000,
            tol: 1e-12,
            with_reference: true,
        }
    }
}

/// Traces the long-only (or bounded) efficient frontier of `problem`'s risk and means: target
/// returns evenly spaced from the minimum-variance portfolio's return `r_mv` to
/// `r_mv + span·(r_max − r_mv)`, each solved by `rule(k)` in projected form starting from the
/// previous point's weights. `problem` must be a minimum-variance problem without a target.
pub fn efficient_frontier(
    problem: &MeanVariance,
    settings: FrontierSettings,
    rule: impl Fn(usize) -> Result<Optimizer>,
) -> Result<Vec<FrontierPoint>> {
    if problem.objective_kind() != Objective::MinVariance
        || problem.constraints().target_return().is_some()
    {
        return Err(Error::InvalidConfig {
            component: "efficient frontier",
            message: "needs a minimum-variance problem without a target return".into(),
        });
    }
    crate::error::check(
        settings.points >= 2,
        "efficient frontier",
        "points",
        settings.points as f64,
        "must be >= 2",
    )?;
    crate::error::check(
        settings.span > 0.0 && settings.span <= 1.0,
        "efficient frontier",
        "span",
        settings.span,
        "must be in (0, 1]",
    )?;
    let mean = problem.mean().to_vec();
    let mv = solve_projected(
        problem,
        rule(0)?,
        &Projected::new(settings.max_iters, settings.tol),
    )?;
    let r_mv: f64 = mean.iter().zip(&mv.weights).map(|(a, b)| a * b).sum();
    let (_, r_max) = problem.constraints().return_range(&mean);
    let mut out = Vec::with_capacity(settings.points);
    let mut start = mv.weights.clone();
    for k in 0..settings.points {
        let target =
            r_mv + settings.span * (r_max - r_mv) * k as f64 / (settings.points - 1) as f64;
        let set = problem
            .constraints()
            .as_ref()
            .clone()
            .with_target_return(mean.clone(), target)?;
        let p = problem.with_constraints(set)?;
        let solution = solve_projected(
            &p,
            rule(k)?,
            &Projected {
                start: Some(start.to_vec()),
                ..Projected::new(settings.max_iters, settings.tol)
            },
        )?;
        let reference = if settings.with_reference {
            Some(solve_reference(&p)?)
        } else {
            None
        };
        start = solution.weights.clone();
        out.push(FrontierPoint {
            target,
            volatility: p.risk().quadratic(&solution.weights).max(0.0).sqrt(),
            solution,
            reference,
        });
    }
    Ok(out)
}
