//! Running the comparison: one run ([`run_once`]), the rate sweep and seeds of one method on
//! one problem ([`compare_cell`]).

use std::time::Duration;

use super::metered::{Metered, Score, Trace};
use super::method::Method;
use super::suite::Benchmark;
use crate::error::{Error, Result};
use crate::run::{Runner, Termination};

/// One run: a method at one rate from one seed's start.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The method.
    pub method: Method,
    /// Its learning rate (NaN for methods without one).
    pub rate: f64,
    /// The seed.
    pub seed: u64,
    /// Why it stopped: `evaluation budget`, `time budget`, `converged`, `line-search failure:
    /// …`, `diverged: …`, or the error that ended it.
    pub termination: String,
    /// Whether the run ended in an error other than the spent budget (a non-finite loss,
    /// residual or update, say): such runs rank last in the rate sweep.
    pub failed: bool,
    /// Evaluations used.
    pub evaluations: u64,
    /// Optimizer wall time in seconds (scoring excluded).
    pub seconds: f64,
    /// The lowest loss evaluated.
    pub loss: f64,
    /// The score of the lowest-loss point.
    pub score: Score,
    /// Evaluations and seconds at the first scored row whose error is at most the target.
    pub to_target: Option<(u64, f64)>,
    /// The scored rows and every evaluation's loss.
    pub trace: Trace,
}

/// Runs `method` at `rate` on `bench` from seed `seed`'s start, through [`Runner`] (the one
/// executor every method shares), metered to the benchmark's budget of evaluations and wall
/// time, scoring the best point about `scores` times.
pub fn run_once(
    bench: &Benchmark,
    method: Method,
    rate: f64,
    seed: u64,
    scores: u64,
) -> Result<RunOutcome> {
    let mut inst = bench.instance(seed, method.unconstrained())?;
    let mut runner = Runner::new()
        .record_every(bench.budget.max(1))?
        .keep_history(false)
        .time_budget(Duration::from_secs_f64(bench.seconds))?;
    for stage in method.stages(rate, bench.budget, inst.set.as_ref())? {
        runner = runner.stage(stage);
    }
    let scorer = &*inst.scorer;
    let mut metered = Metered::new(&mut *inst.problem, scorer, bench.budget, scores);
    let result = runner.run(&mut metered, inst.x0.clone());
    let seconds = metered.seconds();
    let trace = metered.finish()?;
    let evaluations = trace.losses.len() as u64;
    let (termination, failed) = match &result {
        _ if trace.exhausted => ("evaluation budget".to_string(), false),
        // Every stage's iteration cap is the budget (an adaptive rule's iteration is one
        // evaluation, or none when the runner's cache answers a repeated point), so a capped
        // run has spent its budget.
        Ok(report) => match report.stages.last().map(|s| &s.termination) {
            None | Some(Termination::MaxIters) => ("evaluation budget".to_string(), false),
            Some(t) => (t.to_string(), false),
        },
        Err(Error::Diverged { reason, .. }) => (format!("diverged: {reason}"), true),
        Err(e) => (e.to_string(), true),
    };
    let last = trace.points.last().copied();
    let to_target = trace
        .points
        .iter()
        .find(|p| p.score.error <= bench.target)
        .map(|p| (p.evaluations, p.seconds));
    Ok(RunOutcome {
        method,
        rate,
        seed,
        termination,
        failed,
        evaluations,
        seconds,
        loss: trace.best_loss,
        score: last.map_or(
            Score {
                error: f64::NAN,
                gap: f64::NAN,
            },
            |p| p.score,
        ),
        to_target,
        trace,
    })
}

/// How a run ranks in the rate sweep: runs that did not fail first, then by the lowest loss
/// (what a user can tune on without a reference solution), then by task error; NaN last.
fn rank_key(r: &RunOutcome) -> (bool, f64, f64) {
    let nan_last = |v: f64| if v.is_nan() { f64::INFINITY } else { v };
    (r.failed, nan_last(r.loss), nan_last(r.score.error))
}

/// One method on one problem: every rate of the benchmark's grid on seed 0 (methods with a
/// rate), the best of them (the lowest loss among runs that did not fail: tuned as a user
/// without the reference solution would), then that rate on seeds `1..seeds`.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The problem's name.
    pub problem: String,
    /// The method.
    pub method: Method,
    /// The chosen rate (NaN without one).
    pub rate: f64,
    /// Seed 0's run at every rate tried, in grid order.
    pub sweep: Vec<RunOutcome>,
    /// The runs at the chosen rate, one per seed (seed 0 first).
    pub runs: Vec<RunOutcome>,
}

/// The median of the values that are not NaN (NaN if none).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

impl Cell {
    /// The median over seeds of a run's number.
    pub fn median_of(&self, f: impl Fn(&RunOutcome) -> f64) -> f64 {
        median(self.runs.iter().map(f).collect())
    }

    /// How many seeds reached the target, and the median seconds of those that did.
    pub fn reached(&self) -> (usize, f64) {
        let t: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| r.to_target.map(|(_, s)| s))
            .collect();
        (t.len(), median(t))
    }
}

/// Sweeps and seeds `method` on `bench` (see [`Cell`]); `on_run` sees every run as it ends.
pub fn compare_cell(
    bench: &Benchmark,
    method: Method,
    seeds: u64,
    scores: u64,
    on_run: &mut dyn FnMut(&RunOutcome),
) -> Result<Cell> {
    let rates = if method.has_rate() {
        bench.rates.clone()
    } else {
        vec![f64::NAN]
    };
    let mut sweep = Vec::with_capacity(rates.len());
    for &rate in &rates {
        let r = run_once(bench, method, rate, 0, scores)?;
        on_run(&r);
        sweep.push(r);
    }
    let best = sweep
        .iter()
        .min_by(|a, b| rank_key(a).partial_cmp(&rank_key(b)).expect("no NaN keys"))
        .cloned()
        .ok_or_else(|| Error::InvalidConfig {
            component: "compare",
            message: format!("{}: an empty rate grid", bench.name),
        })?;
    let rate = best.rate;
    let mut runs = vec![best];
    for seed in 1..seeds.max(1) {
        let r = run_once(bench, method, rate, seed, scores)?;
        on_run(&r);
        runs.push(r);
    }
    Ok(Cell {
        problem: bench.name.clone(),
        method,
        rate,
        sweep,
        runs,
    })
}
