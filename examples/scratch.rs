use ravine::nn::*;
use std::time::Instant;
fn main() {
    for (widths, n) in [
        (vec![2, 20, 20, 20, 1], 2540usize),
        (vec![2, 64, 64, 64, 64, 1], 8192),
    ] {
        let mlp = Mlp::new(&widths, Activation::Tanh).unwrap();
        let p = mlp.init(0);
        let spec = JetSpec::new(2).pure(0, 2).unwrap();
        let pts = ravine::pinn::Sampler::Halton.unit(n, 2, 0);
        let mut g = vec![0.0; p.len()];
        let f = |_: usize, j: &[f64], a: &mut [f64]| {
            a[0] = j[0];
            0.5 * j[0] * j[0]
        };
        for _ in 0..3 {
            loss_and_gradient(&mlp, &p, &spec, &pts, f, &mut g);
        }
        let t = Instant::now();
        for _ in 0..20 {
            loss_and_gradient(&mlp, &p, &spec, &pts, f, &mut g);
        }
        println!("{widths:?} {n}: loss+grad: {:?}", t.elapsed() / 20);
    }
}
