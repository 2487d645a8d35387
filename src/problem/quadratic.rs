//! Quadratic objectives with known curvature.

use super::Problem;
use crate::error::{check, Error, Result};

/// `f(x) = ½ (x − x*)ᵀ H (x − x*)` with a symmetric positive semi-definite `H` given densely.
///
/// The minimum is `f(x*) = 0`; the Hessian is `H`, so the gradient-descent stability limit is
/// `2/λmax(H)`. Use [`Quadratic::diagonal`] for an axis-aligned bowl and
/// [`Quadratic::rotated`] for the same spectrum in a rotated frame.
#[derive(Debug, Clone)]
pub struct Quadratic {
    dim: usize,
    hessian: Vec<f64>,
    minimizer: Vec<f64>,
}

impl Quadratic {
    /// A quadratic from a row-major symmetric `dim × dim` Hessian and minimizer.
    pub fn new(hessian: Vec<f64>, minimizer: Vec<f64>) -> Result<Self> {
        let dim = minimizer.len();
        if hessian.len() != dim * dim {
            return Err(Error::DimensionMismatch {
                component: "quadratic",
                what: "hessian",
                expected: dim * dim,
                got: hessian.len(),
            });
        }
        for i in 0..dim {
            for j in 0..i {
                let (a, b) = (hessian[i * dim + j], hessian[j * dim + i]);
                check(
                    (a - b).abs() <= 1e-12 * (a.abs() + b.abs() + 1.0),
                    "quadratic",
                    "hessian asymmetry",
                    a - b,
                    "the Hessian must be symmetric",
                )?;
            }
        }
        Ok(Self {
            dim,
            hessian,
            minimizer,
        })
    }

    /// An axis-aligned quadratic with Hessian `diag(eigenvalues)`.
    pub fn diagonal(eigenvalues: &[f64], minimizer: Vec<f64>) -> Result<Self> {
        for &l in eigenvalues {
            check(
                l.is_finite() && l >= 0.0,
                "quadratic",
                "eigenvalue",
                l,
                "must be finite and >= 0",
            )?;
        }
        let n = eigenvalues.len();
        let mut h = vec![0.0; n * n];
        for (i, &l) in eigenvalues.iter().enumerate() {
            h[i * n + i] = l;
        }
        Self::new(h, minimizer)
    }

    /// A two-dimensional quadratic with eigenvalues `l1`, `l2` along axes rotated by `angle`
    /// radians: `H = R diag(l1, l2) Rᵀ`.
    pub fn rotated(l1: f64, l2: f64, angle: f64, minimizer: Vec<f64>) -> Result<Self> {
        let (s, c) = angle.sin_cos();
        let h = vec![
            c * c * l1 + s * s * l2,
            c * s * (l1 - l2),
            c * s * (l1 - l2),
            s * s * l1 + c * c * l2,
        ];
        Self::new(h, minimizer)
    }

    /// The Hessian, row-major.
    pub fn hessian(&self) -> &[f64] {
        &self.hessian
    }

    /// The minimizer `x*`.
    pub fn minimizer(&self) -> &[f64] {
        &self.minimizer
    }
}

impl Problem for Quadratic {
    fn name(&self) -> String {
        "quadratic".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn evaluate(&self, x: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let n = self.dim;
        let mut f = 0.0;
        for i in 0..n {
            let row = &self.hessian[i * n..(i + 1) * n];
            let gi: f64 = row
                .iter()
                .zip(x.iter().zip(&self.minimizer))
                .map(|(h, (xj, mj))| h * (xj - mj))
                .sum();
            grad[i] = gi;
            f += 0.5 * (x[i] - self.minimizer[i]) * gi;
        }
        Ok(f)
    }
}
