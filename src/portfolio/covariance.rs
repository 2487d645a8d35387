//! [`Covariance`]: a dense symmetric covariance matrix, validated.

use super::RiskModel;
use crate::error::{Error, Result};

/// A dense symmetric `n × n` covariance, stored row-major.
///
/// [`Covariance::new`] checks shape, finiteness and symmetry; definiteness is checked where an
/// objective needs it ([`Covariance::check_positive_definite`]), with the offending eigenvalue in
/// the error.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariance {
    n: usize,
    data: Vec<f64>,
}

impl Covariance {
    /// Wraps a row-major `n × n` matrix. Errors when the length is not `n²`, an entry is not
    /// finite, or the matrix is not symmetric to 1e-12 relative to its largest entry (it is then
    /// symmetrised exactly).
    pub fn new(n: usize, mut data: Vec<f64>) -> Result<Self> {
        if n == 0 {
            return Err(Error::Covariance {
                component: "covariance",
                message: "has no assets (n = 0)".into(),
            });
        }
        if data.len() != n * n {
            return Err(Error::DimensionMismatch {
                component: "covariance",
                what: "matrix",
                expected: n * n,
                got: data.len(),
            });
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::Covariance {
                component: "covariance",
                message: format!("entry ({}, {}) is {}", i / n, i % n, data[i]),
            });
        }
        let scale = data.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for i in 0..n {
            if data[i * n + i] < 0.0 {
                return Err(Error::Covariance {
                    component: "covariance",
                    message: format!("has a negative variance {} at ({i}, {i})", data[i * n + i]),
                });
            }
            for j in 0..i {
                let (a, b) = (data[i * n + j], data[j * n + i]);
                if (a - b).abs() > 1e-12 * scale {
                    return Err(Error::Covariance {
                        component: "covariance",
                        message: format!(
                            "is not symmetric: ({i}, {j}) = {a:e}, ({j}, {i}) = {b:e}"
                        ),
                    });
                }
                let m = 0.5 * (a + b);
                data[i * n + j] = m;
                data[j * n + i] = m;
            }
        }
        Ok(Self { n, data })
    }

    /// Row-major entries.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// From an nalgebra matrix, checked as in [`Covariance::new`].
    pub fn from_nalgebra(m: &nalgebra::DMatrix<f64>) -> Result<Self> {
        let (n, data) = crate::linalg::square_from_nalgebra("covariance", m)?;
        Self::new(n, data)
    }

    /// The matrix as an nalgebra `DMatrix` (a copy).
    pub fn to_nalgebra(&self) -> nalgebra::DMatrix<f64> {
        nalgebra::DMatrix::from_row_slice(self.n, self.n, &self.data)
    }

    /// The matrix as a faer view (no copy).
    pub fn as_faer(&self) -> faer::MatRef<'_, f64> {
        faer::MatRef::from_row_major_slice(&self.data, self.n, self.n)
    }

    /// Entry `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    /// All eigenvalues, ascending (faer's self-adjoint eigensolver).
    pub fn eigenvalues(&self) -> Result<Vec<f64>> {
        crate::linalg::symmetric_eigenvalues(self.n, &self.data)
    }

    /// Errors unless every eigenvalue is at least `rel_tol · λmax` (and positive): a matrix
    /// that is indefinite (an estimation bug, or a hand-made matrix) or numerically singular
    /// (fewer periods than assets, say) is reported with its extreme eigenvalues instead of
    /// being used. Returns `(λmin, λmax)`.
    pub fn check_positive_definite(&self, rel_tol: f64) -> Result<(f64, f64)> {
        let ev = self.eigenvalues()?;
        let (lo, hi) = (ev[0], ev[ev.len() - 1]);
        if lo < 0.0 && lo < -1e-12 * hi.abs() {
            return Err(Error::Covariance {
                component: "covariance",
                message: format!("is not positive semi-definite: λmin = {lo:e}, λmax = {hi:e}"),
            });
        }
        if hi <= 0.0 || lo <= rel_tol * hi {
            return Err(Error::Covariance {
                component: "covariance",
                message: format!(
                    "is singular for this objective: λmin = {lo:e}, λmax = {hi:e} \
                     (ratio {:e} <= {rel_tol:e}); use more periods or shrinkage (Ledoit-Wolf)",
                    lo / hi
                ),
            });
        }
        Ok((lo, hi))
    }
}

impl RiskModel for Covariance {
    fn dim(&self) -> usize {
        self.n
    }

    fn matvec(&self, w: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let row = &self.data[i * self.n..(i + 1) * self.n];
            *o = row.iter().zip(w).map(|(a, b)| a * b).sum();
        }
    }

    fn diagonal(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.data[i * self.n + i]).collect()
    }

    fn to_dense(&self) -> Vec<f64> {
        self.data.clone()
    }

    fn submatrix(&self, idx: &[usize]) -> Vec<f64> {
        idx.iter()
            .flat_map(|&i| idx.iter().map(move |&j| self.data[i * self.n + j]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_matrices() {
        assert!(Covariance::new(2, vec![1.0, 0.5, 0.4, 1.0]).is_err());
        assert!(Covariance::new(2, vec![1.0, f64::NAN, f64::NAN, 1.0]).is_err());
        assert!(Covariance::new(2, vec![1.0, 0.0, 0.0]).is_err());
        let indefinite = Covariance::new(2, vec![1.0, 2.0, 2.0, 1.0]).unwrap();
        let e = indefinite.check_positive_definite(1e-12).unwrap_err();
        assert!(e.to_string().contains("not positive semi-definite"), "{e}");
        let singular = Covariance::new(2, vec![1.0, 1.0, 1.0, 1.0]).unwrap();
        let e = singular.check_positive_definite(1e-12).unwrap_err();
        assert!(e.to_string().contains("singular"), "{e}");
    }

    #[test]
    fn eigenvalues_and_power_iteration_match_closed_form() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let c = Covariance::new(2, vec![2.0, 1.0, 1.0, 2.0]).unwrap();
        let ev = c.eigenvalues().unwrap();
        approx::assert_abs_diff_eq!(ev[0], 1.0, epsilon = 1e-14);
        approx::assert_abs_diff_eq!(ev[1], 3.0, epsilon = 1e-14);
        assert_eq!(c.check_positive_definite(1e-12).unwrap(), (ev[0], ev[1]));
    }

    #[test]
    fn nalgebra_and_faer_views_agree_with_the_row_major_data() {
        let m = nalgebra::DMatrix::from_row_slice(2, 2, &[2.0, 0.5, 0.5, 1.0]);
        let c = Covariance::from_nalgebra(&m).unwrap();
        assert_eq!(c.get(0, 1), 0.5);
        assert_eq!(c.to_nalgebra(), m);
        assert_eq!(c.as_faer()[(1, 1)], 1.0);
        // nalgebra's own eigensolver agrees with ravine's (faer) to rounding
        let mut ours = c.eigenvalues().unwrap();
        let mut theirs: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        for (a, b) in ours.iter().zip(&theirs) {
            approx::assert_relative_eq!(a, b, max_relative = 1e-14);
        }
        let wide = nalgebra::DMatrix::<f64>::zeros(2, 3);
        assert!(Covariance::from_nalgebra(&wide).is_err());
        let asym = nalgebra::DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.4, 1.0]);
        assert!(Covariance::from_nalgebra(&asym).is_err());
    }

    #[test]
    fn power_iteration_bounds_lambda_max_from_above_within_its_margin() {
        // The contract `1/λ` is a safe step relies on: λmax ≤ estimate ≤ 1.01·λmax, checked
        // against the dense eigensolver on a seeded 30 × 30 covariance with a clear gap.
        use rand::Rng;
        let n = 30;
        let mut rng = crate::rng::batch_rng(3, 0);
        let m: Vec<f64> = (0..n * n).map(|_| rng.random::<f64>() - 0.5).collect();
        let mut data = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                data[i * n + j] = (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum::<f64>()
                    + if i == j { 0.1 } else { 0.0 };
            }
        }
        let c = Covariance::new(n, data).unwrap();
        let top = *c.eigenvalues().unwrap().last().unwrap();
        let estimate = c.largest_eigenvalue(200);
        assert!(estimate >= top, "{estimate} < λmax {top}");
        assert!(
            estimate <= 1.01 * top * (1.0 + 1e-12),
            "{estimate} vs λmax {top}"
        );
    }
}
