//! [`Stage`] and the [`StageSolver`] trait: one solver of a run, returning a typed
//! [`Attempt`]. The runner owns the retry rule; a stage only runs once from a given point.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use argmin::core::observers::ObserverMode;
use argmin::core::{Executor, Solver, State as _};

use super::adaptive::{Divergence, State};
use super::bridge::{ArgminProblem, Lent};
use super::checkpoint::{decode, Saved, Saver, SolverSnapshot};
use super::Termination;
use crate::error::{Error, Result};
use crate::problem::Problem;

/// The problem as a stage sees it: a ravine [`Problem`] behind argmin's `CostFunction` and
/// `Gradient` (and ravine's [`super::Evaluate`]), linked to the run's observers.
pub type Host<'a> = ArgminProblem<'a, dyn Problem + 'a>;

/// What the runner tells a stage for one attempt.
#[derive(Debug)]
pub struct StageContext<'c> {
    /// Index of the stage in the run.
    pub stage: u32,
    /// Record every k-th iteration.
    pub record_every: u64,
    /// Wall time left for this attempt (the smaller of the stage's and the run's budget).
    pub time_budget: Option<Duration>,
    /// The inverse Hessian the last quasi-Newton stage ended with (row-major), for a warm
    /// start; a stage that builds one leaves it here.
    pub carried_inverse_hessian: &'c mut Option<Vec<f64>>,
    /// Snapshot the solver and argmin's state every k iterations (0: never). ravine's stages
    /// do; a user-written stage is checkpointed at its boundaries only.
    pub checkpoint_every: u64,
    /// argmin's state and the solver's memory to resume this attempt from (taken by the
    /// attempt).
    pub resume: Option<(Vec<u8>, Vec<u8>)>,
    pub(crate) saved: Rc<RefCell<Option<Saved>>>,
}

/// The typed outcome of one attempt of a stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The point the attempt ended at (the last accepted one).
    pub params: Vec<f64>,
    /// The loss there.
    pub loss: f64,
    /// The gradient there, when the solver kept it.
    pub gradient: Option<Vec<f64>>,
    /// Iterations run.
    pub iterations: u64,
    /// Why it stopped.
    pub termination: Termination,
    /// Where and why the loss or gradient stopped being finite, if it did.
    pub divergence: Option<Divergence>,
}

impl Attempt {
    /// The outcome from argmin's final state: its parameters, or its best ones when the solver
    /// left none (argmin's L-BFGS after a failed line search), or `start` failing both.
    pub fn from_state(state: &State, start: Vec<f64>, termination: Termination) -> Self {
        let (params, loss, gradient) = match (state.get_param(), state.get_best_param()) {
            (Some(p), _) => (p.clone(), state.get_cost(), state.get_gradient().cloned()),
            (None, Some(p)) => (p.clone(), state.get_best_cost(), None),
            (None, None) => (start, f64::NAN, None),
        };
        Self {
            params,
            loss,
            gradient,
            iterations: state.get_iter(),
            termination,
            divergence: None,
        }
    }
}

/// A solver that can run as a stage of a [`crate::Runner`]. Implemented by ravine's adaptive
/// rules, argmin's L-BFGS, ravine's dense quasi-Newton methods and any argmin solver
/// (wrapped in [`super::ArgminStage`]); implement it to plug in anything else.
pub trait StageSolver: std::fmt::Debug {
    /// The solver's name, for logs and run files.
    fn name(&self) -> String;
    /// The settings by name, for logs and run files.
    fn hyperparameters(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
    /// How many times the runner may restart the stage after a line-search failure (from the
    /// last accepted point, with fresh solver memory). Default 0.
    fn restarts(&self) -> u32 {
        0
    }
    /// The gradient norm below which a restart is pointless. Default 0.
    fn tol_grad(&self) -> f64 {
        0.0
    }
    /// Runs once from `x`.
    fn attempt(
        &self,
        host: &mut Host<'_>,
        x: Vec<f64>,
        ctx: &mut StageContext<'_>,
    ) -> Result<Attempt>;
    /// A boxed copy (stages are cloned with the runner).
    fn boxed_clone(&self) -> Box<dyn StageSolver>;
}

/// One stage of a run: a [`StageSolver`] and an optional wall-time budget.
#[derive(Debug)]
pub struct Stage {
    solver: Box<dyn StageSolver>,
    time_budget: Option<Duration>,
}

impl Clone for Stage {
    fn clone(&self) -> Self {
        Self {
            solver: self.solver.boxed_clone(),
            time_budget: self.time_budget,
        }
    }
}

impl Stage {
    /// A stage running `solver`.
    pub fn new(solver: impl StageSolver + 'static) -> Self {
        Self {
            solver: Box::new(solver),
            time_budget: None,
        }
    }

    /// An adaptive stage of at most `max_iters` steps with no gradient tolerance (see
    /// [`super::AdaptiveStage`] for one).
    pub fn adaptive(optimizer: crate::optim::Optimizer, max_iters: u64) -> Self {
        Self::new(super::AdaptiveStage {
            optimizer,
            max_iters,
            tol_grad: 0.0,
        })
    }

    /// An L-BFGS stage (argmin's).
    pub fn lbfgs(config: super::LbfgsConfig) -> Self {
        Self::new(config)
    }

    /// A dense (self-scaled) BFGS or Broyden stage (ravine's).
    pub fn bfgs(config: super::BfgsConfig) -> Self {
        Self::new(config)
    }

    /// Stops the stage once `budget` of wall time has passed, reported as
    /// [`Termination::TimeBudget`] (checked after every iteration). Errors on a zero budget.
    /// With several processes it is read on rank 0's clock and checked only before each of
    /// the stage's attempts (see [`super::Runner::time_budget`]).
    pub fn with_time_budget(mut self, budget: Duration) -> Result<Self> {
        crate::error::check(
            !budget.is_zero(),
            "stage",
            "time_budget",
            budget.as_secs_f64(),
            "must be > 0",
        )?;
        self.time_budget = Some(budget);
        Ok(self)
    }

    /// The stage's wall-time budget, if any.
    pub fn time_budget(&self) -> Option<Duration> {
        self.time_budget
    }

    /// The stage's solver.
    pub fn solver(&self) -> &dyn StageSolver {
        self.solver.as_ref()
    }

    /// The stage's solver name.
    pub fn name(&self) -> String {
        self.solver.name()
    }

    /// The stage's settings by name (with `time_budget` in seconds when set).
    pub fn hyperparameters(&self) -> Vec<(String, f64)> {
        let mut v = self.solver.hyperparameters();
        if let Some(b) = self.time_budget {
            v.push(("time_budget".into(), b.as_secs_f64()));
        }
        v
    }
}

/// An executor for an argmin solver on the host from `x`, at most `max_iters` iterations,
/// recording through the host's link and stopping at the context's time budget.
fn executor<'b, 'h, S>(
    host: &'b mut Host<'h>,
    solver: S,
    x: Vec<f64>,
    max_iters: u64,
    ctx: &StageContext<'_>,
) -> Executor<Lent<'b, Host<'h>>, S, State>
where
    S: Solver<Lent<'b, Host<'h>>, State>,
{
    let observer = host.record_observer();
    let mut exec = Executor::new(Lent(host), solver)
        .configure(|s| s.param(x).max_iters(max_iters))
        .ctrlc(false);
    if let Some(o) = observer {
        exec = exec.add_observer(o, ObserverMode::Every(ctx.record_every));
    }
    if let Some(t) = ctx.time_budget {
        exec = exec.timeout(t);
    }
    exec
}

/// Runs a ravine-checkpointable solver: snapshots every `ctx.checkpoint_every` iterations, and
/// resumes from `ctx.resume` when given.
pub(crate) fn execute<'b, 'h, S>(
    host: &'b mut Host<'h>,
    solver: S,
    x: Vec<f64>,
    max_iters: u64,
    ctx: &mut StageContext<'_>,
    name: &str,
) -> Result<(S, State)>
where
    S: Solver<Lent<'b, Host<'h>>, State> + SolverSnapshot + Clone + 'static,
{
    let resume = match ctx.resume.take() {
        Some((state, memory)) => {
            let state: State = decode("checkpoint", &state)?;
            check_resumed(&state, x.len(), name)?;
            Some((solver.clone().restored(&memory, x.len())?, state))
        }
        None => None,
    };
    let saver = Saver {
        every: ctx.checkpoint_every,
        sink: Rc::clone(&ctx.saved),
        resume: RefCell::new(resume),
    };
    let res = executor(host, solver, x, max_iters, ctx)
        .checkpointing(saver)
        .run()
        .map_err(|e| argmin_error(name, e))?;
    Ok((res.solver, res.state))
}

/// A resumed argmin state must hold a finite point and gradient of `dim` entries (every
/// ravine stage reads both) and points of `dim` entries wherever it holds one.
fn check_resumed(state: &State, dim: usize, name: &str) -> Result<()> {
    let fits = |v: &Option<Vec<f64>>| v.as_ref().is_none_or(|v| v.len() == dim);
    let finite = |v: &Option<Vec<f64>>| {
        v.as_ref()
            .is_some_and(|v| v.len() == dim && v.iter().all(|x| x.is_finite()))
    };
    let ok = finite(&state.param)
        && finite(&state.grad)
        && [
            &state.prev_param,
            &state.best_param,
            &state.prev_best_param,
            &state.prev_grad,
        ]
        .into_iter()
        .all(fits);
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            component: "checkpoint",
            message: format!(
                "stage {name}: the saved iteration state lacks a finite point and gradient of \
                 {dim} entries"
            ),
        })
    }
}

/// Runs any argmin solver (no snapshots inside the stage; a resume must start it afresh).
pub(crate) fn execute_plain<'b, 'h, S>(
    host: &'b mut Host<'h>,
    solver: S,
    x: Vec<f64>,
    max_iters: u64,
    ctx: &mut StageContext<'_>,
    name: &str,
) -> Result<(S, State)>
where
    S: Solver<Lent<'b, Host<'h>>, State>,
{
    if ctx.resume.is_some() {
        return Err(Error::InvalidConfig {
            component: "checkpoint",
            message: format!("stage {name} cannot resume from inside itself"),
        });
    }
    let res = executor(host, solver, x, max_iters, ctx)
        .run()
        .map_err(|e| argmin_error(name, e))?;
    Ok((res.solver, res.state))
}

/// An argmin error as ravine's: ravine's own errors pass through, others name the stage.
pub(crate) fn argmin_error(stage: &str, e: argmin::core::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(err) => err,
        Err(other) => Error::Solver {
            stage: stage.to_string(),
            message: other.to_string(),
        },
    }
}
