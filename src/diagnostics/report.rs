//! [`CurvatureReport`]: the landscape's curvature beside an optimizer's steps.

use super::{dense_spectrum, lanczos, End, LanczosSettings, Operator, Preconditioned};
use crate::error::Result;

/// Summary statistics of an optimizer's per-coordinate effective steps.
#[derive(Debug, Clone, PartialEq)]
pub struct StepStats {
    /// Smallest effective step.
    pub min: f64,
    /// Median.
    pub median: f64,
    /// Largest.
    pub max: f64,
    /// Fraction of coordinates within 1 % of the ε floor's step `α/ε` (where `√v ≪ ε`, so the
    /// step is set by ε, not by the gradient history); NaN when no floor was given.
    pub at_floor: f64,
}

impl StepStats {
    /// Statistics of `steps`; `floor` is the largest possible step `α/ε`, if the rule has one.
    pub fn of(steps: &[f64], floor: Option<f64>) -> Self {
        let mut s = steps.to_vec();
        s.sort_by(f64::total_cmp);
        let at_floor = floor.map_or(f64::NAN, |f| {
            steps.iter().filter(|v| **v >= 0.99 * f).count() as f64 / steps.len().max(1) as f64
        });
        Self {
            min: s.first().copied().unwrap_or(f64::NAN),
            median: s.get(s.len() / 2).copied().unwrap_or(f64::NAN),
            max: s.last().copied().unwrap_or(f64::NAN),
            at_floor,
        }
    }
}

/// Curvature diagnostics of one operator, optionally beside an optimizer's effective steps.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvatureReport {
    /// What the operator is.
    pub label: String,
    /// `λmax` (Lanczos Ritz value).
    pub lambda_max: f64,
    /// `‖Hy − λmax y‖`: an eigenvalue lies within this of `lambda_max`.
    pub lambda_max_residual: f64,
    /// `λmin` (Lanczos on the other end).
    pub lambda_min: f64,
    /// Its residual certificate.
    pub lambda_min_residual: f64,
    /// Smallest eigenvalue above `1e-12·λmax` (from the dense spectrum; NaN above
    /// `dense_limit`).
    pub smallest_positive: f64,
    /// `λmax/λmin` (infinite when `λmin ≤ 0`).
    pub condition: f64,
    /// The ideal step `1/λmax`.
    pub ideal_step: f64,
    /// Gradient descent's stability limit `2/λmax`.
    pub gd_limit: f64,
    /// Operator products used.
    pub products: usize,
    /// The optimizer's effective steps, when given.
    pub steps: Option<StepStats>,
    /// `λmax(D^{1/2} H D^{1/2})` with `D` the effective steps, when given.
    pub preconditioned_sharpness: Option<f64>,
    /// Its stability threshold without momentum: 2.
    pub threshold_plain: f64,
    /// With heavy-ball momentum `β1` (Adam's EMA): `(2 + 2β1)/(1 − β1)` (38 for β1 = 0.9).
    pub threshold_momentum: f64,
}

/// Settings of [`CurvatureReport::compute`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportSettings {
    /// Lanczos settings for the extreme eigenvalues (`k` and `end` are overridden).
    pub lanczos: LanczosSettings,
    /// Assemble and diagonalise densely up to this dimension (for the smallest positive
    /// eigenvalue).
    pub dense_limit: usize,
    /// The optimizer's momentum `β1` for the preconditioned threshold.
    pub beta1: f64,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            lanczos: LanczosSettings::default(),
            dense_limit: 2000,
            beta1: 0.9,
        }
    }
}

impl CurvatureReport {
    /// Computes the report for `op`; with `effective_steps` (an optimizer's
    /// [`crate::Optimizer::effective_step`]) and their floor `α/ε`, also the step statistics
    /// and the preconditioned sharpness.
    pub fn compute(
        op: &(impl Operator + ?Sized),
        effective_steps: Option<(&[f64], Option<f64>)>,
        settings: ReportSettings,
    ) -> Result<Self> {
        let top = lanczos(
            op,
            LanczosSettings {
                k: 1,
                end: End::Largest,
                ..settings.lanczos
            },
        )?;
        let bottom = lanczos(
            op,
            LanczosSettings {
                k: 1,
                end: End::Smallest,
                ..settings.lanczos
            },
        )?;
        let (lmax, rmax) = (top.pairs[0].value, top.pairs[0].residual);
        let (lmin, rmin) = (bottom.pairs[0].value, bottom.pairs[0].residual);
        let mut products = top.products + bottom.products;
        let smallest_positive = if op.dim() <= settings.dense_limit {
            products += op.dim();
            dense_spectrum(op)?
                .into_iter()
                .find(|v| *v > 1e-12 * lmax.abs())
                .unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        let (steps, sharp) = match effective_steps {
            Some((d, floor)) => {
                let pre = Preconditioned::new(op, d)?;
                let r = lanczos(
                    &pre,
                    LanczosSettings {
                        k: 1,
                        end: End::Largest,
                        ..settings.lanczos
                    },
                )?;
                products += r.products;
                (Some(StepStats::of(d, floor)), Some(r.pairs[0].value))
            }
            None => (None, None),
        };
        Ok(Self {
            label: op.label(),
            lambda_max: lmax,
            lambda_max_residual: rmax,
            lambda_min: lmin,
            lambda_min_residual: rmin,
            smallest_positive,
            condition: if lmin > 0.0 {
                lmax / lmin
            } else {
                f64::INFINITY
            },
            ideal_step: 1.0 / lmax,
            gd_limit: 2.0 / lmax,
            products,
            steps,
            preconditioned_sharpness: sharp,
            threshold_plain: 2.0,
            threshold_momentum: (2.0 + 2.0 * settings.beta1) / (1.0 - settings.beta1),
        })
    }
}
