//! Quasi-Newton stages and the stage machinery: dense BFGS / self-scaled BFGS / Broyden,
//! line-search failures and the restart rule, warm starts, wall-time budgets, and a stage
//! written by a user.

use ravine::{
    rules, AdamConfig, LbfgsConfig, Problem, Quadratic, Rosenbrock, Runner, Stage, Termination,
};

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

#[test]
fn dense_bfgs_plain_self_scaled_and_broyden_solve_rosenbrock_and_an_ill_conditioned_quadratic() {
    use ravine::{BfgsConfig, InitialStep, QuasiNewtonUpdate};
    let updates = [
        QuasiNewtonUpdate::Bfgs,
        QuasiNewtonUpdate::SelfScaledBfgs,
        QuasiNewtonUpdate::SelfScaledBroyden,
    ];
    let rules = [InitialStep::Unit, InitialStep::Interpolated];
    for (update, initial_step) in updates.into_iter().flat_map(|u| rules.map(|r| (u, r))) {
        let config = BfgsConfig {
            update,
            initial_step,
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
            "rosenbrock, {update:?}, {initial_step:?}: {} iterations, {} evaluations",
            r.stages[0].iterations, r.stages[0].evaluations
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
            "quadratic, {update:?}, {initial_step:?}: {} iterations, error {err:e}",
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
