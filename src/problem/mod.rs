//! Problems: the [`Problem`] trait and the test landscapes used by the optimizer table.
//!
//! ```
//! use ravine::{Problem, Rosenbrock};
//! let f = Rosenbrock::default();
//! let mut grad = [0.0; 2];
//! let loss = f.evaluate(&[1.0, 1.0], &mut grad, &mut []).unwrap();
//! assert_eq!((loss, grad), (0.0, [0.0, 0.0])); // the minimum of (1 − x)² + 100(y − x²)²
//! ```

mod logistic;
mod objective;
mod partitioned;
mod plateau;
mod quadratic;
mod rosenbrock;

pub use logistic::LogisticRegression;
pub use objective::Problem;
pub use partitioned::{evaluate_whole, Addends, Partials, Partitioned, Shard};
pub use plateau::PlateauBasin;
pub use quadratic::Quadratic;
pub use rosenbrock::Rosenbrock;
