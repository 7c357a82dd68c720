//! `maform import ADDR ID [--generate-config FILE]`.

use super::{Exit, VarArgs, Workdir};
use crate::addr::InstanceAddr;
use std::path::Path;

pub async fn run(
    wd: &Workdir,
    addr: &str,
    id: &str,
    generate: Option<&Path>,
    vars: &VarArgs,
    locking: crate::state::backend::Locking,
) -> anyhow::Result<Exit> {
    let a = InstanceAddr::parse(addr)?;
    crate::ops::import::import(
        wd,
        &a,
        id,
        generate,
        &vars.inputs(),
        locking,
        &super::stderr,
        &super::stdout,
    )
    .await?;
    println!("{a}: Import prepared!\n  Imported {} (id={id})\n\nImport successful! The object is now managed by maform.", a.rtype());
    Ok(Exit(0))
}
