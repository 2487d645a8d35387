//! [`QuasiNewtonUpdate`]: which inverse-Hessian update [`super::Bfgs`] makes, and the
//! self-scaled Broyden parameters.

/// The inverse-Hessian update of [`super::Bfgs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuasiNewtonUpdate {
    /// Plain BFGS.
    Bfgs,
    /// BFGS on `H/τ`, `τ = min(1, sᵀy/sᵀBs)` (Oren-Luenberger, restricted as Al-Baali).
    #[default]
    SelfScaledBfgs,
    /// The self-scaled Broyden update of Urbán, Stefanou & Pons (arXiv:2405.04230, their
    /// "SSBroyden2"): a member of the Broyden class chosen at every step, with its scaling.
    SelfScaledBroyden,
}

impl QuasiNewtonUpdate {
    /// `bfgs`, `ssbfgs` or `ssbroyden`.
    pub fn name(self) -> &'static str {
        match self {
            QuasiNewtonUpdate::Bfgs => "bfgs",
            QuasiNewtonUpdate::SelfScaledBfgs => "ssbfgs",
            QuasiNewtonUpdate::SelfScaledBroyden => "ssbroyden",
        }
    }
}

impl std::str::FromStr for QuasiNewtonUpdate {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "bfgs" => Ok(QuasiNewtonUpdate::Bfgs),
            "ssbfgs" => Ok(QuasiNewtonUpdate::SelfScaledBfgs),
            "ssbroyden" => Ok(QuasiNewtonUpdate::SelfScaledBroyden),
            other => Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("unknown update {other:?} (bfgs, ssbfgs or ssbroyden)"),
            }),
        }
    }
}

/// `(τ, φ)` of the self-scaled Broyden update for `a = bh − 1 > 0`, `b = ρ sᵀBs > 0`,
/// `h = ρ yᵀHy`, `p` parameters (see [`Bfgs`]).
pub(super) fn broyden_parameters(a: f64, b: f64, h: f64, p: usize) -> (f64, f64) {
    let rho_minus = (h * (1.0 - (a / (1.0 + a)).sqrt())).min(1.0);
    let theta_minus = (rho_minus - 1.0) / a;
    let theta_plus = 1.0 / rho_minus;
    let theta = theta_minus.max(theta_plus.min((1.0 - b) / b));
    let sigma = 1.0 + a * theta;
    let sigma_root = sigma.abs().powf(1.0 / (1.0 - p as f64));
    let scale = (1.0 / b).min(1.0);
    let tau = if theta <= 0.0 {
        (scale * sigma_root).min(sigma)
    } else {
        scale * sigma_root.min(1.0 / theta)
    };
    (tau, (1.0 - theta) / (1.0 + a * theta))
}

/// `aᵀb` with eight running sums (so it vectorizes), combined in a fixed order.
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}
