//! Reference solutions computed by ravine itself, against which the PINNs are measured:
//! Cole-Hopf for viscous Burgers, Fourier pseudo-spectral ETDRK4 for Allen-Cahn and KdV.
//!
//! ```
//! use ravine::reference::BurgersColeHopf;
//! // Cole-Hopf for u_t + u u_x = ν u_xx, u(0, x) = −sin(πx): odd in x, so u(t, 0) = 0.
//! let exact = BurgersColeHopf::new(0.01 / std::f64::consts::PI, 64).unwrap();
//! assert!(exact.value(0.0, 0.5).abs() < 1e-12);
//! assert!((exact.value(0.5, 0.0) + 1.0).abs() < 1e-12); // the initial condition at x = 0.5
//! ```

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
