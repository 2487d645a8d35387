//! [`Finding`] and the small driver the experiments share.

use crate::error::Result;
use crate::optim::Optimizer;
use crate::problem::Problem;

/// The outcome of one experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Claim number (1–12, as in the foundation issue and the README).
    pub id: u32,
    /// The claim in a few words.
    pub claim: &'static str,
    /// Measured numbers, by name.
    pub numbers: Vec<(String, f64)>,
    /// Whether the claim held as stated.
    pub holds: bool,
    /// What was measured, and the condition under which the claim holds where it needs one.
    pub note: String,
    /// Curves for a figure (label, points), with its axis labels `[x, y]` and whether `y` is
    /// best shown on a log scale; empty when the experiment has none.
    pub curves: Vec<(String, Vec<(f64, f64)>)>,
    /// Axis labels of [`Finding::curves`].
    pub axes: [&'static str; 2],
    /// Whether [`Finding::curves`] want a log-scale `y` axis.
    pub log_y: bool,
}

impl Finding {
    pub(crate) fn new(id: u32, claim: &'static str) -> Self {
        Self {
            id,
            claim,
            numbers: Vec::new(),
            holds: true,
            note: String::new(),
            curves: Vec::new(),
            axes: ["", ""],
            log_y: false,
        }
    }

    pub(crate) fn num(&mut self, name: impl Into<String>, value: f64) -> &mut Self {
        self.numbers.push((name.into(), value));
        self
    }

    /// Adds a curve for the figure (non-finite points dropped).
    pub(crate) fn curve(&mut self, label: impl Into<String>, points: Vec<(f64, f64)>) -> &mut Self {
        let points = points
            .into_iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        self.curves.push((label.into(), points));
        self
    }

    /// Writes the finding into `file` as the group `claims/claim_NN`: the claim, the note,
    /// `holds` and every number as attributes, and each curve as an `(m × 2)` array `curve_k`
    /// of `(x, y)` rows with its label (`curve_k_label`) and the axes.
    pub fn write(&self, file: &crate::io::RunFile) -> Result<()> {
        let g = format!("claims/claim_{:02}", self.id);
        file.set_str(&g, "claim", self.claim)?;
        file.set_str(&g, "note", &self.note)?;
        file.set_attr(&g, "holds", u8::from(self.holds))?;
        for (name, v) in &self.numbers {
            file.set_attr(&g, name, *v)?;
        }
        for (k, (label, pts)) in self.curves.iter().enumerate() {
            let flat: Vec<f64> = pts.iter().flat_map(|(x, y)| [*x, *y]).collect();
            file.write_array(&g, &format!("curve_{k}"), &flat, &[pts.len(), 2])?;
            file.set_str(&g, &format!("curve_{k}_label"), label)?;
        }
        if !self.curves.is_empty() {
            file.set_str(&g, "axes", &self.axes.join(" | "))?;
        }
        Ok(())
    }

    /// The number recorded under `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.numbers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }
}

/// Runs `opt` from `x0` on a deterministic problem and returns the number of steps after which
/// the loss first drops below `tol` (0 if it starts there), or `None` within `max_steps` or on
/// a non-finite loss.
pub fn steps_to_tolerance(
    opt: &Optimizer,
    problem: &dyn Problem,
    x0: &[f64],
    tol: f64,
    max_steps: u64,
) -> Result<Option<u64>> {
    let mut opt = opt.clone();
    opt.init(x0.len());
    let mut x = x0.to_vec();
    let mut g = vec![0.0; x.len()];
    let mut c = vec![0.0; problem.component_names().len()];
    for k in 0..=max_steps {
        let f = problem.evaluate(&x, &mut g, &mut c)?;
        if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
            return Ok(None);
        }
        if f < tol {
            return Ok(Some(k));
        }
        if k < max_steps {
            opt.step(&mut x, &g)?;
        }
    }
    Ok(None)
}

/// The best (fewest steps) of `steps_to_tolerance` over a list of learning rates, with the
/// rate that achieved it.
pub(crate) fn best_over<F>(
    rates: &[f64],
    build: F,
    problem: &dyn Problem,
    x0: &[f64],
    tol: f64,
    max_steps: u64,
) -> Result<Option<(u64, f64)>>
where
    F: Fn(f64) -> Result<Optimizer>,
{
    let mut best: Option<(u64, f64)> = None;
    for &lr in rates {
        if let Some(k) = steps_to_tolerance(&build(lr)?, problem, x0, tol, max_steps)? {
            if best.is_none_or(|(b, _)| k < b) {
                best = Some((k, lr));
            }
        }
    }
    Ok(best)
}

/// `lo·10^(i/per_decade)` up to `hi`.
pub(crate) fn log_grid(lo: f64, hi: f64, per_decade: u32) -> Vec<f64> {
    let n = ((hi / lo).log10() * per_decade as f64).round() as i32;
    (0..=n)
        .map(|i| lo * 10f64.powf(i as f64 / per_decade as f64))
        .collect()
}

/// Every experiment, in claim order.
pub fn all_findings() -> Result<Vec<Finding>> {
    use super::*;
    let (f12, _) = rosenbrock_table()?;
    Ok(vec![
        ill_conditioned()?,
        plateau()?,
        normalized_gd()?,
        adam_as_sign_descent()?,
        adagrad_vs_rmsprop_memory()?,
        oscillating_gradients()?,
        amsgrad_vs_adam_collapse()?,
        dormant_parameter()?,
        coupled_vs_decoupled_decay()?,
        sparse_features()?,
        epsilon_floor()?,
        f12,
    ])
}
