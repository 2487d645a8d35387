//! Causal weights over time slices, and continuation in the time horizon.

use super::{Pinn, SpaceTime};
use crate::error::{Error, Result};

/// What [`Pinn::set_causal_weights`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CausalWeights {
    /// The mean squared residual of each time slice, earliest first.
    pub slice_losses: Vec<f64>,
    /// The weight of each slice, `w_i = exp(−ε Σ_{k<i} L_k)`.
    pub weights: Vec<f64>,
}

impl Pinn {
    /// Causal training (Wang, Sankaran & Perdikaris 2022, "Respecting causality is all you
    /// need for training physics-informed neural networks"): the residual points are split
    /// into `slices` equal time slices, slice `i` has mean squared residual `L_i` at `params`,
    /// and the residual term becomes `(1/M) Σ_i w_i L_i` with
    ///
    /// `w_i = exp(−ε Σ_{k<i} L_k)`,
    ///
    /// so a later time only counts once the earlier ones are resolved. The weights are set
    /// here and then held fixed (they are not differentiated): a quasi-Newton segment sees one
    /// smooth loss. Call again after each segment; changing the points (RAD, refinement,
    /// resampling) drops them. Slices without points get weight 0.
    pub fn set_causal_weights(
        &mut self,
        params: &[f64],
        slices: usize,
        epsilon: f64,
    ) -> Result<CausalWeights> {
        if slices == 0 || !(epsilon.is_finite() && epsilon >= 0.0) {
            return Err(Error::InvalidConfig {
                component: "causal weights",
                message: format!("{slices} slices with epsilon {epsilon}: needs ≥ 1 and ε ≥ 0"),
            });
        }
        let d = self.domain.dim();
        let (t0, t1) = self.domain.time();
        let pts = self.terms[0].points.clone();
        let r = self.residuals(params, &pts)?;
        let slice_of = |p: usize| {
            let t = pts[p * d + d - 1];
            (((t - t0) / (t1 - t0) * slices as f64).floor().max(0.0) as usize).min(slices - 1)
        };
        let mut sums = vec![0.0; slices];
        let mut counts = vec![0usize; slices];
        for (p, v) in r.iter().enumerate() {
            let k = slice_of(p);
            sums[k] += v * v;
            counts[k] += 1;
        }
        let slice_losses: Vec<f64> = sums
            .iter()
            .zip(&counts)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
            .collect();
        let mut weights = Vec::with_capacity(slices);
        let mut acc = 0.0;
        for l in &slice_losses {
            weights.push((-epsilon * acc).exp());
            acc += l;
        }
        let n = r.len() as f64;
        let per_point: Vec<f64> = (0..r.len())
            .map(|p| {
                let k = slice_of(p);
                weights[k] * n / (slices as f64 * counts[k] as f64)
            })
            .collect();
        self.terms[0].point_weights = Some(per_point);
        Ok(CausalWeights {
            slice_losses,
            weights,
        })
    }

    /// Drops per-point weights (causal or other) from the residual term.
    pub fn clear_point_weights(&mut self) {
        self.terms[0].point_weights = None;
    }

    /// Continuation in time: trains on `[t₀, horizon]` instead of the current time interval.
    /// Every term's points are mapped affinely in time, `t ↦ t₀ + (t − t₀)·(T_new − t₀)/(T_old −
    /// t₀)` (initial points stay at `t₀`), and later samples (RAD, refinement, resampling)
    /// are drawn from the new interval. Growing the horizon in steps to the final time lets
    /// the network learn early times first (a time-marching curriculum; cf. Wight & Zhao
    /// 2020, Krishnapriyan et al. 2021).
    pub fn set_horizon(&mut self, horizon: f64) -> Result<()> {
        let (t0, t_old) = self.domain.time();
        let domain = SpaceTime::new(self.domain.space().to_vec(), (t0, horizon))?;
        let d = self.domain.dim();
        let scale = (horizon - t0) / (t_old - t0);
        let map = |v: &mut Vec<f64>| {
            for p in v.chunks_mut(d) {
                p[d - 1] = t0 + (p[d - 1] - t0) * scale;
            }
        };
        for t in &mut self.terms {
            map(&mut t.points);
            if let super::model::TermKind::Periodic { partner, .. } = &mut t.kind {
                map(partner);
            }
        }
        self.domain = domain;
        Ok(())
    }
}
