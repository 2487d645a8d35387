//! argmin's L-BFGS as a stage: [`LbfgsConfig`].

use std::collections::VecDeque;

use argmin::core::State as _;
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;

use super::stage::{execute, Attempt, Host, StageContext, StageSolver};
use super::Termination;
use crate::error::{check, positive, Result};

/// Settings of argmin's L-BFGS with the More-Thuente line search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsConfig {
    /// History length m. Default 10.
    pub memory: usize,
    /// Iteration cap. Default 1000.
    pub max_iters: u64,
    /// Stop when ‖g‖₂ < tol_grad. Default 1e-10.
    pub tol_grad: f64,
    /// Stop when |Δf| < tol_cost. Default 0 (off: argmin's default, machine ε, stops early on
    /// plateaus).
    pub tol_cost: f64,
    /// Sufficient-decrease constant c₁ of the Wolfe conditions. Default 1e-4.
    pub c1: f64,
    /// Curvature constant c₂ of the Wolfe conditions. Default 0.9.
    pub c2: f64,
    /// How many times to restart L-BFGS (fresh memory, from the last accepted point) after a
    /// line-search failure with ‖g‖ still above `tol_grad`, as long as the previous attempt
    /// lowered the loss. Default 0.
    pub restarts: u32,
}

impl Default for LbfgsConfig {
    fn default() -> Self {
        Self {
            memory: 10,
            max_iters: 1000,
            tol_grad: 1e-10,
            tol_cost: 0.0,
            c1: 1e-4,
            c2: 0.9,
            restarts: 0,
        }
    }
}

impl StageSolver for LbfgsConfig {
    fn name(&self) -> String {
        "lbfgs".to_string()
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        vec![
            ("memory".into(), self.memory as f64),
            ("max_iters".into(), self.max_iters as f64),
            ("tol_grad".into(), self.tol_grad),
            ("tol_cost".into(), self.tol_cost),
            ("c1".into(), self.c1),
            ("c2".into(), self.c2),
            ("restarts".into(), f64::from(self.restarts)),
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
        positive("lbfgs", "c1", self.c1)?;
        check(
            self.memory >= 1,
            "lbfgs",
            "memory",
            self.memory as f64,
            "must be >= 1",
        )?;
        let ls = MoreThuenteLineSearch::new()
            .with_c(self.c1, self.c2)
            .map_err(|e| super::stage::argmin_error("lbfgs", e))?;
        let solver = LBFGS::new(ls, self.memory)
            .with_tolerance_grad(self.tol_grad)
            .and_then(|s| s.with_tolerance_cost(self.tol_cost))
            .map_err(|e| super::stage::argmin_error("lbfgs", e))?;
        let (_, state) = execute(host, solver, x.clone(), self.max_iters, ctx, "lbfgs")?;
        // argmin's L-BFGS exits on its own only when its line search fails.
        let termination = Termination::from_argmin(
            state.get_termination_status(),
            Termination::LineSearchFailed,
        );
        Ok(Attempt::from_state(&state, x, termination))
    }

    fn boxed_clone(&self) -> Box<dyn StageSolver> {
        Box::new(*self)
    }
}

/// argmin's L-BFGS with ravine's line search, as the stage runs it.
pub(crate) type Lbfgs =
    LBFGS<MoreThuenteLineSearch<Vec<f64>, Vec<f64>, f64>, Vec<f64>, Vec<f64>, f64>;

/// argmin's L-BFGS, field by field (its fields are private; serde reaches them by name).
#[derive(serde::Serialize, serde::Deserialize)]
struct LbfgsFields {
    linesearch: MoreThuenteLineSearch<Vec<f64>, Vec<f64>, f64>,
    m: usize,
    s: VecDeque<Vec<f64>>,
    y: VecDeque<Vec<f64>>,
    tol_grad: f64,
    tol_cost: f64,
    l1_coeff: Option<f64>,
    l1_prev_unreg_grad: Option<Vec<f64>>,
}

/// The memory of argmin's L-BFGS: its curvature pairs.
#[derive(serde::Deserialize)]
struct LbfgsMemory {
    s: VecDeque<Vec<f64>>,
    y: VecDeque<Vec<f64>>,
}

/// argmin's L-BFGS is serde-serializable: the snapshot is the whole solver, and a restore
/// takes only its curvature pairs (checked: as many `s` as `y`, at most `m`, each of `dim`
/// finite entries), the settings staying those of the stage.
impl super::SolverSnapshot for Lbfgs {
    fn save(&self) -> Result<Vec<u8>> {
        super::checkpoint::encode("lbfgs", self)
    }

    fn restored(self, bytes: &[u8], dim: usize) -> Result<Self> {
        use super::checkpoint::{decode, encode};
        let memory: LbfgsMemory = decode("lbfgs", bytes)?;
        let mut fields: LbfgsFields = decode("lbfgs", &encode("lbfgs", &self)?)?;
        let fits = |v: &Vec<f64>| v.len() == dim && v.iter().all(|x| x.is_finite());
        if memory.s.len() != memory.y.len()
            || memory.s.len() > fields.m
            || !memory.s.iter().chain(&memory.y).all(fits)
        {
            return Err(crate::Error::InvalidConfig {
                component: "lbfgs",
                message: format!(
                    "checkpoint memory ({} and {} pairs) does not fit memory {} of {dim} \
                     parameters",
                    memory.s.len(),
                    memory.y.len(),
                    fields.m
                ),
            });
        }
        fields.s = memory.s;
        fields.y = memory.y;
        decode("lbfgs", &encode("lbfgs", &fields)?)
    }
}
