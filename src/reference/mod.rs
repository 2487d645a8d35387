//! Reference solutions computed by ravine itself, against which the PINNs are measured:
//! Cole-Hopf for viscous Burgers, Fourier pseudo-spectral ETDRK4 for Allen-Cahn and KdV.

mod allen_cahn;
mod burgers;
mod gauss_hermite;
mod grid_solution;
mod kdv;
mod spectral;

pub use allen_cahn::{allen_cahn_initial, AllenCahnReference};
pub use burgers::BurgersColeHopf;
pub use gauss_hermite::GaussHermite;
pub use grid_solution::GridSolution;
pub use kdv::{kdv_initial, KdvInvariants, KdvReference};
pub use spectral::{Etdrk4, SemiLinear};
