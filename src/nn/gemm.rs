//! The three matrix products of an affine layer on the chunk layout of [`super::taylor`],
//! where a layer's activations are stored neuron by neuron: neuron `j`'s `m` jet columns
//! (every component of every point of the chunk) are contiguous, at `j·m`. With `X` the
//! `wi × m` input, `Z` the `wo × m` output (both stored that way: row-major, leading dimension
//! `m`) and `W` the row-major `wo × wi` weights:
//!
//! ```text
//! forward        Z  (=|+=) W X  (+ b on the first `n` columns: the values)
//! input adjoint  Ā  (=|+=) Wᵀ Z̄
//! weight adjoint G  +=     Z̄ Xᵀ       G: wo × wi (row-major, like the parameters)
//! ```
//!
//! PINN layers are narrow (20–64 neurons) while `m` is a few hundred columns per chunk. The
//! first two products therefore run with the long `m` side down the vector lanes: on CPUs with
//! AVX-512 a register-blocked kernel keeps a tile of 24 columns × up to 8 neurons in 24 vector
//! registers over the whole (short) inner dimension, reading the operands in place, so no lane
//! is wasted on a neuron count that is not a multiple of eight (20 neurons in 24-wide row
//! tiles would waste a sixth). The weight gradient is a table of `wo × wi` dot products of
//! length `m`, done 4 × 4 at a time with vector accumulators. CPUs with AVX2 and FMA but not
//! AVX-512 run kernels of the same shape on 4-lane registers that perform the same operations
//! in the same order element by element, so the small layers give the same bits on both kinds
//! of CPU (the Burgers default run: 3.934e-3 on either). Elsewhere the products go to faer, as
//! do the weight gradients of wide layers (see [`WIDE`]) and the other two products of very
//! wide ones ([`WIDE_PRODUCT`]), whose results depend on its vector width. The choice is
//! fixed per machine and shape, so results do not depend on the number of threads.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

/// `z (=|+=) W x (+ b on the first `biased` columns)`: `w` row-major `wo × wi`, `x` row-major
/// `wi × m`, `z` row-major `wo × m` (overwritten unless `add`), `b` of length `wo` (with
/// `biased ≤ m`: the value columns of a chunk; derivative columns get no bias).
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
    if avx512::available() && wo * wi <= WIDE_PRODUCT {
        // SAFETY: AVX-512F is available; the shapes were checked above.
        unsafe { avx512::forward(z, w, x, wo, wi, m, bias, add) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if avx2::available() && wo * wi <= WIDE_PRODUCT {
        // SAFETY: AVX2 and FMA are available; the shapes were checked above.
        unsafe { avx2::forward(z, w, x, wo, wi, m, bias, add) };
        return;
    }
    // Zᵀ = Xᵀ Wᵀ with every matrix column-major.
    matmul(
        MatMut::from_column_major_slice_mut(z, m, wo),
        accum(add),
        MatRef::from_column_major_slice(x, m, wi),
        MatRef::from_column_major_slice(w, wi, wo),
        1.0,
        Par::Seq,
    );
    if let Some((b, cols)) = bias {
        for (zr, b) in z.chunks_exact_mut(m).zip(b) {
            zr[..cols].iter_mut().for_each(|z| *z += b);
        }
    }
}

/// `a (=|+=) Wᵀ zbar`: `w` row-major `wo × wi`, `zbar` row-major `wo × m`, `a` row-major
/// `wi × m` (overwritten unless `add`).
pub(crate) fn adjoint(a: &mut [f64], w: &[f64], zbar: &[f64], wo: usize, wi: usize, add: bool) {
    let m = zbar.len() / wo.max(1);
    assert!(w.len() == wo * wi && zbar.len() == wo * m && a.len() == wi * m);
    #[cfg(target_arch = "x86_64")]
    if avx512::available() && wo * wi <= WIDE_PRODUCT {
        // SAFETY: as in `forward`.
        unsafe { avx512::adjoint(a, w, zbar, wo, wi, m, add) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if avx2::available() && wo * wi <= WIDE_PRODUCT {
        // SAFETY: as in `forward`.
        unsafe { avx2::adjoint(a, w, zbar, wo, wi, m, add) };
        return;
    }
    // Āᵀ = Z̄ᵀ W.
    matmul(
        MatMut::from_column_major_slice_mut(a, m, wi),
        accum(add),
        MatRef::from_column_major_slice(zbar, m, wo),
        MatRef::from_row_major_slice(w, wo, wi),
        1.0,
        Par::Seq,
    );
}

/// `g += zbar xᵀ`: `zbar` row-major `wo × m`, `x` row-major `wi × m`, `g` row-major `wo × wi`.
pub(crate) fn weight(g: &mut [f64], zbar: &[f64], x: &[f64], wo: usize, wi: usize) {
    let m = zbar.len() / wo.max(1);
    assert!(g.len() == wo * wi && zbar.len() == wo * m && x.len() == wi * m);
    #[cfg(target_arch = "x86_64")]
    if avx512::available() && wo * wi <= WIDE {
        // SAFETY: as in `forward`.
        unsafe { avx512::weight(g, zbar, x, wo, wi, m) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if avx2::available() && wo * wi <= WIDE {
        // SAFETY: as in `forward`.
        unsafe { avx2::weight(g, zbar, x, wo, wi, m) };
        return;
    }
    matmul(
        MatMut::from_row_major_slice_mut(g, wo, wi),
        Accum::Add,
        MatRef::from_row_major_slice(zbar, wo, m),
        MatRef::from_column_major_slice(x, m, wi),
        1.0,
        Par::Seq,
    );
}

/// Layers with more than this many weights take their weight gradient from faer: with a long
/// inner dimension (`m`) its packed kernels win. On the AVX-512 AMD EPYC of 2026-12-02 (best of
/// ten, m = 384, faer against the kernel here): 40 × 40 97 against 88 GFLOP/s, 64 × 64 97
/// against 86, but 32 × 32 89 against 98 (20 × 20 runs at 94 here).
const WIDE: usize = 32 * 32;

/// The forward and input-adjoint products run on the kernels here up to this many weights
/// (faer beyond): their inner dimension is the layer's width, and the kernel beat faer's at
/// every width measured on the same machine (forward / adjoint GFLOP/s, kernel against faer,
/// m = 384: 32 × 32 107 / 110 against 95 / 96, 64 × 64 110 / 109 against 106 / 93,
/// 128 × 128 100 / 99 against 93 / 95, 256 × 256 92 / 85 against 87 / 80). Until 2026-12-02
/// the limit was [`WIDE`], from an older machine where faer won at 64 × 64 (59 against 73 µs
/// forward, and 32 × 32 layers took all three products from faer); networks with a layer of
/// 32 × 32 weights or more changed bits then.
const WIDE_PRODUCT: usize = 256 * 256;

fn accum(add: bool) -> Accum {
    if add {
        Accum::Add
    } else {
        Accum::Replace
    }
}

/// The small operand of a product in the vector kernels: element `(k, c)` at
/// `ptr + c·cs + k·ks`.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Strided {
    ptr: *const f64,
    cs: usize,
    ks: usize,
}

#[cfg(target_arch = "x86_64")]
#[path = "gemm_avx512.rs"]
mod avx512;

#[cfg(target_arch = "x86_64")]
#[path = "gemm_avx2.rs"]
mod avx2;

#[cfg(test)]
#[path = "gemm_tests.rs"]
mod tests;
