//! The PINN layer: loss gradients against finite differences for every term kind, PDE
//! validation, and bad input as typed errors.

use ravine::nn::{Activation, JetSpec, Mlp};
use ravine::pinn::{Condition, OutputTransform, Pde, Pinn, Sampler, SpaceTime};
use ravine::{Error, Problem};

fn burgers() -> Pde {
    let nu = 0.01 / std::f64::consts::PI;
    Pde::new(
        "burgers",
        JetSpec::new(2).pure(0, 2).unwrap(),
        move |_x, u| u.d(1) + u.val() * u.d(0) - nu * u.dn(0, 2),
    )
    .unwrap()
}

fn small_pinn(periodic: bool) -> Pinn {
    small_pinn_with(periodic, None)
}

/// Every term kind, plain and through a hard-constraint transform (which then also shapes the
/// initial and periodic terms: a transform need not meet every condition).
fn cases() -> Vec<(&'static str, Pinn)> {
    let generic = || {
        OutputTransform::new(
            "generic",
            |x| 0.3 * x[0].cos() + x[0] * x[1],
            |x| (0.5 * x[1]).exp() * (1.0 + x[0] * x[0]) - 0.2 * (x[0] - x[1]).tanh(),
        )
    };
    vec![
        ("dirichlet", small_pinn(false)),
        ("periodic", small_pinn(true)),
        (
            "transformed dirichlet",
            small_pinn_with(false, Some(generic())),
        ),
        (
            "transformed periodic",
            small_pinn_with(true, Some(generic())),
        ),
        ("periodic value only", small_pinn_periodic_to(0, None)),
        (
            "transformed periodic to u_xxx",
            small_pinn_periodic_to(3, Some(generic())),
        ),
    ]
}

/// A periodic condition matching `u` and its x-derivatives up to `order`.
fn small_pinn_periodic_to(order: usize, transform: Option<OutputTransform>) -> Pinn {
    let mlp = Mlp::new(&[2, 6, 5, 1], Activation::Tanh).unwrap();
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let mut b = Pinn::builder(mlp, domain, burgers())
        .interior(100)
        .sampler(Sampler::Halton)
        .seed(4)
        .condition(Condition::periodic_to_order("periodic", 0, 25, order));
    if let Some(t) = transform {
        b = b.output_transform(t);
    }
    b.build().unwrap()
}

fn small_pinn_with(periodic: bool, transform: Option<OutputTransform>) -> Pinn {
    let mlp = Mlp::new(&[2, 6, 5, 1], Activation::Tanh).unwrap();
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let mut b = Pinn::builder(mlp, domain, burgers())
        .interior(150)
        .sampler(Sampler::Halton)
        .seed(3)
        .condition(
            Condition::initial("ic", 40, |x| -(std::f64::consts::PI * x[0]).sin())
                .weight(2.0)
                .unwrap(),
        );
    b = if periodic {
        b.condition(Condition::periodic("periodic", 0, 30))
    } else {
        b.condition(Condition::dirichlet("bc", 30, |_| 0.0))
    };
    if let Some(t) = transform {
        b = b.output_transform(t);
    }
    b.build().unwrap()
}

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
        assert!((comps.iter().sum::<f64>() - f).abs() < 1e-14 * f);
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
    // The second stage's first recorded loss is on the refined point set.
    let first_of_stage_1 = report
        .history
        .records
        .iter()
        .find(|r| r.stage == 1)
        .unwrap();
    assert!(first_of_stage_1.loss.is_finite());
}

#[test]
fn residual_jacobian_reproduces_loss_gradient_and_directional_derivatives() {
    use ravine::diagnostics::{dense_spectrum, lanczos, GaussNewton, LanczosSettings, Operator};
    for (periodic, pinn) in cases() {
        let theta = pinn.mlp().init(5);
        let jac = pinn.residual_jacobian(&theta).unwrap();
        let p = theta.len();
        // L = Σρ² and ∇L = 2Jᵀρ, against the fused reverse pass.
        let mut grad = vec![0.0; p];
        let mut comps = vec![0.0; pinn.component_names().len()];
        let loss = pinn.evaluate(&theta, &mut grad, &mut comps).unwrap();
        assert!(
            (jac.loss() - loss).abs() < 1e-12 * loss,
            "{} vs {loss}",
            jac.loss()
        );
        let scale = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        for (k, g) in grad.iter().enumerate() {
            let jt: f64 = (0..jac.rows())
                .map(|i| 2.0 * jac.row(i)[k] * jac.residuals[i])
                .sum();
            assert!((jt - g).abs() < 1e-10 * scale, "param {k}: {jt} vs {g}");
        }
        // Each term's rows sum to its loss component.
        for (k, (_, rows)) in jac.terms.iter().enumerate() {
            let part: f64 = jac.residuals[rows.clone()].iter().map(|r| r * r).sum();
            assert!((part - comps[k]).abs() < 1e-12 * comps[k].max(1e-12));
        }
        // Jv against central differences of the residuals.
        let v: Vec<f64> = (0..p).map(|i| ((i * 37 % 11) as f64 - 5.0) / 5.0).collect();
        let h = 1e-6;
        let plus: Vec<f64> = theta.iter().zip(&v).map(|(a, b)| a + h * b).collect();
        let minus: Vec<f64> = theta.iter().zip(&v).map(|(a, b)| a - h * b).collect();
        let (rp, rm) = (
            pinn.residual_jacobian(&plus).unwrap(),
            pinn.residual_jacobian(&minus).unwrap(),
        );
        let mut worst: f64 = 0.0;
        for i in 0..jac.rows() {
            let jv: f64 = jac.row(i).iter().zip(&v).map(|(a, b)| a * b).sum();
            let fd = (rp.residuals[i] - rm.residuals[i]) / (2.0 * h);
            worst = worst.max((jv - fd).abs() / jv.abs().max(1e-3));
        }
        assert!(
            worst < 1e-6,
            "{periodic}: worst relative J v error {worst:e}"
        );
        // Gauss-Newton: the whole is the sum of the terms, and Lanczos agrees with dense.
        let gn = GaussNewton::new(&jac);
        let mut total = vec![0.0; p];
        gn.apply(&v, &mut total).unwrap();
        let mut sum = vec![0.0; p];
        for (name, _) in &jac.terms {
            let mut part = vec![0.0; p];
            GaussNewton::term(&jac, name)
                .unwrap()
                .apply(&v, &mut part)
                .unwrap();
            sum.iter_mut().zip(&part).for_each(|(a, b)| *a += b);
        }
        let big = total.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(total
            .iter()
            .zip(&sum)
            .all(|(a, b)| (a - b).abs() < 1e-12 * big));
        let ev = dense_spectrum(&gn).unwrap();
        let top = lanczos(
            &gn,
            LanczosSettings {
                k: 2,
                tol: 1e-12,
                max_iter: p,
                ..Default::default()
            },
        )
        .unwrap();
        for (r, pair) in top.pairs.iter().enumerate() {
            let exact = ev[p - 1 - r];
            assert!(
                (pair.value - exact).abs() < 1e-8 * exact,
                "{} vs {exact}",
                pair.value
            );
        }
        assert!(ev[0] > -1e-10 * ev[p - 1], "gauss-newton is PSD: {}", ev[0]);
        assert!(GaussNewton::term(&jac, "nope").is_err());
    }
}

#[test]
fn exact_hessian_products_match_differences_and_split_by_term() {
    use ravine::diagnostics::{
        dense_spectrum, lanczos, End, FiniteDifferenceHessian, LanczosSettings, Operator,
        PinnHessian,
    };
    for (periodic, pinn) in cases() {
        let theta = pinn.mlp().init(5);
        let p = theta.len();
        let exact = PinnHessian::new(&pinn, &theta).unwrap();
        let fd = FiniteDifferenceHessian::new(&pinn, &theta, 1e-5).unwrap();
        let mut worst: f64 = 0.0;
        for s in 0..4 {
            let v: Vec<f64> = (0..p)
                .map(|i| (((i + 7 * s) * 37 % 11) as f64 - 5.0) / 5.0)
                .collect();
            let (mut hv, mut hf) = (vec![0.0; p], vec![0.0; p]);
            exact.apply(&v, &mut hv).unwrap();
            fd.apply(&v, &mut hf).unwrap();
            let scale = hv.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (a, b) in hv.iter().zip(&hf) {
                worst = worst.max((a - b).abs() / scale);
            }
            // The whole is the sum of the terms' Hessians.
            let mut sum = vec![0.0; p];
            for (name, _) in pinn.term_sizes() {
                let mut part = vec![0.0; p];
                PinnHessian::term(&pinn, &theta, &name)
                    .unwrap()
                    .apply(&v, &mut part)
                    .unwrap();
                sum.iter_mut().zip(&part).for_each(|(a, b)| *a += b);
            }
            assert!(hv
                .iter()
                .zip(&sum)
                .all(|(a, b)| (a - b).abs() < 1e-12 * scale));
        }
        assert!(worst < 1e-6, "{periodic}: exact vs differences {worst:e}");
        // Assembled column by column, the exact Hessian is symmetric to rounding; it is
        // indefinite (the residual curvature), and Lanczos finds both ends of the dense
        // spectrum.
        let mut h = vec![0.0; p * p];
        let mut e = vec![0.0; p];
        for j in 0..p {
            e[j] = 1.0;
            exact.apply(&e, &mut h[j * p..(j + 1) * p]).unwrap();
            e[j] = 0.0;
        }
        let big = h.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let asym = (0..p)
            .flat_map(|i| (0..p).map(move |j| (i, j)))
            .fold(0.0f64, |m, (i, j)| {
                m.max((h[i * p + j] - h[j * p + i]).abs())
            });
        assert!(asym < 1e-12 * big, "asymmetry {asym:e} of {big:e}");
        println!(
            "{periodic}: exact vs differences {worst:e}, asymmetry {:e}",
            asym / big
        );
        let ev = dense_spectrum(&exact).unwrap();
        assert!(
            ev[0] < 0.0,
            "residual curvature makes it indefinite: {}",
            ev[0]
        );
        for end in [End::Largest, End::Smallest] {
            let r = lanczos(
                &exact,
                LanczosSettings {
                    k: 1,
                    tol: 1e-12,
                    max_iter: p,
                    end,
                    ..Default::default()
                },
            )
            .unwrap();
            let want = if end == End::Largest {
                ev[p - 1]
            } else {
                ev[0]
            };
            let got = r.pairs[0].value;
            assert!(
                (got - want).abs() < 1e-8 * ev[p - 1].abs(),
                "{end:?}: {got} vs {want}"
            );
        }
        let mut out = vec![0.0; p];
        assert!(pinn
            .hessian_vector_product(&theta, &theta[1..], &mut out)
            .is_err());
        assert!(PinnHessian::term(&pinn, &theta, "nope").is_err());
    }
}

#[test]
fn curvature_observer_values_match_dense_spectra() {
    use ravine::diagnostics::{
        dense_spectrum, GaussNewton, PinnCurvature, PinnHessian, Preconditioned,
    };
    let pinn = small_pinn(false);
    let theta = pinn.mlp().init(2);
    let p = theta.len();
    let d: Vec<f64> = (0..p).map(|i| 1e-3 * (1.0 + (i % 7) as f64)).collect();
    let values = PinnCurvature::default()
        .measure(&pinn, &theta, Some(&d))
        .unwrap();
    let get = |name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} missing from {values:?}"))
            .1
    };
    let h = PinnHessian::new(&pinn, &theta).unwrap();
    let ev = dense_spectrum(&h).unwrap();
    let close = |got: f64, want: f64, scale: f64| (got - want).abs() <= 1e-7 * scale;
    let top = ev[p - 1];
    assert!(close(get("hessian_lambda_max"), top, top));
    assert!(close(get("hessian_lambda_min"), ev[0], top));
    assert!(get("hessian_lambda_max_residual") <= 1e-6 * top);
    assert!(close(get("ideal_step") * top, 1.0, 1.0));
    let pre = dense_spectrum(&Preconditioned::new(&h, &d).unwrap()).unwrap();
    assert!(close(
        get("hessian_preconditioned_sharpness"),
        pre[p - 1],
        pre[p - 1]
    ));
    for (name, _) in pinn.term_sizes() {
        let t = dense_spectrum(&PinnHessian::term(&pinn, &theta, &name).unwrap()).unwrap();
        assert!(close(
            get(&format!("hessian_lambda_max_{name}")),
            t[p - 1],
            t[p - 1]
        ));
    }
    let jac = pinn.residual_jacobian(&theta).unwrap();
    let gn = dense_spectrum(&GaussNewton::new(&jac)).unwrap();
    assert!(close(get("gauss_newton_lambda_max"), gn[p - 1], gn[p - 1]));
    assert!(close(get("effective_step_max"), 7e-3, 1e-3));
    // The Hessian and its Gauss-Newton part differ by the residual curvature.
    assert!((top - gn[p - 1]).abs() > 1e-6 * top);
}

#[test]
fn burgers_term_weights_scale_their_terms_and_are_validated() {
    use ravine::pinn::BurgersSetup;
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
    use ravine::pinn::BurgersSetup;
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
