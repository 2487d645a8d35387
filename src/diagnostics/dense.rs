//! The full spectrum of an assembled operator, by faer's self-adjoint eigensolver.

use super::{assemble, Operator};
use crate::error::Result;
use crate::linalg::symmetric_eigenvalues;

/// All eigenvalues of `op`, ascending: assembled with `p` products, then faer's dense
/// self-adjoint eigensolver (`O(p³)`; fine up to p ≈ 5000).
pub fn dense_spectrum(op: &(impl Operator + ?Sized)) -> Result<Vec<f64>> {
    let dense = assemble(op)?;
    symmetric_eigenvalues(op.dim(), dense.data())
}
