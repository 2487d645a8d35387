//! Conversions between ravine's row-major `Vec<f64>` matrices, faer views and nalgebra.
//!
//! ravine stores a dense `r × c` matrix as one row-major slice (a covariance, an assembled
//! operator, a Jacobian). Research codes hold theirs in nalgebra's `DMatrix`/`DVector`
//! (column-major) or in faer's `Mat`; these functions copy between the layouts, checking shapes
//! with a typed error instead of panicking.

use crate::error::{Error, Result};
use faer::MatRef;
use nalgebra::{DMatrix, DVector};

/// A faer view of a row-major `rows × cols` slice (no copy).
pub fn faer_view(data: &[f64], rows: usize, cols: usize) -> Result<MatRef<'_, f64>> {
    check_len("faer view", data.len(), rows, cols)?;
    Ok(MatRef::from_row_major_slice(data, rows, cols))
}

/// The row-major data of an nalgebra matrix (copied out of its column-major storage).
pub fn from_nalgebra(m: &DMatrix<f64>) -> Vec<f64> {
    let (r, c) = m.shape();
    let mut out = Vec::with_capacity(r * c);
    for i in 0..r {
        out.extend((0..c).map(|j| m[(i, j)]));
    }
    out
}

/// The order and row-major data of a square nalgebra matrix; `component` names the caller in
/// the error for a matrix that is not square.
pub fn square_from_nalgebra(
    component: &'static str,
    m: &DMatrix<f64>,
) -> Result<(usize, Vec<f64>)> {
    let (r, c) = m.shape();
    if r != c {
        return Err(Error::DimensionMismatch {
            component,
            what: "nalgebra matrix columns",
            expected: r,
            got: c,
        });
    }
    Ok((r, from_nalgebra(m)))
}

/// An nalgebra matrix holding the row-major `rows × cols` slice `data`.
pub fn to_nalgebra(data: &[f64], rows: usize, cols: usize) -> Result<DMatrix<f64>> {
    check_len("nalgebra matrix", data.len(), rows, cols)?;
    Ok(DMatrix::from_row_slice(rows, cols, data))
}

/// An nalgebra vector holding `v` (parameters, weights, gradients).
pub fn to_nalgebra_vector(v: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(v)
}

fn check_len(component: &'static str, len: usize, rows: usize, cols: usize) -> Result<()> {
    match rows.checked_mul(cols) {
        Some(n) if n == len => Ok(()),
        _ => Err(Error::DimensionMismatch {
            component,
            what: "row-major data",
            expected: rows.saturating_mul(cols),
            got: len,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_round_trips_through_nalgebra_and_faer() {
        let data: Vec<f64> = (0..6).map(f64::from).collect(); // [[0,1,2],[3,4,5]]
        let m = to_nalgebra(&data, 2, 3).unwrap();
        assert_eq!(m[(0, 2)], 2.0);
        assert_eq!(m[(1, 0)], 3.0);
        assert_eq!(from_nalgebra(&m), data);
        let f = faer_view(&data, 2, 3).unwrap();
        assert_eq!(f[(1, 2)], 5.0);
        assert_eq!(to_nalgebra_vector(&data).as_slice(), &data[..]);
    }

    #[test]
    fn a_wrong_shape_is_a_typed_error() {
        let e = to_nalgebra(&[1.0, 2.0, 3.0], 2, 2).unwrap_err();
        assert!(e.to_string().contains("expected 4"), "{e}");
        assert!(faer_view(&[1.0], usize::MAX, 2).is_err());
    }
}
