//! A walk-forward backtest: estimate on a window of past returns, hold the chosen weights
//! (drifting with prices) until the next rebalance, and measure the out-of-sample result.

use super::{ewma_covariance, ledoit_wolf, sample_covariance, FactorModel, Returns, RiskModel};
use crate::error::{Error, Result};
use std::sync::Arc;

/// Which past returns a rebalance sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The last `n` periods.
    Rolling(usize),
    /// Every period so far, starting once there are `n`.
    Expanding(usize),
}

impl Window {
    fn length(self) -> usize {
        match self {
            Window::Rolling(n) | Window::Expanding(n) => n,
        }
    }
}

/// A covariance estimator for the backtest's windows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimator {
    /// The sample covariance (ddof = 1).
    Sample,
    /// Ledoit-Wolf shrinkage towards a scaled identity.
    LedoitWolf,
    /// Exponentially weighted, with this half-life in periods.
    Ewma {
        /// Half-life in periods.
        half_life: f64,
    },
    /// A statistical factor model: the sample covariance's top `factors` eigenpairs as
    /// loadings and factor variances, the rest of its diagonal as idiosyncratic variances
    /// (floored at 1e-10 of the mean variance), applied in `O(nk)`.
    Factor {
        /// Number of factors `k`.
        factors: usize,
    },
}

impl Estimator {
    /// A short name (`sample`, `ledoit-wolf`, `ewma(60)`, `factor(3)`).
    pub fn name(&self) -> String {
        match self {
            Estimator::Sample => "sample".into(),
            Estimator::LedoitWolf => "ledoit-wolf".into(),
            Estimator::Ewma { half_life } => format!("ewma({half_life})"),
            Estimator::Factor { factors } => format!("factor({factors})"),
        }
    }

    /// The covariance of `window`.
    pub fn estimate(&self, window: &Returns) -> Result<Arc<dyn RiskModel>> {
        Ok(match *self {
            Estimator::Sample => Arc::new(sample_covariance(window)?),
            Estimator::LedoitWolf => Arc::new(ledoit_wolf(window)?.0),
            Estimator::Ewma { half_life } => Arc::new(ewma_covariance(window, half_life)?),
            Estimator::Factor { factors } => {
                let s = sample_covariance(window)?;
                let n = window.assets_len();
                if factors == 0 || factors >= n {
                    return Err(Error::InvalidConfig {
                        component: "factor estimator",
                        message: format!("{factors} factors for {n} assets (need 1..{n})"),
                    });
                }
                let (values, vectors) = crate::linalg::symmetric_eigen(n, s.data())?;
                let top: Vec<usize> = (n - factors..n).rev().collect();
                let mut loadings = vec![0.0; n * factors];
                for i in 0..n {
                    for (c, &j) in top.iter().enumerate() {
                        loadings[i * factors + c] = vectors[i * n + j];
                    }
                }
                let mut f = vec![0.0; factors * factors];
                for (c, &j) in top.iter().enumerate() {
                    f[c * factors + c] = values[j].max(0.0);
                }
                let floor = 1e-10 * (0..n).map(|i| s.get(i, i)).sum::<f64>() / n as f64;
                let idio = (0..n)
                    .map(|i| {
                        let common: f64 = top
                            .iter()
                            .map(|&j| values[j].max(0.0) * vectors[i * n + j].powi(2))
                            .sum();
                        (s.get(i, i) - common).max(floor)
                    })
                    .collect();
                Arc::new(FactorModel::new(n, factors, loadings, f, idio)?)
            }
        })
    }
}

/// Settings of [`backtest`].
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestSettings {
    /// The estimation window.
    pub window: Window,
    /// Rebalance every this many periods (≥ 1).
    pub rebalance_every: usize,
    /// Periods per year, for annualising (252 for daily data).
    pub periods_per_year: f64,
}

/// Out-of-sample summary of a [`Backtest`], annualised with the settings' periods per year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BacktestStats {
    /// Mean period return × periods per year.
    pub annual_return: f64,
    /// Standard deviation of the period returns (ddof = 1) × √(periods per year).
    pub annual_volatility: f64,
    /// `annual_return / annual_volatility` (a zero risk-free rate).
    pub sharpe: f64,
    /// Largest fall of wealth from a previous peak, as a fraction of the peak.
    pub max_drawdown: f64,
    /// Mean turnover `Σ|w_target − w_drifted|` per rebalance (the first purchase excluded).
    pub mean_turnover: f64,
    /// Final wealth − 1.
    pub total_return: f64,
}

/// The record of a walk-forward backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// The out-of-sample periods' dates.
    pub dates: Vec<String>,
    /// The portfolio's simple return in each out-of-sample period.
    pub returns: Vec<f64>,
    /// Wealth after each out-of-sample period, starting from 1.
    pub wealth: Vec<f64>,
    /// Index (into `dates`) of each rebalance.
    pub rebalances: Vec<usize>,
    /// The weights chosen at each rebalance.
    pub weights: Vec<Vec<f64>>,
    /// Turnover at each rebalance (0 for the first purchase).
    pub turnovers: Vec<f64>,
    /// The summary.
    pub stats: BacktestStats,
}

/// Walks forward through `returns`: at the first out-of-sample period (after the window's
/// length) and every `rebalance_every` periods after it, `strategy(window)` chooses weights
/// from the estimation window (the periods before, never the current one); between
/// rebalances the holdings drift with prices, `w ← w ∘ (1 + r_t) / (1 + wᵀr_t)`. Errors on
/// bad settings, a window longer than the data, or weights of the wrong length or not finite.
pub fn backtest<F>(
    returns: &Returns,
    settings: &BacktestSettings,
    mut strategy: F,
) -> Result<Backtest>
where
    F: FnMut(&Returns) -> Result<Vec<f64>>,
{
    let (n, periods) = (returns.assets_len(), returns.periods());
    let start = settings.window.length();
    if settings.rebalance_every == 0 || start < 2 || start >= periods {
        return Err(Error::InvalidConfig {
            component: "backtest",
            message: format!(
                "window {:?} and rebalancing every {} over {periods} periods: need a window of \
                 2 or more periods, shorter than the data, and rebalancing every 1 or more",
                settings.window, settings.rebalance_every
            ),
        });
    }
    crate::error::check(
        settings.periods_per_year.is_finite() && settings.periods_per_year > 0.0,
        "backtest",
        "periods_per_year",
        settings.periods_per_year,
        "must be finite and > 0",
    )?;
    let mut held = vec![0.0; n];
    let mut out = Backtest {
        dates: Vec::new(),
        returns: Vec::new(),
        wealth: Vec::new(),
        rebalances: Vec::new(),
        weights: Vec::new(),
        turnovers: Vec::new(),
        stats: BacktestStats {
            annual_return: 0.0,
            annual_volatility: 0.0,
            sharpe: 0.0,
            max_drawdown: 0.0,
            mean_turnover: 0.0,
            total_return: 0.0,
        },
    };
    let mut wealth = 1.0;
    for t in start..periods {
        if (t - start).is_multiple_of(settings.rebalance_every) {
            let from = match settings.window {
                Window::Rolling(len) => t - len,
                Window::Expanding(_) => 0,
            };
            let w = strategy(&returns.window(from, t)?)?;
            if w.len() != n || w.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidConfig {
                    component: "backtest",
                    message: format!(
                        "the strategy returned {} weights (finite: {}) for {n} assets at {}",
                        w.len(),
                        w.iter().all(|v| v.is_finite()),
                        returns.dates()[t]
                    ),
                });
            }
            let first = out.rebalances.is_empty();
            let turnover: f64 = held.iter().zip(&w).map(|(a, b)| (a - b).abs()).sum();
            out.turnovers.push(if first { 0.0 } else { turnover });
            out.rebalances.push(t - start);
            out.weights.push(w.clone());
            held = w;
        }
        let r = returns.row(t);
        let rp: f64 = held.iter().zip(r).map(|(w, x)| w * x).sum();
        if 1.0 + rp > 0.0 {
            for (w, x) in held.iter_mut().zip(r) {
                *w *= (1.0 + x) / (1.0 + rp);
            }
        }
        wealth *= 1.0 + rp;
        out.dates.push(returns.dates()[t].clone());
        out.returns.push(rp);
        out.wealth.push(wealth);
    }
    out.stats = summarise(&out, settings.periods_per_year);
    Ok(out)
}

fn summarise(b: &Backtest, per_year: f64) -> BacktestStats {
    let m = b.returns.len() as f64;
    let mean = b.returns.iter().sum::<f64>() / m;
    let var = b.returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0).max(1.0);
    let (mut peak, mut drawdown) = (1.0f64, 0.0f64);
    for &w in &b.wealth {
        peak = peak.max(w);
        drawdown = drawdown.max(1.0 - w / peak);
    }
    let later = &b.turnovers[1.min(b.turnovers.len())..];
    let annual_volatility = (var * per_year).sqrt();
    BacktestStats {
        annual_return: mean * per_year,
        annual_volatility,
        sharpe: mean * per_year / annual_volatility.max(f64::MIN_POSITIVE),
        max_drawdown: drawdown,
        mean_turnover: later.iter().sum::<f64>() / later.len().max(1) as f64,
        total_return: b.wealth.last().copied().unwrap_or(1.0) - 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn three_days() -> Returns {
        let dates = ["d0", "d1", "d2", "d3"].map(String::from).to_vec();
        let values = vec![0.0, 0.0, 0.1, 0.0, 0.0, 0.1, -0.2, 0.1];
        Returns::new(dates, vec!["A".into(), "B".into()], values).unwrap()
    }

    #[test]
    fn holdings_drift_between_rebalances_as_buy_and_hold() {
        let r = three_days();
        let half = |_: &Returns| Ok(vec![0.5, 0.5]);
        let every = |k| BacktestSettings {
            window: Window::Rolling(2),
            rebalance_every: k,
            periods_per_year: 252.0,
        };
        // Out of sample: d2 (0, 0.1) and d3 (−0.2, 0.1). Held from d2 on, never rebalanced:
        // A's half is worth 0.5·1·0.8 = 0.4, B's 0.5·1.1·1.1 = 0.605.
        let b = backtest(&r, &every(5), half).unwrap();
        assert_eq!(
            (b.rebalances.clone(), b.dates.clone()),
            (vec![0], vec!["d2".into(), "d3".into()])
        );
        assert_abs_diff_eq!(b.wealth[0], 1.05, epsilon = 1e-15);
        assert_abs_diff_eq!(b.wealth[1], 0.4 + 0.605, epsilon = 1e-15);
        assert_abs_diff_eq!(b.stats.max_drawdown, 1.0 - 1.005 / 1.05, epsilon = 1e-15);
        assert_abs_diff_eq!(b.stats.total_return, 0.005, epsilon = 1e-15);
        // Rebalanced every day: back to halves at d3, after drifting to (0.5, 0.55)/1.05.
        let b = backtest(&r, &every(1), half).unwrap();
        assert_abs_diff_eq!(b.turnovers[1], 2.0 * (0.55 / 1.05 - 0.5), epsilon = 1e-15);
        assert_abs_diff_eq!(
            b.wealth[1],
            1.05 * (1.0 + 0.5 * (-0.2) + 0.5 * 0.1),
            epsilon = 1e-15
        );
        let (m, s) = (0.0, (2.0f64 * 0.05f64.powi(2)).sqrt()); // returns 0.05 and −0.05
        assert_abs_diff_eq!(b.stats.annual_return, m, epsilon = 1e-15);
        assert_abs_diff_eq!(
            b.stats.annual_volatility,
            s * 252f64.sqrt(),
            epsilon = 1e-12
        );
    }

    #[test]
    fn the_strategy_sees_only_the_past() {
        let r = three_days();
        let mut seen = Vec::new();
        let settings = BacktestSettings {
            window: Window::Expanding(2),
            rebalance_every: 1,
            periods_per_year: 252.0,
        };
        backtest(&r, &settings, |w: &Returns| {
            seen.push(w.dates().to_vec());
            Ok(vec![1.0, 0.0])
        })
        .unwrap();
        assert_eq!(seen, vec![vec!["d0", "d1"], vec!["d0", "d1", "d2"]]);
        let bad = BacktestSettings {
            window: Window::Rolling(4),
            ..settings.clone()
        };
        assert!(backtest(&r, &bad, |_: &Returns| Ok(vec![1.0, 0.0])).is_err());
        assert!(backtest(&r, &settings, |_: &Returns| Ok(vec![1.0])).is_err());
        assert!(backtest(&r, &settings, |_: &Returns| Ok(vec![f64::NAN, 1.0])).is_err());
    }

    #[test]
    fn the_factor_estimator_reproduces_a_rank_one_market() {
        // Returns r_ki = f_k b_i: the sample covariance is exactly rank one, var(f) b bᵀ, and a
        // one-factor model must give it back (its idiosyncratic part only the 1e-10 floor).
        let (t, n) = (300, 6);
        let b: Vec<f64> = (0..n).map(|i| 0.5 + i as f64 / n as f64).collect();
        let mut values = Vec::with_capacity(t * n);
        for k in 0..t {
            let f = 0.02 * (((k * 7919) % 97) as f64 / 97.0 - 0.5);
            values.extend(b.iter().map(|bi| f * bi));
        }
        let dates = (0..t).map(|k| format!("p{k}")).collect();
        let r = Returns::new(dates, (0..n).map(|i| format!("a{i}")).collect(), values).unwrap();
        let s = sample_covariance(&r).unwrap();
        let dense = Estimator::Factor { factors: 1 }
            .estimate(&r)
            .unwrap()
            .to_dense();
        let scale = s.get(n - 1, n - 1);
        for i in 0..n {
            for j in 0..n {
                assert_abs_diff_eq!(dense[i * n + j], s.get(i, j), epsilon = 1e-9 * scale);
            }
        }
        assert!(Estimator::Factor { factors: 6 }.estimate(&r).is_err());
        assert!(Estimator::Factor { factors: 0 }.estimate(&r).is_err());
    }
}
