//! Reference solutions computed by ravine itself, against which the PINNs are measured.

mod burgers;
mod gauss_hermite;

pub use burgers::BurgersColeHopf;
pub use gauss_hermite::GaussHermite;
