//! Curvature while Adam trains the Burgers PINN: the exact Hessian's spectrum (whole and per
//! loss term, both ends, certified by Lanczos residuals), its Gauss-Newton part, a
//! finite-difference cross-check, Adam's effective steps, and the preconditioned sharpness
//! against the stability thresholds; at the end the dense spectra and SLQ densities.
//!
//! ```text
//! cargo run --release --example spectrum -- --help
//! ```

use clap::Parser;
use ravine::benchmarks::BurgersSetup;
use ravine::diagnostics::{
    dense_spectrum, lanczos, spectral_density, DensitySettings, FiniteDifferenceHessian,
    GaussNewton, LanczosSettings, Operator, SpectralDensity,
};
use ravine::pinn::{Pinn, PinnCurvature, PinnHessian};
use ravine::{rules, AdamConfig, Optimizer, Problem, RunFile};

#[path = "common/spectrum_plots.rs"]
mod plots;
use plots::{plot_densities, plot_effective_steps, plot_lambda_max};

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
    /// Stochastic Lanczos quadrature probes for the final Gauss-Newton density.
    #[arg(long, default_value_t = 30)]
    probes: usize,
    /// Probes for the final Hessian density (each costs 80 exact Hessian-vector products,
    /// about 6 gradients each).
    #[arg(long, default_value_t = 10)]
    hessian_probes: usize,
    /// Output directory.
    #[arg(long, default_value = "out/spectrum")]
    out: String,
}

/// One row of diagnostics: the step, the loss, the named values of [`PinnCurvature`] and the
/// finite-difference cross-check of the Hessian's λmax.
struct Row {
    step: u64,
    loss: f64,
    values: Vec<(String, f64)>,
    fd: f64,
}

impl Row {
    fn get(&self, name: &str) -> f64 {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map_or(f64::NAN, |v| v.1)
    }
}

/// The dense spectra and SLQ densities of the final Hessian and Gauss-Newton matrix.
struct Spectra {
    hessian: Vec<f64>,
    gauss_newton: Vec<f64>,
    density: SpectralDensity,
    hessian_density: SpectralDensity,
    hessian_label: String,
    gauss_newton_label: String,
}

fn main() -> ravine::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out).map_err(|e| ravine::Error::Io {
        path: args.out.clone(),
        message: e.to_string(),
    })?;
    let pinn = BurgersSetup::default().build()?;
    let term_names: Vec<String> = pinn.term_sizes().into_iter().map(|(n, _)| n).collect();
    let (theta, opt, rows) = train(&args, &pinn, &term_names)?;
    print_training_summary(&args, &rows, &term_names);
    let spectra = final_spectra(&args, &pinn, &theta)?;
    let eff = opt.effective_step().unwrap_or_default();
    print_final(&args, &rows, &spectra, &eff);
    plot_lambda_max(&args, &rows, &term_names)?;
    plot_effective_steps(&args, &spectra, &eff)?;
    plot_densities(&args, &spectra)?;
    write_run_file(&args, &rows, &spectra, &eff, &theta)
}

/// Adam on the Burgers PINN with the curvature diagnostics every `args.every` steps, printed
/// as a table; returns the final parameters, the optimizer and the rows.
fn train(
    args: &Args,
    pinn: &Pinn,
    term_names: &[String],
) -> ravine::Result<(Vec<f64>, Optimizer, Vec<Row>)> {
    let mut theta = pinn.mlp().init(args.seed);
    let p = theta.len();
    let cfg = AdamConfig::default();
    let mut opt = rules::adam(args.lr, cfg)?;
    let mut grad = vec![0.0; p];
    let mut comps = vec![0.0; pinn.component_names().len()];
    let curvature = PinnCurvature {
        beta1: cfg.b1,
        ..PinnCurvature::default()
    };
    let mut rows: Vec<Row> = Vec::new();
    println!(
        "Burgers PINN {:?}, {p} parameters; Adam lr {}; H = exact Hessian (forward-over-reverse), \
         GN = gauss-newton 2J'J, H(fd) = finite differences (cross-check)",
        pinn.mlp().widths(),
        args.lr
    );
    println!(
        "{:>6} {:>10} {:>11} {:>8} {:>11} {:>11} {:>11} {:>26} {:>11} {:>24}",
        "step",
        "loss",
        "lmax H",
        "resid",
        "lmin H",
        "lmax GN",
        "lmax H(fd)",
        "lmax H per term",
        "lmax(DHD)",
        "eff. step min/med/max"
    );
    for t in 0..=args.steps {
        let loss = pinn.evaluate(&theta, &mut grad, &mut comps)?;
        if t % args.every == 0 || t == args.steps {
            let eff = opt.effective_step();
            let values = curvature.measure(pinn, &theta, eff.as_deref())?;
            let fdh = FiniteDifferenceHessian::new(pinn, &theta, 1e-5)?;
            let fd = lanczos(
                &fdh,
                LanczosSettings {
                    tol: 1e-6,
                    max_iter: 80,
                    ..curvature.lanczos
                },
            )?
            .pairs[0]
                .value;
            let row = Row {
                step: t,
                loss,
                values,
                fd,
            };
            println!(
                "{:>6} {:>10.3e} {:>11.4e} {:>8.1e} {:>11.3e} {:>11.4e} {:>11.4e} {:>26} {:>11.3e} {:>24}",
                row.step,
                row.loss,
                row.get("hessian_lambda_max"),
                row.get("hessian_lambda_max_residual"),
                row.get("hessian_lambda_min"),
                row.get("gauss_newton_lambda_max"),
                row.fd,
                term_names
                    .iter()
                    .map(|n| format!("{:.2e}", row.get(&format!("hessian_lambda_max_{n}"))))
                    .collect::<Vec<_>>()
                    .join(" "),
                row.get("hessian_preconditioned_sharpness"),
                format!(
                    "{:.1e}/{:.1e}/{:.1e}",
                    row.get("effective_step_min"),
                    row.get("effective_step_median"),
                    row.get("effective_step_max")
                )
            );
            rows.push(row);
        }
        if t < args.steps {
            opt.step(&mut theta, &grad)?;
        }
    }
    Ok((theta, opt, rows))
}

/// The stability thresholds and the last row's per-term Gauss-Newton values.
fn print_training_summary(args: &Args, rows: &[Row], term_names: &[String]) {
    let cfg = AdamConfig::default();
    let last = rows.last().expect("at least one row");
    println!(
        "\nterms: {}; Adam's stability threshold for the preconditioned sharpness: {:.0} (beta1 = {}), \
         plain gradient descent's: 2; GD's step limit 2/lr = {:.0}",
        term_names.join(", "),
        (2.0 + 2.0 * cfg.b1) / (1.0 - cfg.b1),
        cfg.b1,
        2.0 / args.lr
    );
    println!(
        "gauss-newton per term at the end: {}; its preconditioned sharpness {:.3e}",
        term_names
            .iter()
            .map(|n| format!(
                "{n} {:.3e}",
                last.get(&format!("gauss_newton_lambda_max_{n}"))
            ))
            .collect::<Vec<_>>()
            .join(", "),
        last.get("gauss_newton_preconditioned_sharpness")
    );
}

/// Dense spectra (exact Hessian, Gauss-Newton) and SLQ densities at the final parameters.
fn final_spectra(args: &Args, pinn: &Pinn, theta: &[f64]) -> ravine::Result<Spectra> {
    let hess = PinnHessian::new(pinn, theta)?;
    let hev = dense_spectrum(&hess)?;
    let jac = pinn.residual_jacobian(theta)?;
    let gn = GaussNewton::new(&jac);
    let ev = dense_spectrum(&gn)?;
    let dens = spectral_density(
        &gn,
        DensitySettings {
            probes: args.probes,
            steps: 80,
            seed: args.seed,
        },
    )?;
    let hdens = spectral_density(
        &hess,
        DensitySettings {
            probes: args.hessian_probes,
            steps: 80,
            seed: args.seed,
        },
    )?;
    Ok(Spectra {
        hessian: hev,
        gauss_newton: ev,
        density: dens,
        hessian_density: hdens,
        hessian_label: hess.label(),
        gauss_newton_label: gn.label(),
    })
}

/// The final spectra against the last Lanczos values, and Adam's steps against 1/λmax.
fn print_final(args: &Args, rows: &[Row], spectra: &Spectra, eff: &[f64]) {
    let last = rows.last().expect("at least one row");
    let (hev, ev) = (&spectra.hessian, &spectra.gauss_newton);
    let (dens, hdens) = (&spectra.density, &spectra.hessian_density);
    let p = hev.len();
    let lmax = hev[p - 1];
    let negative = hev.iter().filter(|v| **v < -1e-12 * lmax).count();
    let neg_mass: f64 = hev.iter().filter(|v| **v < 0.0).map(|v| -v).sum();
    let pos_mass: f64 = hev.iter().filter(|v| **v > 0.0).sum();
    println!(
        "final hessian spectrum (dense, p = {p}): lambda_max {:.4e} (Lanczos {:.4e}, residual {:.1e}), \
         lambda_min {:.4e} (Lanczos {:.4e}); {negative} negative eigenvalues below -1e-12 lambda_max, \
         holding {:.2}% of the absolute spectral mass",
        lmax,
        last.get("hessian_lambda_max"),
        last.get("hessian_lambda_max_residual"),
        hev[0],
        last.get("hessian_lambda_min"),
        100.0 * neg_mass / (neg_mass + pos_mass)
    );
    let gmax = ev[p - 1];
    let positive: Vec<f64> = ev.iter().copied().filter(|v| *v > 1e-12 * gmax).collect();
    println!(
        "final gauss-newton spectrum (dense): lambda_max {:.4e} (Lanczos {:.4e}), smallest positive {:.3e}, \
         {} of {p} eigenvalues below 1e-12 lambda_max; SLQ mean {:.4e} vs trace/p {:.4e}; \
         hessian SLQ mean {:.4e} vs trace/p {:.4e}",
        gmax,
        last.get("gauss_newton_lambda_max"),
        positive.first().copied().unwrap_or(f64::NAN),
        p - positive.len(),
        dens.integrate(|t| t),
        ev.iter().sum::<f64>() / p as f64,
        hdens.integrate(|t| t),
        hev.iter().sum::<f64>() / p as f64
    );
    let above = eff.iter().filter(|d| **d > 1.0 / lmax).count();
    println!(
        "Adam's effective steps at the end: {} of {p} exceed the ideal step 1/lambda_max(H) = {:.3e}; \
         preconditioned sharpness {:.3e} (threshold 38), lambda_max(H) * lr = {:.3e} (GD threshold 2)",
        above,
        1.0 / lmax,
        last.get("hessian_preconditioned_sharpness"),
        lmax * args.lr
    );
}

/// Every named diagnostic per row, the final spectra and the operators' labels.
fn write_run_file(
    args: &Args,
    rows: &[Row],
    spectra: &Spectra,
    eff: &[f64],
    theta: &[f64],
) -> ravine::Result<()> {
    let (hev, ev) = (&spectra.hessian, &spectra.gauss_newton);
    let (dens, hdens) = (&spectra.density, &spectra.hessian_density);
    let p = theta.len();
    let file = RunFile::create(format!("{}/spectrum.h5", args.out), args.seed)?;
    let k = rows.len();
    let col = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    file.write_array("spectrum", "step", &col(&|r| r.step as f64), &[k])?;
    file.write_array("spectrum", "loss", &col(&|r| r.loss), &[k])?;
    file.write_array("spectrum", "hessian_fd_lambda_max", &col(&|r| r.fd), &[k])?;
    for (name, _) in &rows[0].values {
        file.write_array("spectrum", name, &col(&|r| r.get(name)), &[k])?;
    }
    file.set_str("spectrum", "hessian", &spectra.hessian_label)?;
    file.set_str("spectrum", "gauss_newton", &spectra.gauss_newton_label)?;
    file.set_str(
        "spectrum",
        "hessian_fd",
        "hessian by central differences of gradients (cross-check only)",
    )?;
    file.set_attr("spectrum", "learning_rate", args.lr)?;
    file.write_array("final", "hessian_eigenvalues", hev, &[p])?;
    file.write_array("final", "gauss_newton_eigenvalues", ev, &[p])?;
    file.write_array("final", "effective_steps", eff, &[eff.len()])?;
    for (prefix, d) in [("slq", &dens), ("hessian_slq", &hdens)] {
        file.write_array(
            "final",
            &format!("{prefix}_nodes"),
            &d.nodes,
            &[d.nodes.len()],
        )?;
        file.write_array(
            "final",
            &format!("{prefix}_weights"),
            &d.weights,
            &[d.weights.len()],
        )?;
    }
    file.write_array("final", "params", theta, &[p])?;
    let written = file.finish()?;
    println!(
        "wrote {} and lambda_max.png, effective_steps.png, density.png, hessian_density.png in {}",
        written.display(),
        args.out
    );
    Ok(())
}
