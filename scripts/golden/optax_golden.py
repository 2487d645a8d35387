"""Golden first steps of every ravine update rule, computed once with optax in float64.

Run:  pip install jax optax  &&  python3 scripts/golden/optax_golden.py > tests/fixtures/optax_golden.json

Each case applies 5 updates to fixed parameters with a fixed gradient sequence (the gradients do
not depend on the parameters, so the sequence is the same for every rule) and records the
parameters after each update. `tests/golden.rs` rebuilds each rule in ravine from the same
hyperparameters and checks the trajectory to 1e-12. Every hyperparameter is set explicitly, so a
change of optax defaults cannot change the fixture.
"""

import datetime
import json
import platform
import sys

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

X0 = [0.5, -1.5, 2.0, 0.0]
# Mixed scales, a sign change, an exact zero (sign(0) = 0, AdaGrad's s = s0) and a tiny entry.
GRADS = [
    [1.0, -2.0, 0.5, 0.0],
    [0.8, -1.0, -0.5, 1e-9],
    [-0.3, 3.0, 0.25, 0.0],
    [0.1, -0.2, 4.0, -1e-9],
    [2.0, 0.5, -1.0, 0.0],
]
ADAM = dict(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0)


def schedule(spec):
    """An optax schedule for the spec, evaluated in float64.

    optax counts steps in int32, and with an int32 count `exponential_decay` computes its
    exponent (and with float arguments its value) in float32, an error of ~1e-8 relative. The
    wrapper hands every schedule an int64 count and float64 arguments, so the fixture holds the
    float64 values of optax's own formulas.
    """
    inner = _schedule(spec)
    if callable(inner):
        return lambda count: inner(jnp.asarray(count, jnp.int64))
    return inner


def _schedule(spec):
    f64 = jnp.float64
    kind = spec["kind"]
    if kind == "constant":
        return spec["value"]
    if kind == "step":
        return optax.exponential_decay(
            f64(spec["init"]), spec["every"], f64(spec["factor"]), staircase=True
        )
    if kind == "exponential":
        return optax.exponential_decay(
            f64(spec["init"]), spec["transition_steps"], f64(spec["rate"])
        )
    if kind == "cosine":
        return optax.cosine_decay_schedule(
            f64(spec["init"]), spec["decay_steps"], f64(spec["alpha"])
        )
    if kind == "warmup":
        warm = optax.linear_schedule(f64(spec["start"]), f64(spec["peak"]), spec["warmup_steps"])
        return optax.join_schedules([warm, _schedule(spec["after"])], [spec["warmup_steps"]])
    raise ValueError(kind)


def build(case):
    lr = schedule(case["lr"])
    r = case["rule"]
    if r == "gd":
        tx = optax.sgd(lr)
    elif r == "momentum":
        tx = optax.sgd(lr, momentum=case["momentum"], nesterov=False)
    elif r == "nesterov":
        tx = optax.sgd(lr, momentum=case["momentum"], nesterov=True)
    elif r == "normalized_gd":
        tx = optax.chain(
            optax.normalize_by_update_norm(scale_factor=1.0, eps=case["eps"]),
            optax.scale_by_learning_rate(lr),
        )
    elif r == "sign_descent":
        tx = optax.sign_sgd(lr)
    elif r == "adagrad":
        tx = optax.adagrad(
            lr, initial_accumulator_value=case["initial_accumulator"], eps=case["eps"]
        )
    elif r == "rmsprop":
        tx = optax.rmsprop(
            lr,
            decay=case["decay"],
            eps=case["eps"],
            initial_scale=case["initial_scale"],
            eps_in_sqrt=case["eps_in_sqrt"],
            momentum=case["momentum"] or None,
        )
    elif r == "adam":
        tx = optax.adam(lr, **ADAM)
    elif r == "adamw":
        tx = optax.adamw(lr, **ADAM, weight_decay=case["weight_decay"])
    elif r == "adam_l2":
        tx = optax.chain(
            optax.add_decayed_weights(case["weight_decay"]),
            optax.scale_by_adam(**ADAM),
            optax.scale_by_learning_rate(lr),
        )
    elif r == "amsgrad":
        tx = optax.amsgrad(lr, **ADAM)
    else:
        raise ValueError(r)
    clips = []
    if "clip_global_norm" in case:
        clips.append(optax.clip_by_global_norm(case["clip_global_norm"]))
    if "clip_value" in case:
        clips.append(optax.clip(case["clip_value"]))
    return optax.chain(*clips, tx) if clips else tx


CONST = {"kind": "constant", "value": 0.1}
CASES = [
    {"name": "gd", "rule": "gd", "lr": CONST},
    {"name": "momentum", "rule": "momentum", "lr": CONST, "momentum": 0.9},
    {"name": "nesterov", "rule": "nesterov", "lr": CONST, "momentum": 0.9},
    {"name": "normalized_gd", "rule": "normalized_gd", "lr": CONST, "eps": 1e-6},
    {"name": "sign_descent", "rule": "sign_descent", "lr": CONST},
    {"name": "adagrad", "rule": "adagrad", "lr": CONST, "initial_accumulator": 0.1, "eps": 1e-7},
    {"name": "rmsprop", "rule": "rmsprop", "lr": CONST, "decay": 0.9, "eps": 1e-8,
     "initial_scale": 0.0, "eps_in_sqrt": True, "momentum": 0.0},
    {"name": "rmsprop_eps_outside", "rule": "rmsprop", "lr": CONST, "decay": 0.9, "eps": 1e-8,
     "initial_scale": 0.0, "eps_in_sqrt": False, "momentum": 0.0},
    {"name": "rmsprop_momentum", "rule": "rmsprop", "lr": CONST, "decay": 0.9, "eps": 1e-8,
     "initial_scale": 0.0, "eps_in_sqrt": True, "momentum": 0.9},
    # optax applies the learning rate before the momentum trace: with a schedule the order shows.
    {"name": "rmsprop_momentum_schedule", "rule": "rmsprop",
     "lr": {"kind": "exponential", "init": 0.1, "rate": 0.5, "transition_steps": 1},
     "decay": 0.9, "eps": 1e-8, "initial_scale": 0.0, "eps_in_sqrt": True, "momentum": 0.9},
    {"name": "adam", "rule": "adam", "lr": CONST},
    {"name": "adamw", "rule": "adamw", "lr": CONST, "weight_decay": 0.1},
    {"name": "adam_l2", "rule": "adam_l2", "lr": CONST, "weight_decay": 0.1},
    {"name": "amsgrad", "rule": "amsgrad", "lr": CONST},
    {"name": "gd_step_schedule", "rule": "gd",
     "lr": {"kind": "step", "init": 0.1, "every": 2, "factor": 0.5}},
    {"name": "gd_exponential_schedule", "rule": "gd",
     "lr": {"kind": "exponential", "init": 0.1, "rate": 0.5, "transition_steps": 3}},
    {"name": "adam_cosine_schedule", "rule": "adam",
     "lr": {"kind": "cosine", "init": 0.1, "decay_steps": 4, "alpha": 0.1}},
    {"name": "adam_warmup_cosine", "rule": "adam",
     "lr": {"kind": "warmup", "start": 0.0, "peak": 0.1, "warmup_steps": 2,
            "after": {"kind": "cosine", "init": 0.1, "decay_steps": 3, "alpha": 0.0}}},
    {"name": "adam_clip_global_norm", "rule": "adam", "lr": CONST, "clip_global_norm": 1.5},
    {"name": "gd_clip_value", "rule": "gd", "lr": CONST, "clip_value": 0.6},
]


def trajectory(case):
    tx = build(case)
    params = jnp.asarray(X0, dtype=jnp.float64)
    state = tx.init(params)
    out = []
    for g in GRADS:
        updates, state = tx.update(jnp.asarray(g, dtype=jnp.float64), state, params)
        params = optax.apply_updates(params, updates)
        assert params.dtype == jnp.float64
        out.append([float(v) for v in np.asarray(params)])
    return out


def main():
    cases = []
    for case in CASES:
        c = dict(case)
        c["params"] = trajectory(case)
        cases.append(c)
    doc = {
        "provenance": {
            "generator": "scripts/golden/optax_golden.py",
            "optax": optax.__version__,
            "jax": jax.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "x64": True,
            "date": datetime.date.today().isoformat(),
        },
        "x0": X0,
        "grads": GRADS,
        "adam": ADAM,
        "cases": cases,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
