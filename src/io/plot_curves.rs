//! Generic PNG plots: several curves on one chart, and a histogram with a marked value.

use std::path::Path;

use plotters::prelude::*;

use super::plot::draw_err;
use crate::error::Result;

/// Font sizes shared by the plots: tick labels and axis descriptions readable at 100 %.
pub(crate) const TICK_FONT: u32 = 17;
pub(crate) const DESC_FONT: u32 = 19;
const LEGEND_FONT: u32 = 17;
const LEGEND_ROW: u32 = 24;

/// Curves `(label, points)` on one chart; with `log_y` the values are plotted as `log10`
/// (non-positive values dropped) and the axis is labelled so. The legend sits in its own
/// panel below the chart, so it never covers a curve.
pub fn plot_curves(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
    log_y: bool,
) -> Result<()> {
    let path = path.as_ref();
    let data: Vec<(String, Vec<(f64, f64)>)> = series
        .iter()
        .map(|(n, pts)| {
            let p = pts
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!log_y || *y > 0.0))
                .map(|&(x, y)| (x, if log_y { y.log10() } else { y }))
                .collect();
            (n.clone(), p)
        })
        .collect();
    let all = data.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        return Err(draw_err(path, "no finite points"));
    }
    let pad = 0.05 * (y1 - y0).max(1e-9);
    let legend_height = 20 + LEGEND_ROW * data.len() as u32;
    let root = BitMapBackend::new(path, (950, 620 + legend_height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let (plot_area, legend_area) = root.split_vertically(620);
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1.max(x0 + 1e-12), (y0 - pad)..(y1 + pad))
        .map_err(|e| draw_err(path, e))?;
    let y_desc = if log_y {
        format!("log10 {y_label}")
    } else {
        y_label.to_string()
    };
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_desc)
        .label_style(("sans-serif", TICK_FONT))
        .axis_desc_style(("sans-serif", DESC_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    let mut entries = Vec::new();
    for (k, (name, pts)) in data.into_iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?;
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
            .map_err(|e| draw_err(path, e))?;
        entries.push((name, color));
    }
    for (k, (name, color)) in entries.iter().enumerate() {
        let y = 10 + (LEGEND_ROW * k as u32 + LEGEND_ROW / 2) as i32;
        legend_area
            .draw(&PathElement::new(
                vec![(95, y), (135, y)],
                color.stroke_width(3),
            ))
            .map_err(|e| draw_err(path, e))?;
        legend_area
            .draw(&Text::new(
                name.clone(),
                (145, y - LEGEND_FONT as i32 / 2),
                ("sans-serif", LEGEND_FONT),
            ))
            .map_err(|e| draw_err(path, e))?;
    }
    root.present().map_err(|e| draw_err(path, e))
}

/// A histogram of `values` in `bins` equal bins, with an optional vertical marker
/// `(label, x)`.
pub fn plot_histogram(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    values: &[f64],
    bins: usize,
    marker: Option<(&str, f64)>,
) -> Result<()> {
    let path = path.as_ref();
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() || bins == 0 {
        return Err(draw_err(path, "no finite values"));
    }
    let mut lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some((_, m)) = marker {
        lo = lo.min(m);
        hi = hi.max(m);
    }
    let width = ((hi - lo) / bins as f64).max(1e-12);
    let hi = lo + width * bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.1;
    let root = BitMapBackend::new(path, (950, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, 0.0..top.max(1.0))
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc("count")
        .label_style(("sans-serif", TICK_FONT))
        .axis_desc_style(("sans-serif", DESC_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    chart
        .draw_series(counts.iter().enumerate().map(|(b, &c)| {
            let x = lo + width * b as f64;
            Rectangle::new([(x, 0.0), (x + width, c as f64)], BLUE.mix(0.6).filled())
        }))
        .map_err(|e| draw_err(path, e))?;
    if let Some((label, m)) = marker {
        chart
            .draw_series(LineSeries::new(
                vec![(m, 0.0), (m, top)],
                RED.stroke_width(3),
            ))
            .map_err(|e| draw_err(path, e))?
            .label(label.to_string())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| draw_err(path, e))?;
    }
    root.present().map_err(|e| draw_err(path, e))
}
