//! Solving a [`MeanVariance`] problem: projected update rules and L-BFGS through the shared
//! executor, and the certified reference. Every [`Solution`] carries its [`Certificate`].

use super::{polish, solve_qp, Certificate, MeanVariance, QpForm, QpSettings, SoftmaxPortfolio};
use crate::error::Result;
use crate::optim::Optimizer;
use crate::run::{AdaptiveStage, History, InspectionRow, LbfgsConfig, Observer, Runner, Stage};
use std::sync::Arc;

/// A solution with its provenance and KKT certificate.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Solver label (`"nesterov"`, `"lbfgs-softmax"`, `"clarabel"`, …).
    pub solver: String,
    /// The weights.
    pub weights: Vec<f64>,
    /// KKT certificate at `weights`.
    pub certificate: Certificate,
    /// Iterations used.
    pub iterations: u64,
    /// Loss-and-gradient evaluations (interior-point iterations for Clarabel).
    pub evaluations: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Why the solver stopped.
    pub termination: String,
    /// Recorded history (empty for Clarabel).
    pub history: History,
    /// Inspection rows of the run's observers (see [`crate::Inspector`]; empty without one).
    pub inspections: Vec<InspectionRow>,
}

impl Solution {
    /// `max_i |w_i − w*_i|` against `reference`.
    pub fn weight_error(&self, reference: &Solution) -> f64 {
        super::compare::max_abs_diff(&self.weights, &reference.weights)
    }

    /// `(f(w) − f(w*)) / |f(w*)|` against `reference` (can be slightly negative within
    /// rounding).
    pub fn objective_gap(&self, reference: &Solution) -> f64 {
        let f = reference.certificate.objective;
        (self.certificate.objective - f) / f.abs().max(f64::MIN_POSITIVE)
    }
}

/// Settings of [`solve_projected`].
#[derive(Debug, Clone, PartialEq)]
pub struct Projected {
    /// Step cap. Default 20 000.
    pub max_iters: u64,
    /// Stop when the gradient mapping `‖w − P_C(w − g)‖` of the scaled loss drops below this
    /// (0 disables). Default 1e-10.
    pub tol: f64,
    /// The starting weights (projected first); `None` (default): the projected equal-weight
    /// portfolio.
    pub start: Option<Vec<f64>>,
}

impl Default for Projected {
    fn default() -> Self {
        Self::new(20_000, 1e-10)
    }
}

impl Projected {
    /// At most `max_iters` steps, tolerance `tol`, from the equal-weight portfolio.
    pub fn new(max_iters: u64, tol: f64) -> Self {
        Self {
            max_iters,
            tol,
            start: None,
        }
    }
}

/// Runs `optimizer` in its projected form (`w ← P_C(w − α u)`) with `settings` (see
/// [`Projected`]).
pub fn solve_projected(
    problem: &MeanVariance,
    optimizer: Optimizer,
    settings: &Projected,
) -> Result<Solution> {
    solve_projected_observed(problem, optimizer, settings, &mut ())
}

/// [`solve_projected`], telling `observer` about the run (a run file, an [`crate::Inspector`]
/// computing curvature beside the rule's effective steps, a progress bar).
pub fn solve_projected_observed(
    problem: &MeanVariance,
    optimizer: Optimizer,
    settings: &Projected,
    observer: &mut dyn Observer,
) -> Result<Solution> {
    let set: Arc<dyn crate::optim::Projection> = problem.constraints().clone();
    let optimizer = optimizer.project_onto(set.clone());
    let name = optimizer.name().to_string();
    let x0 = match &settings.start {
        Some(w) => {
            let mut w = w.clone();
            set.project(&mut w);
            w
        }
        None => problem.initial_point(),
    };
    let mut p = problem.clone();
    let report = Runner::new()
        .stage(Stage::new(AdaptiveStage {
            optimizer,
            max_iters: settings.max_iters,
            tol_grad: settings.tol,
        }))
        .run_observed(&mut p, x0, observer)?;
    let stage = &report.stages[0];
    Ok(Solution {
        solver: name,
        certificate: Certificate::of(problem, &report.params)?,
        weights: report.params,
        iterations: stage.iterations,
        evaluations: stage.evaluations,
        seconds: report.elapsed,
        termination: stage.termination.to_string(),
        history: report.history,
        inspections: report.inspections,
    })
}

/// argmin's L-BFGS on the softmax reparametrisation ([`SoftmaxPortfolio`]; long-only simplex
/// only), from the equal-weight portfolio.
pub fn solve_lbfgs_softmax(problem: &MeanVariance, config: LbfgsConfig) -> Result<Solution> {
    solve_lbfgs_softmax_observed(problem, config, &mut ())
}

/// [`solve_lbfgs_softmax`], telling `observer` about the run.
pub fn solve_lbfgs_softmax_observed(
    problem: &MeanVariance,
    config: LbfgsConfig,
    observer: &mut dyn Observer,
) -> Result<Solution> {
    let mut p = SoftmaxPortfolio::new(problem.clone())?;
    let report = Runner::new().stage(Stage::lbfgs(config)).run_observed(
        &mut p,
        vec![0.0; problem.dim()],
        observer,
    )?;
    let w = SoftmaxPortfolio::weights(&report.params);
    let stage = &report.stages[0];
    Ok(Solution {
        solver: "lbfgs-softmax".into(),
        certificate: Certificate::of(problem, &w)?,
        weights: w,
        iterations: stage.iterations,
        evaluations: stage.evaluations,
        seconds: report.elapsed,
        termination: stage.termination.to_string(),
        history: report.history,
        inspections: report.inspections,
    })
}

/// Clarabel in the given form and settings, optionally polished on its active set
/// ([`polish`]).
pub fn solve_clarabel(
    problem: &MeanVariance,
    form: QpForm,
    settings: QpSettings,
    polished: bool,
) -> Result<Solution> {
    let start = std::time::Instant::now();
    let qp = solve_qp(problem, form, settings)?;
    let mut w = qp.weights;
    let mut termination = qp.status;
    if polished && polish(problem, &mut w, 1e-8)? {
        termination.push_str(" + polished");
    }
    Ok(Solution {
        solver: "clarabel".into(),
        certificate: Certificate::of(problem, &w)?,
        weights: w,
        iterations: u64::from(qp.iterations),
        evaluations: u64::from(qp.iterations),
        seconds: start.elapsed().as_secs_f64(),
        termination,
        history: History::default(),
        inspections: Vec::new(),
    })
}

/// The certified optimum: Clarabel with tight tolerances on the scaled dense QP, polished on
/// its active set. Check its [`Certificate`] before trusting it.
pub fn solve_reference(problem: &MeanVariance) -> Result<Solution> {
    solve_clarabel(problem, QpForm::Dense, QpSettings::tight(), true)
}

/// Convenience: a run with the defaults most users want, `LbfgsConfig` for the softmax run.
pub fn default_lbfgs() -> LbfgsConfig {
    LbfgsConfig {
        max_iters: 5000,
        tol_grad: 1e-14,
        restarts: 20,
        ..LbfgsConfig::default()
    }
}
