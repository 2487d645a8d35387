//! The activation's Taylor-mode rules differentiated along a parameter direction, for the
//! Hessian-vector products of [`super::hvp`]: given the jets `z` entering an activation and
//! their tangents `ż = D_u z`, the tangent of its output jets (forward), and given also the
//! adjoint of its output and that adjoint's tangent, the adjoint of its input and its tangent
//! (reverse) — in one pass each.
//!
//! The arithmetic is Faà di Bruno's formula ([`super::taylor::faa_forward`] and its reverse)
//! evaluated on [`Tangent`] numbers, the same code as the jets themselves, so nothing is
//! derived twice by hand. For tanh the σ derivatives are polynomials in `t = tanh z₀`, read
//! from the forward tape rather than recomputed (`ṫ = (1 − t²) ż₀`), and the passes go over
//! strips of values with the tangent numbers' two halves in separate registers, compiled for
//! the widest SIMD the CPU has (`pulp`), like the training passes of
//! [`super::taylor_activation`]; other activations go element by element through the generic
//! rules.

use super::tangent::{tangents, zip};
use super::taylor::{
    activate_adjoint_generic, activate_generic, direction_blocks, faa_adjoint, faa_forward,
};
use super::taylor_activation::{arr, for_strips, Strips, STRIP};
use super::workspace::scratch;
use super::{Activation, JetSpec, Tangent};

/// The tangent `ẏ` of the activation's output jets, from its input jets `z`, their tangents
/// `zd` and its output jets `y` (the tape's; tanh reads `t = tanh z₀` from their values), all
/// `w × (C·n)` neuron-major.
pub(super) fn activate_tangent(
    act: Activation,
    spec: &JetSpec,
    [z, zd, y]: [&[f64]; 3],
    w: usize,
    n: usize,
) -> Vec<f64> {
    match act {
        Activation::Tanh => {
            struct Op<'a>(&'a JetSpec, [&'a [f64]; 3], usize, usize);
            impl pulp::WithSimd for Op<'_> {
                type Output = Vec<f64>;
                #[inline(always)]
                fn with_simd<S: pulp::Simd>(self, _: S) -> Vec<f64> {
                    let Op(spec, xs, w, n) = self;
                    let dirs = direction_blocks(spec);
                    let mut yd = scratch(xs[0].len());
                    struct Pass<'a>(&'a [(usize, usize)], [&'a [f64]; 3], &'a mut [f64], usize);
                    impl Strips for Pass<'_> {
                        #[inline(always)]
                        fn strip<const L: usize>(&mut self, i0: usize) {
                            tangent_strip::<L>(self.0, self.1, self.2, self.3, i0);
                        }
                    }
                    let m = xs[0].len() / w.max(1);
                    for_strips::<STRIP>(w, n, m, &mut Pass(&dirs, xs, &mut yd, n));
                    yd
                }
            }
            pulp::Arch::new().dispatch(Op(spec, [z, zd, y], w, n))
        }
        _ => {
            let zt = zip(z, zd);
            let mut out = vec![Tangent::default(); zt.len()];
            activate_generic(act, spec, &zt, &mut out, w, n);
            tangents(&out)
        }
    }
}

/// The adjoint `z̄` of the activation's input jets and its tangent `ż̄`, stacked as `[ż̄; z̄]`
/// (`2w × (C·n)`), from the input jets `z`, their tangents `zd`, the output jets `y` (the
/// tape's), the output adjoint `ybar` and its tangent `ybard`, all `w × (C·n)` neuron-major.
pub(super) fn activate_adjoint_tangent(
    act: Activation,
    spec: &JetSpec,
    [z, zd, y, ybar, ybard]: [&[f64]; 5],
    w: usize,
    n: usize,
) -> Vec<f64> {
    match act {
        Activation::Tanh => {
            struct Op<'a>(&'a JetSpec, [&'a [f64]; 5], usize, usize);
            impl pulp::WithSimd for Op<'_> {
                type Output = Vec<f64>;
                #[inline(always)]
                fn with_simd<S: pulp::Simd>(self, _: S) -> Self::Output {
                    let Op(spec, xs, w, n) = self;
                    let dirs = direction_blocks(spec);
                    let mut both = scratch(2 * xs[0].len());
                    let (zbard, zbar) = both.split_at_mut(xs[0].len());
                    struct Pass<'a, 'b>(
                        &'a [(usize, usize)],
                        [&'a [f64]; 5],
                        [&'b mut [f64]; 2],
                        usize,
                    );
                    impl Strips for Pass<'_, '_> {
                        #[inline(always)]
                        fn strip<const L: usize>(&mut self, i0: usize) {
                            adjoint_tangent_strip::<L>(self.0, self.1, &mut self.2, self.3, i0);
                        }
                    }
                    let m = xs[0].len() / w.max(1);
                    for_strips::<STRIP>(w, n, m, &mut Pass(&dirs, xs, [zbar, zbard], n));
                    both
                }
            }
            pulp::Arch::new().dispatch(Op(spec, [z, zd, y, ybar, ybard], w, n))
        }
        _ => {
            let (zt, yt) = (zip(z, zd), zip(ybar, ybard));
            let mut out = vec![Tangent::default(); zt.len()];
            activate_adjoint_generic(act, spec, &zt, &yt, &mut out, w, n);
            let mut both = tangents(&out);
            both.extend(out.iter().map(|t| t.v));
            both
        }
    }
}

/// tanh's `[σ, σ′, …, σ⁽⁵⁾]` and their tangents, from `t = tanh z₀` and `ż₀`.
#[inline(always)]
fn tanh_tangent(t: f64, zd0: f64) -> [Tangent; 6] {
    Activation::tanh_derivatives(Tangent::new(t, (1.0 - t * t) * zd0))
}

/// Strip entry `i` of the components of one direction, as tangent numbers (zero past
/// `ORDER`).
#[inline(always)]
fn components<const L: usize, const ORDER: usize>(
    v: &[&[f64; L]; ORDER],
    vd: &[&[f64; L]; ORDER],
    i: usize,
) -> [Tangent; 4] {
    std::array::from_fn(|k| {
        if k < ORDER {
            Tangent::new(v[k][i], vd[k][i])
        } else {
            Tangent::default()
        }
    })
}

/// The strips of the first `ORDER` components of a direction: component `k` is the `L`
/// entries from `at + k·cs` (`cs ≥ L`, so they do not overlap).
#[inline(always)]
fn strips<const L: usize, const ORDER: usize>(
    x: &[f64],
    at: usize,
    cs: usize,
) -> [&[f64; L]; ORDER] {
    std::array::from_fn(|k| arr::<L>(x, at + k * cs))
}

/// As [`strips`], writable.
#[inline(always)]
fn strips_mut<const L: usize, const ORDER: usize>(
    x: &mut [f64],
    at: usize,
    cs: usize,
) -> [&mut [f64; L]; ORDER] {
    let mut rows = x[at..].chunks_mut(cs);
    std::array::from_fn(|_| {
        let row = rows.next().expect("component inside the block");
        (&mut row[..L]).try_into().expect("strip inside the block")
    })
}

/// Value entries `i0..i0+L` of [`activate_tangent`] for tanh, with all their components
/// (component `c` of entry `i` at `i + c·cs`).
#[inline(always)]
fn tangent_strip<const L: usize>(
    dirs: &[(usize, usize)],
    [z, zd, y]: [&[f64]; 3],
    yd: &mut [f64],
    cs: usize,
    i0: usize,
) {
    let (t, zd0) = (arr::<L>(y, i0), arr::<L>(zd, i0));
    let o: &mut [f64; L] = (&mut yd[i0..i0 + L]).try_into().expect("strip");
    for i in 0..L {
        o[i] = (1.0 - t[i] * t[i]) * zd0[i];
    }
    for &(c1, order) in dirs {
        let at = c1 * cs + i0;
        match order {
            1 => tangent_direction::<L, 1>([t, zd0], [z, zd], yd, at, cs),
            2 => tangent_direction::<L, 2>([t, zd0], [z, zd], yd, at, cs),
            3 => tangent_direction::<L, 3>([t, zd0], [z, zd], yd, at, cs),
            _ => tangent_direction::<L, 4>([t, zd0], [z, zd], yd, at, cs),
        }
    }
}

/// One direction of [`tangent_strip`]: a loop without branches, so that it vectorizes.
#[inline(always)]
fn tangent_direction<const L: usize, const ORDER: usize>(
    [t, zd0]: [&[f64; L]; 2],
    [z, zd]: [&[f64]; 2],
    yd: &mut [f64],
    at: usize,
    cs: usize,
) {
    let (zc, zdc) = (
        strips::<L, ORDER>(z, at, cs),
        strips::<L, ORDER>(zd, at, cs),
    );
    let out = strips_mut::<L, ORDER>(yd, at, cs);
    for i in 0..L {
        let s = tanh_tangent(t[i], zd0[i]);
        let yc = faa_forward(&s, &components(&zc, &zdc, i), ORDER);
        for k in 0..ORDER {
            out[k][i] = yc[k].d;
        }
    }
}

/// Value entries `i0..i0+L` of [`activate_adjoint_tangent`] for tanh, with all their
/// components: `out = [z̄, ż̄]`.
#[inline(always)]
fn adjoint_tangent_strip<const L: usize>(
    dirs: &[(usize, usize)],
    [z, zd, y, ybar, ybard]: [&[f64]; 5],
    [zbar, zbard]: &mut [&mut [f64]; 2],
    cs: usize,
    i0: usize,
) {
    let (t, zd0) = (arr::<L>(y, i0), arr::<L>(zd, i0));
    let (yb0, ybd0) = (arr::<L>(ybar, i0), arr::<L>(ybard, i0));
    let (mut z0v, mut z0d) = ([0.0; L], [0.0; L]);
    for i in 0..L {
        let s = tanh_tangent(t[i], zd0[i]);
        let v = s[1] * Tangent::new(yb0[i], ybd0[i]);
        z0v[i] = v.v;
        z0d[i] = v.d;
    }
    for &(c1, order) in dirs {
        let at = c1 * cs + i0;
        let ins = [z, zd, ybar, ybard];
        let mut acc = [&mut z0v, &mut z0d];
        let outs = [&mut **zbar, &mut **zbard];
        match order {
            1 => adjoint_direction::<L, 1>([t, zd0], ins, outs, &mut acc, at, cs),
            2 => adjoint_direction::<L, 2>([t, zd0], ins, outs, &mut acc, at, cs),
            3 => adjoint_direction::<L, 3>([t, zd0], ins, outs, &mut acc, at, cs),
            _ => adjoint_direction::<L, 4>([t, zd0], ins, outs, &mut acc, at, cs),
        }
    }
    zbar[i0..i0 + L].copy_from_slice(&z0v);
    zbard[i0..i0 + L].copy_from_slice(&z0d);
}

/// One direction of [`adjoint_tangent_strip`]: writes the direction's components of `z̄`, `ż̄`
/// and adds its contribution to the value's (`acc`).
#[inline(always)]
fn adjoint_direction<const L: usize, const ORDER: usize>(
    [t, zd0]: [&[f64; L]; 2],
    [z, zd, ybar, ybard]: [&[f64]; 4],
    [zbar, zbard]: [&mut [f64]; 2],
    [z0v, z0d]: &mut [&mut [f64; L]; 2],
    at: usize,
    cs: usize,
) {
    let (zc, zdc) = (
        strips::<L, ORDER>(z, at, cs),
        strips::<L, ORDER>(zd, at, cs),
    );
    let (yc, ydc) = (
        strips::<L, ORDER>(ybar, at, cs),
        strips::<L, ORDER>(ybard, at, cs),
    );
    let (ov, od) = (
        strips_mut::<L, ORDER>(zbar, at, cs),
        strips_mut::<L, ORDER>(zbard, at, cs),
    );
    for i in 0..L {
        let s = tanh_tangent(t[i], zd0[i]);
        let (a, b) = (components(&zc, &zdc, i), components(&yc, &ydc, i));
        let (dz0, zb) = faa_adjoint(&s, &a, &b, ORDER);
        let sum = Tangent::new(z0v[i], z0d[i]) + dz0;
        z0v[i] = sum.v;
        z0d[i] = sum.d;
        for k in 0..ORDER {
            ov[k][i] = zb[k].v;
            od[k][i] = zb[k].d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tanh strips against the generic element-by-element rule on tangent numbers, forward
    /// and adjoint, for jets up to fourth order, a mixed second derivative, and a point count
    /// that leaves a remainder after the strips.
    #[test]
    fn tanh_tangent_strips_match_the_generic_rule() {
        let specs = [
            JetSpec::new(2),
            JetSpec::new(2).pure(0, 2).unwrap(),
            JetSpec::new(2).pure(0, 3).unwrap().pure(1, 1).unwrap(),
            JetSpec::new(2).pure(0, 4).unwrap().mixed(0, 1).unwrap(),
        ];
        let (w, n) = (3, 45);
        let fill = |len: usize, a: usize, b: usize, s: f64| -> Vec<f64> {
            (0..len)
                .map(|i| ((i * a % b) as f64 - b as f64 / 2.0) / s)
                .collect()
        };
        let mut worst: f64 = 0.0;
        for spec in &specs {
            let len = w * spec.components() * n;
            let (z, zd) = (fill(len, 37, 101, 17.0), fill(len, 41, 97, 29.0));
            let (yb, ybd) = (fill(len, 53, 89, 23.0), fill(len, 31, 83, 19.0));
            let (zt, ybt) = (zip(&z, &zd), zip(&yb, &ybd));
            let mut y = vec![Tangent::default(); len];
            activate_generic(Activation::Tanh, spec, &zt, &mut y, w, n);
            let mut zb = vec![Tangent::default(); len];
            activate_adjoint_generic(Activation::Tanh, spec, &zt, &ybt, &mut zb, w, n);
            let yv: Vec<f64> = y.iter().map(|t| t.v).collect();
            let fast = activate_tangent(Activation::Tanh, spec, [&z, &zd, &yv], w, n);
            let both =
                activate_adjoint_tangent(Activation::Tanh, spec, [&z, &zd, &yv, &yb, &ybd], w, n);
            let (fd, fv) = both.split_at(len);
            let pairs = fast
                .iter()
                .zip(y.iter().map(|t| t.d))
                .chain(fv.iter().zip(zb.iter().map(|t| t.v)))
                .chain(fd.iter().zip(zb.iter().map(|t| t.d)));
            for (a, b) in pairs {
                let err = (a - b).abs() / b.abs().max(1.0);
                worst = worst.max(err);
            }
        }
        assert!(worst < 1e-13, "{worst:e}");
    }
}
