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
    let n = points.len() / mlp.input_dim().max(1);
    let parts = chunk_partials(
        mlp,
        params,
        spec,
        points,
        0..chunk_count(n),
        point_loss,
        grad.len(),
    );
    let mut total = 0.0;
    parts.fold_into(&mut total, grad);
    total
}

/// The number of [`CHUNK_POINTS`]-point chunks `n` points make (the last may be short).
pub fn chunk_count(n: usize) -> usize {
    n.div_ceil(CHUNK_POINTS)
}

/// The losses and gradients of some chunks of a batch, one per chunk, in chunk order: what
/// [`loss_and_gradient`] sums, kept apart so that the chunks can be split between processes
/// and summed in the same order wherever they were computed.
#[derive(Debug)]
pub struct ChunkPartials {
    /// Each chunk's loss.
    pub losses: Vec<f64>,
    /// Each chunk's gradient (`losses.len() × p`, chunk-major).
    pub grads: Vec<f64>,
    p: usize,
}

impl ChunkPartials {
    /// The parameter count `p` of each gradient.
    pub fn dim(&self) -> usize {
        self.p
    }

    /// Adds the chunks, in order, into `loss` and `grad`: `loss += l_c`, `grad += g_c` for
    /// `c = 0, 1, …` (the order [`loss_and_gradient`] uses).
    pub fn fold_into(self, loss: &mut f64, grad: &mut [f64]) {
        for (l, g) in self
            .losses
            .iter()
            .zip(self.grads.chunks_exact(self.p.max(1)))
        {
            *loss += l;
            add_into(grad, g);
        }
        recycle(self.grads);
    }
}

/// The per-chunk losses and gradients (`p` parameters) of the chunks `chunks` of `points`
/// (chunk `c` holds points `c·CHUNK_POINTS ..`); `point_loss` receives indices into all of
/// `points`, as in [`loss_and_gradient`]. Chunks run in parallel with rayon.
pub fn chunk_partials<F>(
    mlp: &Mlp,
    params: &[f64],
    spec: &JetSpec,
    points: &[f64],
    chunks: std::ops::Range<usize>,
    point_loss: F,
    p: usize,
) -> ChunkPartials
where
    F: Fn(usize, &[f64], &mut [f64]) -> f64 + Sync,
{
    let d = mlp.input_dim();
    let n = points.len() / d.max(1);
    let chunks = chunks.start.min(chunk_count(n))..chunks.end.min(chunk_count(n));
    // One pooled buffer holds every chunk's gradient (a fresh vector per chunk would go back
    // to the allocator each step and, for wide networks, come back as fresh zeroed pages).
    let mut grads = scratch(chunks.len() * p);
    let losses: Vec<f64> = grads
        .par_chunks_mut(p.max(1))
        .zip(chunks.into_par_iter())
        .map(|(g, ci)| {
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
    ChunkPartials { losses, grads, p }
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
