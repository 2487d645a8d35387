//! Dense linear algebra shared by the subsystems: symmetric eigenproblems (faer) and the
//! conversions between ravine's row-major matrices, faer views and nalgebra.
//!
//! ```
//! use ravine::linalg::{symmetric_eigenvalues, to_nalgebra};
//! let a = [2.0, 1.0, 1.0, 2.0]; // row-major 2 × 2
//! let ev = symmetric_eigenvalues(2, &a).unwrap();
//! assert!((ev[0] - 1.0).abs() < 1e-14 && (ev[1] - 3.0).abs() < 1e-14);
//! let m = to_nalgebra(&a, 2, 2).unwrap();
//! assert_eq!(m.symmetric_eigenvalues().sum(), 4.0);
//! ```

mod convert;
mod eigen;

pub use convert::{
    faer_view, from_nalgebra, square_from_nalgebra, to_nalgebra, to_nalgebra_vector,
};
pub use eigen::{symmetric_eigen, symmetric_eigenvalues};
