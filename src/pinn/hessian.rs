//! Exact Hessian-vector products of the PINN loss, whole or one term at a time.

use std::sync::Mutex;

use super::model::{Pinn, Term, TermKind};
use crate::error::{Error, Result};
use crate::nn::{loss_gradient_hvp, predict_tangent, JetSpec};

impl Pinn {
    /// `H u`, the exact Hessian of the PINN loss at `params` times `direction`, into `hv`;
    /// returns the loss.
    ///
    /// Forward over reverse through the network ([`crate::nn::loss_gradient_hvp`]); the
    /// residual's own second derivatives with respect to the jet (e.g. the `u u_x` of Burgers)
    /// come from the [`super::Dual`] numbers seeded with the jet's tangent. Nothing is
    /// differenced, so the product is exact to rounding, including the residual-curvature
    /// term `2Σ ρ_i ∇²ρ_i` that the Gauss-Newton matrix leaves out.
    pub fn hessian_vector_product(
        &self,
        params: &[f64],
        direction: &[f64],
        hv: &mut [f64],
    ) -> Result<f64> {
        self.check_hvp_lengths(params, direction, hv)?;
        hv.iter_mut().for_each(|h| *h = 0.0);
        let mut loss = 0.0;
        for t in &self.terms {
            loss += self.term_hvp(t, params, direction, hv)?;
        }
        Ok(loss)
    }

    /// As [`Pinn::hessian_vector_product`], for loss term `term` alone (`"pde"` or a
    /// condition's name): the Hessian of that term's loss. Returns the term's loss.
    pub fn term_hessian_vector_product(
        &self,
        term: &str,
        params: &[f64],
        direction: &[f64],
        hv: &mut [f64],
    ) -> Result<f64> {
        self.check_hvp_lengths(params, direction, hv)?;
        let t = self
            .terms
            .iter()
            .find(|t| t.name == term)
            .ok_or_else(|| Error::InvalidConfig {
                component: "pinn hessian",
                message: format!(
                    "no loss term named {term:?} (terms: {:?})",
                    self.terms.iter().map(|t| &t.name).collect::<Vec<_>>()
                ),
            })?;
        hv.iter_mut().for_each(|h| *h = 0.0);
        self.term_hvp(t, params, direction, hv)
    }

    fn check_hvp_lengths(&self, params: &[f64], direction: &[f64], hv: &[f64]) -> Result<()> {
        let p = self.mlp.num_params();
        for (what, v) in [("params", params), ("direction", direction), ("hv", hv)] {
            if v.len() != p {
                return Err(Error::DimensionMismatch {
                    component: "pinn hessian",
                    what,
                    expected: p,
                    got: v.len(),
                });
            }
        }
        Ok(())
    }

    /// The jets of `u` at `points` and their tangents along `direction` (through the output
    /// transform, if any: `g + M N` and `M Ṅ`).
    fn predict_jets_tangent(
        &self,
        params: &[f64],
        direction: &[f64],
        spec: &JetSpec,
        points: &[f64],
    ) -> (Vec<f64>, Vec<f64>) {
        let (mut jets, mut tangents) = predict_tangent(&self.mlp, params, direction, spec, points);
        self.transform_jets(spec, points, &mut jets, Some(&mut tangents));
        (jets, tangents)
    }

    /// Adds `H_t u` of term `t` into `hv`; returns the term's loss.
    fn term_hvp(&self, t: &Term, params: &[f64], u: &[f64], hv: &mut [f64]) -> Result<f64> {
        let d = self.domain.dim();
        let n = t.points.len() / d;
        let s = t.weight / n as f64;
        match &t.kind {
            TermKind::Residual => {
                let bad: Mutex<Option<(usize, f64)>> = Mutex::new(None);
                let loss = loss_gradient_hvp(
                    &self.mlp,
                    params,
                    u,
                    self.pde.spec(),
                    &t.points,
                    self.through_output_tangent(
                        self.pde.spec(),
                        &t.points,
                        |i, jet, jd, adj, adjd| {
                            let x = &t.points[i * d..(i + 1) * d];
                            let r = self.pde.residual_with_tangent(x, jet, jd);
                            if !r.v.is_finite() {
                                if let Ok(mut b) = bad.lock() {
                                    b.get_or_insert((i, r.v));
                                }
                            }
                            let s = s * t.point_weight(i);
                            for c in 0..adj.len() {
                                adj[c] = 2.0 * s * r.v * r.g()[c];
                                adjd[c] = 2.0 * s * (r.t * r.g()[c] + r.v * r.gt()[c]);
                            }
                            s * r.v * r.v
                        },
                    ),
                    None,
                    hv,
                );
                self.residual_error(t, bad)?;
                Ok(loss)
            }
            TermKind::Value { targets } => Ok(loss_gradient_hvp(
                &self.mlp,
                params,
                u,
                &self.values,
                &t.points,
                self.through_output_tangent(&self.values, &t.points, |i, jet, jd, adj, adjd| {
                    let r = jet[0] - targets[i];
                    adj[0] = 2.0 * s * r;
                    adjd[0] = 2.0 * s * jd[0];
                    s * r * r
                }),
                None,
                hv,
            )),
            TermKind::Periodic {
                input,
                order,
                partner,
            } => {
                // The differences across the faces and their tangents first, then each face
                // back-propagated with its sign (as in the gradient).
                let (spec, comps) = super::periodic::periodic_spec(d, *input, *order)?;
                let c = spec.components();
                let (l, ld) = self.predict_jets_tangent(params, u, &spec, &t.points);
                let (r, rd) = self.predict_jets_tangent(params, u, &spec, partner);
                let diff = |a: &[f64], b: &[f64], p: usize| -> Vec<f64> {
                    comps.iter().map(|&k| a[p * c + k] - b[p * c + k]).collect()
                };
                let dv: Vec<Vec<f64>> = (0..n).map(|p| diff(&l, &r, p)).collect();
                let dd: Vec<Vec<f64>> = (0..n).map(|p| diff(&ld, &rd, p)).collect();
                let loss = dv
                    .iter()
                    .map(|row| s * row.iter().map(|v| v * v).sum::<f64>())
                    .sum();
                for (pts, sign) in [(&t.points, 1.0), (partner, -1.0)] {
                    loss_gradient_hvp(
                        &self.mlp,
                        params,
                        u,
                        &spec,
                        pts,
                        self.through_output_tangent(&spec, pts, |i, _, _, adj, adjd| {
                            for (j, &k) in comps.iter().enumerate() {
                                adj[k] = sign * 2.0 * s * dv[i][j];
                                adjd[k] = sign * 2.0 * s * dd[i][j];
                            }
                            0.0
                        }),
                        None,
                        hv,
                    );
                }
                Ok(loss)
            }
        }
    }
}
