//! Preconditioning by a curvature matrix supplied by the problem: the natural gradient.

use super::Transform;
use faer::linalg::solvers::Solve;
use std::sync::Arc;

/// A curvature matrix at the parameters, row-major `p × p` (a Fisher information, a
/// Gauss-Newton matrix, a Hessian).
pub type CurvatureFn = Arc<dyn Fn(&[f64]) -> Vec<f64> + Send + Sync>;

/// The natural-gradient direction (Amari 1998) for a curvature `C(θ)` the problem supplies:
///
/// ```text
/// u ← (C(θ) + λI)⁻¹ u            (full: Cholesky)
/// u_i ← u_i / (C(θ)_ii + λ)      (diagonal)
/// ```
///
/// With `C` the Fisher information this is the natural gradient; its diagonal variant is the
/// per-coordinate scaling that AdaGrad and Adam approximate from squared gradients. Damping
/// `λ ≥ 0` (default 0). A matrix of the wrong size, or one that `λ` does not make positive
/// definite, gives a NaN update, which [`super::Optimizer::step`] reports as divergence.
///
/// Effective step: the diagonal variant's `1/(C_ii + λ)`; the full solve is not a
/// per-coordinate scale and leaves the factor unchanged.
#[derive(Clone)]
pub struct ScaleByInverseCurvature {
    curvature: CurvatureFn,
    damping: f64,
    diagonal: bool,
    last_scale: Vec<f64>,
}

impl std::fmt::Debug for ScaleByInverseCurvature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaleByInverseCurvature")
            .field("damping", &self.damping)
            .field("diagonal", &self.diagonal)
            .finish_non_exhaustive()
    }
}

impl ScaleByInverseCurvature {
    /// The full solve with `C + λI`. Errors unless `λ ≥ 0` and finite.
    pub fn new(curvature: CurvatureFn, damping: f64) -> crate::Result<Self> {
        crate::error::non_negative("scale_by_inverse_curvature", "damping", damping)?;
        Ok(Self {
            curvature,
            damping,
            diagonal: false,
            last_scale: Vec::new(),
        })
    }

    /// The diagonal variant.
    pub fn diagonal(mut self) -> Self {
        self.diagonal = true;
        self
    }
}

impl Transform for ScaleByInverseCurvature {
    fn name(&self) -> &'static str {
        if self.diagonal {
            "scale_by_inverse_curvature_diagonal"
        } else {
            "scale_by_inverse_curvature"
        }
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        vec![("damping".into(), self.damping)]
    }

    fn init(&mut self, dim: usize) {
        self.last_scale = vec![1.0; dim];
    }

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        let p = updates.len();
        let c = (self.curvature)(params);
        if c.len() != p * p {
            updates.iter_mut().for_each(|u| *u = f64::NAN);
            return;
        }
        if self.diagonal {
            for i in 0..p {
                self.last_scale[i] = 1.0 / (c[i * p + i] + self.damping);
                updates[i] *= self.last_scale[i];
            }
            return;
        }
        let m = faer::Mat::from_fn(p, p, |i, j| {
            c[i * p + j] + if i == j { self.damping } else { 0.0 }
        });
        match m.llt(faer::Side::Lower) {
            Ok(llt) => {
                let x = llt.solve(faer::MatRef::from_column_major_slice(updates, p, 1));
                for (i, u) in updates.iter_mut().enumerate() {
                    *u = x[(i, 0)];
                }
            }
            Err(_) => updates.iter_mut().for_each(|u| *u = f64::NAN),
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        if self.diagonal {
            factor
                .iter_mut()
                .zip(&self.last_scale)
                .for_each(|(f, s)| *f *= s);
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Optimizer;

    /// On a quadratic `½xᵀAx` with its own Hessian as the curvature, one step at rate 1 lands
    /// on the minimum (Newton); the diagonal variant scales by `1/A_ii`.
    #[test]
    fn full_solve_is_newton_and_diagonal_scales() {
        let a = vec![4.0, 1.0, 1.0, 3.0];
        let hessian: CurvatureFn = Arc::new(move |_x: &[f64]| a.clone());
        let grad = |x: &[f64]| vec![4.0 * x[0] + x[1], x[0] + 3.0 * x[1]];
        let t = ScaleByInverseCurvature::new(hessian.clone(), 0.0).unwrap();
        let mut opt = Optimizer::new("natural", 1.0, vec![Box::new(t)]).unwrap();
        let mut x = vec![1.0, -2.0];
        let g = grad(&x);
        opt.step(&mut x, &g).unwrap();
        assert!(x.iter().all(|v| v.abs() < 1e-14), "{x:?}");
        let d = ScaleByInverseCurvature::new(hessian, 0.5)
            .unwrap()
            .diagonal();
        let mut opt = Optimizer::new("diag", 1.0, vec![Box::new(d)]).unwrap();
        let mut y = vec![1.0, -2.0];
        let g = grad(&y);
        opt.step(&mut y, &g).unwrap();
        approx::assert_abs_diff_eq!(y[0], 1.0 - 2.0 / 4.5, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(y[1], -2.0 + 5.0 / 3.5, epsilon = 1e-15);
        assert_eq!(opt.effective_step().unwrap(), vec![1.0 / 4.5, 1.0 / 3.5]);
        assert!(ScaleByInverseCurvature::new(Arc::new(|_: &[f64]| vec![]), -1.0).is_err());
    }
}
