//! Solving a [`MeanVariance`] problem: projected update rules and L-BFGS through the shared
//! executor, and the certified reference. Every [`Solution`] carries its [`Certificate`].

use super::{polish, solve_qp, Certificate, MeanVariance, QpForm, QpSettings, SoftmaxPortfolio};
use crate::error::Result;
use crate::io::RunFile;
use crate::optim::Optimizer;
use crate::run::{History, Inspector, LbfgsConfig, Runner, Stage};
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
}

impl Solution {
    /// `max_i |w_i − w*_i|` against `reference`.
    pub fn weight_error(&self, reference: &Solution) -> f64 {
        self.weights
            .iter()
            .zip(&reference.weights)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
    }

    /// `(f(w) − f(w*)) / |f(w*)|` against `reference` (can be slightly negative within
    /// rounding).
    pub fn objective_gap(&self, reference: &Solution) -> f64 {
        let f = reference.certificate.objective;
        (self.certificate.objective - f) / f.abs().max(f64::MIN_POSITIVE)
    }
}

/// Runs `optimizer` in its projected form (`w ← P_C(w − α u)`) for at most `max_iters` steps,
/// stopping when the gradient mapping `‖w − P_C(w − g)‖` of the scaled loss drops below `tol`;
/// starts from `start` (projected) or the projected equal-weight portfolio.
pub fn solve_projected(
    problem: &MeanVariance,
    optimizer: Optimizer,
    max_iters: u64,
    tol: f64,
    start: Option<&[f64]>,
    file: Option<&mut RunFile>,
) -> Result<Solution> {
    solve_projected_inspected(problem, optimizer, max_iters, tol, start, file, None)
}

/// [`solve_projected`] with an [`Inspector`] called every `k` steps (curvature diagnostics
/// beside the rule's effective steps; see [`Runner::inspect_with`]).
pub fn solve_projected_inspected(
    problem: &MeanVariance,
    optimizer: Optimizer,
    max_iters: u64,
    tol: f64,
    start: Option<&[f64]>,
    file: Option<&mut RunFile>,
    inspector: Option<Inspector>,
) -> Result<Solution> {
    let set: Arc<dyn crate::optim::Projection> = problem.constraints().clone();
    let optimizer = optimizer.project_onto(set.clone());
    let name = optimizer.name().to_string();
    let x0 = match start {
        Some(w) => {
            let mut w = w.to_vec();
            set.project(&mut w);
            w
        }
        None => problem.initial_point(),
    };
    let mut p = problem.clone();
    let mut runner = Runner::new().stage(Stage::Adaptive {
        optimizer,
        max_iters,
        tol_grad: tol,
    });
    if let Some(i) = inspector {
        runner = runner.inspect_with(i);
    }
    let report = runner.run(&mut p, x0, file)?;
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
    })
}

/// argmin's L-BFGS on the softmax reparametrisation ([`SoftmaxPortfolio`]; long-only simplex
/// only), from the equal-weight portfolio.
pub fn solve_lbfgs_softmax(
    problem: &MeanVariance,
    config: LbfgsConfig,
    file: Option<&mut RunFile>,
) -> Result<Solution> {
    let mut p = SoftmaxPortfolio::new(problem.clone())?;
    let report =
        Runner::new()
            .stage(Stage::lbfgs(config))
            .run(&mut p, vec![0.0; problem.dim()], file)?;
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
