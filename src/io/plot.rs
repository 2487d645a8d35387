//! PNG plots: loss histories and heatmaps over (x, t), drawn with plotters.

use std::path::Path;

use plotters::prelude::*;

use super::plot_curves::{DESC_FONT, TICK_FONT};
use crate::error::{Error, Result};
use crate::run::History;

/// A plotting failure naming the PNG.
pub(super) fn draw_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Plots `log10` of the loss and of each named component against the iteration.
pub fn plot_history(path: impl AsRef<Path>, history: &History, title: &str) -> Result<()> {
    let path = path.as_ref();
    let recs = &history.records;
    if recs.is_empty() {
        return Err(draw_err(path, "empty history"));
    }
    let mut series: Vec<(String, Vec<(f64, f64)>)> = vec![(
        "loss".into(),
        recs.iter()
            .filter(|r| r.loss > 0.0)
            .map(|r| (r.iteration as f64, r.loss.log10()))
            .collect(),
    )];
    for (k, name) in history.component_names.iter().enumerate() {
        series.push((
            name.clone(),
            recs.iter()
                .filter(|r| r.components.get(k).is_some_and(|c| *c > 0.0))
                .map(|r| (r.iteration as f64, r.components[k].log10()))
                .collect(),
        ));
    }
    let ys = series.iter().flat_map(|(_, s)| s.iter().map(|p| p.1));
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    let xmax = recs.last().map_or(1.0, |r| r.iteration as f64).max(1.0);
    let root = BitMapBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..xmax, (lo.floor())..(hi.ceil().max(lo.floor() + 1.0)))
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("iteration")
        .y_desc("log10 loss")
        .label_style(("sans-serif", TICK_FONT))
        .axis_desc_style(("sans-serif", DESC_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    for (k, (name, pts)) in series.into_iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    // Losses fall from the upper left to the lower right: the lower left is where the legend
    // covers least.
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw_err(path, e))?;
    root.present().map_err(|e| draw_err(path, e))
}

/// Viridis, by linear interpolation between eight anchor colours.
fn viridis(v: f64) -> RGBColor {
    const C: [(u8, u8, u8); 8] = [
        (68, 1, 84),
        (70, 50, 127),
        (54, 92, 141),
        (39, 127, 142),
        (31, 161, 135),
        (74, 194, 109),
        (159, 218, 58),
        (253, 231, 37),
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = v * (C.len() - 1) as f64;
    let i = (x.floor() as usize).min(C.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    RGBColor(
        mix(C[i].0, C[i + 1].0),
        mix(C[i].1, C[i + 1].1),
        mix(C[i].2, C[i + 1].2),
    )
}

/// A heatmap of `values` on a regular `nx × nt` grid over `x_range × t_range`, row-major with
/// `x` fastest (the layout of [`crate::pinn::SpaceTime::grid`]); time on the horizontal axis.
pub fn plot_heatmap(
    path: impl AsRef<Path>,
    values: &[f64],
    (nx, nt): (usize, usize),
    x_range: (f64, f64),
    t_range: (f64, f64),
    title: &str,
) -> Result<()> {
    let path = path.as_ref();
    if values.len() != nx * nt || nx < 2 || nt < 2 {
        return Err(draw_err(
            path,
            format!("{} values for a {nx}×{nt} grid", values.len()),
        ));
    }
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let root = BitMapBackend::new(path, (960, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let (main, bar) = root.split_horizontally(820);
    let mut chart = ChartBuilder::on(&main)
        .caption(title, ("sans-serif", 22))
        .margin(10)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(t_range.0..t_range.1, x_range.0..x_range.1)
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("t")
        .y_desc("x")
        .label_style(("sans-serif", TICK_FONT))
        .axis_desc_style(("sans-serif", DESC_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    let dx = (x_range.1 - x_range.0) / (nx - 1) as f64;
    let dt = (t_range.1 - t_range.0) / (nt - 1) as f64;
    chart
        .draw_series((0..nt).flat_map(|j| {
            (0..nx).map(move |i| {
                let (x, t) = (x_range.0 + i as f64 * dx, t_range.0 + j as f64 * dt);
                let c = viridis((values[j * nx + i] - lo) / span);
                Rectangle::new(
                    [(t - dt / 2.0, x - dx / 2.0), (t + dt / 2.0, x + dx / 2.0)],
                    c.filled(),
                )
            })
        }))
        .map_err(|e| draw_err(path, e))?;
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(40)
        .margin_bottom(60)
        .margin_right(5)
        .y_label_area_size(95)
        .build_cartesian_2d(0.0..1.0, lo..lo + span)
        .map_err(|e| draw_err(path, e))?;
    let steps = 100;
    cb.draw_series((0..steps).map(|k| {
        let a = lo + span * k as f64 / steps as f64;
        let b = lo + span * (k + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            viridis(k as f64 / steps as f64).filled(),
        )
    }))
    .map_err(|e| draw_err(path, e))?;
    // The labels after the bar, so that the bar never covers their last digits.
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|v| format!("{v:.1e}  "))
        .label_style(("sans-serif", TICK_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    root.present().map_err(|e| draw_err(path, e))
}
