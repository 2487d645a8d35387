//! Portfolio: estimators against scikit-learn / pandas, projected rules against the certified
//! Clarabel optimum on the S&P 500 sample, the frontier, data errors, and the factor model.

use ravine::portfolio::{
    ewma_covariance, ledoit_wolf, portfolio_rule, solve_clarabel, solve_lbfgs_softmax,
    solve_projected, solve_reference, Certificate, Constraints, Covariance, FactorModel,
    MeanVariance, Objective, PriceTable, Projected, QpForm, QpSettings, Returns,
};
use ravine::{Error, Problem};

mod common;
use common::sp500::sp500;
use std::sync::Arc;

fn head(r: &Returns, periods: usize) -> Returns {
    let n = r.assets_len();
    Returns::new(
        r.dates()[..periods].to_vec(),
        r.assets().to_vec(),
        r.values()[..periods * n].to_vec(),
    )
    .unwrap()
}

#[test]
fn sp500_loads_with_its_shape() {
    let prices = PriceTable::from_csv("data/sp500/sp500_dataset.csv.gz").unwrap();
    assert_eq!(prices.assets().len(), 20);
    assert_eq!(prices.dates().len(), 8313);
    assert_eq!(prices.dates()[0], "1990-01-02");
    assert_eq!(prices.dates()[8312], "2022-12-28");
    let r = prices.returns();
    // AAPL's first return: 0.266 / 0.264 − 1.
    approx::assert_abs_diff_eq!(r.row(0)[0], (0.266 / 0.264 - 1.0), epsilon = 1e-15);
}

#[test]
fn estimators_match_scikit_learn_and_pandas() {
    let text = std::fs::read_to_string("tests/fixtures/portfolio_golden.json").unwrap();
    let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = head(&sp500(), golden["periods"].as_u64().unwrap() as usize);
    let (lw, s) = ledoit_wolf(&r).unwrap();
    let s_ref = golden["ledoit_wolf"]["shrinkage"].as_f64().unwrap();
    assert!(
        (s - s_ref).abs() < 1e-12 * s_ref,
        "shrinkage {s} vs sklearn {s_ref}"
    );
    let worst = |ours: &Covariance, key: &str| {
        let reference: Vec<f64> = golden[key]["covariance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        ours.data()
            .iter()
            .zip(&reference)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
            / scale
    };
    assert!(
        worst(&lw, "ledoit_wolf") < 1e-12,
        "{}",
        worst(&lw, "ledoit_wolf")
    );
    let h = golden["ewma"]["half_life"].as_f64().unwrap();
    let ew = ewma_covariance(&r, h).unwrap();
    assert!(worst(&ew, "ewma") < 1e-12, "{}", worst(&ew, "ewma"));
}

#[test]
fn projected_rules_reach_the_certified_optimum_on_sp500() {
    let r = sp500();
    let n = r.assets_len();
    for objective in [
        Objective::MinVariance,
        Objective::Utility { gamma: 1.0 },
        Objective::Utility { gamma: 5.0 },
        Objective::Utility { gamma: 20.0 },
    ] {
        let p = MeanVariance::from_returns(&r, objective, Constraints::long_only(n)).unwrap();
        let reference = solve_reference(&p).unwrap();
        assert!(
            reference.certificate.worst() < 1e-13,
            "{:?}",
            reference.certificate
        );
        for rule in ["nesterov", "gd", "normalized_gd"] {
            let opt = portfolio_rule(rule, &p, 20_000).unwrap();
            let s = solve_projected(&p, opt, &Projected::new(20_000, 1e-13)).unwrap();
            let (gap, werr) = (s.objective_gap(&reference), s.weight_error(&reference));
            assert!(
                gap.abs() <= 1e-10 && werr <= 1e-7,
                "{} {rule}: gap {gap:e}, max|dw| {werr:e}",
                objective.label()
            );
            assert!(s.certificate.worst() < 1e-9, "{rule}: {:?}", s.certificate);
        }
    }
}

#[test]
fn clarabel_defaults_are_too_loose_for_daily_variances() {
    let r = sp500();
    let p =
        MeanVariance::from_returns(&r, Objective::MinVariance, Constraints::long_only(20)).unwrap();
    let reference = solve_reference(&p).unwrap();
    let loose = solve_clarabel(&p, QpForm::Dense, QpSettings::clarabel_defaults(), false).unwrap();
    // Its gap tolerance 1e-8 is absolute against f* ≈ 5e-5: a relative error far above 1e-10.
    assert!(
        loose.objective_gap(&reference) > 1e-7,
        "{}",
        loose.objective_gap(&reference)
    );
    assert!(loose.weight_error(&reference) > 1e-6);
}

#[test]
fn certificate_rejects_a_suboptimal_portfolio() {
    let r = sp500();
    let p =
        MeanVariance::from_returns(&r, Objective::MinVariance, Constraints::long_only(20)).unwrap();
    let equal = vec![0.05; 20];
    let c = Certificate::of(&p, &equal).unwrap();
    assert!(c.primal_infeasibility < 1e-15);
    assert!(c.stationarity > 0.1 && c.gradient_mapping > 1e-3, "{c:?}");
    // Infeasible weights are reported as such.
    let c = Certificate::of(&p, &[0.06; 20]).unwrap();
    assert!(Certificate::of(&p, &[0.05; 19]).is_err());
    assert!(p.objective(&[0.1; 3]).is_err() && p.gradient(&[0.1; 21]).is_err());
    approx::assert_abs_diff_eq!(c.primal_infeasibility, 0.2, epsilon = 1e-12);
}

#[test]
fn lbfgs_on_softmax_runs_through_the_same_executor() {
    let r = sp500();
    let p = MeanVariance::from_returns(
        &r,
        Objective::Utility { gamma: 20.0 },
        Constraints::long_only(20),
    )
    .unwrap();
    let reference = solve_reference(&p).unwrap();
    let s = solve_lbfgs_softmax(&p, ravine::portfolio::default_lbfgs()).unwrap();
    assert!(
        s.objective_gap(&reference) < 1e-9,
        "{}",
        s.objective_gap(&reference)
    );
}

#[test]
fn bounded_and_target_return_problems_match_clarabel() {
    let r = sp500();
    let n = 20;
    let caps = Constraints::bounded(vec![0.01; n], vec![0.15; n]).unwrap();
    let p =
        MeanVariance::from_returns(&r, Objective::Utility { gamma: 5.0 }, caps.clone()).unwrap();
    let reference = solve_reference(&p).unwrap();
    assert!(
        reference.certificate.worst() < 1e-12,
        "{:?}",
        reference.certificate
    );
    let s = solve_projected(
        &p,
        portfolio_rule("nesterov", &p, 20_000).unwrap(),
        &Projected::new(20_000, 1e-13),
    )
    .unwrap();
    assert!(
        s.weight_error(&reference) < 1e-8,
        "{}",
        s.weight_error(&reference)
    );
    assert!(s.weights.iter().all(|w| (0.01..=0.15).contains(w)));
    // Minimum variance at a target return in the middle of the attainable range.
    let mean = r.mean();
    let (lo, hi) = caps.return_range(&mean);
    let target = caps.with_target_return(mean, 0.5 * (lo + hi)).unwrap();
    let p = MeanVariance::from_returns(&r, Objective::MinVariance, target).unwrap();
    let reference = solve_reference(&p).unwrap();
    let s = solve_projected(
        &p,
        portfolio_rule("nesterov", &p, 20_000).unwrap(),
        &Projected::new(50_000, 1e-13),
    )
    .unwrap();
    assert!(
        s.weight_error(&reference) < 1e-8,
        "{}",
        s.weight_error(&reference)
    );
    assert!(s.certificate.worst() < 1e-9, "{:?}", s.certificate);
}

#[test]
fn factor_formulation_and_dense_qp_agree() {
    let market = FactorModel::synthetic(60, 3, 9).unwrap();
    let model = market.model.clone();
    let p = MeanVariance::new(
        Arc::new(model.clone()),
        market.mean.clone(),
        Objective::Utility { gamma: 3.0 },
        Constraints::long_only(60),
    )
    .unwrap();
    let dense = solve_clarabel(&p, QpForm::Dense, QpSettings::tight(), true).unwrap();
    let factor = solve_clarabel(&p, QpForm::Factor(&model), QpSettings::tight(), true).unwrap();
    assert!(dense.certificate.worst() < 1e-12 && factor.certificate.worst() < 1e-12);
    assert!(
        dense.weight_error(&factor) < 1e-12,
        "{}",
        dense.weight_error(&factor)
    );
    let s = solve_projected(
        &p,
        portfolio_rule("nesterov", &p, 20_000).unwrap(),
        &Projected::new(20_000, 1e-12),
    )
    .unwrap();
    assert!(s.weight_error(&dense) < 1e-9);
}

#[test]
fn singular_and_bad_inputs_are_typed_errors() {
    let r = sp500();
    // 10 periods for 20 assets: the sample covariance is singular.
    let short = head(&r, 10);
    let e = MeanVariance::from_returns(&short, Objective::MinVariance, Constraints::long_only(20))
        .unwrap_err();
    assert!(
        matches!(e, Error::Covariance { .. }) && e.to_string().contains("singular"),
        "{e}"
    );
    let e = MeanVariance::from_returns(
        &r,
        Objective::Utility { gamma: -1.0 },
        Constraints::long_only(20),
    )
    .unwrap_err();
    assert!(e.to_string().contains("gamma"), "{e}");
    let e = MeanVariance::from_returns(&r, Objective::MinVariance, Constraints::long_only(3))
        .unwrap_err();
    assert!(matches!(e, Error::DimensionMismatch { .. }), "{e}");
    // A file error names the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "Date,A,B\n2020-01-01,1,2\n2020-01-02,1,abc\n").unwrap();
    let e = PriceTable::from_csv(&path).unwrap_err().to_string();
    assert!(
        e.contains("bad.csv:3:3") && e.contains("not a number"),
        "{e}"
    );
}

#[test]
fn stochastic_adam_second_moment_tracks_volatility() {
    let r = sp500();
    let vol = r.volatility();
    let base =
        MeanVariance::from_returns(&r, Objective::MinVariance, Constraints::long_only(20)).unwrap();
    let mut p = base.clone().stochastic(&r, 32, 7).unwrap();
    let mut opt = ravine::rules::adam(1e-3, ravine::AdamConfig::default())
        .unwrap()
        .project_onto(p.constraints().clone());
    let mut w = p.initial_point();
    let (mut g, mut c) = (vec![0.0; 20], vec![0.0; 2]);
    for t in 0..3000 {
        p.set_batch(t);
        p.evaluate(&w, &mut g, &mut c).unwrap();
        opt.step(&mut w, &g).unwrap();
    }
    let nu = opt
        .state()
        .into_iter()
        .find(|(k, _)| k.ends_with(".nu"))
        .unwrap()
        .1;
    let a: Vec<f64> = nu.iter().map(|v| 0.5 * v.ln()).collect();
    let b: Vec<f64> = vol.iter().map(|v| v.ln()).collect();
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let (ma, mb) = (mean(&a), mean(&b));
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let corr = cov
        / (a.iter().map(|x| (x - ma).powi(2)).sum::<f64>()
            * b.iter().map(|y| (y - mb).powi(2)).sum::<f64>())
        .sqrt();
    assert!(corr > 0.6, "corr(log sqrt v, log vol) = {corr}");
    // Same seed, same run; the minibatch gradient is unbiased for the exact one.
    let mut q = base.clone().stochastic(&r, 32, 7).unwrap();
    q.set_batch(5);
    p.set_batch(5);
    let (mut g1, mut g2) = (vec![0.0; 20], vec![0.0; 20]);
    p.evaluate(&w, &mut g1, &mut c).unwrap();
    q.evaluate(&w, &mut g2, &mut c).unwrap();
    assert_eq!(g1, g2);
}

#[test]
fn minibatch_risk_gradient_is_unbiased() {
    // Averaged over many batches the raw minibatch gradient approaches the exact one.
    let r = head(&sp500(), 400);
    let base = MeanVariance::from_returns(&r, Objective::MinVariance, Constraints::long_only(20))
        .unwrap()
        .raw_gradients();
    let w: Vec<f64> = (0..20).map(|i| (1 + i % 4) as f64 / 50.0).collect();
    let mut exact = vec![0.0; 20];
    let mut c = vec![0.0; 2];
    base.evaluate(&w, &mut exact, &mut c).unwrap();
    let mut p = base.clone().stochastic(&r, 50, 3).unwrap();
    let mut avg = [0.0; 20];
    let batches = 20_000;
    for t in 0..batches {
        p.set_batch(t);
        let mut g = vec![0.0; 20];
        p.evaluate(&w, &mut g, &mut c).unwrap();
        avg.iter_mut()
            .zip(&g)
            .for_each(|(a, b)| *a += b / batches as f64);
    }
    let scale = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let worst = avg
        .iter()
        .zip(&exact)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
        / scale;
    assert!(worst < 0.03, "relative deviation {worst}");
    assert!(base.risk().quadratic(&w) > 0.0);
}

#[test]
fn sign_like_rules_stall_on_raw_gradients_and_move_on_projected_ones() {
    let r = sp500();
    let p =
        MeanVariance::from_returns(&r, Objective::MinVariance, Constraints::long_only(20)).unwrap();
    let reference = solve_reference(&p).unwrap();
    let start = p.initial_point();
    for rule in ["adam", "sign_descent", "rmsprop"] {
        let raw = p.clone().raw_gradients();
        let s = solve_projected(
            &raw,
            portfolio_rule(rule, &raw, 2000).unwrap(),
            &Projected::new(2000, 0.0),
        )
        .unwrap();
        let moved = s
            .weights
            .iter()
            .zip(&start)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        // Weights are ~0.05: a move of < 1e-6 after 2000 steps is a stall.
        assert!(moved < 1e-6, "{rule} moved {moved:e} on raw gradients");
        let s = solve_projected(
            &p,
            portfolio_rule(rule, &p, 2000).unwrap(),
            &Projected::new(2000, 0.0),
        )
        .unwrap();
        assert!(
            s.objective_gap(&reference) < 1e-3,
            "{rule}: {:e}",
            s.objective_gap(&reference)
        );
    }
}
