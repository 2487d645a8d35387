//! Bad input everywhere a user can give it: every case is a typed error whose message names
//! the bad value (or the thing that is wrong), never a panic or a silent NaN.

use ravine::benchmarks::BurgersSetup;
use ravine::io::{read_checkpoint, write_checkpoint};
use ravine::nn::{Activation, Mlp};
use ravine::pinn::SpaceTime;
use ravine::portfolio::{Constraints, Covariance, PriceTable};
use ravine::reference::{AllenCahnReference, KdvReference};
use ravine::{
    rules, AdamConfig, BfgsConfig, Checkpoint, Inspector, Problem, Quadratic, RmsPropConfig,
    Rosenbrock, RunFile, Runner, Schedule, Stage,
};

/// Asserts `r` is an error whose message contains every needle; returns the message.
#[track_caller]
fn named<T: std::fmt::Debug>(r: ravine::Result<T>, needles: &[&str]) -> String {
    let e = r.expect_err("expected a typed error").to_string();
    for n in needles {
        assert!(e.contains(n), "{e:?} does not name {n:?}");
    }
    e
}

#[test]
fn update_rules_and_schedules() {
    let cfg = AdamConfig::default();
    named(rules::adam(-1e-3, cfg), &["learning_rate", "-0.001"]);
    named(rules::adam(f64::NAN, cfg), &["learning_rate", "NaN"]);
    named(rules::gd(f64::INFINITY), &["learning_rate", "inf"]);
    let b1 = AdamConfig { b1: 1.0, ..cfg };
    named(rules::adam(1e-3, b1), &["b1", "1"]);
    let b2 = AdamConfig { b2: -0.1, ..cfg };
    named(rules::amsgrad(1e-3, b2), &["b2", "-0.1"]);
    let eps = AdamConfig { eps: -1e-8, ..cfg };
    named(rules::adamw(1e-3, eps, 0.1), &["eps", "-0.00000001"]);
    named(rules::adamw(1e-3, cfg, f64::NAN), &["weight_decay", "NaN"]);
    let rms = RmsPropConfig {
        decay: 1.5,
        ..RmsPropConfig::default()
    };
    named(rules::rmsprop(1e-3, rms), &["decay", "1.5"]);
    named(rules::momentum(0.1, 1.2), &["1.2"]);
    named(
        rules::adagrad(0.1, -1.0, 1e-7),
        &["initial_accumulator", "-1"],
    );
    named(Schedule::exponential(0.1, -0.5, 10), &["-0.5"]);
    named(Schedule::constant(f64::NAN), &["NaN"]);
    named(Schedule::cosine(0.1, 100, 2.0), &["alpha", "2"]);
    named(
        rules::gd(0.1).unwrap().clip_by_global_norm(-1.0),
        &["max_norm", "-1"],
    );
    // A step with a gradient of the wrong length or a NaN entry.
    let mut opt = rules::gd(0.1).unwrap();
    let mut x = vec![0.0; 3];
    named(opt.step(&mut x, &[1.0, 2.0]), &["gradient", "3", "2"]);
    named(
        opt.step(&mut x, &[1.0, f64::NAN, 0.0]),
        &["gradient", "NaN", "1"],
    );
}

#[test]
fn runner_and_stages() {
    named(Runner::new().record_every(0), &["record_every", "0"]);
    named(
        Runner::new().time_budget(std::time::Duration::ZERO),
        &["time_budget", "0"],
    );
    named(
        Stage::adaptive(rules::gd(0.1).unwrap(), 5).with_time_budget(std::time::Duration::ZERO),
        &["time_budget"],
    );
    named(Inspector::new(0, |_| Ok(vec![])), &["every", "0"]);
    let gd = || Stage::adaptive(rules::gd(1e-3).unwrap(), 5);
    named(
        Runner::new()
            .stage(gd())
            .run(&mut Rosenbrock::default(), vec![1.0; 3]),
        &["initial parameters", "3", "2"],
    );
    named(
        Runner::new()
            .stage(gd())
            .run(&mut Rosenbrock::default(), vec![1.0, f64::NAN]),
        &["NaN", "index 1"],
    );
    named(
        Runner::new().run(&mut Rosenbrock::default(), vec![1.0, 1.0]),
        &["no stages"],
    );
    let bad_c1 = BfgsConfig {
        c1: -1.0,
        ..BfgsConfig::default()
    };
    named(
        Runner::new()
            .stage(Stage::bfgs(bad_c1))
            .run(&mut Rosenbrock::default(), vec![1.0, 1.0]),
        &["c1", "-1"],
    );
    named(Quadratic::diagonal(&[1.0, -2.0], vec![0.0, 0.0]), &["-2"]);
}

#[test]
fn networks_domains_and_pinns() {
    named(Mlp::new(&[2, 0, 1], Activation::Tanh), &["0"]);
    named(Mlp::new(&[2], Activation::Tanh), &["width"]);
    named(SpaceTime::interval((1.0, -1.0), (0.0, 1.0)), &["1", "-1"]);
    named(SpaceTime::interval((-1.0, 1.0), (0.0, f64::NAN)), &["NaN"]);
    let pinn = BurgersSetup {
        widths: vec![2, 4, 1],
        interior: 20,
        ..BurgersSetup::default()
    }
    .build()
    .unwrap();
    let theta = pinn.mlp().init(0);
    // Parameters of the wrong length, a ragged point array, a NaN coordinate.
    named(pinn.predict(&theta[..3], &[0.0, 0.5]), &["parameters", "3"]);
    named(
        pinn.predict(&theta, &[0.0, 0.5, 0.25]),
        &["3 coordinates", "2-dimensional"],
    );
    named(pinn.predict(&theta, &[0.0, f64::NAN]), &["NaN", "index 1"]);
    // A short gradient buffer or short parameters in evaluate.
    let mut short = vec![0.0; 3];
    named(
        pinn.evaluate(&theta, &mut short, &mut []),
        &["gradient buffer", "3"],
    );
    let mut g = vec![0.0; theta.len()];
    named(
        pinn.evaluate(&theta[..5], &mut g, &mut []),
        &["parameters", "5"],
    );
}

#[test]
fn references() {
    let kdv = KdvReference {
        modes: 100,
        ..KdvReference::default()
    };
    named(kdv.solve(), &["100"]);
    let unstable = KdvReference {
        steps_per_output: 1,
        ..KdvReference::default()
    };
    named(unstable.solve(), &["step"]);
    let ac = AllenCahnReference {
        modes: 64,
        ..AllenCahnReference::default()
    };
    named(ac.solve(), &["64"]);
}

#[test]
fn portfolio_data() {
    let csv = |text: &str| PriceTable::from_reader(text.as_bytes(), "prices.csv");
    named(
        csv("date,A,B\n2020-01-01,1.0,abc\n2020-01-02,1.1,2.0\n"),
        &["prices.csv:2", "abc"],
    );
    named(csv(""), &["prices.csv"]);
    named(csv("date,A\n2020-01-01,-3\n2020-01-02,1\n"), &["-3"]);
    named(csv("date,A,B\n2020-01-01,1.0\n"), &["prices.csv:2"]);
    named(
        Covariance::new(2, vec![1.0, 2.0, 2.0, 1.0]).and_then(|c| c.check_positive_definite(1e-12)),
        &["covariance", "-1"],
    );
    named(Covariance::new(2, vec![1.0, f64::NAN, 0.0, 1.0]), &["NaN"]);
    named(Covariance::new(2, vec![1.0; 3]), &["3"]);
    named(
        Constraints::bounded(vec![0.5, 0.0], vec![0.1, 1.0]),
        &["0.5", "0.1"],
    );
}

#[test]
fn files() {
    // An unwritable output path.
    named(
        RunFile::create("/proc/ravine/cannot/run.h5", 0),
        &["/proc/ravine/cannot/run.h5"],
    );
    let dir = tempfile::tempdir().unwrap();
    // A dataset written twice.
    let f = RunFile::create(dir.path().join("twice.h5"), 0).unwrap();
    f.write_array("g", "x", &[1.0], &[1]).unwrap();
    named(
        f.write_array("g", "x", &[2.0], &[1]),
        &["g/x", "already exists"],
    );
    named(f.write_array("g", "y", &[1.0, 2.0], &[3]), &["3", "2"]);
    drop(f);
    // A truncated checkpoint file and a foreign HDF5 file given to --resume.
    let keep = std::rc::Rc::new(std::cell::RefCell::new(None));
    struct Keep(std::rc::Rc<std::cell::RefCell<Option<Checkpoint>>>);
    impl ravine::Observer for Keep {
        fn checkpoint(&mut self, c: &Checkpoint) -> ravine::Result<()> {
            *self.0.borrow_mut() = Some(c.clone());
            Ok(())
        }
    }
    Runner::new()
        .checkpoint_every(5)
        .stage(Stage::adaptive(rules::gd(1e-3).unwrap(), 12))
        .run_observed(
            &mut Rosenbrock::default(),
            vec![0.0, 0.0],
            &mut Keep(keep.clone()),
        )
        .unwrap();
    let c = keep.borrow().clone().unwrap();
    let good = dir.path().join("good.h5");
    write_checkpoint(&good, &c).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.h5");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    named(read_checkpoint(&cut), &["cut.h5"]);
    let foreign = dir.path().join("foreign.h5");
    RunFile::create(&foreign, 0).unwrap().finish().unwrap();
    named(
        read_checkpoint(&foreign),
        &["foreign.h5", "not a ravine checkpoint"],
    );
}

#[test]
fn plots() {
    // An empty history and an unwritable PNG are plot errors naming the PNG, not run-file ones.
    let e = named(
        ravine::io::plot_history("/tmp/never.png", &ravine::History::default(), "t"),
        &["plot /tmp/never.png", "empty history"],
    );
    assert!(!e.contains("run file"), "{e}");
    let report = Runner::new()
        .stage(Stage::adaptive(rules::gd(1e-3).unwrap(), 3))
        .run(&mut Rosenbrock::default(), vec![0.0, 0.0])
        .unwrap();
    named(
        ravine::io::plot_history("/proc/ravine/loss.png", &report.history, "t"),
        &["plot /proc/ravine/loss.png"],
    );
}
