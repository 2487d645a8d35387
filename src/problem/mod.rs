//! Problems: the [`Problem`] trait and the test landscapes used by the optimizer table.

mod plateau;
#[allow(clippy::module_inception)]
mod problem;
mod quadratic;
mod rosenbrock;

pub use plateau::PlateauBasin;
pub use problem::{batch_rng, standard_normal, Problem};
pub use quadratic::Quadratic;
pub use rosenbrock::Rosenbrock;
