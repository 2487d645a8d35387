//! [`ArgminStage`]: any argmin solver over `Vec<f64>` as a stage.

use argmin::core::{Solver, State as _};

use super::bridge::Lent;
use super::stage::{execute_plain, Attempt, Host, StageContext, StageSolver};
use super::{State, Termination};
use crate::error::Result;

/// An argmin solver (any `Solver` over [`State`], e.g. argmin's Nelder-Mead, conjugate
/// gradient or steepest descent) run for at most `max_iters` iterations. Its
/// `SolverExit` reasons are reported as [`Termination::Other`] with the solver's text.
///
/// ```
/// use argmin::solver::linesearch::HagerZhangLineSearch;
/// use argmin::solver::quasinewton::LBFGS;
/// use ravine::{ArgminStage, Quadratic, Runner, Stage, Termination};
/// // argmin's L-BFGS with the Hager-Zhang line search instead of ravine's More-Thuente one.
/// let lbfgs = LBFGS::new(HagerZhangLineSearch::new(), 5).with_tolerance_grad(1e-10).unwrap();
/// let mut q = Quadratic::diagonal(&[1.0, 4.0], vec![1.0, -1.0]).unwrap();
/// let report = Runner::new()
///     .stage(Stage::new(ArgminStage::new("lbfgs_hager_zhang", lbfgs, 100)))
///     .run(&mut q, vec![0.0, 0.0])
///     .unwrap();
/// assert_eq!(report.stages[0].termination, Termination::Converged);
/// assert!((report.params[0] - 1.0).abs() < 1e-8);
/// ```
#[derive(Clone)]
pub struct ArgminStage<S> {
    name: String,
    solver: S,
    max_iters: u64,
}

impl<S> ArgminStage<S> {
    /// `solver` named `name`, at most `max_iters` iterations.
    pub fn new(name: impl Into<String>, solver: S, max_iters: u64) -> Self {
        Self {
            name: name.into(),
            solver,
            max_iters,
        }
    }
}

impl<S> std::fmt::Debug for ArgminStage<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgminStage")
            .field("name", &self.name)
            .field("max_iters", &self.max_iters)
            .finish()
    }
}

impl<S> StageSolver for ArgminStage<S>
where
    S: for<'b, 'h> Solver<Lent<'b, Host<'h>>, State> + Clone + 'static,
{
    fn name(&self) -> String {
        self.name.clone()
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        vec![("max_iters".into(), self.max_iters as f64)]
    }

    fn attempt(
        &self,
        host: &mut Host<'_>,
        x: Vec<f64>,
        ctx: &mut StageContext<'_>,
    ) -> Result<Attempt> {
        let (_, state) = execute_plain(
            host,
            self.solver.clone(),
            x.clone(),
            self.max_iters,
            ctx,
            &self.name,
        )?;
        let termination = Termination::from_argmin(state.get_termination_status(), |text| {
            Termination::Other(text)
        });
        Ok(Attempt::from_state(&state, x, termination))
    }

    fn boxed_clone(&self) -> Box<dyn StageSolver> {
        Box::new(self.clone())
    }
}
