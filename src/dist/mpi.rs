//! [`MpiWorld`]: the [`Communicator`] of a run launched by `mpirun`, over the system's MPI
//! through the `mpi` crate (rsmpi). Only with the cargo feature `mpi`.

use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator as _, CommunicatorCollectives, Destination, Root, Source};

use super::Communicator;
use crate::error::{Error, Result};

/// `MPI_COMM_WORLD`, initialised on creation and finalised when dropped. A program started
/// without `mpirun` is a world of one.
///
/// MPI's default error handler stays in place: a failure inside the MPI library (a peer that
/// died mid-message) ends the whole job, with `mpirun` naming the rank that failed. What
/// ravine checks itself (message lengths, ranks that exist) is returned as
/// [`Error::Communication`].
pub struct MpiWorld {
    // Dropped in this order: the communicator, then the universe (MPI_Finalize).
    world: SimpleCommunicator,
    _universe: Universe,
}

impl std::fmt::Debug for MpiWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MpiWorld(rank {} of {})", self.rank(), self.size())
    }
}

impl MpiWorld {
    /// Initialises MPI (once per process).
    pub fn initialize() -> Result<Self> {
        let universe = mpi::initialize().ok_or_else(|| Error::Communication {
            rank: 0,
            size: 0,
            message: "MPI is already initialised in this process".into(),
        })?;
        let world = universe.world();
        Ok(MpiWorld {
            world,
            _universe: universe,
        })
    }

    fn peer(&self, r: usize, what: &str) -> Result<i32> {
        if r < self.size() {
            Ok(r as i32)
        } else {
            Err(self.error(format!("no rank {r} to {what}")))
        }
    }
}

impl Communicator for MpiWorld {
    fn rank(&self) -> usize {
        mpi::traits::Communicator::rank(&self.world) as usize
    }

    fn size(&self) -> usize {
        mpi::traits::Communicator::size(&self.world) as usize
    }

    fn send(&self, to: usize, data: &[f64]) -> Result<()> {
        let to = self.peer(to, "send to")?;
        self.world.process_at_rank(to).send(data);
        Ok(())
    }

    fn receive(&self, from: usize, buf: &mut [f64]) -> Result<()> {
        let r = self.peer(from, "receive from")?;
        // Received at its own length, so that a wrong length is our error, not MPI's abort.
        let (got, _status) = self.world.process_at_rank(r).receive_vec::<f64>();
        super::communicator::fill(self, from, &got, buf)
    }

    fn broadcast(&self, root: usize, buf: &mut [f64]) -> Result<()> {
        let root = self.peer(root, "broadcast from")?;
        self.world.process_at_rank(root).broadcast_into(buf);
        Ok(())
    }

    fn all_gather(&self, local: &[f64]) -> Result<Vec<f64>> {
        let n = i32::try_from(local.len())
            .map_err(|_| self.error(format!("{} values are too many to gather", local.len())))?;
        let mut counts = vec![0i32; self.size()];
        self.world.all_gather_into(&n, &mut counts[..]);
        let mut displs = Vec::with_capacity(counts.len());
        let mut total: i64 = 0;
        for &c in &counts {
            displs
                .push(i32::try_from(total).map_err(|_| {
                    self.error(format!("a gather of {total}+ values is too large"))
                })?);
            total += i64::from(c);
        }
        let mut all = vec![0.0; total as usize];
        {
            let mut part = PartitionMut::new(&mut all[..], counts, &displs[..]);
            self.world.all_gather_varcount_into(local, &mut part);
        }
        Ok(all)
    }
}
