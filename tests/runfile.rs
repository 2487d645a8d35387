//! HDF5 run files: everything the runner writes reads back, through the hdf5 crate, equal to
//! the in-memory history; the file appears under its final name only when finished.

use ravine::io::CHUNK_ROWS;
use ravine::{rules, AdamConfig, LbfgsConfig, Problem, RunFile, Runner, Stage};

/// f = a·(x₀ − 1)² + b·(x₁ + 2)², with the two terms as named components.
struct TwoTerms;

impl Problem for TwoTerms {
    fn name(&self) -> String {
        "two_terms".into()
    }
    fn dim(&self) -> usize {
        2
    }
    fn component_names(&self) -> Vec<String> {
        vec!["first".into(), "second".into()]
    }
    fn evaluate(&self, x: &[f64], g: &mut [f64], c: &mut [f64]) -> ravine::Result<f64> {
        c[0] = 3.0 * (x[0] - 1.0).powi(2);
        c[1] = 0.5 * (x[1] + 2.0).powi(2);
        g[0] = 6.0 * (x[0] - 1.0);
        g[1] = x[1] + 2.0;
        Ok(c[0] + c[1])
    }
}

fn attr_f64(g: &hdf5::Group, name: &str) -> f64 {
    g.attr(name).unwrap().read_scalar::<f64>().unwrap()
}

fn attr_u64(g: &hdf5::Group, name: &str) -> u64 {
    g.attr(name).unwrap().read_scalar::<u64>().unwrap()
}

fn attr_str(g: &hdf5::Group, name: &str) -> String {
    g.attr(name)
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .to_string()
}

#[test]
fn run_file_round_trips_through_hdf5() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/run.h5");
    let mut file = RunFile::create(&path, 42).unwrap();
    let adam_steps = 2 * CHUNK_ROWS as u64 + 100; // several chunks plus a partial one
    let mut p = TwoTerms;
    let report = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(1e-3, AdamConfig::default()).unwrap(),
            adam_steps,
        ))
        .stage(Stage::lbfgs(LbfgsConfig::default()))
        .run_observed(&mut p, vec![0.0, 0.0], &mut file)
        .unwrap();
    // Not under its final name until finished.
    assert!(!path.exists());
    let partial = dir.path().join("sub/run.h5.partial");
    assert!(partial.exists());
    file.write_array(
        "prediction",
        "grid",
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        &[2, 3],
    )
    .unwrap();
    let written = file.finish().unwrap();
    assert_eq!(written, path);
    assert!(path.exists() && !partial.exists());

    let f = hdf5::File::open(&path).unwrap();
    let root = f.as_group().unwrap();
    assert_eq!(attr_str(&root, "ravine_version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(attr_u64(&root, "seed"), 42);
    assert_eq!(attr_str(&root, "status"), "completed");

    let cfg = f.group("config").unwrap();
    assert_eq!(attr_str(&cfg, "problem"), "two_terms");
    assert_eq!(attr_u64(&cfg, "dim"), 2);
    assert_eq!(attr_u64(&cfg, "n_stages"), 2);
    let s0 = f.group("config/stage_0").unwrap();
    assert_eq!(attr_str(&s0, "solver"), "adam");
    assert_eq!(attr_f64(&s0, "learning_rate"), 1e-3);
    assert_eq!(attr_f64(&s0, "scale_by_adam.b1"), 0.9);
    assert_eq!(attr_f64(&s0, "scale_by_adam.b2"), 0.999);
    assert_eq!(attr_f64(&s0, "scale_by_adam.eps"), 1e-8);
    assert_eq!(attr_f64(&s0, "max_iters"), adam_steps as f64);
    let s1 = f.group("config/stage_1").unwrap();
    assert_eq!(attr_str(&s1, "solver"), "lbfgs");
    assert_eq!(attr_f64(&s1, "memory"), 10.0);

    let h = &report.history.records;
    let n = h.len();
    assert!(n > 2 * CHUNK_ROWS);
    let read_f64 = |name: &str| f.dataset(name).unwrap().read_raw::<f64>().unwrap();
    let read_u64 = |name: &str| f.dataset(name).unwrap().read_raw::<u64>().unwrap();
    let ds = f.dataset("history/loss").unwrap();
    assert_eq!(ds.chunk(), Some(vec![CHUNK_ROWS]));
    assert!(ds.is_resizable());
    let it = read_u64("history/iteration");
    let stage = f
        .dataset("history/stage")
        .unwrap()
        .read_raw::<u32>()
        .unwrap();
    let evals = read_u64("history/evaluations");
    let (loss, gn, lr, el) = (
        read_f64("history/loss"),
        read_f64("history/grad_norm"),
        read_f64("history/learning_rate"),
        read_f64("history/elapsed"),
    );
    let (c0, c1) = (
        read_f64("history/components/first"),
        read_f64("history/components/second"),
    );
    for v in [loss.len(), gn.len(), lr.len(), el.len(), c0.len(), c1.len()] {
        assert_eq!(v, n);
    }
    assert_eq!((it.len(), stage.len(), evals.len()), (n, n, n));
    for (k, r) in h.iter().enumerate() {
        assert_eq!(it[k], r.iteration);
        assert_eq!(stage[k], r.stage);
        assert_eq!(evals[k], r.evaluations);
        assert_eq!(loss[k], r.loss);
        assert_eq!(gn[k], r.grad_norm);
        assert_eq!(lr[k].to_bits(), r.learning_rate.to_bits());
        assert_eq!(el[k], r.elapsed);
        assert_eq!(c0[k], r.components[0]);
        assert_eq!(c1[k], r.components[1]);
        // Components are those of the recorded point: they add up to the loss.
        assert!((c0[k] + c1[k] - loss[k]).abs() <= 1e-15 * loss[k].max(1e-300));
    }
    assert!(el.windows(2).all(|w| w[0] <= w[1]));
    assert!(evals.windows(2).all(|w| w[0] <= w[1]));

    let st = f.group("stages/stage_1").unwrap();
    assert_eq!(attr_str(&st, "solver"), "lbfgs");
    assert_eq!(attr_str(&st, "termination"), "converged");
    assert_eq!(attr_u64(&st, "iterations"), report.stages[1].iterations);
    assert_eq!(attr_u64(&st, "evaluations"), report.stages[1].evaluations);
    assert_eq!(attr_f64(&st, "final_loss"), report.stages[1].final_loss);

    let params = read_f64("final/params");
    assert_eq!(params, report.params);
    assert!((params[0] - 1.0).abs() < 1e-9 && (params[1] + 2.0).abs() < 1e-9);
    assert_eq!(attr_f64(&f.group("final").unwrap(), "loss"), report.loss);
    let grid = f.dataset("prediction/grid").unwrap();
    assert_eq!(grid.shape(), vec![2, 3]);
    assert_eq!(
        grid.read_raw::<f64>().unwrap(),
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    );
}

#[test]
fn unfinished_run_file_leaves_nothing_under_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crashed.h5");
    {
        let mut file = RunFile::create(&path, 7).unwrap();
        let mut p = TwoTerms;
        Runner::new()
            .stage(Stage::adaptive(rules::gd(0.1).unwrap(), 10))
            .run_observed(&mut p, vec![0.0, 0.0], &mut file)
            .unwrap();
        // dropped without finish(), as on a panic unwinding through the caller
    }
    assert!(!path.exists());
    assert!(!dir.path().join("crashed.h5.partial").exists());
}

#[test]
fn diverged_run_is_written_with_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diverged.h5");
    let mut file = RunFile::create(&path, 1).unwrap();
    let mut p = TwoTerms;
    let err = Runner::new()
        .stage(Stage::adaptive(rules::gd(1.0).unwrap(), 10_000))
        .run_observed(&mut p, vec![0.0, 0.0], &mut file)
        .unwrap_err();
    file.finish().unwrap();
    let f = hdf5::File::open(&path).unwrap();
    let status = attr_str(&f.as_group().unwrap(), "status");
    assert_eq!(status, err.to_string());
    assert!(status.contains("diverged"), "{status}");
    let params = f
        .dataset("final/params")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert!(params.iter().all(|v| v.is_finite()));
    match err {
        ravine::Error::Diverged {
            last_finite_params, ..
        } => assert_eq!(params, last_finite_params),
        e => panic!("{e}"),
    }
}

#[test]
fn hand_written_run_file_is_marked_completed_on_finish() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manual.h5");
    let file = RunFile::create(&path, 3).unwrap();
    file.write_array("results", "x", &[1.0, 2.0, 3.0, 4.0], &[2, 2])
        .unwrap();
    let written = file.finish().unwrap();
    let f = hdf5::File::open(&written).unwrap();
    assert_eq!(attr_str(&f.as_group().unwrap(), "status"), "completed");
    let x: Vec<f64> = f.dataset("results/x").unwrap().read_raw().unwrap();
    assert_eq!(x, vec![1.0, 2.0, 3.0, 4.0]);
}
