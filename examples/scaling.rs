//! Strong and weak scaling of the data-parallel PINN loss and gradient ([`Sharded`]) on the
//! wide Burgers network `[2, 64×4, 1]`, and the cost of the fixed-order exchange.
//!
//! ```text
//! cargo build --release --features mpi --example scaling
//! RAYON_NUM_THREADS=1 mpirun -np 2 --bind-to none -x RAYON_NUM_THREADS \
//!     target/release/examples/scaling --mode strong
//! ```
//!
//! Prints one table row (rank 0): mode, ranks, threads per rank, points, parameters, the time
//! of one evaluation in ms (the fastest of `--blocks` blocks of `--evals`), the slowest rank's
//! share alone in ms, the exchange in ms (the segmented chain of `size − 1` hops and a
//! broadcast, timed alone with the same message), the same exchange of one value in µs (its
//! latency), and the message size in KiB. Strong scaling: 8192 interior points in all; weak: 8192 per rank.

use std::time::Instant;

use ravine::benchmarks::BurgersSetup;
use ravine::dist::{Communicator, Partitioned, Sharded};
use ravine::Problem;

fn flag(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

/// The fastest of `blocks` blocks of `reps` calls of `f`, per call, in seconds.
fn fastest(blocks: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    (0..blocks)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = flag(&args, "--mode", "strong");
    let evals: usize = flag(&args, "--evals", "20").parse()?;
    let blocks: usize = flag(&args, "--blocks", "5").parse()?;
    let world = ravine::dist::world()?;
    let (rank, size) = (world.rank(), world.size());
    let per_rank = 8192;
    let interior = match mode.as_str() {
        "strong" => per_rank,
        "weak" => per_rank * size,
        other => return Err(format!("--mode {other:?}: strong or weak").into()),
    };
    let pinn = BurgersSetup {
        widths: vec![2, 64, 64, 64, 64, 1],
        interior,
        boundary: 160,
        initial: 80,
        ..BurgersSetup::default()
    }
    .build()?;
    let x = pinn.mlp().init(0);
    let (p, accs) = (x.len(), pinn.accumulators());
    let sharded = Sharded::new(pinn, &world);
    let mut g = vec![0.0; p];
    let mut c = vec![0.0; sharded.component_names().len()];
    for _ in 0..3 {
        sharded.evaluate(&x, &mut g, &mut c)?;
    }
    let mut failed = None;
    let eval = fastest(blocks, evals, || {
        if let Err(e) = sharded.evaluate(&x, &mut g, &mut c) {
            failed.get_or_insert(e);
        }
    });
    let share = fastest(blocks, evals, || {
        if let Err(e) = sharded.inner().partials(&x, sharded.shard()) {
            failed.get_or_insert(e);
        }
    });
    // The exchange alone: the same segmented chain and broadcast, with a message of the same
    // length and with one value (its latency).
    let mut exchange_of = |len: usize| {
        let mut msg = vec![0.0; len];
        fastest(blocks, evals, || {
            let mut step = || -> ravine::Result<()> {
                for start in (0..len).step_by(8192) {
                    let end = (start + 8192).min(len);
                    if rank > 0 {
                        world.receive(rank - 1, &mut msg[start..end])?;
                    }
                    if rank + 1 < size {
                        world.send(rank + 1, &msg[start..end])?;
                    }
                }
                world.broadcast(size - 1, &mut msg)
            };
            if let Err(e) = step() {
                failed.get_or_insert(e);
            }
        })
    };
    let len = 1 + accs * (1 + p);
    let exchange = exchange_of(len);
    let latency = exchange_of(1);
    if let Some(e) = failed {
        return Err(e.into());
    }
    // Rank 0 reports the slowest rank's share.
    let shares = world.all_gather(&[share])?;
    let slowest = shares.iter().cloned().fold(0.0, f64::max);
    if world.is_root() {
        let threads = rayon::current_num_threads();
        println!(
            "| {mode} | {size} | {threads} | {interior} | {p} | {:.2} | {:.2} | {:.3} | {:.1} | {:.0} |",
            eval * 1e3,
            slowest * 1e3,
            exchange * 1e3,
            latency * 1e6,
            (8 * len) as f64 / 1024.0,
        );
    }
    if world.is_root() && size == 1 && args.iter().any(|a| a == "--model") {
        model(eval, len, &flag(&args, "--network", "2,10"))?;
    }
    Ok(())
}

/// The communication model, from this run's one-process evaluation time `t1` (the node's
/// compute for 8192 points) and the message length: per evaluation on `R` nodes, the
/// segmented chain `(R − 1 + K − 1)·(α + s/β)` (`K` segments of `s` bytes) and a binomial
/// broadcast `⌈log₂ R⌉·(α + S/β)` of the whole message (`S` bytes), with `α` (µs) and `β`
/// (GB/s) from `--network α,β`.
fn model(t1: f64, len: usize, network: &str) -> Result<(), Box<dyn std::error::Error>> {
    let v: Vec<f64> = network
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let (alpha, beta) = match v[..] {
        [a, b] if a >= 0.0 && b > 0.0 => (a * 1e-6, b * 1e9),
        _ => return Err(format!("--network {network:?}: alpha_us,beta_gbs").into()),
    };
    let total = (8 * len) as f64;
    let k = len.div_ceil(8192) as f64;
    let seg = total / k;
    println!("model: alpha {:.1} us, beta {:.0} GB/s, message {:.0} KiB in {k} segments, one node {:.2} ms", alpha * 1e6, beta / 1e9, total / 1024.0, t1 * 1e3);
    println!("| nodes | exchange ms | strong ms | strong speed-up | weak ms | weak efficiency |");
    for r in [1u32, 2, 4, 8, 16, 32, 64] {
        let rf = f64::from(r);
        let comm = if r == 1 {
            0.0
        } else {
            (rf - 1.0 + k - 1.0) * (alpha + seg / beta) + rf.log2().ceil() * (alpha + total / beta)
        };
        let strong = t1 / rf + comm;
        let weak = t1 + comm;
        println!(
            "| {r} | {:.3} | {:.3} | {:.1} | {:.2} | {:.0} % |",
            comm * 1e3,
            strong * 1e3,
            t1 / strong,
            weak * 1e3,
            100.0 * t1 / weak
        );
    }
    Ok(())
}
