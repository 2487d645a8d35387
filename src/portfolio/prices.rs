//! [`PriceTable`]: a date column and one price column per asset, read from CSV (optionally
//! gzip-compressed), and the simple returns computed from it.

use super::csv_table::{self, Cells};
use super::Returns;
use crate::error::Result;
use std::io::BufRead;
use std::path::Path;

/// Daily (or any periodic) prices: `rows × assets`, dates strictly increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    source: String,
    dates: Vec<String>,
    assets: Vec<String>,
    /// Row-major, `dates.len() × assets.len()`.
    prices: Vec<f64>,
}

impl PriceTable {
    /// Reads a CSV file: a header `Date,<asset>,<asset>,…`, then one row per date. A name
    /// ending in `.gz` is decompressed. Errors name the file, line and column of the first bad
    /// cell: a missing or non-numeric value, a non-positive price, a row with the wrong number
    /// of cells, a date that is malformed, repeated or out of order, or fewer than two rows.
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Self> {
        let (reader, name) = csv_table::open(path.as_ref())?;
        Self::from_reader(reader, &name)
    }

    /// Parses CSV text from any reader; `source` names it in errors.
    pub fn from_reader(reader: impl BufRead, source: &str) -> Result<Self> {
        let t = csv_table::parse(reader, source, Cells::Prices, &[])?;
        Ok(Self {
            source: source.to_string(),
            dates: t.dates,
            assets: t.assets,
            prices: t.values,
        })
    }

    /// Where the table came from (the path, or the label given to
    /// [`PriceTable::from_reader`]).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The dates, as written in the file.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// The asset names, in column order.
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// Row-major prices, `dates × assets`.
    pub fn prices(&self) -> &[f64] {
        &self.prices
    }

    /// Simple returns `P_t / P_{t−1} − 1` over consecutive rows.
    pub fn returns(&self) -> Returns {
        let n = self.assets.len();
        let rows = self.dates.len();
        let mut values = Vec::with_capacity((rows - 1) * n);
        for t in 1..rows {
            for j in 0..n {
                values.push(self.prices[t * n + j] / self.prices[(t - 1) * n + j] - 1.0);
            }
        }
        Returns::from_parts(self.dates[1..].to_vec(), self.assets.clone(), values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::csv_table::located;

    fn parse(text: &str) -> Result<PriceTable> {
        PriceTable::from_reader(text.as_bytes(), "t.csv")
    }

    #[test]
    fn returns_are_simple_returns() {
        let t = parse("Date,A,B\n2020-01-01,1,4\n2020-01-02,2,2\n2020-01-03,3,1\n").unwrap();
        let r = t.returns();
        assert_eq!(r.values(), &[1.0, -0.5, 0.5, -0.5]);
        assert_eq!(
            r.dates(),
            &["2020-01-02".to_string(), "2020-01-03".to_string()]
        );
        assert_eq!(r.mean(), vec![0.75, -0.5]);
        approx::assert_abs_diff_eq!(r.volatility()[0], (0.125f64).sqrt(), epsilon = 1e-15);
    }

    #[test]
    fn bad_cells_are_located() {
        let cases = [
            (
                "Date,A,B\n2020-01-01,1,\n2020-01-02,1,1\n",
                (2, 3),
                "missing",
            ),
            (
                "Date,A,B\n2020-01-01,1,x\n2020-01-02,1,1\n",
                (2, 3),
                "not a number",
            ),
            ("Date,A,B\n2020-01-01,1,1\n2020-01-02,0,1\n", (3, 2), "> 0"),
            ("Date,A,B\n2020-01-01,1,1\n2020-01-02,1\n", (3, 0), "cells"),
            (
                "Date,A,B\n2020-01-02,1,1\n2020-01-01,1,1\n",
                (3, 1),
                "must increase",
            ),
            (
                "Date,A,B\n2020-01-01,1,1\n2020-01-01,1,1\n",
                (3, 1),
                "duplicate",
            ),
            (
                "Date,A,B\n2020-13-01,1,1\n2020-01-01,1,1\n",
                (2, 1),
                "YYYY-MM-DD",
            ),
            ("Date,A,B\n2020-01-01,1,1\n", (0, 0), "at least 2"),
            ("Date,A,B\n2020-01-01,1,-2\n2020-01-02,1,1\n", (2, 3), "> 0"),
        ];
        for (text, (line, col), what) in cases {
            let (l, c, m) = located(parse(text).unwrap_err());
            assert_eq!((l, c), (line, col), "{text}: {m}");
            assert!(m.contains(what), "{m}");
        }
    }
}
