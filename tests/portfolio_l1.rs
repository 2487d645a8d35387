//! Turnover and leverage limits on the S&P 500 sample: the exact projection against Clarabel
//! (a projection is a QP with Σ = I), and the projected rules and `solve` against Clarabel on
//! binding limits, certified by the KKT check with the limit's multiplier.

mod common;
use common::sp500::sp500;
use ravine::optim::Projection;
use ravine::portfolio::{
    compare, portfolio_rule, solve, solve_projected, solve_reference, AutoSettings, Constraints,
    Covariance, MeanVariance, Objective, Projected,
};
use std::sync::Arc;

fn sets(n: usize) -> Vec<(&'static str, Constraints)> {
    // Current holdings: the first five assets equally.
    let holdings: Vec<f64> = (0..n).map(|i| if i < 5 { 0.2 } else { 0.0 }).collect();
    vec![
        (
            "turnover 0.5",
            Constraints::long_only(n)
                .with_turnover_limit(holdings, 0.5)
                .unwrap(),
        ),
        (
            "leverage 1.4 in [-0.3, 0.4]",
            Constraints::bounded(vec![-0.3; n], vec![0.4; n])
                .unwrap()
                .with_leverage_limit(1.4)
                .unwrap(),
        ),
    ]
}

/// `P_C(y) = argmin ½‖w‖² − yᵀw` over C: Clarabel's answer on Σ = I, μ = y.
#[test]
fn projection_matches_clarabel() {
    let n = 20;
    let identity: Vec<f64> = (0..n * n)
        .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
        .collect();
    let sigma = Arc::new(Covariance::new(n, identity).unwrap());
    for (name, set) in sets(n) {
        for seed in 0..5u64 {
            let y: Vec<f64> = (0..n)
                .map(|i| (((i as u64 * 7 + seed * 13) % 17) as f64 - 6.0) / 10.0)
                .collect();
            let mut p = y.clone();
            set.project(&mut p);
            let qp = MeanVariance::new(
                sigma.clone(),
                y.clone(),
                Objective::Utility { gamma: 1.0 },
                set.clone(),
            )
            .unwrap();
            let reference = solve_reference(&qp).unwrap();
            let err = p
                .iter()
                .zip(&reference.weights)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-9, "{name}, seed {seed}: max|dw| {err:e}");
        }
    }
}

#[test]
fn binding_limits_match_clarabel() {
    let r = sp500();
    let n = 20;
    for (name, set) in sets(n) {
        let l1 = set.l1_limit().unwrap().clone();
        let p = MeanVariance::from_returns(&r, Objective::Utility { gamma: 2.0 }, set).unwrap();
        // Without the limit the optimum lies beyond it: the limit binds.
        let c = p.constraints();
        let free_set = Constraints::bounded(c.lower().to_vec(), c.upper().to_vec()).unwrap();
        let free = solve_reference(&p.with_constraints(free_set).unwrap()).unwrap();
        assert!(l1.distance(&free.weights) > l1.limit + 0.05, "{name}");
        let reference = solve_reference(&p).unwrap();
        assert!(
            reference.certificate.worst() < 1e-8,
            "{name}: {:?}",
            reference.certificate
        );
        assert!((l1.distance(&reference.weights) - l1.limit).abs() < 1e-8);
        for rule in ["nesterov", "gd"] {
            let opt = portfolio_rule(rule, &p, 50_000).unwrap();
            let s = solve_projected(&p, opt, &Projected::new(50_000, 1e-13)).unwrap();
            let c = compare(&p, &s.weights, &reference.weights).unwrap();
            println!(
                "{name}, {rule}: {} steps, KKT {:.1e}, max|dw| {:.1e}, kappa {:?}",
                s.iterations,
                c.certificate.worst(),
                c.weight_error,
                c.certificate.multipliers
            );
            assert!(
                c.certificate.worst() < 1e-8,
                "{name}, {rule}: {:?}",
                c.certificate
            );
            assert!(
                c.weight_error < 1e-7,
                "{name}, {rule}: {:e}",
                c.weight_error
            );
            assert!(*c.certificate.multipliers.last().unwrap() > 0.0);
        }
        let s = solve(&p, &AutoSettings::default()).unwrap();
        assert!(s.termination.starts_with("certified"), "{}", s.termination);
    }
}

/// The certificate is not fooled: a feasible but suboptimal point (the holdings themselves)
/// fails it, and a point beyond the limit is reported infeasible.
#[test]
fn the_certificate_flags_wrong_points() {
    let r = sp500();
    let n = 20;
    let (_, set) = sets(n).remove(0);
    let holdings = set.l1_limit().unwrap().anchor.clone();
    let p = MeanVariance::from_returns(&r, Objective::Utility { gamma: 2.0 }, set).unwrap();
    let c = ravine::portfolio::Certificate::of(&p, &holdings).unwrap();
    assert!(c.worst() > 1e-3, "{c:?}");
    let mut far = vec![0.0; n];
    far[19] = 1.0;
    let c = ravine::portfolio::Certificate::of(&p, &far).unwrap();
    assert!(c.primal_infeasibility > 0.9, "{c:?}");
}
