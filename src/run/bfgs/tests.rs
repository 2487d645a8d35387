//! Unit tests of the dense quasi-Newton update.

use super::*;

#[test]
fn update_keeps_the_secant_condition_symmetry_and_the_fused_direction() {
    let p = 4;
    for kind in [
        QuasiNewtonUpdate::Bfgs,
        QuasiNewtonUpdate::SelfScaledBfgs,
        QuasiNewtonUpdate::SelfScaledBroyden,
    ] {
        let scaled = kind != QuasiNewtonUpdate::Bfgs;
        let mut b = Bfgs::new(p, 1e-4, 0.9, kind).unwrap();
        let pairs = [
            ([1.0, 0.0, 0.5, -0.2], [2.0, 0.1, 0.7, -0.1]),
            ([0.0, 1.0, -0.3, 0.4], [0.2, 3.0, -0.4, 1.1]),
            ([0.3, -0.2, 1.0, 0.1], [0.5, -0.3, 4.0, 0.2]),
        ];
        for (s, y) in pairs {
            let g1 = [0.3, -1.0, 0.2, 0.7];
            // sᵀBs = −α sᵀg = 10 > sᵀy: the self-scaled update shrinks the model (τ < 1).
            let tau = b.update(&s, &y, &g1, -1.0, 10.0).unwrap();
            assert_eq!(tau < 1.0, scaled, "{kind:?}: {tau}");
            // The direction left for the next step is H⁺ g₁, computed without H⁺.
            let next = b.next.clone().unwrap();
            for (a, c) in next.iter().zip(&b.apply(&g1)) {
                approx::assert_abs_diff_eq!(a, c, epsilon = 1e-12);
            }
            // H⁺ y = s.
            let hy = b.apply(&y);
            for (a, c) in hy.iter().zip(&s) {
                assert!((a - c).abs() < 1e-12, "{hy:?} vs {s:?}");
            }
        }
        let h = b.inverse_hessian().unwrap();
        for i in 0..p {
            for j in 0..p {
                approx::assert_abs_diff_eq!(h[i * p + j], h[j * p + i], epsilon = 1e-14);
            }
        }
    }
    let mut b = Bfgs::new(p, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs).unwrap();
    b.update(
        &[1.0, 0.0, 0.0, 0.0],
        &[2.0, 0.0, 0.0, 0.0],
        &[0.0; 4],
        -1.0,
        1.0,
    );
    // Negative curvature is skipped.
    assert!(b
        .update(
            &[1.0, 0.0, 0.0, 0.0],
            &[-1.0, 0.0, 0.0, 0.0],
            &[0.0; 4],
            -1.0,
            1.0
        )
        .is_none());
    assert!(Bfgs::new(20_000, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs).is_err());
    let e = Bfgs::new(4, 0.5, 0.1, QuasiNewtonUpdate::Bfgs)
        .err()
        .unwrap();
    assert!(e.to_string().contains("c1 = 0.5"), "{e}");
}

#[test]
fn a_carried_inverse_hessian_is_symmetrised_and_must_be_positive_definite() {
    let b = Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::SelfScaledBroyden).unwrap();
    // Not symmetric, but (h + hᵀ)/2 = [[2, 1], [1, 2]] is positive definite.
    let (b, ok) = b.with_inverse_hessian(vec![2.0, 0.5, 1.5, 2.0]);
    assert!(ok);
    assert_eq!(b.inverse_hessian().unwrap(), vec![2.0, 1.0, 1.0, 2.0]);
    // Indefinite: refused, the solver starts from scratch.
    let fresh = Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs).unwrap();
    let (fresh, ok) = fresh.with_inverse_hessian(vec![1.0, 2.0, 2.0, 1.0]);
    assert!(!ok && fresh.inverse_hessian().is_none());
    let (_, ok) = Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs)
        .unwrap()
        .with_inverse_hessian(vec![1.0, f64::NAN, 0.0, 1.0]);
    assert!(!ok);
}

#[test]
fn the_snapshot_keeps_the_previous_loss_and_step_mean_and_reads_older_formats() {
    use crate::run::SolverSnapshot;
    let fresh = || {
        Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::SelfScaledBroyden)
            .unwrap()
            .with_initial_step(InitialStep::Interpolated)
    };
    let mut b = fresh();
    b.update(&[1.0, 0.5], &[2.0, 0.7], &[0.3, -0.1], -1.0, 1.0);
    b.prev_cost = Some(0.25);
    b.step_mean = Some(-0.7);
    let back = fresh().restored(&b.save().unwrap(), 2).unwrap();
    assert_eq!((back.prev_cost, back.step_mean), (Some(0.25), Some(-0.7)));
    assert_eq!(back.h, b.h);
    assert_eq!(back.next, b.next);
    // A checkpoint written before the step mean was kept: four fields.
    let four = (2usize, &b.h, &b.next, b.prev_cost);
    let four = crate::run::checkpoint::encode("bfgs", &four).unwrap();
    let back = fresh().restored(&four, 2).unwrap();
    assert_eq!((back.prev_cost, back.step_mean), (Some(0.25), None));
    // A checkpoint written before the previous loss was kept: three fields, no loss.
    let older = crate::run::checkpoint::encode("bfgs", &(2usize, &b.h, &b.next)).unwrap();
    let back = fresh().restored(&older, 2).unwrap();
    assert_eq!((back.prev_cost, &back.h), (None, &b.h));
    assert!(fresh().restored(&older[..older.len() / 2], 2).is_err());
}
