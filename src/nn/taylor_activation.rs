//! The activation's Taylor-mode rules for [`super::taylor`]: tanh by vectorizable passes over
//! whole blocks of jets (forward and adjoint), other activations through the generic rules.

use super::taylor::{activate_adjoint_generic, activate_generic, direction_blocks};
use super::workspace::scratch;
use super::{Activation, JetSpec};

/// Applies the activation: tanh by vectorizable passes over whole blocks, others element by
/// element.
pub(super) fn activate(act: Activation, spec: &JetSpec, z: &[f64], w: usize, n: usize) -> Vec<f64> {
    match act {
        Activation::Tanh => activate_tanh(spec, z, w, n),
        _ => {
            let mut y = scratch(z.len());
            activate_generic(act, spec, z, &mut y, w, n);
            y
        }
    }
}

/// The reverse of [`activate`].
pub(super) fn activate_adjoint(
    act: Activation,
    spec: &JetSpec,
    z: &[f64],
    y0: &[f64],
    ybar: &[f64],
    w: usize,
    n: usize,
) -> Vec<f64> {
    match act {
        Activation::Tanh => activate_adjoint_tanh(spec, z, y0, ybar, w, n),
        _ => {
            let mut zbar = scratch(z.len());
            activate_adjoint_generic(act, spec, z, ybar, &mut zbar, w, n);
            zbar
        }
    }
}

/// tanh's σ′…σ⁽⁵⁾ from `t = tanh z` (see [`Activation::tanh_derivatives`]).
#[inline(always)]
fn th(t: f64) -> (f64, f64, f64, f64, f64) {
    let s = Activation::tanh_derivatives(t);
    (s[1], s[2], s[3], s[4], s[5])
}

/// Values per strip of the tanh passes: a strip's values and σ derivatives stay in registers
/// or L1 while every direction's components of the same elements use them, and four vectors
/// in flight hide the latency of the exponential and the division (the forward pass; the
/// Hessian-vector product's tangent passes use it too, not re-measured with shorter strips).
pub(super) const STRIP: usize = 32;

/// Values per strip of the reverse pass, which has no exponential or division to hide: half
/// a forward strip keeps its σ derivatives and value adjoints in registers instead of the
/// stack (tanh's adjoint over a 20 × 384 block, Burgers' jets: 1.07–1.18 → 0.87–0.91 ns per
/// value on the AVX-512 AMD EPYC, the same bits).
const ADJOINT_STRIP: usize = 16;

/// One pass over a block in strips: `strip::<L>(i0)` handles the value entries `i0..i0+L`
/// with all their components.
pub(super) trait Strips {
    /// The strip of `L` value entries from `i0`.
    fn strip<const L: usize>(&mut self, i0: usize);
}

/// Runs `pass` over strips covering the value entries of a `w × (C·n)` neuron-major matrix
/// (`m = C·n`): each neuron's `n` values in strips of `S`, then of 8, then single
/// entries. A trait rather than a closure: a closure is a function of its own, which the
/// compiler need not inline into the SIMD-dispatched caller, and then it is compiled without
/// that caller's vector features (a large pass was: plain SSE2 code).
#[inline(always)]
pub(super) fn for_strips<const S: usize>(w: usize, n: usize, m: usize, pass: &mut impl Strips) {
    for j in 0..w {
        let (mut p, row) = (0, j * m);
        while p + S <= n {
            pass.strip::<S>(row + p);
            p += S;
        }
        while p + 8 <= n {
            pass.strip::<8>(row + p);
            p += 8;
        }
        for p in p..n {
            pass.strip::<1>(row + p);
        }
    }
}

/// `L` consecutive entries of `x` from `at`, as an array reference (so that loops over them
/// have a constant trip count and no bounds checks).
#[inline(always)]
pub(super) fn arr<const L: usize>(x: &[f64], at: usize) -> &[f64; L] {
    x[at..at + L].try_into().expect("strip inside the block")
}

/// tanh on the jets, one pass over the value block in strips of [`STRIP`] elements (the tail
/// one element at a time): the strip's values, their σ derivatives (polynomials in `t`), then
/// every direction's components of the same elements; compiled for the widest SIMD the CPU has
/// (chosen at run time by `pulp`).
fn activate_tanh(spec: &JetSpec, z: &[f64], w: usize, n: usize) -> Vec<f64> {
    struct Op<'a>(&'a JetSpec, &'a [f64], usize, usize);
    impl pulp::WithSimd for Op<'_> {
        type Output = Vec<f64>;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> Vec<f64> {
            let Op(spec, z, w, n) = self;
            let dirs = direction_blocks(spec);
            let mut y = scratch(z.len());
            struct Pass<'a>(&'a [(usize, usize)], &'a [f64], &'a mut [f64], usize);
            impl Strips for Pass<'_> {
                #[inline(always)]
                fn strip<const L: usize>(&mut self, i0: usize) {
                    tanh_strip::<L>(self.0, self.1, self.2, self.3, i0);
                }
            }
            for_strips::<STRIP>(w, n, z.len() / w.max(1), &mut Pass(&dirs, z, &mut y, n));
            y
        }
    }
    pulp::Arch::new().dispatch(Op(spec, z, w, n))
}

/// Value entries `i0..i0+L` of [`activate_tanh`] with all their components (component `c` of
/// entry `i` at `i + c·cs`).
#[inline(always)]
fn tanh_strip<const L: usize>(
    dirs: &[(usize, usize)],
    z: &[f64],
    y: &mut [f64],
    cs: usize,
    i0: usize,
) {
    let z0 = arr::<L>(z, i0);
    let mut t = [0.0; L];
    for i in 0..L {
        t[i] = super::activation::tanh(z0[i]);
    }
    y[i0..i0 + L].copy_from_slice(&t);
    let (mut s1, mut s2) = ([0.0; L], [0.0; L]);
    for i in 0..L {
        let (d1, d2, _, _, _) = th(t[i]);
        s1[i] = d1;
        s2[i] = d2;
    }
    for &(c1, order) in dirs {
        let at = |k: usize| (c1 + k - 1) * cs + i0;
        let z1 = arr::<L>(z, at(1));
        match order {
            1 => {
                let mut o1 = [0.0; L];
                for i in 0..L {
                    o1[i] = s1[i] * z1[i];
                }
                y[at(1)..at(1) + L].copy_from_slice(&o1);
            }
            2 => {
                let z2 = arr::<L>(z, at(2));
                let (mut o1, mut o2) = ([0.0; L], [0.0; L]);
                for i in 0..L {
                    let a = z1[i];
                    o1[i] = s1[i] * a;
                    o2[i] = s2[i] * a * a + s1[i] * z2[i];
                }
                y[at(1)..at(1) + L].copy_from_slice(&o1);
                y[at(2)..at(2) + L].copy_from_slice(&o2);
            }
            // Orders 3 and 4 in separate loops: a test of the order inside the loop kept the
            // compiler from vectorizing it (KdV's u_xxx ran in scalar code).
            3 => {
                let (z2, z3) = (arr::<L>(z, at(2)), arr::<L>(z, at(3)));
                let mut o = [[0.0; L]; 3];
                for i in 0..L {
                    let (s1, s2, s3, _, _) = th(t[i]);
                    [o[0][i], o[1][i], o[2][i]] = third([s1, s2, s3], [z1[i], z2[i], z3[i]]);
                }
                for (k, ok) in o.iter().enumerate() {
                    y[at(k + 1)..at(k + 1) + L].copy_from_slice(ok);
                }
            }
            _ => {
                let (z2, z3, z4) = (arr::<L>(z, at(2)), arr::<L>(z, at(3)), arr::<L>(z, at(4)));
                let mut o = [[0.0; L]; 4];
                for i in 0..L {
                    let (s1, s2, s3, s4, _) = th(t[i]);
                    let (a, c, d) = (z1[i], z2[i], z3[i]);
                    [o[0][i], o[1][i], o[2][i]] = third([s1, s2, s3], [a, c, d]);
                    o[3][i] = s4 * a * a * a * a
                        + 6.0 * s3 * a * a * c
                        + s2 * (3.0 * c * c + 4.0 * a * d)
                        + s1 * z4[i];
                }
                for (k, ok) in o.iter().enumerate() {
                    y[at(k + 1)..at(k + 1) + L].copy_from_slice(ok);
                }
            }
        }
    }
}

/// The reverse of [`activate_tanh`], again one pass over strips (of [`ADJOINT_STRIP`]),
/// dispatched the same way.
fn activate_adjoint_tanh(
    spec: &JetSpec,
    z: &[f64],
    y0: &[f64],
    ybar: &[f64],
    w: usize,
    n: usize,
) -> Vec<f64> {
    struct Op<'a>(&'a JetSpec, [&'a [f64]; 3], usize, usize);
    impl pulp::WithSimd for Op<'_> {
        type Output = Vec<f64>;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> Vec<f64> {
            let Op(spec, [z, y0, ybar], w, n) = self;
            let dirs = direction_blocks(spec);
            let mut zbar = scratch(z.len());
            let zs = [z, y0, ybar];
            struct Pass<'a>(&'a [(usize, usize)], [&'a [f64]; 3], &'a mut [f64], usize);
            impl Strips for Pass<'_> {
                #[inline(always)]
                fn strip<const L: usize>(&mut self, i0: usize) {
                    tanh_adjoint_strip::<L>(self.0, self.1, self.2, self.3, i0);
                }
            }
            for_strips::<ADJOINT_STRIP>(
                w,
                n,
                z.len() / w.max(1),
                &mut Pass(&dirs, zs, &mut zbar, n),
            );
            zbar
        }
    }
    pulp::Arch::new().dispatch(Op(spec, [z, y0, ybar], w, n))
}

/// Value entries `i0..i0+L` of [`activate_adjoint_tanh`] with all their components (component
/// `c` of entry `i` at `i + c·cs`).
#[inline(always)]
fn tanh_adjoint_strip<const L: usize>(
    dirs: &[(usize, usize)],
    [z, y0, ybar]: [&[f64]; 3],
    zbar: &mut [f64],
    cs: usize,
    i0: usize,
) {
    let (t, yb0) = (arr::<L>(y0, i0), arr::<L>(ybar, i0));
    let (mut s1, mut s2, mut s3) = ([0.0; L], [0.0; L], [0.0; L]);
    let mut z0bar = [0.0; L];
    for i in 0..L {
        let (d1, d2, d3, _, _) = th(t[i]);
        s1[i] = d1;
        s2[i] = d2;
        s3[i] = d3;
        z0bar[i] = d1 * yb0[i];
    }
    for &(c1, order) in dirs {
        let at = |k: usize| (c1 + k - 1) * cs + i0;
        let (z1, y1) = (arr::<L>(z, at(1)), arr::<L>(ybar, at(1)));
        match order {
            1 => {
                let mut o1 = [0.0; L];
                for i in 0..L {
                    o1[i] = s1[i] * y1[i];
                    z0bar[i] += s2[i] * z1[i] * y1[i];
                }
                zbar[at(1)..at(1) + L].copy_from_slice(&o1);
            }
            2 => {
                let (z2, y2) = (arr::<L>(z, at(2)), arr::<L>(ybar, at(2)));
                let (mut o1, mut o2) = ([0.0; L], [0.0; L]);
                for i in 0..L {
                    let a = z1[i];
                    o1[i] = s1[i] * y1[i] + 2.0 * s2[i] * a * y2[i];
                    o2[i] = s1[i] * y2[i];
                    z0bar[i] += s2[i] * a * y1[i] + (s3[i] * a * a + s2[i] * z2[i]) * y2[i];
                }
                zbar[at(1)..at(1) + L].copy_from_slice(&o1);
                zbar[at(2)..at(2) + L].copy_from_slice(&o2);
            }
            // Orders 3 and 4 in separate loops, as in the forward pass (vectorized).
            3 => {
                let (z2, y2) = (arr::<L>(z, at(2)), arr::<L>(ybar, at(2)));
                let (z3, y3) = (arr::<L>(z, at(3)), arr::<L>(ybar, at(3)));
                let mut o = [[0.0; L]; 3];
                for i in 0..L {
                    let (s1, s2, s3, s4, _) = th(t[i]);
                    let z = [z1[i], z2[i], z3[i]];
                    let (bars, z0) = third_adjoint([s1, s2, s3, s4], z, [y1[i], y2[i], y3[i]]);
                    [o[0][i], o[1][i], o[2][i]] = bars;
                    z0bar[i] += z0;
                }
                for (k, ok) in o.iter().enumerate() {
                    zbar[at(k + 1)..at(k + 1) + L].copy_from_slice(ok);
                }
            }
            _ => {
                let (z2, y2) = (arr::<L>(z, at(2)), arr::<L>(ybar, at(2)));
                let (z3, y3) = (arr::<L>(z, at(3)), arr::<L>(ybar, at(3)));
                let (z4, y4) = (arr::<L>(z, at(4)), arr::<L>(ybar, at(4)));
                let mut o = [[0.0; L]; 4];
                for i in 0..L {
                    let (s1, s2, s3, s4, s5) = th(t[i]);
                    let (a, c, d, e, y4) = (z1[i], z2[i], z3[i], z4[i], y4[i]);
                    let ([a_bar, c_bar, d_bar], z0) =
                        third_adjoint([s1, s2, s3, s4], [a, c, d], [y1[i], y2[i], y3[i]]);
                    o[0][i] =
                        a_bar + (4.0 * s4 * a * a * a + 12.0 * s3 * a * c + 4.0 * s2 * d) * y4;
                    o[1][i] = c_bar + (6.0 * s3 * a * a + 6.0 * s2 * c) * y4;
                    o[2][i] = d_bar + 4.0 * s2 * a * y4;
                    o[3][i] = s1 * y4;
                    z0bar[i] += z0
                        + (s5 * a * a * a * a
                            + 6.0 * s4 * a * a * c
                            + s3 * (3.0 * c * c + 4.0 * a * d)
                            + s2 * e)
                            * y4;
                }
                for (k, ok) in o.iter().enumerate() {
                    zbar[at(k + 1)..at(k + 1) + L].copy_from_slice(ok);
                }
            }
        }
    }
    zbar[i0..i0 + L].copy_from_slice(&z0bar);
}

/// Faà di Bruno to third order along one direction: the output components 1–3 from σ′, σ″,
/// σ‴ and the input components `[z₁, z₂, z₃]` (shared by the order-3 and order-4 loops of
/// [`tanh_strip`], each of which must stay free of run-time tests to vectorize).
#[inline(always)]
fn third([s1, s2, s3]: [f64; 3], [a, c, d]: [f64; 3]) -> [f64; 3] {
    [
        s1 * a,
        s2 * a * a + s1 * c,
        s3 * a * a * a + 3.0 * s2 * a * c + s1 * d,
    ]
}

/// The reverse of [`third`]: `[z̄₁, z̄₂, z̄₃]` and the value's share, from σ′ … σ⁗, the input
/// components and the output adjoints `[ȳ₁, ȳ₂, ȳ₃]`.
#[inline(always)]
fn third_adjoint(
    [s1, s2, s3, s4]: [f64; 4],
    [a, c, d]: [f64; 3],
    [y1, y2, y3]: [f64; 3],
) -> ([f64; 3], f64) {
    let bars = [
        s1 * y1 + 2.0 * s2 * a * y2 + (3.0 * s3 * a * a + 3.0 * s2 * c) * y3,
        s1 * y2 + 3.0 * s2 * a * y3,
        s1 * y3,
    ];
    let z0 = s2 * a * y1
        + (s3 * a * a + s2 * c) * y2
        + (s4 * a * a * a + 3.0 * s3 * a * c + s2 * d) * y3;
    (bars, z0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectorized tanh strips against the generic element-by-element rule, forward and
    /// adjoint, for jets up to fourth order, a mixed second derivative, and a point count that
    /// leaves a remainder after the strips.
    #[test]
    fn tanh_strips_match_the_generic_rule() {
        let specs = [
            JetSpec::new(2),
            JetSpec::new(2).pure(0, 2).unwrap(),
            JetSpec::new(2).pure(0, 3).unwrap().pure(1, 1).unwrap(),
            JetSpec::new(2).pure(0, 4).unwrap().mixed(0, 1).unwrap(),
        ];
        let (w, n) = (3, 13);
        let mut worst: f64 = 0.0;
        for spec in &specs {
            let len = w * spec.components() * n;
            let z: Vec<f64> = (0..len)
                .map(|i| ((i * 37 % 101) as f64 - 50.0) / 17.0)
                .collect();
            let ybar: Vec<f64> = (0..len)
                .map(|i| ((i * 53 % 89) as f64 - 44.0) / 23.0)
                .collect();
            let fast = activate(Activation::Tanh, spec, &z, w, n);
            let mut slow = vec![0.0; len];
            activate_generic(Activation::Tanh, spec, &z, &mut slow, w, n);
            let fast_bar = activate_adjoint(Activation::Tanh, spec, &z, &fast, &ybar, w, n);
            let mut slow_bar = vec![0.0; len];
            activate_adjoint_generic(Activation::Tanh, spec, &z, &ybar, &mut slow_bar, w, n);
            for (a, b) in fast.iter().zip(&slow).chain(fast_bar.iter().zip(&slow_bar)) {
                let err = (a - b).abs() / b.abs().max(1.0);
                worst = worst.max(err);
                assert!(err < 1e-13, "{a} vs {b} ({} components)", spec.components());
            }
        }
        assert!(worst < 1e-13, "{worst:e}");
    }
}
