//! [`PortfolioHessian`]: the portfolio's curvature as a diagnostics [`Operator`].

use super::MeanVariance;
use crate::diagnostics::Operator;
use crate::error::Result;

/// The exact Hessian `γΣ` of a mean-variance objective, in the data's units, or `γΣ/s` of the
/// scaled loss `f/s` that the update rules minimise.
pub struct PortfolioHessian<'a> {
    problem: &'a MeanVariance,
    scaled: bool,
}

impl<'a> PortfolioHessian<'a> {
    /// The Hessian `γΣ` of `problem`'s objective `f`.
    pub fn new(problem: &'a MeanVariance) -> Self {
        Self {
            problem,
            scaled: false,
        }
    }

    /// The Hessian `γΣ/s` of the scaled loss `f/s` (see [`MeanVariance`]): the curvature the
    /// rules' steps and effective steps refer to.
    pub fn of_scaled_loss(problem: &'a MeanVariance) -> Self {
        Self {
            problem,
            scaled: true,
        }
    }
}

impl Operator for PortfolioHessian<'_> {
    fn dim(&self) -> usize {
        self.problem.dim()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        self.problem.risk().matvec(v, out);
        let mut g = self.problem.objective_kind().gamma();
        if self.scaled {
            g /= self.problem.scale();
        }
        out.iter_mut().for_each(|x| *x *= g);
        Ok(())
    }

    fn label(&self) -> String {
        let what = self.problem.objective_kind().label();
        if self.scaled {
            format!("hessian gamma*Sigma/s of the scaled loss of {what} (exact)")
        } else {
            format!("hessian gamma*Sigma of {what} (exact)")
        }
    }
}
