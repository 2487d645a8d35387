//! The [`Transform`] trait: one stage of an update rule.

/// One stage of an update rule, in the manner of optax's `GradientTransformation`.
///
/// A transform receives the current update direction `u` (initially the gradient `g`) and the
/// parameters `x`, and rewrites `u` in place. Update rules are chains of transforms followed by
/// the learning rate, which [`crate::Optimizer`] applies in one place:
/// `x ← x − α_t · u`.
///
/// State (moment estimates, accumulators, counters) lives in the transform as plain data and is
/// exposed through [`Transform::state`] so that it can be inspected and tested.
pub trait Transform: std::fmt::Debug + Send {
    /// Short name of the transform, e.g. `"scale_by_adam"`.
    fn name(&self) -> &'static str;

    /// The hyperparameters, by name, for logging and run files.
    fn hyperparameters(&self) -> Vec<(String, f64)>;

    /// Errors unless the transform can act on `dim` parameters (a [`super::MultiTransform`]
    /// has one label per coordinate); checked by [`super::Optimizer::step`] before
    /// [`Transform::init`]. Most transforms take any length.
    fn check_dim(&self, dim: usize) -> crate::Result<()> {
        let _ = dim;
        Ok(())
    }

    /// Allocates (or resets) the state for a parameter vector of length `dim`.
    fn init(&mut self, dim: usize);

    /// Rewrites `updates` in place. `params` are the parameters the gradient was taken at.
    /// Lengths have been checked by the caller.
    fn update(&mut self, updates: &mut [f64], params: &[f64]);

    /// Multiplies `factor[i]` by the per-coordinate scale `d_i` that this transform applied at
    /// its last update, so that the product over a chain times the learning rate is the rule's
    /// effective step `α_t · Π d_i`. Transforms that do not rescale per coordinate (momentum,
    /// weight decay) leave `factor` unchanged; their documentation says what that means.
    fn scale_factor(&self, factor: &mut [f64]) {
        let _ = factor;
    }

    /// Named state buffers, for inspection and checkpoints. Scalars are returned as
    /// length-1 vectors.
    fn state(&self) -> Vec<(String, Vec<f64>)> {
        Vec::new()
    }

    /// Sets the state buffer `name` (as named by [`Transform::state`]) to `values`, for
    /// resuming from a checkpoint. Errors on an unknown name or a wrong length.
    fn set_state(&mut self, name: &str, values: &[f64]) -> crate::Result<()> {
        let _ = values;
        Err(unknown_state(self.name(), name))
    }

    /// A boxed copy with the same hyperparameters and state.
    fn boxed_clone(&self) -> Box<dyn Transform>;
}

/// Named values with owned names, from a list with literal names (the form transforms write
/// their [`Transform::state`] and [`Transform::hyperparameters`] in).
pub(crate) fn named<T>(values: Vec<(&str, T)>) -> Vec<(String, T)> {
    values
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// The state (`hyperparameters == false`) or hyperparameters of each member of a composite
/// transform, named `"<i>.<member>.<name>"` with `i` the member's position.
pub(crate) fn member_values<T>(
    members: &[Box<dyn Transform>],
    of: impl Fn(&dyn Transform) -> Vec<(String, T)>,
) -> Vec<(String, T)> {
    let mut v = Vec::new();
    for (i, t) in members.iter().enumerate() {
        for (k, x) in of(t.as_ref()) {
            v.push((format!("{i}.{}.{k}", t.name()), x));
        }
    }
    v
}

/// Splits a composite's key `"<i>.<member>.<name>"` into the member index and the member's own
/// name, checking the member's name.
pub(crate) fn route_member<'a>(
    members: &[Box<dyn Transform>],
    key: &'a str,
) -> Option<(usize, &'a str)> {
    let (i, rest) = key.split_once('.')?;
    let i: usize = i.parse().ok()?;
    let name = rest
        .strip_prefix(members.get(i)?.name())?
        .strip_prefix('.')?;
    Some((i, name))
}

/// The error for a state buffer a transform does not have.
pub(crate) fn unknown_state(component: &'static str, name: &str) -> crate::Error {
    crate::Error::InvalidConfig {
        component,
        message: format!("no state buffer named {name:?}"),
    }
}

/// Copies `values` into the state buffer `buf` (same length, or any length when `buf` is
/// still empty, i.e. before the first step).
pub(crate) fn set_buffer(
    component: &'static str,
    name: &str,
    buf: &mut Vec<f64>,
    values: &[f64],
) -> crate::Result<()> {
    if !buf.is_empty() && buf.len() != values.len() {
        return Err(crate::Error::InvalidConfig {
            component,
            message: format!(
                "state buffer {name:?} has length {}, expected {}",
                values.len(),
                buf.len()
            ),
        });
    }
    buf.clear();
    buf.extend_from_slice(values);
    Ok(())
}

/// A scalar state entry (a length-1 buffer).
pub(crate) fn scalar(component: &'static str, name: &str, values: &[f64]) -> crate::Result<f64> {
    match values {
        [v] => Ok(*v),
        _ => Err(crate::Error::InvalidConfig {
            component,
            message: format!("state {name:?} must have one value, got {}", values.len()),
        }),
    }
}

/// A step counter stored as a scalar: a finite non-negative integer below 2^53.
pub(crate) fn counter(component: &'static str, name: &str, values: &[f64]) -> crate::Result<u64> {
    let v = scalar(component, name, values)?;
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.007_199_254_740_992e15 {
        Ok(v as u64)
    } else {
        Err(crate::Error::InvalidHyperparameter {
            component,
            parameter: "count",
            value: v,
            reason: "must be a non-negative integer",
        })
    }
}

impl Clone for Box<dyn Transform> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}
