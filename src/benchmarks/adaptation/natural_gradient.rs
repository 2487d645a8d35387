//! Experiment 8: natural gradient (exact Fisher) against the diagonal scalings that AdaGrad
//! and Adam learn, on logistic regression.

use std::sync::Arc;

use crate::benchmarks::landscapes::{best_over, log_grid, Finding};
use crate::error::Result;
use crate::optim::{rules, AdamConfig, CurvatureFn, Optimizer, ScaleByInverseCurvature};
use crate::problem::{LogisticRegression, Problem};

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb).max(f64::MIN_POSITIVE)
}

/// `F(θ)⁻¹ g` by the full transform at rate 1 (its update is the direction).
fn natural_direction(fisher: &CurvatureFn, theta: &[f64], g: &[f64]) -> Result<Vec<f64>> {
    let mut opt = Optimizer::new(
        "natural",
        1.0,
        vec![Box::new(ScaleByInverseCurvature::new(fisher.clone(), 0.0)?)],
    )?;
    let mut x = theta.to_vec();
    opt.step(&mut x, g)?;
    Ok(theta.iter().zip(&x).map(|(a, b)| a - b).collect())
}

/// Claim (article 2): AdaGrad's scaling by accumulated squared gradients approximates the
/// natural gradient, the step preconditioned by the Fisher information. Measured on seeded
/// logistic regression (n = 400, d = 8, feature scales 1 to 30, λ = 1e-3): steps to
/// `f − f* ≤ 1e-8` for the natural gradient (`F⁻¹g`), its diagonal, AdaGrad, Adam and GD, each
/// at its best rate on a log grid; and along AdaGrad's and Adam's own first 200 steps, the mean
/// cosine between their update and the natural gradient, beside that of the plain and of the
/// diagonally preconditioned gradient at the same points.
pub fn natural_gradient() -> Result<Finding> {
    let mut f = Finding::new(8, "AdaGrad/Adam approximate the natural gradient");
    let (problem, _) = LogisticRegression::synthetic(400, 8, 30.0, 0.0, 1e-3, 8)?;
    let p = Arc::new(problem);
    let fisher: CurvatureFn = {
        let p = p.clone();
        Arc::new(move |theta: &[f64]| p.fisher(theta))
    };
    let x0 = vec![0.0; 8];
    // f* by 50 natural-gradient (Newton) steps.
    let mut newton = Optimizer::new(
        "natural",
        1.0,
        vec![Box::new(ScaleByInverseCurvature::new(fisher.clone(), 0.0)?)],
    )?;
    let (mut x, mut g) = (x0.clone(), vec![0.0; 8]);
    for _ in 0..50 {
        p.evaluate(&x, &mut g, &mut [])?;
        newton.step(&mut x, &g)?;
    }
    let f_star = p.loss(&x)?;
    let tol = f_star + 1e-8;
    f.num("f_star", f_star);
    let max_steps = 20_000;
    let natural = |diagonal: bool| {
        let fisher = fisher.clone();
        move |lr: f64| -> Result<Optimizer> {
            let t = ScaleByInverseCurvature::new(fisher.clone(), 0.0)?;
            let t = if diagonal { t.diagonal() } else { t };
            Optimizer::new("natural", lr, vec![Box::new(t)])
        }
    };
    let adam = |lr: f64| rules::adam(lr, AdamConfig::default());
    let runs: Vec<(&str, Option<(u64, f64)>)> = vec![
        (
            "natural",
            best_over(
                &log_grid(0.1, 2.0, 4),
                natural(false),
                p.as_ref(),
                &x0,
                tol,
                max_steps,
            )?,
        ),
        (
            "diag_fisher",
            best_over(
                &log_grid(0.01, 3.0, 4),
                natural(true),
                p.as_ref(),
                &x0,
                tol,
                max_steps,
            )?,
        ),
        (
            "adagrad",
            best_over(
                &log_grid(1e-3, 10.0, 4),
                |lr| rules::adagrad(lr, 0.0, 1e-10),
                p.as_ref(),
                &x0,
                tol,
                max_steps,
            )?,
        ),
        (
            "adam",
            best_over(
                &log_grid(1e-4, 1.0, 4),
                adam,
                p.as_ref(),
                &x0,
                tol,
                max_steps,
            )?,
        ),
        (
            "gd",
            best_over(
                &log_grid(1e-3, 100.0, 4),
                rules::gd,
                p.as_ref(),
                &x0,
                tol,
                max_steps,
            )?,
        ),
    ];
    for (name, r) in &runs {
        let (k, lr) = r.map_or((f64::INFINITY, f64::NAN), |(k, lr)| (k as f64, lr));
        f.num(format!("{name}.steps"), k)
            .num(format!("{name}.rate"), lr);
    }
    // The figure: f − f* along each rule's run at its best rate (first 400 steps).
    f.axes = ["step", "f - f*"];
    f.log_y = true;
    for (k, (name, r)) in runs.iter().enumerate() {
        let Some((_, lr)) = r else { continue };
        let mut opt = match k {
            0 => natural(false)(*lr)?,
            1 => natural(true)(*lr)?,
            2 => rules::adagrad(*lr, 0.0, 1e-10)?,
            3 => adam(*lr)?,
            _ => rules::gd(*lr)?,
        };
        let (mut x, mut g, mut pts) = (x0.clone(), vec![0.0; 8], Vec::new());
        for step in 0..400 {
            let loss = p.evaluate(&x, &mut g, &mut [])?;
            if loss > f_star {
                pts.push((step as f64, loss - f_star));
            }
            if loss - f_star <= 1e-13 {
                break;
            }
            opt.step(&mut x, &g)?;
        }
        f.curve(format!("{name} (rate {lr:.3})"), pts);
    }
    // Directions along AdaGrad's and Adam's own runs.
    let mut cos = Vec::new();
    for (name, mut opt) in [
        (
            "adagrad",
            rules::adagrad(runs[2].1.map_or(0.1, |r| r.1), 0.0, 1e-10)?,
        ),
        ("adam", adam(runs[3].1.map_or(1e-2, |r| r.1))?),
    ] {
        opt.init(8);
        let diag = natural(true)(1.0)?;
        let (mut x, mut g) = (x0.clone(), vec![0.0; 8]);
        let (mut c_rule, mut c_grad, mut c_diag) = (0.0, 0.0, 0.0);
        let steps = 200;
        for _ in 0..steps {
            p.evaluate(&x, &mut g, &mut [])?;
            let ng = natural_direction(&fisher, &x, &g)?;
            let before = x.clone();
            opt.step(&mut x, &g)?;
            let u: Vec<f64> = before.iter().zip(&x).map(|(a, b)| a - b).collect();
            let mut dopt = diag.clone();
            let mut y = before.clone();
            dopt.step(&mut y, &g)?;
            let dg: Vec<f64> = before.iter().zip(&y).map(|(a, b)| a - b).collect();
            c_rule += cosine(&u, &ng) / steps as f64;
            c_grad += cosine(&g, &ng) / steps as f64;
            c_diag += cosine(&dg, &ng) / steps as f64;
        }
        f.num(format!("{name}.cos_to_natural"), c_rule)
            .num(format!("{name}.gradient_cos_to_natural"), c_grad)
            .num(format!("{name}.diag_fisher_cos_to_natural"), c_diag);
        cos.push((c_rule, c_grad, c_diag));
    }
    let steps = |k: usize| runs[k].1.map_or(u64::MAX, |r| r.0);
    let closer = cos.iter().all(|(r, g, _)| r > g);
    let fewer = steps(2) < steps(4) && steps(3) < steps(4);
    f.holds = closer && fewer;
    f.note = format!(
        "steps to f* + 1e-8: natural {}, diagonal Fisher {}, AdaGrad {}, Adam {}, GD {}; mean \
         cosine to the natural gradient along their runs: AdaGrad {:.3}, Adam {:.3} against \
         {:.3} / {:.3} for the plain gradient and {:.3} / {:.3} for the diagonal Fisher at the \
         same points: {}",
        steps(0),
        steps(1),
        steps(2),
        steps(3),
        steps(4),
        cos[0].0,
        cos[1].0,
        cos[0].1,
        cos[1].1,
        cos[0].2,
        cos[1].2,
        if f.holds {
            "closer than the gradient and faster than GD"
        } else {
            "not both closer than the gradient and faster than GD"
        }
    );
    Ok(f)
}
