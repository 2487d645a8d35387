//! [`Bfgs`]: dense BFGS on the inverse Hessian, optionally self-scaled, as an argmin solver
//! (so it runs through the same executor, observers and line search as argmin's L-BFGS).

use argmin::core::{
    CostFunction, Error, Executor, Gradient, OptimizationResult, Problem, Solver, State as _,
    TerminationReason, TerminationStatus, KV,
};
use argmin::solver::linesearch::LineSearch;
use argmin::solver::linesearch::MoreThuenteLineSearch;
use rayon::prelude::*;

use super::adaptive::State;
use super::bridge::Borrowed;

/// Largest dense matrix the solver agrees to hold (entries): 10⁸ f64 = 800 MB.
pub const MAX_DENSE_ENTRIES: usize = 100_000_000;

/// The inverse-Hessian update of [`Bfgs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuasiNewtonUpdate {
    /// Plain BFGS.
    Bfgs,
    /// BFGS on `H/τ`, `τ = min(1, sᵀy/sᵀBs)` (Oren-Luenberger, restricted as Al-Baali).
    #[default]
    SelfScaledBfgs,
    /// The self-scaled Broyden update of Urbán, Stefanou & Pons (arXiv:2405.04230, their
    /// "SSBroyden2"): a member of the Broyden class chosen at every step, with its scaling.
    SelfScaledBroyden,
}

impl QuasiNewtonUpdate {
    /// `bfgs`, `ssbfgs` or `ssbroyden`.
    pub fn name(self) -> &'static str {
        match self {
            QuasiNewtonUpdate::Bfgs => "bfgs",
            QuasiNewtonUpdate::SelfScaledBfgs => "ssbfgs",
            QuasiNewtonUpdate::SelfScaledBroyden => "ssbroyden",
        }
    }
}

impl std::str::FromStr for QuasiNewtonUpdate {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "bfgs" => Ok(QuasiNewtonUpdate::Bfgs),
            "ssbfgs" => Ok(QuasiNewtonUpdate::SelfScaledBfgs),
            "ssbroyden" => Ok(QuasiNewtonUpdate::SelfScaledBroyden),
            other => Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("unknown update {other:?} (bfgs, ssbfgs or ssbroyden)"),
            }),
        }
    }
}

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
/// A stage may start from a given `H` ([`Bfgs::with_inverse_hessian`]): the runner carries it
/// from one BFGS stage to the next when asked (e.g. across collocation-point resampling, as
/// Urbán et al. do), symmetrised and checked positive definite by a Cholesky factorisation.
///
/// An update is skipped when `sᵀy ≤ 10⁻¹²·‖s‖‖y‖` (no positive curvature measured), so `H`
/// stays positive definite. Unlike L-BFGS it keeps all curvature pairs, at `p²` memory: the
/// constructor refuses more than [`MAX_DENSE_ENTRIES`] entries.
#[derive(Clone)]
pub struct Bfgs {
    linesearch: MoreThuenteLineSearch<Vec<f64>, Vec<f64>, f64>,
    kind: QuasiNewtonUpdate,
    tol_grad: f64,
    tol_cost: f64,
    /// Row-major `p × p`; empty until the first update.
    h: Vec<f64>,
    /// `H g` for the gradient of the current point, when the last update computed it.
    next: Option<Vec<f64>>,
    p: usize,
    /// Why the last line search failed, if it did.
    failure: Option<String>,
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
        })
    }

    /// Stop when ‖g‖₂ < `tol` (and `|Δf| < tol_cost`).
    pub fn with_tolerances(mut self, tol_grad: f64, tol_cost: f64) -> Self {
        self.tol_grad = tol_grad;
        self.tol_cost = tol_cost;
        self
    }

    /// The current inverse-Hessian approximation (row-major `p × p`), once it exists.
    pub fn inverse_hessian(&self) -> Option<&[f64]> {
        (!self.h.is_empty()).then_some(&self.h[..])
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
            self.h = h;
            self.next = None;
        }
        (self, ok)
    }

    /// Takes the inverse Hessian out (for the next stage), leaving the solver fresh.
    pub fn take_inverse_hessian(&mut self) -> Option<Vec<f64>> {
        self.next = None;
        (!self.h.is_empty()).then(|| std::mem::take(&mut self.h))
    }

    /// `H v`, rows in parallel (each row is one dot product, so the result does not depend on
    /// the number of threads). `H = I` before the first update.
    fn apply(&self, v: &[f64]) -> Vec<f64> {
        if self.h.is_empty() {
            return v.to_vec();
        }
        self.h.par_chunks(self.p).map(|row| dot(row, v)).collect()
    }

    /// `H a` and `H b` in one pass over `H` (the matrix is read once).
    fn apply2(&self, a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
        self.h
            .par_chunks(self.p)
            .map(|row| (dot(row, a), dot(row, b)))
            .unzip()
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
            self.h = vec![0.0; p * p];
            for i in 0..p {
                self.h[i * p + i] = gamma;
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
        self.h.par_chunks_mut(p).enumerate().for_each(|(i, row)| {
            let (si, hyi, vi) = (s[i], hy[i], v[i]);
            for j in 0..p {
                // Each product x_i·x_j before its coefficient: H stays exactly symmetric.
                row[j] =
                    row[j] * inv_tau - chy * (hyi * hy[j]) + cv * (vi * v[j]) + rho * (si * s[j]);
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

/// `(τ, φ)` of the self-scaled Broyden update for `a = bh − 1 > 0`, `b = ρ sᵀBs > 0`,
/// `h = ρ yᵀHy`, `p` parameters (see [`Bfgs`]).
fn broyden_parameters(a: f64, b: f64, h: f64, p: usize) -> (f64, f64) {
    let rho_minus = (h * (1.0 - (a / (1.0 + a)).sqrt())).min(1.0);
    let theta_minus = (rho_minus - 1.0) / a;
    let theta_plus = 1.0 / rho_minus;
    let theta = theta_minus.max(theta_plus.min((1.0 - b) / b));
    let sigma = 1.0 + a * theta;
    let sigma_root = sigma.abs().powf(1.0 / (1.0 - p as f64));
    let scale = (1.0 / b).min(1.0);
    let tau = if theta <= 0.0 {
        (scale * sigma_root).min(sigma)
    } else {
        scale * sigma_root.min(1.0 / theta)
    };
    (tau, (1.0 - theta) / (1.0 + a * theta))
}

/// The typed error for a piece of the solver's state that is not there.
fn missing(what: &str) -> crate::Error {
    crate::Error::InvalidConfig {
        component: "bfgs",
        message: what.to_string(),
    }
}

impl Bfgs {
    /// Ends the stage at the start of the failed step (`x`, its gradient and loss), keeping
    /// the reason for [`Bfgs::line_search_failure`].
    fn search_failed(
        &mut self,
        state: State,
        x: Vec<f64>,
        g: Vec<f64>,
        cost: f64,
        why: String,
    ) -> (State, Option<KV>) {
        let reason = TerminationReason::SolverExit(format!("line search failed: {why}"));
        self.failure = Some(why);
        (
            state.param(x).gradient(g).cost(cost).terminate_with(reason),
            None,
        )
    }

    /// Why the last line search failed, if the solver stopped on one.
    pub fn line_search_failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}

impl super::SolverSnapshot for Bfgs {
    fn save(&self) -> crate::Result<Vec<u8>> {
        super::checkpoint::encode("bfgs", &(self.p, &self.h, &self.next))
    }

    fn restored(mut self, bytes: &[u8]) -> crate::Result<Self> {
        type Saved = (usize, Vec<f64>, Option<Vec<f64>>);
        let (p, h, next): Saved = super::checkpoint::decode("bfgs", bytes)?;
        let ok = p == self.p
            && (h.is_empty() || h.len() == p * p)
            && next.as_ref().is_none_or(|n| n.len() == p);
        if !ok {
            return Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("checkpoint for {p} parameters does not fit {}", self.p),
            });
        }
        self.h = h;
        self.next = next;
        self.failure = None;
        Ok(self)
    }
}

/// `aᵀb` with eight running sums (so it vectorizes), combined in a fixed order.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}

impl<O> Solver<O, State> for Bfgs
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    fn name(&self) -> &str {
        "BFGS"
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        mut state: State,
    ) -> Result<(State, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| missing("no initial parameters"))?;
        if x.len() != self.p {
            return Err(crate::Error::DimensionMismatch {
                component: "bfgs",
                what: "params",
                expected: self.p,
                got: x.len(),
            }
            .into());
        }
        let cost = problem.cost(&x)?;
        let grad = problem.gradient(&x)?;
        Ok((state.param(x).cost(cost).gradient(grad), None))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        mut state: State,
    ) -> Result<(State, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| missing("parameters missing from the state"))?;
        let g = state
            .take_gradient()
            .ok_or_else(|| missing("gradient missing from the state"))?;
        let cost = state.get_cost();
        let hg = match self.next.take() {
            Some(hg) => hg,
            None => self.apply(&g),
        };
        let mut d: Vec<f64> = hg.into_iter().map(|v| -v).collect();
        let dg = dot(&d, &g);
        if dg.is_nan() || dg >= 0.0 {
            // Lost positive definiteness to rounding: start over from steepest descent.
            self.h.clear();
            d = g.iter().map(|v| -v).collect();
        }
        self.linesearch.search_direction(d.clone());
        // The line search borrows the problem, so that it stays in place whatever the search
        // does (a failed search must leave it to the runner, which may restart from here).
        let inner = problem
            .problem
            .as_ref()
            .ok_or_else(|| missing("problem missing"))?;
        let search = Executor::new(Borrowed(inner), self.linesearch.clone())
            .configure(|c| c.param(x.clone()).gradient(g.clone()).cost(cost))
            .ctrlc(false)
            .run();
        let OptimizationResult {
            problem: line_problem,
            state: mut ls_state,
            ..
        } = match search {
            Ok(r) => r,
            Err(e) => return Ok(self.search_failed(state, x, g, cost, format!("'{e}'"))),
        };
        let counts = std::mem::take(&mut { line_problem }.counts);
        for (k, v) in counts {
            *problem.counts.entry(k).or_insert(0) += v;
        }
        let x1 = ls_state
            .take_param()
            .ok_or_else(|| missing("the line search returned no point"))?;
        let cost1 = ls_state.get_cost();
        if cost1.is_nan() || cost1 > cost {
            // More-Thuente can stop at its iteration cap on a point that does not satisfy the
            // Wolfe conditions; an increase is never accepted.
            let why = format!("no decrease (f = {cost1:e} > {cost:e})");
            return Ok(self.search_failed(state, x, g, cost, why));
        }
        let g1 = problem.gradient(&x1)?;
        let s: Vec<f64> = x1.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g1.iter().zip(&g).map(|(a, b)| a - b).collect();
        let alpha = dot(&s, &d) / dot(&d, &d);
        let tau = self.update(&s, &y, &g1, dot(&s, &g), alpha);
        let kv = argmin::kv!("tau" => tau.unwrap_or(f64::NAN); "step" => alpha;);
        Ok((state.param(x1).cost(cost1).gradient(g1), Some(kv)))
    }

    fn terminate(&mut self, state: &State) -> TerminationStatus {
        let gn = state
            .get_gradient()
            .map_or(f64::INFINITY, |g| dot(g, g).sqrt());
        if gn < self.tol_grad || (state.get_prev_cost() - state.get_cost()).abs() < self.tol_cost {
            return TerminationStatus::Terminated(TerminationReason::SolverConverged);
        }
        TerminationStatus::NotTerminated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_keeps_the_secant_condition_symmetry_and_the_fused_direction() {
        let p = 4;
        for kind in [
            QuasiNewtonUpdate::Bfgs,
            QuasiNewtonUpdate::SelfScaledBfgs,
            QuasiNewtonUpdate::SelfScaledBroyden,
        ] {
            let scaled = kind != QuasiNewtonUpdate::Bfgs;
            let mut b = Bfgs::new(p, 1e-4, 0.9, kind).unwrap();
            let pairs = [
                ([1.0, 0.0, 0.5, -0.2], [2.0, 0.1, 0.7, -0.1]),
                ([0.0, 1.0, -0.3, 0.4], [0.2, 3.0, -0.4, 1.1]),
                ([0.3, -0.2, 1.0, 0.1], [0.5, -0.3, 4.0, 0.2]),
            ];
            for (s, y) in pairs {
                let g1 = [0.3, -1.0, 0.2, 0.7];
                // sᵀBs = −α sᵀg = 10 > sᵀy: the self-scaled update shrinks the model (τ < 1).
                let tau = b.update(&s, &y, &g1, -1.0, 10.0).unwrap();
                assert_eq!(tau < 1.0, scaled, "{kind:?}: {tau}");
                // The direction left for the next step is H⁺ g₁, computed without H⁺.
                let next = b.next.clone().unwrap();
                for (a, c) in next.iter().zip(&b.apply(&g1)) {
                    assert!((a - c).abs() < 1e-12);
                }
                // H⁺ y = s.
                let hy = b.apply(&y);
                for (a, c) in hy.iter().zip(&s) {
                    assert!((a - c).abs() < 1e-12, "{hy:?} vs {s:?}");
                }
            }
            let h = b.inverse_hessian().unwrap();
            for i in 0..p {
                for j in 0..p {
                    assert!((h[i * p + j] - h[j * p + i]).abs() < 1e-14);
                }
            }
        }
        let mut b = Bfgs::new(p, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs).unwrap();
        b.update(
            &[1.0, 0.0, 0.0, 0.0],
            &[2.0, 0.0, 0.0, 0.0],
            &[0.0; 4],
            -1.0,
            1.0,
        );
        // Negative curvature is skipped.
        assert!(b
            .update(
                &[1.0, 0.0, 0.0, 0.0],
                &[-1.0, 0.0, 0.0, 0.0],
                &[0.0; 4],
                -1.0,
                1.0
            )
            .is_none());
        assert!(Bfgs::new(20_000, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs).is_err());
        let e = Bfgs::new(4, 0.5, 0.1, QuasiNewtonUpdate::Bfgs)
            .err()
            .unwrap();
        assert!(e.to_string().contains("c1 = 0.5"), "{e}");
    }

    #[test]
    fn a_carried_inverse_hessian_is_symmetrised_and_must_be_positive_definite() {
        let b = Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::SelfScaledBroyden).unwrap();
        // Not symmetric, but (h + hᵀ)/2 = [[2, 1], [1, 2]] is positive definite.
        let (b, ok) = b.with_inverse_hessian(vec![2.0, 0.5, 1.5, 2.0]);
        assert!(ok);
        assert_eq!(b.inverse_hessian().unwrap(), &[2.0, 1.0, 1.0, 2.0]);
        // Indefinite: refused, the solver starts from scratch.
        let fresh = Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs).unwrap();
        let (fresh, ok) = fresh.with_inverse_hessian(vec![1.0, 2.0, 2.0, 1.0]);
        assert!(!ok && fresh.inverse_hessian().is_none());
        let (_, ok) = Bfgs::new(2, 1e-4, 0.9, QuasiNewtonUpdate::Bfgs)
            .unwrap()
            .with_inverse_hessian(vec![1.0, f64::NAN, 0.0, 1.0]);
        assert!(!ok);
    }
}
