//! [`InitialStep`]: the first trial step of [`super::Bfgs`]'s line search.

/// Where the line search of [`super::Bfgs`] starts along `d = −H g`.
///
/// - [`InitialStep::Unit`] (default): `α₀ = 1`, the quasi-Newton step itself (Nocedal &
///   Wright, *Numerical Optimization*, 2nd ed., §3.5).
/// - [`InitialStep::Interpolated`]: `α₀ = min(1, 1.01 · 2 (f_k − f_{k−1}) / gₖᵀdₖ)`, the
///   minimiser of the quadratic through `f_k`, `gₖᵀdₖ` that assumes this step lowers `f` as
///   much as the last one did (Nocedal & Wright, eq. 3.60), capped at the unit step. At the
///   start of a solve `f_{−1} = f_0 + ‖g_0‖/2`; a non-positive or non-finite guess falls back
///   to 1. This is the rule of SciPy's BFGS (`scalar_search_wolfe1`), which the self-scaled
///   quasi-Newton studies on PINNs ran (Urbán, Stefanou & Pons, arXiv:2405.04230). When the
///   accepted steps stay well below 1 — as on stiff PINN losses, where `H` overestimates the
///   step along `d` for long stretches — it saves the line search's second evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialStep {
    /// `α₀ = 1`.
    #[default]
    Unit,
    /// `α₀ = min(1, 2.02 (f_k − f_{k−1}) / gₖᵀdₖ)`.
    Interpolated,
}

impl InitialStep {
    /// `unit` or `interpolated`.
    pub fn name(self) -> &'static str {
        match self {
            InitialStep::Unit => "unit",
            InitialStep::Interpolated => "interpolated",
        }
    }

    /// The first trial step for the current loss `f`, the previous iterate's loss `f_prev`
    /// (`None` at the start of a solve), the gradient `g` and the slope `dg = gᵀd < 0`.
    pub(super) fn alpha0(self, f: f64, f_prev: Option<f64>, g: &[f64], dg: f64) -> f64 {
        match self {
            InitialStep::Unit => 1.0,
            InitialStep::Interpolated => {
                let f_prev = f_prev.unwrap_or_else(|| f + 0.5 * super::update::dot(g, g).sqrt());
                let a = (1.01 * 2.0 * (f - f_prev) / dg).min(1.0);
                if a.is_finite() && a > 0.0 {
                    a
                } else {
                    1.0
                }
            }
        }
    }
}

impl std::str::FromStr for InitialStep {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "unit" => Ok(InitialStep::Unit),
            "interpolated" => Ok(InitialStep::Interpolated),
            other => Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("unknown initial step {other:?} (unit or interpolated)"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InitialStep;

    /// A gradient of norm 3.
    const G3: [f64; 2] = [1.8, 2.4];

    #[test]
    fn interpolated_step_is_the_quadratic_guess_capped_at_one() {
        let rule = InitialStep::Interpolated;
        // f fell by 0.1 last time; slope −1 along d: 2.02 · 0.1 / 1.
        assert!((rule.alpha0(1.0, Some(1.1), &G3, -1.0) - 0.202).abs() < 1e-15);
        // A large previous decrease: capped at the unit step.
        assert_eq!(rule.alpha0(1.0, Some(5.0), &G3, -1.0), 1.0);
        // Start of a solve: f_{-1} = f + |g|/2 (|g| = 0.5), so 1.01 |g| / |g^T d|.
        assert!((rule.alpha0(1.0, None, &[0.0, 0.5], -2.0) - 1.01 * 0.25).abs() < 1e-15);
        // The loss rose (a new point set): no guess, the unit step.
        assert_eq!(rule.alpha0(1.0, Some(0.9), &G3, -1.0), 1.0);
        assert_eq!(rule.alpha0(1.0, Some(1.0), &G3, -1.0), 1.0);
        assert_eq!(rule.alpha0(f64::NAN, Some(1.0), &G3, -1.0), 1.0);
        assert_eq!(InitialStep::Unit.alpha0(1.0, Some(1.1), &G3, -1.0), 1.0);
    }

    #[test]
    fn names_parse_back() {
        for rule in [InitialStep::Unit, InitialStep::Interpolated] {
            assert_eq!(rule.name().parse::<InitialStep>().unwrap(), rule);
        }
        assert!("one".parse::<InitialStep>().is_err());
    }
}
