//! [`Embedding`]: a fixed (parameter-free) map of the inputs in front of the first layer, for
//! exact periodicity (Fourier embeddings) or spectral bias (random Fourier features).

use rand::SeedableRng;

use super::embedding_memo::JetMemo;
use super::workspace::zeroed;
use super::JetSpec;
use crate::error::{Error, Result};
use crate::rng::standard_normal;

/// One embedded feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Feature {
    /// Input `i` passed through unchanged.
    Input(usize),
    /// `cos(b·x + φ)` with frequency vector `b` (one entry per input) and phase `φ`
    /// (`φ = −π/2` gives `sin(b·x)`).
    Fourier {
        /// The frequency vector `b`.
        frequency: Vec<f64>,
        /// The phase `φ`.
        phase: f64,
    },
}

/// A fixed map `x ↦ (γ₁(x), …, γ_m(x))` of the network's inputs, applied before the first
/// layer. It has no parameters, so the reverse pass is unchanged; its input derivatives are
/// exact: along a direction `v`, `D_vᵏ cos(b·x + φ) = (b·v)ᵏ cos(b·x + φ + kπ/2)`.
///
/// - [`Embedding::periodic`]: `(…, cos(2πkx_i/P), sin(2πkx_i/P), …)` for `k = 1..K` in place of
///   input `i`, other inputs unchanged. Every function of these features is exactly
///   `P`-periodic in `x_i`, with all its derivatives, so no periodic boundary loss is needed
///   (Dong & Ni 2021, "A method for representing periodic functions and enforcing exactly
///   periodic boundary conditions with deep neural networks"; the JAX-PI benchmarks use
///   `(t, cos πx, sin πx, …)` on `[−1, 1]`).
/// - [`Embedding::random_fourier`]: `(cos(b_j·x), sin(b_j·x))` with `b_j ~ N(0, σ²I)` drawn
///   from a seed (Tancik et al. 2020; Wang, Wang & Perdikaris 2021, for PINNs), which lets a
///   network fit high frequencies early.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    name: String,
    input_dim: usize,
    features: Vec<Feature>,
    periodic: Vec<(usize, f64)>,
    /// The jets of point chunks already seen (the same bits as computing them again).
    memo: JetMemo,
}

impl Embedding {
    /// Features given explicitly (`name` for reports; no periodicity is declared).
    pub fn new(name: impl Into<String>, input_dim: usize, features: Vec<Feature>) -> Result<Self> {
        let name = name.into();
        let bad = |message: String| Error::InvalidConfig {
            component: "embedding",
            message: format!("{name}: {message}"),
        };
        if input_dim == 0 || features.is_empty() {
            return Err(bad(format!(
                "{} features of {input_dim} inputs: both must be ≥ 1",
                features.len()
            )));
        }
        for (k, f) in features.iter().enumerate() {
            match f {
                Feature::Input(i) if *i >= input_dim => {
                    return Err(bad(format!("feature {k} reads input {i} of {input_dim}")))
                }
                Feature::Fourier { frequency, phase } => {
                    if frequency.len() != input_dim {
                        return Err(bad(format!(
                            "feature {k} has {} frequencies for {input_dim} inputs",
                            frequency.len()
                        )));
                    }
                    if !(phase.is_finite() && frequency.iter().all(|b| b.is_finite())) {
                        return Err(bad(format!("feature {k} is not finite: {f:?}")));
                    }
                }
                _ => {}
            }
        }
        Ok(Self {
            name,
            input_dim,
            features,
            periodic: Vec::new(),
            memo: JetMemo::default(),
        })
    }

    /// Exactly periodic in input `input` with period `period`, through `harmonics` (K ≥ 1)
    /// cosine/sine pairs; the other inputs pass through. Output dimension
    /// `input_dim − 1 + 2K`, the other inputs first.
    pub fn periodic(input_dim: usize, input: usize, period: f64, harmonics: usize) -> Result<Self> {
        if input >= input_dim || harmonics == 0 {
            return Err(Error::InvalidConfig {
                component: "embedding",
                message: format!(
                    "periodic: input {input} of {input_dim} with {harmonics} harmonics (needs \
                     a valid input and ≥ 1 harmonic)"
                ),
            });
        }
        if !(period.is_finite() && period > 0.0) {
            return Err(Error::InvalidHyperparameter {
                component: "embedding",
                parameter: "period",
                value: period,
                reason: "must be finite and > 0",
            });
        }
        let mut features: Vec<Feature> = (0..input_dim)
            .filter(|&i| i != input)
            .map(Feature::Input)
            .collect();
        for k in 1..=harmonics {
            let mut b = vec![0.0; input_dim];
            b[input] = 2.0 * std::f64::consts::PI * k as f64 / period;
            features.extend(cos_sin(b));
        }
        let mut e = Self::new(
            format!("periodic(x{input}, P = {period}, K = {harmonics})"),
            input_dim,
            features,
        )?;
        e.periodic.push((input, period));
        Ok(e)
    }

    /// `m` random frequencies `b_j ~ N(0, σ²I)` (seeded ChaCha8), each giving `cos(b_j·x)` and
    /// `sin(b_j·x)`: output dimension `2m`.
    pub fn random_fourier(input_dim: usize, m: usize, sigma: f64, seed: u64) -> Result<Self> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(Error::InvalidHyperparameter {
                component: "embedding",
                parameter: "sigma",
                value: sigma,
                reason: "must be finite and > 0",
            });
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut features = Vec::with_capacity(2 * m);
        for _ in 0..m {
            let b: Vec<f64> = (0..input_dim)
                .map(|_| sigma * standard_normal(&mut rng))
                .collect();
            features.extend(cos_sin(b));
        }
        Self::new(
            format!("random_fourier(m = {m}, sigma = {sigma}, seed = {seed})"),
            input_dim,
            features,
        )
    }

    /// The name (records the settings).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of inputs.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// Number of features (the first layer's input width).
    pub fn output_dim(&self) -> usize {
        self.features.len()
    }

    /// The features.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// The `(input, period)` pairs in which every network on this embedding is exactly
    /// periodic.
    pub fn periodic_inputs(&self) -> &[(usize, f64)] {
        &self.periodic
    }

    /// The features at one point.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        self.features
            .iter()
            .map(|f| match f {
                Feature::Input(i) => x[*i],
                Feature::Fourier { frequency, phase } => (dot(frequency, x) + phase).cos(),
            })
            .collect()
    }

    /// The features' jets for `points` (row-major `n × d_in`), in the layer layout of the
    /// forward pass (`m × C·n`, feature-major; see `taylor`): from the memo when these points
    /// were seen with this spec before, otherwise computed and memoized.
    pub(crate) fn jet(&self, spec: &JetSpec, points: &[f64], n: usize) -> Vec<f64> {
        self.memo
            .get_or_insert(spec, points, || self.compute_jet(spec, points, n))
    }

    /// [`Embedding::jet`] without the memo.
    fn compute_jet(&self, spec: &JetSpec, points: &[f64], n: usize) -> Vec<f64> {
        let d = self.input_dim;
        let m = spec.components() * n;
        let mut a = zeroed(self.features.len() * m);
        let half_pi = std::f64::consts::FRAC_PI_2;
        for (f, row) in self.features.iter().zip(a.chunks_exact_mut(m)) {
            match f {
                Feature::Input(i) => {
                    for (v, x) in row[..n].iter_mut().zip(points.chunks_exact(d)) {
                        *v = x[*i];
                    }
                    for (k, dir) in spec.directions().iter().enumerate() {
                        let col0 = spec.component(k, 1) * n;
                        row[col0..col0 + n].fill(dir.vector[*i]);
                    }
                }
                Feature::Fourier { frequency, phase } => {
                    for (p, x) in points.chunks_exact(d).enumerate() {
                        let theta = dot(frequency, x) + phase;
                        row[p] = theta.cos();
                        for (k, dir) in spec.directions().iter().enumerate() {
                            let w = dot(frequency, &dir.vector);
                            let mut wk = 1.0;
                            for order in 1..=dir.order {
                                wk *= w;
                                let c = spec.component(k, order);
                                row[c * n + p] = wk * (theta + order as f64 * half_pi).cos();
                            }
                        }
                    }
                }
            }
        }
        a
    }
}

/// `cos(b·x)` and `sin(b·x) = cos(b·x − π/2)`.
fn cos_sin(b: Vec<f64>) -> [Feature; 2] {
    [
        Feature::Fourier {
            frequency: b.clone(),
            phase: 0.0,
        },
        Feature::Fourier {
            frequency: b,
            phase: -std::f64::consts::FRAC_PI_2,
        },
    ]
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_features_and_their_jets_match_finite_differences() {
        let e = Embedding::periodic(2, 0, 2.0, 3).unwrap();
        assert_eq!(e.output_dim(), 7);
        let x = [0.3, 0.7];
        let f = e.apply(&x);
        let pi = std::f64::consts::PI;
        assert_eq!(f[0], 0.7);
        approx::assert_abs_diff_eq!(f[5], (3.0 * pi * 0.3).cos(), epsilon = 1e-15);
        approx::assert_abs_diff_eq!(f[6], (3.0 * pi * 0.3).sin(), epsilon = 1e-15);
        // Periodic: the same features one period on.
        let g = e.apply(&[0.3 - 2.0, 0.7]);
        assert!(f.iter().zip(&g).all(|(a, b)| (a - b).abs() < 1e-14));
        // Jets along x to order 3 against central differences.
        let spec = JetSpec::new(2).pure(0, 3).unwrap();
        let jet = e.jet(&spec, &x, 1);
        let c = spec.components();
        let h = 1e-3;
        for (k, _) in e.features().iter().enumerate() {
            let v = |s: f64| e.apply(&[x[0] + s, x[1]])[k];
            let d1 = (v(h) - v(-h)) / (2.0 * h);
            let d2 = (v(h) - 2.0 * v(0.0) + v(-h)) / (h * h);
            let d3 = (v(2.0 * h) - 2.0 * v(h) + 2.0 * v(-h) - v(-2.0 * h)) / (2.0 * h.powi(3));
            let row = &jet[k * c..(k + 1) * c];
            let (c1, c2, c3) = (
                spec.pure_component(0, 1).unwrap(),
                spec.pure_component(0, 2).unwrap(),
                spec.pure_component(0, 3).unwrap(),
            );
            // Central differences with h = 1e-3 are accurate to ~h²ω³/6 ≈ 2e-4 relative for
            // the highest frequency ω = 3π.
            assert!(
                (row[c1] - d1).abs() < 1e-4 * (1.0 + d1.abs()),
                "{k}: {} {d1}",
                row[c1]
            );
            assert!(
                (row[c2] - d2).abs() < 1e-4 * (1.0 + d2.abs()),
                "{k}: {} {d2}",
                row[c2]
            );
            assert!((row[c3] - d3).abs() < 1e-3 * (1.0 + d3.abs()), "{k}");
        }
    }

    /// A memoized jet is the computed one bit for bit; another spec, or points that differ in
    /// one bit (even `0.0` against `−0.0`), are computed afresh.
    #[test]
    fn memoized_jets_are_the_computed_ones() {
        let e = Embedding::periodic(2, 0, 2.0, 2).unwrap();
        let spec = JetSpec::new(2).pure(0, 3).unwrap();
        let points: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37).sin()).collect();
        let first = e.jet(&spec, &points, 20);
        assert!(e.memo.size() > 0);
        assert_eq!(e.jet(&spec, &points, 20), first);
        assert_eq!(e.compute_jet(&spec, &points, 20), first);
        let values = JetSpec::values_only(2);
        assert_eq!(
            e.jet(&values, &points, 20),
            e.compute_jet(&values, &points, 20)
        );
        // Point 3's t (passed through as a feature) as 0.0, then as −0.0.
        let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
        let mut moved = points.clone();
        moved[7] = 0.0;
        let zero = bits(e.jet(&spec, &moved, 20));
        assert_eq!(zero, bits(e.compute_jet(&spec, &moved, 20)));
        moved[7] = -0.0;
        let negative = bits(e.jet(&spec, &moved, 20));
        assert_eq!(negative, bits(e.compute_jet(&spec, &moved, 20)));
        assert_ne!(zero, negative);
        // Clones start with an empty memo and compare equal.
        let c = e.clone();
        assert_eq!(c.memo.size(), 0);
        assert_eq!(c, e);
    }

    #[test]
    fn random_features_are_seeded_and_validated() {
        let a = Embedding::random_fourier(2, 8, 1.0, 5).unwrap();
        assert_eq!(a, Embedding::random_fourier(2, 8, 1.0, 5).unwrap());
        assert_ne!(a, Embedding::random_fourier(2, 8, 1.0, 6).unwrap());
        assert_eq!(a.output_dim(), 16);
        let e = Embedding::random_fourier(2, 8, -1.0, 5).unwrap_err();
        assert!(e.to_string().contains("sigma = -1"), "{e}");
        assert!(Embedding::periodic(2, 2, 2.0, 1).is_err());
        assert!(Embedding::periodic(2, 0, 0.0, 1).is_err());
        assert!(Embedding::new("x", 2, vec![Feature::Input(3)]).is_err());
    }
}
