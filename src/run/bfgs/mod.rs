//! [`Bfgs`]: dense BFGS on the inverse Hessian, optionally self-scaled, as an argmin solver
//! (so it runs through the same executor, observers and line search as argmin's L-BFGS).

use argmin::solver::linesearch::MoreThuenteLineSearch;
use rayon::prelude::*;

mod initial_step;
mod packed;
mod solver;
mod update;

use initial_step::secant_mean;
pub use initial_step::InitialStep;
pub use update::QuasiNewtonUpdate;
use update::{broyden_parameters, dot};

/// Largest dense matrix the solver agrees to hold (entries): 10⁸ f64 = 800 MB.
pub const MAX_DENSE_ENTRIES: usize = 100_000_000;

/// Dense BFGS: `x⁺ = x + α d`, `d = −H g`, `α` from the More-Thuente line search (Wolfe
/// conditions), and the inverse-Hessian update with `s = x⁺ − x`, `y = g⁺ − g`, `ρ = 1/sᵀy`:
///
/// `H⁺ = (I − ρ s yᵀ) H̃ (I − ρ y sᵀ) + ρ s sᵀ`,
///
/// done as a rank-two correction in `O(p²)` (never a matrix product). `H₀ = I` for the first
/// step, then `H̃ = (sᵀy / yᵀy) I` before the first update (Nocedal & Wright, eq. 6.20).
///
/// Self-scaling (Oren & Luenberger 1974, with τ restricted to at most 1 as in Al-Baali's
/// self-scaling methods; for PINNs: Urbán, Stefanou & Pons, arXiv:2405.04230, and Kiyani et
/// al., arXiv:2501.16371): `H̃ = H / τ` with
/// `τ = min(1, sᵀy / sᵀBs)`, where `sᵀBs = −α sᵀg` needs no `B = H⁻¹`: when the model's
/// curvature along the step exceeds the measured one, the whole model is scaled down before
/// the update. Plain BFGS has `H̃ = H`.
///
/// Self-scaled Broyden ([`QuasiNewtonUpdate::SelfScaledBroyden`]; Urbán et al., eqs. 13–23):
/// with `ρ = 1/sᵀy`, `h = ρ yᵀHy`, `b = ρ sᵀBs`, `a = bh − 1 ≥ 0` (Cauchy-Schwarz),
///
/// ```text
/// ρ⁻ = min(1, h(1 − √(a/(1+a)))),  θ⁻ = (ρ⁻ − 1)/a,  θ⁺ = 1/ρ⁻,
/// θ = max(θ⁻, min(θ⁺, (1 − b)/b)),  σ = 1 + aθ,  σ̃ = |σ|^{1/(1−p)},
/// τ = min(min(1, 1/b)·σ̃, σ)  if θ ≤ 0,   min(1, 1/b)·min(σ̃, 1/θ)  otherwise,
/// v = ρ s − Hy/(yᵀHy),  φ = (1 − θ)/(1 + aθ),
/// H⁺ = (H − Hy (Hy)ᵀ/(yᵀHy) + φ (yᵀHy) v vᵀ)/τ + ρ s sᵀ.
/// ```
///
/// (`φ = 1`, `τ = 1` is BFGS.) When `a` vanishes (`H` already right along the pair) the
/// Broyden parameter is undetermined and the self-scaled BFGS step is taken instead. The line
/// search (More-Thuente) enforces the strong Wolfe conditions, which these updates assume.
///
/// The line search's first trial step is `α = 1` or, with [`Bfgs::with_initial_step`], the
/// interpolated guess of [`InitialStep::Interpolated`] or the mean measured line minimiser of
/// [`InitialStep::Secant`].
///
/// A stage may start from a given `H` ([`Bfgs::with_inverse_hessian`]): the runner carries it
/// from one BFGS stage to the next when asked (e.g. across collocation-point resampling, as
/// Urbán et al. do), symmetrised and checked positive definite by a Cholesky factorisation.
///
/// An update is skipped when `sᵀy ≤ 10⁻¹²·‖s‖‖y‖` (no positive curvature measured), so `H`
/// stays positive definite. Unlike L-BFGS it keeps all curvature pairs, at `p²` memory: the
/// constructor refuses more than [`MAX_DENSE_ENTRIES`] entries. `H` is stored as its upper
/// triangle (it is exactly symmetric), which halves the memory each iteration reads and
/// writes; its products are summed in the same order as over full rows, so the results are
/// the bits of the full matrix.
#[derive(Clone)]
pub struct Bfgs {
    linesearch: MoreThuenteLineSearch<Vec<f64>, Vec<f64>, f64>,
    kind: QuasiNewtonUpdate,
    tol_grad: f64,
    tol_cost: f64,
    /// The upper triangle, packed row by row (see `packed`); empty until the first update.
    h: Vec<f64>,
    /// `H g` for the gradient of the current point, when the last update computed it.
    next: Option<Vec<f64>>,
    p: usize,
    /// Why the last line search failed, if it did.
    failure: Option<String>,
    /// The line search's first trial step.
    initial_step: InitialStep,
    /// The loss at the previous iterate (for [`InitialStep::Interpolated`]).
    prev_cost: Option<f64>,
    /// The running mean of the logarithms of the measured line minimisers (for
    /// [`InitialStep::Secant`]).
    step_mean: Option<f64>,
}

impl Bfgs {
    /// A solver for `p` parameters with line-search constants `c1`, `c2`
    /// (`0 < c1 < c2 < 1`).
    pub fn new(p: usize, c1: f64, c2: f64, kind: QuasiNewtonUpdate) -> crate::Result<Self> {
        if p.saturating_mul(p) > MAX_DENSE_ENTRIES {
            return Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!(
                    "{p} parameters need a dense {p}×{p} inverse Hessian ({:.1} GB); use L-BFGS",
                    (p * p) as f64 * 8e-9
                ),
            });
        }
        let linesearch = MoreThuenteLineSearch::new().with_c(c1, c2).map_err(|e| {
            crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("line search constants c1 = {c1}, c2 = {c2}: {e}"),
            }
        })?;
        Ok(Self {
            linesearch,
            kind,
            tol_grad: 1e-10,
            tol_cost: 0.0,
            h: Vec::new(),
            next: None,
            p,
            failure: None,
            initial_step: InitialStep::Unit,
            prev_cost: None,
            step_mean: None,
        })
    }

    /// The line search's first trial step (default [`InitialStep::Unit`]).
    pub fn with_initial_step(mut self, rule: InitialStep) -> Self {
        self.initial_step = rule;
        self
    }

    /// Stop when ‖g‖₂ < `tol` (and `|Δf| < tol_cost`).
    pub fn with_tolerances(mut self, tol_grad: f64, tol_cost: f64) -> Self {
        self.tol_grad = tol_grad;
        self.tol_cost = tol_cost;
        self
    }

    /// The current inverse-Hessian approximation (row-major `p × p`), once it exists.
    pub fn inverse_hessian(&self) -> Option<Vec<f64>> {
        (!self.h.is_empty()).then(|| packed::unpack(&self.h, self.p))
    }

    /// Starts from `h` (row-major `p × p`) instead of the identity: symmetrised,
    /// `(h + hᵀ)/2`, and used only if that is positive definite (Cholesky); otherwise the
    /// solver starts afresh. Returns whether `h` was taken.
    pub fn with_inverse_hessian(mut self, mut h: Vec<f64>) -> (Self, bool) {
        let p = self.p;
        if h.len() != p * p || h.iter().any(|v| !v.is_finite()) {
            return (self, false);
        }
        for i in 0..p {
            for j in 0..i {
                let m = 0.5 * (h[i * p + j] + h[j * p + i]);
                h[i * p + j] = m;
                h[j * p + i] = m;
            }
        }
        let mat = faer::Mat::from_fn(p, p, |i, j| h[i * p + j]);
        let ok = mat.llt(faer::Side::Lower).is_ok();
        if ok {
            self.h = packed::pack(&h, p);
            self.next = None;
        }
        (self, ok)
    }

    /// Takes the inverse Hessian out (row-major `p × p`, for the next stage), leaving the
    /// solver fresh.
    pub fn take_inverse_hessian(&mut self) -> Option<Vec<f64>> {
        self.next = None;
        let h = std::mem::take(&mut self.h);
        (!h.is_empty()).then(|| packed::unpack(&h, self.p))
    }

    /// `H v`, in parallel blocks of rows (the result does not depend on the number of
    /// threads). `H = I` before the first update.
    fn apply(&self, v: &[f64]) -> Vec<f64> {
        if self.h.is_empty() {
            return v.to_vec();
        }
        let [hv] = packed::products(&self.h, self.p, [v]);
        hv
    }

    /// `H a` and `H b` in one pass over `H` (the matrix is read once).
    fn apply2(&self, a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let [ha, hb] = packed::products(&self.h, self.p, [a, b]);
        (ha, hb)
    }

    /// The self-scaled BFGS update of `H` with the pair `(s, y)`; `g1` is the new gradient,
    /// `sg = sᵀg` at the start of the step and `alpha` its length along `d`. Leaves `H⁺ g1`
    /// for the next direction (from the same pass over `H` as `H y`). Returns τ (1 when not
    /// scaled), or `None` when the update was skipped.
    fn update(&mut self, s: &[f64], y: &[f64], g1: &[f64], sg: f64, alpha: f64) -> Option<f64> {
        self.next = None;
        let p = self.p;
        let sy = dot(s, y);
        let (ns, ny) = (dot(s, s).sqrt(), dot(y, y).sqrt());
        if sy.is_nan() || sy <= 1e-12 * ns * ny {
            return None;
        }
        if self.h.is_empty() {
            let gamma = sy / dot(y, y);
            self.h = vec![0.0; packed::len(p)];
            for i in 0..p {
                *packed::diagonal_mut(&mut self.h, p, i) = gamma;
            }
        }
        let b = -alpha * sg / sy;
        let (hy, hg) = self.apply2(y, g1);
        let yhy = dot(y, &hy);
        let h_ratio = yhy / sy;
        let a = b * h_ratio - 1.0;
        // (τ, φ): scaling and Broyden parameter; φ = 1 is BFGS.
        let (tau, phi) = match self.kind {
            QuasiNewtonUpdate::Bfgs => (1.0, 1.0),
            QuasiNewtonUpdate::SelfScaledBfgs => {
                (if b > 0.0 { (1.0 / b).min(1.0) } else { 1.0 }, 1.0)
            }
            QuasiNewtonUpdate::SelfScaledBroyden => {
                if b > 0.0 && a > 1e-12 {
                    broyden_parameters(a, b, h_ratio, p)
                } else {
                    (if b > 0.0 { (1.0 / b).min(1.0) } else { 1.0 }, 1.0)
                }
            }
        };
        if !(tau.is_finite() && tau > 0.0 && phi.is_finite()) {
            return None;
        }
        let inv_tau = 1.0 / tau;
        let rho = 1.0 / sy;
        // H⁺ = (H − Hy Hyᵀ/yHy + φ yHy v vᵀ)/τ + ρ s sᵀ, v = ρ s − Hy/yHy.
        let v: Vec<f64> = s
            .iter()
            .zip(&hy)
            .map(|(si, hyi)| rho * si - hyi / yhy)
            .collect();
        let (cv, chy) = (phi * yhy * inv_tau, inv_tau / yhy);
        let rows = packed::rows_mut(&mut self.h, p);
        rows.into_par_iter().enumerate().for_each(|(i, row)| {
            let (si, hyi, vi) = (s[i], hy[i], v[i]);
            let cols = row.iter_mut().zip(&hy[i..]).zip(&v[i..]).zip(&s[i..]);
            for (((h, hyj), vj), sj) in cols {
                // Each product x_i·x_j before its coefficient: H stays exactly symmetric.
                *h = *h * inv_tau - chy * (hyi * hyj) + cv * (vi * vj) + rho * (si * sj);
            }
        });
        // H⁺g₁ from the same quantities (H was read once, for Hy and Hg₁ together).
        let (sg1, hyg1, vg1) = (dot(s, g1), dot(&hy, g1), dot(&v, g1));
        self.next = Some(
            (0..p)
                .map(|i| hg[i] * inv_tau - chy * hy[i] * hyg1 + cv * v[i] * vg1 + rho * s[i] * sg1)
                .collect(),
        );
        Some(tau)
    }
}

#[cfg(test)]
mod tests;
