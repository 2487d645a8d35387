//! Golden first steps: every update rule's first 5 updates on a fixed gradient sequence match
//! optax (float64) to 1e-12. Fixture and provenance: tests/fixtures/optax_golden.json, made by
//! scripts/golden/optax_golden.py.

use ravine::{rules, AdamConfig, EpsPlacement, Optimizer, RmsPropConfig, Schedule};
use serde_json::Value;

fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("fixture: missing number {key}"))
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("fixture: missing integer {key}"))
}

fn schedule(s: &Value) -> Schedule {
    match s["kind"].as_str().unwrap() {
        "constant" => Schedule::constant(f(s, "value")),
        "step" => Schedule::step(f(s, "init"), u(s, "every"), f(s, "factor")),
        "exponential" => {
            Schedule::exponential(f(s, "init"), f(s, "rate"), u(s, "transition_steps"))
        }
        "cosine" => Schedule::cosine(f(s, "init"), u(s, "decay_steps"), f(s, "alpha")),
        "warmup" => Schedule::warmup(
            f(s, "start"),
            f(s, "peak"),
            u(s, "warmup_steps"),
            schedule(&s["after"]),
        ),
        k => panic!("unknown schedule {k}"),
    }
    .unwrap()
}

fn build(case: &Value, adam: &AdamConfig) -> Optimizer {
    let lr = schedule(&case["lr"]);
    let opt = match case["rule"].as_str().unwrap() {
        "gd" => rules::gd(lr),
        "momentum" => rules::momentum(lr, f(case, "momentum")),
        "nesterov" => rules::nesterov(lr, f(case, "momentum")),
        "normalized_gd" => rules::normalized_gd(lr, f(case, "eps")),
        "sign_descent" => rules::sign_descent(lr),
        "adagrad" => rules::adagrad(lr, f(case, "initial_accumulator"), f(case, "eps")),
        "rmsprop" => rules::rmsprop(
            lr,
            RmsPropConfig {
                decay: f(case, "decay"),
                eps: f(case, "eps"),
                eps_placement: if case["eps_in_sqrt"].as_bool().unwrap() {
                    EpsPlacement::InsideSqrt
                } else {
                    EpsPlacement::OutsideSqrt
                },
                initial_scale: f(case, "initial_scale"),
                momentum: f(case, "momentum"),
            },
        ),
        "adam" => rules::adam(lr, *adam),
        "adamw" => rules::adamw(lr, *adam, f(case, "weight_decay")),
        "adam_l2" => rules::adam_l2(lr, *adam, f(case, "weight_decay")),
        "amsgrad" => rules::amsgrad(lr, *adam),
        r => panic!("unknown rule {r}"),
    }
    .unwrap();
    // optax chains clip_by_global_norm, then clip, then the rule; `prepend` puts each in front.
    let opt = match case.get("clip_value") {
        Some(c) => opt.clip_by_value(c.as_f64().unwrap()).unwrap(),
        None => opt,
    };
    match case.get("clip_global_norm") {
        Some(c) => opt.clip_by_global_norm(c.as_f64().unwrap()).unwrap(),
        None => opt,
    }
}

fn vec_of(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn first_five_updates_match_optax() {
    let text = include_str!("fixtures/optax_golden.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    let a = &doc["adam"];
    let adam = AdamConfig {
        b1: f(a, "b1"),
        b2: f(a, "b2"),
        eps: f(a, "eps"),
        eps_root: f(a, "eps_root"),
    };
    let x0 = vec_of(&doc["x0"]);
    let grads: Vec<Vec<f64>> = doc["grads"]
        .as_array()
        .unwrap()
        .iter()
        .map(vec_of)
        .collect();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 19, "fixture has {} cases", cases.len());
    let mut worst = (0.0f64, String::new());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut opt = build(case, &adam);
        let mut x = x0.clone();
        for (step, (g, want)) in grads
            .iter()
            .zip(case["params"].as_array().unwrap())
            .enumerate()
        {
            opt.step(&mut x, g).unwrap();
            for (i, (got, want)) in x.iter().zip(vec_of(want)).enumerate() {
                let err = (got - want).abs() / want.abs().max(1.0);
                if err > worst.0 {
                    worst = (err, format!("{name} step {} coord {i}", step + 1));
                }
                assert!(
                    err <= 1e-12,
                    "{name}: step {} coordinate {i}: ravine {got:e}, optax {want:e}",
                    step + 1
                );
            }
        }
    }
    println!("worst deviation from optax: {:e} ({})", worst.0, worst.1);
}
