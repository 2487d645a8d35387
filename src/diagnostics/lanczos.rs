//! Lanczos with full reorthogonalisation: the extreme eigenvalues of a matrix-free operator,
//! each certified by its residual.

use super::Operator;
use crate::error::{Error, Result};
use crate::linalg::symmetric_eigen;
use crate::rng::batch_rng;
use rand::Rng;

/// Which end of the spectrum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Largest algebraic eigenvalues.
    Largest,
    /// Smallest algebraic eigenvalues.
    Smallest,
}

/// Settings of [`lanczos`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanczosSettings {
    /// Number of eigenpairs wanted.
    pub k: usize,
    /// Which end.
    pub end: End,
    /// Krylov dimension cap (operator products before the certificates).
    pub max_iter: usize,
    /// Stop when every wanted Ritz pair's residual estimate `|β_j s_j|` is below
    /// `tol · max|θ|`.
    pub tol: f64,
    /// Seed of the random start vector.
    pub seed: u64,
}

impl Default for LanczosSettings {
    fn default() -> Self {
        Self {
            k: 1,
            end: End::Largest,
            max_iter: 300,
            tol: 1e-10,
            seed: 0,
        }
    }
}

/// An eigenpair with its certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct Eigenpair {
    /// Ritz value `θ`.
    pub value: f64,
    /// Unit Ritz vector `y`.
    pub vector: Vec<f64>,
    /// `‖Hy − θy‖₂`, computed with one more product: some eigenvalue of `H` lies within this
    /// distance of `θ` (for symmetric `H`), whatever the iteration did.
    pub residual: f64,
}

/// The result of [`lanczos`].
#[derive(Debug, Clone, PartialEq)]
pub struct LanczosResult {
    /// The wanted pairs, from the extreme inwards.
    pub pairs: Vec<Eigenpair>,
    /// Operator products used, certificates included.
    pub products: usize,
    /// The operator's label.
    pub label: String,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Removes from `w` its components along the orthonormal `basis` (classical Gram-Schmidt,
/// twice: "twice is enough" for full reorthogonalisation).
pub(crate) fn reorthogonalize(basis: &[Vec<f64>], w: &mut [f64]) {
    for _ in 0..2 {
        for b in basis {
            let c = dot(b, w);
            w.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
        }
    }
}

/// The dense symmetric tridiagonal matrix with diagonal `alpha` and off-diagonal `beta`
/// (row-major, `m × m` with `m = alpha.len()`; `beta` may be one longer, the extra ignored).
pub(crate) fn tridiagonal(alpha: &[f64], beta: &[f64]) -> Vec<f64> {
    let m = alpha.len();
    let mut t = vec![0.0; m * m];
    for i in 0..m {
        t[i * m + i] = alpha[i];
        if i + 1 < m {
            t[i * m + i + 1] = beta[i];
            t[(i + 1) * m + i] = beta[i];
        }
    }
    t
}

/// Lanczos with full reorthogonalisation (twice, classical Gram-Schmidt) from a seeded random
/// start, stopping when the wanted Ritz pairs' residual estimates `|β_j s_{j,i}|` fall below
/// the tolerance or the Krylov space is exhausted; every returned pair then gets its true
/// residual `‖Hy − θy‖` from one more product.
pub fn lanczos(op: &(impl Operator + ?Sized), settings: LanczosSettings) -> Result<LanczosResult> {
    let p = op.dim();
    if settings.k == 0 || settings.k > p {
        return Err(Error::InvalidConfig {
            component: "lanczos",
            message: format!("k = {} must be in 1..={p}", settings.k),
        });
    }
    crate::error::check(
        settings.tol > 0.0,
        "lanczos",
        "tol",
        settings.tol,
        "must be > 0",
    )?;
    let sign = match settings.end {
        End::Largest => 1.0,
        End::Smallest => -1.0,
    };
    let max_iter = settings.max_iter.clamp(settings.k, p);
    let mut rng = batch_rng(settings.seed, 0);
    let mut q: Vec<f64> = (0..p).map(|_| rng.random::<f64>() - 0.5).collect();
    let norm = dot(&q, &q).sqrt();
    q.iter_mut().for_each(|v| *v /= norm);
    let mut basis: Vec<Vec<f64>> = vec![q];
    let (mut alpha, mut beta) = (Vec::new(), Vec::new());
    let mut w = vec![0.0; p];
    let mut products = 0;
    let mut ritz: Option<(Vec<f64>, Vec<f64>)> = None;
    for j in 0..max_iter {
        op.apply(&basis[j], &mut w)?;
        products += 1;
        if let Some(i) = w.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                component: "lanczos",
                what: "operator product",
                index: i,
                value: w[i],
            });
        }
        w.iter_mut().for_each(|v| *v *= sign);
        let a = dot(&basis[j], &w);
        alpha.push(a);
        reorthogonalize(&basis, &mut w);
        let bnorm = dot(&w, &w).sqrt();
        let m = alpha.len();
        // Ritz pairs of the tridiagonal T_m.
        let (theta, s) = symmetric_eigen(m, &tridiagonal(&alpha, &beta))?;
        let scale = theta
            .iter()
            .fold(0.0f64, |x, v| x.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        let wanted = settings.k.min(m);
        let converged = (0..wanted).all(|r| {
            let col = m - 1 - r;
            (bnorm * s[(m - 1) * m + col]).abs() <= settings.tol * scale
        });
        ritz = Some((theta, s));
        let exhausted = bnorm <= 1e-14 * scale || m == p;
        if (converged && m >= settings.k) || exhausted || j + 1 == max_iter {
            break;
        }
        beta.push(bnorm);
        basis.push(w.iter().map(|v| v / bnorm).collect());
    }
    let (theta, s) = ritz.expect("at least one iteration");
    let m = theta.len();
    let mut pairs = Vec::new();
    let mut hy = vec![0.0; p];
    for r in 0..settings.k.min(m) {
        let col = m - 1 - r;
        let mut y = vec![0.0; p];
        for (i, b) in basis.iter().take(m).enumerate() {
            let c = s[i * m + col];
            y.iter_mut().zip(b).for_each(|(x, v)| *x += c * v);
        }
        let ny = dot(&y, &y).sqrt();
        y.iter_mut().for_each(|v| *v /= ny);
        op.apply(&y, &mut hy)?;
        products += 1;
        let value = sign * theta[col];
        let residual = hy
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - value * b).powi(2))
            .sum::<f64>()
            .sqrt();
        pairs.push(Eigenpair {
            value,
            vector: y,
            residual,
        });
    }
    Ok(LanczosResult {
        pairs,
        products,
        label: op.label(),
    })
}
