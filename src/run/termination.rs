//! [`Termination`]: why a stage stopped, read from argmin's typed termination reason and from
//! the solvers' own typed exits, never from message text.

use argmin::core::{TerminationReason, TerminationStatus};

/// Why a stage stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Termination {
    /// The solver's own convergence test passed (gradient or cost tolerance).
    Converged,
    /// The iteration cap was reached.
    MaxIters,
    /// The target cost was reached.
    TargetCost,
    /// The stage's or the run's wall-time budget ran out.
    TimeBudget,
    /// The line search of a quasi-Newton stage failed; the solver's explanation is kept.
    LineSearchFailed(String),
    /// A non-finite loss, gradient or parameter appeared.
    Diverged(String),
    /// The run was interrupted (a signal).
    Interrupted,
    /// A solver-specific exit of a user-supplied argmin solver, with its text.
    Other(String),
}

impl Termination {
    /// Maps argmin's status; `exit` says what a [`TerminationReason::SolverExit`] means for
    /// the solver at hand (its text is passed along for the report, not parsed).
    pub(crate) fn from_argmin(
        status: &TerminationStatus,
        exit: impl FnOnce(String) -> Termination,
    ) -> Self {
        match status {
            // A stage returns only once argmin has stopped it; an unset status means the
            // solver left without saying why.
            TerminationStatus::NotTerminated => Termination::Other("not terminated".into()),
            TerminationStatus::Terminated(reason) => match reason {
                TerminationReason::SolverConverged => Termination::Converged,
                TerminationReason::MaxItersReached => Termination::MaxIters,
                TerminationReason::TargetCostReached => Termination::TargetCost,
                TerminationReason::Timeout => Termination::TimeBudget,
                TerminationReason::Interrupt => Termination::Interrupted,
                TerminationReason::SolverExit(text) => exit(text.clone()),
            },
        }
    }
}

impl Termination {
    /// The termination from its [`Display`](std::fmt::Display) text (as a checkpoint stores
    /// it); text it does not know is [`Termination::Other`].
    pub fn parse(text: &str) -> Self {
        match text {
            "converged" => Termination::Converged,
            "iteration cap" => Termination::MaxIters,
            "target cost reached" => Termination::TargetCost,
            "time budget" => Termination::TimeBudget,
            "interrupted" => Termination::Interrupted,
            t => {
                if let Some(why) = t.strip_prefix("line-search failure: ") {
                    Termination::LineSearchFailed(why.to_string())
                } else if let Some(why) = t.strip_prefix("diverged: ") {
                    Termination::Diverged(why.to_string())
                } else {
                    Termination::Other(t.to_string())
                }
            }
        }
    }
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Termination::Converged => f.write_str("converged"),
            Termination::MaxIters => f.write_str("iteration cap"),
            Termination::TargetCost => f.write_str("target cost reached"),
            Termination::TimeBudget => f.write_str("time budget"),
            Termination::LineSearchFailed(s) => write!(f, "line-search failure: {s}"),
            Termination::Diverged(s) => write!(f, "diverged: {s}"),
            Termination::Interrupted => f.write_str("interrupted"),
            Termination::Other(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_argmin_reason_maps_to_its_own_variant() {
        let t = |r| Termination::from_argmin(&TerminationStatus::Terminated(r), Termination::Other);
        assert_eq!(
            t(TerminationReason::SolverConverged),
            Termination::Converged
        );
        assert_eq!(t(TerminationReason::MaxItersReached), Termination::MaxIters);
        assert_eq!(
            t(TerminationReason::TargetCostReached),
            Termination::TargetCost
        );
        assert_eq!(t(TerminationReason::Timeout), Termination::TimeBudget);
        assert_eq!(t(TerminationReason::Interrupt), Termination::Interrupted);
        // The exit's meaning comes from the caller, whatever the wording.
        let ls = Termination::from_argmin(
            &TerminationStatus::Terminated(TerminationReason::SolverExit("anything".into())),
            Termination::LineSearchFailed,
        );
        assert_eq!(ls, Termination::LineSearchFailed("anything".into()));
    }
}
