//! Experiment 7: TD(0) with rates proportional to the TD error on the classic random walk.

use rand::{Rng, SeedableRng};

use crate::benchmarks::landscapes::Finding;
use crate::error::Result;
use crate::optim::{Optimizer, ScaleByGlobalNorm};
use crate::rng::standard_normal;

/// The random walk of Sutton (1988) and Sutton & Barto (Example 6.2): `states` non-terminal
/// states in a row, every episode starting in the middle and stepping left or right with
/// probability ½; leaving on the right pays 1, on the left 0, so with no discount the true
/// values are `V(k) = (k + 1)/(states + 1)`. `reward_noise` adds zero-mean Gaussian noise to
/// every reward (the values stay the same).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomWalk {
    /// Non-terminal states (5 in the classic walk).
    pub states: usize,
    /// Standard deviation of the reward noise.
    pub reward_noise: f64,
}

impl RandomWalk {
    /// The true values `(k + 1)/(states + 1)`.
    pub fn true_values(&self) -> Vec<f64> {
        (0..self.states)
            .map(|k| (k + 1) as f64 / (self.states + 1) as f64)
            .collect()
    }

    /// One episode of tabular TD(0) from the middle state: at each transition `s → s'` with
    /// reward `r`, `δ = r + V(s') − V(s)` (`V = 0` at the terminals), and `opt` takes a step on
    /// the gradient of `½δ²` in `V(s)` with `V(s')` held fixed (the semi-gradient): `−δ` in
    /// coordinate `s`, zero elsewhere.
    pub fn episode(
        &self,
        values: &mut [f64],
        opt: &mut Optimizer,
        rng: &mut impl Rng,
    ) -> Result<()> {
        let n = self.states as i64;
        let mut s = n / 2;
        let mut grad = vec![0.0; self.states];
        loop {
            let next = if rng.random::<bool>() { s + 1 } else { s - 1 };
            let mut reward = if next == n { 1.0 } else { 0.0 };
            if self.reward_noise > 0.0 {
                reward += self.reward_noise * standard_normal(rng);
            }
            let terminal = next < 0 || next == n;
            let v_next = if terminal { 0.0 } else { values[next as usize] };
            let delta = reward + v_next - values[s as usize];
            grad.iter_mut().for_each(|g| *g = 0.0);
            grad[s as usize] = -delta;
            opt.step(values, &grad)?;
            if terminal {
                return Ok(());
            }
            s = next;
        }
    }
}

/// RMS error curve over `episodes` (mean over `runs` seeded runs, values starting at ½) and
/// the number of runs that diverged (a value beyond ±100 or not finite).
fn curve(
    walk: &RandomWalk,
    opt: &Optimizer,
    runs: u64,
    episodes: usize,
) -> Result<(Vec<f64>, u64)> {
    let truth = walk.true_values();
    let mut mean = vec![0.0; episodes];
    let mut diverged = 0;
    for run in 0..runs {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1000 + run);
        let mut opt = opt.clone();
        opt.init(walk.states);
        let mut v = vec![0.5; walk.states];
        let mut blown = false;
        for point in mean.iter_mut() {
            if !blown {
                // The optimizer refuses a non-finite error: that run has diverged too.
                match walk.episode(&mut v, &mut opt, &mut rng) {
                    Ok(()) => {}
                    Err(crate::Error::NonFinite { .. }) => v[0] = f64::INFINITY,
                    Err(e) => return Err(e),
                }
                blown = v.iter().any(|x| !x.is_finite() || x.abs() > 100.0);
            }
            let rms = if blown {
                f64::INFINITY
            } else {
                (v.iter()
                    .zip(&truth)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    / walk.states as f64)
                    .sqrt()
            };
            *point += rms / runs as f64;
        }
        diverged += blown as u64;
    }
    Ok((mean, diverged))
}

/// The rule: constant rate `α` (plain TD(0)), or a rate `c|δ|` ([`ScaleByGlobalNorm`]).
fn rule(surprise: bool, rate: f64) -> Result<Optimizer> {
    if surprise {
        Optimizer::new(
            "td-surprise",
            rate,
            vec![Box::new(ScaleByGlobalNorm::new())],
        )
    } else {
        Optimizer::new("td", rate, vec![])
    }
}

/// Claim (article 5): rates proportional to the TD error's magnitude "dramatically accelerate"
/// learning, but in a noisy environment can diverge. Measured on the 5-state walk, 100 episodes,
/// `runs` seeded runs: each rule's best rate on the deterministic walk (constant α ∈ {0.025,
/// 0.05, 0.1, 0.2, 0.4, 0.8}; gain c ∈ {0.25, 0.5, 1, 2, 4}) by the mean RMS error over the first 20
/// episodes (early speed), with its RMS after 100; then the same rules with reward noise σ = 1
/// on every transition: RMS after 100 and the diverged runs.
pub fn td_error_rates(runs: u64) -> Result<Finding> {
    let mut f = Finding::new(7, "rates ∝ |TD error| speed up, can diverge with noise");
    f.axes = ["episode", "RMS value error (mean over runs)"];
    f.log_y = true;
    let clean = RandomWalk {
        states: 5,
        reward_noise: 0.0,
    };
    let noisy = RandomWalk {
        reward_noise: 1.0,
        ..clean
    };
    let grids = [
        (false, vec![0.025, 0.05, 0.1, 0.2, 0.4, 0.8]),
        (true, vec![0.25, 0.5, 1.0, 2.0, 4.0]),
    ];
    let mut summary = Vec::new();
    for (surprise, rates) in grids {
        let label = if surprise { "surprise" } else { "constant" };
        let mut best: Option<(f64, f64, f64, Vec<f64>)> = None;
        for &rate in &rates {
            let (c, _) = curve(&clean, &rule(surprise, rate)?, runs, 100)?;
            let early = c[..20].iter().sum::<f64>() / 20.0;
            f.num(format!("{label}.rate{rate}.early_rms"), early);
            if best.as_ref().is_none_or(|b| early < b.1) {
                best = Some((rate, early, c[99], c));
            }
        }
        let (rate, early, last, clean_curve) = best.expect("non-empty grid");
        let points = |c: &[f64]| {
            c.iter()
                .enumerate()
                .map(|(e, v)| ((e + 1) as f64, *v))
                .collect()
        };
        f.curve(format!("{label} rate {rate}, clean"), points(&clean_curve));
        let mut noisy_diverged = Vec::new();
        for &r in &rates {
            let (c, d) = curve(&noisy, &rule(surprise, r)?, runs, 100)?;
            if r == rate {
                f.curve(format!("{label} rate {rate}, reward noise 1"), points(&c));
            }
            f.num(format!("{label}.rate{r}.noisy_final_rms"), c[99])
                .num(format!("{label}.rate{r}.noisy_diverged"), d as f64);
            noisy_diverged.push((r, d));
        }
        let at_best = noisy_diverged
            .iter()
            .find(|(r, _)| *r == rate)
            .map_or(0, |x| x.1);
        f.num(format!("{label}.best_rate"), rate)
            .num(format!("{label}.best_early_rms"), early)
            .num(format!("{label}.best_final_rms"), last)
            .num(format!("{label}.best_noisy_diverged"), at_best as f64);
        summary.push((rate, early, last, at_best));
    }
    let (c, s) = (summary[0], summary[1]);
    let faster = s.1 < c.1;
    let diverges = s.3 > 0 && c.3 == 0;
    f.holds = faster && diverges;
    f.note = format!(
        "clean walk, tuned: early RMS (episodes 1-20) {:.4} with rate {}|delta| against {:.4} \
         with alpha = {} ({}); RMS after 100 episodes {:.4} against {:.4}; with reward noise \
         sigma = 1 the same rules diverge in {} and {} of {runs} runs",
        s.1,
        s.0,
        c.1,
        c.0,
        if faster { "faster" } else { "not faster" },
        s.2,
        c.2,
        s.3,
        c.3
    );
    Ok(f)
}
