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
    #[inline(always)]
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

/// `tanh z = ±(1 − 2/(e^{2|z|} + 1))` with the exponential from [`exp_small`]: no library call,
/// so loops over blocks of activations vectorize. The absolute error is a few ulps of 1, which
/// is what matters for activations that are then combined linearly; the relative error of
/// tiny values is larger than libm's. For `|z| ≥ 20` the result is `±1` exactly; NaN stays NaN.
#[inline(always)]
pub fn tanh(z: f64) -> f64 {
    let a = 2.0 * z.abs();
    // Not `min`, which would turn NaN into 40: NaN must propagate (divergence detection).
    let e = exp_small(if a > 40.0 { 40.0 } else { a });
    let t = 1.0 - 2.0 / (e + 1.0);
    t.copysign(z)
}

/// `e^x` for `|x| ≤ 40` (nothing else is checked): `x = k ln 2 + r` with `|r| ≤ ln 2 / 2`
/// (k by the 1.5·2^52 rounding trick, `ln 2` split in two for an exact product), `e^r` by its
/// Taylor polynomial of degree 13 (truncation below 1e-17) evaluated by Estrin's scheme (a
/// dependency chain of four multiply-adds after `r²`, `r⁴`, `r⁸`, instead of Horner's
/// thirteen, so that loops over many values are not bound by the latency), and `2^k` put in
/// the exponent bits. Within 2 ulps of libm's `exp` on that range, and branch-free.
#[inline(always)]
pub(crate) fn exp_small(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1/j! for j = 0..=13.
    const C: [f64; 14] = [
        1.0,
        1.0,
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let shifted = x * std::f64::consts::LOG2_E + MAGIC;
    let k = shifted - MAGIC;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let pair = |j: usize| C[j + 1].mul_add(r, C[j]);
    let low = pair(2).mul_add(r2, pair(0));
    let mid = pair(6).mul_add(r2, pair(4));
    let high = pair(10).mul_add(r2, pair(8));
    let top = pair(12);
    let p = top.mul_add(r4, high).mul_add(r8, mid.mul_add(r4, low));
    let ki = shifted.to_bits().wrapping_sub(MAGIC.to_bits());
    p * f64::from_bits(ki.wrapping_add(1023) << 52)
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
        assert_eq!(tanh(f64::INFINITY), 1.0);
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(tanh(f64::NAN).is_nan());
    }

    #[test]
    fn polynomial_exp_is_within_two_ulps_of_libm() {
        let mut worst: f64 = 0.0;
        for k in -400_000..=400_000 {
            let x = 40.0 * k as f64 / 400_000.0;
            let (a, b) = (exp_small(x), x.exp());
            worst = worst.max((a - b).abs() / b);
        }
        assert!(worst <= 2.0 * f64::EPSILON, "{worst:e}");
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
