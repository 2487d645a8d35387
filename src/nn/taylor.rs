//! Forward Taylor-mode propagation of input jets through an [`Mlp`], and the hand-written
//! reverse pass through the same computation.
//!
//! For a chunk of `n` points and a [`JetSpec`] with `C` components, every layer's activations
//! are one column-major matrix of `width × (C·n)` entries: column `c·n + p` holds component `c`
//! of point `p`. An affine layer is then a single matrix product over all points and all jet
//! components (`Z = W A`, plus the bias on the value columns only, since derivatives of a
//! constant vanish), and the activation maps each point's univariate Taylor series
//! `z(s) = z₀ + z₁ s + z₂ s²/2 + …` along each direction through Faà di Bruno's formula:
//!
//! ```text
//! y₁ = σ′ z₁
//! y₂ = σ″ z₁² + σ′ z₂
//! y₃ = σ‴ z₁³ + 3σ″ z₁ z₂ + σ′ z₃
//! y₄ = σ⁗ z₁⁴ + 6σ‴ z₁² z₂ + σ″ (3 z₂² + 4 z₁ z₃) + σ′ z₄
//! ```
//!
//! (`z_k`, `y_k` are k-th derivatives along the direction, σ's derivatives are at `z₀`.)

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

use super::{Activation, JetSpec, Mlp};

/// The forward pass of one chunk of points, kept for the reverse pass.
#[derive(Debug, Clone)]
pub struct Tape {
    n: usize,
    c: usize,
    /// `post[k]`: input of layer k (`post[0]` is the input jet), `w_k × c·n`.
    post: Vec<Vec<f64>>,
    /// `pre[k]`: output of layer k before the activation, `w_{k+1} × c·n`; the last one is
    /// the network output.
    pre: Vec<Vec<f64>>,
}

impl Tape {
    /// Number of points in the chunk.
    pub fn points(&self) -> usize {
        self.n
    }

    /// The network output jets: `d_out × (C·n)`, column `c·n + p`.
    pub fn output(&self) -> &[f64] {
        self.pre.last().map_or(&[], |v| v.as_slice())
    }

    /// Component `c` of output `o` at point `p`.
    pub fn output_at(&self, d_out: usize, o: usize, c: usize, p: usize) -> f64 {
        self.output()[o + d_out * (c * self.n + p)]
    }
}

/// Input jets for `points` (row-major, `n × d_in`): the value columns hold the coordinates,
/// the first-order column of each direction holds the direction vector, higher orders zero.
fn input_jet(spec: &JetSpec, points: &[f64], n: usize) -> Vec<f64> {
    let d = spec.dim();
    let c = spec.components();
    let mut a = vec![0.0; d * c * n];
    a[..d * n].copy_from_slice(&points[..d * n]);
    for (k, dir) in spec.directions().iter().enumerate() {
        let col0 = spec.component(k, 1) * n;
        for p in 0..n {
            a[d * (col0 + p)..d * (col0 + p + 1)].copy_from_slice(&dir.vector);
        }
    }
    a
}

fn view(data: &[f64], rows: usize, cols: usize) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(data, rows, cols)
}

fn view_mut(data: &mut [f64], rows: usize, cols: usize) -> MatMut<'_, f64> {
    MatMut::from_column_major_slice_mut(data, rows, cols)
}

/// Forward pass of `mlp` with parameters `params` over `n` points (`points` row-major
/// `n × d_in`), carrying the jets of `spec`.
pub fn forward(mlp: &Mlp, params: &[f64], spec: &JetSpec, points: &[f64]) -> Tape {
    let d = mlp.input_dim();
    let n = points.len() / d;
    let c = spec.components();
    let m = c * n;
    let mut post = vec![input_jet(spec, points, n)];
    let mut pre = Vec::with_capacity(mlp.layers());
    for k in 0..mlp.layers() {
        let (wi, wo) = (mlp.widths()[k], mlp.widths()[k + 1]);
        let (wr, br) = mlp.layer_ranges(k);
        let w = MatRef::from_row_major_slice(&params[wr], wo, wi);
        let mut z = vec![0.0; wo * m];
        matmul(
            view_mut(&mut z, wo, m),
            Accum::Replace,
            w,
            view(&post[k], wi, m),
            1.0,
            Par::Seq,
        );
        let b = &params[br];
        for p in 0..n {
            for (zj, bj) in z[wo * p..wo * (p + 1)].iter_mut().zip(b) {
                *zj += bj;
            }
        }
        if k + 1 < mlp.layers() {
            post.push(activate(mlp.activation(), spec, &z, wo, n));
        }
        pre.push(z);
    }
    Tape { n, c, post, pre }
}

/// `(first component, order)` of each direction.
fn direction_blocks(spec: &JetSpec) -> Vec<(usize, usize)> {
    spec.directions()
        .iter()
        .enumerate()
        .map(|(d, dir)| (spec.component(d, 1), dir.order))
        .collect()
}

/// `σ⁽ᵏ⁾(z₀)` for `k = from..=to`, elementwise over the value block `z0`. For tanh the
/// derivatives are polynomials in `t = tanh z₀`, taken from `y0` when the forward pass has
/// already computed it.
fn derivative_blocks(
    act: Activation,
    z0: &[f64],
    y0: Option<&[f64]>,
    from: usize,
    to: usize,
) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; z0.len()]; to - from + 1];
    for (i, &z) in z0.iter().enumerate() {
        let s = match (act, y0) {
            (Activation::Tanh, Some(y)) => Activation::tanh_derivatives(y[i]),
            _ => act.derivatives(z),
        };
        for (k, o) in out.iter_mut().enumerate() {
            o[i] = s[from + k];
        }
    }
    out
}

/// Applies the activation to the jets `z` (`w × C·n`). Each component block is contiguous
/// (`w·n` entries), so every line below is an elementwise loop over whole blocks.
fn activate(act: Activation, spec: &JetSpec, z: &[f64], w: usize, n: usize) -> Vec<f64> {
    let b = w * n;
    let dirs = direction_blocks(spec);
    let top = dirs.iter().map(|d| d.1).max().unwrap_or(0);
    let s = derivative_blocks(act, &z[..b], None, 0, top);
    let mut y = vec![0.0; z.len()];
    y[..b].copy_from_slice(&s[0]);
    let blk = |c: usize| &z[c * b..(c + 1) * b];
    for &(c1, order) in &dirs {
        let z1 = blk(c1);
        let (_, rest) = y.split_at_mut(c1 * b);
        let mut outs = rest.chunks_mut(b);
        let y1 = outs.next().unwrap_or_default();
        for i in 0..b {
            y1[i] = s[1][i] * z1[i];
        }
        if order >= 2 {
            let z2 = blk(c1 + 1);
            let y2 = outs.next().unwrap_or_default();
            for i in 0..b {
                y2[i] = s[2][i] * z1[i] * z1[i] + s[1][i] * z2[i];
            }
            if order >= 3 {
                let z3 = blk(c1 + 2);
                let y3 = outs.next().unwrap_or_default();
                for i in 0..b {
                    let a = z1[i];
                    y3[i] = s[3][i] * a * a * a + 3.0 * s[2][i] * a * z2[i] + s[1][i] * z3[i];
                }
                if order >= 4 {
                    let z4 = blk(c1 + 3);
                    let y4 = outs.next().unwrap_or_default();
                    for i in 0..b {
                        let (a, c, d) = (z1[i], z2[i], z3[i]);
                        y4[i] = s[4][i] * a * a * a * a
                            + 6.0 * s[3][i] * a * a * c
                            + s[2][i] * (3.0 * c * c + 4.0 * a * d)
                            + s[1][i] * z4[i];
                    }
                }
            }
        }
    }
    y
}

/// Reverse pass through the activation: given the adjoint `ybar` of its output jets (and the
/// output's value block `y0`), returns the adjoint of its input jets `z`.
fn activate_adjoint(
    act: Activation,
    spec: &JetSpec,
    z: &[f64],
    y0: &[f64],
    ybar: &[f64],
    w: usize,
    n: usize,
) -> Vec<f64> {
    let b = w * n;
    let dirs = direction_blocks(spec);
    let top = dirs.iter().map(|d| d.1).max().unwrap_or(0);
    // s[k] holds σ^(k+1).
    let s = derivative_blocks(act, &z[..b], Some(y0), 1, top + 1);
    let mut zbar = vec![0.0; z.len()];
    let (z0bar, rest) = zbar.split_at_mut(b);
    for i in 0..b {
        z0bar[i] = s[0][i] * ybar[i];
    }
    let blk = |v: &'_ [f64], c: usize| -> Vec<f64> { v[c * b..(c + 1) * b].to_vec() };
    for &(c1, order) in &dirs {
        let zs: Vec<Vec<f64>> = (0..order).map(|k| blk(z, c1 + k)).collect();
        let ys: Vec<Vec<f64>> = (0..order).map(|k| blk(ybar, c1 + k)).collect();
        let outs = &mut rest[(c1 - 1) * b..(c1 - 1 + order) * b];
        let (z1b, more) = outs.split_at_mut(b);
        let z1 = &zs[0];
        let y1 = &ys[0];
        // y1 = s1 z1
        for i in 0..b {
            z1b[i] = s[0][i] * y1[i];
            z0bar[i] += s[1][i] * z1[i] * y1[i];
        }
        if order >= 2 {
            // y2 = s2 z1² + s1 z2
            let (z2b, more) = more.split_at_mut(b);
            let (z2, y2) = (&zs[1], &ys[1]);
            for i in 0..b {
                z1b[i] += 2.0 * s[1][i] * z1[i] * y2[i];
                z2b[i] = s[0][i] * y2[i];
                z0bar[i] += (s[2][i] * z1[i] * z1[i] + s[1][i] * z2[i]) * y2[i];
            }
            if order >= 3 {
                // y3 = s3 z1³ + 3 s2 z1 z2 + s1 z3
                let (z3b, more) = more.split_at_mut(b);
                let (z3, y3) = (&zs[2], &ys[2]);
                for i in 0..b {
                    let (a, c) = (z1[i], z2[i]);
                    z1b[i] += (3.0 * s[2][i] * a * a + 3.0 * s[1][i] * c) * y3[i];
                    z2b[i] += 3.0 * s[1][i] * a * y3[i];
                    z3b[i] = s[0][i] * y3[i];
                    z0bar[i] += (s[3][i] * a * a * a + 3.0 * s[2][i] * a * c + s[1][i] * z3[i]) * y3[i];
                }
                if order >= 4 {
                    // y4 = s4 z1⁴ + 6 s3 z1² z2 + s2 (3 z2² + 4 z1 z3) + s1 z4
                    let z4b = more;
                    let (z4, y4) = (&zs[3], &ys[3]);
                    for i in 0..b {
                        let (a, c, d) = (z1[i], z2[i], z3[i]);
                        z1b[i] += (4.0 * s[3][i] * a * a * a
                            + 12.0 * s[2][i] * a * c
                            + 4.0 * s[1][i] * d)
                            * y4[i];
                        z2b[i] += (6.0 * s[2][i] * a * a + 6.0 * s[1][i] * c) * y4[i];
                        z3b[i] += 4.0 * s[1][i] * a * y4[i];
                        z4b[i] = s[0][i] * y4[i];
                        z0bar[i] += (s[4][i] * a * a * a * a
                            + 6.0 * s[3][i] * a * a * c
                            + s[2][i] * (3.0 * c * c + 4.0 * a * d)
                            + s[1][i] * z4[i])
                            * y4[i];
                    }
                }
            }
        }
    }
    zbar
}

/// Reverse pass: given the adjoint of the output jets (`d_out × C·n`, same layout as
/// [`Tape::output`]), adds the gradient with respect to the parameters into `grad`.
pub fn backward(
    mlp: &Mlp,
    params: &[f64],
    spec: &JetSpec,
    tape: &Tape,
    output_adjoint: &[f64],
    grad: &mut [f64],
) {
    let (n, m) = (tape.n, tape.c * tape.n);
    let mut zbar = output_adjoint.to_vec();
    for k in (0..mlp.layers()).rev() {
        let (wi, wo) = (mlp.widths()[k], mlp.widths()[k + 1]);
        let (wr, br) = mlp.layer_ranges(k);
        // dW += Z̄ Aᵀ  (written into the row-major weight gradient)
        {
            let gw = MatMut::from_row_major_slice_mut(&mut grad[wr.clone()], wo, wi);
            matmul(
                gw,
                Accum::Add,
                view(&zbar, wo, m),
                view(&tape.post[k], wi, m).transpose(),
                1.0,
                Par::Seq,
            );
        }
        // db += Σ over value columns of Z̄
        let gb = &mut grad[br];
        for p in 0..n {
            for (g, zb) in gb.iter_mut().zip(&zbar[wo * p..wo * (p + 1)]) {
                *g += zb;
            }
        }
        if k == 0 {
            break;
        }
        // Ā = Wᵀ Z̄, then through the activation of layer k−1.
        let w = MatRef::from_row_major_slice(&params[wr], wo, wi);
        let mut abar = vec![0.0; wi * m];
        matmul(
            view_mut(&mut abar, wi, m),
            Accum::Replace,
            w.transpose(),
            view(&zbar, wo, m),
            1.0,
            Par::Seq,
        );
        let y0 = &tape.post[k][..wi * n];
        zbar = activate_adjoint(mlp.activation(), spec, &tape.pre[k - 1], y0, &abar, wi, n);
    }
}
