//! The run file as an [`Observer`]: `/config` at the start, `/history` row by row,
//! `/diagnostics`, `/stages`, `/final` and the status at the end.

use super::RunFile;
use crate::error::Result;
use crate::run::{Checkpoint, InspectionRow, Observer, Record, RunEnd, RunStart};

impl Observer for RunFile {
    fn start(&mut self, run: &RunStart<'_>) -> Result<()> {
        self.write_run_config(run.problem, run.dim, run.stages)?;
        self.history_writer(run.component_names)?;
        Ok(())
    }

    fn record(&mut self, row: &Record) -> Result<()> {
        self.append_history(row)
    }

    fn checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
        self.flush_history()?;
        super::write_checkpoint(self.checkpoint_path(), c)
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> Result<()> {
        self.flush_history()?;
        if !end.inspections.is_empty() {
            write_inspections(self, end.inspections)?;
        }
        self.write_run_outcome(end.stages, end.params, end.loss, end.status)
    }
}

/// `/diagnostics/{stage, iteration, <name>…}`: one column per name, NaN where a row lacks it.
fn write_inspections(f: &mut RunFile, rows: &[InspectionRow]) -> Result<()> {
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        for (n, _) in &r.values {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let k = rows.len();
    let stage: Vec<f64> = rows.iter().map(|r| f64::from(r.stage)).collect();
    let iteration: Vec<f64> = rows.iter().map(|r| r.iteration as f64).collect();
    f.write_array("diagnostics", "stage", &stage, &[k])?;
    f.write_array("diagnostics", "iteration", &iteration, &[k])?;
    for n in names {
        let col: Vec<f64> = rows
            .iter()
            .map(|r| {
                r.values
                    .iter()
                    .find(|(m, _)| m == n)
                    .map_or(f64::NAN, |v| v.1)
            })
            .collect();
        f.write_array("diagnostics", n, &col, &[k])?;
    }
    Ok(())
}
