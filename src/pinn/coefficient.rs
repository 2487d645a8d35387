//! [`Coefficient`]: a PDE coefficient that can change during training (continuation).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A shared `f64` that a residual function reads at every evaluation and the training loop
/// may set between stages: continuation in a PDE coefficient, e.g. Allen-Cahn's reaction
/// coefficient raised from 1 to 5 (Urbán et al., arXiv:2405.04230, train their Adam phase
/// at 1; curriculum regularisation in Krishnapriyan et al. 2021). Clones share the value.
#[derive(Debug, Clone)]
pub struct Coefficient(Arc<AtomicU64>);

impl Coefficient {
    /// A coefficient with value `v`.
    pub fn new(v: f64) -> Self {
        Self(Arc::new(AtomicU64::new(v.to_bits())))
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }

    /// Sets the value (seen by every clone from the next evaluation on).
    pub fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_value() {
        let a = Coefficient::new(1.0);
        let b = a.clone();
        b.set(5.0);
        assert_eq!(a.get(), 5.0);
    }
}
