//! Experiment 6: FedAvg with client rates inversely proportional to each client's estimated
//! noise.

use rand::SeedableRng;

use crate::benchmarks::landscapes::Finding;
use crate::error::Result;
use crate::optim::rules;
use crate::rng::standard_normal;

/// A client's least-squares data: `y = Xθ* + σ ε`, features with the client's own scales.
#[derive(Debug, Clone)]
struct Client {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Feature scales `s_j` (the client's covariance is `diag(s²)`).
    scales: Vec<f64>,
}

const D: usize = 5;

impl Client {
    fn rows(&self) -> usize {
        self.y.len()
    }

    /// Gradient of `(1/2m)‖Xθ − y‖²`.
    fn gradient(&self, theta: &[f64], g: &mut [f64]) {
        let m = self.rows();
        g.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..m {
            let row = &self.x[i * D..(i + 1) * D];
            let r = row.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>() - self.y[i];
            for (gj, xj) in g.iter_mut().zip(row) {
                *gj += r * xj / m as f64;
            }
        }
    }

    /// `σ̂` from the residuals of the client's own least-squares fit (normal equations by
    /// Gaussian elimination; `m − d` degrees of freedom).
    fn noise_estimate(&self) -> f64 {
        let m = self.rows();
        let mut a = [[0.0; D + 1]; D];
        for i in 0..m {
            let row = &self.x[i * D..(i + 1) * D];
            for p in 0..D {
                for q in 0..D {
                    a[p][q] += row[p] * row[q];
                }
                a[p][D] += row[p] * self.y[i];
            }
        }
        for c in 0..D {
            let piv = (c..D)
                .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
                .unwrap_or(c);
            a.swap(c, piv);
            let pivot = a[c];
            for (r, row) in a.iter_mut().enumerate() {
                if r != c {
                    let f = row[c] / pivot[c];
                    for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                        *x -= f * p;
                    }
                }
            }
        }
        let theta: Vec<f64> = (0..D).map(|c| a[c][D] / a[c][c]).collect();
        let rss: f64 = (0..m)
            .map(|i| {
                let row = &self.x[i * D..(i + 1) * D];
                (row.iter().zip(&theta).map(|(a, b)| a * b).sum::<f64>() - self.y[i]).powi(2)
            })
            .sum();
        (rss / (m - D) as f64).sqrt()
    }

    /// Excess risk of `θ` on this client's distribution: `Σ_j s_j² (θ − θ*)_j²`.
    fn excess_risk(&self, theta: &[f64], truth: &[f64]) -> f64 {
        (0..D)
            .map(|j| (self.scales[j] * (theta[j] - truth[j])).powi(2))
            .sum()
    }
}

/// `K` clients drawn from `seed`: noise levels `σ_k` log-spaced over two orders of magnitude
/// (0.05 to 5), feature scales uniform in [0.3, 3] per client and coordinate, `m` rows each.
fn clients(k: usize, m: usize, seed: u64) -> (Vec<Client>, Vec<f64>, Vec<f64>) {
    use rand::Rng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let truth: Vec<f64> = (0..D).map(|_| standard_normal(&mut rng)).collect();
    let sigmas: Vec<f64> = (0..k)
        .map(|c| 0.05 * 100f64.powf(c as f64 / (k - 1) as f64))
        .collect();
    let clients = sigmas
        .iter()
        .map(|&sigma| {
            let scales: Vec<f64> = (0..D).map(|_| 0.3 + 2.7 * rng.random::<f64>()).collect();
            let mut x = vec![0.0; m * D];
            let mut y = vec![0.0; m];
            for i in 0..m {
                for j in 0..D {
                    x[i * D + j] = scales[j] * standard_normal(&mut rng);
                }
                y[i] = (0..D).map(|j| x[i * D + j] * truth[j]).sum::<f64>()
                    + sigma * standard_normal(&mut rng);
            }
            Client { x, y, scales }
        })
        .collect();
    (clients, truth, sigmas)
}

/// The clients' rates: `η` each, or (`adaptive`) `η·σ̂_min/σ̂_k`, from each client's own
/// noise estimate.
fn client_rates(clients: &[Client], eta: f64, adaptive: bool) -> Vec<f64> {
    if !adaptive {
        return vec![eta; clients.len()];
    }
    let est: Vec<f64> = clients.iter().map(Client::noise_estimate).collect();
    let min = est.iter().cloned().fold(f64::INFINITY, f64::min);
    est.iter().map(|s| eta * min / s).collect()
}

/// FedAvg: `rounds` rounds; in each, every client starts from the global model, takes
/// `local_steps` gradient steps at its own rate (a ravine `gd` rule), and the server averages
/// the clients' models (equal weights: equal data). Returns the global model.
fn fedavg(
    clients: &[Client],
    rates: &[f64],
    rounds: usize,
    local_steps: usize,
) -> Result<Vec<f64>> {
    let mut global = vec![0.0; D];
    let mut g = vec![0.0; D];
    for _ in 0..rounds {
        let mut next = vec![0.0; D];
        for (c, &rate) in clients.iter().zip(rates) {
            let mut opt = rules::gd(rate)?;
            let mut theta = global.clone();
            for _ in 0..local_steps {
                c.gradient(&theta, &mut g);
                opt.step(&mut theta, &g)?;
            }
            next.iter_mut()
                .zip(&theta)
                .for_each(|(n, t)| *n += t / clients.len() as f64);
        }
        global = next;
    }
    Ok(global)
}

/// Claim (article 5): in federated learning, client rates inversely proportional to each
/// client's estimated data noise improve the global model and its fairness (the worst client's
/// error). Measured on `seeds` seeded federations of 8 least-squares clients (d = 5, 40 rows
/// each, noise 0.05 to 5, FedAvg with 30 rounds of 5 local gd steps): uniform rates `η` against
/// `η_k = c·σ̂_min/σ̂_k` (σ̂_k from the client's own residuals), each at its best rate on a
/// grid by the mean global error; reported: mean ‖θ − θ*‖ and mean worst-client excess risk.
pub fn federated_noise_rates(seeds: u64) -> Result<Finding> {
    let mut f = Finding::new(6, "federated rates ∝ 1/noise: better and fairer");
    let grid = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3];
    let feds: Vec<_> = (0..seeds).map(|s| clients(8, 40, 600 + s)).collect();
    let mut results = Vec::new();
    for adaptive in [false, true] {
        let mut best: Option<(f64, f64, f64)> = None;
        for &eta in &grid {
            let (mut err, mut worst) = (0.0, 0.0);
            for (cl, truth, _) in &feds {
                let theta = fedavg(cl, &client_rates(cl, eta, adaptive), 30, 5)?;
                let e = theta
                    .iter()
                    .zip(truth)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    .sqrt();
                let w = cl
                    .iter()
                    .map(|c| c.excess_risk(&theta, truth))
                    .fold(0.0, f64::max);
                err += e / seeds as f64;
                worst += w / seeds as f64;
            }
            if err.is_finite() && best.is_none_or(|b| err < b.1) {
                best = Some((eta, err, worst));
            }
        }
        let (eta, err, worst) = best.unwrap_or((f64::NAN, f64::INFINITY, f64::INFINITY));
        let label = if adaptive { "adaptive" } else { "uniform" };
        f.num(format!("{label}.rate"), eta)
            .num(format!("{label}.global_error"), err)
            .num(format!("{label}.worst_client_excess_risk"), worst);
        results.push((eta, err, worst));
    }
    // The figure: each client's excess risk against its noise, first federation, best rates.
    f.axes = [
        "client noise sigma_k",
        "excess risk on the client's distribution",
    ];
    f.log_y = true;
    let (cl, truth, sigmas) = &feds[0];
    for (label, (eta, _, _), adaptive) in [
        ("uniform", results[0], false),
        ("c/sigma_k", results[1], true),
    ] {
        let theta = fedavg(cl, &client_rates(cl, eta, adaptive), 30, 5)?;
        let pts = cl
            .iter()
            .zip(sigmas)
            .map(|(c, s)| (*s, c.excess_risk(&theta, truth)))
            .collect();
        f.curve(format!("{label} (rate {eta})"), pts);
    }
    let (u, a) = (results[0], results[1]);
    let (better, fairer) = (a.1 < u.1, a.2 < u.2);
    f.holds = better && fairer;
    f.note = format!(
        "mean over {seeds} federations: global error {:.4} (rates c/sigma_k, c = {}) against \
         {:.4} (uniform {}); worst client's excess risk {:.4} against {:.4}: {}, {}",
        a.1,
        a.0,
        u.1,
        u.0,
        a.2,
        u.2,
        if better { "better" } else { "not better" },
        if fairer { "fairer" } else { "not fairer" }
    );
    Ok(f)
}
