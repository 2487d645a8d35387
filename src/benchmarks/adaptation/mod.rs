//! Experiments for the background's application claims about adapting the step beyond Adam
//! (issue 19): each builds its rule from ordinary transforms, runs a small seeded experiment
//! and returns a [`Finding`] whose verdict follows the numbers. `tests/adaptation.rs` asserts
//! them; the `adaptation` example prints the table and writes an HDF5 file.

mod deep_linear;
mod federated;
mod graph;
mod label_noise;
mod natural_gradient;
mod recurrent;
mod saturation;
mod td_random_walk;

pub use deep_linear::{layerwise_rates, DeepLinear};
pub use federated::federated_noise_rates;
pub use graph::{degree_heterogeneity, GraphConvolution};
pub use label_noise::confidence_rates;
pub use natural_gradient::natural_gradient;
pub use recurrent::{exploding_gradients, MemoryRnn};
pub use saturation::{saturation_rates, TanhRegression};
pub use td_random_walk::{td_error_rates, RandomWalk};

use crate::benchmarks::landscapes::Finding;
use crate::error::Result;

/// Points of a figure's curve.
type Curve = Vec<(f64, f64)>;

/// Every experiment; `quick` uses fewer seeded runs (the verdicts are the same).
pub fn adaptation_findings(quick: bool) -> Result<Vec<Finding>> {
    let runs = if quick { 40 } else { 100 };
    Ok(vec![
        layerwise_rates()?,
        saturation_rates()?,
        exploding_gradients(runs / 10)?,
        degree_heterogeneity()?,
        confidence_rates()?,
        federated_noise_rates(runs / 5)?,
        td_error_rates(runs)?,
        natural_gradient()?,
    ])
}

/// Asserts `problem`'s gradient at `theta` against central differences of its loss (step
/// 1e-6), to `tol·(1 + |g_k|)` in every coordinate.
#[cfg(test)]
fn assert_gradient(problem: &dyn crate::problem::Problem, theta: &[f64], tol: f64) {
    let mut g = vec![0.0; problem.dim()];
    problem.evaluate(theta, &mut g, &mut []).unwrap();
    for k in 0..problem.dim() {
        let (mut a, mut b) = (theta.to_vec(), theta.to_vec());
        a[k] += 1e-6;
        b[k] -= 1e-6;
        let fd = (problem.loss(&a).unwrap() - problem.loss(&b).unwrap()) / 2e-6;
        assert!(
            (fd - g[k]).abs() < tol * (1.0 + g[k].abs()),
            "{k}: {fd} vs {}",
            g[k]
        );
    }
}
