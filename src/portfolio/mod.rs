//! Mean-variance portfolios on real returns, solved by the projected update rules and
//! certified against an exact QP solve.
//!
//! - Data: [`PriceTable`] and [`Returns`] (CSV / gzip, columns to drop, typed errors with
//!   file, line and column).
//! - Estimators: [`sample_covariance`], [`ledoit_wolf`], [`ewma_covariance`], and the
//!   [`FactorModel`] (`Σ = BFBᵀ + D` in `O(nk)`, with a seeded synthetic generator).
//! - Problems: [`MeanVariance`] with an [`Objective`] over [`Constraints`] (exact projections);
//!   [`MaxSharpe`], the tangency portfolio through the homogenised problem.
//! - Solvers: [`solve`] (no reference needed: rule and step from the curvature, certified),
//!   [`solve_projected`] (any rule), [`solve_lbfgs_softmax`] (argmin's L-BFGS),
//!   [`solve_clarabel`] / [`solve_reference`] (interior point, polished), all returning a
//!   [`Solution`] with its KKT [`Certificate`]; [`efficient_frontier`]; [`compare`] for any
//!   weights (gap, weight error, certificate) and [`RiskReport`] (daily and annualised).
//! - Backtests: [`backtest`], walk-forward with rolling or expanding [`Window`]s and any
//!   strategy, [`Estimator`]s for its windows.
//! - Curvature: [`PortfolioHessian`], `γΣ` as a [`crate::diagnostics::Operator`].
//!
//! ```
//! use ravine::portfolio::{solve_reference, Constraints, Covariance, MeanVariance, Objective};
//! // Two uncorrelated assets with variances 1 and 4: the minimum-variance weights are (0.8, 0.2).
//! let sigma = Covariance::new(2, vec![1.0, 0.0, 0.0, 4.0]).unwrap();
//! let problem = MeanVariance::new(std::sync::Arc::new(sigma), vec![0.0, 0.0], Objective::MinVariance,
//!                                 Constraints::long_only(2)).unwrap();
//! let w = solve_reference(&problem).unwrap().weights;
//! assert!((w[0] - 0.8).abs() < 1e-8 && (w[1] - 0.2).abs() < 1e-8);
//! ```

mod active_set;
mod auto;
mod backtest;
mod compare;
mod constraints;
mod constraints_projection;
mod covariance;
mod csv_table;
mod curvature;
mod estimators;
mod factor;
mod frontier;
mod groups;
mod kkt;
mod l1_limit;
mod prices;
mod problem;
mod reference;
mod restricted;
mod returns;
mod risk;
mod rules;
mod sharpe;
mod simplex;
mod softmax;
mod solve;

pub use active_set::{solve_active_set, ActiveSetSettings};
pub use auto::{solve, AutoSettings};
pub use backtest::{backtest, Backtest, BacktestSettings, BacktestStats, Estimator, Window};
pub use compare::{compare, Comparison, RiskReport, TRADING_DAYS};
pub use constraints::Constraints;
pub use covariance::Covariance;
pub use curvature::PortfolioHessian;
pub use estimators::{ewma_covariance, ledoit_wolf, sample_covariance};
pub use factor::{FactorModel, SyntheticMarket};
pub use frontier::{efficient_frontier, FrontierPoint, FrontierSettings};
pub use groups::{Group, GROUP_TOLERANCE};
pub use kkt::{Certificate, SUPPORT_TOLERANCE};
pub use l1_limit::{L1Kind, L1Limit};
pub use prices::PriceTable;
pub use problem::{MeanVariance, Objective};
pub use reference::{polish, solve_qp, QpForm, QpSettings, QpSolution};
pub use restricted::RestrictedSolve;
pub use returns::Returns;
pub use risk::RiskModel;
pub use rules::{portfolio_rule, scaled_lipschitz};
pub use sharpe::MaxSharpe;
pub use softmax::SoftmaxPortfolio;
pub use solve::{
    default_lbfgs, solve_clarabel, solve_lbfgs_softmax, solve_lbfgs_softmax_observed,
    solve_projected, solve_projected_observed, solve_reference, Projected, Solution,
};
