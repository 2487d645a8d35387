//! [`AdaptiveStage`]: a ravine update rule as a stage.

use super::stage::{execute, Attempt, Host, StageContext, StageSolver};
use super::{AdaptiveSolver, Termination};
use crate::error::Result;
use crate::optim::Optimizer;

/// A ravine update rule for at most `max_iters` steps, stopping early when its stationarity
/// measure (‖g‖₂, or the gradient mapping for a projected rule) falls below `tol_grad`
/// (0 disables). Every attempt starts from a fresh copy of `optimizer`.
#[derive(Debug, Clone)]
pub struct AdaptiveStage {
    /// The rule.
    pub optimizer: Optimizer,
    /// Step cap.
    pub max_iters: u64,
    /// Stationarity tolerance.
    pub tol_grad: f64,
}

impl StageSolver for AdaptiveStage {
    fn name(&self) -> String {
        self.optimizer.name().to_string()
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        let mut v = self.optimizer.hyperparameters();
        v.push(("max_iters".into(), self.max_iters as f64));
        v.push(("tol_grad".into(), self.tol_grad));
        v
    }

    fn tol_grad(&self) -> f64 {
        self.tol_grad
    }

    fn attempt(
        &self,
        host: &mut Host<'_>,
        x: Vec<f64>,
        ctx: &mut StageContext<'_>,
    ) -> Result<Attempt> {
        let solver = AdaptiveSolver::new(self.optimizer.clone()).with_tol_grad(self.tol_grad)?;
        let name = self.name();
        let (solver, state) = execute(host, solver, x.clone(), self.max_iters, ctx, &name)?;
        let divergence = solver.divergence().cloned();
        // The solver's only own exit is a divergence; read it from the solver, not the text.
        let termination = argmin_termination(&state, divergence.as_ref());
        let mut attempt = Attempt::from_state(&state, x, termination);
        attempt.divergence = divergence;
        Ok(attempt)
    }

    fn boxed_clone(&self) -> Box<dyn StageSolver> {
        Box::new(self.clone())
    }
}

fn argmin_termination(state: &super::State, divergence: Option<&super::Divergence>) -> Termination {
    use argmin::core::State as _;
    Termination::from_argmin(state.get_termination_status(), |text| match divergence {
        Some(d) => Termination::Diverged(d.reason.clone()),
        None => Termination::Other(text),
    })
}
