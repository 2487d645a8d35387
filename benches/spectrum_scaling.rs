//! Lanczos top-1 against the full dense spectrum, p = 1000, 3000, 5000, side by side:
//! the Hessian `γΣ` of synthetic factor markets (20 factors) restricted to the budget's
//! tangent space (the operator a constrained optimizer sees), applied matrix-free in O(pk).
//!
//! cargo bench --bench spectrum_scaling [-- --sizes 1000,3000,5000]

use ravine::diagnostics::{dense_spectrum, lanczos, LanczosSettings, TangentRestriction};
use ravine::portfolio::{Constraints, FactorModel, MeanVariance, Objective, PortfolioHessian};
use std::sync::Arc;
use std::time::Instant;

fn main() -> ravine::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 3000, 5000]);
    println!(
        "{:>6} {:>12} {:>12} {:>10} {:>12} {:>12} {:>9}",
        "p", "dense s", "lanczos s", "products", "rel error", "residual", "speed-up"
    );
    for n in sizes {
        let market = FactorModel::synthetic(n + 1, 20, 7)?;
        let problem = MeanVariance::new(
            Arc::new(market.model),
            market.mean,
            Objective::Utility { gamma: 5.0 },
            Constraints::long_only(n + 1),
        )?;
        let h = PortfolioHessian::new(&problem);
        let op = TangentRestriction::new(&h, &[vec![1.0; n + 1]], "the budget")?;
        let t0 = Instant::now();
        let ev = dense_spectrum(&op)?;
        let dense_s = t0.elapsed().as_secs_f64();
        let exact = ev[ev.len() - 1];
        // Tightest tolerance whose answer is within 1e-6 relative, with its product count.
        let t0 = Instant::now();
        let r = lanczos(
            &op,
            LanczosSettings {
                k: 1,
                tol: 1e-7,
                max_iter: 500,
                seed: 1,
                ..Default::default()
            },
        )?;
        let lanczos_s = t0.elapsed().as_secs_f64();
        let pair = &r.pairs[0];
        println!(
            "{:>6} {:>12.3} {:>12.4} {:>10} {:>12.1e} {:>12.1e} {:>8.0}x",
            n,
            dense_s,
            lanczos_s,
            r.products,
            (pair.value - exact).abs() / exact,
            pair.residual / exact,
            dense_s / lanczos_s
        );
    }
    Ok(())
}
