//! [`Optimizer`]: a chain of transforms, a learning-rate schedule, and the one place where the
//! step is applied.

use super::{Projection, Schedule, Transform};
use crate::error::{Error, Result};
use std::sync::Arc;

/// An update rule: a chain of [`Transform`]s followed by a learning-rate [`Schedule`].
///
/// One step, with gradient `g` at parameters `x` and step count `t` (starting at 0):
///
/// ```text
/// u ← g;  u ← T_k(u, x) for each transform in order;  s ← α_t · u;
/// s ← A_j(s, x) for each transform after the learning rate;  x ← x − s
/// ```
///
/// Transforms after the learning rate ([`Optimizer::after_learning_rate`]) are rare: optax's
/// `rmsprop` with momentum traces the already scaled step (`scale_by_rms → scale_by_learning_rate
/// → trace`), which differs from tracing `u` as soon as the learning rate changes over time.
///
/// The learning rate and the minus sign are applied here and nowhere else. Build rules with the
/// constructors in [`crate::optim::rules`] (`adam`, `adagrad`, …) or compose your own with
/// [`Optimizer::new`].
#[derive(Debug, Clone)]
pub struct Optimizer {
    name: String,
    schedule: Schedule,
    chain: Vec<Box<dyn Transform>>,
    after_lr: Vec<Box<dyn Transform>>,
    count: u64,
    dim: Option<usize>,
    updates: Vec<f64>,
    /// `α_t · u` for the transforms after the learning rate (empty without them).
    scaled: Vec<f64>,
    last_lr: f64,
    projection: Option<Arc<dyn Projection>>,
}

impl Optimizer {
    /// A rule named `name` from a schedule and a chain of transforms (applied in order).
    pub fn new(
        name: impl Into<String>,
        schedule: impl Into<Schedule>,
        chain: Vec<Box<dyn Transform>>,
    ) -> Result<Self> {
        let schedule = schedule.into();
        let name = name.into();
        // Validates a learning rate given as a bare number, and checks every schedule's start.
        let lr0 = schedule.value(0);
        if !lr0.is_finite() || lr0 < 0.0 {
            return Err(Error::InvalidHyperparameter {
                component: "optimizer",
                parameter: "learning_rate",
                value: lr0,
                reason: "must be finite and >= 0",
            });
        }
        if let Schedule::Constant { value } = schedule {
            crate::error::positive("optimizer", "learning_rate", value)?;
        }
        Ok(Self {
            name,
            schedule,
            chain,
            after_lr: Vec::new(),
            count: 0,
            dim: None,
            updates: Vec::new(),
            scaled: Vec::new(),
            last_lr: f64::NAN,
            projection: None,
        })
    }

    /// The rule's name, e.g. `"adam"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The learning-rate schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The transforms, in the order they are applied.
    pub fn chain(&self) -> &[Box<dyn Transform>] {
        &self.chain
    }

    /// Appends `transform` after the learning rate: it sees the scaled step `α_t · u` (see the
    /// type's doc). Resets the state.
    pub fn after_learning_rate(mut self, transform: Box<dyn Transform>) -> Self {
        self.after_lr.push(transform);
        self.dim = None;
        self.count = 0;
        self
    }

    /// The transforms applied after the learning rate, in order.
    pub fn chain_after_learning_rate(&self) -> &[Box<dyn Transform>] {
        &self.after_lr
    }

    /// Number of steps taken since the last [`Optimizer::init`].
    pub fn step_count(&self) -> u64 {
        self.count
    }

    /// The learning rate the next step will use, `α_t`.
    pub fn learning_rate(&self) -> f64 {
        self.schedule.value(self.count)
    }

    /// The learning rate used by the last step (NaN before the first step).
    pub fn last_learning_rate(&self) -> f64 {
        self.last_lr
    }

    /// Resets all state for a parameter vector of length `dim`.
    pub fn init(&mut self, dim: usize) {
        self.count = 0;
        self.dim = Some(dim);
        self.updates = vec![0.0; dim];
        self.scaled = if self.after_lr.is_empty() {
            Vec::new()
        } else {
            vec![0.0; dim]
        };
        self.last_lr = f64::NAN;
        for t in self.chain.iter_mut().chain(self.after_lr.iter_mut()) {
            t.init(dim);
        }
    }

    /// Takes one step: `params ← params − α_t · chain(grad)`, followed by the projection onto the
    /// feasible set when one is attached.
    ///
    /// Initialises the state on first use. Errors, leaving params and state untouched, when the
    /// lengths disagree or the gradient has a non-finite entry; errors leaving the params
    /// untouched when a transform produced a non-finite update.
    pub fn step(&mut self, params: &mut [f64], grad: &[f64]) -> Result<()> {
        match self.dim {
            None => {
                for t in self.chain.iter().chain(&self.after_lr) {
                    t.check_dim(params.len())?;
                }
                self.init(params.len())
            }
            Some(d) if d != params.len() => {
                return Err(Error::DimensionMismatch {
                    component: "optimizer",
                    what: "params",
                    expected: d,
                    got: params.len(),
                })
            }
            Some(_) => {}
        }
        if grad.len() != params.len() {
            return Err(Error::DimensionMismatch {
                component: "optimizer",
                what: "gradient",
                expected: params.len(),
                got: grad.len(),
            });
        }
        if let Some((index, value)) = first_non_finite(grad) {
            return Err(Error::NonFinite {
                component: "optimizer",
                what: "gradient",
                index,
                value,
            });
        }
        let lr = self.schedule.value(self.count);
        if !lr.is_finite() || lr < 0.0 {
            return Err(Error::InvalidHyperparameter {
                component: "optimizer",
                parameter: "learning_rate",
                value: lr,
                reason: "the schedule gave a negative or non-finite value",
            });
        }
        self.updates.copy_from_slice(grad);
        for t in &mut self.chain {
            t.update(&mut self.updates, params);
        }
        non_finite_update(&self.updates)?;
        if self.after_lr.is_empty() {
            for (x, u) in params.iter_mut().zip(&self.updates) {
                *x -= lr * u;
            }
        } else {
            for (s, u) in self.scaled.iter_mut().zip(&self.updates) {
                *s = lr * u;
            }
            for t in &mut self.after_lr {
                t.update(&mut self.scaled, params);
            }
            non_finite_update(&self.scaled)?;
            for (x, s) in params.iter_mut().zip(&self.scaled) {
                *x -= s;
            }
        }
        if let Some(p) = &self.projection {
            p.project(params);
        }
        self.last_lr = lr;
        self.count += 1;
        Ok(())
    }

    /// Puts `transform` at the front of the chain (clipping, typically). Resets the state.
    pub fn prepend(mut self, transform: Box<dyn Transform>) -> Self {
        self.chain.insert(0, transform);
        self.dim = None;
        self.count = 0;
        self
    }

    /// Makes this the projected version of the rule: every step becomes
    /// `x ← P_C(x − α_t · u)` (Euclidean projection onto `set`). The state is kept.
    pub fn project_onto(mut self, set: Arc<dyn Projection>) -> Self {
        self.projection = Some(set);
        self
    }

    /// The feasible set steps are projected onto, if any.
    pub fn projection(&self) -> Option<&Arc<dyn Projection>> {
        self.projection.as_ref()
    }

    /// The first-order stationarity measure at `x` with gradient `g`: `‖g‖₂` without a
    /// projection, the gradient mapping `‖x − P_C(x − g)‖₂` with one.
    pub fn stationarity(&self, x: &[f64], g: &[f64]) -> f64 {
        match &self.projection {
            Some(p) => p.gradient_mapping_norm(x, g),
            None => g.iter().map(|v| v * v).sum::<f64>().sqrt(),
        }
    }

    /// The update direction `u` (after the chain, before the learning rate) of the last step.
    pub fn last_update(&self) -> &[f64] {
        &self.updates
    }

    /// The per-coordinate effective step of the last update, `α_t · Π_k d_k`, where `d_k` is
    /// the per-coordinate scale of transform `k` (see [`Transform::scale_factor`]); `None`
    /// before the first step. For Adam this is `α_t/(√v̂+ε)`; for gradient descent, `α_t`.
    pub fn effective_step(&self) -> Option<Vec<f64>> {
        if self.count == 0 {
            return None;
        }
        let mut f = vec![self.last_lr; self.updates.len()];
        for t in self.chain.iter().chain(&self.after_lr) {
            t.scale_factor(&mut f);
        }
        Some(f)
    }

    /// All hyperparameters, prefixed by the transform's name, plus the schedule's.
    pub fn hyperparameters(&self) -> Vec<(String, f64)> {
        let mut v = self.schedule.describe();
        for t in self.chain.iter().chain(&self.after_lr) {
            for (k, x) in t.hyperparameters() {
                v.push((format!("{}.{}", t.name(), k), x));
            }
        }
        v
    }

    /// All named state buffers, prefixed by the transform's name.
    pub fn state(&self) -> Vec<(String, Vec<f64>)> {
        let mut v = self.state_unchecked();
        v.push(("last_learning_rate".to_string(), vec![self.last_lr]));
        v
    }

    /// Restores every state buffer from [`Optimizer::state`] of a rule built the same way, for
    /// `dim` parameters (resuming from a checkpoint): the step count (and with it the
    /// schedule's position), the last learning rate and each transform's buffers, checked by
    /// name, order and length.
    pub fn restore_state(&mut self, dim: usize, state: &[(String, Vec<f64>)]) -> Result<()> {
        self.init(dim);
        let expected: Vec<String> = self.state().into_iter().map(|(k, _)| k).collect();
        let got: Vec<&str> = state.iter().map(|(k, _)| k.as_str()).collect();
        if expected != got {
            return Err(Error::InvalidConfig {
                component: "optimizer",
                message: format!(
                    "{}: checkpoint state {got:?} does not match this rule's {expected:?}",
                    self.name
                ),
            });
        }
        let mut entries = state.iter();
        if let Some((_, count)) = entries.next() {
            self.count = super::transform::counter("optimizer", "count", count)?;
        }
        for t in self.chain.iter_mut().chain(self.after_lr.iter_mut()) {
            for _ in 0..t.state().len() {
                if let Some((key, values)) = entries.next() {
                    let name = key.split_once('.').map_or(key.as_str(), |(_, n)| n);
                    t.set_state(name, values)?;
                }
            }
        }
        if let Some((_, lr)) = entries.next() {
            self.last_lr = super::transform::scalar("optimizer", "last_learning_rate", lr)?;
        }
        Ok(())
    }

    fn state_unchecked(&self) -> Vec<(String, Vec<f64>)> {
        let mut v = vec![("count".to_string(), vec![self.count as f64])];
        for t in self.chain.iter().chain(&self.after_lr) {
            for (k, x) in t.state() {
                v.push((format!("{}.{}", t.name(), k), x));
            }
        }
        v
    }
}

/// An error naming the first non-finite entry of an update, if any.
fn non_finite_update(updates: &[f64]) -> Result<()> {
    match first_non_finite(updates) {
        Some((index, value)) => Err(Error::NonFinite {
            component: "optimizer",
            what: "update",
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// The first non-finite entry of `xs` and its index. Blocks of [`FINITE_BLOCK`] entries are
/// tested whole first (a reduction without an early exit, which the compiler vectorizes), and
/// only a block that fails is searched entry by entry: a step's two checks cost a fraction of
/// a pass over the vectors instead of a scalar loop each.
fn first_non_finite(xs: &[f64]) -> Option<(usize, f64)> {
    xs.chunks(FINITE_BLOCK)
        .enumerate()
        .find(|(_, block)| !block.iter().fold(true, |ok, x| ok & x.is_finite()))
        .and_then(|(b, block)| {
            let i = block.iter().position(|x| !x.is_finite())?;
            Some((b * FINITE_BLOCK + i, block[i]))
        })
}

/// Entries per block of [`first_non_finite`].
const FINITE_BLOCK: usize = 256;

#[cfg(test)]
#[path = "optimizer_tests.rs"]
mod tests;
