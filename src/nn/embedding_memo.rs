//! [`JetMemo`]: an [`super::Embedding`]'s jets of the point chunks it has seen, so that a loss
//! evaluated again and again on the same collocation points (every iteration between two
//! resamples) computes the features' cosines once per point set instead of once per
//! evaluation (about 6 % of a KdV iteration).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::workspace::scratch;
use super::JetSpec;

/// Most numbers (points and jets) the memo holds, 32 MB; past it, it starts over.
const CAPACITY: usize = 1 << 22;

/// Jets by point chunk and jet spec. A hit needs the same spec and the same points bit for bit
/// (`0.0` and `−0.0` differ), so a memoized jet is exactly the one computed. Cloning gives an
/// empty memo; two memos always compare equal (the memo is not part of an embedding's value).
#[derive(Default)]
pub(super) struct JetMemo {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<u64, Vec<Entry>>,
    size: usize,
}

struct Entry {
    spec: JetSpec,
    points: Vec<f64>,
    jet: Arc<[f64]>,
}

/// A hash of the points' bits and the spec's size: multiply-rotate steps over the 64-bit
/// words (the Fx hash of rustc), far cheaper than SipHash on the few hundred numbers of a chunk
/// that every evaluation looks up. A collision costs nothing but a comparison: an entry is
/// only returned when its points match bit for bit.
fn key(spec: &JetSpec, points: &[f64]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    points
        .iter()
        .fold(step(0, spec.components() as u64), |h, x| {
            step(h, x.to_bits())
        })
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

impl JetMemo {
    /// The jet memoized for `spec` at `points` (copied into a pooled buffer), or
    /// `compute()`'s, which is then memoized (starting over when the memo is full). The
    /// points are hashed once either way.
    pub(super) fn get_or_insert(
        &self,
        spec: &JetSpec,
        points: &[f64],
        compute: impl FnOnce() -> Vec<f64>,
    ) -> Vec<f64> {
        let k = key(spec, points);
        let hit = self.inner.lock().ok().and_then(|inner| {
            inner.entries.get(&k).and_then(|bucket| {
                bucket
                    .iter()
                    .find(|e| e.spec == *spec && same_bits(&e.points, points))
                    .map(|e| Arc::clone(&e.jet))
            })
        });
        if let Some(jet) = hit {
            let mut a = scratch(jet.len());
            a.copy_from_slice(&jet);
            return a;
        }
        let jet = compute();
        let n = points.len() + jet.len();
        if n <= CAPACITY {
            if let Ok(mut inner) = self.inner.lock() {
                if inner.size + n > CAPACITY {
                    inner.entries.clear();
                    inner.size = 0;
                }
                inner.size += n;
                inner.entries.entry(k).or_default().push(Entry {
                    spec: spec.clone(),
                    points: points.to_vec(),
                    jet: jet.as_slice().into(),
                });
            }
        }
        jet
    }

    /// Numbers held.
    pub(super) fn size(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.size)
    }
}

impl Clone for JetMemo {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for JetMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for JetMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JetMemo({} numbers)", self.size())
    }
}
