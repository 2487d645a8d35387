//! The background claims about adaptive steps, measured: prints a table and writes
//! `out/landscapes.h5` (or the path given with `--out`).
//!
//! ```text
//! cargo run --release --example landscapes [-- --out out/landscapes.h5]
//! ```

use ravine::benchmarks::landscapes;
use ravine::{rules, AdamConfig, LbfgsConfig, Rosenbrock, RunFile, Runner, Stage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = match args.iter().position(|a| a == "--out") {
        Some(i) => args.get(i + 1).ok_or("--out needs a path")?.clone(),
        None => "out/landscapes.h5".to_string(),
    };
    let findings = landscapes::all_findings()?;
    println!("{:<3} {:<58} {:<5} measured", "#", "claim", "holds");
    for f in &findings {
        println!("{:<3} {:<58} {:<5} {}", f.id, f.claim, f.holds, f.note);
    }

    let (_, rows) = landscapes::rosenbrock_table()?;
    println!("\nRosenbrock from (-1.2, 1), one argmin executor, <= 20000 iterations, |g| < 1e-8:");
    println!(
        "{:<14} {:<20} {:>7} {:>7} {:>10} {:>11}  termination",
        "solver", "settings", "evals", "iters", "time [ms]", "final loss"
    );
    for r in &rows {
        println!(
            "{:<14} {:<20} {:>7} {:>7} {:>10.3} {:>11.3e}  {}",
            r.solver,
            r.settings,
            r.evaluations,
            r.iterations,
            r.seconds * 1e3,
            r.final_loss,
            r.termination
        );
    }

    // The run file: Adam then L-BFGS on Rosenbrock as the recorded run, with the findings and
    // the table beside it.
    let mut file = RunFile::create(&out, 0)?;
    let report = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(1e-2, AdamConfig::default())?,
            2000,
        ))
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run_observed(&mut Rosenbrock::default(), vec![-1.2, 1.0], &mut file)?;
    for f in &findings {
        f.write(&file)?;
    }
    type Column = fn(&landscapes::RosenbrockRow) -> f64;
    let columns: [(&str, Column); 4] = [
        ("evaluations", |r| r.evaluations as f64),
        ("iterations", |r| r.iterations as f64),
        ("seconds", |r| r.seconds),
        ("final_loss", |r| r.final_loss),
    ];
    for (name, get) in columns {
        let v: Vec<f64> = rows.iter().map(get).collect();
        file.write_array("rosenbrock", name, &v, &[v.len()])?;
    }
    let names: Vec<&str> = rows.iter().map(|r| r.solver.as_str()).collect();
    file.set_str("rosenbrock", "solvers", &names.join(","))?;
    let terms: Vec<String> = rows.iter().map(|r| r.termination.to_string()).collect();
    file.set_str("rosenbrock", "terminations", &terms.join(" | "))?;
    let path = file.finish()?;
    println!(
        "\nrecorded run: adam x2000 then lbfgs ({}), final loss {:.2e}; wrote {}",
        report.stages[1].termination,
        report.loss,
        path.display()
    );
    Ok(())
}
