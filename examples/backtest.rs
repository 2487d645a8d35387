//! A walk-forward backtest on the S&P 500 sample: long-only minimum-variance portfolios from
//! several covariance estimators (each solved by a projected update rule and certified), and
//! the equal-weight portfolio, rebalanced every `--rebalance` days on a rolling or expanding
//! window; out-of-sample return, volatility, Sharpe ratio, drawdown and turnover.
//!
//! ```text
//! cargo run --release --example backtest -- --help
//! ```

use clap::Parser;
use ravine::io::{plot_curves, plot_heatmap};
use ravine::portfolio::{
    backtest, portfolio_rule, solve_projected, Backtest, BacktestSettings, Certificate,
    Constraints, Estimator, MeanVariance, Objective, PriceTable, Projected, Returns, Window,
    TRADING_DAYS,
};
use ravine::RunFile;

#[derive(Parser, Debug)]
#[command(about = "Walk-forward backtest of minimum-variance portfolios on the S&P 500 sample")]
struct Args {
    /// Price table (CSV, optionally .gz): Date column, one column per asset.
    #[arg(long, default_value = "data/sp500/sp500_dataset.csv.gz")]
    data: String,
    /// Estimation window in trading days.
    #[arg(long, default_value_t = 504)]
    window: usize,
    /// An expanding window (starting at --window days) instead of a rolling one.
    #[arg(long)]
    expanding: bool,
    /// Rebalance every this many trading days.
    #[arg(long, default_value_t = 21)]
    rebalance: usize,
    /// Update rule that solves each minimum-variance problem (any of ravine::rules::NAMES).
    #[arg(long, default_value = "nesterov")]
    rule: String,
    /// Its step budget per rebalance.
    #[arg(long, default_value_t = 20_000)]
    steps: u64,
    /// EWMA half-life in days.
    #[arg(long, default_value_t = 60.0)]
    half_life: f64,
    /// Factors of the statistical factor model.
    #[arg(long, default_value_t = 3)]
    factors: usize,
    /// Output folder.
    #[arg(long, default_value = "out/backtest")]
    out: String,
}

/// One strategy's run and the worst KKT residual of its solves.
struct Run {
    name: String,
    result: Backtest,
    worst_kkt: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let returns = PriceTable::from_csv(&a.data)?.returns();
    let n = returns.assets_len();
    let settings = BacktestSettings {
        window: if a.expanding {
            Window::Expanding(a.window)
        } else {
            Window::Rolling(a.window)
        },
        rebalance_every: a.rebalance,
        periods_per_year: TRADING_DAYS,
    };
    println!(
        "{n} assets, {} periods {} .. {}; {:?} window, rebalancing every {} days, min-variance by {}",
        returns.periods(),
        returns.dates()[0],
        returns.dates()[returns.periods() - 1],
        settings.window,
        a.rebalance,
        a.rule
    );
    let mut runs = vec![Run {
        name: "equal weight".into(),
        result: backtest(&returns, &settings, |_: &Returns| {
            Ok(vec![1.0 / n as f64; n])
        })?,
        worst_kkt: 0.0,
    }];
    for est in [
        Estimator::Sample,
        Estimator::LedoitWolf,
        Estimator::Ewma {
            half_life: a.half_life,
        },
        Estimator::Factor { factors: a.factors },
    ] {
        let t = std::time::Instant::now();
        let mut worst = 0.0f64;
        let result = backtest(&returns, &settings, |window: &Returns| {
            let risk = est.estimate(window)?;
            let p = MeanVariance::new(
                risk,
                window.mean(),
                Objective::MinVariance,
                Constraints::long_only(n),
            )?;
            let rule = portfolio_rule(&a.rule, &p, a.steps)?;
            let s = solve_projected(&p, rule, &Projected::new(a.steps, 1e-13))?;
            worst = worst.max(Certificate::of(&p, &s.weights)?.worst());
            Ok(s.weights)
        })?;
        println!(
            "  {:<14} {} rebalances in {:.1} s",
            est.name(),
            result.rebalances.len(),
            t.elapsed().as_secs_f64()
        );
        runs.push(Run {
            name: format!("min-var {}", est.name()),
            result,
            worst_kkt: worst,
        });
    }

    println!(
        "\n| strategy | annual return | annual volatility | Sharpe | max drawdown | turnover / rebalance | worst KKT |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in &runs {
        let s = &r.result.stats;
        println!(
            "| {} | {:.2} % | {:.2} % | {:.3} | {:.1} % | {:.3} | {:.1e} |",
            r.name,
            100.0 * s.annual_return,
            100.0 * s.annual_volatility,
            s.sharpe,
            100.0 * s.max_drawdown,
            s.mean_turnover,
            r.worst_kkt
        );
    }
    write(&a, &returns, &runs)?;
    Ok(())
}

/// The run file (one group per strategy) and the plots.
fn write(a: &Args, returns: &Returns, runs: &[Run]) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&a.out)?;
    let n = returns.assets_len();
    let file = RunFile::create(format!("{}/backtest.h5", a.out), 0)?;
    file.set_str("/", "assets", &returns.assets().join(","))?;
    file.set_str("/", "data", &a.data)?;
    file.set_attr("/", "window", a.window as u64)?;
    file.set_attr("/", "expanding", u64::from(a.expanding))?;
    file.set_attr("/", "rebalance_every", a.rebalance as u64)?;
    file.set_str("/", "rule", &a.rule)?;
    let mut wealth = Vec::new();
    for r in runs {
        let g = format!("strategies/{}", r.name.replace(' ', "_"));
        let b = &r.result;
        let m = b.returns.len();
        file.write_array(&g, "returns", &b.returns, &[m])?;
        file.write_array(&g, "wealth", &b.wealth, &[m])?;
        let idx: Vec<f64> = b.rebalances.iter().map(|&i| i as f64).collect();
        file.write_array(&g, "rebalance_index", &idx, &[idx.len()])?;
        let w: Vec<f64> = b.weights.concat();
        file.write_array(&g, "weights", &w, &[b.weights.len(), n])?;
        file.write_array(&g, "turnover", &b.turnovers, &[b.turnovers.len()])?;
        let s = &b.stats;
        for (k, v) in [
            ("annual_return", s.annual_return),
            ("annual_volatility", s.annual_volatility),
            ("sharpe", s.sharpe),
            ("max_drawdown", s.max_drawdown),
            ("mean_turnover", s.mean_turnover),
            ("total_return", s.total_return),
            ("worst_kkt", r.worst_kkt),
        ] {
            file.set_attr(&g, k, v)?;
        }
        let years = |i: usize| i as f64 / TRADING_DAYS;
        wealth.push((
            r.name.clone(),
            b.wealth
                .iter()
                .enumerate()
                .map(|(i, w)| (years(i), *w))
                .collect(),
        ));
    }
    let first = runs[0].result.dates.first().cloned().unwrap_or_default();
    file.set_str("/", "first_out_of_sample_date", &first)?;
    let path = file.finish()?;
    plot_curves(
        format!("{}/wealth.png", a.out),
        &format!("Wealth out of sample (from {first})"),
        "years",
        "wealth",
        &wealth,
        true,
    )?;
    // Weights over time of the sample-covariance strategy: assets × rebalances.
    if let Some(r) = runs.iter().find(|r| r.name == "min-var sample") {
        let b = &r.result;
        let k = b.weights.len();
        if k >= 2 {
            // plot_heatmap's layout: "x" (here the asset) fastest, "t" (the rebalance) rows.
            let values: Vec<f64> = b.weights.concat();
            plot_heatmap(
                format!("{}/weights_sample.png", a.out),
                &values,
                (n, k),
                (0.0, (n - 1) as f64),
                (0.0, (k - 1) as f64),
                "min-var sample: weight of each asset (vertical) at each rebalance",
            )?;
        }
    }
    println!("wrote {} and PNGs in {}", path.display(), a.out);
    Ok(())
}
