//! The full spectrum of an assembled operator, by faer's self-adjoint eigensolver.

use super::{assemble, Operator};
use crate::error::{Error, Result};
use faer::{Mat, Side};

/// All eigenvalues of `op`, ascending: assembled with `p` products, then faer's dense
/// self-adjoint eigensolver (`O(p³)`; fine up to p ≈ 5000).
pub fn dense_spectrum(op: &(impl Operator + ?Sized)) -> Result<Vec<f64>> {
    let dense = assemble(op)?;
    symmetric_eigenvalues(op.dim(), dense.data())
}

/// Eigenvalues, ascending, of a row-major symmetric `p × p` matrix.
pub fn symmetric_eigenvalues(p: usize, data: &[f64]) -> Result<Vec<f64>> {
    let m = Mat::<f64>::from_fn(p, p, |i, j| data[i * p + j]);
    let mut ev = m
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::InvalidConfig {
            component: "dense spectrum",
            message: format!("eigensolver failed: {e:?}"),
        })?;
    ev.sort_by(f64::total_cmp);
    Ok(ev)
}

/// Eigenvalues (ascending) and eigenvectors (column `i` of the row-major result belongs to
/// eigenvalue `i`) of a symmetric `p × p` matrix.
pub(crate) fn symmetric_eigen(p: usize, data: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
    let m = Mat::<f64>::from_fn(p, p, |i, j| data[i * p + j]);
    let evd = m
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::InvalidConfig {
            component: "dense spectrum",
            message: format!("eigensolver failed: {e:?}"),
        })?;
    let s = evd.S().column_vector();
    let u = evd.U();
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    let values = order.iter().map(|&i| s[i]).collect();
    let mut vectors = vec![0.0; p * p];
    for (c, &i) in order.iter().enumerate() {
        for r in 0..p {
            vectors[r * p + c] = u[(r, i)];
        }
    }
    Ok((values, vectors))
}
