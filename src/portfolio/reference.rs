//! The exact reference: the QP solved by Clarabel (interior point), then polished on its
//! active set.

use super::{Certificate, FactorModel, MeanVariance, Objective, RiskModel};
use crate::error::{Error, Result};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};
use faer::linalg::solvers::Solve;
use faer::Mat;

/// How Clarabel sees the covariance.
#[derive(Debug, Clone, Copy)]
pub enum QpForm<'a> {
    /// `P = γΣ/s` as a dense upper triangle (`n(n+1)/2` non-zeros).
    Dense,
    /// Auxiliary factor exposures `y = Bᵀw`: `P = γ/s · blockdiag(D, F)`, plus `k` equality rows
    /// `Bᵀw − y = 0`: `O(nk)` non-zeros.
    Factor(&'a FactorModel),
}

/// Clarabel settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QpSettings {
    /// Gap tolerances (absolute and relative) and feasibility tolerance.
    pub tolerance: f64,
    /// Scale the objective by `1/s` (`s = γ·tr(Σ)/n`) so that `P` has unit mean diagonal.
    pub scale_objective: bool,
    /// Iteration cap.
    pub max_iter: u32,
}

impl QpSettings {
    /// Clarabel's defaults (gap and feasibility 1e-8) on the objective in the data's units:
    /// what a user gets without thinking about scale.
    pub fn clarabel_defaults() -> Self {
        Self {
            tolerance: 1e-8,
            scale_objective: false,
            max_iter: 200,
        }
    }

    /// ravine's reference settings: tolerances 1e-12 on the scaled objective.
    pub fn tight() -> Self {
        Self {
            tolerance: 1e-12,
            scale_objective: true,
            max_iter: 500,
        }
    }
}

/// A Clarabel solve.
#[derive(Debug, Clone)]
pub struct QpSolution {
    /// Weights.
    pub weights: Vec<f64>,
    /// Clarabel's status, e.g. `Solved`.
    pub status: String,
    /// Interior-point iterations.
    pub iterations: u32,
    /// Wall time in seconds (set-up included).
    pub seconds: f64,
}

fn csc_from_columns(rows: usize, columns: &[Vec<(usize, f64)>]) -> CscMatrix<f64> {
    let mut colptr = vec![0];
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    for col in columns {
        for &(r, v) in col {
            rowval.push(r);
            nzval.push(v);
        }
        colptr.push(rowval.len());
    }
    CscMatrix::new(rows, columns.len(), colptr, rowval, nzval)
}

/// Solves `problem` with Clarabel in the given form.
pub fn solve_qp(problem: &MeanVariance, form: QpForm, settings: QpSettings) -> Result<QpSolution> {
    let start = std::time::Instant::now();
    let n = problem.dim();
    let c = problem.constraints();
    let gamma = problem.objective_kind().gamma();
    let s = if settings.scale_objective {
        problem.scale()
    } else {
        1.0
    };
    let k = match form {
        QpForm::Dense => 0,
        QpForm::Factor(f) => {
            if f.dim() != n {
                return Err(Error::DimensionMismatch {
                    component: "clarabel reference",
                    what: "factor model",
                    expected: n,
                    got: f.dim(),
                });
            }
            f.factors()
        }
    };
    // With a turnover/leverage limit, n more variables t_i ≥ |w_i − a_i| (after the factors).
    let l1 = c.l1_limit();
    let nv = n + k + if l1.is_some() { n } else { 0 };
    // P, upper triangle, column by column.
    let mut pcols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
    match form {
        QpForm::Dense => {
            let dense = problem.risk().to_dense();
            for j in 0..n {
                for i in 0..=j {
                    let v = gamma * dense[i * n + j] / s;
                    if v != 0.0 {
                        pcols[j].push((i, v));
                    }
                }
            }
        }
        QpForm::Factor(f) => {
            for (j, d) in f.idiosyncratic().iter().enumerate() {
                pcols[j].push((j, gamma * d / s));
            }
            let fc = f.factor_covariance();
            for b in 0..k {
                for a in 0..=b {
                    let v = gamma * fc[a * k + b] / s;
                    if v != 0.0 {
                        pcols[n + b].push((n + a, v));
                    }
                }
            }
        }
    }
    let p = csc_from_columns(nv, &pcols);
    let mut q = vec![0.0; nv];
    if let Objective::Utility { .. } = problem.objective_kind() {
        for (qi, m) in q.iter_mut().zip(problem.mean()) {
            *qi = -m / s;
        }
    }
    // Constraint rows: equalities (budget, target, factor links), then bounds.
    let mut rows: Vec<(Vec<(usize, f64)>, f64)> = Vec::new();
    for (a, b) in c.equalities() {
        let norm = a
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        rows.push((
            a.iter().enumerate().map(|(i, v)| (i, v / norm)).collect(),
            b / norm,
        ));
    }
    if let QpForm::Factor(f) = form {
        let bl = f.loadings();
        for b in 0..k {
            let mut row: Vec<(usize, f64)> = (0..n).map(|i| (i, bl[i * k + b])).collect();
            row.push((n + b, -1.0));
            rows.push((row, 0.0));
        }
    }
    let n_eq = rows.len();
    for i in 0..n {
        if c.lower()[i].is_finite() {
            rows.push((vec![(i, -1.0)], -c.lower()[i]));
        }
        if c.upper()[i].is_finite() {
            rows.push((vec![(i, 1.0)], c.upper()[i]));
        }
    }
    for g in c.groups() {
        if g.upper.is_finite() {
            rows.push((g.members.iter().map(|&i| (i, 1.0)).collect(), g.upper));
        }
        if g.lower.is_finite() {
            rows.push((g.members.iter().map(|&i| (i, -1.0)).collect(), -g.lower));
        }
    }
    if let Some(l1) = l1 {
        let t = n + k;
        for (i, a) in l1.anchor.iter().enumerate() {
            rows.push((vec![(i, 1.0), (t + i, -1.0)], *a));
            rows.push((vec![(i, -1.0), (t + i, -1.0)], -a));
        }
        rows.push(((t..t + n).map(|j| (j, 1.0)).collect(), l1.limit));
    }
    let n_ineq = rows.len() - n_eq;
    let mut acols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
    for (r, (row, _)) in rows.iter().enumerate() {
        for &(j, v) in row {
            if v != 0.0 {
                acols[j].push((r, v));
            }
        }
    }
    let a = csc_from_columns(rows.len(), &acols);
    let b: Vec<f64> = rows.iter().map(|(_, b)| *b).collect();
    let mut cones = Vec::new();
    if n_eq > 0 {
        cones.push(SupportedConeT::ZeroConeT(n_eq));
    }
    if n_ineq > 0 {
        cones.push(SupportedConeT::NonnegativeConeT(n_ineq));
    }
    let t = settings.tolerance;
    let cs = DefaultSettings::<f64> {
        verbose: false,
        max_iter: settings.max_iter,
        tol_gap_abs: t,
        tol_gap_rel: t,
        tol_feas: t,
        tol_ktratio: t.max(1e-14) * 1e2,
        ..DefaultSettings::default()
    };
    let mut solver = DefaultSolver::new(&p, &q, &a, &b, &cones, cs).map_err(|e| Error::Solver {
        stage: "clarabel".into(),
        message: format!("{e:?}"),
    })?;
    solver.solve();
    let status = solver.solution.status;
    if !matches!(status, SolverStatus::Solved | SolverStatus::AlmostSolved) {
        return Err(Error::Solver {
            stage: "clarabel".into(),
            message: format!("status {status:?}"),
        });
    }
    Ok(QpSolution {
        weights: solver.solution.x[..n].to_vec(),
        status: format!("{status:?}"),
        iterations: solver.solution.iterations,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Polishes `w` on its active set: assets within `tol` of a bound are fixed there, and the
/// equality-constrained QP over the rest is solved exactly (dense LU with one refinement
/// step). The result replaces `w` only if it is feasible and its certificate is at least as
/// good; returns whether it did.
pub fn polish(problem: &MeanVariance, w: &mut [f64], tol: f64) -> Result<bool> {
    let n = problem.dim();
    let c = problem.constraints();
    let (lo, hi) = (c.lower(), c.upper());
    let mut fixed = vec![None; n];
    let kink = c.l1_kinks(w);
    for i in 0..n {
        if kink[i] {
            fixed[i] = c.l1_limit().map(|l| l.anchor[i]);
        } else if w[i] - lo[i] <= tol {
            fixed[i] = Some(lo[i]);
        } else if hi[i] - w[i] <= tol {
            fixed[i] = Some(hi[i]);
        }
    }
    let free: Vec<usize> = (0..n).filter(|&i| fixed[i].is_none()).collect();
    // Group limits active at w are held as equalities.
    let eq: Vec<(Vec<f64>, f64)> = c
        .equalities()
        .into_iter()
        .chain(c.active_group_rows(w).into_iter().map(|(a, b, _)| (a, b)))
        .chain(c.active_l1_row(w).map(|(a, b, _)| (a, b)))
        .collect();
    let (nf, m) = (free.len(), eq.len());
    if nf == 0 {
        return Ok(false);
    }
    let gamma = problem.objective_kind().gamma();
    let s = problem.scale();
    let mut base = vec![0.0; n];
    for i in 0..n {
        if let Some(v) = fixed[i] {
            base[i] = v;
        }
    }
    // H_FF from the risk model; H_{F,fixed} w_fixed = (γ/s)(Σ w_fixed)_F by one product.
    let sub = problem.risk().submatrix(&free);
    let mut coupling = vec![0.0; n];
    problem.risk().matvec(&base, &mut coupling);
    let lin = |i: usize| match problem.objective_kind() {
        Objective::Utility { .. } => -problem.mean()[i] / s,
        Objective::MinVariance => 0.0,
    };
    let dim = nf + m;
    let kkt = Mat::<f64>::from_fn(dim, dim, |r, col| match (r < nf, col < nf) {
        (true, true) => gamma * sub[r * nf + col] / s,
        (true, false) => eq[col - nf].0[free[r]],
        (false, true) => eq[r - nf].0[free[col]],
        (false, false) => 0.0,
    });
    let rhs = Mat::<f64>::from_fn(dim, 1, |r, _| {
        if r < nf {
            let i = free[r];
            -lin(i) - gamma * coupling[i] / s
        } else {
            let (a, b) = &eq[r - nf];
            b - (0..n)
                .filter(|&j| fixed[j].is_some())
                .map(|j| a[j] * base[j])
                .sum::<f64>()
        }
    });
    let lu = kkt.partial_piv_lu();
    let mut x = lu.solve(&rhs);
    // One step of iterative refinement.
    let resid = &rhs - &kkt * &x;
    let dx = lu.solve(&resid);
    x += &dx;
    let mut cand = base;
    for (r, &i) in free.iter().enumerate() {
        cand[i] = x[(r, 0)];
    }
    if cand.iter().any(|v| !v.is_finite()) || (0..n).any(|i| cand[i] < lo[i] || cand[i] > hi[i]) {
        return Ok(false);
    }
    let old = Certificate::of(problem, w)?;
    let new = Certificate::of(problem, &cand)?;
    if new.worst() <= old.worst() {
        w.copy_from_slice(&cand);
        Ok(true)
    } else {
        Ok(false)
    }
}
