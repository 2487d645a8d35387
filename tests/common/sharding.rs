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
/// budget; rank 1 starts two seconds after the others. After the first stage (a fraction of a
/// second) the budget has run out on rank 0's clock but not on rank 1's: the run must stop
/// there on every rank, as the budget is read on rank 0's clock. Returns each stage's
/// iterations and termination, and the bits of the parameters (to compare with
/// [`first_stage_alone`]).
pub fn budgeted<C: Communicator>(comm: C) -> (Vec<(u64, Termination)>, Vec<u64>) {
    if comm.rank() == 1 {
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let runner = adam_stages(4)
        .time_budget(std::time::Duration::from_secs(1))
        .unwrap();
    let mut p = Sharded::new(burgers(), comm);
    let x0 = p.inner().mlp().init(3);
    let report = runner.run(&mut p, x0).unwrap();
    let stages = report
        .stages
        .iter()
        .map(|s| (s.iterations, s.termination.clone()))
        .collect();
    (stages, bits(&report.params))
}

/// The bits of the parameters after the first stage of [`budgeted`] alone, in one process
/// without a budget.
pub fn first_stage_alone() -> Vec<u64> {
    let mut p = burgers();
    let x0 = p.mlp().init(3);
    bits(&adam_stages(1).run(&mut p, x0).unwrap().params)
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
