//! Unit tests of `constraints`.
use super::*;
use rand::{Rng, SeedableRng};

/// Brute force: for every assignment of each coordinate to {lower, upper, free}, project
/// onto the affine set it defines; the projection is the closest feasible candidate.
fn brute_force(c: &Constraints, y: &[f64]) -> Vec<f64> {
    let n = y.len();
    let eq = c.equalities();
    let mut best: Option<(f64, Vec<f64>)> = None;
    for code in 0..3usize.pow(n as u32) {
        let mut state = vec![0u8; n];
        let mut k = code;
        for s in state.iter_mut() {
            *s = (k % 3) as u8;
            k /= 3;
        }
        let mut w = y.to_vec();
        let mut ok = true;
        for i in 0..n {
            match state[i] {
                0 => w[i] = c.lower[i],
                1 => w[i] = c.upper[i],
                _ => {}
            }
            if !w[i].is_finite() {
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        let free: Vec<usize> = (0..n).filter(|&i| state[i] == 2).collect();
        // Solve for multipliers ν: w_F = y_F − A_Fᵀν with A_F w_F = b − A_fixed w_fixed.
        let m = eq.len();
        let mut g = vec![0.0; m * m];
        let mut rhs = vec![0.0; m];
        for (a, (ra, ba)) in eq.iter().enumerate() {
            let fixed: f64 = (0..n)
                .filter(|i| state[*i] != 2)
                .map(|i| ra[i] * w[i])
                .sum();
            rhs[a] = free.iter().map(|&i| ra[i] * y[i]).sum::<f64>() - (ba - fixed);
            for (b, (rb, _)) in eq.iter().enumerate() {
                g[a * m + b] = free.iter().map(|&i| ra[i] * rb[i]).sum();
            }
        }
        let nu = match m {
            0 => vec![],
            1 => {
                if g[0].abs() < 1e-14 {
                    if rhs[0].abs() > 1e-12 {
                        continue;
                    }
                    vec![0.0]
                } else {
                    vec![rhs[0] / g[0]]
                }
            }
            _ => {
                let det = g[0] * g[3] - g[1] * g[2];
                if det.abs() < 1e-12 {
                    continue;
                }
                vec![
                    (rhs[0] * g[3] - g[1] * rhs[1]) / det,
                    (g[0] * rhs[1] - g[2] * rhs[0]) / det,
                ]
            }
        };
        for &i in &free {
            w[i] = y[i] - eq.iter().zip(&nu).map(|((r, _), v)| r[i] * v).sum::<f64>();
        }
        let feasible = (0..n).all(|i| w[i] >= c.lower[i] - 1e-12 && w[i] <= c.upper[i] + 1e-12)
            && eq.iter().all(|(r, b)| {
                (r.iter().zip(&w).map(|(a, x)| a * x).sum::<f64>() - b).abs() < 1e-10
            });
        if !feasible {
            continue;
        }
        let d: f64 = w.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum();
        if best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, w));
        }
    }
    best.expect("a feasible candidate").1
}

fn sets(n: usize, rng: &mut impl Rng) -> Vec<Constraints> {
    let mean: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.3).collect();
    let caps: Vec<f64> = (0..n).map(|_| 0.55 + 0.45 * rng.random::<f64>()).collect();
    let lower: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -0.2 } else { 0.05 })
        .collect();
    let simplex = Constraints::long_only(n);
    let capped = Constraints::bounded(lower, caps).unwrap();
    let mut out = vec![
        Constraints::fully_invested(n),
        simplex.clone(),
        capped.clone(),
    ];
    for base in [simplex, capped] {
        let (lo, hi) = base.return_range(&mean);
        let r = lo + (hi - lo) * (0.1 + 0.8 * rng.random::<f64>());
        out.push(base.with_target_return(mean.clone(), r).unwrap());
    }
    out
}

#[test]
fn projections_match_brute_force() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut worst: f64 = 0.0;
    for trial in 0..60 {
        let n = 2 + trial % 4;
        for c in sets(n, &mut rng) {
            let y: Vec<f64> = (0..n).map(|_| 2.0 * rng.random::<f64>() - 0.7).collect();
            let mut p = y.clone();
            c.project(&mut p);
            let b = brute_force(&c, &y);
            for (a, e) in p.iter().zip(&b) {
                worst = worst.max((a - e).abs());
            }
            // Idempotent.
            let mut q = p.clone();
            c.project(&mut q);
            for (a, e) in p.iter().zip(&q) {
                assert!((a - e).abs() < 1e-12, "{}", c.name());
            }
        }
    }
    assert!(worst < 1e-11, "worst deviation from brute force {worst:e}");
}

#[test]
fn condat_matches_the_sorted_root() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for n in [1, 2, 7, 1000, 3001] {
        let lower: Vec<f64> = (0..n)
            .map(|i| {
                if i % 3 == 0 {
                    f64::NEG_INFINITY
                } else {
                    -0.001 * (i % 5) as f64
                }
            })
            .collect();
        let c = Constraints::bounded(lower, vec![f64::INFINITY; n]).unwrap();
        let simplex = Constraints::long_only(n);
        for trial in 0..20 {
            let spread = [0.01, 1.0, 100.0][trial % 3];
            let y: Vec<f64> = (0..n)
                .map(|_| spread * (rng.random::<f64>() - 0.5))
                .collect();
            for set in [&c, &simplex] {
                let (a, b) = (set.budget_shift_lower_only(&y), set.budget_shift_sorted(&y));
                // Both are exact up to the rounding of sums over n terms.
                let bound = 4.0 * f64::EPSILON * y.iter().map(|v| v.abs() + 1.0).sum::<f64>();
                assert!((a - b).abs() <= bound, "n = {n}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn simplex_projection_closed_form_cases() {
    let c = Constraints::long_only(3);
    let mut y = vec![0.5, 0.5, 0.5];
    c.project(&mut y);
    for v in &y {
        approx::assert_abs_diff_eq!(*v, 1.0 / 3.0, epsilon = 1e-15);
    }
    let mut y = vec![2.0, 0.0, -1.0];
    c.project(&mut y);
    assert_eq!(y, vec![1.0, 0.0, 0.0]);
    let mut y = vec![0.3, 0.9, 0.0];
    c.project(&mut y);
    assert!((y[0] - 0.2).abs() < 1e-15 && (y[1] - 0.8).abs() < 1e-15 && y[2] == 0.0);
}

#[test]
fn wrong_lengths_become_nan_not_panics() {
    let c = Constraints::long_only(3);
    let mut x = vec![0.5, 0.5];
    c.project(&mut x);
    assert!(x.iter().all(|v| v.is_nan()));
    let mut v = vec![1.0; 3];
    c.project_onto_tangent_cone(&[0.5, 0.5], &mut v);
    assert!(v.iter().all(|x| x.is_nan()));
}

#[test]
fn infeasible_sets_are_rejected() {
    assert!(Constraints::bounded(vec![0.6, 0.6], vec![1.0, 1.0]).is_err());
    assert!(Constraints::bounded(vec![0.0, 0.0], vec![0.4, 0.4]).is_err());
    assert!(Constraints::bounded(vec![0.5, 0.0], vec![0.4, 1.0]).is_err());
    let e = Constraints::long_only(2)
        .with_target_return(vec![0.1, 0.2], 0.3)
        .unwrap_err();
    assert!(e.to_string().contains("attainable"), "{e}");
}
