//! One stage of a run with its restarts: the runner's one retry rule, time budgets,
//! divergence, and the checkpoints taken along the way.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::bridge::{ArgminProblem, Evaluate, Link, Probe};
use super::checkpoint::{started_ago, Context, SavedReport};
use super::record::Recording;
use super::stage::StageContext;
use super::{Checkpoint, Observer, Runner, Stage, StageReport, Termination};
use crate::error::Error;
use crate::problem::Problem;

/// The run's state between stages.
pub(crate) struct Progress {
    pub x: Vec<f64>,
    pub loss: f64,
    /// The inverse Hessian the last quasi-Newton stage ended with.
    pub carried: Option<Vec<f64>>,
    pub start: Instant,
    /// Reports of the finished stages.
    pub reports: Vec<StageReport>,
}

/// Stage `k` of a run, possibly resumed from a checkpoint taken inside it.
pub(crate) struct StageRun<'r> {
    pub k: usize,
    pub stage: &'r Stage,
    pub runner: &'r Runner,
    pub probe: &'r Rc<RefCell<Probe>>,
    pub recording: &'r Rc<RefCell<Recording>>,
    pub resume: Option<&'r Checkpoint>,
}

impl StageRun<'_> {
    /// Runs the stage (restarting it after line-search failures, see [`Runner`]); the error,
    /// if any, ends the run.
    pub fn run<'a>(
        &self,
        problem: &'a mut (dyn Problem + 'a),
        observer: &'a mut (dyn Observer + 'a),
        run: &mut Progress,
    ) -> (StageReport, Option<Error>) {
        let (stage, solver) = (self.stage, self.stage.solver());
        let evals_before = self.probe.borrow().evaluations;
        let (t0, mut iterations, mut restarts) = match self.resume {
            Some(c) => (started_ago(c.stage_elapsed), c.stage_iterations, c.restarts),
            None => (Instant::now(), 0, 0),
        };
        // Inside-stage state to resume the first attempt from (none at a stage boundary).
        let mut resume = self
            .resume
            .filter(|c| !c.state.is_empty())
            .map(|c| (c.state.clone(), c.solver.clone()));
        let mut termination = Termination::TimeBudget;
        let mut failure = None;
        let problem_name = problem.name();
        let link = Link::new(observer, Rc::clone(self.recording));
        let mut host = ArgminProblem::linked(problem, Rc::clone(self.probe), link);
        loop {
            let budget = match remaining(
                (stage.time_budget(), t0),
                (self.runner.time_budget_of(), run.start),
                &host,
            ) {
                Ok(b) => b,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            if budget.is_some_and(|b| b.is_zero()) {
                termination = Termination::TimeBudget;
                break;
            }
            let before = run.loss;
            if self.runner.checkpoint_interval() > 0 {
                let context = self.context(&problem_name, restarts, iterations, t0, run);
                let boundary = resume.is_none() && (restarts, iterations) == (0, 0);
                self.recording.borrow_mut().checkpoint = Some(context);
                if boundary {
                    // The start of the stage: enough to run it afresh. (An observer's error
                    // is kept for the next evaluation, which every process reaches.)
                    self.boundary_checkpoint(&host);
                }
            }
            let mut ctx = StageContext {
                stage: self.k as u32,
                record_every: self.runner.record_interval(),
                // Several processes could not agree on an argmin timeout (each would read
                // its own clock): their budget is checked between attempts and stages.
                time_budget: budget.filter(|_| host.processes() == 1),
                carried_inverse_hessian: &mut run.carried,
                checkpoint_every: self.runner.checkpoint_interval(),
                resume: resume.take(),
                saved: Rc::clone(&self.recording.borrow().saved),
            };
            let attempt = solver.attempt(&mut host, run.x.clone(), &mut ctx);
            // Rows and a snapshot from the last iterations, before the offset moves on. An
            // observer's error ends the run, whatever the solver made of it (a line search
            // sees it as a failed evaluation).
            if let Err(e) = host.flush() {
                failure = Some(e);
                break;
            }
            let attempt = match attempt {
                Ok(a) => a,
                Err(e) => {
                    failure = Some(at_start(&stage.name(), e, &run.x, run.loss));
                    break;
                }
            };
            iterations += attempt.iterations;
            self.recording.borrow_mut().offset += attempt.iterations;
            run.x = attempt.params;
            run.loss = attempt.loss;
            termination = attempt.termination;
            if let Some(d) = attempt.divergence {
                failure = Some(Error::Diverged {
                    stage: stage.name(),
                    iteration: self.recording.borrow().offset - attempt.iterations + d.iteration,
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
        if let Err(e) = host.flush() {
            failure.get_or_insert(e);
        }
        drop(host);
        self.recording.borrow_mut().checkpoint = None;
        let report = StageReport {
            name: stage.name(),
            termination,
            iterations,
            evaluations: self.probe.borrow().evaluations - evals_before,
            elapsed: t0.elapsed().as_secs_f64(),
            final_loss: run.loss,
            restarts,
        };
        (report, failure)
    }

    /// The runner's side of a checkpoint taken during the coming attempt.
    fn context(
        &self,
        problem: &str,
        restarts: u32,
        iterations: u64,
        t0: Instant,
        run: &Progress,
    ) -> Context {
        Context {
            problem: problem.to_string(),
            stages: self.runner.stages().iter().map(Stage::name).collect(),
            dim: run.x.len(),
            stage: self.k as u32,
            restarts,
            stage_iterations: iterations,
            loss_before: run.loss,
            attempt_start: run.x.clone(),
            carried: run.carried.clone(),
            reports: run.reports.iter().map(SavedReport::from).collect(),
            stage_start: t0,
            run_start: run.start,
        }
    }

    /// Tells the observer the checkpoint of the stage's start.
    fn boundary_checkpoint(&self, host: &ArgminProblem<'_, dyn Problem + '_>) {
        let c = {
            let rec = self.recording.borrow();
            let ctx = rec.checkpoint.as_ref().expect("set by the caller");
            ctx.checkpoint(
                None,
                rec.offset,
                self.probe.borrow().evaluations,
                host.problem_snapshot(),
            )
        };
        host.tell_checkpoint(&c)
    }
}

/// Wall time left: the smaller of the stage's and the run's remaining budgets, each a
/// `(budget, start)`, on the clock every process agrees on ([`Problem::agreed_elapsed`]).
fn remaining(
    (stage, stage_start): (Option<Duration>, Instant),
    (run_budget, run_start): (Option<Duration>, Instant),
    host: &ArgminProblem<'_, dyn Problem + '_>,
) -> crate::Result<Option<Duration>> {
    let left = |budget: Option<Duration>, start: Instant| -> crate::Result<Option<Duration>> {
        budget
            .map(|b| Ok(b.saturating_sub(host.agreed_elapsed(start.elapsed())?)))
            .transpose()
    };
    Ok(
        match (left(stage, stage_start)?, left(run_budget, run_start)?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
    )
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
