//! The portfolio example's two studies: Adam's second moment against volatility, and the
//! curvature of the problem beside the rules' steps.

use super::Args;
use ravine::diagnostics::{CurvatureReport, ReportSettings, TangentRestriction};
use ravine::portfolio::PortfolioHessian;
use ravine::portfolio::{
    portfolio_rule, solve_projected_observed, solve_reference, MeanVariance, Projected, Returns,
    Solution,
};
use ravine::{rules, Problem, RunFile};

/// Pearson correlation.
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma) * (x - ma)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb) * (y - mb)).sum();
    cov / (va * vb).sqrt()
}

pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// Runs projected Adam by hand (to read its second moment) and returns, at each checkpoint,
/// (step, corr(log √v, log σ) over assets with v > 0, median √v, objective gap).
pub fn adam_and_risk(
    problem: &mut MeanVariance,
    steps: u64,
    vol: &[f64],
    reference: &Solution,
) -> ravine::Result<Vec<(u64, f64, f64, f64)>> {
    let mut opt = rules::adam(1e-3, ravine::AdamConfig::default())?
        .project_onto(problem.constraints().clone());
    let mut w = problem.initial_point();
    let mut g = vec![0.0; w.len()];
    let mut c = vec![0.0; 2];
    let mut out = Vec::new();
    let mut next = 10;
    for t in 0..steps {
        problem.set_batch(t);
        problem.evaluate(&w, &mut g, &mut c)?;
        opt.step(&mut w, &g)?;
        if t + 1 == next || t + 1 == steps {
            let nu = opt
                .state()
                .into_iter()
                .find(|(k, _)| k.ends_with(".nu"))
                .map(|(_, v)| v)
                .unwrap_or_default();
            // Bias-corrected √v̂ = √(ν / (1 − β2^t)).
            let corr = 1.0 - 0.999f64.powi((t + 1) as i32);
            let sv: Vec<f64> = nu.iter().map(|v| (v / corr).sqrt()).collect();
            let pairs: Vec<(f64, f64)> = sv
                .iter()
                .zip(vol)
                .filter(|(s, _)| **s > 0.0)
                .map(|(s, v)| (s.ln(), v.ln()))
                .collect();
            let (a, b): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            let f = problem.objective(&w)?;
            let f_ref = reference.certificate.objective;
            out.push((
                t + 1,
                correlation(&a, &b),
                median(&sv),
                (f - f_ref) / f_ref.abs(),
            ));
            next *= 10;
        }
    }
    Ok(out)
}

/// Curvature of the scaled minimum-variance loss, on the full space and on the budget's
/// tangent space, and Adam's effective steps after a short projected run beside it.
pub fn curvature(problem: &MeanVariance, args: &Args) -> ravine::Result<()> {
    let n = problem.dim();
    let h = PortfolioHessian::of_scaled_loss(problem);
    let budget = vec![vec![1.0; n]];
    let t = TangentRestriction::new(&h, &budget, "the budget 1'w = 1")?;
    let settings = ReportSettings::default();
    let full = CurvatureReport::compute(&h, None, settings)?;
    let tangent = CurvatureReport::compute(&t, None, settings)?;
    println!("\ncurvature of the scaled minimum-variance loss (Lanczos, residual certificates):");
    for (name, r) in [
        ("gamma*Sigma/s", &full),
        ("... on the budget's tangent space", &tangent),
    ] {
        println!(
            "  {name:<34} lambda_max {:.4} (residual {:.0e}), lambda_min {:.4}, condition {:.1}, \
             1/lambda_max {:.4}, 2/lambda_max {:.4}",
            r.lambda_max,
            r.lambda_max_residual,
            r.lambda_min,
            r.condition,
            r.ideal_step,
            r.gd_limit
        );
    }
    // Projected Adam (the decaying schedule of the table) for a short run.
    let steps = args.steps.min(2000);
    let mut opt =
        portfolio_rule("adam", problem, args.steps)?.project_onto(problem.constraints().clone());
    let mut w = problem.initial_point();
    let (mut g, mut c) = (vec![0.0; n], vec![0.0; 2]);
    for _ in 0..steps {
        problem.evaluate(&w, &mut g, &mut c)?;
        opt.step(&mut w, &g)?;
    }
    let d = opt.effective_step().unwrap_or_default();
    let floor = opt.last_learning_rate() / ravine::AdamConfig::default().eps;
    let r = CurvatureReport::compute(&h, Some((&d, Some(floor))), settings)?;
    let st = r.steps.as_ref().expect("steps given");
    println!(
        "  Adam after {steps} projected steps (lr {:.2e}): effective steps min {:.3e}, median {:.3e}, \
         max {:.3e}, {:.0}% at the eps floor; ideal step 1/lambda_max {:.3e} (tangent {:.3e})\n  \
         preconditioned sharpness lambda_max(D^1/2 H D^1/2) = {:.3e} against 2 (no momentum) and {:.0} (Adam, beta1 = 0.9)",
        opt.last_learning_rate(),
        st.min,
        st.median,
        st.max,
        100.0 * st.at_floor,
        full.ideal_step,
        tangent.ideal_step,
        r.preconditioned_sharpness.unwrap_or(f64::NAN),
        r.threshold_momentum
    );
    // The same rule inspected along a full run, into its own run file.
    let every = args.diagnostics_every;
    let problem_c = problem.clone();
    let inspector = ravine::Inspector::new(every, move |at| {
        let h = PortfolioHessian::of_scaled_loss(&problem_c);
        let mut out = vec![("loss".to_string(), at.loss)];
        if let Some(d) = &at.effective_steps {
            let pre = ravine::diagnostics::Preconditioned::new(&h, d)?;
            let top = ravine::diagnostics::lanczos(&pre, Default::default())?;
            out.push(("preconditioned_sharpness".to_string(), top.pairs[0].value));
            let mut s = d.clone();
            s.sort_by(f64::total_cmp);
            out.push(("effective_step_median".to_string(), s[s.len() / 2]));
        }
        Ok(out)
    })?;
    let mut file = RunFile::create(format!("{}/adam_diagnostics.h5", args.out), args.seed)?;
    let opt = portfolio_rule("adam", problem, args.steps)?;
    let settings = Projected::new(args.steps, args.tol);
    let report = solve_projected_observed(problem, opt, &settings, &mut (inspector, &mut file))?;
    let rows = report.inspections;
    let written = file.finish()?;
    let pick = |r: &ravine::InspectionRow, name: &str| {
        r.values
            .iter()
            .find(|v| v.0 == name)
            .map_or(f64::NAN, |v| v.1)
    };
    println!(
        "  projected Adam on minimum variance, inspected every {every} steps ({} rows, {}):",
        rows.len(),
        written.display()
    );
    let stride = (rows.len() / 8).max(1);
    let tail = rows.last().filter(|_| (rows.len() - 1) % stride != 0);
    for r in rows.iter().step_by(stride).chain(tail) {
        println!(
            "    step {:>6}: sharpness {:>9.3e}, median effective step {:>9.3e}, scaled loss {:.6e}",
            r.iteration,
            pick(r, "preconditioned_sharpness"),
            pick(r, "effective_step_median"),
            pick(r, "loss")
        );
    }
    Ok(())
}

/// Adam's second moment against each asset's volatility, stochastic and full batch.
pub fn adam_risk_study(
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
