//! [`Runner`]: chains stages on one problem, restarts quasi-Newton stages after line-search
//! failures (the one retry rule), enforces wall-time budgets and tells the observer.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::bridge::{ArgminProblem, Evaluate, Link, Probe};
use super::observer::{RunEnd, RunStart};
use super::record::Recording;
use super::stage::StageContext;
use super::{History, Observer, RunReport, Stage, StageReport, Termination};
use crate::error::{check, Error, Result};
use crate::problem::Problem;

/// Runs a chain of stages (say Adam for N steps, then L-BFGS) on a [`Problem`], each through
/// argmin's `Executor`, and reports why each stopped.
///
/// The retry rule, for every stage: after a [`Termination::LineSearchFailed`], the stage is
/// run again from the last accepted point with fresh solver memory, at most
/// [`StageSolver::restarts`] times, while ‖g‖ there is above [`StageSolver::tol_grad`] and the
/// previous attempt lowered the loss.
///
/// ```
/// use ravine::{rules, AdamConfig, LbfgsConfig, Rosenbrock, Runner, Stage, Termination};
/// let mut problem = Rosenbrock::default();
/// let report = Runner::new()
///     .stage(Stage::adaptive(rules::adam(1e-2, AdamConfig::default()).unwrap(), 200))
///     .stage(Stage::lbfgs(LbfgsConfig::default()))
///     .run(&mut problem, vec![-1.2, 1.0])
///     .unwrap();
/// assert_eq!(report.stages[0].termination, Termination::MaxIters);
/// assert!(report.loss < 1e-16);
/// ```
#[derive(Debug, Clone)]
pub struct Runner {
    stages: Vec<Stage>,
    record_every: u64,
    keep_history: bool,
    time_budget: Option<Duration>,
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
            time_budget: None,
        }
    }

    /// Appends a stage.
    pub fn stage(mut self, stage: Stage) -> Self {
        self.stages.push(stage);
        self
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// Records every `k`-th iteration (k ≥ 1; default 1).
    pub fn record_every(mut self, k: u64) -> Result<Self> {
        check(k >= 1, "runner", "record_every", k as f64, "must be >= 1")?;
        self.record_every = k;
        Ok(self)
    }

    /// Whether to keep the history in memory (default true). Observers get it either way.
    pub fn keep_history(mut self, keep: bool) -> Self {
        self.keep_history = keep;
        self
    }

    /// A wall-time budget for the whole run: the stage running when it runs out stops with
    /// [`Termination::TimeBudget`] and later stages do not start. Errors on a zero budget.
    pub fn time_budget(mut self, budget: Duration) -> Result<Self> {
        check(
            !budget.is_zero(),
            "runner",
            "time_budget",
            budget.as_secs_f64(),
            "must be > 0",
        )?;
        self.time_budget = Some(budget);
        Ok(self)
    }

    /// Runs the stages from `x0`.
    ///
    /// Errors: [`Error::Diverged`] with the last finite parameters when a loss or gradient
    /// becomes non-finite; [`Error::Solver`] when argmin fails otherwise. A line-search
    /// failure is not an error: it is the stage's [`Termination::LineSearchFailed`], and the
    /// next stage (if any) starts from the last accepted point.
    pub fn run<P: Problem + ?Sized>(&self, problem: &mut P, x0: Vec<f64>) -> Result<RunReport> {
        self.run_observed(problem, x0, &mut ())
    }

    /// [`Runner::run`], telling `observer` everything (see [`Observer`]; a run file is one).
    pub fn run_observed<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        x0: Vec<f64>,
        observer: &mut dyn Observer,
    ) -> Result<RunReport> {
        self.run_refined(problem, x0, observer, |_, _, _| Ok(()))
    }

    /// [`Runner::run_observed`], calling `between(k, problem, params)` after stage `k` and
    /// before the next (not after the last): the place to change the problem between stages,
    /// e.g. to move collocation points to where the residual is largest.
    pub fn run_refined<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        x0: Vec<f64>,
        observer: &mut dyn Observer,
        mut between: impl FnMut(usize, &mut P, &[f64]) -> Result<()>,
    ) -> Result<RunReport> {
        self.validate(problem, &x0)?;
        let names = problem.component_names();
        observer.start(&RunStart {
            problem: &problem.name(),
            dim: problem.dim(),
            component_names: &names,
            stages: &self.stages,
        })?;
        let recording = Rc::new(RefCell::new(Recording {
            history: self.keep_history.then(|| History {
                component_names: names.clone(),
                records: Vec::new(),
            }),
            pending: Vec::new(),
            inspections: Vec::new(),
            stage: 0,
            offset: 0,
            start: Instant::now(),
        }));
        let probe = Rc::new(RefCell::new(Probe {
            components: vec![f64::NAN; names.len()],
            loss: f64::NAN,
            ..Probe::default()
        }));
        let mut run = Progress {
            x: x0,
            loss: f64::NAN,
            carried: None,
            start: Instant::now(),
        };
        let mut reports = Vec::new();
        let mut failure = None;
        for (k, stage) in self.stages.iter().enumerate() {
            recording.borrow_mut().stage = k as u32;
            // `&mut P` is a sized problem, whatever P is, so the stage can see it as dyn.
            let mut lent: &mut P = &mut *problem;
            let (report, error) =
                self.run_stage(k, stage, &mut lent, &probe, &recording, observer, &mut run);
            failure = error.or_else(|| observer.stage_end(&report).err());
            let out_of_time = self.time_budget.is_some_and(|b| run.start.elapsed() >= b);
            reports.push(report);
            if failure.is_some() || out_of_time || k + 1 == self.stages.len() {
                break;
            }
            probe.borrow_mut().valid = false;
            failure = between(k, problem, &run.x).err();
            if failure.is_some() {
                break;
            }
        }
        let recording = Rc::try_unwrap(recording)
            .map_err(|_| Error::InvalidConfig {
                component: "runner",
                message: "observer outlived the run".into(),
            })?
            .into_inner();
        let status = failure
            .as_ref()
            .map_or_else(|| "completed".to_string(), |e| e.to_string());
        let finished = observer.finish(&RunEnd {
            params: &run.x,
            loss: run.loss,
            stages: &reports,
            inspections: &recording.inspections,
            status: &status,
        });
        if let Some(e) = failure {
            return Err(e);
        }
        finished?;
        let evaluations = probe.borrow().evaluations;
        Ok(RunReport {
            params: run.x,
            loss: run.loss,
            stages: reports,
            history: recording.history.unwrap_or_default(),
            evaluations,
            elapsed: recording.start.elapsed().as_secs_f64(),
            inspections: recording.inspections,
        })
    }

    fn validate<P: Problem + ?Sized>(&self, problem: &P, x0: &[f64]) -> Result<()> {
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
        Ok(())
    }

    /// One stage with its restarts; the error, if any, ends the run.
    #[allow(clippy::too_many_arguments)]
    fn run_stage<'a>(
        &self,
        k: usize,
        stage: &Stage,
        problem: &'a mut (dyn Problem + 'a),
        probe: &Rc<RefCell<Probe>>,
        recording: &Rc<RefCell<Recording>>,
        observer: &'a mut (dyn Observer + 'a),
        run: &mut Progress,
    ) -> (StageReport, Option<Error>) {
        let solver = stage.solver();
        let (t0, evals_before) = (Instant::now(), probe.borrow().evaluations);
        let (mut iterations, mut restarts) = (0u64, 0u32);
        let mut termination = Termination::TimeBudget;
        let mut failure = None;
        let link = Link::new(observer, Rc::clone(recording));
        let mut host = ArgminProblem::linked(problem, Rc::clone(probe), link);
        loop {
            let budget = remaining(stage.time_budget(), t0, self.time_budget, run.start);
            if budget.is_some_and(|b| b.is_zero()) {
                termination = Termination::TimeBudget;
                break;
            }
            let mut ctx = StageContext {
                stage: k as u32,
                record_every: self.record_every,
                time_budget: budget,
                carried_inverse_hessian: &mut run.carried,
            };
            let before = run.loss;
            let attempt = match solver.attempt(&mut host, run.x.clone(), &mut ctx) {
                Ok(a) => a,
                Err(e) => {
                    failure = Some(at_start(&stage.name(), e, &run.x, run.loss));
                    break;
                }
            };
            iterations += attempt.iterations;
            recording.borrow_mut().offset += attempt.iterations;
            run.x = attempt.params;
            run.loss = attempt.loss;
            termination = attempt.termination;
            if let Some(d) = attempt.divergence {
                failure = Some(Error::Diverged {
                    stage: stage.name(),
                    iteration: recording.borrow().offset - attempt.iterations + d.iteration,
                    reason: d.reason,
                    last_loss: run.loss,
                    last_finite_params: run.x.clone(),
                });
                break;
            }
            if !matches!(termination, Termination::LineSearchFailed(_))
                || restarts >= solver.restarts()
                || !(before.is_nan() || run.loss < before)
            {
                break;
            }
            // argmin's L-BFGS takes the gradient out of its state when its line search
            // fails: evaluate it at the kept point (cached when the probe is there).
            let grad_norm = match attempt.gradient {
                Some(g) => norm(&g),
                None => host.evaluate(&run.x).map_or(f64::NAN, |e| norm(&e.grad)),
            };
            // A NaN norm (no gradient to be had) is no reason to restart either.
            if grad_norm.is_nan() || grad_norm <= solver.tol_grad() {
                break;
            }
            run.carried = None;
            restarts += 1;
        }
        if let Some(link) = host.link() {
            link.flush();
            if let Some(e) = link.take_error() {
                failure.get_or_insert(e);
            }
        }
        let report = StageReport {
            name: stage.name(),
            termination,
            iterations,
            evaluations: probe.borrow().evaluations - evals_before,
            elapsed: t0.elapsed().as_secs_f64(),
            final_loss: run.loss,
            restarts,
        };
        (report, failure)
    }
}

/// The run's state between stages.
struct Progress {
    x: Vec<f64>,
    loss: f64,
    /// The inverse Hessian the last quasi-Newton stage ended with.
    carried: Option<Vec<f64>>,
    start: Instant,
}

/// Wall time left: the smaller of the stage's and the run's remaining budgets.
fn remaining(
    stage: Option<Duration>,
    stage_start: Instant,
    run: Option<Duration>,
    run_start: Instant,
) -> Option<Duration> {
    let s = stage.map(|b| b.saturating_sub(stage_start.elapsed()));
    let r = run.map(|b| b.saturating_sub(run_start.elapsed()));
    match (s, r) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// A non-finite value at the start of a stage is a divergence with the stage's starting point
/// kept; other errors pass through.
fn at_start(stage: &str, e: Error, x: &[f64], loss: f64) -> Error {
    match e {
        Error::NonFinite { what, value, .. } => Error::Diverged {
            stage: stage.to_string(),
            iteration: 0,
            reason: format!("non-finite {what} ({value})"),
            last_loss: loss,
            last_finite_params: x.to_vec(),
        },
        err => err,
    }
}
