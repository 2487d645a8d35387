//! A per-thread pool of `f64` buffers, so that the many same-sized temporaries of a training
//! step are reused instead of being freed to the operating system and faulted back in.

use std::cell::RefCell;

thread_local! {
    static POOL: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// Buffers kept per thread at most.
const MAX_POOLED: usize = 64;

/// A zeroed buffer of length `len`, reusing a pooled allocation when one is large enough.
pub(crate) fn zeroed(len: usize) -> Vec<f64> {
    let mut v = scratch(len);
    v.fill(0.0);
    v
}

/// A buffer of length `len` whose contents are unspecified (stale values of an earlier use):
/// for outputs that are overwritten entirely, such as a matrix product's with
/// `Accum::Replace`. Saves the memset that [`zeroed`] does.
pub(crate) fn scratch(len: usize) -> Vec<f64> {
    // The shortest buffer that is already long enough is handed out truncated, with nothing
    // written; failing that, the one with the smallest sufficient capacity is extended (the
    // extension is zero-filled). Best fit keeps the large buffers for the large requests.
    let reused = POOL.with(|p| {
        let mut p = p.borrow_mut();
        let best = |key: fn(&Vec<f64>) -> usize| {
            p.iter()
                .enumerate()
                .filter(|(_, v)| key(v) >= len)
                .min_by_key(|(_, v)| key(v))
                .map(|(i, _)| i)
        };
        best(Vec::len)
            .or_else(|| best(Vec::capacity))
            .map(|i| p.swap_remove(i))
    });
    match reused {
        Some(mut v) => {
            if v.len() >= len {
                v.truncate(len);
            } else {
                v.resize(len, 0.0);
            }
            v
        }
        None => vec![0.0; len],
    }
}

/// Returns a buffer to this thread's pool. Empty allocations are dropped (they could never
/// serve a request, yet would take a slot), and a full pool keeps the larger buffers: the
/// incoming one replaces the smallest if it is bigger.
pub(crate) fn recycle(v: Vec<f64>) {
    if v.capacity() == 0 {
        return;
    }
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < MAX_POOLED {
            p.push(v);
        } else if let Some((i, _)) = p
            .iter()
            .enumerate()
            .min_by_key(|(_, b)| b.capacity())
            .filter(|(_, b)| b.capacity() < v.capacity())
        {
            p[i] = v;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{loss_and_gradient, Activation, JetSpec, Mlp};

    /// Empty vectors never take a slot (the tangent tape hands one back per chunk: they once
    /// filled the pool and turned every later request into a fresh zeroed allocation), and a
    /// full pool keeps the larger buffers.
    #[test]
    fn empty_buffers_do_not_fill_the_pool() {
        std::thread::spawn(|| {
            for _ in 0..2 * MAX_POOLED {
                recycle(Vec::new());
            }
            let big = vec![1.0; 1000];
            let at = big.as_ptr();
            recycle(big);
            let again = scratch(1000);
            assert_eq!(again.as_ptr(), at, "the buffer was not pooled");
            for _ in 0..MAX_POOLED {
                recycle(vec![0.0; 8]);
            }
            let bigger = vec![1.0; 5000];
            let at = bigger.as_ptr();
            recycle(bigger);
            let again = scratch(5000);
            assert_eq!(again.as_ptr(), at, "a full pool dropped the larger buffer");
        })
        .join()
        .unwrap();
    }

    /// Stale pooled contents (here NaN) never leak into a result: every `scratch` buffer is
    /// overwritten before it is read.
    #[test]
    fn poisoned_pool_gives_the_same_gradient() {
        let mlp = Mlp::new(&[2, 9, 7, 1], Activation::Tanh).unwrap();
        let params = mlp.init(4);
        let spec = JetSpec::new(2).pure(0, 4).unwrap().mixed(0, 1).unwrap();
        let pts: Vec<f64> = (0..600)
            .map(|i| ((i * 7919) % 1000) as f64 / 500.0 - 1.0)
            .collect();
        let run = |poison: bool| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap();
            pool.install(|| {
                if poison {
                    for k in 0..MAX_POOLED {
                        recycle(vec![f64::NAN; 64 + 997 * k]);
                    }
                }
                let mut g = vec![0.0; params.len()];
                let l = loss_and_gradient(
                    &mlp,
                    &params,
                    &spec,
                    &pts,
                    |_, jet, adj| {
                        adj.copy_from_slice(jet);
                        0.5 * jet.iter().map(|v| v * v).sum::<f64>()
                    },
                    &mut g,
                );
                (l, g)
            })
        };
        let (l0, g0) = run(false);
        let (l1, g1) = run(true);
        assert!(l0.is_finite() && l0.to_bits() == l1.to_bits());
        assert!(g0.iter().zip(&g1).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
