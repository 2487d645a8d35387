//! [`Dual`]: forward-mode dual numbers over the jet entries, so that a residual written once
//! gives its value, its derivative with respect to every jet entry, and (for exact
//! Hessian-vector products) the derivative of both along one direction of the jet.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// Maximum number of jet entries a residual can depend on.
pub const MAX_ENTRIES: usize = 16;

/// A number `v + Σ_k g_k ε_k + δ (t + Σ_k ġ_k ε_k)` (`ε_k ε_l = δ² = 0`): its value, its
/// gradient with respect to the jet entries, and the derivatives of both along a direction
/// `J̇` of the jet (a second, independent infinitesimal `δ`).
///
/// In training `J̇ = 0` and only `v`, `g` matter. For a Hessian-vector product the jet entries
/// are seeded with the tangent `J̇` of the network output; then `t = ∇r·J̇` and
/// `ġ = ∇²r J̇`, exactly, for any residual `r` built from these operations.
///
/// Entries of `g` and `ġ` past the highest jet entry involved stay zero as long as the values
/// are finite. The arithmetic nevertheless runs over all [`MAX_ENTRIES`] entries in
/// fixed-length loops: they compile to a few vector operations and let a residual's numbers
/// stay in registers, which is faster than loops of variable length over the few entries in
/// use (measured on the Burgers residual).
#[derive(Debug, Clone, Copy)]
pub struct Dual {
    /// The value.
    pub v: f64,
    /// The derivative of the value along the jet direction `J̇`.
    pub t: f64,
    /// ∂value/∂(jet entry k); zero for entries not involved (while the values are finite).
    g: [f64; MAX_ENTRIES],
    /// The derivative of `g` along `J̇`: row `k` of the residual's Hessian times `J̇`; zero
    /// for entries not involved.
    gt: [f64; MAX_ENTRIES],
}

impl PartialEq for Dual {
    fn eq(&self, o: &Self) -> bool {
        self.v == o.v && self.t == o.t && self.g == o.g && self.gt == o.gt
    }
}

impl Dual {
    /// A constant.
    #[inline(always)]
    pub fn constant(v: f64) -> Self {
        Self {
            v,
            t: 0.0,
            g: [0.0; MAX_ENTRIES],
            gt: [0.0; MAX_ENTRIES],
        }
    }

    /// Jet entry `k` with value `v` (gradient `e_k`); `k < MAX_ENTRIES` (a [`Pde`](super::Pde)
    /// checks that its jet fits).
    #[inline(always)]
    pub fn variable(v: f64, k: usize) -> Self {
        let mut d = Self::constant(v);
        d.g[k] = 1.0;
        d
    }

    /// Jet entry `k` with value `v` and derivative `t` along the jet direction.
    #[inline(always)]
    pub fn variable_with_tangent(v: f64, k: usize, t: f64) -> Self {
        let mut d = Self::variable(v, k);
        d.t = t;
        d
    }

    /// The value.
    #[inline(always)]
    pub fn value(&self) -> f64 {
        self.v
    }

    /// ∂value/∂(jet entry k), for every entry.
    #[inline(always)]
    pub fn g(&self) -> &[f64; MAX_ENTRIES] {
        &self.g
    }

    /// The derivative of [`g`](Self::g) along the jet direction `J̇`: `∇²r J̇` for a residual.
    #[inline(always)]
    pub fn gt(&self) -> &[f64; MAX_ENTRIES] {
        &self.gt
    }

    /// `f(self)` given `f`, `f′` and `f″` at `self.v`.
    #[inline(always)]
    fn chain(self, v: f64, dv: f64, d2v: f64) -> Self {
        let mut out = Self::constant(v);
        out.t = dv * self.t;
        for k in 0..MAX_ENTRIES {
            out.g[k] = dv * self.g[k];
            out.gt[k] = d2v * self.t * self.g[k] + dv * self.gt[k];
        }
        out
    }

    /// sin.
    pub fn sin(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(s, c, -s)
    }

    /// cos.
    pub fn cos(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(c, -s, -c)
    }

    /// exp.
    pub fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e, e)
    }

    /// Natural logarithm.
    pub fn ln(self) -> Self {
        let inv = 1.0 / self.v;
        self.chain(self.v.ln(), inv, -inv * inv)
    }

    /// tanh.
    pub fn tanh(self) -> Self {
        let t = self.v.tanh();
        let p = 1.0 - t * t;
        self.chain(t, p, -2.0 * t * p)
    }

    /// Square root.
    pub fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s, -0.25 / (s * self.v))
    }

    /// Integer power.
    pub fn powi(self, n: i32) -> Self {
        let nf = f64::from(n);
        self.chain(
            self.v.powi(n),
            nf * self.v.powi(n - 1),
            nf * (nf - 1.0) * self.v.powi(n - 2),
        )
    }

    /// Absolute value (derivative sign(v), 0 at 0).
    pub fn abs(self) -> Self {
        let s = if self.v > 0.0 {
            1.0
        } else if self.v < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(self.v.abs(), s, 0.0)
    }
}

impl From<f64> for Dual {
    fn from(v: f64) -> Self {
        Self::constant(v)
    }
}

impl Add for Dual {
    type Output = Dual;
    #[inline(always)]
    fn add(mut self, o: Dual) -> Dual {
        self.v += o.v;
        self.t += o.t;
        for k in 0..MAX_ENTRIES {
            self.g[k] += o.g[k];
            self.gt[k] += o.gt[k];
        }
        self
    }
}

impl Sub for Dual {
    type Output = Dual;
    #[inline(always)]
    fn sub(mut self, o: Dual) -> Dual {
        self.v -= o.v;
        self.t -= o.t;
        for k in 0..MAX_ENTRIES {
            self.g[k] -= o.g[k];
            self.gt[k] -= o.gt[k];
        }
        self
    }
}

impl Mul for Dual {
    type Output = Dual;
    #[inline(always)]
    fn mul(self, o: Dual) -> Dual {
        let mut out = Dual::constant(self.v * o.v);
        out.t = self.t * o.v + self.v * o.t;
        for k in 0..MAX_ENTRIES {
            out.g[k] = self.g[k] * o.v + self.v * o.g[k];
            out.gt[k] = self.gt[k] * o.v + self.g[k] * o.t + self.t * o.g[k] + self.v * o.gt[k];
        }
        out
    }
}

impl Div for Dual {
    type Output = Dual;
    #[inline(always)]
    fn div(self, o: Dual) -> Dual {
        let inv = 1.0 / o.v;
        let mut out = Dual::constant(self.v * inv);
        let q = out.v;
        out.t = (self.t - q * o.t) * inv;
        for k in 0..MAX_ENTRIES {
            out.g[k] = (self.g[k] - q * o.g[k]) * inv;
            out.gt[k] = (self.gt[k] - out.t * o.g[k] - q * o.gt[k] - out.g[k] * o.t) * inv;
        }
        out
    }
}

impl Neg for Dual {
    type Output = Dual;
    #[inline(always)]
    fn neg(mut self) -> Dual {
        self.v = -self.v;
        self.t = -self.t;
        for k in 0..MAX_ENTRIES {
            self.g[k] = -self.g[k];
            self.gt[k] = -self.gt[k];
        }
        self
    }
}

impl Dual {
    /// `self · c` for a constant `c`: every part scales.
    #[inline(always)]
    fn scale(mut self, c: f64) -> Dual {
        self.v *= c;
        self.t *= c;
        for k in 0..MAX_ENTRIES {
            self.g[k] *= c;
            self.gt[k] *= c;
        }
        self
    }
}

// Operations with a constant, written out: only the value moves under `±c`, and `·c`, `/c`
// scale, so none of them builds a constant `Dual` and runs the general rule.
impl Add<f64> for Dual {
    type Output = Dual;
    #[inline(always)]
    fn add(mut self, c: f64) -> Dual {
        self.v += c;
        self
    }
}
impl Add<Dual> for f64 {
    type Output = Dual;
    #[inline(always)]
    fn add(self, d: Dual) -> Dual {
        d + self
    }
}
impl Sub<f64> for Dual {
    type Output = Dual;
    #[inline(always)]
    fn sub(mut self, c: f64) -> Dual {
        self.v -= c;
        self
    }
}
impl Sub<Dual> for f64 {
    type Output = Dual;
    #[inline(always)]
    fn sub(self, d: Dual) -> Dual {
        -d + self
    }
}
impl Mul<f64> for Dual {
    type Output = Dual;
    #[inline(always)]
    fn mul(self, c: f64) -> Dual {
        self.scale(c)
    }
}
impl Mul<Dual> for f64 {
    type Output = Dual;
    #[inline(always)]
    fn mul(self, d: Dual) -> Dual {
        d.scale(self)
    }
}
impl Div<f64> for Dual {
    type Output = Dual;
    #[inline(always)]
    fn div(self, c: f64) -> Dual {
        // A division, not a multiplication by 1/c, so that the value rounds as `v / c` does.
        let mut out = self;
        out.v = self.v / c;
        out.t = self.t / c;
        for k in 0..MAX_ENTRIES {
            out.g[k] = self.g[k] / c;
            out.gt[k] = self.gt[k] / c;
        }
        out
    }
}
impl Div<Dual> for f64 {
    type Output = Dual;
    #[inline(always)]
    fn div(self, d: Dual) -> Dual {
        Dual::constant(self) / d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_of_a_composite_match_finite_differences() {
        let f = |a: Dual, b: Dual| (a * b).sin() + a.exp() / (b * b + 1.0) - 2.0 * a.tanh().powi(3);
        let (x, y) = (0.3, -0.7);
        let d = f(Dual::variable(x, 0), Dual::variable(y, 1));
        let h = 1e-6;
        let fv = |x: f64, y: f64| f(Dual::constant(x), Dual::constant(y)).v;
        let dx = (fv(x + h, y) - fv(x - h, y)) / (2.0 * h);
        let dy = (fv(x, y + h) - fv(x, y - h)) / (2.0 * h);
        assert!((d.g[0] - dx).abs() < 1e-9 && (d.g[1] - dy).abs() < 1e-9);
        assert_eq!(d.g[2], 0.0);
    }

    #[test]
    fn tangents_of_gradients_match_differences_of_gradients() {
        let f = |a: Dual, b: Dual| {
            (a * b).sin() + a.exp() / (b * b + 1.0) - 2.0 * a.tanh().powi(3) + (a * a + 1.0).ln()
                - (b * b + 2.0).sqrt() * a.cos()
        };
        let (x, y, dx, dy) = (0.3, -0.7, 0.8, -1.3);
        let d = f(
            Dual::variable_with_tangent(x, 0, dx),
            Dual::variable_with_tangent(y, 1, dy),
        );
        let grad = |x: f64, y: f64| {
            let r = f(Dual::variable(x, 0), Dual::variable(y, 1));
            (r.v, r.g[0], r.g[1])
        };
        let h = 1e-5;
        let (p, m) = (grad(x + h * dx, y + h * dy), grad(x - h * dx, y - h * dy));
        let (v0, g0, g1) = grad(x, y);
        assert_eq!((d.v, d.g[0], d.g[1]), (v0, g0, g1));
        approx::assert_abs_diff_eq!(d.t, (g0 * dx + g1 * dy), epsilon = 1e-14);
        assert!(
            (d.gt[0] - (p.1 - m.1) / (2.0 * h)).abs() < 1e-8,
            "{}",
            d.gt[0]
        );
        assert!(
            (d.gt[1] - (p.2 - m.2) / (2.0 * h)).abs() < 1e-8,
            "{}",
            d.gt[1]
        );
        assert_eq!(d.gt[2], 0.0);
    }
}
