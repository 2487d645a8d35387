//! The machine's measured f64 peak: fused multiply-adds on independent registers, so that the
//! FMA units, not their latency, set the rate. Kernels' efficiencies are quoted against this
//! measurement rather than an assumed clock.

use std::time::Instant;

/// Independent accumulators: at least latency (4 cycles) × FMA units (2) of them.
const CHAINS: usize = 16;

/// The same for AVX2, which has 16 vector registers: 16 accumulators and the two constants
/// would not fit, and the spills (a load and a store per FMA) would cap the rate well below
/// the FMA units' (26.6 against 45.6–47.7 GFLOP/s on one thread of an AMD EPYC without AVX-512).
const CHAINS_AVX2: usize = 12;

/// FMAs `a ← a·m + c` on 16 independent 8-wide (AVX-512) or 12 4-wide (AVX2) vectors, or on
/// scalars without either; returns the FLOPs done (2 per lane and FMA).
fn fma_block(rounds: usize) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            unsafe { avx512(rounds) };
            return (rounds * CHAINS * 8 * 2) as f64;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { avx2(rounds) };
            return (rounds * CHAINS_AVX2 * 4 * 2) as f64;
        }
    }
    let mut acc = [1.0f64; CHAINS];
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            *a = a.mul_add(0.999_999_9, 1e-9);
        }
    }
    std::hint::black_box(acc);
    (rounds * CHAINS * 2) as f64
}

/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512(rounds: usize) {
    use std::arch::x86_64::*;
    let m = _mm512_set1_pd(0.999_999_9);
    let c = _mm512_set1_pd(1e-9);
    let mut acc = [_mm512_set1_pd(1.0); CHAINS];
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            *a = _mm512_fmadd_pd(*a, m, c);
        }
    }
    std::hint::black_box(acc);
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2(rounds: usize) {
    use std::arch::x86_64::*;
    let m = _mm256_set1_pd(0.999_999_9);
    let c = _mm256_set1_pd(1e-9);
    let mut acc = [_mm256_set1_pd(1.0); CHAINS_AVX2];
    for _ in 0..rounds {
        for a in acc.iter_mut() {
            *a = _mm256_fmadd_pd(*a, m, c);
        }
    }
    std::hint::black_box(acc);
}

/// The f64 FLOP rate of `threads` threads each running FMAs for about `seconds` (the fastest
/// of five blocks per thread, summed over threads that run at once), in FLOP/s.
pub fn fma_peak(threads: usize, seconds: f64) -> f64 {
    let threads = threads.max(1);
    let rounds = 1 << 20;
    // Calibrate one block to about seconds / 5.
    let t = Instant::now();
    let flops = fma_block(rounds);
    let per_block = t.elapsed().as_secs_f64().max(1e-6);
    let scale = ((seconds / 5.0) / per_block).clamp(1.0, 1e4);
    let rounds = (rounds as f64 * scale) as usize;
    let flops = flops * scale;
    let rates: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    (0..5)
                        .map(|_| {
                            let t = Instant::now();
                            fma_block(rounds);
                            flops / t.elapsed().as_secs_f64()
                        })
                        .fold(0.0, f64::max)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(0.0))
            .collect()
    });
    rates.iter().sum()
}
