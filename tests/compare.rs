//! The benchmark matrix's machinery: the budget is exact, the scores are against independent
//! references (the known minimiser, Clarabel's weights), the sweep ranks failed runs last.

mod common;

use ravine::benchmarks::compare::{compare_cell, median, run_once, Benchmark, Method};
use ravine::portfolio::Objective;
use ravine::QuasiNewtonUpdate;

#[test]
fn every_method_stops_at_the_evaluation_budget_or_converges() {
    let mut b = Benchmark::quadratic(true).unwrap();
    b.budget = 40;
    for m in Method::all() {
        let r = run_once(&b, m, 1e-3, 0, 10).unwrap();
        assert_eq!(r.trace.losses.len() as u64, r.evaluations);
        assert!(
            r.evaluations <= 40,
            "{}: {} evaluations",
            m.name(),
            r.evaluations
        );
        // κ = 1e3 in 50 dimensions: nobody converges in 40 evaluations.
        assert_eq!(r.termination, "evaluation budget", "{}", m.name());
        assert_eq!(r.evaluations, 40, "{}", m.name());
        assert!(!r.failed);
        // The last row is the fine score of the lowest loss seen.
        let last = r.trace.points.last().unwrap();
        assert_eq!(last.evaluations, 40);
        assert_eq!(last.loss, r.loss);
        let min = r.trace.losses.iter().cloned().fold(f64::INFINITY, f64::min);
        assert_eq!(r.loss, min);
    }
}

#[test]
fn the_quadratic_has_the_stated_spectrum_and_lbfgs_finds_its_minimiser() {
    let b = Benchmark::quadratic(false).unwrap();
    let inst = b.instance(1, true).unwrap();
    // Rotations keep the trace Σλ and the Frobenius norm² Σλ² of the Hessian: read them off
    // the gradient at unit vectors from the minimiser (g = H(x − x*)).
    let n = inst.problem.dim();
    let star: Vec<f64> = {
        let r = run_once(&b, Method::Lbfgs, f64::NAN, 1, 10).unwrap();
        assert_eq!(r.termination, "converged");
        assert!(r.score.error < 1e-10, "lbfgs error {:e}", r.score.error);
        r.trace.best.clone()
    };
    let (mut trace, mut frob) = (0.0, 0.0);
    for i in 0..n {
        let mut x = star.clone();
        x[i] += 1.0;
        let mut g = vec![0.0; n];
        inst.problem.evaluate(&x, &mut g, &mut []).unwrap();
        trace += g[i];
        frob += g.iter().map(|v| v * v).sum::<f64>();
    }
    let lambda: Vec<f64> = (0..n)
        .map(|i| 10f64.powf(3.0 * i as f64 / (n - 1) as f64))
        .collect();
    let (t, f): (f64, f64) = (lambda.iter().sum(), lambda.iter().map(|l| l * l).sum());
    assert!((trace - t).abs() < 1e-9 * t, "{trace} vs {t}");
    assert!((frob - f).abs() < 1e-9 * f, "{frob} vs {f}");
    // Not diagonal: the rotation mixed the coordinates.
    let mut x = star.clone();
    x[0] += 1.0;
    let mut g = vec![0.0; n];
    inst.problem.evaluate(&x, &mut g, &mut []).unwrap();
    assert!(g[1..].iter().any(|v| v.abs() > 1e-3));
}

#[test]
fn portfolio_rules_and_softmax_quasi_newton_start_alike_and_reach_clarabel() {
    let returns = common::sp500::sp500();
    let b = Benchmark::portfolio(&returns, Objective::MinVariance, true).unwrap();
    for seed in [0, 3] {
        let p = b.instance(seed, false).unwrap();
        let q = b.instance(seed, true).unwrap();
        let (sp, sq) = (
            (p.scorer)(&p.x0, true).unwrap(),
            (q.scorer)(&q.x0, true).unwrap(),
        );
        assert!((sp.error - sq.error).abs() < 1e-12 && (sp.gap - sq.gap).abs() < 1e-12);
        assert!(p.set.is_some() && q.set.is_none());
    }
    // Projected Nesterov to Clarabel's weights, and L-BFGS on the softmax form.
    let r = run_once(&b, Method::Rule("nesterov"), 0.1, 0, 20).unwrap();
    assert!(r.score.error < 1e-8, "nesterov {:e}", r.score.error);
    assert!(r.score.gap.abs() < 1e-12);
    let r = run_once(&b, Method::Lbfgs, f64::NAN, 0, 20).unwrap();
    assert!(r.score.error < 1e-6, "lbfgs {:e}", r.score.error);
    assert!(
        r.score.gap >= -1e-14 && r.score.gap < 1e-10,
        "gap {:e}",
        r.score.gap
    );
}

#[test]
fn the_sweep_ranks_a_diverged_rate_last_and_seeds_the_chosen_one() {
    let mut b = Benchmark::rosenbrock(true);
    b.rates = vec![1.0, 1e-3];
    b.budget = 300;
    let mut seen = 0;
    let cell = compare_cell(&b, Method::Rule("gd"), 3, 10, &mut |_| seen += 1).unwrap();
    assert_eq!(seen, 4); // two rates on seed 0, then seeds 1 and 2
    assert!(cell.sweep[0].failed, "{}", cell.sweep[0].termination);
    assert!(cell.sweep[0].termination.starts_with("diverged"));
    assert_eq!(cell.rate, 1e-3);
    let seeds: Vec<u64> = cell.runs.iter().map(|r| r.seed).collect();
    assert_eq!(seeds, vec![0, 1, 2]);
    // Different starts, so different errors; the median is the middle one.
    let mut e: Vec<f64> = cell.runs.iter().map(|r| r.score.error).collect();
    assert!(e[0] != e[1] && e[1] != e[2]);
    let m = cell.median_of(|r| r.score.error);
    e.sort_by(f64::total_cmp);
    assert_eq!(m, e[1]);
    assert_eq!(median(vec![3.0, f64::NAN, 1.0]), 2.0);
}

#[test]
fn staged_adam_then_self_scaled_bfgs_lowers_the_burgers_error() {
    let b = Benchmark::burgers(true).unwrap();
    let m = Method::AdamThen(QuasiNewtonUpdate::SelfScaledBfgs);
    let r = run_once(&b, m, 1e-2, 0, 5).unwrap();
    assert_eq!(r.evaluations, b.budget);
    let first = r.trace.points.first().unwrap();
    // The Cole-Hopf error of the initial network is about 1; 150 evaluations halve it.
    assert!(first.score.error > 0.8, "{:e}", first.score.error);
    assert!(
        r.score.error < 0.5 * first.score.error,
        "{:e}",
        r.score.error
    );
}
