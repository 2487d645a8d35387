//! The viscous Burgers benchmark, end to end: problem setup and error against the Cole-Hopf
//! reference.

use crate::error::Result;
use crate::nn::{Activation, JetSpec, Mlp};
use crate::pinn::{Condition, ErrorField, OutputTransform, Pde, Pinn, Sampler, SpaceTime};
use crate::reference::BurgersColeHopf;

/// `u_t + u u_x = ν u_xx` on `x ∈ [−1, 1]`, `t ∈ [0, 1]`, `u(0, x) = −sin(πx)`,
/// `u(t, ±1) = 0`, with `ν = 0.01/π`: the setup of Raissi et al. (2019) and DeepXDE.
#[derive(Debug, Clone, PartialEq)]
pub struct BurgersSetup {
    /// Layer widths (default `[2, 20, 20, 20, 1]`).
    pub widths: Vec<usize>,
    /// Hidden activation (default tanh).
    pub activation: Activation,
    /// Interior collocation points (default 2540).
    pub interior: usize,
    /// Boundary points, shared by `x = −1` and `x = 1` (default 80).
    pub boundary: usize,
    /// Initial points (default 160).
    pub initial: usize,
    /// Weight of the boundary term (default 1).
    pub boundary_weight: f64,
    /// Weight of the initial-condition term (default 1). The initial condition is what the
    /// solution carries forward in time: a misfit there shows at every later time, so accurate
    /// runs weight it up.
    pub initial_weight: f64,
    /// Impose the initial and boundary conditions exactly (default false): the solution is
    /// `u = −sin(πx) + t(1 − x²)·N(x, t)` ([`OutputTransform`]) and the loss is the PDE
    /// residual alone; `boundary`, `initial` and their weights are then unused.
    pub hard_constraints: bool,
    /// Point sampler (default Halton: low-discrepancy, like DeepXDE's default Hammersley).
    pub sampler: Sampler,
    /// Seed of the points and of the network's initialisation (default 0).
    pub seed: u64,
    /// Redraw the interior points every k adaptive steps (default never).
    pub resample_every: Option<u64>,
}

impl Default for BurgersSetup {
    fn default() -> Self {
        Self {
            widths: vec![2, 20, 20, 20, 1],
            activation: Activation::Tanh,
            interior: 2540,
            boundary: 80,
            initial: 160,
            boundary_weight: 1.0,
            initial_weight: 1.0,
            hard_constraints: false,
            sampler: Sampler::Halton,
            seed: 0,
            resample_every: None,
        }
    }
}

/// The Burgers PDE with viscosity `nu` (x is input 0, t input 1).
pub fn burgers_pde(nu: f64) -> Result<Pde> {
    Pde::new("burgers", JetSpec::new(2).pure(0, 2)?, move |_x, u| {
        u.d(1) + u.val() * u.d(0) - nu * u.dn(0, 2)
    })
}

/// `u = −sin(πx) + t(1 − x²)·N(x, t)`: meets `u(0, x) = −sin(πx)` and `u(t, ±1) = 0` for
/// every network `N` (x is input 0, t input 1).
pub fn burgers_hard_constraints() -> OutputTransform {
    let pi = std::f64::consts::PI;
    OutputTransform::new(
        "burgers",
        move |x| -(x[0] * pi).sin(),
        |x| x[1] * (1.0 - x[0] * x[0]),
    )
}

impl BurgersSetup {
    /// The PINN problem.
    pub fn build(&self) -> Result<Pinn> {
        let pi = std::f64::consts::PI;
        let mlp = Mlp::new(&self.widths, self.activation)?;
        let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0))?;
        let mut b = Pinn::builder(mlp, domain, burgers_pde(BurgersColeHopf::NU)?)
            .interior(self.interior)
            .sampler(self.sampler)
            .seed(self.seed);
        b = if self.hard_constraints {
            b.output_transform(burgers_hard_constraints())
        } else {
            b.condition(
                Condition::dirichlet("boundary", self.boundary, |_| 0.0)
                    .weight(self.boundary_weight)?,
            )
            .condition(
                Condition::initial("initial", self.initial, move |x| -(pi * x[0]).sin())
                    .weight(self.initial_weight)?,
            )
        };
        if let Some(k) = self.resample_every {
            b = b.resample_every(k)?;
        }
        b.build()
    }
}

/// Compares `pinn` at `params` with the Cole-Hopf solution on an `nx × nt` grid (the usual
/// evaluation grid is 256 × 100).
pub fn burgers_error(
    pinn: &Pinn,
    params: &[f64],
    reference: &BurgersColeHopf,
    nx: usize,
    nt: usize,
) -> Result<ErrorField> {
    let points = pinn.domain().grid(nx, nt);
    let predicted = pinn.predict(params, &points)?;
    let reference = reference.values(&points);
    Ok(ErrorField::new(nx, nt, points, predicted, reference))
}
