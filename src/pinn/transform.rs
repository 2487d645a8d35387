//! [`OutputTransform`]: hard constraints, `u = g(x) + h(x)·N(x)`, so that initial and boundary
//! conditions hold exactly instead of being penalised.

use std::sync::Arc;

use super::{Series, MAX_ENTRIES};
use crate::error::{Error, Result};
use crate::nn::{JetSpec, MAX_ORDER};

/// A function of the point written over [`Series`] (one per input).
pub type SeriesFn = dyn Fn(&[Series]) -> Series + Send + Sync;

/// The solution as `u(x) = g(x) + h(x)·N(x)`, where `N` is the network: with `g` meeting the
/// initial and boundary values and `h` vanishing where they are imposed, every `u` the network
/// can represent satisfies them exactly, and the loss is the PDE residual alone (Lagaris et
/// al. 1998; Lu et al. 2021, "Physics-informed neural networks with hard constraints";
/// DeepXDE's `apply_output_transform`).
///
/// For viscous Burgers on `[−1, 1] × [0, 1]` with `u(0, x) = −sin(πx)`, `u(t, ±1) = 0`:
/// `g = −sin(πx)`, `h = t(1 − x²)`:
///
/// ```
/// use ravine::pinn::OutputTransform;
/// let pi = std::f64::consts::PI;
/// let hard = OutputTransform::new(
///     "burgers",
///     move |x| -(x[0] * pi).sin(),
///     |x| x[1] * (1.0 - x[0] * x[0]),
/// );
/// # assert_eq!(hard.name(), "burgers");
/// ```
///
/// The jet of `u` follows by the Leibniz rule along each direction `v` of the jet,
/// `D_vᵏ u = D_vᵏ g + Σ_{j=0}^{k} C(k, j) D_vʲ h · D_vᵏ⁻ʲ N`, with the derivatives of `g` and `h`
/// exact from their [`Series`] along `x + s v`. This is affine in `N`'s jet, so the reverse pass
/// maps the residual's adjoint back through the transpose of the same coefficients, and
/// Hessian-vector products stay exact.
#[derive(Clone)]
pub struct OutputTransform {
    name: String,
    g: Arc<SeriesFn>,
    h: Arc<SeriesFn>,
}

impl std::fmt::Debug for OutputTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputTransform")
            .field("name", &self.name)
            .finish()
    }
}

impl OutputTransform {
    /// `u = g + h·N` with `g` and `h` written over [`Series`] of the inputs (time last).
    pub fn new<G, H>(name: impl Into<String>, g: G, h: H) -> Self
    where
        G: Fn(&[Series]) -> Series + Send + Sync + 'static,
        H: Fn(&[Series]) -> Series + Send + Sync + 'static,
    {
        Self {
            name: name.into(),
            g: Arc::new(g),
            h: Arc::new(h),
        }
    }

    /// `u = u₀(x) + (t − t₀)·N`: the initial condition `u(t₀, x) = u₀(x)` exactly, time
    /// last among the inputs. `u₀`'s shape is carried to every time, including any kink it
    /// has: Allen-Cahn's `x² cos(πx)` has slopes ∓2 at `x = ±1`, so with a periodic network the
    /// slope jump at the periodic boundary stays for all `t` (see
    /// [`OutputTransform::fading_initial`]).
    pub fn initial<G>(name: impl Into<String>, t0: f64, u0: G) -> Self
    where
        G: Fn(&[Series]) -> Series + Send + Sync + 'static,
    {
        Self::new(name, u0, move |x| x[x.len() - 1] - t0)
    }

    /// `u = e^{−(t−t₀)/τ} u₀(x) + (1 − e^{−(t−t₀)/τ})·N`: the initial condition exactly, with
    /// `u₀`'s contribution fading on the time scale `τ` (> 0), so that a kink of `u₀` (or a
    /// mismatch of its periodicity) does not persist: after a few `τ` the solution is the
    /// network's alone. For Allen-Cahn, whose exact solution smooths the kink at once, a `τ`
    /// of a few hundredths of the horizon works.
    pub fn fading_initial<G>(name: impl Into<String>, t0: f64, tau: f64, u0: G) -> Result<Self>
    where
        G: Fn(&[Series]) -> Series + Send + Sync + 'static,
    {
        if !(tau.is_finite() && tau > 0.0) {
            return Err(Error::InvalidHyperparameter {
                component: "output transform",
                parameter: "tau",
                value: tau,
                reason: "must be finite and > 0",
            });
        }
        let decay = move |x: &[Series]| ((x[x.len() - 1] - t0) * (-1.0 / tau)).exp();
        Ok(Self::new(
            name,
            move |x| decay(x) * u0(x),
            move |x| -decay(x) + 1.0,
        ))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `g(x)` and `h(x)`.
    pub fn eval(&self, x: &[f64]) -> (f64, f64) {
        let s: Vec<Series> = x.iter().map(|&v| Series::constant(v)).collect();
        ((self.g)(&s).value(), (self.h)(&s).value())
    }

    /// The affine map from the network's jet to the jet of `u` at point `x`, for `spec`
    /// (at most [`MAX_ENTRIES`] components).
    pub(crate) fn jet_map(&self, spec: &JetSpec, x: &[f64]) -> JetMap {
        let mut m = JetMap {
            c: spec.components(),
            offset: [0.0; MAX_ENTRIES],
            coef: [[0.0; MAX_ORDER + 1]; MAX_ENTRIES],
            src: [[0; MAX_ORDER + 1]; MAX_ENTRIES],
            count: [0; MAX_ENTRIES],
        };
        // Inputs as series along `v` (constants for the value); on the stack for up to
        // eight inputs, since this runs for every point of every evaluation.
        let along = |v: Option<&[f64]>| {
            let input = |i: usize| match v {
                Some(v) => Series::variable(x[i], v[i]),
                None => Series::constant(x[i]),
            };
            let mut stack = [Series::constant(0.0); 8];
            let heap: Vec<Series>;
            let s: &[Series] = if x.len() <= stack.len() {
                for (i, si) in stack.iter_mut().enumerate().take(x.len()) {
                    *si = input(i);
                }
                &stack[..x.len()]
            } else {
                heap = (0..x.len()).map(input).collect();
                &heap
            };
            ((self.g)(s), (self.h)(s))
        };
        let (g0, h0) = along(None);
        m.push(0, g0.value(), 0, h0.value());
        for (d, dir) in spec.directions().iter().enumerate() {
            let (g, h) = along(Some(&dir.vector));
            for k in 1..=dir.order {
                let c = spec.component(d, k);
                m.offset[c] = g.derivative(k);
                for j in 0..=k {
                    let n_src = if k == j { 0 } else { spec.component(d, k - j) };
                    m.push(c, m.offset[c], n_src, binomial(k, j) * h.derivative(j));
                }
            }
        }
        m
    }

    /// Checks that `g` and `h` and their derivatives for `spec` are finite at every point.
    pub(crate) fn check(&self, spec: &JetSpec, points: &[f64], what: &str) -> Result<()> {
        if spec.components() > MAX_ENTRIES {
            return Err(Error::InvalidConfig {
                component: "output transform",
                message: format!(
                    "{}: {what} needs {} jet entries, more than the {MAX_ENTRIES} supported",
                    self.name,
                    spec.components()
                ),
            });
        }
        let d = spec.dim();
        for (p, x) in points.chunks(d).enumerate() {
            let m = self.jet_map(spec, x);
            let finite = (0..m.c).all(|c| {
                m.offset[c].is_finite() && m.coef[c][..m.count[c]].iter().all(|v| v.is_finite())
            });
            if !finite {
                return Err(Error::InvalidConfig {
                    component: "output transform",
                    message: format!("{}: not finite at {what} point {p} {x:?}", self.name),
                });
            }
        }
        Ok(())
    }
}

fn binomial(k: usize, j: usize) -> f64 {
    (1..=j).fold(1.0, |b, i| b * (k + 1 - i) as f64 / i as f64)
}

/// At one point, `u_c = offset_c + Σ coef · N_src` for every jet component `c`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JetMap {
    c: usize,
    offset: [f64; MAX_ENTRIES],
    coef: [[f64; MAX_ORDER + 1]; MAX_ENTRIES],
    src: [[usize; MAX_ORDER + 1]; MAX_ENTRIES],
    count: [usize; MAX_ENTRIES],
}

impl JetMap {
    fn push(&mut self, c: usize, offset: f64, src: usize, coef: f64) {
        self.offset[c] = offset;
        let k = self.count[c];
        self.src[c][k] = src;
        self.coef[c][k] = coef;
        self.count[c] = k + 1;
    }

    /// `u = offset + M n` (`affine`) or `u = M n` (a tangent).
    pub(crate) fn forward(&self, n: &[f64], u: &mut [f64], affine: bool) {
        for c in 0..self.c {
            let mut v = if affine { self.offset[c] } else { 0.0 };
            for k in 0..self.count[c] {
                v += self.coef[c][k] * n[self.src[c][k]];
            }
            u[c] = v;
        }
    }

    /// `adj_n = Mᵀ adj_u` (overwrites `adj_n`).
    pub(crate) fn backward(&self, adj_u: &[f64], adj_n: &mut [f64]) {
        adj_n[..self.c].iter_mut().for_each(|a| *a = 0.0);
        for c in 0..self.c {
            for k in 0..self.count[c] {
                adj_n[self.src[c][k]] += self.coef[c][k] * adj_u[c];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials() {
        let row: Vec<f64> = (0..=4).map(|j| binomial(4, j)).collect();
        assert_eq!(row, vec![1.0, 4.0, 6.0, 4.0, 1.0]);
    }

    #[test]
    fn jet_of_a_product_by_leibniz_matches_the_product_of_known_functions() {
        // N(x, t) = x² t with jet entries written out, g = x t, h = sin x: u = x t + x² t sin x.
        let spec = JetSpec::new(2).pure(0, 3).unwrap().mixed(0, 1).unwrap();
        let hard = OutputTransform::new("test", |x| x[0] * x[1], |x| x[0].sin());
        let (x, t) = (0.4_f64, 0.7_f64);
        // Exact directional derivatives of N and u along each direction.
        let u = |x: f64, t: f64| x * t + x * x * t * x.sin();
        let nf = |x: f64, t: f64| x * x * t;
        let along = |f: &dyn Fn(f64, f64) -> f64, v: &[f64], k: usize| {
            let h = 1e-3;
            let p = |s: f64| f(x + s * v[0], t + s * v[1]);
            match k {
                1 => (p(h) - p(-h)) / (2.0 * h),
                2 => (p(h) - 2.0 * p(0.0) + p(-h)) / (h * h),
                _ => (p(2.0 * h) - 2.0 * p(h) + 2.0 * p(-h) - p(-2.0 * h)) / (2.0 * h.powi(3)),
            }
        };
        let c = spec.components();
        let mut n = vec![nf(x, t); c];
        let mut expected = vec![u(x, t); c];
        for (d, dir) in spec.directions().iter().enumerate() {
            for k in 1..=dir.order {
                n[spec.component(d, k)] = along(&nf, &dir.vector, k);
                expected[spec.component(d, k)] = along(&u, &dir.vector, k);
            }
        }
        let m = hard.jet_map(&spec, &[x, t]);
        let mut got = vec![0.0; c];
        m.forward(&n, &mut got, true);
        for (a, b) in got.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-5, "{got:?} vs {expected:?}");
        }
        // The transpose: <M n, w> = <n, Mᵀ w>.
        let w: Vec<f64> = (0..c).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut mn = vec![0.0; c];
        m.forward(&n, &mut mn, false);
        let mut mtw = vec![0.0; c];
        m.backward(&w, &mut mtw);
        let lhs: f64 = mn.iter().zip(&w).map(|(a, b)| a * b).sum();
        let rhs: f64 = n.iter().zip(&mtw).map(|(a, b)| a * b).sum();
        approx::assert_abs_diff_eq!(lhs, rhs, epsilon = 1e-13 * lhs.abs());
    }
}
