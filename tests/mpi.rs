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
//! late stops on every rank after the first stage, with that stage's one-process parameters.
//! A mismatch panics, which ends the job with a non-zero status. Run by `.ci/run` with 2 and
//! 3 ranks.

mod common;

use common::sharding::{
    bits, budgeted, burgers, evaluation, first_stage_alone, problems, rad_then_rar,
    rad_then_rar_sharded, train,
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
    // A one-second budget with rank 1 two seconds late: every rank stops after the first
    // stage (rank 0's clock), with the same parameters.
    let (stages, budget_bits) = budgeted(&world);
    assert_eq!(
        stages,
        vec![(30, ravine::Termination::MaxIters)],
        "rank {rank} of {size}: the time budget stopped this rank elsewhere"
    );
    assert!(
        budget_bits == first_stage_alone(),
        "rank {rank} of {size}: not the parameters of the first stage run alone"
    );
    if world.is_root() {
        println!(
            "mpi: {size} ranks: {checked} loss/gradient/component values, the RAD and RAR points \
             and {} trained parameters bit-identical to one process on every rank; a time \
             budget stopped every rank after the same stage",
            params.len()
        );
    }
}
