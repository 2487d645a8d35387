//! Activation functions and their derivatives up to order 5.

use super::Scalar;

/// The activation of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `tanh z`.
    Tanh,
    /// `sin z` (as in SIREN-style PINNs).
    Sin,
}

impl Activation {
    /// `[σ, σ', σ'', σ''', σ'''', σ⁽⁵⁾]` at `z`. Orders up to 4 drive the Taylor jets forward;
    /// order 5 is needed by the reverse pass through an order-4 jet.
    #[inline]
    pub fn derivatives(self, z: f64) -> [f64; 6] {
        match self {
            Activation::Tanh => Self::tanh_derivatives(tanh(z)),
            Activation::Sin => {
                let (s, c) = z.sin_cos();
                [s, c, -s, -c, s, c]
            }
        }
    }

    /// tanh's derivatives from `t = tanh z` (polynomials in t), as in [`Self::derivatives`];
    /// generic so that a [`Tangent`](super::Tangent) `t` gives their directional derivatives.
    #[inline]
    pub fn tanh_derivatives<T: Scalar>(t: T) -> [T; 6] {
        let c = T::constant;
        let t2 = t * t;
        let p = c(1.0) - t2;
        [
            t,
            p,
            c(-2.0) * t * p,
            c(-2.0) * p + c(6.0) * t2 * p,
            c(8.0) * t * p * (c(2.0) - c(3.0) * t2),
            c(8.0) * ((p * p - c(2.0) * t2 * p) * (c(2.0) - c(3.0) * t2) - c(6.0) * t2 * p * p),
        ]
    }

    /// The name used in run files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Sin => "sin",
        }
    }
}

/// `tanh z = ±(1 − 2/(e^{2|z|} + 1))`: one `exp` instead of libm's `tanh` (which goes through
/// `expm1`), about twice as fast. The absolute error is a few ulps of 1, which is what matters
/// for activations that are then combined linearly; the relative error of tiny values is
/// larger than libm's.
#[inline]
pub fn tanh(z: f64) -> f64 {
    let e = (2.0 * z.abs()).exp();
    let t = 1.0 - 2.0 / (e + 1.0);
    t.copysign(z)
}

impl std::str::FromStr for Activation {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "tanh" => Ok(Activation::Tanh),
            "sin" => Ok(Activation::Sin),
            other => Err(crate::Error::InvalidConfig {
                component: "activation",
                message: format!("unknown activation {other:?} (expected tanh or sin)"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_is_accurate_in_absolute_terms() {
        let mut worst: f64 = 0.0;
        for k in -4000..=4000 {
            let z = k as f64 / 200.0;
            worst = worst.max((tanh(z) - z.tanh()).abs());
        }
        assert!(worst < 4e-16, "{worst}");
        assert_eq!(tanh(800.0), 1.0);
        assert_eq!(tanh(-800.0), -1.0);
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for act in [Activation::Tanh, Activation::Sin] {
            for &z in &[-1.7, -0.3, 0.0, 0.4, 2.1] {
                let h = 1e-5;
                let (p, m) = (act.derivatives(z + h), act.derivatives(z - h));
                let d = act.derivatives(z);
                for k in 0..5 {
                    let fd = (p[k] - m[k]) / (2.0 * h);
                    assert!(
                        (fd - d[k + 1]).abs() < 1e-7 * (1.0 + d[k + 1].abs()),
                        "{act:?} order {} at {z}: {fd} vs {}",
                        k + 1,
                        d[k + 1]
                    );
                }
            }
        }
    }
}
