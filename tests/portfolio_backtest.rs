//! The walk-forward backtest on the S&P 500 sample against an independent account: each
//! asset's holding in currency, grown by its own return, reset to equal parts at every
//! rebalance.

mod common;
use common::sp500::sp500;
use ravine::portfolio::{backtest, BacktestSettings, Returns, Window};

#[test]
fn equal_weights_match_a_holdings_account() {
    let r = sp500();
    let n = r.assets_len();
    let settings = BacktestSettings {
        window: Window::Rolling(250),
        rebalance_every: 63,
        periods_per_year: 252.0,
    };
    let b = backtest(&r, &settings, |_: &Returns| Ok(vec![1.0 / n as f64; n])).unwrap();
    // The account: money in each asset.
    let mut money = vec![0.0; n];
    let mut turnover = Vec::new();
    for (k, t) in (250..r.periods()).enumerate() {
        if k.is_multiple_of(63) {
            let total: f64 = if k == 0 { 1.0 } else { money.iter().sum() };
            if k > 0 {
                let traded: f64 = money
                    .iter()
                    .map(|m| (m / total - 1.0 / n as f64).abs())
                    .sum();
                turnover.push(traded);
            }
            money.iter_mut().for_each(|m| *m = total / n as f64);
        }
        for (m, x) in money.iter_mut().zip(r.row(t)) {
            *m *= 1.0 + x;
        }
        let wealth: f64 = money.iter().sum();
        assert!(
            (b.wealth[k] - wealth).abs() <= 1e-11 * wealth,
            "period {k}: {} vs {wealth}",
            b.wealth[k]
        );
    }
    assert_eq!(b.turnovers.len(), turnover.len() + 1);
    for (a, e) in b.turnovers[1..].iter().zip(&turnover) {
        assert!((a - e).abs() < 1e-12, "{a} vs {e}");
    }
    let mean_turnover = turnover.iter().sum::<f64>() / turnover.len() as f64;
    assert!((b.stats.mean_turnover - mean_turnover).abs() < 1e-13);
    assert!((b.stats.total_return - (b.wealth[b.wealth.len() - 1] - 1.0)).abs() < 1e-15);
}
