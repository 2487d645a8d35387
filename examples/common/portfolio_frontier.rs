//! The portfolio example's efficient frontier: a warm-started rule along the targets, a
//! certified reference at each point, the run file's `/frontier` group and two PNGs.

use super::Args;
use ravine::io::{plot_frontier, plot_stacked_weights};
use ravine::portfolio::{
    efficient_frontier, portfolio_rule, FrontierSettings, MeanVariance, Returns,
};
use ravine::RunFile;

/// The efficient frontier by a warm-started rule, with a reference per point; plots.
pub fn frontier_study(
    args: &Args,
    returns: &Returns,
    mv: &MeanVariance,
    file: &RunFile,
) -> ravine::Result<()> {
    let n = returns.assets_len();
    let vol = returns.volatility();
    let settings = FrontierSettings {
        points: args.frontier,
        max_iters: args.steps * 5,
        tol: args.tol,
        ..FrontierSettings::default()
    };
    let t0 = std::time::Instant::now();
    let frontier = efficient_frontier(mv, settings, |_| {
        portfolio_rule(&args.frontier_rule, mv, args.steps)
    })?;
    let secs = t0.elapsed().as_secs_f64();
    let mut worst_kkt: f64 = 0.0;
    let mut worst_ref_kkt: f64 = 0.0;
    let mut worst_werr: f64 = 0.0;
    let mut worst_gap: f64 = 0.0;
    let mut iters = 0;
    for p in &frontier {
        worst_kkt = worst_kkt.max(p.solution.certificate.worst());
        iters += p.solution.iterations;
        if let Some(r) = &p.reference {
            worst_ref_kkt = worst_ref_kkt.max(r.certificate.worst());
            worst_werr = worst_werr.max(p.solution.weight_error(r));
            worst_gap = worst_gap.max(p.solution.objective_gap(r).abs());
        }
    }
    println!(
        "\nefficient frontier: {} points by projected {} (warm-started), {iters} steps in total, {secs:.2} s \
         (with a Clarabel reference per point)\n  worst KKT residual {worst_kkt:.1e} (reference {worst_ref_kkt:.1e}); \
         worst max|dw| {worst_werr:.1e}; worst rel gap {worst_gap:.1e}: {}",
        frontier.len(),
        args.frontier_rule,
        if worst_kkt <= 1e-8 { "KKT passes at every point" } else { "KKT FAILS somewhere" }
    );
    let k = frontier.len();
    let targets: Vec<f64> = frontier.iter().map(|p| p.target).collect();
    let vols: Vec<f64> = frontier.iter().map(|p| p.volatility).collect();
    let weights: Vec<f64> = frontier
        .iter()
        .flat_map(|p| p.solution.weights.clone())
        .collect();
    let kkt: Vec<f64> = frontier
        .iter()
        .map(|p| p.solution.certificate.worst())
        .collect();
    let werr: Vec<f64> = frontier
        .iter()
        .map(|p| {
            p.reference
                .as_ref()
                .map_or(f64::NAN, |r| p.solution.weight_error(r))
        })
        .collect();
    file.write_array("frontier", "target_return", &targets, &[k])?;
    file.write_array("frontier", "volatility", &vols, &[k])?;
    file.write_array("frontier", "weights", &weights, &[k, n])?;
    file.write_array("frontier", "kkt_worst", &kkt, &[k])?;
    file.write_array("frontier", "max_weight_error", &werr, &[k])?;
    let ann = 252f64;
    let curve: Vec<(f64, f64)> = frontier
        .iter()
        .map(|p| (p.volatility * ann.sqrt(), p.target * ann))
        .collect();
    let means = returns.mean();
    let assets: Vec<(String, f64, f64)> = (0..n)
        .map(|i| {
            (
                returns.assets()[i].clone(),
                vol[i] * ann.sqrt(),
                means[i] * ann,
            )
        })
        .collect();
    plot_frontier(
        format!("{}/frontier.png", args.out),
        &curve,
        &assets,
        "S&P 500 sample: long-only efficient frontier (annualised)",
    )?;
    let ann_targets: Vec<f64> = targets.iter().map(|t| t * ann).collect();
    plot_stacked_weights(
        format!("{}/frontier_weights.png", args.out),
        &ann_targets,
        &weights,
        returns.assets(),
        "target return (annualised)",
        "weights along the efficient frontier",
    )?;

    Ok(())
}
