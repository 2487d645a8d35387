//! Layer-wise rates from a layer's own norm: `1/‖W‖₂` (spectral) and the LARS trust ratio.
//! Each acts on one layer's parameters; give every layer its own through
//! [`super::MultiTransform`].

use super::transform::{named, scalar, set_buffer, unknown_state};
use super::Transform;
use crate::error::{Error, Result};

/// A layer rate inversely proportional to the layer's spectral norm:
///
/// ```text
/// u ← u / max(‖W‖₂, ε)
/// ```
///
/// for the layer's parameters read as a `rows × cols` matrix `W` (row-major). `‖W‖₂` comes
/// from power iteration on `WᵀW`, warm-started from the previous step's vector: `iterations`
/// products per step (default 1) after 30 at the first step. `ε` = 1e-12.
///
/// Effective step: `1/max(‖W‖₂, ε)`, the same for the layer's coordinates.
#[derive(Debug, Clone)]
pub struct ScaleByInverseSpectralNorm {
    rows: usize,
    cols: usize,
    iterations: usize,
    vector: Vec<f64>,
    norm: f64,
}

impl ScaleByInverseSpectralNorm {
    /// For a `rows × cols` layer, `iterations ≥ 1` power iterations per step.
    pub fn new(rows: usize, cols: usize, iterations: usize) -> Result<Self> {
        if rows == 0 || cols == 0 || iterations == 0 {
            return Err(Error::InvalidConfig {
                component: "scale_by_inverse_spectral_norm",
                message: format!(
                    "needs rows, cols and iterations >= 1, got {rows}, {cols}, {iterations}"
                ),
            });
        }
        Ok(Self {
            rows,
            cols,
            iterations,
            vector: Vec::new(),
            norm: f64::NAN,
        })
    }

    /// The last estimate of `‖W‖₂`.
    pub fn norm(&self) -> f64 {
        self.norm
    }
}

impl Transform for ScaleByInverseSpectralNorm {
    fn name(&self) -> &'static str {
        "scale_by_inverse_spectral_norm"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        named(vec![
            ("rows", self.rows as f64),
            ("cols", self.cols as f64),
            ("iterations", self.iterations as f64),
        ])
    }

    fn check_dim(&self, dim: usize) -> Result<()> {
        if dim != self.rows * self.cols {
            return Err(Error::DimensionMismatch {
                component: "scale_by_inverse_spectral_norm",
                what: "layer parameters",
                expected: self.rows * self.cols,
                got: dim,
            });
        }
        Ok(())
    }

    fn init(&mut self, _dim: usize) {
        self.vector = Vec::new();
        self.norm = f64::NAN;
    }

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        let (r, c) = (self.rows, self.cols);
        let first = self.vector.is_empty();
        if first {
            // A fixed start that is not orthogonal to the top singular vector by construction.
            self.vector = (0..c).map(|j| 1.0 + 0.1 * (j % 7) as f64).collect();
        }
        let mut wv = vec![0.0; r];
        for _ in 0..if first { 30 } else { self.iterations } {
            let len = self.vector.iter().map(|x| x * x).sum::<f64>().sqrt();
            if len == 0.0 || !len.is_finite() {
                break;
            }
            self.vector.iter_mut().for_each(|x| *x /= len);
            for (i, w) in wv.iter_mut().enumerate() {
                *w = (0..c).map(|j| params[i * c + j] * self.vector[j]).sum();
            }
            self.norm = wv.iter().map(|x| x * x).sum::<f64>().sqrt();
            for j in 0..c {
                self.vector[j] = (0..r).map(|i| params[i * c + j] * wv[i]).sum();
            }
        }
        let d = 1.0 / self.norm.max(1e-12);
        updates.iter_mut().for_each(|u| *u *= d);
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        let d = 1.0 / self.norm.max(1e-12);
        factor.iter_mut().for_each(|f| *f *= d);
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![
            ("vector", self.vector.clone()),
            ("norm", vec![self.norm]),
        ])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> Result<()> {
        match name {
            "vector" => set_buffer(self.name(), name, &mut self.vector, values),
            "norm" => {
                self.norm = scalar(self.name(), name, values)?;
                Ok(())
            }
            _ => Err(unknown_state(self.name(), name)),
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

/// The LARS trust ratio (You, Gitman & Ginsburg 2017; LAMB applies it to Adam's update):
///
/// ```text
/// u ← u · ‖W‖_F / ‖u‖_F        (u unchanged when either norm is 0)
/// ```
///
/// so that each layer moves by the same fraction of its own norm. Effective step: the ratio.
#[derive(Debug, Clone, Default)]
pub struct ScaleByTrustRatio {
    ratio: f64,
}

impl ScaleByTrustRatio {
    /// The transform.
    pub fn new() -> Self {
        Self { ratio: f64::NAN }
    }
}

impl Transform for ScaleByTrustRatio {
    fn name(&self) -> &'static str {
        "scale_by_trust_ratio"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        Vec::new()
    }

    fn init(&mut self, _dim: usize) {
        self.ratio = f64::NAN;
    }

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        let w = params.iter().map(|x| x * x).sum::<f64>().sqrt();
        let u = updates.iter().map(|x| x * x).sum::<f64>().sqrt();
        self.ratio = if w > 0.0 && u > 0.0 { w / u } else { 1.0 };
        updates.iter_mut().for_each(|x| *x *= self.ratio);
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        factor.iter_mut().for_each(|f| *f *= self.ratio);
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        named(vec![("ratio", vec![self.ratio])])
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> Result<()> {
        match name {
            "ratio" => self.ratio = scalar(self.name(), name, values)?,
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

    /// `‖W‖₂` of a 3 × 2 matrix with singular values 5 and 1 (W = U diag(5, 1) Vᵀ), and the
    /// trust ratio's step length.
    #[test]
    fn spectral_norm_and_trust_ratio() {
        let (c, s) = (0.6, 0.8);
        // Columns of U: (1, 0, 0) and (0, c, s); V = rotation by 45°.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let w = vec![5.0 * h, 5.0 * h, -c * h, c * h, -s * h, s * h];
        let mut t = ScaleByInverseSpectralNorm::new(3, 2, 1).unwrap();
        t.check_dim(6).unwrap();
        assert!(t.check_dim(5).is_err());
        t.init(6);
        let mut u = vec![1.0; 6];
        t.update(&mut u, &w);
        assert!((t.norm() - 5.0).abs() < 1e-12, "{}", t.norm());
        assert!(u.iter().all(|x| (x - 0.2).abs() < 1e-12));
        let mut r = ScaleByTrustRatio::new();
        let mut g = vec![3.0, 4.0];
        r.update(&mut g, &[0.0, 10.0]);
        assert!((g.iter().map(|x| x * x).sum::<f64>().sqrt() - 10.0).abs() < 1e-12);
        assert!(ScaleByInverseSpectralNorm::new(0, 2, 1).is_err());
    }
}
