//! The PINN layer: loss gradients against finite differences for every term kind, PDE
//! validation, refinement, hard constraints and bad input as typed errors.

mod common;

use common::small_pinns::*;
use ravine::nn::{Activation, JetSpec, Mlp};
use ravine::pinn::{Condition, OutputTransform, Pde, Pinn, Sampler, SpaceTime};
use ravine::{Error, Problem};

#[test]
fn pinn_gradient_matches_finite_differences() {
    for (periodic, pinn) in cases() {
        let mut x = pinn.mlp().init(1);
        for (i, v) in x.iter_mut().enumerate() {
            *v += 0.05 * ((i * 7 % 11) as f64 - 5.0) / 5.0;
        }
        let n = pinn.dim();
        let mut g = vec![0.0; n];
        let mut comps = vec![0.0; 3];
        let f = pinn.evaluate(&x, &mut g, &mut comps).unwrap();
        approx::assert_abs_diff_eq!(comps.iter().sum::<f64>(), f, epsilon = 1e-14 * f);
        assert_eq!(pinn.component_names()[0], "pde");
        let mut worst: f64 = 0.0;
        for i in 0..n {
            let h = 1e-6;
            let (mut p, mut m) = (x.clone(), x.clone());
            p[i] += h;
            m[i] -= h;
            let fd = (pinn.loss(&p).unwrap() - pinn.loss(&m).unwrap()) / (2.0 * h);
            let err = (fd - g[i]).abs() / g[i].abs().max(1e-2);
            worst = worst.max(err);
        }
        println!("{periodic}: worst relative gradient error {worst:e}");
        assert!(worst < 1e-6, "{worst}");
    }
}

#[test]
fn residual_of_an_exact_solution_vanishes() {
    // u(x, t) = x/(1+t) solves inviscid and viscous Burgers alike: u_t = −x/(1+t)²,
    // u u_x = x/(1+t)², u_xx = 0. A one-neuron "network" cannot represent it, so check the
    // residual function itself on hand-made jets.
    let pde = burgers();
    let (x, t): (f64, f64) = (0.3, 0.4);
    // jet layout for JetSpec::new(2).pure(0, 2): [u, u_x, u_xx, u_t]
    let jet = [x / (1.0 + t), 1.0 / (1.0 + t), 0.0, -x / (1.0 + t).powi(2)];
    let r = pde.residual(&[x, t], &jet);
    assert!(r.value().abs() < 1e-15);
    // ∂r/∂u = u_x, ∂r/∂u_x = u, ∂r/∂u_xx = −ν, ∂r/∂u_t = 1.
    assert_eq!(r.g()[0], jet[1]);
    assert_eq!(r.g()[1], jet[0]);
    assert_eq!(r.g()[2], -0.01 / std::f64::consts::PI);
    assert_eq!(r.g()[3], 1.0);
}

#[test]
fn bad_input_is_a_typed_error() {
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let mlp = Mlp::new(&[2, 4, 1], Activation::Tanh).unwrap();
    // A residual that reads a derivative its spec does not carry.
    let e = Pde::new("kdv", JetSpec::new(2), |_x, u| u.d(1) + u.dn(0, 3)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "pde: kdv: the residual reads d^3u/dx0^3, which its JetSpec does not carry"
    );
    // Empty point sets.
    let e = Pinn::builder(mlp.clone(), domain.clone(), burgers())
        .interior(0)
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "pinn: interior: the point set is empty");
    let e = Pinn::builder(mlp.clone(), domain.clone(), burgers())
        .condition(Condition::dirichlet("bc", 0, |_| 0.0))
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "pinn: bc: the point set is empty");
    // NaN coordinates.
    let e = Pinn::builder(mlp.clone(), domain.clone(), burgers())
        .interior_points(vec![0.1, 0.2, f64::NAN, 0.5])
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "pinn: interior: coordinate 0 of point 1 is NaN"
    );
    // Wrong network shape.
    let e = Pinn::builder(
        Mlp::new(&[3, 4, 1], Activation::Tanh).unwrap(),
        domain.clone(),
        burgers(),
    )
    .build()
    .unwrap_err();
    assert!(
        e.to_string().contains("must map the domain's 2 inputs"),
        "{e}"
    );
    // Bad domain.
    assert!(SpaceTime::interval((1.0, -1.0), (0.0, 1.0)).is_err());
    assert!(SpaceTime::interval((0.0, f64::NAN), (0.0, 1.0)).is_err());
    // A residual that returns NaN on finite jets.
    let sick = Pde::new("sick", JetSpec::new(2), |_x, u| (u.val() - 10.0).ln()).unwrap();
    let pinn = Pinn::builder(mlp.clone(), domain, sick)
        .interior(10)
        .build()
        .unwrap();
    let params = mlp.init(0);
    let e = pinn.loss(&params).unwrap_err();
    match e {
        Error::Residual { pde, point, value } => {
            assert_eq!(pde, "sick");
            assert_eq!(point.len(), 2);
            assert!(value.is_nan());
        }
        e => panic!("{e}"),
    }
}

#[test]
fn refinement_adds_the_points_of_largest_residual() {
    let mut pinn = small_pinn(false);
    let x = pinn.mlp().init(4);
    let before = pinn.term_sizes()[0].1;
    let worst = pinn.refine(&x, 500, 20, 9).unwrap();
    assert_eq!(pinn.term_sizes()[0].1, before + 20);
    // Independently: the largest |residual| over the same candidates.
    let cands = pinn.domain().interior(500, Sampler::Halton, 9);
    let r = pinn.residuals(&x, &cands).unwrap();
    let max = r.iter().map(|v| v.abs()).fold(0.0, f64::max);
    assert_eq!(worst, max);
    assert!(pinn.refine(&x, 10, 20, 9).is_err());
}

#[test]
fn between_stages_hook_runs_once_between_two_stages() {
    use ravine::{rules, AdamConfig, Runner, Stage};
    let mut pinn = small_pinn(false);
    let x0 = pinn.mlp().init(2);
    let untouched = pinn.clone();
    let calls = std::cell::RefCell::new(Vec::new());
    let report = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(1e-3, AdamConfig::default()).unwrap(),
            5,
        ))
        .stage(Stage::adaptive(rules::gd(1e-3).unwrap(), 5))
        .run_refined(&mut pinn, x0, &mut (), |k, p: &mut Pinn, x: &[f64]| {
            calls.borrow_mut().push(k);
            p.refine(x, 100, 10, 1).map(|_| ())
        })
        .unwrap();
    assert_eq!(*calls.borrow(), vec![0]);
    assert_eq!(pinn.term_sizes()[0].1, 160);
    // The second stage's first record (after its first step; the start is not recorded again)
    // is one gradient step on the refined point set from the first stage's end: recompute it
    // independently (the same 5 Adam steps alone, the same refinement on a copy of the
    // unrefined PINN, one hand-made GD step of 1e-3).
    let first_of_stage_1 = report
        .history
        .records
        .iter()
        .find(|r| r.stage == 1)
        .unwrap();
    let mut alone = untouched.clone();
    let after_adam = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(1e-3, AdamConfig::default()).unwrap(),
            5,
        ))
        .run(&mut alone, pinn.mlp().init(2))
        .unwrap()
        .params;
    let mut refined = untouched.clone();
    refined.refine(&after_adam, 100, 10, 1).unwrap();
    let loss_grad = |p: &Pinn, x: &[f64]| {
        let mut g = vec![0.0; x.len()];
        let mut c = vec![0.0; p.component_names().len()];
        let f = p.evaluate(x, &mut g, &mut c).unwrap();
        (f, g)
    };
    let step = |p: &Pinn| {
        let (_, g) = loss_grad(p, &after_adam);
        let x1: Vec<f64> = after_adam
            .iter()
            .zip(&g)
            .map(|(x, g)| x - 1e-3 * g)
            .collect();
        loss_grad(p, &x1).0
    };
    assert_eq!(first_of_stage_1.loss.to_bits(), step(&refined).to_bits());
    assert_ne!(first_of_stage_1.loss, step(&untouched));
}

#[test]
fn burgers_term_weights_scale_their_terms_and_are_validated() {
    use ravine::benchmarks::BurgersSetup;
    let base = BurgersSetup {
        widths: vec![2, 8, 8, 1],
        interior: 200,
        boundary: 40,
        initial: 50,
        ..BurgersSetup::default()
    };
    let weighted = BurgersSetup {
        boundary_weight: 7.0,
        initial_weight: 30.0,
        ..base.clone()
    };
    let (p1, p2) = (base.build().unwrap(), weighted.build().unwrap());
    let x = p1.mlp().init(3);
    let (mut g1, mut g2) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    let (mut c1, mut c2) = (vec![0.0; 3], vec![0.0; 3]);
    let l1 = p1.evaluate(&x, &mut g1, &mut c1).unwrap();
    let l2 = p2.evaluate(&x, &mut g2, &mut c2).unwrap();
    assert_eq!(p1.component_names(), ["pde", "boundary", "initial"]);
    assert!(c1.iter().all(|&c| c > 1e-6), "{c1:?}");
    assert_eq!(c2[0], c1[0]);
    assert!((c2[1] - 7.0 * c1[1]).abs() <= 1e-14 * c2[1]);
    assert!((c2[2] - 30.0 * c1[2]).abs() <= 1e-14 * c2[2]);
    assert!((l2 - (c1[0] + 7.0 * c1[1] + 30.0 * c1[2])).abs() <= 1e-13 * l2);
    assert!(l2 > l1);
    let bad = BurgersSetup {
        initial_weight: -1.0,
        ..base
    };
    let e = bad.build().unwrap_err();
    assert!(e.to_string().contains("weight"), "{e}");
}

#[test]
fn burgers_hard_constraints_hold_exactly_and_the_residual_matches_differences_of_u() {
    use ravine::benchmarks::BurgersSetup;
    let pi = std::f64::consts::PI;
    let nu = 0.01 / pi;
    let setup = BurgersSetup {
        widths: vec![2, 8, 8, 1],
        interior: 200,
        hard_constraints: true,
        ..BurgersSetup::default()
    };
    let pinn = setup.build().unwrap();
    assert_eq!(pinn.component_names(), ["pde"]);
    let theta = pinn.mlp().init(4);
    // u(0, x) = −sin(πx) and u(t, ±1) = 0 for any parameters.
    let xs: Vec<f64> = (0..21).map(|i| -1.0 + 0.1 * i as f64).collect();
    let initial: Vec<f64> = xs.iter().flat_map(|&x| [x, 0.0]).collect();
    for (u, x) in pinn.predict(&theta, &initial).unwrap().iter().zip(&xs) {
        assert!((u + (pi * x).sin()).abs() < 1e-15, "u(0, {x}) = {u}");
    }
    let walls: Vec<f64> = (0..11)
        .flat_map(|i| [[-1.0, 0.1 * i as f64], [1.0, 0.1 * i as f64]])
        .flatten()
        .collect();
    assert!(pinn
        .predict(&theta, &walls)
        .unwrap()
        .iter()
        .all(|u| u.abs() < 1e-15));
    // The residual of u = g + hN (Leibniz jets) against differences of the predicted u.
    let pts = [-0.7, 0.3, 0.1, 0.55, 0.8, 0.9];
    let r = pinn.residuals(&theta, &pts).unwrap();
    for (p, x) in pts.chunks(2).enumerate() {
        let u = |dx: f64, dt: f64| pinn.predict(&theta, &[x[0] + dx, x[1] + dt]).unwrap()[0];
        let residual = |h: f64| {
            let ut = (u(0.0, h) - u(0.0, -h)) / (2.0 * h);
            let ux = (u(h, 0.0) - u(-h, 0.0)) / (2.0 * h);
            let uxx = (u(h, 0.0) - 2.0 * u(0.0, 0.0) + u(-h, 0.0)) / (h * h);
            ut + u(0.0, 0.0) * ux - nu * uxx
        };
        // Richardson: the central differences are second order in h.
        let fd = (4.0 * residual(1e-3) - residual(2e-3)) / 3.0;
        assert!(
            (r[p] - fd).abs() < 1e-8 * r[p].abs().max(1.0),
            "point {p}: {} vs {fd}",
            r[p]
        );
    }
    // Gradient of the residual-only loss against central differences.
    let mut g = vec![0.0; theta.len()];
    let mut comps = vec![0.0; 1];
    pinn.evaluate(&theta, &mut g, &mut comps).unwrap();
    let mut worst: f64 = 0.0;
    for i in 0..theta.len() {
        let (mut a, mut b) = (theta.clone(), theta.clone());
        a[i] += 1e-6;
        b[i] -= 1e-6;
        let fd = (pinn.loss(&a).unwrap() - pinn.loss(&b).unwrap()) / 2e-6;
        worst = worst.max((fd - g[i]).abs() / g[i].abs().max(1e-2));
    }
    println!("hard-constrained Burgers: worst relative gradient error {worst:e}");
    assert!(worst < 1e-6, "{worst}");
}

#[test]
fn a_transform_that_is_not_finite_is_a_typed_error() {
    let mlp = Mlp::new(&[2, 4, 1], Activation::Tanh).unwrap();
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let bad = OutputTransform::new("log", |x| (x[1] - 0.5).exp(), |x| (x[0] * 0.0).exp() / 0.0);
    let e = Pinn::builder(mlp, domain, burgers())
        .interior(20)
        .output_transform(bad)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("log: not finite"), "{e}");
}
