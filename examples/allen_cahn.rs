//! Allen-Cahn (`u_t = 1e-4 u_xx + 5u − 5u³`, periodic, `u₀ = x² cos πx`) by a PINN with an
//! exactly periodic embedding, Adam then self-scaled quasi-Newton with RAD resampling,
//! against ravine's spectral ETDRK4 reference.
//!
//! ```text
//! cargo run --release --example allen_cahn -- --help
//! ```

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::stiff::run(ravine::benchmarks::StiffPde::AllenCahn)
}
