//! [`Method`]: the contenders of the comparison, each a list of runner stages.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::optim::{rules, Projection};
use crate::run::{AdaptiveStage, BfgsConfig, LbfgsConfig, QuasiNewtonUpdate, Stage};

/// One contender: an update rule of the adaptive backend (with its learning rate swept), a
/// quasi-Newton method (no rate), or Adam followed by a quasi-Newton method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// One of [`rules::NAMES`] with its documented defaults ([`rules::from_name`]).
    Rule(&'static str),
    /// argmin's L-BFGS (memory 10, More-Thuente line search, up to 20 restarts after a failed
    /// line search).
    Lbfgs,
    /// ravine's dense BFGS with the given update (plain, self-scaled BFGS or self-scaled
    /// Broyden), strong-Wolfe line search.
    Bfgs(QuasiNewtonUpdate),
    /// Adam (rate swept) for a quarter of the budget, then the quasi-Newton update for the rest.
    AdamThen(QuasiNewtonUpdate),
}

impl Method {
    /// Every contender, in table order: the ten rules of the backend, L-BFGS, the three dense
    /// quasi-Newton updates, and Adam → self-scaled BFGS / Broyden.
    pub fn all() -> Vec<Method> {
        // The rules of the backend (Adam with coupled L2 decay is AdamW's foil, not a rule of
        // its own here).
        let mut v: Vec<Method> = rules::NAMES
            .into_iter()
            .filter(|r| *r != "adam_l2")
            .map(Method::Rule)
            .collect();
        v.push(Method::Lbfgs);
        v.extend(
            [
                QuasiNewtonUpdate::Bfgs,
                QuasiNewtonUpdate::SelfScaledBfgs,
                QuasiNewtonUpdate::SelfScaledBroyden,
            ]
            .map(Method::Bfgs),
        );
        v.push(Method::AdamThen(QuasiNewtonUpdate::SelfScaledBfgs));
        v.push(Method::AdamThen(QuasiNewtonUpdate::SelfScaledBroyden));
        v
    }

    /// The name in tables and files: the rule's name, `lbfgs`, `bfgs` / `ssbfgs` /
    /// `ssbroyden`, or `adam→ssbfgs`.
    pub fn name(&self) -> String {
        match self {
            Method::Rule(r) => r.to_string(),
            Method::Lbfgs => "lbfgs".into(),
            Method::Bfgs(u) => u.name().into(),
            Method::AdamThen(u) => format!("adam→{}", u.name()),
        }
    }

    /// Whether the method has a learning rate to sweep.
    pub fn has_rate(&self) -> bool {
        matches!(self, Method::Rule(_) | Method::AdamThen(_))
    }

    /// Whether the method runs on the problem's unconstrained form (quasi-Newton methods cannot
    /// project; the rules project onto the feasible set where there is one).
    pub fn unconstrained(&self) -> bool {
        !matches!(self, Method::Rule(_))
    }

    /// The runner stages for `budget` evaluations at rate `lr` (ignored without one), the
    /// rules projected onto `set` if given.
    pub fn stages(
        &self,
        lr: f64,
        budget: u64,
        set: Option<&Arc<dyn Projection>>,
    ) -> Result<Vec<Stage>> {
        let adaptive = |name: &str, iters: u64| -> Result<Stage> {
            let mut optimizer = rules::from_name(name, lr)?;
            if let Some(s) = set {
                optimizer = optimizer.project_onto(Arc::clone(s));
            }
            Ok(Stage::new(AdaptiveStage {
                optimizer,
                max_iters: iters,
                tol_grad: 0.0,
            }))
        };
        // Quasi-Newton iterations use at least one evaluation each: `budget` iterations is no
        // cap; the metered problem stops the run at the budget.
        let bfgs = |update, warm_start| {
            Stage::bfgs(BfgsConfig {
                max_iters: budget,
                tol_grad: 1e-12,
                update,
                warm_start,
                restarts: 20,
                ..BfgsConfig::default()
            })
        };
        Ok(match self {
            Method::Rule(r) => vec![adaptive(r, budget)?],
            Method::Lbfgs => vec![Stage::lbfgs(LbfgsConfig {
                max_iters: budget,
                tol_grad: 1e-12,
                restarts: 20,
                ..LbfgsConfig::default()
            })],
            Method::Bfgs(u) => vec![bfgs(*u, false)],
            Method::AdamThen(u) => vec![adaptive("adam", budget / 4)?, bfgs(*u, false)],
        })
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Method::all()
            .into_iter()
            .find(|m| m.name() == s || m.name().replace('→', "-") == s)
            .ok_or_else(|| Error::InvalidConfig {
                component: "compare",
                message: format!(
                    "unknown method {s:?} (one of {})",
                    Method::all()
                        .iter()
                        .map(|m| m.name().replace('→', "-"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_parses_back_from_its_name() {
        for m in Method::all() {
            assert_eq!(m.name().parse::<Method>().unwrap(), m);
            assert_eq!(m.name().replace('→', "-").parse::<Method>().unwrap(), m);
        }
        assert!("adamax".parse::<Method>().is_err());
        assert_eq!(Method::all().len(), 16);
    }
}
