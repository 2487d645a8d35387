//! Viscous Burgers solved by a PINN: Adam, then L-BFGS, against the Cole-Hopf solution.
//!
//! ```text
//! cargo run --release --example burgers -- --help
//! ```

#[path = "common/output.rs"]
mod output;

use clap::Parser;
use output::World;
use ravine::benchmarks::{burgers_error, BurgersSetup};
use ravine::dist::{Communicator, Sharded};
use ravine::pinn::{Pinn, PinnCurvature};
use ravine::reference::BurgersColeHopf;
use ravine::{rules, BfgsConfig, LbfgsConfig, OnRecord, Runner, Stage};

#[derive(Parser, Debug)]
#[command(about = "Viscous Burgers (nu = 0.01/pi) by a PINN, checked against Cole-Hopf")]
struct Args {
    /// Layer widths, input first.
    #[arg(long, value_delimiter = ',', default_value = "2,20,20,20,1")]
    widths: Vec<usize>,
    /// Hidden activation: tanh or sin.
    #[arg(long, default_value = "tanh")]
    activation: String,
    /// Interior collocation points.
    #[arg(long, default_value_t = 2540)]
    interior: usize,
    /// Boundary points.
    #[arg(long, default_value_t = 80)]
    boundary: usize,
    /// Initial-condition points.
    #[arg(long, default_value_t = 160)]
    initial: usize,
    /// Weight of the boundary loss term.
    #[arg(long, default_value_t = 1.0)]
    boundary_weight: f64,
    /// Weight of the initial-condition loss term (its misfit shows at every later time).
    #[arg(long, default_value_t = 1.0)]
    initial_weight: f64,
    /// Impose the initial and boundary conditions exactly, u = -sin(pi x) + t(1-x^2) N(x,t):
    /// the loss is the PDE residual alone (--boundary, --initial and their weights unused).
    #[arg(long)]
    hard: bool,
    /// Point sampler: uniform, lhs or halton (DeepXDE's default is the related Hammersley set).
    #[arg(long, default_value = "halton")]
    sampler: String,
    /// Redraw interior points every k adaptive steps (0: never).
    #[arg(long, default_value_t = 0)]
    resample_every: u64,
    /// Adaptive rule for the first stage.
    #[arg(long, default_value = "adam")]
    optimizer: String,
    /// Its learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Its number of steps.
    #[arg(long, default_value_t = 15000)]
    steps: u64,
    /// Quasi-Newton iteration cap per round (0 skips the quasi-Newton stage). DeepXDE's setup
    /// caps L-BFGS at 15000, where the loss is still falling; 30000 lets it run on ("until it
    /// stops").
    #[arg(long, default_value_t = 30000)]
    lbfgs_iters: u64,
    /// Quasi-Newton stage: lbfgs (argmin), bfgs, ssbfgs or ssbroyden (ravine's dense BFGS,
    /// plain or self-scaled, or self-scaled Broyden; p x p memory, for nets of up to a few
    /// thousand parameters).
    #[arg(long, default_value = "lbfgs")]
    quasi_newton: String,
    /// L-BFGS memory (stored correction pairs); 100 as scipy's `maxcor` in DeepXDE.
    #[arg(long, default_value_t = 100)]
    lbfgs_memory: usize,
    /// L-BFGS restarts after line-search failures.
    #[arg(long, default_value_t = 10)]
    lbfgs_restarts: u32,
    /// After the adaptive stage, add this many interior points where the residual is largest
    /// (chosen among 50x as many candidates) before L-BFGS (residual-based adaptive
    /// refinement, RAR); 0: off, the plain setup.
    #[arg(long, default_value_t = 1000)]
    refine: usize,
    /// L-BFGS rounds, each preceded by a refinement (with --refine) and capped at
    /// --lbfgs-iters iterations.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Every k adaptive steps, compute curvature diagnostics (exact Hessian and Gauss-Newton:
    /// λmax with its residual, λmin, per-term λmax, the preconditioned sharpness with the
    /// rule's effective steps) into the run file's /diagnostics group; 0: off.
    #[arg(long, default_value_t = 0)]
    diagnostics_every: u64,
    /// Seed of the points and of the initial weights.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Wall-time budget of the training in seconds: the stage running when it runs out stops
    /// ("time budget") and later stages do not start (unset: no budget). Under mpirun: rank
    /// 0's clock, checked between stages.
    #[arg(long)]
    time_budget: Option<f64>,
    /// Checkpoint every k iterations (and at every stage start) into
    /// <out>/burgers.checkpoint.h5, replaced atomically (0: never).
    #[arg(long, default_value_t = 0)]
    checkpoint_every: u64,
    /// Continue the run a checkpoint file was taken in, bit for bit (give the same flags).
    #[arg(long)]
    resume: Option<String>,
    /// Output folder.
    #[arg(long, default_value = "out/burgers")]
    out: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let world = output::ranks(a.time_budget)?;
    let root = world.is_root();
    let setup = BurgersSetup {
        widths: a.widths.clone(),
        activation: a.activation.parse()?,
        interior: a.interior,
        boundary: a.boundary,
        initial: a.initial,
        boundary_weight: a.boundary_weight,
        initial_weight: a.initial_weight,
        hard_constraints: a.hard,
        sampler: a.sampler.parse()?,
        seed: a.seed,
        resample_every: (a.resample_every > 0).then_some(a.resample_every),
    };
    // Every rank holds the whole problem and computes its share of each loss term.
    let mut pinn = Sharded::new(setup.build()?, &world);
    let x0 = pinn.inner().mlp().init(a.seed);
    let mut runner = Runner::new().record_every(10)?.stage(Stage::adaptive(
        rules::from_name(&a.optimizer, a.lr)?,
        a.steps,
    ));
    if let Some(seconds) = a.time_budget {
        runner = runner.time_budget(budget(seconds)?)?;
    }
    runner = runner.checkpoint_every(a.checkpoint_every);
    if let Some(path) = &a.resume {
        let c = ravine::io::read_checkpoint(path)?;
        if root {
            println!("resuming in stage {} at iteration {}", c.stage, c.offset);
        }
        runner = runner.resume(c);
    }
    if a.lbfgs_iters > 0 {
        for _ in 0..a.rounds.max(1) {
            runner = runner.stage(match a.quasi_newton.as_str() {
                "lbfgs" => Stage::lbfgs(LbfgsConfig {
                    max_iters: a.lbfgs_iters,
                    memory: a.lbfgs_memory,
                    tol_grad: 1e-10,
                    restarts: a.lbfgs_restarts,
                    ..LbfgsConfig::default()
                }),
                "bfgs" | "ssbfgs" | "ssbroyden" => Stage::bfgs(BfgsConfig {
                    max_iters: a.lbfgs_iters,
                    tol_grad: 1e-10,
                    restarts: a.lbfgs_restarts,
                    update: a.quasi_newton.parse()?,
                    ..BfgsConfig::default()
                }),
                other => return Err(format!("unknown --quasi-newton {other:?}").into()),
            });
        }
    }
    let mut file = output::run_file(&world, &a.out, "burgers", a.seed)?;
    let checkpoint = format!("{}/burgers.checkpoint.h5", a.out);
    output::explain_termination(&world, (a.checkpoint_every > 0).then_some(checkpoint))?;
    let bar = output::progress(&world, a.steps)?;
    let b = bar.clone();
    let steps = a.steps;
    let (refine, seed) = (a.refine, a.seed);
    let between = move |k: usize, p: &mut Sharded<Pinn, &World>, x: &[f64]| {
        if refine > 0 {
            let round_seed = seed.wrapping_add(7 + 7919 * k as u64);
            let worst = p.refine(x, 50 * refine, refine, round_seed)?;
            if root {
                println!("\nrefined: +{refine} points, largest |residual| {worst:.3e}");
            }
        }
        Ok(())
    };
    let on_record = move |r: &ravine::Record| {
        if r.stage == 0 {
            b.set_position(r.iteration.min(steps));
        } else if b.length() == Some(steps) {
            b.set_length(steps + a.rounds.max(1) as u64 * a.lbfgs_iters);
        } else {
            b.set_position(r.iteration);
        }
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

    let reference = BurgersColeHopf::standard()?;
    let err = burgers_error(pinn, &report.params, &reference, 256, 100)?;
    for s in &report.stages {
        println!(
            "{:>8}: {:>6} iterations, {:>6} evaluations, {:>7.1} s, loss {:.3e}, {} ({} restarts)",
            s.name, s.iterations, s.evaluations, s.elapsed, s.final_loss, s.termination, s.restarts
        );
    }
    output::note_skipped(&report);
    println!(
        "relative L2 error on the 256x100 grid: {:.3e} (max abs error {:.3e}); wall time {:.1} s",
        err.relative_l2,
        err.abs_error.iter().cloned().fold(0.0, f64::max),
        report.elapsed
    );

    output::write_prediction(&mut file, &err, pinn)?;
    let path = file.finish()?;
    output::plot_prediction(&a.out, &report.history, &err, "Burgers", "Cole-Hopf")?;
    println!("wrote {} and PNG plots in {}", path.display(), a.out);
    Ok(())
}

/// A budget in seconds as a duration (a typed error for a negative or non-finite one).
fn budget(seconds: f64) -> Result<std::time::Duration, Box<dyn std::error::Error>> {
    std::time::Duration::try_from_secs_f64(seconds)
        .map_err(|e| format!("--time-budget {seconds}: {e}").into())
}
