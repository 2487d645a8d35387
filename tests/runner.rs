//! The argmin bridge and the stage runner: L-BFGS and ravine's rules through one executor,
//! termination reasons, divergence with the last finite parameters kept, stochastic batches.

use ravine::{
    batch_rng, rules, AdamConfig, Error, LbfgsConfig, Problem, Quadratic, Rosenbrock, Runner,
    Stage, Termination,
};

#[test]
fn adam_then_lbfgs_reaches_rosenbrock_minimum() {
    let mut p = Rosenbrock::default();
    let report = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(1e-2, AdamConfig::default()).unwrap(),
            300,
        ))
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run(&mut p, vec![-1.2, 1.0])
        .unwrap();
    assert_eq!(report.stages.len(), 2);
    assert_eq!(report.stages[0].termination, Termination::MaxIters);
    assert_eq!(report.stages[0].iterations, 300);
    // One fused evaluation per Adam step plus the initial point.
    assert_eq!(report.stages[0].evaluations, 301);
    assert_eq!(report.stages[1].termination, Termination::Converged);
    assert!((report.params[0] - 1.0).abs() < 1e-8, "{:?}", report.params);
    assert!((report.params[1] - 1.0).abs() < 1e-8, "{:?}", report.params);
    // History: initial point + 300 Adam iterations + L-BFGS iterations, numbered globally.
    let h = &report.history;
    assert_eq!(h.records[0].iteration, 0);
    assert_eq!(h.records[300].iteration, 300);
    assert_eq!(h.records[300].stage, 0);
    assert_eq!(h.records[301].stage, 1);
    assert_eq!(h.records[301].iteration, 301);
    assert_eq!(
        h.records.len() as u64,
        1 + report.stages[0].iterations + report.stages[1].iterations
    );
    // The learning rate is logged for Adam, not for L-BFGS.
    assert_eq!(h.records[1].learning_rate, 1e-2);
    assert!(h.records[301].learning_rate.is_nan());
    // Recorded losses are the true losses at recorded points: check one against the problem.
    assert_eq!(h.records.last().unwrap().loss, report.loss);
}

#[test]
fn gradient_tolerance_stops_adaptive_stage() {
    let mut p = Quadratic::diagonal(&[1.0, 2.0], vec![1.0, -1.0]).unwrap();
    let report = Runner::new()
        .stage(Stage::new(ravine::AdaptiveStage {
            optimizer: rules::gd(0.4).unwrap(),
            max_iters: 10_000,
            tol_grad: 1e-9,
        }))
        .run(&mut p, vec![0.0, 0.0])
        .unwrap();
    assert_eq!(report.stages[0].termination, Termination::Converged);
    // GD contracts the slow coordinate by (1 − 0.4·1) = 0.6 per step; ‖g‖ < 1e-9 needs
    // 0.6^k < 1e-9 → k = 41 steps (the fast one contracts by 0.2).
    assert_eq!(report.stages[0].iterations, 41);
    assert!(report.history.records.last().unwrap().grad_norm < 1e-9);
}

#[test]
fn divergence_keeps_last_finite_parameters() {
    // GD with step 3 on f = x²/2 · λ=1 multiplies x by −2 each step: |x| grows until the loss
    // overflows to +inf; the error must carry the last finite point.
    let mut p = Quadratic::diagonal(&[1.0], vec![0.0]).unwrap();
    let err = Runner::new()
        .stage(Stage::adaptive(rules::gd(3.0).unwrap(), 10_000))
        .run(&mut p, vec![1.0])
        .unwrap_err();
    match err {
        Error::Diverged {
            iteration,
            last_finite_params,
            last_loss,
            reason,
            ..
        } => {
            assert!(reason.contains("non-finite"), "{reason}");
            // x_k = (−2)^k, loss = 2^(2k)/2 overflows f64 when 2k − 1 > 1023.
            assert_eq!(last_finite_params[0].abs().log2(), (iteration - 1) as f64);
            assert!(last_loss.is_finite());
            let x = last_finite_params[0];
            assert_eq!(last_loss, 0.5 * x * x);
        }
        e => panic!("expected divergence, got {e}"),
    }
}

/// A loss whose gradient lies: L-BFGS's line search cannot satisfy the Wolfe conditions.
struct WrongGradient;

impl Problem for WrongGradient {
    fn dim(&self) -> usize {
        2
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], _c: &mut [f64]) -> ravine::Result<f64> {
        grad[0] = -x[0];
        grad[1] = -x[1];
        Ok(0.5 * (x[0] * x[0] + x[1] * x[1]))
    }
}

#[test]
fn line_search_failure_is_reported_not_silent() {
    let mut p = WrongGradient;
    let report = Runner::new()
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run(&mut p, vec![1.0, 2.0])
        .unwrap();
    match &report.stages[0].termination {
        Termination::LineSearchFailed(msg) => assert!(!msg.is_empty()),
        t => panic!("expected a line-search failure, got {t}"),
    }
    // The parameters are the last accepted point: the start.
    assert_eq!(report.params, vec![1.0, 2.0]);
}

/// `½(x² + 10y²) + x⁴/10` whose gradient turns wrong once the loss is below 0.1.
struct GoesWrong;

impl Problem for GoesWrong {
    fn dim(&self) -> usize {
        2
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], _c: &mut [f64]) -> ravine::Result<f64> {
        let f = 0.5 * (x[0] * x[0] + 10.0 * x[1] * x[1]) + 0.1 * x[0].powi(4);
        if f > 0.1 {
            grad[0] = x[0] + 0.4 * x[0].powi(3);
            grad[1] = 10.0 * x[1];
        } else {
            // Wrong: a constant that no longer matches the loss.
            grad[0] = 1.0;
            grad[1] = 1.0;
        }
        Ok(f)
    }
}

#[test]
fn line_search_failure_after_progress_keeps_the_last_accepted_point() {
    let mut p = GoesWrong;
    let report = Runner::new()
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run(&mut p, vec![1.0, 2.0])
        .unwrap();
    assert!(
        matches!(
            report.stages[0].termination,
            Termination::LineSearchFailed(_)
        ),
        "{}",
        report.stages[0].termination
    );
    // Progress is kept: the loss is below the switch, and it is the loss of the returned point.
    assert!(report.loss <= 0.1, "{}", report.loss);
    assert_eq!(p.loss(&report.params).unwrap(), report.loss);
}

/// Least squares on seeded minibatches of a fixed data set: y = a·t + noise.
struct Minibatch {
    seed: u64,
    data: Vec<(f64, f64)>,
    batch: Vec<usize>,
}

impl Problem for Minibatch {
    fn dim(&self) -> usize {
        1
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], _c: &mut [f64]) -> ravine::Result<f64> {
        let n = self.batch.len() as f64;
        let (mut f, mut g) = (0.0, 0.0);
        for &i in &self.batch {
            let (t, y) = self.data[i];
            let r = x[0] * t - y;
            f += 0.5 * r * r / n;
            g += r * t / n;
        }
        grad[0] = g;
        Ok(f)
    }
    fn is_stochastic(&self) -> bool {
        true
    }
    fn set_batch(&mut self, index: u64) {
        use rand::Rng;
        let mut rng = batch_rng(self.seed, index);
        self.batch = (0..8)
            .map(|_| rng.random_range(0..self.data.len()))
            .collect();
    }
}

fn minibatch(seed: u64) -> Minibatch {
    let data = (0..100)
        .map(|i| {
            let t = i as f64 / 100.0;
            (t, 2.0 * t + 0.01 * ((i * 37 % 11) as f64 - 5.0))
        })
        .collect();
    Minibatch {
        seed,
        data,
        batch: vec![],
    }
}

#[test]
fn stochastic_runs_are_reproducible_and_seed_dependent() {
    let run = |seed| {
        let mut p = minibatch(seed);
        Runner::new()
            .stage(Stage::adaptive(
                rules::adam(0.05, AdamConfig::default()).unwrap(),
                400,
            ))
            .run(&mut p, vec![0.0])
            .unwrap()
    };
    let (a, b, c) = (run(1), run(1), run(2));
    assert_eq!(a.params, b.params);
    assert_eq!(a.history.losses(), b.history.losses());
    assert_ne!(a.history.losses(), c.history.losses());
    // Both seeds find the slope of the full data set's least-squares fit (≈ 2) to within
    // minibatch noise.
    for r in [&a, &c] {
        assert!((r.params[0] - 2.0).abs() < 0.05, "{:?}", r.params);
    }
}

#[test]
fn bad_runner_input_is_a_typed_error() {
    let mut p = Rosenbrock::default();
    let e = Runner::new().run(&mut p, vec![0.0, 0.0]).unwrap_err();
    assert_eq!(e.to_string(), "runner: no stages");
    let e = Runner::new()
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run(&mut p, vec![0.0])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "runner: initial parameters has length 1, expected 2"
    );
    let e = Runner::new()
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run(&mut p, vec![0.0, f64::NAN])
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { index: 1, .. }), "{e}");
}

#[test]
fn inspector_sees_effective_steps_and_writes_diagnostics() {
    use ravine::{Inspector, Quadratic, RunFile};
    // f = ½(x² + 4y²) − (x, −2y)… under GD with lr 0.1: the effective step is 0.1 everywhere
    // and the GD stability margin λmax·lr = 0.4.
    let mut p = Quadratic::diagonal(&[1.0, 4.0], vec![1.0, -2.0]).unwrap();
    let inspector = Inspector::new(10, |at| {
        let d = at.effective_steps.clone().unwrap_or_default();
        let sharp = d
            .iter()
            .zip([1.0, 4.0])
            .map(|(a, b)| a * b)
            .fold(f64::NAN, f64::max);
        Ok(vec![
            ("loss".to_string(), at.loss),
            ("preconditioned_sharpness".to_string(), sharp),
        ])
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut file = RunFile::create(dir.path().join("d.h5"), 0).unwrap();
    let report = Runner::new()
        .stage(Stage::adaptive(rules::gd(0.1).unwrap(), 50))
        .run_observed(&mut p, vec![0.0, 0.0], &mut (inspector, &mut file))
        .unwrap();
    let path = file.finish().unwrap();
    let rows = &report.inspections;
    assert_eq!(
        rows.iter().map(|r| r.iteration).collect::<Vec<_>>(),
        vec![0, 10, 20, 30, 40, 50]
    );
    // No step before iteration 0, so no effective steps there.
    assert!(rows[0].values[1].1.is_nan());
    for r in &rows[1..] {
        assert!((r.values[1].1 - 0.4).abs() < 1e-15);
    }
    // The loss decreases between inspections, and matches the history at those iterations.
    for w in rows.windows(2) {
        assert!(w[1].values[0].1 < w[0].values[0].1);
    }
    let f = hdf5::File::open(path).unwrap();
    let it: Vec<f64> = f
        .dataset("diagnostics/iteration")
        .unwrap()
        .read_raw()
        .unwrap();
    let sharp: Vec<f64> = f
        .dataset("diagnostics/preconditioned_sharpness")
        .unwrap()
        .read_raw()
        .unwrap();
    assert_eq!(it, vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
    assert!((sharp[3] - 0.4).abs() < 1e-15);
    assert!(Inspector::new(0, |_| Ok(vec![])).is_err());
}

#[test]
fn dense_bfgs_plain_self_scaled_and_broyden_solve_rosenbrock_and_an_ill_conditioned_quadratic() {
    use ravine::BfgsConfig;
    use ravine::QuasiNewtonUpdate;
    for update in [
        QuasiNewtonUpdate::Bfgs,
        QuasiNewtonUpdate::SelfScaledBfgs,
        QuasiNewtonUpdate::SelfScaledBroyden,
    ] {
        let config = BfgsConfig {
            update,
            ..BfgsConfig::default()
        };
        let mut p = Rosenbrock::default();
        let r = Runner::new()
            .stage(Stage::bfgs(config))
            .run(&mut p, vec![-1.2, 1.0])
            .unwrap();
        assert_eq!(r.stages[0].termination, Termination::Converged);
        assert_eq!(r.stages[0].name, update.name());
        assert!((r.params[0] - 1.0).abs() < 1e-8 && (r.params[1] - 1.0).abs() < 1e-8);
        println!(
            "rosenbrock, {update:?}: {} iterations",
            r.stages[0].iterations
        );
        // Condition number 10⁴ in 10 dimensions: minimizer to 1e-8 in a few times n steps
        // (steepest descent would need ~10⁵).
        let eig: Vec<f64> = (0..10).map(|i| 10f64.powf(0.4 * i as f64)).collect();
        let star: Vec<f64> = (0..10).map(|i| (i as f64 * 0.7).sin()).collect();
        let mut q = Quadratic::diagonal(&eig, star.clone()).unwrap();
        let r = Runner::new()
            .stage(Stage::bfgs(config))
            .run(&mut q, vec![0.0; 10])
            .unwrap();
        let err = r
            .params
            .iter()
            .zip(&star)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        println!(
            "quadratic, {update:?}: {} iterations, error {err:e}",
            r.stages[0].iterations
        );
        assert!(err < 1e-8, "{err}");
        assert!(r.stages[0].iterations <= 60, "{}", r.stages[0].iterations);
    }
    // A dense p × p matrix beyond the cap is a typed error, not an allocation failure.
    let mut big = Quadratic::diagonal(&vec![1.0; 20_000], vec![0.0; 20_000]).unwrap();
    let e = Runner::new()
        .stage(Stage::bfgs(BfgsConfig::default()))
        .run(&mut big, vec![1.0; 20_000])
        .unwrap_err();
    assert!(e.to_string().contains("use L-BFGS"), "{e}");
}

#[test]
fn a_failed_line_search_is_reported_and_the_run_goes_on() {
    use ravine::BfgsConfig;
    for quasi_newton in [
        Stage::bfgs(BfgsConfig::default()),
        Stage::lbfgs(LbfgsConfig::default()),
    ] {
        let mut p = WrongGradient;
        let report = Runner::new()
            .stage(quasi_newton)
            .stage(Stage::adaptive(
                rules::adam(1e-2, AdamConfig::default()).unwrap(),
                5,
            ))
            .run(&mut p, vec![1.0, 2.0])
            .unwrap();
        match &report.stages[0].termination {
            Termination::LineSearchFailed(msg) => assert!(!msg.is_empty()),
            t => panic!("expected a line-search failure, got {t}"),
        }
        // An uphill point is never accepted, and the solver only borrowed the problem (argmin's
        // L-BFGS drops its own when the search fails): the next stage still runs.
        assert_eq!(report.stages[0].final_loss, 2.5);
        assert_eq!(report.stages.len(), 2, "{:?}", report.stages);
        assert_eq!(report.stages[1].iterations, 5);
        assert_ne!(report.params, vec![1.0, 2.0]);
    }
}

#[test]
fn a_warm_started_bfgs_stage_continues_from_the_carried_inverse_hessian() {
    use ravine::{BfgsConfig, QuasiNewtonUpdate};
    // Rosenbrock: 12 iterations in one stage against 6 + 6 in two, warm or cold.
    for update in [
        QuasiNewtonUpdate::Bfgs,
        QuasiNewtonUpdate::SelfScaledBroyden,
    ] {
        let config = |iters: u64, warm: bool| BfgsConfig {
            max_iters: iters,
            update,
            warm_start: warm,
            ..BfgsConfig::default()
        };
        let run = |stages: Vec<BfgsConfig>| {
            let mut runner = Runner::new();
            for c in stages {
                runner = runner.stage(Stage::bfgs(c));
            }
            runner
                .run(&mut Rosenbrock::default(), vec![-1.2, 1.0])
                .unwrap()
                .params
        };
        let whole = run(vec![config(12, false)]);
        let warm = run(vec![config(6, false), config(6, true)]);
        let cold = run(vec![config(6, false), config(6, false)]);
        let dist = |a: &[f64]| (a[0] - whole[0]).hypot(a[1] - whole[1]);
        println!(
            "{update:?}: warm {:.1e} from one stage, cold {:.1e}",
            dist(&warm),
            dist(&cold)
        );
        assert!(dist(&warm) < 1e-10, "{}", dist(&warm));
        assert!(dist(&cold) > 1e-4, "{}", dist(&cold));
    }
}

/// `½(x − 3)² + 10|y − sin x|`: the valley floor y = sin x is a curved kink where
/// More-Thuente's strong Wolfe test cannot hold, so L-BFGS's line search fails there with
/// ‖g‖ ≈ 10 while x is still far from 3; each restart from the last accepted point, with fresh
/// memory, moves further along the valley.
struct Kinked;

impl Problem for Kinked {
    fn dim(&self) -> usize {
        2
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], _c: &mut [f64]) -> ravine::Result<f64> {
        let r = x[1] - x[0].sin();
        grad[0] = x[0] - 3.0 - 10.0 * r.signum() * x[0].cos();
        grad[1] = 10.0 * r.signum();
        Ok(0.5 * (x[0] - 3.0).powi(2) + 10.0 * r.abs())
    }
}

#[test]
fn lbfgs_restarts_after_a_line_search_failure_with_a_large_gradient() {
    let run = |restarts| {
        Runner::new()
            .stage(Stage::lbfgs(LbfgsConfig {
                restarts,
                ..LbfgsConfig::default()
            }))
            .run(&mut Kinked, vec![-2.0, 1.0])
            .unwrap()
    };
    let once = run(0);
    assert!(
        matches!(once.stages[0].termination, Termination::LineSearchFailed(_)),
        "{}",
        once.stages[0].termination
    );
    let again = run(10);
    println!(
        "no restarts: loss {:e}; up to 10: {} restarts, loss {:e}",
        once.loss, again.stages[0].restarts, again.loss
    );
    assert!(again.stages[0].restarts >= 1, "{:?}", again.stages[0]);
    assert!(again.loss < once.loss, "{} vs {}", again.loss, once.loss);
    // The reported loss is the loss of the returned point.
    assert_eq!(Kinked.loss(&again.params).unwrap(), again.loss);
}

/// `½‖x‖²` that takes a millisecond per evaluation, for wall-time budgets.
struct Slow;

impl Problem for Slow {
    fn dim(&self) -> usize {
        2
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], _c: &mut [f64]) -> ravine::Result<f64> {
        std::thread::sleep(std::time::Duration::from_millis(1));
        grad.copy_from_slice(x);
        Ok(0.5 * (x[0] * x[0] + x[1] * x[1]))
    }
}

#[test]
fn a_stage_stops_on_its_time_budget_and_the_run_on_its_own() {
    use std::time::Duration;
    let budget = Duration::from_millis(100);
    let report = Runner::new()
        .stage(
            Stage::adaptive(rules::gd(1e-6).unwrap(), 1_000_000)
                .with_time_budget(budget)
                .unwrap(),
        )
        .stage(Stage::adaptive(rules::gd(1e-6).unwrap(), 20))
        .run(&mut Slow, vec![1.0, 1.0])
        .unwrap();
    let s = &report.stages[0];
    assert_eq!(s.termination, Termination::TimeBudget);
    assert!(s.elapsed >= 0.1 && s.elapsed < 0.5, "{}", s.elapsed);
    assert!(s.iterations > 10 && s.iterations < 150, "{}", s.iterations);
    // The next stage has no budget of its own and runs to its cap.
    assert_eq!(report.stages[1].termination, Termination::MaxIters);
    // A run budget ends the stage running when it runs out, and no later stage starts.
    let report = Runner::new()
        .time_budget(budget)
        .unwrap()
        .stage(Stage::adaptive(rules::gd(1e-6).unwrap(), 1_000_000))
        .stage(Stage::adaptive(rules::gd(1e-6).unwrap(), 20))
        .run(&mut Slow, vec![1.0, 1.0])
        .unwrap();
    assert_eq!(report.stages.len(), 1);
    assert_eq!(report.stages[0].termination, Termination::TimeBudget);
    assert!(Stage::adaptive(rules::gd(1e-6).unwrap(), 1)
        .with_time_budget(Duration::ZERO)
        .is_err());
}

/// A stage written by a user: one exact Newton step on a diagonal quadratic.
#[derive(Debug, Clone)]
struct NewtonStep {
    curvature: Vec<f64>,
}

impl ravine::StageSolver for NewtonStep {
    fn name(&self) -> String {
        "newton".into()
    }
    fn attempt(
        &self,
        host: &mut ravine::Host<'_>,
        x: Vec<f64>,
        _ctx: &mut ravine::StageContext<'_>,
    ) -> ravine::Result<ravine::Attempt> {
        use ravine::run::Evaluate;
        let g = host.evaluate(&x)?.grad;
        let params: Vec<f64> = x
            .iter()
            .zip(&g)
            .zip(&self.curvature)
            .map(|((x, g), h)| x - g / h)
            .collect();
        let e = host.evaluate(&params)?;
        Ok(ravine::Attempt {
            params,
            loss: e.loss,
            gradient: Some(e.grad),
            iterations: 1,
            termination: Termination::Converged,
            divergence: None,
        })
    }
    fn boxed_clone(&self) -> Box<dyn ravine::StageSolver> {
        Box::new(self.clone())
    }
}

#[test]
fn a_user_stage_plugs_into_the_runner_and_its_observers() {
    use ravine::{OnRecord, Record};
    let mut p = Quadratic::diagonal(&[1.0, 4.0], vec![1.0, -1.0]).unwrap();
    let rows = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Record>::new()));
    let seen = std::rc::Rc::clone(&rows);
    let report = Runner::new()
        .stage(Stage::adaptive(rules::gd(0.1).unwrap(), 3))
        .stage(Stage::new(NewtonStep {
            curvature: vec![1.0, 4.0],
        }))
        .run_observed(
            &mut p,
            vec![0.0, 0.0],
            &mut OnRecord(move |r: &Record| seen.borrow_mut().push(r.clone())),
        )
        .unwrap();
    assert_eq!(report.stages[1].name, "newton");
    assert_eq!(report.params, vec![1.0, -1.0]);
    // The observer saw the adaptive stage's rows, the same as the in-memory history.
    let key = |r: &Record| (r.stage, r.iteration, r.loss.to_bits(), r.evaluations);
    let seen: Vec<_> = rows.borrow().iter().map(key).collect();
    let kept: Vec<_> = report.history.records.iter().map(key).collect();
    assert_eq!(seen, kept);
    assert_eq!(rows.borrow().len(), 4);
}
