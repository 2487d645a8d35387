//! The CSV tables behind [`super::PriceTable`] and [`super::Returns`]: a date column, then one
//! numeric column per asset, optionally gzip-compressed, with errors that name the file, line
//! and column of the first bad cell.

use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// What the numeric cells hold, and so which values are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cells {
    /// Prices: finite and > 0.
    Prices,
    /// Simple returns: finite and > −1 (no asset loses more than everything).
    Returns,
}

impl Cells {
    fn noun(self) -> &'static str {
        match self {
            Cells::Prices => "price",
            Cells::Returns => "return",
        }
    }

    fn check(self, v: f64) -> std::result::Result<(), &'static str> {
        match self {
            Cells::Prices if !(v.is_finite() && v > 0.0) => Err("must be finite and > 0"),
            Cells::Returns if !(v.is_finite() && v > -1.0) => Err("must be finite and > -1"),
            _ => Ok(()),
        }
    }
}

/// A parsed table: dates as written, asset names, row-major values.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Table {
    pub dates: Vec<String>,
    pub assets: Vec<String>,
    pub values: Vec<f64>,
}

pub(super) fn data_err(
    file: &str,
    line: usize,
    column: usize,
    message: impl Into<String>,
) -> Error {
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

/// Opens `path` for reading, through a gzip decoder if its name ends in `.gz`; returns the
/// reader and the path as text (for errors).
pub(super) fn open(path: &Path) -> Result<(Box<dyn BufRead>, String)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| data_err(&name, 0, 0, e.to_string()))?;
    let reader: Box<dyn Read> = if name.ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok((Box::new(BufReader::new(reader)), name))
}

/// Parses a table: a header `<date>,<asset>,…`, then one row per date, dates strictly
/// increasing. Columns named in `drop` (a cash column, say) are read past; naming a column the
/// header does not have is an error. At least two rows.
pub(super) fn parse(
    reader: impl BufRead,
    source: &str,
    cells: Cells,
    drop: &[&str],
) -> Result<Table> {
    let mut lines = reader.lines();
    let header = match lines.next() {
        Some(l) => l.map_err(|e| data_err(source, 1, 0, e.to_string()))?,
        None => return Err(data_err(source, 1, 0, "empty file: no header")),
    };
    let header = header.trim_start_matches('\u{feff}').trim_end_matches('\r');
    let columns: Vec<String> = header
        .split(',')
        .skip(1)
        .map(|c| c.trim().to_string())
        .collect();
    if let Some(i) = columns.iter().position(|a| a.is_empty()) {
        return Err(data_err(source, 1, i + 2, "empty asset name in header"));
    }
    if let Some(d) = drop.iter().find(|d| !columns.iter().any(|c| c == *d)) {
        return Err(data_err(
            source,
            1,
            0,
            format!("no column {d:?} to drop (the header has {columns:?})"),
        ));
    }
    let keep: Vec<bool> = columns
        .iter()
        .map(|c| !drop.contains(&c.as_str()))
        .collect();
    let assets: Vec<String> = columns
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| c.clone())
        .collect();
    if assets.is_empty() {
        return Err(data_err(
            source,
            1,
            0,
            "header has a date column but no assets",
        ));
    }
    let width = columns.len() + 1;
    let noun = cells.noun();
    let mut dates = Vec::new();
    let mut values = Vec::new();
    let mut last: Option<((u32, u32, u32), String)> = None;
    for (k, line) in lines.enumerate() {
        let lineno = k + 2;
        let line = line.map_err(|e| data_err(source, lineno, 0, e.to_string()))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let row: Vec<&str> = line.split(',').collect();
        if row.len() != width {
            return Err(data_err(
                source,
                lineno,
                0,
                format!("row has {} cells, header has {width}", row.len()),
            ));
        }
        let date = row[0].trim();
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
        for (j, cell) in row[1..].iter().enumerate().filter(|(j, _)| keep[*j]) {
            let (cell, asset) = (cell.trim(), &columns[j]);
            if cell.is_empty() {
                return Err(data_err(
                    source,
                    lineno,
                    j + 2,
                    format!("missing {noun} for {asset} on {date}"),
                ));
            }
            let v: f64 = cell.parse().map_err(|_| {
                data_err(
                    source,
                    lineno,
                    j + 2,
                    format!("{noun} {cell:?} for {asset} is not a number"),
                )
            })?;
            cells.check(v).map_err(|why| {
                data_err(
                    source,
                    lineno,
                    j + 2,
                    format!("{noun} {v} for {asset} {why}"),
                )
            })?;
            values.push(v);
        }
        dates.push(date.to_string());
        last = Some((key, date.to_string()));
    }
    if dates.len() < 2 {
        return Err(data_err(
            source,
            0,
            0,
            format!("{} {noun} rows; at least 2 are needed", dates.len()),
        ));
    }
    Ok(Table {
        dates,
        assets,
        values,
    })
}

/// The line, column and message of a data error (for tests).
#[cfg(test)]
pub(super) fn located(e: Error) -> (usize, usize, String) {
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
