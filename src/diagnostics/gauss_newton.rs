//! Gauss-Newton and Fisher operators of a least-squares loss `L = Σ ρ_i²` from its residual
//! Jacobian (see [`ResidualJacobian`]).

use super::Operator;
use super::ResidualJacobian;
use crate::error::{Error, Result};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use std::ops::Range;

fn check_rows(jac: &ResidualJacobian, rows: &Range<usize>) -> Result<()> {
    if rows.start >= rows.end || rows.end > jac.rows() {
        return Err(Error::InvalidConfig {
            component: "gauss-newton",
            message: format!("rows {rows:?} outside 0..{}", jac.rows()),
        });
    }
    Ok(())
}

/// `out ← Jᵀ diag(weights) J v` over `rows`.
fn jtj(
    jac: &ResidualJacobian,
    rows: &Range<usize>,
    weights: Option<&[f64]>,
    v: &[f64],
    out: &mut [f64],
) {
    let p = jac.params;
    let m = rows.len();
    let j = MatRef::from_row_major_slice(&jac.jacobian[rows.start * p..rows.end * p], m, p);
    let mut jv = vec![0.0; m];
    matmul(
        MatMut::from_column_major_slice_mut(&mut jv, m, 1),
        Accum::Replace,
        j,
        MatRef::from_column_major_slice(v, p, 1),
        1.0,
        Par::Seq,
    );
    if let Some(w) = weights {
        jv.iter_mut()
            .zip(&w[rows.clone()])
            .for_each(|(a, b)| *a *= b);
    }
    matmul(
        MatMut::from_column_major_slice_mut(out, p, 1),
        Accum::Replace,
        j.transpose(),
        MatRef::from_column_major_slice(&jv, m, 1),
        1.0,
        Par::Seq,
    );
}

/// The Gauss-Newton matrix `2 J_Rᵀ J_R` of `L = Σ ρ_i²` over the rows `R` (all rows, or one
/// loss term's): the Hessian of `L` without the residual-curvature term `2Σ ρ_i ∇²ρ_i`, which
/// vanishes as the residuals do. For a Gaussian model of the residuals it is also the true
/// Fisher information of that likelihood.
pub struct GaussNewton<'a> {
    jac: &'a ResidualJacobian,
    rows: Range<usize>,
    what: String,
}

impl<'a> GaussNewton<'a> {
    /// Over every residual.
    pub fn new(jac: &'a ResidualJacobian) -> Self {
        Self {
            jac,
            rows: 0..jac.rows(),
            what: "all terms".into(),
        }
    }

    /// Over loss term `name` only (e.g. `"pde"`, `"initial"`).
    pub fn term(jac: &'a ResidualJacobian, name: &str) -> Result<Self> {
        let (_, rows) =
            jac.terms
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| Error::InvalidConfig {
                    component: "gauss-newton",
                    message: format!(
                        "no loss term named {name:?}; terms: {:?}",
                        jac.terms.iter().map(|t| &t.0).collect::<Vec<_>>()
                    ),
                })?;
        check_rows(jac, rows)?;
        Ok(Self {
            jac,
            rows: rows.clone(),
            what: format!("term {name}"),
        })
    }
}

impl Operator for GaussNewton<'_> {
    fn dim(&self) -> usize {
        self.jac.params
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        jtj(self.jac, &self.rows, None, v, out);
        out.iter_mut().for_each(|o| *o *= 2.0);
        Ok(())
    }

    fn label(&self) -> String {
        format!(
            "gauss-newton 2 J'J of the least-squares loss ({}; = fisher of a gaussian residual model; exact)",
            self.what
        )
    }
}

/// The empirical Fisher `(1/m) Σ_i g_i g_iᵀ` of the per-residual gradients `g_i = 2ρ_i∇ρ_i`:
/// a statistic of gradient noise, **not** a curvature matrix (it vanishes at an exact fit
/// whatever the curvature). Reported beside the Gauss-Newton matrix because adaptive rules'
/// second moments estimate its diagonal.
pub struct EmpiricalFisher<'a> {
    jac: &'a ResidualJacobian,
    weights: Vec<f64>,
}

impl<'a> EmpiricalFisher<'a> {
    /// Over every residual.
    pub fn new(jac: &'a ResidualJacobian) -> Self {
        let m = jac.rows() as f64;
        let weights = jac.residuals.iter().map(|r| 4.0 * r * r / m).collect();
        Self { jac, weights }
    }
}

impl Operator for EmpiricalFisher<'_> {
    fn dim(&self) -> usize {
        self.jac.params
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        jtj(self.jac, &(0..self.jac.rows()), Some(&self.weights), v, out);
        Ok(())
    }

    fn label(&self) -> String {
        "empirical fisher (mean of per-residual gradient outer products; gradient-noise statistic, not curvature)".into()
    }
}
