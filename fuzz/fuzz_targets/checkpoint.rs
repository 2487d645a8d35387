//! The checkpoint reader on arbitrary bytes, and a run resumed from whatever it accepts: a
//! typed error or a finished run, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ravine::{rules, AdamConfig, Checkpoint, LbfgsConfig, Rosenbrock, Runner, Stage};

fuzz_target!(|data: &[u8]| {
    let Ok(c) = Checkpoint::from_bytes(data) else {
        return;
    };
    let runner = Runner::new()
        .stage(Stage::adaptive(
            rules::adam(1e-3, AdamConfig::default()).unwrap(),
            20,
        ))
        .stage(Stage::lbfgs(LbfgsConfig {
            max_iters: 20,
            ..LbfgsConfig::default()
        }))
        .resume(c);
    let _ = runner.run(&mut Rosenbrock::default(), vec![0.0, 0.0]);
});
