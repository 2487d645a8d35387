//! The inverse Hessian of [`super::Bfgs`] as a packed upper triangle: row `i` holds the
//! entries `(i, i) … (i, p − 1)`, so the matrix takes `p(p + 1)/2` numbers and every pass over
//! it (the products, the update) reads half the memory of the full matrix.
//!
//! The update makes `H` exactly symmetric (each entry `(i, j)` is the same expression as
//! `(j, i)`), so nothing is lost; and [`products`] sums every row in the order of
//! [`super::update::dot`] on the full row (eight lanes by column mod 8, the last `p mod 8`
//! columns apart), so the results are the same bits as with the full matrix.

use rayon::prelude::*;

/// Number of stored entries for `p` parameters.
pub(super) fn len(p: usize) -> usize {
    p * (p + 1) / 2
}

/// Where row `i` starts.
fn offset(p: usize, i: usize) -> usize {
    i * p - i * i.saturating_sub(1) / 2
}

/// Row `i` (columns `i … p − 1`).
fn row(h: &[f64], p: usize, i: usize) -> &[f64] {
    let at = offset(p, i);
    &h[at..at + p - i]
}

/// The rows, mutable, for a parallel pass.
pub(super) fn rows_mut(mut h: &mut [f64], p: usize) -> Vec<&mut [f64]> {
    let mut rows = Vec::with_capacity(p);
    for i in 0..p {
        let (r, rest) = h.split_at_mut(p - i);
        rows.push(r);
        h = rest;
    }
    rows
}

/// The upper triangle of a full row-major `p × p` matrix.
pub(super) fn pack(full: &[f64], p: usize) -> Vec<f64> {
    (0..p)
        .flat_map(|i| full[i * p + i..(i + 1) * p].iter().copied())
        .collect()
}

/// The full row-major matrix.
pub(super) fn unpack(h: &[f64], p: usize) -> Vec<f64> {
    let mut full = vec![0.0; p * p];
    for i in 0..p {
        for (k, &v) in row(h, p, i).iter().enumerate() {
            full[i * p + i + k] = v;
            full[(i + k) * p + i] = v;
        }
    }
    full
}

/// The diagonal entry `(i, i)`.
pub(super) fn diagonal_mut(h: &mut [f64], p: usize, i: usize) -> &mut f64 {
    &mut h[offset(p, i)]
}

/// `H v` for each of the `K` vectors, bit for bit what `dot(row_i, v)` gives on the full
/// matrix. The outputs are split into one block per thread (each output's sum runs in the same
/// order whatever block it is in, so the result does not depend on the number of threads); a
/// block streams the rows above it for the entries below the diagonal, in increasing column
/// order, then its own rows. Blocks as large as that keep the reads sequential: with blocks of
/// 64 outputs the products ran at half the speed of the full matrix's row-by-row dot products.
pub(super) fn products<const K: usize>(h: &[f64], p: usize, vs: [&[f64]; K]) -> [Vec<f64>; K] {
    let size = p.div_ceil(rayon::current_num_threads().max(1)).max(8);
    let starts: Vec<usize> = (0..p).step_by(size).collect();
    let parts: Vec<[Vec<f64>; K]> = starts
        .par_iter()
        .map(|&i0| {
            pulp::Arch::new().dispatch(Block {
                h,
                p,
                vs,
                range: (i0, (i0 + size).min(p)),
            })
        })
        .collect();
    std::array::from_fn(|k| parts.iter().flat_map(|b| b[k].iter().copied()).collect())
}

/// One block of [`products`], compiled for the widest SIMD the CPU has (chosen at run time by
/// `pulp`; the same operations in the same order whatever the width).
struct Block<'a, const K: usize> {
    h: &'a [f64],
    p: usize,
    vs: [&'a [f64]; K],
    range: (usize, usize),
}

impl<const K: usize> pulp::WithSimd for Block<'_, K> {
    type Output = [Vec<f64>; K];
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Self::Output {
        block(self.h, self.p, self.vs, self.range.0, self.range.1)
    }
}

/// Outputs `i0 … i1 − 1` of [`products`].
#[inline(always)]
fn block<const K: usize>(
    h: &[f64],
    p: usize,
    vs: [&[f64]; K],
    i0: usize,
    i1: usize,
) -> [Vec<f64>; K] {
    let (nb, q) = (i1 - i0, p - p % 8);
    // The sum's starting value, as `dot`'s `.sum()` of the tail has it.
    let init: f64 = std::iter::empty::<f64>().sum();
    // Lane `k` of output `i` for vector `v` at `(v·8 + k)·nb + i − i0`; the tails apart.
    let mut lanes = vec![0.0; K * 8 * nb];
    let mut tails = vec![init; K * nb];
    let mut out: [Vec<f64>; K] = std::array::from_fn(|_| vec![0.0; nb]);
    for j in 0..i1 {
        let r = row(h, p, j);
        // Entry (j, i) = (i, j) for the block's outputs i > j: column j of their rows.
        let lo = i0.max(j + 1);
        if lo < i1 {
            let seg = &r[lo - j..i1 - j];
            for (v, x) in vs.iter().enumerate() {
                let xj = x[j];
                let acc = if j < q {
                    let at = (v * 8 + j % 8) * nb;
                    &mut lanes[at + lo - i0..at + nb]
                } else {
                    &mut tails[v * nb + lo - i0..(v + 1) * nb]
                };
                for (a, hv) in acc.iter_mut().zip(seg) {
                    *a += hv * xj;
                }
            }
        }
        if j < i0 {
            continue;
        }
        // Output j's own row from the diagonal on, after everything left of it.
        for (v, x) in vs.iter().enumerate() {
            let mut acc: [f64; 8] = std::array::from_fn(|k| lanes[(v * 8 + k) * nb + j - i0]);
            let mut c = j;
            while c < q && c % 8 != 0 {
                acc[c % 8] += r[c - j] * x[c];
                c += 1;
            }
            while c + 8 <= q {
                let (hr, xr) = (&r[c - j..c - j + 8], &x[c..c + 8]);
                for k in 0..8 {
                    acc[k] += hr[k] * xr[k];
                }
                c += 8;
            }
            let mut tail = tails[v * nb + j - i0];
            for c in c..p {
                tail += r[c - j] * x[c];
            }
            out[v][j - i0] = acc.iter().sum::<f64>() + tail;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::update::dot;
    use super::*;

    /// The packed products give the same bits as `dot` over the full rows, for sizes around
    /// the lane width and the block size; packing round-trips.
    #[test]
    fn packed_products_match_the_full_rows_bit_for_bit() {
        for p in [1, 3, 7, 8, 9, 15, 64, 65, 131, 300] {
            let mut full = vec![0.0; p * p];
            for i in 0..p {
                for j in 0..=i {
                    let v = (((i * 7919 + j * 104_729) % 1009) as f64 - 504.0) / 97.0;
                    full[i * p + j] = v;
                    full[j * p + i] = v;
                }
            }
            let a: Vec<f64> = (0..p).map(|i| ((i * 31 % 17) as f64 - 8.0) / 3.0).collect();
            let b: Vec<f64> = (0..p).map(|i| 1.0 / (1.0 + i as f64)).collect();
            let h = pack(&full, p);
            assert_eq!(h.len(), len(p));
            assert_eq!(unpack(&h, p), full);
            let [ha, hb] = products(&h, p, [&a, &b]);
            // One block or several: the same bits.
            let [whole, _] = block(&h, p, [&a, &b], 0, p);
            assert!(whole
                .iter()
                .zip(&ha)
                .all(|(x, y)| x.to_bits() == y.to_bits()));
            for i in 0..p {
                let r = &full[i * p..(i + 1) * p];
                assert_eq!(ha[i].to_bits(), dot(r, &a).to_bits(), "p = {p}, row {i}");
                assert_eq!(hb[i].to_bits(), dot(r, &b).to_bits(), "p = {p}, row {i}");
            }
            let mut h = h;
            let rows = rows_mut(&mut h, p);
            assert!(rows.iter().enumerate().all(|(i, r)| r.len() == p - i));
        }
    }
}
