//! An observer's error ends the run with that error, in every kind of stage: a failed write
//! of the run file must not be mistaken for a line-search failure and then ignored. Under
//! several processes every rank stops at the same evaluation (no rank is left waiting).

mod common;

use common::sharding::{observer_fails_on_one_rank, FailAt};
use ravine::{
    rules, AdamConfig, BfgsConfig, Error, LbfgsConfig, Observer, Record, Rosenbrock, RunEnd,
    Runner, Stage, StageReport,
};

fn adam() -> Stage {
    Stage::adaptive(rules::adam(1e-3, AdamConfig::default()).unwrap(), 5000)
}

fn bfgs() -> Stage {
    Stage::bfgs(BfgsConfig {
        max_iters: 5000,
        tol_grad: 0.0,
        ..BfgsConfig::default()
    })
}

fn lbfgs() -> Stage {
    Stage::lbfgs(LbfgsConfig {
        max_iters: 5000,
        tol_grad: 0.0,
        ..LbfgsConfig::default()
    })
}

/// The three kinds of stage: ravine's update rules, ravine's BFGS, argmin's L-BFGS.
/// A stage's name and its constructor.
type Kind = (&'static str, fn() -> Stage);

const STAGES: [Kind; 3] = [("adam", adam), ("bfgs", bfgs), ("lbfgs", lbfgs)];

/// Counts what it sees; `FailAt` decides when `record` fails.
struct Watch {
    fail: FailAt,
    records: u64,
    stage_ends: usize,
    status: String,
    reports: usize,
}

impl Observer for Watch {
    fn record(&mut self, row: &Record) -> ravine::Result<()> {
        self.records += 1;
        self.fail.check(row.iteration)
    }
    fn stage_end(&mut self, _report: &StageReport) -> ravine::Result<()> {
        self.stage_ends += 1;
        Ok(())
    }
    fn finish(&mut self, end: &RunEnd<'_>) -> ravine::Result<()> {
        self.status = end.status.to_string();
        self.reports = end.stages.len();
        Ok(())
    }
}

#[test]
fn an_observer_error_ends_the_run_in_every_kind_of_stage() {
    for (name, stage) in STAGES {
        let mut watch = Watch {
            fail: FailAt::Iteration(12),
            records: 0,
            stage_ends: 0,
            status: String::new(),
            reports: 0,
        };
        let mut p = Rosenbrock::default();
        let result = Runner::new()
            .stage(stage())
            .stage(Stage::adaptive(rules::gd(1e-4).unwrap(), 10))
            .run_observed(&mut p, vec![-1.2, 1.0], &mut watch);
        // The run returns the observer's own error, and says so in the run's status.
        assert_eq!(result.err(), Some(FailAt::error()), "{name}");
        assert_eq!(watch.status, FailAt::error().to_string(), "{name}");
        // The first stage ended there (rows 0…12 were handed over, none after; a failed
        // stage is reported at the run's end, not as a stage end) and the second never
        // started.
        assert_eq!(watch.records, 13, "{name}");
        assert_eq!((watch.stage_ends, watch.reports), (0, 1), "{name}");
    }
}

#[test]
fn an_observer_error_on_one_rank_stops_every_rank() {
    for (name, stage) in STAGES {
        for failing in [0, 1] {
            let outcomes = observer_fails_on_one_rank(stage, failing, 12);
            for (rank, (result, records)) in outcomes.iter().enumerate() {
                if rank == failing {
                    assert_eq!(result.clone().err(), Some(FailAt::error()), "{name}");
                } else {
                    assert!(
                        matches!(result, Err(Error::Communication { .. })),
                        "{name}, rank {rank}: {result:?}"
                    );
                }
                // Every rank handed over the same rows and stopped at the same evaluation.
                assert_eq!(*records, 13, "{name}, rank {rank} (rank {failing} failing)");
            }
        }
    }
}

#[test]
fn a_failed_inspection_ends_the_run_before_the_next_step() {
    let inspector = ravine::Inspector::new(10, |at| {
        if at.iteration == 20 {
            Err(FailAt::error())
        } else {
            Ok(vec![("loss".to_string(), at.loss)])
        }
    })
    .unwrap();
    let mut watch = Watch {
        fail: common::sharding::FailAt::Never,
        records: 0,
        stage_ends: 0,
        status: String::new(),
        reports: 0,
    };
    let mut p = Rosenbrock::default();
    let result = Runner::new().stage(adam()).run_observed(
        &mut p,
        vec![-1.2, 1.0],
        &mut (inspector, &mut watch),
    );
    assert_eq!(result.err(), Some(FailAt::error()));
    // Rows 0…19 were handed over; once the inspection at iteration 20 failed, no observer is
    // told more (not even that row): the next evaluation ends the run.
    assert_eq!(watch.records, 20);
    assert_eq!(watch.status, FailAt::error().to_string());
}
