//! [`Etdrk4`]: Fourier pseudo-spectral space discretisation of a periodic semilinear PDE and
//! fourth-order exponential time differencing (ETDRK4) in time.
//!
//! The PDE is `u_t = 𝓛u + 𝓝(u)` on a periodic interval `[a, a + ℓ)`, with `𝓛` linear with
//! constant coefficients (diagonal in Fourier space, `û_k ↦ L(k) û_k`) and
//! `𝓝(u) = M(k) · F[f(u)]` for a pointwise nonlinearity `f` and a Fourier multiplier `M`
//! (Allen-Cahn: `f(u) = 5u − 5u³`, `M = 1`; KdV: `f(u) = u²`, `M = −ik/2`).
//!
//! Time stepping is the Cox-Matthews scheme (Cox & Matthews 2002) with the φ-function
//! coefficients evaluated by contour integrals (Kassam & Trefethen 2005): each coefficient is
//! the mean of its defining formula over 64 points on a circle of radius 1 around `hL`, which
//! avoids the cancellation of the closed forms near `hL = 0`.
//!
//! The nonlinearity is evaluated without aliasing: the retained modes are zero-padded to a grid
//! of `2N` points, `f(u)` is formed there and transformed back, and only the `N` retained modes
//! are kept. This is exact for quadratic and cubic `f`: the Galerkin truncation of the PDE.
//! The Nyquist mode is kept at zero.

use std::sync::Arc;

use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

use crate::error::{Error, Result};

/// The contour-integral points used for the φ-functions.
const CONTOUR_POINTS: usize = 64;

/// A semilinear periodic problem for [`Etdrk4`]: the symbol of the linear part, the Fourier
/// multiplier applied to the nonlinearity, and the pointwise nonlinearity.
pub struct SemiLinear {
    /// Name, for errors.
    pub name: &'static str,
    /// `L(k)` for the angular wavenumber `k`.
    pub linear: Box<dyn Fn(f64) -> Complex64 + Send + Sync>,
    /// `M(k)`.
    pub multiplier: Box<dyn Fn(f64) -> Complex64 + Send + Sync>,
    /// `f(u)`, pointwise.
    pub nonlinearity: fn(f64) -> f64,
}

impl std::fmt::Debug for SemiLinear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SemiLinear")
            .field("name", &self.name)
            .finish()
    }
}

/// An ETDRK4 integrator for a [`SemiLinear`] problem on `N` Fourier modes with step `h`.
///
/// The state is the vector of normalised Fourier coefficients `c_m` of
/// `u(x) = Σ_m c_m e^{i k_m (x − a)}`, `k_m = 2πm/ℓ`, `|m| < N/2`, stored in FFT order.
pub struct Etdrk4 {
    n: usize,
    origin: f64,
    length: f64,
    h: f64,
    problem: SemiLinear,
    multiplier: Vec<Complex64>,
    e: Vec<Complex64>,
    e2: Vec<Complex64>,
    q: Vec<Complex64>,
    f1: Vec<Complex64>,
    f2: Vec<Complex64>,
    f3: Vec<Complex64>,
    forward_n: Arc<dyn Fft<f64>>,
    inverse_n: Arc<dyn Fft<f64>>,
    forward_2n: Arc<dyn Fft<f64>>,
    inverse_2n: Arc<dyn Fft<f64>>,
}

impl std::fmt::Debug for Etdrk4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Etdrk4")
            .field("problem", &self.problem.name)
            .field("modes", &self.n)
            .field("step", &self.h)
            .finish()
    }
}

/// Signed mode number of FFT index `j` for `n` points (the Nyquist index maps to `−n/2`).
pub(crate) fn mode(j: usize, n: usize) -> i64 {
    if j < n / 2 {
        j as i64
    } else {
        j as i64 - n as i64
    }
}

impl Etdrk4 {
    /// The integrator on `[origin, origin + length)` with `n` modes (even, ≥ 8) and step `h`.
    pub fn new(problem: SemiLinear, origin: f64, length: f64, n: usize, h: f64) -> Result<Self> {
        let component = "spectral reference";
        if n < 8 || !n.is_multiple_of(2) {
            return Err(Error::InvalidConfig {
                component,
                message: format!("{}: {n} modes: needs an even number ≥ 8", problem.name),
            });
        }
        if !(h.is_finite() && h > 0.0) {
            return Err(Error::InvalidHyperparameter {
                component,
                parameter: "time step",
                value: h,
                reason: "must be finite and > 0",
            });
        }
        if !(length.is_finite() && length > 0.0 && origin.is_finite()) {
            return Err(Error::InvalidConfig {
                component,
                message: format!("{}: period [{origin}, {origin} + {length})", problem.name),
            });
        }
        let mut planner = FftPlanner::new();
        let k = |j: usize| {
            let m = mode(j, n);
            if m == -(n as i64) / 2 {
                0.0
            } else {
                2.0 * std::f64::consts::PI * m as f64 / length
            }
        };
        let roots: Vec<Complex64> = (0..CONTOUR_POINTS)
            .map(|j| {
                Complex64::from_polar(
                    1.0,
                    2.0 * std::f64::consts::PI * (j as f64 + 0.5) / CONTOUR_POINTS as f64,
                )
            })
            .collect();
        let mean = |z: Complex64, f: &dyn Fn(Complex64) -> Complex64| {
            roots.iter().map(|r| f(z + r)).sum::<Complex64>() / CONTOUR_POINTS as f64
        };
        let (mut e, mut e2, mut q) = (vec![], vec![], vec![]);
        let (mut f1, mut f2, mut f3) = (vec![], vec![], vec![]);
        let mut multiplier = vec![];
        for j in 0..n {
            let l = (problem.linear)(k(j));
            let z = l * h;
            e.push(z.exp());
            e2.push((z / 2.0).exp());
            q.push(h * mean(z, &|w| ((w / 2.0).exp() - 1.0) / w));
            f1.push(
                h * mean(z, &|w| {
                    (-4.0 - w + w.exp() * (4.0 - 3.0 * w + w * w)) / (w * w * w)
                }),
            );
            f2.push(h * mean(z, &|w| (2.0 + w + w.exp() * (w - 2.0)) / (w * w * w)));
            f3.push(
                h * mean(z, &|w| {
                    (-4.0 - 3.0 * w - w * w + w.exp() * (4.0 - w)) / (w * w * w)
                }),
            );
            multiplier.push(if mode(j, n) == -(n as i64) / 2 {
                Complex64::new(0.0, 0.0)
            } else {
                (problem.multiplier)(k(j))
            });
        }
        let all = [&e, &e2, &q, &f1, &f2, &f3];
        if let Some(bad) = all.iter().flat_map(|v| v.iter()).find(|c| !c.is_finite()) {
            return Err(Error::InvalidConfig {
                component,
                message: format!(
                    "{}: step {h} with {n} modes gives a non-finite ETDRK4 coefficient ({bad})",
                    problem.name
                ),
            });
        }
        Ok(Self {
            n,
            origin,
            length,
            h,
            multiplier,
            e,
            e2,
            q,
            f1,
            f2,
            f3,
            forward_n: planner.plan_fft_forward(n),
            inverse_n: planner.plan_fft_inverse(n),
            forward_2n: planner.plan_fft_forward(2 * n),
            inverse_2n: planner.plan_fft_inverse(2 * n),
            problem,
        })
    }

    /// Number of modes (and of grid points).
    pub fn modes(&self) -> usize {
        self.n
    }

    /// The time step.
    pub fn step_size(&self) -> f64 {
        self.h
    }

    /// The grid `x_j = a + jℓ/N`.
    pub fn grid(&self) -> Vec<f64> {
        (0..self.n)
            .map(|j| self.origin + self.length * j as f64 / self.n as f64)
            .collect()
    }

    /// Angular wavenumber of FFT index `j` (0 for the Nyquist index).
    pub fn wavenumber(&self, j: usize) -> f64 {
        let m = mode(j, self.n);
        if m == -(self.n as i64) / 2 {
            0.0
        } else {
            2.0 * std::f64::consts::PI * m as f64 / self.length
        }
    }

    /// Coefficients of grid values `u` (length `N`), with the Nyquist mode set to zero.
    pub fn coefficients(&self, u: &[f64]) -> Vec<Complex64> {
        let mut c: Vec<Complex64> = u.iter().map(|&v| Complex64::new(v, 0.0)).collect();
        self.forward_n.process(&mut c);
        let s = 1.0 / self.n as f64;
        c.iter_mut().for_each(|v| *v *= s);
        c[self.n / 2] = Complex64::new(0.0, 0.0);
        c
    }

    /// Grid values of coefficients `c`.
    pub fn values(&self, c: &[Complex64]) -> Vec<f64> {
        let mut v = c.to_vec();
        self.inverse_n.process(&mut v);
        v.iter().map(|z| z.re).collect()
    }

    /// The values of `c` on the grid of `2N` points (zero-padded spectrum).
    pub fn padded_values(&self, c: &[Complex64]) -> Vec<f64> {
        let mut p = self.pad(c);
        self.inverse_2n.process(&mut p);
        p.iter().map(|z| z.re).collect()
    }

    fn pad(&self, c: &[Complex64]) -> Vec<Complex64> {
        let n = self.n;
        let mut p = vec![Complex64::new(0.0, 0.0); 2 * n];
        p[..n / 2].copy_from_slice(&c[..n / 2]);
        p[2 * n - n / 2 + 1..].copy_from_slice(&c[n / 2 + 1..]);
        p
    }

    /// The retained coefficients of `2N` padded-grid values.
    fn unpad(&self, values: &[f64]) -> Vec<Complex64> {
        let n = self.n;
        let mut p: Vec<Complex64> = values.iter().map(|&v| Complex64::new(v, 0.0)).collect();
        self.forward_2n.process(&mut p);
        let s = 1.0 / (2 * n) as f64;
        let mut c = vec![Complex64::new(0.0, 0.0); n];
        for j in 0..n / 2 {
            c[j] = p[j] * s;
        }
        for j in n / 2 + 1..n {
            c[j] = p[j + n] * s;
        }
        c
    }

    /// `𝓝(u)` for coefficients `c`, dealiased.
    pub fn nonlinear(&self, c: &[Complex64]) -> Vec<Complex64> {
        let f = self.problem.nonlinearity;
        let values: Vec<f64> = self.padded_values(c).into_iter().map(f).collect();
        let mut out = self.unpad(&values);
        out.iter_mut()
            .zip(&self.multiplier)
            .for_each(|(o, m)| *o *= m);
        out
    }

    /// One ETDRK4 step of `c` in place.
    pub fn step(&self, c: &mut [Complex64]) {
        let nv = self.nonlinear(c);
        let a: Vec<Complex64> = (0..self.n)
            .map(|j| self.e2[j] * c[j] + self.q[j] * nv[j])
            .collect();
        let na = self.nonlinear(&a);
        let b: Vec<Complex64> = (0..self.n)
            .map(|j| self.e2[j] * c[j] + self.q[j] * na[j])
            .collect();
        let nb = self.nonlinear(&b);
        let cc: Vec<Complex64> = (0..self.n)
            .map(|j| self.e2[j] * a[j] + self.q[j] * (2.0 * nb[j] - nv[j]))
            .collect();
        let nc = self.nonlinear(&cc);
        for j in 0..self.n {
            c[j] = self.e[j] * c[j]
                + self.f1[j] * nv[j]
                + 2.0 * self.f2[j] * (na[j] + nb[j])
                + self.f3[j] * nc[j];
        }
    }
}

#[cfg(test)]
#[path = "spectral_tests.rs"]
mod tests;
