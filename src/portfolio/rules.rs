//! [`portfolio_rule`]: every update rule with settings derived from the problem, for tables
//! and benchmarks.

use super::{MeanVariance, RiskModel};
use crate::error::Result;
use crate::optim::{rules, AdaGrad, AdamConfig, Normalize, Optimizer, RmsPropConfig, Schedule};

/// Smoothness `L = λmax` of the scaled loss `f/s` (its Hessian is `Σ/(tr Σ/n)`), by power
/// iteration with a 1 % margin.
pub fn scaled_lipschitz(problem: &MeanVariance) -> f64 {
    let risk = problem.risk();
    risk.largest_eigenvalue(300) / risk.mean_variance()
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
        "normalized_gd" => rules::normalized_gd(decaying(0.01)?, Normalize::DEFAULT_EPS),
        "sign_descent" => rules::sign_descent(decaying(0.01)?),
        "adagrad" => rules::adagrad(
            decaying(0.1)?,
            AdaGrad::DEFAULT_INITIAL_ACCUMULATOR,
            AdaGrad::DEFAULT_EPS,
        ),
        "rmsprop" => rules::rmsprop(decaying(0.01)?, RmsPropConfig::default()),
        "adam" => rules::adam(decaying(0.01)?, cfg),
        "adamw" => rules::adamw(decaying(0.01)?, cfg, 1e-4),
        "adam_l2" => rules::adam_l2(decaying(0.01)?, cfg, 1e-4),
        "amsgrad" => rules::amsgrad(decaying(0.01)?, cfg),
        other => rules::from_name(other, 1.0),
    }
}
