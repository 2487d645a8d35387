//! The exact solution of the viscous Burgers benchmark by the Cole-Hopf transformation.

use super::GaussHermite;
use crate::error::{positive, Result};

/// The solution of `u_t + u u_x = ν u_xx` on the line with `u(0, x) = −sin(πx)` (hence
/// `u(t, ±1) = 0` by symmetry), the standard PINN benchmark with `ν = 0.01/π`.
///
/// The Cole-Hopf transformation `u = −2ν φ_x/φ` turns the equation into the heat equation,
/// whose solution gives (Basdevant et al. 1986):
///
/// ```text
/// u(x, t) = − ∫ sin(π(x−η)) f(x−η) e^{−η²/4νt} dη  /  ∫ f(x−η) e^{−η²/4νt} dη,
/// f(y) = exp(−cos(πy) / (2πν)).
/// ```
///
/// With `η = √(4νt) z` both integrals are Gauss-Hermite integrals in `z`; they are evaluated
/// with log-sum-exp scaling, because `f` ranges over `e^{±1/(2πν)}` = `e^{±50}`. `u_x` is the
/// exact derivative of the same quadrature formula.
#[derive(Debug, Clone)]
pub struct BurgersColeHopf {
    nu: f64,
    rule: GaussHermite,
}

impl BurgersColeHopf {
    /// The benchmark's viscosity `0.01/π`.
    pub const NU: f64 = 0.01 / std::f64::consts::PI;

    /// The solution for viscosity `nu` with an `n`-point Gauss-Hermite rule.
    pub fn new(nu: f64, n: usize) -> Result<Self> {
        positive("burgers reference", "nu", nu)?;
        Ok(Self {
            nu,
            rule: GaussHermite::new(n)?,
        })
    }

    /// The benchmark (ν = 0.01/π) with 250 nodes (agrees with 500 nodes to 1e-10 on the
    /// evaluation grid; see the tests).
    pub fn standard() -> Result<Self> {
        Self::new(Self::NU, 250)
    }

    /// `(u, u_x)` at `(x, t)`.
    pub fn value_and_slope(&self, x: f64, t: f64) -> (f64, f64) {
        let pi = std::f64::consts::PI;
        if t <= 0.0 {
            return (-(pi * x).sin(), -pi * (pi * x).cos());
        }
        let c = (4.0 * self.nu * t).sqrt();
        let k = 1.0 / (2.0 * pi * self.nu);
        let exps: Vec<f64> = self
            .rule
            .nodes
            .iter()
            .zip(&self.rule.log_weights)
            .map(|(z, lw)| lw - (pi * (x - c * z)).cos() * k)
            .collect();
        let m = exps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let (mut num, mut den, mut dnum) = (0.0, 0.0, 0.0);
        for (z, e) in self.rule.nodes.iter().zip(&exps) {
            let q = (e - m).exp();
            let y = x - c * z;
            let (s, co) = (pi * y).sin_cos();
            num += q * s;
            den += q;
            // d/dx of q·sin(πy): q (π cos(πy) + sin²(πy)/(2ν)); d/dx of q: q sin(πy)/(2ν)
            dnum += q * (pi * co + s * s / (2.0 * self.nu));
        }
        let dden = num / (2.0 * self.nu);
        let u = -num / den;
        let ux = -(dnum * den - num * dden) / (den * den);
        (u, ux)
    }

    /// `u(x, t)`.
    pub fn value(&self, x: f64, t: f64) -> f64 {
        self.value_and_slope(x, t).0
    }

    /// `u` on the points (row-major `n × 2`, `(x, t)` per row).
    pub fn values(&self, points: &[f64]) -> Vec<f64> {
        points.chunks(2).map(|p| self.value(p[0], p[1])).collect()
    }

    /// The minimum over `t ∈ [a, b]` of `u_x(0, t)` and where it is attained, by golden-section
    /// search to `tol` in `t` (the slope at the origin is unimodal in t around the shock's
    /// formation).
    pub fn min_slope_at_origin(&self, a: f64, b: f64, tol: f64) -> (f64, f64) {
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let f = |t: f64| self.value_and_slope(0.0, t).1;
        let (mut a, mut b) = (a, b);
        let mut c = b - g * (b - a);
        let mut d = a + g * (b - a);
        let (mut fc, mut fd) = (f(c), f(d));
        while b - a > tol {
            if fc < fd {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = f(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = f(d);
            }
        }
        let t = 0.5 * (a + b);
        (t, f(t))
    }
}
