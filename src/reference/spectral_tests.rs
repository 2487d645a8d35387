//! Unit tests of `spectral`.
use super::*;

fn heat(nu: f64) -> SemiLinear {
    SemiLinear {
        name: "heat",
        linear: Box::new(move |k| Complex64::new(-nu * k * k, 0.0)),
        multiplier: Box::new(|_| Complex64::new(0.0, 0.0)),
        nonlinearity: |u| u,
    }
}

#[test]
fn contour_coefficients_match_closed_forms_away_from_zero() {
    // For z = hL far from 0 the closed forms have no cancellation.
    let s = Etdrk4::new(heat(1.0), 0.0, 2.0 * std::f64::consts::PI, 16, 0.5).unwrap();
    for j in 2..8 {
        let z = -(j as f64).powi(2) * 0.5;
        let h = 0.5;
        let q = h * ((z / 2.0).exp() - 1.0) / z;
        let f1 = h * (-4.0 - z + z.exp() * (4.0 - 3.0 * z + z * z)) / z.powi(3);
        let f2 = h * (2.0 + z + z.exp() * (z - 2.0)) / z.powi(3);
        let f3 = h * (-4.0 - 3.0 * z - z * z + z.exp() * (4.0 - z)) / z.powi(3);
        for (got, want) in [(s.q[j], q), (s.f1[j], f1), (s.f2[j], f2), (s.f3[j], f3)] {
            assert!((got.re - want).abs() < 1e-14 && got.im.abs() < 1e-15);
        }
    }
    // At z = 0 the limits are h/2, h/6, h/6, h/6.
    approx::assert_abs_diff_eq!(s.q[0].re, 0.25, epsilon = 1e-15);
    for f in [s.f1[0], s.f2[0], s.f3[0]] {
        approx::assert_abs_diff_eq!(f.re, 0.5 / 6.0, epsilon = 1e-15);
    }
}

#[test]
fn a_linear_problem_is_exact_and_the_explicit_part_is_fourth_order() {
    // u_t = u_xx − u with sin(3x): u = e^{−10t} sin(3x). All in L: exact to rounding.
    let run = |linear_only: bool, h: f64| {
        let p = SemiLinear {
            name: "linear",
            linear: Box::new(move |k| {
                Complex64::new(-k * k - if linear_only { 1.0 } else { 0.0 }, 0.0)
            }),
            multiplier: Box::new(move |_| {
                Complex64::new(if linear_only { 0.0 } else { -1.0 }, 0.0)
            }),
            nonlinearity: |u| u,
        };
        let s = Etdrk4::new(p, 0.0, 2.0 * std::f64::consts::PI, 32, h).unwrap();
        let x = s.grid();
        let mut c = s.coefficients(&x.iter().map(|x| (3.0 * x).sin()).collect::<Vec<_>>());
        for _ in 0..(1.0 / h).round() as usize {
            s.step(&mut c);
        }
        s.values(&c)
            .iter()
            .zip(&x)
            .map(|(u, x)| (u - (-10.0f64).exp() * (3.0 * x).sin()).abs())
            .fold(0.0, f64::max)
    };
    assert!(run(true, 0.1) < 1e-15);
    // With −u as the explicit term: error ∝ h⁴ (ratio 16 per halving).
    let (e1, e2) = (run(false, 0.1), run(false, 0.05));
    println!("explicit part: {e1:.3e} at h = 0.1, {e2:.3e} at h = 0.05");
    assert!((e1 / e2 - 16.0).abs() < 1.5, "{}", e1 / e2);
}

#[test]
fn dealiased_cube_keeps_exactly_the_retained_modes() {
    let p = SemiLinear {
        name: "cube",
        linear: Box::new(|_| Complex64::new(0.0, 0.0)),
        multiplier: Box::new(|_| Complex64::new(1.0, 0.0)),
        nonlinearity: |u| u * u * u,
    };
    let s = Etdrk4::new(p, 0.0, 2.0 * std::f64::consts::PI, 16, 0.1).unwrap();
    // cos(5x)³ = (3 cos 5x + cos 15x)/4: on 16 modes cos 15x is dropped, not aliased.
    let x = s.grid();
    let c = s.coefficients(&x.iter().map(|x| (5.0 * x).cos()).collect::<Vec<_>>());
    let n = s.nonlinear(&c);
    for (j, v) in n.iter().enumerate() {
        let want = if mode(j, 16).abs() == 5 {
            3.0 / 8.0
        } else {
            0.0
        };
        assert!(
            (v.re - want).abs() < 1e-15 && v.im.abs() < 1e-15,
            "{j}: {v}"
        );
    }
}

#[test]
fn bad_settings_are_typed_errors() {
    assert!(Etdrk4::new(heat(1.0), 0.0, 1.0, 7, 0.1).is_err());
    let e = Etdrk4::new(heat(1.0), 0.0, 1.0, 16, -0.1).unwrap_err();
    assert!(e.to_string().contains("time step = -0.1"), "{e}");
    assert!(Etdrk4::new(heat(1.0), 0.0, f64::NAN, 16, 0.1).is_err());
}
