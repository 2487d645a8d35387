//! The cost of one exact Hessian-vector product of the Burgers PINN loss, in loss-and-gradient
//! evaluations of the same loss, for several network sizes (measured side by side).
//!
//! cargo bench --bench hvp_cost
//!
//! Each row times `Pinn::evaluate` (loss and gradient) and `Pinn::hessian_vector_product`
//! (forward over reverse: loss, gradient and `H u`) on the same parameters, alternating the two
//! in blocks so that both see the same machine state; the fastest of 7 blocks of each, every
//! block at least 0.2 s. The ratio is the product's cost in gradients.

use std::time::Instant;

use ravine::benchmarks::BurgersSetup;
use ravine::Problem;

/// Seconds per call of `f` in one block of `reps` calls.
fn block(reps: u64, f: &mut impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / reps as f64
}

/// Calls per block so that a block takes at least 0.2 s.
fn reps_for(f: &mut impl FnMut()) -> u64 {
    let mut reps = 1;
    while block(reps, f) * (reps as f64) < 0.2 {
        reps *= 2;
    }
    reps
}

fn main() {
    let cases: [(&[usize], usize); 4] = [
        (&[20; 3], 2540), // the default network and points
        (&[32; 4], 2540),
        (&[64; 4], 2540),
        (&[64; 4], 8192), // the wide case of the speed tables
    ];
    println!(
        "threads: {}  (set RAYON_NUM_THREADS to change)\n",
        rayon::current_num_threads()
    );
    println!("| network | points | params | gradient (ms) | H·u (ms) | cost in gradients |");
    println!("|---|---:|---:|---:|---:|---:|");
    // `cargo bench --bench hvp_cost -- 20x3` runs only the rows whose network contains "20x3".
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (hidden, interior) in cases {
        let mut widths = vec![2];
        widths.extend_from_slice(hidden);
        widths.push(1);
        let name = format!("[2,{}x{},1]", hidden[0], hidden.len());
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let setup = BurgersSetup {
            widths,
            interior,
            ..BurgersSetup::default()
        };
        let pinn = setup.build().expect("setup");
        let x = pinn.mlp().init(0);
        let u: Vec<f64> = pinn.mlp().init(1);
        let (mut g, mut hv, mut comps) = (vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; 3]);
        let mut grad = || {
            pinn.evaluate(&x, &mut g, &mut comps).expect("evaluate");
        };
        let mut hvp = || {
            pinn.hessian_vector_product(&x, &u, &mut hv).expect("hvp");
        };
        let (rg, rh) = (reps_for(&mut grad), reps_for(&mut hvp));
        let (mut tg, mut th) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..7 {
            tg = tg.min(block(rg, &mut grad));
            th = th.min(block(rh, &mut hvp));
        }
        println!(
            "| {name} | {interior}+240 | {} | {:.3} | {:.3} | {:.2} |",
            x.len(),
            tg * 1e3,
            th * 1e3,
            th / tg
        );
    }
}
