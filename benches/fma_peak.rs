//! The machine's f64 peak, measured: fused multiply-adds on independent vector registers
//! (AVX-512 where available) on 1 and 2 threads, the fastest of five blocks per thread.
//!
//! cargo bench --bench fma_peak
//!
//! `examples/pinn_speed.rs` quotes the PINN kernel's FLOP rate against this measurement.

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in 1..=cores.min(2) {
        let p = ravine::benchmarks::fma_peak(threads, 2.0);
        println!("f64 FMA peak, {threads} thread(s): {:.1} GFLOP/s", p / 1e9);
    }
}
