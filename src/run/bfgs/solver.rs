//! [`super::Bfgs`] as an argmin `Solver`: one line search and one update per iteration, a
//! failed search ending the stage with the reason kept; its memory saved for checkpoints.

use argmin::core::{
    CostFunction, Error, Executor, Gradient, OptimizationResult, Problem, Solver, State as _,
    TerminationReason, TerminationStatus, KV,
};
use argmin::solver::linesearch::LineSearch;

use super::update::dot;
use super::Bfgs;
use crate::run::adaptive::State;
use crate::run::bridge::Lent;

/// The typed error for a piece of the solver's state that is not there.
fn missing(what: &str) -> crate::Error {
    crate::Error::Internal {
        component: "bfgs",
        message: what.to_string(),
    }
}

impl Bfgs {
    /// Ends the stage at the start of the failed step (`x`, its gradient and loss), keeping
    /// the reason for [`Bfgs::line_search_failure`].
    fn search_failed(
        &mut self,
        state: State,
        x: Vec<f64>,
        g: Vec<f64>,
        cost: f64,
        why: String,
    ) -> (State, Option<KV>) {
        let reason = TerminationReason::SolverExit(format!("line search failed: {why}"));
        self.failure = Some(why);
        (
            state.param(x).gradient(g).cost(cost).terminate_with(reason),
            None,
        )
    }

    /// Why the last line search failed, if the solver stopped on one.
    pub fn line_search_failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}

impl crate::run::SolverSnapshot for Bfgs {
    fn save(&self) -> crate::Result<Vec<u8>> {
        let memory = (self.p, &self.h, &self.next, self.prev_cost, self.step_mean);
        crate::run::checkpoint::encode("bfgs", &memory)
    }

    fn restored(mut self, bytes: &[u8], dim: usize) -> crate::Result<Self> {
        type Saved = (usize, Vec<f64>, Option<Vec<f64>>, Option<f64>, Option<f64>);
        type SavedWithLoss = (usize, Vec<f64>, Option<Vec<f64>>, Option<f64>);
        type SavedBefore = (usize, Vec<f64>, Option<Vec<f64>>);
        // Older checkpoints: four fields before the step mean was kept, three before the
        // previous loss was.
        let decode = crate::run::checkpoint::decode::<Saved>;
        let (p, h, next, prev_cost, step_mean) = decode("bfgs", bytes)
            .or_else(|_| {
                crate::run::checkpoint::decode::<SavedWithLoss>("bfgs", bytes)
                    .map(|(p, h, next, f)| (p, h, next, f, None))
            })
            .or_else(|_| {
                crate::run::checkpoint::decode::<SavedBefore>("bfgs", bytes)
                    .map(|(p, h, next)| (p, h, next, None, None))
            })?;
        let finite = h.iter().chain(next.iter().flatten()).all(|v| v.is_finite());
        // Packed upper triangle; a full matrix (checkpoints before the packed storage) is
        // packed on the way in.
        let ok = p == self.p
            && p == dim
            && finite
            && (h.is_empty() || h.len() == p * p || h.len() == super::packed::len(p))
            && next.as_ref().is_none_or(|n| n.len() == p);
        if !ok {
            return Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("checkpoint for {p} parameters does not fit {}", self.p),
            });
        }
        self.h = if h.len() == p * p {
            super::packed::pack(&h, p)
        } else {
            h
        };
        self.next = next;
        self.prev_cost = prev_cost;
        self.step_mean = step_mean;
        self.failure = None;
        Ok(self)
    }
}

impl<O> Solver<O, State> for Bfgs
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    fn name(&self) -> &str {
        "BFGS"
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        mut state: State,
    ) -> Result<(State, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| missing("no initial parameters"))?;
        if x.len() != self.p {
            return Err(crate::Error::DimensionMismatch {
                component: "bfgs",
                what: "params",
                expected: self.p,
                got: x.len(),
            }
            .into());
        }
        let cost = problem.cost(&x)?;
        let grad = problem.gradient(&x)?;
        Ok((state.param(x).cost(cost).gradient(grad), None))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        mut state: State,
    ) -> Result<(State, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| missing("parameters missing from the state"))?;
        let g = state
            .take_gradient()
            .ok_or_else(|| missing("gradient missing from the state"))?;
        let cost = state.get_cost();
        let hg = match self.next.take() {
            Some(hg) => hg,
            None => self.apply(&g),
        };
        let mut d: Vec<f64> = hg.into_iter().map(|v| -v).collect();
        let mut dg = dot(&d, &g);
        if dg.is_nan() || dg >= 0.0 {
            // Lost positive definiteness to rounding: start over from steepest descent.
            self.h.clear();
            d = g.iter().map(|v| -v).collect();
            dg = dot(&d, &g);
        }
        let alpha0 = self
            .initial_step
            .alpha0(cost, self.prev_cost, &g, dg, self.step_mean);
        let mut linesearch = self.linesearch.clone();
        linesearch.search_direction(d.clone());
        linesearch.initial_step_length(alpha0)?;
        // The line search borrows the problem, so that it stays in place whatever the search
        // does (a failed search must leave it to the runner, which may restart from here).
        let inner = problem
            .problem
            .as_mut()
            .ok_or_else(|| missing("problem missing"))?;
        let search = Executor::new(Lent(inner), linesearch)
            .configure(|c| c.param(x.clone()).gradient(g.clone()).cost(cost))
            .ctrlc(false)
            .run();
        let OptimizationResult {
            problem: line_problem,
            state: mut ls_state,
            ..
        } = match search {
            Ok(r) => r,
            Err(e) => return Ok(self.search_failed(state, x, g, cost, format!("'{e}'"))),
        };
        let counts = std::mem::take(&mut { line_problem }.counts);
        for (k, v) in counts {
            *problem.counts.entry(k).or_insert(0) += v;
        }
        let x1 = ls_state
            .take_param()
            .ok_or_else(|| missing("the line search returned no point"))?;
        let cost1 = ls_state.get_cost();
        if cost1.is_nan() || cost1 > cost {
            // More-Thuente can stop at its iteration cap on a point that does not satisfy the
            // Wolfe conditions; an increase is never accepted.
            let why = format!("no decrease (f = {cost1:e} > {cost:e})");
            return Ok(self.search_failed(state, x, g, cost, why));
        }
        let g1 = problem.gradient(&x1)?;
        let s: Vec<f64> = x1.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g1.iter().zip(&g).map(|(a, b)| a - b).collect();
        let alpha = dot(&s, &d) / dot(&d, &d);
        self.step_mean = super::secant_mean(self.step_mean, alpha, dg, dot(&g1, &d));
        let tau = self.update(&s, &y, &g1, dot(&s, &g), alpha);
        self.prev_cost = Some(cost);
        let kv = argmin::kv!("tau" => tau.unwrap_or(f64::NAN); "step" => alpha;);
        Ok((state.param(x1).cost(cost1).gradient(g1), Some(kv)))
    }

    fn terminate(&mut self, state: &State) -> TerminationStatus {
        let gn = state
            .get_gradient()
            .map_or(f64::INFINITY, |g| dot(g, g).sqrt());
        if gn < self.tol_grad || (state.get_prev_cost() - state.get_cost()).abs() < self.tol_cost {
            return TerminationStatus::Terminated(TerminationReason::SolverConverged);
        }
        TerminationStatus::NotTerminated
    }
}
