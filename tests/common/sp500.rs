//! The S&P 500 sample shipped in `data/sp500`.

use ravine::portfolio::{PriceTable, Returns};

/// Its daily returns (20 assets, 8312 periods).
pub fn sp500() -> Returns {
    PriceTable::from_csv("data/sp500/sp500_dataset.csv.gz")
        .expect("data/sp500 is part of the repository")
        .returns()
}
