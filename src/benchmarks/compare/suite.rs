//! [`Benchmark`]: the problems of the comparison, each with its start points by seed, its task
//! error, a target, a budget and a learning-rate grid.

use std::sync::Arc;

use super::metered::{Score, Scorer};
use crate::error::Result;
use crate::optim::Projection;
use crate::problem::{PlateauBasin, Problem, Quadratic, Rosenbrock};
use crate::rng::{batch_rng, standard_normal};

/// One problem built for one seed: the problem, the start, the feasible set the rules project
/// onto (if any) and the scorer of points.
pub struct Instance {
    /// The loss.
    pub problem: Box<dyn Problem>,
    /// The start.
    pub x0: Vec<f64>,
    /// The feasible set, for the rules (quasi-Newton methods get an unconstrained form).
    pub set: Option<Arc<dyn Projection>>,
    /// Task error and objective gap of a point.
    pub scorer: Scorer,
}

type Build = Box<dyn Fn(u64, bool) -> Result<Instance> + Send + Sync>;

/// A problem of the comparison.
pub struct Benchmark {
    /// Its name in tables and files.
    pub name: String,
    /// What the task error measures.
    pub error_label: &'static str,
    /// The task error a method must reach to count as solving it ("time to target").
    pub target: f64,
    /// Loss-and-gradient evaluations per run.
    pub budget: u64,
    /// Wall-time cap per run in seconds.
    pub seconds: f64,
    /// Learning rates tried for every method that has one.
    pub rates: Vec<f64>,
    pub(super) build: Build,
}

impl std::fmt::Debug for Benchmark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Benchmark")
            .field("name", &self.name)
            .field("budget", &self.budget)
            .field("rates", &self.rates)
            .finish_non_exhaustive()
    }
}

/// `10^a, 10^(a + 1/k), …, 10^b`: `k` rates per decade.
pub fn rate_grid(a: i32, b: i32, per_decade: u32) -> Vec<f64> {
    let k = per_decade.max(1) as i32;
    (a * k..=b * k)
        .map(|i| 10f64.powf(i as f64 / k as f64))
        .collect()
}

fn noise(seed: u64, stream: u64, n: usize, scale: f64) -> Vec<f64> {
    let mut rng = batch_rng(seed, stream);
    (0..n).map(|_| scale * standard_normal(&mut rng)).collect()
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

impl Benchmark {
    /// The problem for `seed`, in the form for a method that cannot project when
    /// `unconstrained` (the same problem for every unconstrained one).
    pub fn instance(&self, seed: u64, unconstrained: bool) -> Result<Instance> {
        (self.build)(seed, unconstrained)
    }

    /// The 2-D Rosenbrock function from (−1.2, 1) (seed 0; other seeds add N(0, 0.1²) to it).
    /// Error: `‖x − (1, 1)‖`; gap: `f(x)`.
    pub fn rosenbrock(quick: bool) -> Self {
        Self {
            name: "rosenbrock".into(),
            error_label: "‖x − x*‖",
            target: 1e-6,
            budget: if quick { 2000 } else { 5000 },
            seconds: 20.0,
            rates: rate_grid(-5, 0, if quick { 1 } else { 2 }),
            build: Box::new(|seed, _| {
                let f = Rosenbrock::default();
                let mut x0 = vec![-1.2, 1.0];
                if seed > 0 {
                    for (x, e) in x0.iter_mut().zip(noise(seed, 1, 2, 0.1)) {
                        *x += e;
                    }
                }
                let g = f;
                Ok(Instance {
                    problem: Box::new(f),
                    x0,
                    set: None,
                    scorer: Box::new(move |x, _| {
                        Ok(Score {
                            error: distance(x, &[1.0, 1.0]),
                            gap: g.loss(x)?,
                        })
                    }),
                })
            }),
        }
    }

    /// An ill-conditioned quadratic in 50 dimensions: eigenvalues log-spaced over [1, 10³],
    /// eigenvectors rotated by three fixed Householder reflections, minimiser `x*` with
    /// N(0, 1) entries; start at the origin plus N(0, 1) noise by seed. Error
    /// `‖x − x*‖/‖x*‖`; gap `f(x) − f(x*)`.
    pub fn quadratic(quick: bool) -> Result<Self> {
        let n = 50;
        let lambda: Vec<f64> = (0..n)
            .map(|i| 10f64.powf(3.0 * i as f64 / (n - 1) as f64))
            .collect();
        let mut h = vec![0.0; n * n];
        for i in 0..n {
            h[i * n + i] = lambda[i];
        }
        for r in 0..3 {
            let v = noise(7, 100 + r, n, 1.0);
            let vv: f64 = v.iter().map(|a| a * a).sum();
            // H ← (I − 2vvᵀ/vᵀv) H (I − 2vvᵀ/vᵀv).
            for _ in 0..2 {
                let mut t = vec![0.0; n * n];
                for i in 0..n {
                    let hv: f64 = (0..n).map(|k| h[i * n + k] * v[k]).sum();
                    for j in 0..n {
                        t[i * n + j] = h[i * n + j] - 2.0 * hv * v[j] / vv;
                    }
                }
                // Transpose: applying the reflection on the right twice (with a transpose in
                // between) applies it on both sides.
                for i in 0..n {
                    for j in 0..n {
                        h[j * n + i] = t[i * n + j];
                    }
                }
            }
        }
        let star = noise(7, 200, n, 1.0);
        let q = Quadratic::new(h, star.clone())?;
        let norm = distance(&star, &vec![0.0; n]);
        Ok(Self {
            name: "quadratic κ=1e3".into(),
            error_label: "‖x − x*‖/‖x*‖",
            target: 1e-6,
            budget: if quick { 1000 } else { 3000 },
            seconds: 20.0,
            rates: rate_grid(-5, 0, if quick { 1 } else { 2 }),
            build: Box::new(move |seed, _| {
                let x0 = noise(seed, 2, n, 1.0);
                let g = q.clone();
                let star = star.clone();
                Ok(Instance {
                    problem: Box::new(q.clone()),
                    x0,
                    set: None,
                    scorer: Box::new(move |x, _| {
                        Ok(Score {
                            error: distance(x, &star) / norm,
                            gap: g.loss(x)?,
                        })
                    }),
                })
            }),
        })
    }

    /// [`PlateauBasin::standard`] in 10 dimensions, from 3 + N(0, 0.5²) per coordinate (seed 0:
    /// all 3): a long plateau before a narrow well. Error `‖x‖`; gap `f(x)`.
    pub fn plateau(quick: bool) -> Self {
        Self {
            name: "plateau".into(),
            error_label: "‖x − x*‖",
            target: 1e-6,
            budget: if quick { 1000 } else { 3000 },
            seconds: 20.0,
            rates: rate_grid(-4, 1, if quick { 1 } else { 2 }),
            build: Box::new(|seed, _| {
                let n = 10;
                let mut x0 = vec![3.0; n];
                if seed > 0 {
                    for (x, e) in x0.iter_mut().zip(noise(seed, 3, n, 0.5)) {
                        *x += e;
                    }
                }
                let f = PlateauBasin::standard(n);
                let g = f.clone();
                Ok(Instance {
                    problem: Box::new(f),
                    x0,
                    set: None,
                    scorer: Box::new(move |x, _| {
                        Ok(Score {
                            error: distance(x, &vec![0.0; x.len()]),
                            gap: g.loss(x)?,
                        })
                    }),
                })
            }),
        }
    }
}
