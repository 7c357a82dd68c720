//! `moved` blocks: objects the state holds at an old address belong to a new one, so the
//! plan keeps them instead of destroying and recreating them. Moves are made in the order
//! the blocks are written, so a chain (`a` → `b`, then `b` → `c`) ends at `c`.

use crate::addr::{InstanceAddr, ModulePath, ResourceAddr};
use crate::config::{Config, Diag, Diags, Moved};
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
        // leave it to be created again. (A module's block: in its own configuration.)
        let (from, to) = (under(&m.scope, &m.from), under(&m.scope, &m.to));
        let names =
            |p: &ModulePath| -> Vec<String> { p.0.iter().map(|(n, _)| n.clone()).collect() };
        let still_declared = if from.is_module() {
            names(&from.resource.module) != names(&to.resource.module)
                && cfg.module(&from.resource.module).is_some()
        } else {
            from.resource != to.resource && cfg.resource(&from.resource).is_some()
        };
        if still_declared {
            errs.push(Diag::new(
                Some(&m.span),
                format!("moved object still exists: {from} is still declared"),
                "A moved block moves objects away from an address the configuration no longer declares; remove the old resource or module block (or this moved block).",
            ));
        }
    }
    // Two moves of one object to different places (Terraform: "Ambiguous move
    // statements"), or of two objects to one place.
    for (i, m) in cfg.moved.iter().enumerate() {
        let (from, to) = (under(&m.scope, &m.from), under(&m.scope, &m.to));
        for n in &cfg.moved[..i] {
            let (f2, t2) = (under(&n.scope, &n.from), under(&n.scope, &n.to));
            let clash = if from == f2 && to != t2 {
                Some(format!("{from} is moved both to {t2} and to {to}"))
            } else if to == t2 && from != f2 {
                Some(format!("both {f2} and {from} are moved to {to}"))
            } else {
                None
            };
            if let Some(what) = clash {
                errs.push(Diag::new(
                    Some(&m.span),
                    format!("ambiguous move statements: {what}"),
                    format!("The other moved block is at {}; keep one of them.", n.span),
                ));
            }
        }
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    let mut made: Vec<Move> = Vec::new();
    // Where each move made so far ends, to extend a chain in place.
    let mut ends: std::collections::BTreeMap<InstanceAddr, usize> = Default::default();
    let mut warnings = Vec::new();
    for m in &concrete(cfg, state) {
        let pairs: Vec<(InstanceAddr, InstanceAddr)> = state
            .instances
            .keys()
            .filter_map(|a| match (&m.from.key, &m.to.key) {
                // A whole module (instance): everything in it, keys kept below it.
                _ if m.from.is_module() => {
                    let module = remap(
                        &a.resource.module,
                        &m.from.resource.module,
                        &m.to.resource.module,
                    )?;
                    let mut to = a.clone();
                    to.resource.module = module;
                    Some((a.clone(), to))
                }
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
            // (Dependencies are retargeted once per block, below: a resource of 10,000
            // instances must not walk the state 10,000 times.)
            let Some(inst) = state.instances.remove(&from) else {
                continue;
            };
            state.instances.insert(to.clone(), inst);
            state.move_deposed(&from, &to);
            carry_alias(state, &from, &to);
            // A chain reports one move, from the first address to the last.
            match ends.remove(&from) {
                Some(i) => {
                    made[i].1 = to.clone();
                    ends.insert(to, i);
                }
                None => {
                    ends.insert(to.clone(), made.len());
                    made.push((from, to));
                }
            }
        }
        if m.from.is_module() {
            retarget_module(state, &m.from.resource.module, &m.to.resource.module);
        } else {
            retarget(state, &m.from.resource, &m.to.resource);
        }
    }
    made.retain(|(f, t)| f != t);
    Ok((made, warnings))
}

/// `addr` (relative to the module instance `at`) from the root.
fn under(at: &ModulePath, addr: &InstanceAddr) -> InstanceAddr {
    let mut out = addr.clone();
    out.resource.module = ModulePath(
        at.0.iter()
            .chain(&addr.resource.module.0)
            .cloned()
            .collect(),
    );
    out
}

/// The configuration's moves from the root, in the order written: a module's blocks once
/// for each instance of the module that the state holds objects in (`module.team["a"]`,
/// `module.team["b"]`, …), relative to it.
fn concrete(cfg: &Config, state: &State) -> Vec<Moved> {
    let mut out = Vec::new();
    for m in &cfg.moved {
        if m.scope.is_root() {
            out.push(m.clone());
            continue;
        }
        let n = m.scope.0.len();
        let instances: std::collections::BTreeSet<ModulePath> = state
            .instances
            .keys()
            .chain(state.deposed.keys().map(|(a, _)| a))
            .map(|a| &a.resource.module)
            .filter(|p| p.0.len() >= n && p.0.iter().zip(&m.scope.0).all(|((a, _), (b, _))| a == b))
            .map(|p| ModulePath(p.0[..n].to_vec()))
            .collect();
        out.extend(instances.iter().map(|at| Moved {
            from: under(at, &m.from),
            to: under(at, &m.to),
            scope: ModulePath::default(),
            span: m.span.clone(),
        }));
    }
    out
}

/// Move one object of `state` from `from` to `to`, and what depended on its old resource
/// to the new one. False when there is nothing at `from`.
pub fn rename(state: &mut State, from: &InstanceAddr, to: &InstanceAddr) -> bool {
    let Some(inst) = state.instances.remove(from) else {
        return false;
    };
    state.instances.insert(to.clone(), inst);
    state.move_deposed(from, to);
    carry_alias(state, from, to);
    retarget(state, &from.resource, &to.resource);
    true
}

/// The provider configuration that owns the object moves with it.
pub fn carry_alias(state: &mut State, from: &InstanceAddr, to: &InstanceAddr) {
    if let Some(a) = state.resource_aliases.get(&from.resource).cloned() {
        state.resource_aliases.insert(to.resource.clone(), a);
    }
}

/// `path` with the module (instance) `from` it lies in replaced by `to`: `None` when it
/// is not in `from`. A module named without a key matches every instance and keeps its
/// key when `to` names none either.
fn remap(path: &ModulePath, from: &ModulePath, to: &ModulePath) -> Option<ModulePath> {
    if path.0.len() < from.0.len() || from.0.is_empty() || to.0.is_empty() {
        return None;
    }
    let last = from.0.len() - 1;
    for (i, ((fname, fkey), (pname, pkey))) in from.0.iter().zip(&path.0).enumerate() {
        if fname != pname || fkey.as_ref().is_some_and(|k| Some(k) != pkey.as_ref()) {
            return None;
        }
        // A module moved to one of its own instances (count or for_each added): only
        // the instance that had no key moves.
        if i == last && fkey.is_none() && to.0[to.0.len() - 1].1.is_some() && pkey.is_some() {
            return None;
        }
    }
    let mut out = to.0.clone();
    // Where neither side names a key, the object's own key stays (outer modules too).
    for (i, (_, fkey)) in from.0.iter().enumerate() {
        if let Some(o) = out.get_mut(i) {
            if fkey.is_none() && o.1.is_none() {
                o.1 = path.0[i].1.clone();
            }
        }
    }
    out.extend(path.0[from.0.len()..].iter().cloned());
    Some(ModulePath(out))
}

/// What depended on resources in module `from` depends on them in `to`.
fn retarget_module(state: &mut State, from: &ModulePath, to: &ModulePath) {
    for i in state
        .instances
        .values_mut()
        .chain(state.deposed.values_mut())
    {
        for d in i.dependencies.iter_mut() {
            if let Some(m) = remap(&d.module, from, to) {
                d.module = m;
            }
        }
    }
}

/// What depended on resource `from` depends on `to`.
fn retarget(state: &mut State, from: &ResourceAddr, to: &ResourceAddr) {
    if from == to {
        return;
    }
    for i in state
        .instances
        .values_mut()
        .chain(state.deposed.values_mut())
    {
        for d in i.dependencies.iter_mut() {
            if d == from {
                *d = to.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_move_maps_every_instance_below_it() {
        let p = |s: &str| {
            InstanceAddr::parse(&format!("{s}.t.n"))
                .unwrap()
                .resource
                .module
        };
        let (old, new) = (p("module.old"), p("module.new"));
        assert_eq!(
            remap(&p("module.old[\"x\"]"), &old, &new),
            Some(p("module.new[\"x\"]"))
        );
        assert_eq!(
            remap(&p("module.old[0].module.sub"), &old, &new),
            Some(p("module.new[0].module.sub"))
        );
        assert_eq!(remap(&p("module.other"), &old, &new), None);
        assert_eq!(remap(&ModulePath::default(), &old, &new), None);
        // One instance to another key, or out of count.
        assert_eq!(
            remap(
                &p("module.old[0]"),
                &p("module.old[0]"),
                &p("module.old[\"a\"]")
            ),
            Some(p("module.old[\"a\"]"))
        );
        assert_eq!(remap(&p("module.old[1]"), &p("module.old[0]"), &new), None);
        assert_eq!(
            remap(&p("module.old[0]"), &p("module.old[0]"), &new),
            Some(new.clone())
        );
    }
    use crate::provider::fake;
    use crate::state::Instance;
    use crate::value::Value;

    fn object(deps: &[&str]) -> Instance {
        Instance {
            attributes: Value::Map(Default::default()).into(),
            sensitive: vec![],
            dependencies: deps
                .iter()
                .map(|d| ResourceAddr::parse(d).unwrap())
                .collect(),
            tainted: false,
        }
    }

    #[test]
    fn chains_end_at_the_last_address_and_dependencies_follow() {
        let cfg = fake::config(
            "resource \"fake_thing\" \"c\" {\n  name = \"c\"\n  count = 2\n}\nresource \"fake_thing\" \"user\" {\n  name = \"u\"\n}\nmoved {\n  from = fake_thing.a\n  to   = fake_thing.b\n}\nmoved {\n  from = fake_thing.b\n  to   = fake_thing.c\n}\n",
        );
        let mut st = State::new();
        for k in [0, 1] {
            st.instances.insert(
                InstanceAddr::parse(&format!("fake_thing.a[{k}]")).unwrap(),
                object(&[]),
            );
        }
        st.instances.insert(
            InstanceAddr::parse("fake_thing.user").unwrap(),
            object(&["fake_thing.a"]),
        );
        let (made, warnings) = apply(&cfg, &mut st).unwrap();
        assert!(warnings.is_empty());
        let shown: Vec<String> = made.iter().map(|(f, t)| format!("{f} -> {t}")).collect();
        assert_eq!(
            shown,
            [
                "fake_thing.a[0] -> fake_thing.c[0]",
                "fake_thing.a[1] -> fake_thing.c[1]"
            ]
        );
        let user = &st.instances[&InstanceAddr::parse("fake_thing.user").unwrap()];
        assert_eq!(
            user.dependencies,
            [ResourceAddr::parse("fake_thing.c").unwrap()]
        );
        // Applied again, the blocks find nothing at their old addresses.
        assert!(apply(&cfg, &mut st).unwrap().0.is_empty());
    }

    #[test]
    fn a_modules_block_moves_objects_in_each_of_its_instances() {
        // moved { from = fake_thing.a, to = module.inner.fake_thing.a } written in the
        // module that module.team["x"].module.sub[N] instantiates.
        let mut cfg = fake::config("");
        let scope = InstanceAddr::parse("module.team.module.sub.t.n")
            .unwrap()
            .resource
            .module;
        cfg.moved.push(Moved {
            from: InstanceAddr::parse("fake_thing.a").unwrap(),
            to: InstanceAddr::parse("module.inner.fake_thing.a").unwrap(),
            scope,
            span: Default::default(),
        });
        let mut st = State::new();
        for a in [
            "module.team[\"x\"].module.sub[0].fake_thing.a",
            "module.team[\"x\"].module.sub[1].fake_thing.a",
            "module.team[\"y\"].module.sub[0].fake_thing.a",
            // Not the module's: stays.
            "module.team[\"x\"].fake_thing.a",
            "fake_thing.a",
        ] {
            st.instances
                .insert(InstanceAddr::parse(a).unwrap(), object(&[]));
        }
        let (made, warnings) = apply(&cfg, &mut st).unwrap();
        assert!(warnings.is_empty());
        let shown: Vec<String> = made.iter().map(|(f, t)| format!("{f} -> {t}")).collect();
        assert_eq!(
            shown,
            [
                "module.team[\"x\"].module.sub[0].fake_thing.a -> module.team[\"x\"].module.sub[0].module.inner.fake_thing.a",
                "module.team[\"x\"].module.sub[1].fake_thing.a -> module.team[\"x\"].module.sub[1].module.inner.fake_thing.a",
                "module.team[\"y\"].module.sub[0].fake_thing.a -> module.team[\"y\"].module.sub[0].module.inner.fake_thing.a",
            ]
        );
        assert!(st
            .instances
            .contains_key(&InstanceAddr::parse("module.team[\"x\"].fake_thing.a").unwrap()));
    }
}
