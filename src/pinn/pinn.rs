//! [`Pinn`]: the physics-informed loss as a [`Problem`] for every solver in ravine.

use rayon::prelude::*;
use std::sync::Mutex;

use super::periodic::{check_periodic_data, periodic_spec};
use super::{Condition, ConditionKind, OutputTransform, Pde, Sampler, SpaceTime, MAX_ENTRIES};
use crate::error::{positive, Error, Result};
use crate::nn::{loss_and_gradient, predict, JetSpec, Mlp};
use crate::problem::Problem;

#[derive(Debug, Clone)]
pub(super) enum TermKind {
    Residual,
    Value {
        targets: Vec<f64>,
    },
    Periodic {
        input: usize,
        order: usize,
        partner: Vec<f64>,
    },
}

#[derive(Debug, Clone)]
pub(super) struct Term {
    pub(super) name: String,
    pub(super) weight: f64,
    pub(super) kind: TermKind,
    pub(super) points: Vec<f64>,
    /// Per-point weights (mean 1 for an unbiased term), e.g. causal weights; cleared
    /// whenever the points change.
    pub(super) point_weights: Option<Vec<f64>>,
}

impl Term {
    /// The weight of point `i` (1 without per-point weights).
    pub(super) fn point_weight(&self, i: usize) -> f64 {
        self.point_weights.as_ref().map_or(1.0, |w| w[i])
    }
}

/// Builds a [`Pinn`]: network, domain, PDE, conditions, collocation points.
#[derive(Debug, Clone)]
pub struct PinnBuilder {
    mlp: Mlp,
    domain: SpaceTime,
    pde: Pde,
    interior: usize,
    interior_points: Option<Vec<f64>>,
    pde_weight: f64,
    conditions: Vec<Condition>,
    sampler: Sampler,
    seed: u64,
    resample_every: Option<u64>,
    transform: Option<OutputTransform>,
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

/// A physics-informed neural network loss: `Σ_terms weight · mean(residual²)` over the PDE's
/// collocation points and each condition's points, as a [`Problem`] whose parameters are the
/// network's. Every update rule and argmin's L-BFGS train it through the same runner; each
/// term is a named loss component in the history.
#[derive(Debug, Clone)]
pub struct Pinn {
    pub(super) mlp: Mlp,
    pub(super) domain: SpaceTime,
    pub(super) pde: Pde,
    pub(super) terms: Vec<Term>,
    pub(super) values: JetSpec,
    sampler: Sampler,
    seed: u64,
    resample_every: Option<u64>,
    pub(super) interior: usize,
    pub(super) transform: Option<OutputTransform>,
}

impl Pinn {
    /// Starts a PINN for `pde` on `domain` with network `mlp`.
    pub fn builder(mlp: Mlp, domain: SpaceTime, pde: Pde) -> PinnBuilder {
        PinnBuilder {
            mlp,
            domain,
            pde,
            interior: 2540,
            interior_points: None,
            pde_weight: 1.0,
            conditions: Vec::new(),
            sampler: Sampler::LatinHypercube,
            seed: 0,
            resample_every: None,
            transform: None,
        }
    }

    /// The network.
    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }

    /// The domain.
    pub fn domain(&self) -> &SpaceTime {
        &self.domain
    }

    /// The PDE.
    pub fn pde(&self) -> &Pde {
        &self.pde
    }

    /// Number of points of each term, by name.
    pub fn term_sizes(&self) -> Vec<(String, usize)> {
        let d = self.domain.dim();
        self.terms
            .iter()
            .map(|t| (t.name.clone(), t.points.len() / d))
            .collect()
    }

    /// The hard-constraint transform, if any.
    pub fn output_transform(&self) -> Option<&OutputTransform> {
        self.transform.as_ref()
    }

    /// The solution `u` at `points` (row-major, `n × dim`): the network's output, through the
    /// [`OutputTransform`] if there is one. Errors: parameters of the wrong length, a point
    /// array that is not a whole number of points, a non-finite coordinate.
    pub fn predict(&self, params: &[f64], points: &[f64]) -> Result<Vec<f64>> {
        self.check_params(params)?;
        self.check_points(points)?;
        Ok(self.predict_jets(params, &self.values, points))
    }

    /// Parameters must have the network's length.
    pub(super) fn check_params(&self, params: &[f64]) -> Result<()> {
        let p = self.mlp.num_params();
        if params.len() != p {
            return Err(Error::DimensionMismatch {
                component: "pinn",
                what: "parameters",
                expected: p,
                got: params.len(),
            });
        }
        Ok(())
    }

    /// Points must be whole rows of the domain's dimension, with finite coordinates.
    pub(super) fn check_points(&self, points: &[f64]) -> Result<()> {
        let d = self.domain.dim();
        if points.len() % d != 0 {
            return Err(Error::InvalidConfig {
                component: "pinn",
                message: format!(
                    "{} coordinates are not a whole number of {d}-dimensional points",
                    points.len()
                ),
            });
        }
        if let Some(i) = points.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "pinn",
                what: "point coordinate",
                index: i,
                value: points[i],
            });
        }
        Ok(())
    }

    /// The jets of `u` for `spec` at `points` (row-major `n × C`).
    pub(super) fn predict_jets(&self, params: &[f64], spec: &JetSpec, points: &[f64]) -> Vec<f64> {
        let mut jets = predict(&self.mlp, params, spec, points);
        self.transform_jets(spec, points, &mut jets, None);
        jets
    }

    /// Maps the network's jets at `points` (row-major `n × C`) to those of `u` in place,
    /// `g + M N`, and their tangents, if given, to `M Ṅ`; nothing without a transform.
    pub(super) fn transform_jets(
        &self,
        spec: &JetSpec,
        points: &[f64],
        jets: &mut [f64],
        mut tangents: Option<&mut [f64]>,
    ) {
        let Some(tr) = &self.transform else {
            return;
        };
        let (c, d) = (spec.components(), self.domain.dim());
        let mut n = [0.0; MAX_ENTRIES];
        for (p, (x, jet)) in points.chunks(d).zip(jets.chunks_mut(c)).enumerate() {
            let map = tr.jet_map(spec, x);
            n[..c].copy_from_slice(jet);
            map.forward(&n, jet, true);
            if let Some(t) = tangents.as_deref_mut() {
                let t = &mut t[p * c..(p + 1) * c];
                n[..c].copy_from_slice(t);
                map.forward(&n, t, false);
            }
        }
    }

    /// A per-point loss of `u`'s jet as one of the network's jet, for
    /// [`loss_and_gradient`]: through the [`OutputTransform`] and back, if there is one.
    pub(super) fn through_output<'a, F>(
        &'a self,
        spec: &'a JetSpec,
        points: &'a [f64],
        f: F,
    ) -> impl Fn(usize, &[f64], &mut [f64]) -> f64 + Sync + 'a
    where
        F: Fn(usize, &[f64], &mut [f64]) -> f64 + Sync + 'a,
    {
        let d = self.domain.dim();
        move |i, jet, adj| match &self.transform {
            None => f(i, jet, adj),
            Some(tr) => {
                let c = spec.components();
                let map = tr.jet_map(spec, &points[i * d..(i + 1) * d]);
                let (mut u, mut au) = ([0.0; MAX_ENTRIES], [0.0; MAX_ENTRIES]);
                map.forward(jet, &mut u, true);
                let loss = f(i, &u[..c], &mut au[..c]);
                map.backward(&au, adj);
                loss
            }
        }
    }

    /// As [`Pinn::through_output`] for a per-point loss with tangents (Hessian-vector
    /// products): the tangent of `u`'s jet is `M J̇`, and both adjoints map back by `Mᵀ`.
    #[allow(clippy::type_complexity)]
    pub(super) fn through_output_tangent<'a, F>(
        &'a self,
        spec: &'a JetSpec,
        points: &'a [f64],
        f: F,
    ) -> impl Fn(usize, &[f64], &[f64], &mut [f64], &mut [f64]) -> f64 + Sync + 'a
    where
        F: Fn(usize, &[f64], &[f64], &mut [f64], &mut [f64]) -> f64 + Sync + 'a,
    {
        let d = self.domain.dim();
        move |i, jet, jd, adj, adjd| match &self.transform {
            None => f(i, jet, jd, adj, adjd),
            Some(tr) => {
                let c = spec.components();
                let map = tr.jet_map(spec, &points[i * d..(i + 1) * d]);
                let (mut u, mut ud) = ([0.0; MAX_ENTRIES], [0.0; MAX_ENTRIES]);
                let (mut au, mut aud) = ([0.0; MAX_ENTRIES], [0.0; MAX_ENTRIES]);
                map.forward(jet, &mut u, true);
                map.forward(jd, &mut ud, false);
                let loss = f(i, &u[..c], &ud[..c], &mut au[..c], &mut aud[..c]);
                map.backward(&au, adj);
                map.backward(&aud, adjd);
                loss
            }
        }
    }

    /// The PDE residual at `points`.
    pub fn residuals(&self, params: &[f64], points: &[f64]) -> Vec<f64> {
        let spec = self.pde.spec();
        let c = spec.components();
        let d = self.domain.dim();
        let jets = self.predict_jets(params, spec, points);
        (0..points.len() / d)
            .map(|p| {
                self.pde
                    .residual(&points[p * d..(p + 1) * d], &jets[p * c..(p + 1) * c])
                    .v
            })
            .collect()
    }

    /// Residual-based refinement (Lu et al. 2021, "RAR"): evaluates the residual at
    /// `candidates` fresh Halton points of the domain (seeded) and adds the `add` with the
    /// largest |residual| to the interior points. Returns the largest |residual| found.
    /// Interior resampling ([`PinnBuilder::resample_every`]) would discard the added points.
    pub fn refine(
        &mut self,
        params: &[f64],
        candidates: usize,
        add: usize,
        seed: u64,
    ) -> Result<f64> {
        if add > candidates || candidates == 0 {
            return Err(Error::InvalidConfig {
                component: "pinn refine",
                message: format!("cannot add {add} of {candidates} candidate points"),
            });
        }
        let d = self.domain.dim();
        let pts = self.domain.interior(candidates, Sampler::Halton, seed);
        if let Some(tr) = &self.transform {
            tr.check(self.pde.spec(), &pts, "refinement")?;
        }
        let r = self.residuals(params, &pts);
        let mut order: Vec<usize> = (0..candidates).collect();
        order.sort_by(|&a, &b| r[b].abs().total_cmp(&r[a].abs()));
        let worst = r[order[0]].abs();
        for &i in &order[..add] {
            self.terms[0]
                .points
                .extend_from_slice(&pts[i * d..(i + 1) * d]);
        }
        self.terms[0].point_weights = None;
        Ok(worst)
    }

    /// The typed error for the first non-finite residual a pass recorded, if any.
    pub(super) fn residual_error(&self, t: &Term, bad: Mutex<Option<(usize, f64)>>) -> Result<()> {
        let d = self.domain.dim();
        match bad.into_inner().ok().flatten() {
            Some((i, value)) => Err(Error::Residual {
                pde: self.pde.name().to_string(),
                point: t.points[i * d..(i + 1) * d].to_vec(),
                value,
            }),
            None => Ok(()),
        }
    }

    fn term_loss(&self, t: &Term, params: &[f64], grad: &mut [f64]) -> Result<f64> {
        let d = self.domain.dim();
        let n = t.points.len() / d;
        let s = t.weight / n as f64;
        match &t.kind {
            TermKind::Residual => {
                let bad: Mutex<Option<(usize, f64)>> = Mutex::new(None);
                let spec = self.pde.spec();
                let loss = loss_and_gradient(
                    &self.mlp,
                    params,
                    spec,
                    &t.points,
                    self.through_output(spec, &t.points, |i, jet, adj| {
                        let r = self.pde.residual(&t.points[i * d..(i + 1) * d], jet);
                        if !r.v.is_finite() && jet.iter().all(|v| v.is_finite()) {
                            if let Ok(mut b) = bad.lock() {
                                b.get_or_insert((i, r.v));
                            }
                        }
                        let s = s * t.point_weight(i);
                        for (a, g) in adj.iter_mut().zip(r.g()) {
                            *a = 2.0 * s * r.v * g;
                        }
                        s * r.v * r.v
                    }),
                    grad,
                );
                self.residual_error(t, bad)?;
                Ok(loss)
            }
            TermKind::Value { targets } => Ok(loss_and_gradient(
                &self.mlp,
                params,
                &self.values,
                &t.points,
                self.through_output(&self.values, &t.points, |i, jet, adj| {
                    let r = jet[0] - targets[i];
                    adj[0] = 2.0 * s * r;
                    s * r * r
                }),
                grad,
            )),
            TermKind::Periodic {
                input,
                order,
                partner,
            } => {
                // u and its x_input-derivatives up to `order` must agree across the two faces:
                // the differences are computed first, then each face is back-propagated with
                // its sign.
                let (spec, comps) = periodic_spec(d, *input, *order)?;
                let c = spec.components();
                let left = self.predict_jets(params, &spec, &t.points);
                let right = self.predict_jets(params, &spec, partner);
                let diff: Vec<Vec<f64>> = (0..n)
                    .map(|p| {
                        comps
                            .iter()
                            .map(|&k| left[p * c + k] - right[p * c + k])
                            .collect()
                    })
                    .collect();
                let loss = diff
                    .iter()
                    .map(|row| s * row.iter().map(|v| v * v).sum::<f64>())
                    .sum();
                for (pts, sign) in [(&t.points, 1.0), (partner, -1.0)] {
                    loss_and_gradient(
                        &self.mlp,
                        params,
                        &spec,
                        pts,
                        self.through_output(&spec, pts, |i, _jet, adj| {
                            for (&k, v) in comps.iter().zip(&diff[i]) {
                                adj[k] = sign * 2.0 * s * v;
                            }
                            0.0
                        }),
                        grad,
                    );
                }
                Ok(loss)
            }
        }
    }
}

impl Problem for Pinn {
    fn name(&self) -> String {
        format!("pinn:{}", self.pde.name())
    }

    fn dim(&self) -> usize {
        self.mlp.num_params()
    }

    fn component_names(&self) -> Vec<String> {
        self.terms.iter().map(|t| t.name.clone()).collect()
    }

    /// The terms run in parallel with each other (and each over its chunks of points), so the
    /// small boundary terms fill the gaps of the residual's chunks; their gradients are summed
    /// in term order, so the result does not depend on the number of threads.
    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        self.check_params(x)?;
        if grad.len() != x.len() {
            return Err(Error::DimensionMismatch {
                component: "pinn",
                what: "gradient buffer",
                expected: x.len(),
                got: grad.len(),
            });
        }
        let p = grad.len().max(1);
        // Per-term gradients in one pooled buffer (not fresh vectors each step).
        let mut term_grads = crate::nn::scratch(self.terms.len() * p);
        let parts: Vec<Result<f64>> = self
            .terms
            .par_iter()
            .zip(term_grads.par_chunks_mut(p))
            .map(|(t, g)| {
                g.fill(0.0);
                self.term_loss(t, x, g)
            })
            .collect();
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut total = 0.0;
        for (k, (part, g)) in parts
            .into_iter()
            .zip(term_grads.chunks_exact(p))
            .enumerate()
        {
            let l = part?;
            grad.iter_mut().zip(g).for_each(|(a, b)| *a += b);
            if let Some(c) = components.get_mut(k) {
                *c = l;
            }
            total += l;
        }
        crate::nn::recycle(term_grads);
        Ok(total)
    }

    fn is_stochastic(&self) -> bool {
        self.resample_every.is_some()
    }

    fn set_batch(&mut self, index: u64) {
        if let Some(k) = self.resample_every {
            if index.is_multiple_of(k) && self.interior > 0 {
                let round = index / k;
                self.terms[0].point_weights = None;
                self.terms[0].points = self.domain.interior(
                    self.interior,
                    self.sampler,
                    self.seed
                        .wrapping_add(round.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                );
            }
        }
    }

    fn snapshot(&self) -> Vec<(String, Vec<f64>)> {
        super::snapshot::snapshot(self)
    }

    fn restore(&mut self, state: &[(String, Vec<f64>)]) -> Result<()> {
        super::snapshot::restore(self, state)
    }
}
