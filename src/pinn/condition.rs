//! Initial and boundary conditions, each its own named, weighted loss term.

use std::sync::Arc;

use crate::error::{positive, Result};

/// A target function of the point (row of inputs, time last).
pub type TargetFn = dyn Fn(&[f64]) -> f64 + Send + Sync;

/// What a condition constrains.
#[derive(Clone)]
pub enum ConditionKind {
    /// `u(x, t₀) = g(x)` on points sampled at the initial time.
    Initial(Arc<TargetFn>),
    /// `u = h(x, t)` on points sampled on the spatial boundary.
    Dirichlet(Arc<TargetFn>),
    /// `u` and `∂ᵏu/∂x_iᵏ` for `k = 1..=order` equal at `x_i = a_i` and `x_i = b_i` (same other
    /// coordinates).
    Periodic {
        /// The spatial input that is periodic.
        input: usize,
        /// The highest derivative matched (0: the value only).
        order: usize,
    },
}

/// A named, weighted loss term: the mean squared mismatch over its points, times its weight.
#[derive(Clone)]
pub struct Condition {
    pub(crate) name: String,
    pub(crate) kind: ConditionKind,
    pub(crate) points: usize,
    pub(crate) weight: f64,
    /// Points given by the user instead of sampled (row-major, one row per point).
    pub(crate) at: Option<Vec<f64>>,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            ConditionKind::Initial(_) => "initial",
            ConditionKind::Dirichlet(_) => "dirichlet",
            ConditionKind::Periodic { .. } => "periodic",
        };
        f.debug_struct("Condition")
            .field("name", &self.name)
            .field("kind", &kind)
            .field("points", &self.points)
            .field("weight", &self.weight)
            .finish()
    }
}

impl Condition {
    /// `u(x, t₀) = g(x)` on `points` initial points.
    pub fn initial<G>(name: impl Into<String>, points: usize, g: G) -> Self
    where
        G: Fn(&[f64]) -> f64 + Send + Sync + 'static,
    {
        Self::with_kind(name, points, ConditionKind::Initial(Arc::new(g)))
    }

    /// `u = h(x, t)` on `points` boundary points.
    pub fn dirichlet<H>(name: impl Into<String>, points: usize, h: H) -> Self
    where
        H: Fn(&[f64]) -> f64 + Send + Sync + 'static,
    {
        Self::with_kind(name, points, ConditionKind::Dirichlet(Arc::new(h)))
    }

    /// Periodicity in spatial input `input`, enforced at `points` pairs of points on the two
    /// faces `x_i = a_i` and `x_i = b_i`: the loss is the mean of `(u(a) − u(b))² +
    /// (u_x(a) − u_x(b))²`, value and first derivative (DeepXDE's `PeriodicBC` matches one
    /// derivative order per condition). A second-order PDE needs both for a unique periodic
    /// solution; higher orders: [`Condition::periodic_to_order`]. An exactly periodic
    /// [`crate::nn::Embedding`] makes the term unnecessary.
    pub fn periodic(name: impl Into<String>, input: usize, points: usize) -> Self {
        Self::periodic_to_order(name, input, points, 1)
    }

    /// Periodicity of `u` and of `∂ᵏu/∂x_iᵏ` for `k = 1..=order` (0: the value only; at most
    /// [`crate::nn::MAX_ORDER`]; checked when the PINN is built), each a squared difference in
    /// the mean.
    pub fn periodic_to_order(
        name: impl Into<String>,
        input: usize,
        points: usize,
        order: usize,
    ) -> Self {
        Self::with_kind(name, points, ConditionKind::Periodic { input, order })
    }

    fn with_kind(name: impl Into<String>, points: usize, kind: ConditionKind) -> Self {
        Self {
            name: name.into(),
            kind,
            points,
            weight: 1.0,
            at: None,
        }
    }

    /// The same condition at these points (row-major, inputs with time last) instead of
    /// sampled ones: e.g. an initial condition on a regular grid that includes the kink of a
    /// C⁰ initial condition. Checked when the PINN is built (finite, the domain's dimension).
    /// Not for periodic conditions, whose point pairs are built from the domain.
    pub fn at_points(mut self, points: Vec<f64>) -> Self {
        self.at = Some(points);
        self
    }

    /// The loss weight (default 1; finite and > 0).
    pub fn weight(mut self, weight: f64) -> Result<Self> {
        positive("condition", "weight", weight)?;
        self.weight = weight;
        Ok(self)
    }

    /// The name of the loss term.
    pub fn name(&self) -> &str {
        &self.name
    }
}
