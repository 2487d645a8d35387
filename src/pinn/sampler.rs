//! Point samplers on the unit cube, all driven by a seed.

use rand::{seq::SliceRandom, Rng, SeedableRng};

/// How collocation points are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// Independent uniform points.
    Uniform,
    /// Latin hypercube: each axis cut into `n` strata, one point per stratum, strata paired
    /// across axes by seeded permutations (McKay, Beckman & Conover 1979).
    LatinHypercube,
    /// The Halton sequence (bases 2, 3, 5, …), with a seeded Cranley-Patterson shift so that
    /// different seeds give different (still low-discrepancy) point sets.
    Halton,
}

const PRIMES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];

fn radical_inverse(mut i: u64, base: u64) -> f64 {
    let (mut f, mut r) = (1.0, 0.0);
    while i > 0 {
        f /= base as f64;
        r += f * (i % base) as f64;
        i /= base;
    }
    r
}

impl Sampler {
    /// `n` points in `[0, 1]^d`, row-major.
    pub fn unit(self, n: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        match self {
            Sampler::Uniform => (0..n * d).map(|_| rng.random::<f64>()).collect(),
            Sampler::LatinHypercube => {
                let mut pts = vec![0.0; n * d];
                let mut perm: Vec<usize> = (0..n).collect();
                for axis in 0..d {
                    perm.shuffle(&mut rng);
                    for (p, &s) in perm.iter().enumerate() {
                        pts[p * d + axis] = (s as f64 + rng.random::<f64>()) / n as f64;
                    }
                }
                pts
            }
            Sampler::Halton => {
                let shift: Vec<f64> = (0..d).map(|_| rng.random::<f64>()).collect();
                let mut pts = Vec::with_capacity(n * d);
                for i in 0..n {
                    for (axis, s) in shift.iter().enumerate() {
                        let v = radical_inverse(i as u64 + 1, PRIMES[axis % PRIMES.len()]) + s;
                        pts.push(v - v.floor());
                    }
                }
                pts
            }
        }
    }

    /// The name used on the command line and in run files.
    pub fn name(self) -> &'static str {
        match self {
            Sampler::Uniform => "uniform",
            Sampler::LatinHypercube => "lhs",
            Sampler::Halton => "halton",
        }
    }
}

impl std::str::FromStr for Sampler {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "uniform" => Ok(Sampler::Uniform),
            "lhs" => Ok(Sampler::LatinHypercube),
            "halton" => Ok(Sampler::Halton),
            o => Err(crate::Error::InvalidConfig {
                component: "sampler",
                message: format!("unknown sampler {o:?} (expected uniform, lhs or halton)"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let n = 50;
        let pts = Sampler::LatinHypercube.unit(n, 3, 7);
        for axis in 0..3 {
            let mut strata: Vec<usize> = (0..n)
                .map(|p| (pts[p * 3 + axis] * n as f64) as usize)
                .collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn samplers_are_seeded_and_fill_the_cube() {
        for s in [Sampler::Uniform, Sampler::LatinHypercube, Sampler::Halton] {
            let a = s.unit(4096, 2, 1);
            assert_eq!(a, s.unit(4096, 2, 1));
            assert_ne!(a, s.unit(4096, 2, 2));
            assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
            // Mean of x·y over the unit square is 1/4: within 3/√n of it for random
            // points, far closer for the low-discrepancy ones.
            let m = (0..4096).map(|p| a[2 * p] * a[2 * p + 1]).sum::<f64>() / 4096.0;
            assert!((m - 0.25).abs() < 3.0 / 64.0 * 0.25, "{s:?}: {m}");
        }
        // Halton's star discrepancy makes the integration error O(log² n / n).
        let h = Sampler::Halton.unit(4096, 2, 3);
        let m = (0..4096).map(|p| h[2 * p] * h[2 * p + 1]).sum::<f64>() / 4096.0;
        assert!((m - 0.25).abs() < 2e-3, "{m}");
    }
}
