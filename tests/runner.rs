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
    // Recorded losses are the true losses at recorded points: the report's loss and the last
    // record's equal the problem evaluated afresh at the returned parameters.
    let mut g = [0.0; 2];
    let fresh = p.evaluate(&report.params, &mut g, &mut []).unwrap();
    assert_eq!(report.loss.to_bits(), fresh.to_bits());
    assert_eq!(h.records.last().unwrap().loss.to_bits(), fresh.to_bits());
    // … and Rosenbrock's closed form at those parameters agrees to rounding.
    let (x, y) = (report.params[0], report.params[1]);
    approx::assert_abs_diff_eq!(
        fresh,
        (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
        epsilon = 1e-30
    );
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
        approx::assert_abs_diff_eq!(r.values[1].1, 0.4, epsilon = 1e-15);
    }
    // The inspected losses follow gradient descent's closed form on this quadratic:
    // x_k − m = (1 − 0.1λ)^k (x_0 − m), so f_k = ½ Σ λ_i (1 − 0.1λ_i)^{2k} (x_0,i − m_i)².
    for r in rows {
        let k = r.iteration as i32;
        let closed = 0.5 * (0.9f64.powi(2 * k) * 1.0 + 4.0 * 0.6f64.powi(2 * k) * 4.0);
        approx::assert_relative_eq!(r.values[0].1, closed, max_relative = 1e-12);
    }
    // … and they are the history's losses at those iterations (the inspection sees the point
    // the history records, not a re-evaluation elsewhere).
    for r in rows {
        let rec = report
            .history
            .records
            .iter()
            .find(|h| h.iteration == r.iteration)
            .unwrap();
        assert_eq!(
            r.values[0].1.to_bits(),
            rec.loss.to_bits(),
            "iteration {}",
            r.iteration
        );
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
    approx::assert_abs_diff_eq!(sharp[3], 0.4, epsilon = 1e-15);
    assert!(Inspector::new(0, |_| Ok(vec![])).is_err());
}
