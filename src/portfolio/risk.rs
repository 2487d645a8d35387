//! [`RiskModel`]: the covariance operator `w ↦ Σw` shared by dense and factor covariances.

use super::restricted::{DenseRestricted, RestrictedSolve};

/// A symmetric positive semi-definite covariance, seen as an operator.
///
/// The portfolio problems only need products `Σw`, the diagonal and the dimension, so a factor
/// model never has to be assembled as an `n × n` matrix.
pub trait RiskModel: Send + Sync + std::fmt::Debug {
    /// Number of assets `n`.
    fn dim(&self) -> usize;

    /// `out ← Σ w`.
    fn matvec(&self, w: &[f64], out: &mut [f64]);

    /// The diagonal `Σ_ii` (each asset's variance).
    fn diagonal(&self) -> Vec<f64>;

    /// The dense matrix, row-major `n × n` (for exact reference solves and small problems).
    fn to_dense(&self) -> Vec<f64>;

    /// The principal submatrix `Σ[idx, idx]`, row-major `|idx| × |idx|` (for active-set
    /// solves); the default reads it from [`RiskModel::to_dense`].
    fn submatrix(&self, idx: &[usize]) -> Vec<f64> {
        let n = self.dim();
        let dense = self.to_dense();
        let mut out = Vec::with_capacity(idx.len() * idx.len());
        for &i in idx {
            for &j in idx {
                out.push(dense[i * n + j]);
            }
        }
        out
    }

    /// A solver for `Σ[F, F] x = r` on the free assets `F` (the active-set solver's linear
    /// algebra); `None` when that submatrix is not numerically positive definite. The default
    /// factors the dense submatrix ([`RiskModel::submatrix`], `O(|F|³)`); a factor model uses the
    /// Woodbury identity (`O(|F| k²)`).
    fn restricted(&self, free: &[usize]) -> Option<Box<dyn RestrictedSolve>> {
        let solver = DenseRestricted::new(&self.submatrix(free), free.len())?;
        Some(Box::new(solver))
    }

    /// `wᵀ Σ w`.
    fn quadratic(&self, w: &[f64]) -> f64 {
        let mut s = vec![0.0; w.len()];
        self.matvec(w, &mut s);
        w.iter().zip(&s).map(|(a, b)| a * b).sum()
    }

    /// Mean variance `tr(Σ)/n`, the scale ravine divides objectives by.
    fn mean_variance(&self) -> f64 {
        let d = self.diagonal();
        d.iter().sum::<f64>() / d.len() as f64
    }

    /// `λmax(Σ)` by power iteration from a fixed start (`iterations` products), returned with a
    /// 1 % margin so that `1/λ` is a safe gradient step. Deterministic.
    fn largest_eigenvalue(&self, iterations: usize) -> f64 {
        let n = self.dim();
        // A fixed, non-symmetric start so it is not orthogonal to the top eigenvector by chance.
        let mut v: Vec<f64> = (0..n)
            .map(|i| 1.0 + 0.1 * ((i * 7919) % 13) as f64)
            .collect();
        let mut sv = vec![0.0; n];
        let mut lambda = 0.0;
        for _ in 0..iterations.max(1) {
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm == 0.0 || !norm.is_finite() {
                return 0.0;
            }
            v.iter_mut().for_each(|x| *x /= norm);
            self.matvec(&v, &mut sv);
            lambda = v.iter().zip(&sv).map(|(a, b)| a * b).sum::<f64>();
            std::mem::swap(&mut v, &mut sv);
        }
        1.01 * lambda
    }
}
