//! The stiff periodic benchmarks, Allen-Cahn and Korteweg-de Vries, end to end: network with a
//! periodic embedding, PDE, initial condition (soft or exact), and the error against ravine's
//! spectral references on the 512 × 201 grid.

use crate::error::{Error, Result};
use crate::nn::{Activation, Embedding, JetSpec, Mlp};
use crate::pinn::{Coefficient, Condition, OutputTransform, Pde, Pinn, Sampler, Series, SpaceTime};
use crate::reference::{
    allen_cahn_initial, kdv_initial, AllenCahnReference, GridSolution, KdvReference,
};

/// Which benchmark (the JAX-PI suite's conventions; x is input 0 on `[−1, 1]`, t input 1 on
/// `[0, 1]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StiffPde {
    /// `u_t − 1e-4 u_xx + r(u³ − u) = 0`, `r = 5`, `u(0, x) = x² cos(πx)`.
    AllenCahn,
    /// `u_t + u u_x + μ² u_xxx = 0`, `μ = 0.022`, `u(0, x) = cos(πx)`.
    Kdv,
}

impl StiffPde {
    /// `allen_cahn` or `kdv`.
    pub fn name(self) -> &'static str {
        match self {
            StiffPde::AllenCahn => "allen_cahn",
            StiffPde::Kdv => "kdv",
        }
    }

    /// The coefficient continuation acts on, at its benchmark value: Allen-Cahn's reaction
    /// `r = 5`, KdV's `μ² = 4.84e-4`.
    pub fn coefficient(self) -> f64 {
        match self {
            StiffPde::AllenCahn => AllenCahnReference::REACTION,
            StiffPde::Kdv => KdvReference::MU * KdvReference::MU,
        }
    }

    /// The PDE, reading the continuation coefficient from `c` at every evaluation.
    pub fn pde(self, c: &Coefficient) -> Result<Pde> {
        let c = c.clone();
        match self {
            StiffPde::AllenCahn => {
                let eps = AllenCahnReference::EPSILON;
                Pde::new("allen_cahn", JetSpec::new(2).pure(0, 2)?, move |_x, u| {
                    let v = u.val();
                    u.d(1) - eps * u.dn(0, 2) + c.get() * (v * v * v - v)
                })
            }
            StiffPde::Kdv => Pde::new("kdv", JetSpec::new(2).pure(0, 3)?, move |_x, u| {
                u.d(1) + u.val() * u.d(0) + c.get() * u.dn(0, 3)
            }),
        }
    }

    /// `u(0, x)`.
    pub fn initial(self, x: f64) -> f64 {
        match self {
            StiffPde::AllenCahn => allen_cahn_initial(x),
            StiffPde::Kdv => kdv_initial(x),
        }
    }

    /// `u(0, x)` over [`Series`] (for exact initial conditions).
    pub fn initial_series(self, x: &[Series]) -> Series {
        let pi = std::f64::consts::PI;
        match self {
            StiffPde::AllenCahn => x[0] * x[0] * (x[0] * pi).cos(),
            StiffPde::Kdv => (x[0] * pi).cos(),
        }
    }

    /// The spectral reference on the 512 × 201 grid (a few seconds).
    pub fn reference(self) -> Result<GridSolution> {
        match self {
            StiffPde::AllenCahn => AllenCahnReference::default().solve(),
            StiffPde::Kdv => KdvReference::default().solve(),
        }
    }
}

impl std::str::FromStr for StiffPde {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "allen_cahn" | "allen-cahn" => Ok(StiffPde::AllenCahn),
            "kdv" => Ok(StiffPde::Kdv),
            other => Err(Error::InvalidConfig {
                component: "stiff pde",
                message: format!("unknown benchmark {other:?} (allen_cahn or kdv)"),
            }),
        }
    }
}

/// How the initial condition enters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InitialConstraint {
    /// A loss term `weight · mean (u(0, x_i) − u₀(x_i))²` over `points` points, sampled
    /// with the setup's sampler.
    Soft {
        /// Points at t = 0.
        points: usize,
        /// Weight of the term.
        weight: f64,
    },
    /// The same loss term on the regular periodic grid `x = −1 + 2k/points`, which contains
    /// `x = ±1`, where Allen-Cahn's `u₀` has its kink (512 points: the evaluation grid's
    /// `t = 0` row, as the initial data of Urbán et al.).
    SoftGrid {
        /// Grid points at t = 0.
        points: usize,
        /// Weight of the term.
        weight: f64,
    },
    /// `u = u₀ + t·N` ([`OutputTransform::initial`]): keeps a kink of `u₀` for all time.
    Hard,
    /// `u = e^{−t/τ}u₀ + (1 − e^{−t/τ})N` ([`OutputTransform::fading_initial`]).
    Fading {
        /// The fading time τ.
        tau: f64,
    },
}

/// How the inputs are embedded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Encoding {
    /// `(t, cos kπx, sin kπx)` for `k = 1..=harmonics`: exactly 2-periodic in x, no boundary
    /// loss needed.
    Periodic {
        /// Number of harmonics K.
        harmonics: usize,
    },
    /// `m` random Fourier features of scale σ (seeded by the setup's seed); periodicity is then
    /// a loss term on `u` and `u_x` at `x = ±1` ([`Condition::periodic`], 200 pairs).
    RandomFourier {
        /// Number of frequencies (2m features).
        m: usize,
        /// Their scale σ.
        sigma: f64,
    },
    /// The raw inputs (x, t), with the same periodicity loss term.
    Raw,
}

/// The setup of a stiff benchmark run.
#[derive(Debug, Clone, PartialEq)]
pub struct StiffSetup {
    /// Which PDE.
    pub pde: StiffPde,
    /// Hidden widths (default `[30, 30, 30]`: 2 011 parameters behind the default embedding,
    /// the network of Urbán et al.).
    pub hidden: Vec<usize>,
    /// Hidden activation (default tanh).
    pub activation: Activation,
    /// Input embedding (default periodic, K = 1).
    pub encoding: Encoding,
    /// Interior collocation points (default 5000).
    pub interior: usize,
    /// The initial condition (default soft: 512 points, weight 10 as Urbán et al.).
    pub initial: InitialConstraint,
    /// Point sampler of the initial interior set (default uniform).
    pub sampler: Sampler,
    /// Seed of the points and of the network (default 0).
    pub seed: u64,
    /// Initial value of the continuation coefficient (default: the benchmark's own value).
    pub coefficient: f64,
    /// Redraw the interior points every k adaptive steps (default never).
    pub resample_every: Option<u64>,
}

impl StiffSetup {
    /// The defaults for `pde`.
    pub fn new(pde: StiffPde) -> Self {
        Self {
            pde,
            hidden: vec![30, 30, 30],
            activation: Activation::Tanh,
            encoding: Encoding::Periodic { harmonics: 1 },
            interior: 5000,
            initial: InitialConstraint::Soft {
                points: 512,
                weight: 10.0,
            },
            sampler: Sampler::Uniform,
            seed: 0,
            coefficient: pde.coefficient(),
            resample_every: None,
        }
    }

    /// The network (with its embedding).
    pub fn network(&self) -> Result<Mlp> {
        let (embedding, inputs) = match self.encoding {
            Encoding::Periodic { harmonics } => {
                let e = Embedding::periodic(2, 0, 2.0, harmonics)?;
                let w = e.output_dim();
                (Some(e), w)
            }
            Encoding::RandomFourier { m, sigma } => {
                let e = Embedding::random_fourier(2, m, sigma, self.seed ^ 0xFF)?;
                let w = e.output_dim();
                (Some(e), w)
            }
            Encoding::Raw => (None, 2),
        };
        let mut widths = vec![inputs];
        widths.extend_from_slice(&self.hidden);
        widths.push(1);
        let mlp = Mlp::new(&widths, self.activation)?;
        match embedding {
            Some(e) => mlp.with_embedding(e),
            None => Ok(mlp),
        }
    }

    /// The PINN and the handle of its continuation coefficient.
    pub fn build(&self) -> Result<(Pinn, Coefficient)> {
        let coefficient = Coefficient::new(self.coefficient);
        let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0))?;
        let pde = self.pde;
        let mut b = Pinn::builder(self.network()?, domain, pde.pde(&coefficient)?)
            .interior(self.interior)
            .sampler(self.sampler)
            .seed(self.seed);
        if let Some(k) = self.resample_every {
            b = b.resample_every(k)?;
        }
        if !matches!(self.encoding, Encoding::Periodic { .. }) {
            b = b.condition(Condition::periodic("periodic", 0, 200));
        }
        b = match self.initial {
            InitialConstraint::Soft { points, weight } => b.condition(
                Condition::initial("initial", points, move |x| pde.initial(x[0])).weight(weight)?,
            ),
            InitialConstraint::SoftGrid { points, weight } => {
                let at: Vec<f64> = (0..points)
                    .flat_map(|k| [-1.0 + 2.0 * k as f64 / points as f64, 0.0])
                    .collect();
                b.condition(
                    Condition::initial("initial", points, move |x| pde.initial(x[0]))
                        .at_points(at)
                        .weight(weight)?,
                )
            }
            InitialConstraint::Hard => {
                b.output_transform(OutputTransform::initial(pde.name(), 0.0, move |x| {
                    pde.initial_series(x)
                }))
            }
            InitialConstraint::Fading { tau } => {
                b.output_transform(OutputTransform::fading_initial(
                    format!("{} fading tau = {tau}", pde.name()),
                    0.0,
                    tau,
                    move |x| pde.initial_series(x),
                )?)
            }
        };
        Ok((b.build()?, coefficient))
    }
}
