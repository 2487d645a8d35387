//! [`PriceTable`]: a date column and one price column per asset, read from CSV (optionally
//! gzip-compressed), and the simple returns computed from it.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read};
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

/// Simple returns `R_t = P_t / P_{t−1} − 1`, one row per period (the first date is dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Returns {
    dates: Vec<String>,
    assets: Vec<String>,
    /// Row-major, `periods × assets`.
    values: Vec<f64>,
}

fn data_err(file: &str, line: usize, column: usize, message: impl Into<String>) -> Error {
    Error::Data {
        file: file.to_string(),
        line,
        column,
        message: message.into(),
    }
}

/// Parses `YYYY-MM-DD` (an optional time part after a space or `T` is ignored) into a sortable
/// key.
fn date_key(text: &str) -> Option<(u32, u32, u32)> {
    let day = text.split([' ', 'T']).next()?;
    let mut it = day.split('-');
    let y: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some((y, m, d))
}

impl PriceTable {
    /// Reads a CSV file: a header `Date,<asset>,<asset>,…`, then one row per date. A name
    /// ending in `.gz` is decompressed. Errors name the file, line and column of the first bad
    /// cell: a missing or non-numeric value, a non-positive price, a row with the wrong number
    /// of cells, a date that is malformed, repeated or out of order, or fewer than two rows.
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| data_err(&name, 0, 0, e.to_string()))?;
        let reader: Box<dyn Read> = if name.ends_with(".gz") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        Self::from_reader(BufReader::new(reader), &name)
    }

    /// Parses CSV text from any reader; `source` names it in errors.
    pub fn from_reader(reader: impl BufRead, source: &str) -> Result<Self> {
        let mut lines = reader.lines();
        let header = match lines.next() {
            Some(l) => l.map_err(|e| data_err(source, 1, 0, e.to_string()))?,
            None => return Err(data_err(source, 1, 0, "empty file: no header")),
        };
        let header = header.trim_start_matches('\u{feff}').trim_end_matches('\r');
        let mut cols = header.split(',');
        cols.next();
        let assets: Vec<String> = cols.map(|c| c.trim().to_string()).collect();
        if assets.is_empty() {
            return Err(data_err(
                source,
                1,
                0,
                "header has a date column but no assets",
            ));
        }
        if let Some(i) = assets.iter().position(|a| a.is_empty()) {
            return Err(data_err(source, 1, i + 2, "empty asset name in header"));
        }
        let n = assets.len();
        let mut dates = Vec::new();
        let mut prices = Vec::new();
        let mut last: Option<((u32, u32, u32), String)> = None;
        for (k, line) in lines.enumerate() {
            let lineno = k + 2;
            let line = line.map_err(|e| data_err(source, lineno, 0, e.to_string()))?;
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != n + 1 {
                return Err(data_err(
                    source,
                    lineno,
                    0,
                    format!("row has {} cells, header has {}", cells.len(), n + 1),
                ));
            }
            let date = cells[0].trim();
            let key = date_key(date).ok_or_else(|| {
                data_err(
                    source,
                    lineno,
                    1,
                    format!("date {date:?} is not YYYY-MM-DD"),
                )
            })?;
            if let Some((prev, prev_text)) = &last {
                if key == *prev {
                    return Err(data_err(
                        source,
                        lineno,
                        1,
                        format!("duplicate date {date}"),
                    ));
                }
                if key < *prev {
                    return Err(data_err(
                        source,
                        lineno,
                        1,
                        format!("date {date} comes after {prev_text}: dates must increase"),
                    ));
                }
            }
            for (j, cell) in cells[1..].iter().enumerate() {
                let cell = cell.trim();
                if cell.is_empty() {
                    return Err(data_err(
                        source,
                        lineno,
                        j + 2,
                        format!("missing price for {} on {date}", assets[j]),
                    ));
                }
                let p: f64 = cell.parse().map_err(|_| {
                    data_err(
                        source,
                        lineno,
                        j + 2,
                        format!("price {cell:?} for {} is not a number", assets[j]),
                    )
                })?;
                if !p.is_finite() || p <= 0.0 {
                    return Err(data_err(
                        source,
                        lineno,
                        j + 2,
                        format!("price {p} for {} must be finite and > 0", assets[j]),
                    ));
                }
                prices.push(p);
            }
            dates.push(date.to_string());
            last = Some((key, date.to_string()));
        }
        if dates.len() < 2 {
            return Err(data_err(
                source,
                0,
                0,
                format!("{} price rows; returns need at least 2", dates.len()),
            ));
        }
        Ok(Self {
            source: source.to_string(),
            dates,
            assets,
            prices,
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
        Returns {
            dates: self.dates[1..].to_vec(),
            assets: self.assets.clone(),
            values,
        }
    }
}

impl Returns {
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

    fn parse(text: &str) -> Result<PriceTable> {
        PriceTable::from_reader(text.as_bytes(), "t.csv")
    }

    fn location(e: Error) -> (usize, usize, String) {
        match e {
            Error::Data {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("expected a data error, got {other}"),
        }
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
            let (l, c, m) = location(parse(text).unwrap_err());
            assert_eq!((l, c), (line, col), "{text}: {m}");
            assert!(m.contains(what), "{m}");
        }
    }
}
