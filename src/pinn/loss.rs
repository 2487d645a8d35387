//! The PINN loss: each term's residuals through the network, in parallel, and [`Pinn`] as a
//! [`Problem`].

use rayon::prelude::*;
use std::sync::Mutex;

use super::model::{Term, TermKind};
use super::periodic::periodic_spec;
use super::Pinn;
use crate::error::{Error, Result};
use crate::nn::loss_and_gradient;
use crate::problem::Problem;

impl Pinn {
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
