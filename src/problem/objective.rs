//! The [`Problem`] trait.

use std::time::Duration;

use crate::error::Result;

/// A differentiable objective over a flat `f64` parameter vector.
///
/// This is all a solver in ravine needs: the dimension, and the loss with its gradient written
/// into the caller's buffer. A problem may split its loss into named components (for a PINN:
/// the PDE residual and each condition) that are logged beside the total. A stochastic problem
/// (minibatches, resampled collocation points) chooses its batch in [`Problem::set_batch`]
/// from its own seed and the batch index, so a run is reproducible.
pub trait Problem {
    /// A short name for logs and run files.
    fn name(&self) -> String {
        "problem".to_string()
    }

    /// Number of parameters.
    fn dim(&self) -> usize;

    /// Names of the loss components, in the order [`Problem::evaluate`] writes them. Empty by
    /// default.
    fn component_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Evaluates the loss at `x`, writes its gradient into `grad` (length [`Problem::dim`]) and
    /// the components into `components` (length `component_names().len()`), and returns the
    /// loss. Non-finite values are returned as they are: the caller detects divergence.
    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64>;

    /// The loss alone. The default calls [`Problem::evaluate`] with scratch buffers.
    fn loss(&self, x: &[f64]) -> Result<f64> {
        let mut g = vec![0.0; self.dim()];
        let mut c = vec![0.0; self.component_names().len()];
        self.evaluate(x, &mut g, &mut c)
    }

    /// Whether [`Problem::set_batch`] changes the objective.
    fn is_stochastic(&self) -> bool {
        false
    }

    /// Selects batch `index` (0, 1, 2, … during a run). Deterministic problems ignore it;
    /// stochastic ones draw the batch from their seed and `index` (see [`crate::rng::batch_rng`]).
    fn set_batch(&mut self, index: u64) {
        let _ = index;
    }

    /// How many processes evaluate this problem together: 1, unless it is shared among the
    /// ranks of a communicator ([`crate::dist::Sharded`]).
    fn processes(&self) -> usize {
        1
    }

    /// The time elapsed since `local` started counting, as every process evaluating the
    /// problem agrees on it: `local` itself for one process; for [`crate::dist::Sharded`],
    /// rank 0's reading, sent to every rank (a collective call: every rank makes it at the
    /// same point, as with [`Problem::evaluate`]). The runner checks its wall-time budget
    /// against it, so that all ranks stop at the same point.
    fn agreed_elapsed(&self, local: Duration) -> Result<Duration> {
        Ok(local)
    }

    /// Whether every process evaluating this problem got past a point where any of them may
    /// have failed on its own (an observer writing a file on rank 0 alone, say): `local` for
    /// one process; for [`crate::dist::Sharded`], an error on every rank if any rank's
    /// `local` is one (the failing rank gets its own error, the others one that names it). A
    /// collective call, like [`Problem::agreed_elapsed`]. The runner makes it after every
    /// step where an observer is told something, so that no rank goes on to an evaluation
    /// its failed peer will never join.
    fn agreed_outcome(&self, local: Result<()>) -> Result<()> {
        local
    }

    /// The problem's own changing state (collocation points set between stages, weights,
    /// …) as named buffers, for checkpoints. Default: none. State that follows from the seed
    /// and the batch index ([`Problem::set_batch`]) need not be included.
    fn snapshot(&self) -> Vec<(String, Vec<f64>)> {
        Vec::new()
    }

    /// Restores a [`Problem::snapshot`]. Default: accepts only an empty one.
    fn restore(&mut self, state: &[(String, Vec<f64>)]) -> Result<()> {
        match state.first() {
            None => Ok(()),
            Some((name, _)) => Err(crate::Error::InvalidConfig {
                component: "problem",
                message: format!("{}: has no state to restore ({name:?} given)", self.name()),
            }),
        }
    }
}

/// A borrowed problem is a problem (so a runner can take `&mut dyn Problem`).
impl<P: Problem + ?Sized> Problem for &mut P {
    fn name(&self) -> String {
        (**self).name()
    }
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn component_names(&self) -> Vec<String> {
        (**self).component_names()
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        (**self).evaluate(x, grad, components)
    }
    fn loss(&self, x: &[f64]) -> Result<f64> {
        (**self).loss(x)
    }
    fn is_stochastic(&self) -> bool {
        (**self).is_stochastic()
    }
    fn set_batch(&mut self, index: u64) {
        (**self).set_batch(index);
    }
    fn snapshot(&self) -> Vec<(String, Vec<f64>)> {
        (**self).snapshot()
    }
    fn restore(&mut self, state: &[(String, Vec<f64>)]) -> Result<()> {
        (**self).restore(state)
    }
    fn processes(&self) -> usize {
        (**self).processes()
    }
    fn agreed_elapsed(&self, local: Duration) -> Result<Duration> {
        (**self).agreed_elapsed(local)
    }
    fn agreed_outcome(&self, local: Result<()>) -> Result<()> {
        (**self).agreed_outcome(local)
    }
}
