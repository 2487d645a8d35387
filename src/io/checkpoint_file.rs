//! Checkpoint files: a [`Checkpoint`] in a small HDF5 file, replaced atomically (write a
//! temporary file, fsync it, rename it over the old one, fsync the directory), so that a run
//! killed at any moment leaves the previous complete checkpoint or the new one.
//!
//! Layout: `/checkpoint` (u8, the MessagePack encoding of the [`Checkpoint`]), `/params` (f64,
//! for readers), root attributes `checkpoint_version`, `stage`, `iteration`, `problem`.

use std::path::{Path, PathBuf};

use hdf5::types::VarLenUnicode;

use super::runfile::io_err;
use crate::error::{Error, Result};
use crate::run::{Checkpoint, CHECKPOINT_VERSION};

/// Writes `c` to `path` atomically (see the module doc).
pub fn write_checkpoint(path: impl AsRef<Path>, c: &Checkpoint) -> Result<()> {
    let path = path.as_ref();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let bytes = c.to_bytes()?;
    {
        let f = hdf5::File::create(&tmp).map_err(|e| io_err(path, e))?;
        let err = |e: hdf5::Error| io_err(path, e);
        f.new_dataset::<u8>()
            .shape(bytes.len())
            .create("checkpoint")
            .and_then(|d| d.write_raw(&bytes))
            .map_err(err)?;
        f.new_dataset::<f64>()
            .shape(c.params.len())
            .create("params")
            .and_then(|d| d.write_raw(&c.params))
            .map_err(err)?;
        let attr_u64 = |name: &str, v: u64| {
            f.new_attr::<u64>()
                .create(name)
                .and_then(|a| a.write_scalar(&v))
                .map_err(err)
        };
        attr_u64("checkpoint_version", u64::from(CHECKPOINT_VERSION))?;
        attr_u64("stage", u64::from(c.stage))?;
        attr_u64("iteration", c.offset)?;
        let name: VarLenUnicode = c.problem.parse().map_err(|e| io_err(path, e))?;
        f.new_attr::<VarLenUnicode>()
            .create("problem")
            .and_then(|a| a.write_scalar(&name))
            .map_err(err)?;
        f.close().map_err(err)?;
    }
    sync(&tmp).map_err(|e| io_err(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    sync_dir(path).map_err(|e| io_err(path, e))
}

/// Reads a checkpoint written by [`write_checkpoint`]: a typed error naming the file for a
/// missing, truncated or foreign one.
pub fn read_checkpoint(path: impl AsRef<Path>) -> Result<Checkpoint> {
    let path = path.as_ref();
    let f = hdf5::File::open(path).map_err(|e| io_err(path, e))?;
    let bytes: Vec<u8> = f
        .dataset("checkpoint")
        .and_then(|d| d.read_raw())
        .map_err(|e| io_err(path, format!("not a ravine checkpoint ({e})")))?;
    Checkpoint::from_bytes(&bytes).map_err(|e| match e {
        Error::InvalidConfig { message, .. } => io_err(path, message),
        other => other,
    })
}

/// fsync of a file's contents.
pub(crate) fn sync(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

/// fsync of the directory holding `path` (so a rename in it is durable).
pub(crate) fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}
