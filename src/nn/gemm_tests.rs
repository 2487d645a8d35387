//! Unit tests of `gemm`.
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

/// Every product against a plain triple loop, for shapes that hit every tile shape (full
/// and partial row blocks, bands of 24/16/8, column tails 1–8, single rows and columns,
/// weight tiles with partial edges and masked column tails) and both sides of the limits
/// where products go to faer.
#[test]
fn products_match_naive_loops() {
    let shapes = [
        (1, 20),
        (20, 1),
        (20, 2),
        (20, 20),
        (7, 13),
        (24, 24),
        (33, 64),
        (64, 5),
        (70, 100),
        (257, 256),
    ];
    for &(wo, wi) in &shapes {
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
                        z_ref[o * m + j] += w[o * wi + i] * x[i * m + j];
                        a_ref[i * m + j] += w[o * wi + i] * zb[o * m + j];
                        g_ref[o * wi + i] += zb[o * m + j] * x[i * m + j];
                    }
                }
            }
            let tol = 1e-13 * (wi.max(wo).max(m)) as f64;
            let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < tol);
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
                .map(|e| z_ref[e] + if e % m < biased { b[e / m] } else { 0.0 })
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

/// The order of operations both vector kernels promise (see `gemm_avx2.rs`), in scalars:
/// forward and adjoint one fused multiply-add chain per output, from zero, in index order
/// (then the bias, then the old value); the weight gradient in eight interleaved partial
/// sums reduced by halving.
mod model {
    pub fn chain(terms: impl Iterator<Item = (f64, f64)>) -> f64 {
        terms.fold(0.0, |acc, (a, b)| a.mul_add(b, acc))
    }
    pub fn dot8(z: &[f64], x: &[f64]) -> f64 {
        let mut s = [0.0f64; 8];
        for (j, (z, x)) in z.iter().zip(x).enumerate() {
            s[j % 8] = z.mul_add(*x, s[j % 8]);
        }
        ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
    }
}

/// The three products of one layer into `(z, a, g)`.
#[cfg(target_arch = "x86_64")]
type Products<'a> = dyn Fn(&mut [f64], &mut [f64], &mut [f64]) + 'a;

#[cfg(target_arch = "x86_64")]
/// The AVX2 kernels give, bit for bit, the order of operations of the AVX-512 ones (so a
/// run's result does not depend on which of the two the CPU has), and so does whichever
/// kernel this CPU dispatches to.
#[test]
fn vector_kernels_keep_one_order_of_operations() {
    let kernels_here = avx512::available() || avx2::available();
    for &(wo, wi) in &[(1, 20), (20, 2), (20, 20), (7, 13), (30, 30), (13, 31)] {
        for m in [1, 3, 8, 13, 96, 517] {
            let w = data(wo * wi, 1);
            let x = data(wi * m, 2);
            let zb = data(wo * m, 3);
            let b = data(wo, 7);
            let biased = m / 2 + 1;
            let old_z = data(wo * m, 5);
            let old_a = data(wi * m, 6);
            let old_g = data(wo * wi, 4);
            let z_of =
                |o: usize, j: usize| model::chain((0..wi).map(|i| (w[o * wi + i], x[i * m + j])));
            let a_of =
                |i: usize, j: usize| model::chain((0..wo).map(|o| (w[o * wi + i], zb[o * m + j])));
            let want_z: Vec<f64> = (0..wo * m)
                .map(|e| {
                    let v = z_of(e / m, e % m);
                    old_z[e] + if e % m < biased { v + b[e / m] } else { v }
                })
                .collect();
            let want_a: Vec<f64> = (0..wi * m).map(|e| old_a[e] + a_of(e / m, e % m)).collect();
            let want_g: Vec<f64> = (0..wo * wi)
                .map(|e| {
                    let (o, i) = (e / wi, e % wi);
                    old_g[e] + model::dot8(&zb[o * m..(o + 1) * m], &x[i * m..(i + 1) * m])
                })
                .collect();
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            let run = |f: &Products<'_>| {
                let (mut z, mut a, mut g) = (old_z.clone(), old_a.clone(), old_g.clone());
                f(&mut z, &mut a, &mut g);
                assert_eq!(bits(&z), bits(&want_z), "forward {wo}×{wi}, m = {m}");
                assert_eq!(bits(&a), bits(&want_a), "adjoint {wo}×{wi}, m = {m}");
                assert_eq!(bits(&g), bits(&want_g), "weight {wo}×{wi}, m = {m}");
            };
            if avx2::available() {
                // SAFETY: AVX2 and FMA are available; the lengths match the shapes.
                run(&|z, a, g| unsafe {
                    avx2::forward(z, &w, &x, wo, wi, m, Some((&b, biased)), true);
                    avx2::adjoint(a, &w, &zb, wo, wi, m, true);
                    avx2::weight(g, &zb, &x, wo, wi, m);
                });
            }
            if kernels_here {
                run(&|z, a, g| {
                    forward(z, &w, &x, (wo, wi), Some((&b, biased)), true);
                    adjoint(a, &w, &zb, wo, wi, true);
                    weight(g, &zb, &x, wo, wi);
                });
            }
        }
    }
}
