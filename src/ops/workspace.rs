//! Workspaces: independent states of one configuration. The selection is per checkout
//! (`.maform/environment`, or `MAFORM_WORKSPACE`).

use super::Workdir;
use crate::state::backend::Backend;
use std::time::Duration;

/// Whether `name` can name a workspace.
pub fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 90
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Every workspace, "default" included.
pub async fn list(wd: &Workdir) -> anyhow::Result<Vec<String>> {
    let bcfg = wd.recorded_backend()?;
    Ok(Backend::open(&wd.dir, &bcfg, &wd.workspace)
        .await?
        .workspaces(&wd.dir)
        .await?)
}

fn select_file(wd: &Workdir, name: &str) -> anyhow::Result<()> {
    crate::fsutil::atomic_write(&wd.maform_dir().join("environment"), name.as_bytes())
}

/// Create a workspace with an empty state, and select it.
pub async fn new(wd: &Workdir, name: &str, notify: crate::Notify<'_>) -> anyhow::Result<()> {
    if !valid_name(name) {
        anyhow::bail!("invalid workspace name {name:?}: use letters, digits, - and _");
    }
    if list(wd).await?.iter().any(|w| w == name) {
        anyhow::bail!(
            "workspace {name:?} already exists; select it with maform workspace select {name}"
        );
    }
    let mut b = Backend::open(&wd.dir, &wd.recorded_backend()?, name).await?;
    b.lock("workspace new", Duration::ZERO, notify).await?;
    let empty = b.read().await?;
    let mut st = empty.clone();
    b.write(&mut st, &empty).await?;
    b.unlock().await;
    select_file(wd, name)
}

/// Select an existing workspace.
pub async fn select(wd: &Workdir, name: &str) -> anyhow::Result<()> {
    if !list(wd).await?.iter().any(|w| w == name) {
        anyhow::bail!(
            "workspace {name:?} does not exist; create it with maform workspace new {name}"
        );
    }
    select_file(wd, name)
}

/// Delete a workspace: never the default or the current one, and only an empty one
/// unless `force` (its objects keep existing in the cloud).
pub async fn delete(
    wd: &Workdir,
    name: &str,
    force: bool,
    notify: crate::Notify<'_>,
) -> anyhow::Result<()> {
    if name == "default" {
        anyhow::bail!("the default workspace cannot be deleted");
    }
    if name == wd.workspace {
        anyhow::bail!("workspace {name:?} is the current one; select another before deleting it");
    }
    if !list(wd).await?.iter().any(|w| w == name) {
        anyhow::bail!("workspace {name:?} does not exist");
    }
    let mut b = Backend::open(&wd.dir, &wd.recorded_backend()?, name).await?;
    b.lock("workspace delete", Duration::ZERO, notify).await?;
    let st = b.read().await?;
    if !st.instances.is_empty() && !force {
        anyhow::bail!("workspace {name:?} still manages {} object(s); destroy them first, or pass --force to forget them (they keep existing in ModelArts)", st.instances.len());
    }
    b.delete().await?;
    b.unlock().await;
    Ok(())
}
