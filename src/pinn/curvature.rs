//! The curvature of a PINN loss for the diagnostics: [`PinnHessian`], the exact Hessian as an
//! [`Operator`], and [`PinnCurvature`], the diagnostics at one point as named values and as an
//! [`Inspector`] that records them every `k` steps of a run.

use super::Pinn;
use crate::diagnostics::{
    lanczos, CurvatureReport, GaussNewton, LanczosSettings, Operator, Preconditioned,
    ReportSettings,
};
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::run::Inspector;

/// The exact Hessian of a PINN loss at fixed parameters, or of one of its terms, through
/// [`Pinn::hessian_vector_product`] (forward over reverse: exact to rounding, unlike
/// [`crate::diagnostics::FiniteDifferenceHessian`]; unlike [`GaussNewton`] it includes the residual
/// curvature `2Σ ρ_i ∇²ρ_i`, so it can be indefinite).
pub struct PinnHessian<'a> {
    pinn: &'a Pinn,
    params: Vec<f64>,
    term: Option<String>,
}

impl<'a> PinnHessian<'a> {
    /// The Hessian of the whole loss at `params`.
    pub fn new(pinn: &'a Pinn, params: &[f64]) -> Result<Self> {
        let p = pinn.mlp().num_params();
        if params.len() != p {
            return Err(Error::DimensionMismatch {
                component: "pinn hessian",
                what: "params",
                expected: p,
                got: params.len(),
            });
        }
        Ok(Self {
            pinn,
            params: params.to_vec(),
            term: None,
        })
    }

    /// The Hessian of loss term `name` (`"pde"` or a condition's name) alone.
    pub fn term(pinn: &'a Pinn, params: &[f64], name: &str) -> Result<Self> {
        if !pinn.term_sizes().iter().any(|(n, _)| n == name) {
            return Err(Error::InvalidConfig {
                component: "pinn hessian",
                message: format!("no loss term named {name:?}"),
            });
        }
        Ok(Self {
            term: Some(name.to_string()),
            ..Self::new(pinn, params)?
        })
    }
}

impl Operator for PinnHessian<'_> {
    fn dim(&self) -> usize {
        self.params.len()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        match &self.term {
            None => self.pinn.hessian_vector_product(&self.params, v, out)?,
            Some(t) => self
                .pinn
                .term_hessian_vector_product(t, &self.params, v, out)?,
        };
        Ok(())
    }

    fn label(&self) -> String {
        let of = match &self.term {
            None => "all terms".to_string(),
            Some(t) => format!("term {t}"),
        };
        format!(
            "hessian of {} ({of}), exact: forward-over-reverse products",
            self.pinn.name()
        )
    }
}

/// Which curvature quantities to compute for a PINN, and how precisely.
///
/// Values (names as in the run file's `/diagnostics` group):
/// - with `hessian`: `hessian_lambda_max` (exact Hessian, Lanczos) and its certificate
///   `hessian_lambda_max_residual` = ‖Hy − θy‖, `hessian_lambda_min` (negative where the
///   residual curvature makes the loss non-convex) with its residual, `ideal_step` = 1/λmax
///   and `gd_limit` = 2/λmax; given effective steps `D`, `hessian_preconditioned_sharpness`
///   = λmax(D^{1/2} H D^{1/2}); with `per_term`, `hessian_lambda_max_<term>` for each loss term;
/// - with `gauss_newton`: the same names with `gauss_newton_` for `2JᵀJ` (also the Fisher of a
///   Gaussian residual model), without `lambda_min` (it is ≥ 0);
/// - given effective steps: `effective_step_min`, `_median`, `_max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PinnCurvature {
    /// The exact Hessian (forward-over-reverse products).
    pub hessian: bool,
    /// The Gauss-Newton matrix (one reverse pass per residual for the Jacobian).
    pub gauss_newton: bool,
    /// Also λmax of each loss term's operator.
    pub per_term: bool,
    /// Lanczos settings (`k` and `end` are set per quantity).
    pub lanczos: LanczosSettings,
    /// The optimizer's β1, for the report's momentum threshold.
    pub beta1: f64,
}

impl Default for PinnCurvature {
    /// Everything, Lanczos to a relative residual of 1e-8.
    fn default() -> Self {
        Self {
            hessian: true,
            gauss_newton: true,
            per_term: true,
            lanczos: LanczosSettings {
                tol: 1e-8,
                ..LanczosSettings::default()
            },
            beta1: 0.9,
        }
    }
}

impl PinnCurvature {
    /// The chosen diagnostics of `pinn` at `params`, beside `effective_steps` if given.
    pub fn measure(
        &self,
        pinn: &Pinn,
        params: &[f64],
        effective_steps: Option<&[f64]>,
    ) -> Result<Vec<(String, f64)>> {
        let settings = ReportSettings {
            lanczos: self.lanczos,
            dense_limit: 0,
            beta1: self.beta1,
        };
        let steps = effective_steps.map(|d| (d, None));
        let top =
            |op: &dyn Operator| -> Result<f64> { Ok(lanczos(op, self.lanczos)?.pairs[0].value) };
        let mut out = Vec::new();
        let mut push = |name: &str, v: f64| out.push((name.to_string(), v));
        let terms: Vec<String> = pinn.term_sizes().into_iter().map(|(n, _)| n).collect();
        if self.hessian {
            let h = PinnHessian::new(pinn, params)?;
            let r = CurvatureReport::compute(&h, steps, settings)?;
            push("hessian_lambda_max", r.lambda_max);
            push("hessian_lambda_max_residual", r.lambda_max_residual);
            push("hessian_lambda_min", r.lambda_min);
            push("hessian_lambda_min_residual", r.lambda_min_residual);
            push("ideal_step", r.ideal_step);
            push("gd_limit", r.gd_limit);
            if let Some(s) = r.preconditioned_sharpness {
                push("hessian_preconditioned_sharpness", s);
            }
            if let Some(s) = r.steps {
                push("effective_step_min", s.min);
                push("effective_step_median", s.median);
                push("effective_step_max", s.max);
            }
            if self.per_term {
                for t in &terms {
                    let v = top(&PinnHessian::term(pinn, params, t)?)?;
                    push(&format!("hessian_lambda_max_{t}"), v);
                }
            }
        }
        if self.gauss_newton {
            let jac = pinn.residual_jacobian(params)?;
            let gn = GaussNewton::new(&jac);
            let top_gn = lanczos(&gn, self.lanczos)?;
            push("gauss_newton_lambda_max", top_gn.pairs[0].value);
            push("gauss_newton_lambda_max_residual", top_gn.pairs[0].residual);
            if let Some(d) = effective_steps {
                let pre = Preconditioned::new(&gn, d)?;
                push("gauss_newton_preconditioned_sharpness", top(&pre)?);
            }
            if self.per_term {
                for t in &terms {
                    let v = top(&GaussNewton::term(&jac, t)?)?;
                    push(&format!("gauss_newton_lambda_max_{t}"), v);
                }
            }
        }
        Ok(out)
    }

    /// An [`Inspector`] that runs [`PinnCurvature::measure`] every `every` steps of a run on
    /// `pinn`, with the rule's effective steps (pass it to `Runner::run_observed` like any observer).
    pub fn inspector(self, pinn: Pinn, every: u64) -> Result<Inspector> {
        Inspector::new(every, move |at| {
            self.measure(&pinn, at.params, at.effective_steps.as_deref())
        })
    }
}
