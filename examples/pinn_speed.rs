//! Time per Adam step of the Burgers PINN, the FLOP rate of its matrix products, and (with
//! `--jax`) the same step in JAX measured in the same run.
//!
//! ```text
//! cargo run --release --example pinn_speed -- [--jax] [--steps 200] [--repeats 3] [--case default|wide]
//! ```
//!
//! Each side is timed `repeats` times, alternating, and the fastest block of each is reported
//! (the machine is shared; medians of single runs swing by ±20 %).

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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args
        .iter()
        .position(|a| a == "--steps")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(200), |s| s.parse())?;
    let repeats: usize = args
        .iter()
        .position(|a| a == "--repeats")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(3), |s| s.parse())?;
    // The peak the kernel is quoted against: measured FMA throughput on as many threads as
    // the kernel uses (benches/fma_peak.rs prints it for 1 and 2), not an assumed clock.
    let threads = rayon::current_num_threads();
    let peak = ravine::benchmarks::fma_peak(threads, 1.0);
    println!(
        "measured f64 FMA peak on {threads} thread(s): {:.1} GFLOP/s",
        peak / 1e9
    );
    println!(
        "{:<36} {:>10} {:>10} {:>12} {:>9}",
        "case", "ms/step", "jax ms", "GFLOP/s", "of peak"
    );
    for (name, setup, jax_args) in [
        (
            "default [2,20,20,20,1] 2780 pts",
            BurgersSetup::default(),
            vec![],
        ),
        (
            "wide [2,64x4,1] 8432 pts",
            BurgersSetup {
                widths: vec![2, 64, 64, 64, 64, 1],
                interior: 8192,
                ..BurgersSetup::default()
            },
            vec!["--widths", "2,64,64,64,64,1", "--interior", "8192"],
        ),
    ] {
        if let Some(only) = args
            .iter()
            .position(|a| a == "--case")
            .and_then(|i| args.get(i + 1))
        {
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
        for _ in 0..3 {
            pinn.evaluate(&x, &mut g, &mut c)?;
            opt.step(&mut x, &g)?;
        }
        // The machine is shared and noisy: ravine and JAX are timed in alternation, `repeats`
        // times each, and the fastest block of each is compared.
        let (mut dt, mut jax) = (f64::INFINITY, None::<f64>);
        for _ in 0..repeats {
            // Untimed warm-up after the other side's block (caches, thread wake-up), as the
            // JAX script runs its first (compiling) step untimed.
            for _ in 0..5 {
                pinn.evaluate(&x, &mut g, &mut c)?;
                opt.step(&mut x, &g)?;
            }
            let t = Instant::now();
            for _ in 0..n {
                pinn.evaluate(&x, &mut g, &mut c)?;
                opt.step(&mut x, &g)?;
            }
            dt = dt.min(t.elapsed().as_secs_f64() / n as f64);
            if args.iter().any(|a| a == "--jax") {
                let out = Command::new("python3")
                    .arg("benches/peers/burgers_jax.py")
                    .args(&jax_args)
                    .args(["--steps", &n.to_string()])
                    .output()?;
                let j = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("jax_step_ms ")
                            .map(|v| v.trim().parse::<f64>())
                    })
                    .transpose()?
                    .ok_or("benches/peers/burgers_jax.py printed no jax_step_ms line")?;
                jax = Some(jax.map_or(j, |b: f64| b.min(j)));
            }
        }
        let cols = [setup.interior * 4, setup.boundary, setup.initial];
        let flops = matmul_flops(&setup.widths, &cols);
        println!(
            "{:<36} {:>10.3} {:>10} {:>12.2} {:>8.1}%{}",
            name,
            dt * 1e3,
            jax.map_or("-".into(), |j| format!("{j:.3}")),
            flops / dt / 1e9,
            100.0 * flops / dt / peak,
            jax.map_or(String::new(), |j| format!(
                "   ravine {:.2}x faster",
                j / (dt * 1e3)
            ))
        );
    }
    Ok(())
}
