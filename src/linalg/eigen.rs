//! Dense symmetric eigenproblems through faer's self-adjoint eigensolver.

use crate::error::{Error, Result};
use faer::{Mat, Side};

/// Eigenvalues, ascending, of a row-major symmetric `p × p` matrix.
pub fn symmetric_eigenvalues(p: usize, data: &[f64]) -> Result<Vec<f64>> {
    check_square(p, data)?;
    let m = Mat::<f64>::from_fn(p, p, |i, j| data[i * p + j]);
    let mut ev = m
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| Error::Numerical {
            component: "symmetric eigensolver",
            message: format!("eigensolver failed: {e:?}"),
        })?;
    ev.sort_by(f64::total_cmp);
    Ok(ev)
}

/// Eigenvalues (ascending) and eigenvectors (column `i` of the row-major result belongs to
/// eigenvalue `i`) of a symmetric `p × p` matrix.
pub fn symmetric_eigen(p: usize, data: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
    check_square(p, data)?;
    let m = Mat::<f64>::from_fn(p, p, |i, j| data[i * p + j]);
    let evd = m
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::Numerical {
            component: "symmetric eigensolver",
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

fn check_square(p: usize, data: &[f64]) -> Result<()> {
    if p.checked_mul(p) != Some(data.len()) {
        return Err(Error::DimensionMismatch {
            component: "symmetric eigensolver",
            what: "row-major matrix",
            expected: p.saturating_mul(p),
            got: data.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenpairs_satisfy_a_v_equals_lambda_v() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 1.0];
        let (values, vectors) = symmetric_eigen(3, &a).unwrap();
        assert!(values.windows(2).all(|w| w[0] <= w[1]));
        for (k, &lambda) in values.iter().enumerate() {
            for i in 0..3 {
                let av: f64 = (0..3).map(|j| a[i * 3 + j] * vectors[j * 3 + k]).sum();
                approx::assert_abs_diff_eq!(av, lambda * vectors[i * 3 + k], epsilon = 1e-13);
            }
        }
        approx::assert_relative_eq!(values.iter().sum::<f64>(), 8.0, max_relative = 1e-14);
    }

    #[test]
    fn a_non_square_slice_is_a_typed_error() {
        assert!(symmetric_eigenvalues(2, &[1.0, 2.0, 3.0]).is_err());
        assert!(symmetric_eigen(3, &[1.0; 4]).is_err());
    }
}
