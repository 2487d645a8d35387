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
