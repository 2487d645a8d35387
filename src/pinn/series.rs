//! [`Series`]: truncated Taylor series in one variable, so that a hard-constraint
//! [`OutputTransform`](super::OutputTransform) is written once as a formula and its
//! directional derivatives up to order 4 come out exactly.

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::nn::MAX_ORDER;

/// Number of coefficients carried: orders `0..=MAX_ORDER`.
const N: usize = MAX_ORDER + 1;

/// A function of one variable `s` near `s = 0`, as its Taylor coefficients
/// `f(s) = Σ_{k=0}^{4} a_k s^k + O(s⁵)`, `a_k = f⁽ᵏ⁾(0)/k!`.
///
/// Arithmetic is the arithmetic of truncated power series: `(ab)_k = Σ_j a_j b_{k−j}`, and
/// `exp`, `sin`, `cos`, `tanh` follow from their differential equations
/// (`e′ = a′e`, `sin′ = a′cos`, `cos′ = −a′sin`, `tanh′ = a′(1 − tanh²)`), which give each
/// coefficient from the lower ones: `k e_k = Σ_{j=1}^{k} j a_j e_{k−j}` and likewise.
///
/// ravine evaluates a transform along `x(s) = x + s v` for each direction `v` of a
/// [`JetSpec`](crate::nn::JetSpec); [`Series::derivative`] then gives `D_vᵏ f(x)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series {
    a: [f64; N],
}

impl Series {
    /// The constant `c`.
    pub fn constant(c: f64) -> Self {
        let mut a = [0.0; N];
        a[0] = c;
        Self { a }
    }

    /// `x + s·v`: an input coordinate `x` moving with speed `v`.
    pub fn variable(x: f64, v: f64) -> Self {
        let mut a = [0.0; N];
        a[0] = x;
        a[1] = v;
        Self { a }
    }

    /// The value `f(0)`.
    pub fn value(&self) -> f64 {
        self.a[0]
    }

    /// The Taylor coefficient `a_k = f⁽ᵏ⁾(0)/k!` (`k ≤ 4`; zero beyond).
    pub fn coefficient(&self, k: usize) -> f64 {
        self.a.get(k).copied().unwrap_or(0.0)
    }

    /// The derivative `f⁽ᵏ⁾(0) = k!·a_k` (`k ≤ 4`; zero beyond).
    pub fn derivative(&self, k: usize) -> f64 {
        (1..=k).map(|i| i as f64).product::<f64>() * self.coefficient(k)
    }

    /// `f(a(s))` for `f` with `f′ = a′·q(f)`: coefficients from `k f_k = Σ j a_j q_{k−j}`,
    /// where `q` is built alongside from the coefficients of `f` found so far.
    fn ode(self, f0: f64, q: impl Fn(&[f64; N], usize) -> f64) -> Self {
        let mut f = [0.0; N];
        f[0] = f0;
        let mut qs = [0.0; N];
        for k in 1..N {
            qs[k - 1] = q(&f, k - 1);
            let s: f64 = (1..=k).map(|j| j as f64 * self.a[j] * qs[k - j]).sum();
            f[k] = s / k as f64;
        }
        Self { a: f }
    }

    /// `exp`.
    pub fn exp(self) -> Self {
        self.ode(self.a[0].exp(), |f, m| f[m])
    }

    /// `sin` and `cos` together.
    pub fn sin_cos(self) -> (Self, Self) {
        let (s0, c0) = self.a[0].sin_cos();
        let (mut s, mut c) = ([0.0; N], [0.0; N]);
        s[0] = s0;
        c[0] = c0;
        for k in 1..N {
            let (mut ss, mut cc) = (0.0, 0.0);
            for j in 1..=k {
                let ja = j as f64 * self.a[j];
                ss += ja * c[k - j];
                cc -= ja * s[k - j];
            }
            s[k] = ss / k as f64;
            c[k] = cc / k as f64;
        }
        (Self { a: s }, Self { a: c })
    }

    /// `sin`.
    pub fn sin(self) -> Self {
        self.sin_cos().0
    }

    /// `cos`.
    pub fn cos(self) -> Self {
        self.sin_cos().1
    }

    /// `tanh` (`q = 1 − tanh²`).
    pub fn tanh(self) -> Self {
        self.ode(self.a[0].tanh(), |f, m| {
            let sq: f64 = (0..=m).map(|i| f[i] * f[m - i]).sum();
            f64::from(m == 0) - sq
        })
    }

    /// `selfⁿ`, `n ≥ 0`, by repeated multiplication.
    pub fn powi(self, n: u32) -> Self {
        (0..n).fold(Self::constant(1.0), |p, _| p * self)
    }
}

impl Add for Series {
    type Output = Series;
    fn add(mut self, o: Series) -> Series {
        self.a.iter_mut().zip(o.a).for_each(|(a, b)| *a += b);
        self
    }
}

impl Sub for Series {
    type Output = Series;
    fn sub(self, o: Series) -> Series {
        self + (-o)
    }
}

impl Neg for Series {
    type Output = Series;
    fn neg(mut self) -> Series {
        self.a.iter_mut().for_each(|a| *a = -*a);
        self
    }
}

impl Mul for Series {
    type Output = Series;
    fn mul(self, o: Series) -> Series {
        let mut c = [0.0; N];
        for (k, ck) in c.iter_mut().enumerate() {
            *ck = (0..=k).map(|j| self.a[j] * o.a[k - j]).sum();
        }
        Series { a: c }
    }
}

impl Mul<f64> for Series {
    type Output = Series;
    fn mul(mut self, o: f64) -> Series {
        self.a.iter_mut().for_each(|a| *a *= o);
        self
    }
}

impl Div<f64> for Series {
    type Output = Series;
    fn div(self, o: f64) -> Series {
        self * (1.0 / o)
    }
}

impl Add<f64> for Series {
    type Output = Series;
    fn add(self, o: f64) -> Series {
        self + Series::constant(o)
    }
}

impl Sub<f64> for Series {
    type Output = Series;
    fn sub(self, o: f64) -> Series {
        self + Series::constant(-o)
    }
}

impl Mul<Series> for f64 {
    type Output = Series;
    fn mul(self, o: Series) -> Series {
        o * self
    }
}

impl Add<Series> for f64 {
    type Output = Series;
    fn add(self, o: Series) -> Series {
        o + self
    }
}

impl Sub<Series> for f64 {
    type Output = Series;
    fn sub(self, o: Series) -> Series {
        -o + self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Derivatives 0..=4 of `f` at `x` by central differences of `f` itself (step `h`).
    fn differences(f: impl Fn(f64) -> f64, x: f64, h: f64) -> [f64; 5] {
        let v = |k: i32| f(x + k as f64 * h);
        [
            v(0),
            (v(1) - v(-1)) / (2.0 * h),
            (v(1) - 2.0 * v(0) + v(-1)) / (h * h),
            (v(2) - 2.0 * v(1) + 2.0 * v(-1) - v(-2)) / (2.0 * h.powi(3)),
            (v(2) - 4.0 * v(1) + 6.0 * v(0) - 4.0 * v(-1) + v(-2)) / h.powi(4),
        ]
    }

    #[test]
    fn derivatives_match_closed_forms() {
        // f(s) = sin(2 + 3s): f⁽ᵏ⁾ = 3ᵏ sin(2 + kπ/2).
        let s = Series::variable(2.0, 3.0).sin();
        for k in 0..=4 {
            let exact = 3f64.powi(k as i32) * (2.0 + k as f64 * std::f64::consts::FRAC_PI_2).sin();
            approx::assert_abs_diff_eq!(
                s.derivative(k),
                exact,
                epsilon = 1e-13 * exact.abs().max(1.0)
            );
        }
        // exp(0.5 s): derivatives 0.5ᵏ.
        let e = Series::variable(0.0, 0.5).exp();
        for k in 0..=4 {
            approx::assert_abs_diff_eq!(e.derivative(k), 0.5f64.powi(k as i32), epsilon = 1e-15);
        }
        // (1 + s)⁴ = 1 + 4s + 6s² + 4s³ + s⁴.
        let p = Series::variable(1.0, 1.0).powi(4);
        for (k, c) in [1.0, 4.0, 6.0, 4.0, 1.0].into_iter().enumerate() {
            assert_eq!(p.coefficient(k), c);
        }
    }

    #[test]
    fn composites_match_finite_differences() {
        let f = |x: Series| (x * x).tanh() * (1.0 - x).cos() + 2.0 * (x / 3.0).exp() - x;
        let g = |x: f64| (x * x).tanh() * (1.0 - x).cos() + 2.0 * (x / 3.0).exp() - x;
        let x0 = 0.7;
        let s = f(Series::variable(x0, 1.0));
        let fd = differences(g, x0, 1e-2);
        let fd_half = differences(g, x0, 5e-3);
        for k in 0..=4 {
            // Richardson: the differences are second order in h.
            let rich = (4.0 * fd_half[k] - fd[k]) / 3.0;
            let err = (s.derivative(k) - rich).abs() / rich.abs().max(1.0);
            assert!(
                err < 1e-5,
                "order {k}: {} vs {rich} ({err:e})",
                s.derivative(k)
            );
        }
    }
}
