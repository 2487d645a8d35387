//! The three matrix products of an affine layer on the chunk layout of [`super::taylor`]:
//!
//! ```text
//! forward        Z  (=|+=) W X        Z: wo × m,  X: wi × m
//! input adjoint  Ā  (=|+=) Wᵀ Z̄       Ā: wi × m,  Z̄: wo × m
//! weight adjoint G  +=     Z̄ Xᵀ       G: wo × wi (row-major, like the parameters)
//! ```
//!
//! with every `m`-side matrix column-major (one column per point and jet component) and `W`
//! row-major. PINN layers are narrow (20–64 neurons) and `m` is a few hundred columns per
//! chunk: shapes where a general matrix multiply spends much of its time outside its inner
//! loop (packing, dispatch, masked edge kernels). On CPUs with AVX-512 these products run on a
//! register-blocked kernel written for exactly these shapes: a tile of up to 24 rows × 8
//! columns stays in 24 vector registers for the whole inner dimension, reading the
//! column-major operands in place without packing, with masked loads and stores at the row
//! edge; single-output layers (`wo = 1`) get dot products instead of one-row tiles. Elsewhere
//! the products go to faer. The kernel is fixed per machine, so results do not depend on the
//! number of threads.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

/// `z (=|+=) W x (+ b on the first `biased` columns)`: `w` row-major `wo × wi`, `x`
/// column-major `wi × m`, `z` column-major `wo × m` (overwritten unless `add`), `b` of length
/// `wo` (with `biased ≤ m`: the value columns of a chunk; derivative columns get no bias).
pub(crate) fn forward(
    z: &mut [f64],
    w: &[f64],
    x: &[f64],
    (wo, wi): (usize, usize),
    bias: Option<(&[f64], usize)>,
    add: bool,
) {
    let m = x.len() / wi.max(1);
    assert!(w.len() == wo * wi && x.len() == wi * m && z.len() == wo * m);
    assert!(bias.is_none_or(|(b, cols)| b.len() == wo && cols <= m));
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: AVX-512F is available; the shapes were checked above.
        unsafe { avx512::forward(z, w, x, wo, wi, m, bias, add) };
        return;
    }
    matmul(
        MatMut::from_column_major_slice_mut(z, wo, m),
        accum(add),
        MatRef::from_row_major_slice(w, wo, wi),
        MatRef::from_column_major_slice(x, wi, m),
        1.0,
        Par::Seq,
    );
    if let Some((b, cols)) = bias {
        for zc in z[..wo * cols].chunks_exact_mut(wo) {
            zc.iter_mut().zip(b).for_each(|(z, b)| *z += b);
        }
    }
}

/// `a (=|+=) Wᵀ zbar`: `w` row-major `wo × wi`, `zbar` column-major `wo × m`, `a`
/// column-major `wi × m` (overwritten unless `add`).
pub(crate) fn adjoint(a: &mut [f64], w: &[f64], zbar: &[f64], wo: usize, wi: usize, add: bool) {
    let m = zbar.len() / wo.max(1);
    assert!(w.len() == wo * wi && zbar.len() == wo * m && a.len() == wi * m);
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: as in `forward`.
        unsafe { avx512::adjoint(a, w, zbar, wo, wi, m, add) };
        return;
    }
    matmul(
        MatMut::from_column_major_slice_mut(a, wi, m),
        accum(add),
        MatRef::from_row_major_slice(w, wo, wi).transpose(),
        MatRef::from_column_major_slice(zbar, wo, m),
        1.0,
        Par::Seq,
    );
}

/// `g += zbar xᵀ`: `zbar` column-major `wo × m`, `x` column-major `wi × m`, `g` row-major
/// `wo × wi`.
pub(crate) fn weight(g: &mut [f64], zbar: &[f64], x: &[f64], wo: usize, wi: usize) {
    let m = zbar.len() / wo.max(1);
    assert!(g.len() == wo * wi && zbar.len() == wo * m && x.len() == wi * m);
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: as in `forward`.
        unsafe { avx512::weight(g, zbar, x, wo, wi, m) };
        return;
    }
    matmul(
        MatMut::from_row_major_slice_mut(g, wo, wi),
        Accum::Add,
        MatRef::from_column_major_slice(zbar, wo, m),
        MatRef::from_column_major_slice(x, wi, m).transpose(),
        1.0,
        Par::Seq,
    );
}

fn accum(add: bool) -> Accum {
    if add {
        Accum::Add
    } else {
        Accum::Replace
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    /// Whether the CPU has AVX-512F (cached by `std`).
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
    }

    /// An operand read by the tile kernel: element `(k, c)` at `ptr + c·cs + k·ks`.
    #[derive(Clone, Copy)]
    struct Strided {
        ptr: *const f64,
        cs: usize,
        ks: usize,
    }

    /// Lanes `[0, valid)` set (`valid ≤ 8`).
    #[inline(always)]
    fn lanes(valid: usize) -> __mmask8 {
        ((1u32 << valid) - 1) as __mmask8
    }

    /// A bias added to the columns before `cols` of a product (`ptr` at the band's first row).
    #[derive(Clone, Copy)]
    struct Bias {
        ptr: *const f64,
        cols: usize,
    }

    /// One tile: `out[r + c·out_cs] (=|+=) Σ_{k<kk} a[r + k·a_ks] · x(k, c) (+ bias[r])` for
    /// rows `r < rows` (`rows ≤ 8·RB`, every one of the RB row blocks non-empty) and columns
    /// `c < NC`, the bias on the columns whose index `c0 + c` is below `bias.cols`. The RB·NC
    /// accumulators live in registers for the whole sum.
    #[inline]
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const RB: usize, const NC: usize>(
        kk: usize,
        a: *const f64,
        a_ks: usize,
        rows: usize,
        x: Strided,
        out: *mut f64,
        out_cs: usize,
        (bias, c0): (Bias, usize),
        add: bool,
    ) {
        let mut mask = [0 as __mmask8; RB];
        for (b, m) in mask.iter_mut().enumerate() {
            *m = lanes((rows - 8 * b).min(8));
        }
        let mut acc = [[_mm512_setzero_pd(); NC]; RB];
        for k in 0..kk {
            let mut col = [_mm512_setzero_pd(); RB];
            for b in 0..RB {
                col[b] = _mm512_maskz_loadu_pd(mask[b], a.add(k * a_ks + 8 * b));
            }
            for c in 0..NC {
                let s = _mm512_set1_pd(*x.ptr.add(c * x.cs + k * x.ks));
                for b in 0..RB {
                    acc[b][c] = _mm512_fmadd_pd(col[b], s, acc[b][c]);
                }
            }
        }
        if c0 < bias.cols {
            for b in 0..RB {
                let v = _mm512_maskz_loadu_pd(mask[b], bias.ptr.add(8 * b));
                for (c, acc) in acc[b].iter_mut().enumerate() {
                    if c0 + c < bias.cols {
                        *acc = _mm512_add_pd(*acc, v);
                    }
                }
            }
        }
        for c in 0..NC {
            for b in 0..RB {
                let p = out.add(c * out_cs + 8 * b);
                let v = if add {
                    _mm512_add_pd(_mm512_maskz_loadu_pd(mask[b], p), acc[b][c])
                } else {
                    acc[b][c]
                };
                _mm512_mask_storeu_pd(p, mask[b], v);
            }
        }
    }

    /// Columns `[0, cols)` of a row band of at most 24 rows, in tiles of 8 columns and one
    /// narrower tile at the end.
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
        while c0 + 8 <= cols {
            let xs = Strided {
                ptr: x.ptr.add(c0 * x.cs),
                ..x
            };
            let o = out.add(c0 * out_cs);
            tile::<RB, 8>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add);
            c0 += 8;
        }
        let xs = Strided {
            ptr: x.ptr.add(c0 * x.cs),
            ..x
        };
        let o = out.add(c0 * out_cs);
        match cols - c0 {
            0 => {}
            1 => tile::<RB, 1>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
            2 => tile::<RB, 2>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
            3 => tile::<RB, 3>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
            4 => tile::<RB, 4>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
            5 => tile::<RB, 5>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
            6 => tile::<RB, 6>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
            _ => tile::<RB, 7>(kk, a, a_ks, rows, xs, o, out_cs, (bias, c0), add),
        }
    }

    /// `out (rows × cols, column stride out_cs) (=|+=) A X (+ bias)` with `A`'s column `k` at
    /// `a + k·a_ks` (rows contiguous) and `X` strided: bands of 24 rows, then 16 or 8.
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
            let bias = Bias {
                ptr: bias.ptr.wrapping_add(r0),
                ..bias
            };
            match r.div_ceil(8) {
                3 => band::<3>(kk, a, a_ks, r, x, cols, out, out_cs, bias, add),
                2 => band::<2>(kk, a, a_ks, r, x, cols, out, out_cs, bias, add),
                _ => band::<1>(kk, a, a_ks, r, x, cols, out, out_cs, bias, add),
            }
            r0 += r;
        }
    }

    /// No bias.
    const NO_BIAS: Bias = Bias {
        ptr: std::ptr::null(),
        cols: 0,
    };

    /// See [`super::forward`]. `W`'s columns are copied out once (`wo·wi` entries) so that the
    /// kernel reads them contiguously; a single output row is a dot product per column.
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
        let (bias_ptr, cols) = bias.map_or((std::ptr::null(), 0), |(b, c)| (b.as_ptr(), c));
        if wo == 1 {
            for (j, (zj, xj)) in z.iter_mut().zip(x.chunks_exact(wi)).enumerate() {
                let mut d = dot(w, xj);
                if j < cols {
                    d += *bias_ptr;
                }
                *zj = if add { *zj + d } else { d };
            }
            return;
        }
        let mut wc = crate::nn::workspace::scratch(wo * wi);
        for o in 0..wo {
            for i in 0..wi {
                wc[i * wo + o] = w[o * wi + i];
            }
        }
        let x = Strided {
            ptr: x.as_ptr(),
            cs: wi,
            ks: 1,
        };
        let bias = Bias {
            ptr: bias_ptr,
            cols,
        };
        product(wi, wc.as_ptr(), wo, wo, x, m, z.as_mut_ptr(), wo, bias, add);
        crate::nn::workspace::recycle(wc);
    }

    /// See [`super::adjoint`]: `Wᵀ`'s columns are `W`'s rows, read in place.
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
        let x = Strided {
            ptr: zbar.as_ptr(),
            cs: wo,
            ks: 1,
        };
        product(
            wo,
            w.as_ptr(),
            wi,
            wi,
            x,
            m,
            a.as_mut_ptr(),
            wi,
            NO_BIAS,
            add,
        );
    }

    /// See [`super::weight`]. With at least as many inputs as outputs, computed as
    /// `Gᵀ += X Z̄ᵀ`: the row-major `G` is `Gᵀ` column-major, `X`'s columns are read in place
    /// and `Z̄ᵀ` is strided. With fewer inputs (the first layer: `d` inputs) the tiles would be
    /// mostly empty rows, so `Z̄ Xᵀ` is formed column-major in a small buffer and added
    /// transposed.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn weight(
        g: &mut [f64],
        zbar: &[f64],
        x: &[f64],
        wo: usize,
        wi: usize,
        m: usize,
    ) {
        if wi >= wo {
            let zt = Strided {
                ptr: zbar.as_ptr(),
                cs: 1,
                ks: wo,
            };
            product(
                m,
                x.as_ptr(),
                wi,
                wi,
                zt,
                wo,
                g.as_mut_ptr(),
                wi,
                NO_BIAS,
                true,
            );
            return;
        }
        let xt = Strided {
            ptr: x.as_ptr(),
            cs: 1,
            ks: wi,
        };
        let mut t = crate::nn::workspace::scratch(wo * wi);
        product(
            m,
            zbar.as_ptr(),
            wo,
            wo,
            xt,
            wi,
            t.as_mut_ptr(),
            wo,
            NO_BIAS,
            false,
        );
        for o in 0..wo {
            for i in 0..wi {
                g[o * wi + i] += t[i * wo + o];
            }
        }
        crate::nn::workspace::recycle(t);
    }

    /// `Σ_i a_i b_i` in 8-wide blocks (masked tail), then a horizontal sum.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn dot(a: &[f64], b: &[f64]) -> f64 {
        let mut acc = _mm512_setzero_pd();
        let mut i = 0;
        while i < a.len() {
            let mk = lanes((a.len() - i).min(8));
            let va = _mm512_maskz_loadu_pd(mk, a.as_ptr().add(i));
            let vb = _mm512_maskz_loadu_pd(mk, b.as_ptr().add(i));
            acc = _mm512_fmadd_pd(va, vb, acc);
            i += 8;
        }
        _mm512_reduce_add_pd(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic test data in (−1, 1).
    fn data(len: usize, seed: u64) -> Vec<f64> {
        (0..len)
            .map(|i| {
                let h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed;
                (h >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
            })
            .collect()
    }

    /// Every product against a plain triple loop, for widths that hit every tile shape (full
    /// and partial row blocks, bands of 24/16/8, column tails 0–7, single rows and columns).
    #[test]
    fn products_match_naive_loops() {
        for &(wo, wi) in &[
            (1, 20),
            (20, 1),
            (20, 20),
            (7, 13),
            (24, 24),
            (33, 64),
            (64, 5),
        ] {
            for m in [1, 5, 8, 13, 64, 517] {
                let w = data(wo * wi, 1);
                let x = data(wi * m, 2);
                let zb = data(wo * m, 3);
                let mut z_ref = vec![0.0; wo * m];
                let mut a_ref = vec![0.0; wi * m];
                let mut g_ref = data(wo * wi, 4);
                for j in 0..m {
                    for o in 0..wo {
                        for i in 0..wi {
                            z_ref[j * wo + o] += w[o * wi + i] * x[j * wi + i];
                            a_ref[j * wi + i] += w[o * wi + i] * zb[j * wo + o];
                            g_ref[o * wi + i] += zb[j * wo + o] * x[j * wi + i];
                        }
                    }
                }
                let tol = 1e-13 * (wi.max(wo).max(m)) as f64;
                let close =
                    |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < tol);
                let mut z = data(wo * m, 5);
                forward(&mut z, &w, &x, (wo, wi), None, false);
                assert!(close(&z, &z_ref), "forward {wo}×{wi}, m = {m}");
                let z0 = z.clone();
                forward(&mut z, &w, &x, (wo, wi), None, true);
                let twice: Vec<f64> = z0.iter().map(|v| 2.0 * v).collect();
                assert!(close(&z, &twice), "forward += {wo}×{wi}, m = {m}");
                let b = data(wo, 7);
                let biased = m / 2 + 1;
                forward(&mut z, &w, &x, (wo, wi), Some((&b, biased)), false);
                let with_bias: Vec<f64> = (0..wo * m)
                    .map(|e| z_ref[e] + if e / wo < biased { b[e % wo] } else { 0.0 })
                    .collect();
                assert!(close(&z, &with_bias), "forward + b {wo}×{wi}, m = {m}");
                let mut a = data(wi * m, 6);
                adjoint(&mut a, &w, &zb, wo, wi, false);
                assert!(close(&a, &a_ref), "adjoint {wo}×{wi}, m = {m}");
                let mut g = data(wo * wi, 4);
                weight(&mut g, &zb, &x, wo, wi);
                assert!(close(&g, &g_ref), "weight {wo}×{wi}, m = {m}");
            }
        }
    }
}
