//! [`RunFile`]: one HDF5 file per run, written atomically.

use std::path::{Path, PathBuf};

use hdf5::types::VarLenUnicode;
use hdf5::{Dataset, Extent, Group, H5Type};

use super::attr::AttrValue;

use super::HistoryWriter;
use crate::error::{Error, Result};
use crate::run::{Stage, StageReport};

/// Version of the layout below, stored as the root attribute `layout_version`.
pub const LAYOUT_VERSION: u32 = 1;

/// An HDF5 run file. Layout (see also the README):
///
/// ```text
/// /                      attrs: ravine_version, layout_version, seed, status
/// /config                attrs: problem, dim, n_stages
/// /config/stage_<k>      attrs: solver, and every hyperparameter as a float
/// /history/{iteration, stage, elapsed, loss, grad_norm, evaluations, learning_rate}
/// /history/components/<name>
/// /stages/stage_<k>      attrs: solver, termination, iterations, evaluations, elapsed, final_loss
/// /final/params          attrs: loss
/// ```
///
/// History columns are 1-D, chunked and extensible, appended in blocks without holding the
/// history in memory. The file is written under `<name>.partial` and renamed to its final
/// name by [`RunFile::finish`]; a run that crashes or is dropped unfinished never leaves a file
/// under the final name (and removes its partial file when it can).
pub struct RunFile {
    path: PathBuf,
    partial: PathBuf,
    file: Option<hdf5::File>,
    history: Option<HistoryWriter>,
}

pub(crate) fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl RunFile {
    /// Creates the run file for `path` (written as `path.partial` until finished), recording
    /// the crate version and the run's seed.
    pub fn create(path: impl AsRef<Path>, seed: u64) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut partial = path.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_err(&path, e))?;
        }
        let file = hdf5::File::create(&partial).map_err(|e| io_err(&path, e))?;
        let rf = Self {
            path,
            partial,
            file: Some(file),
            history: None,
        };
        let root = rf.root()?;
        rf.put_str(&root, "ravine_version", env!("CARGO_PKG_VERSION"))?;
        rf.put_attr(&root, "layout_version", LAYOUT_VERSION)?;
        rf.put_attr(&root, "seed", seed)?;
        rf.put_str(&root, "status", "running")?;
        Ok(rf)
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn root(&self) -> Result<Group> {
        let f = self
            .file
            .as_ref()
            .ok_or_else(|| io_err(&self.path, "closed"))?;
        f.as_group().map_err(|e| io_err(&self.path, e))
    }

    /// The group at `path` ("/" or "a/b"), created with its parents if missing.
    pub(crate) fn group(&self, path: &str) -> Result<Group> {
        let mut g = self.root()?;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            g = if g.link_exists(part) {
                g.group(part)
            } else {
                g.create_group(part)
            }
            .map_err(|e| io_err(&self.path, e))?;
        }
        Ok(g)
    }

    /// Sets a scalar attribute (numbers) on `group`, replacing an existing one.
    pub(crate) fn put_attr<T: H5Type>(&self, group: &Group, name: &str, value: T) -> Result<()> {
        if group.attr(name).is_ok() {
            group.delete_attr(name).map_err(|e| io_err(&self.path, e))?;
        }
        group
            .new_attr::<T>()
            .shape(())
            .create(name)
            .and_then(|a| a.write_scalar(&value))
            .map_err(|e| io_err(&self.path, format!("attribute {name}: {e}")))
    }

    /// Sets a UTF-8 string attribute on `group`, replacing an existing one.
    pub(crate) fn put_str(&self, group: &Group, name: &str, value: &str) -> Result<()> {
        let v: VarLenUnicode = value
            .parse()
            .map_err(|e| io_err(&self.path, format!("attribute {name}: {e}")))?;
        self.put_attr(group, name, v)
    }

    /// Sets attribute `name` of group `group_path` (created if missing; `"/"` is the root)
    /// to a number or a string, replacing an existing one.
    pub fn set_attr(
        &self,
        group_path: &str,
        name: &str,
        value: impl Into<AttrValue>,
    ) -> Result<()> {
        let g = self.group(group_path)?;
        match value.into() {
            AttrValue::F64(v) => self.put_attr(&g, name, v),
            AttrValue::U64(v) => self.put_attr(&g, name, v),
            AttrValue::I64(v) => self.put_attr(&g, name, v),
            AttrValue::Str(v) => self.put_str(&g, name, &v),
        }
    }

    /// Sets a UTF-8 string attribute of group `group_path` (see [`RunFile::set_attr`]).
    pub fn set_str(&self, group_path: &str, name: &str, value: &str) -> Result<()> {
        self.set_attr(group_path, name, value)
    }

    /// Writes a dense `f64` array of the given shape (row-major) as `group_path/name`; a
    /// dataset that exists already is an error naming it.
    pub fn write_array(
        &self,
        group_path: &str,
        name: &str,
        data: &[f64],
        shape: &[usize],
    ) -> Result<()> {
        let expected: usize = shape.iter().product();
        if expected != data.len() {
            return Err(Error::DimensionMismatch {
                component: "run file",
                what: "array data",
                expected,
                got: data.len(),
            });
        }
        let g = self.group(group_path)?;
        if g.link_exists(name) {
            return Err(io_err(
                &self.path,
                format!("dataset {group_path}/{name} already exists (each is written once)"),
            ));
        }
        let ds = g
            .new_dataset::<f64>()
            .shape(shape)
            .create(name)
            .map_err(|e| io_err(&self.path, format!("dataset {name}: {e}")))?;
        ds.write_raw(data)
            .map_err(|e| io_err(&self.path, format!("dataset {name}: {e}")))
    }

    /// A new extensible 1-D dataset `group/name` of `T`, chunked by `chunk` rows.
    pub(crate) fn extensible<T: H5Type>(
        &self,
        group: &Group,
        name: &str,
        chunk: usize,
    ) -> Result<Dataset> {
        group
            .new_dataset::<T>()
            .chunk((chunk,))
            .shape(Extent::resizable(0))
            .create(name)
            .map_err(|e| io_err(&self.path, format!("dataset {name}: {e}")))
    }

    /// Writes `/config` and `/config/stage_<k>` for a run of `stages`.
    pub(crate) fn write_run_config(
        &self,
        problem: &str,
        dim: usize,
        stages: &[Stage],
    ) -> Result<()> {
        let cfg = self.group("config")?;
        self.put_str(&cfg, "problem", problem)?;
        self.put_attr(&cfg, "dim", dim as u64)?;
        self.put_attr(&cfg, "n_stages", stages.len() as u64)?;
        for (k, s) in stages.iter().enumerate() {
            let g = self.group(&format!("config/stage_{k}"))?;
            self.put_str(&g, "solver", &s.name())?;
            for (name, v) in s.hyperparameters() {
                self.put_attr(&g, &name, v)?;
            }
        }
        Ok(())
    }

    /// The history writer, created on first use with the given component names (a later
    /// run into the same file appends to it).
    pub(crate) fn history_writer(
        &mut self,
        component_names: &[String],
    ) -> Result<&mut HistoryWriter> {
        if self.history.is_none() {
            self.history = Some(HistoryWriter::new(self, component_names)?);
        }
        Ok(self.history.as_mut().expect("just set"))
    }

    /// Where this run's checkpoints go: `<name>.checkpoint.h5` beside the run file
    /// (`out/kdv.h5` → `out/kdv.checkpoint.h5`).
    pub fn checkpoint_path(&self) -> PathBuf {
        self.path.with_extension("checkpoint.h5")
    }

    /// Appends a history row (after [`RunFile::history_writer`] made the writer).
    pub(crate) fn append_history(&mut self, row: &crate::run::Record) -> Result<()> {
        self.history.as_mut().map_or(Ok(()), |w| w.append(row))
    }

    /// Writes the buffered history rows.
    pub(crate) fn flush_history(&mut self) -> Result<()> {
        self.history.as_mut().map_or(Ok(()), HistoryWriter::flush)
    }

    /// Writes `/stages`, `/final/params` and the root `status`.
    pub(crate) fn write_run_outcome(
        &self,
        stages: &[StageReport],
        params: &[f64],
        loss: f64,
        status: &str,
    ) -> Result<()> {
        for (k, s) in stages.iter().enumerate() {
            let g = self.group(&format!("stages/stage_{k}"))?;
            self.put_str(&g, "solver", &s.name)?;
            self.put_str(&g, "termination", &s.termination.to_string())?;
            self.put_attr(&g, "iterations", s.iterations)?;
            self.put_attr(&g, "evaluations", s.evaluations)?;
            self.put_attr(&g, "elapsed", s.elapsed)?;
            self.put_attr(&g, "final_loss", s.final_loss)?;
        }
        let fin = self.group("final")?;
        if fin.link_exists("params") {
            fin.unlink("params").map_err(|e| io_err(&self.path, e))?;
        }
        self.write_array("final", "params", params, &[params.len()])?;
        self.put_attr(&fin, "loss", loss)?;
        self.put_str(&self.root()?, "status", status)
    }

    /// Flushes the history, closes the file and renames it to its final name. A file whose
    /// status is still `"running"` (written without a [`crate::Runner`] run) is marked
    /// `"completed"`.
    pub fn finish(mut self) -> Result<PathBuf> {
        if let Some(mut w) = self.history.take() {
            w.flush()?;
        }
        let root = self.root()?;
        let running = root
            .attr("status")
            .and_then(|a| a.read_scalar::<VarLenUnicode>())
            .is_ok_and(|v| v.as_str() == "running");
        if running {
            self.put_str(&root, "status", "completed")?;
        }
        if let Some(f) = self.file.take() {
            f.close().map_err(|e| io_err(&self.path, e))?;
        }
        super::checkpoint_file::sync(&self.partial).map_err(|e| io_err(&self.path, e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| io_err(&self.path, e))?;
        super::checkpoint_file::sync_dir(&self.path).map_err(|e| io_err(&self.path, e))?;
        Ok(self.path.clone())
    }
}

impl std::fmt::Debug for RunFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunFile")
            .field("path", &self.path)
            .field("open", &self.file.is_some())
            .finish()
    }
}

impl Drop for RunFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            self.history = None;
            self.file = None;
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}
