//! [`FactorModel`]: `Σ = B F Bᵀ + D`, applied in `O(nk)`, and a seeded synthetic generator.

use super::RiskModel;
use crate::error::{Error, Result};
use crate::rng::standard_normal;
use rand::{Rng, SeedableRng};

/// A factor covariance `Σ = B F Bᵀ + diag(d)` with `n` assets and `k` factors.
///
/// `B` is `n × k` (row-major loadings), `F` the `k × k` factor covariance, `d > 0` the
/// idiosyncratic variances. `Σw = B (F (Bᵀw)) + d ∘ w` costs `O(nk + k²)`, so universes of
/// thousands of assets never form the `n × n` matrix. With `d > 0` and `F` positive
/// semi-definite, `Σ` is positive definite.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorModel {
    n: usize,
    k: usize,
    loadings: Vec<f64>,
    factor_cov: Vec<f64>,
    idio: Vec<f64>,
}

/// A synthetic market drawn by [`FactorModel::synthetic`]: the model and expected returns.
#[derive(Debug, Clone)]
pub struct SyntheticMarket {
    /// The covariance.
    pub model: FactorModel,
    /// Expected daily returns `μ = B λ + α`.
    pub mean: Vec<f64>,
}

impl FactorModel {
    /// A factor model from loadings `B` (`n × k`, row-major), factor covariance `F` (`k × k`)
    /// and idiosyncratic variances `d` (length `n`, all > 0). `F` must be symmetric positive
    /// semi-definite (checked by Cholesky of `F + 1e-14·tr(F)·I`).
    pub fn new(
        n: usize,
        k: usize,
        loadings: Vec<f64>,
        factor_cov: Vec<f64>,
        idio: Vec<f64>,
    ) -> Result<Self> {
        let dims = [
            ("loadings", n * k, loadings.len()),
            ("factor covariance", k * k, factor_cov.len()),
            ("idiosyncratic variances", n, idio.len()),
        ];
        for (what, expected, got) in dims {
            if expected != got {
                return Err(Error::DimensionMismatch {
                    component: "factor model",
                    what,
                    expected,
                    got,
                });
            }
        }
        if n == 0 {
            return Err(Error::Covariance {
                component: "factor model",
                message: "has no assets".into(),
            });
        }
        if let Some(i) = loadings
            .iter()
            .chain(&factor_cov)
            .position(|v| !v.is_finite())
        {
            return Err(Error::Covariance {
                component: "factor model",
                message: format!("non-finite loading or factor covariance entry (flat index {i})"),
            });
        }
        if let Some(i) = idio.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::Covariance {
                component: "factor model",
                message: format!(
                    "idiosyncratic variance d[{i}] = {} must be finite and > 0",
                    idio[i]
                ),
            });
        }
        if k > 0 {
            let f =
                super::Covariance::new(k, factor_cov.clone()).map_err(|e| Error::Covariance {
                    component: "factor model",
                    message: format!("factor covariance: {e}"),
                })?;
            let ev = f.eigenvalues()?;
            if ev[0] < -1e-12 * ev[k - 1].abs() {
                return Err(Error::Covariance {
                    component: "factor model",
                    message: format!(
                        "factor covariance is not positive semi-definite: λmin = {:e}",
                        ev[0]
                    ),
                });
            }
        }
        Ok(Self {
            n,
            k,
            loadings,
            factor_cov,
            idio,
        })
    }

    /// A synthetic daily market of `n` assets and `k ≥ 1` factors, drawn from `seed`:
    /// factor 0 is the market (loadings ~ N(1, 0.3²), daily vol 1 %), the others style factors
    /// (loadings ~ N(0, 0.5²), daily vol 0.5 %), factors uncorrelated; idiosyncratic vols
    /// uniform in [1 %, 3 %]; premia λ = (3e-4, 1e-4, …) and alphas ~ N(0, (2e-4)²).
    pub fn synthetic(n: usize, k: usize, seed: u64) -> Result<SyntheticMarket> {
        if n == 0 || k == 0 {
            return Err(Error::InvalidConfig {
                component: "factor model",
                message: format!("synthetic market needs n >= 1 and k >= 1, got n = {n}, k = {k}"),
            });
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut loadings = vec![0.0; n * k];
        for i in 0..n {
            for j in 0..k {
                let z = standard_normal(&mut rng);
                loadings[i * k + j] = if j == 0 { 1.0 + 0.3 * z } else { 0.5 * z };
            }
        }
        let mut factor_cov = vec![0.0; k * k];
        for j in 0..k {
            let vol: f64 = if j == 0 { 0.01 } else { 0.005 };
            factor_cov[j * k + j] = vol * vol;
        }
        let idio: Vec<f64> = (0..n)
            .map(|_| {
                let v = 0.01 + 0.02 * rng.random::<f64>();
                v * v
            })
            .collect();
        let premia: Vec<f64> = (0..k).map(|j| if j == 0 { 3e-4 } else { 1e-4 }).collect();
        let mean = (0..n)
            .map(|i| {
                let b = &loadings[i * k..(i + 1) * k];
                b.iter().zip(&premia).map(|(x, y)| x * y).sum::<f64>()
                    + 2e-4 * standard_normal(&mut rng)
            })
            .collect();
        Ok(SyntheticMarket {
            model: Self::new(n, k, loadings, factor_cov, idio)?,
            mean,
        })
    }

    /// Number of factors `k`.
    pub fn factors(&self) -> usize {
        self.k
    }

    /// Loadings `B`, row-major `n × k`.
    pub fn loadings(&self) -> &[f64] {
        &self.loadings
    }

    /// Factor covariance `F`, row-major `k × k`.
    pub fn factor_covariance(&self) -> &[f64] {
        &self.factor_cov
    }

    /// Idiosyncratic variances `d`.
    pub fn idiosyncratic(&self) -> &[f64] {
        &self.idio
    }
}

impl RiskModel for FactorModel {
    fn dim(&self) -> usize {
        self.n
    }

    fn matvec(&self, w: &[f64], out: &mut [f64]) {
        use faer::linalg::matmul::matmul;
        use faer::{Accum, MatMut, MatRef, Par};
        let (n, k) = (self.n, self.k);
        if k == 0 {
            for ((o, d), x) in out.iter_mut().zip(&self.idio).zip(w) {
                *o = d * x;
            }
            return;
        }
        // Two matrix-vector products through faer: y = Bᵀw, then out = B (F y) + d ∘ w.
        let b = MatRef::from_row_major_slice(&self.loadings, n, k);
        let mut y = vec![0.0; k];
        matmul(
            MatMut::from_column_major_slice_mut(&mut y, k, 1),
            Accum::Replace,
            b.transpose(),
            MatRef::from_column_major_slice(w, n, 1),
            1.0,
            Par::Seq,
        );
        let z: Vec<f64> = (0..k)
            .map(|a| {
                self.factor_cov[a * k..(a + 1) * k]
                    .iter()
                    .zip(&y)
                    .map(|(f, v)| f * v)
                    .sum()
            })
            .collect();
        for ((o, d), x) in out.iter_mut().zip(&self.idio).zip(w) {
            *o = d * x;
        }
        matmul(
            MatMut::from_column_major_slice_mut(out, n, 1),
            Accum::Add,
            b,
            MatRef::from_column_major_slice(&z, k, 1),
            1.0,
            Par::Seq,
        );
    }

    fn diagonal(&self) -> Vec<f64> {
        let k = self.k;
        (0..self.n)
            .map(|i| {
                let b = &self.loadings[i * k..(i + 1) * k];
                let mut s = self.idio[i];
                for a in 0..k {
                    for c in 0..k {
                        s += b[a] * self.factor_cov[a * k + c] * b[c];
                    }
                }
                s
            })
            .collect()
    }

    fn submatrix(&self, idx: &[usize]) -> Vec<f64> {
        let k = self.k;
        let m = idx.len();
        // (B_idx F) once, then its products with the rows of B_idx.
        let bf: Vec<f64> = idx
            .iter()
            .flat_map(|&i| {
                (0..k).map(move |c| {
                    (0..k)
                        .map(|a| self.loadings[i * k + a] * self.factor_cov[a * k + c])
                        .sum::<f64>()
                })
            })
            .collect();
        let mut out = vec![0.0; m * m];
        for (r, &i) in idx.iter().enumerate() {
            for (c, &j) in idx.iter().enumerate() {
                out[r * m + c] = (0..k)
                    .map(|a| bf[r * k + a] * self.loadings[j * k + a])
                    .sum();
            }
            out[r * m + r] += self.idio[i];
        }
        out
    }

    fn restricted(&self, free: &[usize]) -> Option<Box<dyn super::RestrictedSolve>> {
        Some(Box::new(super::restricted::Woodbury::new(self, free)))
    }

    fn to_dense(&self) -> Vec<f64> {
        let (n, k) = (self.n, self.k);
        // BF once, then (BF) Bᵀ.
        let mut bf = vec![0.0; n * k];
        for i in 0..n {
            for c in 0..k {
                bf[i * k + c] = (0..k)
                    .map(|a| self.loadings[i * k + a] * self.factor_cov[a * k + c])
                    .sum();
            }
        }
        let mut s = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let v: f64 = (0..k)
                    .map(|c| bf[i * k + c] * self.loadings[j * k + c])
                    .sum();
                s[i * n + j] = v;
                s[j * n + i] = v;
            }
            s[i * n + i] += self.idio[i];
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matvec_and_diagonal_match_the_dense_matrix() {
        let m = FactorModel::synthetic(37, 4, 3).unwrap().model;
        let dense = m.to_dense();
        let w: Vec<f64> = (0..37)
            .map(|i| ((i * 31 % 17) as f64 - 8.0) / 10.0)
            .collect();
        let mut fast = vec![0.0; 37];
        m.matvec(&w, &mut fast);
        for i in 0..37 {
            let slow: f64 = (0..37).map(|j| dense[i * 37 + j] * w[j]).sum();
            let size: f64 = (0..37).map(|j| (dense[i * 37 + j] * w[j]).abs()).sum();
            assert!(
                (fast[i] - slow).abs() < 1e-14 * size,
                "{i}: {} {slow}",
                fast[i]
            );
            approx::assert_abs_diff_eq!(m.diagonal()[i], dense[i * 37 + i], epsilon = 1e-18);
        }
        let idx = [3, 17, 0, 36];
        let sub = m.submatrix(&idx);
        for (r, &i) in idx.iter().enumerate() {
            for (c, &j) in idx.iter().enumerate() {
                approx::assert_abs_diff_eq!(sub[r * 4 + c], dense[i * 37 + j], epsilon = 1e-17);
            }
        }
        // Deterministic from the seed.
        assert_eq!(m, FactorModel::synthetic(37, 4, 3).unwrap().model);
        assert_ne!(m, FactorModel::synthetic(37, 4, 4).unwrap().model);
    }

    #[test]
    fn rejects_bad_parts() {
        assert!(FactorModel::new(2, 1, vec![1.0, 1.0], vec![1.0], vec![0.1, 0.0]).is_err());
        assert!(FactorModel::new(2, 1, vec![1.0, 1.0], vec![-1.0], vec![0.1, 0.1]).is_err());
        assert!(FactorModel::new(2, 1, vec![1.0], vec![1.0], vec![0.1, 0.1]).is_err());
    }
}
