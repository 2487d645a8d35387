//! [`Tangent`]: a number carried together with its derivative along one direction in
//! parameter space, and the [`Scalar`] trait that lets the element-wise parts of the Taylor
//! passes run on `f64` (training) or on [`Tangent`] (exact Hessian-vector products, by
//! differentiating the reverse pass forward: "forward over reverse").

use std::ops::{Add, Mul, Neg, Sub};

use super::Activation;

/// The arithmetic the element-wise Taylor passes need.
pub trait Scalar:
    Copy
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + Send
    + Sync
{
    /// The constant `c`.
    fn constant(c: f64) -> Self;

    /// `[σ, σ′, …, σ⁽⁵⁾]` of the activation at `self`.
    fn activation_derivatives(self, act: Activation) -> [Self; 6];
}

impl Scalar for f64 {
    #[inline(always)]
    fn constant(c: f64) -> Self {
        c
    }

    #[inline(always)]
    fn activation_derivatives(self, act: Activation) -> [f64; 6] {
        act.derivatives(self)
    }
}

/// `v + d·δ` with `δ² = 0`: a value and its directional derivative `d = D_u v` along a fixed
/// direction `u` (for Hessian-vector products, `u` is the vector the Hessian multiplies).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tangent {
    /// The value.
    pub v: f64,
    /// Its derivative along the direction.
    pub d: f64,
}

impl Tangent {
    /// A value with its directional derivative.
    #[inline(always)]
    pub fn new(v: f64, d: f64) -> Self {
        Self { v, d }
    }
}

impl Add for Tangent {
    type Output = Tangent;
    #[inline(always)]
    fn add(self, o: Tangent) -> Tangent {
        Tangent::new(self.v + o.v, self.d + o.d)
    }
}

impl Sub for Tangent {
    type Output = Tangent;
    #[inline(always)]
    fn sub(self, o: Tangent) -> Tangent {
        Tangent::new(self.v - o.v, self.d - o.d)
    }
}

impl Mul for Tangent {
    type Output = Tangent;
    #[inline(always)]
    fn mul(self, o: Tangent) -> Tangent {
        Tangent::new(self.v * o.v, self.d * o.v + self.v * o.d)
    }
}

impl Neg for Tangent {
    type Output = Tangent;
    #[inline(always)]
    fn neg(self) -> Tangent {
        Tangent::new(-self.v, -self.d)
    }
}

impl Scalar for Tangent {
    #[inline(always)]
    fn constant(c: f64) -> Self {
        Tangent::new(c, 0.0)
    }

    /// For tanh the derivatives are polynomials in `t = tanh z` (with `ṫ = (1 − t²) ż`); for
    /// sin they cycle through `±sin`, `±cos`.
    fn activation_derivatives(self, act: Activation) -> [Tangent; 6] {
        match act {
            Activation::Tanh => {
                let t = super::activation::tanh(self.v);
                Activation::tanh_derivatives(Tangent::new(t, (1.0 - t * t) * self.d))
            }
            Activation::Sin => {
                let (s, c) = self.v.sin_cos();
                let sin = Tangent::new(s, c * self.d);
                let cos = Tangent::new(c, -s * self.d);
                [sin, cos, -sin, -cos, sin, cos]
            }
        }
    }
}

/// Zips values and their tangents.
pub(crate) fn zip(v: &[f64], d: &[f64]) -> Vec<Tangent> {
    v.iter().zip(d).map(|(&v, &d)| Tangent::new(v, d)).collect()
}

/// The tangent parts.
pub(crate) fn tangents(x: &[Tangent]) -> Vec<f64> {
    x.iter().map(|t| t.d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_derivative_tangents_are_the_next_derivatives() {
        for act in [Activation::Tanh, Activation::Sin] {
            for &z in &[-1.3, 0.0, 0.2, 2.4] {
                let d = act.derivatives(z);
                let t = Tangent::new(z, 1.0).activation_derivatives(act);
                for k in 0..5 {
                    approx::assert_abs_diff_eq!(t[k].v, d[k], epsilon = 1e-15);
                    assert!(
                        (t[k].d - d[k + 1]).abs() < 1e-13 * (1.0 + d[k + 1].abs()),
                        "{act:?} k={k} z={z}: {} vs {}",
                        t[k].d,
                        d[k + 1]
                    );
                }
                // σ⁽⁶⁾ by central differences of σ⁽⁵⁾.
                let h = 1e-5;
                let fd = (act.derivatives(z + h)[5] - act.derivatives(z - h)[5]) / (2.0 * h);
                assert!((t[5].d - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{act:?} {z}");
            }
        }
    }
}
