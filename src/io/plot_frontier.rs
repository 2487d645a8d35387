//! PNG plots of an efficient frontier and of the weights along it.

use std::path::Path;

use plotters::prelude::*;

use super::plot::draw_err;
use super::plot_curves::{DESC_FONT, TICK_FONT};
use crate::error::Result;

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let pad = 0.05 * (hi - lo).max(1e-12);
    (lo - pad, hi + pad)
}

/// The frontier as a line in (volatility, expected return), with every asset as a labelled
/// point. Volatilities and returns are plotted as given (annualise before calling if wanted).
pub fn plot_frontier(
    path: impl AsRef<Path>,
    frontier: &[(f64, f64)],
    assets: &[(String, f64, f64)],
    title: &str,
) -> Result<()> {
    let path = path.as_ref();
    if frontier.is_empty() {
        return Err(draw_err(path, "empty frontier"));
    }
    let (x0, x1) = range(
        frontier
            .iter()
            .map(|p| p.0)
            .chain(assets.iter().map(|a| a.1)),
    );
    let (y0, y1) = range(
        frontier
            .iter()
            .map(|p| p.1)
            .chain(assets.iter().map(|a| a.2)),
    );
    let root = BitMapBackend::new(path, (900, 650)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("volatility")
        .y_desc("expected return")
        .label_style(("sans-serif", TICK_FONT))
        .axis_desc_style(("sans-serif", DESC_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    chart
        .draw_series(LineSeries::new(
            frontier.iter().copied(),
            BLUE.stroke_width(3),
        ))
        .map_err(|e| draw_err(path, e))?
        .label("efficient frontier (long-only)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    chart
        .draw_series(
            frontier
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 3, BLUE.filled())),
        )
        .map_err(|e| draw_err(path, e))?;
    chart
        .draw_series(assets.iter().map(|(name, x, y)| {
            EmptyElement::at((*x, *y))
                + Circle::new((0, 0), 4, RED.filled())
                + Text::new(name.clone(), (6, -6), ("sans-serif", 13))
        }))
        .map_err(|e| draw_err(path, e))?
        .label("single assets")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, RED.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw_err(path, e))?;
    root.present().map_err(|e| draw_err(path, e))
}

/// Weights along the frontier as stacked areas: `weights` is row-major `K × n` (one row per
/// point, rows summing to one for long-only portfolios), against `x` (the target return, say).
pub fn plot_stacked_weights(
    path: impl AsRef<Path>,
    x: &[f64],
    weights: &[f64],
    names: &[String],
    x_label: &str,
    title: &str,
) -> Result<()> {
    let path = path.as_ref();
    let (k, n) = (x.len(), names.len());
    if k < 2 || weights.len() != k * n {
        return Err(draw_err(
            path,
            format!(
                "need >= 2 points and {k}x{n} weights, got {}",
                weights.len()
            ),
        ));
    }
    let root = BitMapBackend::new(path, (1000, 650)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let (xa, xb) = (x[0].min(x[k - 1]), x[0].max(x[k - 1]));
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(xa..xb, 0.0..1.0)
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc("cumulative weight")
        .label_style(("sans-serif", TICK_FONT))
        .axis_desc_style(("sans-serif", DESC_FONT))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    let mut below = vec![0.0; k];
    for j in 0..n {
        let above: Vec<f64> = (0..k)
            .map(|p| below[p] + weights[p * n + j].max(0.0))
            .collect();
        if (0..k).all(|p| weights[p * n + j] <= 1e-9) {
            below = above;
            continue;
        }
        let color = Palette99::pick(j).to_rgba();
        let mut poly: Vec<(f64, f64)> = (0..k).map(|p| (x[p], above[p].min(1.0))).collect();
        poly.extend((0..k).rev().map(|p| (x[p], below[p].min(1.0))));
        chart
            .draw_series(std::iter::once(Polygon::new(poly, color.filled())))
            .map_err(|e| draw_err(path, e))?
            .label(names[j].clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], color.filled()));
        below = above;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw_err(path, e))?;
    root.present().map_err(|e| draw_err(path, e))
}
