//! Experiment 2: neuron rates that shrink towards saturation, in a tanh network.

use std::sync::Arc;

use rand::{Rng, SeedableRng};

use crate::benchmarks::landscapes::{log_grid, Finding};
use crate::error::Result;
use crate::optim::{rules, AdamConfig, FeedbackFn, Optimizer, ScaleByFeedback};
use crate::problem::Problem;
use crate::rng::standard_normal;

/// A one-hidden-layer tanh network `ŷ = w₂ᵀ tanh(W₁x + b₁) + b₂` on 2-D inputs fitted to
/// `y = sin(2x₁) cos(2x₂)` at seeded points of `[−1, 1]²`, loss `(1/2n)Σ(ŷ − y)²`.
/// Parameters: `W₁` (`width × 2`, row-major), `b₁`, `w₂`, `b₂`.
#[derive(Debug, Clone)]
pub struct TanhRegression {
    width: usize,
    inputs: Vec<[f64; 2]>,
    targets: Vec<f64>,
}

impl TanhRegression {
    /// `points` seeded inputs and their targets.
    pub fn new(width: usize, points: usize, seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let inputs: Vec<[f64; 2]> = (0..points)
            .map(|_| {
                [
                    2.0 * rng.random::<f64>() - 1.0,
                    2.0 * rng.random::<f64>() - 1.0,
                ]
            })
            .collect();
        let targets = inputs
            .iter()
            .map(|x| (2.0 * x[0]).sin() * (2.0 * x[1]).cos())
            .collect();
        Self {
            width,
            inputs,
            targets,
        }
    }

    /// Parameters with first-layer weights and biases `~ N(0, scale²)` (large `scale`:
    /// saturated from the start) and output weights `~ N(0, 1/width)`.
    pub fn init(&self, scale: f64, seed: u64) -> Vec<f64> {
        let h = self.width;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..4 * h + 1)
            .map(|i| {
                let z = standard_normal(&mut rng);
                if i < 3 * h {
                    scale * z
                } else {
                    z / (h as f64).sqrt()
                }
            })
            .collect()
    }

    /// Pre-activations `z_ij` (example-major).
    pub fn pre_activations(&self, theta: &[f64]) -> Vec<f64> {
        let h = self.width;
        let mut z = Vec::with_capacity(self.inputs.len() * h);
        for x in &self.inputs {
            for j in 0..h {
                z.push(theta[2 * j] * x[0] + theta[2 * j + 1] * x[1] + theta[2 * h + j]);
            }
        }
        z
    }

    /// Neurons whose mean `1 − tanh²(z)` over the data is below 0.1 (saturated), as a fraction.
    pub fn saturated_fraction(&self, theta: &[f64]) -> f64 {
        let h = self.width;
        let z = self.pre_activations(theta);
        let n = self.inputs.len() as f64;
        let dead = (0..h)
            .filter(|&j| {
                let slope: f64 = (0..self.inputs.len())
                    .map(|i| 1.0 - z[i * h + j].tanh().powi(2))
                    .sum();
                slope / n < 0.1
            })
            .count();
        dead as f64 / h as f64
    }

    /// The saturation-aware factors: `1/(1 + m_j)` for every parameter of neuron `j`
    /// (`W₁` row, `b₁`, `w₂` entry), `m_j` its mean `|z|` over the data; 1 for `b₂`.
    pub fn neuron_factors(&self, theta: &[f64]) -> Vec<f64> {
        let h = self.width;
        let z = self.pre_activations(theta);
        let n = self.inputs.len() as f64;
        let m: Vec<f64> = (0..h)
            .map(|j| {
                (0..self.inputs.len())
                    .map(|i| z[i * h + j].abs())
                    .sum::<f64>()
                    / n
            })
            .collect();
        let mut s = vec![1.0; 4 * h + 1];
        for j in 0..h {
            let f = 1.0 / (1.0 + m[j]);
            s[2 * j] = f;
            s[2 * j + 1] = f;
            s[2 * h + j] = f;
            s[3 * h + j] = f;
        }
        s
    }
}

impl Problem for TanhRegression {
    fn name(&self) -> String {
        format!("tanh regression (width {})", self.width)
    }

    fn dim(&self) -> usize {
        4 * self.width + 1
    }

    fn evaluate(&self, theta: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let h = self.width;
        let n = self.inputs.len() as f64;
        let z = self.pre_activations(theta);
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        for (i, x) in self.inputs.iter().enumerate() {
            let a: Vec<f64> = z[i * h..(i + 1) * h].iter().map(|v| v.tanh()).collect();
            let out = (0..h).map(|j| theta[3 * h + j] * a[j]).sum::<f64>() + theta[4 * h];
            let r = (out - self.targets[i]) / n;
            loss += 0.5 * (out - self.targets[i]).powi(2) / n;
            for j in 0..h {
                let delta = r * theta[3 * h + j] * (1.0 - a[j] * a[j]);
                grad[2 * j] += delta * x[0];
                grad[2 * j + 1] += delta * x[1];
                grad[2 * h + j] += delta;
                grad[3 * h + j] += r * a[j];
            }
            grad[4 * h] += r;
        }
        Ok(loss)
    }
}

/// Claim (article 5): lowering a neuron's rate as it drifts towards saturation keeps it in the
/// responsive regime and helps learning. Measured on a width-16 tanh network (200 points) from
/// a deliberately large initialisation (first-layer weights and biases ~ N(0, 8²)), 3000 steps
/// of GD, Adam and GD with each neuron's rate times `1/(1 + mean|z|)`, each at its best rate
/// (log grid, by final loss): final loss and the fraction of saturated neurons (mean
/// `1 − tanh²` below 0.1), also at the start.
pub fn saturation_rates() -> Result<Finding> {
    let mut f = Finding::new(2, "neuron rates shrinking near saturation help");
    f.axes = ["step", "loss"];
    f.log_y = true;
    let p = Arc::new(TanhRegression::new(16, 200, 2));
    let theta0 = p.init(8.0, 3);
    f.num("initial_saturated", p.saturated_fraction(&theta0))
        .num("initial_loss", p.loss(&theta0)?);
    let aware = {
        let p = p.clone();
        move |lr: f64| -> Result<Optimizer> {
            let p = p.clone();
            let fb: FeedbackFn = Arc::new(move |theta: &[f64]| p.neuron_factors(theta));
            Optimizer::new(
                "saturation-aware",
                lr,
                vec![Box::new(ScaleByFeedback::new(fb))],
            )
        }
    };
    let mut rows = Vec::new();
    for name in ["saturation_aware", "gd", "adam"] {
        let grid = if name == "adam" {
            log_grid(1e-4, 1.0, 2)
        } else {
            log_grid(1e-3, 100.0, 2)
        };
        let mut best: Option<(f64, f64, f64, super::Curve)> = None;
        for &lr in &grid {
            let mut opt = match name {
                "saturation_aware" => aware(lr)?,
                "gd" => rules::gd(lr)?,
                _ => rules::adam(lr, AdamConfig::default())?,
            };
            opt.init(theta0.len());
            let (mut theta, mut g) = (theta0.clone(), vec![0.0; theta0.len()]);
            let (mut ok, mut history) = (true, Vec::new());
            for step in 0..3000 {
                let l = p.evaluate(&theta, &mut g, &mut [])?;
                if step % 10 == 0 {
                    history.push((step as f64, l));
                }
                if !l.is_finite() || opt.step(&mut theta, &g).is_err() {
                    ok = false;
                    break;
                }
            }
            let loss = if ok { p.loss(&theta)? } else { f64::INFINITY };
            if loss.is_finite() && best.as_ref().is_none_or(|b| loss < b.1) {
                best = Some((lr, loss, p.saturated_fraction(&theta), history));
            }
        }
        let (lr, loss, sat, history) =
            best.unwrap_or((f64::NAN, f64::INFINITY, f64::NAN, Vec::new()));
        f.curve(format!("{name} (rate {lr:.3})"), history);
        f.num(format!("{name}.rate"), lr)
            .num(format!("{name}.loss"), loss)
            .num(format!("{name}.saturated"), sat);
        rows.push((loss, sat));
    }
    let (a, gd, adam) = (rows[0], rows[1], rows[2]);
    f.holds = a.0 < gd.0 && a.0 < adam.0 && a.1 <= gd.1.min(adam.1);
    f.note = format!(
        "from {:.0} % saturated neurons: final loss {:.2e} (saturation-aware) against GD {:.2e} \
         and Adam {:.2e}; saturated at the end {:.0} % / {:.0} % / {:.0} %: {}",
        100.0 * f.get("initial_saturated").unwrap_or(f64::NAN),
        a.0,
        gd.0,
        adam.0,
        100.0 * a.1,
        100.0 * gd.1,
        100.0 * adam.1,
        if f.holds {
            "lower loss and no more saturation than both"
        } else {
            "not better than both"
        }
    );
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let p = TanhRegression::new(5, 30, 1);
        let theta = p.init(1.5, 2);
        super::super::assert_gradient(&p, &theta, 1e-8);
    }
}
