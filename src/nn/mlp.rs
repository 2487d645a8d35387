//! [`Mlp`]: a multilayer perceptron over a flat parameter vector, with Glorot initialisation.

use rand::SeedableRng;

use crate::rng::standard_normal;

use super::{Activation, Embedding};
use crate::error::{Error, Result};

/// A fully connected network `d_in → h₁ → … → d_out` with one activation on the hidden layers
/// and a linear output layer.
///
/// Parameters live in one flat `f64` vector, layer by layer: the weight matrix `W_k`
/// (`w_{k+1} × w_k`, row-major), then the bias `b_k` (`w_{k+1}`).
///
/// An optional [`Embedding`] maps the inputs before the first layer; `widths[0]` is then the
/// number of embedded features and [`Mlp::input_dim`] the number of raw inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    widths: Vec<usize>,
    activation: Activation,
    offsets: Vec<usize>,
    embedding: Option<Embedding>,
}

impl Mlp {
    /// A network with the given layer widths (input first, output last; at least two entries,
    /// all ≥ 1).
    pub fn new(widths: &[usize], activation: Activation) -> Result<Self> {
        if widths.len() < 2 {
            return Err(Error::InvalidConfig {
                component: "mlp",
                message: format!("needs at least an input and an output width, got {widths:?}"),
            });
        }
        if let Some(k) = widths.iter().position(|w| *w == 0) {
            return Err(Error::InvalidConfig {
                component: "mlp",
                message: format!("width {k} is zero in {widths:?}"),
            });
        }
        let mut offsets = vec![0];
        for k in 0..widths.len() - 1 {
            let last = offsets[k];
            offsets.push(last + widths[k + 1] * widths[k] + widths[k + 1]);
        }
        Ok(Self {
            widths: widths.to_vec(),
            activation,
            offsets,
            embedding: None,
        })
    }

    /// The same network behind an input embedding, whose number of features must be
    /// `widths[0]`.
    pub fn with_embedding(mut self, embedding: Embedding) -> Result<Self> {
        if embedding.output_dim() != self.widths[0] {
            return Err(Error::InvalidConfig {
                component: "mlp",
                message: format!(
                    "embedding {} has {} features, the first layer takes {} inputs",
                    embedding.name(),
                    embedding.output_dim(),
                    self.widths[0]
                ),
            });
        }
        self.embedding = Some(embedding);
        Ok(self)
    }

    /// The input embedding, if any.
    pub fn embedding(&self) -> Option<&Embedding> {
        self.embedding.as_ref()
    }

    /// Layer widths.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// Input dimension (of the raw inputs, before an embedding).
    pub fn input_dim(&self) -> usize {
        self.embedding
            .as_ref()
            .map_or(self.widths[0], |e| e.input_dim())
    }

    /// Output dimension.
    pub fn output_dim(&self) -> usize {
        self.widths[self.widths.len() - 1]
    }

    /// The hidden activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Number of layers (weight matrices).
    pub fn layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// Total number of parameters.
    pub fn num_params(&self) -> usize {
        self.offsets[self.layers()]
    }

    /// `(weights, bias)` ranges of layer `k` in the flat parameter vector.
    pub fn layer_ranges(&self, k: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let o = self.offsets[k];
        let nw = self.widths[k + 1] * self.widths[k];
        (o..o + nw, o + nw..o + nw + self.widths[k + 1])
    }

    /// Glorot-normal initial parameters (Glorot & Bengio 2010): weights ~ N(0, 2/(fan_in +
    /// fan_out)), biases 0, drawn from ChaCha8 seeded with `seed`.
    pub fn init(&self, seed: u64) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut p = vec![0.0; self.num_params()];
        for k in 0..self.layers() {
            let (w, _) = self.layer_ranges(k);
            let std = (2.0 / (self.widths[k] + self.widths[k + 1]) as f64).sqrt();
            for v in &mut p[w] {
                *v = std * standard_normal(&mut rng);
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_validation() {
        let m = Mlp::new(&[2, 20, 20, 20, 1], Activation::Tanh).unwrap();
        assert_eq!(m.num_params(), 2 * 20 + 20 + 2 * (20 * 20 + 20) + 20 + 1);
        assert_eq!(m.layer_ranges(1), (60..460, 460..480));
        let e = Mlp::new(&[2, 0, 1], Activation::Tanh).unwrap_err();
        assert_eq!(e.to_string(), "mlp: width 1 is zero in [2, 0, 1]");
        assert!(Mlp::new(&[2], Activation::Sin).is_err());
    }

    #[test]
    fn glorot_init_is_seeded_with_the_right_variance() {
        let m = Mlp::new(&[100, 300, 1], Activation::Tanh).unwrap();
        let (a, b) = (m.init(3), m.init(3));
        assert_eq!(a, b);
        assert_ne!(a, m.init(4));
        let (w, bias) = m.layer_ranges(0);
        let var = a[w.clone()].iter().map(|x| x * x).sum::<f64>() / w.len() as f64;
        // 30 000 draws: the sample variance is within a few percent of 2/(100+300).
        assert!((var / (2.0 / 400.0) - 1.0).abs() < 0.05, "{var}");
        assert!(a[bias].iter().all(|b| *b == 0.0));
    }
}
