//! [`Observer`]: the one way to watch a run (history rows, diagnostics, stage ends, the
//! outcome). Progress bars, run files and curvature inspectors are all observers.

use super::{Checkpoint, Inspection, InspectionRow, Record, Stage, StageReport};
use crate::error::Result;

/// What a run is about, given to [`Observer::start`].
#[derive(Debug)]
pub struct RunStart<'a> {
    /// The problem's name.
    pub problem: &'a str,
    /// Number of parameters.
    pub dim: usize,
    /// Names of the loss components (the columns of [`Record::components`]).
    pub component_names: &'a [String],
    /// The stages, in order.
    pub stages: &'a [Stage],
}

/// How a run ended, given to [`Observer::finish`] (also after a failure).
#[derive(Debug)]
pub struct RunEnd<'a> {
    /// The final (or last finite) parameters.
    pub params: &'a [f64],
    /// The loss there.
    pub loss: f64,
    /// One report per stage that ran.
    pub stages: &'a [StageReport],
    /// Every inspection row of the run.
    pub inspections: &'a [InspectionRow],
    /// `"completed"`, or the error that ended the run.
    pub status: &'a str,
}

/// Watches a run. Every method has a default that does nothing; an error from any of them
/// ends the run with that error (after [`Observer::finish`] is called with it). Inside a
/// stage the error is kept and the stage ends at its next evaluation, whatever the solver
/// was doing (a line search does not take it for a failed step). With several processes
/// ([`crate::Problem::processes`]) an error on one of them ends the run on all, at the same
/// point ([`crate::Problem::agreed_outcome`]); the others return an error naming it.
///
/// Calls, in order: `start`; then per stage `record` for every recorded row (and, in adaptive
/// stages, `inspect` and `inspection` at iterations where some observer's `inspects_at` is
/// true) and `stage_end`; finally `finish`. Combine observers with tuples:
/// `&mut (progress, &mut run_file)`.
pub trait Observer {
    /// The run starts.
    fn start(&mut self, _run: &RunStart<'_>) -> Result<()> {
        Ok(())
    }
    /// A history row was recorded.
    fn record(&mut self, _row: &Record) -> Result<()> {
        Ok(())
    }
    /// Whether this observer wants to inspect the adaptive stage at `iteration`.
    fn inspects_at(&self, _iteration: u64) -> bool {
        false
    }
    /// Computes named diagnostics at an inspection (called only when `inspects_at` is true).
    fn inspect(&mut self, _at: &Inspection<'_>) -> Result<Vec<(String, f64)>> {
        Ok(Vec::new())
    }
    /// An inspection row, with every inspecting observer's values, was made.
    fn inspection(&mut self, _row: &InspectionRow) -> Result<()> {
        Ok(())
    }
    /// A checkpoint was taken (see [`crate::Runner::checkpoint_every`]).
    fn checkpoint(&mut self, _checkpoint: &Checkpoint) -> Result<()> {
        Ok(())
    }
    /// A stage ended.
    fn stage_end(&mut self, _report: &StageReport) -> Result<()> {
        Ok(())
    }
    /// The run ended.
    fn finish(&mut self, _end: &RunEnd<'_>) -> Result<()> {
        Ok(())
    }
}

/// Observes nothing.
impl Observer for () {}

impl<O: Observer + ?Sized> Observer for &mut O {
    fn start(&mut self, run: &RunStart<'_>) -> Result<()> {
        (**self).start(run)
    }
    fn record(&mut self, row: &Record) -> Result<()> {
        (**self).record(row)
    }
    fn inspects_at(&self, iteration: u64) -> bool {
        (**self).inspects_at(iteration)
    }
    fn inspect(&mut self, at: &Inspection<'_>) -> Result<Vec<(String, f64)>> {
        (**self).inspect(at)
    }
    fn inspection(&mut self, row: &InspectionRow) -> Result<()> {
        (**self).inspection(row)
    }
    fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        (**self).checkpoint(checkpoint)
    }
    fn stage_end(&mut self, report: &StageReport) -> Result<()> {
        (**self).stage_end(report)
    }
    fn finish(&mut self, end: &RunEnd<'_>) -> Result<()> {
        (**self).finish(end)
    }
}

macro_rules! tuple_observer {
    ($($name:ident $idx:tt),+) => {
        /// Every member observes, in order; inspections concatenate their values.
        impl<$($name: Observer),+> Observer for ($($name,)+) {
            fn start(&mut self, run: &RunStart<'_>) -> Result<()> {
                $(self.$idx.start(run)?;)+
                Ok(())
            }
            fn record(&mut self, row: &Record) -> Result<()> {
                $(self.$idx.record(row)?;)+
                Ok(())
            }
            fn inspects_at(&self, iteration: u64) -> bool {
                $(self.$idx.inspects_at(iteration) ||)+ false
            }
            fn inspect(&mut self, at: &Inspection<'_>) -> Result<Vec<(String, f64)>> {
                let mut values = Vec::new();
                $(if self.$idx.inspects_at(at.iteration) {
                    values.extend(self.$idx.inspect(at)?);
                })+
                Ok(values)
            }
            fn inspection(&mut self, row: &InspectionRow) -> Result<()> {
                $(self.$idx.inspection(row)?;)+
                Ok(())
            }
            fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<()> {
                $(self.$idx.checkpoint(checkpoint)?;)+
                Ok(())
            }
            fn stage_end(&mut self, report: &StageReport) -> Result<()> {
                $(self.$idx.stage_end(report)?;)+
                Ok(())
            }
            fn finish(&mut self, end: &RunEnd<'_>) -> Result<()> {
                // Every member hears the end, even after one fails.
                let mut first = Ok(());
                $(if let Err(e) = self.$idx.finish(end) {
                    if first.is_ok() {
                        first = Err(e);
                    }
                })+
                first
            }
        }
    };
}

tuple_observer!(A 0, B 1);
tuple_observer!(A 0, B 1, C 2);
tuple_observer!(A 0, B 1, C 2, D 3);

/// An optional observer: `None` observes nothing.
impl<O: Observer> Observer for Option<O> {
    fn start(&mut self, run: &RunStart<'_>) -> Result<()> {
        self.as_mut().map_or(Ok(()), |o| o.start(run))
    }
    fn record(&mut self, row: &Record) -> Result<()> {
        self.as_mut().map_or(Ok(()), |o| o.record(row))
    }
    fn inspects_at(&self, iteration: u64) -> bool {
        self.as_ref().is_some_and(|o| o.inspects_at(iteration))
    }
    fn inspect(&mut self, at: &Inspection<'_>) -> Result<Vec<(String, f64)>> {
        self.as_mut().map_or(Ok(Vec::new()), |o| o.inspect(at))
    }
    fn inspection(&mut self, row: &InspectionRow) -> Result<()> {
        self.as_mut().map_or(Ok(()), |o| o.inspection(row))
    }
    fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self.as_mut().map_or(Ok(()), |o| o.checkpoint(checkpoint))
    }
    fn stage_end(&mut self, report: &StageReport) -> Result<()> {
        self.as_mut().map_or(Ok(()), |o| o.stage_end(report))
    }
    fn finish(&mut self, end: &RunEnd<'_>) -> Result<()> {
        self.as_mut().map_or(Ok(()), |o| o.finish(end))
    }
}

/// A closure called with every history row (to drive a progress bar, say).
pub struct OnRecord<F>(pub F);

impl<F: FnMut(&Record)> Observer for OnRecord<F> {
    fn record(&mut self, row: &Record) -> Result<()> {
        (self.0)(row);
        Ok(())
    }
}
