//! [`Pde`]: a residual function of the point and the jet of `u` there.

use std::sync::Arc;

use super::{Dual, Jet, MAX_ENTRIES};
use crate::error::{Error, Result};
use crate::nn::JetSpec;

/// The residual `r(x, u, ∂u, …)` as a function of the point and its [`Jet`].
pub type ResidualFn = dyn Fn(&[f64], &Jet) -> Dual + Send + Sync;

/// A PDE: a name, the derivatives its residual needs, and the residual.
///
/// Viscous Burgers, `u_t + u u_x − ν u_xx = 0`, with `x` input 0 and `t` input 1:
///
/// ```
/// use ravine::nn::JetSpec;
/// use ravine::pinn::Pde;
/// let nu = 0.01 / std::f64::consts::PI;
/// let burgers = Pde::new("burgers", JetSpec::new(2).pure(0, 2).unwrap(), move |_x, u| {
///     u.d(1) + u.val() * u.d(0) - nu * u.dn(0, 2)
/// })
/// .unwrap();
/// # assert_eq!(burgers.name(), "burgers");
/// ```
///
/// The residual's derivative with respect to the jet, which the reverse pass needs, comes from
/// the [`Dual`] numbers the jet's accessors return: nothing is differentiated by hand.
#[derive(Clone)]
pub struct Pde {
    name: String,
    spec: JetSpec,
    residual: Arc<ResidualFn>,
}

impl std::fmt::Debug for Pde {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pde")
            .field("name", &self.name)
            .field("spec", &self.spec)
            .finish()
    }
}

impl Pde {
    /// A PDE whose residual reads only the derivatives in `spec`: checked here by calling
    /// the residual once on a probe jet.
    pub fn new<F>(name: impl Into<String>, spec: JetSpec, residual: F) -> Result<Self>
    where
        F: Fn(&[f64], &Jet) -> Dual + Send + Sync + 'static,
    {
        let name = name.into();
        if spec.components() > MAX_ENTRIES {
            return Err(Error::InvalidConfig {
                component: "pde",
                message: format!(
                    "{name}: the jet has {} entries, more than the {MAX_ENTRIES} a residual supports",
                    spec.components()
                ),
            });
        }
        let probe_entries = vec![0.5; spec.components()];
        let probe_point = vec![0.5; spec.dim()];
        let jet = Jet::new(&spec, &probe_entries);
        let _ = residual(&probe_point, &jet);
        if let Some(missing) = jet.missing() {
            return Err(Error::InvalidConfig {
                component: "pde",
                message: format!(
                    "{name}: the residual reads {missing}, which its JetSpec does not carry"
                ),
            });
        }
        Ok(Self {
            name,
            spec,
            residual: Arc::new(residual),
        })
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The derivatives the residual needs.
    pub fn spec(&self) -> &JetSpec {
        &self.spec
    }

    /// The residual at `point` with output jet `entries` (in the spec's component order).
    pub fn residual(&self, point: &[f64], entries: &[f64]) -> Dual {
        (self.residual)(point, &Jet::new(&self.spec, entries))
    }

    /// The residual with the jet entries also carrying the direction `tangent`: its `t` is
    /// `∇r·J̇` and its `gt` is `∇²r J̇` (for exact Hessian-vector products).
    pub fn residual_with_tangent(&self, point: &[f64], entries: &[f64], tangent: &[f64]) -> Dual {
        (self.residual)(point, &Jet::with_tangent(&self.spec, entries, tangent))
    }
}
