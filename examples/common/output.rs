//! What every PDE example writes: the prediction against the reference in the run file, and
//! the loss and field plots.

use ravine::io::{plot_heatmap, plot_history};
use ravine::pinn::{ErrorField, Pinn};
use ravine::{History, RunFile};

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
