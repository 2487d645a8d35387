//! Residual-based adaptive distribution (RAD) of the collocation points.

use rand::{Rng, SeedableRng};

use super::{Pinn, Sampler};
use crate::error::{Error, Result};

/// Settings of [`Pinn::resample_rad`]: draw `candidates` uniform points and keep as many as
/// the residual term has, chosen without replacement with probability proportional to
///
/// `p(x) ∝ |r(x)|ᵏ / mean(|r|ᵏ) + c`
///
/// (Wu, Zhu, Tan, Kartha & Lu 2023, "A comprehensive study of non-adaptive and residual-based
/// adaptive sampling for physics-informed neural networks", eq. 2; `k = 1, c = 0` is what
/// Urbán et al. use with self-scaled quasi-Newton methods). `c → ∞` is uniform resampling,
/// `k → ∞` keeps the largest residuals (RAR-like).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rad {
    /// The exponent `k` (≥ 0; default 1).
    pub k: f64,
    /// The uniform share `c` (≥ 0; default 0).
    pub c: f64,
    /// Candidate points per resample (default 100 000).
    pub candidates: usize,
}

impl Default for Rad {
    fn default() -> Self {
        Self {
            k: 1.0,
            c: 0.0,
            candidates: 100_000,
        }
    }
}

/// What one resample saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadStats {
    /// Largest |residual| among the candidates.
    pub max_residual: f64,
    /// Mean |residual| among the candidates.
    pub mean_residual: f64,
    /// Mean |residual| at the chosen points.
    pub chosen_mean_residual: f64,
}

impl Pinn {
    /// Replaces the residual term's points by as many fresh uniform points (seeded).
    pub fn resample_uniform(&mut self, seed: u64) {
        let d = self.domain.dim();
        let n = self.terms[0].points.len() / d;
        self.terms[0].points = self.domain.interior(n, Sampler::Uniform, seed);
        self.terms[0].point_weights = None;
    }

    /// Replaces the residual term's points by a RAD sample of the same size (see [`Rad`]),
    /// scored with the parameters `params`; the draw is seeded by `seed`. Weighted sampling
    /// without replacement uses the keys `ln(u)/w` (Efraimidis & Spirakis 2006), so it is one
    /// sort, independent of the number of threads.
    pub fn resample_rad(&mut self, params: &[f64], rad: &Rad, seed: u64) -> Result<RadStats> {
        self.resample_rad_scored(rad, seed, |pinn, pts| pinn.residuals(params, pts))
    }

    /// [`Pinn::resample_rad`] with the candidates' residuals from `score(self, candidates)`
    /// (all ranks of a distributed run score their share and gather them).
    pub(super) fn resample_rad_scored<S>(
        &mut self,
        rad: &Rad,
        seed: u64,
        score: S,
    ) -> Result<RadStats>
    where
        S: FnOnce(&Pinn, &[f64]) -> Result<Vec<f64>>,
    {
        let d = self.domain.dim();
        let n = self.terms[0].points.len() / d;
        if !(rad.k.is_finite() && rad.k >= 0.0 && rad.c.is_finite() && rad.c >= 0.0) {
            return Err(Error::InvalidConfig {
                component: "rad",
                message: format!("k = {} and c = {} must be finite and ≥ 0", rad.k, rad.c),
            });
        }
        if rad.candidates < n {
            return Err(Error::InvalidConfig {
                component: "rad",
                message: format!(
                    "{} candidates cannot give {n} points without replacement",
                    rad.candidates
                ),
            });
        }
        let pts = self
            .domain
            .interior(rad.candidates, Sampler::Uniform, seed ^ 0x5241_4400);
        if let Some(tr) = &self.transform {
            tr.check(self.pde.spec(), &pts, "rad")?;
        }
        let r: Vec<f64> = score(self, &pts)?.into_iter().map(f64::abs).collect();
        if r.len() != rad.candidates {
            return Err(Error::DimensionMismatch {
                component: "rad",
                what: "candidate residuals",
                expected: rad.candidates,
                got: r.len(),
            });
        }
        if let Some(i) = r.iter().position(|v| !v.is_finite()) {
            return Err(Error::Residual {
                pde: self.pde.name().to_string(),
                point: pts[i * d..(i + 1) * d].to_vec(),
                value: r[i],
            });
        }
        let powered: Vec<f64> = r.iter().map(|v| v.powf(rad.k)).collect();
        let mean = powered.iter().sum::<f64>() / powered.len() as f64;
        let weights: Vec<f64> = if mean > 0.0 {
            powered.iter().map(|v| v / mean + rad.c).collect()
        } else {
            vec![1.0; powered.len()]
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut keyed: Vec<(f64, usize)> = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
                let key = if w > 0.0 {
                    u.ln() / w
                } else {
                    f64::NEG_INFINITY
                };
                (key, i)
            })
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut chosen = Vec::with_capacity(n * d);
        let mut chosen_sum = 0.0;
        for &(_, i) in &keyed[..n] {
            chosen.extend_from_slice(&pts[i * d..(i + 1) * d]);
            chosen_sum += r[i];
        }
        self.terms[0].points = chosen;
        self.terms[0].point_weights = None;
        Ok(RadStats {
            max_residual: r.iter().cloned().fold(0.0, f64::max),
            mean_residual: r.iter().sum::<f64>() / r.len() as f64,
            chosen_mean_residual: chosen_sum / n.max(1) as f64,
        })
    }
}
