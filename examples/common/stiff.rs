//! The shared driver of the `allen_cahn` and `kdv` examples: flags, stages, refinement between
//! stages, the run file and the plots.

use super::output::World;
use clap::Parser;
use ravine::benchmarks::{Encoding, InitialConstraint, StiffPde, StiffSetup};
use ravine::dist::{Communicator, Sharded};
use ravine::io::plot_curves;
use ravine::pinn::PinnCurvature;
use ravine::pinn::{grid_error, Pinn, Rad};
use ravine::{
    rules, AdamConfig, BfgsConfig, InitialStep, LbfgsConfig, OnRecord, QuasiNewtonUpdate, Runner,
    Schedule, Stage,
};

/// Flags shared by both examples (defaults: the best configuration that fits the default
/// time budget; the README lists the most accurate ones).
#[derive(Parser, Debug, Clone)]
pub struct Args {
    /// Hidden widths.
    #[arg(long, value_delimiter = ',', default_value = "30,30,30")]
    pub hidden: Vec<usize>,
    /// Hidden activation: tanh or sin.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Input embedding: periodic (t, cos k pi x, sin k pi x), rff (random Fourier features,
    /// periodicity as a loss term) or raw (x, t; periodicity as a loss term).
    #[arg(long, default_value = "periodic")]
    pub encoding: String,
    /// Harmonics K of the periodic embedding.
    #[arg(long, default_value_t = 1)]
    pub harmonics: usize,
    /// Random Fourier features: number of frequencies.
    #[arg(long, default_value_t = 32)]
    pub rff_m: usize,
    /// Random Fourier features: scale sigma.
    #[arg(long, default_value_t = 2.0)]
    pub rff_sigma: f64,
    /// Interior collocation points (default: 5000 for Allen-Cahn, 8000 for KdV).
    #[arg(long)]
    pub interior: Option<usize>,
    /// Initial condition: soft (loss term at sampled points), grid (loss term on the regular
    /// grid x = -1 + 2k/n, which holds the kink at x = +-1), hard (u0 + t N) or fading
    /// (e^{-t/tau} u0 + (1 - e^{-t/tau}) N).
    #[arg(long, default_value = "soft")]
    pub initial: String,
    /// Points of the soft initial-condition term.
    #[arg(long, default_value_t = 512)]
    pub initial_points: usize,
    /// Weight of the soft initial-condition term.
    #[arg(long, default_value_t = 10.0)]
    pub initial_weight: f64,
    /// Fading time tau of --initial fading.
    #[arg(long, default_value_t = 0.05)]
    pub tau: f64,
    /// Adam steps (0: none).
    #[arg(long, default_value_t = 2000)]
    pub adam_steps: u64,
    /// Adam's initial learning rate (decayed by 0.98 every 1000 steps).
    #[arg(long, default_value_t = 5e-3)]
    pub lr: f64,
    /// Redraw the interior points every k Adam steps (0: never).
    #[arg(long, default_value_t = 0)]
    pub resample_every: u64,
    /// Continuation: the PDE coefficient during the Adam stage (Allen-Cahn: the reaction
    /// coefficient, 5 in the benchmark; KdV: mu^2). Unset: the benchmark's value throughout.
    #[arg(long)]
    pub continuation: Option<f64>,
    /// Quasi-Newton method: ssbroyden, ssbfgs, bfgs (ravine's dense solvers), lbfgs (argmin),
    /// none.
    #[arg(long, default_value = "ssbroyden")]
    pub quasi_newton: String,
    /// Quasi-Newton iterations in total (default: 8000 for Allen-Cahn, 12000 for KdV, sized
    /// for a default run under 10 minutes on 2 cores).
    #[arg(long)]
    pub qn_iters: Option<u64>,
    /// Quasi-Newton iterations per segment; the points are resampled between segments.
    #[arg(long, default_value_t = 500)]
    pub segment: u64,
    /// Resampling between segments: rad (residual-based adaptive distribution), uniform, none.
    #[arg(long, default_value = "rad")]
    pub resample: String,
    /// RAD exponent k.
    #[arg(long, default_value_t = 1.0)]
    pub rad_k: f64,
    /// RAD uniform share c.
    #[arg(long, default_value_t = 0.0)]
    pub rad_c: f64,
    /// RAD candidate points.
    #[arg(long, default_value_t = 100_000)]
    pub rad_candidates: usize,
    /// Start every BFGS segment from the previous segment's inverse Hessian (0: fresh each
    /// time).
    #[arg(long, default_value_t = 1)]
    pub warm_start: u8,
    /// The quasi-Newton line search's first trial step: unit (alpha = 1), interpolated
    /// (min(1, 2.02 (f_k - f_k-1) / g^T d), SciPy's BFGS rule) or secant (the running mean of
    /// the line minimisers measured by the previous steps).
    #[arg(long, default_value = "unit")]
    pub initial_step: String,
    /// Curvature constant c2 of the quasi-Newton line search's strong Wolfe conditions
    /// (0 < c2 < 1; smaller asks for a more exact line search).
    #[arg(long, default_value_t = 0.9)]
    pub wolfe_c2: f64,
    /// Causal weights over this many time slices, set after every stage and held fixed within
    /// it (0: off).
    #[arg(long, default_value_t = 0)]
    pub causal_slices: usize,
    /// Causality parameter epsilon of the causal weights.
    #[arg(long, default_value_t = 1.0)]
    pub causal_epsilon: f64,
    /// Time continuation: train on [0, 1/H] first and grow the horizon by 1/H after each
    /// stage (0 or 1: the whole interval from the start).
    #[arg(long, default_value_t = 0)]
    pub horizon_stages: usize,
    /// Loss-term weights by gradient norms (Wang, Teng & Perdikaris 2021), updated after each
    /// stage with this moving-average factor (0: off; they use 0.1).
    #[arg(long, default_value_t = 0.0)]
    pub balance_alpha: f64,
    /// L-BFGS memory.
    #[arg(long, default_value_t = 10)]
    pub lbfgs_memory: usize,
    /// Every k Adam steps, curvature diagnostics into the run file's /diagnostics (0: off).
    #[arg(long, default_value_t = 0)]
    pub diagnostics_every: u64,
    /// Seed of the points and of the initial weights.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Wall-time budget of the training in seconds: the stage running when it runs out stops
    /// ("time budget") and later stages do not start (unset: no budget). Under mpirun: rank
    /// 0's clock, checked between stages.
    #[arg(long)]
    pub time_budget: Option<f64>,
    /// Checkpoint every k iterations (and at every stage start) into
    /// <out>/<benchmark>.checkpoint.h5, replaced atomically (0: never).
    #[arg(long, default_value_t = 0)]
    pub checkpoint_every: u64,
    /// Continue the run a checkpoint file was taken in, bit for bit (give the same flags).
    #[arg(long)]
    pub resume: Option<String>,
    /// Output folder (default out/<benchmark>).
    #[arg(long)]
    pub out: Option<String>,
}

impl Args {
    /// The interior point count: the flag, or the benchmark's default.
    fn interior_points(&self, pde: StiffPde) -> usize {
        self.interior.unwrap_or(match pde {
            StiffPde::AllenCahn => 5000,
            StiffPde::Kdv => 8000,
        })
    }

    fn setup(&self, pde: StiffPde) -> Result<StiffSetup, Box<dyn std::error::Error>> {
        let mut s = StiffSetup::new(pde);
        s.hidden = self.hidden.clone();
        s.activation = self.activation.parse()?;
        s.encoding = match self.encoding.as_str() {
            "periodic" => Encoding::Periodic {
                harmonics: self.harmonics,
            },
            "rff" => Encoding::RandomFourier {
                m: self.rff_m,
                sigma: self.rff_sigma,
            },
            "raw" => Encoding::Raw,
            other => return Err(format!("unknown --encoding {other:?}").into()),
        };
        s.interior = self.interior_points(pde);
        s.initial = match self.initial.as_str() {
            "soft" => InitialConstraint::Soft {
                points: self.initial_points,
                weight: self.initial_weight,
            },
            "grid" => InitialConstraint::SoftGrid {
                points: self.initial_points,
                weight: self.initial_weight,
            },
            "hard" => InitialConstraint::Hard,
            "fading" => InitialConstraint::Fading { tau: self.tau },
            other => return Err(format!("unknown --initial {other:?}").into()),
        };
        s.seed = self.seed;
        s.resample_every = (self.resample_every > 0).then_some(self.resample_every);
        if let Some(c) = self.continuation {
            s.coefficient = c;
        }
        Ok(s)
    }
}

/// Trains `pde` with the flags, compares with the spectral reference and writes the run file
/// and the plots.
pub fn run(pde: StiffPde) -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let world = super::output::ranks(a.time_budget)?;
    let root = world.is_root();
    let out = a.out.clone().unwrap_or(format!("out/{}", pde.name()));
    let qn_iters = a.qn_iters.unwrap_or(match pde {
        StiffPde::AllenCahn => 8000,
        StiffPde::Kdv => 12000,
    });
    let setup = a.setup(pde)?;
    let (pinn, coefficient) = setup.build()?;
    if root {
        println!(
            "{}: network {:?} behind {} ({} parameters), {} interior points",
            pde.name(),
            pinn.mlp().widths(),
            pinn.mlp().embedding().map_or("no embedding", |e| e.name()),
            pinn.mlp().num_params(),
            a.interior_points(pde)
        );
    }
    let reference = pde.reference()?;
    let x0 = pinn.mlp().init(a.seed);
    // Every rank holds the whole problem and computes its share of each loss term.
    let mut pinn = Sharded::new(pinn, &world);
    let horizon = a.horizon_stages.max(1);
    if horizon > 1 {
        pinn.inner_mut().set_horizon(1.0 / horizon as f64)?;
    }
    if a.causal_slices > 0 {
        pinn.inner_mut()
            .set_causal_weights(&x0, a.causal_slices, a.causal_epsilon)?;
    }
    let mut runner = Runner::new()
        .record_every(10)?
        .checkpoint_every(a.checkpoint_every);
    let resume = match &a.resume {
        Some(path) => Some(ravine::io::read_checkpoint(path)?),
        None => None,
    };
    if let Some(c) = &resume {
        if root {
            println!("resuming in stage {} at iteration {}", c.stage, c.offset);
        }
        if c.stage as usize >= usize::from(a.adam_steps > 0) {
            // Past the first-order stage, continuation is over.
            coefficient.set(pde.coefficient());
        }
        runner = runner.resume(c.clone());
    }
    if let Some(seconds) = a.time_budget {
        let budget = std::time::Duration::try_from_secs_f64(seconds)
            .map_err(|e| format!("--time-budget {seconds}: {e}"))?;
        runner = runner.time_budget(budget)?;
    }
    if a.adam_steps > 0 {
        let lr = Schedule::exponential(a.lr, 0.98, 1000)?;
        runner = runner.stage(Stage::adaptive(
            rules::adam(lr, AdamConfig::default())?,
            a.adam_steps,
        ));
    }
    let segments = if a.quasi_newton == "none" || qn_iters == 0 {
        0
    } else {
        qn_iters.div_ceil(a.segment.max(1))
    };
    for s in 0..segments {
        let iters = a.segment.min(qn_iters - s * a.segment);
        runner = runner.stage(match a.quasi_newton.as_str() {
            "lbfgs" => Stage::lbfgs(LbfgsConfig {
                max_iters: iters,
                memory: a.lbfgs_memory,
                tol_grad: 1e-12,
                restarts: 2,
                ..LbfgsConfig::default()
            }),
            other => Stage::bfgs(BfgsConfig {
                max_iters: iters,
                tol_grad: 1e-12,
                restarts: 2,
                update: other.parse::<QuasiNewtonUpdate>()?,
                warm_start: a.warm_start != 0,
                initial_step: a.initial_step.parse::<InitialStep>()?,
                c2: a.wolfe_c2,
                ..BfgsConfig::default()
            }),
        });
    }
    let mut file = super::output::run_file(&world, &out, pde.name(), a.seed)?;
    let checkpoint = format!("{out}/{}.checkpoint.h5", pde.name());
    super::output::explain_termination(&world, (a.checkpoint_every > 0).then_some(checkpoint))?;
    let total = a.adam_steps + qn_iters * u64::from(segments > 0);
    let bar = super::output::progress(&world, total)?;
    let b = bar.clone();
    let adam_stages = usize::from(a.adam_steps > 0);
    let rad = Rad {
        k: a.rad_k,
        c: a.rad_c,
        candidates: a.rad_candidates,
    };
    let (resample, target) = (a.resample.clone(), pde.coefficient());
    let sampler_seed = a.seed;
    let (causal, balance, b2) = (
        (a.causal_slices, a.causal_epsilon),
        a.balance_alpha,
        bar.clone(),
    );
    let between = move |k: usize, p: &mut Sharded<Pinn, &World>, x: &[f64]| {
        if k + 1 == adam_stages {
            // Continuation ends with the first-order stage.
            coefficient.set(target);
        }
        let round = sampler_seed.wrapping_add(1 + 7919 * k as u64);
        match resample.as_str() {
            "rad" => {
                p.resample_rad(x, &rad, round)?;
            }
            "uniform" => p.inner_mut().resample_uniform(round),
            _ => {}
        }
        if horizon > 1 {
            p.inner_mut()
                .set_horizon(((k + 2) as f64 / horizon as f64).min(1.0))?;
        }
        if causal.0 > 0 {
            let w = p.inner_mut().set_causal_weights(x, causal.0, causal.1)?;
            let min = w.weights.iter().cloned().fold(1.0, f64::min);
            if root {
                b2.suspend(|| println!("stage {k}: smallest causal weight {min:.3e}"));
            }
        }
        if balance > 0.0 {
            let w = p.inner_mut().balance_weights(x, balance)?;
            if root {
                b2.suspend(|| println!("stage {k}: term weights {w:?}"));
            }
        }
        Ok(())
    };
    let on_record = move |r: &ravine::Record| {
        b.set_position(r.iteration.min(total));
        b.set_message(format!("stage {} loss {:.3e}", r.stage, r.loss));
    };
    let curvature = if a.diagnostics_every > 0 && root {
        Some(PinnCurvature::default().inspector(pinn.inner().clone(), a.diagnostics_every)?)
    } else {
        None
    };
    let mut observer = (OnRecord(on_record), curvature, file.as_mut());
    let report = runner.run_refined(&mut pinn, x0, &mut observer, between)?;
    bar.finish();
    let (Some(mut file), pinn) = (file, pinn.inner()) else {
        return Ok(()); // rank 0 reports and writes
    };

    let err = grid_error(pinn, &report.params, &reference)?;
    let mut qn = (0u64, 0.0f64);
    for s in &report.stages {
        if s.name.starts_with("adam") {
            println!(
                "{:>9}: {:>6} iterations, {:>6} evaluations, {:>7.1} s, loss {:.3e}, {}",
                s.name, s.iterations, s.evaluations, s.elapsed, s.final_loss, s.termination
            );
        } else {
            qn.0 += s.iterations;
            qn.1 += s.elapsed;
        }
    }
    if let Some(last) = report.stages.last().filter(|s| !s.name.starts_with("adam")) {
        let ran = report.stages.len() - adam_stages;
        println!(
            "{:>9}: {:>6} iterations in {ran} of {segments} segments, {:>7.1} s, loss {:.3e}, \
             last: {}",
            last.name, qn.0, qn.1, last.final_loss, last.termination
        );
    }
    super::output::note_skipped(&report);
    let max_abs = err.abs_error.iter().cloned().fold(0.0, f64::max);
    println!(
        "relative L2 error on the 512x201 grid: {:.3e} (max abs error {max_abs:.3e}); wall time {:.1} s",
        err.relative_l2, report.elapsed
    );

    super::output::write_prediction(&mut file, &err, pinn)?;
    file.write_array(
        "prediction",
        "params",
        &report.params,
        &[report.params.len()],
    )?;
    let per_time: Vec<f64> = (0..err.nt)
        .map(|j| {
            let row = |v: &[f64]| {
                v[j * err.nx..(j + 1) * err.nx]
                    .iter()
                    .map(|x| x * x)
                    .sum::<f64>()
            };
            let e: f64 = row(&err.abs_error);
            (e / row(&err.reference).max(f64::MIN_POSITIVE)).sqrt()
        })
        .collect();
    file.write_array("prediction", "relative_l2_by_time", &per_time, &[err.nt])?;
    file.set_attr("prediction", "wall_time", report.elapsed)?;
    let embedding = pinn.mlp().embedding().map_or("none", |e| e.name());
    file.set_str("config", "embedding", embedding)?;
    file.set_str("config", "initial", &a.initial)?;
    file.set_str("config", "quasi_newton", &a.quasi_newton)?;
    file.set_str("config", "resample", &a.resample)?;
    file.set_attr("config", "rad_k", a.rad_k)?;
    file.set_attr("config", "rad_c", a.rad_c)?;
    file.set_attr("config", "segment", a.segment)?;
    file.set_attr("config", "warm_start", a.warm_start)?;
    file.set_str("config", "initial_step", &a.initial_step)?;
    file.set_attr("config", "wolfe_c2", a.wolfe_c2)?;
    file.set_attr("config", "continuation", a.continuation.unwrap_or(f64::NAN))?;
    file.set_attr("config", "interior", a.interior_points(pde) as u64)?;
    file.set_attr("config", "causal_slices", a.causal_slices as u64)?;
    file.set_attr("config", "causal_epsilon", a.causal_epsilon)?;
    file.set_attr("config", "horizon_stages", a.horizon_stages as u64)?;
    file.set_attr("config", "balance_alpha", a.balance_alpha)?;
    file.set_attr("config", "adam_steps", a.adam_steps)?;
    file.set_attr("config", "qn_iters", qn_iters)?;
    let path = file.finish()?;

    let name = pde.name();
    super::output::plot_prediction(&out, &report.history, &err, name, "spectral")?;
    let by_time: Vec<(f64, f64)> = per_time
        .iter()
        .enumerate()
        .map(|(j, e)| (j as f64 / 200.0, *e))
        .collect();
    plot_curves(
        format!("{out}/error_by_time.png"),
        &format!("{name}: relative L2 error at each time"),
        "t",
        "relative L2",
        &[("PINN".to_string(), by_time)],
        true,
    )?;
    println!("wrote {} and PNG plots in {out}", path.display());
    Ok(())
}
