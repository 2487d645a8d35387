//! The comparison as Markdown: one table per problem.

use super::matrix::Cell;
use super::suite::Benchmark;

fn sci(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v == 0.0 {
        "0".into()
    } else {
        format!("{v:.1e}")
    }
}

fn secs(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v < 10.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.1}")
    }
}

/// The table of one problem's cells: per method the rate chosen by the sweep, and over the
/// seeds the median lowest loss, task error, objective gap, evaluations and seconds, how many
/// seeds reached the target (with the median time of those that did) and seed 0's
/// termination. The best median error is in bold.
pub fn markdown_table(bench: &Benchmark, cells: &[Cell]) -> String {
    let seeds = cells.first().map_or(0, |c| c.runs.len());
    let best = cells
        .iter()
        .map(|c| c.median_of(|r| r.score.error))
        .filter(|v| !v.is_nan())
        .fold(f64::INFINITY, f64::min);
    let mut s = format!(
        "**{}** — error: {}, target {:.0e}; budget {} evaluations or {} s; medians over {} \
         seed(s)\n\n",
        bench.name, bench.error_label, bench.target, bench.budget, bench.seconds, seeds
    );
    s.push_str(
        "| method | rate | loss | error | gap | evals | s | target reached (median s) | \
         termination |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for c in cells {
        let err = c.median_of(|r| r.score.error);
        let err_s = if err == best {
            format!("**{}**", sci(err))
        } else {
            sci(err)
        };
        let (k, t) = c.reached();
        let reached = if k == 0 {
            format!("0/{}", c.runs.len())
        } else {
            format!("{k}/{} ({})", c.runs.len(), secs(t))
        };
        let term = c.runs.first().map_or(String::new(), |r| {
            let t = &r.termination;
            match t.char_indices().nth(40) {
                Some((i, _)) => format!("{}…", &t[..i]),
                None => t.clone(),
            }
        });
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} | {} |\n",
            c.method.name(),
            if c.rate.is_nan() {
                "—".into()
            } else {
                format!("{:.0e}", c.rate)
            },
            sci(c.median_of(|r| r.loss)),
            err_s,
            sci(c.median_of(|r| r.score.gap)),
            c.median_of(|r| r.evaluations as f64),
            secs(c.median_of(|r| r.seconds)),
            reached,
            term.replace('|', "/"),
        ));
    }
    s
}
