"""JAX peer of ravine's Burgers PINN step, for the side-by-side speed comparison.

Same network ([2, 20, 20, 20, 1] tanh by default, Glorot-normal weights, zero biases), same
point counts (2540 interior, 80 boundary, 160 initial), same loss (mean squared residual of
u_t + u u_x - (0.01/pi) u_xx, plus mean squared boundary and initial mismatches), float64, and
one Adam step (optax, lr 1e-3) per iteration, all inside one `jax.jit`. Derivatives of u with
respect to the inputs use nested forward-mode `jax.jvp`, in one of two forms (`--form`):
`vmap` (default): a per-point network under `vmap`, the usual formulation; `batched`: the
network applied to all points at once (points as rows, one matmul per layer and direction, no
vmap), with per-row input tangents; the same loss to rounding.

Install and run (CPU):
    pip install jax optax
    python3 benches/peers/burgers_jax.py [--widths 2,20,20,20,1] [--interior 2540] [--steps 200]
        [--form vmap|batched]
One thread: XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
(or taskset -c 0).

Prints the mean wall time per jitted Adam step (compilation excluded) on one line:
    jax_step_ms <value>
"""

import argparse
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

NU = 0.01 / np.pi


def init(widths, key):
    params = []
    for a, b in zip(widths[:-1], widths[1:]):
        key, sub = jax.random.split(key)
        std = np.sqrt(2.0 / (a + b))
        params.append((std * jax.random.normal(sub, (b, a), dtype=jnp.float64), jnp.zeros(b)))
    return params


def mlp(params, x):
    h = x
    for w, b in params[:-1]:
        h = jnp.tanh(w @ h + b)
    w, b = params[-1]
    return (w @ h + b)[0]


def residual(params, xt):
    u_fn = lambda p: mlp(params, p)
    ex = jnp.array([1.0, 0.0])
    et = jnp.array([0.0, 1.0])
    # u and u_x, then u_xx by a jvp of the jvp; u_t by one more jvp.
    ux_fn = lambda p: jax.jvp(u_fn, (p,), (ex,))[1]
    u, ux = jax.jvp(u_fn, (xt,), (ex,))
    _, uxx = jax.jvp(ux_fn, (xt,), (ex,))
    _, ut = jax.jvp(u_fn, (xt,), (et,))
    return ut + u * ux - NU * uxx


def mlp_batched(params, x):
    """All points at once: x is (n, 2), the result (n,)."""
    h = x
    for w, b in params[:-1]:
        h = jnp.tanh(h @ w.T + b)
    w, b = params[-1]
    return (h @ w.T + b)[:, 0]


def residual_batched(params, xt):
    u_fn = lambda p: mlp_batched(params, p)
    ex = jnp.broadcast_to(jnp.array([1.0, 0.0]), xt.shape)
    et = jnp.broadcast_to(jnp.array([0.0, 1.0]), xt.shape)
    ux_fn = lambda p: jax.jvp(u_fn, (p,), (ex,))[1]
    u, ux = jax.jvp(u_fn, (xt,), (ex,))
    _, uxx = jax.jvp(ux_fn, (xt,), (ex,))
    _, ut = jax.jvp(u_fn, (xt,), (et,))
    return ut + u * ux - NU * uxx


def loss_batched(params, interior, boundary, initial, init_target):
    r = residual_batched(params, interior)
    ub = mlp_batched(params, boundary)
    ui = mlp_batched(params, initial)
    return jnp.mean(r**2) + jnp.mean(ub**2) + jnp.mean((ui - init_target) ** 2)


def loss(params, interior, boundary, initial, init_target):
    r = jax.vmap(lambda p: residual(params, p))(interior)
    ub = jax.vmap(lambda p: mlp(params, p))(boundary)
    ui = jax.vmap(lambda p: mlp(params, p))(initial)
    return jnp.mean(r**2) + jnp.mean(ub**2) + jnp.mean((ui - init_target) ** 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="2,20,20,20,1")
    ap.add_argument("--interior", type=int, default=2540)
    ap.add_argument("--boundary", type=int, default=80)
    ap.add_argument("--initial", type=int, default=160)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--form", choices=["vmap", "batched"], default="vmap")
    a = ap.parse_args()
    widths = [int(w) for w in a.widths.split(",")]
    rng = np.random.default_rng(0)
    interior = jnp.asarray(np.c_[rng.uniform(-1, 1, a.interior), rng.uniform(0, 1, a.interior)])
    half = a.boundary // 2
    tb = rng.uniform(0, 1, a.boundary)
    boundary = jnp.asarray(np.c_[np.r_[-np.ones(half), np.ones(a.boundary - half)], tb])
    xi = rng.uniform(-1, 1, a.initial)
    initial = jnp.asarray(np.c_[xi, np.zeros(a.initial)])
    target = -jnp.sin(np.pi * initial[:, 0])
    params = init(widths, jax.random.PRNGKey(0))
    opt = optax.adam(1e-3)
    state = opt.init(params)
    loss_fn = loss_batched if a.form == "batched" else loss
    # The two forms compute the same loss (printed to compare).
    print(f"initial_loss {float(loss_fn(params, interior, boundary, initial, target)):.17e}")

    @jax.jit
    def step(params, state):
        l, g = jax.value_and_grad(loss_fn)(params, interior, boundary, initial, target)
        updates, state = opt.update(g, state, params)
        return optax.apply_updates(params, updates), state, l

    params, state, l = step(params, state)  # compile
    l.block_until_ready()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        params, state, l = step(params, state)
    l.block_until_ready()
    dt = (time.perf_counter() - t0) / a.steps
    print(f"jax_step_ms {dt * 1e3:.4f}")
    print(f"final_loss {float(l):.6e}")


if __name__ == "__main__":
    main()
