//! The Allen-Cahn benchmark's reference solution, by [`Etdrk4`].

use rustfft::num_complex::Complex64;

use super::grid_solution::{integrate, GridSolution};
use super::spectral::{mode, Etdrk4, SemiLinear};
use crate::error::{Error, Result};

/// `u_t = ε u_xx + 5u − 5u³` on `x ∈ [−1, 1)` periodic, `t ∈ [0, 1]`, `u(0, x) = x² cos(πx)`,
/// `ε = 1e-4`: the Allen-Cahn benchmark of the JAX-PI suite (Wang et al. 2023), solved by
/// Fourier pseudo-spectral ETDRK4 ([`Etdrk4`]) and sampled on the evaluation grid of 512
/// points `x = −1 + k/256` and 201 times `t = j/200`.
///
/// The initial condition is only C⁰ as a periodic function (`u₀′(±1) = ∓2`), so its Fourier
/// coefficients decay like `1/m²`. They are computed exactly, not from grid values (which
/// would alias the slowly decaying tail onto the retained modes):
///
/// ```text
/// c_m = ½ ∫₋₁¹ x² cos(πx) e^{−iπmx} dx = ½ (I_{m+1} + I_{m−1}),
/// I_0 = 1/3,  I_j = ∫₀¹ x² cos(πjx) dx = 2(−1)^j / (πj)²  (j ≠ 0).
/// ```
///
/// At `t = 0` the sampled values are `u₀` itself. For `t ≥ 1/200` the diffusion has damped the
/// modes beyond `N/2 = 2048` by `e^{−ε(2048π)²/200} ≈ 1e-9` and more, which is why at least
/// 4096 modes are required; the tests show that 4096 and 8192 modes (and halved steps) agree
/// to 1e-9 on the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllenCahnReference {
    /// Fourier modes (≥ 4096, a multiple of 512; default 4096).
    pub modes: usize,
    /// ETDRK4 steps per output interval 1/200 (default 20: `h = 2.5e-4`).
    pub steps_per_output: usize,
}

impl Default for AllenCahnReference {
    fn default() -> Self {
        Self {
            modes: 4096,
            steps_per_output: 20,
        }
    }
}

/// `x² cos(πx)`.
pub fn allen_cahn_initial(x: f64) -> f64 {
    x * x * (std::f64::consts::PI * x).cos()
}

impl AllenCahnReference {
    /// The diffusion coefficient ε.
    pub const EPSILON: f64 = 1e-4;
    /// The reaction coefficient (5 in `5u − 5u³`).
    pub const REACTION: f64 = 5.0;
    /// Points of the evaluation grid along x.
    pub const NX: usize = 512;
    /// Points of the evaluation grid along t.
    pub const NT: usize = 201;

    /// The largest step accepted: `h · max|f′(u)| = h · 10 ≤ 0.1`, well inside ETDRK4's
    /// stability region for the explicit reaction term.
    pub const MAX_STEP: f64 = 0.01;

    fn check(&self) -> Result<f64> {
        if self.modes < 4096 || !self.modes.is_multiple_of(Self::NX) {
            return Err(Error::InvalidConfig {
                component: "allen-cahn reference",
                message: format!(
                    "{} modes: needs at least 4096 (the initial condition's 1/m² tail) and a \
                     multiple of {}",
                    self.modes,
                    Self::NX
                ),
            });
        }
        let h = 1.0 / (200.0 * self.steps_per_output as f64);
        if self.steps_per_output == 0 || h > Self::MAX_STEP {
            return Err(Error::InvalidHyperparameter {
                component: "allen-cahn reference",
                parameter: "time step",
                value: h,
                reason: "must be at most 0.01 (h·max|f′| ≤ 0.1 for the explicit reaction)",
            });
        }
        Ok(h)
    }

    /// The exact Fourier coefficient `c_m` of `u₀` (basis `e^{iπmx}`).
    pub fn initial_coefficient(m: i64) -> f64 {
        let pi = std::f64::consts::PI;
        let i = |j: i64| {
            if j == 0 {
                1.0 / 3.0
            } else {
                let s = if j % 2 == 0 { 1.0 } else { -1.0 };
                2.0 * s / (pi * j as f64).powi(2)
            }
        };
        0.5 * (i(m + 1) + i(m - 1))
    }

    /// The integrator (exposed for tests and diagnostics).
    pub fn solver(&self) -> Result<Etdrk4> {
        let h = self.check()?;
        let eps = Self::EPSILON;
        let problem = SemiLinear {
            name: "allen-cahn",
            linear: Box::new(move |k| Complex64::new(-eps * k * k, 0.0)),
            multiplier: Box::new(|_| Complex64::new(1.0, 0.0)),
            nonlinearity: |u| AllenCahnReference::REACTION * (u - u * u * u),
        };
        Etdrk4::new(problem, -1.0, 2.0, self.modes, h)
    }

    /// The solution on the 512 × 201 evaluation grid. Stops with an error if the solution
    /// leaves `[−1 − 1e-6, 1 + 1e-6]` (a sign of instability: the exact solution stays in
    /// `[−1, 1]`, by the maximum principle).
    pub fn solve(&self) -> Result<GridSolution> {
        let solver = self.solver()?;
        let n = self.modes;
        // In the solver's basis e^{iπm(x+1)} the coefficient picks up (−1)^m.
        let c0: Vec<Complex64> = (0..n)
            .map(|j| {
                let m = mode(j, n);
                if m == -(n as i64) / 2 {
                    return Complex64::new(0.0, 0.0);
                }
                let sign = if m % 2 == 0 { 1.0 } else { -1.0 };
                Complex64::new(sign * Self::initial_coefficient(m), 0.0)
            })
            .collect();
        let (mut sol, _) = integrate(
            &solver,
            c0,
            Self::NX,
            Self::NT,
            self.steps_per_output,
            |t, _, u| {
                let peak = u.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                if peak.is_finite() && (t == 0.0 || peak <= 1.0 + 1e-6) {
                    Ok(())
                } else {
                    Err(Error::InvalidConfig {
                        component: "allen-cahn reference",
                        message: format!(
                            "unstable: max |u| = {peak} at t = {t} (modes {n}, step {})",
                            solver.step_size()
                        ),
                    })
                }
            },
        )?;
        // At t = 0 the truncated series shows Gibbs-like ripples of the kink: use u₀ itself.
        for (v, x) in sol.values[..Self::NX].iter_mut().zip(&sol.x) {
            *v = allen_cahn_initial(*x);
        }
        Ok(sol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_coefficients_sum_to_the_initial_condition() {
        // Σ_m c_m e^{iπmx} at x = 0.3 with |m| ≤ 20000 (tail ~ 1e-5).
        let x: f64 = 0.3;
        let mut s = AllenCahnReference::initial_coefficient(0);
        for m in 1..20000i64 {
            let c = AllenCahnReference::initial_coefficient(m);
            s += 2.0 * c * (std::f64::consts::PI * m as f64 * x).cos();
        }
        assert!((s - allen_cahn_initial(x)).abs() < 1e-5, "{s}");
        // Even function: c_{−m} = c_m.
        for m in 1..10 {
            assert_eq!(
                AllenCahnReference::initial_coefficient(m),
                AllenCahnReference::initial_coefficient(-m)
            );
        }
    }

    #[test]
    fn bad_resolutions_are_typed_errors() {
        let few = AllenCahnReference {
            modes: 1024,
            ..Default::default()
        };
        assert!(few.solve().unwrap_err().to_string().contains("1024 modes"));
        let coarse = AllenCahnReference {
            modes: 4096,
            steps_per_output: 0,
        };
        assert!(coarse.solve().is_err());
    }
}
