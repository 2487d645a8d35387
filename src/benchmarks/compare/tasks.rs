//! The application problems of the comparison: Burgers, Allen-Cahn and KdV PINNs (short
//! budgets) and the S&P 500 sample's portfolios.

use std::sync::Arc;

use super::metered::Score;
use super::suite::{rate_grid, Benchmark, Instance};
use crate::benchmarks::{BurgersSetup, InitialConstraint, StiffPde, StiffSetup};
use crate::error::Result;
use crate::optim::Projection;
use crate::pinn::Pinn;
use crate::portfolio::{
    solve_reference, Constraints, MeanVariance, Objective, Returns, SoftmaxPortfolio,
};
use crate::reference::{BurgersColeHopf, GridSolution};
use crate::rng::{batch_rng, standard_normal};

/// Interior collocation points of the PINN problems here (fewer than the examples' defaults,
/// so that a budget of evaluations costs seconds).
const PINN_INTERIOR: usize = 1000;

/// A PINN benchmark: the seed draws the network's initial parameters; trace rows score on
/// `coarse`, the final score on `fine`.
fn pinn_benchmark(
    name: &str,
    target: f64,
    pinn: Pinn,
    fine: Arc<Sampled>,
    coarse: Arc<Sampled>,
    quick: bool,
) -> Benchmark {
    let (budget, rates) = if quick {
        (150, rate_grid(-3, -1, 1))
    } else {
        (1500, rate_grid(-4, -1, 2))
    };
    Benchmark {
        name: name.into(),
        error_label: "relative L2",
        target,
        budget,
        seconds: 60.0,
        rates,
        build: Box::new(move |seed, _| {
            let scorer_pinn = pinn.clone();
            let (fine, coarse) = (Arc::clone(&fine), Arc::clone(&coarse));
            Ok(Instance {
                problem: Box::new(pinn.clone()),
                x0: pinn.mlp().init(seed),
                set: None,
                scorer: Box::new(move |x, f| {
                    (if f { &fine } else { &coarse }).score(&scorer_pinn, x)
                }),
            })
        }),
    }
}

/// A reference solution sampled at points: the PINN scores are relative L2 errors there.
struct Sampled {
    points: Vec<f64>,
    values: Vec<f64>,
}

impl Sampled {
    /// Every `sx`-th x and `st`-th t of a grid solution.
    fn every(r: &GridSolution, sx: usize, st: usize) -> Self {
        let nx = r.x.len();
        let (mut points, mut values) = (Vec::new(), Vec::new());
        for (j, &t) in r.t.iter().enumerate().step_by(st) {
            for (i, &x) in r.x.iter().enumerate().step_by(sx) {
                points.extend([x, t]);
                values.push(r.values[j * nx + i]);
            }
        }
        Self { points, values }
    }

    /// `‖u − u_ref‖₂ / ‖u_ref‖₂` over the points.
    fn score(&self, pinn: &Pinn, params: &[f64]) -> Result<Score> {
        let u = pinn.predict(params, &self.points)?;
        let num: f64 = u
            .iter()
            .zip(&self.values)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        let den: f64 = self.values.iter().map(|b| b * b).sum();
        Ok(Score {
            error: (num / den).sqrt(),
            gap: f64::NAN,
        })
    }
}

impl Benchmark {
    /// Viscous Burgers (the `burgers` example's network and conditions, 1 000 Halton interior
    /// points); the seed draws the network's initial parameters. Error: relative L2 against
    /// Cole-Hopf on the 256 × 100 grid.
    pub fn burgers(quick: bool) -> Result<Self> {
        let pinn = BurgersSetup {
            interior: PINN_INTERIOR,
            ..BurgersSetup::default()
        }
        .build()?;
        // The Cole-Hopf values (a quadrature per point) once, on the 256 × 100 grid, which
        // every row uses (a coarser grid misses the shock and reads errors up to 10× lower).
        let points = pinn.domain().grid(256, 100);
        let values = BurgersColeHopf::standard()?.values(&points);
        let grid = Arc::new(Sampled { points, values });
        Ok(pinn_benchmark(
            "burgers",
            5e-2,
            pinn,
            Arc::clone(&grid),
            grid,
            quick,
        ))
    }

    /// Allen-Cahn or KdV in the JAX-PI conventions ([`StiffSetup`] with 1 000 interior points
    /// and 256 initial points, soft initial condition, exact periodicity); the seed draws the
    /// network's initial parameters. Error: relative L2 against the spectral reference on the
    /// 512 × 201 grid (every other x and t for the trace rows; the final score uses the whole
    /// grid).
    pub fn stiff(pde: StiffPde, quick: bool) -> Result<Self> {
        let setup = StiffSetup {
            interior: PINN_INTERIOR,
            initial: InitialConstraint::Soft {
                points: 256,
                weight: 10.0,
            },
            ..StiffSetup::new(pde)
        };
        let (pinn, _) = setup.build()?;
        let reference = pde.reference()?;
        let fine = Arc::new(Sampled {
            points: reference.points(),
            values: reference.values.clone(),
        });
        let coarse = Arc::new(Sampled::every(&reference, 2, 2));
        Ok(pinn_benchmark(pde.name(), 1e-1, pinn, fine, coarse, quick))
    }

    /// A long-only, fully invested portfolio on `returns` (sample mean and covariance):
    /// minimum variance or utility `γ`. The rules run projected onto the simplex; the
    /// quasi-Newton methods on the softmax form `w = softmax(z)` ([`SoftmaxPortfolio`]), from
    /// the same start (seed 0: equal weights; others: random weights `∝ exp(N(0, 1))`). Error:
    /// `max |w − w*|` against Clarabel's polished solution; gap: `(f(w) − f*)/|f*|`.
    pub fn portfolio(returns: &Returns, objective: Objective, quick: bool) -> Result<Self> {
        let n = returns.assets_len();
        let problem = MeanVariance::from_returns(returns, objective, Constraints::long_only(n))?;
        let exact = solve_reference(&problem)?;
        let f_star = problem.objective(&exact.weights)?;
        let w_star = exact.weights;
        let name = match objective {
            Objective::MinVariance => "portfolio min-variance".to_string(),
            Objective::Utility { gamma } => format!("portfolio utility γ={gamma}"),
        };
        Ok(Self {
            name,
            error_label: "max |w − w*|",
            target: 1e-4,
            budget: if quick { 600 } else { 2000 },
            seconds: 20.0,
            rates: rate_grid(-4, 1, if quick { 1 } else { 2 }),
            build: Box::new(move |seed, unconstrained| {
                let w0 = if seed == 0 {
                    vec![1.0 / n as f64; n]
                } else {
                    let mut rng = batch_rng(seed, 4);
                    let z: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
                    SoftmaxPortfolio::weights(&z)
                };
                let (p, w_star) = (problem.clone(), w_star.clone());
                let score = move |w: &[f64], _fine: bool| -> Result<Score> {
                    let err = w
                        .iter()
                        .zip(&w_star)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                    Ok(Score {
                        error: err,
                        gap: (p.objective(w)? - f_star) / f_star.abs(),
                    })
                };
                Ok(if unconstrained {
                    Instance {
                        problem: Box::new(SoftmaxPortfolio::new(problem.clone())?),
                        x0: w0.iter().map(|w| w.ln()).collect(),
                        set: None,
                        scorer: Box::new(move |z, f| score(&SoftmaxPortfolio::weights(z), f)),
                    }
                } else {
                    let set: Arc<dyn Projection> = problem.constraints().clone();
                    Instance {
                        problem: Box::new(problem.clone()),
                        x0: w0,
                        set: Some(set),
                        scorer: Box::new(score),
                    }
                })
            }),
        })
    }
}
