//! Time per Adam step of the Burgers PINN, the FLOP rate of its matrix products against the
//! machine's measured FMA peak, and (with `--jax`) the same step in JAX, in both of the peer
//! script's formulations (`vmap` of a per-point network with nested `jvp`; nested `jvp` of the
//! batched network), on 1 and 2 threads, all in one invocation.
//!
//! ```text
//! cargo run --release --example pinn_speed -- [--jax] [--threads 1,2] [--steps 200] [--repeats 3] [--case default|wide]
//! ```
//!
//! Each side is timed `repeats` times, alternating, and the fastest block of each is reported
//! (the machine is shared; medians of single runs swing by ±20 %). One thread: ravine in a
//! one-thread rayon pool; JAX pinned to core 0 (`taskset -c 0`) with XLA's intra-op
//! parallelism off.

use std::process::Command;
use std::time::Instant;

use ravine::benchmarks::BurgersSetup;
use ravine::{rules, AdamConfig, Problem};

/// Matrix-product FLOPs of one loss-and-gradient evaluation: forward `2·w_in·w_out` per jet
/// column and layer, backward twice that (weight gradient and input adjoint) except the first
/// layer's input adjoint.
fn matmul_flops(widths: &[usize], columns: &[usize]) -> f64 {
    let mut f = 0.0;
    for &m in columns {
        for (k, w) in widths.windows(2).enumerate() {
            let per = 2.0 * (w[0] * w[1]) as f64 * m as f64;
            f += per + per + if k > 0 { per } else { 0.0 };
        }
    }
    f
}

/// Milliseconds per step of the JAX peer in `form` on `threads` threads.
fn jax_step_ms(
    form: &str,
    threads: usize,
    case_args: &[&str],
    steps: usize,
) -> Result<f64, Box<dyn std::error::Error>> {
    let mut cmd = if threads == 1 {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", "python3"]).env(
            "XLA_FLAGS",
            "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
        );
        c
    } else {
        Command::new("python3")
    };
    let out = cmd
        .arg("benches/peers/burgers_jax.py")
        .args(case_args)
        .args(["--steps", &steps.to_string(), "--form", form])
        .output()?;
    let ms = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("jax_step_ms ")
                .map(|v| v.trim().parse::<f64>())
        })
        .transpose()?
        .ok_or_else(|| {
            format!(
                "benches/peers/burgers_jax.py --form {form} printed no jax_step_ms line: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    Ok(ms)
}

fn value<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = value(&args, "--steps").map_or(Ok(200), |s| s.parse())?;
    let repeats: usize = value(&args, "--repeats").map_or(Ok(3), |s| s.parse())?;
    let with_jax = args.iter().any(|a| a == "--jax");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let thread_counts: Vec<usize> = match value(&args, "--threads") {
        Some(v) => v
            .split(',')
            .map(|t| t.parse::<usize>())
            .collect::<Result<_, _>>()?,
        None => (1..=cores.min(2)).collect(),
    };
    let forms = ["vmap", "batched"];
    println!(
        "{:<30} {:>3} {:>9} {:>11} {:>11} {:>8} {:>9} {:>8}",
        "case", "thr", "ravine ms", "jax vmap", "jax batched", "ratio", "GFLOP/s", "of peak"
    );
    for &threads in &thread_counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        // The peak the kernel is quoted against: measured FMA throughput on as many threads
        // as the kernel uses (benches/fma_peak.rs prints it for 1 and 2), not an assumed clock.
        let peak = ravine::benchmarks::fma_peak(threads, 1.0);
        println!(
            "measured f64 FMA peak on {threads} thread(s): {:.1} GFLOP/s",
            peak / 1e9
        );
        for (name, setup, case_args) in [
            (
                "default [2,20,20,20,1] 2780",
                BurgersSetup::default(),
                vec![],
            ),
            (
                "wide [2,64x4,1] 8432",
                BurgersSetup {
                    widths: vec![2, 64, 64, 64, 64, 1],
                    interior: 8192,
                    ..BurgersSetup::default()
                },
                vec!["--widths", "2,64,64,64,64,1", "--interior", "8192"],
            ),
        ] {
            if let Some(only) = value(&args, "--case") {
                if !name.starts_with(only.as_str()) {
                    continue;
                }
            }
            let pinn = setup.build()?;
            let mut x = pinn.mlp().init(0);
            let mut opt = rules::adam(1e-3, AdamConfig::default())?;
            let mut g = vec![0.0; x.len()];
            let mut c = vec![0.0; 3];
            let n = if setup.interior > 5000 {
                steps / 10
            } else {
                steps
            }
            .max(5);
            let mut ravine_block = |k: usize| -> ravine::Result<f64> {
                pool.install(|| {
                    let t = Instant::now();
                    for _ in 0..k {
                        pinn.evaluate(&x, &mut g, &mut c)?;
                        opt.step(&mut x, &g)?;
                    }
                    Ok(t.elapsed().as_secs_f64() / k.max(1) as f64)
                })
            };
            ravine_block(3)?;
            // The machine is shared and noisy: ravine and the JAX forms are timed in
            // alternation, `repeats` times each, and the fastest block of each is compared.
            let mut dt = f64::INFINITY;
            let mut jax = [f64::INFINITY; 2];
            for _ in 0..repeats {
                // Untimed warm-up after the other side's block (caches, thread wake-up), as
                // the JAX script runs its first (compiling) step untimed.
                ravine_block(5)?;
                dt = dt.min(ravine_block(n)?);
                if with_jax {
                    for (best, form) in jax.iter_mut().zip(forms) {
                        *best = best.min(jax_step_ms(form, threads, &case_args, n)?);
                    }
                }
            }
            let cols = [setup.interior * 4, setup.boundary, setup.initial];
            let flops = matmul_flops(&setup.widths, &cols);
            let fastest = jax[0].min(jax[1]);
            let ms = |v: f64| {
                if v.is_finite() {
                    format!("{v:.3}")
                } else {
                    "-".into()
                }
            };
            println!(
                "{:<30} {:>3} {:>9.3} {:>11} {:>11} {:>8} {:>9.2} {:>7.1}%",
                name,
                threads,
                dt * 1e3,
                ms(jax[0]),
                ms(jax[1]),
                if fastest.is_finite() {
                    format!("{:.2}x", fastest / (dt * 1e3))
                } else {
                    "-".into()
                },
                flops / dt / 1e9,
                100.0 * flops / dt / peak,
            );
        }
    }
    if with_jax {
        println!("ratio: the faster JAX form's ms over ravine's (above 1: ravine is faster)");
    }
    Ok(())
}
