//! One projected iteration of a portfolio rule: the objective's gradient and a Nesterov step
//! projected onto the long-only simplex, for n = 20 … 5000 assets, with a dense covariance and
//! with a 20-factor model of the same matrix (synthetic market, seed 42).
//!
//! cargo bench --bench portfolio_step

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ravine::optim::{rules, Projection};
use ravine::portfolio::{Constraints, Covariance, FactorModel, MeanVariance, Objective, RiskModel};
use ravine::Problem;

/// `Σ = B F Bᵀ + diag(d)` as a dense matrix.
fn dense(model: &FactorModel) -> Covariance {
    let (n, k) = (model.idiosyncratic().len(), model.factors());
    let (b, f, d) = (
        model.loadings(),
        model.factor_covariance(),
        model.idiosyncratic(),
    );
    let mut bf = vec![0.0; n * k];
    for i in 0..n {
        for a in 0..k {
            bf[i * k + a] = (0..k).map(|c| b[i * k + c] * f[c * k + a]).sum();
        }
    }
    let mut s = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            s[i * n + j] = (0..k).map(|a| bf[i * k + a] * b[j * k + a]).sum::<f64>()
                + if i == j { d[i] } else { 0.0 };
        }
    }
    Covariance::new(n, s).expect("a covariance")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("portfolio_projected_nesterov_iteration");
    g.sample_size(20);
    for n in [20usize, 100, 500, 2000, 5000] {
        let market = FactorModel::synthetic(n, 20, 42).expect("market");
        let models: Vec<(&str, Arc<dyn RiskModel>)> = vec![
            ("dense", Arc::new(dense(&market.model))),
            ("factor", Arc::new(market.model.clone())),
        ];
        g.throughput(Throughput::Elements(n as u64));
        for (form, risk) in models {
            let problem = MeanVariance::new(
                risk,
                market.mean.clone(),
                Objective::MinVariance,
                Constraints::long_only(n),
            )
            .expect("problem");
            let set: Arc<dyn Projection> = problem.constraints().clone();
            let mut opt = rules::nesterov(0.1, 0.9).expect("rule").project_onto(set);
            let mut w = problem.initial_point();
            let mut grad = vec![0.0; n];
            let mut parts = vec![0.0; problem.component_names().len()];
            g.bench_with_input(BenchmarkId::new(form, n), &n, |bch, _| {
                bch.iter(|| {
                    problem
                        .evaluate(&w, &mut grad, &mut parts)
                        .expect("gradient");
                    opt.step(&mut w, &grad).expect("step");
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
