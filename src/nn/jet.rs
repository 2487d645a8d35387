//! [`JetSpec`]: which input derivatives a forward pass carries.

use crate::error::{Error, Result};

/// Maximum order of a pure derivative along one input.
pub const MAX_ORDER: usize = 4;

/// A direction in input space along which a truncated Taylor series is propagated.
#[derive(Debug, Clone, PartialEq)]
pub struct Direction {
    /// The direction vector (a unit vector `e_i`, or `e_i + e_j` for a mixed derivative).
    pub vector: Vec<f64>,
    /// Truncation order K: the jet carries the 1st to K-th directional derivatives.
    pub order: usize,
}

/// The input derivatives a forward pass carries for every point.
///
/// The jet of the network output `u` at a point is its value and, for each direction `v` with
/// order `K`, the directional derivatives `D_v^k u` for `k = 1..K`: a truncated Taylor series
/// of `s ↦ u(x + s v)`. The spec always holds first derivatives along every input; pure
/// derivatives `∂ⁿu/∂x_iⁿ` up to [`MAX_ORDER`] are requested with [`JetSpec::pure`], and mixed
/// second derivatives `∂²u/∂x_i∂x_j` with [`JetSpec::mixed`] (obtained by polarization from
/// the direction `e_i + e_j`: `u_ij = (D²_{e_i+e_j} u − u_ii − u_jj)/2`).
///
/// Components are numbered: 0 for the value, then each direction's orders `1..K` in turn.
#[derive(Debug, Clone, PartialEq)]
pub struct JetSpec {
    dim: usize,
    directions: Vec<Direction>,
    mixed: Vec<(usize, usize)>,
    /// `pure[i][n]`: the component of `∂ⁿu/∂x_iⁿ`, if carried (derived from `directions`, so
    /// that residuals look entries up without a search).
    pure: Vec<[Option<usize>; MAX_ORDER + 1]>,
}

impl JetSpec {
    /// First derivatives along each of `dim` inputs.
    pub fn new(dim: usize) -> Self {
        let directions = (0..dim)
            .map(|i| Direction {
                vector: unit(dim, i),
                order: 1,
            })
            .collect();
        Self {
            dim,
            directions,
            mixed: Vec::new(),
            pure: Vec::new(),
        }
        .reindexed()
    }

    /// Values only (no derivatives): for conditions that constrain `u` alone.
    pub fn values_only(dim: usize) -> Self {
        Self {
            dim,
            directions: Vec::new(),
            mixed: Vec::new(),
            pure: Vec::new(),
        }
        .reindexed()
    }

    /// Recomputes the pure-derivative table from the directions.
    fn reindexed(mut self) -> Self {
        self.pure = (0..self.dim)
            .map(|i| std::array::from_fn(|n| self.search_pure(i, n)))
            .collect();
        self
    }

    /// Also carries `∂ⁿu/∂x_iⁿ` (and all lower orders along `x_i`), `1 ≤ n ≤ 4`.
    pub fn pure(mut self, input: usize, order: usize) -> Result<Self> {
        self.check_input(input)?;
        if !(1..=MAX_ORDER).contains(&order) {
            return Err(Error::InvalidHyperparameter {
                component: "jet spec",
                parameter: "order",
                value: order as f64,
                reason: "pure derivatives are supported for orders 1 to 4",
            });
        }
        match self
            .directions
            .iter_mut()
            .find(|d| d.vector == unit(self.dim, input))
        {
            Some(d) => d.order = d.order.max(order),
            None => self.directions.push(Direction {
                vector: unit(self.dim, input),
                order,
            }),
        }
        Ok(self.reindexed())
    }

    /// Also carries the mixed derivative `∂²u/∂x_i∂x_j`, `i ≠ j` (and the pure second
    /// derivatives along both, which polarization needs).
    pub fn mixed(mut self, i: usize, j: usize) -> Result<Self> {
        self.check_input(i)?;
        self.check_input(j)?;
        if i == j {
            return self.pure(i, 2);
        }
        let (i, j) = (i.min(j), i.max(j));
        self = self.pure(i, 2)?.pure(j, 2)?;
        if !self.mixed.contains(&(i, j)) {
            let mut v = vec![0.0; self.dim];
            v[i] = 1.0;
            v[j] = 1.0;
            self.directions.push(Direction {
                vector: v,
                order: 2,
            });
            self.mixed.push((i, j));
        }
        Ok(self.reindexed())
    }

    fn check_input(&self, i: usize) -> Result<()> {
        if i >= self.dim {
            return Err(Error::InvalidHyperparameter {
                component: "jet spec",
                parameter: "input",
                value: i as f64,
                reason: "input index out of range",
            });
        }
        Ok(())
    }

    /// Number of inputs.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The directions, in component order.
    pub fn directions(&self) -> &[Direction] {
        &self.directions
    }

    /// Number of jet components per output: 1 (value) + the sum of the directions' orders.
    pub fn components(&self) -> usize {
        1 + self.directions.iter().map(|d| d.order).sum::<usize>()
    }

    /// Component index of the k-th derivative along direction `d` (k ≥ 1).
    pub(crate) fn component(&self, d: usize, k: usize) -> usize {
        1 + self.directions[..d].iter().map(|d| d.order).sum::<usize>() + k - 1
    }

    /// Component index of `∂ⁿu/∂x_iⁿ`, if carried (n = 0 is the value). A table lookup: this
    /// runs for every point's residual.
    pub fn pure_component(&self, input: usize, order: usize) -> Option<usize> {
        self.pure
            .get(input)
            .and_then(|row| row.get(order).copied().flatten())
    }

    fn search_pure(&self, input: usize, order: usize) -> Option<usize> {
        if order == 0 {
            return Some(0);
        }
        let target = unit(self.dim, input);
        self.directions
            .iter()
            .position(|d| d.vector == target && d.order >= order)
            .map(|d| self.component(d, order))
    }

    /// Component index of the second derivative along `e_i + e_j`, if carried.
    pub fn mixed_component(&self, i: usize, j: usize) -> Option<usize> {
        let (i, j) = (i.min(j), i.max(j));
        if !self.mixed.contains(&(i, j)) {
            return None;
        }
        // Compared in place: `Jet::dij` calls this for every point's residual.
        let is_pair = |v: &[f64]| {
            v.iter()
                .enumerate()
                .all(|(k, &x)| x == if k == i || k == j { 1.0 } else { 0.0 })
        };
        self.directions
            .iter()
            .position(|d| is_pair(&d.vector))
            .map(|d| self.component(d, 2))
    }
}

fn unit(dim: usize, i: usize) -> Vec<f64> {
    let mut v = vec![0.0; dim];
    v[i] = 1.0;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burgers_spec_layout() {
        let s = JetSpec::new(2).pure(0, 2).unwrap();
        assert_eq!(s.components(), 4);
        assert_eq!(s.pure_component(0, 1), Some(1));
        assert_eq!(s.pure_component(0, 2), Some(2));
        assert_eq!(s.pure_component(1, 1), Some(3));
        assert_eq!(s.pure_component(1, 2), None);
        let m = s.mixed(0, 1).unwrap();
        assert_eq!(m.components(), 1 + 2 + 2 + 2);
        assert_eq!(m.mixed_component(1, 0), Some(6));
        assert!(JetSpec::new(2).pure(0, 5).is_err());
        assert!(JetSpec::new(2).pure(2, 1).is_err());
    }
}
