//! Gauss-Hermite quadrature nodes and weights by the Golub-Welsch algorithm.

use faer::{Mat, Side};

use crate::error::{Error, Result};

/// Nodes `z_i` and log-weights `ln w_i` of the `n`-point Gauss-Hermite rule
/// `∫ e^{−z²} f(z) dz ≈ Σ w_i f(z_i)`, exact for polynomials of degree `2n − 1`.
///
/// Golub & Welsch (1969): the nodes are the eigenvalues of the symmetric tridiagonal Jacobi
/// matrix of the Hermite polynomials (zero diagonal, off-diagonal `√(k/2)`, k = 1…n−1),
/// computed with faer's self-adjoint eigensolver. Golub-Welsch's weights `√π v_{0i}²` come
/// from the eigenvectors' first components, which are accurate only to ~1e-16 *absolute*:
/// the outer weights of a large rule (down to e^{−400} for n = 250) would be noise, and an
/// integrand that grows like e^{50} there (the Burgers reference) would be ruined. So the
/// weights are computed instead from the Christoffel function, `w_i = 1/Σ_{k<n} p_k(z_i)²`
/// with `p_k` the orthonormal Hermite polynomials, in logarithms and with rescaling, which is
/// accurate in relative terms for every node.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussHermite {
    /// Nodes, increasing.
    pub nodes: Vec<f64>,
    /// Natural logarithms of the weights.
    pub log_weights: Vec<f64>,
}

impl GaussHermite {
    /// The `n`-point rule, `1 ≤ n ≤ 2000`.
    pub fn new(n: usize) -> Result<Self> {
        if !(1..=2000).contains(&n) {
            return Err(Error::InvalidHyperparameter {
                component: "gauss_hermite",
                parameter: "n",
                value: n as f64,
                reason: "must lie in 1..=2000",
            });
        }
        let j = Mat::<f64>::from_fn(n, n, |r, c| {
            if r + 1 == c || c + 1 == r {
                ((r.max(c)) as f64 / 2.0).sqrt()
            } else {
                0.0
            }
        });
        let evd = j
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| Error::Numerical {
                component: "gauss_hermite",
                message: format!("eigensolver failed: {e:?}"),
            })?;
        let s = evd.S().column_vector();
        let nodes: Vec<f64> = (0..n).map(|i| s[i]).collect();
        let log_weights = nodes.iter().map(|&z| -log_christoffel_sum(z, n)).collect();
        Ok(Self { nodes, log_weights })
    }
}

/// `ln Σ_{k<n} p_k(z)²` for the orthonormal Hermite polynomials (weight e^{−z²}):
/// `p₀ = π^{−1/4}`, `p₁ = √2 z p₀`, `p_{k+1} = √(2/(k+1)) z p_k − √(k/(k+1)) p_{k−1}`, with
/// the running values rescaled whenever they grow large so nothing overflows.
fn log_christoffel_sum(z: f64, n: usize) -> f64 {
    let mut log_scale = 0.0; // true value = stored · e^{log_scale}
    let mut prev = 0.0;
    let mut cur = std::f64::consts::PI.powf(-0.25);
    let mut sum = cur * cur;
    for k in 0..n - 1 {
        let next =
            (2.0 / (k + 1) as f64).sqrt() * z * cur - (k as f64 / (k + 1) as f64).sqrt() * prev;
        prev = cur;
        cur = next;
        sum += cur * cur;
        let m = cur.abs().max(prev.abs());
        if m > 1e100 {
            prev /= m;
            cur /= m;
            sum /= m * m;
            log_scale += m.ln();
        }
    }
    sum.ln() + 2.0 * log_scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_gaussian_moments_exactly() {
        let gh = GaussHermite::new(20).unwrap();
        let pi_sqrt = std::f64::consts::PI.sqrt();
        // ∫ e^{−z²} z^{2k} dz = Γ(k + 1/2) = √π (2k−1)!!/2^k
        let mut want = pi_sqrt;
        for k in 0..20 {
            let got: f64 = gh
                .nodes
                .iter()
                .zip(&gh.log_weights)
                .map(|(z, lw)| lw.exp() * z.powi(2 * k))
                .sum();
            assert!((got / want - 1.0).abs() < 1e-11, "k {k}: {got} vs {want}");
            want *= (2 * k + 1) as f64 / 2.0;
        }
        // Odd moments vanish; nodes are symmetric.
        let odd: f64 = gh
            .nodes
            .iter()
            .zip(&gh.log_weights)
            .map(|(z, lw)| lw.exp() * z.powi(3))
            .sum();
        assert!(odd.abs() < 1e-12);
        assert!((gh.nodes[0] + gh.nodes[19]).abs() < 1e-12);
    }
}
