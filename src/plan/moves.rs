//! `moved` blocks: objects the state holds at an old address belong to a new one, so the
//! plan keeps them instead of destroying and recreating them. Moves are made in the order
//! the blocks are written, so a chain (`a` → `b`, then `b` → `c`) ends at `c`.

use crate::addr::InstanceAddr;
use crate::config::{Config, Diag, Diags};
use crate::state::State;

/// An object moved: (old address, new address).
pub type Move = (InstanceAddr, InstanceAddr);

/// Make the configuration's moves in `state`. Returns the moves made (old, new) and
/// warnings for moves that could not be made; a `from` that is still declared is an
/// error, as in Terraform.
pub fn apply(cfg: &Config, state: &mut State) -> Result<(Vec<Move>, Vec<Diag>), Diags> {
    let mut errs = Vec::new();
    for m in &cfg.moved {
        // Moving away from a resource that is still declared (to another resource) would
        // leave it to be created again.
        let still_declared =
            m.from.resource != m.to.resource && cfg.resource(&m.from.resource).is_some();
        if still_declared {
            errs.push(Diag::new(
                Some(&m.span),
                format!("moved object still exists: {} is still declared", m.from),
                "A moved block moves objects away from an address the configuration no longer declares; remove the old resource block (or this moved block).",
            ));
        }
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    let mut made: Vec<Move> = Vec::new();
    let mut warnings = Vec::new();
    for m in &cfg.moved {
        let pairs: Vec<(InstanceAddr, InstanceAddr)> = state
            .instances
            .keys()
            .filter_map(|a| match (&m.from.key, &m.to.key) {
                // A whole resource: every instance keeps its key.
                (None, None) if a.resource == m.from.resource => {
                    Some((a.clone(), m.to.resource.instance(a.key.clone())))
                }
                // One instance (with count or for_each added or removed).
                _ if *a == m.from => Some((a.clone(), m.to.clone())),
                _ => None,
            })
            .collect();
        for (from, to) in pairs {
            if state.instances.contains_key(&to) {
                warnings.push(Diag::new(
                    Some(&m.span),
                    format!("{from} was not moved to {to}: the state already has an object there"),
                    "Remove one of them from the state (maform state rm), or fix the moved block.",
                ));
                continue;
            }
            if !rename(state, &from, &to) {
                continue;
            }
            // A chain reports one move, from the first address to the last.
            match made.iter_mut().find(|(_, t)| *t == from) {
                Some(prev) => prev.1 = to,
                None => made.push((from, to)),
            }
        }
    }
    made.retain(|(f, t)| f != t);
    Ok((made, warnings))
}

/// Move one object of `state` from `from` to `to`; what depended on its old resource
/// depends on the new one. False when there is nothing at `from`.
pub fn rename(state: &mut State, from: &InstanceAddr, to: &InstanceAddr) -> bool {
    let Some(inst) = state.instances.remove(from) else {
        return false;
    };
    state.instances.insert(to.clone(), inst);
    if from.resource != to.resource {
        for i in state.instances.values_mut() {
            for d in i.dependencies.iter_mut() {
                if *d == from.resource {
                    *d = to.resource.clone();
                }
            }
        }
    }
    true
}
