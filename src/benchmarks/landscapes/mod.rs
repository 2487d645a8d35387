//! Experiments that turn the background articles' claims about adaptive steps into numbers.
//!
//! Each function runs one experiment and returns a [`Finding`]: the measured numbers by name,
//! whether the claim held as stated, and a note where it needs a condition. `tests/landscapes.rs`
//! asserts the numbers; the `landscapes` example prints them as a table and writes them to an
//! HDF5 run file.

mod claims_curvature;
mod claims_memory;
mod claims_steps;
mod finding;

pub use claims_curvature::{ill_conditioned, plateau, rosenbrock_table, RosenbrockRow};
pub use claims_memory::{
    adagrad_vs_rmsprop_memory, amsgrad_vs_adam_collapse, dormant_parameter, oscillating_gradients,
    sparse_features,
};
pub use claims_steps::{
    adam_as_sign_descent, coupled_vs_decoupled_decay, epsilon_floor, normalized_gd,
};
pub use finding::{all_findings, steps_to_tolerance, Finding};
pub(crate) use finding::{best_over, log_grid};
