//! [`GridSolution`]: a reference solution sampled on the evaluation grid, and the loop that
//! fills it from an [`Etdrk4`] integration.

use rustfft::num_complex::Complex64;

use super::spectral::Etdrk4;
use crate::error::{Error, Result};

/// A solution sampled on a regular space-time grid: `values[j·nx + i]` at `x_i`, `t_j`.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSolution {
    /// The spatial grid (`nx` points, periodic: the right end is not repeated).
    pub x: Vec<f64>,
    /// The times (`nt` points).
    pub t: Vec<f64>,
    /// Values, row-major `[t, x]`, x fastest.
    pub values: Vec<f64>,
}

impl GridSolution {
    /// Points `(x, t)` row-major `(nt·nx) × 2`, x fastest: the layout of `values`.
    pub fn points(&self) -> Vec<f64> {
        let mut p = Vec::with_capacity(2 * self.values.len());
        for &t in &self.t {
            for &x in &self.x {
                p.push(x);
                p.push(t);
            }
        }
        p
    }

    /// The values at time index `j`.
    pub fn at(&self, j: usize) -> &[f64] {
        let nx = self.x.len();
        &self.values[j * nx..(j + 1) * nx]
    }

    /// `max |self − other|` over the grid (both on the same grid).
    pub fn max_difference(&self, other: &GridSolution) -> f64 {
        self.values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }

    /// `‖prediction − self‖₂ / ‖self‖₂` over the grid.
    pub fn relative_l2(&self, prediction: &[f64]) -> f64 {
        let num: f64 = prediction
            .iter()
            .zip(&self.values)
            .map(|(p, r)| (p - r) * (p - r))
            .sum();
        let den: f64 = self.values.iter().map(|r| r * r).sum();
        (num / den).sqrt()
    }
}

/// Integrates from coefficients `c0` at `t = 0` and samples the solution at `t_j = j·dt_out`,
/// `j = 0..nt`, on every `N/nx`-th grid point (`nx` divides `N`; `dt_out` a whole number of
/// steps). `check` sees every snapshot's coefficients and may stop the run with an error.
pub(crate) fn integrate(
    solver: &Etdrk4,
    mut c: Vec<Complex64>,
    nx: usize,
    nt: usize,
    steps_per_output: usize,
    mut check: impl FnMut(f64, &[Complex64], &[f64]) -> Result<()>,
) -> Result<(GridSolution, Vec<Complex64>)> {
    let n = solver.modes();
    if nx == 0 || !n.is_multiple_of(nx) {
        return Err(Error::InvalidConfig {
            component: "spectral reference",
            message: format!("{nx} output points do not divide {n} modes"),
        });
    }
    let stride = n / nx;
    let x: Vec<f64> = solver.grid().into_iter().step_by(stride).collect();
    let dt_out = solver.step_size() * steps_per_output as f64;
    let t: Vec<f64> = (0..nt).map(|j| j as f64 * dt_out).collect();
    let mut values = Vec::with_capacity(nx * nt);
    for (j, &tj) in t.iter().enumerate() {
        if j > 0 {
            for _ in 0..steps_per_output {
                solver.step(&mut c);
            }
        }
        let u = solver.values(&c);
        check(tj, &c, &u)?;
        values.extend(u.iter().step_by(stride));
    }
    Ok((GridSolution { x, t, values }, c))
}
