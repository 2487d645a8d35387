//! Claims about curvature: ill-conditioning (1), plateaus and sharp basins (2), and the
//! Rosenbrock comparison with L-BFGS (12).

use super::finding::{best_over, log_grid, Finding};
use crate::error::Result;
use crate::optim::{rules, AdamConfig, Optimizer};
use crate::problem::{PlateauBasin, Problem, Quadratic, Rosenbrock};
use crate::run::{AdaptiveStage, LbfgsConfig, Runner, Stage, Termination};

const KAPPA: f64 = 1e4;
const TOL: f64 = 1e-8;
const MAX_STEPS: u64 = 200_000;

/// Builds a rule from its learning rate.
type RuleBuilder = fn(f64) -> Result<Optimizer>;

fn adam_lr(lr: f64) -> Result<Optimizer> {
    rules::adam(lr, AdamConfig::default())
}

fn adagrad_lr(lr: f64) -> Result<Optimizer> {
    rules::adagrad(lr, 0.1, 1e-7)
}

/// AdaGrad as in Duchi et al.: no initial accumulator, and ε small enough (√ε = 1e-7) not to
/// swamp gradients of order 1e-4.
fn adagrad_s0_lr(lr: f64) -> Result<Optimizer> {
    rules::adagrad(lr, 0.0, 1e-14)
}

/// Claim 1: on an axis-aligned quadratic with condition number 1e4, AdaGrad and Adam reach
/// f < 1e-8 in ≥ 10× fewer steps than gradient descent at its best stable step; rotating the
/// same quadratic by 45° removes the advantage, since a diagonal preconditioner then sees equal
/// diagonal entries.
///
/// Every method gets its best learning rate from a log grid (gradient descent: 4 per decade up
/// to 2/λmax, plus the optimal fixed step 2/(λmax + λmin); AdaGrad and Adam: 8 per decade from
/// 1e-4 to 1). Start (0.8, −1.1), at most 2·10⁵ steps.
pub fn ill_conditioned() -> Result<Finding> {
    let mut f = Finding::new(
        1,
        "diagonal preconditioning on an ill-conditioned quadratic",
    );
    let (lmax, lmin) = (1.0, 1.0 / KAPPA);
    // A generic start: not along an eigenvector in either frame, not on a lattice of steps.
    let x0 = [0.8, -1.1];
    let aligned = Quadratic::diagonal(&[lmax, lmin], vec![0.0, 0.0])?;
    let rotated = Quadratic::rotated(lmax, lmin, std::f64::consts::FRAC_PI_4, vec![0.0, 0.0])?;
    let mut gd_rates: Vec<f64> = log_grid(1e-3, 1.0, 4)
        .into_iter()
        .map(|r| r * 2.0 / lmax)
        .filter(|r| *r < 2.0 / lmax)
        .collect();
    gd_rates.push(2.0 / (lmax + lmin));
    let adaptive_rates = log_grid(1e-4, 10.0, 8);
    for (label, q) in [("aligned", &aligned), ("rotated", &rotated)] {
        let gd = best_over(&gd_rates, rules::gd, q, &x0, TOL, MAX_STEPS)?;
        let gd_steps = gd.map_or(f64::INFINITY, |(k, _)| k as f64);
        f.num(format!("{label}.gd_steps"), gd_steps);
        f.num(format!("{label}.gd_lr"), gd.map_or(f64::NAN, |(_, r)| r));
        for (name, build) in [
            ("adagrad", adagrad_lr as RuleBuilder),
            ("adagrad_s0", adagrad_s0_lr),
            ("adam", adam_lr),
        ] {
            let best = best_over(&adaptive_rates, build, q, &x0, TOL, MAX_STEPS)?;
            let steps = best.map_or(f64::INFINITY, |(k, _)| k as f64);
            f.num(format!("{label}.{name}_steps"), steps);
            f.num(
                format!("{label}.{name}_lr"),
                best.map_or(f64::NAN, |(_, r)| r),
            );
            f.num(format!("{label}.{name}_speedup"), gd_steps / steps);
        }
    }
    let view = f.clone();
    let r = |label: &str, name: &str| view.get(&format!("{label}.{name}_speedup")).unwrap_or(0.0);
    // As stated: ScaleByAdaGrad (in Duchi et al.'s form) and Adam are >= 10x faster when aligned.
    f.holds = r("aligned", "adagrad_s0") >= 10.0 && r("aligned", "adam") >= 10.0;
    f.note = format!(
        "speed-up over GD's best step (steps to f<1e-8): aligned adagrad(s0=0) {:.0}x, \
         adagrad(optax s0=0.1) {:.1}x, adam {:.0}x; rotated 45deg: {:.2}x, {:.2}x, {:.1}x. \
         s0=0.1 swamps gradients ~1e-4 and disables the preconditioning; rotated, the \
         diagonal preconditioner sees equal entries and AdaGrad's edge goes, while Adam keeps \
         an edge from its normalized, momentum-driven steps, not from preconditioning",
        r("aligned", "adagrad_s0"),
        r("aligned", "adagrad"),
        r("aligned", "adam"),
        r("rotated", "adagrad_s0"),
        r("rotated", "adagrad"),
        r("rotated", "adam"),
    );
    Ok(f)
}

/// Outcome of one run on the plateau.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlateauOutcome {
    Converged(u64),
    Stalled,
    FailedInBasin,
}

fn plateau_run(opt: &Optimizer, p: &PlateauBasin) -> Result<PlateauOutcome> {
    let mut opt = opt.clone();
    let mut x = vec![PLATEAU_START];
    let mut g = vec![0.0];
    let mut visited_basin = false;
    for k in 0..=PLATEAU_STEPS {
        let f = p.evaluate(&x, &mut g, &mut [])?;
        if !f.is_finite() {
            return Ok(PlateauOutcome::FailedInBasin);
        }
        if f < PLATEAU_TOL {
            return Ok(PlateauOutcome::Converged(k));
        }
        visited_basin |= x[0].abs() < PLATEAU_EDGE;
        if k < PLATEAU_STEPS {
            opt.step(&mut x, &g)?;
        }
    }
    Ok(if visited_basin {
        PlateauOutcome::FailedInBasin
    } else {
        PlateauOutcome::Stalled
    })
}

const PLATEAU_TOL: f64 = 1e-10;
/// The well's pull is negligible beyond 6w = 0.3 (gradient < 2e-6); |x| > 0.5 is the plateau.
const PLATEAU_EDGE: f64 = 0.5;
const PLATEAU_STEPS: u64 = 10_000;
const PLATEAU_START: f64 = 5.0;

/// Claim 2: on [`PlateauBasin::standard`] from x = 5 with 10⁴ steps, fixed-step gradient
/// descent either stalls on the plateau (never reaches |x| < 0.5) or fails in the basin
/// (reaches it but is thrown out or bounces without f < 1e-10) for every rate of a log grid
/// (1e-4 to 1e2, 4 per decade), while AdaGrad and Adam converge for a range of rates of the
/// same grid.
pub fn plateau() -> Result<Finding> {
    let mut f = Finding::new(2, "plateau + sharp basin: no fixed step works");
    let p = PlateauBasin::standard(1);
    let grid = log_grid(1e-4, 1e2, 4);
    let methods: [(&str, RuleBuilder); 3] = [
        ("gd", rules::gd),
        ("adagrad", adagrad_lr),
        ("adam", adam_lr),
    ];
    let mut summary = Vec::new();
    for (name, build) in methods {
        let (mut stalled, mut failed, mut converged) = (0u32, 0u32, Vec::new());
        for &lr in &grid {
            match plateau_run(&build(lr)?, &p)? {
                PlateauOutcome::Stalled => stalled += 1,
                PlateauOutcome::FailedInBasin => failed += 1,
                PlateauOutcome::Converged(k) => converged.push((lr, k)),
            }
        }
        f.num(format!("{name}.stalled"), stalled as f64)
            .num(format!("{name}.failed_in_basin"), failed as f64)
            .num(format!("{name}.converged"), converged.len() as f64);
        if let Some((lr, k)) = converged.iter().min_by_key(|(_, k)| *k) {
            f.num(format!("{name}.best_lr"), *lr)
                .num(format!("{name}.best_steps"), *k as f64);
        }
        summary.push((name, stalled, failed, converged.len()));
    }
    f.num("gd_stability_limit", 2.0 / p.basin_curvature());
    f.holds = summary[0].3 == 0 && summary[1].3 > 0 && summary[2].3 > 0;
    f.note = summary
        .iter()
        .map(|(n, s, fl, c)| format!("{n}: {c} converge, {s} stall, {fl} fail in basin"))
        .collect::<Vec<_>>()
        .join("; ")
        + &format!(" (of {} rates 1e-4..1e2)", grid.len());
    Ok(f)
}

/// One row of the Rosenbrock table.
#[derive(Debug, Clone, PartialEq)]
pub struct RosenbrockRow {
    /// Solver name.
    pub solver: String,
    /// Its hyperparameters, briefly.
    pub settings: String,
    /// Loss-and-gradient evaluations.
    pub evaluations: u64,
    /// Iterations.
    pub iterations: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Final loss.
    pub final_loss: f64,
    /// Why it stopped.
    pub termination: Termination,
}

/// Claim 12: every rule and argmin's L-BFGS from (−1.2, 1) on Rosenbrock through the same
/// executor: at most 20 000 iterations, stopping when ‖g‖ < 1e-8.
pub fn rosenbrock_table() -> Result<(Finding, Vec<RosenbrockRow>)> {
    let cfg = AdamConfig::default();
    let candidates: Vec<(Optimizer, &str)> = vec![
        (rules::gd(1e-3)?, "lr 1e-3"),
        (rules::momentum(1e-4, 0.9)?, "lr 1e-4, mu 0.9"),
        (rules::nesterov(1e-4, 0.9)?, "lr 1e-4, mu 0.9"),
        (rules::normalized_gd(1e-3, 0.0)?, "lr 1e-3"),
        (rules::sign_descent(1e-3)?, "lr 1e-3"),
        (rules::adagrad(0.1, 0.1, 1e-7)?, "lr 0.1"),
        (rules::rmsprop(1e-3, Default::default())?, "lr 1e-3"),
        (rules::adam(1e-2, cfg)?, "lr 1e-2"),
        (rules::adamw(1e-2, cfg, 1e-4)?, "lr 1e-2, wd 1e-4"),
        (rules::adam_l2(1e-2, cfg, 1e-4)?, "lr 1e-2, wd 1e-4"),
        (rules::amsgrad(1e-2, cfg)?, "lr 1e-2"),
    ];
    let mut stages: Vec<(Stage, String)> = candidates
        .into_iter()
        .map(|(o, s)| {
            (
                Stage::new(AdaptiveStage {
                    optimizer: o,
                    max_iters: 20_000,
                    tol_grad: 1e-8,
                }),
                s.to_string(),
            )
        })
        .collect();
    stages.push((
        Stage::lbfgs(LbfgsConfig {
            memory: 7,
            max_iters: 20_000,
            tol_grad: 1e-8,
            ..LbfgsConfig::default()
        }),
        "m 7, More-Thuente".to_string(),
    ));
    let mut rows = Vec::new();
    for (stage, settings) in stages {
        let mut p = Rosenbrock::default();
        let report = Runner::new()
            .keep_history(false)
            .stage(stage)
            .run(&mut p, vec![-1.2, 1.0])?;
        let s = &report.stages[0];
        rows.push(RosenbrockRow {
            solver: s.name.clone(),
            settings,
            evaluations: s.evaluations,
            iterations: s.iterations,
            seconds: s.elapsed,
            final_loss: s.final_loss,
            termination: s.termination.clone(),
        });
    }
    let mut f = Finding::new(12, "Rosenbrock: every rule and L-BFGS, one executor");
    for r in &rows {
        f.num(format!("{}.evaluations", r.solver), r.evaluations as f64);
        f.num(format!("{}.final_loss", r.solver), r.final_loss);
    }
    let lbfgs = rows.last().cloned();
    let best_adaptive = rows[..rows.len() - 1]
        .iter()
        .map(|r| r.final_loss)
        .fold(f64::INFINITY, f64::min);
    f.holds = lbfgs
        .as_ref()
        .is_some_and(|l| l.termination == Termination::Converged);
    f.note = format!(
        "L-BFGS: {} evaluations to loss {:.1e} ({}); best adaptive rule after 20000 steps: \
         loss {:.1e}",
        lbfgs.as_ref().map_or(0, |l| l.evaluations),
        lbfgs.as_ref().map_or(f64::NAN, |l| l.final_loss),
        lbfgs
            .as_ref()
            .map_or(String::new(), |l| l.termination.to_string()),
        best_adaptive
    );
    Ok((f, rows))
}
