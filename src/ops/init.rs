//! `maform init`: set up the configured backend (the PostgreSQL schema and tables) and,
//! with `--migrate-state`, move every workspace's state from the backend used before.
//! Says what it did, line by line, through `say` (the CLI's standard output).

use super::Workdir;
use crate::config::{BackendConfig, Config};
use crate::state::backend::{self, Backend, Recorded};
use crate::state::State;
use std::time::Duration;

fn place(c: &BackendConfig) -> String {
    match backend::pg_settings(c) {
        Ok(Some(s)) => s.describe(),
        _ => "the local state files".to_string(),
    }
}

/// Initialise `wd`'s backend; `migrate` moves state from the previous backend,
/// `reconfigure` uses the new one as it is.
pub async fn init(
    wd: &Workdir,
    migrate: bool,
    reconfigure: bool,
    notify: crate::Notify<'_>,
    say: crate::Notify<'_>,
) -> anyhow::Result<()> {
    let cfg = Config::load_dir(&wd.dir)?;
    let target = cfg.backend.clone();
    let previous = Recorded::load(&wd.dir)?
        .map(|r| r.config())
        .unwrap_or(BackendConfig::Local);
    if let Some(s) = backend::pg_settings(&target)? {
        let did = crate::state::pg::init(&s).await?;
        if did.is_empty() {
            say(&format!(
                "{}: the maform tables exist already.",
                s.describe()
            ));
        }
        for d in did {
            say(&format!("{}: {d}.", s.describe()));
        }
    }
    let changed = !Recorded::of(&previous).same_place(&Recorded::of(&target));
    if changed {
        let with_state = Backend::open(&wd.dir, &previous, "default")
            .await?
            .stored_workspaces(&wd.dir)
            .await?;
        if !with_state.is_empty() && !migrate && !reconfigure {
            anyhow::bail!(
                "the backend changed from {} to {}, and {} workspace(s) have state in the old one ({}). Run maform init --migrate-state to move them, or maform init --reconfigure to use the new backend as it is",
                place(&previous),
                place(&target),
                with_state.len(),
                with_state.join(", ")
            );
        }
        if migrate {
            for ws in &with_state {
                migrate_workspace(wd, &previous, &target, ws, notify, say).await?;
            }
            if with_state.is_empty() {
                say(&format!("No state to migrate from {}.", place(&previous)));
            }
        }
    }
    Recorded::of(&target).save(&wd.dir)?;
    say(&format!(
        "\nmaform has been successfully initialized: the state lives in {}.",
        place(&target)
    ));
    Ok(())
}

/// Move one workspace's state, refusing to replace a different lineage or a newer serial
/// at the destination. The bytes, read under the source's lock, are stored as they are.
async fn migrate_workspace(
    wd: &Workdir,
    from_cfg: &BackendConfig,
    to_cfg: &BackendConfig,
    ws: &str,
    notify: crate::Notify<'_>,
    say: crate::Notify<'_>,
) -> anyhow::Result<()> {
    let mut from = Backend::open(&wd.dir, from_cfg, ws).await?;
    from.lock("migrate state", Duration::ZERO, notify).await?;
    let Some(bytes) = from.read_bytes().await? else {
        from.unlock().await;
        return Ok(());
    };
    let mut to = Backend::open(&wd.dir, to_cfg, ws).await?;
    to.lock("migrate state", Duration::ZERO, notify).await?;
    let st = State::from_bytes(&bytes, &format!("workspace {ws:?} in {}", from.describe()))?;
    let existing = to.read().await?;
    if to.exists() {
        if existing.lineage != st.lineage {
            anyhow::bail!("cannot migrate workspace {ws:?}: {} holds a state of another lineage ({}, not {}); nothing was changed. Remove it there first if it is not needed", to.describe(), existing.lineage, st.lineage);
        }
        if existing.serial > st.serial {
            anyhow::bail!("cannot migrate workspace {ws:?}: {} holds a newer state (serial {} > {}); nothing was changed", to.describe(), existing.serial, st.serial);
        }
        if existing.serial == st.serial {
            if !existing.same_content(&st) {
                anyhow::bail!("cannot migrate workspace {ws:?}: {} holds a different state with the same serial {}; nothing was changed", to.describe(), st.serial);
            }
            say(&format!(
                "Workspace {ws:?}: {} has this state already (serial {}).",
                to.describe(),
                st.serial
            ));
            return Ok(());
        }
    }
    to.replace(&st, bytes.clone(), existing.serial).await?;
    say(&format!(
        "Workspace {ws:?}: moved the state (serial {}, {} object(s)) from {} to {}.",
        st.serial,
        st.instances.len(),
        from.describe(),
        to.describe()
    ));
    if let Backend::Local(b) = &from {
        // The local copy is kept, renamed, so that no later run reads it by mistake.
        let kept = b.path.with_extension("json.migrated");
        std::fs::rename(&b.path, &kept)?;
        say(&format!("  The local file is kept as {}.", kept.display()));
    }
    to.unlock().await;
    from.unlock().await;
    Ok(())
}
