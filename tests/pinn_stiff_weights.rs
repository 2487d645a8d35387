//! The stiff-PDE loss weights and conditions: causal weights, the time horizon, gradient-norm
//! term weights, periodic conditions by order and conditions at given points.

mod common;

use common::stiff_pinns::*;
use ravine::benchmarks::{Encoding, InitialConstraint, StiffPde, StiffSetup};
use ravine::nn::{Activation, Embedding, Mlp};
use ravine::pinn::{Coefficient, Condition, Pinn, Rad, SpaceTime};
use ravine::Problem;

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
        approx::assert_abs_diff_eq!(a, b, epsilon = 1e-15);
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
    approx::assert_abs_diff_eq!(pinn.loss(&theta).unwrap(), plain, epsilon = 1e-14 * plain);
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
    approx::assert_abs_diff_eq!(
        w[1],
        (0.9 + 0.1 * max_pde / mean_ic),
        epsilon = 1e-12 * w[1]
    );
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
