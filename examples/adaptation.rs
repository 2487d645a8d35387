//! The background's application claims about adapting the step beyond Adam, each built from
//! ravine transforms and measured: prints a table (claim, verdict, the numbers), writes
//! `out/adaptation.h5` and a PNG per experiment in `out/adaptation/`.
//!
//! ```text
//! cargo run --release --example adaptation [-- --quick] [-- --out out/adaptation.h5]
//! ```
//!
//! `--quick` uses fewer seeded runs in experiments 3, 6 and 7 (40 % of the runs; under a
//! minute); the verdicts are the same.

use ravine::benchmarks::adaptation;
use ravine::io::plot_curves;
use ravine::RunFile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = match args.iter().position(|a| a == "--out") {
        Some(i) => args.get(i + 1).ok_or("--out needs a path")?.clone(),
        None => "out/adaptation.h5".to_string(),
    };
    let plots = std::path::Path::new(&out).with_extension("");
    std::fs::create_dir_all(&plots)?;
    let start = std::time::Instant::now();
    let mut findings = adaptation::adaptation_findings(quick)?;
    findings.sort_by_key(|f| f.id);
    println!("{:<3} {:<58} {:<14} measured", "#", "claim", "verdict");
    for f in &findings {
        let verdict = if f.holds { "holds" } else { "does not hold" };
        println!("{:<3} {:<58} {:<14} {}", f.id, f.claim, verdict, f.note);
    }
    let file = RunFile::create(&out, 0)?;
    file.set_str("/", "mode", if quick { "quick" } else { "full" })?;
    for f in &findings {
        f.write(&file)?;
        let series: Vec<(String, Vec<(f64, f64)>)> = f
            .curves
            .iter()
            .filter(|(_, pts)| !pts.is_empty())
            .cloned()
            .collect();
        if !series.is_empty() {
            let png = plots.join(format!("claim_{:02}.png", f.id));
            plot_curves(&png, f.claim, f.axes[0], f.axes[1], &series, f.log_y)?;
        }
    }
    let path = file.finish()?;
    println!(
        "\n{} of {} claims hold as stated; {:.1} s; wrote {} and {}/claim_NN.png",
        findings.iter().filter(|f| f.holds).count(),
        findings.len(),
        start.elapsed().as_secs_f64(),
        path.display(),
        plots.display()
    );
    Ok(())
}
