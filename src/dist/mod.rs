//! Data-parallel evaluation over several processes ("ranks"): a [`Partitioned`] problem
//! (a PINN: its collocation points, per loss term) is split by [`Shard`]s, each rank computes
//! its share, and the shares are added in one fixed order ([`Sharded`]), so that every rank
//! holds the same loss and gradient, bit for bit, as one process would compute. Every solver
//! then runs unchanged, and identically, on every rank.
//!
//! Communicators: [`SingleProcess`] (the default), [`ThreadCluster`] (ranks as threads, for
//! tests and for trying the distributed paths without MPI) and, with the cargo feature `mpi`,
//! `MpiWorld` over the system's MPI. [`world`] gives the one a program was started with.
//!
//! ```
//! use ravine::dist::{Sharded, ThreadCluster};
//! use ravine::problem::{Addends, Partials, Partitioned, Shard};
//! use ravine::{Problem, Result};
//!
//! /// f(x) = Σᵢ (x − aᵢ)², with the data split into blocks.
//! struct Squares(Vec<f64>);
//! impl Problem for Squares {
//!     fn dim(&self) -> usize { 1 }
//!     fn evaluate(&self, x: &[f64], g: &mut [f64], c: &mut [f64]) -> Result<f64> {
//!         ravine::problem::evaluate_whole(self, x, g, c)
//!     }
//! }
//! impl Partitioned for Squares {
//!     fn accumulators(&self) -> usize { 1 }
//!     fn partials(&self, x: &[f64], shard: Shard) -> Result<Partials> {
//!         let mine = &self.0[shard.range(self.0.len())];
//!         Ok(Partials { dim: 1, parts: vec![Addends {
//!             values: mine.iter().map(|a| (x[0] - a).powi(2)).collect(),
//!             gradients: mine.iter().map(|a| 2.0 * (x[0] - a)).collect(),
//!         }] })
//!     }
//!     fn finish(&self, sums: &[f64], g: &mut [f64], _c: &mut [f64]) -> Result<f64> {
//!         g[0] = sums[1];
//!         Ok(sums[0])
//!     }
//! }
//!
//! let data: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin()).collect();
//! let mut g1 = [0.0];
//! let one = Squares(data.clone()).evaluate(&[0.3], &mut g1, &mut []).unwrap();
//! let threads: Vec<_> = ThreadCluster::ranks(3)
//!     .into_iter()
//!     .map(|rank| {
//!         let data = data.clone();
//!         std::thread::spawn(move || {
//!             let mut g = [0.0];
//!             let f = Sharded::new(Squares(data), rank).evaluate(&[0.3], &mut g, &mut []);
//!             (f.unwrap(), g)
//!         })
//!     })
//!     .collect();
//! for t in threads {
//!     let (f, g) = t.join().unwrap();
//!     assert_eq!((f.to_bits(), g[0].to_bits()), (one.to_bits(), g1[0].to_bits()));
//! }
//! ```

mod communicator;
#[cfg(feature = "mpi")]
mod mpi;
mod sharded;
mod threads;

pub use crate::problem::{Partitioned, Shard};
pub use communicator::{Communicator, SingleProcess};
#[cfg(feature = "mpi")]
pub use mpi::MpiWorld;
pub use sharded::{gather, Sharded};
pub use threads::{ThreadCluster, ThreadRank};

/// The communicator this program runs in: with the feature `mpi`, MPI's world (of one
/// process when not started by `mpirun`); without it, a [`SingleProcess`]. Call it once, at
/// the start of `main`, and keep it until the end (dropping it finalises MPI).
pub fn world() -> crate::Result<Box<dyn Communicator>> {
    #[cfg(feature = "mpi")]
    {
        Ok(Box::new(MpiWorld::initialize()?))
    }
    #[cfg(not(feature = "mpi"))]
    {
        Ok(Box::new(SingleProcess))
    }
}
