//! [`LogisticRegression`]: binary logistic regression with an L2 penalty, and its Fisher
//! information.

use super::Problem;
use crate::error::{Error, Result};
use crate::rng::standard_normal;
use rand::{Rng, SeedableRng};

/// `f(θ) = (1/n) Σ_i [log(1 + e^{s_i}) − y_i s_i] + (λ/2)‖θ‖²` with `s_i = x_iᵀθ`, labels
/// `y_i ∈ {0, 1}`:
///
/// ```text
/// ∇f = (1/n) Xᵀ(σ(s) − y) + λθ,     F(θ) = (1/n) Xᵀ diag(σ(s)(1 − σ(s))) X + λI,
/// ```
///
/// where `F` is the Fisher information of the model's Bernoulli predictions (plus the penalty);
/// with the canonical link it is also the Hessian, so the natural gradient step `F⁻¹∇f` is
/// Newton's.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    n: usize,
    d: usize,
    features: Vec<f64>,
    labels: Vec<f64>,
    l2: f64,
}

/// `σ(s) = 1/(1 + e^{−s})`, and `log(1 + e^s)` without overflow.
fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + (-s).exp())
}

fn softplus(s: f64) -> f64 {
    s.max(0.0) + (-s.abs()).exp().ln_1p()
}

impl LogisticRegression {
    /// From `n × d` features (row-major), labels in {0, 1} and a penalty `λ ≥ 0`. Errors on a
    /// length mismatch, a non-finite feature, a label that is not 0 or 1, or a bad `λ`.
    pub fn new(n: usize, d: usize, features: Vec<f64>, labels: Vec<f64>, l2: f64) -> Result<Self> {
        let component = "logistic regression";
        for (what, expected, got) in [
            ("features", n * d, features.len()),
            ("labels", n, labels.len()),
        ] {
            if expected != got {
                return Err(Error::DimensionMismatch {
                    component,
                    what,
                    expected,
                    got,
                });
            }
        }
        if let Some(i) = features.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component,
                what: "feature",
                index: i,
                value: features[i],
            });
        }
        if let Some(i) = labels.iter().position(|&y| y != 0.0 && y != 1.0) {
            return Err(Error::InvalidConfig {
                component,
                message: format!("label {i} is {}, not 0 or 1", labels[i]),
            });
        }
        crate::error::non_negative(component, "l2", l2)?;
        Ok(Self {
            n,
            d,
            features,
            labels,
            l2,
        })
    }

    /// A seeded data set: features `x = D z` with `z ~ N(0, I)` and scales `D_jj` spaced
    /// geometrically from 1 to `spread` (an ill-conditioned Fisher), labels drawn from the
    /// model, `P(y = 1) = σ(xᵀθ*)` with `θ*_j = 2ζ_j/D_jj`, `ζ ~ N(0, 1)` (every feature
    /// contributes alike), then each flipped with probability `flip` (label noise). Returns
    /// the problem and `θ*`.
    pub fn synthetic(
        n: usize,
        d: usize,
        spread: f64,
        flip: f64,
        l2: f64,
        seed: u64,
    ) -> Result<(Self, Vec<f64>)> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let scale: Vec<f64> = (0..d)
            .map(|j| spread.powf(j as f64 / (d.max(2) - 1) as f64))
            .collect();
        let theta: Vec<f64> = (0..d)
            .map(|j| 2.0 * standard_normal(&mut rng) / scale[j])
            .collect();
        let mut features = vec![0.0; n * d];
        let mut labels = vec![0.0; n];
        for i in 0..n {
            for j in 0..d {
                features[i * d + j] = scale[j] * standard_normal(&mut rng);
            }
            let s: f64 = (0..d).map(|j| features[i * d + j] * theta[j]).sum();
            let mut y = (rng.random::<f64>() < sigmoid(s)) as u8 as f64;
            if rng.random::<f64>() < flip {
                y = 1.0 - y;
            }
            labels[i] = y;
        }
        Ok((Self::new(n, d, features, labels, l2)?, theta))
    }

    /// Number of examples.
    pub fn examples(&self) -> usize {
        self.n
    }

    /// The labels.
    pub fn labels(&self) -> &[f64] {
        &self.labels
    }

    /// `σ(x_iᵀθ)` for every example.
    pub fn probabilities(&self, theta: &[f64]) -> Vec<f64> {
        (0..self.n).map(|i| sigmoid(self.score(i, theta))).collect()
    }

    fn score(&self, i: usize, theta: &[f64]) -> f64 {
        self.features[i * self.d..(i + 1) * self.d]
            .iter()
            .zip(theta)
            .map(|(a, b)| a * b)
            .sum()
    }

    /// The Fisher information `F(θ)` (= the Hessian), row-major `d × d`.
    pub fn fisher(&self, theta: &[f64]) -> Vec<f64> {
        let d = self.d;
        let mut f = vec![0.0; d * d];
        for i in 0..self.n {
            let p = sigmoid(self.score(i, theta));
            let w = p * (1.0 - p) / self.n as f64;
            let x = &self.features[i * d..(i + 1) * d];
            for a in 0..d {
                for b in 0..d {
                    f[a * d + b] += w * x[a] * x[b];
                }
            }
        }
        for a in 0..d {
            f[a * d + a] += self.l2;
        }
        f
    }
}

impl Problem for LogisticRegression {
    fn name(&self) -> String {
        format!("logistic regression (n = {}, d = {})", self.n, self.d)
    }

    fn dim(&self) -> usize {
        self.d
    }

    fn evaluate(&self, x: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let d = self.d;
        let mut loss = 0.5 * self.l2 * x.iter().map(|v| v * v).sum::<f64>();
        for (g, v) in grad.iter_mut().zip(x) {
            *g = self.l2 * v;
        }
        for i in 0..self.n {
            let s = self.score(i, x);
            loss += (softplus(s) - self.labels[i] * s) / self.n as f64;
            let r = (sigmoid(s) - self.labels[i]) / self.n as f64;
            for (g, xi) in grad.iter_mut().zip(&self.features[i * d..(i + 1) * d]) {
                *g += r * xi;
            }
        }
        Ok(loss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gradient against central differences of the loss, and the Fisher against central
    /// differences of the gradient (it is the Hessian).
    #[test]
    fn gradient_and_fisher_match_finite_differences() {
        let (p, _) = LogisticRegression::synthetic(60, 4, 5.0, 0.1, 1e-2, 3).unwrap();
        let theta = vec![0.3, -0.2, 0.1, 0.05];
        let mut g = vec![0.0; 4];
        p.evaluate(&theta, &mut g, &mut []).unwrap();
        let f = p.fisher(&theta);
        let h = 1e-5;
        for j in 0..4 {
            let (mut plus, mut minus) = (theta.clone(), theta.clone());
            plus[j] += h;
            minus[j] -= h;
            let fd = (p.loss(&plus).unwrap() - p.loss(&minus).unwrap()) / (2.0 * h);
            assert!((fd - g[j]).abs() < 1e-9, "grad {j}: {fd} vs {}", g[j]);
            let (mut gp, mut gm) = (vec![0.0; 4], vec![0.0; 4]);
            p.evaluate(&plus, &mut gp, &mut []).unwrap();
            p.evaluate(&minus, &mut gm, &mut []).unwrap();
            for a in 0..4 {
                let fd = (gp[a] - gm[a]) / (2.0 * h);
                assert!(
                    (fd - f[a * 4 + j]).abs() < 1e-8,
                    "F[{a},{j}]: {fd} vs {}",
                    f[a * 4 + j]
                );
            }
        }
        assert!(LogisticRegression::new(1, 1, vec![1.0], vec![0.5], 0.0).is_err());
        assert!(LogisticRegression::new(1, 2, vec![1.0], vec![0.0], 0.0).is_err());
    }
}
