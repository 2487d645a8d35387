//! Mean-variance portfolios on the S&P 500 sample: every projected update rule and argmin's
//! L-BFGS against a certified Clarabel optimum, the efficient frontier, and what Adam's second
//! moment says about risk.
//!
//! ```text
//! cargo run --release --example portfolio -- --help
//! ```

use clap::Parser;
use ravine::io::{plot_frontier, plot_history, plot_stacked_weights};
use ravine::portfolio::{
    default_lbfgs, efficient_frontier, ewma_covariance, ledoit_wolf, portfolio_rule,
    sample_covariance, solve_clarabel, solve_lbfgs_softmax, solve_projected, solve_reference,
    Constraints, FrontierSettings, MeanVariance, Objective, PriceTable, Projected, QpForm,
    QpSettings, Returns, RiskModel, Solution,
};
use ravine::{rules, RunFile};

#[path = "common/portfolio_studies.rs"]
mod studies;
use studies::{adam_and_risk, curvature};

#[derive(Parser, Debug)]
#[command(about = "Markowitz portfolios by projected update rules, certified against Clarabel")]
struct Args {
    /// Price table (CSV, optionally .gz): Date column, one column per asset.
    #[arg(long, default_value = "data/sp500/sp500_dataset.csv.gz")]
    data: String,
    /// Step budget per rule.
    #[arg(long, default_value_t = 20_000)]
    steps: u64,
    /// Stop when the gradient mapping of the scaled loss is below this.
    #[arg(long, default_value_t = 1e-13)]
    tol: f64,
    /// Points on the efficient frontier.
    #[arg(long, default_value_t = 50)]
    frontier: usize,
    /// Rule used for the frontier.
    #[arg(long, default_value = "nesterov")]
    frontier_rule: String,
    /// Minibatch size (return periods) of the stochastic Adam run.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Steps of the stochastic and full-batch Adam runs.
    #[arg(long, default_value_t = 20_000)]
    adam_steps: u64,
    /// Seed of the minibatches.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Curvature diagnostics: the Hessian report (full and on the budget's tangent space), and
    /// a projected Adam run on minimum variance inspected every k steps (preconditioned
    /// sharpness, effective steps) written to adam_diagnostics.h5; 0: off.
    #[arg(long, default_value_t = 0)]
    diagnostics_every: u64,
    /// Output directory.
    #[arg(long, default_value = "out/portfolio")]
    out: String,
}

struct Row {
    solution: Solution,
    gap: f64,
    werr: f64,
}

fn print_row(r: &Row) {
    let c = &r.solution.certificate;
    println!(
        "  {:<14} {:>10.2e} {:>10.2e} {:>10.2e} {:>9.3} {:>8} {:>6}  {}",
        r.solution.solver,
        r.gap,
        r.werr,
        c.worst(),
        r.solution.seconds * 1e3,
        r.solution.iterations,
        c.support,
        r.solution.termination
    );
}

/// The best update rule on one objective against the certified optimum.
struct Acceptance {
    label: String,
    rule: String,
    gap: f64,
    werr: f64,
    pass: bool,
}

fn main() -> ravine::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out).map_err(|e| ravine::Error::Io {
        path: args.out.clone(),
        message: e.to_string(),
    })?;
    let (prices, returns) = load(&args)?;
    describe_covariances(&returns)?;
    let file = open_run_file(&args, &prices, &returns)?;
    let objectives = [
        Objective::MinVariance,
        Objective::Utility { gamma: 1.0 },
        Objective::Utility { gamma: 5.0 },
        Objective::Utility { gamma: 20.0 },
    ];
    let mut acceptance = Vec::new();
    for objective in objectives {
        acceptance.push(compare_solvers(&args, &returns, objective, &file)?);
    }
    let n = returns.assets_len();
    let mv =
        MeanVariance::from_returns(&returns, Objective::MinVariance, Constraints::long_only(n))?;
    frontier_study(&args, &returns, &mv, &file)?;
    adam_risk_study(&args, &returns, &mv, &file)?;
    if args.diagnostics_every > 0 {
        // Curvature beside the steps.
        curvature(&mv, &args)?;
    }
    println!("\nacceptance (best update rule vs certified optimum):");
    for a in &acceptance {
        println!(
            "  {:<18} {:<12} gap {:>9.1e}  max|dw| {:>9.1e}  {}",
            a.label,
            a.rule,
            a.gap,
            a.werr,
            if a.pass { "ok" } else { "FAIL" }
        );
    }
    let written = file.finish()?;
    println!("\nwrote {} and PNGs in {}", written.display(), args.out);
    Ok(())
}

/// The price table and its daily returns, with a one-line summary.
fn load(args: &Args) -> ravine::Result<(PriceTable, Returns)> {
    let prices = PriceTable::from_csv(&args.data)?;
    let returns: Returns = prices.returns();
    let (n, periods) = (returns.assets_len(), returns.periods());
    println!(
        "{}: {n} assets, {periods} daily returns, {} to {}",
        args.data,
        prices.dates()[0],
        prices.dates()[prices.dates().len() - 1]
    );
    Ok((prices, returns))
}

/// The three covariance estimators side by side (conditioning, shrinkage, scale).
fn describe_covariances(returns: &Returns) -> ravine::Result<()> {
    let sample = sample_covariance(returns)?;
    let (lmin, lmax) = sample.check_positive_definite(1e-12)?;
    let (_, shrink) = ledoit_wolf(returns)?;
    let ew = ewma_covariance(returns, 250.0)?;
    println!(
        "sample covariance: eigenvalues {lmin:.3e} .. {lmax:.3e} (condition {:.0}); \
         Ledoit-Wolf shrinkage {shrink:.4}; EWMA(half-life 250) mean variance {:.3e} vs sample {:.3e}",
        lmax / lmin,
        ew.mean_variance(),
        sample.mean_variance()
    );
    Ok(())
}

/// The run file with the data's description.
fn open_run_file(args: &Args, prices: &PriceTable, returns: &Returns) -> ravine::Result<RunFile> {
    let n = returns.assets_len();
    let file = RunFile::create(format!("{}/portfolio.h5", args.out), args.seed)?;
    file.set_str("/", "assets", &returns.assets().join(","))?;
    file.set_str("/", "first_date", &prices.dates()[0])?;
    file.set_str("/", "last_date", &prices.dates()[prices.dates().len() - 1])?;
    file.set_str("/", "data", &args.data)?;
    file.set_attr("/", "periods", returns.periods() as u64)?;
    file.write_array("data", "volatility", &returns.volatility(), &[n])?;
    file.write_array("data", "mean", &returns.mean(), &[n])?;
    Ok(file)
}

/// Every rule, Clarabel's defaults and L-BFGS on one objective against the certified optimum:
/// a table, the run file's group, and the fastest rule that meets the target.
fn compare_solvers(
    args: &Args,
    returns: &Returns,
    objective: Objective,
    file: &RunFile,
) -> ravine::Result<Acceptance> {
    let n = returns.assets_len();
    let problem = MeanVariance::from_returns(returns, objective, Constraints::long_only(n))?;
    let reference = solve_reference(&problem)?;
    let rc = &reference.certificate;
    println!(
        "\n{} (long-only, fully invested): reference f* = {:.12e}, support {}, KKT: \
         infeasibility {:.1e}, stationarity {:.1e}, sign {:.1e}, gap {:.1e}",
        objective.label(),
        rc.objective,
        rc.support,
        rc.primal_infeasibility,
        rc.stationarity,
        rc.sign_violation,
        rc.relative_gap
    );
    println!(
        "  {:<14} {:>10} {:>10} {:>10} {:>9} {:>8} {:>6}  stop",
        "solver", "rel gap", "max|dw|", "KKT", "ms", "iters", "supp"
    );
    let mut rows = Vec::new();
    let loose = solve_clarabel(
        &problem,
        QpForm::Dense,
        QpSettings::clarabel_defaults(),
        false,
    )?;
    let mut loose_row = Row {
        gap: loose.objective_gap(&reference),
        werr: loose.weight_error(&reference),
        solution: loose,
    };
    loose_row.solution.solver = "clarabel-dflt".into();
    rows.push(loose_row);
    for name in rules::NAMES {
        let opt = portfolio_rule(name, &problem, args.steps)?;
        let s = solve_projected(&problem, opt, &Projected::new(args.steps, args.tol))?;
        rows.push(Row {
            gap: s.objective_gap(&reference),
            werr: s.weight_error(&reference),
            solution: s,
        });
    }
    let lb = solve_lbfgs_softmax(&problem, default_lbfgs())?;
    rows.push(Row {
        gap: lb.objective_gap(&reference),
        werr: lb.weight_error(&reference),
        solution: lb,
    });
    for r in &rows {
        print_row(r);
    }
    // The fastest update rule that meets the target; failing that, the most accurate.
    let is_rule = |r: &&Row| rules::NAMES.contains(&r.solution.solver.as_str());
    let meets = |r: &&Row| r.gap.abs() <= 1e-10 && r.werr <= 1e-7;
    let best = rows
        .iter()
        .filter(is_rule)
        .filter(meets)
        .min_by(|a, b| a.solution.seconds.total_cmp(&b.solution.seconds))
        .or_else(|| {
            rows.iter()
                .filter(is_rule)
                .min_by(|a, b| a.werr.total_cmp(&b.werr))
        })
        .expect("rules ran");
    let pass = best.gap.abs() <= 1e-10 && best.werr <= 1e-7;
    println!(
        "  fastest update rule within target: {} (gap {:.1e}, max|dw| {:.1e}): {}",
        best.solution.solver,
        best.gap,
        best.werr,
        if pass {
            "meets gap <= 1e-10 and max|dw| <= 1e-7"
        } else {
            "MISSES the target"
        }
    );

    write_rows(args, file, objective, &reference, &rows, n)?;
    Ok(Acceptance {
        label: objective.label(),
        rule: best.solution.solver.clone(),
        gap: best.gap,
        werr: best.werr,
        pass,
    })
}

/// One group per problem and one per solver: weights, certificate, history.
fn write_rows(
    args: &Args,
    file: &RunFile,
    objective: Objective,
    reference: &Solution,
    rows: &[Row],
    n: usize,
) -> ravine::Result<()> {
    // Run file: one group per problem, one per solver.
    let label = objective.label().replace(['(', ')', '='], "_");
    let base = format!("problems/{label}");
    file.write_array(&base, "reference_weights", &reference.weights, &[n])?;
    for r in rows {
        let g = format!("{base}/{}", r.solution.solver);
        file.write_array(&g, "weights", &r.solution.weights, &[n])?;
        let c = &r.solution.certificate;
        let cert = [
            c.objective,
            c.primal_infeasibility,
            c.stationarity,
            c.sign_violation,
            c.duality_gap,
            c.relative_gap,
            c.gradient_mapping,
        ];
        file.write_array(&g, "certificate", &cert, &[cert.len()])?;
        file.set_str(&g, "certificate_fields", "objective,primal_infeasibility,stationarity,sign_violation,duality_gap,relative_gap,gradient_mapping")?;
        file.set_attr(&g, "objective_gap", r.gap)?;
        file.set_attr(&g, "max_weight_error", r.werr)?;
        file.set_attr(&g, "seconds", r.solution.seconds)?;
        file.set_attr(&g, "iterations", r.solution.iterations)?;
        file.set_str(&g, "termination", &r.solution.termination)?;
        let h = &r.solution.history.records;
        if !h.is_empty() {
            let loss: Vec<f64> = h.iter().map(|x| x.loss).collect();
            let gm: Vec<f64> = h.iter().map(|x| x.grad_norm).collect();
            let it: Vec<f64> = h.iter().map(|x| x.iteration as f64).collect();
            file.write_array(&format!("{g}/history"), "iteration", &it, &[it.len()])?;
            file.write_array(&format!("{g}/history"), "loss", &loss, &[loss.len()])?;
            file.write_array(
                &format!("{g}/history"),
                "gradient_mapping",
                &gm,
                &[gm.len()],
            )?;
        }
    }
    if objective == Objective::MinVariance {
        if let Some(r) = rows
            .iter()
            .find(|r| r.solution.solver == args.frontier_rule)
        {
            plot_history(
                format!("{}/min_variance_history.png", args.out),
                &r.solution.history,
                "min variance: scaled loss, risk and return terms",
            )?;
        }
    }
    Ok(())
}

/// The efficient frontier by a warm-started rule, with a reference per point; plots.
fn frontier_study(
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

/// Adam's second moment against each asset's volatility, stochastic and full batch.
fn adam_risk_study(
    args: &Args,
    returns: &Returns,
    mv: &MeanVariance,
    file: &RunFile,
) -> ravine::Result<()> {
    let vol = returns.volatility();
    let reference = solve_reference(mv)?;
    let mut stochastic = mv.clone().stochastic(returns, args.batch, args.seed)?;
    let mut full = mv.clone();
    let st = adam_and_risk(&mut stochastic, args.adam_steps, &vol, &reference)?;
    let fb = adam_and_risk(&mut full, args.adam_steps, &vol, &reference)?;
    println!(
        "\nAdam (lr 1e-3, projected) on minimum variance: correlation across assets of log sqrt(v_hat) \
         with log volatility\n  {:>7} {:>22} {:>22}",
        "step", "stochastic (batch)", "full batch"
    );
    println!(
        "  {:>7} {:>9} {:>12} {:>9} {:>12}",
        "", "corr", "median", "corr", "median"
    );
    for (a, b) in st.iter().zip(&fb) {
        println!(
            "  {:>7} {:>9.3} {:>12.3e} {:>9.3} {:>12.3e}   gaps {:.1e} / {:.1e}",
            a.0, a.1, a.2, b.1, b.2, a.3, b.3
        );
    }
    let flat = |v: &[(u64, f64, f64, f64)]| {
        v.iter()
            .flat_map(|r| [r.0 as f64, r.1, r.2, r.3])
            .collect::<Vec<f64>>()
    };
    file.write_array("adam_risk", "stochastic", &flat(&st), &[st.len(), 4])?;
    file.write_array("adam_risk", "full_batch", &flat(&fb), &[fb.len(), 4])?;
    file.set_str(
        "adam_risk",
        "columns",
        "step,corr_log_sqrt_v_log_vol,median_sqrt_v,objective_gap",
    )?;
    file.set_attr("adam_risk", "batch", args.batch as u64)?;

    Ok(())
}
