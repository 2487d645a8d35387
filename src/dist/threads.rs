//! [`ThreadCluster`]: ranks as threads of one process, joined by channels, so that the
//! distributed code paths run (and are tested) without MPI.

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::Communicator;
use crate::error::Result;

/// How long a rank waits for a message before it reports its peer as stuck.
const PATIENCE: Duration = Duration::from_secs(600);

/// `size` ranks joined by channels (one per ordered pair, so messages between two ranks keep
/// their order). Give each [`ThreadRank`] to its own thread. A rank whose thread ended (or
/// panicked) drops its channels: its peers' next receive from it is an error naming it.
#[derive(Debug)]
pub struct ThreadCluster;

impl ThreadCluster {
    /// The ranks `0..size` (`size ≥ 1`).
    pub fn ranks(size: usize) -> Vec<ThreadRank> {
        let size = size.max(1);
        let mut senders: Vec<Vec<Option<Sender<Vec<f64>>>>> = (0..size)
            .map(|_| (0..size).map(|_| None).collect())
            .collect();
        let mut receivers: Vec<Vec<Option<Receiver<Vec<f64>>>>> = (0..size)
            .map(|_| (0..size).map(|_| None).collect())
            .collect();
        for (from, row) in senders.iter_mut().enumerate() {
            for (to, slot) in row.iter_mut().enumerate() {
                if from != to {
                    let (tx, rx) = channel();
                    *slot = Some(tx);
                    receivers[to][from] = Some(rx);
                }
            }
        }
        senders
            .into_iter()
            .zip(receivers)
            .enumerate()
            .map(|(rank, (to, from))| ThreadRank {
                rank,
                size,
                to,
                from,
            })
            .collect()
    }
}

/// One rank of a [`ThreadCluster`].
#[derive(Debug)]
pub struct ThreadRank {
    rank: usize,
    size: usize,
    to: Vec<Option<Sender<Vec<f64>>>>,
    from: Vec<Option<Receiver<Vec<f64>>>>,
}

impl ThreadRank {
    fn post(&self, to: usize, data: Vec<f64>) -> Result<()> {
        let tx = self
            .to
            .get(to)
            .and_then(Option::as_ref)
            .ok_or_else(|| self.error(format!("no rank {to} to send to")))?;
        tx.send(data)
            .map_err(|_| self.error(format!("rank {to} is gone (its thread ended)")))
    }

    fn take(&self, from: usize) -> Result<Vec<f64>> {
        let rx = self
            .from
            .get(from)
            .and_then(Option::as_ref)
            .ok_or_else(|| self.error(format!("no rank {from} to receive from")))?;
        rx.recv_timeout(PATIENCE).map_err(|e| match e {
            RecvTimeoutError::Disconnected => {
                self.error(format!("rank {from} is gone (its thread ended)"))
            }
            RecvTimeoutError::Timeout => self.error(format!(
                "no message from rank {from} in {} s",
                PATIENCE.as_secs()
            )),
        })
    }
}

impl Communicator for ThreadRank {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn send(&self, to: usize, data: &[f64]) -> Result<()> {
        self.post(to, data.to_vec())
    }

    fn receive(&self, from: usize, buf: &mut [f64]) -> Result<()> {
        let got = self.take(from)?;
        super::communicator::fill(self, from, &got, buf)
    }

    fn broadcast(&self, root: usize, buf: &mut [f64]) -> Result<()> {
        if root >= self.size {
            return Err(self.error(format!("no rank {root} to broadcast from")));
        }
        if self.rank == root {
            for to in (0..self.size).filter(|&r| r != root) {
                self.post(to, buf.to_vec())?;
            }
            Ok(())
        } else {
            self.receive(root, buf)
        }
    }

    fn all_gather(&self, local: &[f64]) -> Result<Vec<f64>> {
        for to in (0..self.size).filter(|&r| r != self.rank) {
            self.post(to, local.to_vec())?;
        }
        let mut all = Vec::new();
        for from in 0..self.size {
            if from == self.rank {
                all.extend_from_slice(local);
            } else {
                all.extend(self.take(from)?);
            }
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_ranks_send_broadcast_and_gather_in_rank_order() {
        let handles: Vec<_> = ThreadCluster::ranks(3)
            .into_iter()
            .map(|c| {
                std::thread::spawn(move || {
                    let r = c.rank();
                    let gathered = c.all_gather(&vec![r as f64; r + 1]).unwrap();
                    let mut b = [r as f64 * 10.0, 1.0];
                    c.broadcast(2, &mut b).unwrap();
                    // A ring: each rank passes its rank on.
                    let mut got = [0.0];
                    if r == 0 {
                        c.send(1, &[0.0]).unwrap();
                        c.receive(2, &mut got).unwrap();
                    } else {
                        c.receive(r - 1, &mut got).unwrap();
                        c.send((r + 1) % 3, &[r as f64]).unwrap();
                    }
                    (gathered, b, got[0])
                })
            })
            .collect();
        for (r, h) in handles.into_iter().enumerate() {
            let (gathered, b, got) = h.join().unwrap();
            assert_eq!(gathered, vec![0.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
            assert_eq!(b, [20.0, 1.0]);
            assert_eq!(got, [2.0, 0.0, 1.0][r]);
        }
    }

    #[test]
    fn a_vanished_rank_and_a_wrong_length_are_errors() {
        let mut ranks = ThreadCluster::ranks(2);
        let second = ranks.pop().unwrap();
        let first = ranks.pop().unwrap();
        second.send(0, &[1.0, 2.0]).unwrap();
        let e = first.receive(1, &mut [0.0]).unwrap_err().to_string();
        assert!(e.contains("rank 1 sent 2 values, 1 expected"), "{e}");
        drop(second);
        let e = first.receive(1, &mut [0.0]).unwrap_err().to_string();
        assert!(e.contains("rank 0 of 2: rank 1 is gone"), "{e}");
        assert!(first.send(1, &[0.0]).is_err() && first.send(5, &[0.0]).is_err());
    }
}
