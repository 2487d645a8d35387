//! The Allen-Cahn and KdV references: convergence in modes and steps, and invariants.

use ravine::reference::{allen_cahn_initial, AllenCahnReference, KdvReference};

#[test]
fn allen_cahn_converges_in_modes_and_steps_and_keeps_its_invariants() {
    let base = AllenCahnReference::default().solve().unwrap();
    let fine = AllenCahnReference {
        modes: 8192,
        steps_per_output: 40,
    }
    .solve()
    .unwrap();
    let diff = base.max_difference(&fine);
    println!("allen-cahn: 4096 modes, h = 2.5e-4 vs 8192 modes, h = 1.25e-4: max diff {diff:.3e}");
    assert!(diff <= 1e-9, "{diff}");
    assert_eq!((base.x.len(), base.t.len()), (512, 201));
    assert_eq!(base.x[1] - base.x[0], 1.0 / 256.0);
    assert_eq!(base.t[200], 1.0);
    // Stays in [−1, 1] and is even in x: u(x_k) = u(x_{512−k}).
    let peak = base.values.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let mut asym = 0.0f64;
    for j in 0..201 {
        let u = base.at(j);
        for k in 1..512 {
            asym = asym.max((u[k] - u[512 - k]).abs());
        }
    }
    println!("allen-cahn: max |u| {peak:.12}, max |u(x) − u(−x)| {asym:.3e}");
    assert!(peak <= 1.0 && asym <= 1e-12, "{peak} {asym}");
    assert_eq!(base.at(0)[100], allen_cahn_initial(base.x[100]));
    // Shape at t = 1: u ≈ −1 at x = ±1 and x = ±0.75, u ≈ +1 at x = ±0.25; at x = 0, where
    // u₀ = x² is small, the linearisation u ≈ e^{5t}(x² + 2εt) gives u(0, 1) ≈ 2e-4·e⁵.
    let last = base.at(200);
    assert!(
        last[0] < -0.999 && last[64] < -0.999 && last[192] > 0.98,
        "{last:?}"
    );
    let linear = 2e-4 * 5f64.exp();
    println!(
        "allen-cahn: u(0, 1) = {:.6}, linearisation {linear:.6}",
        last[256]
    );
    approx::assert_abs_diff_eq!(last[256], linear, epsilon = 1e-3);
}

#[test]
fn kdv_converges_in_modes_and_steps_and_conserves_mass_and_hamiltonian() {
    let (base, inv) = KdvReference::default().solve_with_invariants().unwrap();
    let fine = KdvReference {
        modes: 2048,
        steps_per_output: 160,
    }
    .solve()
    .unwrap();
    let diff = base.max_difference(&fine);
    println!("kdv: 1024 modes, h = 6.25e-5 vs 2048 modes, h = 3.125e-5: max diff {diff:.3e}");
    assert!(diff <= 1e-9, "{diff}");
    let (m0, h0) = (inv[0].mass, inv[0].hamiltonian);
    let dm = inv.iter().map(|i| (i.mass - m0).abs()).fold(0.0, f64::max);
    let dh = inv
        .iter()
        .map(|i| (i.hamiltonian - h0).abs())
        .fold(0.0, f64::max);
    println!("kdv: mass {m0:.3e} drift {dm:.3e}; hamiltonian {h0:.12} drift {dh:.3e}");
    assert!(dm <= 1e-9 && dh <= 1e-9, "{dm} {dh}");
    // Zabusky-Kruskal: by t = 1 (≈ 3.1 breaking times) the wave has split into solitons, the
    // tallest above twice the initial amplitude.
    let peak = base.at(200).iter().cloned().fold(f64::MIN, f64::max);
    println!("kdv: max u at t = 1: {peak:.4}");
    assert!(peak > 2.0 && peak < 3.0, "{peak}");
}
