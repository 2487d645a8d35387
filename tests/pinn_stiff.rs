//! The stiff-PDE features: periodic embeddings, third derivatives, exact initial conditions,
//! RAD, continuation, and their typed errors; the gradients checked against differences.

mod common;

use common::stiff_pinns::*;
use ravine::benchmarks::{Encoding, InitialConstraint, StiffPde, StiffSetup};
use ravine::nn::{Activation, Embedding, JetSpec, Mlp};
use ravine::pinn::{Coefficient, Condition, Pde, Pinn, Rad, SpaceTime};
use ravine::Problem;

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
        approx::assert_abs_diff_eq!(
            pinn.predict(&theta, &[x, 0.0]).unwrap()[0],
            u0,
            epsilon = 1e-15
        );
        approx::assert_abs_diff_eq!(
            hard.predict(&theta, &[x, 0.0]).unwrap()[0],
            u0,
            epsilon = 1e-15
        );
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
    approx::assert_abs_diff_eq!(
        s.chosen_mean_residual / s.mean_residual,
        1.0,
        epsilon = 0.35
    );
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
    approx::assert_abs_diff_eq!((r5 - r1), 4.0 * (u * u * u - u), epsilon = 1e-12);
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
