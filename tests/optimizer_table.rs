//! Every update rule on a shared table of problems, through the argmin executor, in the manner
//! of optax's optimizer tests: a parabola (to the minimizer) and Rosenbrock (to a small loss).
//! Also the problems' gradients against central finite differences.

use ravine::{
    rules, AdamConfig, Optimizer, PlateauBasin, Problem, Quadratic, RmsPropConfig, Rosenbrock,
    Runner, Schedule, Stage, Termination,
};

/// Each rule with settings for the table; fixed-length-step rules (sign, normalized) need a
/// decaying schedule to converge, which is what they get.
fn rules_table(lr_scale: f64, steps: u64) -> Vec<Optimizer> {
    let cos = |lr: f64| Schedule::cosine(lr * lr_scale, steps, 0.0).unwrap();
    let cfg = AdamConfig::default();
    vec![
        rules::gd(1e-3 * lr_scale).unwrap(),
        rules::momentum(1e-4 * lr_scale, 0.9).unwrap(),
        rules::nesterov(1e-4 * lr_scale, 0.9).unwrap(),
        rules::normalized_gd(cos(1e-2), 0.0).unwrap(),
        rules::sign_descent(cos(3e-3)).unwrap(),
        rules::adagrad(0.1 * lr_scale, 0.1, 1e-7).unwrap(),
        rules::rmsprop(cos(1e-2), RmsPropConfig::default()).unwrap(),
        rules::rmsprop(
            cos(1e-3),
            RmsPropConfig {
                momentum: 0.9,
                ..RmsPropConfig::default()
            },
        )
        .unwrap(),
        rules::adam(1e-2 * lr_scale, cfg).unwrap(),
        rules::adamw(cos(1e-2), cfg, 1e-6).unwrap(),
        rules::adam_l2(cos(1e-2), cfg, 1e-6).unwrap(),
        rules::amsgrad(cos(1e-1), cfg).unwrap(),
        rules::adam(1e-2 * lr_scale, cfg)
            .unwrap()
            .clip_by_global_norm(1.0)
            .unwrap(),
        rules::momentum(1e-4 * lr_scale, 0.9)
            .unwrap()
            .clip_by_value(10.0)
            .unwrap(),
    ]
}

fn run(opt: Optimizer, p: &mut dyn Problem, x0: Vec<f64>, steps: u64) -> (Vec<f64>, f64) {
    let name = opt.name().to_string();
    let report = Runner::new()
        .keep_history(false)
        .stage(Stage::adaptive(opt, steps))
        .run(p, x0)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        report.stages[0].termination,
        Termination::MaxIters,
        "{name}"
    );
    (report.params, report.loss)
}

#[test]
fn every_rule_reaches_the_parabola_minimizer() {
    let steps = 20_000;
    for opt in rules_table(10.0, steps) {
        let name = opt.name().to_string();
        let mut p = Quadratic::diagonal(&[1.0, 4.0], vec![1.0, -2.0]).unwrap();
        let (x, loss) = run(opt, &mut p, vec![-1.0, 1.0], steps);
        let err = (x[0] - 1.0).hypot(x[1] + 2.0);
        assert!(err < 1e-3, "{name}: distance {err:e}, loss {loss:e}");
    }
}

#[test]
fn every_rule_descends_rosenbrock() {
    let steps = 20_000;
    for opt in rules_table(1.0, steps) {
        let name = opt.name().to_string();
        let mut p = Rosenbrock::default();
        let (_, loss) = run(opt, &mut p, vec![-1.2, 1.0], steps);
        assert!(loss < 1e-3, "{name}: loss {loss:e}");
    }
}

fn check_gradient(p: &dyn Problem, x: &[f64]) {
    let mut g = vec![0.0; p.dim()];
    let mut c = vec![0.0; p.component_names().len()];
    p.evaluate(x, &mut g, &mut c).unwrap();
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        let (mut xp, mut xm) = (x.to_vec(), x.to_vec());
        xp[i] += h;
        xm[i] -= h;
        let fd = (p.loss(&xp).unwrap() - p.loss(&xm).unwrap()) / (2.0 * h);
        let err = (fd - g[i]).abs() / g[i].abs().max(1e-3);
        assert!(
            err < 1e-6,
            "{}: d/dx{i} analytic {} vs fd {fd}",
            p.name(),
            g[i]
        );
    }
}

#[test]
fn problem_gradients_match_finite_differences() {
    check_gradient(&Rosenbrock::default(), &[-1.2, 1.0]);
    check_gradient(&Rosenbrock { a: 2.0, b: 7.0 }, &[0.3, -0.4]);
    let q = Quadratic::rotated(3.0, 0.5, 0.7, vec![0.2, -0.1]).unwrap();
    check_gradient(&q, &[1.0, 2.0]);
    let p = PlateauBasin::standard(3);
    check_gradient(&p, &[5.0, 0.04, -0.12]);
}

#[test]
fn problem_constructors_reject_bad_input() {
    let e = Quadratic::new(vec![1.0, 2.0, 3.0, 4.0], vec![0.0, 0.0]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("quadratic: invalid hessian asymmetry"),
        "{e}"
    );
    let e = Quadratic::new(vec![1.0], vec![0.0, 0.0]).unwrap_err();
    assert_eq!(e.to_string(), "quadratic: hessian has length 1, expected 4");
    let e = PlateauBasin::new(1, 1e-3, 1.0, 0.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "plateau_basin: invalid width = 0: must be finite and > 0"
    );
}
