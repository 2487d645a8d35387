//! [`ArgminProblem`]: a ravine [`Problem`] seen by argmin.

use std::cell::RefCell;
use std::rc::Rc;

use argmin::core::{CostFunction, Gradient};

use super::record::{RecordObserver, Recording};
use super::{Inspection, InspectionRow, Observer};
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
    /// Whether `loss` and `grad` are those of the problem as it is now at `x` (false after
    /// the problem changed).
    pub valid: bool,
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
    /// Whether an observer wants to inspect the solver at `iteration` (default: no).
    fn inspects_at(&self, _iteration: u64) -> bool {
        false
    }
    /// Hands an inspection to the observers (default: nothing to do).
    fn inspect(&self, _at: &Inspection<'_>) -> Result<()> {
        Ok(())
    }
}

/// The runner's side of a problem host: the user's observer, the rows argmin's observer made,
/// and the first error the observer returned.
pub(crate) struct Link<'a> {
    observer: RefCell<&'a mut dyn Observer>,
    recording: Rc<RefCell<Recording>>,
    error: RefCell<Option<Error>>,
}

impl<'a> Link<'a> {
    pub(crate) fn new(observer: &'a mut dyn Observer, recording: Rc<RefCell<Recording>>) -> Self {
        Self {
            observer: RefCell::new(observer),
            recording,
            error: RefCell::new(None),
        }
    }

    /// Hands the pending rows to the observer (none after it failed once).
    pub(crate) fn flush(&self) {
        let rows = std::mem::take(&mut self.recording.borrow_mut().pending);
        let mut observer = self.observer.borrow_mut();
        for row in &rows {
            if self.error.borrow().is_some() {
                return;
            }
            if let Err(e) = observer.record(row) {
                self.fail(e);
            }
        }
    }

    /// Keeps the observer's first error. It stays until the stage ends: every later
    /// evaluation of the stage fails with it (see [`ArgminProblem::flush`]).
    fn fail(&self, e: Error) {
        self.error.borrow_mut().get_or_insert(e);
    }

    /// The first error the observer returned, if any.
    fn error(&self) -> Option<Error> {
        self.error.borrow().clone()
    }

    /// Inspects `at` if some observer asks to. An error is kept, not returned: the next
    /// evaluation reports it, after every process has learnt of it.
    fn inspect(&self, at: &Inspection<'_>) {
        if self.error.borrow().is_some() {
            return;
        }
        let mut observer = self.observer.borrow_mut();
        if !observer.inspects_at(at.iteration) {
            return;
        }
        let mut at = at.clone();
        at.stage = self.recording.borrow().stage;
        let row = match observer.inspect(&at) {
            Ok(values) => InspectionRow {
                stage: at.stage,
                iteration: at.iteration,
                values,
            },
            Err(e) => return self.fail(e),
        };
        if let Err(e) = observer.inspection(&row) {
            return self.fail(e);
        }
        self.recording.borrow_mut().inspections.push(row);
    }
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
    link: Option<Link<'a>>,
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
            link: None,
        }
    }

    /// A host for one stage of a run: the run's probe (its cache and evaluation count carry
    /// over from stage to stage) and its observer link.
    pub(crate) fn linked(problem: &'a mut P, probe: Rc<RefCell<Probe>>, link: Link<'a>) -> Self {
        Self {
            problem,
            probe,
            link: Some(link),
        }
    }

    /// The problem's state ([`Problem::snapshot`]).
    pub(crate) fn problem_snapshot(&self) -> Vec<(String, Vec<f64>)> {
        self.problem.snapshot()
    }

    /// Hands a checkpoint to the observer; an error is kept for the next
    /// [`ArgminProblem::flush`].
    pub(crate) fn tell_checkpoint(&self, c: &super::Checkpoint) {
        if let Some(l) = self.link.as_ref().filter(|l| l.error.borrow().is_none()) {
            if let Err(e) = l.observer.borrow_mut().checkpoint(c) {
                l.fail(e);
            }
        }
    }

    /// An argmin observer that turns a stage's states into rows of the run's recording.
    pub(crate) fn record_observer(&self) -> Option<RecordObserver> {
        self.link.as_ref().map(|l| RecordObserver {
            recording: Rc::clone(&l.recording),
            probe: Rc::clone(&self.probe),
        })
    }

    /// How many processes evaluate the problem ([`Problem::processes`]).
    pub(crate) fn processes(&self) -> usize {
        self.problem.processes()
    }

    /// The elapsed time every process agrees on ([`Problem::agreed_elapsed`]).
    pub(crate) fn agreed_elapsed(&self, local: std::time::Duration) -> Result<std::time::Duration> {
        self.problem.agreed_elapsed(local)
    }

    /// The wrapped problem, for changes between stages. The cached evaluation is dropped,
    /// since the objective may change.
    pub fn problem_mut(&mut self) -> &mut P {
        self.probe.borrow_mut().valid = false;
        self.problem
    }

    /// A handle on the last evaluation, for observers.
    pub fn probe(&self) -> Rc<RefCell<Probe>> {
        Rc::clone(&self.probe)
    }

    /// Hands pending rows and any saved snapshot (as a [`super::Checkpoint`] with the
    /// problem's state) to the observer; returns the observer's first error. With several
    /// processes, every one learns whether any observer failed
    /// ([`Problem::agreed_outcome`]), so that all stop at the same evaluation: this runs
    /// before every evaluation and on every rank at the same points, as the solvers'
    /// decisions are the same on every rank.
    pub(crate) fn flush(&self) -> Result<()> {
        let Some(link) = &self.link else {
            return Ok(());
        };
        link.flush();
        let saved = link.recording.borrow().saved.borrow_mut().take();
        if let Some(saved) = saved {
            let c = {
                let rec = link.recording.borrow();
                rec.checkpoint.as_ref().map(|ctx| {
                    ctx.checkpoint(
                        Some(saved),
                        rec.offset,
                        self.probe.borrow().evaluations,
                        self.problem.snapshot(),
                    )
                })
            };
            if let Some(c) = c {
                self.tell_checkpoint(&c);
            }
        }
        let agreed = self
            .problem
            .agreed_outcome(link.error().map_or(Ok(()), Err));
        if let Err(e) = &agreed {
            link.fail(e.clone());
        }
        agreed
    }

    fn eval_cached(&self, x: &[f64]) -> Result<Evaluation> {
        self.flush()?;
        {
            let p = self.probe.borrow();
            if p.valid && p.x == x {
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
        p.valid = true;
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
            self.probe.borrow_mut().valid = false;
        }
    }

    fn is_stochastic(&self) -> bool {
        self.problem.is_stochastic()
    }

    fn inspects_at(&self, iteration: u64) -> bool {
        self.link
            .as_ref()
            .is_some_and(|l| l.observer.borrow().inspects_at(iteration))
    }

    fn inspect(&self, at: &Inspection<'_>) -> Result<()> {
        if let Some(l) = &self.link {
            l.inspect(at);
        }
        Ok(())
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

/// A problem lent to an argmin solver (a stage, or a line search inside one): the solver may
/// drop it (argmin's L-BFGS does when its line search fails) without the caller losing the
/// problem.
pub struct Lent<'b, O>(pub &'b mut O);

impl<O: CostFunction<Param = Vec<f64>, Output = f64>> CostFunction for Lent<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        self.0.cost(x)
    }
}

impl<O: Gradient<Param = Vec<f64>, Gradient = Vec<f64>>> Gradient for Lent<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        self.0.gradient(x)
    }
}

impl<O: Evaluate> Evaluate for Lent<'_, O> {
    fn evaluate(&self, x: &[f64]) -> Result<Evaluation> {
        self.0.evaluate(x)
    }
    fn set_batch(&mut self, index: u64) {
        self.0.set_batch(index);
    }
    fn is_stochastic(&self) -> bool {
        self.0.is_stochastic()
    }
    fn inspects_at(&self, iteration: u64) -> bool {
        self.0.inspects_at(iteration)
    }
    fn inspect(&self, at: &Inspection<'_>) -> Result<()> {
        self.0.inspect(at)
    }
}
