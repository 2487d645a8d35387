//! Steps proportional to the size of the error: the update scaled by its own norm.

use super::transform::{named, scalar, unknown_state};
use super::Transform;

/// Rates proportional to the "surprise" (the TD-error-proportional rates of the background's
/// reinforcement-learning claim, for any update):
///
/// ```text
/// u ← ‖u‖₂ · u
/// ```
///
/// With learning rate `c` the step is `c‖g‖·g`: large when the error is large, vanishing as it
/// vanishes. In tabular TD(0) the gradient of `½δ²` in the visited state's value is `−δ`, so
/// the step there is `c|δ|·δ`: a rate `c|δ|`. The opposite of
/// [`super::NormalizeByGlobalNorm`] (`u/‖u‖`). It has no hyperparameter and no safeguard: a
/// single large noisy error gives a step quadratic in it (which is what its experiment measures).
///
/// Effective step: the factor `‖u‖₂` of the last update, the same for every coordinate.
#[derive(Debug, Clone)]
pub struct ScaleByGlobalNorm {
    last_norm: f64,
}

impl ScaleByGlobalNorm {
    /// The transform (stateless but for the last norm, kept for its effective step).
    pub fn new() -> Self {
        Self {
            last_norm: f64::NAN,
        }
    }
}

impl Default for ScaleByGlobalNorm {
    fn default() -> Self {
        Self::new()
    }
}

impl Transform for ScaleByGlobalNorm {
    fn name(&self) -> &'static str {
        "scale_by_global_norm"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        Vec::new()
    }

    fn init(&mut self, _dim: usize) {
        self.last_norm = f64::NAN;
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        let norm = updates.iter().map(|u| u * u).sum::<f64>().sqrt();
        self.last_norm = norm;
        updates.iter_mut().for_each(|u| *u *= norm);
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        factor.iter_mut().for_each(|f| *f *= self.last_norm);
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("last_norm", vec![self.last_norm])])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "last_norm" => self.last_norm = scalar(self.name(), name, values)?,
            _ => return Err(unknown_state(self.name(), name)),
        }
        Ok(())
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
    fn the_step_is_rate_times_norm_times_gradient() {
        let mut opt =
            Optimizer::new("surprise", 0.5, vec![Box::new(ScaleByGlobalNorm::new())]).unwrap();
        let mut x = vec![1.0, 1.0];
        opt.step(&mut x, &[3.0, 4.0]).unwrap();
        // ‖g‖ = 5: x − 0.5·5·g.
        assert_eq!(x, vec![1.0 - 7.5, 1.0 - 10.0]);
        assert_eq!(opt.effective_step().unwrap(), vec![2.5, 2.5]);
    }
}
