//! A [`Pinn`]'s changing state for checkpoints: what refinement, RAD resampling, causal and
//! balancing weights and time continuation change between stages (every term's points,
//! per-point weights and weight; the time interval; the interior point count).

use super::model::TermKind;
use super::{Pinn, SpaceTime};
use crate::error::{Error, Result};

/// The state as named buffers: `time`, `interior`, and per term `<name>.weight`,
/// `<name>.points`, `<name>.point_weights` (when set), `<name>.partner` (periodic terms).
pub(super) fn snapshot(p: &Pinn) -> Vec<(String, Vec<f64>)> {
    let (t0, t1) = p.domain.time();
    let mut v = vec![
        ("time".to_string(), vec![t0, t1]),
        ("interior".to_string(), vec![p.interior as f64]),
    ];
    for t in &p.terms {
        v.push((format!("{}.weight", t.name), vec![t.weight]));
        v.push((format!("{}.points", t.name), t.points.clone()));
        if let Some(w) = &t.point_weights {
            v.push((format!("{}.point_weights", t.name), w.clone()));
        }
        if let TermKind::Periodic { partner, .. } = &t.kind {
            v.push((format!("{}.partner", t.name), partner.clone()));
        }
    }
    v
}

fn bad(message: String) -> Error {
    Error::InvalidConfig {
        component: "pinn",
        message,
    }
}

/// Restores a [`snapshot`] of a PINN built the same way (same terms and dimension).
pub(super) fn restore(p: &mut Pinn, state: &[(String, Vec<f64>)]) -> Result<()> {
    let get = |key: &str| {
        state
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    };
    let need = |key: &str| get(key).ok_or_else(|| bad(format!("checkpoint lacks {key:?}")));
    let time = need("time")?;
    let interior = need("interior")?;
    let (&[t0, t1], &[n]) = (time, interior) else {
        return Err(bad("checkpoint: malformed time or interior".into()));
    };
    let d = p.domain.dim();
    let mut terms = p.terms.clone();
    for t in &mut terms {
        let points = need(&format!("{}.points", t.name))?;
        if points.len() % d != 0 || points.iter().any(|v| !v.is_finite()) {
            return Err(bad(format!("checkpoint: bad points for term {}", t.name)));
        }
        let n_points = points.len() / d;
        t.weight = match need(&format!("{}.weight", t.name))? {
            &[w] if w.is_finite() && w >= 0.0 => w,
            w => return Err(bad(format!("checkpoint: bad weight {w:?} for {}", t.name))),
        };
        if let TermKind::Value { targets } = &t.kind {
            if targets.len() != n_points {
                return Err(bad(format!(
                    "checkpoint: term {} has fixed targets",
                    t.name
                )));
            }
        }
        t.points = points.to_vec();
        t.point_weights = match get(&format!("{}.point_weights", t.name)) {
            Some(w) if w.len() == n_points => Some(w.to_vec()),
            Some(w) => return Err(bad(format!("checkpoint: {} point weights", w.len()))),
            None => None,
        };
        if let TermKind::Periodic { partner, .. } = &mut t.kind {
            let q = need(&format!("{}.partner", t.name))?;
            if q.len() != t.points.len() {
                return Err(bad(format!("checkpoint: partner points of {}", t.name)));
            }
            *partner = q.to_vec();
        }
    }
    if !(n >= 0.0 && n.fract() == 0.0) {
        return Err(bad(format!("checkpoint: interior count {n}")));
    }
    p.domain = SpaceTime::new(p.domain.space().to_vec(), (t0, t1))?;
    p.terms = terms;
    p.interior = n as usize;
    Ok(())
}
