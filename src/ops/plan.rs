//! Making a plan: load, lock, read the state, choose the cloud, refresh, read data
//! sources, recover an interrupted run, read import blocks, and plan.

use super::provider::Cloud;
use super::{Loaded, Timings, Workdir};
use crate::addr::InstanceAddr;
use crate::config::eval::Objects;
use crate::config::vars::Inputs;
use crate::plan::{self, Options, Plan};
use crate::state::backend::Backend;
use crate::state::State;
use std::collections::BTreeMap;

/// What a planning command asks for.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub inputs: Inputs,
    pub locking: crate::state::backend::Locking,
    pub destroy: bool,
    pub refresh_only: bool,
    pub replace: Vec<InstanceAddr>,
    pub targets: Vec<InstanceAddr>,
    /// Read objects back from the API first.
    pub refresh: bool,
}

/// Everything a planning command has once the plan is made. The backend holds the lock
/// until `unlock`; the cloud must be stopped.
pub struct Planned {
    pub l: Loaded,
    pub plan: Plan,
    pub prior: State,
    pub refreshed: State,
    pub data: Objects,
    pub backend: Backend,
    pub cloud: Cloud,
}

/// Parse command-line addresses.
/// Targets: instances, resources or whole modules.
pub fn parse_targets(v: &[String]) -> anyhow::Result<Vec<InstanceAddr>> {
    v.iter()
        .map(|a| InstanceAddr::parse_target(a).map_err(anyhow::Error::from))
        .collect()
}

/// Resource and instance addresses (not whole modules).
pub fn parse_addrs(v: &[String]) -> anyhow::Result<Vec<InstanceAddr>> {
    v.iter()
        .map(|a| {
            InstanceAddr::parse(a).map_err(|e| {
                // A whole module (`module.team`, `module.team["a"]`) is not an address here.
                let whole_module = a.starts_with("module.")
                    && InstanceAddr::parse(&format!("{a}.t.n")).is_ok();
                if whole_module {
                    anyhow::anyhow!("{a} is a module, and this takes a resource address: name the resources inside it ({a}.TYPE.NAME, see maform state list)")
                } else {
                    anyhow::Error::from(e)
                }
            })
        })
        .collect()
}

/// Plan `req` in `wd`, holding the state lock for `operation`.
pub async fn make_plan(
    wd: &Workdir,
    req: &Request,
    operation: &str,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Planned> {
    let mut t = Timings::new();
    let l = super::load(wd, &req.inputs)?;
    t.phase("load configuration", notify);
    let mut backend = wd.config_backend(&l.cfg).await?;
    backend.acquire(operation, req.locking, notify).await?;
    let prior = backend.read().await?;
    super::check_state(&l, &prior)?;
    if matches!(operation, "apply" | "destroy") {
        backend.preflight()?;
    }
    t.phase("read state", notify);
    let cloud = super::provider::select(&l.cfg, &l.vars, &prior, notify).await?;
    let result = plan_with(wd, req, &l, &cloud, &mut backend, prior, &mut t, notify).await;
    match result {
        Ok((plan, prior, refreshed, data)) => Ok(Planned {
            l,
            plan,
            prior,
            refreshed,
            data,
            backend,
            cloud,
        }),
        Err(e) => {
            cloud.stop(notify).await?;
            Err(e)
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn plan_with(
    wd: &Workdir,
    req: &Request,
    l: &Loaded,
    cloud: &Cloud,
    backend: &mut Backend,
    prior: State,
    t: &mut Timings,
    notify: crate::Notify<'_>,
) -> anyhow::Result<(Plan, State, State, Objects)> {
    let providers = cloud.providers();
    let mut refreshed = if req.refresh {
        super::refresh::refresh(&providers, l.cfg.registry, &prior).await?
    } else {
        prior.clone()
    };
    t.phase("refresh", notify);
    let (data, check_reads) = super::refresh::read_data(&providers, l, &refreshed).await?;
    // Creates that an interrupted run may have made, from its journal: adopted into the
    // state before anything else is decided.
    let journal = backend.journal(&wd.dir);
    let mut prior = prior;
    let pending = !journal.read().await?.is_empty();
    // Without the lock, the journal may be a run's at work now: left alone (recovering
    // it would adopt or forget that run's creates, and write the state).
    if pending && req.locking == crate::state::backend::Locking::Off {
        notify("Warning: the state has a create journal (a run at work, or one that was interrupted); without the lock it is left alone. Run with the lock to recover it.");
    } else if pending {
        let before = prior.clone();
        for msg in super::recover::recover(&providers, l, &data, &journal, &mut prior).await? {
            notify(&msg);
        }
        if prior != before {
            cloud.record(&mut prior);
            // An object recovery deposed is as the refresh read it (if it still exists);
            // a recovered one as recovery read it.
            for k in prior.deposed.keys() {
                if !before.deposed.contains_key(k) {
                    if let Some(old) = refreshed.instances.remove(&k.0) {
                        refreshed.deposed.insert(k.clone(), old);
                    }
                }
            }
            for (a, i) in &prior.instances {
                if before.instances.get(a) != Some(i) {
                    refreshed.instances.insert(a.clone(), i.clone());
                }
            }
            backend.write(&mut prior, &before).await?;
            refreshed.serial = prior.serial;
        }
        journal.clear().await?;
    }
    // Moved blocks: the objects take their new addresses before anything is planned (the
    // prior state the plan compares with moves too; the one the backend holds does not).
    let owned_by: BTreeMap<crate::addr::ResourceAddr, String> = if l.cfg.moved.is_empty() {
        BTreeMap::new()
    } else {
        refreshed.resource_aliases.clone()
    };
    let (moves, move_warnings) = plan::moves::apply(&l.cfg, &mut refreshed)?;
    // A move keeps the object where it is: its new address must use the same provider
    // configuration (another one would look for it in another project or region).
    for (from, to) in &moves {
        let was = owned_by.get(&from.resource).map(String::as_str);
        let now = providers.alias_of(&to.resource);
        if was != now {
            let name =
                |a: Option<&str>| a.map_or("modelarts".to_string(), |a| format!("modelarts.{a}"));
            anyhow::bail!("{from} cannot move to {to}: its object belongs to provider configuration {}, and {to} uses {}; nothing was done.\nGive {to} the same provider configuration, or move the object deliberately (maform state rm, then import)", name(was), name(now));
        }
    }
    // (A copy only when there is something to move: a state can hold 10,000 objects.)
    let moved_prior = if l.cfg.moved.is_empty() {
        std::borrow::Cow::Borrowed(&prior)
    } else {
        let mut p = prior.clone();
        plan::moves::apply(&l.cfg, &mut p)?;
        std::borrow::Cow::Owned(p)
    };
    let imports = if req.destroy || req.refresh_only {
        vec![]
    } else {
        super::import::import_blocks(&providers, l, &data, &mut refreshed).await?
    };
    let opts = Options {
        destroy: req.destroy,
        refresh_only: req.refresh_only,
        replace: req.replace.clone(),
        targets: req.targets.clone(),
    };
    let inp = plan::Inputs {
        cfg: &l.cfg,
        vars: &l.vars,
        graph: &l.graph,
        prior: &moved_prior,
        refreshed: &refreshed,
        data: &data,
        options: &opts,
    };
    let (plan, reads) = crate::config::funcs::recording_reads(|| plan::plan(&inp));
    let mut plan = plan?;
    // The provider blocks can read files too (a project id kept in a file).
    let (_, provider_reads) = crate::config::funcs::recording_reads(|| {
        for b in l.cfg.provider.iter().chain(l.cfg.provider_aliases.values()) {
            let _ = super::provider::settings(&l.cfg, Some(b), &l.vars);
        }
    });
    plan.reads = reads;
    plan.timestamp = crate::config::funcs::plan_timestamp();
    plan.reads.extend(provider_reads);
    plan.reads.sort();
    plan.reads.dedup();
    t.phase("plan", notify);
    // Old digests of unchanged secrets are rewritten with the state, whatever is applied.
    plan.rewrite_digests(&mut refreshed);
    plan.imports = imports;
    plan.moves = moves;
    plan.warnings.extend(move_warnings);
    plan.warnings.extend(check_reads);
    Ok((plan, prior, refreshed, data))
}

/// Check the configuration without the API: plan it against an empty state with
/// unknown data sources.
pub fn validate(wd: &super::Workdir, inputs: &Inputs) -> anyhow::Result<()> {
    let l = super::load(wd, inputs)?;
    let prior = State::new();
    let data = super::refresh::unknown_data(&l);
    let opts = Options::default();
    plan::plan(&plan::Inputs {
        cfg: &l.cfg,
        vars: &l.vars,
        graph: &l.graph,
        prior: &prior,
        refreshed: &prior,
        data: &data,
        options: &opts,
    })?;
    Ok(())
}

/// Save `pl`'s plan to `path` for `maform apply PATH`: bound to the state it was made
/// against and to the configuration and variables it was made from, secrets as digests.
pub fn save(pl: &Planned, path: &std::path::Path) -> anyhow::Result<()> {
    let saved = crate::plan::saved::SavedPlan::new(
        pl.plan.clone(),
        &pl.prior.lineage,
        pl.prior.serial,
        crate::plan::saved::config_digest(&pl.l.cfg.all_files(), &pl.plan.reads)?,
        &pl.l.vars,
        pl.data.clone(),
    );
    crate::fsutil::atomic_write(path, &saved.to_bytes()?)
}
