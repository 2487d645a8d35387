//! [`MeanVariance`]: the Markowitz objectives as a [`Problem`] for every update rule.

use super::{sample_covariance, Constraints, Covariance, Returns, RiskModel};
use crate::error::{positive, Error, Result};
use crate::problem::Problem;
use crate::rng::batch_rng;
use rand::Rng;
use std::sync::Arc;

/// Which objective: the Hessian is `γΣ` in both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// `f(w) = ½ wᵀΣw` (with a target-return constraint: the efficient frontier).
    MinVariance,
    /// `f(w) = (γ/2) wᵀΣw − μᵀw`: maximise the mean-variance utility `μᵀw − (γ/2) wᵀΣw`.
    Utility {
        /// Risk aversion `γ > 0`.
        gamma: f64,
    },
}

impl Objective {
    /// `γ` (1 for minimum variance).
    pub fn gamma(&self) -> f64 {
        match self {
            Objective::MinVariance => 1.0,
            Objective::Utility { gamma } => *gamma,
        }
    }

    /// A label such as `min-variance` or `utility(γ=5)`.
    pub fn label(&self) -> String {
        match self {
            Objective::MinVariance => "min-variance".into(),
            Objective::Utility { gamma } => format!("utility(gamma={gamma})"),
        }
    }
}

/// Minibatches of return periods for the stochastic mode.
#[derive(Debug, Clone)]
struct Minibatches {
    /// Returns minus their sample mean, row-major `T × n`.
    centered: Vec<f64>,
    periods: usize,
    batch: usize,
    seed: u64,
    rows: Vec<usize>,
}

/// A mean-variance problem over a feasible set.
///
/// The objective `f` is the one of [`Objective`], in the data's units (a daily variance is
/// ~1e-4). The loss the update rules see is the scaled `f/s` with `s = γ·tr(Σ)/n`, so that
/// the Hessian `γΣ/s` has unit mean diagonal and learning rates do not depend on the data's
/// units; gradients are scaled alike. Rules run in their projected form
/// ([`crate::Optimizer::project_onto`]) with [`MeanVariance::constraints`].
///
/// The gradient handed to the rules is the projected gradient `g_P = −P_{T_C(w)}(−∇f)`, the
/// steepest feasible descent direction's negative (Calamai & Moré 1987; see
/// [`Constraints::project_onto_tangent_cone`]): it drops the components along the equality
/// constraints' normals and those pushing against active bounds, and it vanishes exactly at the
/// constrained optimum. Gradient descent takes the same steps either way (the projection
/// absorbs the dropped components), but rules that rescale coordinates need it: with the raw
/// gradient, whose entries share one sign near a long-only optimum, sign-like rules (Adam,
/// RMSProp, sign descent) step along a nearly uniform vector that the simplex projection
/// cancels, and stall; and their second moments never decay. [`MeanVariance::raw_gradients`]
/// turns this off, to see that happen.
///
/// With a target return or group limits the rules get the gradient mapping
/// `G(w) = L (w − P_C(w − ∇f/L))` instead (`L` from [`super::scaled_lipschitz`]): also zero exactly at the optimum, and the
/// same step for gradient descent at `α = 1/L`, but continuous in `w`, which the tangent cone is
/// not; with the second hyperplane the rules cycled between active sets of the cone and stalled.
///
/// Stochastic mode ([`MeanVariance::stochastic`]): the risk gradient uses a minibatch `B` of
/// return periods drawn with replacement from a seed,
/// `Σ_B w = T/(T−1) · (1/|B|) Σ_{t∈B} x_t (x_tᵀ w)` with `x_t` the demeaned returns (an
/// unbiased estimate of the sample covariance's product), while `μ` stays exact.
#[derive(Debug, Clone)]
pub struct MeanVariance {
    risk: Arc<dyn RiskModel>,
    mean: Vec<f64>,
    objective: Objective,
    constraints: Arc<Constraints>,
    scale: f64,
    batches: Option<Minibatches>,
    tangent: bool,
    /// With a target return: the `L` of the gradient mapping handed to the rules.
    mapping_l: Option<f64>,
}

impl MeanVariance {
    /// A problem from a covariance operator, expected returns, objective and feasible set.
    /// Errors on mismatched dimensions, non-finite means, `γ ≤ 0`, or a covariance with a
    /// non-positive variance.
    pub fn new(
        risk: Arc<dyn RiskModel>,
        mean: Vec<f64>,
        objective: Objective,
        constraints: Constraints,
    ) -> Result<Self> {
        let n = risk.dim();
        for (what, got) in [
            ("expected returns", mean.len()),
            ("constraints", constraints.dim()),
        ] {
            if got != n {
                return Err(Error::DimensionMismatch {
                    component: "mean-variance problem",
                    what,
                    expected: n,
                    got,
                });
            }
        }
        if let Some(i) = mean.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "mean-variance problem",
                what: "expected return",
                index: i,
                value: mean[i],
            });
        }
        if let Objective::Utility { gamma } = objective {
            positive("mean-variance problem", "gamma", gamma)?;
        }
        let diag = risk.diagonal();
        if let Some(i) = diag.iter().position(|v| !(*v > 0.0 && v.is_finite())) {
            return Err(Error::Covariance {
                component: "mean-variance problem",
                message: format!("asset {i} has variance {} (must be > 0)", diag[i]),
            });
        }
        let scale = objective.gamma() * risk.mean_variance();
        Ok(Self {
            risk,
            mean,
            objective,
            constraints: Arc::new(constraints),
            scale,
            batches: None,
            tangent: true,
            mapping_l: None,
        }
        .with_mapping())
    }

    /// Sets the gradient mapping's `L` for a set with a target return, group limits or an L1
    /// limit (none otherwise).
    fn with_mapping(mut self) -> Self {
        let c = &self.constraints;
        let extra = c.target_return().is_some() || !c.groups().is_empty() || c.l1.is_some();
        self.mapping_l = extra.then(|| super::rules::scaled_lipschitz(&self));
        self
    }

    /// A problem on historical returns: sample mean and sample covariance (checked positive
    /// definite, since the objectives need a unique optimum).
    pub fn from_returns(
        returns: &Returns,
        objective: Objective,
        constraints: Constraints,
    ) -> Result<Self> {
        let cov: Covariance = sample_covariance(returns)?;
        cov.check_positive_definite(1e-12)?;
        Self::new(Arc::new(cov), returns.mean(), objective, constraints)
    }

    /// The same problem in stochastic mode: risk gradients from minibatches of `batch` return
    /// periods of `returns` (whose sample covariance must be this problem's `Σ`), drawn from
    /// `seed`; batch `k` is fixed by `(seed, k)`.
    pub fn stochastic(mut self, returns: &Returns, batch: usize, seed: u64) -> Result<Self> {
        if returns.assets_len() != self.dim() {
            return Err(Error::DimensionMismatch {
                component: "mean-variance problem",
                what: "returns' assets",
                expected: self.dim(),
                got: returns.assets_len(),
            });
        }
        crate::error::check(
            batch >= 1,
            "mean-variance problem",
            "batch",
            batch as f64,
            "must be >= 1",
        )?;
        let m = returns.mean();
        let n = m.len();
        let mut centered = returns.values().to_vec();
        for row in centered.chunks_mut(n) {
            for (v, mj) in row.iter_mut().zip(&m) {
                *v -= mj;
            }
        }
        let mut mb = Minibatches {
            centered,
            periods: returns.periods(),
            batch,
            seed,
            rows: Vec::new(),
        };
        draw(&mut mb, 0);
        self.batches = Some(mb);
        Ok(self)
    }

    /// Hands the rules the raw gradient `∇f` instead of its tangent-space projection.
    pub fn raw_gradients(mut self) -> Self {
        self.tangent = false;
        self
    }

    /// The covariance operator.
    pub fn risk(&self) -> &Arc<dyn RiskModel> {
        &self.risk
    }

    /// Expected returns `μ`.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The objective.
    pub fn objective_kind(&self) -> Objective {
        self.objective
    }

    /// The feasible set (also the projection for the update rules).
    pub fn constraints(&self) -> &Arc<Constraints> {
        &self.constraints
    }

    /// The loss scale `s = γ·tr(Σ)/n`.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Number of assets.
    pub fn dim(&self) -> usize {
        self.risk.dim()
    }

    fn check_weights(&self, w: &[f64]) -> Result<()> {
        if w.len() != self.dim() {
            return Err(Error::DimensionMismatch {
                component: "mean-variance problem",
                what: "weights",
                expected: self.dim(),
                got: w.len(),
            });
        }
        Ok(())
    }

    /// `f(w)` in the data's units (exact `Σ`, also in stochastic mode). Errors when `w` has the
    /// wrong length.
    pub fn objective(&self, w: &[f64]) -> Result<f64> {
        self.check_weights(w)?;
        let q = self.risk.quadratic(w);
        Ok(0.5 * self.objective.gamma() * q - self.linear_term(w))
    }

    /// `∇f(w) = γΣw − μ` (or `Σw`), in the data's units, exact. Errors when `w` has the wrong
    /// length.
    pub fn gradient(&self, w: &[f64]) -> Result<Vec<f64>> {
        self.check_weights(w)?;
        let mut g = vec![0.0; w.len()];
        self.risk.matvec(w, &mut g);
        let gamma = self.objective.gamma();
        let with_mean = matches!(self.objective, Objective::Utility { .. });
        for (gi, mi) in g.iter_mut().zip(&self.mean) {
            *gi = gamma * *gi - if with_mean { *mi } else { 0.0 };
        }
        Ok(g)
    }

    /// A copy with a different feasible set (a frontier point, say).
    pub fn with_constraints(&self, constraints: Constraints) -> Result<Self> {
        if constraints.dim() != self.dim() {
            return Err(Error::DimensionMismatch {
                component: "mean-variance problem",
                what: "constraints",
                expected: self.dim(),
                got: constraints.dim(),
            });
        }
        let mut p = self.clone();
        p.constraints = Arc::new(constraints);
        Ok(p.with_mapping())
    }

    /// The equal-weight portfolio projected onto the feasible set: the default start.
    pub fn initial_point(&self) -> Vec<f64> {
        let n = self.dim();
        let mut w = vec![1.0 / n as f64; n];
        crate::optim::Projection::project(self.constraints.as_ref(), &mut w);
        w
    }

    fn linear_term(&self, w: &[f64]) -> f64 {
        match self.objective {
            Objective::MinVariance => 0.0,
            Objective::Utility { .. } => self.mean.iter().zip(w).map(|(a, b)| a * b).sum(),
        }
    }
}

fn draw(mb: &mut Minibatches, index: u64) {
    let mut rng = batch_rng(mb.seed, index);
    mb.rows.clear();
    mb.rows
        .extend((0..mb.batch).map(|_| rng.random_range(0..mb.periods)));
}

impl Problem for MeanVariance {
    fn name(&self) -> String {
        format!(
            "{} over {}",
            self.objective.label(),
            crate::optim::Projection::name(self.constraints.as_ref())
        )
    }

    fn dim(&self) -> usize {
        self.risk.dim()
    }

    fn component_names(&self) -> Vec<String> {
        vec!["risk".into(), "return".into()]
    }

    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        let n = self.dim();
        if x.len() != n || grad.len() != n {
            return Err(Error::DimensionMismatch {
                component: "mean-variance problem",
                what: "weights",
                expected: n,
                got: x.len().min(grad.len()),
            });
        }
        let gamma = self.objective.gamma();
        // Exact Σw for the loss; the gradient's risk part from the minibatch in stochastic mode.
        let mut sw = vec![0.0; n];
        self.risk.matvec(x, &mut sw);
        let risk = 0.5 * gamma * x.iter().zip(&sw).map(|(a, b)| a * b).sum::<f64>();
        if let Some(mb) = &self.batches {
            sw.iter_mut().for_each(|v| *v = 0.0);
            let factor = mb.periods as f64 / (mb.periods - 1) as f64 / mb.batch as f64;
            for &t in &mb.rows {
                let row = &mb.centered[t * n..(t + 1) * n];
                let p: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
                for (s, r) in sw.iter_mut().zip(row) {
                    *s += factor * p * r;
                }
            }
        }
        let ret = self.linear_term(x);
        let with_mean = matches!(self.objective, Objective::Utility { .. });
        for ((g, s), m) in grad.iter_mut().zip(&sw).zip(&self.mean) {
            *g = (gamma * s - if with_mean { *m } else { 0.0 }) / self.scale;
        }
        if let (true, Some(l)) = (self.tangent, self.mapping_l) {
            // With a target return, the gradient mapping g ← L(x − P_C(x − g/L)): continuous in
            // x (the tangent cone's active set is not, and with the second hyperplane the rules
            // cycled between active sets), zero exactly at the optimum, and the same step as the
            // projected gradient's for gradient descent at α = 1/L.
            let mut y: Vec<f64> = x.iter().zip(grad.iter()).map(|(a, g)| a - g / l).collect();
            crate::optim::Projection::project(self.constraints.as_ref(), &mut y);
            for ((g, a), p) in grad.iter_mut().zip(x).zip(&y) {
                *g = l * (a - p);
            }
        } else if self.tangent {
            // g ← −P_{T_C(x)}(−g): the projected gradient.
            grad.iter_mut().for_each(|v| *v = -*v);
            self.constraints.project_onto_tangent_cone(x, grad);
            grad.iter_mut().for_each(|v| *v = -*v);
        }
        if components.len() == 2 {
            components[0] = risk / self.scale;
            components[1] = -ret / self.scale;
        }
        Ok((risk - ret) / self.scale)
    }

    fn is_stochastic(&self) -> bool {
        self.batches.is_some()
    }

    fn set_batch(&mut self, index: u64) {
        if let Some(mb) = &mut self.batches {
            draw(mb, index);
        }
    }
}
