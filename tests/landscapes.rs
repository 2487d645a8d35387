//! The background articles' claims about adaptive steps, each as a numeric assertion
//! (numbering as in the README's table). Where a claim needs a condition, the test says so.

use ravine::benchmarks::landscapes::{self, Finding};
use ravine::Termination;

fn n(f: &Finding, name: &str) -> f64 {
    f.get(name)
        .unwrap_or_else(|| panic!("claim {}: no number {name}", f.id))
}

#[test]
fn claim_01_diagonal_preconditioning_needs_alignment() {
    let f = landscapes::ill_conditioned().unwrap();
    // Aligned: AdaGrad (Duchi et al.'s s0 = 0) and Adam >= 10x fewer steps than GD at its best
    // stable step; so is optax's AdaGrad (s0 = 0.1), though its initial accumulator costs it.
    assert!(n(&f, "aligned.adagrad_s0_speedup") >= 10.0);
    assert!(n(&f, "aligned.adagrad_speedup") >= 10.0);
    assert!(n(&f, "aligned.adam_speedup") >= 10.0);
    // GD's best step is at most the stability limit 2/λmax = 2 and it needs ~κ steps.
    assert!(n(&f, "aligned.gd_lr") < 2.0);
    assert!(n(&f, "aligned.gd_steps") > 1e4);
    // Rotated 45°: AdaGrad's advantage is gone (within 2x of GD).
    assert!(n(&f, "rotated.adagrad_s0_speedup") < 2.0);
    assert!(n(&f, "rotated.adagrad_speedup") < 2.0);
    assert!(f.holds);
}

#[test]
fn claim_02_plateau_defeats_every_fixed_step() {
    let f = landscapes::plateau().unwrap();
    assert_eq!(n(&f, "gd.converged"), 0.0);
    assert_eq!(n(&f, "gd.stalled") + n(&f, "gd.failed_in_basin"), 25.0);
    assert!(n(&f, "gd.stalled") > 0.0 && n(&f, "gd.failed_in_basin") > 0.0);
    assert!(n(&f, "adam.converged") >= 5.0);
    assert!(n(&f, "adagrad.converged") >= 1.0);
    assert!(n(&f, "adam.best_steps") < 1000.0);
}

#[test]
fn claim_03_normalized_gd_keeps_distance_of_order_eta() {
    let f = landscapes::normalized_gd().unwrap();
    for eta in ["1e-1", "1e-2", "1e-3"] {
        // Triangle inequality: consecutive distances sum to at least η (steps have length η).
        assert!(n(&f, &format!("eta{eta}.min_pair_sum_over_eta")) >= 1.0 - 1e-9);
        let max = n(&f, &format!("eta{eta}.max_distance_over_eta"));
        assert!((0.5..=1.0 + 1e-9).contains(&max), "eta {eta}: {max}");
    }
}

#[test]
fn claim_04_adam_without_moments_is_sign_descent() {
    let f = landscapes::adam_as_sign_descent().unwrap();
    // |g| >= 1e-4 and ε = 1e-8: |step|/α = |g|/(|g|+ε) >= 1 − 1e-4.
    assert!(n(&f, "max_abs_step_over_alpha_minus_1") <= 1e-4);
    assert!(n(&f, "max_deviation_from_alpha_g_over_g_plus_eps") < 1e-12);
}

#[test]
fn claim_05_adagrad_never_forgets_rmsprop_recovers() {
    let f = landscapes::adagrad_vs_rmsprop_memory().unwrap();
    assert_eq!(n(&f, "adagrad.non_increasing"), 1.0);
    // ν_k − ν∞ = 0.9^k (100 − 0.01): within 10% of steady after ⌈ln(0.00235/99.99)/ln 0.9⌉.
    let k = n(&f, "rmsprop.steps_to_recover_within_10pct");
    assert!((95.0..=110.0).contains(&k), "{k}");
    // AdaGrad: √((0.1 + 1000·0.01)/(0.1 + 100·100 + 1000·0.01)) = 0.0318 of the burst-free step.
    let r = n(&f, "adagrad.final_over_without_burst");
    assert!((r - (10.1f64 / 10010.1).sqrt()).abs() < 1e-6, "{r}");
}

#[test]
fn claim_06_adagrad_step_decays_as_inverse_sqrt_t() {
    let f = landscapes::oscillating_gradients().unwrap();
    for v in ["1", "0.1", "10"] {
        let slope = n(&f, &format!("adagrad.loglog_slope_v{v}"));
        assert!((slope + 0.5).abs() < 0.01, "v {v}: slope {slope}");
        let scaled = n(&f, &format!("adagrad.sqrt_t_step_v_over_alpha_v{v}"));
        assert!((scaled - 1.0).abs() < 1e-3, "v {v}: {scaled}");
    }
    assert!(n(&f, "adagrad.max_rel_dev_from_closed_form") < 1e-12);
    approx::assert_abs_diff_eq!(
        n(&f, "adam.step_ratio_t10000_over_t1000"),
        1.0,
        epsilon = 1e-6
    );
}

#[test]
fn claim_07_amsgrad_denominator_is_monotone() {
    let f = landscapes::amsgrad_vs_adam_collapse().unwrap();
    assert_eq!(n(&f, "amsgrad.denominator_non_decreasing"), 1.0);
    assert!(n(&f, "adam.effective_step_growth") > 100.0);
    assert!(n(&f, "amsgrad.effective_step_growth") <= 1.0);
}

#[test]
fn claim_08_waking_step_after_dormancy() {
    let f = landscapes::dormant_parameter().unwrap();
    let closed = n(&f, "closed_form_factor");
    approx::assert_abs_diff_eq!(closed, 2.515, epsilon = 1e-3);
    approx::assert_abs_diff_eq!(n(&f, "adam.fresh_factor"), closed, epsilon = 1e-5);
    // The claim needs a condition: with no earlier gradient AMSGrad's maximum is of an all-zero
    // history, so its waking step equals Adam's.
    approx::assert_abs_diff_eq!(
        n(&f, "amsgrad.fresh_factor"),
        n(&f, "adam.fresh_factor"),
        epsilon = 1e-12
    );
    assert!(!f.holds);
    // With earlier activity AMSGrad remembers: its waking step is (1−β1)·1/√1 = 0.1 of steady,
    // while Adam's, after a dormancy long against 1/(1−β2), is ~(1−β1)/√(1−β2) = 3.16.
    approx::assert_abs_diff_eq!(
        n(&f, "amsgrad.after_100_active_10000_dormant"),
        0.1,
        epsilon = 1e-6
    );
    assert!(n(&f, "adam.after_100_active_10000_dormant") > 3.0);
}

#[test]
fn claim_09_decoupled_decay_is_uniform() {
    let f = landscapes::coupled_vs_decoupled_decay().unwrap();
    let e = n(&f, "adamw.expected");
    approx::assert_abs_diff_eq!(n(&f, "adamw.shrink_large_history"), e, epsilon = 1e-15);
    approx::assert_abs_diff_eq!(n(&f, "adamw.shrink_small_history"), e, epsilon = 1e-15);
    let (l, s) = (
        n(&f, "adam_l2.shrink_large_history"),
        n(&f, "adam_l2.shrink_small_history"),
    );
    approx::assert_abs_diff_eq!(l, n(&f, "adam_l2.expected_large"), epsilon = 1e-12);
    approx::assert_abs_diff_eq!(s, n(&f, "adam_l2.expected_small"), epsilon = 1e-12);
    assert!(n(&f, "adam_l2.decay_ratio_small_over_large") > 100.0);
}

#[test]
fn claim_10_adagrad_gives_rare_features_larger_steps() {
    let f = landscapes::sparse_features().unwrap();
    let frac = n(&f, "rare.active_fraction");
    assert!((0.005..0.015).contains(&frac), "{frac}");
    assert!(n(&f, "rare_over_dense") > 2.0);
}

#[test]
fn claim_11_epsilon_caps_tiny_steps() {
    let f = landscapes::epsilon_floor().unwrap();
    for (g, expected) in [
        ("1e-14", 1.0 / (1.0 + 1e-6)),
        ("1e-12", 1.0 / (1.0 + 1e-4)),
        ("1e-10", 1.0 / 1.01),
    ] {
        let r = n(&f, &format!("g{g}.step_over_cap"));
        assert!(r <= 1.0 && (r - expected).abs() < 1e-9, "g {g}: {r}");
    }
    approx::assert_abs_diff_eq!(n(&f, "g1.step_over_alpha"), 1.0, epsilon = 1e-7);
}

#[test]
fn claim_12_rosenbrock_table_through_one_executor() {
    let (f, rows) = landscapes::rosenbrock_table().unwrap();
    assert_eq!(rows.len(), 12);
    let lbfgs = rows.iter().find(|r| r.solver == "lbfgs").unwrap();
    assert_eq!(lbfgs.termination, Termination::Converged);
    assert!(lbfgs.final_loss < 1e-16);
    assert!(lbfgs.evaluations < 200);
    // The README's table (rounded to two digits there): final loss within 5 % (the runs are
    // deterministic; the tolerance covers the rounding), evaluations and termination exactly.
    let readme: [(&str, f64, u64, Termination); 12] = [
        ("gd", 1.9e-8, 20_001, Termination::MaxIters),
        ("momentum", 1.8e-8, 20_001, Termination::MaxIters),
        ("nesterov", 1.8e-8, 20_001, Termination::MaxIters),
        ("normalized_gd", 1.3e-4, 20_001, Termination::MaxIters),
        ("sign_descent", 9.0e-2, 20_001, Termination::MaxIters),
        ("adagrad", 1.0e-6, 20_001, Termination::MaxIters),
        ("rmsprop", 2.3e-4, 20_001, Termination::MaxIters),
        ("adam", 1.0e-16, 5_976, Termination::Converged),
        ("adamw", 1.9e-4, 20_001, Termination::MaxIters),
        ("adam_l2", 1.6e-7, 19_913, Termination::MaxIters),
        ("amsgrad", 2.7e-1, 20_001, Termination::MaxIters),
        ("lbfgs", 3.2e-21, 49, Termination::Converged),
    ];
    for (solver, loss, evaluations, termination) in readme {
        let r = rows.iter().find(|r| r.solver == solver).unwrap();
        approx::assert_relative_eq!(r.final_loss, loss, max_relative = 0.05);
        assert_eq!(r.evaluations, evaluations, "{solver}");
        assert_eq!(r.termination, termination, "{solver}");
    }
    for r in &rows {
        if r.solver != "lbfgs" {
            // One fused evaluation per step plus the start; fewer only where a step left the
            // parameters bit-for-bit unchanged and the cached evaluation was reused.
            assert!(r.evaluations <= r.iterations + 1, "{}", r.solver);
            assert!(r.evaluations * 10 >= r.iterations * 9, "{}", r.solver);
        }
    }
    assert!(f.holds);
}
