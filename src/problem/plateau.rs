//! A long, nearly flat plateau that ends in a narrow, steep well.

use super::Problem;
use crate::error::{positive, Result};

/// A plateau with a sharp basin, coordinate-wise:
///
/// ```text
/// f(x) = Σ_i  s (√(x_i² + 1) − 1)  +  h (1 − exp(−x_i² / (2w²))),     minimum 0 at x = 0
/// ```
///
/// Away from the origin the first term is a plateau of slope at most `s` (tiny); within a
/// few `w` of it the second term is a well of depth `h` whose gradient reaches `≈ 0.61 h/w`
/// and whose curvature at the bottom is `h/w² + s`. Gradient descent must take steps
/// `η ≳ D/(T s)` to cross a distance `D` of plateau in `T` steps, but is stable at the bottom
/// only for `η < 2/(h/w² + s)`: with `s = 1e-3`, `h = 1`, `w = 0.05`, `D ≈ 5` and `T = 10⁴`
/// no fixed step does both. Adaptive methods rescale by the gradient's recent size, so they
/// move at speed ≈ α on the plateau and slow down in the well.
#[derive(Debug, Clone)]
pub struct PlateauBasin {
    dim: usize,
    slope: f64,
    depth: f64,
    width: f64,
}

impl PlateauBasin {
    /// `dim` coordinates, plateau slope `s` > 0, well depth `h` > 0 and width `w` > 0.
    pub fn new(dim: usize, slope: f64, depth: f64, width: f64) -> Result<Self> {
        positive("plateau_basin", "slope", slope)?;
        positive("plateau_basin", "depth", depth)?;
        positive("plateau_basin", "width", width)?;
        Ok(Self {
            dim,
            slope,
            depth,
            width,
        })
    }

    /// The landscape of the background claim: `s = 1e-3`, `h = 1`, `w = 0.05`.
    pub fn standard(dim: usize) -> Self {
        Self {
            dim,
            slope: 1e-3,
            depth: 1.0,
            width: 0.05,
        }
    }

    /// Curvature at the minimum, `h/w² + s` (per coordinate).
    pub fn basin_curvature(&self) -> f64 {
        self.depth / (self.width * self.width) + self.slope
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
        let w2 = self.width * self.width;
        for (g, &xi) in grad.iter_mut().zip(x) {
            let r = xi.hypot(1.0);
            let e = (-xi * xi / (2.0 * w2)).exp();
            // √(x²+1) − 1 = x²/(√(x²+1) + 1) and 1 − e^(−u) = −expm1(−u), without cancellation.
            f += self.slope * xi * xi / (r + 1.0) - self.depth * (-xi * xi / (2.0 * w2)).exp_m1();
            *g = self.slope * xi / r + self.depth * xi / w2 * e;
        }
        Ok(f)
    }
}
