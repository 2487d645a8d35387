//! Curvature while Adam trains the Burgers PINN: the Gauss-Newton spectrum (whole and per
//! loss term), a finite-difference Hessian cross-check, Adam's effective steps, and the
//! preconditioned sharpness against the stability thresholds.
//!
//! ```text
//! cargo run --release --example spectrum -- --help
//! ```

use clap::Parser;
use ravine::diagnostics::{
    dense_spectrum, lanczos, spectral_density, CurvatureReport, FiniteDifferenceHessian,
    GaussNewton, LanczosSettings, ReportSettings,
};
use ravine::io::{plot_curves, plot_histogram};
use ravine::pinn::BurgersSetup;
use ravine::{rules, AdamConfig, Problem, RunFile};

#[derive(Parser, Debug)]
#[command(about = "Spectra beside Adam's steps while training the Burgers PINN")]
struct Args {
    /// Adam steps.
    #[arg(long, default_value_t = 3000)]
    steps: u64,
    /// Diagnostics every k steps.
    #[arg(long, default_value_t = 500)]
    every: u64,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Seed of the network's initialisation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stochastic Lanczos quadrature probes for the final density.
    #[arg(long, default_value_t = 30)]
    probes: usize,
    /// Output directory.
    #[arg(long, default_value = "out/spectrum")]
    out: String,
}

struct Row {
    step: u64,
    loss: f64,
    gn: f64,
    gn_residual: f64,
    fd: f64,
    terms: Vec<f64>,
    sharp: f64,
    eff: [f64; 4],
}

fn main() -> ravine::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out).map_err(|e| ravine::Error::Io {
        path: args.out.clone(),
        message: e.to_string(),
    })?;
    let pinn = BurgersSetup::default().build()?;
    let mut theta = pinn.mlp().init(args.seed);
    let p = theta.len();
    let cfg = AdamConfig::default();
    let mut opt = rules::adam(args.lr, cfg)?;
    let mut grad = vec![0.0; p];
    let mut comps = vec![0.0; pinn.component_names().len()];
    let settings = ReportSettings {
        dense_limit: 0,
        beta1: cfg.b1,
        ..ReportSettings::default()
    };
    let lsettings = LanczosSettings {
        tol: 1e-8,
        ..LanczosSettings::default()
    };
    let mut rows: Vec<Row> = Vec::new();
    let mut term_names = Vec::new();
    println!(
        "Burgers PINN {:?}, {p} parameters; Adam lr {}; curvature = gauss-newton 2J'J (exact), hessian by finite differences as a cross-check",
        pinn.mlp().widths(),
        args.lr
    );
    println!(
        "{:>6} {:>10} {:>11} {:>8} {:>11} {:>26} {:>9} {:>11} {:>24}",
        "step",
        "loss",
        "lmax GN",
        "resid",
        "lmax H(fd)",
        "lmax GN per term",
        "2/lr",
        "lmax(DHD)",
        "eff. step min/med/max"
    );
    for t in 0..=args.steps {
        let loss = pinn.evaluate(&theta, &mut grad, &mut comps)?;
        if t % args.every == 0 || t == args.steps {
            let jac = pinn.residual_jacobian(&theta)?;
            term_names = jac.terms.iter().map(|(n, _)| n.clone()).collect();
            let gn = GaussNewton::new(&jac);
            let eff = opt.effective_step();
            let floor = args.lr / cfg.eps;
            let report =
                CurvatureReport::compute(&gn, eff.as_deref().map(|d| (d, Some(floor))), settings)?;
            let mut terms = Vec::new();
            for name in &term_names {
                let op = GaussNewton::term(&jac, name)?;
                terms.push(lanczos(&op, lsettings)?.pairs[0].value);
            }
            let fdh = FiniteDifferenceHessian::new(&pinn, &theta, 1e-5)?;
            let fd = lanczos(
                &fdh,
                LanczosSettings {
                    tol: 1e-6,
                    max_iter: 80,
                    ..lsettings
                },
            )?
            .pairs[0]
                .value;
            let st = report.steps.clone();
            let effs = st.map_or([f64::NAN; 4], |s| [s.min, s.median, s.max, s.at_floor]);
            let row = Row {
                step: t,
                loss,
                gn: report.lambda_max,
                gn_residual: report.lambda_max_residual,
                fd,
                terms,
                sharp: report.preconditioned_sharpness.unwrap_or(f64::NAN),
                eff: effs,
            };
            println!(
                "{:>6} {:>10.3e} {:>11.4e} {:>8.1e} {:>11.4e} {:>26} {:>9.0} {:>11.3e} {:>24}",
                row.step,
                row.loss,
                row.gn,
                row.gn_residual,
                row.fd,
                row.terms
                    .iter()
                    .map(|v| format!("{v:.2e}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                2.0 / args.lr,
                row.sharp,
                format!("{:.1e}/{:.1e}/{:.1e}", row.eff[0], row.eff[1], row.eff[2])
            );
            rows.push(row);
        }
        if t < args.steps {
            opt.step(&mut theta, &grad)?;
        }
    }
    let last = rows.last().expect("at least one row");
    println!(
        "\nterms: {}; Adam's stability threshold for the preconditioned sharpness: {:.0} (beta1 = {}), \
         plain gradient descent's: 2",
        term_names.join(", "),
        (2.0 + 2.0 * cfg.b1) / (1.0 - cfg.b1),
        cfg.b1
    );

    // Final spectrum: dense Gauss-Newton eigenvalues and the SLQ density.
    let jac = pinn.residual_jacobian(&theta)?;
    let gn = GaussNewton::new(&jac);
    let ev = dense_spectrum(&gn)?;
    let dens = spectral_density(&gn, args.probes, 80, args.seed)?;
    let lmax = ev[p - 1];
    let positive: Vec<f64> = ev.iter().copied().filter(|v| *v > 1e-12 * lmax).collect();
    println!(
        "final gauss-newton spectrum (dense, p = {p}): lambda_max {:.4e} (Lanczos {:.4e}, residual {:.1e}), \
         smallest positive {:.3e}, {} of {p} eigenvalues below 1e-12 lambda_max; SLQ mean {:.4e} vs trace/p {:.4e}",
        lmax,
        last.gn,
        last.gn_residual,
        positive.first().copied().unwrap_or(f64::NAN),
        p - positive.len(),
        dens.integrate(|t| t),
        ev.iter().sum::<f64>() / p as f64
    );
    let eff = opt.effective_step().unwrap_or_default();
    let above = eff.iter().filter(|d| **d > 1.0 / lmax).count();
    println!(
        "Adam's effective steps at the end: {} of {p} exceed the ideal step 1/lambda_max = {:.3e}; \
         preconditioned sharpness {:.3e} (threshold 38), lambda_max * lr = {:.3e} (GD threshold 2)",
        above,
        1.0 / lmax,
        last.sharp,
        lmax * args.lr
    );

    // Plots.
    let pts = |f: &dyn Fn(&Row) -> f64| {
        rows.iter()
            .map(|r| (r.step as f64, f(r)))
            .collect::<Vec<_>>()
    };
    let mut series = vec![
        ("lambda_max gauss-newton".to_string(), pts(&|r| r.gn)),
        (
            "lambda_max hessian (finite differences)".to_string(),
            pts(&|r| r.fd),
        ),
        ("2/lr (GD stability)".to_string(), pts(&|_| 2.0 / args.lr)),
        (
            "lambda_max(D^1/2 GN D^1/2) (Adam)".to_string(),
            pts(&|r| r.sharp),
        ),
        (
            "38 (Adam stability, beta1 = 0.9)".to_string(),
            pts(&|_| 38.0),
        ),
    ];
    for (k, name) in term_names.iter().enumerate() {
        series.push((format!("lambda_max GN, {name} term"), pts(&|r| r.terms[k])));
    }
    plot_curves(
        format!("{}/lambda_max.png", args.out),
        "curvature while Adam trains the Burgers PINN",
        "step",
        "eigenvalue",
        &series,
        true,
    )?;
    let logs: Vec<f64> = eff
        .iter()
        .filter(|d| **d > 0.0)
        .map(|d| d.log10())
        .collect();
    plot_histogram(
        format!("{}/effective_steps.png", args.out),
        "Adam's effective steps at the end of the run",
        "log10 effective step",
        &logs,
        40,
        Some(("log10 1/lambda_max (gauss-newton)", (1.0 / lmax).log10())),
    )?;
    let grid: Vec<f64> = (0..400).map(|i| -12.0 + 16.0 * i as f64 / 399.0).collect();
    let logdens = ravine::diagnostics::SpectralDensity {
        nodes: dens
            .nodes
            .iter()
            .map(|v| v.max(1e-300).log10().max(-12.0))
            .collect(),
        weights: dens.weights.clone(),
        label: dens.label.clone(),
    };
    let smooth = logdens.smoothed(&grid, 0.15);
    // The exact spectrum with the same smoothing: SLQ's Ritz values cannot resolve the cluster
    // of tiny eigenvalues, which it lumps into one node near its smallest Ritz value.
    let exact = ravine::diagnostics::SpectralDensity {
        nodes: ev
            .iter()
            .map(|v| v.max(1e-300).log10().max(-12.0))
            .collect(),
        weights: vec![1.0 / p as f64; p],
        label: "dense".into(),
    };
    let exact_smooth = exact.smoothed(&grid, 0.15);
    plot_curves(
        format!("{}/density.png", args.out),
        "gauss-newton spectral density over log10 eigenvalue (eigenvalues < 1e-12 piled at -12)",
        "log10 eigenvalue",
        "density",
        &[
            (
                format!(
                    "SLQ ({} probes x 80 steps), smoothed 0.15 decades",
                    args.probes
                ),
                grid.iter().copied().zip(smooth).collect(),
            ),
            (
                "dense spectrum (exact), same smoothing".to_string(),
                grid.iter().copied().zip(exact_smooth).collect(),
            ),
        ],
        false,
    )?;

    // Run file.
    let file = RunFile::create(format!("{}/spectrum.h5", args.out), args.seed)?;
    let col = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let k = rows.len();
    for (name, v) in [
        ("step", col(&|r| r.step as f64)),
        ("loss", col(&|r| r.loss)),
        ("lambda_max_gauss_newton", col(&|r| r.gn)),
        ("lambda_max_residual", col(&|r| r.gn_residual)),
        ("lambda_max_hessian_fd", col(&|r| r.fd)),
        ("preconditioned_sharpness", col(&|r| r.sharp)),
        ("effective_step_min", col(&|r| r.eff[0])),
        ("effective_step_median", col(&|r| r.eff[1])),
        ("effective_step_max", col(&|r| r.eff[2])),
        ("effective_step_at_floor", col(&|r| r.eff[3])),
    ] {
        file.write_array("spectrum", name, &v, &[k])?;
    }
    for (j, name) in term_names.iter().enumerate() {
        file.write_array(
            "spectrum",
            &format!("lambda_max_gauss_newton_{name}"),
            &col(&|r| r.terms[j]),
            &[k],
        )?;
    }
    let g = file.group("spectrum")?;
    file.set_str(&g, "operator", &gn_label(&jac))?;
    file.set_str(
        &g,
        "cross_check",
        "hessian by central differences of gradients (cross-check only)",
    )?;
    file.set_attr(&g, "learning_rate", args.lr)?;
    file.write_array("final", "gauss_newton_eigenvalues", &ev, &[p])?;
    file.write_array("final", "effective_steps", &eff, &[eff.len()])?;
    file.write_array("final", "slq_nodes", &dens.nodes, &[dens.nodes.len()])?;
    file.write_array("final", "slq_weights", &dens.weights, &[dens.weights.len()])?;
    file.write_array("final", "params", &theta, &[p])?;
    let written = file.finish()?;
    println!(
        "wrote {} and lambda_max.png, effective_steps.png, density.png in {}",
        written.display(),
        args.out
    );
    Ok(())
}

fn gn_label(jac: &ravine::pinn::ResidualJacobian) -> String {
    use ravine::diagnostics::Operator;
    GaussNewton::new(jac).label()
}
