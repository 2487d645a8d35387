//! [`Pinn::residual_jacobian`]: every scaled residual of a PINN loss and its gradient, row by
//! row, for the Gauss-Newton and Fisher operators of the diagnostics.

use super::model::{Pinn, TermKind};
use crate::diagnostics::ResidualJacobian;
use crate::error::{Error, Result};
use crate::nn::loss_and_gradient;
use rayon::prelude::*;

impl Pinn {
    /// The scaled residuals and their Jacobian at `params` (rows in parallel; each row is
    /// independent, so the result does not depend on the number of threads).
    pub fn residual_jacobian(&self, params: &[f64]) -> Result<ResidualJacobian> {
        let p = self.mlp.num_params();
        if params.len() != p {
            return Err(Error::DimensionMismatch {
                component: "pinn jacobian",
                what: "params",
                expected: p,
                got: params.len(),
            });
        }
        let d = self.domain.dim();
        let mut residuals = Vec::new();
        let mut jacobian = Vec::new();
        let mut terms = Vec::new();
        for t in &self.terms {
            let n = t.points.len() / d;
            let s = (t.weight / n as f64).sqrt();
            let start = residuals.len();
            let point = |i: usize| &t.points[i * d..(i + 1) * d];
            let rows: Vec<(Vec<f64>, Vec<f64>)> = match &t.kind {
                TermKind::Residual => {
                    let spec = self.pde.spec();
                    (0..n)
                        .into_par_iter()
                        .map(|i| {
                            let x = point(i);
                            let s = s * t.point_weight(i).sqrt();
                            let mut row = vec![0.0; p];
                            let mut value = f64::NAN;
                            let value_ref = &mut value;
                            let cell = std::sync::Mutex::new(value_ref);
                            loss_and_gradient(
                                &self.mlp,
                                params,
                                spec,
                                x,
                                self.through_output(spec, x, |_, jet, adj| {
                                    let r = self.pde.residual(x, jet);
                                    for (a, g) in adj.iter_mut().zip(r.g()) {
                                        *a = s * g;
                                    }
                                    if let Ok(mut v) = cell.lock() {
                                        **v = s * r.v;
                                    }
                                    0.0
                                }),
                                &mut row,
                            );
                            (vec![value], row)
                        })
                        .collect()
                }
                TermKind::Value { targets } => (0..n)
                    .into_par_iter()
                    .map(|i| {
                        let mut row = vec![0.0; p];
                        let mut u = 0.0;
                        {
                            let cell = std::sync::Mutex::new(&mut u);
                            loss_and_gradient(
                                &self.mlp,
                                params,
                                &self.values,
                                point(i),
                                self.through_output(&self.values, point(i), |_, jet, adj| {
                                    adj[0] = s;
                                    if let Ok(mut v) = cell.lock() {
                                        **v = jet[0];
                                    }
                                    0.0
                                }),
                                &mut row,
                            );
                        }
                        (vec![s * (u - targets[i])], row)
                    })
                    .collect(),
                TermKind::Periodic {
                    input,
                    order,
                    partner,
                } => {
                    let (spec_owned, comps) = super::periodic::periodic_spec(d, *input, *order)?;
                    let spec = &spec_owned;
                    let comps = &comps;
                    (0..n)
                        .into_par_iter()
                        .flat_map_iter(|i| {
                            let faces = [(point(i), 1.0), (&partner[i * d..(i + 1) * d], -1.0)];
                            comps.iter().map(move |&comp| {
                                let mut row = vec![0.0; p];
                                let mut value = 0.0;
                                for (x, sign) in faces {
                                    let mut v = 0.0;
                                    {
                                        let cell = std::sync::Mutex::new(&mut v);
                                        loss_and_gradient(
                                            &self.mlp,
                                            params,
                                            spec,
                                            x,
                                            self.through_output(spec, x, |_, jet, adj| {
                                                adj[comp] = sign * s;
                                                if let Ok(mut c) = cell.lock() {
                                                    **c = jet[comp];
                                                }
                                                0.0
                                            }),
                                            &mut row,
                                        );
                                    }
                                    value += sign * s * v;
                                }
                                (vec![value], row)
                            })
                        })
                        .collect()
                }
            };
            for (r, row) in rows {
                if let Some(v) = r.iter().find(|v| !v.is_finite()) {
                    return Err(Error::NonFinite {
                        component: "pinn jacobian",
                        what: "residual",
                        index: residuals.len(),
                        value: *v,
                    });
                }
                residuals.extend(r);
                jacobian.extend(row);
            }
            terms.push((t.name.clone(), start..residuals.len()));
        }
        Ok(ResidualJacobian {
            residuals,
            jacobian,
            params: p,
            terms,
        })
    }
}
