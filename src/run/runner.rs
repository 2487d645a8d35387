//! [`Runner`]: chains solver stages through argmin's `Executor` and reports why each stopped.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use argmin::core::observers::ObserverMode;
use argmin::core::{Executor, State as _, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

use super::adaptive::{AdaptiveSolver, State};
use super::bfgs::{Bfgs, QuasiNewtonUpdate};
use super::bridge::{ArgminProblem, Borrowed, Evaluate};
use super::record::{History, RecordObserver, Recording};
use crate::error::{check, positive, Error, Result};
use crate::io::RunFile;
use crate::optim::Optimizer;
use crate::problem::Problem;

/// Settings of argmin's L-BFGS with the More-Thuente line search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsConfig {
    /// History length m. Default 10.
    pub memory: usize,
    /// Iteration cap. Default 1000.
    pub max_iters: u64,
    /// Stop when ‖g‖₂ < tol_grad. Default 1e-10.
    pub tol_grad: f64,
    /// Stop when |Δf| < tol_cost. Default 0 (off: argmin's default, machine ε, stops early on
    /// plateaus).
    pub tol_cost: f64,
    /// Sufficient-decrease constant c₁ of the Wolfe conditions. Default 1e-4.
    pub c1: f64,
    /// Curvature constant c₂ of the Wolfe conditions. Default 0.9.
    pub c2: f64,
    /// How many times to restart L-BFGS (fresh memory, from the last accepted point) after a
    /// line-search failure with ‖g‖ still above `tol_grad`, as long as the previous attempt
    /// lowered the loss. Default 0.
    pub restarts: u32,
}

impl Default for LbfgsConfig {
    fn default() -> Self {
        Self {
            memory: 10,
            max_iters: 1000,
            tol_grad: 1e-10,
            tol_cost: 0.0,
            c1: 1e-4,
            c2: 0.9,
            restarts: 0,
        }
    }
}

/// Settings of ravine's dense [`Bfgs`] (optionally self-scaled) with argmin's More-Thuente
/// line search: for problems of up to a few thousand parameters, where keeping every
/// curvature pair beats L-BFGS's last `m` (PINNs: Urbán et al., arXiv:2405.04230;
/// Kiyani et al., arXiv:2501.16371).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BfgsConfig {
    /// Iteration cap. Default 1000.
    pub max_iters: u64,
    /// Stop when ‖g‖₂ < tol_grad. Default 1e-10.
    pub tol_grad: f64,
    /// Stop when |Δf| < tol_cost. Default 0 (off).
    pub tol_cost: f64,
    /// Sufficient-decrease constant c₁ of the Wolfe conditions. Default 1e-4.
    pub c1: f64,
    /// Curvature constant c₂ of the Wolfe conditions. Default 0.9.
    pub c2: f64,
    /// The inverse-Hessian update (see [`Bfgs`]). Default self-scaled BFGS.
    pub update: QuasiNewtonUpdate,
    /// Start from the inverse Hessian the previous BFGS stage of the run ended with (if it is
    /// still positive definite once symmetrised; otherwise from scratch), as when the
    /// collocation points are resampled between stages. Default false.
    pub warm_start: bool,
    /// Restarts (fresh `H`, from the last accepted point) after a line-search failure with
    /// ‖g‖ above `tol_grad`, as long as the previous attempt lowered the loss. Default 0.
    pub restarts: u32,
}

impl Default for BfgsConfig {
    fn default() -> Self {
        Self {
            max_iters: 1000,
            tol_grad: 1e-10,
            tol_cost: 0.0,
            c1: 1e-4,
            c2: 0.9,
            update: QuasiNewtonUpdate::SelfScaledBfgs,
            warm_start: false,
            restarts: 0,
        }
    }
}

/// One stage of a run.
#[derive(Debug, Clone)]
pub enum Stage {
    /// A ravine update rule for at most `max_iters` steps, stopping early when ‖g‖₂ <
    /// `tol_grad` (0 disables).
    Adaptive {
        /// The rule.
        optimizer: Optimizer,
        /// Step cap.
        max_iters: u64,
        /// Gradient-norm tolerance.
        tol_grad: f64,
    },
    /// argmin's L-BFGS.
    Lbfgs(LbfgsConfig),
    /// ravine's dense (self-scaled) BFGS.
    Bfgs(BfgsConfig),
}

impl Stage {
    /// An adaptive stage of at most `max_iters` steps with no gradient tolerance.
    pub fn adaptive(optimizer: Optimizer, max_iters: u64) -> Self {
        Stage::Adaptive {
            optimizer,
            max_iters,
            tol_grad: 0.0,
        }
    }

    /// An L-BFGS stage.
    pub fn lbfgs(config: LbfgsConfig) -> Self {
        Stage::Lbfgs(config)
    }

    /// A dense (self-scaled) BFGS stage.
    pub fn bfgs(config: BfgsConfig) -> Self {
        Stage::Bfgs(config)
    }

    /// The stage's solver name.
    pub fn name(&self) -> String {
        match self {
            Stage::Adaptive { optimizer, .. } => optimizer.name().to_string(),
            Stage::Lbfgs(_) => "lbfgs".to_string(),
            Stage::Bfgs(c) => c.update.name().to_string(),
        }
    }

    /// The stage's settings by name, for logs and run files.
    pub fn hyperparameters(&self) -> Vec<(String, f64)> {
        match self {
            Stage::Adaptive {
                optimizer,
                max_iters,
                tol_grad,
            } => {
                let mut v = optimizer.hyperparameters();
                v.push(("max_iters".into(), *max_iters as f64));
                v.push(("tol_grad".into(), *tol_grad));
                v
            }
            Stage::Lbfgs(c) => vec![
                ("memory".into(), c.memory as f64),
                ("max_iters".into(), c.max_iters as f64),
                ("tol_grad".into(), c.tol_grad),
                ("tol_cost".into(), c.tol_cost),
                ("c1".into(), c.c1),
                ("c2".into(), c.c2),
                ("restarts".into(), f64::from(c.restarts)),
            ],
            Stage::Bfgs(c) => vec![
                ("max_iters".into(), c.max_iters as f64),
                ("tol_grad".into(), c.tol_grad),
                ("tol_cost".into(), c.tol_cost),
                ("c1".into(), c.c1),
                ("c2".into(), c.c2),
                (
                    "self_scaling".into(),
                    f64::from(u8::from(c.update != QuasiNewtonUpdate::Bfgs)),
                ),
                (
                    "broyden".into(),
                    f64::from(u8::from(c.update == QuasiNewtonUpdate::SelfScaledBroyden)),
                ),
                ("warm_start".into(), f64::from(u8::from(c.warm_start))),
                ("restarts".into(), f64::from(c.restarts)),
            ],
        }
    }
}

/// Why a stage stopped, read from argmin's termination reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Termination {
    /// The solver's own convergence test passed (gradient or cost tolerance).
    Converged,
    /// The iteration cap was reached.
    MaxIters,
    /// The target cost was reached.
    TargetCost,
    /// L-BFGS's line search failed; argmin's message is kept.
    LineSearchFailed(String),
    /// A non-finite loss or gradient appeared.
    Diverged(String),
    /// Anything else argmin reported (timeout, interrupt, solver-specific exit).
    Other(String),
}

impl Termination {
    fn from_argmin(status: &TerminationStatus) -> Self {
        match status {
            TerminationStatus::NotTerminated => Termination::Other("not terminated".into()),
            TerminationStatus::Terminated(reason) => match reason {
                TerminationReason::SolverConverged => Termination::Converged,
                TerminationReason::MaxItersReached => Termination::MaxIters,
                TerminationReason::TargetCostReached => Termination::TargetCost,
                TerminationReason::SolverExit(s) if s.starts_with("Line search") => {
                    Termination::LineSearchFailed(s.clone())
                }
                TerminationReason::SolverExit(s) if s.starts_with("diverged") => {
                    Termination::Diverged(s.clone())
                }
                other => Termination::Other(other.text().to_string()),
            },
        }
    }
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Termination::Converged => f.write_str("converged"),
            Termination::MaxIters => f.write_str("iteration cap"),
            Termination::TargetCost => f.write_str("target cost reached"),
            Termination::LineSearchFailed(s) => write!(f, "line-search failure: {s}"),
            Termination::Diverged(s) => f.write_str(s),
            Termination::Other(s) => f.write_str(s),
        }
    }
}

/// What one stage did.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// The solver's name.
    pub name: String,
    /// Why it stopped.
    pub termination: Termination,
    /// Iterations it ran.
    pub iterations: u64,
    /// Loss-and-gradient evaluations it used (line searches included).
    pub evaluations: u64,
    /// Wall time in seconds.
    pub elapsed: f64,
    /// Loss at the end of the stage.
    pub final_loss: f64,
    /// L-BFGS restarts after line-search failures (see [`LbfgsConfig::restarts`]).
    pub restarts: u32,
}

/// The outcome of a [`Runner::run`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// Final parameters.
    pub params: Vec<f64>,
    /// Loss there.
    pub loss: f64,
    /// One report per stage, in order.
    pub stages: Vec<StageReport>,
    /// The history, if [`Runner::keep_history`] was set.
    pub history: History,
    /// Total evaluations.
    pub evaluations: u64,
    /// Total wall time in seconds.
    pub elapsed: f64,
    /// Rows of the inspector, if one was set ([`Runner::inspect_with`]).
    pub inspections: Vec<super::InspectionRow>,
}

/// Runs a chain of stages (say Adam for N steps, then L-BFGS) on a [`Problem`], each through
/// argmin's `Executor` with the same observer, and reads every stage's termination reason.
///
/// ```
/// use ravine::{rules, AdamConfig, LbfgsConfig, Rosenbrock, Runner, Stage, Termination};
/// let mut problem = Rosenbrock::default();
/// let report = Runner::new()
///     .stage(Stage::adaptive(rules::adam(1e-2, AdamConfig::default()).unwrap(), 200))
///     .stage(Stage::lbfgs(LbfgsConfig::default()))
///     .run(&mut problem, vec![-1.2, 1.0], None)
///     .unwrap();
/// assert_eq!(report.stages[0].termination, Termination::MaxIters);
/// assert!(report.loss < 1e-16);
/// ```
#[derive(Debug, Clone)]
pub struct Runner {
    stages: Vec<Stage>,
    record_every: u64,
    keep_history: bool,
    inspector: Option<super::Inspector>,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

impl Runner {
    /// A runner with no stages, recording every iteration in memory.
    pub fn new() -> Self {
        Self {
            stages: Vec::new(),
            record_every: 1,
            keep_history: true,
            inspector: None,
        }
    }

    /// Appends a stage.
    pub fn stage(mut self, stage: Stage) -> Self {
        self.stages.push(stage);
        self
    }

    /// Records every `k`-th iteration (k ≥ 1; default 1).
    pub fn record_every(mut self, k: u64) -> Result<Self> {
        check(k >= 1, "runner", "record_every", k as f64, "must be >= 1")?;
        self.record_every = k;
        Ok(self)
    }

    /// Runs `inspector` every `k` iterations of each adaptive stage (and at its start), with
    /// the rule's effective steps: the place to compute curvature diagnostics during a run.
    /// The rows are returned in [`RunReport::inspections`] and, with a run file, written to
    /// `/diagnostics/{stage, iteration, <name>…}` (NaN where a row lacks a name).
    pub fn inspect_with(mut self, inspector: super::Inspector) -> Self {
        self.inspector = Some(inspector);
        self
    }

    /// Whether to keep the history in memory (default true). A run file gets it either way.
    pub fn keep_history(mut self, keep: bool) -> Self {
        self.keep_history = keep;
        self
    }

    /// Runs the stages from `x0`. With a run file, the configuration, the history and the final
    /// parameters are written to it (the file is finished by its owner).
    ///
    /// Errors: [`Error::Diverged`] with the last finite parameters when a loss or gradient
    /// becomes non-finite; [`Error::Solver`] when argmin fails otherwise. A line-search
    /// failure is not an error: it is the stage's [`Termination::LineSearchFailed`], and the
    /// next stage (if any) starts from the last accepted point.
    pub fn run<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        x0: Vec<f64>,
        file: Option<&mut RunFile>,
    ) -> Result<RunReport> {
        self.run_with(problem, x0, file, |_| {})
    }

    /// [`Runner::run`], calling `on_record` with every recorded row as it is made (to drive a
    /// progress bar, say).
    pub fn run_with<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        x0: Vec<f64>,
        file: Option<&mut RunFile>,
        on_record: impl FnMut(&super::Record) + 'static,
    ) -> Result<RunReport> {
        self.run_staged(problem, x0, file, on_record, |_, _, _| Ok(()))
    }

    /// [`Runner::run_with`], calling `between(k, problem, params)` after stage `k` finishes
    /// and before the next starts (not after the last): the place to change the problem
    /// between stages, e.g. to add collocation points where the residual is largest.
    pub fn run_staged<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        x0: Vec<f64>,
        mut file: Option<&mut RunFile>,
        on_record: impl FnMut(&super::Record) + 'static,
        mut between: impl FnMut(usize, &mut P, &[f64]) -> Result<()>,
    ) -> Result<RunReport> {
        if self.stages.is_empty() {
            return Err(Error::InvalidConfig {
                component: "runner",
                message: "no stages".into(),
            });
        }
        if x0.len() != problem.dim() {
            return Err(Error::DimensionMismatch {
                component: "runner",
                what: "initial parameters",
                expected: problem.dim(),
                got: x0.len(),
            });
        }
        if let Some(i) = x0.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "runner",
                what: "initial parameter",
                index: i,
                value: x0[i],
            });
        }
        let names = problem.component_names();
        let writer = match file.as_deref_mut() {
            Some(f) => {
                f.write_run_config(&problem.name(), problem.dim(), &self.stages)?;
                Some(f.history_writer(&names)?)
            }
            None => None,
        };
        let recording = Rc::new(RefCell::new(Recording {
            history: self.keep_history.then(|| History {
                component_names: names.clone(),
                records: Vec::new(),
            }),
            writer,
            stage: 0,
            offset: 0,
            start: Instant::now(),
            error: None,
            callback: Box::new(on_record),
        }));
        let first = ArgminProblem::new(problem);
        let probe = first.probe();
        let mut wrapped = Some(first);
        let mut x = x0;
        let mut loss = f64::NAN;
        let mut reports = Vec::new();
        let mut failure = None;
        // The inverse Hessian the last BFGS stage ended with, for a warm-started next one.
        let mut carried: Option<Vec<f64>> = None;
        'stages: for (k, stage) in self.stages.iter().enumerate() {
            recording.borrow_mut().stage = k as u32;
            let evals_before = probe.borrow().evaluations;
            let t0 = Instant::now();
            let (mut iterations, mut restarts) = (0u64, 0u32);
            let mut termination;
            loop {
                let observer = RecordObserver {
                    recording: Rc::clone(&recording),
                    probe: Rc::clone(&probe),
                };
                let Some(w) = wrapped.take() else {
                    break 'stages;
                };
                let loss_before = loss;
                let inspector = self.inspector.clone().map(|i| (i, k as u32));
                let outcome = run_stage(
                    stage,
                    w,
                    x.clone(),
                    observer,
                    self.record_every,
                    inspector,
                    &mut carried,
                );
                let (state, divergence) = match outcome {
                    Ok((w, state, divergence)) => {
                        wrapped = w;
                        (state, divergence)
                    }
                    Err(e) => {
                        failure = Some(stage_error(&stage.name(), e, &x, loss));
                        break 'stages;
                    }
                };
                termination = Termination::from_argmin(state.get_termination_status());
                iterations += state.get_iter();
                recording.borrow_mut().offset += state.get_iter();
                // argmin's L-BFGS hands back a state without parameters when its line search
                // fails; the best point (the last accepted one, as L-BFGS only accepts
                // decreases) is then in `best_param`.
                if let Some(p) = state.get_param() {
                    x.clone_from(p);
                    loss = state.get_cost();
                } else if let Some(p) = state.get_best_param() {
                    x.clone_from(p);
                    loss = state.get_best_cost();
                }
                if let Some(d) = divergence {
                    failure = Some(Error::Diverged {
                        stage: stage.name(),
                        iteration: recording.borrow().offset - state.get_iter() + d.iteration,
                        reason: d.reason,
                        last_loss: loss,
                        last_finite_params: x.clone(),
                    });
                }
                // argmin's L-BFGS also takes the gradient out of the state when its line search
                // fails: evaluate it at the kept point (cached if the probe is there).
                let grad_norm = match (state.get_gradient(), wrapped.as_ref()) {
                    (Some(g), _) => norm(g),
                    (None, Some(w)) => w.evaluate(&x).map_or(f64::NAN, |e| norm(&e.grad)),
                    (None, None) => f64::NAN,
                };
                let retry = match (stage, &termination) {
                    (Stage::Lbfgs(c), Termination::LineSearchFailed(_)) => {
                        restarts < c.restarts
                            && grad_norm > c.tol_grad
                            && made_progress(loss, loss_before)
                    }
                    (Stage::Bfgs(c), Termination::LineSearchFailed(_)) => {
                        restarts < c.restarts
                            && grad_norm > c.tol_grad
                            && made_progress(loss, loss_before)
                    }
                    _ => false,
                };
                if !retry || failure.is_some() {
                    break;
                }
                // A restart starts from a fresh inverse Hessian.
                carried = None;
                restarts += 1;
            }
            reports.push(StageReport {
                name: stage.name(),
                termination,
                iterations,
                evaluations: probe.borrow().evaluations - evals_before,
                elapsed: t0.elapsed().as_secs_f64(),
                final_loss: loss,
                restarts,
            });
            if failure.is_some() {
                break;
            }
            if k + 1 < self.stages.len() {
                if let Some(w) = wrapped.as_mut() {
                    if let Err(e) = between(k, w.problem_mut(), &x) {
                        failure = Some(e);
                        break;
                    }
                }
            }
        }
        let total_evals = probe.borrow().evaluations;
        drop(wrapped);
        let recording = Rc::try_unwrap(recording)
            .map_err(|_| Error::InvalidConfig {
                component: "runner",
                message: "observer outlived the run".into(),
            })?
            .into_inner();
        if let Some(e) = recording.error {
            return Err(e);
        }
        let inspections = self
            .inspector
            .as_ref()
            .map(|i| i.rows())
            .unwrap_or_default();
        if let Some(f) = file {
            if let Some(w) = recording.writer {
                f.restore_history_writer(w)?;
            }
            if !inspections.is_empty() {
                write_inspections(f, &inspections)?;
            }
            let status = failure
                .as_ref()
                .map_or_else(|| "completed".to_string(), |e| e.to_string());
            f.write_run_outcome(&reports, &x, loss, &status)?;
        }
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(RunReport {
            params: x,
            loss,
            stages: reports,
            history: recording.history.unwrap_or_default(),
            evaluations: total_evals,
            elapsed: recording.start.elapsed().as_secs_f64(),
            inspections,
        })
    }
}

/// `/diagnostics/{stage, iteration, <name>…}`: one column per name, NaN where a row lacks it.
fn write_inspections(f: &mut RunFile, rows: &[super::InspectionRow]) -> Result<()> {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for (n, _) in &r.values {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    let k = rows.len();
    let stage: Vec<f64> = rows.iter().map(|r| f64::from(r.stage)).collect();
    let iteration: Vec<f64> = rows.iter().map(|r| r.iteration as f64).collect();
    f.write_array("diagnostics", "stage", &stage, &[k])?;
    f.write_array("diagnostics", "iteration", &iteration, &[k])?;
    for n in &names {
        let col: Vec<f64> = rows
            .iter()
            .map(|r| {
                r.values
                    .iter()
                    .find(|(m, _)| m == n)
                    .map_or(f64::NAN, |v| v.1)
            })
            .collect();
        f.write_array("diagnostics", n, &col, &[k])?;
    }
    Ok(())
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Whether an attempt lowered the loss (or there was no earlier loss to compare with).
fn made_progress(loss: f64, before: f64) -> bool {
    before.is_nan() || loss < before
}

type StageOutcome<'a, P> = (
    Option<ArgminProblem<'a, P>>,
    State,
    Option<super::adaptive::Divergence>,
);

fn run_stage<'a, P: Problem + ?Sized>(
    stage: &Stage,
    problem: ArgminProblem<'a, P>,
    x: Vec<f64>,
    observer: RecordObserver,
    every: u64,
    inspector: Option<(super::Inspector, u32)>,
    carried: &mut Option<Vec<f64>>,
) -> std::result::Result<StageOutcome<'a, P>, argmin::core::Error> {
    let mode = ObserverMode::Every(every);
    match stage {
        Stage::Adaptive {
            optimizer,
            max_iters,
            tol_grad,
        } => {
            let mut solver = AdaptiveSolver::new(optimizer.clone()).with_tol_grad(*tol_grad)?;
            if let Some((ins, k)) = inspector {
                solver = solver.with_inspector(ins, k);
            }
            let res = Executor::new(problem, solver)
                .configure(|s| s.param(x).max_iters(*max_iters))
                .add_observer(observer, mode)
                .ctrlc(false)
                .run()?;
            let divergence = res.solver.divergence().cloned();
            let mut host = res.problem;
            Ok((host.take_problem(), res.state, divergence))
        }
        Stage::Lbfgs(c) => {
            positive("lbfgs", "c1", c.c1)?;
            check(
                c.memory >= 1,
                "lbfgs",
                "memory",
                c.memory as f64,
                "must be >= 1",
            )?;
            let ls = MoreThuenteLineSearch::new().with_c(c.c1, c.c2)?;
            let solver = LBFGS::new(ls, c.memory)
                .with_tolerance_grad(c.tol_grad)?
                .with_tolerance_cost(c.tol_cost)?;
            // Borrowed: argmin's L-BFGS drops its problem when the line search fails, and
            // the runner needs it for a restart or the next stage.
            let state = Executor::new(Borrowed(&problem), solver)
                .configure(|s| s.param(x).max_iters(c.max_iters))
                .add_observer(observer, mode)
                .ctrlc(false)
                .run()?
                .state;
            Ok((Some(problem), state, None))
        }
        Stage::Bfgs(c) => {
            positive("bfgs", "c1", c.c1)?;
            let mut solver =
                Bfgs::new(x.len(), c.c1, c.c2, c.update)?.with_tolerances(c.tol_grad, c.tol_cost);
            if let (true, Some(h)) = (c.warm_start, carried.take()) {
                solver = solver.with_inverse_hessian(h).0;
            }
            let mut res = Executor::new(problem, solver)
                .configure(|s| s.param(x).max_iters(c.max_iters))
                .add_observer(observer, mode)
                .ctrlc(false)
                .run()?;
            *carried = res.solver.take_inverse_hessian();
            let mut host = res.problem;
            Ok((host.take_problem(), res.state, None))
        }
    }
}

/// Turns an argmin error into ravine's: our own errors pass through, a non-finite value at the
/// start of a stage is a divergence with the stage's starting point kept.
fn stage_error(stage: &str, e: argmin::core::Error, x: &[f64], loss: f64) -> Error {
    match e.downcast::<Error>() {
        Ok(Error::NonFinite { what, value, .. }) => Error::Diverged {
            stage: stage.to_string(),
            iteration: 0,
            reason: format!("non-finite {what} ({value})"),
            last_loss: loss,
            last_finite_params: x.to_vec(),
        },
        Ok(err) => err,
        Err(other) => Error::Solver {
            stage: stage.to_string(),
            message: other.to_string(),
        },
    }
}
