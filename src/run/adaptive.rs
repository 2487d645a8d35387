//! [`AdaptiveSolver`]: any ravine update rule as an argmin `Solver`.

use argmin::core::{
    IterState, KvValue, Problem as ArgminHost, Solver, State as _, TerminationReason,
    TerminationStatus, KV,
};

use super::bridge::Evaluate;
use crate::error::{check, Error, Result};
use crate::optim::Optimizer;

/// The argmin state every ravine solver runs on: parameters and gradient as `Vec<f64>`.
pub type State = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;

/// Where and why a run stopped being finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Iteration at which a non-finite value appeared.
    pub iteration: u64,
    /// What was non-finite.
    pub reason: String,
}

/// One generic adapter that runs any [`Optimizer`] as an argmin `Solver`, so that ravine's
/// rules and argmin's L-BFGS share the `Executor`, its observers and its termination logic.
///
/// Each iteration takes one step from the current point with the gradient stored in the state
/// and evaluates loss and gradient at the new point (one fused evaluation), so the state's cost
/// and gradient always belong to its parameters. Per iteration it reports, in argmin's `KV`:
/// `learning_rate` (the step's `α_t`), `step` (the optimizer's step count) and `grad_norm`
/// (the optimizer's stationarity measure at the new point: ‖g‖₂, or the gradient mapping
/// ‖x − P_C(x − g)‖₂ for a projected rule; see [`Optimizer::stationarity`]).
///
/// Stops with `SolverConverged` when that measure is below `tol_grad`. A non-finite loss or gradient stops
/// the run with `SolverExit("diverged: …")`; the state keeps the last finite point and
/// [`AdaptiveSolver::divergence`] says what happened. For a stochastic problem the batch index
/// advances with every iteration.
#[derive(Debug, Clone)]
pub struct AdaptiveSolver {
    optimizer: Optimizer,
    tol_grad: f64,
    divergence: Option<Divergence>,
    /// Stationarity measure at the state's current point (computed once per iteration).
    stationarity: f64,
}

impl AdaptiveSolver {
    /// Wraps `optimizer`; no gradient-norm stopping until [`AdaptiveSolver::with_tol_grad`].
    pub fn new(optimizer: Optimizer) -> Self {
        Self {
            optimizer,
            tol_grad: 0.0,
            divergence: None,
            stationarity: f64::INFINITY,
        }
    }

    /// Stops when ‖g‖₂ < `tol_grad` (≥ 0; 0 disables).
    pub fn with_tol_grad(mut self, tol_grad: f64) -> Result<Self> {
        check(
            tol_grad >= 0.0,
            "adaptive solver",
            "tol_grad",
            tol_grad,
            "must be >= 0",
        )?;
        self.tol_grad = tol_grad;
        Ok(self)
    }

    /// Hands the point to the problem's observers when one of them inspects this iteration.
    fn inspect<O: Evaluate>(
        &self,
        problem: &ArgminHost<O>,
        iteration: u64,
        x: &[f64],
        grad: &[f64],
        loss: f64,
    ) -> Result<()> {
        let Some(p) = problem.problem.as_ref() else {
            return Ok(());
        };
        if !p.inspects_at(iteration) {
            return Ok(());
        }
        p.inspect(&super::Inspection {
            stage: 0,
            iteration,
            params: x,
            gradient: grad,
            loss,
            effective_steps: self.optimizer.effective_step(),
            learning_rate: self.optimizer.last_learning_rate(),
        })
    }

    /// The rule (with its state after a run).
    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    /// Set when the run stopped on a non-finite loss or gradient.
    pub fn divergence(&self) -> Option<&Divergence> {
        self.divergence.as_ref()
    }
}

fn missing(what: &str) -> Error {
    Error::Internal {
        component: "adaptive solver",
        message: format!("state has no {what}"),
    }
}

/// Selects batch `batch`, then evaluates loss and gradient at `x`.
fn evaluate<O: Evaluate>(
    problem: &mut ArgminHost<O>,
    x: &[f64],
    batch: u64,
) -> std::result::Result<super::bridge::Evaluation, argmin::core::Error> {
    if let Some(p) = problem.problem.as_mut() {
        p.set_batch(batch);
    }
    // Counted once as a cost and once as a gradient evaluation, like a fused call would be.
    let e = problem.problem("cost_count", |p| Ok(p.evaluate(x)?))?;
    *problem.counts.entry("gradient_count").or_insert(0) += 1;
    Ok(e)
}

impl<O: Evaluate> Solver<O, State> for AdaptiveSolver {
    fn name(&self) -> &str {
        self.optimizer.name()
    }

    fn init(
        &mut self,
        problem: &mut ArgminHost<O>,
        mut state: State,
    ) -> std::result::Result<(State, Option<KV>), argmin::core::Error> {
        let x = state
            .take_param()
            .ok_or_else(|| missing("initial parameters"))?;
        self.optimizer.init(x.len());
        self.divergence = None;
        let e = evaluate(problem, &x, 0)?;
        if let Some(reason) = e.non_finite() {
            return Err(Error::Diverged {
                stage: self.optimizer.name().to_string(),
                iteration: 0,
                reason,
                last_loss: f64::NAN,
                last_finite_params: x,
            }
            .into());
        }
        self.stationarity = self.optimizer.stationarity(&x, &e.grad);
        self.inspect(problem, 0, &x, &e.grad, e.loss)?;
        let kv = argmin::kv!("grad_norm" => self.stationarity;);
        Ok((state.param(x).cost(e.loss).gradient(e.grad), Some(kv)))
    }

    fn next_iter(
        &mut self,
        problem: &mut ArgminHost<O>,
        mut state: State,
    ) -> std::result::Result<(State, Option<KV>), argmin::core::Error> {
        let x = state.take_param().ok_or_else(|| missing("parameters"))?;
        let g = state.take_gradient().ok_or_else(|| missing("gradient"))?;
        let mut x_new = x.clone();
        self.optimizer.step(&mut x_new, &g)?;
        let iteration = state.get_iter() + 1;
        let lr = self.optimizer.last_learning_rate();
        let e = evaluate(problem, &x_new, iteration)?;
        let bad = e.non_finite().or_else(|| {
            x_new
                .iter()
                .position(|v| !v.is_finite())
                .map(|i| format!("non-finite parameter at index {i}"))
        });
        if let Some(reason) = bad {
            let text = format!("diverged: {reason}");
            self.divergence = Some(Divergence { iteration, reason });
            let kv = argmin::kv!("learning_rate" => lr; "step" => self.optimizer.step_count(););
            let cost = state.get_cost();
            return Ok((
                state
                    .param(x)
                    .gradient(g)
                    .cost(cost)
                    .terminate_with(TerminationReason::SolverExit(text)),
                Some(kv),
            ));
        }
        let mut kv = KV::new();
        kv.insert("learning_rate", KvValue::Float(lr));
        kv.insert("step", KvValue::Uint(self.optimizer.step_count()));
        self.stationarity = self.optimizer.stationarity(&x_new, &e.grad);
        kv.insert("grad_norm", KvValue::Float(self.stationarity));
        self.inspect(problem, iteration, &x_new, &e.grad, e.loss)?;
        Ok((state.param(x_new).cost(e.loss).gradient(e.grad), Some(kv)))
    }

    fn terminate(&mut self, _state: &State) -> TerminationStatus {
        if self.tol_grad > 0.0 && self.stationarity < self.tol_grad {
            TerminationStatus::Terminated(TerminationReason::SolverConverged)
        } else {
            TerminationStatus::NotTerminated
        }
    }
}

impl super::SolverSnapshot for AdaptiveSolver {
    fn save(&self) -> Result<Vec<u8>> {
        let dim = self.optimizer.last_update().len();
        super::checkpoint::encode(
            "adaptive solver",
            &(dim, self.optimizer.state(), self.stationarity),
        )
    }

    fn restored(mut self, bytes: &[u8], dim: usize) -> Result<Self> {
        type Saved = (usize, Vec<(String, Vec<f64>)>, f64);
        let (saved_dim, state, stationarity): Saved =
            super::checkpoint::decode("adaptive solver", bytes)?;
        if saved_dim != dim || state.iter().any(|(_, v)| v.iter().any(|x| x.is_nan())) {
            return Err(Error::InvalidConfig {
                component: "adaptive solver",
                message: format!("checkpoint memory for {saved_dim} parameters does not fit {dim}"),
            });
        }
        self.optimizer.restore_state(dim, &state)?;
        self.stationarity = stationarity;
        self.divergence = None;
        Ok(self)
    }
}
