//! Checkpoint and resume: a run resumed from any checkpoint ends bit for bit where the
//! uninterrupted run ends, for adaptive rules, staged Adam → L-BFGS and Adam → self-scaled BFGS
//! with refinement rounds between stages, in process and after SIGKILL of a child process; a
//! run killed at any moment leaves a readable checkpoint; bad checkpoints are typed errors.

use std::cell::RefCell;
use std::rc::Rc;

use ravine::benchmarks::BurgersSetup;
use ravine::io::{read_checkpoint, write_checkpoint};
use ravine::pinn::Pinn;
use ravine::{
    rules, AdamConfig, BfgsConfig, Checkpoint, InitialStep, LbfgsConfig, Observer,
    QuasiNewtonUpdate, Rosenbrock, RunFile, RunReport, Runner, Schedule, Stage,
};

/// Keeps every checkpoint in memory.
#[derive(Default, Clone)]
struct Keep(Rc<RefCell<Vec<Checkpoint>>>);

impl Observer for Keep {
    fn checkpoint(&mut self, c: &Checkpoint) -> ravine::Result<()> {
        // Through bytes, as a file would store it.
        self.0
            .borrow_mut()
            .push(Checkpoint::from_bytes(&c.to_bytes()?)?);
        Ok(())
    }
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// A small stochastic Burgers PINN: interior points redrawn every 7 steps.
fn pinn() -> Pinn {
    BurgersSetup {
        widths: vec![2, 8, 8, 1],
        interior: 120,
        boundary: 20,
        initial: 30,
        resample_every: Some(7),
        seed: 3,
        ..BurgersSetup::default()
    }
    .build()
    .unwrap()
}

/// `rule` (Adam or AMSGrad, exponential schedule, clipped) for 40 steps, then two self-scaled
/// BFGS stages (warm started; the second with the interpolated first step) and one L-BFGS
/// stage, refining the points after every stage.
fn pinn_runner(every: u64, rule: &str) -> Runner {
    let lr = Schedule::exponential(1e-2, 0.9, 10).unwrap();
    let first = match rule {
        "amsgrad" => rules::amsgrad(lr, AdamConfig::default()),
        _ => rules::adam(lr, AdamConfig::default()),
    };
    let adam = first.unwrap().clip_by_global_norm(1.0).unwrap();
    let bfgs = BfgsConfig {
        max_iters: 25,
        update: QuasiNewtonUpdate::SelfScaledBfgs,
        warm_start: true,
        restarts: 2,
        ..BfgsConfig::default()
    };
    Runner::new()
        .checkpoint_every(every)
        .stage(Stage::adaptive(adam, 40))
        .stage(Stage::bfgs(bfgs))
        // The interpolated first trial step reads the previous iterate's loss, which a
        // checkpoint inside the stage must keep.
        .stage(Stage::bfgs(BfgsConfig {
            initial_step: InitialStep::Interpolated,
            ..bfgs
        }))
        .stage(Stage::lbfgs(LbfgsConfig {
            max_iters: 25,
            restarts: 2,
            ..LbfgsConfig::default()
        }))
}

fn refine(k: usize, p: &mut Pinn, x: &[f64]) -> ravine::Result<()> {
    p.refine(x, 200, 10, 11 + k as u64).map(|_| ())
}

fn run_pinn(
    every: u64,
    rule: &str,
    resume: Option<Checkpoint>,
    observer: &mut dyn Observer,
) -> RunReport {
    let mut p = pinn();
    let x0 = p.mlp().init(5);
    let mut runner = pinn_runner(every, rule);
    if let Some(c) = resume {
        runner = runner.resume(c);
    }
    runner.run_refined(&mut p, x0, observer, refine).unwrap()
}

#[test]
fn resuming_from_every_kind_of_checkpoint_is_bit_identical() {
    // Plain rules and Adam → L-BFGS on Rosenbrock.
    let rosenbrock_runners = [
        Runner::new().stage(Stage::adaptive(
            rules::adam(1e-2, AdamConfig::default()).unwrap(),
            120,
        )),
        Runner::new().stage(Stage::adaptive(
            rules::amsgrad(
                Schedule::cosine(2e-2, 120, 0.1).unwrap(),
                AdamConfig::default(),
            )
            .unwrap(),
            120,
        )),
        Runner::new()
            .stage(Stage::adaptive(
                rules::adam(1e-2, AdamConfig::default()).unwrap(),
                50,
            ))
            .stage(Stage::lbfgs(LbfgsConfig::default())),
        // Self-scaled Broyden from the interpolated first step, which reads the previous
        // iterate's loss: a checkpoint inside the stage must keep it.
        Runner::new().stage(Stage::bfgs(BfgsConfig {
            update: QuasiNewtonUpdate::SelfScaledBroyden,
            initial_step: InitialStep::Interpolated,
            ..BfgsConfig::default()
        })),
    ];
    for runner in rosenbrock_runners {
        let keep = Keep::default();
        let full = runner
            .clone()
            .checkpoint_every(9)
            .run_observed(
                &mut Rosenbrock::default(),
                vec![-1.2, 1.0],
                &mut keep.clone(),
            )
            .unwrap();
        let saved = keep.0.borrow().clone();
        assert!(saved.len() >= 5, "{} checkpoints", saved.len());
        for c in saved {
            let (stage, offset) = (c.stage, c.offset);
            let resumed = runner
                .clone()
                .resume(c)
                .run(&mut Rosenbrock::default(), vec![0.0, 0.0])
                .unwrap();
            assert_eq!(
                bits(&resumed.params),
                bits(&full.params),
                "resumed at stage {stage}, offset {offset}"
            );
            assert_eq!(resumed.stages.len(), full.stages.len());
        }
    }
    // The PINN with resampling, refinement rounds, warm-started BFGS and L-BFGS.
    let keep = Keep::default();
    let full = run_pinn(6, "adam", None, &mut keep.clone());
    let saved = keep.0.borrow().clone();
    let stages: std::collections::BTreeSet<u32> = saved.iter().map(|c| c.stage).collect();
    assert_eq!(stages.len(), 4, "checkpoints in every stage: {stages:?}");
    assert!(saved.iter().any(|c| c.stage == 2 && !c.state.is_empty()));
    for c in saved.into_iter().step_by(3) {
        let (stage, offset) = (c.stage, c.offset);
        let resumed = run_pinn(6, "adam", Some(c), &mut ());
        assert_eq!(
            bits(&resumed.params),
            bits(&full.params),
            "PINN resumed at stage {stage}, offset {offset}"
        );
        assert_eq!(resumed.loss.to_bits(), full.loss.to_bits());
    }
}

#[test]
fn a_checkpoint_from_another_run_or_a_bad_file_is_a_typed_error() {
    let keep = Keep::default();
    run_pinn(10, "adam", None, &mut keep.clone());
    let c = keep.0.borrow()[3].clone();
    // Another problem.
    let e = Runner::new()
        .stage(Stage::adaptive(rules::gd(1e-3).unwrap(), 5))
        .resume(c.clone())
        .run(&mut Rosenbrock::default(), vec![0.0, 0.0])
        .unwrap_err();
    assert!(e.to_string().contains("checkpoint"), "{e}");
    // Another chain of stages on the same problem.
    let mut p = pinn();
    let x0 = p.mlp().init(5);
    let e = Runner::new()
        .stage(Stage::adaptive(rules::gd(1e-3).unwrap(), 5))
        .resume(c.clone())
        .run(&mut p, x0)
        .unwrap_err();
    assert!(e.to_string().contains("stages"), "{e}");
    // Truncated bytes, a foreign HDF5 file, a missing file, a text file.
    let bytes = c.to_bytes().unwrap();
    assert!(Checkpoint::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("foreign.h5");
    let f = RunFile::create(&foreign, 0).unwrap();
    f.write_array("x", "y", &[1.0, 2.0], &[2]).unwrap();
    f.finish().unwrap();
    let e = read_checkpoint(&foreign).unwrap_err();
    assert!(e.to_string().contains("not a ravine checkpoint"), "{e}");
    let e = read_checkpoint(dir.path().join("missing.h5")).unwrap_err();
    assert!(e.to_string().contains("missing.h5"), "{e}");
    let text = dir.path().join("text.h5");
    std::fs::write(&text, "not hdf5").unwrap();
    assert!(read_checkpoint(&text).is_err());
    // A round trip through a file is exact.
    let good = dir.path().join("good.h5");
    write_checkpoint(&good, &c).unwrap();
    // (Compared as bytes: the loss before the first attempt is NaN.)
    let back = read_checkpoint(&good).unwrap();
    assert!(back.to_bytes().unwrap() == c.to_bytes().unwrap());
}

/// The child of the kill tests: runs the PINN with a run file at $RAVINE_CHECKPOINT_CHILD and
/// the first rule $RAVINE_CHECKPOINT_RULE, slowly enough to be killed mid-run. Does nothing
/// unless the first variable is set.
#[test]
#[ignore = "run by the kill tests as a child process"]
fn child_training_run() {
    let Ok(path) = std::env::var("RAVINE_CHECKPOINT_CHILD") else {
        return;
    };
    let mut file = RunFile::create(&path, 5).unwrap();
    let slow = |k: usize, p: &mut Pinn, x: &[f64]| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        refine(k, p, x)
    };
    let mut p = pinn();
    let x0 = p.mlp().init(5);
    // 5 ms per checkpoint, so that the run lasts about a second.
    let mut observer = (Pause, &mut file);
    let rule = std::env::var("RAVINE_CHECKPOINT_RULE").unwrap_or_else(|_| "adam".into());
    pinn_runner(1, &rule)
        .run_refined(&mut p, x0, &mut observer, slow)
        .unwrap();
    file.finish().unwrap();
}

/// Sleeps at every checkpoint.
struct Pause;

impl Observer for Pause {
    fn checkpoint(&mut self, _c: &Checkpoint) -> ravine::Result<()> {
        std::thread::sleep(std::time::Duration::from_millis(5));
        Ok(())
    }
}

fn spawn_child(path: &std::path::Path, rule: &str) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_training_run", "--ignored", "--nocapture"])
        .env("RAVINE_CHECKPOINT_CHILD", path)
        .env("RAVINE_CHECKPOINT_RULE", rule)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_run_killed_with_sigkill_resumes_bit_for_bit() {
    // Killed inside Adam, inside AMSGrad, and inside the first self-scaled BFGS stage (after a
    // refinement round).
    for (rule, stage) in [("adam", 0), ("amsgrad", 0), ("adam", 1)] {
        let full = run_pinn(1, rule, None, &mut ());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.h5");
        let ckpt = dir.path().join("run.checkpoint.h5");
        let mut child = spawn_child(&path, rule);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            if let Ok(c) = read_checkpoint(&ckpt) {
                if c.stage >= stage && !c.state.is_empty() {
                    break;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{rule}: child never got there"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let c = read_checkpoint(&ckpt).unwrap();
        println!(
            "{rule}: killed in stage {} (iterations before this attempt: {}), resumed",
            c.stage, c.offset
        );
        let resumed = run_pinn(1, rule, Some(c), &mut ());
        assert_eq!(bits(&resumed.params), bits(&full.params), "{rule}");
    }
}

#[test]
fn a_run_killed_at_any_moment_leaves_a_complete_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.h5");
    let ckpt = dir.path().join("run.checkpoint.h5");
    let mut read = 0;
    for k in 0..8u64 {
        let mut child = spawn_child(&path, "adam");
        // Kill times spread over the run, deterministic.
        std::thread::sleep(std::time::Duration::from_millis(150 + 97 * k));
        child.kill().unwrap();
        child.wait().unwrap();
        if ckpt.exists() {
            let c = read_checkpoint(&ckpt).unwrap_or_else(|e| panic!("kill {k}: {e}"));
            assert_eq!(c.dim, c.params.len());
            read += 1;
        }
    }
    assert!(read >= 6, "only {read} kills left a checkpoint");
}

/// Writes checkpoints of the run the `checkpoint` fuzz target resumes (Adam 20 → L-BFGS 20 on
/// Rosenbrock) into $RAVINE_FUZZ_CORPUS, as seeds for `cargo fuzz run checkpoint`.
#[test]
#[ignore = "makes the fuzzing corpus: RAVINE_FUZZ_CORPUS=fuzz/corpus/checkpoint"]
fn fuzz_corpus() {
    let Ok(dir) = std::env::var("RAVINE_FUZZ_CORPUS") else {
        return;
    };
    let keep = Keep::default();
    Runner::new()
        .checkpoint_every(7)
        .stage(Stage::adaptive(
            rules::adam(1e-3, AdamConfig::default()).unwrap(),
            20,
        ))
        .stage(Stage::lbfgs(LbfgsConfig {
            max_iters: 20,
            ..LbfgsConfig::default()
        }))
        .run_observed(
            &mut Rosenbrock::default(),
            vec![0.0, 0.0],
            &mut keep.clone(),
        )
        .unwrap();
    for (k, c) in keep.0.borrow().iter().enumerate() {
        std::fs::write(format!("{dir}/seed_{k}"), c.to_bytes().unwrap()).unwrap();
    }
}

/// Inputs on which the `checkpoint` fuzz target once panicked (argmin's L-BFGS read a
/// gradient the resumed state did not have): now each is a typed error.
#[test]
fn fuzz_findings_are_typed_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let c = Checkpoint::from_bytes(&bytes).unwrap();
        let e = Runner::new()
            .stage(Stage::adaptive(
                rules::adam(1e-3, AdamConfig::default()).unwrap(),
                20,
            ))
            .stage(Stage::lbfgs(LbfgsConfig {
                max_iters: 20,
                ..LbfgsConfig::default()
            }))
            .resume(c)
            .run(&mut Rosenbrock::default(), vec![0.0, 0.0])
            .unwrap_err();
        assert!(e.to_string().contains("checkpoint"), "{e}");
        seen += 1;
    }
    assert!(seen >= 1);
}
