//! AVX2 + FMA kernels of `gemm` for small layers (x86-64 only; chosen at run time on CPUs
//! without AVX-512).
//!
//! They perform, element by element, the same floating-point operations in the same order as
//! the AVX-512 kernels (`gemm_avx512.rs`), so a run gives the same bits on either kind of
//! CPU:
//! - forward and input adjoint: each output is one chain of fused multiply-adds over the
//!   short inner dimension, from zero, in index order; then the bias; then the old value
//!   (when adding). The lane width does not enter.
//! - weight gradient: each entry sums its `m` products in eight interleaved partial sums
//!   (partial sum `l` takes the columns `≡ l mod 8`, one fused multiply-add each), reduced
//!   by halving, `((s0+s4) + (s2+s6)) + ((s1+s5) + (s3+s7))`, then added to `G`. Here the
//!   eight partial sums are two 4-lane registers.
use super::Strided;
use std::arch::x86_64::*;

/// Whether the CPU has AVX2 and FMA (cached by `std`).
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Lanes `[0, valid)` of a 4-lane mask (sign bits set; `valid ≤ 4`).
#[inline(always)]
fn lanes(valid: usize) -> __m256i {
    let on = |l: usize| if l < valid { -1i64 } else { 0 };
    // SAFETY: `_mm256_setr_epi64x` only needs AVX, which AVX2 implies; callers run under
    // `target_feature(enable = "avx2,fma")`.
    unsafe { _mm256_setr_epi64x(on(0), on(1), on(2), on(3)) }
}

/// One tile: `out[r + c·out_cs] (=|+=) Σ_{k<kk} a[r + k·a_ks] · x(k, c) (+ bias[c] for rows
/// below `bias_rows`)` for rows `r < rows` (`rows ≤ 4·RB`, every row block non-empty) and
/// columns `c < NC`; the RB·NC accumulators stay in registers. `FULL` tiles (`rows == 4·RB`)
/// load and store whole registers; the others mask the lanes at and beyond `rows`.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA ([`available`]). `a` must be valid for reads of
/// `a[r + k·a_ks]`, `x.ptr` of `x(k, c)`, `bias` of `bias[c]` (when `bias_rows > 0`), and
/// `out` for reads and writes of `out[r + c·out_cs]`, for every `r < rows`, `k < kk`,
/// `c < NC`; `out` must not overlap the inputs. With `FULL`, `rows` must be `4·RB`.
#[inline]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
unsafe fn tile<const RB: usize, const NC: usize, const FULL: bool>(
    kk: usize,
    (a, a_ks): (*const f64, usize),
    rows: usize,
    x: Strided,
    (out, out_cs): (*mut f64, usize),
    (bias, bias_rows): (*const f64, usize),
    add: bool,
) {
    // Full tiles read and write whole registers: no mask is live in their inner loop, which
    // keeps all RB·NC accumulators in registers.
    let mask: [__m256i; RB] = if FULL {
        [_mm256_setzero_si256(); RB]
    } else {
        std::array::from_fn(|b| lanes(rows - 4 * b))
    };
    let mut acc = [[_mm256_setzero_pd(); NC]; RB];
    for k in 0..kk {
        let mut col = [_mm256_setzero_pd(); RB];
        for b in 0..RB {
            let p = a.add(k * a_ks + 4 * b);
            col[b] = if FULL {
                _mm256_loadu_pd(p)
            } else {
                _mm256_maskload_pd(p, mask[b])
            };
        }
        for c in 0..NC {
            let s = _mm256_set1_pd(*x.ptr.add(c * x.cs + k * x.ks));
            for b in 0..RB {
                acc[b][c] = _mm256_fmadd_pd(col[b], s, acc[b][c]);
            }
        }
    }
    for b in 0..RB {
        if 4 * b < bias_rows {
            let mb = _mm256_castsi256_pd(lanes(bias_rows - 4 * b));
            for (c, acc) in acc[b].iter_mut().enumerate() {
                let sum = _mm256_add_pd(*acc, _mm256_set1_pd(*bias.add(c)));
                *acc = _mm256_blendv_pd(*acc, sum, mb);
            }
        }
    }
    for c in 0..NC {
        for b in 0..RB {
            let p = out.add(c * out_cs + 4 * b);
            if FULL {
                let v = if add {
                    _mm256_add_pd(_mm256_loadu_pd(p), acc[b][c])
                } else {
                    acc[b][c]
                };
                _mm256_storeu_pd(p, v);
            } else {
                let v = if add {
                    _mm256_add_pd(_mm256_maskload_pd(p, mask[b]), acc[b][c])
                } else {
                    acc[b][c]
                };
                _mm256_maskstore_pd(p, mask[b], v);
            }
        }
    }
}

/// `out (rows × cols, column stride out_cs) (=|+=) A X (+ bias)` with `A`'s column `k` at
/// `a + k·a_ks` (rows contiguous) and `X` strided, in register tiles (sizes below),
/// narrower at the edges.
///
/// # Safety
///
/// As [`tile`], for every row below `rows` and column below `cols`.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn product(
    kk: usize,
    a: (*const f64, usize),
    rows: usize,
    x: Strided,
    cols: usize,
    out: (*mut f64, usize),
    bias: (*const f64, usize),
    add: bool,
) {
    // Accumulators, the tile's rows of `A` and one broadcast must fit the 16 registers with
    // one to spare (with all 16 in use the compiler spills an accumulator, and its chain then
    // runs through memory): 8 rows × up to 6 columns (12 + 2 + 1), or for products with at
    // most 3 columns 12 rows × 3 (9 + 3 + 1). Column tiles are balanced (20 = 4 × 5).
    let (tile_rows, widest) = if cols <= 3 { (12, 3) } else { (8, 6) };
    let width = cols.div_ceil(cols.div_ceil(widest));
    let mut r0 = 0;
    while r0 < rows {
        let r = (rows - r0).min(tile_rows);
        let mut c0 = 0;
        while c0 < cols {
            let nc = (cols - c0).min(width);
            let a = (a.0.add(r0), a.1);
            let xs = Strided {
                ptr: x.ptr.add(c0 * x.cs),
                ..x
            };
            let o = (out.0.add(r0 + c0 * out.1), out.1);
            let bs = (bias.0.wrapping_add(c0), bias.1.saturating_sub(r0));
            macro_rules! go {
                ($rb:literal, $full:literal) => {
                    match nc {
                        1 => tile::<$rb, 1, $full>(kk, a, r, xs, o, bs, add),
                        2 => tile::<$rb, 2, $full>(kk, a, r, xs, o, bs, add),
                        3 => tile::<$rb, 3, $full>(kk, a, r, xs, o, bs, add),
                        4 => tile::<$rb, 4, $full>(kk, a, r, xs, o, bs, add),
                        5 => tile::<$rb, 5, $full>(kk, a, r, xs, o, bs, add),
                        _ => tile::<$rb, 6, $full>(kk, a, r, xs, o, bs, add),
                    }
                };
            }
            match r {
                12 => go!(3, true),
                9..=11 => go!(3, false),
                8 => go!(2, true),
                5..=7 => go!(2, false),
                4 => go!(1, true),
                _ => go!(1, false),
            }
            c0 += nc;
        }
        r0 += r;
    }
}

/// See [`super::forward`]: `Zᵀ = Xᵀ Wᵀ`, the chunk's columns down the lanes.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA ([`available`]). The slices must have the lengths the
/// shapes imply (`super::gemm` asserts them): `z`: `wo·m`, `w`: `wo·wi`, `x`: `wi·m`, and a
/// bias `(b, rows)` has `b.len() == wo` and `rows ≤ m`.
#[target_feature(enable = "avx2,fma")]
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
    let bias = bias.map_or((std::ptr::null(), 0), |(b, rows)| (b.as_ptr(), rows));
    let wt = Strided {
        ptr: w.as_ptr(),
        cs: wi,
        ks: 1,
    };
    product(
        wi,
        (x.as_ptr(), m),
        m,
        wt,
        wo,
        (z.as_mut_ptr(), m),
        bias,
        add,
    );
}

/// See [`super::adjoint`]: `Āᵀ = Z̄ᵀ W`.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA ([`available`]). The slices must have the lengths the
/// shapes imply (`super::gemm` asserts them): `a`: `wi·m`, `w`: `wo·wi`, `zbar`: `wo·m`.
#[target_feature(enable = "avx2,fma")]
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
    let out = (a.as_mut_ptr(), m);
    product(
        wo,
        (zbar.as_ptr(), m),
        m,
        wm,
        wi,
        out,
        (std::ptr::null(), 0),
        add,
    );
}

/// See [`super::weight`]: `G[o][i] += Σ_col zbar[o][col] · x[i][col]` in the eight-way
/// interleaved order described in the module docs, in tiles of 2 outputs × 2 inputs (or
/// 1 × 4 for a single output): 2 registers per entry.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA ([`available`]). The slices must have the lengths the
/// shapes imply (`super::gemm` asserts them): `g`: `wo·wi`, `zbar`: `wo·m`, `x`: `wi·m`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn weight(
    g: &mut [f64],
    zbar: &[f64],
    x: &[f64],
    wo: usize,
    wi: usize,
    m: usize,
) {
    if wo == 1 {
        weight_tiles::<1, 4>(g, zbar, x, wo, wi, m);
    } else {
        weight_tiles::<2, 2>(g, zbar, x, wo, wi, m);
    }
}

/// [`weight`] in tiles of `TO × TI`; edge tiles repeat the last row and keep only the valid
/// entries.
///
/// # Safety
///
/// As [`weight`].
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn weight_tiles<const TO: usize, const TI: usize>(
    g: &mut [f64],
    zbar: &[f64],
    x: &[f64],
    wo: usize,
    wi: usize,
    m: usize,
) {
    let rem = m % 8;
    let tail = [lanes(rem.min(4)), lanes(rem.saturating_sub(4))];
    for o0 in (0..wo).step_by(TO) {
        let zr: [*const f64; TO] =
            std::array::from_fn(|k| zbar.as_ptr().add((o0 + k).min(wo - 1) * m));
        for i0 in (0..wi).step_by(TI) {
            let xr: [*const f64; TI] =
                std::array::from_fn(|k| x.as_ptr().add((i0 + k).min(wi - 1) * m));
            // acc[o][i][h]: partial sums 4h .. 4h + 3.
            let mut acc = [[[_mm256_setzero_pd(); 2]; TI]; TO];
            let mut col = 0;
            while col + 8 <= m {
                accumulate(&mut acc, zr, xr, col, None);
                col += 8;
            }
            if col < m {
                accumulate(&mut acc, zr, xr, col, Some(tail));
            }
            for (o, row) in acc.iter().enumerate().take(wo - o0) {
                for (i, [lo, hi]) in row.iter().enumerate().take(wi - i0) {
                    g[(o0 + o) * wi + i0 + i] += reduce(*lo, *hi);
                }
            }
        }
    }
}

/// One step of [`weight_tiles`]: columns `col .. col + 8` (lanes outside `mask`, when given,
/// read as zero) into the partial sums.
///
/// # Safety
///
/// As [`weight`]; the rows `zr`, `xr` must be valid for reads of the unmasked columns.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn accumulate<const TO: usize, const TI: usize>(
    acc: &mut [[[__m256d; 2]; TI]; TO],
    zr: [*const f64; TO],
    xr: [*const f64; TI],
    col: usize,
    mask: Option<[__m256i; 2]>,
) {
    for h in 0..2 {
        let load = |p: *const f64| match mask {
            None => _mm256_loadu_pd(p.add(col + 4 * h)),
            Some(m) => _mm256_maskload_pd(p.add(col + 4 * h), m[h]),
        };
        let zv: [__m256d; TO] = std::array::from_fn(|k| load(zr[k]));
        for (i, &xp) in xr.iter().enumerate() {
            let xv = load(xp);
            for o in 0..TO {
                acc[o][i][h] = _mm256_fmadd_pd(zv[o], xv, acc[o][i][h]);
            }
        }
    }
}

/// `((s0+s4) + (s2+s6)) + ((s1+s5) + (s3+s7))` for `lo = s0..s3`, `hi = s4..s7`: the
/// halving order of `_mm512_reduce_add_pd`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn reduce(lo: __m256d, hi: __m256d) -> f64 {
    let q = _mm256_add_pd(lo, hi);
    let d = _mm_add_pd(_mm256_castpd256_pd128(q), _mm256_extractf128_pd::<1>(q));
    _mm_cvtsd_f64(_mm_add_sd(d, _mm_unpackhi_pd(d, d)))
}
