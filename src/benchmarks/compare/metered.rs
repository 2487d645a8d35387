//! [`Metered`]: a problem wrapper that counts evaluations, keeps the lowest-loss point, scores
//! it on a schedule of evaluation counts, and stops the run at an evaluation budget.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::problem::Problem;

/// A task error and, where the optimum is known, the objective gap, at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The problem's task error (relative L2 for PDEs, distance to the minimiser, weight error
    /// for portfolios).
    pub error: f64,
    /// `f(x) − f*` where `f*` is known (NaN otherwise).
    pub gap: f64,
}

/// How a point is scored: `fine` is false for the rows of a trace (which may use a coarser
/// grid, for speed) and true for the final score.
pub type Scorer = Box<dyn Fn(&[f64], bool) -> Result<Score>>;

/// One scored row of a run's trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TracePoint {
    /// Evaluations so far.
    pub evaluations: u64,
    /// Optimizer wall time so far in seconds (scoring excluded).
    pub seconds: f64,
    /// Lowest loss so far.
    pub loss: f64,
    /// Score of the lowest-loss point so far.
    pub score: Score,
}

/// What a [`Metered`] run leaves behind.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Scored rows, in order.
    pub points: Vec<TracePoint>,
    /// The loss of every evaluation, in order.
    pub losses: Vec<f64>,
    /// The lowest-loss point evaluated (empty before the first finite evaluation).
    pub best: Vec<f64>,
    /// Its loss.
    pub best_loss: f64,
    /// Whether the evaluation budget stopped the run.
    pub exhausted: bool,
}

struct Meter {
    trace: Trace,
    start: Instant,
    scoring: Duration,
}

/// Wraps a problem: counts loss-and-gradient evaluations, keeps the lowest-loss point, scores
/// it (coarsely) after evaluations 1, 2, 4, 8, … below `stride` and then every `stride`-th
/// (the scoring time is not counted as the optimizer's), and refuses evaluation `budget + 1`
/// with an error, which ends any solver's run at exactly `budget` evaluations.
/// [`Metered::finish`] scores the best point finely.
pub struct Metered<'a> {
    inner: &'a mut dyn Problem,
    scorer: &'a dyn Fn(&[f64], bool) -> Result<Score>,
    budget: u64,
    stride: u64,
    meter: RefCell<Meter>,
}

impl<'a> Metered<'a> {
    /// Meters `inner` up to `budget` evaluations, scoring about `scores` times in all.
    pub fn new(
        inner: &'a mut dyn Problem,
        scorer: &'a dyn Fn(&[f64], bool) -> Result<Score>,
        budget: u64,
        scores: u64,
    ) -> Self {
        Self {
            inner,
            scorer,
            budget,
            stride: (budget / scores.max(1)).max(1),
            meter: RefCell::new(Meter {
                trace: Trace {
                    best_loss: f64::INFINITY,
                    ..Trace::default()
                },
                start: Instant::now(),
                scoring: Duration::ZERO,
            }),
        }
    }

    /// Optimizer wall time so far (scoring excluded).
    pub fn seconds(&self) -> f64 {
        let m = self.meter.borrow();
        (m.start.elapsed() - m.scoring).as_secs_f64()
    }

    /// Scores the best point finely as the last row (replacing a coarse row at the same
    /// evaluation) and returns the trace.
    pub fn finish(self) -> Result<Trace> {
        let seconds = self.seconds();
        let mut m = self.meter.into_inner();
        let n = m.trace.losses.len() as u64;
        if m.trace.points.last().is_some_and(|p| p.evaluations == n) {
            m.trace.points.pop();
        }
        if !m.trace.best.is_empty() {
            let score = (self.scorer)(&m.trace.best, true)?;
            let loss = m.trace.best_loss;
            m.trace.points.push(TracePoint {
                evaluations: n,
                seconds,
                loss,
                score,
            });
        }
        Ok(m.trace)
    }
}

impl Problem for Metered<'_> {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn component_names(&self) -> Vec<String> {
        self.inner.component_names()
    }
    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        if self.meter.borrow().trace.losses.len() as u64 >= self.budget {
            self.meter.borrow_mut().trace.exhausted = true;
            return Err(Error::InvalidConfig {
                component: "compare",
                message: format!("evaluation budget of {} spent", self.budget),
            });
        }
        let loss = self.inner.evaluate(x, grad, components)?;
        let seconds = self.seconds();
        let mut m = self.meter.borrow_mut();
        m.trace.losses.push(loss);
        if loss.is_finite() && grad.iter().all(|g| g.is_finite()) && loss < m.trace.best_loss {
            m.trace.best_loss = loss;
            m.trace.best.clear();
            m.trace.best.extend_from_slice(x);
        }
        let n = m.trace.losses.len() as u64;
        let early = n < self.stride && n.is_power_of_two();
        if !m.trace.best.is_empty() && (early || n.is_multiple_of(self.stride)) {
            let t0 = Instant::now();
            let score = (self.scorer)(&m.trace.best, false)?;
            m.scoring += t0.elapsed();
            let best_loss = m.trace.best_loss;
            m.trace.points.push(TracePoint {
                evaluations: n,
                seconds,
                loss: best_loss,
                score,
            });
        }
        Ok(loss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Quadratic;

    #[test]
    fn counts_keeps_the_best_point_and_stops_at_the_budget() {
        let mut q = Quadratic::diagonal(&[1.0, 4.0], vec![1.0, 2.0]).unwrap();
        // The coarse score is off by one, so the rows show which was used.
        let scorer = |x: &[f64], fine: bool| {
            Ok(Score {
                error: ((x[0] - 1.0).powi(2) + (x[1] - 2.0).powi(2)).sqrt()
                    + if fine { 0.0 } else { 1.0 },
                gap: f64::NAN,
            })
        };
        let m = Metered::new(&mut q, &scorer, 12, 4);
        let mut g = [0.0; 2];
        // A start, a better point, then a worse one.
        let l0 = m.evaluate(&[0.0, 0.0], &mut g, &mut []).unwrap();
        let l1 = m.evaluate(&[1.0, 1.0], &mut g, &mut []).unwrap();
        let l2 = m.evaluate(&[5.0, 5.0], &mut g, &mut []).unwrap();
        assert!(l1 < l0 && l2 > l0);
        for _ in 3..12 {
            m.evaluate(&[1.0, 1.5], &mut g, &mut []).unwrap();
        }
        assert!(m.evaluate(&[1.0, 1.5], &mut g, &mut []).is_err());
        let t = m.finish().unwrap();
        assert!(t.exhausted);
        assert_eq!(t.losses.len(), 12);
        assert_eq!(t.best, vec![1.0, 1.5]);
        // Stride 3: rows at 1, 2 (powers of two below it), 3, 6, 9 and 12, the last one fine;
        // the row at 3 still scores (1, 1), the best point then.
        let evals: Vec<u64> = t.points.iter().map(|p| p.evaluations).collect();
        assert_eq!(evals, vec![1, 2, 3, 6, 9, 12]);
        assert_eq!(t.points[2].score.error, 2.0);
        assert_eq!(t.points[2].loss, l1);
        assert_eq!(t.points[4].score.error, 1.5);
        assert_eq!(t.points[5].score.error, 0.5);
    }
}
