//! [`MultiTransform`]: a different rule per parameter group (optax's `multi_transform`).

use super::transform::{member_values, route_member, unknown_state};
use super::Transform;
use crate::error::{Error, Result};

/// Parameter groups, each with its own transform: coordinate `i` belongs to group
/// `labels[i]`, and group `k`'s transform sees only its coordinates, as one contiguous vector
/// in their original order (its state has that group's length).
///
/// With per-layer labels (e.g. from [`crate::nn::Mlp::layer_ranges`]), layers or blocks get
/// different rules: Adam for the hidden layers and plain momentum for the output layer, or a
/// frozen group (a transform that zeroes its updates). The learning rate stays the optimizer's;
/// a group's transform can rescale it. State and hyperparameters are named
/// `"<k>.<member>.<name>"` with `k` the group.
///
/// ```
/// use ravine::optim::{MultiTransform, Optimizer, ScaleBySign, Transform};
/// // coordinates 0 and 2 in group 0 (sign descent), coordinate 1 in group 1 (plain gradient)
/// let groups: Vec<Box<dyn Transform>> = vec![
///     Box::new(ScaleBySign::new()),
///     Box::new(ravine::optim::Chain::new(vec![])),
/// ];
/// let multi = MultiTransform::new(vec![0, 1, 0], groups).unwrap();
/// let mut opt = Optimizer::new("groups", 0.1, vec![Box::new(multi)]).unwrap();
/// let mut x = vec![1.0, 1.0, 1.0];
/// opt.step(&mut x, &[4.0, 4.0, -0.5]).unwrap();
/// assert_eq!(x, vec![0.9, 0.6, 1.1]);
/// ```
#[derive(Debug)]
pub struct MultiTransform {
    labels: Vec<usize>,
    groups: Vec<Box<dyn Transform>>,
    /// The coordinates of each group, ascending.
    members: Vec<Vec<usize>>,
    /// Gather buffers, one per group.
    buffers: Vec<Vec<f64>>,
    params: Vec<Vec<f64>>,
}

impl MultiTransform {
    /// Groups by `labels` (one per coordinate, each `< groups.len()`), every group non-empty.
    pub fn new(labels: Vec<usize>, groups: Vec<Box<dyn Transform>>) -> Result<Self> {
        let mut members = vec![Vec::new(); groups.len()];
        for (i, &k) in labels.iter().enumerate() {
            match members.get_mut(k) {
                Some(m) => m.push(i),
                None => {
                    return Err(Error::InvalidConfig {
                        component: "multi_transform",
                        message: format!(
                            "coordinate {i} has label {k}, but there are {} groups",
                            groups.len()
                        ),
                    })
                }
            }
        }
        if let Some(k) = members.iter().position(Vec::is_empty) {
            return Err(Error::InvalidConfig {
                component: "multi_transform",
                message: format!("group {k} has no coordinates"),
            });
        }
        let buffers = members.iter().map(|m| vec![0.0; m.len()]).collect();
        let params = members.iter().map(|m| vec![0.0; m.len()]).collect();
        Ok(Self {
            labels,
            groups,
            members,
            buffers,
            params,
        })
    }

    /// The group of each coordinate.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The transform of each group.
    pub fn groups(&self) -> &[Box<dyn Transform>] {
        &self.groups
    }
}

impl Clone for MultiTransform {
    fn clone(&self) -> Self {
        Self {
            labels: self.labels.clone(),
            groups: self.groups.iter().map(|t| t.boxed_clone()).collect(),
            members: self.members.clone(),
            buffers: self.buffers.clone(),
            params: self.params.clone(),
        }
    }
}

impl Transform for MultiTransform {
    fn name(&self) -> &'static str {
        "multi_transform"
    }

    fn hyperparameters(&self) -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = (self.members.iter().enumerate())
            .map(|(k, m)| (format!("{k}.size"), m.len() as f64))
            .collect();
        v.extend(member_values(&self.groups, |t| t.hyperparameters()));
        v
    }

    fn check_dim(&self, dim: usize) -> Result<()> {
        if dim != self.labels.len() {
            return Err(Error::DimensionMismatch {
                component: "multi_transform",
                what: "params (one label per coordinate)",
                expected: self.labels.len(),
                got: dim,
            });
        }
        self.groups
            .iter()
            .zip(&self.members)
            .try_for_each(|(t, m)| t.check_dim(m.len()))
    }

    fn init(&mut self, _dim: usize) {
        for (t, m) in self.groups.iter_mut().zip(&self.members) {
            t.init(m.len());
        }
    }

    fn update(&mut self, updates: &mut [f64], params: &[f64]) {
        for (k, t) in self.groups.iter_mut().enumerate() {
            let (idx, u, x) = (&self.members[k], &mut self.buffers[k], &mut self.params[k]);
            for (j, &i) in idx.iter().enumerate() {
                u[j] = updates[i];
                x[j] = params[i];
            }
            t.update(u, x);
            for (j, &i) in idx.iter().enumerate() {
                updates[i] = u[j];
            }
        }
    }

    fn scale_factor(&self, factor: &mut [f64]) {
        for (t, idx) in self.groups.iter().zip(&self.members) {
            let mut f: Vec<f64> = idx.iter().map(|&i| factor[i]).collect();
            t.scale_factor(&mut f);
            for (j, &i) in idx.iter().enumerate() {
                factor[i] = f[j];
            }
        }
    }

    fn state(&self) -> Vec<(String, Vec<f64>)> {
        member_values(&self.groups, |t| t.state())
    }

    fn set_state(&mut self, name: &str, values: &[f64]) -> Result<()> {
        match route_member(&self.groups, name) {
            Some((k, inner)) => self.groups[k].set_state(inner, values),
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
    use crate::optim::{Optimizer, ScaleByAdam, Trace};

    #[test]
    fn each_group_steps_like_its_own_optimizer_on_its_coordinates() {
        // Adam on coordinates {0, 3}, heavy-ball momentum on {1, 2, 4}: the same as two
        // separate optimizers, one per group, with the same learning rate.
        let labels = vec![0, 1, 1, 0, 1];
        let adam = || ScaleByAdam::new(0.9, 0.999, 1e-8, 0.0).unwrap();
        let mom = || Trace::heavy_ball(0.5).unwrap();
        let multi = MultiTransform::new(labels, vec![Box::new(adam()), Box::new(mom())]).unwrap();
        let mut joint = Optimizer::new("joint", 0.05, vec![Box::new(multi)]).unwrap();
        let mut a = Optimizer::new("a", 0.05, vec![Box::new(adam())]).unwrap();
        let mut m = Optimizer::new("m", 0.05, vec![Box::new(mom())]).unwrap();
        let mut x = vec![1.0, -1.0, 2.0, 0.5, -0.3];
        let (mut xa, mut xm) = (vec![1.0, 0.5], vec![-1.0, 2.0, -0.3]);
        for k in 0..30 {
            let g: Vec<f64> = x.iter().map(|v| v * (1.0 + 0.1 * k as f64)).collect();
            let ga: Vec<f64> = xa.iter().map(|v| v * (1.0 + 0.1 * k as f64)).collect();
            let gm: Vec<f64> = xm.iter().map(|v| v * (1.0 + 0.1 * k as f64)).collect();
            joint.step(&mut x, &g).unwrap();
            a.step(&mut xa, &ga).unwrap();
            m.step(&mut xm, &gm).unwrap();
        }
        assert_eq!([x[0], x[3]], [xa[0], xa[1]]);
        assert_eq!([x[1], x[2], x[4]], [xm[0], xm[1], xm[2]]);
        let e = joint.effective_step().unwrap();
        let ea = a.effective_step().unwrap();
        assert_eq!([e[0], e[3]], [ea[0], ea[1]]);
        assert_eq!(e[1], 0.05); // momentum does not rescale per coordinate
    }

    #[test]
    fn bad_labels_and_dimensions_are_typed_errors() {
        let t = || -> Box<dyn Transform> { Box::new(Trace::heavy_ball(0.5).unwrap()) };
        assert!(MultiTransform::new(vec![0, 2], vec![t(), t()]).is_err());
        assert!(MultiTransform::new(vec![0, 0], vec![t(), t()]).is_err()); // group 1 empty
        let multi = MultiTransform::new(vec![0, 1], vec![t(), t()]).unwrap();
        let mut opt = Optimizer::new("m", 0.1, vec![Box::new(multi)]).unwrap();
        let e = opt.step(&mut [1.0, 2.0, 3.0], &[0.0; 3]).unwrap_err();
        assert!(e.to_string().contains("multi_transform"), "{e}");
    }

    #[test]
    fn state_restores_by_group() {
        let t =
            || -> Box<dyn Transform> { Box::new(ScaleByAdam::new(0.9, 0.99, 1e-8, 0.0).unwrap()) };
        let mut a = MultiTransform::new(vec![1, 0, 1], vec![t(), t()]).unwrap();
        a.init(3);
        a.update(&mut [1.0, -2.0, 3.0], &[0.0; 3]);
        let mut b = MultiTransform::new(vec![1, 0, 1], vec![t(), t()]).unwrap();
        b.init(3);
        for (k, v) in a.state() {
            b.set_state(&k, &v).unwrap();
        }
        assert_eq!(a.state(), b.state());
        assert_eq!(
            a.state()
                .iter()
                .find(|(k, _)| k == "1.scale_by_adam.mu")
                .unwrap()
                .1
                .len(),
            2
        );
    }
}
