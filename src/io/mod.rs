//! Output: HDF5 run files that h5py reads, and PNG plots.
//!
//! ```no_run
//! use ravine::{rules, Rosenbrock, RunFile, Runner, Stage};
//! let mut file = RunFile::create("out/gd.h5", 0)?; // h5py: f["history/loss"][:]
//! Runner::new()
//!     .stage(Stage::adaptive(rules::gd(1e-3)?, 1000))
//!     .run_observed(&mut Rosenbrock::default(), vec![-1.2, 1.0], &mut file)?;
//! file.finish()?;
//! # Ok::<(), ravine::Error>(())
//! ```

mod attr;
mod checkpoint_file;
mod history;
mod plot;
mod plot_curves;
mod plot_frontier;
mod run_observer;
mod runfile;

pub use attr::AttrValue;
pub use checkpoint_file::{read_checkpoint, write_checkpoint};
pub use history::{HistoryWriter, CHUNK_ROWS};
pub use plot::{plot_heatmap, plot_history};
pub use plot_curves::{plot_curves, plot_histogram};
pub use plot_frontier::{plot_frontier, plot_stacked_weights};
pub use runfile::{RunFile, LAYOUT_VERSION};
