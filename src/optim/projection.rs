//! [`Projection`]: a feasible set that an [`Optimizer`](super::Optimizer) projects onto after
//! every step.

/// A closed convex set `C` with its Euclidean projection `P_C(x) = argmin_{z ∈ C} ‖z − x‖²`.
///
/// With a projection attached ([`Optimizer::project_onto`](super::Optimizer::project_onto)),
/// every rule becomes its projected version: `x ← P_C(x − α_t · u)`. For constrained problems the
/// stationarity measure is the gradient mapping `‖x − P_C(x − g)‖`, which is zero exactly at
/// the constrained optima (see [`Projection::gradient_mapping_norm`]).
pub trait Projection: Send + Sync + std::fmt::Debug {
    /// A short description, e.g. `"long-only simplex"`.
    fn name(&self) -> String;

    /// Replaces `x` by its projection onto the set.
    fn project(&self, x: &mut [f64]);

    /// `‖x − P_C(x − g)‖₂`: zero iff `x` satisfies the first-order optimality conditions over `C`
    /// (for `x ∈ C`).
    fn gradient_mapping_norm(&self, x: &[f64], g: &[f64]) -> f64 {
        let mut z: Vec<f64> = x.iter().zip(g).map(|(a, b)| a - b).collect();
        self.project(&mut z);
        x.iter()
            .zip(&z)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    }
}
