//! Loss and gradient over many points: chunks in parallel, reduced in a fixed order.

use rayon::prelude::*;

use super::workspace::{recycle, scratch};
use super::{backward, forward, JetSpec, Mlp};

/// Points per chunk. Fixed, so that the chunking, and with it the floating-point order of the
/// reduction, does not depend on the number of threads. A multiple of 32 (the activation
/// passes' strip) but not of 64, so that a layer's rows (`C·n` doubles each) are not a multiple
/// of 4 KiB apart: rows read together would otherwise compete for the same L1 sets.
pub const CHUNK_POINTS: usize = 96;

/// Sums, over `points` (row-major, `n × d_in`), a per-point loss of the network's output jets,
/// and adds its gradient with respect to the parameters into `grad`. Returns the loss.
///
/// `point_loss(index, jet, adjoint)` receives the point's index in `points` and its output
/// jet (`d_out × C` entries, output-major: entry `o·C + c` is component `c` of output `o`),
/// writes `∂loss/∂jet` into `adjoint` (same layout, zeroed) and returns the point's loss.
///
/// Chunks of [`CHUNK_POINTS`] points run in parallel with rayon; their losses and gradients
/// are summed in chunk order, so the result is bit-for-bit the same for any number of threads.
pub fn loss_and_gradient<F>(
    mlp: &Mlp,
    params: &[f64],
    spec: &JetSpec,
    points: &[f64],
    point_loss: F,
    grad: &mut [f64],
) -> f64
where
    F: Fn(usize, &[f64], &mut [f64]) -> f64 + Sync,
{
    let d = mlp.input_dim();
    let n = points.len() / d;
    let p = grad.len();
    // One pooled buffer holds every chunk's gradient (a fresh vector per chunk would go back
    // to the allocator each step and, for wide networks, come back as fresh zeroed pages).
    let mut grads = scratch(n.div_ceil(CHUNK_POINTS) * p);
    let losses: Vec<f64> = grads
        .par_chunks_mut(p.max(1))
        .enumerate()
        .map(|(ci, g)| {
            let (start, end) = chunk_bounds(ci, n);
            g.fill(0.0);
            chunk_loss(
                mlp,
                params,
                spec,
                &points[start * d..end * d],
                start,
                &point_loss,
                g,
            )
        })
        .collect();
    let mut total = 0.0;
    for (l, g) in losses.iter().zip(grads.chunks_exact(p.max(1))) {
        total += l;
        add_into(grad, g);
    }
    recycle(grads);
    total
}

/// Runs `f(start, end)` on the chunks of [`CHUNK_POINTS`] of `n` points in parallel and
/// returns the results in chunk order.
pub(super) fn over_chunks<R, F>(n: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(usize, usize) -> R + Sync,
{
    (0..n.div_ceil(CHUNK_POINTS))
        .into_par_iter()
        .map(|ci| {
            let (start, end) = chunk_bounds(ci, n);
            f(start, end)
        })
        .collect()
}

/// The first point and one past the last of chunk `ci` of `n` points.
fn chunk_bounds(ci: usize, n: usize) -> (usize, usize) {
    let start = ci * CHUNK_POINTS;
    (start, (start + CHUNK_POINTS).min(n))
}

/// `a += b`.
pub(super) fn add_into(a: &mut [f64], b: &[f64]) {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
}

/// Copies point `p`'s output jet (`d_out × C`, output-major) out of the chunk layout
/// (`d_out × C·n` row-major: component `k` of output `o` at `o·C·n + k·n + p`).
pub(super) fn gather(out: &[f64], d_out: usize, c: usize, n: usize, p: usize, jet: &mut [f64]) {
    for o in 0..d_out {
        for k in 0..c {
            jet[o * c + k] = out[(o * c + k) * n + p];
        }
    }
}

/// The reverse of [`gather`].
pub(super) fn scatter(jet: &[f64], d_out: usize, c: usize, n: usize, p: usize, out: &mut [f64]) {
    for o in 0..d_out {
        for k in 0..c {
            out[(o * c + k) * n + p] = jet[o * c + k];
        }
    }
}

/// One chunk's loss; adds its gradient into `grad` (zeroed by the caller).
fn chunk_loss<F>(
    mlp: &Mlp,
    params: &[f64],
    spec: &JetSpec,
    points: &[f64],
    offset: usize,
    point_loss: &F,
    grad: &mut [f64],
) -> f64
where
    F: Fn(usize, &[f64], &mut [f64]) -> f64,
{
    let tape = forward(mlp, params, spec, points);
    let n = tape.points();
    let (d_out, c) = (mlp.output_dim(), spec.components());
    let mut adjoint = scratch(d_out * c * n);
    let mut jet = vec![0.0; d_out * c];
    let mut jbar = vec![0.0; d_out * c];
    let mut loss = 0.0;
    let out = tape.output();
    for p in 0..n {
        gather(out, d_out, c, n, p, &mut jet);
        jbar.iter_mut().for_each(|v| *v = 0.0);
        loss += point_loss(offset + p, &jet, &mut jbar);
        scatter(&jbar, d_out, c, n, p, &mut adjoint);
    }
    backward(mlp, params, spec, &tape, &adjoint, grad);
    recycle(adjoint);
    tape.recycle();
    loss
}

/// The output jets at `points` without gradients (for prediction): row-major `n × (d_out·C)`.
pub fn predict(mlp: &Mlp, params: &[f64], spec: &JetSpec, points: &[f64]) -> Vec<f64> {
    let d = mlp.input_dim();
    let n = points.len() / d;
    let (d_out, c) = (mlp.output_dim(), spec.components());
    let parts = over_chunks(n, |start, end| {
        let tape = forward(mlp, params, spec, &points[start * d..end * d]);
        let rows = rows_of(tape.output(), d_out, c, end - start);
        tape.recycle();
        rows
    });
    parts.concat()
}

/// Chunk-layout output jets as row-major `n × (d_out·C)`.
pub(super) fn rows_of(out: &[f64], d_out: usize, c: usize, n: usize) -> Vec<f64> {
    let mut rows = vec![0.0; n * d_out * c];
    for (p, row) in rows.chunks_mut(d_out * c).enumerate() {
        gather(out, d_out, c, n, p, row);
    }
    rows
}
