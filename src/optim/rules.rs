//! The named update rules, each a chain of transforms (see [`Optimizer`]).
//!
//! | rule | chain (then `x ← x − α_t u`) | reference |
//! |---|---|---|
//! | [`gd`] | — | Cauchy 1847 |
//! | [`momentum`] | [`Trace::heavy_ball`] | Polyak 1964 |
//! | [`nesterov`] | [`Trace::nesterov`] | Nesterov 1983; Sutskever et al. 2013 |
//! | [`normalized_gd`] | [`NormalizeByGlobalNorm`] | Shor 1985; Hazan et al. 2015 |
//! | [`sign_descent`] | [`ScaleBySign`] | Bernstein et al. 2018 |
//! | [`adagrad`] | [`ScaleByAdaGrad`] | Duchi, Hazan & Singer 2011 |
//! | [`rmsprop`] | [`ScaleByRms`] (+ [`Trace`]) | Tieleman & Hinton 2012 |
//! | [`adam`] | [`ScaleByAdam`] | Kingma & Ba 2015 |
//! | [`adam_l2`] | [`AddDecayedWeights`], [`ScaleByAdam`] | PyTorch `Adam(weight_decay)` |
//! | [`adamw`] | [`ScaleByAdam`], [`AddDecayedWeights`] | Loshchilov & Hutter 2019 |
//! | [`amsgrad`] | [`ScaleByAdam::amsgrad`] | Reddi, Kale & Kumar 2018 |
//!
//! Clipping goes in front of any of them with [`Optimizer::clip_by_global_norm`] or
//! [`Optimizer::clip_by_value`].

use super::{AddDecayedWeights, Optimizer, ScaleByRms, ScaleBySign, Schedule, Transform};
use super::{
    ClipByGlobalNorm, ClipByValue, EpsPlacement, NormalizeByGlobalNorm, ScaleByAdaGrad,
    ScaleByAdam, Trace,
};
use crate::error::Result;

/// Hyperparameters shared by Adam, AdamW, Adam + L2 and AMSGrad.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// β₁, decay of the first moment. Default 0.9.
    pub b1: f64,
    /// β₂, decay of the second moment. Default 0.999.
    pub b2: f64,
    /// ε, added outside the square root. Default 1e-8.
    pub eps: f64,
    /// ε_root, added inside the square root. Default 0.
    pub eps_root: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            b1: ScaleByAdam::DEFAULT_B1,
            b2: ScaleByAdam::DEFAULT_B2,
            eps: ScaleByAdam::DEFAULT_EPS,
            eps_root: 0.0,
        }
    }
}

/// Hyperparameters of RMSProp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropConfig {
    /// ρ, decay of the squared-gradient average. Default 0.9 (optax).
    pub decay: f64,
    /// ε. Default 1e-8.
    pub eps: f64,
    /// Where ε goes. Default inside the square root (optax); PyTorch puts it outside.
    pub eps_placement: EpsPlacement,
    /// ν₀. Default 0.
    pub initial_scale: f64,
    /// Heavy-ball momentum on the scaled direction; 0 disables it. Default 0.
    pub momentum: f64,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self {
            decay: 0.9,
            eps: 1e-8,
            eps_placement: EpsPlacement::InsideSqrt,
            initial_scale: 0.0,
            momentum: 0.0,
        }
    }
}

/// Gradient descent: `x ← x − α_t g`.
pub fn gd(lr: impl Into<Schedule>) -> Result<Optimizer> {
    Optimizer::new("gd", lr, vec![])
}

/// Heavy-ball momentum: `m ← μ m + g`, `x ← x − α_t m`.
pub fn momentum(lr: impl Into<Schedule>, mu: f64) -> Result<Optimizer> {
    Optimizer::new("momentum", lr, vec![Box::new(Trace::heavy_ball(mu)?)])
}

/// Nesterov momentum: `m ← μ m + g`, `x ← x − α_t (g + μ m)`.
pub fn nesterov(lr: impl Into<Schedule>, mu: f64) -> Result<Optimizer> {
    Optimizer::new("nesterov", lr, vec![Box::new(Trace::nesterov(mu)?)])
}

/// Normalized gradient descent: `x ← x − η g/(‖g‖ + ε)`: every step has length η (for ε ≪ ‖g‖).
pub fn normalized_gd(lr: impl Into<Schedule>, eps: f64) -> Result<Optimizer> {
    Optimizer::new(
        "normalized_gd",
        lr,
        vec![Box::new(NormalizeByGlobalNorm::new(eps)?)],
    )
}

/// Sign descent: `x ← x − α_t sign(g)`.
pub fn sign_descent(lr: impl Into<Schedule>) -> Result<Optimizer> {
    Optimizer::new("sign_descent", lr, vec![Box::new(ScaleBySign::new())])
}

/// AdaGrad: `s ← s + g²`, `x ← x − α_t g/√(s + ε)`, with `s₀ = initial_accumulator`.
/// optax's defaults are `initial_accumulator = 0.1`, `ε = 1e-7`.
pub fn adagrad(lr: impl Into<Schedule>, initial_accumulator: f64, eps: f64) -> Result<Optimizer> {
    Optimizer::new(
        "adagrad",
        lr,
        vec![Box::new(ScaleByAdaGrad::new(initial_accumulator, eps)?)],
    )
}

/// RMSProp: `ν ← ρν + (1−ρ)g²`, `u = g/√(ν + ε)` (or `g/(√ν + ε)`), `x ← x − α_t u`; with
/// momentum μ, the trace is taken of the scaled step, as optax does:
/// `m ← μm + α_t u`, `x ← x − m` (the same as tracing `u` only for a constant `α`).
pub fn rmsprop(lr: impl Into<Schedule>, config: RmsPropConfig) -> Result<Optimizer> {
    let chain: Vec<Box<dyn Transform>> = vec![Box::new(ScaleByRms::new(
        config.decay,
        config.eps,
        config.initial_scale,
        config.eps_placement,
        false,
    )?)];
    let opt = Optimizer::new("rmsprop", lr, chain)?;
    if config.momentum != 0.0 {
        Ok(opt.after_learning_rate(Box::new(Trace::heavy_ball(config.momentum)?)))
    } else {
        Ok(opt)
    }
}

fn adam_transform(c: &AdamConfig) -> Result<ScaleByAdam> {
    ScaleByAdam::new(c.b1, c.b2, c.eps, c.eps_root)
}

/// Adam: `x ← x − α_t m̂/(√v̂ + ε)` (see [`ScaleByAdam`]).
pub fn adam(lr: impl Into<Schedule>, config: AdamConfig) -> Result<Optimizer> {
    Optimizer::new("adam", lr, vec![Box::new(adam_transform(&config)?)])
}

/// Adam with L2 regularisation coupled into the gradient (PyTorch `Adam(weight_decay=λ)`):
/// `g ← g + λx`, then Adam. The decay is rescaled by `1/√v̂` like the gradient.
pub fn adam_l2(
    lr: impl Into<Schedule>,
    config: AdamConfig,
    weight_decay: f64,
) -> Result<Optimizer> {
    Optimizer::new(
        "adam_l2",
        lr,
        vec![
            Box::new(AddDecayedWeights::new(weight_decay)?),
            Box::new(adam_transform(&config)?),
        ],
    )
}

/// AdamW, decoupled weight decay: `x ← x − α_t (m̂/(√v̂ + ε) + λx)` (optax `adamw`, PyTorch
/// `AdamW` with `lr·wd = α_t λ`): every coordinate shrinks by the same factor `1 − α_t λ`.
pub fn adamw(lr: impl Into<Schedule>, config: AdamConfig, weight_decay: f64) -> Result<Optimizer> {
    Optimizer::new(
        "adamw",
        lr,
        vec![
            Box::new(adam_transform(&config)?),
            Box::new(AddDecayedWeights::new(weight_decay)?),
        ],
    )
}

/// AMSGrad: Adam with the denominator `√(max_s v̂_s) + ε`, which never decreases.
pub fn amsgrad(lr: impl Into<Schedule>, config: AdamConfig) -> Result<Optimizer> {
    Optimizer::new(
        "amsgrad",
        lr,
        vec![Box::new(ScaleByAdam::amsgrad(
            config.b1,
            config.b2,
            config.eps,
            config.eps_root,
        )?)],
    )
}

impl Optimizer {
    /// Puts clipping by global norm `max_norm` in front of the chain.
    pub fn clip_by_global_norm(self, max_norm: f64) -> Result<Self> {
        Ok(self.prepend(Box::new(ClipByGlobalNorm::new(max_norm)?)))
    }

    /// Puts clipping by value `max_abs` in front of the chain.
    pub fn clip_by_value(self, max_abs: f64) -> Result<Self> {
        Ok(self.prepend(Box::new(ClipByValue::new(max_abs)?)))
    }
}

/// Names accepted by [`from_name`].
pub const NAMES: [&str; 11] = [
    "gd",
    "momentum",
    "nesterov",
    "normalized_gd",
    "sign_descent",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "adam_l2",
    "amsgrad",
];

/// A rule by name with its documented defaults (momentum 0.9; AdaGrad s₀ = 0.1, ε = 1e-7;
/// normalized GD ε = 1e-6; weight decay 1e-4 for AdamW and Adam + L2): for command lines.
/// Code should call the constructors directly.
pub fn from_name(name: &str, lr: impl Into<Schedule>) -> Result<Optimizer> {
    let cfg = AdamConfig::default();
    match name {
        "gd" => gd(lr),
        "momentum" => momentum(lr, 0.9),
        "nesterov" => nesterov(lr, 0.9),
        "normalized_gd" => normalized_gd(lr, NormalizeByGlobalNorm::DEFAULT_EPS),
        "sign_descent" => sign_descent(lr),
        "adagrad" => adagrad(
            lr,
            ScaleByAdaGrad::DEFAULT_INITIAL_ACCUMULATOR,
            ScaleByAdaGrad::DEFAULT_EPS,
        ),
        "rmsprop" => rmsprop(lr, RmsPropConfig::default()),
        "adam" => adam(lr, cfg),
        "adamw" => adamw(lr, cfg, 1e-4),
        "adam_l2" => adam_l2(lr, cfg, 1e-4),
        "amsgrad" => amsgrad(lr, cfg),
        other => Err(crate::Error::InvalidConfig {
            component: "rules",
            message: format!("unknown rule {other:?}; known: {}", NAMES.join(", ")),
        }),
    }
}
