//! Experiment 3: exploding gradients in a recurrent network; clipping, Adam, and both.

use rand::{Rng, SeedableRng};

use crate::benchmarks::landscapes::Finding;
use crate::error::Result;
use crate::optim::{rules, AdamConfig, ClipByGlobalNorm, Optimizer};
use crate::problem::Problem;
use crate::rng::standard_normal;

/// A vanilla RNN `h_t = tanh(W h_{t−1} + u x_t + b)`, `h_0 = 0`, read out at the end,
/// `ŷ = vᵀh_T + c`, on a long-memory task: each sequence starts with `x_1 = ±1` and continues
/// with `T − 1` noise inputs `N(0, 0.1²)`; the target is `x_1`. Loss `(1/2m)Σ(ŷ − y)²` over `m`
/// seeded sequences, gradients by backpropagation through time. Parameters: `W` (`H × H`,
/// row-major), `u`, `b`, `v`, `c`.
#[derive(Debug, Clone)]
pub struct MemoryRnn {
    hidden: usize,
    sequences: Vec<Vec<f64>>,
}

impl MemoryRnn {
    /// `count` sequences of length `length`, drawn from `seed`.
    pub fn new(hidden: usize, count: usize, length: usize, seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let sequences = (0..count)
            .map(|_| {
                let mut s = vec![if rng.random::<bool>() { 1.0 } else { -1.0 }];
                s.extend((1..length).map(|_| 0.1 * standard_normal(&mut rng)));
                s
            })
            .collect();
        Self { hidden, sequences }
    }

    /// `W ~ N(0, gain²/H)` (gain > 1: the chaotic, exploding regime), the rest `~ N(0, 1/H)`.
    pub fn init(&self, gain: f64, seed: u64) -> Vec<f64> {
        let h = self.hidden;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..self.dim())
            .map(|k| {
                let s = if k < h * h { gain } else { 1.0 };
                s * standard_normal(&mut rng) / (h as f64).sqrt()
            })
            .collect()
    }
}

impl Problem for MemoryRnn {
    fn name(&self) -> String {
        format!("memory RNN (hidden {})", self.hidden)
    }

    fn dim(&self) -> usize {
        self.hidden * self.hidden + 3 * self.hidden + 1
    }

    fn evaluate(&self, theta: &[f64], grad: &mut [f64], _components: &mut [f64]) -> Result<f64> {
        let h = self.hidden;
        let (w, rest) = theta.split_at(h * h);
        let (u, rest) = rest.split_at(h);
        let (b, rest) = rest.split_at(h);
        let (v, c) = rest.split_at(h);
        grad.iter_mut().for_each(|g| *g = 0.0);
        let m = self.sequences.len() as f64;
        let mut loss = 0.0;
        for seq in &self.sequences {
            // Forward, keeping every state.
            let mut states = vec![vec![0.0; h]];
            for &x in seq {
                let prev = states.last().expect("h_0");
                let next: Vec<f64> = (0..h)
                    .map(|i| {
                        ((0..h).map(|j| w[i * h + j] * prev[j]).sum::<f64>() + u[i] * x + b[i])
                            .tanh()
                    })
                    .collect();
                states.push(next);
            }
            let last = states.last().expect("h_T");
            let out = (0..h).map(|i| v[i] * last[i]).sum::<f64>() + c[0];
            let r = (out - seq[0]) / m;
            loss += 0.5 * (out - seq[0]).powi(2) / m;
            let (gw, grest) = grad.split_at_mut(h * h);
            let (gu, grest) = grest.split_at_mut(h);
            let (gb, grest) = grest.split_at_mut(h);
            let (gv, gc) = grest.split_at_mut(h);
            gc[0] += r;
            let mut dh: Vec<f64> = (0..h).map(|i| r * v[i]).collect();
            for i in 0..h {
                gv[i] += r * last[i];
            }
            // Backward through time.
            for t in (0..seq.len()).rev() {
                let (hn, hp) = (&states[t + 1], &states[t]);
                let dz: Vec<f64> = (0..h).map(|i| dh[i] * (1.0 - hn[i] * hn[i])).collect();
                for i in 0..h {
                    for j in 0..h {
                        gw[i * h + j] += dz[i] * hp[j];
                    }
                    gu[i] += dz[i] * seq[t];
                    gb[i] += dz[i];
                }
                dh = (0..h)
                    .map(|j| (0..h).map(|i| w[i * h + j] * dz[i]).sum())
                    .collect();
            }
        }
        Ok(loss)
    }
}

/// One seeded run (`run`) of rule `name` at `lr`: whether it diverged (a non-finite loss, a
/// refused step or a loss above 10× the initial), the initial and final loss, the loss curve.
fn train(name: &str, lr: f64, run: u64) -> Result<(bool, f64, f64, super::Curve)> {
    let p = MemoryRnn::new(8, 32, 40, 300 + run);
    let mut theta = p.init(3.0, 400 + run);
    let base = match name {
        "gd" | "gd_clip" => rules::gd(lr)?,
        _ => rules::adam(lr, AdamConfig::default())?,
    };
    let mut opt: Optimizer = if name.ends_with("clip") {
        base.prepend(Box::new(ClipByGlobalNorm::new(1.0)?))
    } else {
        base
    };
    let mut g = vec![0.0; p.dim()];
    let initial = p.evaluate(&theta, &mut g, &mut [])?;
    let mut curve = Vec::new();
    for step in 0..400 {
        let last = p.evaluate(&theta, &mut g, &mut [])?;
        curve.push((step as f64, last));
        if !last.is_finite() || last > 10.0 * initial || opt.step(&mut theta, &g).is_err() {
            return Ok((true, initial, last, curve));
        }
    }
    let last = p.loss(&theta)?;
    Ok((
        !last.is_finite() || last > 10.0 * initial,
        initial,
        last,
        curve,
    ))
}

/// Claim (article 5 and the clipping literature): recurrent networks suffer exploding
/// gradients; clipping by the global norm (and Adam's normalisation) keep training stable.
/// Measured on 10 seeded runs (initialisations and data) of an 8-unit RNN on sequences of 40
/// steps, recurrent gain 3 (chaotic), 400 full-batch steps of GD, GD with clipping to global
/// norm 1, Adam, and Adam with clipping, each at the rate (grid) with the lowest mean final
/// loss (a diverged run counts with its initial loss): divergences (a non-finite loss or one
/// above 10× the initial) and the median final loss at that rate, and divergences summed over
/// the pair's shared grid of 5 rates (robustness to the rate).
pub fn exploding_gradients(runs: u64) -> Result<Finding> {
    let mut f = Finding::new(3, "clipping (and Adam) tame exploding RNN gradients");
    f.axes = ["step", "loss (first run)"];
    f.log_y = true;
    // Each pair (without, with clipping) shares its grid, so divergences over it compare.
    let rules_: [(&str, [f64; 5]); 4] = [
        ("gd", [0.01, 0.03, 0.1, 0.3, 1.0]),
        ("gd_clip", [0.01, 0.03, 0.1, 0.3, 1.0]),
        ("adam", [1e-3, 3e-3, 1e-2, 3e-2, 0.1]),
        ("adam_clip", [1e-3, 3e-3, 1e-2, 3e-2, 0.1]),
    ];
    let mut rows = Vec::new();
    for (name, grid) in rules_ {
        let mut best: Option<(f64, f64, u64, f64)> = None;
        let mut total_diverged = 0;
        for lr in grid {
            let (mut losses, mut diverged, mut mean) = (Vec::new(), 0, 0.0);
            for run in 0..runs {
                let (blown, initial, last, _) = train(name, lr, run)?;
                diverged += blown as u64;
                let counted = if blown { initial } else { last };
                mean += counted / runs as f64;
                losses.push(counted);
            }
            total_diverged += diverged;
            losses.sort_by(f64::total_cmp);
            let median = losses[losses.len() / 2];
            if best.is_none_or(|b| mean < b.1) {
                best = Some((lr, mean, diverged, median));
            }
        }
        let (lr, _, diverged, median) = best.expect("non-empty grid");
        f.curve(format!("{name} (rate {lr})"), train(name, lr, 0)?.3);
        f.num(format!("{name}.rate"), lr)
            .num(format!("{name}.diverged"), diverged as f64)
            .num(format!("{name}.median_loss"), median)
            .num(format!("{name}.diverged_over_grid"), total_diverged as f64);
        rows.push((name, diverged, median, total_diverged));
    }
    let (gd, clip, adam, both) = (rows[0], rows[1], rows[2], rows[3]);
    f.holds = clip.3 < gd.3 && clip.2 <= gd.2 && both.3 <= adam.3;
    f.note = format!(
        "at each rule's best rate, diverged runs of {runs} / median final loss: GD {} / {:.3}, \
         GD+clip {} / {:.3}, Adam {} / {:.3}, Adam+clip {} / {:.3}; diverged over the 5-rate \
         grid: {}, {}, {}, {}",
        gd.1, gd.2, clip.1, clip.2, adam.1, adam.2, both.1, both.2, gd.3, clip.3, adam.3, both.3
    );
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let p = MemoryRnn::new(3, 4, 6, 1);
        let theta = p.init(1.5, 2);
        super::super::assert_gradient(&p, &theta, 1e-8);
    }
}
