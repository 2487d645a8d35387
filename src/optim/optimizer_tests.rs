//! Unit tests of `optimizer`.
use super::{first_non_finite, FINITE_BLOCK};
use crate::optim::rules;

#[test]
fn gradient_descent_is_x_minus_lr_g() {
    let mut opt = rules::gd(0.25).unwrap();
    let mut x = vec![1.0, -2.0];
    opt.step(&mut x, &[4.0, 8.0]).unwrap();
    assert_eq!(x, vec![0.0, -4.0]);
    assert_eq!(opt.effective_step().unwrap(), vec![0.25, 0.25]);
    assert_eq!(opt.step_count(), 1);
    assert_eq!(opt.last_learning_rate(), 0.25);
}

#[test]
fn bad_gradient_is_rejected_and_leaves_state_untouched() {
    let mut opt = rules::adam(1e-3, Default::default()).unwrap();
    let mut x = vec![1.0, 2.0];
    opt.step(&mut x, &[0.1, 0.2]).unwrap();
    let (x_before, state_before) = (x.clone(), opt.state());
    let e = opt.step(&mut x, &[0.1, f64::NAN]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "optimizer: non-finite gradient (NaN) at index 1"
    );
    assert_eq!(x, x_before);
    assert_eq!(opt.state(), state_before);
    let e = opt.step(&mut x, &[0.1]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "optimizer: gradient has length 1, expected 2"
    );
    let mut y = vec![0.0; 3];
    let e = opt.step(&mut y, &[0.0; 3]).unwrap_err();
    assert_eq!(e.to_string(), "optimizer: params has length 3, expected 2");
}

#[test]
fn invalid_learning_rate_is_named() {
    let e = rules::gd(-1.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "optimizer: invalid learning_rate = -1: must be finite and >= 0"
    );
    assert!(rules::adam(f64::NAN, Default::default()).is_err());
    assert!(rules::sign_descent(f64::INFINITY).is_err());
}

#[test]
fn clone_continues_identically() {
    let mut a = rules::amsgrad(1e-2, Default::default()).unwrap();
    let mut x = vec![0.3, -0.7];
    for k in 0..10 {
        a.step(&mut x, &[k as f64 - 4.0, 1.0 / (k + 1) as f64])
            .unwrap();
    }
    let mut b = a.clone();
    let mut y = x.clone();
    for k in 0..10 {
        let g = [(k as f64).sin(), (k as f64).cos()];
        a.step(&mut x, &g).unwrap();
        b.step(&mut y, &g).unwrap();
    }
    assert_eq!(x, y);
    assert_eq!(a.state(), b.state());
}

#[test]
fn hyperparameters_are_listed_by_transform() {
    let opt = rules::adamw(1e-3, Default::default(), 0.01)
        .unwrap()
        .clip_by_global_norm(1.0)
        .unwrap();
    let h = opt.hyperparameters();
    let get = |k: &str| h.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
    assert_eq!(get("learning_rate"), Some(1e-3));
    assert_eq!(get("scale_by_adam.b2"), Some(0.999));
    assert_eq!(get("add_decayed_weights.weight_decay"), Some(0.01));
    assert_eq!(get("clip_by_global_norm.max_norm"), Some(1.0));
    assert_eq!(opt.chain()[0].name(), "clip_by_global_norm");
}

#[test]
fn restored_state_continues_bit_for_bit() {
    use crate::optim::{AdamConfig, RmsPropConfig, Schedule};
    let lr = || Schedule::exponential(0.1, 0.5, 3).unwrap();
    let builds: Vec<Box<dyn Fn() -> super::Optimizer>> = vec![
        Box::new(move || {
            rules::amsgrad(lr(), AdamConfig::default())
                .unwrap()
                .clip_by_global_norm(1.0)
                .unwrap()
        }),
        Box::new(move || {
            let c = RmsPropConfig {
                momentum: 0.9,
                ..RmsPropConfig::default()
            };
            rules::rmsprop(lr(), c).unwrap().clip_by_value(0.5).unwrap()
        }),
        Box::new(move || rules::adagrad(lr(), 0.1, 1e-7).unwrap()),
        Box::new(move || rules::sign_descent(lr()).unwrap()),
        Box::new(move || rules::nesterov(lr(), 0.9).unwrap()),
        Box::new(move || rules::normalized_gd(lr(), 1e-8).unwrap()),
    ];
    let grad = |k: usize| vec![(k as f64).sin(), -(k as f64 * 0.3).cos(), 0.01 * k as f64];
    for build in &builds {
        let (mut a, mut xa) = (build(), vec![1.0, -2.0, 0.5]);
        for k in 0..5 {
            a.step(&mut xa, &grad(k)).unwrap();
        }
        let (mut b, mut xb) = (build(), xa.clone());
        b.restore_state(3, &a.state()).unwrap();
        for k in 5..12 {
            a.step(&mut xa, &grad(k)).unwrap();
            b.step(&mut xb, &grad(k)).unwrap();
        }
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&xa), bits(&xb), "{}", a.name());
        assert_eq!(a.effective_step(), b.effective_step(), "{}", a.name());
    }
    // A state from another rule is refused, naming both.
    let mut adam = rules::adam(0.1, AdamConfig::default()).unwrap();
    let e = adam.restore_state(3, &builds[2]().state()).unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
}

/// The blocked finiteness check finds the first non-finite entry wherever it falls: first or
/// last of a block, across block boundaries, in a short tail, with several bad entries.
#[test]
fn first_non_finite_finds_the_first_bad_entry() {
    let n = 3 * FINITE_BLOCK + 17;
    assert_eq!(first_non_finite(&vec![1.5; n]), None);
    assert_eq!(first_non_finite(&[]), None);
    for (at, bad) in [
        (0, f64::NAN),
        (FINITE_BLOCK - 1, f64::INFINITY),
        (FINITE_BLOCK, f64::NEG_INFINITY),
        (2 * FINITE_BLOCK + 100, f64::NAN),
        (n - 1, f64::INFINITY),
    ] {
        let mut x: Vec<f64> = (0..n).map(|i| i as f64 - 400.0).collect();
        x[at] = bad;
        if at + 5 < n {
            x[at + 5] = f64::NAN; // a later bad entry must not be reported first
        }
        let (i, v) = first_non_finite(&x).expect("a bad entry");
        assert_eq!(i, at);
        assert!(v.is_nan() == bad.is_nan() && (v.is_nan() || v == bad));
    }
}
