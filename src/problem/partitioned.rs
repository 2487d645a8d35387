//! [`Partitioned`]: a problem whose loss is a sum of parts that can be computed apart (by
//! several processes) and added in one fixed order, so that the result does not depend on how
//! the parts were split.

use std::ops::Range;

use super::Problem;
use crate::error::{Error, Result};

/// Share `index` of `count` equal, contiguous shares of a problem's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which share, `0 ≤ index < count`.
    pub index: usize,
    /// Number of shares (≥ 1).
    pub count: usize,
}

impl Shard {
    /// All the work in one share.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Share `index` of `count`; an error unless `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        if index >= count {
            return Err(Error::InvalidConfig {
                component: "shard",
                message: format!("share {index} of {count} does not exist"),
            });
        }
        Ok(Shard { index, count })
    }

    /// This share of `blocks` blocks: `⌊blocks·index/count⌋ .. ⌊blocks·(index+1)/count⌋`, so
    /// the shares of `0..count` tile `0..blocks` in order, differing in size by at most one.
    pub fn range(&self, blocks: usize) -> Range<usize> {
        let at = |i: usize| (blocks as u128 * i as u128 / self.count.max(1) as u128) as usize;
        at(self.index)..at(self.index + 1)
    }
}

/// The addends one share contributes to one accumulator, in the order they are added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Addends {
    /// Scalars added to the accumulator's value.
    pub values: Vec<f64>,
    /// Vectors (`k × dim`, one after the other) added to the accumulator's gradient.
    pub gradients: Vec<f64>,
}

/// One share's addends for every accumulator of a [`Partitioned`] problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Partials {
    /// The gradients' length.
    pub dim: usize,
    /// One entry per accumulator, in the problem's order.
    pub parts: Vec<Addends>,
}

impl Partials {
    /// The length of the running sums these partials fold into: `(1 + dim)` per accumulator.
    pub fn sums_len(&self) -> usize {
        self.parts.len() * (1 + self.dim)
    }

    /// Adds the addends, in order, into the running sums `sums` (per accumulator: the value,
    /// then the gradient): `value += v` for each value, `gradient += g` for each gradient.
    /// Folding share 0's partials, then share 1's, …, gives the same bits as folding the
    /// partials of one share that holds everything.
    pub fn fold_into(&self, sums: &mut [f64]) -> Result<()> {
        self.fold_range(sums, 0)
    }

    /// [`Partials::fold_into`] restricted to the entries `at .. at + part.len()` of the running
    /// sums, held in `part`. Each entry's additions are those of the whole fold, in the same
    /// order, so folding the segments of a vector one by one gives the same bits (this lets a
    /// chain of ranks pass segments on while folding the next).
    pub fn fold_range(&self, part: &mut [f64], at: usize) -> Result<()> {
        let total = self.sums_len();
        if at + part.len() > total {
            return Err(Error::DimensionMismatch {
                component: "partials",
                what: "running sums",
                expected: total,
                got: at + part.len(),
            });
        }
        let w = 1 + self.dim;
        for (a, addends) in self.parts.iter().enumerate() {
            if self.dim > 0 && addends.gradients.len() % self.dim != 0 {
                return Err(Error::DimensionMismatch {
                    component: "partials",
                    what: "gradient addends",
                    expected: addends.gradients.len().div_ceil(self.dim) * self.dim,
                    got: addends.gradients.len(),
                });
            }
            // Accumulator a occupies a·w .. (a+1)·w; intersect with the segment.
            let (lo, hi) = ((a * w).max(at), ((a + 1) * w).min(at + part.len()));
            if lo >= hi {
                continue;
            }
            let seg = &mut part[lo - at..hi - at];
            let (first, last) = (lo - a * w, hi - a * w); // within the accumulator
            let mut grad_from = first;
            if first == 0 {
                for v in &addends.values {
                    seg[0] += v;
                }
                grad_from = 1;
            }
            if self.dim > 0 && grad_from < last {
                let target = &mut seg[grad_from - first..];
                for g in addends.gradients.chunks_exact(self.dim) {
                    target
                        .iter_mut()
                        .zip(&g[grad_from - 1..last - 1])
                        .for_each(|(s, b)| *s += b);
                }
            }
        }
        Ok(())
    }
}

/// A [`Problem`] whose loss and gradient are sums over blocks of work (for a PINN: chunks of
/// collocation points, per loss term) that any [`Shard`] can compute on its own.
///
/// The contract: folding the [`Partitioned::partials`] of shards `0, 1, …, count − 1` in that
/// order into zeroed sums and calling [`Partitioned::finish`] gives, bit for bit, what
/// [`Problem::evaluate`] returns, for every `count`. Each accumulator's addends must therefore
/// be in one global order that the shards split into consecutive runs.
pub trait Partitioned: Problem {
    /// Number of accumulators (each a value and a gradient of length [`Problem::dim`]).
    fn accumulators(&self) -> usize;

    /// The addends of `shard` at `x`, computed without the other shards.
    fn partials(&self, x: &[f64], shard: Shard) -> Result<Partials>;

    /// The loss from the folded sums (`accumulators() × (1 + dim)`), writing the gradient
    /// into `grad` and the components into `components` as [`Problem::evaluate`] does.
    fn finish(&self, sums: &[f64], grad: &mut [f64], components: &mut [f64]) -> Result<f64>;

    /// Takes back partials once folded (to reuse their buffers). Default: drops them.
    fn release(&self, partials: Partials) {
        drop(partials);
    }
}

/// [`Problem::evaluate`] of a [`Partitioned`] problem in one share: its partials folded into
/// zeroed sums, then finished. Implementations call this, so that one process and many share
/// one code path.
pub fn evaluate_whole<P: Partitioned + ?Sized>(
    problem: &P,
    x: &[f64],
    grad: &mut [f64],
    components: &mut [f64],
) -> Result<f64> {
    let parts = problem.partials(x, Shard::WHOLE)?;
    let mut sums = vec![0.0; parts.sums_len()];
    parts.fold_into(&mut sums)?;
    problem.release(parts);
    problem.finish(&sums, grad, components)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_tile_the_blocks_in_order() {
        for count in 1..7 {
            for blocks in [0, 1, 5, 83, 84] {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard::new(index, count).unwrap().range(blocks);
                    assert_eq!(r.start, next);
                    assert!(r.len() <= blocks.div_ceil(count));
                    next = r.end;
                }
                assert_eq!(next, blocks);
            }
        }
        assert!(Shard::new(3, 3).is_err());
    }

    #[test]
    fn folding_shares_in_order_is_folding_the_whole() {
        // Values whose sum depends on the order of addition.
        let v = [1e16, 1.0, -1e16, 1.0, 3.0];
        let whole = Partials {
            dim: 1,
            parts: vec![Addends {
                values: v.to_vec(),
                gradients: v.to_vec(),
            }],
        };
        let mut a = vec![0.0; 2];
        whole.fold_into(&mut a).unwrap();
        let mut b = vec![0.0; 2];
        for r in [0..2, 2..3, 3..5] {
            let part = Partials {
                dim: 1,
                parts: vec![Addends {
                    values: v[r.clone()].to_vec(),
                    gradients: v[r].to_vec(),
                }],
            };
            part.fold_into(&mut b).unwrap();
        }
        assert_eq!(a, b);
        assert_eq!(a, vec![4.0, 4.0]); // ((1e16 + 1) − 1e16) + 1 + 3: the 1 is lost first
        assert!(whole.fold_into(&mut [0.0; 3]).is_err());
    }

    #[test]
    fn folding_segments_one_by_one_is_folding_the_whole() {
        let dim = 7;
        let parts: Vec<Addends> = (0..3)
            .map(|a| Addends {
                values: (0..4)
                    .map(|k| 1e16 * ((k + a) % 2) as f64 + k as f64)
                    .collect(),
                gradients: (0..4 * dim)
                    .map(|i| ((i * 37 + a * 11) % 23) as f64 * 1e15 - 1e16 + 0.1 * i as f64)
                    .collect(),
            })
            .collect();
        let p = Partials { dim, parts };
        let mut whole = vec![0.0; p.sums_len()];
        p.fold_into(&mut whole).unwrap();
        for seg in [1, 3, 5, 8, 24] {
            let mut pieces = vec![0.0; p.sums_len()];
            for (k, chunk) in pieces.chunks_mut(seg).enumerate() {
                p.fold_range(chunk, k * seg).unwrap();
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&pieces), bits(&whole), "segments of {seg}");
        }
        assert!(p.fold_range(&mut [0.0; 4], p.sums_len() - 3).is_err());
    }
}
