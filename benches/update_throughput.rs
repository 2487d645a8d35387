//! Update-rule throughput: parameters per second of one `Optimizer::step` for p = 1e3 … 1e7,
//! against the memory-bandwidth bound of the vectors the rule's equations read and write.
//!
//! cargo bench --bench update_throughput [-- --max-exp 7]
//!
//! The bound at each p is a STREAM triad `a = b + s·c` of the same length on one thread (the
//! rules run on one thread), counted the STREAM way (3 × 8 bytes per element). A rule that
//! reads and writes `k` vectors of p doubles (Adam: reads x, g, m, v and writes x, m, v: k = 7)
//! would take `8kp / triad` seconds at the bound; the fraction is that time over the measured
//! one. Timing: the fastest of 5 blocks, each at least 0.1 s.

use std::hint::black_box;
use std::time::Instant;

use ravine::optim::rules;

/// Seconds per call of `f`, the fastest of 5 blocks of at least 0.1 s.
fn time(mut f: impl FnMut()) -> f64 {
    let mut reps = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        if t.elapsed().as_secs_f64() >= 0.1 {
            break;
        }
        reps *= 2;
    }
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Bytes per second of the triad `a = b + s·c` on `p` elements (3 × 8 bytes per element).
fn triad(p: usize) -> f64 {
    let (mut a, b, c) = (vec![0.0f64; p], vec![1.0f64; p], vec![2.0f64; p]);
    let s = black_box(0.5);
    let secs = time(|| {
        for ((a, b), c) in a.iter_mut().zip(&b).zip(&c) {
            *a = b + s * c;
        }
        black_box(&mut a);
    });
    24.0 * p as f64 / secs
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let max_exp: u32 = args
        .iter()
        .position(|a| a == "--max-exp")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    // (name, vectors read + written by the rule's equations per parameter)
    let rules: [(&str, f64); 10] = [
        ("gd", 3.0),
        ("momentum", 5.0),
        ("nesterov", 5.0),
        ("normalized_gd", 4.0),
        ("sign_descent", 3.0),
        ("adagrad", 5.0),
        ("rmsprop", 5.0),
        ("adam", 7.0),
        ("adamw", 7.0),
        ("amsgrad", 9.0),
    ];
    println!(
        "{:<14} {:>9} {:>12} {:>12} {:>11} {:>11} {:>9}",
        "rule", "p", "ns/step", "Mparam/s", "GB/s (k)", "triad GB/s", "fraction"
    );
    for e in 3..=max_exp {
        let p = 10usize.pow(e);
        let bound = triad(p);
        let g: Vec<f64> = (0..p).map(|i| ((i % 97) as f64 - 48.0) * 1e-3).collect();
        for (name, k) in rules {
            let mut opt = rules::from_name(name, 1e-6).expect("a rule");
            let mut x = vec![0.1f64; p];
            opt.step(&mut x, &g).expect("step"); // allocate the state outside the timing
            let secs = time(|| {
                opt.step(&mut x, &g).expect("step");
                black_box(&mut x);
            });
            let ideal = 8.0 * k * p as f64;
            println!(
                "{:<14} {:>9} {:>12.0} {:>12.1} {:>11.2} {:>11.2} {:>8.0}%",
                name,
                p,
                secs * 1e9,
                p as f64 / secs / 1e6,
                ideal / secs / 1e9,
                bound / 1e9,
                100.0 * ideal / secs / bound
            );
        }
    }
}
