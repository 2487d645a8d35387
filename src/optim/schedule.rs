//! Learning-rate schedules: plain functions of the step count.

use crate::error::{check, positive, Result};

/// A learning-rate schedule `α_t`, evaluated at the step count `t = 0, 1, 2, …` (the first
/// update uses `α_0`, as in optax).
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// `α_t = α`.
    Constant {
        /// The learning rate.
        value: f64,
    },
    /// Step decay (optax `exponential_decay(staircase=True)`): `α_t = α₀ · γ^⌊t/k⌋`.
    Step {
        /// Initial learning rate α₀.
        init: f64,
        /// Decay every `every` steps (k).
        every: u64,
        /// Factor γ applied at each boundary.
        factor: f64,
    },
    /// Exponential decay (optax `exponential_decay`): `α_t = α₀ · γ^(t/T)`.
    Exponential {
        /// Initial learning rate α₀.
        init: f64,
        /// Decay rate γ per `transition_steps` steps.
        rate: f64,
        /// T.
        transition_steps: u64,
    },
    /// Cosine decay (Loshchilov & Hutter 2017; optax `cosine_decay_schedule`):
    /// `α_t = α₀ [(1−a) · ½(1 + cos(π min(t,T)/T)) + a]`.
    Cosine {
        /// Initial learning rate α₀.
        init: f64,
        /// T, the number of steps over which to decay.
        decay_steps: u64,
        /// a, the final value as a fraction of α₀.
        alpha: f64,
    },
    /// Linear warmup from `start` to `peak` over `warmup_steps` steps, then `after` evaluated
    /// at `t − warmup_steps` (optax `join_schedules` of a `linear_schedule` and another).
    Warmup {
        /// Learning rate at t = 0.
        start: f64,
        /// Learning rate reached at t = warmup_steps.
        peak: f64,
        /// Length of the warmup.
        warmup_steps: u64,
        /// The schedule that follows the warmup.
        after: Box<Schedule>,
    },
    /// Any function of the step count (optax accepts any callable as a schedule), built with
    /// [`Schedule::custom`]. [`crate::optim::Optimizer::step`] rejects a step whose value is
    /// negative or not finite.
    Custom(ScheduleFn),
}

/// A user's schedule `t ↦ α_t` with a name for logs; compared by identity.
#[derive(Clone)]
pub struct ScheduleFn {
    name: String,
    f: std::sync::Arc<dyn Fn(u64) -> f64 + Send + Sync>,
}

impl ScheduleFn {
    /// The name given to [`Schedule::custom`].
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Debug for ScheduleFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScheduleFn({:?})", self.name)
    }
}

impl PartialEq for ScheduleFn {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.f, &other.f)
    }
}

impl Schedule {
    /// A constant learning rate, finite and > 0.
    pub fn constant(value: f64) -> Result<Self> {
        positive("schedule::constant", "learning_rate", value)?;
        Ok(Schedule::Constant { value })
    }

    /// Step decay by `factor` ∈ (0, 1] every `every` ≥ 1 steps.
    pub fn step(init: f64, every: u64, factor: f64) -> Result<Self> {
        positive("schedule::step", "init", init)?;
        check(
            every >= 1,
            "schedule::step",
            "every",
            every as f64,
            "must be >= 1",
        )?;
        check(
            factor > 0.0 && factor <= 1.0,
            "schedule::step",
            "factor",
            factor,
            "must lie in (0, 1]",
        )?;
        Ok(Schedule::Step {
            init,
            every,
            factor,
        })
    }

    /// Exponential decay by `rate` ∈ (0, 1] per `transition_steps` ≥ 1 steps.
    pub fn exponential(init: f64, rate: f64, transition_steps: u64) -> Result<Self> {
        positive("schedule::exponential", "init", init)?;
        check(
            rate > 0.0 && rate <= 1.0,
            "schedule::exponential",
            "rate",
            rate,
            "must lie in (0, 1]",
        )?;
        check(
            transition_steps >= 1,
            "schedule::exponential",
            "transition_steps",
            transition_steps as f64,
            "must be >= 1",
        )?;
        Ok(Schedule::Exponential {
            init,
            rate,
            transition_steps,
        })
    }

    /// Cosine decay from `init` to `alpha·init` over `decay_steps` ≥ 1 steps, `alpha` ∈ [0, 1].
    pub fn cosine(init: f64, decay_steps: u64, alpha: f64) -> Result<Self> {
        positive("schedule::cosine", "init", init)?;
        check(
            decay_steps >= 1,
            "schedule::cosine",
            "decay_steps",
            decay_steps as f64,
            "must be >= 1",
        )?;
        check(
            (0.0..=1.0).contains(&alpha),
            "schedule::cosine",
            "alpha",
            alpha,
            "must lie in [0, 1]",
        )?;
        Ok(Schedule::Cosine {
            init,
            decay_steps,
            alpha,
        })
    }

    /// Linear warmup from `start` ≥ 0 to `peak` > 0 over `warmup_steps` ≥ 1 steps, then `after`.
    pub fn warmup(start: f64, peak: f64, warmup_steps: u64, after: Schedule) -> Result<Self> {
        check(
            start.is_finite() && start >= 0.0,
            "schedule::warmup",
            "start",
            start,
            "must be finite and >= 0",
        )?;
        positive("schedule::warmup", "peak", peak)?;
        check(
            warmup_steps >= 1,
            "schedule::warmup",
            "warmup_steps",
            warmup_steps as f64,
            "must be >= 1",
        )?;
        Ok(Schedule::Warmup {
            start,
            peak,
            warmup_steps,
            after: Box::new(after),
        })
    }

    /// A schedule from any function of the step count, e.g. a one-cycle policy or a lookup
    /// table; `name` appears in logs and run files.
    ///
    /// ```
    /// use ravine::optim::Schedule;
    /// let halve_every_100 = Schedule::custom("halving", |t| 0.1 * 0.5f64.powi((t / 100) as i32));
    /// assert_eq!(halve_every_100.value(250), 0.025);
    /// ```
    pub fn custom(name: impl Into<String>, f: impl Fn(u64) -> f64 + Send + Sync + 'static) -> Self {
        Schedule::Custom(ScheduleFn {
            name: name.into(),
            f: std::sync::Arc::new(f),
        })
    }

    /// The learning rate at step count `t`.
    pub fn value(&self, t: u64) -> f64 {
        match self {
            Schedule::Constant { value } => *value,
            Schedule::Step {
                init,
                every,
                factor,
            } => init * factor.powf((t / every) as f64),
            Schedule::Exponential {
                init,
                rate,
                transition_steps,
            } => init * rate.powf(t as f64 / *transition_steps as f64),
            Schedule::Cosine {
                init,
                decay_steps,
                alpha,
            } => {
                let frac = t.min(*decay_steps) as f64 / *decay_steps as f64;
                let cosine = 0.5 * (1.0 + (std::f64::consts::PI * frac).cos());
                init * ((1.0 - alpha) * cosine + alpha)
            }
            Schedule::Warmup {
                start,
                peak,
                warmup_steps,
                after,
            } => {
                if t < *warmup_steps {
                    start + (peak - start) * (t as f64 / *warmup_steps as f64)
                } else {
                    after.value(t - warmup_steps)
                }
            }
            Schedule::Custom(s) => (s.f)(t),
        }
    }

    /// The schedule's kind and parameters, for logs and run files.
    pub fn describe(&self) -> Vec<(String, f64)> {
        match self {
            Schedule::Constant { value } => vec![("learning_rate".into(), *value)],
            Schedule::Step {
                init,
                every,
                factor,
            } => vec![
                ("lr_init".into(), *init),
                ("lr_every".into(), *every as f64),
                ("lr_factor".into(), *factor),
            ],
            Schedule::Exponential {
                init,
                rate,
                transition_steps,
            } => vec![
                ("lr_init".into(), *init),
                ("lr_rate".into(), *rate),
                ("lr_transition_steps".into(), *transition_steps as f64),
            ],
            Schedule::Cosine {
                init,
                decay_steps,
                alpha,
            } => vec![
                ("lr_init".into(), *init),
                ("lr_decay_steps".into(), *decay_steps as f64),
                ("lr_alpha".into(), *alpha),
            ],
            Schedule::Warmup {
                start,
                peak,
                warmup_steps,
                after,
            } => {
                let mut v = vec![
                    ("warmup_start".into(), *start),
                    ("warmup_peak".into(), *peak),
                    ("warmup_steps".into(), *warmup_steps as f64),
                ];
                v.extend(after.describe());
                v
            }
            Schedule::Custom(s) => vec![("lr_at_step_0".into(), (s.f)(0))],
        }
    }

    /// A short name of the schedule's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Schedule::Constant { .. } => "constant",
            Schedule::Step { .. } => "step",
            Schedule::Exponential { .. } => "exponential",
            Schedule::Cosine { .. } => "cosine",
            Schedule::Warmup { .. } => "warmup",
            Schedule::Custom(_) => "custom",
        }
    }
}

impl From<f64> for Schedule {
    /// A constant schedule. Not validated: prefer [`Schedule::constant`] for user input; rule
    /// constructors taking `impl Into<Schedule>` validate the value again.
    fn from(value: f64) -> Self {
        Schedule::Constant { value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let s = Schedule::step(1.0, 10, 0.5).unwrap();
        assert_eq!(s.value(9), 1.0);
        assert_eq!(s.value(10), 0.5);
        assert_eq!(s.value(25), 0.25);
        let e = Schedule::exponential(2.0, 0.1, 100).unwrap();
        approx::assert_abs_diff_eq!(e.value(50), 2.0 * 0.1f64.sqrt(), epsilon = 1e-15);
        let c = Schedule::cosine(1.0, 100, 0.1).unwrap();
        approx::assert_abs_diff_eq!(c.value(50), 0.55, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(c.value(100), 0.1, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(c.value(1000), 0.1, epsilon = 1e-15);
        let w = Schedule::warmup(0.0, 1.0, 4, Schedule::constant(0.5).unwrap()).unwrap();
        let v: Vec<f64> = (0..6).map(|t| w.value(t)).collect();
        assert_eq!(v, vec![0.0, 0.25, 0.5, 0.75, 0.5, 0.5]);
    }

    #[test]
    fn a_custom_schedule_drives_the_optimizer_and_bad_values_are_errors() {
        use crate::optim::{rules, Optimizer};
        let s = Schedule::custom("one_over_t", |t| 1.0 / (t as f64 + 1.0));
        let mut opt = Optimizer::new("gd", s.clone(), vec![]).unwrap();
        let mut x = [0.0];
        for _ in 0..4 {
            opt.step(&mut x, &[1.0]).unwrap(); // x -= 1/(t+1)
        }
        approx::assert_relative_eq!(x[0], -(1.0 + 0.5 + 1.0 / 3.0 + 0.25), max_relative = 1e-15);
        assert_eq!(s, s.clone());
        assert_ne!(
            s,
            Schedule::custom("one_over_t", |t| 1.0 / (t as f64 + 1.0))
        );
        let bad = Schedule::custom("goes_nan", |t| if t < 2 { 0.1 } else { f64::NAN });
        let mut opt = rules::gd(bad).unwrap();
        let mut x = [1.0, 2.0];
        opt.step(&mut x, &[1.0, 1.0]).unwrap();
        opt.step(&mut x, &[1.0, 1.0]).unwrap();
        let kept = x;
        let e = opt.step(&mut x, &[1.0, 1.0]).unwrap_err();
        assert!(e.to_string().contains("learning_rate"), "{e}");
        assert_eq!(x, kept, "a rejected step leaves the parameters untouched");
    }

    #[test]
    fn validation_names_the_value() {
        let e = Schedule::cosine(1.0, 10, 1.5).unwrap_err();
        assert_eq!(
            e.to_string(),
            "schedule::cosine: invalid alpha = 1.5: must lie in [0, 1]"
        );
        assert!(Schedule::constant(f64::NAN).is_err());
        assert!(Schedule::constant(-1.0).is_err());
        assert!(Schedule::step(1.0, 0, 0.5).is_err());
    }
}
