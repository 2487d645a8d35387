//! The Rosenbrock function.

use super::Problem;
use crate::error::Result;

/// Rosenbrock's banana function in two dimensions (Rosenbrock 1960):
///
/// ```text
/// f(x, y) = (a − x)² + b (y − x²)²,   minimum 0 at (a, a²)
/// ```
///
/// The usual start is (−1.2, 1) with a = 1, b = 100.
#[derive(Debug, Clone, Copy)]
pub struct Rosenbrock {
    /// a (default 1).
    pub a: f64,
    /// b (default 100).
    pub b: f64,
}

impl Default for Rosenbrock {
    fn default() -> Self {
        Self { a: 1.0, b: 100.0 }
    }
}

impl Problem for Rosenbrock {
    fn name(&self) -> String {
        "rosenbrock".into()
    }

    fn dim(&self) -> usize {
        2
    }

    fn evaluate(&self, x: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let (u, v) = (x[0], x[1]);
        let r = v - u * u;
        grad[0] = -2.0 * (self.a - u) - 4.0 * self.b * u * r;
        grad[1] = 2.0 * self.b * r;
        Ok((self.a - u).powi(2) + self.b * r * r)
    }
}
