//! The derivative core: Taylor jets against closed forms (one hidden layer) and finite
//! differences (deep nets), parameter gradients against central differences for every
//! parameter, exact Hessian-vector products against central differences of the gradient and
//! for symmetry, and a reduction that does not depend on the number of threads.

use rand::{Rng, SeedableRng};
use ravine::nn::{loss_and_gradient, loss_gradient_hvp, predict, Activation, JetSpec, Mlp};

fn rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

fn random_points(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut r = rng(seed);
    (0..n * d).map(|_| r.random_range(-1.0..1.0)).collect()
}

/// A spec with every supported kind of derivative for a 2-input net.
fn full_spec() -> JetSpec {
    JetSpec::new(2)
        .pure(0, 4)
        .unwrap()
        .pure(1, 3)
        .unwrap()
        .mixed(0, 1)
        .unwrap()
}

#[test]
fn one_layer_jets_match_closed_form() {
    for act in [Activation::Tanh, Activation::Sin] {
        let mlp = Mlp::new(&[2, 7, 1], act).unwrap();
        let mut params = mlp.init(11);
        // Non-zero biases so that every derivative order is exercised.
        let (_, b0) = mlp.layer_ranges(0);
        let mut r = rng(5);
        for v in &mut params[b0] {
            *v = r.random_range(-0.5..0.5);
        }
        let spec = full_spec();
        let pts = random_points(9, 2, 1);
        let jets = predict(&mlp, &params, &spec, &pts);
        let c = spec.components();
        let (w0, b0) = mlp.layer_ranges(0);
        let (w1, b1) = mlp.layer_ranges(1);
        let (w, b, a, c0) = (&params[w0], &params[b0], &params[w1], params[b1][0]);
        for p in 0..9 {
            let x = &pts[2 * p..2 * p + 2];
            // u = Σ a_j σ(w_j·x + b_j) + c  ⇒  ∂ⁿu/∂x_iⁿ = Σ a_j σ⁽ⁿ⁾ w_ji^n,
            // ∂²u/∂x₀∂x₁ = Σ a_j σ″ w_j0 w_j1.
            let mut want = vec![0.0; 4 + 1 + 3 + 1];
            want[0] = c0;
            for j in 0..7 {
                let s = act.derivatives(w[2 * j] * x[0] + w[2 * j + 1] * x[1] + b[j]);
                want[0] += a[j] * s[0];
                for n in 1..=4 {
                    want[n] += a[j] * s[n] * w[2 * j].powi(n as i32);
                }
                for n in 1..=3 {
                    want[4 + n] += a[j] * s[n] * w[2 * j + 1].powi(n as i32);
                }
                want[8] += a[j] * s[2] * w[2 * j] * w[2 * j + 1];
            }
            let jet = &jets[p * c..(p + 1) * c];
            let mut got = vec![jet[0]];
            for n in 1..=4 {
                got.push(jet[spec.pure_component(0, n).unwrap()]);
            }
            for n in 1..=3 {
                got.push(jet[spec.pure_component(1, n).unwrap()]);
            }
            let d2mix = jet[spec.mixed_component(0, 1).unwrap()];
            let uxx = jet[spec.pure_component(0, 2).unwrap()];
            let uyy = jet[spec.pure_component(1, 2).unwrap()];
            got.push((d2mix - uxx - uyy) / 2.0);
            for (k, (g, e)) in got.iter().zip(&want).enumerate() {
                assert!(
                    (g - e).abs() <= 1e-12 * (1.0 + e.abs()),
                    "{act:?} point {p} entry {k}: {g} vs {e}"
                );
            }
        }
    }
}

#[test]
fn deep_jets_match_finite_differences_of_lower_orders() {
    for (widths, act, seed) in [
        (vec![2, 16, 16, 1], Activation::Tanh, 1u64),
        (vec![2, 8, 12, 8, 1], Activation::Sin, 2),
        (vec![2, 5, 2], Activation::Tanh, 3),
    ] {
        let mlp = Mlp::new(&widths, act).unwrap();
        let params = mlp.init(seed);
        let spec = full_spec();
        let c = spec.components();
        let stride = mlp.output_dim() * c; // output 0's components come first in each row
        let pts = random_points(6, 2, seed + 10);
        let jets = predict(&mlp, &params, &spec, &pts);
        let h = 1e-4;
        for p in 0..6 {
            for axis in 0..2 {
                let mut plus = pts[2 * p..2 * p + 2].to_vec();
                let mut minus = plus.clone();
                plus[axis] += h;
                minus[axis] -= h;
                let jp = predict(&mlp, &params, &spec, &plus);
                let jm = predict(&mlp, &params, &spec, &minus);
                let top = if axis == 0 { 4 } else { 3 };
                // d/dx of the carried (n−1)-th derivative is the carried n-th.
                for n in 1..=top {
                    let lo = spec.pure_component(axis, n - 1).unwrap();
                    let hi = spec.pure_component(axis, n).unwrap();
                    let fd = (jp[lo] - jm[lo]) / (2.0 * h);
                    let got = jets[p * stride + hi];
                    assert!(
                        (fd - got).abs() <= 1e-6 * (1.0 + got.abs()),
                        "{widths:?} point {p} axis {axis} order {n}: jet {got} fd {fd}"
                    );
                }
            }
            // Mixed: d/dy of u_x.
            let mut plus = pts[2 * p..2 * p + 2].to_vec();
            let mut minus = plus.clone();
            plus[1] += h;
            minus[1] -= h;
            let ux = spec.pure_component(0, 1).unwrap();
            let fd = (predict(&mlp, &params, &spec, &plus)[ux]
                - predict(&mlp, &params, &spec, &minus)[ux])
                / (2.0 * h);
            let jet = &jets[p * stride..p * stride + c];
            let uxy = (jet[spec.mixed_component(0, 1).unwrap()]
                - jet[spec.pure_component(0, 2).unwrap()]
                - jet[spec.pure_component(1, 2).unwrap()])
                / 2.0;
            assert!(
                (fd - uxy).abs() <= 1e-6 * (1.0 + uxy.abs()),
                "{uxy} vs {fd}"
            );
        }
    }
}

/// A loss that uses every jet component nonlinearly.
fn point_loss(_i: usize, jet: &[f64], adj: &mut [f64]) -> f64 {
    let mut l = 0.0;
    for (k, v) in jet.iter().enumerate() {
        let a = 1.0 / (1.0 + k as f64);
        l += 0.5 * a * v * v;
        adj[k] += a * v;
    }
    let last = jet.len() - 1;
    l += jet[0] * jet[last];
    adj[0] += jet[last];
    adj[last] += jet[0];
    l
}

fn total_loss(mlp: &Mlp, params: &[f64], spec: &JetSpec, pts: &[f64]) -> f64 {
    let mut g = vec![0.0; params.len()];
    loss_and_gradient(mlp, params, spec, pts, point_loss, &mut g)
}

#[test]
fn parameter_gradients_match_central_differences() {
    let mut worst: f64 = 0.0;
    for (widths, act, spec, seed) in [
        (vec![2, 6, 1], Activation::Tanh, full_spec(), 1u64),
        (vec![2, 5, 4, 1], Activation::Sin, full_spec(), 2),
        (vec![2, 4, 3, 5, 2], Activation::Tanh, full_spec(), 3),
        (
            vec![3, 7, 7, 1],
            Activation::Tanh,
            JetSpec::new(3).pure(2, 2).unwrap(),
            4,
        ),
        (
            vec![1, 9, 1],
            Activation::Sin,
            JetSpec::new(1).pure(0, 4).unwrap(),
            5,
        ),
    ] {
        let mlp = Mlp::new(&widths, act).unwrap();
        let mut params = mlp.init(seed);
        let mut r = rng(seed + 100);
        for v in params.iter_mut() {
            *v += 0.1 * r.random_range(-1.0..1.0); // non-zero biases too
        }
        let d = widths[0];
        // 300 points: more than two chunks, so the chunked reduction is exercised.
        let pts = random_points(300, d, seed);
        let mut grad = vec![0.0; params.len()];
        loss_and_gradient(&mlp, &params, &spec, &pts, point_loss, &mut grad);
        for i in 0..params.len() {
            let h = 1e-6 * params[i].abs().max(1.0);
            let (mut pp, mut pm) = (params.clone(), params.clone());
            pp[i] += h;
            pm[i] -= h;
            let fd = (total_loss(&mlp, &pp, &spec, &pts) - total_loss(&mlp, &pm, &spec, &pts))
                / (2.0 * h);
            let err = (fd - grad[i]).abs() / grad[i].abs().max(1.0);
            worst = worst.max(err);
            assert!(
                err <= 1e-6,
                "{widths:?} {act:?} param {i}: analytic {} fd {fd} (rel {err:e})",
                grad[i]
            );
        }
    }
    println!("worst relative gradient error: {worst:e}");
}

#[test]
fn result_does_not_depend_on_thread_count() {
    let mlp = Mlp::new(&[2, 20, 20, 1], Activation::Tanh).unwrap();
    let params = mlp.init(9);
    let spec = JetSpec::new(2).pure(0, 2).unwrap();
    let pts = random_points(1000, 2, 3);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut g = vec![0.0; params.len()];
            let l = loss_and_gradient(&mlp, &params, &spec, &pts, point_loss, &mut g);
            (l, g)
        })
    };
    let (l1, g1) = run(1);
    let (l3, g3) = run(3);
    assert_eq!(l1.to_bits(), l3.to_bits());
    assert!(g1.iter().zip(&g3).all(|(a, b)| a.to_bits() == b.to_bits()));
}

/// `∇²ℓ(J) J̇` of [`point_loss`]: diag(1/(1+k)) plus the coupling of the first and last entries.
fn point_loss_hvp(i: usize, jet: &[f64], jd: &[f64], adj: &mut [f64], adjd: &mut [f64]) -> f64 {
    let last = jet.len() - 1;
    for (k, v) in jd.iter().enumerate() {
        adjd[k] += v / (1.0 + k as f64);
    }
    adjd[0] += jd[last];
    adjd[last] += jd[0];
    point_loss(i, jet, adj)
}

fn hvp(
    mlp: &Mlp,
    params: &[f64],
    u: &[f64],
    spec: &JetSpec,
    pts: &[f64],
) -> (f64, Vec<f64>, Vec<f64>) {
    let (mut g, mut h) = (vec![0.0; params.len()], vec![0.0; params.len()]);
    let l = loss_gradient_hvp(
        mlp,
        params,
        u,
        spec,
        pts,
        point_loss_hvp,
        Some(&mut g),
        &mut h,
    );
    (l, g, h)
}

#[test]
fn hessian_vector_products_match_differences_of_gradients_and_are_symmetric() {
    let (mut worst_fd, mut worst_sym): (f64, f64) = (0.0, 0.0);
    for (widths, act, spec, seed) in [
        (vec![2, 6, 1], Activation::Tanh, full_spec(), 1u64),
        (vec![2, 5, 4, 1], Activation::Sin, full_spec(), 2),
        (vec![2, 4, 3, 5, 2], Activation::Tanh, full_spec(), 3),
        (
            vec![2, 8, 8, 1],
            Activation::Tanh,
            JetSpec::new(2).pure(0, 2).unwrap(),
            6,
        ),
        (
            vec![1, 9, 1],
            Activation::Sin,
            JetSpec::new(1).pure(0, 4).unwrap(),
            5,
        ),
    ] {
        let mlp = Mlp::new(&widths, act).unwrap();
        let mut params = mlp.init(seed);
        let mut r = rng(seed + 200);
        for v in params.iter_mut() {
            *v += 0.1 * r.random_range(-1.0..1.0);
        }
        let pts = random_points(300, widths[0], seed + 7);
        let u: Vec<f64> = (0..params.len())
            .map(|_| r.random_range(-1.0..1.0))
            .collect();
        let w: Vec<f64> = (0..params.len())
            .map(|_| r.random_range(-1.0..1.0))
            .collect();
        let (l, g, hu) = hvp(&mlp, &params, &u, &spec, &pts);
        // The loss and gradient are those of the plain reverse pass.
        let mut g0 = vec![0.0; params.len()];
        let l0 = loss_and_gradient(&mlp, &params, &spec, &pts, point_loss, &mut g0);
        assert!((l - l0).abs() <= 1e-13 * l0.abs());
        let gscale = g0.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        assert!(g
            .iter()
            .zip(&g0)
            .all(|(a, b)| (a - b).abs() <= 1e-12 * gscale));
        // Central differences of the gradient along u.
        let h = 1e-5;
        let grad_at = |t: f64| {
            let x: Vec<f64> = params.iter().zip(&u).map(|(p, d)| p + t * d).collect();
            let mut g = vec![0.0; x.len()];
            loss_and_gradient(&mlp, &x, &spec, &pts, point_loss, &mut g);
            g
        };
        let (gp, gm) = (grad_at(h), grad_at(-h));
        let scale = hu.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for i in 0..params.len() {
            let fd = (gp[i] - gm[i]) / (2.0 * h);
            let err = (fd - hu[i]).abs() / scale;
            worst_fd = worst_fd.max(err);
            assert!(
                err <= 1e-6,
                "{widths:?} {act:?} entry {i}: {} vs fd {fd}",
                hu[i]
            );
        }
        // Symmetry, which differences cannot show to this precision: wᵀ(Hu) = uᵀ(Hw).
        let (_, _, hw) = hvp(&mlp, &params, &w, &spec, &pts);
        let a: f64 = w.iter().zip(&hu).map(|(x, y)| x * y).sum();
        let b: f64 = u.iter().zip(&hw).map(|(x, y)| x * y).sum();
        let sym = (a - b).abs() / a.abs().max(b.abs());
        worst_sym = worst_sym.max(sym);
        assert!(sym <= 1e-11, "{widths:?} {act:?}: {a} vs {b}");
    }
    println!("Hessian-vector products: worst vs differences {worst_fd:e}, asymmetry {worst_sym:e}");
}
