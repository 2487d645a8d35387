//! [`FiniteDifferenceHessian`]: Hessian-vector products by central differences of a
//! problem's gradients, to cross-check exact products.

use super::Operator;
use crate::error::{Error, Result};
use crate::problem::Problem;

/// `Hv ≈ (∇L(x + hv) − ∇L(x − hv)) / 2h` from a problem's gradients: a cross-check of exact
/// products, never a substitute (truncation error `O(h²)`, rounding `O(ε/h)`).
pub struct FiniteDifferenceHessian<'a, P: Problem + ?Sized> {
    problem: &'a P,
    x: Vec<f64>,
    h: f64,
}

impl<'a, P: Problem + ?Sized> FiniteDifferenceHessian<'a, P> {
    /// At `x`, with relative step `h` (1e-5 is a good default for smooth f64 losses).
    pub fn new(problem: &'a P, x: &[f64], h: f64) -> Result<Self> {
        crate::error::positive("finite-difference hessian", "h", h)?;
        if x.len() != problem.dim() {
            return Err(Error::DimensionMismatch {
                component: "finite-difference hessian",
                what: "point",
                expected: problem.dim(),
                got: x.len(),
            });
        }
        Ok(Self {
            problem,
            x: x.to_vec(),
            h,
        })
    }
}

impl<P: Problem + ?Sized> Operator for FiniteDifferenceHessian<'_, P> {
    fn dim(&self) -> usize {
        self.problem.dim()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        let vn = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if vn == 0.0 {
            out.iter_mut().for_each(|o| *o = 0.0);
            return Ok(());
        }
        let xn = self.x.iter().map(|a| a * a).sum::<f64>().sqrt();
        let step = self.h * (1.0 + xn) / vn;
        let mut comps = vec![0.0; self.problem.component_names().len()];
        let (mut gp, mut gm) = (vec![0.0; v.len()], vec![0.0; v.len()]);
        let xp: Vec<f64> = self.x.iter().zip(v).map(|(a, b)| a + step * b).collect();
        let xm: Vec<f64> = self.x.iter().zip(v).map(|(a, b)| a - step * b).collect();
        self.problem.evaluate(&xp, &mut gp, &mut comps)?;
        self.problem.evaluate(&xm, &mut gm, &mut comps)?;
        for ((o, a), b) in out.iter_mut().zip(&gp).zip(&gm) {
            *o = (a - b) / (2.0 * step);
        }
        Ok(())
    }

    fn label(&self) -> String {
        format!(
            "hessian of {} by central differences of gradients (cross-check only)",
            self.problem.name()
        )
    }
}
