//! Problems: the [`Problem`] trait and the test landscapes used by the optimizer table.

mod objective;
mod plateau;
mod quadratic;
mod rosenbrock;

pub use objective::Problem;
pub use plateau::PlateauBasin;
pub use quadratic::Quadratic;
pub use rosenbrock::Rosenbrock;
