//! [`Operator`]: a symmetric linear operator `v ↦ Hv`, labelled with exactly what it is.

use crate::error::{Error, Result};

/// A symmetric linear operator on `ℝᵖ`, applied matrix-free.
///
/// Every operator carries a label saying exactly which matrix it is (the Hessian of which loss,
/// a Gauss-Newton matrix, a finite-difference approximation, …); diagnostics copy the label
/// into their output so that a number can never be read as the wrong curvature.
pub trait Operator {
    /// Dimension `p`.
    fn dim(&self) -> usize;

    /// `out ← H v`.
    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()>;

    /// What the operator is, e.g. `"hessian of min-variance (exact)"`.
    fn label(&self) -> String;
}

/// A dense symmetric matrix as an [`Operator`].
#[derive(Debug, Clone, PartialEq)]
pub struct DenseOperator {
    p: usize,
    data: Vec<f64>,
    label: String,
}

impl DenseOperator {
    /// A row-major `p × p` matrix; errors unless it is square, finite and symmetric to 1e-12
    /// relative to its largest entry.
    pub fn new(p: usize, data: Vec<f64>, label: impl Into<String>) -> Result<Self> {
        if data.len() != p * p {
            return Err(Error::DimensionMismatch {
                component: "dense operator",
                what: "matrix",
                expected: p * p,
                got: data.len(),
            });
        }
        let scale = data.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for i in 0..p {
            for j in 0..i {
                let (a, b) = (data[i * p + j], data[j * p + i]);
                if !a.is_finite() || !b.is_finite() || (a - b).abs() > 1e-12 * scale {
                    return Err(Error::InvalidConfig {
                        component: "dense operator",
                        message: format!("not symmetric and finite at ({i}, {j}): {a:e} vs {b:e}"),
                    });
                }
            }
        }
        Ok(Self {
            p,
            data,
            label: label.into(),
        })
    }

    /// From an nalgebra matrix (square, finite, symmetric; checked as in [`DenseOperator::new`]).
    pub fn from_nalgebra(m: &nalgebra::DMatrix<f64>, label: impl Into<String>) -> Result<Self> {
        let (p, data) = crate::linalg::square_from_nalgebra("dense operator", m)?;
        Self::new(p, data, label)
    }

    /// The matrix as an nalgebra `DMatrix` (a copy).
    pub fn to_nalgebra(&self) -> nalgebra::DMatrix<f64> {
        nalgebra::DMatrix::from_row_slice(self.p, self.p, &self.data)
    }

    /// The matrix as a faer view (no copy).
    pub fn as_faer(&self) -> faer::MatRef<'_, f64> {
        faer::MatRef::from_row_major_slice(&self.data, self.p, self.p)
    }

    /// A diagonal matrix.
    pub fn diagonal(d: &[f64], label: impl Into<String>) -> Self {
        let p = d.len();
        let mut data = vec![0.0; p * p];
        for (i, v) in d.iter().enumerate() {
            data[i * p + i] = *v;
        }
        Self {
            p,
            data,
            label: label.into(),
        }
    }

    /// Row-major entries.
    pub fn data(&self) -> &[f64] {
        &self.data
    }
}

impl Operator for DenseOperator {
    fn dim(&self) -> usize {
        self.p
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.data[i * self.p..(i + 1) * self.p]
                .iter()
                .zip(v)
                .map(|(a, b)| a * b)
                .sum();
        }
        Ok(())
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

/// An operator from a closure (for composing operators in user code and tests).
pub struct FnOperator<F: Fn(&[f64], &mut [f64]) -> Result<()>> {
    p: usize,
    f: F,
    label: String,
}

impl<F: Fn(&[f64], &mut [f64]) -> Result<()>> FnOperator<F> {
    /// `v ↦ f(v)` on `ℝᵖ`, labelled.
    pub fn new(p: usize, label: impl Into<String>, f: F) -> Self {
        Self {
            p,
            f,
            label: label.into(),
        }
    }
}

impl<F: Fn(&[f64], &mut [f64]) -> Result<()>> Operator for FnOperator<F> {
    fn dim(&self) -> usize {
        self.p
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        (self.f)(v, out)
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

/// `D^{1/2} H D^{1/2}` for a positive diagonal `D` (an optimizer's effective steps): its
/// spectrum is the curvature the preconditioned iteration sees; gradient descent with steps
/// `D` is stable when its largest eigenvalue is below 2.
pub struct Preconditioned<'a, O: Operator + ?Sized> {
    inner: &'a O,
    sqrt_d: Vec<f64>,
}

impl<'a, O: Operator + ?Sized> Preconditioned<'a, O> {
    /// Wraps `inner` with the diagonal `d` (all entries finite and ≥ 0).
    pub fn new(inner: &'a O, d: &[f64]) -> Result<Self> {
        if d.len() != inner.dim() {
            return Err(Error::DimensionMismatch {
                component: "preconditioned operator",
                what: "diagonal",
                expected: inner.dim(),
                got: d.len(),
            });
        }
        if let Some(i) = d.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::NonFinite {
                component: "preconditioned operator",
                what: "effective step",
                index: i,
                value: d[i],
            });
        }
        Ok(Self {
            inner,
            sqrt_d: d.iter().map(|v| v.sqrt()).collect(),
        })
    }
}

impl<O: Operator + ?Sized> Operator for Preconditioned<'_, O> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) -> Result<()> {
        let scaled: Vec<f64> = v.iter().zip(&self.sqrt_d).map(|(a, b)| a * b).collect();
        self.inner.apply(&scaled, out)?;
        out.iter_mut().zip(&self.sqrt_d).for_each(|(o, s)| *o *= s);
        Ok(())
    }

    fn label(&self) -> String {
        format!("D^1/2 [{}] D^1/2 (D = effective steps)", self.inner.label())
    }
}

/// Assembles the dense matrix of `op` by applying it to each unit vector (`p` products),
/// symmetrising the rounding.
pub fn assemble(op: &(impl Operator + ?Sized)) -> Result<DenseOperator> {
    let p = op.dim();
    let mut data = vec![0.0; p * p];
    let mut e = vec![0.0; p];
    let mut col = vec![0.0; p];
    for j in 0..p {
        e[j] = 1.0;
        op.apply(&e, &mut col)?;
        e[j] = 0.0;
        for i in 0..p {
            data[i * p + j] = col[i];
        }
    }
    for i in 0..p {
        for j in 0..i {
            let m = 0.5 * (data[i * p + j] + data[j * p + i]);
            data[i * p + j] = m;
            data[j * p + i] = m;
        }
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            component: "assemble",
            what: "operator entry",
            index: i,
            value: data[i],
        });
    }
    Ok(DenseOperator {
        p,
        data,
        label: op.label(),
    })
}
