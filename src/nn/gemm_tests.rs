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
/// weight tiles with partial edges and masked column tails).
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
