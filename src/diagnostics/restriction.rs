//! [`TangentRestriction`]: an operator restricted to the tangent space of linear equality
//! constraints.

use super::Operator;
use crate::error::{Error, Result};

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
