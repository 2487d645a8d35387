//! A long gentle slope that ends in a sharp basin.

use super::Problem;
use crate::error::{positive, Result};

/// A plateau with a sharp basin, coordinate-wise (a pseudo-Huber function):
///
/// ```text
/// f(x) = Σ_i s (√(x_i² + δ²) − δ),     minimum 0 at x = 0
/// ```
///
/// Far from the minimum (|x_i| ≫ δ) the gradient has the small constant magnitude `s`: a
/// plateau that gradient descent crosses at speed `η s`. Near it the curvature is `s/δ`, so
/// gradient descent is stable only for `η < 2δ/s`. With `s = 1e-3`, `δ = 1e-5` and a start
/// 10 away, a stable fixed step needs ≥ 5·10⁵ steps to cross the plateau; any faster step
/// bounces across the basin at amplitude ≈ `η s/2` without settling.
#[derive(Debug, Clone)]
pub struct PlateauBasin {
    dim: usize,
    slope: f64,
    width: f64,
}

impl PlateauBasin {
    /// `dim` coordinates, plateau slope `s` > 0, basin width `δ` > 0.
    pub fn new(dim: usize, slope: f64, width: f64) -> Result<Self> {
        positive("plateau_basin", "slope", slope)?;
        positive("plateau_basin", "width", width)?;
        Ok(Self { dim, slope, width })
    }

    /// Curvature at the minimum, `s/δ`.
    pub fn basin_curvature(&self) -> f64 {
        self.slope / self.width
    }
}

impl Problem for PlateauBasin {
    fn name(&self) -> String {
        "plateau_basin".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn evaluate(&self, x: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let mut f = 0.0;
        for (g, &xi) in grad.iter_mut().zip(x) {
            let r = xi.hypot(self.width);
            // √(x²+δ²) − δ = x²/(√(x²+δ²) + δ), without cancellation near 0.
            f += self.slope * xi * xi / (r + self.width);
            *g = self.slope * xi / r;
        }
        Ok(f)
    }
}
