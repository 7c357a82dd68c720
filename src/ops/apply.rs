//! Applying: the plan through the executor, the state written as it goes, and the policy
//! when a shared backend cannot take a write (the apply goes on, the state goes to a local
//! errored file, nothing is lost). Also the checks that a saved plan still applies.

use super::plan::Planned;
use super::provider::Cloud;
use super::{Loaded, Workdir};
use crate::apply::{self, Cancel, Event, Persist, Summary};
use crate::config::eval::Objects;
use crate::plan::saved::SavedPlan;
use crate::plan::Plan;
use crate::state::backend::Backend;
use crate::state::{Instance, State, StateError};
use std::path::PathBuf;
use tokio::sync::mpsc::UnboundedSender;

/// Why the errored file holds the newest state.
enum Behind {
    /// The database could not be written.
    Unreachable(String),
    /// Another run wrote the state in between; this run did not overwrite it.
    Stale(String),
}

/// Writes the state as an apply goes. When a shared backend cannot be written (the
/// database is down, or another run wrote in between), the apply goes on with what is in
/// flight and the state goes to a local errored file, so that nothing is lost.
pub struct BackendPersist<'a> {
    backend: &'a mut Backend,
    /// What the backend holds.
    previous: State,
    errored_path: PathBuf,
    /// The errored file holds the newest state, while the backend is behind.
    errored: Option<Behind>,
    notify: crate::Notify<'a>,
}

impl<'a> BackendPersist<'a> {
    pub fn new(
        wd: &Workdir,
        backend: &'a mut Backend,
        previous: State,
        notify: crate::Notify<'a>,
    ) -> BackendPersist<'a> {
        BackendPersist {
            backend,
            previous,
            errored_path: wd.errored_path(),
            errored: None,
            notify,
        }
    }

    /// How to recover, if the backend could not be written.
    pub fn errored_message(&self) -> Option<String> {
        let p = self.errored_path.display();
        Some(match self.errored.as_ref()? {
            Behind::Stale(why) => format!("Error: {why}.\nThe state this run ended with is in {p}. Run maform plan to see where things stand now; push that file only after comparing (maform state push --force {p})."),
            Behind::Unreachable(why) => format!("Error: the state could not be saved to {}: {why}\nNothing is lost: the state with every change this run made is in {p}.\nOnce the database is reachable again, upload it with:\n    maform state push {p}", self.backend.describe()),
        })
    }
}

impl Persist for BackendPersist<'_> {
    async fn persist(&mut self, state: &mut State) -> anyhow::Result<()> {
        match self.backend.write(state, &self.previous).await {
            Ok(true) => {
                self.previous = state.clone();
                if self.errored.take().is_some() {
                    let _ = std::fs::remove_file(&self.errored_path);
                    (self.notify)(&format!(
                        "The state is saved to {} again; {} is no longer needed and was removed.",
                        self.backend.describe(),
                        self.errored_path.display()
                    ));
                }
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(e) if !self.backend.is_local() => {
                crate::fsutil::atomic_write(&self.errored_path, &state.to_bytes())?;
                if self.errored.is_none() {
                    (self.notify)(&format!("Warning: cannot save the state to {}: {e:#}\n  The state goes to {} meanwhile; the operations under way go on.", self.backend.describe(), self.errored_path.display()));
                }
                let why = e.to_string();
                self.errored = Some(match e {
                    StateError::Stale(_) => Behind::Stale(why),
                    _ => Behind::Unreachable(why),
                });
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// How an apply ended.
pub struct Applied {
    pub summary: Summary,
    /// Set when the state is in the errored file, not the backend: what to do.
    pub errored: Option<String>,
    /// Output preconditions that failed on the final state.
    pub errors: Vec<String>,
}

impl Applied {
    pub fn exit_code(&self) -> i32 {
        i32::from(self.errored.is_some() || self.summary.unsuccessful() || !self.errors.is_empty())
    }
}

/// Everything one execution needs.
pub struct Execution<'a> {
    pub wd: &'a Workdir,
    pub l: &'a Loaded,
    pub plan: &'a Plan,
    pub data: &'a Objects,
    pub cloud: &'a Cloud,
    pub parallelism: usize,
    pub events: UnboundedSender<Event>,
    pub cancel: Cancel,
    pub notify: crate::Notify<'a>,
}

/// Execute `x.plan` from `state` (the refreshed state), then record outputs and the final
/// state. Events go to `x.events`; the summary and outputs are sent last.
pub async fn execute(
    x: Execution<'_>,
    state: &mut State,
    backend: &mut Backend,
    prior: State,
) -> anyhow::Result<Applied> {
    // The state records where its objects live (a state from before this was recorded
    // gets it now).
    x.cloud.record(state);
    let journal = std::sync::Arc::new(backend.journal(&x.wd.dir));
    let mut persist = BackendPersist::new(x.wd, backend, prior, x.notify);
    let ctx = apply::Context {
        cfg: &x.l.cfg,
        vars: &x.l.vars,
        data: x.data,
        providers: x.cloud.providers(),
        parallelism: x.parallelism,
        events: x.events.clone(),
        journal: Some(journal.clone()),
        cancel: x.cancel.clone(),
    };
    let summary = apply::apply(&ctx, x.plan, state, &mut persist).await?;
    let mut errors = Vec::new();
    if summary.destroy {
        state.outputs.clear();
    } else {
        errors = apply::outputs(&x.l.cfg, &x.l.vars, x.data, state)
            .iter()
            .map(|d| d.to_string())
            .collect();
        // The check blocks' data sources are read again, on what apply made.
        let mut data;
        let mut seen = x.data;
        if x.l.cfg.has_check_data() {
            data = x.data.clone();
            match super::refresh::read_check_data(
                &x.cloud.providers(),
                &x.l.cfg,
                &x.l.vars,
                state,
                &mut data,
            )
            .await
            {
                Ok(failed) => {
                    for d in failed {
                        let _ = x.events.send(Event::Warning(d.to_string()));
                    }
                }
                // (A check never stops a run: what it could not evaluate is a warning.)
                Err(e) => {
                    let _ = x.events.send(Event::Warning(format!("{e:#}")));
                }
            }
            seen = &data;
        }
        for w in apply::checks(&x.l.cfg, &x.l.vars, seen, state) {
            let _ = x.events.send(Event::Warning(w));
        }
    }
    x.cloud.record(state);
    persist.persist(state).await?;
    let errored = persist.errored_message();
    if !summary.aborted && errored.is_none() {
        // Every create the journal knew of is now in the state (or never happened).
        journal.clear().await?;
    }
    let _ = x.events.send(Event::Summary(summary));
    let outs = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), (!o.sensitive).then(|| o.value.clone())))
        .collect();
    let _ = x.events.send(Event::Outputs(outs));
    Ok(Applied {
        summary,
        errored,
        errors,
    })
}

/// A plan with nothing to do still records what the refresh saw, as Terraform does (the
/// states are taken out of `p`). Returns what to do if the backend could not take it.
pub async fn record_refresh(
    wd: &Workdir,
    p: &mut Planned,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Option<String>> {
    let mut st = std::mem::take(&mut p.refreshed);
    p.cloud.record(&mut st);
    // The plan checked the outputs' preconditions on these same values.
    let _ = apply::outputs(&p.l.cfg, &p.l.vars, &p.data, &mut st);
    let prior = std::mem::take(&mut p.prior);
    let mut persist = BackendPersist::new(wd, &mut p.backend, prior, notify);
    persist.persist(&mut st).await?;
    Ok(persist.errored_message())
}

/// Everything to apply a saved plan exactly: the configuration and variables are checked
/// against the plan first, then, under the lock, the state's lineage and serial.
pub async fn prepare_saved(
    wd: &Workdir,
    file: &std::path::Path,
    inputs: &crate::config::vars::Inputs,
    locking: crate::state::backend::Locking,
    registry: &crate::provider::Registry,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Planned> {
    let saved = SavedPlan::read(file, registry)?;
    let l = super::load(wd, inputs)?;
    let f = file.display();
    let digest = crate::plan::saved::config_digest(&l.cfg.all_files(), &saved.plan.reads)
        .map_err(|e| anyhow::anyhow!("the configuration changed since {f} was made ({e:#}); run maform plan --out again and review the new plan"))?;
    if digest != saved.config_digest {
        anyhow::bail!("the configuration changed since {f} was made; run maform plan --out again and review the new plan");
    }
    saved.check_variables(&l.vars)?;
    let mut backend = wd.config_backend(&l.cfg).await?;
    backend.acquire("apply", locking, notify).await?;
    let prior = backend.read().await?;
    super::check_state(&l, &prior)?;
    backend.preflight()?;
    if prior.lineage != saved.lineage && (backend.exists() || saved.serial > 0) {
        anyhow::bail!("{f} was planned against a different state (lineage {}), not this one (lineage {}); make a new plan here", saved.lineage, prior.lineage);
    }
    if prior.serial != saved.serial {
        anyhow::bail!("the state changed since {f} was made (serial {} then, {} now): another apply ran in between. Run maform plan --out again and review the new plan", saved.serial, prior.serial);
    }
    let mut state = prior.clone();
    if !backend.exists() {
        state.lineage = saved.lineage.clone();
    }
    // Objects the plan moved take their new addresses.
    for (from, to) in &saved.plan.moves {
        crate::plan::moves::rename(&mut state, from, to);
    }
    // Objects imported by the plan enter the state as planned.
    for (a, _) in &saved.plan.imports {
        if let Some(c) = saved.plan.changes.iter().find(|c| c.addr == *a) {
            if let Some(b) = &c.before {
                state.instances.insert(
                    a.clone(),
                    Instance {
                        attributes: b.clone(),
                        sensitive: c.sensitive.clone(),
                        dependencies: c.deps.clone(),
                        tainted: false,
                    },
                );
            }
        }
    }
    // Apply starts from the objects as the plan saw them, and what the configuration gives
    // now is what was reviewed, value by value.
    let mut state = crate::plan::exact::reviewed_state(&saved.plan, state);
    saved.plan.rewrite_digests(&mut state);
    crate::plan::exact::check(&saved.plan, &l.cfg, &l.vars, &saved.data, &state).map_err(|e| {
        anyhow::anyhow!("{f} no longer matches the configuration: {e}. Nothing was applied; run maform plan --out again and review the new plan")
    })?;
    let cloud = super::provider::select(&l.cfg, &l.vars, &prior, notify).await?;
    Ok(Planned {
        l,
        plan: saved.plan,
        prior,
        refreshed: state,
        data: saved.data,
        backend,
        cloud,
    })
}
