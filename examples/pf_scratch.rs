use ravine::portfolio::*;
use ravine::{rules, AdamConfig, Schedule};
fn main() -> ravine::Result<()> {
    let prices = PriceTable::from_csv("data/sp500/sp500_dataset.csv.gz")?;
    let r = prices.returns();
    println!("{} periods, {} assets", r.periods(), r.assets_len());
    for obj in [
        Objective::MinVariance,
        Objective::Utility { gamma: 1.0 },
        Objective::Utility { gamma: 5.0 },
        Objective::Utility { gamma: 20.0 },
    ] {
        let p = MeanVariance::from_returns(&r, obj, Constraints::long_only(r.assets_len()))?;
        let t = std::time::Instant::now();
        let refs = solve_reference(&p)?;
        println!(
            "{} ref {:?} {:.3}s support {} obj {:e} worst {:e} gm {:e}",
            obj.label(),
            refs.termination,
            t.elapsed().as_secs_f64(),
            refs.certificate.support,
            refs.certificate.objective,
            refs.certificate.worst(),
            refs.certificate.gradient_mapping
        );
        let loose = solve_clarabel(&p, QpForm::Dense, QpSettings::clarabel_defaults(), false)?;
        println!(
            "  clarabel defaults: gap {:e} werr {:e}",
            loose.objective_gap(&refs),
            loose.weight_error(&refs)
        );
        let l = p.risk().largest_eigenvalue(200) / p.risk().mean_variance();
        println!("  L scaled {l}");
        let steps = 20000;
        let cands = vec![
            rules::gd(1.0 / l)?,
            rules::momentum(1.0 / l, 0.9)?,
            rules::nesterov(1.0 / l, 0.9)?,
            rules::nesterov(1.0 / l, 0.95)?,
            rules::normalized_gd(Schedule::exponential(0.01, 0.5, steps / 30)?, 1e-30)?,
            rules::sign_descent(Schedule::exponential(0.01, 0.5, steps / 30)?)?,
            rules::adagrad(Schedule::exponential(0.1, 0.5, steps / 30)?, 0.0, 1e-30)?,
            rules::adam(
                Schedule::exponential(0.01, 0.5, steps / 30)?,
                AdamConfig::default(),
            )?,
            rules::adam(Schedule::exponential(0.001, 0.5, steps / 30)?, AdamConfig::default())?,
            rules::rmsprop(Schedule::exponential(0.001, 0.5, steps / 30)?, Default::default())?,
            rules::amsgrad(
                Schedule::exponential(0.01, 0.5, steps / 30)?,
                AdamConfig::default(),
            )?,
        ];
        for o in cands {
            let s = solve_projected(&p, o, steps, 1e-13, None, None)?;
            println!(
                "  {:<12} gap {:>10.2e} werr {:>9.2e} kkt {:>9.2e} it {:>6} {:.3}s {}",
                s.solver,
                s.objective_gap(&refs),
                s.weight_error(&refs),
                s.certificate.worst(),
                s.iterations,
                s.seconds,
                s.termination
            );
        }
        if obj == Objective::MinVariance || true {
            let s = solve_lbfgs_softmax(&p, default_lbfgs(), None)?;
            println!(
                "  {:<12} gap {:>10.2e} werr {:>9.2e} kkt {:>9.2e} it {:>6} {:.3}s {}",
                s.solver,
                s.objective_gap(&refs),
                s.weight_error(&refs),
                s.certificate.worst(),
                s.iterations,
                s.seconds,
                s.termination
            );
        }
    }
    Ok(())
}
