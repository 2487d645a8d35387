//! [`Sharded`]: a [`Partitioned`] problem evaluated by several ranks, each computing its
//! share, the shares added in one fixed order.

use std::time::Duration;

use super::Communicator;
use crate::error::{Error, Result};
use crate::problem::{Partitioned, Problem, Shard};

/// Values per message of the chain (64 KiB): long sums travel as a pipeline of segments.
const SEGMENT: usize = 8192;

/// A [`Partitioned`] problem whose loss and gradient are computed by all the ranks of a
/// [`Communicator`] together; every rank holds the whole problem (its points, weights, state)
/// and computes only its [`Shard`].
///
/// One evaluation: every rank computes its partials (in parallel with the others); rank 0
/// folds its own into zeroed sums and sends them to rank 1, which folds its own and passes
/// them on, …; the last rank broadcasts the total. The addition order is therefore the one a
/// single process uses, whatever the number of ranks, and every rank returns the same bits as
/// [`Problem::evaluate`] of the inner problem (an MPI all-reduce would let the library choose
/// the order). The sums, `S = 8·(1 + A·(1 + dim))` bytes for `A` accumulators, travel in
/// segments of 64 KiB, so the chain is a pipeline: with `K` segments, latency `α` and
/// bandwidth `β` per hop it takes about `(size − 1 + K − 1)·(α + S/(K·β))` instead of
/// `(size − 1)·(α + S/β)`; then one broadcast of `S`.
///
/// All ranks must make the same calls in the same order; every solver in ravine does, as its
/// decisions depend only on the (identical) losses and gradients. A rank whose share fails
/// (say, a non-finite residual) still takes part in the exchange: all ranks then return an
/// error, the failing one its own, the others one that names it.
#[derive(Debug)]
pub struct Sharded<P, C> {
    inner: P,
    comm: C,
}

impl<P: Partitioned, C: Communicator> Sharded<P, C> {
    /// `inner` shared among the ranks of `comm`.
    pub fn new(inner: P, comm: C) -> Self {
        Sharded { inner, comm }
    }

    /// The problem.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// The problem, to change between stages (every rank must make the same change).
    pub fn inner_mut(&mut self) -> &mut P {
        &mut self.inner
    }

    /// The communicator.
    pub fn communicator(&self) -> &C {
        &self.comm
    }

    /// This rank's share.
    pub fn shard(&self) -> Shard {
        Shard {
            index: self.comm.rank(),
            count: self.comm.size().max(1),
        }
    }

    /// The problem and the communicator at once (to change the problem with the ranks'
    /// help, as RAD does).
    pub fn parts_mut(&mut self) -> (&mut P, &C) {
        (&mut self.inner, &self.comm)
    }
}

impl<P: Partitioned, C: Communicator> Problem for Sharded<P, C> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn component_names(&self) -> Vec<String> {
        self.inner.component_names()
    }

    fn evaluate(&self, x: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64> {
        let (rank, size) = (self.comm.rank(), self.comm.size());
        let len = 1 + self.inner.accumulators() * (1 + self.inner.dim());
        // This rank's share, checked before the exchange starts (so that folding cannot fail
        // half-way through it).
        let mut own = None;
        let parts = match self.inner.partials(x, self.shard()) {
            Ok(p) if p.sums_len() + 1 != len => {
                own = Some(Error::DimensionMismatch {
                    component: "sharded",
                    what: "partials",
                    expected: len - 1,
                    got: p.sums_len(),
                });
                None
            }
            Ok(p) => match p.fold_range(&mut [], 0) {
                Ok(()) => Some(p),
                Err(e) => {
                    own = Some(e);
                    None
                }
            },
            Err(e) => {
                own = Some(e);
                None
            }
        };
        // ext[0] is the status: 0, or 1 + the first rank (in chain order) that failed; then
        // the running sums. They travel in segments, so that rank r + 1 folds segment k
        // while rank r folds segment k + 1.
        let mut ext = vec![0.0; len];
        for start in (0..len).step_by(SEGMENT) {
            let end = (start + SEGMENT).min(len);
            if rank > 0 {
                self.comm.receive(rank - 1, &mut ext[start..end])?;
            }
            if start == 0 && ext[0] == 0.0 && parts.is_none() {
                ext[0] = 1.0 + rank as f64;
            }
            if let (0.0, Some(p)) = (ext[0], &parts) {
                let from = start.max(1);
                p.fold_range(&mut ext[from..end], from - 1)?;
            }
            if rank + 1 < size {
                self.comm.send(rank + 1, &ext[start..end])?;
            }
        }
        if let Some(p) = parts {
            self.inner.release(p);
        }
        self.comm.broadcast(size - 1, &mut ext)?;
        if let Some(e) = own {
            return Err(e);
        }
        if ext[0] != 0.0 {
            let r = ext[0] as usize - 1;
            return Err(self.comm.error(format!(
                "rank {r} failed to evaluate its share (its error is in its own output)"
            )));
        }
        self.inner.finish(&ext[1..], grad, components)
    }

    fn is_stochastic(&self) -> bool {
        self.inner.is_stochastic()
    }

    fn set_batch(&mut self, index: u64) {
        self.inner.set_batch(index)
    }

    fn snapshot(&self) -> Vec<(String, Vec<f64>)> {
        self.inner.snapshot()
    }

    fn restore(&mut self, state: &[(String, Vec<f64>)]) -> Result<()> {
        self.inner.restore(state)
    }

    fn processes(&self) -> usize {
        self.comm.size()
    }

    /// Rank 0's `local`, broadcast to every rank.
    fn agreed_elapsed(&self, local: Duration) -> Result<Duration> {
        let mut t = [local.as_secs_f64()];
        self.comm.broadcast(0, &mut t)?;
        Duration::try_from_secs_f64(t[0]).map_err(|e| {
            self.comm
                .error(format!("rank 0's clock reads {} s: {e}", t[0]))
        })
    }

    /// An error on every rank if any rank's `local` is one ([`gather`]'s rule).
    fn agreed_outcome(&self, local: Result<()>) -> Result<()> {
        gather(&self.comm, local.map(|()| Vec::new())).map(|_| ())
    }
}

/// Gathers every rank's `local` result, in rank order, on every rank. A rank whose `local`
/// is an error still takes part; then every rank returns an error (the failing rank its own,
/// the others one naming it), so that no rank is left waiting.
pub fn gather<C: Communicator + ?Sized>(
    comm: &C,
    local: Result<Vec<f64>>,
) -> Result<Vec<Vec<f64>>> {
    let rank = comm.rank();
    let (status, body, own) = match local {
        Ok(v) => (0.0, v, None),
        Err(e) => (1.0, Vec::new(), Some(e)),
    };
    let mut msg = Vec::with_capacity(body.len() + 2);
    msg.extend([status, body.len() as f64]);
    msg.extend(body);
    let all = comm.all_gather(&msg)?;
    let mut parts = Vec::with_capacity(comm.size());
    let mut at = 0;
    let mut failed = None;
    for r in 0..comm.size() {
        let head = all
            .get(at..at + 2)
            .ok_or_else(|| comm.error(format!("a gather ended before rank {r}'s part")))?;
        let (status, len) = (head[0], head[1] as usize);
        let body = all
            .get(at + 2..at + 2 + len)
            .ok_or_else(|| comm.error(format!("rank {r}'s part of a gather is cut short")))?;
        if status != 0.0 && failed.is_none() {
            failed = Some(r);
        }
        parts.push(body.to_vec());
        at += 2 + len;
    }
    match (own, failed) {
        (Some(e), _) => Err(e),
        (None, Some(r)) => Err(comm.error(format!(
            "rank {r} failed (its error is in its own output); rank {rank} stops with it"
        ))),
        (None, None) => Ok(parts),
    }
}
