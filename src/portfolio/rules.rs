//! [`portfolio_rule`]: every update rule with settings derived from the problem, for tables
//! and benchmarks.

use super::MeanVariance;
use crate::error::Result;
use crate::optim::{
    rules, AdamConfig, NormalizeByGlobalNorm, Optimizer, RmsPropConfig, ScaleByAdaGrad, Schedule,
};

/// Smoothness `L` of the scaled loss `f/s` along the feasible set: the largest eigenvalue of
/// the Hessian `Σ/(tr Σ/n)` restricted to the tangent space of the equality constraints,
/// `λmax(P_T Σ P_T)/(tr Σ/n)` with `P_T = I − Aᵀ(AAᵀ)⁻¹A` (rows of `A`: budget, target), by
/// power iteration with a 1 % margin. Iterates of a projected method never leave the affine
/// set, so this, not `λmax(Σ)`, limits the step: for stock returns the market mode lies almost
/// along the budget's normal `1` and the two differ by an order of magnitude.
pub fn scaled_lipschitz(problem: &MeanVariance) -> f64 {
    let risk = problem.risk();
    let n = risk.dim();
    let eq = problem.constraints().equalities();
    // Orthonormal basis of the rows (Gram-Schmidt on at most two vectors).
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for (a, _) in eq {
        let mut q = a.clone();
        for b in &basis {
            let d: f64 = q.iter().zip(b).map(|(x, y)| x * y).sum();
            q.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
        }
        let norm = q.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 1e-12 * a.iter().map(|x| x * x).sum::<f64>().sqrt() {
            q.iter_mut().for_each(|x| *x /= norm);
            basis.push(q);
        }
    }
    let project = |v: &mut [f64]| {
        for b in &basis {
            let d: f64 = v.iter().zip(b).map(|(x, y)| x * y).sum();
            v.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
        }
    };
    let mut v: Vec<f64> = (0..n)
        .map(|i| 1.0 + 0.1 * ((i * 7919) % 13) as f64)
        .collect();
    let mut sv = vec![0.0; n];
    let mut lambda = 0.0;
    for _ in 0..300 {
        project(&mut v);
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            break;
        }
        v.iter_mut().for_each(|x| *x /= norm);
        risk.matvec(&v, &mut sv);
        project(&mut sv);
        lambda = v.iter().zip(&sv).map(|(a, b)| a * b).sum::<f64>();
        std::mem::swap(&mut v, &mut sv);
    }
    if lambda <= 0.0 {
        // One asset, or a degenerate set: fall back to the full spectrum's bound.
        return risk.largest_eigenvalue(300) / risk.mean_variance();
    }
    1.01 * lambda / risk.mean_variance()
}

/// Rule `name` (one of [`rules::NAMES`]) set up for `problem` and a budget of `steps`:
///
/// - `gd`, `momentum`, `nesterov`: constant step `1/L` (momentum 0.9), with `L` from
///   [`scaled_lipschitz`]: the classical choice for an `L`-smooth convex loss;
/// - every other rule takes steps of a fixed size in weight units whatever the gradient's
///   scale, so it needs a decaying rate to converge: `α_t = α₀ · 2^{−30 t/steps}` (halving 30
///   times over the budget) with `α₀ = 0.01` (0.1 for AdaGrad, whose accumulated denominator
///   already shrinks its steps); AdamW and Adam + L2 use weight decay 1e-4.
pub fn portfolio_rule(name: &str, problem: &MeanVariance, steps: u64) -> Result<Optimizer> {
    let transition = (steps / 30).max(1);
    let decaying = |lr0: f64| Schedule::exponential(lr0, 0.5, transition);
    let cfg = AdamConfig::default();
    match name {
        "gd" | "momentum" | "nesterov" => {
            let lr = 1.0 / scaled_lipschitz(problem);
            rules::from_name(name, lr)
        }
        "normalized_gd" => {
            rules::normalized_gd(decaying(0.01)?, NormalizeByGlobalNorm::DEFAULT_EPS)
        }
        "sign_descent" => rules::sign_descent(decaying(0.01)?),
        "adagrad" => rules::adagrad(
            decaying(0.1)?,
            ScaleByAdaGrad::DEFAULT_INITIAL_ACCUMULATOR,
            ScaleByAdaGrad::DEFAULT_EPS,
        ),
        "rmsprop" => rules::rmsprop(decaying(0.01)?, RmsPropConfig::default()),
        "adam" => rules::adam(decaying(0.01)?, cfg),
        "adamw" => rules::adamw(decaying(0.01)?, cfg, 1e-4),
        "adam_l2" => rules::adam_l2(decaying(0.01)?, cfg, 1e-4),
        "amsgrad" => rules::amsgrad(decaying(0.01)?, cfg),
        other => rules::from_name(other, 1.0),
    }
}
