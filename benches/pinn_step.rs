//! One loss-and-gradient evaluation of the Burgers PINN for several network sizes: the default
//! network and points, 4 hidden layers of 32, 64 and 128 units, on 2540 or 8192 interior points
//! (plus 80 boundary and 160 initial points).
//!
//! cargo bench --bench pinn_step

use criterion::{criterion_group, criterion_main, Criterion};
use ravine::benchmarks::BurgersSetup;
use ravine::Problem;

fn bench(c: &mut Criterion) {
    let setup = |hidden: &[usize], interior: usize| {
        let mut widths = vec![2];
        widths.extend_from_slice(hidden);
        widths.push(1);
        let name = format!("[2,{}x{},1] {interior}+240", hidden[0], hidden.len());
        (
            name,
            BurgersSetup {
                widths,
                interior,
                ..BurgersSetup::default()
            },
        )
    };
    let cases = [
        setup(&[20; 3], 2540), // the default network and points
        setup(&[32; 4], 2540),
        setup(&[64; 4], 2540),
        setup(&[64; 4], 8192), // the wide case of the speed tables
        setup(&[128; 4], 8192),
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
