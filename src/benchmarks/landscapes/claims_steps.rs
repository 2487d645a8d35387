//! Claims about the size of single steps: normalized GD (3), Adam as sign descent (4),
//! coupled vs decoupled weight decay (9), and ε as a floor (11).

use rand::{Rng, SeedableRng};

use super::finding::Finding;
use crate::error::Result;
use crate::optim::{rules, AdamConfig, Optimizer};
use crate::problem::{Problem, Quadratic};

/// Claim 3: normalized GD with fixed η does not converge. Every step has length exactly η
/// (ε = 0), so by the triangle inequality two consecutive iterates satisfy
/// `d_k + d_{k+1} ≥ η`: of any two, one is at least η/2 from the minimum. A single iterate can
/// land arbitrarily close by chance, so "never closer than order η" holds for pairs, not for
/// every iterate. Measured on a quadratic with eigenvalues (1, 10) over the last 1000 of
/// 20 000 steps, for η = 1e-1, 1e-2, 1e-3.
pub fn normalized_gd() -> Result<Finding> {
    let mut f = Finding::new(3, "normalized GD stalls at distance ~eta");
    let q = Quadratic::diagonal(&[1.0, 10.0], vec![0.0, 0.0])?;
    let mut holds = true;
    let mut worst_pair: f64 = f64::INFINITY;
    for eta in [1e-1, 1e-2, 1e-3] {
        let mut opt = rules::normalized_gd(eta, 0.0)?;
        let mut x = vec![3.0, -2.0];
        let mut g = vec![0.0; 2];
        let mut dists = Vec::new();
        for k in 0..20_000 {
            q.evaluate(&x, &mut g, &mut [])?;
            opt.step(&mut x, &g)?;
            if k >= 19_000 {
                dists.push(x[0].hypot(x[1]));
            }
        }
        let min_single = dists.iter().cloned().fold(f64::INFINITY, f64::min) / eta;
        let min_pair = dists
            .windows(2)
            .map(|w| w[0] + w[1])
            .fold(f64::INFINITY, f64::min)
            / eta;
        let max_single = dists.iter().cloned().fold(0.0, f64::max) / eta;
        f.num(format!("eta{eta:e}.min_distance_over_eta"), min_single)
            .num(format!("eta{eta:e}.max_distance_over_eta"), max_single)
            .num(format!("eta{eta:e}.min_pair_sum_over_eta"), min_pair);
        worst_pair = worst_pair.min(min_pair);
        holds &= min_pair >= 1.0 - 1e-9 && max_single >= 0.5;
    }
    f.holds = holds;
    f.note = format!(
        "tail of 20000 steps: d_k + d_(k+1) >= {worst_pair:.6} eta (theory: >= 1); single \
         iterates may come closer, so the claim holds for pairs of iterates"
    );
    Ok(f)
}

/// Claim 4: ScaleByAdam with β₁ = β₂ = 0 is sign descent up to ε: each coordinate moves by
/// `α |g|/(|g| + ε)` ≈ α. Measured on 200 steps of seeded random gradients whose coordinates
/// span 1e-4 to 1e4 in magnitude.
pub fn adam_as_sign_descent() -> Result<Finding> {
    let mut f = Finding::new(4, "Adam(b1=b2=0) = sign descent");
    let alpha = 1e-3;
    let cfg = AdamConfig {
        b1: 0.0,
        b2: 0.0,
        ..AdamConfig::default()
    };
    let mut adam = rules::adam(alpha, cfg)?;
    let mut sign = rules::sign_descent(alpha)?;
    let dim = 16;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let (mut xa, mut xs) = (vec![0.0; dim], vec![0.0; dim]);
    let mut max_rel_dev: f64 = 0.0;
    let mut max_vs_sign: f64 = 0.0;
    let mut max_bound_dev: f64 = 0.0;
    for _ in 0..200 {
        let g: Vec<f64> = (0..dim)
            .map(|_| {
                let mag = 10f64.powf(rng.random_range(-4.0..4.0));
                if rng.random_bool(0.5) {
                    mag
                } else {
                    -mag
                }
            })
            .collect();
        let (before_a, before_s) = (xa.clone(), xs.clone());
        adam.step(&mut xa, &g)?;
        sign.step(&mut xs, &g)?;
        for i in 0..dim {
            let da = (xa[i] - before_a[i]).abs();
            let ds = (xs[i] - before_s[i]).abs();
            max_rel_dev = max_rel_dev.max((da / alpha - 1.0).abs());
            max_vs_sign = max_vs_sign.max((da - ds).abs() / alpha);
            let predicted = alpha * g[i].abs() / (g[i].abs() + cfg.eps);
            max_bound_dev = max_bound_dev.max((da - predicted).abs() / alpha);
        }
    }
    f.num("max_abs_step_over_alpha_minus_1", max_rel_dev)
        .num(
            "max_step_difference_vs_sign_descent_over_alpha",
            max_vs_sign,
        )
        .num("max_deviation_from_alpha_g_over_g_plus_eps", max_bound_dev);
    f.holds = max_rel_dev < 1e-3;
    f.note = format!(
        "|step|/alpha - 1 <= {max_rel_dev:.1e} for |g| in [1e-4, 1e4]; matches \
         alpha|g|/(|g|+eps) to {max_bound_dev:.1e}"
    );
    Ok(f)
}

/// Claim 9: AdamW shrinks every coordinate by the same factor `1 − α λ`; Adam + L2 divides the
/// decay by `√v̂`, so coordinates with a large gradient history shrink less.
///
/// Two coordinates receive gradients 10 and 0.01 for 100 steps, then one step with zero loss
/// gradient, where the decay alone moves the parameters. β₁ = 0 so that the first moment does
/// not carry the earlier gradients into that step (with β₁ > 0 the momentum term would mix in).
pub fn coupled_vs_decoupled_decay() -> Result<Finding> {
    let mut f = Finding::new(9, "AdamW decays uniformly, Adam+L2 does not");
    let (alpha, wd) = (1e-3, 1e-2);
    let cfg = AdamConfig {
        b1: 0.0,
        ..AdamConfig::default()
    };
    let history = [10.0, 0.01];
    let shrink = |mut opt: Optimizer| -> Result<(Vec<f64>, Vec<f64>)> {
        let mut x = vec![1.0, 1.0];
        for _ in 0..100 {
            opt.step(&mut x, &history)?;
        }
        let before = x.clone();
        opt.step(&mut x, &[0.0, 0.0])?;
        let factor = x.iter().zip(&before).map(|(a, b)| a / b).collect();
        let eff = opt.effective_step().unwrap_or_default();
        Ok((factor, eff))
    };
    let (w, _) = shrink(rules::adamw(alpha, cfg, wd)?)?;
    let (l2, eff) = shrink(rules::adam_l2(alpha, cfg, wd)?)?;
    f.num("adamw.shrink_large_history", w[0])
        .num("adamw.shrink_small_history", w[1])
        .num("adamw.expected", 1.0 - alpha * wd)
        .num("adam_l2.shrink_large_history", l2[0])
        .num("adam_l2.shrink_small_history", l2[1])
        // Closed form: 1 − λ · (α/(√v̂+ε)), with the effective step after that step.
        .num("adam_l2.expected_large", 1.0 - wd * eff[0])
        .num("adam_l2.expected_small", 1.0 - wd * eff[1]);
    let decay_ratio = (1.0 - l2[1]) / (1.0 - l2[0]);
    f.num("adam_l2.decay_ratio_small_over_large", decay_ratio);
    f.holds = (w[0] - w[1]).abs() < 1e-15 && decay_ratio > 10.0;
    f.note = format!(
        "AdamW: both coordinates x{:.8}; Adam+L2: large-gradient coordinate x{:.8}, small \
         x{:.8} ({decay_ratio:.0}x more decay)",
        w[0], l2[0], l2[1]
    );
    Ok(f)
}

/// Claim 11: ε is a floor on Adam's denominator: for gradients far below ε the step is
/// `α |g|/(|g| + ε) ≤ α |g|/ε`, so tiny gradients give tiny steps instead of steps of size α.
/// Measured after 100 steps of constant gradients 1e-14, 1e-12, 1e-10 (ε = 1e-8).
pub fn epsilon_floor() -> Result<Finding> {
    let mut f = Finding::new(11, "epsilon caps Adam's step at alpha|g|/eps");
    let alpha = 1e-3;
    let cfg = AdamConfig::default();
    let mut worst: f64 = 0.0;
    let mut over_cap = false;
    for g in [1e-14, 1e-12, 1e-10] {
        let mut opt = rules::adam(alpha, cfg)?;
        let mut x = vec![0.0];
        let mut last = 0.0;
        for _ in 0..100 {
            let before = x[0];
            opt.step(&mut x, &[g])?;
            last = (x[0] - before).abs();
        }
        let cap = alpha * g / cfg.eps;
        let exact = alpha * g / (g + cfg.eps);
        over_cap |= last > cap;
        f.num(format!("g{g:e}.step_over_cap"), last / cap);
        worst = worst.max((last / exact - 1.0).abs());
    }
    let mut big = rules::adam(alpha, cfg)?;
    let mut x = vec![0.0];
    big.step(&mut x, &[1.0])?;
    f.num("g1.step_over_alpha", x[0].abs() / alpha);
    f.holds = !over_cap && worst < 1e-9;
    f.note = format!(
        "for |g| = 1e-14..1e-10 the step is alpha|g|/(|g|+eps) (to {worst:.0e}), at most the \
         cap alpha|g|/eps; for |g| = 1 the step is alpha"
    );
    Ok(f)
}
