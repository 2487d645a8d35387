//! Per-coordinate rates from a statistic of the model that the problem supplies.

use super::transform::{named, set_buffer, unknown_state};
use super::Transform;
use std::sync::Arc;

/// A statistic of the model at the parameters, giving a scale per coordinate (or one for all).
pub type FeedbackFn = Arc<dyn Fn(&[f64]) -> Vec<f64> + Send + Sync>;

/// Rates set by feedback from the model, for rules whose step depends on more than the
/// gradient (the confidence of its predictions, how saturated its neurons are):
///
/// ```text
/// s = φ(θ),    u_i ← s_i · u_i      (one value: the same s for every coordinate)
/// ```
///
/// `φ` is called once per step at the parameters the gradient was taken at. A result of the
/// wrong length (neither 1 nor `p`) or with a negative or non-finite entry gives a NaN
/// update, which [`super::Optimizer::step`] reports.
///
/// Effective step: `s_i`, the scale of the last update.
#[derive(Clone)]
pub struct ScaleByFeedback {
    feedback: FeedbackFn,
    last: Vec<f64>,
}

impl std::fmt::Debug for ScaleByFeedback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaleByFeedback")
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl ScaleByFeedback {
    /// Rates from `feedback`.
    pub fn new(feedback: FeedbackFn) -> Self {
        Self {
            feedback,
            last: Vec::new(),
        }
    }
}

impl Transform for ScaleByFeedback {
    fn name(&self) -> &'static str {
        "scale_by_feedback"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        Vec::new()
    }

    fn init(&mut self, dim: usize) {
        self.last = vec![1.0; dim];
    }

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        let s = (self.feedback)(params);
        let p = updates.len();
        let ok = (s.len() == 1 || s.len() == p) && s.iter().all(|v| v.is_finite() && *v >= 0.0);
        for i in 0..p {
            self.last[i] = if ok {
                s[if s.len() == 1 { 0 } else { i }]
            } else {
                f64::NAN
            };
            updates[i] *= self.last[i];
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        factor.iter_mut().zip(&self.last).for_each(|(f, s)| *f *= s);
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("last", self.last.clone())])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "last" => set_buffer(self.name(), name, &mut self.last, values),
            _ => Err(unknown_state(self.name(), name)),
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Optimizer;

    #[test]
    fn scales_each_coordinate_by_the_feedback() {
        let half_of_first: FeedbackFn = Arc::new(|x: &[f64]| vec![0.5 * x[0].abs(), 1.0]);
        let mut opt = Optimizer::new(
            "fb",
            0.1,
            vec![Box::new(ScaleByFeedback::new(half_of_first))],
        )
        .unwrap();
        let mut x = vec![2.0, 3.0];
        opt.step(&mut x, &[1.0, 1.0]).unwrap();
        assert_eq!(x, vec![2.0 - 0.1, 3.0 - 0.1]);
        assert_eq!(opt.effective_step().unwrap(), vec![0.1, 0.1]);
        let bad: FeedbackFn = Arc::new(|_: &[f64]| vec![1.0, 2.0, 3.0]);
        let mut opt = Optimizer::new("fb", 0.1, vec![Box::new(ScaleByFeedback::new(bad))]).unwrap();
        let before = x.clone();
        let e = opt.step(&mut x, &[1.0, 1.0]).unwrap_err();
        assert!(e.to_string().contains("update"), "{e}");
        assert_eq!(x, before);
    }
}
