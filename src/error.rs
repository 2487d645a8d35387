//! The crate's typed errors.
//!
//! Every message starts with the component that raised it (an update rule, a problem, the
//! runner, the run-file writer) and names the offending value, so that a user who passed a bad
//! hyperparameter or a bad shape can see at once what to change.
//!
//! ```
//! use ravine::{rules, AdamConfig, Error};
//! let bad = AdamConfig { b1: 1.5, ..AdamConfig::default() };
//! match rules::adam(1e-3, bad) {
//!     Err(Error::InvalidHyperparameter { parameter, value, .. }) => {
//!         assert_eq!((parameter, value), ("b1", 1.5));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use thiserror::Error;

/// Errors raised by ravine.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A hyperparameter is outside its valid range.
    #[error("{component}: invalid {parameter} = {value}: {reason}")]
    InvalidHyperparameter {
        /// The component (update rule, schedule, solver) that rejected the value.
        component: &'static str,
        /// The hyperparameter's name.
        parameter: &'static str,
        /// The rejected value.
        value: f64,
        /// What the valid range is.
        reason: &'static str,
    },
    /// Two lengths that must agree do not.
    #[error("{component}: {what} has length {got}, expected {expected}")]
    DimensionMismatch {
        /// The component that found the mismatch.
        component: &'static str,
        /// Which vector had the wrong length.
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// A value that must be finite is not.
    #[error("{component}: non-finite {what} ({value}) at index {index}")]
    NonFinite {
        /// The component that found the value.
        component: &'static str,
        /// Which quantity (gradient, loss, parameter) was non-finite.
        what: &'static str,
        /// The coordinate, or 0 for a scalar.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A run diverged: the loss or gradient became non-finite. The last parameters at which the
    /// loss and gradient were finite are kept.
    #[error(
        "{stage}: diverged at iteration {iteration}: {reason}; last finite loss {last_loss:e} kept"
    )]
    Diverged {
        /// The stage (solver) that diverged.
        stage: String,
        /// The iteration at which the non-finite value appeared.
        iteration: u64,
        /// What became non-finite.
        reason: String,
        /// The last loss that was finite.
        last_loss: f64,
        /// The parameters at which `last_loss` was evaluated.
        last_finite_params: Vec<f64>,
    },
    /// A configuration that is not a single bad number (an empty stage list, say).
    #[error("{component}: {message}")]
    InvalidConfig {
        /// The component that rejected the configuration.
        component: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A numerical routine failed on valid input (an eigensolver that did not converge):
    /// not a configuration mistake of the caller.
    #[error("{component}: numerical failure: {message}")]
    Numerical {
        /// The routine that failed.
        component: &'static str,
        /// What failed.
        message: String,
    },
    /// A broken internal invariant (a solver state without its parameters, an observer that
    /// outlived its run): a bug in ravine, not in the caller's input. Please report it.
    #[error("{component}: internal error (a bug in ravine): {message}")]
    Internal {
        /// The component whose invariant broke.
        component: &'static str,
        /// What broke.
        message: String,
    },
    /// A PDE residual returned a non-finite value where the network's jets were finite: a bug
    /// in the residual function (a log of a negative number, say), not a divergence.
    #[error("pde {pde}: residual is {value} at point {point:?} although the network output there is finite")]
    Residual {
        /// The PDE's name.
        pde: String,
        /// The collocation point.
        point: Vec<f64>,
        /// The residual's value.
        value: f64,
    },
    /// argmin reported an error that is not a divergence.
    #[error("argmin ({stage}): {message}")]
    Solver {
        /// The stage whose solver failed.
        stage: String,
        /// argmin's message.
        message: String,
    },
    /// A data file (a price table, say) is malformed. `line` and `column` are 1-based; 0 means
    /// the problem is not tied to one line or column.
    #[error("{file}:{line}:{column}: {message}")]
    Data {
        /// The file (or a label for in-memory data).
        file: String,
        /// The 1-based line, 0 when not tied to a line.
        line: usize,
        /// The 1-based column, 0 when not tied to a column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A covariance matrix cannot be used as given: not symmetric, not positive semi-definite,
    /// or singular where the objective needs it to be definite.
    #[error("{component}: covariance {message}")]
    Covariance {
        /// The estimator or problem that found the defect.
        component: &'static str,
        /// What is wrong, with the offending numbers.
        message: String,
    },
    /// Drawing or writing a PNG plot failed.
    #[error("plot {path}: {message}")]
    Plot {
        /// The PNG.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Reading or writing an HDF5 run file failed.
    #[error("run file {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Communication between the processes of a distributed run failed, or another process
    /// reported a failure (see [`crate::dist`]).
    #[error("rank {rank} of {size}: {message}")]
    Communication {
        /// The rank that reports the error.
        rank: usize,
        /// Number of processes.
        size: usize,
        /// What went wrong, naming the peer.
        message: String,
    },
}

/// Result type used throughout ravine.
pub type Result<T> = std::result::Result<T, Error>;

/// Checks that `value` lies in a range; returns a [`Error::InvalidHyperparameter`] otherwise.
pub(crate) fn check(
    ok: bool,
    component: &'static str,
    parameter: &'static str,
    value: f64,
    reason: &'static str,
) -> Result<()> {
    if ok && !value.is_nan() {
        Ok(())
    } else {
        Err(Error::InvalidHyperparameter {
            component,
            parameter,
            value,
            reason,
        })
    }
}

/// `value` must be finite and strictly positive.
pub(crate) fn positive(component: &'static str, parameter: &'static str, value: f64) -> Result<()> {
    check(
        value.is_finite() && value > 0.0,
        component,
        parameter,
        value,
        "must be finite and > 0",
    )
}

/// `value` must be finite and non-negative.
pub(crate) fn non_negative(
    component: &'static str,
    parameter: &'static str,
    value: f64,
) -> Result<()> {
    check(
        value.is_finite() && value >= 0.0,
        component,
        parameter,
        value,
        "must be finite and >= 0",
    )
}

/// `value` must lie in [0, 1).
pub(crate) fn unit_interval(
    component: &'static str,
    parameter: &'static str,
    value: f64,
) -> Result<()> {
    check(
        (0.0..1.0).contains(&value),
        component,
        parameter,
        value,
        "must lie in [0, 1)",
    )
}
