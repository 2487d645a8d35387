//! Exact Hessian-vector products through the Taylor passes: the forward pass and the reverse
//! pass of [`super::taylor`] differentiated along a parameter direction `u` ("forward over
//! reverse", Pearlmutter's R-operator).
//!
//! With `Ẋ = D_u X` for every quantity of the passes, the affine layers give
//!
//! ```text
//! forward:  Ż_k = U_k A_k + W_k Ȧ_k + u_b           (u_b on the value columns only)
//!           Ȧ_{k+1} = D_u σ(Z_k)                     (the jet activation on tangent numbers)
//! reverse:  (Hu)_{W_k} = Ż̄_k A_kᵀ + Z̄_k Ȧ_kᵀ,   (Hu)_{b_k} = Σ_value columns Ż̄_k
//!           Ā̇_k = W_kᵀ Ż̄_k + U_kᵀ Z̄_k
//!           Ż̄_{k−1} = D_u [σ's adjoint](Z_{k−1}, Ā_k)  (both in one pass)
//! ```
//!
//! where `U_k`, `u_b` are the weight and bias blocks of `u`, and the loss supplies the tangent
//! of the output adjoint, `D_u ∂ℓ/∂J = ∇²ℓ(J) J̇`. Every step is exact, so the result is the
//! Hessian-vector product to rounding: no step size, no cancellation.
//!
//! Cost. Per hidden layer the gradient does three matrix products (`W A`, `Z̄ Aᵀ`, `Wᵀ Z̄`);
//! the product above does eight when the gradient is not wanted (`W A`, `U A`, `W Ȧ`,
//! `Ż̄ Aᵀ`, `Z̄ Ȧᵀ`, `Wᵀ Z̄`, and `Wᵀ Ż̄ + Uᵀ Z̄` as one product of the stacked `[W; U]ᵀ` and
//! `[Ż̄; Z̄]`), and its activation passes run on tangent numbers in vectorized strips
//! (module `tangent_activation`), reading `tanh z` from the tape. One product costs
//! 2.2–2.8 loss-and-gradient evaluations of the Burgers PINN (`cargo bench --bench
//! hvp_cost`).

use super::batch::{add_into, gather, over_chunks, rows_of, scatter};
use super::gemm;
use super::tangent_activation::{activate_adjoint_tangent, activate_tangent};
use super::taylor::add_bias_adjoint;
use super::workspace::{recycle, scratch};
use super::{forward, JetSpec, Mlp, Tape};

/// The directional derivatives of a [`Tape`] along a parameter direction.
#[derive(Debug, Clone)]
pub struct TangentTape {
    /// `post[k]` = `Ȧ_k` for `k ≥ 1` (`post[0]`, the input jet, does not depend on θ: empty).
    post: Vec<Vec<f64>>,
    /// `pre[k]` = `Ż_k`; the last one is the tangent of the network output.
    pre: Vec<Vec<f64>>,
}

impl TangentTape {
    /// The tangent of the network output jets, laid out as [`Tape::output`].
    pub fn output(&self) -> &[f64] {
        self.pre.last().map_or(&[], |v| v.as_slice())
    }

    /// Hands the tape's buffers back to this thread's pool.
    pub fn recycle(self) {
        self.post.into_iter().chain(self.pre).for_each(recycle);
    }
}

/// The tangent of [`forward`] along `direction` (a vector like `params`), given its tape.
pub fn forward_tangent(
    mlp: &Mlp,
    params: &[f64],
    direction: &[f64],
    spec: &JetSpec,
    tape: &Tape,
) -> TangentTape {
    let (n, m) = (tape.n, tape.c * tape.n);
    let mut post = vec![Vec::new()];
    let mut pre = Vec::with_capacity(mlp.layers());
    for k in 0..mlp.layers() {
        let (wi, wo) = (mlp.widths()[k], mlp.widths()[k + 1]);
        let (wr, br) = mlp.layer_ranges(k);
        let mut zd = scratch(wo * m);
        let bias = Some((&direction[br], n));
        gemm::forward(
            &mut zd,
            &direction[wr.clone()],
            &tape.post[k],
            (wo, wi),
            bias,
            false,
        );
        if k > 0 {
            gemm::forward(&mut zd, &params[wr], &post[k], (wo, wi), None, true);
        }
        if k + 1 < mlp.layers() {
            let y = &tape.post[k + 1];
            post.push(activate_tangent(
                mlp.activation(),
                spec,
                [&tape.pre[k], &zd, y],
                wo,
                n,
            ));
        }
        pre.push(zd);
    }
    TangentTape { post, pre }
}

/// Forward-over-reverse: given the output adjoint `∂ℓ/∂J` and its tangent `∇²ℓ J̇` along
/// `direction`, adds the Hessian-vector product into `hv` and, if asked for, the gradient into
/// `grad` (the product needs the adjoints but not the weight gradient, so leaving it out saves
/// one matrix product per layer).
#[allow(clippy::too_many_arguments)]
pub fn backward_tangent(
    mlp: &Mlp,
    params: &[f64],
    direction: &[f64],
    spec: &JetSpec,
    tape: &Tape,
    tangent: &TangentTape,
    output_adjoint: &[f64],
    output_adjoint_tangent: &[f64],
    mut grad: Option<&mut [f64]>,
    hv: &mut [f64],
) {
    let (n, m) = (tape.n, tape.c * tape.n);
    // [Ż̄; Z̄] stacked, so that Ā̇ = Wᵀ Ż̄ + Uᵀ Z̄ = [W; U]ᵀ [Ż̄; Z̄] is one matrix product.
    let len = output_adjoint.len();
    let mut stacked = scratch(2 * len);
    stacked[..len].copy_from_slice(output_adjoint_tangent);
    stacked[len..].copy_from_slice(output_adjoint);
    for k in (0..mlp.layers()).rev() {
        let (wi, wo) = (mlp.widths()[k], mlp.widths()[k + 1]);
        let (wr, br) = mlp.layer_ranges(k);
        let (zbard, zbar) = stacked.split_at(wo * m);
        let a = &tape.post[k];
        if let Some(g) = grad.as_deref_mut() {
            gemm::weight(&mut g[wr.clone()], zbar, a, wo, wi);
            add_bias_adjoint(&mut g[br.clone()], zbar, n);
        }
        gemm::weight(&mut hv[wr.clone()], zbard, a, wo, wi);
        if k > 0 {
            gemm::weight(&mut hv[wr.clone()], zbar, &tangent.post[k], wo, wi);
        }
        add_bias_adjoint(&mut hv[br], zbard, n);
        if k == 0 {
            break;
        }
        let mut abar = scratch(wi * m);
        gemm::adjoint(&mut abar, &params[wr.clone()], zbar, wo, wi, false);
        let mut wu = scratch(2 * wo * wi);
        wu[..wo * wi].copy_from_slice(&params[wr.clone()]);
        wu[wo * wi..].copy_from_slice(&direction[wr]);
        let mut abard = scratch(wi * m);
        gemm::adjoint(&mut abard, &wu, &stacked, 2 * wo, wi, false);
        recycle(wu);
        let next = activate_adjoint_tangent(
            mlp.activation(),
            spec,
            [
                &tape.pre[k - 1],
                &tangent.pre[k - 1],
                &tape.post[k],
                &abar,
                &abard,
            ],
            wi,
            n,
        );
        recycle(abar);
        recycle(abard);
        recycle(std::mem::replace(&mut stacked, next));
    }
    recycle(stacked);
}

/// [`super::loss_and_gradient`] together with the exact Hessian-vector product `H u` of the
/// same loss, `u = direction`.
///
/// `point_loss(index, jet, jet_tangent, adjoint, adjoint_tangent)` receives the point's output
/// jet `J` and its tangent `J̇ = D_u J` (same layout as in [`super::loss_and_gradient`]),
/// writes `∂ℓ/∂J` into `adjoint` and `∇²ℓ(J) J̇` into `adjoint_tangent` (both zeroed), and
/// returns the point's loss. Adds `H u` into `hv` and, if given, the gradient into `grad`;
/// returns the loss. Parallel over chunks and reduced in chunk order, like the gradient.
#[allow(clippy::too_many_arguments)]
pub fn loss_gradient_hvp<F>(
    mlp: &Mlp,
    params: &[f64],
    direction: &[f64],
    spec: &JetSpec,
    points: &[f64],
    point_loss: F,
    mut grad: Option<&mut [f64]>,
    hv: &mut [f64],
) -> f64
where
    F: Fn(usize, &[f64], &[f64], &mut [f64], &mut [f64]) -> f64 + Sync,
{
    let d = mlp.input_dim();
    let (d_out, c) = (mlp.output_dim(), spec.components());
    let want_grad = grad.is_some();
    let parts = over_chunks(points.len() / d, |start, end| {
        let n = end - start;
        let tape = forward(mlp, params, spec, &points[start * d..end * d]);
        let tt = forward_tangent(mlp, params, direction, spec, &tape);
        let (mut adj, mut adjd) = (vec![0.0; d_out * c * n], vec![0.0; d_out * c * n]);
        let mut jet = vec![0.0; d_out * c];
        let mut jetd = vec![0.0; d_out * c];
        let mut a = vec![0.0; d_out * c];
        let mut ad = vec![0.0; d_out * c];
        let mut loss = 0.0;
        for p in 0..n {
            gather(tape.output(), d_out, c, n, p, &mut jet);
            gather(tt.output(), d_out, c, n, p, &mut jetd);
            a.iter_mut().chain(ad.iter_mut()).for_each(|v| *v = 0.0);
            loss += point_loss(start + p, &jet, &jetd, &mut a, &mut ad);
            scatter(&a, d_out, c, n, p, &mut adj);
            scatter(&ad, d_out, c, n, p, &mut adjd);
        }
        let mut g = want_grad.then(|| vec![0.0; params.len()]);
        let mut h = vec![0.0; params.len()];
        backward_tangent(
            mlp,
            params,
            direction,
            spec,
            &tape,
            &tt,
            &adj,
            &adjd,
            g.as_deref_mut(),
            &mut h,
        );
        tape.recycle();
        tt.recycle();
        (loss, g, h)
    });
    let mut total = 0.0;
    for (l, g, h) in parts {
        total += l;
        if let (Some(grad), Some(g)) = (grad.as_deref_mut(), g) {
            add_into(grad, &g);
        }
        add_into(hv, &h);
    }
    total
}

/// The output jets at `points` and their tangents along `direction`, both row-major
/// `n × (d_out·C)` like [`super::predict`].
pub fn predict_tangent(
    mlp: &Mlp,
    params: &[f64],
    direction: &[f64],
    spec: &JetSpec,
    points: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let d = mlp.input_dim();
    let (d_out, c) = (mlp.output_dim(), spec.components());
    let parts = over_chunks(points.len() / d, |start, end| {
        let tape = forward(mlp, params, spec, &points[start * d..end * d]);
        let tt = forward_tangent(mlp, params, direction, spec, &tape);
        let rows = (
            rows_of(tape.output(), d_out, c, end - start),
            rows_of(tt.output(), d_out, c, end - start),
        );
        tape.recycle();
        tt.recycle();
        rows
    });
    let (values, tangents): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    (values.concat(), tangents.concat())
}
