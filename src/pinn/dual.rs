//! [`Dual`]: forward-mode dual numbers over the jet entries, so that a residual written once
//! gives both its value and its derivative with respect to every jet entry.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// Maximum number of jet entries a residual can depend on.
pub const MAX_ENTRIES: usize = 24;

/// A number `v + Σ_k g_k ε_k` carrying its gradient with respect to the jet entries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dual {
    /// The value.
    pub v: f64,
    /// ∂value/∂(jet entry k).
    pub g: [f64; MAX_ENTRIES],
}

impl Dual {
    /// A constant.
    pub fn constant(v: f64) -> Self {
        Self {
            v,
            g: [0.0; MAX_ENTRIES],
        }
    }

    /// Jet entry `k` with value `v` (gradient `e_k`).
    pub fn variable(v: f64, k: usize) -> Self {
        let mut d = Self::constant(v);
        d.g[k] = 1.0;
        d
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.v
    }

    fn chain(self, v: f64, dv: f64) -> Self {
        let mut g = self.g;
        g.iter_mut().for_each(|x| *x *= dv);
        Self { v, g }
    }

    /// sin.
    pub fn sin(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(s, c)
    }

    /// cos.
    pub fn cos(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(c, -s)
    }

    /// exp.
    pub fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }

    /// Natural logarithm.
    pub fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }

    /// tanh.
    pub fn tanh(self) -> Self {
        let t = self.v.tanh();
        self.chain(t, 1.0 - t * t)
    }

    /// Square root.
    pub fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s)
    }

    /// Integer power.
    pub fn powi(self, n: i32) -> Self {
        self.chain(self.v.powi(n), f64::from(n) * self.v.powi(n - 1))
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
        self.chain(self.v.abs(), s)
    }
}

impl From<f64> for Dual {
    fn from(v: f64) -> Self {
        Self::constant(v)
    }
}

impl Add for Dual {
    type Output = Dual;
    fn add(mut self, o: Dual) -> Dual {
        self.v += o.v;
        self.g.iter_mut().zip(&o.g).for_each(|(a, b)| *a += b);
        self
    }
}

impl Sub for Dual {
    type Output = Dual;
    fn sub(mut self, o: Dual) -> Dual {
        self.v -= o.v;
        self.g.iter_mut().zip(&o.g).for_each(|(a, b)| *a -= b);
        self
    }
}

impl Mul for Dual {
    type Output = Dual;
    fn mul(self, o: Dual) -> Dual {
        let mut g = [0.0; MAX_ENTRIES];
        for (k, gk) in g.iter_mut().enumerate() {
            *gk = self.g[k] * o.v + self.v * o.g[k];
        }
        Dual { v: self.v * o.v, g }
    }
}

impl Div for Dual {
    type Output = Dual;
    fn div(self, o: Dual) -> Dual {
        let inv = 1.0 / o.v;
        let v = self.v * inv;
        let mut g = [0.0; MAX_ENTRIES];
        for (k, gk) in g.iter_mut().enumerate() {
            *gk = (self.g[k] - v * o.g[k]) * inv;
        }
        Dual { v, g }
    }
}

impl Neg for Dual {
    type Output = Dual;
    fn neg(mut self) -> Dual {
        self.v = -self.v;
        self.g.iter_mut().for_each(|x| *x = -*x);
        self
    }
}

macro_rules! scalar_ops {
    ($($tr:ident $f:ident),*) => {$(
        impl $tr<f64> for Dual {
            type Output = Dual;
            fn $f(self, o: f64) -> Dual { $tr::$f(self, Dual::constant(o)) }
        }
        impl $tr<Dual> for f64 {
            type Output = Dual;
            fn $f(self, o: Dual) -> Dual { $tr::$f(Dual::constant(self), o) }
        }
    )*};
}
scalar_ops!(Add add, Sub sub, Mul mul, Div div);

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
}
