//! AVX-512 kernels of `gemm` for small layers (x86-64 only; chosen at run time).
use super::Strided;
use std::arch::x86_64::*;

/// Whether the CPU has AVX-512F (cached by `std`).
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// A bias `ptr[c]` added to output column `c` in the rows before `rows`; `row0` is the
/// global index of the current band's first row.
#[derive(Clone, Copy)]
struct Bias {
    ptr: *const f64,
    rows: usize,
    row0: usize,
}

/// No bias.
const NO_BIAS: Bias = Bias {
    ptr: std::ptr::null(),
    rows: 0,
    row0: 0,
};

/// Lanes `[0, valid)` set (`valid ≤ 8`).
#[inline(always)]
fn lanes(valid: usize) -> __mmask8 {
    ((1u32 << valid.min(8)) - 1) as __mmask8
}

/// One tile: `out[r + c·out_cs] (=|+=) Σ_{k<kk} a[r + k·a_ks] · x(k, c) (+ bias)` for rows
/// `r < rows` (`rows ≤ 8·RB`, every one of the RB row blocks non-empty) and columns
/// `c < NC`. The RB·NC accumulators live in registers for the whole sum.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). `a` must be valid for reads of
/// `a[r + k·a_ks]`, `x.ptr` of `x(k, c)` and `bias.ptr` of `bias.ptr[c]` (when `bias.rows >
/// 0`) for every `r < rows`, `k < kk`, `c < NC`; `out` must be valid for reads and writes of
/// `out[r + c·out_cs]` and not overlap the inputs.
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn tile<const RB: usize, const NC: usize>(
    kk: usize,
    a: *const f64,
    a_ks: usize,
    rows: usize,
    x: Strided,
    out: *mut f64,
    out_cs: usize,
    bias: Bias,
    add: bool,
) {
    let mut mask = [0 as __mmask8; RB];
    for (b, m) in mask.iter_mut().enumerate() {
        *m = lanes(rows - 8 * b);
    }
    let mut acc = [[_mm512_setzero_pd(); NC]; RB];
    // Plain loads when every row is valid: a masked load costs an extra vector uop on the
    // ports the multiply-adds need.
    let full = rows == 8 * RB;
    for k in 0..kk {
        let mut col = [_mm512_setzero_pd(); RB];
        for b in 0..RB {
            let p = a.add(k * a_ks + 8 * b);
            col[b] = if full {
                _mm512_loadu_pd(p)
            } else {
                _mm512_maskz_loadu_pd(mask[b], p)
            };
        }
        for c in 0..NC {
            let s = _mm512_set1_pd(*x.ptr.add(c * x.cs + k * x.ks));
            for b in 0..RB {
                acc[b][c] = _mm512_fmadd_pd(col[b], s, acc[b][c]);
            }
        }
    }
    if bias.row0 < bias.rows {
        for b in 0..RB {
            let start = bias.row0 + 8 * b;
            if start < bias.rows {
                let mb = lanes(bias.rows - start);
                for (c, acc) in acc[b].iter_mut().enumerate() {
                    let v = _mm512_set1_pd(*bias.ptr.add(c));
                    *acc = _mm512_mask_add_pd(*acc, mb, *acc, v);
                }
            }
        }
    }
    for c in 0..NC {
        for b in 0..RB {
            let p = out.add(c * out_cs + 8 * b);
            if full {
                let v = if add {
                    _mm512_add_pd(_mm512_loadu_pd(p), acc[b][c])
                } else {
                    acc[b][c]
                };
                _mm512_storeu_pd(p, v);
            } else {
                let v = if add {
                    _mm512_add_pd(_mm512_maskz_loadu_pd(mask[b], p), acc[b][c])
                } else {
                    acc[b][c]
                };
                _mm512_mask_storeu_pd(p, mask[b], v);
            }
        }
    }
}

/// Columns `[0, cols)` of a band of at most 24 rows, in tiles of 8 columns and one
/// narrower tile at the end.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). The pointers must be valid as in [`tile`] for
/// every row `r < rows ≤ 8·RB` and column `c < cols`.
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn band<const RB: usize>(
    kk: usize,
    a: *const f64,
    a_ks: usize,
    rows: usize,
    x: Strided,
    cols: usize,
    out: *mut f64,
    out_cs: usize,
    bias: Bias,
    add: bool,
) {
    let mut c0 = 0;
    while c0 < cols {
        let xs = Strided {
            ptr: x.ptr.add(c0 * x.cs),
            ..x
        };
        let o = out.add(c0 * out_cs);
        let bs = Bias {
            ptr: bias.ptr.wrapping_add(c0),
            ..bias
        };
        match cols - c0 {
            1 => tile::<RB, 1>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            2 => tile::<RB, 2>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            3 => tile::<RB, 3>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            4 => tile::<RB, 4>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            5 => tile::<RB, 5>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            6 => tile::<RB, 6>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            7 => tile::<RB, 7>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
            _ => tile::<RB, 8>(kk, a, a_ks, rows, xs, o, out_cs, bs, add),
        }
        c0 += 8;
    }
}

/// `out (rows × cols, column stride out_cs) (=|+=) A X (+ bias)` with `A`'s column `k` at
/// `a + k·a_ks` (rows contiguous) and `X` strided: bands of 24 rows, then 16 or 8.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). The pointers must be valid as in [`tile`] for
/// every row below the product's `rows` and column below its `cols`.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn product(
    kk: usize,
    a: *const f64,
    a_ks: usize,
    rows: usize,
    x: Strided,
    cols: usize,
    out: *mut f64,
    out_cs: usize,
    bias: Bias,
    add: bool,
) {
    let mut r0 = 0;
    while r0 < rows {
        let r = (rows - r0).min(24);
        let (a, out) = (a.add(r0), out.add(r0));
        let bias = Bias { row0: r0, ..bias };
        match r.div_ceil(8) {
            3 => band::<3>(kk, a, a_ks, r, x, cols, out, out_cs, bias, add),
            2 => band::<2>(kk, a, a_ks, r, x, cols, out, out_cs, bias, add),
            _ => band::<1>(kk, a, a_ks, r, x, cols, out, out_cs, bias, add),
        }
        r0 += r;
    }
}

/// See [`super::forward`]: `Zᵀ = Xᵀ Wᵀ`, the chunk's columns down the lanes, `Xᵀ`'s
/// columns (`X`'s rows) read in place, `Wᵀ` strided.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). The slices must have the lengths the shapes imply
/// (`super::gemm` asserts them before calling): `z`: `wo·m`, `w`: `wo·wi`, `x`: `wi·m`, and a
/// bias `(b, rows)` has `b.len() == wo` and `rows ≤ m`.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn forward(
    z: &mut [f64],
    w: &[f64],
    x: &[f64],
    wo: usize,
    wi: usize,
    m: usize,
    bias: Option<(&[f64], usize)>,
    add: bool,
) {
    let bias = bias.map_or(NO_BIAS, |(b, rows)| Bias {
        ptr: b.as_ptr(),
        rows,
        row0: 0,
    });
    let wt = Strided {
        ptr: w.as_ptr(),
        cs: wi,
        ks: 1,
    };
    product(wi, x.as_ptr(), m, m, wt, wo, z.as_mut_ptr(), m, bias, add);
}

/// See [`super::adjoint`]: `Āᵀ = Z̄ᵀ W`.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). The slices must have the lengths the shapes imply
/// (`super::gemm` asserts them before calling): `a`: `wi·m`, `w`: `wo·wi`, `zbar`: `wo·m`.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn adjoint(
    a: &mut [f64],
    w: &[f64],
    zbar: &[f64],
    wo: usize,
    wi: usize,
    m: usize,
    add: bool,
) {
    let wm = Strided {
        ptr: w.as_ptr(),
        cs: 1,
        ks: wi,
    };
    product(
        wo,
        zbar.as_ptr(),
        m,
        m,
        wm,
        wi,
        a.as_mut_ptr(),
        m,
        NO_BIAS,
        add,
    );
}

/// See [`super::weight`]: `G[o][i] += Σ_col zbar[o][col] · x[i][col]`, a table of dot
/// products. Tiles of `TO` outputs × `TI` inputs keep `TO·TI` vector accumulators (lanes =
/// 8 consecutive columns) over all columns, then sum across lanes once. Edge tiles repeat
/// the last row and keep only the valid entries.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). The slices must have the lengths the shapes imply
/// (`super::gemm` asserts them before calling): `g`: `wo·wi`, `zbar`: `wo·m`, `x`: `wi·m`.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn weight(
    g: &mut [f64],
    zbar: &[f64],
    x: &[f64],
    wo: usize,
    wi: usize,
    m: usize,
) {
    if wo == 1 {
        weight_tiles::<1, 8>(g, zbar, x, wo, wi, m);
    } else if wi <= 2 {
        weight_tiles::<8, 2>(g, zbar, x, wo, wi, m);
    } else {
        weight_tiles::<4, 4>(g, zbar, x, wo, wi, m);
    }
}

/// [`weight`] in tiles of `TO × TI`.
///
/// # Safety
///
/// The CPU must support AVX-512F ([`available`]). The slices must have the lengths of [`weight`].
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn weight_tiles<const TO: usize, const TI: usize>(
    g: &mut [f64],
    zbar: &[f64],
    x: &[f64],
    wo: usize,
    wi: usize,
    m: usize,
) {
    let tail = lanes(m % 8);
    for o0 in (0..wo).step_by(TO) {
        let zr: [*const f64; TO] =
            std::array::from_fn(|k| zbar.as_ptr().add((o0 + k).min(wo - 1) * m));
        for i0 in (0..wi).step_by(TI) {
            let xr: [*const f64; TI] =
                std::array::from_fn(|k| x.as_ptr().add((i0 + k).min(wi - 1) * m));
            let mut acc = [[_mm512_setzero_pd(); TI]; TO];
            // Plain loads in the main loop: a masked load costs an extra vector uop on
            // the ports the multiply-adds need.
            let mut col = 0;
            while col + 8 <= m {
                let zv: [__m512d; TO] = std::array::from_fn(|k| _mm512_loadu_pd(zr[k].add(col)));
                for i in 0..TI {
                    let xv = _mm512_loadu_pd(xr[i].add(col));
                    for o in 0..TO {
                        acc[o][i] = _mm512_fmadd_pd(zv[o], xv, acc[o][i]);
                    }
                }
                col += 8;
            }
            if col < m {
                let zv: [__m512d; TO] =
                    std::array::from_fn(|k| _mm512_maskz_loadu_pd(tail, zr[k].add(col)));
                for i in 0..TI {
                    let xv = _mm512_maskz_loadu_pd(tail, xr[i].add(col));
                    for o in 0..TO {
                        acc[o][i] = _mm512_fmadd_pd(zv[o], xv, acc[o][i]);
                    }
                }
            }
            let mut sums = [[0.0; TI]; TO];
            for o in 0..TO {
                for i in 0..TI {
                    sums[o][i] = _mm512_reduce_add_pd(acc[o][i]);
                }
            }
            for (o, row) in sums.iter().enumerate().take(wo - o0) {
                for (i, v) in row.iter().enumerate().take(wi - i0) {
                    g[(o0 + o) * wi + i0 + i] += v;
                }
            }
        }
    }
}
