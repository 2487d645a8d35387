//! Issue 19's experiments, each asserted: a change that breaks a claim's evidence (or turns a
//! "does not hold" into a "holds") fails here. The numbers in the comments are from the
//! `adaptation` example (`--quick` uses the same run counts as these tests).

use ravine::benchmarks::adaptation::*;
use ravine::benchmarks::landscapes::Finding;

fn get(f: &Finding, name: &str) -> f64 {
    f.get(name)
        .unwrap_or_else(|| panic!("claim {}: no number {name:?}", f.id))
}

/// 1: global 143 steps, 1/‖W‖₂ per layer 51, LARS 21 103.
#[test]
fn layerwise_spectral_rates_beat_one_global_rate() {
    let f = layerwise_rates().unwrap();
    assert!(f.holds, "{}", f.note);
    assert!(get(&f, "initial_spread") > 9.0);
    assert!(
        get(&f, "spectral.steps") < 0.5 * get(&f, "global.steps"),
        "{}",
        f.note
    );
    assert!(
        get(&f, "lars.steps") > get(&f, "global.steps"),
        "{}",
        f.note
    );
}

/// 2: does not hold: the slowed neurons stay saturated (75 % against 56 %), Adam wins.
#[test]
fn saturation_aware_rates_keep_neurons_saturated() {
    let f = saturation_rates().unwrap();
    assert!(!f.holds, "{}", f.note);
    assert!(get(&f, "initial_saturated") >= 0.7);
    assert!(
        get(&f, "saturation_aware.saturated") > get(&f, "gd.saturated"),
        "{}",
        f.note
    );
    assert!(
        get(&f, "adam.loss") < 0.1 * get(&f, "saturation_aware.loss"),
        "{}",
        f.note
    );
}

/// 3: GD diverges at 6 of 20 (rate, run) pairs, with clipping at none.
#[test]
fn clipping_tames_exploding_rnn_gradients() {
    let f = exploding_gradients(4).unwrap();
    assert!(f.holds, "{}", f.note);
    assert!(get(&f, "gd.diverged_over_grid") >= 3.0, "{}", f.note);
    assert_eq!(get(&f, "gd_clip.diverged_over_grid"), 0.0, "{}", f.note);
    assert!(get(&f, "gd_clip.median_loss") < 0.1 * get(&f, "gd.median_loss"));
}

/// 4: low-degree RMS residual GD 1.3e-1, AdaGrad 5.5e-2, Adam 4.9e-3; AdaGrad's effective
/// step ∝ (deg + 1)^−1.5.
#[test]
fn per_parameter_steps_help_low_degree_nodes() {
    let f = degree_heterogeneity().unwrap();
    assert!(f.holds, "{}", f.note);
    assert!(get(&f, "adagrad.low_degree_rms") < 0.6 * get(&f, "gd.low_degree_rms"));
    assert!(get(&f, "adam.low_degree_rms") < 0.1 * get(&f, "gd.low_degree_rms"));
    assert!(get(&f, "adagrad.step_degree_slope") < -1.0);
    assert!(get(&f, "max_degree") > 10.0 * get(&f, "mean_degree"));
}

/// 5: does not hold: less memorised (0.76 against 0.83 at 40 %), no better accuracy.
#[test]
fn confidence_rates_memorise_less_but_are_not_more_accurate() {
    let f = confidence_rates().unwrap();
    assert!(!f.holds, "{}", f.note);
    assert!(get(&f, "flip0.4.confidence.memorised") < get(&f, "flip0.4.fixed.memorised"));
    assert!(get(&f, "flip0.4.confidence.clean_accuracy") <= get(&f, "flip0.4.adam.clean_accuracy"));
    assert!(get(&f, "flip0.confidence.clean_accuracy") > 0.75);
}

/// 6: global error 0.022 against 0.150, worst client 0.0025 against 0.115.
#[test]
fn noise_adaptive_federated_rates_are_better_and_fairer() {
    let f = federated_noise_rates(8).unwrap();
    assert!(f.holds, "{}", f.note);
    assert!(get(&f, "adaptive.global_error") < 0.3 * get(&f, "uniform.global_error"));
    assert!(
        get(&f, "adaptive.worst_client_excess_risk")
            < 0.1 * get(&f, "uniform.worst_client_excess_risk")
    );
}

/// 7: early RMS 0.071 against 0.098; with reward noise 40 of 40 runs diverge, 0 for constant.
#[test]
fn td_error_rates_speed_up_and_diverge_with_noise() {
    let f = td_error_rates(40).unwrap();
    assert!(f.holds, "{}", f.note);
    assert!(get(&f, "surprise.best_early_rms") < 0.85 * get(&f, "constant.best_early_rms"));
    assert!(
        get(&f, "surprise.best_noisy_diverged") >= 30.0,
        "{}",
        f.note
    );
    assert_eq!(get(&f, "constant.best_noisy_diverged"), 0.0);
}

/// 8: natural gradient 6 steps, AdaGrad 372, Adam 158, GD 3670; AdaGrad's update is closer to
/// the natural gradient (cosine 0.90) than the gradient is (0.73).
#[test]
fn adaptive_diagonals_approximate_the_natural_gradient() {
    let f = natural_gradient().unwrap();
    assert!(f.holds, "{}", f.note);
    assert!(get(&f, "natural.steps") <= 10.0);
    assert!(get(&f, "diag_fisher.steps") < get(&f, "adam.steps"));
    assert!(get(&f, "adagrad.cos_to_natural") > get(&f, "adagrad.gradient_cos_to_natural") + 0.1);
    assert!(get(&f, "adam.cos_to_natural") > get(&f, "adam.gradient_cos_to_natural") + 0.1);
}
