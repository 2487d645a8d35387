//! Mean-variance portfolios on the S&P 500 sample: every projected update rule and argmin's
//! L-BFGS against a certified Clarabel optimum, the efficient frontier, and what Adam's second
//! moment says about risk.
//!
//! ```text
//! cargo run --release --example portfolio -- --help
//! ```

use clap::Parser;
use ravine::io::plot_history;
use ravine::portfolio::{
    default_lbfgs, ewma_covariance, ledoit_wolf, portfolio_rule, sample_covariance, solve_clarabel,
    solve_lbfgs_softmax, solve_projected, solve_reference, Constraints, MeanVariance, Objective,
    PriceTable, Projected, QpForm, QpSettings, Returns, RiskModel, RiskReport, Solution,
    TRADING_DAYS,
};
use ravine::{rules, RunFile};

#[path = "common/portfolio_studies.rs"]
mod studies;
use studies::{adam_risk_study, curvature};
#[path = "common/portfolio_frontier.rs"]
mod frontier;
use frontier::frontier_study;

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
    file.set_str(
        "/",
        "objective_convention",
        "ravine minimises f(w) = 1/2 w'Sw (min-variance) or (gamma/2) w'Sw - mu'w (utility, \
         the negative of the mean-variance utility); S and mu per period (daily returns); \
         risk attributes daily and annualised over 252 trading days",
    )?;
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

    let risk = RiskReport::of(&problem, &reference.weights, TRADING_DAYS)?;
    println!(
        "  optimum: return {:.3e}/day ({:.2} %/year), volatility {:.3e}/day ({:.2} %/year)",
        risk.expected_return,
        100.0 * risk.annual_return,
        risk.volatility,
        100.0 * risk.annual_volatility
    );
    write_rows(args, file, &problem, &reference, &rows)?;
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
    problem: &MeanVariance,
    reference: &Solution,
    rows: &[Row],
) -> ravine::Result<()> {
    let (objective, n) = (problem.objective_kind(), problem.dim());
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
        let risk = RiskReport::of(problem, &r.solution.weights, TRADING_DAYS)?;
        for (name, v) in [
            ("return_daily", risk.expected_return),
            ("return_annual", risk.annual_return),
            ("variance_daily", risk.variance),
            ("volatility_daily", risk.volatility),
            ("volatility_annual", risk.annual_volatility),
        ] {
            file.set_attr(&g, name, v)?;
        }
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
