//! Helpers of periodic conditions and periodic networks: which jets a periodic condition
//! compares, and the check that initial data suits an exactly periodic network.

use super::{Sampler, SpaceTime};
use crate::error::{Error, Result};
use crate::nn::JetSpec;

/// An initial condition given to a network that is exactly periodic in `input` must itself be
/// periodic there: compared at both ends at 33 points of the other coordinates.
pub(super) fn check_periodic_data(
    domain: &SpaceTime,
    input: usize,
    g: &(dyn Fn(&[f64]) -> f64 + Send + Sync),
    name: &str,
) -> Result<()> {
    let (a, b) = domain.space()[input];
    let probe = domain.initial(33, Sampler::Halton, 0);
    let d = domain.dim();
    for x in probe.chunks(d) {
        let (mut xa, mut xb) = (x.to_vec(), x.to_vec());
        xa[input] = a;
        xb[input] = b;
        let (ga, gb) = (g(&xa), g(&xb));
        if (ga - gb).abs() > 1e-9 * (1.0 + ga.abs()) {
            return Err(Error::InvalidConfig {
                component: "pinn",
                message: format!(
                    "{name}: the network is periodic in input {input} but the data is not: \
                     {ga} at {xa:?}, {gb} at {xb:?}"
                ),
            });
        }
    }
    Ok(())
}

/// The jets a periodic condition of `order` on `input` needs, and the components it compares
/// (the value, then `∂ᵏu/∂x_inputᵏ` for `k = 1..=order`).
pub(super) fn periodic_spec(d: usize, input: usize, order: usize) -> Result<(JetSpec, Vec<usize>)> {
    let spec = match order {
        0 => JetSpec::values_only(d),
        1 => JetSpec::new(d),
        _ => JetSpec::new(d).pure(input, order)?,
    };
    let mut comps = vec![0];
    for k in 1..=order {
        comps.push(
            spec.pure_component(input, k)
                .ok_or_else(|| Error::InvalidConfig {
                    component: "periodic condition",
                    message: format!("input {input} has no derivative of order {k}"),
                })?,
        );
    }
    Ok((spec, comps))
}
