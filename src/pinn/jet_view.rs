//! [`Jet`]: a point's output jet as seen by a residual function.

use std::cell::RefCell;

use super::Dual;
use crate::nn::JetSpec;

/// The jet of the network output `u` at one point, handed to a residual function. Every
/// accessor returns a [`Dual`] seeded with its jet entry, so the residual's derivative with
/// respect to the jet comes for free.
///
/// Inputs are numbered as in the domain: for a space-time problem `x` is input 0 and `t` the
/// last input.
pub struct Jet<'a> {
    spec: &'a JetSpec,
    entries: &'a [f64],
    tangent: Option<&'a [f64]>,
    missing: RefCell<Option<String>>,
}

impl<'a> Jet<'a> {
    pub(crate) fn new(spec: &'a JetSpec, entries: &'a [f64]) -> Self {
        Self {
            spec,
            entries,
            tangent: None,
            missing: RefCell::new(None),
        }
    }

    /// A jet whose entries also carry a direction `tangent` (see [`Dual::t`]).
    pub(crate) fn with_tangent(spec: &'a JetSpec, entries: &'a [f64], tangent: &'a [f64]) -> Self {
        Self {
            tangent: Some(tangent),
            ..Self::new(spec, entries)
        }
    }

    fn variable(&self, c: usize) -> Dual {
        let t = self.tangent.map_or(0.0, |t| t[c]);
        Dual::variable_with_tangent(self.entries[c], c, t)
    }

    fn entry(&self, c: Option<usize>, what: impl FnOnce() -> String) -> Dual {
        match c {
            Some(c) => self.variable(c),
            None => {
                self.missing.borrow_mut().get_or_insert_with(what);
                Dual::constant(f64::NAN)
            }
        }
    }

    /// `u`.
    pub fn val(&self) -> Dual {
        self.variable(0)
    }

    /// `∂u/∂x_i`.
    pub fn d(&self, i: usize) -> Dual {
        self.dn(i, 1)
    }

    /// `∂ⁿu/∂x_iⁿ` (n ≤ 4; must be in the PDE's [`JetSpec`]).
    pub fn dn(&self, i: usize, n: usize) -> Dual {
        self.entry(self.spec.pure_component(i, n), || {
            format!("d^{n}u/dx{i}^{n}")
        })
    }

    /// `∂²u/∂x_i∂x_j` (must be in the PDE's [`JetSpec`] via `mixed(i, j)`).
    pub fn dij(&self, i: usize, j: usize) -> Dual {
        if i == j {
            return self.dn(i, 2);
        }
        let d2 = self.entry(self.spec.mixed_component(i, j), || {
            format!("d^2u/dx{i}dx{j}")
        });
        (d2 - self.dn(i, 2) - self.dn(j, 2)) * 0.5
    }

    /// The first derivative that was asked for but is not in the spec, if any.
    pub(crate) fn missing(&self) -> Option<String> {
        self.missing.borrow().clone()
    }
}
