//! Experiment 1: layer-wise rates `∝ 1/‖W_ℓ‖₂` in a deep linear network with unbalanced layers.

use rand::SeedableRng;

use crate::benchmarks::landscapes::{best_over, log_grid, Finding};
use crate::error::Result;
use crate::optim::{
    rules, MultiTransform, Optimizer, ScaleByInverseSpectralNorm, ScaleByTrustRatio, Transform,
};
use crate::problem::Problem;
use crate::rng::standard_normal;

/// A deep linear network on whitened inputs: `f(W) = ½‖W_L ⋯ W_1 − T‖²_F` with `L` square
/// `w × w` layers (parameters: the layers in order, each row-major), whose gradients are
/// `∂f/∂W_ℓ = (W_L⋯W_{ℓ+1})ᵀ (P − T) (W_{ℓ−1}⋯W_1)ᵀ`.
#[derive(Debug, Clone)]
pub struct DeepLinear {
    width: usize,
    depth: usize,
    target: Vec<f64>,
}

fn matmul(a: &[f64], b: &[f64], w: usize) -> Vec<f64> {
    let mut c = vec![0.0; w * w];
    for i in 0..w {
        for k in 0..w {
            let aik = a[i * w + k];
            for j in 0..w {
                c[i * w + j] += aik * b[k * w + j];
            }
        }
    }
    c
}

fn transpose(a: &[f64], w: usize) -> Vec<f64> {
    (0..w * w).map(|k| a[(k % w) * w + k / w]).collect()
}

fn identity(w: usize) -> Vec<f64> {
    (0..w * w)
        .map(|k| if k / w == k % w { 1.0 } else { 0.0 })
        .collect()
}

impl DeepLinear {
    /// A seeded target `T ~ N(0, 1/w)` entries.
    pub fn new(width: usize, depth: usize, seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let target = (0..width * width)
            .map(|_| standard_normal(&mut rng) / (width as f64).sqrt())
            .collect();
        Self {
            width,
            depth,
            target,
        }
    }

    /// Layers `W_ℓ = c_ℓ (I + 0.2 G_ℓ/√w)` with `c_ℓ = 10^{ℓ/(L−1) − ½}`: norms spread over 10×
    /// while the product's scale stays about 1.
    pub fn unbalanced_init(&self, seed: u64) -> Vec<f64> {
        let (w, l) = (self.width, self.depth);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut theta = Vec::with_capacity(w * w * l);
        for layer in 0..l {
            let c = 10f64.powf(layer as f64 / (l - 1) as f64 - 0.5);
            for k in 0..w * w {
                let eye = if k / w == k % w { 1.0 } else { 0.0 };
                theta.push(c * (eye + 0.2 * standard_normal(&mut rng) / (w as f64).sqrt()));
            }
        }
        theta
    }

    /// The layer each parameter belongs to (labels for [`MultiTransform`]).
    pub fn layer_labels(&self) -> Vec<usize> {
        (0..self.width * self.width * self.depth)
            .map(|k| k / (self.width * self.width))
            .collect()
    }

    /// `‖W_ℓ‖₂` of every layer (200 power iterations).
    pub fn layer_norms(&self, theta: &[f64]) -> Vec<f64> {
        let w = self.width;
        (0..self.depth)
            .map(|l| {
                let layer = &theta[l * w * w..(l + 1) * w * w];
                let mut t = ScaleByInverseSpectralNorm::new(w, w, 200).expect("valid shape");
                t.init(w * w);
                let mut u = vec![0.0; w * w];
                t.update(&mut u, layer);
                t.update(&mut u, layer);
                t.norm()
            })
            .collect()
    }
}

impl Problem for DeepLinear {
    fn name(&self) -> String {
        format!(
            "deep linear network ({} layers of {})",
            self.depth, self.width
        )
    }

    fn dim(&self) -> usize {
        self.width * self.width * self.depth
    }

    fn evaluate(&self, theta: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let (w, l) = (self.width, self.depth);
        let layer = |k: usize| &theta[k * w * w..(k + 1) * w * w];
        // prefix[k] = W_k ⋯ W_1 (prefix[0] = I); suffix[k] = W_L ⋯ W_{k+1}.
        let mut prefix = vec![identity(w)];
        for k in 0..l {
            let next = matmul(layer(k), &prefix[k], w);
            prefix.push(next);
        }
        let mut suffix = vec![identity(w); l + 1];
        for k in (0..l).rev() {
            suffix[k] = matmul(&suffix[k + 1], layer(k), w);
        }
        let e: Vec<f64> = prefix[l]
            .iter()
            .zip(&self.target)
            .map(|(p, t)| p - t)
            .collect();
        for k in 0..l {
            let g = matmul(
                &matmul(&transpose(&suffix[k + 1], w), &e, w),
                &transpose(&prefix[k], w),
                w,
            );
            grad[k * w * w..(k + 1) * w * w].copy_from_slice(&g);
        }
        Ok(0.5 * e.iter().map(|v| v * v).sum::<f64>())
    }
}

/// One transform per layer, grouped by [`MultiTransform`].
fn per_layer(
    p: &DeepLinear,
    make: impl Fn() -> Box<dyn Transform>,
    name: &str,
    lr: f64,
) -> Result<Optimizer> {
    let groups = (0..p.depth).map(|_| make()).collect();
    Optimizer::new(
        name,
        lr,
        vec![Box::new(MultiTransform::new(p.layer_labels(), groups)?)],
    )
}

/// Claim (article 5, the first application): a rate per layer inversely proportional to the
/// layer's spectral norm tames deep networks whose layers differ in scale. Measured on a deep
/// linear network (8 layers of 6 × 6, initial layer norms spread over 10×, seeded target):
/// steps to `f ≤ 1e-6` with one global rate (GD), with `1/‖W_ℓ‖₂` per layer (power iteration,
/// one warm-started product per step) and with the LARS trust ratio `‖W‖_F/‖g‖_F`, each at its
/// best rate on a log grid; and the spread `max/min ‖W_ℓ‖₂` at the end of each best run.
pub fn layerwise_rates() -> Result<Finding> {
    let mut f = Finding::new(1, "layer rates ∝ 1/‖W‖₂ train unbalanced deep nets faster");
    let p = DeepLinear::new(6, 8, 1);
    let x0 = p.unbalanced_init(2);
    let spread = |theta: &[f64]| {
        let n = p.layer_norms(theta);
        n.iter().cloned().fold(0.0, f64::max) / n.iter().cloned().fold(f64::INFINITY, f64::min)
    };
    f.num("initial_spread", spread(&x0));
    f.axes = ["step", "loss"];
    f.log_y = true;
    let max_steps = 50_000;
    let spectral = |lr: f64| {
        per_layer(
            &p,
            || Box::new(ScaleByInverseSpectralNorm::new(6, 6, 1).expect("6 × 6")),
            "spectral",
            lr,
        )
    };
    let lars = |lr: f64| per_layer(&p, || Box::new(ScaleByTrustRatio::new()), "lars", lr);
    let runs = [
        (
            "global",
            best_over(&log_grid(1e-3, 1.0, 4), rules::gd, &p, &x0, 1e-6, max_steps)?,
        ),
        (
            "spectral",
            best_over(&log_grid(1e-3, 1.0, 4), spectral, &p, &x0, 1e-6, max_steps)?,
        ),
        (
            "lars",
            best_over(&log_grid(1e-4, 0.1, 4), lars, &p, &x0, 1e-6, max_steps)?,
        ),
    ];
    let mut steps = Vec::new();
    for (name, r) in &runs {
        let (k, lr) = r.map_or((u64::MAX, f64::NAN), |x| x);
        let end_spread = if r.is_some() {
            let mut opt = match *name {
                "global" => rules::gd(lr)?,
                "spectral" => spectral(lr)?,
                _ => lars(lr)?,
            };
            let (mut x, mut g, mut pts) = (x0.clone(), vec![0.0; x0.len()], Vec::new());
            for step in 0..k {
                pts.push((step as f64, p.evaluate(&x, &mut g, &mut [])?));
                opt.step(&mut x, &g)?;
            }
            f.curve(format!("{name} (rate {lr:.4})"), pts);
            spread(&x)
        } else {
            f64::NAN
        };
        f.num(
            format!("{name}.steps"),
            if k == u64::MAX {
                f64::INFINITY
            } else {
                k as f64
            },
        )
        .num(format!("{name}.rate"), lr)
        .num(format!("{name}.final_spread"), end_spread);
        steps.push((k, end_spread));
    }
    let show = |k: u64| {
        if k == u64::MAX {
            format!("> {max_steps}")
        } else {
            k.to_string()
        }
    };
    f.holds = steps[1].0 < steps[0].0;
    f.note = format!(
        "steps to f <= 1e-6: global {}, 1/||W||_2 per layer {}, LARS {}; layer-norm spread {:.1}x \
         at the start, {:.1}x / {:.1}x / {:.1}x at the end",
        show(steps[0].0),
        show(steps[1].0),
        show(steps[2].0),
        f.get("initial_spread").unwrap_or(f64::NAN),
        steps[0].1,
        steps[1].1,
        steps[2].1
    );
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let p = DeepLinear::new(3, 4, 5);
        let theta = p.unbalanced_init(6);
        super::super::assert_gradient(&p, &theta, 1e-7);
    }
}
