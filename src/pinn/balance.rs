//! Loss-term weights set by gradient norms.

use super::Pinn;
use crate::error::{Error, Result};
use crate::problem::Problem;

impl Pinn {
    /// The gradient of each term alone (without its weight), by name.
    pub fn term_gradients(&self, params: &[f64]) -> Result<Vec<(String, Vec<f64>)>> {
        let mut out = Vec::with_capacity(self.terms.len());
        for k in 0..self.terms.len() {
            let mut single = self.clone();
            single.terms = vec![single.terms[k].clone()];
            single.terms[0].weight = 1.0;
            let mut g = vec![0.0; params.len()];
            single.evaluate(params, &mut g, &mut [])?;
            out.push((self.terms[k].name.clone(), g));
        }
        Ok(out)
    }

    /// Sets the weights of the condition terms by gradient norms (Wang, Teng & Perdikaris
    /// 2021, "Understanding and mitigating gradient flow pathologies in physics-informed
    /// neural networks", learning-rate annealing): for each condition term `i`,
    ///
    /// `λ̂_i = max_θ |∇L_pde| / mean_θ |∇L_i|`,   `λ_i ← (1 − α) λ_i + α λ̂_i`,
    ///
    /// so that no term's gradient is swamped by the residual's. `α ∈ (0, 1]` (they use 0.1).
    /// The PDE term keeps its weight. Returns the new weights in term order.
    pub fn balance_weights(&mut self, params: &[f64], alpha: f64) -> Result<Vec<f64>> {
        if !(alpha > 0.0 && alpha <= 1.0) {
            return Err(Error::InvalidHyperparameter {
                component: "balance weights",
                parameter: "alpha",
                value: alpha,
                reason: "must lie in (0, 1]",
            });
        }
        let grads = self.term_gradients(params)?;
        let max_pde = grads[0].1.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for (k, (_, g)) in grads.iter().enumerate().skip(1) {
            let mean = g.iter().map(|v| v.abs()).sum::<f64>() / g.len().max(1) as f64;
            if mean > 0.0 && max_pde > 0.0 {
                let target = max_pde / mean;
                let w = &mut self.terms[k].weight;
                *w = (1.0 - alpha) * *w + alpha * target;
            }
        }
        Ok(self.terms.iter().map(|t| t.weight).collect())
    }
}
