//! Data parallelism without MPI: ranks as threads ([`ThreadCluster`]). The sharded PINN loss
//! and gradient, a short training run (Adam, RAD between stages, self-scaled Broyden), RAD's
//! choice and RAR's must be bit for bit those of one process, for 2, 3 and 5 ranks; a rank
//! that fails must not leave the others waiting. The same checks run under `mpirun` in
//! `tests/mpi.rs` (feature `mpi`).

mod common;

use common::sharding::{
    bits, budgeted, budgeted_start, burgers, evaluation, problems, rad_then_rar,
    rad_then_rar_sharded, train,
};
use ravine::dist::{Communicator, Sharded, ThreadCluster, ThreadRank};
use ravine::Problem;

/// Runs `job` on every rank of a cluster of `size` threads; the results in rank order.
fn on_ranks<T: Send + 'static>(
    size: usize,
    job: impl Fn(ThreadRank) -> T + Send + Sync + Clone + 'static,
) -> Vec<T> {
    let handles: Vec<_> = ThreadCluster::ranks(size)
        .into_iter()
        .map(|rank| {
            let job = job.clone();
            std::thread::spawn(move || job(rank))
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn sharded_loss_and_gradient_are_bit_identical_to_one_process() {
    for (name, pinn) in problems() {
        let x = pinn.mlp().init(5);
        let one = evaluation(&pinn, &x);
        for size in [2, 3, 5] {
            let (p, xs) = (pinn.clone(), x.clone());
            let all = on_ranks(size, move |rank| {
                evaluation(&Sharded::new(p.clone(), rank), &xs)
            });
            for (r, got) in all.iter().enumerate() {
                assert!(got == &one, "{name}: rank {r} of {size} differs");
            }
        }
    }
}

#[test]
fn a_sharded_training_run_ends_with_the_same_parameters() {
    let (one, sizes) = train::<ThreadRank>(burgers(), None);
    for size in [2, 3] {
        let all = on_ranks(size, |rank| train(burgers(), Some(rank)));
        for (r, (params, s)) in all.iter().enumerate() {
            assert_eq!(s, &sizes);
            assert!(
                bits(params) == bits(&one),
                "rank {r} of {size}: parameters differ after training"
            );
        }
    }
}

#[test]
fn rad_and_rar_choose_the_same_points_on_every_rank() {
    let pinn = burgers();
    let x = pinn.mlp().init(1);
    let want = rad_then_rar(&mut pinn.clone(), &x);
    let all = on_ranks(3, move |rank| {
        rad_then_rar_sharded(&mut Sharded::new(pinn.clone(), rank), &x)
    });
    for got in all {
        assert!(got == want, "RAD or RAR chose other points");
    }
}

/// A wall-time budget across ranks ([`budgeted`]): both ranks stop at the same point, before
/// the first iteration, though on rank 1's own clock the budget had not run out; had rank 1
/// gone on alone, its next evaluation would have waited for rank 0 in vain. One process stops
/// inside a stage.
#[test]
fn a_time_budget_stops_every_rank_at_the_same_point() {
    use ravine::{rules, AdamConfig, Runner, Stage, Termination};
    use std::time::Duration;
    let all = on_ranks(2, budgeted);
    assert_eq!(all[0], all[1], "the ranks stopped at different points");
    assert_eq!(all[0].0, vec![(0, Termination::TimeBudget)]);
    assert!(all[0].1 == budgeted_start(), "not the initial parameters");
    // One process: the budget is checked inside the stage, after every iteration.
    let mut p = burgers();
    let x0 = p.mlp().init(3);
    let report = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(5e-3, AdamConfig::default()).unwrap(),
            1_000_000_000,
        ))
        .stage(Stage::adaptive(rules::gd(1e-4).unwrap(), 10))
        .time_budget(Duration::from_millis(300))
        .unwrap()
        .run(&mut p, x0)
        .unwrap();
    assert_eq!((report.stages.len(), report.skipped_stages), (1, 1));
    assert_eq!(report.stages[0].termination, Termination::TimeBudget);
    assert!(report.stages[0].iterations < 1_000_000_000);
    assert!((0.3..5.0).contains(&report.elapsed), "{} s", report.elapsed);
}

#[test]
fn a_failing_rank_stops_every_rank_with_an_error() {
    let pinn = burgers();
    let x = pinn.mlp().init(5);
    let errors = on_ranks(3, move |rank| {
        // Rank 1 evaluates at parameters of the wrong length: its share fails.
        let r = rank.rank();
        let mut xr = x.clone();
        if r == 1 {
            xr.pop();
        }
        let p = Sharded::new(pinn.clone(), rank);
        let mut g = vec![0.0; xr.len()];
        let e = p.evaluate(&xr, &mut g, &mut []).unwrap_err().to_string();
        let gathered = ravine::dist::gather(p.communicator(), {
            if r == 2 {
                Err(ravine::Error::Internal {
                    component: "test",
                    message: "rank 2's own failure".into(),
                })
            } else {
                Ok(vec![r as f64])
            }
        });
        (e, gathered.unwrap_err().to_string())
    });
    assert!(
        errors[1].0.contains("parameters has length 204"),
        "{}",
        errors[1].0
    );
    for r in [0, 2] {
        assert!(
            errors[r]
                .0
                .contains(&format!("rank {r} of 3: rank 1 failed")),
            "{}",
            errors[r].0
        );
    }
    assert!(errors[2].1.contains("rank 2's own failure"));
    assert!(
        errors[0].1.contains("rank 0 of 3: rank 2 failed"),
        "{}",
        errors[0].1
    );

    // A rank that vanishes (its thread ends) is named by the ones waiting for it.
    let errors = on_ranks(2, |rank| {
        if rank.rank() == 1 {
            return String::new();
        }
        let p = Sharded::new(burgers(), rank);
        let x = p.inner().mlp().init(0);
        let mut g = vec![0.0; x.len()];
        p.evaluate(&x, &mut g, &mut []).unwrap_err().to_string()
    });
    assert!(errors[0].contains("rank 1 is gone"), "{}", errors[0]);
}
