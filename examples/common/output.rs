//! What every PDE example writes: the prediction against the reference in the run file, and
//! the loss and field plots.

use indicatif::{ProgressBar, ProgressStyle};
use ravine::dist::Communicator;
use ravine::io::{plot_heatmap, plot_history};
use ravine::pinn::{ErrorField, Pinn};
use ravine::{History, RunFile};

/// The processes of a run: MPI's world with the feature `mpi` (under `mpirun -np K`), else
/// one process.
pub type World = Box<dyn Communicator>;

/// Starts the run's ranks. With several ranks a wall-time budget is read on rank 0's clock
/// and checked between stages (see `Runner::time_budget`), which rank 0 says.
pub fn ranks(time_budget: Option<f64>) -> Result<World, Box<dyn std::error::Error>> {
    let world = ravine::dist::world()?;
    if world.size() > 1 && world.is_root() {
        if let Some(b) = time_budget {
            println!(
                "time budget {b} s on {} ranks: read on rank 0's clock and checked between \
                 stages (the stage running when it runs out finishes first)",
                world.size()
            );
        }
    }
    Ok(world)
}

/// On SIGTERM or SIGINT (how `mpirun` stops the other ranks when one fails), says so and
/// where the last checkpoint is, then exits with status 143.
pub fn explain_termination(
    world: &World,
    checkpoint: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (rank, size) = (world.rank(), world.size());
    ctrlc::set_handler(move || {
        let resume = checkpoint.as_deref().map_or(
            "no checkpoints were asked for (--checkpoint-every)".to_string(),
            |c| {
                format!(
                    "resume from {c} with the same flags and --resume {c} (any number of ranks)"
                )
            },
        );
        eprintln!(
            "rank {rank} of {size}: stopped by a signal{}; {resume}",
            if size > 1 {
                " (under mpirun: another rank failed, mpirun names it)"
            } else {
                ""
            }
        );
        std::process::exit(143);
    })?;
    Ok(())
}

/// Says when the run's time budget left stages unstarted (the last stage's own termination
/// does not show it under several ranks, where the budget stops runs between stages).
pub fn note_skipped(report: &ravine::RunReport) {
    if report.skipped_stages > 0 {
        println!(
            "the run's time budget ran out: {} later stage(s) not started",
            report.skipped_stages
        );
    }
}

/// Rank 0's progress bar of `len` steps (hidden on the other ranks).
pub fn progress(world: &World, len: u64) -> Result<ProgressBar, Box<dyn std::error::Error>> {
    if !world.is_root() {
        return Ok(ProgressBar::hidden());
    }
    let bar = ProgressBar::new(len);
    bar.set_style(ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
    )?);
    Ok(bar)
}

/// Rank 0's run file `<dir>/<name>.h5` (the other ranks write nothing), with the number of
/// ranks in `/config`.
pub fn run_file(
    world: &World,
    dir: &str,
    name: &str,
    seed: u64,
) -> Result<Option<RunFile>, Box<dyn std::error::Error>> {
    if !world.is_root() {
        return Ok(None);
    }
    std::fs::create_dir_all(dir)?;
    let file = RunFile::create(format!("{dir}/{name}.h5"), seed)?;
    file.set_attr("config", "ranks", world.size() as u64)?;
    Ok(Some(file))
}

/// `/prediction/{points, u_pred, u_ref, abs_error}` (`[t, x]` grids, x fastest) with the
/// attribute `relative_l2`, and `/config` attributes `command_line` and `output_transform`.
pub fn write_prediction(
    file: &mut RunFile,
    err: &ErrorField,
    pinn: &Pinn,
) -> Result<(), Box<dyn std::error::Error>> {
    let grid = [err.nt, err.nx];
    file.write_array("prediction", "points", &err.points, &[err.nt * err.nx, 2])?;
    file.write_array("prediction", "u_pred", &err.predicted, &grid)?;
    file.write_array("prediction", "u_ref", &err.reference, &grid)?;
    file.write_array("prediction", "abs_error", &err.abs_error, &grid)?;
    file.set_attr("prediction", "relative_l2", err.relative_l2)?;
    file.set_str(
        "prediction",
        "layout",
        "[t, x], x fastest; points rows are (x, t)",
    )?;
    let command: Vec<String> = std::env::args().collect();
    file.set_str("config", "command_line", &command.join(" "))?;
    let transform = pinn.output_transform().map_or("none", |t| t.name());
    file.set_str("config", "output_transform", transform)?;
    Ok(())
}

/// `loss.png`, `u_pred.png`, `u_ref.png` and `abs_error.png` in `out` (x ∈ [−1, 1], t ∈ [0, 1]).
pub fn plot_prediction(
    out: &str,
    history: &History,
    err: &ErrorField,
    name: &str,
    reference_name: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let (n, xr, tr) = ((err.nx, err.nt), (-1.0, 1.0), (0.0, 1.0));
    plot_history(
        format!("{out}/loss.png"),
        history,
        &format!("{name} PINN loss"),
    )?;
    plot_heatmap(
        format!("{out}/u_pred.png"),
        &err.predicted,
        n,
        xr,
        tr,
        "PINN u(x, t)",
    )?;
    let title = format!("{reference_name} u(x, t)");
    plot_heatmap(
        format!("{out}/u_ref.png"),
        &err.reference,
        n,
        xr,
        tr,
        &title,
    )?;
    plot_heatmap(
        format!("{out}/abs_error.png"),
        &err.abs_error,
        n,
        xr,
        tr,
        "|error|",
    )?;
    Ok(())
}
