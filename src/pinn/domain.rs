//! [`SpaceTime`]: a box in space times a time interval, and point sampling on it.

use super::Sampler;
use crate::error::{Error, Result};

/// A space-time domain `[a₁, b₁] × … × [a_d, b_d] × [t₀, t₁]`. Points are stored row-major
/// with the spatial coordinates first and time last, so input `i < d` is `x_i` and input `d`
/// is `t`. One spatial dimension is the interval case; boxes in more dimensions work the same.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceTime {
    space: Vec<(f64, f64)>,
    time: (f64, f64),
}

fn check_interval(what: &'static str, (a, b): (f64, f64)) -> Result<()> {
    if !(a.is_finite() && b.is_finite() && a < b) {
        return Err(Error::InvalidConfig {
            component: "domain",
            message: format!("{what} interval [{a}, {b}] must be finite with a < b"),
        });
    }
    Ok(())
}

impl SpaceTime {
    /// `[x₀, x₁] × [t₀, t₁]`.
    pub fn interval(x: (f64, f64), t: (f64, f64)) -> Result<Self> {
        Self::new(vec![x], t)
    }

    /// A spatial box (one interval per dimension) times `[t₀, t₁]`.
    pub fn new(space: Vec<(f64, f64)>, time: (f64, f64)) -> Result<Self> {
        if space.is_empty() {
            return Err(Error::InvalidConfig {
                component: "domain",
                message: "needs at least one spatial dimension".into(),
            });
        }
        for s in &space {
            check_interval("space", *s)?;
        }
        check_interval("time", time)?;
        Ok(Self { space, time })
    }

    /// Number of inputs (spatial dimensions + 1).
    pub fn dim(&self) -> usize {
        self.space.len() + 1
    }

    /// Number of spatial dimensions.
    pub fn space_dim(&self) -> usize {
        self.space.len()
    }

    /// The spatial intervals.
    pub fn space(&self) -> &[(f64, f64)] {
        &self.space
    }

    /// The time interval.
    pub fn time(&self) -> (f64, f64) {
        self.time
    }

    fn bounds(&self) -> Vec<(f64, f64)> {
        let mut b = self.space.clone();
        b.push(self.time);
        b
    }

    /// `n` points in the interior (space × time).
    pub fn interior(&self, n: usize, sampler: Sampler, seed: u64) -> Vec<f64> {
        scale(&sampler.unit(n, self.dim(), seed), &self.bounds())
    }

    /// `n` points at `t = t₀` (space sampled).
    pub fn initial(&self, n: usize, sampler: Sampler, seed: u64) -> Vec<f64> {
        let mut b = self.space.clone();
        b.push((self.time.0, self.time.0));
        let d = self.dim();
        let u = sampler.unit(n, d - 1, seed);
        let mut full = Vec::with_capacity(n * d);
        for p in 0..n {
            full.extend_from_slice(&u[p * (d - 1)..(p + 1) * (d - 1)]);
            full.push(0.0);
        }
        scale(&full, &b)
    }

    /// `n` points on the spatial boundary over the whole time interval, shared evenly between
    /// the `2d` faces (the first faces take the remainder).
    pub fn boundary(&self, n: usize, sampler: Sampler, seed: u64) -> Vec<f64> {
        let d = self.dim();
        let faces = 2 * self.space.len();
        let mut pts = Vec::with_capacity(n * d);
        for f in 0..faces {
            let m = n / faces + usize::from(f < n % faces);
            let mut face = self.interior(m, sampler, seed.wrapping_add(f as u64 + 1));
            let (axis, hi) = (f / 2, f % 2 == 1);
            let v = if hi {
                self.space[axis].1
            } else {
                self.space[axis].0
            };
            for p in 0..m {
                face[p * d + axis] = v;
            }
            pts.extend(face);
        }
        pts
    }

    /// A regular grid of `nx` points along the (first) spatial axis, both ends included (see
    /// [`SpaceTime::periodic_grid`] for periodic domains), and `nt` in time, with
    /// `x` varying fastest: row-major `(nt·nx) × 2`, the layout of the reference grids. Only
    /// for one spatial dimension.
    pub fn grid(&self, nx: usize, nt: usize) -> Vec<f64> {
        let (x0, x1) = self.space[0];
        let (t0, t1) = self.time;
        let step = |a: f64, b: f64, n: usize, i: usize| {
            if n == 1 {
                a
            } else {
                a + (b - a) * i as f64 / (n - 1) as f64
            }
        };
        let mut pts = Vec::with_capacity(nx * nt * 2);
        for j in 0..nt {
            for i in 0..nx {
                pts.push(step(x0, x1, nx, i));
                pts.push(step(t0, t1, nt, j));
            }
        }
        pts
    }
}

impl SpaceTime {
    /// The grid of a domain periodic in the (first) spatial axis: `nx` points
    /// `x_i = x₀ + i (x₁ − x₀)/nx` (the right end, the same point as the left, is left out)
    /// and `nt` times from `t₀` to `t₁` inclusive, x fastest, row-major `(nt·nx) × 2`. For
    /// the Allen-Cahn and KdV benchmarks, 512 × 201 is the grid `x = −1 + k/256`, `t = j/200`
    /// of their reference data.
    pub fn periodic_grid(&self, nx: usize, nt: usize) -> Vec<f64> {
        let (x0, x1) = self.space[0];
        let (t0, t1) = self.time;
        let mut pts = Vec::with_capacity(nx * nt * 2);
        for j in 0..nt {
            let t = if nt == 1 {
                t0
            } else {
                t0 + (t1 - t0) * j as f64 / (nt - 1) as f64
            };
            for i in 0..nx {
                pts.push(x0 + (x1 - x0) * i as f64 / nx as f64);
                pts.push(t);
            }
        }
        pts
    }
}

fn scale(unit: &[f64], bounds: &[(f64, f64)]) -> Vec<f64> {
    let d = bounds.len();
    unit.iter()
        .enumerate()
        .map(|(k, u)| {
            let (a, b) = bounds[k % d];
            a + (b - a) * u
        })
        .collect()
}
