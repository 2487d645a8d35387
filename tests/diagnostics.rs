//! Curvature diagnostics against known spectra, dense solves and finite differences.

use ravine::diagnostics::{
    assemble, dense_spectrum, hutchpp_trace, lanczos, spectral_density, CurvatureReport,
    DenseOperator, DensitySettings, End, FiniteDifferenceHessian, FnOperator, LanczosSettings,
    Operator, ReportSettings, TangentRestriction, TraceSettings,
};
use ravine::linalg::symmetric_eigenvalues;
use ravine::portfolio::{Constraints, Covariance, MeanVariance, Objective, PortfolioHessian};
use ravine::{Problem, Rosenbrock};
use std::sync::Arc;

/// A random symmetric positive definite matrix `M Mᵀ/p + shift·I` from a seed.
fn random_spd(p: usize, seed: u64, shift: f64) -> DenseOperator {
    let mut rng = ravine::batch_rng(seed, 0);
    let m: Vec<f64> = (0..p * p)
        .map(|_| ravine::rng::standard_normal(&mut rng))
        .collect();
    let mut a = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let v: f64 = (0..p).map(|k| m[i * p + k] * m[j * p + k]).sum::<f64>() / p as f64;
            a[i * p + j] = v;
            a[j * p + i] = v;
        }
        a[i * p + i] += shift;
    }
    DenseOperator::new(p, a, "random spd").unwrap()
}

fn tridiagonal(n: usize) -> FnOperator<impl Fn(&[f64], &mut [f64]) -> ravine::Result<()>> {
    FnOperator::new(
        n,
        "tridiag(-1, 2, -1)",
        move |v: &[f64], out: &mut [f64]| {
            for i in 0..n {
                let left = if i > 0 { v[i - 1] } else { 0.0 };
                let right = if i + 1 < n { v[i + 1] } else { 0.0 };
                out[i] = 2.0 * v[i] - left - right;
            }
            Ok(())
        },
    )
}

#[test]
fn diagonal_and_tridiagonal_spectra_match_closed_forms() {
    let d: Vec<f64> = (1..=200).map(|i| i as f64).collect();
    let diag = DenseOperator::diagonal(&d, "diag(1..200)");
    let top = lanczos(
        &diag,
        LanczosSettings {
            k: 3,
            max_iter: 200,
            ..Default::default()
        },
    )
    .unwrap();
    for (r, pair) in top.pairs.iter().enumerate() {
        assert!(
            (pair.value - (200 - r) as f64).abs() < 1e-8,
            "{}",
            pair.value
        );
        assert!(pair.residual < 1e-6, "{}", pair.residual);
    }
    let n = 300;
    let exact: Vec<f64> = (1..=n)
        .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
        .collect();
    let op = tridiagonal(n);
    let ev = dense_spectrum(&op).unwrap();
    for (a, b) in ev.iter().zip(&exact) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    let top = lanczos(
        &op,
        LanczosSettings {
            k: 1,
            max_iter: n,
            tol: 1e-12,
            ..Default::default()
        },
    )
    .unwrap();
    approx::assert_abs_diff_eq!(top.pairs[0].value, exact[n - 1], epsilon = 1e-10);
    assert!(top.pairs[0].residual < 1e-8);
    let low = lanczos(
        &op,
        LanczosSettings {
            k: 1,
            end: End::Smallest,
            max_iter: n,
            tol: 1e-12,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        (low.pairs[0].value - exact[0]).abs() < 1e-10,
        "{} vs {}",
        low.pairs[0].value,
        exact[0]
    );
}

#[test]
fn lanczos_agrees_with_dense_and_its_residuals_bound_the_error() {
    let op = random_spd(400, 3, 0.01);
    let ev = dense_spectrum(&op).unwrap();
    let res = lanczos(
        &op,
        LanczosSettings {
            k: 5,
            max_iter: 400,
            tol: 1e-12,
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    for (r, pair) in res.pairs.iter().enumerate() {
        let exact = ev[ev.len() - 1 - r];
        assert!(
            (pair.value - exact).abs() < 1e-8 * exact,
            "{r}: {} vs {exact}",
            pair.value
        );
        // The certificate: some eigenvalue lies within the residual.
        let nearest = ev
            .iter()
            .map(|e| (e - pair.value).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= pair.residual + 1e-12,
            "{nearest} > {}",
            pair.residual
        );
    }
    assert!(res.products < 400, "{} products", res.products);
}

fn equicorrelated(n: usize, sigma2: f64, rho: f64) -> Covariance {
    let data = (0..n * n)
        .map(|k| if k / n == k % n { sigma2 } else { sigma2 * rho })
        .collect();
    Covariance::new(n, data).unwrap()
}

#[test]
fn portfolio_hessian_and_its_tangent_restriction_match_the_closed_form() {
    // Σ = σ²((1−ρ)I + ρ11ᵀ): eigenvalue σ²(1−ρ+nρ) along 1, σ²(1−ρ) on 1⊥.
    let (n, s2, rho, gamma) = (30, 4e-4, 0.3, 5.0);
    let p = MeanVariance::new(
        Arc::new(equicorrelated(n, s2, rho)),
        vec![1e-3; n],
        Objective::Utility { gamma },
        Constraints::long_only(n),
    )
    .unwrap();
    let h = PortfolioHessian::new(&p);
    let ev = dense_spectrum(&h).unwrap();
    let top = gamma * s2 * (1.0 - rho + n as f64 * rho);
    let rest = gamma * s2 * (1.0 - rho);
    approx::assert_abs_diff_eq!(ev[n - 1], top, epsilon = 1e-14 * top);
    assert!(ev[..n - 1].iter().all(|v| (v - rest).abs() < 1e-14 * top));
    let budget = vec![vec![1.0; n]];
    let t = TangentRestriction::new(&h, &budget, "the budget 1'w = 1").unwrap();
    assert_eq!(t.dim(), n - 1);
    let evt = dense_spectrum(&t).unwrap();
    assert!(
        evt.iter().all(|v| (v - rest).abs() < 1e-14 * top),
        "{evt:?}"
    );
    let l = lanczos(
        &t,
        LanczosSettings {
            k: 1,
            ..Default::default()
        },
    )
    .unwrap();
    approx::assert_abs_diff_eq!(l.pairs[0].value, rest, epsilon = 1e-12 * top);
    assert!(t.label().contains("tangent space") && t.label().contains("exact"));
    // Q has orthonormal columns orthogonal to 1.
    let z: Vec<f64> = (0..n - 1).map(|i| (i as f64 * 0.37).sin()).collect();
    let x = t.lift(&z);
    assert!(x.iter().sum::<f64>().abs() < 1e-14);
    let (nz, nx) = (
        z.iter().map(|v| v * v).sum::<f64>(),
        x.iter().map(|v| v * v).sum::<f64>(),
    );
    approx::assert_abs_diff_eq!(nz, nx, epsilon = 1e-13 * nz);
    assert!(t
        .restrict(&x)
        .iter()
        .zip(&z)
        .all(|(a, b)| (a - b).abs() < 1e-14));
}

#[test]
fn finite_difference_products_cross_check_exact_ones() {
    // Portfolio: the raw scaled gradient's Jacobian is γΣ/s.
    let (n, gamma) = (12, 3.0);
    let p = MeanVariance::new(
        Arc::new(equicorrelated(n, 1e-4, 0.2)),
        vec![5e-4; n],
        Objective::Utility { gamma },
        Constraints::long_only(n),
    )
    .unwrap()
    .raw_gradients();
    let w = p.initial_point();
    let fd = FiniteDifferenceHessian::new(&p, &w, 1e-5).unwrap();
    assert!(fd.label().contains("cross-check"));
    let h = PortfolioHessian::new(&p);
    let v: Vec<f64> = (0..n).map(|i| (i as f64).cos()).collect();
    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
    fd.apply(&v, &mut a).unwrap();
    h.apply(&v, &mut b).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert!(
            (x * p.scale() - y).abs() < 1e-8 * y.abs().max(1e-6),
            "{} vs {y}",
            x * p.scale()
        );
    }
    // Rosenbrock at (1, 1): Hessian [[802, -400], [-400, 200]].
    let r = Rosenbrock::default();
    let fd = FiniteDifferenceHessian::new(&r, &[1.0, 1.0], 1e-5).unwrap();
    let dense = assemble(&fd).unwrap();
    let exact = [802.0, -400.0, -400.0, 200.0];
    for (x, y) in dense.data().iter().zip(exact) {
        assert!((x - y).abs() < 1e-5 * 802.0, "{x} vs {y}");
    }
    assert!(r.dim() == 2);
}

#[test]
fn hutchpp_and_slq_match_the_exact_trace_and_moments() {
    let op = random_spd(300, 5, 0.5);
    let ev = symmetric_eigenvalues(300, op.data()).unwrap();
    let trace: f64 = ev.iter().sum();
    let est = hutchpp_trace(
        &op,
        TraceSettings {
            products: 150,
            seed: 2,
        },
    )
    .unwrap();
    assert!((est - trace).abs() < 0.02 * trace, "{est} vs {trace}");
    // Exact for a low-rank operator within the sketch.
    let d: Vec<f64> = (0..300)
        .map(|i| if i < 10 { (i + 1) as f64 } else { 0.0 })
        .collect();
    let low = DenseOperator::diagonal(&d, "rank 10");
    let est = hutchpp_trace(
        &low,
        TraceSettings {
            products: 60,
            seed: 4,
        },
    )
    .unwrap();
    assert!((est - 55.0).abs() < 1e-9, "{est}");
    let dens = spectral_density(
        &op,
        DensitySettings {
            probes: 20,
            steps: 60,
            seed: 9,
        },
    )
    .unwrap();
    approx::assert_abs_diff_eq!(dens.integrate(|_| 1.0), 1.0, epsilon = 1e-12);
    let mean = dens.integrate(|t| t);
    assert!(
        (mean - trace / 300.0).abs() < 0.05 * trace / 300.0,
        "{mean}"
    );
    let (lo, hi) = (ev[0], ev[299]);
    assert!(dens
        .nodes
        .iter()
        .all(|t| *t >= lo - 1e-9 && *t <= hi + 1e-9));
    // A grid reaching 5 widths past the extreme eigenvalues holds all the smoothed mass.
    let sigma = (hi - lo) / 50.0;
    let (a, b) = (lo - 5.0 * sigma, hi + 5.0 * sigma);
    let grid: Vec<f64> = (0..600).map(|i| a + (b - a) * i as f64 / 599.0).collect();
    let smooth = dens.smoothed(&grid, sigma);
    let area: f64 = smooth.iter().sum::<f64>() * (b - a) / 599.0;
    assert!((area - 1.0).abs() < 1e-3, "{area}");
}

#[test]
fn report_puts_steps_beside_curvature() {
    let d: Vec<f64> = (1..=100).map(|i| i as f64 / 10.0).collect();
    let op = DenseOperator::diagonal(&d, "diag(0.1..10)");
    let plain = CurvatureReport::compute(&op, None, ReportSettings::default()).unwrap();
    assert!((plain.lambda_max - 10.0).abs() < 1e-8 && (plain.lambda_min - 0.1).abs() < 1e-8);
    approx::assert_abs_diff_eq!(plain.condition, 100.0, epsilon = 1e-5);
    assert!((plain.ideal_step - 0.1).abs() < 1e-9 && (plain.gd_limit - 0.2).abs() < 1e-9);
    approx::assert_abs_diff_eq!(plain.smallest_positive, 0.1, epsilon = 1e-12);
    approx::assert_abs_diff_eq!(plain.threshold_momentum, 38.0, epsilon = 1e-12);
    // Steps 1/d_i precondition perfectly: sharpness 1; a uniform step 0.3 gives 3 > 2.
    let inv: Vec<f64> = d.iter().map(|v| 1.0 / v).collect();
    let r =
        CurvatureReport::compute(&op, Some((&inv, Some(10.0))), ReportSettings::default()).unwrap();
    approx::assert_abs_diff_eq!(r.preconditioned_sharpness.unwrap(), 1.0, epsilon = 1e-8);
    let s = r.steps.unwrap();
    assert!(
        (s.max - 10.0).abs() < 1e-12
            && (s.min - 0.1).abs() < 1e-12
            && (s.at_floor - 0.01).abs() < 1e-12
    );
    let flat = vec![0.3; 100];
    let r = CurvatureReport::compute(&op, Some((&flat, None)), ReportSettings::default()).unwrap();
    approx::assert_abs_diff_eq!(r.preconditioned_sharpness.unwrap(), 3.0, epsilon = 1e-8);
}

#[test]
fn bad_inputs_are_typed_errors() {
    assert!(DenseOperator::new(2, vec![1.0, 2.0, 3.0, 1.0], "x").is_err());
    assert!(DenseOperator::new(2, vec![1.0, 2.0, 2.0], "x").is_err());
    let op = DenseOperator::diagonal(&[1.0, 2.0], "d");
    assert!(lanczos(
        &op,
        LanczosSettings {
            k: 0,
            ..Default::default()
        }
    )
    .is_err());
    assert!(lanczos(
        &op,
        LanczosSettings {
            k: 3,
            ..Default::default()
        }
    )
    .is_err());
    assert!(hutchpp_trace(
        &op,
        TraceSettings {
            products: 2,
            seed: 0
        }
    )
    .is_err());
    assert!(spectral_density(
        &op,
        DensitySettings {
            probes: 0,
            steps: 5,
            seed: 0
        }
    )
    .is_err());
    assert!(TangentRestriction::new(&op, &[vec![1.0, 1.0], vec![2.0, 2.0]], "dependent").is_err());
    assert!(ravine::diagnostics::Preconditioned::new(&op, &[1.0, f64::NAN]).is_err());
    let r = Rosenbrock::default();
    assert!(FiniteDifferenceHessian::new(&r, &[1.0], 1e-5).is_err());
    assert!(FiniteDifferenceHessian::new(&r, &[1.0, 1.0], 0.0).is_err());
    let _ = r.loss(&[1.0, 1.0]).unwrap();
}
