//! The benchmark matrix: every update rule of the backend, argmin's L-BFGS, ravine's dense
//! quasi-Newton methods and Adam → quasi-Newton, on test landscapes, PINNs and portfolios,
//! under one budget of evaluations and wall time, all through the same [`crate::Runner`].
//!
//! - [`Method`]: a contender and its runner stages.
//! - [`Benchmark`]: a problem with its start points by seed, task error, target, budget and
//!   learning-rate grid ([`suite`] lists them all).
//! - [`Metered`]: the wrapper that counts evaluations, keeps the lowest-loss point and scores
//!   it on a schedule, with the scoring time left out of the optimizer's.
//! - [`compare_cell`]: one method on one problem: its rate swept on seed 0 and chosen by the
//!   lowest loss (tuned against tuned, without the reference), then the chosen rate on the
//!   other seeds; [`markdown_table`] prints the cells.
//!
//! The `compare` example runs the whole matrix and writes the table, an HDF5 file with every
//! run's trace and PNGs of error against time and against evaluations.
//!
//! Every method is judged at the lowest-loss point it evaluated (for the rules without a line
//! search that is an iterate; the quasi-Newton methods' line searches only accept lower
//! losses). The rules run projected onto a feasible set where the problem has one; the
//! quasi-Newton methods, which cannot project, run on an unconstrained form of the same
//! problem (the softmax parametrisation for the long-only portfolios).

mod matrix;
mod metered;
mod method;
mod suite;
mod table;
mod tasks;

pub use matrix::{compare_cell, median, run_once, Cell, RunOutcome};
pub use metered::{Metered, Score, Scorer, Trace, TracePoint};
pub use method::Method;
pub use suite::{rate_grid, Benchmark, Instance};
pub use table::markdown_table;

use crate::benchmarks::StiffPde;
use crate::error::Result;
use crate::portfolio::{Objective, Returns};

/// The problems of the matrix, in table order: Rosenbrock, the 50-D quadratic, the plateau,
/// Burgers, Allen-Cahn, KdV, and (given returns) minimum variance and utility γ = 5 long-only
/// portfolios. `quick` shrinks budgets and rate grids (the CI smoke test).
pub fn suite(quick: bool, returns: Option<&Returns>) -> Result<Vec<Benchmark>> {
    let mut v = vec![
        Benchmark::rosenbrock(quick),
        Benchmark::quadratic(quick)?,
        Benchmark::plateau(quick),
        Benchmark::burgers(quick)?,
        Benchmark::stiff(StiffPde::AllenCahn, quick)?,
        Benchmark::stiff(StiffPde::Kdv, quick)?,
    ];
    if let Some(r) = returns {
        v.push(Benchmark::portfolio(r, Objective::MinVariance, quick)?);
        v.push(Benchmark::portfolio(
            r,
            Objective::Utility { gamma: 5.0 },
            quick,
        )?);
    }
    Ok(v)
}
