//! The Burgers reference solution against the published values and against itself.

use ravine::reference::BurgersColeHopf;

#[test]
fn min_slope_at_origin_matches_published_value() {
    // Basdevant et al. (1986) and later papers: min_t u_x(0, t) = −152.00516 at t = 0.51047.
    let r = BurgersColeHopf::standard().unwrap();
    let (t, s) = r.min_slope_at_origin(0.4, 0.6, 1e-10);
    println!("min u_x(0,t) = {s:.8} at t = {t:.8}");
    assert!((s + 152.00516).abs() < 1e-4, "{s}");
    assert!((t - 0.51047).abs() < 1e-4, "{t}");
}

#[test]
fn quadrature_orders_agree_and_boundary_and_initial_values_hold() {
    let (a, b) = (
        BurgersColeHopf::new(BurgersColeHopf::NU, 250).unwrap(),
        BurgersColeHopf::new(BurgersColeHopf::NU, 500).unwrap(),
    );
    let mut worst: f64 = 0.0;
    for i in 0..=40 {
        for j in 1..=20 {
            let (x, t) = (-1.0 + i as f64 / 20.0, j as f64 / 20.0);
            worst = worst.max((a.value(x, t) - b.value(x, t)).abs());
        }
    }
    println!("max |u_250 − u_500| on a 41×20 grid: {worst:e}");
    assert!(worst < 1e-10, "{worst}");
    for j in 0..=10 {
        let t = j as f64 / 10.0;
        assert!(a.value(1.0, t).abs() < 1e-12 && a.value(-1.0, t).abs() < 1e-12);
        // Odd in x.
        assert!((a.value(0.3, t) + a.value(-0.3, t)).abs() < 1e-12);
    }
    let pi = std::f64::consts::PI;
    assert!((a.value(0.25, 1e-9) + (pi * 0.25).sin()).abs() < 1e-6);
}

#[test]
fn slope_is_the_derivative_of_the_value() {
    let r = BurgersColeHopf::standard().unwrap();
    for &(x, t) in &[(0.1, 0.2), (-0.4, 0.7), (0.02, 0.5), (0.9, 0.95)] {
        let h = 1e-6;
        let fd = (r.value(x + h, t) - r.value(x - h, t)) / (2.0 * h);
        let (_, ux) = r.value_and_slope(x, t);
        assert!(
            (fd - ux).abs() < 1e-5 * (1.0 + ux.abs()),
            "({x},{t}): {ux} vs {fd}"
        );
    }
}
