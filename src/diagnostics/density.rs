//! Stochastic Lanczos quadrature: the spectral density of a matrix-free operator.

use super::lanczos::{reorthogonalize, tridiagonal};
use super::Operator;
use crate::error::{Error, Result};
use crate::linalg::symmetric_eigen;
use crate::rng::batch_rng;
use rand::Rng;

/// A spectral density as a quadrature rule: `φ(t) ≈ Σ_i w_i δ(t − θ_i)`, weights summing to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectralDensity {
    /// Nodes `θ_i` (Ritz values from every probe).
    pub nodes: Vec<f64>,
    /// Weights `w_i` (squared first components of the Ritz vectors, averaged over probes).
    pub weights: Vec<f64>,
    /// The operator's label.
    pub label: String,
}

impl SpectralDensity {
    /// The density smoothed by a Gaussian of width `sigma`, on `grid`.
    pub fn smoothed(&self, grid: &[f64], sigma: f64) -> Vec<f64> {
        let c = 1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt());
        grid.iter()
            .map(|t| {
                self.nodes
                    .iter()
                    .zip(&self.weights)
                    .map(|(th, w)| w * c * (-0.5 * ((t - th) / sigma).powi(2)).exp())
                    .sum()
            })
            .collect()
    }

    /// `∫ f dφ`, e.g. `f(t) = t` gives `tr(H)/p`.
    pub fn integrate(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(t, w)| w * f(*t))
            .sum()
    }
}

/// Settings of [`spectral_density`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DensitySettings {
    /// Number of random probe vectors (default 10).
    pub probes: usize,
    /// Lanczos steps per probe, capped at the dimension (default 80).
    pub steps: usize,
    /// Seed of the probes (default 0).
    pub seed: u64,
}

impl Default for DensitySettings {
    fn default() -> Self {
        Self {
            probes: 10,
            steps: 80,
            seed: 0,
        }
    }
}

/// Stochastic Lanczos quadrature (Golub & Meurant; Ubaru, Chen & Saad 2017): for each of
/// `probes` Rademacher vectors `v/‖v‖`, `steps` Lanczos steps (full reorthogonalisation) give
/// `T = S Θ Sᵀ`, and `vᵀ f(H) v ≈ Σ_i s_{1i}² f(θ_i)`; the probes' rules are averaged.
pub fn spectral_density(
    op: &(impl Operator + ?Sized),
    settings: DensitySettings,
) -> Result<SpectralDensity> {
    let DensitySettings {
        probes,
        steps,
        seed,
    } = settings;
    let p = op.dim();
    if probes == 0 || steps == 0 {
        return Err(Error::InvalidConfig {
            component: "spectral density",
            message: format!("probes = {probes} and steps = {steps} must be >= 1"),
        });
    }
    let steps = steps.min(p);
    let (mut nodes, mut weights) = (Vec::new(), Vec::new());
    let mut w = vec![0.0; p];
    for probe in 0..probes {
        let mut rng = batch_rng(seed, probe as u64);
        let scale = 1.0 / (p as f64).sqrt();
        let mut basis: Vec<Vec<f64>> = vec![(0..p)
            .map(|_| if rng.random::<bool>() { scale } else { -scale })
            .collect()];
        let (mut alpha, mut beta) = (Vec::new(), Vec::new());
        for j in 0..steps {
            op.apply(&basis[j], &mut w)?;
            alpha.push(basis[j].iter().zip(&w).map(|(a, b)| a * b).sum::<f64>());
            reorthogonalize(&basis, &mut w);
            let bn = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            let size = alpha
                .iter()
                .fold(0.0f64, |m, a| m.max(a.abs()))
                .max(f64::MIN_POSITIVE);
            if j + 1 == steps || bn <= 1e-13 * size {
                break;
            }
            beta.push(bn);
            basis.push(w.iter().map(|x| x / bn).collect());
        }
        let m = alpha.len();
        let t = tridiagonal(&alpha, &beta);
        let (theta, s) = symmetric_eigen(m, &t)?;
        for (i, th) in theta.iter().enumerate() {
            nodes.push(*th);
            weights.push(s[i] * s[i] / probes as f64);
        }
    }
    Ok(SpectralDensity {
        nodes,
        weights,
        label: op.label(),
    })
}
