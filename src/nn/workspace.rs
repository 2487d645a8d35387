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
    let reused = POOL.with(|p| {
        let mut p = p.borrow_mut();
        p.iter()
            .position(|v| v.capacity() >= len)
            .map(|i| p.swap_remove(i))
    });
    match reused {
        Some(mut v) => {
            v.clear();
            v.resize(len, 0.0);
            v
        }
        None => vec![0.0; len],
    }
}

/// Returns a buffer to this thread's pool.
pub(crate) fn recycle(v: Vec<f64>) {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < MAX_POOLED {
            p.push(v);
        }
    });
}
