//! The problems and the training run that the data-parallel tests (`tests/distributed.rs`
//! with thread ranks, `tests/mpi.rs` under `mpirun`) compare with one process.

use ravine::benchmarks::{BurgersSetup, Encoding, StiffPde, StiffSetup};
use ravine::dist::{Communicator, Sharded};
use ravine::pinn::{Pinn, Rad};
use ravine::{
    rules, AdamConfig, BfgsConfig, Problem, QuasiNewtonUpdate, Runner, Stage, Termination,
};

/// The bits of `x`.
pub fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Burgers (residual, initial and boundary value terms) with 1000 interior points: 11 chunks.
pub fn burgers() -> Pinn {
    BurgersSetup {
        widths: vec![2, 12, 12, 1],
        interior: 1000,
        seed: 2,
        ..BurgersSetup::default()
    }
    .build()
    .unwrap()
}

/// Burgers on [2, 48, 48, 48, 1] (4897 parameters, 3 terms): the running sums (14 695
/// values) travel in two segments.
pub fn burgers_wide() -> Pinn {
    BurgersSetup {
        widths: vec![2, 48, 48, 48, 1],
        interior: 400,
        seed: 6,
        ..BurgersSetup::default()
    }
    .build()
    .unwrap()
}

/// Allen-Cahn on raw inputs: a periodic term (value and slope at x = ±1) beside the others.
pub fn allen_cahn_raw() -> Pinn {
    let mut s = StiffSetup::new(StiffPde::AllenCahn);
    s.hidden = vec![10, 10];
    s.encoding = Encoding::Raw;
    s.interior = 500;
    s.seed = 3;
    s.build().unwrap().0
}

/// Loss, gradient and components as bits.
pub fn evaluation(p: &dyn Problem, x: &[f64]) -> Vec<u64> {
    let mut g = vec![0.0; x.len()];
    let mut c = vec![0.0; p.component_names().len()];
    let loss = p.evaluate(x, &mut g, &mut c).unwrap();
    let mut out = bits(&[loss]);
    out.extend(bits(&g));
    out.extend(bits(&c));
    out
}

/// Adam for 20 steps, RAD, then 2 × 10 self-scaled Broyden iterations with a warm start;
/// `sharded` runs it through [`Sharded`], with RAD scored by all ranks.
pub fn train<C: Communicator>(pinn: Pinn, comm: Option<C>) -> (Vec<f64>, Vec<f64>) {
    let x0 = pinn.mlp().init(7);
    let qn = BfgsConfig {
        max_iters: 10,
        update: QuasiNewtonUpdate::SelfScaledBroyden,
        warm_start: true,
        ..BfgsConfig::default()
    };
    let rad = Rad {
        candidates: 2500,
        ..Rad::default()
    };
    let runner = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(5e-3, AdamConfig::default()).unwrap(),
            20,
        ))
        .stage(Stage::bfgs(qn))
        .stage(Stage::bfgs(qn));
    match comm {
        None => {
            let mut p = pinn;
            let report = runner
                .run_refined(&mut p, x0, &mut (), |k, p: &mut Pinn, x| {
                    p.resample_rad(x, &rad, 10 + k as u64).map(|_| ())
                })
                .unwrap();
            (
                report.params,
                p.term_sizes().iter().map(|s| s.1 as f64).collect(),
            )
        }
        Some(c) => {
            let mut p = Sharded::new(pinn, c);
            let report = runner
                .run_refined(&mut p, x0, &mut (), |k, p: &mut Sharded<Pinn, C>, x| {
                    p.resample_rad(x, &rad, 10 + k as u64).map(|_| ())
                })
                .unwrap();
            let sizes = p.inner().term_sizes().iter().map(|s| s.1 as f64).collect();
            (report.params, sizes)
        }
    }
}

/// `stages` Adam stages of 30 steps (learning rate 5e-3).
fn adam_stages(stages: usize) -> Runner {
    (0..stages).fold(Runner::new(), |r, _| {
        r.stage(Stage::adaptive(
            rules::adam(5e-3, AdamConfig::default()).unwrap(),
            30,
        ))
    })
}

/// Four Adam stages of 30 steps on Burgers through [`Sharded`] on `comm`, under a one-second
/// budget; rank 1 starts two seconds after the others. The ranks first wait for each other
/// when the run starts, and by then rank 0's clock (which started when it called the runner)
/// reads two seconds while rank 1's reads nothing: the run must stop before the first
/// iteration on every rank, as the budget is read on rank 0's clock. (Read on its own clock,
/// rank 1 would start the stage and wait for rank 0 in vain.) Returns each stage's iterations
/// and termination, and the bits of the parameters (to compare with [`budgeted_start`]).
pub fn budgeted<C: Communicator>(comm: C) -> (Vec<(u64, Termination)>, Vec<u64>) {
    if comm.rank() == 1 {
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let runner = adam_stages(4)
        .time_budget(std::time::Duration::from_secs(1))
        .unwrap();
    let mut p = Sharded::new(burgers(), comm);
    let report = runner.run(&mut p, budgeted_start_params()).unwrap();
    let stages = report
        .stages
        .iter()
        .map(|s| (s.iterations, s.termination.clone()))
        .collect();
    (stages, bits(&report.params))
}

fn budgeted_start_params() -> Vec<f64> {
    burgers().mlp().init(3)
}

/// The bits of [`budgeted`]'s initial parameters.
pub fn budgeted_start() -> Vec<u64> {
    bits(&budgeted_start_params())
}

/// RAD (3001 candidates, seed 9) then RAR (50 of 2000, seed 4) at `x`: the statistics, the
/// largest residual and the bits of the problem's points afterwards.
pub fn rad_then_rar(pinn: &mut Pinn, x: &[f64]) -> (ravine::pinn::RadStats, u64, Vec<u64>) {
    let rad = Rad {
        candidates: 3001,
        ..Rad::default()
    };
    let stats = pinn.resample_rad(x, &rad, 9).unwrap();
    let worst = pinn.refine(x, 2000, 50, 4).unwrap();
    let state: Vec<f64> = pinn.snapshot().into_iter().flat_map(|s| s.1).collect();
    (stats, worst.to_bits(), bits(&state))
}

/// [`rad_then_rar`] with the candidates scored by all the ranks of `p`.
pub fn rad_then_rar_sharded<C: Communicator>(
    p: &mut Sharded<Pinn, C>,
    x: &[f64],
) -> (ravine::pinn::RadStats, u64, Vec<u64>) {
    let rad = Rad {
        candidates: 3001,
        ..Rad::default()
    };
    let stats = p.resample_rad(x, &rad, 9).unwrap();
    let worst = p.refine(x, 2000, 50, 4).unwrap();
    let state: Vec<f64> = p.inner().snapshot().into_iter().flat_map(|s| s.1).collect();
    (stats, worst.to_bits(), bits(&state))
}

/// The problems whose sharded evaluation is compared with one process: Burgers, Burgers on a
/// wide network (two segments), Allen-Cahn with a periodic term.
pub fn problems() -> Vec<(&'static str, Pinn)> {
    vec![
        ("burgers", burgers()),
        ("burgers wide", burgers_wide()),
        ("allen-cahn raw", allen_cahn_raw()),
    ]
}

/// When an observer's `record` fails: never, or at the row of this iteration.
#[derive(Debug, Clone, Copy)]
pub enum FailAt {
    /// Never.
    Never,
    /// At the row of this iteration.
    Iteration(u64),
}

impl FailAt {
    /// The error it returns (what a failed run-file write looks like).
    pub fn error() -> ravine::Error {
        ravine::Error::Io {
            path: "run.h5".into(),
            message: "no space left on device".into(),
        }
    }

    /// Fails at the row of its iteration.
    pub fn check(self, iteration: u64) -> ravine::Result<()> {
        match self {
            FailAt::Iteration(k) if k == iteration => Err(Self::error()),
            _ => Ok(()),
        }
    }
}

/// Counts the rows it is handed; fails as `FailAt` says.
struct Failing(FailAt, u64);

impl ravine::Observer for Failing {
    fn record(&mut self, row: &ravine::Record) -> ravine::Result<()> {
        self.1 += 1;
        self.0.check(row.iteration)
    }
}

/// `stage()` then 10 steps of gradient descent on Burgers through [`Sharded`] on `comm`; the
/// observer of rank `failing` fails at the row of iteration `at` (say, its disk is full),
/// the others' never. The result and the rows this rank's observer was handed.
pub fn observer_fails<C: Communicator>(
    comm: C,
    stage: fn() -> Stage,
    failing: usize,
    at: u64,
) -> (ravine::Result<Vec<f64>>, u64) {
    let fail = if comm.rank() == failing {
        FailAt::Iteration(at)
    } else {
        FailAt::Never
    };
    let mut observer = Failing(fail, 0);
    let mut p = Sharded::new(burgers(), comm);
    let x0 = p.inner().mlp().init(3);
    let result = Runner::new()
        .stage(stage())
        .stage(Stage::adaptive(rules::gd(1e-4).unwrap(), 10))
        .run_observed(&mut p, x0, &mut observer)
        .map(|r| r.params);
    (result, observer.1)
}

/// [`observer_fails`] on two thread ranks: each rank's outcome. Panics if a rank has not
/// returned within 30 s (a rank left waiting for its peer).
pub fn observer_fails_on_one_rank(
    stage: fn() -> Stage,
    failing: usize,
    at: u64,
) -> Vec<(ravine::Result<Vec<f64>>, u64)> {
    let (tx, rx) = std::sync::mpsc::channel();
    // A rank keeps its end of the channels until both have returned, as an MPI process
    // does until it exits: a peer that waits for it waits, rather than seeing it gone.
    let both = std::sync::Arc::new(std::sync::Barrier::new(2));
    for comm in ravine::dist::ThreadCluster::ranks(2) {
        let (tx, both) = (tx.clone(), both.clone());
        std::thread::spawn(move || {
            let outcome = observer_fails(&comm, stage, failing, at);
            tx.send((comm.rank(), outcome)).ok();
            both.wait();
            drop(comm);
        });
    }
    let mut out: Vec<_> = (0..2)
        .map(|_| {
            rx.recv_timeout(std::time::Duration::from_secs(30))
                .expect("a rank is still waiting for its peer after 30 s")
        })
        .collect();
    out.sort_by_key(|o| o.0);
    out.into_iter().map(|o| o.1).collect()
}
