//! [`Communicator`]: the few collective operations a distributed run needs, and
//! [`SingleProcess`], the communicator of a run that is not distributed.

use crate::error::{Error, Result};

/// The processes ("ranks") of one run and the messages between them.
///
/// All ranks call the same operations in the same order (as MPI requires); messages from one
/// rank to another arrive in the order they were sent. Every method returns an
/// [`Error::Communication`] instead of panicking when a peer is gone or a message has the
/// wrong length.
pub trait Communicator {
    /// This process's rank, `0 ≤ rank < size`.
    fn rank(&self) -> usize;

    /// Number of processes.
    fn size(&self) -> usize;

    /// Sends `data` to rank `to` (blocking until it may be reused).
    fn send(&self, to: usize, data: &[f64]) -> Result<()>;

    /// Receives exactly `buf.len()` values from rank `from`.
    fn receive(&self, from: usize, buf: &mut [f64]) -> Result<()>;

    /// Copies rank `root`'s `buf` into every rank's `buf` (all of the same length).
    fn broadcast(&self, root: usize, buf: &mut [f64]) -> Result<()>;

    /// Every rank's `local` (lengths may differ), concatenated in rank order, on every rank.
    fn all_gather(&self, local: &[f64]) -> Result<Vec<f64>>;

    /// Whether this is rank 0, the one that writes files and prints.
    fn is_root(&self) -> bool {
        self.rank() == 0
    }

    /// The typed error of this rank.
    fn error(&self, message: String) -> Error {
        Error::Communication {
            rank: self.rank(),
            size: self.size(),
            message,
        }
    }
}

/// A run of one process: rank 0 of 1. Broadcasts and gathers return the data unchanged;
/// there is no one to send to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SingleProcess;

impl Communicator for SingleProcess {
    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn send(&self, to: usize, _data: &[f64]) -> Result<()> {
        Err(self.error(format!("no rank {to} to send to in a single process")))
    }

    fn receive(&self, from: usize, _buf: &mut [f64]) -> Result<()> {
        Err(self.error(format!(
            "no rank {from} to receive from in a single process"
        )))
    }

    fn broadcast(&self, root: usize, _buf: &mut [f64]) -> Result<()> {
        if root == 0 {
            Ok(())
        } else {
            Err(self.error(format!("no rank {root} to broadcast from")))
        }
    }

    fn all_gather(&self, local: &[f64]) -> Result<Vec<f64>> {
        Ok(local.to_vec())
    }
}

/// Communicators behind a reference or a box are communicators.
macro_rules! delegate {
    ($($ty:ty),+) => {$(
        impl<C: Communicator + ?Sized> Communicator for $ty {
            fn rank(&self) -> usize {
                (**self).rank()
            }
            fn size(&self) -> usize {
                (**self).size()
            }
            fn send(&self, to: usize, data: &[f64]) -> Result<()> {
                (**self).send(to, data)
            }
            fn receive(&self, from: usize, buf: &mut [f64]) -> Result<()> {
                (**self).receive(from, buf)
            }
            fn broadcast(&self, root: usize, buf: &mut [f64]) -> Result<()> {
                (**self).broadcast(root, buf)
            }
            fn all_gather(&self, local: &[f64]) -> Result<Vec<f64>> {
                (**self).all_gather(local)
            }
        }
    )+};
}
delegate!(&C, Box<C>);

/// Copies a received message into `buf`, or the typed error when its length differs.
pub(super) fn fill<C: Communicator + ?Sized>(
    comm: &C,
    from: usize,
    got: &[f64],
    buf: &mut [f64],
) -> Result<()> {
    if got.len() != buf.len() {
        return Err(comm.error(format!(
            "rank {from} sent {} values, {} expected",
            got.len(),
            buf.len()
        )));
    }
    buf.copy_from_slice(got);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_process_gathers_itself_and_has_no_peers() {
        let c = SingleProcess;
        assert_eq!((c.rank(), c.size(), c.is_root()), (0, 1, true));
        assert_eq!(c.all_gather(&[1.0, 2.0]).unwrap(), vec![1.0, 2.0]);
        let mut b = [3.0];
        c.broadcast(0, &mut b).unwrap();
        assert_eq!(b, [3.0]);
        let e = c.send(1, &[0.0]).unwrap_err().to_string();
        assert!(e.contains("rank 0 of 1") && e.contains("no rank 1"), "{e}");
        assert!(c.receive(1, &mut b).is_err() && c.broadcast(1, &mut b).is_err());
    }
}
