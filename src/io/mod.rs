//! Output: HDF5 run files that h5py reads.

mod history;
mod runfile;

pub use history::{HistoryWriter, CHUNK_ROWS};
pub use runfile::{RunFile, LAYOUT_VERSION};
