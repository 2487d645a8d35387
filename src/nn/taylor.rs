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

/// Applies the activation to the jets `z` (`w × C·n`).
fn activate(act: Activation, spec: &JetSpec, z: &[f64], w: usize, n: usize) -> Vec<f64> {
    let mut y = vec![0.0; z.len()];
    let at = |c: usize, p: usize, j: usize| j + w * (c * n + p);
    for p in 0..n {
        for j in 0..w {
            let s = act.derivatives(z[at(0, p, j)]);
            y[at(0, p, j)] = s[0];
            for (di, dir) in spec.directions().iter().enumerate() {
                let c1 = spec.component(di, 1);
                let zk = |k: usize| z[at(c1 + k - 1, p, j)];
                let z1 = zk(1);
                y[at(c1, p, j)] = s[1] * z1;
                if dir.order >= 2 {
                    let z2 = zk(2);
                    y[at(c1 + 1, p, j)] = s[2] * z1 * z1 + s[1] * z2;
                    if dir.order >= 3 {
                        let z3 = zk(3);
                        y[at(c1 + 2, p, j)] =
                            s[3] * z1 * z1 * z1 + 3.0 * s[2] * z1 * z2 + s[1] * z3;
                        if dir.order >= 4 {
                            let z4 = zk(4);
                            y[at(c1 + 3, p, j)] = s[4] * z1.powi(4)
                                + 6.0 * s[3] * z1 * z1 * z2
                                + s[2] * (3.0 * z2 * z2 + 4.0 * z1 * z3)
                                + s[1] * z4;
                        }
                    }
                }
            }
        }
    }
    y
}

/// Reverse pass through the activation: given the adjoint `ybar` of its output jets, returns
/// the adjoint of its input jets `z`.
fn activate_adjoint(
    act: Activation,
    spec: &JetSpec,
    z: &[f64],
    ybar: &[f64],
    w: usize,
    n: usize,
) -> Vec<f64> {
    let mut zbar = vec![0.0; z.len()];
    let at = |c: usize, p: usize, j: usize| j + w * (c * n + p);
    for p in 0..n {
        for j in 0..w {
            let s = act.derivatives(z[at(0, p, j)]);
            let mut z0bar = s[1] * ybar[at(0, p, j)];
            for (di, dir) in spec.directions().iter().enumerate() {
                let c1 = spec.component(di, 1);
                let zk = |k: usize| z[at(c1 + k - 1, p, j)];
                let yb = |k: usize| ybar[at(c1 + k - 1, p, j)];
                let (z1, y1) = (zk(1), yb(1));
                // y1 = s1 z1
                let mut z1bar = s[1] * y1;
                z0bar += s[2] * z1 * y1;
                let (mut z2bar, mut z3bar, mut z4bar) = (0.0, 0.0, 0.0);
                if dir.order >= 2 {
                    // y2 = s2 z1² + s1 z2
                    let (z2, y2) = (zk(2), yb(2));
                    z1bar += 2.0 * s[2] * z1 * y2;
                    z2bar += s[1] * y2;
                    z0bar += (s[3] * z1 * z1 + s[2] * z2) * y2;
                    if dir.order >= 3 {
                        // y3 = s3 z1³ + 3 s2 z1 z2 + s1 z3
                        let (z3, y3) = (zk(3), yb(3));
                        z1bar += (3.0 * s[3] * z1 * z1 + 3.0 * s[2] * z2) * y3;
                        z2bar += 3.0 * s[2] * z1 * y3;
                        z3bar += s[1] * y3;
                        z0bar += (s[4] * z1 * z1 * z1 + 3.0 * s[3] * z1 * z2 + s[2] * z3) * y3;
                        if dir.order >= 4 {
                            // y4 = s4 z1⁴ + 6 s3 z1² z2 + s2 (3 z2² + 4 z1 z3) + s1 z4
                            let (z4, y4) = (zk(4), yb(4));
                            z1bar += (4.0 * s[4] * z1 * z1 * z1
                                + 12.0 * s[3] * z1 * z2
                                + 4.0 * s[2] * z3)
                                * y4;
                            z2bar += (6.0 * s[3] * z1 * z1 + 6.0 * s[2] * z2) * y4;
                            z3bar += 4.0 * s[2] * z1 * y4;
                            z4bar += s[1] * y4;
                            z0bar += (s[5] * z1.powi(4)
                                + 6.0 * s[4] * z1 * z1 * z2
                                + s[3] * (3.0 * z2 * z2 + 4.0 * z1 * z3)
                                + s[2] * z4)
                                * y4;
                        }
                    }
                }
                zbar[at(c1, p, j)] = z1bar;
                if dir.order >= 2 {
                    zbar[at(c1 + 1, p, j)] = z2bar;
                }
                if dir.order >= 3 {
                    zbar[at(c1 + 2, p, j)] = z3bar;
                }
                if dir.order >= 4 {
                    zbar[at(c1 + 3, p, j)] = z4bar;
                }
            }
            zbar[at(0, p, j)] = z0bar;
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
        zbar = activate_adjoint(mlp.activation(), spec, &tape.pre[k - 1], &abar, wi, n);
    }
}
