//! The CSV price loader on arbitrary bytes: a table or a typed error, never a panic. A table
//! it accepts has finite positive prices, and its returns are finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ravine::portfolio::{sample_covariance, PriceTable};

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = PriceTable::from_reader(data, "fuzz.csv") {
        assert!(table.prices().iter().all(|p| p.is_finite() && *p > 0.0));
        let returns = table.returns();
        assert!(returns.values().iter().all(|r| r.is_finite()));
        assert_eq!(returns.assets().len(), table.assets().len());
        let _ = sample_covariance(&returns);
    }
});
