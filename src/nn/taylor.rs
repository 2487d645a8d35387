//! Forward Taylor-mode propagation of input jets through an [`Mlp`], and the hand-written
//! reverse pass through the same computation.
//!
//! For a chunk of `n` points and a [`JetSpec`] with `C` components, every layer's activations
//! are one `width × (C·n)` matrix stored neuron by neuron (row-major, `m = C·n` columns): column
//! `c·n + p` holds component `c` of point `p`, so neuron `j`'s component `c` of point `p` is at
//! `j·m + c·n + p`. An affine layer is then a single matrix product over all points and all jet
//! components (`Z = W A`, plus the bias on the value columns only, since derivatives of a
//! constant vanish; see [`super::gemm`]), and the activation maps each point's univariate
//! Taylor series
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

use super::gemm;
use super::taylor_activation::{activate, activate_adjoint};
use super::workspace::{recycle, scratch, zeroed};
use super::{Activation, JetSpec, Mlp, Scalar};

/// The forward pass of one chunk of points, kept for the reverse pass.
#[derive(Debug, Clone)]
pub struct Tape {
    pub(super) n: usize,
    pub(super) c: usize,
    /// `post[k]`: input of layer k (`post[0]` is the input jet), `w_k × c·n` (neuron-major).
    pub(super) post: Vec<Vec<f64>>,
    /// `pre[k]`: output of layer k before the activation, `w_{k+1} × c·n`; the last one is
    /// the network output.
    pub(super) pre: Vec<Vec<f64>>,
}

impl Tape {
    /// Number of points in the chunk.
    pub fn points(&self) -> usize {
        self.n
    }

    /// The network output jets: `d_out × (C·n)` row-major, component `c` of output `o` at point
    /// `p` at `o·C·n + c·n + p`.
    pub fn output(&self) -> &[f64] {
        self.pre.last().map_or(&[], |v| v.as_slice())
    }

    /// Hands the tape's buffers back to this thread's pool.
    pub fn recycle(self) {
        self.post.into_iter().chain(self.pre).for_each(recycle);
    }
}

/// Input jets for `points` (row-major, `n × d_in`), in the layer layout: input `i`'s value
/// columns hold the coordinates `x_i`, the first-order columns of each direction its entry
/// `v_i`, higher orders zero.
fn input_jet(spec: &JetSpec, points: &[f64], n: usize) -> Vec<f64> {
    let d = spec.dim();
    let m = spec.components() * n;
    let mut a = zeroed(d * m);
    for (i, row) in a.chunks_exact_mut(m).enumerate() {
        for (v, x) in row[..n].iter_mut().zip(points.chunks_exact(d)) {
            *v = x[i];
        }
        for (k, dir) in spec.directions().iter().enumerate() {
            let col0 = spec.component(k, 1) * n;
            row[col0..col0 + n].fill(dir.vector[i]);
        }
    }
    a
}

/// Forward pass of `mlp` with parameters `params` over `n` points (`points` row-major
/// `n × d_in`), carrying the jets of `spec`.
pub fn forward(mlp: &Mlp, params: &[f64], spec: &JetSpec, points: &[f64]) -> Tape {
    let d = mlp.input_dim();
    let n = points.len() / d;
    let c = spec.components();
    let m = c * n;
    let mut post = vec![match mlp.embedding() {
        Some(e) => e.jet(spec, points, n),
        None => input_jet(spec, points, n),
    }];
    let mut pre = Vec::with_capacity(mlp.layers());
    for k in 0..mlp.layers() {
        let (wi, wo) = (mlp.widths()[k], mlp.widths()[k + 1]);
        let (wr, br) = mlp.layer_ranges(k);
        // The first layer's product is tiny (`d` inputs) and mostly structure (direction
        // columns repeat `W v`, higher orders are zero), but the kernel does it at the speed
        // of writing the output, so it goes through the same product as the others.
        let mut z = scratch(wo * m);
        let bias = Some((&params[br], n));
        gemm::forward(&mut z, &params[wr], &post[k], (wo, wi), bias, false);
        if k + 1 < mlp.layers() {
            post.push(activate(mlp.activation(), spec, &z, wo, n));
        }
        pre.push(z);
    }
    Tape { n, c, post, pre }
}

/// Adds the sums over the value columns of `zbar` (`w × (C·n)`, neuron-major) into `g`: the
/// bias adjoint.
pub(super) fn add_bias_adjoint(g: &mut [f64], zbar: &[f64], n: usize) {
    let m = zbar.len() / g.len().max(1);
    for (g, row) in g.iter_mut().zip(zbar.chunks_exact(m)) {
        *g += row[..n].iter().sum::<f64>();
    }
}

/// The value entries of a `w × (C·n)` neuron-major matrix (`m = C·n`), in storage order:
/// neuron `j`'s `n` values start at `j·m`; component `c` of the same entry is `c·n` further on.
fn value_entries(w: usize, n: usize, m: usize) -> impl Iterator<Item = usize> {
    (0..w).flat_map(move |j| j * m..j * m + n)
}

/// `(first component, order)` of each direction.
pub(super) fn direction_blocks(spec: &JetSpec) -> Vec<(usize, usize)> {
    spec.directions()
        .iter()
        .enumerate()
        .map(|(d, dir)| (spec.component(d, 1), dir.order))
        .collect()
}

/// Faà di Bruno's formula along one direction: the output components `y₁ … y_order` from σ's
/// derivatives `s = [σ, σ′, …, σ⁽⁵⁾]` at the value and the input components `z = [z₁ … z₄]`
/// (entries past `order` are ignored and returned as zero). Generic over the [`Scalar`], so
/// that the same formula gives the tangent of the jets.
#[inline(always)]
pub(super) fn faa_forward<T: Scalar>(s: &[T; 6], z: &[T; 4], order: usize) -> [T; 4] {
    let c = T::constant;
    let mut y = [T::default(); 4];
    let z1 = z[0];
    y[0] = s[1] * z1;
    if order >= 2 {
        let z2 = z[1];
        y[1] = s[2] * z1 * z1 + s[1] * z2;
        if order >= 3 {
            let z3 = z[2];
            y[2] = s[3] * z1 * z1 * z1 + c(3.0) * s[2] * z1 * z2 + s[1] * z3;
            if order >= 4 {
                let z4 = z[3];
                y[3] = s[4] * z1 * z1 * z1 * z1
                    + c(6.0) * s[3] * z1 * z1 * z2
                    + s[2] * (c(3.0) * z2 * z2 + c(4.0) * z1 * z3)
                    + s[1] * z4;
            }
        }
    }
    y
}

/// The reverse of [`faa_forward`] for one direction: given the adjoints `y = [ȳ₁ … ȳ₄]` of its
/// output components, returns the direction's contribution to the value's adjoint `z̄₀` and the
/// adjoints `[z̄₁ … z̄₄]` of its input components (zero past `order`).
#[inline(always)]
pub(super) fn faa_adjoint<T: Scalar>(
    s: &[T; 6],
    z: &[T; 4],
    y: &[T; 4],
    order: usize,
) -> (T, [T; 4]) {
    let c = T::constant;
    let mut zbar = [T::default(); 4];
    let (z1, y1) = (z[0], y[0]);
    // y1 = s1 z1
    let mut z1bar = s[1] * y1;
    let mut z0bar = s[2] * z1 * y1;
    if order >= 2 {
        // y2 = s2 z1² + s1 z2
        let (z2, y2) = (z[1], y[1]);
        z1bar = z1bar + c(2.0) * s[2] * z1 * y2;
        let mut z2bar = s[1] * y2;
        z0bar = z0bar + (s[3] * z1 * z1 + s[2] * z2) * y2;
        if order >= 3 {
            // y3 = s3 z1³ + 3 s2 z1 z2 + s1 z3
            let (z3, y3) = (z[2], y[2]);
            z1bar = z1bar + (c(3.0) * s[3] * z1 * z1 + c(3.0) * s[2] * z2) * y3;
            z2bar = z2bar + c(3.0) * s[2] * z1 * y3;
            let mut z3bar = s[1] * y3;
            z0bar = z0bar + (s[4] * z1 * z1 * z1 + c(3.0) * s[3] * z1 * z2 + s[2] * z3) * y3;
            if order >= 4 {
                // y4 = s4 z1⁴ + 6 s3 z1² z2 + s2 (3 z2² + 4 z1 z3) + s1 z4
                let (z4, y4) = (z[3], y[3]);
                z1bar = z1bar
                    + (c(4.0) * s[4] * z1 * z1 * z1
                        + c(12.0) * s[3] * z1 * z2
                        + c(4.0) * s[2] * z3)
                        * y4;
                z2bar = z2bar + (c(6.0) * s[3] * z1 * z1 + c(6.0) * s[2] * z2) * y4;
                z3bar = z3bar + c(4.0) * s[2] * z1 * y4;
                zbar[3] = s[1] * y4;
                z0bar = z0bar
                    + (s[5] * z1 * z1 * z1 * z1
                        + c(6.0) * s[4] * z1 * z1 * z2
                        + s[3] * (c(3.0) * z2 * z2 + c(4.0) * z1 * z3)
                        + s[2] * z4)
                        * y4;
            }
            zbar[2] = z3bar;
        }
        zbar[1] = z2bar;
    }
    zbar[0] = z1bar;
    (z0bar, zbar)
}

/// Applies the activation to the jets `z` (`w × C·n`) into `y` (same shape, zeroed).
/// Component `c` of value entry `i` (see [`value_entries`]) sits at `i + c·n`, so one pass over
/// the value entries handles every point, neuron and direction with the σ derivatives in
/// registers. Generic over the [`Scalar`], so that the same code gives the tangent of the
/// jets.
pub(super) fn activate_generic<T: Scalar>(
    act: Activation,
    spec: &JetSpec,
    z: &[T],
    y: &mut [T],
    w: usize,
    n: usize,
) {
    let b = n;
    let dirs = direction_blocks(spec);
    for i in value_entries(w, n, z.len() / w.max(1)) {
        let s = z[i].activation_derivatives(act);
        y[i] = s[0];
        for &(c1, order) in &dirs {
            let o = c1 * b + i;
            let zc: [T; 4] = std::array::from_fn(|k| {
                if k < order {
                    z[o + k * b]
                } else {
                    T::default()
                }
            });
            let yc = faa_forward(&s, &zc, order);
            for (k, v) in yc.into_iter().enumerate().take(order) {
                y[o + k * b] = v;
            }
        }
    }
}

/// Reverse pass through the activation (any activation, element by element): given the
/// adjoint `ybar` of its output jets, writes the adjoint of its input jets `z` into `zbar`
/// (zeroed). Generic over the [`Scalar`] like [`activate_generic`].
pub(super) fn activate_adjoint_generic<T: Scalar>(
    act: Activation,
    spec: &JetSpec,
    z: &[T],
    ybar: &[T],
    zbar: &mut [T],
    w: usize,
    n: usize,
) {
    let b = n;
    let dirs = direction_blocks(spec);
    for i in value_entries(w, n, z.len() / w.max(1)) {
        let s = z[i].activation_derivatives(act);
        let mut z0bar = s[1] * ybar[i];
        for &(c1, order) in &dirs {
            let o = c1 * b + i;
            let pick = |x: &[T]| -> [T; 4] {
                std::array::from_fn(|k| {
                    if k < order {
                        x[o + k * b]
                    } else {
                        T::default()
                    }
                })
            };
            let (dz0, zc) = faa_adjoint(&s, &pick(z), &pick(ybar), order);
            z0bar = z0bar + dz0;
            for (k, v) in zc.into_iter().enumerate().take(order) {
                zbar[o + k * b] = v;
            }
        }
        zbar[i] = z0bar;
    }
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
    let mut zbar = scratch(output_adjoint.len());
    zbar.copy_from_slice(output_adjoint);
    for k in (0..mlp.layers()).rev() {
        let (wi, wo) = (mlp.widths()[k], mlp.widths()[k + 1]);
        let (wr, br) = mlp.layer_ranges(k);
        // dW += Z̄ Aᵀ  (written into the row-major weight gradient)
        gemm::weight(&mut grad[wr.clone()], &zbar, &tape.post[k], wo, wi);
        // db += Σ over value columns of Z̄
        add_bias_adjoint(&mut grad[br], &zbar, n);
        if k == 0 {
            break;
        }
        // Ā = Wᵀ Z̄, then through the activation of layer k−1.
        let mut abar = scratch(wi * m);
        gemm::adjoint(&mut abar, &params[wr], &zbar, wo, wi, false);
        let y0 = &tape.post[k];
        let next = activate_adjoint(mlp.activation(), spec, &tape.pre[k - 1], y0, &abar, wi, n);
        recycle(abar);
        recycle(std::mem::replace(&mut zbar, next));
    }
    recycle(zbar);
}
