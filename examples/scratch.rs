use ravine::nn::*;
use std::time::Instant;
fn main() {
    let mlp = Mlp::new(&[2,20,20,20,1], Activation::Tanh).unwrap();
    let p = mlp.init(0);
    let spec = JetSpec::new(2).pure(0,2).unwrap();
    let pts = ravine::pinn::Sampler::Halton.unit(2540, 2, 0);
    let mut g = vec![0.0; p.len()];
    for _ in 0..3 { loss_and_gradient(&mlp, &p, &spec, &pts, |_, j, a| { a[0] = j[0]; 0.5*j[0]*j[0] }, &mut g); }
    let t = Instant::now();
    for _ in 0..20 { loss_and_gradient(&mlp, &p, &spec, &pts, |_, j, a| { a[0] = j[0]; 0.5*j[0]*j[0] }, &mut g); }
    println!("loss+grad: {:?}", t.elapsed()/20);
    let t = Instant::now();
    for _ in 0..20 { let _ = forward(&mlp, &p, &spec, &pts[..256]); }
    println!("forward 128 pts: {:?}", t.elapsed()/20);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| { let t = Instant::now();
    for _ in 0..20 { loss_and_gradient(&mlp, &p, &spec, &pts, |_, j, a| { a[0] = j[0]; 0.5*j[0]*j[0] }, &mut g); }
    println!("1 thread loss+grad: {:?}", t.elapsed()/20); });
}
