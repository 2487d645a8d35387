//! [`ErrorField`]: a prediction compared with a reference solution on a regular grid.

use super::Pinn;
use crate::error::Result;
use crate::reference::GridSolution;

/// A prediction compared with the reference on a regular grid.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorField {
    /// Grid size along x.
    pub nx: usize,
    /// Grid size along t.
    pub nt: usize,
    /// Grid points, row-major `(nt·nx) × 2`, x fastest.
    pub points: Vec<f64>,
    /// Network prediction on the grid.
    pub predicted: Vec<f64>,
    /// Reference solution on the grid.
    pub reference: Vec<f64>,
    /// `|predicted − reference|`.
    pub abs_error: Vec<f64>,
    /// `‖predicted − reference‖₂ / ‖reference‖₂`.
    pub relative_l2: f64,
}

impl ErrorField {
    /// The field for `predicted` against `reference` at `points` (an `nx × nt` grid, x
    /// fastest).
    pub fn new(
        nx: usize,
        nt: usize,
        points: Vec<f64>,
        predicted: Vec<f64>,
        reference: Vec<f64>,
    ) -> Self {
        let abs_error: Vec<f64> = predicted
            .iter()
            .zip(&reference)
            .map(|(p, r)| (p - r).abs())
            .collect();
        let num = abs_error.iter().map(|e| e * e).sum::<f64>().sqrt();
        let den = reference.iter().map(|r| r * r).sum::<f64>().sqrt();
        ErrorField {
            nx,
            nt,
            points,
            predicted,
            reference,
            abs_error,
            relative_l2: num / den,
        }
    }
}

/// Compares `pinn` at `params` with `reference` on the reference's grid.
pub fn grid_error(pinn: &Pinn, params: &[f64], reference: &GridSolution) -> Result<ErrorField> {
    let points = reference.points();
    let predicted = pinn.predict(params, &points)?;
    Ok(ErrorField::new(
        reference.x.len(),
        reference.t.len(),
        points,
        predicted,
        reference.values.clone(),
    ))
}
