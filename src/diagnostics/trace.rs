//! Hutch++: the trace of a matrix-free operator from a budget of products.

use super::lanczos::reorthogonalize;
use super::Operator;
use crate::error::{Error, Result};
use crate::rng::batch_rng;
use rand::Rng;

/// Settings of [`hutchpp_trace`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceSettings {
    /// Operator products in all (≥ 3; a multiple of 3 is used; default 99).
    pub products: usize,
    /// Seed of the random sketches (default 0).
    pub seed: u64,
}

impl Default for TraceSettings {
    fn default() -> Self {
        Self {
            products: 99,
            seed: 0,
        }
    }
}

/// Hutch++ (Meyer, Musco, Musco & Woodruff 2021) with `products` operator products (≥ 3,
/// a multiple of 3 is used): with `S`, `G` Rademacher `p × m/3`, `Q = orth(HS)`,
///
/// ```text
/// tr(H) ≈ tr(Qᵀ H Q) + (3/m) tr(Gᵀ (I − QQᵀ) H (I − QQᵀ) G)
/// ```
///
/// exact when `rank(H) ≤ m/3`; otherwise the error falls like `1/m` (against `1/√m` for plain
/// Hutchinson).
pub fn hutchpp_trace(op: &(impl Operator + ?Sized), settings: TraceSettings) -> Result<f64> {
    let TraceSettings { products, seed } = settings;
    let p = op.dim();
    let k = products / 3;
    if k == 0 {
        return Err(Error::InvalidConfig {
            component: "hutch++",
            message: format!("needs at least 3 products, got {products}"),
        });
    }
    let mut rng = batch_rng(seed, 0);
    let mut sign = || if rng.random::<bool>() { 1.0 } else { -1.0 };
    let s: Vec<Vec<f64>> = (0..k).map(|_| (0..p).map(|_| sign()).collect()).collect();
    let g: Vec<Vec<f64>> = (0..k).map(|_| (0..p).map(|_| sign()).collect()).collect();
    let mut q: Vec<Vec<f64>> = Vec::new();
    for v in &s {
        let mut hv = vec![0.0; p];
        op.apply(v, &mut hv)?;
        reorthogonalize(&q, &mut hv);
        let n = hv.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-12 * (p as f64).sqrt() {
            q.push(hv.into_iter().map(|x| x / n).collect());
        }
    }
    let mut hq = vec![0.0; p];
    let mut low_rank = 0.0;
    for b in &q {
        op.apply(b, &mut hq)?;
        low_rank += b.iter().zip(&hq).map(|(x, y)| x * y).sum::<f64>();
    }
    let mut rest = 0.0;
    let mut hv = vec![0.0; p];
    for v in &g {
        let mut r = v.clone();
        for b in &q {
            let c: f64 = b.iter().zip(&r).map(|(x, y)| x * y).sum();
            r.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
        }
        op.apply(&r, &mut hv)?;
        rest += r.iter().zip(&hv).map(|(x, y)| x * y).sum::<f64>();
    }
    Ok(low_rank + rest / k as f64)
}
