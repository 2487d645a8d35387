//! The data-parallel checks under real MPI (feature `mpi`; a plain `main`, not the test
//! harness, so that `mpirun -np K` can start it):
//!
//! ```text
//! cargo test --features mpi --test mpi --no-run      # prints the binary's path
//! mpirun -np 2 target/debug/deps/mpi-<hash>
//! mpirun -np 3 --oversubscribe target/debug/deps/mpi-<hash>
//! ```
//!
//! Every rank computes the one-process results itself and compares them, bit for bit, with
//! the sharded ones: the PINN loss, gradient and components (Burgers; Allen-Cahn with a
//! periodic term), RAD's and RAR's choice of points, and the parameters after a short training
//! run (Adam, RAD, self-scaled Broyden); and a run under a time budget with one rank started
//! late stops on every rank before the first iteration, with the initial parameters;
//! an observer that fails on the last rank alone (a full disk) in a BFGS stage ends the run
//! on every rank at the same row, each with an error (none is left waiting).
//! A mismatch panics, which ends the job with a non-zero status. Run by `.ci/run` with 2 and
//! 3 ranks.

mod common;

use common::sharding::{
    bits, budgeted, budgeted_start, burgers, evaluation, observer_fails, problems, rad_then_rar,
    rad_then_rar_sharded, train, FailAt,
};
use ravine::dist::{Communicator, MpiWorld, Sharded};

fn main() {
    let world = MpiWorld::initialize().expect("MPI initialises");
    let (rank, size) = (world.rank(), world.size());
    let mut checked = 0;
    for (name, pinn) in problems() {
        let x = pinn.mlp().init(5);
        let one = evaluation(&pinn, &x);
        let sharded = evaluation(&Sharded::new(pinn, &world), &x);
        assert!(
            sharded == one,
            "{name}: rank {rank} of {size}: loss or gradient differs"
        );
        checked += one.len();
    }

    let pinn = burgers();
    let x = pinn.mlp().init(1);
    let want = rad_then_rar(&mut pinn.clone(), &x);
    let got = rad_then_rar_sharded(&mut Sharded::new(pinn, &world), &x);
    assert!(got == want, "rank {rank}: RAD/RAR chose other points");

    let (params_one, sizes_one) = train::<&MpiWorld>(burgers(), None);
    let (params, sizes) = train(burgers(), Some(&world));
    assert_eq!(sizes, sizes_one);
    assert!(
        bits(&params) == bits(&params_one),
        "rank {rank} of {size}: parameters differ after training"
    );
    // A one-second budget with rank 1 two seconds late: every rank stops before the first
    // iteration (rank 0's clock), with the initial parameters.
    let (stages, budget_bits) = budgeted(&world);
    assert_eq!(
        stages,
        vec![(0, ravine::Termination::TimeBudget)],
        "rank {rank} of {size}: the time budget stopped this rank elsewhere"
    );
    assert!(
        budget_bits == budgeted_start(),
        "rank {rank} of {size}: not the initial parameters"
    );
    // The last rank's observer fails at row 12 of a BFGS stage: every rank ends there.
    let bfgs = || {
        ravine::Stage::bfgs(ravine::BfgsConfig {
            max_iters: 5000,
            tol_grad: 0.0,
            ..ravine::BfgsConfig::default()
        })
    };
    let (result, records) = observer_fails(&world, bfgs, size - 1, 12);
    if rank == size - 1 {
        assert_eq!(result.err(), Some(FailAt::error()), "rank {rank} of {size}");
    } else {
        assert!(
            matches!(result, Err(ravine::Error::Communication { .. })),
            "rank {rank} of {size}: {result:?}"
        );
    }
    assert_eq!(records, 13, "rank {rank} of {size}: handed other rows");
    if world.is_root() {
        println!(
            "mpi: {size} ranks: {checked} loss/gradient/component values, the RAD and RAR points \
             and {} trained parameters bit-identical to one process on every rank; a time \
             budget stopped every rank at the same point; an observer failing on rank {} \
             alone ended the run on every rank at the same row",
            params.len(),
            size - 1
        );
    }
}
