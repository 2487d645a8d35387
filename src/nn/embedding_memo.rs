//! [`JetMemo`]: an [`super::Embedding`]'s jets of the point chunks it has seen, so that a loss
//! evaluated again and again on the same collocation points (every iteration between two
//! resamples) computes the features' cosines once per point set instead of once per
//! evaluation (about 6 % of a KdV iteration).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, Mutex};

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

/// A hash of the points' bits and the spec's size.
fn key(spec: &JetSpec, points: &[f64]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write_usize(spec.components());
    for x in points {
        h.write_u64(x.to_bits());
    }
    h.finish()
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

impl JetMemo {
    /// The jet memoized for `spec` at `points`, if any.
    pub(super) fn get(&self, spec: &JetSpec, points: &[f64]) -> Option<Arc<[f64]>> {
        let k = key(spec, points);
        let inner = self.inner.lock().ok()?;
        inner
            .entries
            .get(&k)?
            .iter()
            .find(|e| e.spec == *spec && same_bits(&e.points, points))
            .map(|e| Arc::clone(&e.jet))
    }

    /// Keeps `jet` for `spec` at `points` (starting over when the memo is full).
    pub(super) fn insert(&self, spec: &JetSpec, points: &[f64], jet: &[f64]) {
        let n = points.len() + jet.len();
        if n > CAPACITY {
            return;
        }
        let k = key(spec, points);
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.size + n > CAPACITY {
            inner.entries.clear();
            inner.size = 0;
        }
        inner.size += n;
        inner.entries.entry(k).or_default().push(Entry {
            spec: spec.clone(),
            points: points.to_vec(),
            jet: jet.into(),
        });
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
