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
/// - [`InitialStep::Secant`]: `α₀ = min(1, exp m_k)`, where `m_k` is a running mean of the
///   logarithms of the line minimisers the previous steps measured: after a step `α` along
///   `d` with slopes `g_kᵀd` before and `g_{k+1}ᵀd` after, the secant of the slope puts the
///   minimiser at `α* = α · g_kᵀd / (g_kᵀd − g_{k+1}ᵀd)`, and
///   `m_{k+1} = 0.8 m_k + 0.2 ln α*` (`m` starts at the first measurement; until then, and
///   when the slope did not rise, `α₀` keeps its last value). Along a quadratic
///   `α*` is exact. Where `H` overestimates the step by a factor that wanders about a steady
///   value (KdV's self-scaled Broyden phase: `α*` between 0.33 and 0.76 in 80 % of the
///   iterations, median 0.52, nearly uncorrelated from one iteration to the next), the unit
///   step overshoots and its line search needs a second evaluation about half the time;
///   starting at the mean minimiser lands inside the Wolfe conditions with one evaluation,
///   near the minimiser. Unlike [`InitialStep::Interpolated`] the guess does not assume the
///   loss keeps falling by as much as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialStep {
    /// `α₀ = 1`.
    #[default]
    Unit,
    /// `α₀ = min(1, 2.02 (f_k − f_{k−1}) / gₖᵀdₖ)`.
    Interpolated,
    /// `α₀ = min(1, exp m_k)`, the running mean of the measured line minimisers.
    Secant,
}

/// Weight of the newest measurement in [`InitialStep::Secant`]'s running mean.
const SECANT_WEIGHT: f64 = 0.2;

/// The running mean `m` of [`InitialStep::Secant`] after a step `alpha` along `d` whose slope
/// went from `dg = g_kᵀd < 0` to `dg1 = g_{k+1}ᵀd`: unchanged when the slope did not rise (no
/// minimiser measured) or a value is not finite.
pub(super) fn secant_mean(m: Option<f64>, alpha: f64, dg: f64, dg1: f64) -> Option<f64> {
    let rise = dg - dg1;
    let minimiser = alpha * dg / rise;
    if !(rise < 0.0 && minimiser.is_finite() && minimiser > 0.0) {
        return m;
    }
    let l = minimiser.ln();
    Some(m.map_or(l, |m| (1.0 - SECANT_WEIGHT) * m + SECANT_WEIGHT * l))
}

impl InitialStep {
    /// `unit`, `interpolated` or `secant`.
    pub fn name(self) -> &'static str {
        match self {
            InitialStep::Unit => "unit",
            InitialStep::Interpolated => "interpolated",
            InitialStep::Secant => "secant",
        }
    }

    /// The first trial step for the current loss `f`, the previous iterate's loss `f_prev`
    /// (`None` at the start of a solve), the gradient `g`, the slope `dg = gᵀd < 0` and the
    /// running mean of [`secant_mean`] (`None` until a minimiser was measured).
    pub(super) fn alpha0(
        self,
        f: f64,
        f_prev: Option<f64>,
        g: &[f64],
        dg: f64,
        mean: Option<f64>,
    ) -> f64 {
        match self {
            InitialStep::Unit => 1.0,
            InitialStep::Secant => mean.map_or(1.0, |m| m.exp().min(1.0)),
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
            "secant" => Ok(InitialStep::Secant),
            other => Err(crate::Error::InvalidConfig {
                component: "bfgs",
                message: format!("unknown initial step {other:?} (unit, interpolated or secant)"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{secant_mean, InitialStep};

    /// A gradient of norm 3.
    const G3: [f64; 2] = [1.8, 2.4];

    #[test]
    fn interpolated_step_is_the_quadratic_guess_capped_at_one() {
        let rule = InitialStep::Interpolated;
        // f fell by 0.1 last time; slope −1 along d: 2.02 · 0.1 / 1.
        assert!((rule.alpha0(1.0, Some(1.1), &G3, -1.0, None) - 0.202).abs() < 1e-15);
        // A large previous decrease: capped at the unit step.
        assert_eq!(rule.alpha0(1.0, Some(5.0), &G3, -1.0, None), 1.0);
        // Start of a solve: f_{-1} = f + |g|/2 (|g| = 0.5), so 1.01 |g| / |g^T d|.
        assert!((rule.alpha0(1.0, None, &[0.0, 0.5], -2.0, None) - 1.01 * 0.25).abs() < 1e-15);
        // The loss rose (a new point set): no guess, the unit step.
        assert_eq!(rule.alpha0(1.0, Some(0.9), &G3, -1.0, None), 1.0);
        assert_eq!(rule.alpha0(1.0, Some(1.0), &G3, -1.0, None), 1.0);
        assert_eq!(rule.alpha0(f64::NAN, Some(1.0), &G3, -1.0, None), 1.0);
        assert_eq!(
            InitialStep::Unit.alpha0(1.0, Some(1.1), &G3, -1.0, None),
            1.0
        );
    }

    #[test]
    fn secant_step_is_the_running_mean_of_measured_minimisers() {
        let rule = InitialStep::Secant;
        // Nothing measured yet: the unit step.
        assert_eq!(rule.alpha0(1.0, Some(1.1), &G3, -1.0, None), 1.0);
        // f(α) = (α − 0.4)² along d: slope −0.8 at 0; after the unit step the slope is 1.2,
        // and the secant puts the minimiser at 1 · 0.8 / 2 = 0.4 exactly.
        let m = secant_mean(None, 1.0, -0.8, 1.2).unwrap();
        assert!((m.exp() - 0.4).abs() < 1e-15);
        assert!((rule.alpha0(1.0, None, &G3, -1.0, Some(m)) - 0.4).abs() < 1e-15);
        // A second measurement (step 0.2, slope −1 → 1: minimiser 0.1) enters with weight 0.2
        // in the logarithm.
        let m2 = secant_mean(Some(m), 0.2, -1.0, 1.0).unwrap();
        let want = (0.8 * 0.4f64.ln() + 0.2 * 0.1f64.ln()).exp();
        assert!((m2.exp() - want).abs() < 1e-15);
        // The slope did not rise (no minimiser measured), or a value is not finite: unchanged.
        assert_eq!(secant_mean(Some(m), 1.0, -1.0, -1.5), Some(m));
        assert_eq!(secant_mean(Some(m), 1.0, -1.0, -1.0), Some(m));
        assert_eq!(secant_mean(None, f64::NAN, -1.0, 1.0), None);
        // Minimisers beyond the unit step: capped at 1.
        let far = secant_mean(None, 1.0, -1.0, -0.5).unwrap();
        assert!((far.exp() - 2.0).abs() < 1e-15);
        assert_eq!(rule.alpha0(1.0, None, &G3, -1.0, Some(far)), 1.0);
    }

    #[test]
    fn names_parse_back() {
        for rule in [
            InitialStep::Unit,
            InitialStep::Interpolated,
            InitialStep::Secant,
        ] {
            assert_eq!(rule.name().parse::<InitialStep>().unwrap(), rule);
        }
        assert!("one".parse::<InitialStep>().is_err());
    }
}
