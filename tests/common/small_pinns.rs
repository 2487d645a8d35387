//! Small PINNs on viscous Burgers, one for every kind of loss term, plain and through a
//! hard-constraint transform.

use ravine::nn::{Activation, JetSpec, Mlp};
use ravine::pinn::{Condition, OutputTransform, Pde, Pinn, Sampler, SpaceTime};

pub fn burgers() -> Pde {
    let nu = 0.01 / std::f64::consts::PI;
    Pde::new(
        "burgers",
        JetSpec::new(2).pure(0, 2).unwrap(),
        move |_x, u| u.d(1) + u.val() * u.d(0) - nu * u.dn(0, 2),
    )
    .unwrap()
}

pub fn small_pinn(periodic: bool) -> Pinn {
    small_pinn_with(periodic, None)
}

/// Every term kind, plain and through a hard-constraint transform (which then also shapes the
/// initial and periodic terms: a transform need not meet every condition).
pub fn cases() -> Vec<(&'static str, Pinn)> {
    let generic = || {
        OutputTransform::new(
            "generic",
            |x| 0.3 * x[0].cos() + x[0] * x[1],
            |x| (0.5 * x[1]).exp() * (1.0 + x[0] * x[0]) - 0.2 * (x[0] - x[1]).tanh(),
        )
    };
    vec![
        ("dirichlet", small_pinn(false)),
        ("periodic", small_pinn(true)),
        (
            "transformed dirichlet",
            small_pinn_with(false, Some(generic())),
        ),
        (
            "transformed periodic",
            small_pinn_with(true, Some(generic())),
        ),
        ("periodic value only", small_pinn_periodic_to(0, None)),
        (
            "transformed periodic to u_xxx",
            small_pinn_periodic_to(3, Some(generic())),
        ),
    ]
}

/// A periodic condition matching `u` and its x-derivatives up to `order`.
pub fn small_pinn_periodic_to(order: usize, transform: Option<OutputTransform>) -> Pinn {
    let mlp = Mlp::new(&[2, 6, 5, 1], Activation::Tanh).unwrap();
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let mut b = Pinn::builder(mlp, domain, burgers())
        .interior(100)
        .sampler(Sampler::Halton)
        .seed(4)
        .condition(Condition::periodic_to_order("periodic", 0, 25, order));
    if let Some(t) = transform {
        b = b.output_transform(t);
    }
    b.build().unwrap()
}

pub fn small_pinn_with(periodic: bool, transform: Option<OutputTransform>) -> Pinn {
    let mlp = Mlp::new(&[2, 6, 5, 1], Activation::Tanh).unwrap();
    let domain = SpaceTime::interval((-1.0, 1.0), (0.0, 1.0)).unwrap();
    let mut b = Pinn::builder(mlp, domain, burgers())
        .interior(150)
        .sampler(Sampler::Halton)
        .seed(3)
        .condition(
            Condition::initial("ic", 40, |x| -(std::f64::consts::PI * x[0]).sin())
                .weight(2.0)
                .unwrap(),
        );
    b = if periodic {
        b.condition(Condition::periodic("periodic", 0, 30))
    } else {
        b.condition(Condition::dirichlet("bc", 30, |_| 0.0))
    };
    if let Some(t) = transform {
        b = b.output_transform(t);
    }
    b.build().unwrap()
}
