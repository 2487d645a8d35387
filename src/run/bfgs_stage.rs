//! ravine's dense quasi-Newton methods as a stage: [`BfgsConfig`].

use argmin::core::State as _;

use super::stage::{execute, Attempt, Host, StageContext, StageSolver};
use super::{Bfgs, InitialStep, QuasiNewtonUpdate, Termination};
use crate::error::{positive, Result};

/// Settings of ravine's dense [`Bfgs`] (optionally self-scaled) with argmin's More-Thuente
/// line search: for problems of up to a few thousand parameters, where keeping every
/// curvature pair beats L-BFGS's last `m` (PINNs: Urbán et al., arXiv:2405.04230;
/// Kiyani et al., arXiv:2501.16371).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BfgsConfig {
    /// Iteration cap. Default 1000.
    pub max_iters: u64,
    /// Stop when ‖g‖₂ < tol_grad. Default 1e-10.
    pub tol_grad: f64,
    /// Stop when |Δf| < tol_cost. Default 0 (off).
    pub tol_cost: f64,
    /// Sufficient-decrease constant c₁ of the Wolfe conditions. Default 1e-4.
    pub c1: f64,
    /// Curvature constant c₂ of the Wolfe conditions. Default 0.9.
    pub c2: f64,
    /// The inverse-Hessian update (see [`Bfgs`]). Default self-scaled BFGS.
    pub update: QuasiNewtonUpdate,
    /// Start from the inverse Hessian the previous BFGS stage of the run ended with (if it is
    /// still positive definite once symmetrised; otherwise from scratch), as when the
    /// collocation points are resampled between stages. Default false.
    pub warm_start: bool,
    /// Restarts (fresh `H`, from the last accepted point) after a line-search failure with
    /// ‖g‖ above `tol_grad`, as long as the previous attempt lowered the loss. Default 0.
    pub restarts: u32,
    /// The line search's first trial step (see [`InitialStep`]). Default the unit step.
    pub initial_step: InitialStep,
}

impl Default for BfgsConfig {
    fn default() -> Self {
        Self {
            max_iters: 1000,
            tol_grad: 1e-10,
            tol_cost: 0.0,
            c1: 1e-4,
            c2: 0.9,
            update: QuasiNewtonUpdate::SelfScaledBfgs,
            warm_start: false,
            restarts: 0,
            initial_step: InitialStep::Unit,
        }
    }
}

impl StageSolver for BfgsConfig {
    fn name(&self) -> String {
        self.update.name().to_string()
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        vec![
            ("max_iters".into(), self.max_iters as f64),
            ("tol_grad".into(), self.tol_grad),
            ("tol_cost".into(), self.tol_cost),
            ("c1".into(), self.c1),
            ("c2".into(), self.c2),
            (
                "self_scaling".into(),
                f64::from(u8::from(self.update != QuasiNewtonUpdate::Bfgs)),
            ),
            (
                "broyden".into(),
                f64::from(u8::from(
                    self.update == QuasiNewtonUpdate::SelfScaledBroyden,
                )),
            ),
            ("warm_start".into(), f64::from(u8::from(self.warm_start))),
            ("restarts".into(), f64::from(self.restarts)),
            (
                "interpolated_initial_step".into(),
                f64::from(u8::from(self.initial_step == InitialStep::Interpolated)),
            ),
            (
                "secant_initial_step".into(),
                f64::from(u8::from(self.initial_step == InitialStep::Secant)),
            ),
        ]
    }

    fn restarts(&self) -> u32 {
        self.restarts
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
        positive("bfgs", "c1", self.c1)?;
        let mut solver = Bfgs::new(x.len(), self.c1, self.c2, self.update)?
            .with_tolerances(self.tol_grad, self.tol_cost)
            .with_initial_step(self.initial_step);
        if let (true, Some(h)) = (self.warm_start, ctx.carried_inverse_hessian.take()) {
            solver = solver.with_inverse_hessian(h).0;
        }
        let name = self.name();
        let (mut solver, state) = execute(host, solver, x.clone(), self.max_iters, ctx, &name)?;
        *ctx.carried_inverse_hessian = solver.take_inverse_hessian();
        let failure = solver.line_search_failure().map(str::to_string);
        let termination = Termination::from_argmin(state.get_termination_status(), |text| {
            Termination::LineSearchFailed(failure.unwrap_or(text))
        });
        Ok(Attempt::from_state(&state, x, termination))
    }

    fn boxed_clone(&self) -> Box<dyn StageSolver> {
        Box::new(*self)
    }
}
