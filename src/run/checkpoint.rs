//! [`Checkpoint`]: everything a run needs to continue bit for bit after being killed, and the
//! argmin hook that snapshots a stage's solver and state every `k` iterations.

use std::cell::RefCell;
use std::rc::Rc;

use argmin::core::checkpointing::{Checkpoint as ArgminCheckpoint, CheckpointingFrequency};
use serde::{Deserialize, Serialize};

use super::{StageReport, State, Termination};
use crate::error::{Error, Result};

/// Format version of [`Checkpoint`]; a reader refuses others. Version 2: transforms renamed
/// to the optax convention, so optimizer state keys changed (`trace.m`, not `momentum.m`).
pub const CHECKPOINT_VERSION: u32 = 2;

/// A run's complete state at one moment: where it is (stage, attempt, iteration), the stage
/// solver's memory and argmin's iteration state (MessagePack, exact in f64), the problem's own
/// state (collocation points, weights, horizon), and the reports of finished stages.
///
/// Made by [`crate::Runner::checkpoint_every`], handed to the observers (a run file writes it
/// atomically beside itself), and given back to [`crate::Runner::resume`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`CHECKPOINT_VERSION`].
    pub version: u32,
    /// The problem's name and dimension, checked on resume.
    pub problem: String,
    /// Number of parameters.
    pub dim: usize,
    /// The names of the run's stages, checked on resume.
    pub stages: Vec<String>,
    /// The stage running (index).
    pub stage: u32,
    /// Restarts of that stage so far.
    pub restarts: u32,
    /// Iterations of that stage's earlier attempts.
    pub stage_iterations: u64,
    /// Iterations of the run before the current attempt began.
    pub offset: u64,
    /// Evaluations so far.
    pub evaluations: u64,
    /// Seconds the stage had run.
    pub stage_elapsed: f64,
    /// Seconds the run had run.
    pub run_elapsed: f64,
    /// The run's loss when the current attempt began (the restart rule compares with it).
    pub loss_before: f64,
    /// The point the current attempt began at.
    pub attempt_start: Vec<f64>,
    /// The inverse Hessian carried between quasi-Newton stages.
    pub carried: Option<Vec<f64>>,
    /// Reports of the finished stages.
    pub reports: Vec<SavedReport>,
    /// argmin's iteration state of the attempt (empty at a stage boundary).
    pub state: Vec<u8>,
    /// The stage solver's memory (empty at a stage boundary).
    pub solver: Vec<u8>,
    /// The problem's state ([`crate::Problem::snapshot`]).
    pub problem_state: Vec<(String, Vec<f64>)>,
    /// The current parameters (also inside `state`; here for readers).
    pub params: Vec<f64>,
    /// The loss there.
    pub loss: f64,
}

/// A [`StageReport`] as a checkpoint stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedReport {
    /// Solver name.
    pub name: String,
    /// The termination, as displayed.
    pub termination: String,
    /// Iterations.
    pub iterations: u64,
    /// Evaluations.
    pub evaluations: u64,
    /// Seconds.
    pub elapsed: f64,
    /// Final loss.
    pub final_loss: f64,
    /// Restarts.
    pub restarts: u32,
}

impl From<&StageReport> for SavedReport {
    fn from(r: &StageReport) -> Self {
        Self {
            name: r.name.clone(),
            termination: r.termination.to_string(),
            iterations: r.iterations,
            evaluations: r.evaluations,
            elapsed: r.elapsed,
            final_loss: r.final_loss,
            restarts: r.restarts,
        }
    }
}

impl From<&SavedReport> for StageReport {
    fn from(r: &SavedReport) -> Self {
        Self {
            name: r.name.clone(),
            termination: Termination::parse(&r.termination),
            iterations: r.iterations,
            evaluations: r.evaluations,
            elapsed: r.elapsed,
            final_loss: r.final_loss,
            restarts: r.restarts,
        }
    }
}

impl Checkpoint {
    /// The checkpoint as bytes (MessagePack; f64 values exact).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        encode("checkpoint", self)
    }

    /// A checkpoint from [`Checkpoint::to_bytes`]; a typed error for anything else (truncated
    /// or foreign data, another version).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let c: Checkpoint = decode("checkpoint", bytes)?;
        if c.version != CHECKPOINT_VERSION {
            return Err(Error::InvalidConfig {
                component: "checkpoint",
                message: format!(
                    "format version {} (this build reads {CHECKPOINT_VERSION})",
                    c.version
                ),
            });
        }
        if c.params.len() != c.dim || c.attempt_start.len() != c.dim {
            return Err(Error::InvalidConfig {
                component: "checkpoint",
                message: format!(
                    "inconsistent: dim {} but {} parameters",
                    c.dim,
                    c.params.len()
                ),
            });
        }
        Ok(c)
    }
}

/// Serializes with MessagePack.
pub(crate) fn encode<T: Serialize>(component: &'static str, value: &T) -> Result<Vec<u8>> {
    rmp_serde::to_vec_named(value).map_err(|e| Error::Internal {
        component,
        message: format!("cannot encode: {e}"),
    })
}

/// Deserializes MessagePack, as a typed error naming what could not be read.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
    component: &'static str,
    bytes: &[u8],
) -> Result<T> {
    rmp_serde::from_slice(bytes).map_err(|e| Error::InvalidConfig {
        component,
        message: format!("cannot decode {} bytes: {e}", bytes.len()),
    })
}

/// A stage solver whose memory can be saved and restored (for checkpoints inside a stage).
pub trait SolverSnapshot: Sized {
    /// The solver's memory as bytes.
    fn save(&self) -> Result<Vec<u8>>;
    /// This solver (freshly built from the same settings, for `dim` parameters) with the
    /// memory `bytes` restored: settings stay this solver's, and memory that does not fit
    /// (wrong lengths, non-finite values) is a typed error.
    fn restored(self, bytes: &[u8], dim: usize) -> Result<Self>;
}

/// What a stage's argmin hook saved last: argmin's state and the solver's memory.
#[derive(Debug, Clone)]
pub(crate) struct Saved {
    pub state: Vec<u8>,
    pub solver: Vec<u8>,
    pub params: Vec<f64>,
    pub loss: f64,
}

/// argmin's checkpointing hook: saves every `every` iterations into `sink` (the runner turns it
/// into a [`Checkpoint`] and tells the observers), and hands argmin the solver and state to
/// resume from, once.
pub(crate) struct Saver<S> {
    pub every: u64,
    pub sink: Rc<RefCell<Option<Saved>>>,
    pub resume: RefCell<Option<(S, State)>>,
}

impl<S: SolverSnapshot> ArgminCheckpoint<S, State> for Saver<S> {
    fn save(&self, solver: &S, state: &State) -> std::result::Result<(), argmin::core::Error> {
        use argmin::core::State as _;
        *self.sink.borrow_mut() = Some(Saved {
            state: encode("checkpoint", state)?,
            solver: solver.save()?,
            params: state.get_param().cloned().unwrap_or_default(),
            loss: state.get_cost(),
        });
        Ok(())
    }

    fn load(&self) -> std::result::Result<Option<(S, State)>, argmin::core::Error> {
        Ok(self.resume.borrow_mut().take())
    }

    fn frequency(&self) -> CheckpointingFrequency {
        if self.every == 0 {
            CheckpointingFrequency::Never
        } else {
            CheckpointingFrequency::Every(self.every)
        }
    }
}

/// What the runner knows about the current attempt, for turning a [`Saved`] snapshot into a
/// [`Checkpoint`] when the problem host hands it on.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub problem: String,
    pub dim: usize,
    pub stages: Vec<String>,
    pub stage: u32,
    pub restarts: u32,
    pub stage_iterations: u64,
    pub loss_before: f64,
    pub attempt_start: Vec<f64>,
    pub carried: Option<Vec<f64>>,
    pub reports: Vec<SavedReport>,
    pub stage_start: std::time::Instant,
    pub run_start: std::time::Instant,
}

impl Context {
    /// The checkpoint of `saved` (empty at a stage boundary: `None`), with the run's
    /// `offset`, `evaluations` and the problem's state.
    pub fn checkpoint(
        &self,
        saved: Option<Saved>,
        offset: u64,
        evaluations: u64,
        problem_state: Vec<(String, Vec<f64>)>,
    ) -> Checkpoint {
        let (state, solver, params, loss) = match saved {
            Some(s) => (s.state, s.solver, s.params, s.loss),
            None => (
                Vec::new(),
                Vec::new(),
                self.attempt_start.clone(),
                self.loss_before,
            ),
        };
        Checkpoint {
            version: CHECKPOINT_VERSION,
            problem: self.problem.clone(),
            dim: self.dim,
            stages: self.stages.clone(),
            stage: self.stage,
            restarts: self.restarts,
            stage_iterations: self.stage_iterations,
            offset,
            evaluations,
            stage_elapsed: self.stage_start.elapsed().as_secs_f64(),
            run_elapsed: self.run_start.elapsed().as_secs_f64(),
            loss_before: self.loss_before,
            attempt_start: self.attempt_start.clone(),
            carried: self.carried.clone(),
            reports: self.reports.clone(),
            state,
            solver,
            problem_state,
            params,
            loss,
        }
    }
}

/// `now − seconds` (now if that is before the clock's origin): the start of something that had
/// run `seconds` before a resume.
pub(crate) fn started_ago(seconds: f64) -> std::time::Instant {
    let now = std::time::Instant::now();
    std::time::Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| now.checked_sub(d))
        .unwrap_or(now)
}
