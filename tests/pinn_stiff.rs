//! The stiff-PDE features: periodic embeddings, third derivatives, exact initial conditions,
//! RAD, continuation, and their typed errors; the gradients checked against differences.

use ravine::nn::{Activation, Embedding, JetSpec, Mlp};
use ravine::pinn::{
    Coefficient, Condition, Encoding, InitialConstraint, Pde, Pinn, Rad, SpaceTime, StiffPde,
    StiffSetup,
};
use ravine::Problem;

fn small(pde: StiffPde, initial: InitialConstraint, encoding: Encoding) -> Pinn {
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

fn worst_gradient_error(pinn: &Pinn, seed: u64) -> f64 {
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

#[test]
fn stiff_losses_have_exact_gradients_with_every_embedding_and_initial_condition() {
    let cases = [
        (
            InitialConstraint::Soft {
                points: 20,
                weight: 10.0,
            },
            Encoding::Periodic { harmonics: 2 },
        ),
        (InitialConstraint::Hard, Encoding::Periodic { harmonics: 1 }),
        (
            InitialConstraint::Fading { tau: 0.1 },
            Encoding::Periodic { harmonics: 1 },
        ),
        (
            InitialConstraint::Soft {
                points: 20,
                weight: 1.0,
            },
            Encoding::RandomFourier { m: 4, sigma: 1.0 },
        ),
        (
            InitialConstraint::Soft {
                points: 20,
                weight: 1.0,
            },
            Encoding::Raw,
        ),
    ];
    for pde in [StiffPde::AllenCahn, StiffPde::Kdv] {
        for (initial, encoding) in cases {
            let pinn = small(pde, initial, encoding);
            let worst = worst_gradient_error(&pinn, 3);
            println!("{pde:?} {initial:?} {encoding:?}: worst relative gradient error {worst:.1e}");
            assert!(worst < 1e-6, "{worst}");
        }
    }
}

#[test]
fn the_kdv_residual_matches_finite_differences_of_the_prediction_including_u_xxx() {
    // r = u_t + u u_x + μ² u_xxx from jets, against differences of the network's values.
    for initial in [
        InitialConstraint::Soft {
            points: 20,
            weight: 1.0,
        },
        InitialConstraint::Fading { tau: 0.2 },
    ] {
        let pinn = small(StiffPde::Kdv, initial, Encoding::Periodic { harmonics: 2 });
        let theta = pinn.mlp().init(7);
        let mu2 = 0.022f64 * 0.022;
        let h = 1e-3;
        let u = |x: f64, t: f64| pinn.predict(&theta, &[x, t]).unwrap()[0];
        let mut worst: f64 = 0.0;
        for &(x, t) in &[(0.3, 0.4), (-0.7, 0.9), (0.95, 0.1)] {
            let ux = (u(x + h, t) - u(x - h, t)) / (2.0 * h);
            let ut = (u(x, t + h) - u(x, t - h)) / (2.0 * h);
            let uxxx = (u(x + 2.0 * h, t) - 2.0 * u(x + h, t) + 2.0 * u(x - h, t)
                - u(x - 2.0 * h, t))
                / (2.0 * h * h * h);
            let fd = ut + u(x, t) * ux + mu2 * uxxx;
            let r = pinn.residuals(&theta, &[x, t]).unwrap()[0];
            worst = worst.max((r - fd).abs() / (1.0 + r.abs()));
        }
        println!("{initial:?}: residual vs differences {worst:.1e}");
        assert!(worst < 1e-5, "{worst}");
    }
}

#[test]
fn a_periodic_embedding_makes_u_and_all_its_x_derivatives_periodic() {
    let pinn = small(
        StiffPde::AllenCahn,
        InitialConstraint::Fading { tau: 0.1 },
        Encoding::Periodic { harmonics: 3 },
    );
    let theta = pinn.mlp().init(2);
    for t in [0.0, 0.3, 1.0] {
        let (a, b) = (
            pinn.predict(&theta, &[-1.0, t]).unwrap()[0],
            pinn.predict(&theta, &[1.0, t]).unwrap()[0],
        );
        // The exact initial condition is itself periodic here: x² cos πx at ±1 is −1.
        assert!((a - b).abs() < 1e-13, "{a} {b}");
    }
    let ra = pinn.residuals(&theta, &[-1.0, 0.5]).unwrap()[0];
    let rb = pinn.residuals(&theta, &[1.0, 0.5]).unwrap()[0];
    assert!((ra - rb).abs() < 1e-12, "{ra} {rb}");
}

#[test]
fn the_fading_transform_meets_the_initial_condition_and_releases_the_kink() {
    let pinn = small(
        StiffPde::AllenCahn,
        InitialConstraint::Fading { tau: 0.05 },
        Encoding::Periodic { harmonics: 1 },
    );
    let hard = small(
        StiffPde::AllenCahn,
        InitialConstraint::Hard,
        Encoding::Periodic { harmonics: 1 },
    );
    let theta = pinn.mlp().init(4);
    for x in [-0.8, -0.1, 0.45] {
        let u0 = x * x * (std::f64::consts::PI * x).cos();
        assert!((pinn.predict(&theta, &[x, 0.0]).unwrap()[0] - u0).abs() < 1e-15);
        assert!((hard.predict(&theta, &[x, 0.0]).unwrap()[0] - u0).abs() < 1e-15);
    }
    // The slope jump across x = ±1 (u₀′(±1) = ∓2, jump 4): kept by u₀ + tN at every time,
    // gone (×e^{−t/τ}) with the fading transform.
    let slope = |p: &Pinn, x: f64, t: f64| {
        let h = 1e-6;
        (p.predict(&theta, &[x + h, t]).unwrap()[0] - p.predict(&theta, &[x - h, t]).unwrap()[0])
            / (2.0 * h)
    };
    // The formulas are smooth on the whole line, so central differences at exactly x = ±1
    // give the one-sided slopes of the periodic function; the network's part is periodic.
    let jump = |p: &Pinn, t: f64| slope(p, -1.0, t) - slope(p, 1.0, t);
    let (kept, faded) = (jump(&hard, 0.5), jump(&pinn, 0.5));
    println!("slope jump at t = 0.5: u0 + tN {kept:.6}, fading {faded:.3e}");
    assert!((kept - 4.0).abs() < 1e-6, "{kept}");
    assert!((faded - 4.0 * (-10.0f64).exp()).abs() < 1e-6, "{faded}");
}

#[test]
fn rad_concentrates_points_where_the_residual_is_large_and_is_seeded() {
    let mut pinn = small(
        StiffPde::AllenCahn,
        InitialConstraint::Hard,
        Encoding::Periodic { harmonics: 1 },
    );
    let theta = pinn.mlp().init(9);
    let rad = Rad {
        k: 2.0,
        c: 0.0,
        candidates: 4000,
    };
    let stats = pinn.resample_rad(&theta, &rad, 11).unwrap();
    assert_eq!(pinn.term_sizes()[0].1, 60);
    println!(
        "rad: mean |r| {:.3e}, at the chosen points {:.3e}",
        stats.mean_residual, stats.chosen_mean_residual
    );
    assert!(stats.chosen_mean_residual > 1.5 * stats.mean_residual);
    let loss_a = pinn.loss(&theta).unwrap();
    let mut again = small(
        StiffPde::AllenCahn,
        InitialConstraint::Hard,
        Encoding::Periodic { harmonics: 1 },
    );
    again.resample_rad(&theta, &rad, 11).unwrap();
    assert_eq!(loss_a, again.loss(&theta).unwrap());
    // A huge c is uniform sampling: the chosen points' mean residual is the candidates'.
    let uniform = Rad { c: 1e9, ..rad };
    let s = again.resample_rad(&theta, &uniform, 12).unwrap();
    assert!((s.chosen_mean_residual / s.mean_residual - 1.0).abs() < 0.35);
    assert!(again
        .resample_rad(
            &theta,
            &Rad {
                candidates: 10,
                ..rad
            },
            1
        )
        .is_err());
    assert!(again
        .resample_rad(&theta, &Rad { k: -1.0, ..rad }, 1)
        .is_err());
}

#[test]
fn continuation_changes_the_residual_through_the_shared_coefficient() {
    let mut s = StiffSetup::new(StiffPde::AllenCahn);
    s.hidden = vec![5];
    s.interior = 10;
    s.coefficient = 1.0;
    let (pinn, c) = s.build().unwrap();
    let theta = pinn.mlp().init(1);
    let p = [0.2, 0.3];
    let r1 = pinn.residuals(&theta, &p).unwrap()[0];
    c.set(5.0);
    let r5 = pinn.residuals(&theta, &p).unwrap()[0];
    let u = pinn.predict(&theta, &p).unwrap()[0];
    assert!(((r5 - r1) - 4.0 * (u * u * u - u)).abs() < 1e-12);
}

#[test]
fn bad_periodic_data_and_missing_derivatives_are_typed_errors() {
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let pde = StiffPde::AllenCahn.pde(&Coefficient::new(5.0)).unwrap();
    // Period 2 on a domain of length 3.
    let wide = SpaceTime::interval((-1.0, 2.0), (0.0, 1.0)).unwrap();
    let mlp = Mlp::new(&[3, 4, 1], Activation::Tanh)
        .unwrap()
        .with_embedding(Embedding::periodic(2, 0, 2.0, 1).unwrap())
        .unwrap();
    let e = Pinn::builder(mlp.clone(), wide, pde.clone())
        .interior(10)
        .build()
        .unwrap_err();
    assert!(
        e.to_string().contains("period 2") && e.to_string().contains("length 3"),
        "{e}"
    );
    // Initial data that is not periodic for a periodic network.
    let e = Pinn::builder(mlp.clone(), domain.clone(), pde.clone())
        .interior(10)
        .condition(Condition::initial("initial", 10, |x| x[0]))
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("periodic in input 0 but the data is not"),
        "{e}"
    );
    // The embedding's width must be the first layer's.
    let e = Mlp::new(&[2, 4, 1], Activation::Tanh)
        .unwrap()
        .with_embedding(Embedding::periodic(2, 0, 2.0, 1).unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("3 features"), "{e}");
    // A residual that reads u_xxx from jets built to second order.
    let e = Pde::new("kdv", JetSpec::new(2).pure(0, 2).unwrap(), |_x, u| {
        u.dn(0, 3)
    })
    .unwrap_err();
    assert!(e.to_string().contains("kdv"), "{e}");
}

#[test]
fn causal_weights_give_the_published_loss_and_exact_gradients() {
    let mut pinn = small(
        StiffPde::AllenCahn,
        InitialConstraint::Hard,
        Encoding::Periodic { harmonics: 1 },
    );
    let theta = pinn.mlp().init(3);
    // Independent: slice losses from the residuals, weights exp(−ε Σ earlier), mean over
    // slices.
    let (m, eps) = (4, 0.5);
    pinn.resample_uniform(5);
    let w = pinn.set_causal_weights(&theta, m, eps).unwrap();
    let mut expected_w = vec![1.0];
    for k in 1..m {
        expected_w.push((-eps * w.slice_losses[..k].iter().sum::<f64>()).exp());
    }
    for (a, b) in w.weights.iter().zip(&expected_w) {
        assert!((a - b).abs() < 1e-15);
    }
    let want: f64 = w
        .slice_losses
        .iter()
        .zip(&w.weights)
        .map(|(l, w)| l * w)
        .sum::<f64>()
        / m as f64;
    let got = pinn.loss(&theta).unwrap();
    assert!((got - want).abs() < 1e-12 * want, "{got} {want}");
    assert!(w.weights.windows(2).all(|p| p[1] <= p[0]));
    let worst = worst_gradient_error(&pinn, 3);
    assert!(worst < 1e-6, "{worst}");
    // New points drop the weights.
    pinn.resample_uniform(6);
    let plain = pinn.loss(&theta).unwrap();
    pinn.set_causal_weights(&theta, 1, 0.0).unwrap();
    assert!((pinn.loss(&theta).unwrap() - plain).abs() < 1e-14 * plain);
    assert!(pinn.set_causal_weights(&theta, 0, 1.0).is_err());
}

#[test]
fn the_horizon_maps_points_in_time_and_keeps_initial_points() {
    let mut pinn = small(
        StiffPde::Kdv,
        InitialConstraint::Soft {
            points: 20,
            weight: 1.0,
        },
        Encoding::Periodic { harmonics: 1 },
    );
    let theta = pinn.mlp().init(1);
    pinn.set_horizon(0.25).unwrap();
    assert_eq!(pinn.domain().time(), (0.0, 0.25));
    let r = pinn.residuals(&theta, &[0.1, 0.2]).unwrap();
    assert!(r[0].is_finite());
    let mut again = pinn.clone();
    again.resample_uniform(3);
    // Fresh samples come from the new interval: check through RAD's candidates as well.
    let stats = again
        .resample_rad(
            &theta,
            &Rad {
                k: 1.0,
                c: 0.0,
                candidates: 500,
            },
            2,
        )
        .unwrap();
    assert!(stats.max_residual.is_finite());
    assert!(pinn.set_horizon(-1.0).is_err());
}

#[test]
fn gradient_norm_weights_follow_the_published_rule() {
    let mut pinn = small(
        StiffPde::AllenCahn,
        InitialConstraint::Soft {
            points: 20,
            weight: 1.0,
        },
        Encoding::Periodic { harmonics: 1 },
    );
    let theta = pinn.mlp().init(8);
    let grads = pinn.term_gradients(&theta).unwrap();
    assert_eq!(grads[1].0, "initial");
    // The term gradients add up to the full gradient at unit weights.
    let mut g = vec![0.0; pinn.dim()];
    pinn.evaluate(&theta, &mut g, &mut []).unwrap();
    for (i, gi) in g.iter().enumerate() {
        assert!((gi - grads[0].1[i] - grads[1].1[i]).abs() < 1e-12 * (1.0 + gi.abs()));
    }
    let max_pde = grads[0].1.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mean_ic = grads[1].1.iter().map(|v| v.abs()).sum::<f64>() / g.len() as f64;
    let w = pinn.balance_weights(&theta, 0.1).unwrap();
    assert_eq!(w[0], 1.0);
    assert!((w[1] - (0.9 + 0.1 * max_pde / mean_ic)).abs() < 1e-12 * w[1]);
    assert!(pinn.balance_weights(&theta, 0.0).is_err());
}

#[test]
fn periodic_conditions_match_the_orders_asked_for() {
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let pde = StiffPde::Kdv.pde(&Coefficient::new(4.84e-4)).unwrap();
    let mlp = Mlp::new(&[2, 5, 1], Activation::Tanh).unwrap();
    let build = |order: usize| {
        Pinn::builder(mlp.clone(), domain.clone(), pde.clone())
            .interior(10)
            .seed(2)
            .condition(Condition::periodic_to_order("periodic", 0, 15, order))
            .build()
    };
    let theta = mlp.init(3);
    let losses: Vec<f64> = (0..=3)
        .map(|k| {
            let p = build(k).unwrap();
            let mut c = vec![0.0; 2];
            p.evaluate(&theta, &mut vec![0.0; p.dim()], &mut c).unwrap();
            c[1]
        })
        .collect();
    // Each order adds a non-negative term; order 0 against differences of predictions.
    assert!(losses.windows(2).all(|w| w[1] >= w[0]), "{losses:?}");
    let p0 = build(0).unwrap();
    let pts = p0.term_sizes();
    assert_eq!(pts[1].1, 15);
    let e = build(5).unwrap_err();
    assert!(e.to_string().contains("periodic"), "{e}");
    // A periodic embedding makes every order vanish.
    let periodic = Mlp::new(&[3, 5, 1], Activation::Tanh)
        .unwrap()
        .with_embedding(Embedding::periodic(2, 0, 2.0, 1).unwrap())
        .unwrap();
    let q = Pinn::builder(periodic.clone(), domain, pde)
        .interior(10)
        .condition(Condition::periodic_to_order("periodic", 0, 15, 3))
        .build()
        .unwrap();
    let mut c = vec![0.0; 2];
    q.evaluate(&periodic.init(1), &mut vec![0.0; q.dim()], &mut c)
        .unwrap();
    assert!(c[1] < 1e-25, "{}", c[1]);
}

#[test]
fn conditions_at_given_points_are_used_and_checked() {
    let mut s = StiffSetup::new(StiffPde::AllenCahn);
    s.hidden = vec![4];
    s.interior = 10;
    s.initial = InitialConstraint::SoftGrid {
        points: 64,
        weight: 1.0,
    };
    let (pinn, _) = s.build().unwrap();
    assert_eq!(pinn.term_sizes()[1], ("initial".to_string(), 64));
    // The term is the mean squared misfit on the grid x = −1 + k/32 at t = 0.
    let theta = pinn.mlp().init(2);
    let grid: Vec<f64> = (0..64)
        .flat_map(|k| [-1.0 + k as f64 / 32.0, 0.0])
        .collect();
    let u = pinn.predict(&theta, &grid).unwrap();
    let want = u
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let x = -1.0 + k as f64 / 32.0;
            (v - x * x * (std::f64::consts::PI * x).cos()).powi(2)
        })
        .sum::<f64>()
        / 64.0;
    let mut c = vec![0.0; 2];
    pinn.evaluate(&theta, &mut vec![0.0; pinn.dim()], &mut c)
        .unwrap();
    assert!((c[1] - want).abs() < 1e-14 * want, "{} {want}", c[1]);
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let pde = StiffPde::AllenCahn.pde(&Coefficient::new(5.0)).unwrap();
    let mlp = Mlp::new(&[2, 4, 1], Activation::Tanh).unwrap();
    let bad = Pinn::builder(mlp.clone(), domain.clone(), pde.clone())
        .interior(10)
        .condition(Condition::initial("initial", 3, |_| 0.0).at_points(vec![0.1, 0.0, 0.2]))
        .build()
        .unwrap_err();
    assert!(bad.to_string().contains("initial"), "{bad}");
    let bad = Pinn::builder(mlp, domain, pde)
        .interior(10)
        .condition(Condition::periodic("periodic", 0, 2).at_points(vec![0.1, 0.0]))
        .build()
        .unwrap_err();
    assert!(bad.to_string().contains("periodic pairs"), "{bad}");
}
