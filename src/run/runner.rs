//! [`Runner`]: chains stages on one problem, restarts quasi-Newton stages after line-search
//! failures (the one retry rule), enforces wall-time budgets and tells the observer.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::bridge::Probe;
use super::checkpoint::started_ago;
use super::observer::{RunEnd, RunStart};
use super::record::Recording;
use super::stage_run::{Progress, StageRun};
use super::{Checkpoint, History, Observer, RunReport, Stage, StageReport};
use crate::error::{check, Error, Result};
use crate::problem::Problem;

/// Runs a chain of stages (say Adam for N steps, then L-BFGS) on a [`Problem`], each through
/// argmin's `Executor`, and reports why each stopped.
///
/// The retry rule, for every stage: after a [`Termination::LineSearchFailed`](super::Termination::LineSearchFailed), the stage is
/// run again from the last accepted point with fresh solver memory, at most
/// [`crate::run::StageSolver::restarts`] times, while ‖g‖ there is above [`crate::run::StageSolver::tol_grad`] and the
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
    checkpoint_every: u64,
    resume: Option<Checkpoint>,
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
            checkpoint_every: 0,
            resume: None,
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
    /// [`Termination::TimeBudget`](super::Termination::TimeBudget) and later stages do not
    /// start. Errors on a zero budget.
    ///
    /// A problem evaluated by several processes ([`Problem::processes`] > 1, as
    /// [`crate::dist::Sharded`] under MPI) is timed on rank 0's clock
    /// ([`Problem::agreed_elapsed`]) and only between stages (and before a stage's restarts):
    /// the stage running when the budget runs out finishes its iterations, then every rank
    /// stops there together. Inside a stage each rank would read its own clock and stop at its
    /// own iteration, leaving the others waiting. Split a long run into stages (as the stiff
    /// examples' quasi-Newton segments are) to bound the overshoot. The clock starts when the
    /// run is called, so a rank's wait for late peers at the start counts.
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

    /// Takes a [`Checkpoint`] every `k` iterations of a stage and at the start of every stage,
    /// and hands it to the observers (a run file writes it atomically beside itself; 0, the
    /// default: never).
    pub fn checkpoint_every(mut self, k: u64) -> Self {
        self.checkpoint_every = k;
        self
    }

    /// Continues the run a [`Checkpoint`] was taken in, bit for bit: the stages, the problem
    /// (built the same way) and the observer are the caller's; `x0` is ignored. The history
    /// kept in memory starts at the checkpoint.
    pub fn resume(mut self, checkpoint: Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// Runs the stages from `x0`.
    ///
    /// Errors: [`Error::Diverged`] with the last finite parameters when a loss or gradient
    /// becomes non-finite; [`Error::Solver`] when argmin fails otherwise. A line-search
    /// failure is not an error: it is the stage's [`Termination::LineSearchFailed`](super::Termination::LineSearchFailed), and the
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
        // The run's clock starts here, before the processes first wait for each other.
        let called = Instant::now();
        self.validate(problem, &x0)?;
        let resume = self.resume.as_ref();
        if let Some(c) = resume {
            self.check_resume(problem, c)?;
            problem.restore(&c.problem_state)?;
        }
        let names = problem.component_names();
        let started = observer.start(&RunStart {
            problem: &problem.name(),
            dim: problem.dim(),
            component_names: &names,
            stages: &self.stages,
        });
        problem.agreed_outcome(started)?;
        let recording = Rc::new(RefCell::new(Recording {
            history: self.keep_history.then(|| History {
                component_names: names.clone(),
                records: Vec::new(),
            }),
            pending: Vec::new(),
            inspections: Vec::new(),
            stage: 0,
            offset: resume.map_or(0, |c| c.offset),
            start: called,
            checkpoint: None,
            saved: Rc::new(RefCell::new(None)),
        }));
        let probe = Rc::new(RefCell::new(Probe {
            components: vec![f64::NAN; names.len()],
            loss: f64::NAN,
            evaluations: resume.map_or(0, |c| c.evaluations),
            ..Probe::default()
        }));
        let mut run = match resume {
            Some(c) => Progress {
                x: c.attempt_start.clone(),
                loss: c.loss_before,
                carried: c.carried.clone(),
                start: started_ago(c.run_elapsed),
                reports: c.reports.iter().map(StageReport::from).collect(),
            },
            None => Progress {
                x: x0,
                loss: f64::NAN,
                carried: None,
                start: called,
                reports: Vec::new(),
            },
        };
        let first = resume.map_or(0, |c| c.stage as usize);
        let mut failure = None;
        for (k, stage) in self.stages.iter().enumerate().skip(first) {
            recording.borrow_mut().stage = k as u32;
            let at = resume.filter(|c| c.stage as usize == k);
            // `&mut P` is a sized problem, whatever P is, so the stage can see it as dyn.
            let mut lent: &mut P = &mut *problem;
            let step = StageRun {
                k,
                stage,
                runner: self,
                probe: &probe,
                recording: &recording,
                resume: at,
            };
            let (report, error) = step.run(&mut lent, observer, &mut run);
            failure = error.or_else(|| observer.stage_end(&report).err());
            // An observer (or, below, `between`) may fail on one process alone.
            failure = problem.agreed_outcome(failure.map_or(Ok(()), Err)).err();
            // On the clock every process agrees on, so that all ranks stop here together.
            let out_of_time = match self.time_budget {
                Some(b) if failure.is_none() => match problem.agreed_elapsed(run.start.elapsed()) {
                    Ok(e) => e >= b,
                    Err(e) => {
                        failure = Some(e);
                        true
                    }
                },
                _ => false,
            };
            run.reports.push(report);
            if failure.is_some() || out_of_time || k + 1 == self.stages.len() {
                break;
            }
            probe.borrow_mut().valid = false;
            let changed = between(k, problem, &run.x);
            failure = problem.agreed_outcome(changed).err();
            if failure.is_some() {
                break;
            }
        }
        let recording = Rc::try_unwrap(recording)
            .map_err(|_| Error::Internal {
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
            stages: &run.reports,
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
            skipped_stages: self.stages.len() - run.reports.len(),
            stages: run.reports,
            history: recording.history.unwrap_or_default(),
            evaluations,
            elapsed: recording.start.elapsed().as_secs_f64(),
            inspections: recording.inspections,
        })
    }

    /// A checkpoint must come from a run of the same problem and stages.
    fn check_resume<P: Problem + ?Sized>(&self, problem: &P, c: &Checkpoint) -> Result<()> {
        let names: Vec<String> = self.stages.iter().map(Stage::name).collect();
        let fits = c.problem == problem.name()
            && c.dim == problem.dim()
            && c.stages == names
            && (c.stage as usize) < self.stages.len()
            && c.reports.len() == c.stage as usize;
        if fits {
            Ok(())
        } else {
            Err(Error::InvalidConfig {
                component: "checkpoint",
                message: format!(
                    "taken in stage {} of stages {:?} on {:?} ({} parameters); this run has \
                     stages {:?} on {:?} ({} parameters)",
                    c.stage,
                    c.stages,
                    c.problem,
                    c.dim,
                    names,
                    problem.name(),
                    problem.dim()
                ),
            })
        }
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

    pub(crate) fn time_budget_of(&self) -> Option<Duration> {
        self.time_budget
    }

    pub(crate) fn checkpoint_interval(&self) -> u64 {
        self.checkpoint_every
    }

    pub(crate) fn record_interval(&self) -> u64 {
        self.record_every
    }
}
