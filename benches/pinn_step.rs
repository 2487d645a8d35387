//! One loss-and-gradient evaluation of the Burgers PINN: the default network and points, and a
//! wide case (4 hidden layers of 64, 8192 interior points).
//!
//! cargo bench --bench pinn_step

use criterion::{criterion_group, criterion_main, Criterion};
use ravine::benchmarks::BurgersSetup;
use ravine::Problem;

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "default [2,20,20,20,1] 2540+80+160",
            BurgersSetup::default(),
        ),
        (
            "wide [2,64,64,64,64,1] 8192+80+160",
            BurgersSetup {
                widths: vec![2, 64, 64, 64, 64, 1],
                interior: 8192,
                ..BurgersSetup::default()
            },
        ),
    ];
    let mut g = c.benchmark_group("burgers_loss_and_gradient");
    g.sample_size(20);
    for (name, setup) in cases {
        let pinn = setup.build().expect("setup");
        let x = pinn.mlp().init(0);
        let mut grad = vec![0.0; x.len()];
        let mut comps = vec![0.0; 3];
        g.bench_function(name, |b| {
            b.iter(|| pinn.evaluate(&x, &mut grad, &mut comps).expect("evaluate"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
