//! The PINN's curvature: the residual Jacobian, exact Hessian-vector products and the
//! curvature observer, against finite differences and dense spectra.

mod common;

use common::small_pinns::*;
use ravine::Problem;

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
            approx::assert_abs_diff_eq!(part, comps[k], epsilon = 1e-12 * comps[k].max(1e-12));
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
    };
    use ravine::pinn::PinnHessian;
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
    use ravine::diagnostics::{dense_spectrum, GaussNewton, Preconditioned};
    use ravine::pinn::{PinnCurvature, PinnHessian};
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
