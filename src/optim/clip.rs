//! Gradient clipping by global norm and by value.

use super::transform::{named, scalar, set_buffer, unknown_state};
use super::Transform;
use crate::error::{positive, Result};

/// Clipping by global norm (optax `clip_by_global_norm`; Pascanu et al. 2013):
///
/// ```text
/// u ← u                     if ‖u‖₂ < c
/// u ← u · c / ‖u‖₂          otherwise
/// ```
///
/// Effective step factor: `min(1, c/‖u‖₂)`, the same for every coordinate.
#[derive(Debug, Clone)]
pub struct ClipByGlobalNorm {
    max_norm: f64,
    last_factor: f64,
}

impl ClipByGlobalNorm {
    /// Clip to global norm `max_norm` > 0.
    pub fn new(max_norm: f64) -> Result<Self> {
        positive("clip_by_global_norm", "max_norm", max_norm)?;
        Ok(Self {
            max_norm,
            last_factor: 1.0,
        })
    }
}

impl Transform for ClipByGlobalNorm {
    fn name(&self) -> &'static str {
        "clip_by_global_norm"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![("max_norm", self.max_norm)])
    }

    fn init(&mut self, _dim: usize) {
        self.last_factor = 1.0;
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        let norm = updates.iter().map(|u| u * u).sum::<f64>().sqrt();
        self.last_factor = if norm < self.max_norm {
            1.0
        } else {
            self.max_norm / norm
        };
        if self.last_factor != 1.0 {
            for u in updates.iter_mut() {
                *u = (*u / norm) * self.max_norm;
            }
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        factor.iter_mut().for_each(|f| *f *= self.last_factor);
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("last_factor", vec![self.last_factor])])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "last_factor" => self.last_factor = scalar(self.name(), name, values)?,
            _ => return Err(unknown_state(self.name(), name)),
        }
        Ok(())
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

/// Clipping by value (optax `clip`):
///
/// ```text
/// u_i ← min(max(u_i, −c), c)
/// ```
///
/// Effective step factor: `c/|u_i|` on clipped coordinates, 1 elsewhere.
#[derive(Debug, Clone)]
pub struct ClipByValue {
    max_abs: f64,
    last_factor: Vec<f64>,
}

impl ClipByValue {
    /// Clip every coordinate to `[−max_abs, max_abs]`, `max_abs` > 0.
    pub fn new(max_abs: f64) -> Result<Self> {
        positive("clip_by_value", "max_abs", max_abs)?;
        Ok(Self {
            max_abs,
            last_factor: Vec::new(),
        })
    }
}

impl Transform for ClipByValue {
    fn name(&self) -> &'static str {
        "clip_by_value"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![("max_abs", self.max_abs)])
    }

    fn init(&mut self, dim: usize) {
        self.last_factor = vec![1.0; dim];
    }

    fn update(&mut self, updates: &mut [f64], _params: &[f64]) {
        for (u, f) in updates.iter_mut().zip(self.last_factor.iter_mut()) {
            let clipped = u.clamp(-self.max_abs, self.max_abs);
            *f = if clipped != *u { clipped / *u } else { 1.0 };
            *u = clipped;
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        for (f, c) in factor.iter_mut().zip(&self.last_factor) {
            *f *= c;
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("last_factor", self.last_factor.clone())])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        match name {
            "last_factor" => set_buffer(self.name(), name, &mut self.last_factor, values),
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

    #[test]
    fn global_norm_and_value_clipping() {
        let mut c = ClipByGlobalNorm::new(1.0).unwrap();
        c.init(2);
        let mut u = [3.0, 4.0];
        c.update(&mut u, &[0.0; 2]);
        assert!((u[0] - 0.6).abs() < 1e-15 && (u[1] - 0.8).abs() < 1e-15);
        let mut f = [1.0, 1.0];
        c.scale_factor(&mut f);
        assert_eq!(f, [0.2, 0.2]);
        let mut u = [0.3, 0.4];
        c.update(&mut u, &[0.0; 2]);
        assert_eq!(u, [0.3, 0.4]);

        let mut v = ClipByValue::new(0.5).unwrap();
        v.init(3);
        let mut u = [2.0, -0.1, -1.0];
        v.update(&mut u, &[0.0; 3]);
        assert_eq!(u, [0.5, -0.1, -0.5]);
        let mut f = [1.0; 3];
        v.scale_factor(&mut f);
        assert_eq!(f, [0.25, 1.0, 0.5]);
        assert!(ClipByValue::new(0.0).is_err());
    }
}
