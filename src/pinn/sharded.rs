//! A [`Pinn`] shared among ranks ([`Sharded`]): the residuals at many points, RAD and RAR with
//! each rank scoring its share of the candidates.

use super::{Pinn, Rad, RadStats};
use crate::dist::{gather, Communicator, Shard, Sharded};
use crate::error::Result;
use crate::nn::{chunk_count, CHUNK_POINTS};

/// The residuals at `points`, each rank computing whole chunks of [`CHUNK_POINTS`] (the
/// chunks one process would form, so each value has the same bits), gathered in order.
fn shared_residuals<C: Communicator + ?Sized>(
    pinn: &Pinn,
    comm: &C,
    params: &[f64],
    points: &[f64],
) -> Result<Vec<f64>> {
    let d = pinn.domain().dim();
    let n = points.len() / d;
    let shard = Shard::new(comm.rank(), comm.size())?;
    let chunks = shard.range(chunk_count(n));
    let (a, b) = (
        chunks.start * CHUNK_POINTS,
        (chunks.end * CHUNK_POINTS).min(n),
    );
    let local = if a < b {
        pinn.residuals(params, &points[a * d..b * d])
    } else {
        Ok(Vec::new())
    };
    Ok(gather(comm, local)?.concat())
}

impl<C: Communicator> Sharded<Pinn, C> {
    /// [`Pinn::residuals`], each rank computing its share: the same values on every rank.
    pub fn residuals(&self, params: &[f64], points: &[f64]) -> Result<Vec<f64>> {
        shared_residuals(self.inner(), self.communicator(), params, points)
    }

    /// [`Pinn::resample_rad`] with the candidates scored by all ranks: every rank draws the
    /// same candidates, scores its share, and makes the same (seeded) choice from the gathered
    /// residuals, so the new points are those one process would choose.
    pub fn resample_rad(&mut self, params: &[f64], rad: &Rad, seed: u64) -> Result<RadStats> {
        let (pinn, comm) = self.parts_mut();
        pinn.resample_rad_scored(rad, seed, |p, pts| shared_residuals(p, comm, params, pts))
    }

    /// [`Pinn::refine`] (RAR) with the candidates scored by all ranks.
    pub fn refine(
        &mut self,
        params: &[f64],
        candidates: usize,
        add: usize,
        seed: u64,
    ) -> Result<f64> {
        let (pinn, comm) = self.parts_mut();
        pinn.refine_scored(candidates, add, seed, |p, pts| {
            shared_residuals(p, comm, params, pts)
        })
    }
}
