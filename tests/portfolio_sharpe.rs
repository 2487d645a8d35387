//! The maximum-Sharpe (tangency) portfolio on the S&P 500 sample: projected rules on the
//! homogenised problem against Clarabel on the same problem, certified by the KKT check.

mod common;
use common::sp500::sp500;
use ravine::portfolio::{
    compare, portfolio_rule, sample_covariance, solve_projected, solve_reference, MaxSharpe,
    Projected,
};
use std::sync::Arc;

#[test]
fn projected_rules_find_clarabels_tangency_portfolio() {
    let r = sp500();
    let sigma = sample_covariance(&r).unwrap();
    // A risk-free rate of 2 % a year, per trading day.
    let ms = MaxSharpe::new(Arc::new(sigma), r.mean(), 0.02 / 252.0).unwrap();
    let p = ms.problem();
    let reference = solve_reference(p).unwrap();
    assert!(
        reference.certificate.worst() < 1e-9,
        "{:?}",
        reference.certificate
    );
    let w_ref = ms.weights(&reference.weights).unwrap();
    let best = ms.sharpe(&w_ref).unwrap();
    // Every long-only portfolio holding one asset, or all equally, does worse.
    for i in 0..20 {
        let mut e = vec![0.0; 20];
        e[i] = 1.0;
        assert!(ms.sharpe(&e).unwrap() < best);
    }
    assert!(ms.sharpe(&[0.05; 20]).unwrap() < best);
    for rule in ["gd", "nesterov", "adam"] {
        let opt = portfolio_rule(rule, p, 20_000).unwrap();
        let s = solve_projected(p, opt, &Projected::new(20_000, 1e-13)).unwrap();
        let c = compare(p, &s.weights, &reference.weights).unwrap();
        let w = ms.weights(&s.weights).unwrap();
        let werr = w
            .iter()
            .zip(&w_ref)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        println!(
            "{rule}: {} steps, gap {:.1e}, max|dw| {werr:.1e}, KKT {:.1e}, Sharpe {:.6} vs {:.6} per day",
            s.iterations,
            c.objective_gap,
            c.certificate.worst(),
            ms.sharpe(&w).unwrap(),
            best
        );
        assert!(s.iterations < 20_000, "{rule} hit the cap");
        assert!(
            werr < 1e-8 && c.objective_gap.abs() < 1e-10,
            "{rule}: {werr:e}"
        );
        assert!(c.certificate.worst() < 1e-7, "{rule}: {:?}", c.certificate);
    }
}

/// `solve` needs no reference: on the tangency problem, a frontier point, sector limits and
/// plain utility it returns weights certified to 1e-8 that match Clarabel's; with sector limits
/// (no active-set path) and a budget of 5 steps it says the result is not certified.
#[test]
fn solve_certifies_without_a_reference() {
    use ravine::portfolio::{solve, AutoSettings, Constraints, Group, MeanVariance, Objective};
    let r = sp500();
    let mean = r.mean();
    let (lo, hi) = Constraints::long_only(20).return_range(&mean);
    let sigma = Arc::new(sample_covariance(&r).unwrap());
    let sectors: Vec<Group> = (0..5)
        .map(|s| Group {
            name: format!("s{s}"),
            members: (4 * s..4 * s + 4).collect(),
            lower: 0.0,
            upper: 0.3,
        })
        .collect();
    let problems = [
        MaxSharpe::new(sigma.clone(), mean.clone(), 0.0)
            .unwrap()
            .problem()
            .clone(),
        MeanVariance::from_returns(
            &r,
            Objective::MinVariance,
            Constraints::long_only(20)
                .with_target_return(mean.clone(), lo + 0.6 * (hi - lo))
                .unwrap(),
        )
        .unwrap(),
        MeanVariance::from_returns(
            &r,
            Objective::Utility { gamma: 2.0 },
            Constraints::long_only(20).with_groups(sectors).unwrap(),
        )
        .unwrap(),
        MeanVariance::from_returns(
            &r,
            Objective::Utility { gamma: 5.0 },
            Constraints::long_only(20),
        )
        .unwrap(),
    ];
    for p in &problems {
        let s = solve(p, &AutoSettings::default()).unwrap();
        let reference = solve_reference(p).unwrap();
        let c = compare(p, &s.weights, &reference.weights).unwrap();
        println!("{}: {} steps, {}", s.solver, s.iterations, s.termination);
        assert!(s.termination.starts_with("certified"), "{}", s.termination);
        assert!(
            c.certificate.worst() <= 1e-8 && c.weight_error < 1e-7,
            "{c:?}"
        );
    }
    let short = AutoSettings {
        max_steps: 5,
        tol: 1e-12,
    };
    let s = solve(&problems[2], &short).unwrap();
    assert!(
        s.termination.starts_with("NOT certified"),
        "{}",
        s.termination
    );
    assert!(solve(
        &problems[3],
        &AutoSettings {
            max_steps: 5,
            tol: 0.0
        }
    )
    .is_err());
}
