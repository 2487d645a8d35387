//! The benchmark matrix: every update rule, argmin's L-BFGS, dense BFGS / self-scaled BFGS /
//! self-scaled Broyden and Adam → quasi-Newton on Rosenbrock, a 50-D ill-conditioned
//! quadratic, a plateau, Burgers, Allen-Cahn, KdV and two S&P 500 portfolios, under one budget
//! of evaluations and wall time, through the same runner; each rule's learning rate swept on a
//! log grid (tuned against tuned).
//!
//! ```text
//! cargo run --release --example compare                  # the full matrix (about 15 min)
//! cargo run --release --example compare -- --quick       # the smoke test (under 2 min)
//! cargo run --release --example compare -- --problems burgers,kdv --methods adam,lbfgs
//! ```
//!
//! Writes `out/compare/compare.md` (the tables), `compare.h5` (every run's trace: the sweep
//! and every seed) and per problem PNGs of the task error against wall time and against
//! evaluations (seed 0 at the chosen rate).

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use ravine::benchmarks::compare::{self, markdown_table, Benchmark, Cell, Method, RunOutcome};
use ravine::io::plot_curves;
use ravine::portfolio::PriceTable;
use ravine::RunFile;

#[derive(Parser, Debug)]
#[command(about = "Every optimizer on every problem under one budget: the benchmark matrix")]
struct Args {
    /// Smaller budgets and rate grids, one seed (the CI smoke test).
    #[arg(long)]
    quick: bool,
    /// Seeds per cell (default 3, or 1 with --quick).
    #[arg(long)]
    seeds: Option<u64>,
    /// Only the problems whose names start with one of these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    problems: Vec<String>,
    /// Only these methods (comma-separated names as in the table; `adam-ssbfgs` for
    /// `adam→ssbfgs`).
    #[arg(long, value_delimiter = ',')]
    methods: Vec<String>,
    /// Scored rows per run, the resolution of "time to target" and of the curves (default
    /// 60, or 20 with --quick).
    #[arg(long)]
    scores: Option<u64>,
    /// The returns data for the portfolio problems.
    #[arg(long, default_value = "data/sp500/sp500_dataset.csv.gz")]
    data: PathBuf,
    /// Output directory.
    #[arg(long, default_value = "out/compare")]
    out: PathBuf,
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .trim_matches('_')
        .to_string()
}

fn write_run(file: &RunFile, group: &str, r: &RunOutcome) -> ravine::Result<()> {
    let rows: Vec<f64> = r
        .trace
        .points
        .iter()
        .flat_map(|p| {
            [
                p.evaluations as f64,
                p.seconds,
                p.loss,
                p.score.error,
                p.score.gap,
            ]
        })
        .collect();
    file.write_array(group, "trace", &rows, &[r.trace.points.len(), 5])?;
    file.set_str(group, "trace_columns", "evaluations,seconds,loss,error,gap")?;
    file.write_array(group, "losses", &r.trace.losses, &[r.trace.losses.len()])?;
    file.set_attr(group, "rate", r.rate)?;
    file.set_attr(group, "seed", r.seed)?;
    file.set_attr(group, "evaluations", r.evaluations)?;
    file.set_attr(group, "seconds", r.seconds)?;
    file.set_attr(group, "loss", r.loss)?;
    file.set_attr(group, "error", r.score.error)?;
    file.set_attr(group, "gap", r.score.gap)?;
    file.set_str(group, "termination", &r.termination)?;
    Ok(())
}

fn write_cells(file: &RunFile, bench: &Benchmark, cells: &[Cell]) -> ravine::Result<()> {
    let g = format!("problems/{}", slug(&bench.name));
    file.set_str(&g, "name", &bench.name)?;
    file.set_str(&g, "error", bench.error_label)?;
    file.set_attr(&g, "target", bench.target)?;
    file.set_attr(&g, "budget", bench.budget)?;
    file.set_attr(&g, "seconds", bench.seconds)?;
    for c in cells {
        let m = format!("{g}/{}", slug(&c.method.name()));
        file.set_str(&m, "method", &c.method.name())?;
        file.set_attr(&m, "rate", c.rate)?;
        for (i, r) in c.sweep.iter().enumerate() {
            write_run(file, &format!("{m}/sweep_{i:02}"), r)?;
        }
        for r in &c.runs {
            write_run(file, &format!("{m}/seed_{}", r.seed), r)?;
        }
    }
    Ok(())
}

fn plot_cells(dir: &std::path::Path, bench: &Benchmark, cells: &[Cell]) -> ravine::Result<()> {
    for (x_label, file, x) in [
        ("wall time [s]", "seconds", 1usize),
        ("evaluations", "evaluations", 0),
    ] {
        let series: Vec<(String, Vec<(f64, f64)>)> = cells
            .iter()
            .map(|c| {
                let pts = c.runs[0]
                    .trace
                    .points
                    .iter()
                    .map(|p| {
                        let xv = if x == 1 {
                            p.seconds
                        } else {
                            p.evaluations as f64
                        };
                        // An exact 0 is drawn at 1e-16 (the log axis has no 0).
                        (xv, p.score.error.max(1e-16))
                    })
                    .collect();
                (c.method.name(), pts)
            })
            .collect();
        plot_curves(
            dir.join(format!("{}_error_vs_{file}.png", slug(&bench.name))),
            &format!("{}: {} (seed 0, tuned rate)", bench.name, bench.error_label),
            x_label,
            bench.error_label,
            &series,
            true,
        )?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let seeds = args.seeds.unwrap_or(if args.quick { 1 } else { 3 });
    let scores = args.scores.unwrap_or(if args.quick { 20 } else { 60 });
    let methods: Vec<Method> = if args.methods.is_empty() {
        Method::all()
    } else {
        args.methods
            .iter()
            .map(|m| m.parse())
            .collect::<ravine::Result<_>>()?
    };
    let started = Instant::now();
    let returns = PriceTable::from_csv(&args.data)?.returns();
    let mut benches = compare::suite(args.quick, Some(&returns))?;
    if !args.problems.is_empty() {
        benches.retain(|b| args.problems.iter().any(|p| b.name.starts_with(p.as_str())));
        if benches.is_empty() {
            return Err(format!("no problem starts with any of {:?}", args.problems).into());
        }
    }
    let runs: u64 = benches
        .iter()
        .map(|b| {
            methods
                .iter()
                .map(|m| {
                    let rates = if m.has_rate() { b.rates.len() } else { 1 };
                    rates as u64 + seeds - 1
                })
                .sum::<u64>()
        })
        .sum();
    std::fs::create_dir_all(&args.out)?;
    let file = RunFile::create(args.out.join("compare.h5"), 0)?;
    file.set_attr("/", "seeds", seeds)?;
    file.set_attr("/", "quick", u64::from(args.quick))?;
    let bar = ProgressBar::new(runs);
    bar.set_style(ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} runs  {msg}",
    )?);
    let mut markdown = format!(
        "Benchmark matrix ({} mode, {} seed(s)), `cargo run --release --example compare{}`\n\n",
        if args.quick { "quick" } else { "full" },
        seeds,
        if args.quick { " -- --quick" } else { "" }
    );
    for bench in &benches {
        let mut cells = Vec::with_capacity(methods.len());
        for &m in &methods {
            bar.set_message(format!("{} / {}", bench.name, m.name()));
            let mut tick = |_: &RunOutcome| bar.inc(1);
            cells.push(compare::compare_cell(bench, m, seeds, scores, &mut tick)?);
        }
        let table = markdown_table(bench, &cells);
        bar.suspend(|| println!("\n{table}"));
        markdown.push_str(&table);
        markdown.push('\n');
        write_cells(&file, bench, &cells)?;
        plot_cells(&args.out, bench, &cells)?;
    }
    bar.finish_and_clear();
    let total = started.elapsed().as_secs_f64();
    markdown.push_str(&format!("Whole run: {total:.0} s.\n"));
    std::fs::write(args.out.join("compare.md"), &markdown)?;
    file.set_str("/", "table", &markdown)?;
    let h5 = file.finish()?;
    println!(
        "{} runs in {total:.0} s; wrote {}, {} and the PNGs in {}",
        runs,
        args.out.join("compare.md").display(),
        h5.display(),
        args.out.display()
    );
    Ok(())
}
