//! Sector limits on the S&P 500 sample: projected rules against Clarabel on the same problem,
//! certified by the KKT check with the active limits' multipliers.

mod common;
use common::sp500::sp500;
use ravine::portfolio::{
    compare, portfolio_rule, solve_projected, solve_reference, Constraints, Group, MeanVariance,
    Objective, Projected,
};

/// Five "sectors" of four consecutive assets, at most 25 % each, the first at least 10 %.
fn sectors() -> Vec<Group> {
    (0..5)
        .map(|s| Group {
            name: format!("sector {s}"),
            members: (4 * s..4 * s + 4).collect(),
            lower: if s == 0 { 0.10 } else { 0.0 },
            upper: 0.25,
        })
        .collect()
}

#[test]
fn projected_rules_meet_clarabel_under_sector_limits() {
    let r = sp500();
    for objective in [Objective::MinVariance, Objective::Utility { gamma: 5.0 }] {
        let set = Constraints::long_only(20).with_groups(sectors()).unwrap();
        let p = MeanVariance::from_returns(&r, objective, set).unwrap();
        let reference = solve_reference(&p).unwrap();
        assert!(
            reference.certificate.worst() < 1e-9,
            "{:?}",
            reference.certificate
        );
        let totals: Vec<f64> = sectors()
            .iter()
            .map(|g| g.total(&reference.weights))
            .collect();
        let at_limit = sectors()
            .iter()
            .zip(&totals)
            .filter(|(g, t)| (*t - g.upper).abs() < 1e-9 || (*t - g.lower).abs() < 1e-9)
            .count();
        assert!(
            at_limit >= 1,
            "{objective:?}: no sector limit is active ({totals:?})"
        );
        for rule in ["gd", "nesterov", "adam"] {
            let opt = portfolio_rule(rule, &p, 20_000).unwrap();
            let s = solve_projected(&p, opt, &Projected::new(20_000, 1e-13)).unwrap();
            let c = compare(&p, &s.weights, &reference.weights).unwrap();
            println!(
                "{} {rule}: {} steps, gap {:.1e}, max|dw| {:.1e}, KKT {:.1e}, sectors at a limit {at_limit}",
                objective.label(),
                s.iterations,
                c.objective_gap,
                c.weight_error,
                c.certificate.worst()
            );
            assert!(s.iterations < 20_000, "{rule} hit the cap");
            assert!(
                c.weight_error < 1e-8 && c.objective_gap.abs() < 1e-10,
                "{rule}: {c:?}"
            );
            assert!(c.certificate.worst() < 1e-8, "{rule}: {:?}", c.certificate);
        }
        // Points that are not optimal are not certified: equal weights (feasible), and the
        // optimum without the sector limits (which breaks them).
        let equal = ravine::portfolio::Certificate::of(&p, &[0.05; 20]).unwrap();
        assert!(equal.worst() > 1e-3, "{equal:?}");
        let free = MeanVariance::from_returns(&r, objective, Constraints::long_only(20)).unwrap();
        let w = solve_reference(&free).unwrap().weights;
        let broken = ravine::portfolio::Certificate::of(&p, &w).unwrap();
        assert!(broken.primal_infeasibility > 1e-3, "{broken:?}");
    }
}
