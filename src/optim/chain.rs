//! [`Chain`]: a sequence of transforms that is itself a [`Transform`] (optax's `chain`).

use super::transform::{member_values, route_member, unknown_state};
use super::Transform;
use crate::error::Result;

/// Transforms applied in order, as one transform: `u ← T_n(… T_1(u))`.
///
/// The chain's per-coordinate scale is the product of its members' (so effective steps compose),
/// and its state and hyperparameters are its members', named `"<i>.<member>.<name>"` with `i`
/// the member's position. A chain is what [`super::Optimizer::new`] takes as a list; this type
/// lets a chain stand wherever one transform is expected, e.g. as one parameter group's rule in
/// a [`super::MultiTransform`].
///
/// ```
/// use ravine::optim::{Chain, ClipByGlobalNorm, ScaleByAdam, Transform};
/// let mut c = Chain::new(vec![
///     Box::new(ClipByGlobalNorm::new(1.0).unwrap()),
///     Box::new(ScaleByAdam::new(0.9, 0.999, 1e-8, 0.0).unwrap()),
/// ]);
/// c.init(2);
/// let mut u = vec![3.0, 4.0]; // norm 5, clipped to 1
/// c.update(&mut u, &[0.0, 0.0]);
/// assert!((u[0] - 1.0).abs() < 1e-6); // Adam's first step is sign-like: m/√v = ±1
/// ```
#[derive(Debug)]
pub struct Chain {
    members: Vec<Box<dyn Transform>>,
}

impl Chain {
    /// The chain of `members`, applied in order.
    pub fn new(members: Vec<Box<dyn Transform>>) -> Self {
        Self { members }
    }

    /// The members, in order.
    pub fn members(&self) -> &[Box<dyn Transform>] {
        &self.members
    }
}

impl Clone for Chain {
    fn clone(&self) -> Self {
        Self {
            members: self.members.iter().map(|t| t.boxed_clone()).collect(),
        }
    }
}

impl Transform for Chain {
    fn name(&self) -> &'static str {
        "chain"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        member_values(&self.members, |t| t.hyperparameters())
    }

    fn check_dim(&self, dim: usize) -> Result<()> {
        self.members.iter().try_for_each(|t| t.check_dim(dim))
    }

    fn init(&mut self, dim: usize) {
        self.members.iter_mut().for_each(|t| t.init(dim));
    }

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        for t in &mut self.members {
            t.update(updates, params);
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        self.members.iter().for_each(|t| t.scale_factor(factor));
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        member_values(&self.members, |t| t.state())
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> Result<()> {
        match route_member(&self.members, name) {
            Some((i, inner)) => self.members[i].set_state(inner, values),
            None => Err(unknown_state(self.name(), name)),
        }
    }

    fn boxed_clone(&self) -> Box<dyn Transform> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{ClipByGlobalNorm, Optimizer, ScaleByAdam, Schedule};

    fn members() -> Vec<Box<dyn Transform>> {
        vec![
            Box::new(ClipByGlobalNorm::new(0.5).unwrap()),
            Box::new(ScaleByAdam::new(0.9, 0.999, 1e-8, 0.0).unwrap()),
        ]
    }

    #[test]
    fn a_chain_steps_exactly_like_the_flat_list() {
        let lr = Schedule::constant(0.1).unwrap();
        let mut flat = Optimizer::new("flat", lr.clone(), members()).unwrap();
        let mut nested =
            Optimizer::new("nested", lr, vec![Box::new(Chain::new(members()))]).unwrap();
        let (mut x, mut y) = (vec![1.0, -2.0, 0.5], vec![1.0, -2.0, 0.5]);
        for k in 0..20 {
            let g: Vec<f64> = x.iter().map(|v| 2.0 * v + (k as f64).sin()).collect();
            flat.step(&mut x, &g).unwrap();
            nested.step(&mut y, &g).unwrap();
        }
        assert_eq!(x, y);
        assert_eq!(flat.effective_step(), nested.effective_step());
    }

    #[test]
    fn state_round_trips_through_member_names() {
        let mut a = Chain::new(members());
        a.init(2);
        a.update(&mut [1.0, 2.0], &[0.0, 0.0]);
        let mut b = Chain::new(members());
        b.init(2);
        for (k, v) in a.state() {
            b.set_state(&k, &v).unwrap();
        }
        assert_eq!(a.state(), b.state());
        assert!(a.state().iter().any(|(k, _)| k == "1.scale_by_adam.mu"));
        assert!(b.set_state("1.clip_by_global_norm.mu", &[0.0]).is_err());
        assert!(b.set_state("7.scale_by_adam.mu", &[0.0]).is_err());
    }
}
