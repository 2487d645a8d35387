//! Curvature operators of ravine's problems: the exact Hessian of a PINN loss (whole or per
//! term), the portfolio Hessian `γΣ`, its restriction to the budget constraint's tangent space,
//! and a finite-difference Hessian (cross-check only).

use super::Operator;
use crate::error::{Error, Result};
use crate::pinn::Pinn;
use crate::portfolio::MeanVariance;
use crate::problem::Problem;

/// The exact Hessian of a PINN loss at fixed parameters, or of one of its terms, through
/// [`Pinn::hessian_vector_product`] (forward over reverse: exact to rounding, unlike
/// [`FiniteDifferenceHessian`]; unlike [`super::GaussNewton`] it includes the residual
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

/// The exact Hessian `γΣ` of a mean-variance objective, in the data's units, or `γΣ/s` of the
/// scaled loss `f/s` that the update rules minimise.
pub struct PortfolioHessian<'a> {
    problem: &'a MeanVariance,
    scaled: bool,
}

impl<'a> PortfolioHessian<'a> {
    /// The Hessian `γΣ` of `problem`'s objective `f`.
    pub fn new(problem: &'a MeanVariance) -> Self {
        Self {
            problem,
            scaled: false,
        }
    }

    /// The Hessian `γΣ/s` of the scaled loss `f/s` (see [`MeanVariance`]): the curvature the
    /// rules' steps and effective steps refer to.
    pub fn of_scaled_loss(problem: &'a MeanVariance) -> Self {
        Self {
            problem,
            scaled: true,
        }
    }
}

impl Operator for PortfolioHessian<'_> {
    fn dim(&self) -> usize {
        self.problem.dim()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        self.problem.risk().matvec(v, out);
        let mut g = self.problem.objective_kind().gamma();
        if self.scaled {
            g /= self.problem.scale();
        }
        out.iter_mut().for_each(|x| *x *= g);
        Ok(())
    }

    fn label(&self) -> String {
        let what = self.problem.objective_kind().label();
        if self.scaled {
            format!("hessian gamma*Sigma/s of the scaled loss of {what} (exact)")
        } else {
            format!("hessian gamma*Sigma of {what} (exact)")
        }
    }
}

/// `QᵀHQ`: an operator restricted to the tangent space `{d : Ad = 0}` of equality
/// constraints, with `Q` (`p × (p − m)`, orthonormal columns) from Householder reflections of
/// `Aᵀ`. Its eigenvalues are the curvature a method that stays on the constraints sees; for a
/// portfolio under the budget `1ᵀw = 1` they interlace those of `γΣ`, and the ideal step is
/// `1/λmax` of this operator, not of `γΣ`.
pub struct TangentRestriction<'a, O: Operator + ?Sized> {
    inner: &'a O,
    /// Householder vectors `u_j` (unit), `H_j = I − 2 u_j u_jᵀ`.
    reflectors: Vec<Vec<f64>>,
    what: String,
}

impl<'a, O: Operator + ?Sized> TangentRestriction<'a, O> {
    /// Restricts `inner` to `{d : a_jᵀ d = 0 for every row}`; `what` names the constraints in
    /// the label. Errors when a row has the wrong length or the rows are dependent.
    pub fn new(inner: &'a O, rows: &[Vec<f64>], what: &str) -> Result<Self> {
        let p = inner.dim();
        let m = rows.len();
        if m >= p {
            return Err(Error::InvalidConfig {
                component: "tangent restriction",
                message: format!("{m} constraints leave no tangent space in dimension {p}"),
            });
        }
        let mut cols: Vec<Vec<f64>> = rows.to_vec();
        if let Some(r) = cols.iter().find(|r| r.len() != p) {
            return Err(Error::DimensionMismatch {
                component: "tangent restriction",
                what: "constraint row",
                expected: p,
                got: r.len(),
            });
        }
        let mut reflectors = Vec::with_capacity(m);
        for j in 0..m {
            let x = &cols[j];
            let norm = x[j..].iter().map(|v| v * v).sum::<f64>().sqrt();
            let full = x.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm <= 1e-12 * full.max(f64::MIN_POSITIVE) {
                return Err(Error::InvalidConfig {
                    component: "tangent restriction",
                    message: format!("constraint row {j} depends on the previous ones"),
                });
            }
            let mut u = vec![0.0; p];
            u[j..].copy_from_slice(&x[j..]);
            u[j] += if x[j] >= 0.0 { norm } else { -norm };
            let un = u.iter().map(|v| v * v).sum::<f64>().sqrt();
            u.iter_mut().for_each(|v| *v /= un);
            for c in cols.iter_mut().skip(j) {
                reflect(&u, c);
            }
            reflectors.push(u);
        }
        Ok(Self {
            inner,
            reflectors,
            what: what.to_string(),
        })
    }

    /// `Q z` for `z ∈ ℝ^{p−m}`.
    pub fn lift(&self, z: &[f64]) -> Vec<f64> {
        let m = self.reflectors.len();
        let mut x = vec![0.0; m];
        x.extend_from_slice(z);
        for u in self.reflectors.iter().rev() {
            reflect(u, &mut x);
        }
        x
    }

    /// `Qᵀ y`.
    pub fn restrict(&self, y: &[f64]) -> Vec<f64> {
        let mut x = y.to_vec();
        for u in &self.reflectors {
            reflect(u, &mut x);
        }
        x.split_off(self.reflectors.len())
    }
}

fn reflect(u: &[f64], x: &mut [f64]) {
    let c = 2.0 * u.iter().zip(x.iter()).map(|(a, b)| a * b).sum::<f64>();
    x.iter_mut().zip(u).for_each(|(v, a)| *v -= c * a);
}

impl<O: Operator + ?Sized> Operator for TangentRestriction<'_, O> {
    fn dim(&self) -> usize {
        self.inner.dim() - self.reflectors.len()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        let x = self.lift(v);
        let mut hx = vec![0.0; x.len()];
        self.inner.apply(&x, &mut hx)?;
        out.copy_from_slice(&self.restrict(&hx));
        Ok(())
    }

    fn label(&self) -> String {
        format!(
            "[{}] restricted to the tangent space of {}",
            self.inner.label(),
            self.what
        )
    }
}

/// `Hv ≈ (∇L(x + hv) − ∇L(x − hv)) / 2h` from a problem's gradients: a cross-check of exact
/// products, never a substitute (truncation error `O(h²)`, rounding `O(ε/h)`).
pub struct FiniteDifferenceHessian<'a, P: Problem + ?Sized> {
    problem: &'a P,
    x: Vec<f64>,
    h: f64,
}

impl<'a, P: Problem + ?Sized> FiniteDifferenceHessian<'a, P> {
    /// At `x`, with relative step `h` (1e-5 is a good default for smooth f64 losses).
    pub fn new(problem: &'a P, x: &[f64], h: f64) -> Result<Self> {
        crate::error::positive("finite-difference hessian", "h", h)?;
        if x.len() != problem.dim() {
            return Err(Error::DimensionMismatch {
                component: "finite-difference hessian",
                what: "point",
                expected: problem.dim(),
                got: x.len(),
            });
        }
        Ok(Self {
            problem,
            x: x.to_vec(),
            h,
        })
    }
}

impl<P: Problem + ?Sized> Operator for FiniteDifferenceHessian<'_, P> {
    fn dim(&self) -> usize {
        self.problem.dim()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        let vn = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if vn == 0.0 {
            out.iter_mut().for_each(|o| *o = 0.0);
            return Ok(());
        }
        let xn = self.x.iter().map(|a| a * a).sum::<f64>().sqrt();
        let step = self.h * (1.0 + xn) / vn;
        let mut comps = vec![0.0; self.problem.component_names().len()];
        let (mut gp, mut gm) = (vec![0.0; v.len()], vec![0.0; v.len()]);
        let xp: Vec<f64> = self.x.iter().zip(v).map(|(a, b)| a + step * b).collect();
        let xm: Vec<f64> = self.x.iter().zip(v).map(|(a, b)| a - step * b).collect();
        self.problem.evaluate(&xp, &mut gp, &mut comps)?;
        self.problem.evaluate(&xm, &mut gm, &mut comps)?;
        for ((o, a), b) in out.iter_mut().zip(&gp).zip(&gm) {
            *o = (a - b) / (2.0 * step);
        }
        Ok(())
    }

    fn label(&self) -> String {
        format!(
            "hessian of {} by central differences of gradients (cross-check only)",
            self.problem.name()
        )
    }
}
