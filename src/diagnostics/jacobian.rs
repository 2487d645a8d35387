//! [`ResidualJacobian`]: the residuals of a least-squares loss and their Jacobian, grouped by
//! loss term; the data of [`super::GaussNewton`] and [`super::EmpiricalFisher`].

use std::ops::Range;

/// A loss as a sum of squares, `L(θ) = Σ_i ρ_i(θ)²`, and the Jacobian `J = ∂ρ/∂θ`
/// (row-major `m × p`); a PINN's comes from [`crate::pinn::Pinn::residual_jacobian`] (`ρ_i =
/// √(w_t/N_t) · r_i` for residual `i` of term `t`, one exact reverse pass per row).
///
/// Then `∇L = 2Jᵀρ`, the Gauss-Newton matrix is `2JᵀJ` (the Hessian without the
/// `2Σ ρ_i ∇²ρ_i` term), and for a Gaussian residual model it is also the (true) Fisher
/// matrix. Rows are grouped by loss term ([`ResidualJacobian::terms`]) for per-term spectra.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidualJacobian {
    /// Scaled residuals `ρ`.
    pub residuals: Vec<f64>,
    /// `J`, row-major `m × p`.
    pub jacobian: Vec<f64>,
    /// Number of parameters `p`.
    pub params: usize,
    /// Each loss term's name and its rows.
    pub terms: Vec<(String, Range<usize>)>,
}

impl ResidualJacobian {
    /// Number of residuals `m`.
    pub fn rows(&self) -> usize {
        self.residuals.len()
    }

    /// `Σ ρ_i²`, the loss.
    pub fn loss(&self) -> f64 {
        self.residuals.iter().map(|r| r * r).sum()
    }

    /// Row `i` of `J`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.jacobian[i * self.params..(i + 1) * self.params]
    }
}
