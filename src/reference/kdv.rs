//! The Korteweg-de Vries benchmark's reference solution, by [`Etdrk4`].

use rustfft::num_complex::Complex64;

use super::grid_solution::{integrate, GridSolution};
use super::spectral::{Etdrk4, SemiLinear};
use crate::error::{Error, Result};

/// `u_t + u u_x + μ² u_xxx = 0` on `x ∈ [−1, 1)` periodic, `t ∈ [0, 1]`, `u(0, x) = cos(πx)`,
/// `μ = 0.022`: the Zabusky-Kruskal experiment (1965) in the JAX-PI suite's conventions,
/// solved by Fourier pseudo-spectral ETDRK4 ([`Etdrk4`]) and sampled on the evaluation grid of
/// 512 points `x = −1 + k/256` and 201 times `t = j/200`.
///
/// In Fourier space `û_t = iμ²k³ û − (ik/2) F[u²]`: the dispersive part is the stiff linear
/// term (integrated exactly), the advection the dealiased nonlinearity. The Galerkin-truncated
/// system conserves the mass `∫u dx` and the Hamiltonian `H = ∫ (μ² u_x²/2 − u³/6) dx` exactly;
/// ETDRK4 does so to its time-discretisation error, which [`KdvReference::invariants`] lets
/// the tests measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KdvReference {
    /// Fourier modes (≥ 512, a multiple of 512; default 1024).
    pub modes: usize,
    /// ETDRK4 steps per output interval 1/200 (default 80: `h = 6.25e-5`).
    pub steps_per_output: usize,
}

impl Default for KdvReference {
    fn default() -> Self {
        Self {
            modes: 1024,
            steps_per_output: 80,
        }
    }
}

/// `cos(πx)`.
pub fn kdv_initial(x: f64) -> f64 {
    (std::f64::consts::PI * x).cos()
}

/// Mass and Hamiltonian of a state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KdvInvariants {
    /// `∫ u dx`.
    pub mass: f64,
    /// `∫ (μ² u_x²/2 − u³/6) dx`.
    pub hamiltonian: f64,
}

impl KdvReference {
    /// The dispersion parameter μ.
    pub const MU: f64 = 0.022;
    /// Points of the evaluation grid along x.
    pub const NX: usize = 512;
    /// Points of the evaluation grid along t.
    pub const NT: usize = 201;
    /// Bound on `max|u|` used in the step check: the solitons that form from `cos(πx)` reach
    /// about 2.5 by `t = 1`.
    pub const AMPLITUDE: f64 = 3.0;

    fn check(&self) -> Result<f64> {
        if self.modes < 512 || !self.modes.is_multiple_of(Self::NX) {
            return Err(Error::InvalidConfig {
                component: "kdv reference",
                message: format!(
                    "{} modes: needs at least 512 (the solitons are ~0.05 wide) and a multiple \
                     of {}",
                    self.modes,
                    Self::NX
                ),
            });
        }
        let h = 1.0 / (200.0 * self.steps_per_output.max(1) as f64);
        // Advection by |u| ≤ 3 at the largest wavenumber: RK4's imaginary-axis stability
        // bound 2√2, kept with a margin.
        let kmax = std::f64::consts::PI * (self.modes / 2) as f64;
        if self.steps_per_output == 0 || h * kmax * Self::AMPLITUDE > 2.5 {
            return Err(Error::InvalidHyperparameter {
                component: "kdv reference",
                parameter: "time step",
                value: h,
                reason: "unstable: h·k_max·3 must be ≤ 2.5 for the explicit advection",
            });
        }
        Ok(h)
    }

    /// The integrator (exposed for tests and diagnostics).
    pub fn solver(&self) -> Result<Etdrk4> {
        let h = self.check()?;
        let mu2 = Self::MU * Self::MU;
        let problem = SemiLinear {
            name: "kdv",
            linear: Box::new(move |k| Complex64::new(0.0, mu2 * k * k * k)),
            multiplier: Box::new(|k| Complex64::new(0.0, -k / 2.0)),
            nonlinearity: |u| u * u,
        };
        Etdrk4::new(problem, -1.0, 2.0, self.modes, h)
    }

    /// Mass and Hamiltonian of coefficients `c` (exact for the truncated state: the cubic
    /// term is integrated on the `2N` grid, which resolves it).
    pub fn invariants(solver: &Etdrk4, c: &[Complex64]) -> KdvInvariants {
        let length = 2.0;
        let mass = length * c[0].re;
        let grad2: f64 = c
            .iter()
            .enumerate()
            .map(|(j, v)| solver.wavenumber(j).powi(2) * v.norm_sqr())
            .sum();
        let u = solver.padded_values(c);
        let cube = u.iter().map(|v| v * v * v).sum::<f64>() / u.len() as f64;
        let mu2 = Self::MU * Self::MU;
        KdvInvariants {
            mass,
            hamiltonian: length * (mu2 * grad2 / 2.0 - cube / 6.0),
        }
    }

    /// The solution on the 512 × 201 evaluation grid and the invariants at every output time.
    /// Stops with an error if a value is not finite or the mass drifts by more than 1e-6.
    pub fn solve_with_invariants(&self) -> Result<(GridSolution, Vec<KdvInvariants>)> {
        let solver = self.solver()?;
        let x = solver.grid();
        let c0 = solver.coefficients(&x.iter().map(|&x| kdv_initial(x)).collect::<Vec<_>>());
        let start = Self::invariants(&solver, &c0);
        let mut invariants = Vec::with_capacity(Self::NT);
        let (sol, _) = integrate(
            &solver,
            c0,
            Self::NX,
            Self::NT,
            self.steps_per_output,
            |t, c, u| {
                let inv = Self::invariants(&solver, c);
                invariants.push(inv);
                if u.iter().all(|v| v.is_finite()) && (inv.mass - start.mass).abs() <= 1e-6 {
                    Ok(())
                } else {
                    Err(Error::InvalidConfig {
                        component: "kdv reference",
                        message: format!(
                            "unstable at t = {t}: mass {} (started at {}), modes {}, step {}",
                            inv.mass,
                            start.mass,
                            self.modes,
                            solver.step_size()
                        ),
                    })
                }
            },
        )?;
        Ok((sol, invariants))
    }

    /// The solution on the 512 × 201 evaluation grid.
    pub fn solve(&self) -> Result<GridSolution> {
        Ok(self.solve_with_invariants()?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_typed_errors() {
        let few = KdvReference {
            modes: 256,
            ..Default::default()
        };
        assert!(few.solve().unwrap_err().to_string().contains("256 modes"));
        let big_step = KdvReference {
            modes: 1024,
            steps_per_output: 2,
        };
        let e = big_step.solve().unwrap_err().to_string();
        assert!(
            e.contains("time step = 0.0025") && e.contains("unstable"),
            "{e}"
        );
    }
}
