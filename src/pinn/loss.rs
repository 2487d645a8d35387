//! The PINN loss: each term's residuals through the network, in parallel, and [`Pinn`] as a
//! [`Problem`].

use rayon::prelude::*;
use std::sync::Mutex;

use super::model::{Term, TermKind};
use super::periodic::periodic_spec;
use super::Pinn;
use crate::error::{Error, Result};
use crate::nn::{chunk_count, chunk_partials, ChunkPartials, CHUNK_POINTS};
use crate::problem::{Addends, Partials, Partitioned, Problem, Shard};

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

    /// The accumulators of term `t`: the periodic term's two faces are summed apart (so that
    /// each is one run of chunks that shards split in order), every other term has one.
    fn term_accumulators(t: &Term) -> usize {
        match t.kind {
            TermKind::Periodic { .. } => 2,
            _ => 1,
        }
    }

    /// Term `t`'s addends over the chunks of `shard`: the chunks' losses and gradients.
    fn term_partials(
        &self,
        t: &Term,
        params: &[f64],
        shard: Shard,
        p: usize,
    ) -> Result<Vec<Addends>> {
        let d = self.domain.dim();
        let n = t.points.len() / d;
        let s = t.weight / n as f64;
        let chunks = shard.range(chunk_count(n));
        let addends = |c: ChunkPartials| {
            let ChunkPartials { losses, grads, .. } = c;
            Addends {
                values: losses,
                gradients: grads,
            }
        };
        match &t.kind {
            TermKind::Residual => {
                let bad: Mutex<Option<(usize, f64)>> = Mutex::new(None);
                let spec = self.pde.spec();
                let parts = chunk_partials(
                    &self.mlp,
                    params,
                    spec,
                    &t.points,
                    chunks,
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
                    p,
                );
                self.residual_error(t, bad)?;
                Ok(vec![addends(parts)])
            }
            TermKind::Value { targets } => Ok(vec![addends(chunk_partials(
                &self.mlp,
                params,
                &self.values,
                &t.points,
                chunks,
                self.through_output(&self.values, &t.points, |i, jet, adj| {
                    let r = jet[0] - targets[i];
                    adj[0] = 2.0 * s * r;
                    s * r * r
                }),
                p,
            ))]),
            TermKind::Periodic {
                input,
                order,
                partner,
            } => {
                // u and its x_input-derivatives up to `order` must agree across the two faces:
                // the differences are computed first (the loss: one addend per point), then
                // each face is back-propagated with its sign into its own accumulator.
                let (spec, comps) = periodic_spec(d, *input, *order)?;
                let c = spec.components();
                let (a, b) = (
                    chunks.start * CHUNK_POINTS,
                    (chunks.end * CHUNK_POINTS).min(n),
                );
                let left = self.predict_jets(params, &spec, &t.points[a * d..b * d]);
                let right = self.predict_jets(params, &spec, &partner[a * d..b * d]);
                let diff: Vec<Vec<f64>> = (0..b.saturating_sub(a))
                    .map(|q| {
                        comps
                            .iter()
                            .map(|&k| left[q * c + k] - right[q * c + k])
                            .collect()
                    })
                    .collect();
                let values = diff
                    .iter()
                    .map(|row| s * row.iter().map(|v| v * v).sum::<f64>())
                    .collect();
                let mut faces = Vec::with_capacity(2);
                for (pts, sign) in [(&t.points, 1.0), (partner, -1.0)] {
                    let face = chunk_partials(
                        &self.mlp,
                        params,
                        &spec,
                        pts,
                        chunks.clone(),
                        self.through_output(&spec, pts, |i, _jet, adj| {
                            for (&k, v) in comps.iter().zip(&diff[i - a]) {
                                adj[k] = sign * 2.0 * s * v;
                            }
                            0.0
                        }),
                        p,
                    );
                    faces.push(Addends {
                        values: Vec::new(),
                        gradients: face.grads,
                    });
                }
                faces[0].values = values;
                Ok(faces)
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

    /// One share holding everything ([`Partitioned`]): the terms' chunks, summed in chunk
    /// order per term, then the terms in term order, so the result does not depend on the
    /// number of threads (nor, through [`crate::dist::Sharded`], of processes).
    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        let parts = self.partials(x, Shard::WHOLE)?;
        let mut sums = vec![0.0; parts.sums_len()];
        parts.fold_into(&mut sums)?;
        self.release(parts);
        self.finish(&sums, grad, components)
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

impl Partitioned for Pinn {
    fn accumulators(&self) -> usize {
        self.terms.iter().map(Self::term_accumulators).sum()
    }

    /// The terms run in parallel with each other (and each over its chunks of points), so the
    /// small boundary terms fill the gaps of the residual's chunks. Each term's chunks are
    /// split among the shards in order ([`Shard::range`] of its chunk count).
    fn partials(&self, x: &[f64], shard: Shard) -> Result<Partials> {
        self.check_params(x)?;
        let p = x.len();
        let per_term: Vec<Result<Vec<Addends>>> = self
            .terms
            .par_iter()
            .map(|t| self.term_partials(t, x, shard, p))
            .collect();
        let mut parts = Vec::with_capacity(self.accumulators());
        for t in per_term {
            parts.extend(t?);
        }
        Ok(Partials { dim: p, parts })
    }

    fn finish(&self, sums: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        let p = self.mlp.num_params();
        if grad.len() != p {
            return Err(Error::DimensionMismatch {
                component: "pinn",
                what: "gradient buffer",
                expected: p,
                got: grad.len(),
            });
        }
        if sums.len() != self.accumulators() * (1 + p) {
            return Err(Error::DimensionMismatch {
                component: "pinn",
                what: "folded sums",
                expected: self.accumulators() * (1 + p),
                got: sums.len(),
            });
        }
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut total = 0.0;
        let mut accs = sums.chunks_exact(1 + p);
        for (k, t) in self.terms.iter().enumerate() {
            let mut loss = 0.0;
            for j in 0..Self::term_accumulators(t) {
                let acc = accs.next().unwrap_or(&[]);
                if j == 0 {
                    loss = acc.first().copied().unwrap_or(0.0);
                }
                grad.iter_mut()
                    .zip(acc.iter().skip(1))
                    .for_each(|(a, b)| *a += b);
            }
            if let Some(c) = components.get_mut(k) {
                *c = loss;
            }
            total += loss;
        }
        Ok(total)
    }

    fn release(&self, partials: Partials) {
        for a in partials.parts {
            crate::nn::recycle(a.gradients);
        }
    }
}
