//! [`Returns`]: one row of simple returns per period, computed from prices or read from CSV.

use super::csv_table::{self, data_err, Cells};
use crate::error::{Error, Result};
use std::io::BufRead;
use std::path::Path;

/// Simple returns `R_t = P_t / P_{t−1} − 1`, one row per period (the first date is dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Returns {
    dates: Vec<String>,
    assets: Vec<String>,
    /// Row-major, `periods × assets`.
    values: Vec<f64>,
}

impl Returns {
    /// Reads a CSV file of simple returns: a header `Date,<asset>,…`, then one row per period
    /// (a `.gz` name is decompressed). Columns named in `drop` are skipped (a cash or
    /// risk-free column, say); naming one the header lacks is an error. Errors name the file,
    /// line and column of the first bad cell: missing, non-numeric, not finite or ≤ −1 (a
    /// simple return cannot lose more than everything), a row of the wrong length, a date that
    /// is malformed, repeated or out of order, fewer than two rows.
    pub fn from_csv(path: impl AsRef<Path>, drop: &[&str]) -> Result<Self> {
        let (reader, name) = csv_table::open(path.as_ref())?;
        Self::from_reader(reader, &name, drop)
    }

    /// [`Returns::from_csv`] from any reader; `source` names it in errors.
    pub fn from_reader(reader: impl BufRead, source: &str, drop: &[&str]) -> Result<Self> {
        let t = csv_table::parse(reader, source, Cells::Returns, drop)?;
        Ok(Self::from_parts(t.dates, t.assets, t.values))
    }

    /// Checked parts (see [`super::PriceTable::returns`]).
    pub(super) fn from_parts(dates: Vec<String>, assets: Vec<String>, values: Vec<f64>) -> Self {
        Self {
            dates,
            assets,
            values,
        }
    }

    /// Returns from a row-major `periods × assets` matrix. Errors on a length mismatch, a
    /// non-finite value, or fewer than 2 periods.
    pub fn new(dates: Vec<String>, assets: Vec<String>, values: Vec<f64>) -> Result<Self> {
        let n = assets.len();
        if n == 0 {
            return Err(data_err("returns", 0, 0, "no assets"));
        }
        if values.len() != dates.len() * n {
            return Err(Error::DimensionMismatch {
                component: "returns",
                what: "values",
                expected: dates.len() * n,
                got: values.len(),
            });
        }
        if dates.len() < 2 {
            return Err(data_err("returns", 0, 0, "fewer than 2 periods"));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(data_err(
                "returns",
                i / n + 1,
                i % n + 1,
                format!("non-finite return {}", values[i]),
            ));
        }
        Ok(Self {
            dates,
            assets,
            values,
        })
    }

    /// Number of periods (rows).
    pub fn periods(&self) -> usize {
        self.dates.len()
    }

    /// Number of assets (columns).
    pub fn assets_len(&self) -> usize {
        self.assets.len()
    }

    /// The asset names.
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// The period end dates.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// Row-major values, `periods × assets`.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Row `t`: every asset's return in period `t`.
    pub fn row(&self, t: usize) -> &[f64] {
        let n = self.assets.len();
        &self.values[t * n..(t + 1) * n]
    }

    /// Rows `start..end` (periods), e.g. an estimation window. Errors unless
    /// `start < end ≤ periods` and the window has at least 2 rows.
    pub fn window(&self, start: usize, end: usize) -> Result<Self> {
        if !(start < end && end <= self.periods() && end - start >= 2) {
            return Err(Error::InvalidConfig {
                component: "returns",
                message: format!(
                    "window {start}..{end} of {} periods (needs at least 2 rows)",
                    self.periods()
                ),
            });
        }
        let n = self.assets.len();
        Ok(Self {
            dates: self.dates[start..end].to_vec(),
            assets: self.assets.clone(),
            values: self.values[start * n..end * n].to_vec(),
        })
    }

    /// The last `periods` rows (all of them if fewer).
    pub fn tail(&self, periods: usize) -> Self {
        let start = self.periods().saturating_sub(periods);
        let n = self.assets.len();
        Self {
            dates: self.dates[start..].to_vec(),
            assets: self.assets.clone(),
            values: self.values[start * n..].to_vec(),
        }
    }

    /// Sample mean of each asset's returns.
    pub fn mean(&self) -> Vec<f64> {
        let n = self.assets.len();
        let mut m = vec![0.0; n];
        for t in 0..self.periods() {
            for (mj, r) in m.iter_mut().zip(self.row(t)) {
                *mj += r;
            }
        }
        let inv = 1.0 / self.periods() as f64;
        m.iter_mut().for_each(|v| *v *= inv);
        m
    }

    /// Sample standard deviation (ddof = 1) of each asset's returns.
    pub fn volatility(&self) -> Vec<f64> {
        let m = self.mean();
        let mut s = vec![0.0; m.len()];
        for t in 0..self.periods() {
            for ((sj, r), mj) in s.iter_mut().zip(self.row(t)).zip(&m) {
                *sj += (r - mj) * (r - mj);
            }
        }
        let inv = 1.0 / (self.periods() - 1) as f64;
        s.iter().map(|v| (v * inv).sqrt()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portfolio::csv_table::located;
    use crate::portfolio::PriceTable;
    use std::io::Write;

    #[test]
    fn returns_read_from_csv_equal_those_computed_from_prices() {
        let prices = "Date,A,B\n2020-01-01,1,4\n2020-01-02,2,2\n2020-01-03,3,1\n";
        let from_prices = PriceTable::from_reader(prices.as_bytes(), "p.csv")
            .unwrap()
            .returns();
        // The same returns with a cash column between the assets, dropped on reading.
        let text = "date,A,cash,B\n2020-01-02,1,0.0001,-0.5\n2020-01-03,0.5,0.0001,-0.5\n";
        let read = Returns::from_reader(text.as_bytes(), "r.csv", &["cash"]).unwrap();
        assert_eq!(read, from_prices);
        let all = Returns::from_reader(text.as_bytes(), "r.csv", &[]).unwrap();
        assert_eq!(all.assets(), &["A", "cash", "B"]);
        assert_eq!(all.row(1), &[0.5, 0.0001, -0.5]);
    }

    #[test]
    fn a_gzip_file_reads_like_the_plain_one() {
        let text = "Date,A,B\n2021-03-01,0.01,-0.02\n2021-03-02,0.03,0.0\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap();
        let plain = Returns::from_reader(text.as_bytes(), "r.csv", &[]).unwrap();
        assert_eq!(Returns::from_csv(&path, &[]).unwrap(), plain);
        let missing = Returns::from_csv(dir.path().join("none.csv"), &[]).unwrap_err();
        assert!(missing.to_string().contains("none.csv"), "{missing}");
    }

    #[test]
    fn bad_returns_are_located_in_the_file() {
        let cases = [
            (
                "Date,A,B\n2020-01-01,0.1,-1\n2020-01-02,0,0\n",
                &[][..],
                (2, 3),
                "> -1",
            ),
            (
                "Date,A,B\n2020-01-01,0.1,inf\n2020-01-02,0,0\n",
                &[],
                (2, 3),
                "finite",
            ),
            (
                "Date,A,B\n2020-01-01,0.1,\n2020-01-02,0,0\n",
                &[],
                (2, 3),
                "missing return",
            ),
            (
                "Date,A,B\n2020-01-01,0.1,0\n2020-01-02,0\n",
                &[],
                (3, 0),
                "cells",
            ),
            (
                "Date,A,B\n2020-01-02,0,0\n2020-01-01,0,0\n",
                &[],
                (3, 1),
                "increase",
            ),
            ("Date,A,B\n2020-01-01,0,0\n", &[], (0, 0), "at least 2"),
            (
                "Date,A,B\n2020-01-01,0,0\n2020-01-02,0,0\n",
                &["cash"],
                (1, 0),
                "no column",
            ),
            (
                "Date,A\n2020-01-01,0\n2020-01-02,0\n",
                &["A"],
                (1, 0),
                "no assets",
            ),
            // A bad cell in a dropped column is not read.
            (
                "Date,A,cash\n2020-01-01,0,x\n2020-01-02,0,-7\n",
                &["cash"],
                (0, 0),
                "",
            ),
        ];
        for (text, drop, (line, col), what) in cases {
            match Returns::from_reader(text.as_bytes(), "r.csv", drop) {
                Ok(r) => {
                    assert!(what.is_empty(), "{text}: accepted");
                    assert_eq!(r.assets(), &["A"]);
                }
                Err(e) => {
                    let (l, c, m) = located(e);
                    assert_eq!((l, c), (line, col), "{text}: {m}");
                    assert!(!what.is_empty() && m.contains(what), "{text}: {m}");
                }
            }
        }
    }
}
