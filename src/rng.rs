//! Seeded randomness: every random choice in ravine comes from [`batch_rng`] with a seed the
//! user sets, so results do not depend on the order of draws or on the number of threads.
//!
//! ```
//! use ravine::rng::{batch_rng, standard_normal};
//! let a = standard_normal(&mut batch_rng(7, 3));
//! let b = standard_normal(&mut batch_rng(7, 3));
//! assert_eq!(a, b); // same seed and stream: same draw
//! ```

/// A random-number generator for batch `index` of a problem seeded with `seed`: ChaCha8 with
/// the seed as key and the batch index as stream, so batches are independent of each other and
/// of the order in which they are drawn.
pub fn batch_rng(seed: u64, index: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// A standard normal draw by the Box-Muller transform (rand 0.9 has no normal distribution of
/// its own; `rand_distr` would be a dependency for this one function).
pub fn standard_normal(rng: &mut impl rand::Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1], so ln(u1) is finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_normal_has_unit_moments() {
        let mut rng = batch_rng(1, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // standard errors: 1/sqrt(n) = 2.2e-3 for the mean, sqrt(2/n) = 3.2e-3 for the variance
        approx::assert_abs_diff_eq!(mean, 0.0, epsilon = 1e-2);
        approx::assert_abs_diff_eq!(var, 1.0, epsilon = 1.5e-2);
    }

    #[test]
    fn streams_are_independent_of_draw_order() {
        let first: f64 = rand::Rng::random(&mut batch_rng(5, 2));
        let mut other = batch_rng(5, 1);
        let _: f64 = rand::Rng::random(&mut other);
        assert_eq!(first, rand::Rng::random::<f64>(&mut batch_rng(5, 2)));
        assert_ne!(first, rand::Rng::random::<f64>(&mut batch_rng(5, 1)));
    }
}
