//! Small Allen-Cahn and KdV PINNs, and their worst gradient error against differences.

use ravine::benchmarks::StiffPde;
use ravine::benchmarks::{Encoding, InitialConstraint, StiffSetup};
use ravine::pinn::Pinn;
use ravine::Problem;

pub fn small(pde: StiffPde, initial: InitialConstraint, encoding: Encoding) -> Pinn {
    let mut s = StiffSetup::new(pde);
    s.hidden = vec![6, 6];
    s.interior = 60;
    s.initial = initial;
    s.encoding = encoding;
    if let InitialConstraint::Soft { weight, .. } = initial {
        s.initial = InitialConstraint::Soft { points: 20, weight };
    }
    s.build().unwrap().0
}

pub fn worst_gradient_error(pinn: &Pinn, seed: u64) -> f64 {
    let mut x = pinn.mlp().init(seed);
    for (i, v) in x.iter_mut().enumerate() {
        *v += 0.05 * ((i * 7 % 11) as f64 - 5.0) / 5.0;
    }
    let n = pinn.dim();
    let mut g = vec![0.0; n];
    let mut comps = vec![0.0; 4];
    pinn.evaluate(&x, &mut g, &mut comps).unwrap();
    let mut worst: f64 = 0.0;
    for i in 0..n {
        let h = 1e-6;
        let (mut p, mut m) = (x.clone(), x.clone());
        p[i] += h;
        m[i] -= h;
        let fd = (pinn.loss(&p).unwrap() - pinn.loss(&m).unwrap()) / (2.0 * h);
        worst = worst.max((fd - g[i]).abs() / g[i].abs().max(1e-2));
    }
    worst
}
