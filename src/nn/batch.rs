//! Loss and gradient over many points: chunks in parallel, reduced in a fixed order.

use rayon::prelude::*;

use super::workspace::{recycle, zeroed};
use super::{backward, forward, JetSpec, Mlp};

/// Points per chunk. Fixed, so that the chunking, and with it the floating-point order of the
/// reduction, does not depend on the number of threads.
pub const CHUNK_POINTS: usize = 128;

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
    let chunks: Vec<usize> = (0..n.div_ceil(CHUNK_POINTS)).collect();
    let parts: Vec<(f64, Vec<f64>)> = chunks
        .par_iter()
        .map(|&ci| {
            let start = ci * CHUNK_POINTS;
            let end = (start + CHUNK_POINTS).min(n);
            chunk_loss(
                mlp,
                params,
                spec,
                &points[start * d..end * d],
                start,
                &point_loss,
            )
        })
        .collect();
    let mut total = 0.0;
    for (l, g) in parts {
        total += l;
        for (a, b) in grad.iter_mut().zip(&g) {
            *a += b;
        }
    }
    total
}

fn chunk_loss<F>(
    mlp: &Mlp,
    params: &[f64],
    spec: &JetSpec,
    points: &[f64],
    offset: usize,
    point_loss: &F,
) -> (f64, Vec<f64>)
where
    F: Fn(usize, &[f64], &mut [f64]) -> f64,
{
    let tape = forward(mlp, params, spec, points);
    let n = tape.points();
    let (d_out, c) = (mlp.output_dim(), spec.components());
    let mut adjoint = zeroed(d_out * c * n);
    let mut jet = vec![0.0; d_out * c];
    let mut jbar = vec![0.0; d_out * c];
    let mut loss = 0.0;
    let out = tape.output();
    for p in 0..n {
        for o in 0..d_out {
            for k in 0..c {
                jet[o * c + k] = out[o + d_out * (k * n + p)];
            }
        }
        jbar.iter_mut().for_each(|v| *v = 0.0);
        loss += point_loss(offset + p, &jet, &mut jbar);
        for o in 0..d_out {
            for k in 0..c {
                adjoint[o + d_out * (k * n + p)] = jbar[o * c + k];
            }
        }
    }
    let mut grad = vec![0.0; params.len()];
    backward(mlp, params, spec, &tape, &adjoint, &mut grad);
    recycle(adjoint);
    tape.recycle();
    (loss, grad)
}

/// The output jets at `points` without gradients (for prediction): row-major `n × (d_out·C)`.
pub fn predict(mlp: &Mlp, params: &[f64], spec: &JetSpec, points: &[f64]) -> Vec<f64> {
    let d = mlp.input_dim();
    let n = points.len() / d;
    let (d_out, c) = (mlp.output_dim(), spec.components());
    let parts: Vec<Vec<f64>> = (0..n.div_ceil(CHUNK_POINTS))
        .into_par_iter()
        .map(|ci| {
            let start = ci * CHUNK_POINTS;
            let end = (start + CHUNK_POINTS).min(n);
            let tape = forward(mlp, params, spec, &points[start * d..end * d]);
            let m = end - start;
            let out = tape.output();
            let mut rows = vec![0.0; m * d_out * c];
            for p in 0..m {
                for o in 0..d_out {
                    for k in 0..c {
                        rows[p * d_out * c + o * c + k] = out[o + d_out * (k * m + p)];
                    }
                }
            }
            tape.recycle();
            rows
        })
        .collect();
    parts.concat()
}
