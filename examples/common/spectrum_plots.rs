//! The spectrum example's PNGs: λmax over the run, Adam's effective steps, and the spectral
//! densities against the exact spectra.

use super::{Args, Row, Spectra};
use ravine::diagnostics::SpectralDensity;
use ravine::io::{plot_curves, plot_histogram};

/// λmax of every operator over the run, beside the stability thresholds.
pub fn plot_lambda_max(args: &Args, rows: &[Row], term_names: &[String]) -> ravine::Result<()> {
    let pts = |f: &dyn Fn(&Row) -> f64| {
        rows.iter()
            .map(|r| (r.step as f64, f(r)))
            .collect::<Vec<_>>()
    };
    let mut series = vec![
        (
            "lambda_max hessian (exact)".to_string(),
            pts(&|r| r.get("hessian_lambda_max")),
        ),
        (
            "lambda_max gauss-newton".to_string(),
            pts(&|r| r.get("gauss_newton_lambda_max")),
        ),
        (
            "lambda_max hessian (finite differences)".to_string(),
            pts(&|r| r.fd),
        ),
        ("2/lr (GD stability)".to_string(), pts(&|_| 2.0 / args.lr)),
        (
            "lambda_max(D^1/2 H D^1/2) (Adam)".to_string(),
            pts(&|r| r.get("hessian_preconditioned_sharpness")),
        ),
        (
            "38 (Adam stability, beta1 = 0.9)".to_string(),
            pts(&|_| 38.0),
        ),
    ];
    for name in term_names {
        let key = format!("hessian_lambda_max_{name}");
        series.push((
            format!("lambda_max hessian, {name} term"),
            pts(&|r| r.get(&key)),
        ));
    }
    plot_curves(
        format!("{}/lambda_max.png", args.out),
        "curvature while Adam trains the Burgers PINN",
        "step",
        "eigenvalue",
        &series,
        true,
    )?;
    Ok(())
}

/// The histogram of Adam's final effective steps, with the ideal step 1/λmax marked.
pub fn plot_effective_steps(args: &Args, spectra: &Spectra, eff: &[f64]) -> ravine::Result<()> {
    let lmax = spectra.hessian[spectra.hessian.len() - 1];
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
        Some(("log10 1/lambda_max (hessian)", (1.0 / lmax).log10())),
    )?;
    Ok(())
}

/// The Gauss-Newton density over log eigenvalue and the Hessian's signed density, SLQ against
/// the exact spectrum with the same smoothing.
pub fn plot_densities(args: &Args, spectra: &Spectra) -> ravine::Result<()> {
    let (hev, ev) = (&spectra.hessian, &spectra.gauss_newton);
    let (dens, hdens) = (&spectra.density, &spectra.hessian_density);
    let p = hev.len();
    let lmax = hev[p - 1];
    let grid: Vec<f64> = (0..400).map(|i| -12.0 + 16.0 * i as f64 / 399.0).collect();
    let logdens = SpectralDensity {
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
    let exact = SpectralDensity {
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

    // The Hessian's signed spectrum on a symmetric log axis, x = sign(λ) log10(1 + |λ|/τ) with
    // τ = 1e-8 λmax: the exact eigenvalues and SLQ's estimate, with the same smoothing.
    let tau = 1e-8 * lmax;
    let slog = |v: f64| v.signum() * (1.0 + v.abs() / tau).log10();
    let sgrid: Vec<f64> = (0..600).map(|i| -9.0 + 18.0 * i as f64 / 599.0).collect();
    let signed = |d: &SpectralDensity| SpectralDensity {
        nodes: d.nodes.iter().map(|v| slog(*v)).collect(),
        weights: d.weights.clone(),
        label: d.label.clone(),
    };
    let hexact = SpectralDensity {
        nodes: hev.clone(),
        weights: vec![1.0 / p as f64; p],
        label: "dense".into(),
    };
    plot_curves(
        format!("{}/hessian_density.png", args.out),
        "exact Hessian spectral density, x = sign(l) log10(1 + |l|/(1e-8 lmax))",
        "signed log eigenvalue",
        "density",
        &[
            (
                format!("SLQ ({} probes x 80 steps), smoothed", args.hessian_probes),
                sgrid
                    .iter()
                    .copied()
                    .zip(signed(hdens).smoothed(&sgrid, 0.15))
                    .collect(),
            ),
            (
                "dense spectrum (exact), same smoothing".to_string(),
                sgrid
                    .iter()
                    .copied()
                    .zip(signed(&hexact).smoothed(&sgrid, 0.15))
                    .collect(),
            ),
        ],
        false,
    )?;

    Ok(())
}
