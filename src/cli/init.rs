//! `maform init [--migrate-state|--reconfigure]`.

use super::{Exit, Workdir};

pub async fn run(wd: &Workdir, migrate: bool, reconfigure: bool) -> anyhow::Result<Exit> {
    crate::ops::init::init(wd, migrate, reconfigure, &super::stderr, &super::stdout).await?;
    Ok(Exit(0))
}
