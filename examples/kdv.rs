//! Korteweg-de Vries (`u_t + u u_x + 0.022² u_xxx = 0`, periodic, `u₀ = cos πx`) by a PINN with
//! an exactly periodic embedding, Adam then self-scaled quasi-Newton with RAD resampling,
//! against ravine's spectral ETDRK4 reference.
//!
//! ```text
//! cargo run --release --example kdv -- --help
//! ```

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::stiff::run(ravine::benchmarks::StiffPde::Kdv)
}
