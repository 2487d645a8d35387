//! [`ArgminProblem`]: a ravine [`Problem`] seen by argmin.

use std::cell::RefCell;
use std::rc::Rc;

use argmin::core::{CostFunction, Gradient};

use crate::error::{Error, Result};
use crate::problem::Problem;

/// The most recent evaluation of a problem, shared with the observers so that named loss
/// components and the evaluation count can be logged without evaluating again.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// Where the problem was last evaluated.
    pub x: Vec<f64>,
    /// The loss there.
    pub loss: f64,
    /// The gradient there.
    pub grad: Vec<f64>,
    /// The named loss components there.
    pub components: Vec<f64>,
    /// Number of evaluations (loss and gradient together count once) so far.
    pub evaluations: u64,
}

/// One fused evaluation of loss and gradient.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The loss.
    pub loss: f64,
    /// The gradient.
    pub grad: Vec<f64>,
}

impl Evaluation {
    /// `None` if loss and gradient are finite, else a description of the first bad value.
    pub fn non_finite(&self) -> Option<String> {
        if !self.loss.is_finite() {
            return Some(format!("non-finite loss ({})", self.loss));
        }
        self.grad
            .iter()
            .position(|g| !g.is_finite())
            .map(|i| format!("non-finite gradient ({}) at index {i}", self.grad[i]))
    }
}

/// What the generic adaptive solver needs from the problem argmin holds: a fused evaluation and
/// batch selection. Implemented by [`ArgminProblem`].
pub trait Evaluate {
    /// Loss and gradient at `x`, finite or not.
    fn evaluate(&self, x: &[f64]) -> Result<Evaluation>;
    /// Selects the batch for the next evaluation (see [`Problem::set_batch`]).
    fn set_batch(&mut self, index: u64);
    /// Whether batches change the objective.
    fn is_stochastic(&self) -> bool;
}

/// A borrowed [`Problem`] that implements argmin's `CostFunction` and `Gradient` over
/// `Vec<f64>`, caching the last evaluation so that a cost followed by a gradient at the same
/// point costs one evaluation.
///
/// Through argmin's `CostFunction`/`Gradient` a non-finite loss or gradient is an error
/// (L-BFGS's line search then reports it); through [`Evaluate`] it is returned for the solver
/// to handle.
pub struct ArgminProblem<'a, P: Problem + ?Sized> {
    problem: &'a mut P,
    probe: Rc<RefCell<Probe>>,
    cached: RefCell<bool>,
}

impl<'a, P: Problem + ?Sized> ArgminProblem<'a, P> {
    /// Wraps `problem`.
    pub fn new(problem: &'a mut P) -> Self {
        let probe = Probe {
            components: vec![f64::NAN; problem.component_names().len()],
            loss: f64::NAN,
            ..Probe::default()
        };
        Self {
            problem,
            probe: Rc::new(RefCell::new(probe)),
            cached: RefCell::new(false),
        }
    }

    /// The wrapped problem, for changes between stages. The cached evaluation is dropped,
    /// since the objective may change.
    pub fn problem_mut(&mut self) -> &mut P {
        *self.cached.borrow_mut() = false;
        self.problem
    }

    /// A handle on the last evaluation, for observers.
    pub fn probe(&self) -> Rc<RefCell<Probe>> {
        Rc::clone(&self.probe)
    }

    fn eval_cached(&self, x: &[f64]) -> Result<Evaluation> {
        if *self.cached.borrow() {
            let p = self.probe.borrow();
            if p.x == x {
                return Ok(Evaluation {
                    loss: p.loss,
                    grad: p.grad.clone(),
                });
            }
        }
        let n = self.problem.dim();
        if x.len() != n {
            return Err(Error::DimensionMismatch {
                component: "problem",
                what: "parameters",
                expected: n,
                got: x.len(),
            });
        }
        let mut p = self.probe.borrow_mut();
        p.grad.resize(n, 0.0);
        let Probe {
            grad, components, ..
        } = &mut *p;
        let loss = self.problem.evaluate(x, grad, components)?;
        p.loss = loss;
        p.x.clear();
        p.x.extend_from_slice(x);
        p.evaluations += 1;
        *self.cached.borrow_mut() = true;
        Ok(Evaluation {
            loss,
            grad: p.grad.clone(),
        })
    }

    fn finite(&self, x: &[f64]) -> std::result::Result<Evaluation, argmin::core::Error> {
        let e = self.eval_cached(x)?;
        if !e.loss.is_finite() {
            return Err(Error::NonFinite {
                component: "problem",
                what: "loss",
                index: 0,
                value: e.loss,
            }
            .into());
        }
        if let Some(index) = e.grad.iter().position(|g| !g.is_finite()) {
            return Err(Error::NonFinite {
                component: "problem",
                what: "gradient",
                index,
                value: e.grad[index],
            }
            .into());
        }
        Ok(e)
    }
}

impl<P: Problem + ?Sized> Evaluate for ArgminProblem<'_, P> {
    fn evaluate(&self, x: &[f64]) -> Result<Evaluation> {
        self.eval_cached(x)
    }

    fn set_batch(&mut self, index: u64) {
        if self.problem.is_stochastic() {
            self.problem.set_batch(index);
            *self.cached.borrow_mut() = false;
        }
    }

    fn is_stochastic(&self) -> bool {
        self.problem.is_stochastic()
    }
}

impl<P: Problem + ?Sized> CostFunction for ArgminProblem<'_, P> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, x: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.finite(x)?.loss)
    }
}

impl<P: Problem + ?Sized> Gradient for ArgminProblem<'_, P> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, x: &Self::Param) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.finite(x)?.grad)
    }
}

/// A borrowed problem for an argmin solver: whatever the solver does with it (argmin's
/// L-BFGS drops its problem when the line search fails), the problem itself stays with the
/// caller.
pub(crate) struct Borrowed<'a, O>(pub(crate) &'a O);

impl<O: CostFunction<Param = Vec<f64>, Output = f64>> CostFunction for Borrowed<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        self.0.cost(x)
    }
}

impl<O: Gradient<Param = Vec<f64>, Gradient = Vec<f64>>> Gradient for Borrowed<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        self.0.gradient(x)
    }
}
