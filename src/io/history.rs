//! [`HistoryWriter`]: appends history rows to a run file in chunks.

use hdf5::{Dataset, H5Type};

use super::runfile::{io_err, RunFile};
use crate::error::Result;
use crate::run::Record;

/// Rows buffered before a block is written; also the HDF5 chunk length.
pub const CHUNK_ROWS: usize = 1024;

struct Column<T> {
    dataset: Dataset,
    buffer: Vec<T>,
}

impl<T: H5Type + Copy> Column<T> {
    fn flush(&mut self, path: &std::path::Path) -> Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let n = self.dataset.size();
        let m = self.buffer.len();
        self.dataset
            .resize((n + m,))
            .and_then(|_| self.dataset.write_slice(&self.buffer, n..n + m))
            .map_err(|e| io_err(path, e))?;
        self.buffer.clear();
        Ok(())
    }
}

/// Appends [`Record`]s to `/history` in blocks of [`CHUNK_ROWS`] rows, so a long run never
/// holds its history in memory.
pub struct HistoryWriter {
    path: std::path::PathBuf,
    iteration: Column<u64>,
    stage: Column<u32>,
    evaluations: Column<u64>,
    floats: Vec<Column<f64>>,
}

const FLOAT_COLUMNS: [&str; 4] = ["elapsed", "loss", "grad_norm", "learning_rate"];

impl HistoryWriter {
    pub(crate) fn new(file: &RunFile, component_names: &[String]) -> Result<Self> {
        let g = file.group("history")?;
        let col = |ds| Column {
            dataset: ds,
            buffer: Vec::with_capacity(CHUNK_ROWS),
        };
        let mut floats = Vec::new();
        for name in FLOAT_COLUMNS {
            floats.push(Column {
                dataset: file.extensible::<f64>(&g, name, CHUNK_ROWS)?,
                buffer: Vec::with_capacity(CHUNK_ROWS),
            });
        }
        let cg = file.group("history/components")?;
        for name in component_names {
            floats.push(Column {
                dataset: file.extensible::<f64>(&cg, name, CHUNK_ROWS)?,
                buffer: Vec::with_capacity(CHUNK_ROWS),
            });
        }
        Ok(Self {
            path: file.path().to_path_buf(),
            iteration: col(file.extensible::<u64>(&g, "iteration", CHUNK_ROWS)?),
            stage: Column {
                dataset: file.extensible::<u32>(&g, "stage", CHUNK_ROWS)?,
                buffer: Vec::with_capacity(CHUNK_ROWS),
            },
            evaluations: col(file.extensible::<u64>(&g, "evaluations", CHUNK_ROWS)?),
            floats,
        })
    }

    /// Appends one row; writes a block when [`CHUNK_ROWS`] rows are buffered.
    pub fn append(&mut self, r: &Record) -> Result<()> {
        self.iteration.buffer.push(r.iteration);
        self.stage.buffer.push(r.stage);
        self.evaluations.buffer.push(r.evaluations);
        let fixed = [r.elapsed, r.loss, r.grad_norm, r.learning_rate];
        let values = fixed.iter().chain(&r.components);
        for (c, v) in self.floats.iter_mut().zip(values) {
            c.buffer.push(*v);
        }
        if self.iteration.buffer.len() >= CHUNK_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows.
    pub fn flush(&mut self) -> Result<()> {
        self.iteration.flush(&self.path)?;
        self.stage.flush(&self.path)?;
        self.evaluations.flush(&self.path)?;
        for c in &mut self.floats {
            c.flush(&self.path)?;
        }
        Ok(())
    }
}
