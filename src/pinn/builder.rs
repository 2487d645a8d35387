//! [`PinnBuilder`]: network, domain, PDE, conditions and collocation points into a [`Pinn`].

use super::model::{Term, TermKind};
use super::periodic::{check_periodic_data, periodic_spec};
use super::{Condition, ConditionKind, OutputTransform, Pde, Pinn, Sampler, SpaceTime};
use crate::error::{positive, Error, Result};
use crate::nn::{JetSpec, Mlp};

/// Builds a [`Pinn`]: network, domain, PDE, conditions, collocation points.
#[derive(Debug, Clone)]
pub struct PinnBuilder {
    pub(super) mlp: Mlp,
    pub(super) domain: SpaceTime,
    pub(super) pde: Pde,
    pub(super) interior: usize,
    pub(super) interior_points: Option<Vec<f64>>,
    pub(super) pde_weight: f64,
    pub(super) conditions: Vec<Condition>,
    pub(super) sampler: Sampler,
    pub(super) seed: u64,
    pub(super) resample_every: Option<u64>,
    pub(super) transform: Option<OutputTransform>,
}

impl PinnBuilder {
    /// Number of interior (collocation) points for the residual (default 2540).
    pub fn interior(mut self, n: usize) -> Self {
        self.interior = n;
        self
    }

    /// Uses these interior points (row-major, `n × dim`) instead of sampling them.
    pub fn interior_points(mut self, points: Vec<f64>) -> Self {
        self.interior_points = Some(points);
        self
    }

    /// Weight of the residual term (default 1).
    pub fn pde_weight(mut self, w: f64) -> Result<Self> {
        positive("pinn", "pde_weight", w)?;
        self.pde_weight = w;
        Ok(self)
    }

    /// Adds a condition (its own loss term).
    pub fn condition(mut self, c: Condition) -> Self {
        self.conditions.push(c);
        self
    }

    /// How points are sampled (default Latin hypercube).
    pub fn sampler(mut self, s: Sampler) -> Self {
        self.sampler = s;
        self
    }

    /// The seed of every point set (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Redraws the interior points every `k` batches (adaptive-optimizer steps); L-BFGS, which
    /// does not change batches, keeps the last set. Off by default.
    pub fn resample_every(mut self, k: u64) -> Result<Self> {
        if k == 0 {
            return Err(Error::InvalidHyperparameter {
                component: "pinn",
                parameter: "resample_every",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        self.resample_every = Some(k);
        Ok(self)
    }

    /// Imposes conditions exactly: the solution is `u = g + h·N` instead of the network `N`
    /// (see [`OutputTransform`]). Every loss term, prediction, Jacobian and Hessian-vector
    /// product then sees `u`. Conditions the transform already meets need no loss term.
    pub fn output_transform(mut self, t: OutputTransform) -> Self {
        self.transform = Some(t);
        self
    }

    /// Samples the points and checks the configuration.
    pub fn build(self) -> Result<Pinn> {
        let d = self.domain.dim();
        if self.mlp.input_dim() != d || self.mlp.output_dim() != 1 {
            return Err(Error::InvalidConfig {
                component: "pinn",
                message: format!(
                    "network {:?} must map the domain's {d} inputs to one output",
                    self.mlp.widths()
                ),
            });
        }
        if let Some(e) = self.mlp.embedding() {
            for &(input, period) in e.periodic_inputs() {
                let (a, b) = self
                    .domain
                    .space()
                    .get(input)
                    .copied()
                    .unwrap_or((0.0, 0.0));
                if ((b - a) - period).abs() > 1e-12 * period {
                    return Err(Error::InvalidConfig {
                        component: "pinn",
                        message: format!(
                            "embedding {} is periodic in input {input} with period {period}, \
                             but the domain there is [{a}, {b}] (length {})",
                            e.name(),
                            b - a
                        ),
                    });
                }
                for c in &self.conditions {
                    if let ConditionKind::Initial(g) = &c.kind {
                        check_periodic_data(&self.domain, input, g.as_ref(), &c.name)?;
                    }
                }
            }
        }
        if self.pde.spec().dim() != d {
            return Err(Error::InvalidConfig {
                component: "pinn",
                message: format!(
                    "pde {} has {} inputs, the domain {d}",
                    self.pde.name(),
                    self.pde.spec().dim()
                ),
            });
        }
        let interior = match &self.interior_points {
            Some(p) => {
                check_points("interior", p, d)?;
                p.clone()
            }
            None => {
                if self.interior == 0 {
                    return Err(empty("interior"));
                }
                self.domain.interior(self.interior, self.sampler, self.seed)
            }
        };
        let mut terms = vec![Term {
            name: "pde".into(),
            weight: self.pde_weight,
            kind: TermKind::Residual,
            points: interior,
            point_weights: None,
        }];
        for (k, c) in self.conditions.iter().enumerate() {
            if c.points == 0 && c.at.is_none() {
                return Err(empty(&c.name));
            }
            if let Some(at) = &c.at {
                check_points(&c.name, at, d)?;
                if matches!(c.kind, ConditionKind::Periodic { .. }) {
                    return Err(Error::InvalidConfig {
                        component: "pinn",
                        message: format!("{}: periodic pairs cannot be given as points", c.name),
                    });
                }
            }
            if terms.iter().any(|t| t.name == c.name) {
                return Err(Error::InvalidConfig {
                    component: "pinn",
                    message: format!("two loss terms are named {:?}", c.name),
                });
            }
            let seed = self.seed.wrapping_add(1000 * (k as u64 + 1));
            let term = match &c.kind {
                ConditionKind::Initial(target) | ConditionKind::Dirichlet(target) => {
                    let points = match (&c.at, &c.kind) {
                        (Some(at), _) => at.clone(),
                        (None, ConditionKind::Initial(_)) => {
                            self.domain.initial(c.points, self.sampler, seed)
                        }
                        _ => self.domain.boundary(c.points, self.sampler, seed),
                    };
                    let targets = points.chunks(d).map(|x| target(x)).collect();
                    Term {
                        name: c.name.clone(),
                        weight: c.weight,
                        kind: TermKind::Value { targets },
                        points,
                        point_weights: None,
                    }
                }
                ConditionKind::Periodic { input, order } => {
                    periodic_spec(d, *input, *order).map_err(|e| Error::InvalidConfig {
                        component: "pinn",
                        message: format!("{}: {e}", c.name),
                    })?;
                    if *input >= self.domain.space_dim() {
                        return Err(Error::InvalidConfig {
                            component: "pinn",
                            message: format!("{}: input {input} is not spatial", c.name),
                        });
                    }
                    let (a, b) = self.domain.space()[*input];
                    let mut points = self.domain.interior(c.points, self.sampler, seed);
                    let mut partner = points.clone();
                    for p in 0..c.points {
                        points[p * d + input] = a;
                        partner[p * d + input] = b;
                    }
                    Term {
                        name: c.name.clone(),
                        weight: c.weight,
                        kind: TermKind::Periodic {
                            input: *input,
                            order: *order,
                            partner,
                        },
                        points,
                        point_weights: None,
                    }
                }
            };
            for (i, t) in term_targets(&term).iter().enumerate() {
                if !t.is_finite() {
                    return Err(Error::InvalidConfig {
                        component: "pinn",
                        message: format!("{}: target {t} at point {i} is not finite", c.name),
                    });
                }
            }
            terms.push(term);
        }
        if let Some(tr) = &self.transform {
            for t in &terms {
                match &t.kind {
                    TermKind::Residual => tr.check(self.pde.spec(), &t.points, &t.name)?,
                    TermKind::Value { .. } => {
                        tr.check(&JetSpec::values_only(d), &t.points, &t.name)?
                    }
                    TermKind::Periodic {
                        partner,
                        input,
                        order,
                    } => {
                        let (spec, _) = periodic_spec(d, *input, *order)?;
                        tr.check(&spec, &t.points, &t.name)?;
                        tr.check(&spec, partner, &t.name)?;
                    }
                }
            }
        }
        Ok(Pinn {
            values: JetSpec::values_only(d),
            mlp: self.mlp,
            domain: self.domain,
            pde: self.pde,
            terms,
            sampler: self.sampler,
            seed: self.seed,
            resample_every: self.resample_every,
            interior: self.interior,
            transform: self.transform,
        })
    }
}

fn term_targets(t: &Term) -> &[f64] {
    match &t.kind {
        TermKind::Value { targets } => targets,
        _ => &[],
    }
}

fn empty(what: &str) -> Error {
    Error::InvalidConfig {
        component: "pinn",
        message: format!("{what}: the point set is empty"),
    }
}

fn check_points(what: &str, p: &[f64], d: usize) -> Result<()> {
    if p.is_empty() {
        return Err(empty(what));
    }
    if !p.len().is_multiple_of(d) {
        return Err(Error::InvalidConfig {
            component: "pinn",
            message: format!(
                "{what}: {} coordinates do not make points of dimension {d}",
                p.len()
            ),
        });
    }
    if let Some(i) = p.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidConfig {
            component: "pinn",
            message: format!(
                "{what}: coordinate {} of point {} is {}",
                i % d,
                i / d,
                p[i]
            ),
        });
    }
    Ok(())
}
