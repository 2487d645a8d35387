//! [`Pinn`]: the physics-informed loss as a [`Problem`] for every solver in ravine.

use super::{OutputTransform, Pde, PinnBuilder, Sampler, SpaceTime, MAX_ENTRIES};
use crate::error::{Error, Result};
use crate::nn::{predict, JetSpec, Mlp};

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

/// A physics-informed neural network loss: `Σ_terms weight · mean(residual²)` over the PDE's
/// collocation points and each condition's points, as a [`crate::problem::Problem`] whose parameters are the
/// network's. Every update rule and argmin's L-BFGS train it through the same runner; each
/// term is a named loss component in the history.
#[derive(Debug, Clone)]
pub struct Pinn {
    pub(super) mlp: Mlp,
    pub(super) domain: SpaceTime,
    pub(super) pde: Pde,
    pub(super) terms: Vec<Term>,
    pub(super) values: JetSpec,
    pub(super) sampler: Sampler,
    pub(super) seed: u64,
    pub(super) resample_every: Option<u64>,
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
        if !points.len().is_multiple_of(d) {
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

    /// The PDE residual at `points` (row-major `n × dim`). Errors as [`Pinn::predict`].
    pub fn residuals(&self, params: &[f64], points: &[f64]) -> Result<Vec<f64>> {
        self.check_params(params)?;
        self.check_points(points)?;
        let spec = self.pde.spec();
        let c = spec.components();
        let d = self.domain.dim();
        let jets = self.predict_jets(params, spec, points);
        Ok((0..points.len() / d)
            .map(|p| {
                self.pde
                    .residual(&points[p * d..(p + 1) * d], &jets[p * c..(p + 1) * c])
                    .v
            })
            .collect())
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
        self.refine_scored(candidates, add, seed, |pinn, pts| {
            pinn.residuals(params, pts)
        })
    }

    /// [`Pinn::refine`] with the candidates' residuals from `score(self, candidates)`.
    pub(super) fn refine_scored<S>(
        &mut self,
        candidates: usize,
        add: usize,
        seed: u64,
        score: S,
    ) -> Result<f64>
    where
        S: FnOnce(&Pinn, &[f64]) -> Result<Vec<f64>>,
    {
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
        let r = score(self, &pts)?;
        if r.len() != candidates {
            return Err(Error::DimensionMismatch {
                component: "pinn refine",
                what: "candidate residuals",
                expected: candidates,
                got: r.len(),
            });
        }
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
}
