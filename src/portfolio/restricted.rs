//! [`RestrictedSolve`]: systems with a covariance restricted to the free assets,
//! `Σ[F, F] x = r`, the linear algebra of the active-set solver ([`super::solve_active_set`]).
//!
//! A dense covariance factors its principal submatrix (Cholesky, `O(|F|³)`); a factor model
//! `Σ = BFBᵀ + D` uses the Woodbury identity in `O(|F| k²)` time and `O(|F| k)` memory:
//!
//! ```text
//! (D_F + B_F F B_Fᵀ)⁻¹ = D_F⁻¹ − D_F⁻¹ B_F (I + F M)⁻¹ F B_Fᵀ D_F⁻¹,   M = B_Fᵀ D_F⁻¹ B_F,
//! ```
//!
//! a form that needs no `F⁻¹` (a singular factor covariance is fine: `I + FM` is invertible,
//! its eigenvalues those of `I + F^{1/2} M F^{1/2}` ≥ 1). Both solve once more on the residual
//! (one step of iterative refinement against the exact product).

use super::FactorModel;
use faer::linalg::matmul::matmul;
use faer::linalg::solvers::{Llt, PartialPivLu, Solve};
use faer::{Accum, Mat, MatMut, MatRef, Par, Side};

/// Solves `Σ[F, F] x = r` for one fixed set `F` of free assets (built by
/// [`super::RiskModel::restricted`]).
pub trait RestrictedSolve: Send + Sync {
    /// `Σ[F, F]⁻¹ r` (`r` in the order of `F`).
    fn solve(&self, r: &[f64]) -> Vec<f64>;
}

/// `x + Δ` where `Δ` solves the residual `r − Ax` once more: one step of iterative refinement.
fn refined(
    r: &[f64],
    solve: impl Fn(&[f64]) -> Vec<f64>,
    product: impl Fn(&[f64]) -> Vec<f64>,
) -> Vec<f64> {
    let mut x = solve(r);
    let ax = product(&x);
    let residual: Vec<f64> = r.iter().zip(&ax).map(|(a, b)| a - b).collect();
    for (xi, di) in x.iter_mut().zip(solve(&residual)) {
        *xi += di;
    }
    x
}

fn column(v: &[f64]) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(v, v.len(), 1)
}

/// Cholesky of a dense principal submatrix.
pub(super) struct DenseRestricted {
    a: Mat<f64>,
    llt: Llt<f64>,
}

impl DenseRestricted {
    /// From `Σ[F, F]`, row-major; `None` when it is not numerically positive definite.
    pub(super) fn new(sub: &[f64], size: usize) -> Option<Self> {
        let a = Mat::from_fn(size, size, |i, j| sub[i * size + j]);
        let llt = a.llt(Side::Lower).ok()?;
        Some(Self { a, llt })
    }
}

impl RestrictedSolve for DenseRestricted {
    fn solve(&self, r: &[f64]) -> Vec<f64> {
        let once = |v: &[f64]| {
            let x = self.llt.solve(column(v));
            (0..v.len()).map(|i| x[(i, 0)]).collect::<Vec<_>>()
        };
        let product = |x: &[f64]| {
            let y = &self.a * column(x);
            (0..x.len()).map(|i| y[(i, 0)]).collect::<Vec<_>>()
        };
        refined(r, once, product)
    }
}

/// The Woodbury form for a factor model restricted to `F`.
pub(super) struct Woodbury {
    idio: Vec<f64>,
    loadings: Mat<f64>,
    factor_cov: Mat<f64>,
    capacitance: Option<PartialPivLu<f64>>,
}

impl Woodbury {
    /// Gathers `D_F`, `B_F` and factors the `k × k` capacitance `I + F B_Fᵀ D_F⁻¹ B_F`
    /// (sequential products: the result does not depend on the number of threads).
    pub(super) fn new(model: &FactorModel, free: &[usize]) -> Self {
        let k = model.factors();
        let (b, f, d) = (
            model.loadings(),
            model.factor_covariance(),
            model.idiosyncratic(),
        );
        let idio: Vec<f64> = free.iter().map(|&i| d[i]).collect();
        let loadings = Mat::from_fn(free.len(), k, |r, j| b[free[r] * k + j]);
        let factor_cov = Mat::from_fn(k, k, |a, c| f[a * k + c]);
        let capacitance = (k > 0 && !free.is_empty()).then(|| {
            let scaled = Mat::from_fn(free.len(), k, |r, j| loadings[(r, j)] / idio[r].sqrt());
            let mut m = Mat::<f64>::zeros(k, k);
            matmul(
                m.as_mut(),
                Accum::Replace,
                scaled.transpose(),
                scaled.as_ref(),
                1.0,
                Par::Seq,
            );
            let cap = Mat::<f64>::identity(k, k) + &factor_cov * &m;
            cap.partial_piv_lu()
        });
        Self {
            idio,
            loadings,
            factor_cov,
            capacitance,
        }
    }

    /// `B_Fᵀ v` (length `k`).
    fn project(&self, v: &[f64]) -> Mat<f64> {
        let mut t = Mat::<f64>::zeros(self.loadings.ncols(), 1);
        matmul(
            t.as_mut(),
            Accum::Replace,
            self.loadings.transpose(),
            column(v),
            1.0,
            Par::Seq,
        );
        t
    }

    /// `out += alpha · B_F y`.
    fn lift(&self, y: &Mat<f64>, alpha: f64, out: &mut [f64]) {
        let n = out.len();
        matmul(
            MatMut::from_column_major_slice_mut(out, n, 1),
            Accum::Add,
            self.loadings.as_ref(),
            y.as_ref(),
            alpha,
            Par::Seq,
        );
    }

    fn once(&self, r: &[f64]) -> Vec<f64> {
        let mut u: Vec<f64> = r.iter().zip(&self.idio).map(|(a, d)| a / d).collect();
        if let Some(lu) = &self.capacitance {
            let y = lu.solve(&self.factor_cov * self.project(&u));
            let mut by = vec![0.0; u.len()];
            self.lift(&y, 1.0, &mut by);
            for ((ui, bi), d) in u.iter_mut().zip(&by).zip(&self.idio) {
                *ui -= bi / d;
            }
        }
        u
    }

    fn product(&self, x: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = x.iter().zip(&self.idio).map(|(a, d)| a * d).collect();
        if self.capacitance.is_some() {
            let y = &self.factor_cov * self.project(x);
            self.lift(&y, 1.0, &mut out);
        }
        out
    }
}

impl RestrictedSolve for Woodbury {
    fn solve(&self, r: &[f64]) -> Vec<f64> {
        refined(r, |v| self.once(v), |x| self.product(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::RiskModel;

    /// Both forms against the dense submatrix: `Σ[F,F] x = r` to rounding.
    #[test]
    fn restricted_solves_match_the_dense_submatrix() {
        let market = FactorModel::synthetic(60, 4, 3).unwrap();
        let model = market.model;
        let free: Vec<usize> = (0..60).filter(|i| i % 3 != 1).collect();
        let sub = model.submatrix(&free);
        let m = free.len();
        let r: Vec<f64> = (0..m).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
        let forms: [Box<dyn RestrictedSolve>; 2] = [
            Box::new(Woodbury::new(&model, &free)),
            Box::new(DenseRestricted::new(&sub, m).unwrap()),
        ];
        for form in forms {
            let x = form.solve(&r);
            let worst = (0..m)
                .map(|i| {
                    let ax: f64 = (0..m).map(|j| sub[i * m + j] * x[j]).sum();
                    (ax - r[i]).abs()
                })
                .fold(0.0f64, f64::max);
            assert!(worst < 1e-12, "residual {worst:e}");
        }
    }

    /// A singular factor covariance (a zero factor) is fine for the Woodbury form.
    #[test]
    fn woodbury_needs_no_inverse_of_the_factor_covariance() {
        let (n, k) = (8, 2);
        let loadings: Vec<f64> = (0..n * k).map(|i| 1.0 + 0.1 * i as f64).collect();
        let model =
            FactorModel::new(n, k, loadings, vec![1e-4, 0.0, 0.0, 0.0], vec![4e-4; n]).unwrap();
        let free: Vec<usize> = (0..n).collect();
        let r = vec![1.0; n];
        let x = Woodbury::new(&model, &free).solve(&r);
        let mut ax = vec![0.0; n];
        model.matvec(&x, &mut ax);
        let worst = ax
            .iter()
            .zip(&r)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-12, "residual {worst:e}");
    }
}
