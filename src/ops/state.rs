//! Editing the state by hand: forget objects, rename them, push a state file, force a
//! lock open. Each edit holds the lock and refuses what would lose information.

use crate::addr::InstanceAddr;
use crate::state::backend::{Backend, Locking};
use crate::state::State;
use std::path::Path;

/// Remove the instances `targets` cover (they keep existing in the cloud). Returns them.
pub async fn rm(
    backend: &mut Backend,
    targets: &[InstanceAddr],
    locking: Locking,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Vec<InstanceAddr>> {
    backend.acquire("state rm", locking, notify).await?;
    let prior = backend.read().await?;
    let mut st = prior.clone();
    let gone: Vec<InstanceAddr> = st
        .instances
        .keys()
        .filter(|a| a.targeted_by(targets))
        .cloned()
        .collect();
    if gone.is_empty() {
        let t: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
        anyhow::bail!(
            "no object in the state matches {}; see maform state list",
            t.join(", ")
        );
    }
    for a in &gone {
        st.instances.remove(a);
    }
    // Deposed objects of what is forgotten are forgotten with it.
    st.deposed
        .retain(|(a, _), _| !gone.contains(a) && !a.targeted_by(targets));
    backend.write(&mut st, &prior).await?;
    Ok(gone)
}

/// Rename an instance, every instance of a resource (keys kept), or a module (instance)
/// with everything in it, as Terraform's `state mv` does. Returns the moves made; nothing
/// changes unless every object can move.
pub async fn mv(
    backend: &mut Backend,
    from: &InstanceAddr,
    to: &InstanceAddr,
    locking: Locking,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Vec<(InstanceAddr, InstanceAddr)>> {
    if from.is_module() != to.is_module() {
        anyhow::bail!("cannot move {from} to {to}: one is a module and the other a resource");
    }
    if !from.is_module() && from.rtype() != to.rtype() {
        anyhow::bail!("cannot move {from} to {to}: the types differ");
    }
    backend.acquire("state mv", locking, notify).await?;
    let prior = backend.read().await?;
    let mut st = prior.clone();
    // A resource named without a key whose instances all have keys: all of them move.
    let whole = !from.is_module()
        && from.key.is_none()
        && !st.instances.contains_key(from)
        && st.instances.keys().any(|a| a.resource == from.resource);
    if whole && to.key.is_some() {
        anyhow::bail!("cannot move every instance of {from} to the one instance {to}: name a resource without a key ({}), or move one instance of {from}", to.resource);
    }
    if !from.is_module() && !whole && !st.instances.contains_key(from) {
        anyhow::bail!("no object {from} in the state; see maform state list");
    }
    // Into an address that already holds objects (as a target names them: an instance,
    // every instance of a resource, everything in a module), nothing moves (Terraform
    // refuses it): the two would be merged.
    if let Some(a) = st
        .instances
        .keys()
        .chain(st.deposed.keys().map(|(a, _)| a))
        .find(|a| {
            a.targeted_by(std::slice::from_ref(to)) && !a.targeted_by(std::slice::from_ref(from))
        })
    {
        anyhow::bail!(
            "cannot move {from} to {to}: the state already has {a} there; nothing was moved"
        );
    }
    // The same moves as a `moved` block makes, on a configuration that declares nothing.
    let cfg = crate::config::Config {
        moved: vec![crate::config::Moved {
            from: from.clone(),
            to: to.clone(),
            scope: Default::default(),
            span: Default::default(),
        }],
        ..Default::default()
    };
    let (made, conflicts) =
        crate::plan::moves::apply(&cfg, &mut st).map_err(|d| anyhow::anyhow!("{d}"))?;
    if let Some(c) = conflicts.first() {
        anyhow::bail!("{}; nothing was moved", c.summary);
    }
    if made.is_empty() {
        anyhow::bail!("no object in the state matches {from}; see maform state list");
    }
    backend.write(&mut st, &prior).await?;
    Ok(made)
}

/// What a push did.
pub enum Pushed {
    /// The file is the state already.
    Same(u64),
    /// Stored with this serial.
    Stored(u64),
}

/// Replace the state with `file`: same lineage and a newer serial, unless `force`.
pub async fn push(
    backend: &mut Backend,
    file: &Path,
    force: bool,
    locking: Locking,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Pushed> {
    backend.acquire("state push", locking, notify).await?;
    let prior = backend.read().await?;
    let f = file.display();
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {f}: {e}"))?;
    let mut new = State::from_bytes(&bytes, &f.to_string())?;
    let exists = backend.exists();
    if !force && exists {
        if new.lineage != prior.lineage {
            anyhow::bail!("cannot push: the state in {f} has lineage {}, but the current state has lineage {}; they are unrelated. Use --force to overwrite anyway.", new.lineage, prior.lineage);
        }
        if new.serial < prior.serial {
            anyhow::bail!("cannot push: {f} has serial {}, older than the current state's serial {}. Use --force to overwrite anyway.", new.serial, prior.serial);
        }
        if new.serial == prior.serial && !new.same_content(&prior) {
            anyhow::bail!("cannot push: {f} has the same serial {} as the current state but different content. Use --force to overwrite anyway.", new.serial);
        }
    }
    if force && exists {
        new.serial = prior.serial + 1;
    }
    if exists && new.serial == prior.serial {
        return Ok(Pushed::Same(new.serial));
    }
    let bytes = new.to_bytes();
    backend.replace(&new, bytes, prior.serial).await?;
    backend.unlock().await;
    Ok(Pushed::Stored(new.serial))
}

/// Remove the lock `id` of a run that died or hangs. The ID must match; a holder that is
/// a live process on this machine is refused unless `force`; otherwise `confirm` must say
/// yes (it is not asked with `force`). Returns who held it.
pub async fn force_unlock(
    backend: &mut Backend,
    id: &str,
    force: bool,
    confirm: &dyn Fn(&crate::state::LockInfo) -> bool,
) -> anyhow::Result<String> {
    let Some(h) = backend.holder().await? else {
        anyhow::bail!(
            "the state is not locked (no lock information in {}); nothing was changed",
            backend.describe()
        );
    };
    if h.id != id {
        anyhow::bail!("the lock ID is {}, not {id}; nothing was changed", h.id);
    }
    if !force && crate::state::backend::local::holder_is_alive(&h) {
        anyhow::bail!("the lock is held by a process that is still running on this machine (pid {}, {} since {}); stop it first, or pass --force if it hangs; nothing was changed", h.pid, h.operation, h.created);
    }
    if !force && !confirm(&h) {
        anyhow::bail!("force-unlock cancelled; nothing was changed (pass --force to unlock without a question)");
    }
    Ok(backend.force_unlock(id).await?)
}

/// Forget where the state's objects live, after a deliberate move: the next apply records
/// where it runs. Returns what the state was bound to.
pub async fn rebind(
    backend: &mut Backend,
    locking: Locking,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Option<crate::state::Place>> {
    backend.acquire("state rebind", locking, notify).await?;
    let prior = backend.read().await?;
    let mut st = prior.clone();
    let was = st.provider.take();
    // (Which configuration owns each object stays; where each one is, is forgotten.)
    st.alias_places.clear();
    backend.write(&mut st, &prior).await?;
    Ok(was)
}
