//! `maform state list|show|rm|mv|pull|push` and `maform force-unlock`.

use super::{Exit, StateCmd, Workdir};
use crate::addr::InstanceAddr;
use crate::ops::state::Pushed;
use crate::provider::Registry;
use crate::state::backend::Backend;
use std::io::{IsTerminal, Write};

pub async fn run(wd: &Workdir, cmd: StateCmd) -> anyhow::Result<Exit> {
    let mut backend = wd.state_backend().await?;
    let r = edit(&mut backend, cmd).await;
    backend.unlock().await;
    r
}

async fn edit(backend: &mut Backend, cmd: StateCmd) -> anyhow::Result<Exit> {
    let notify = &super::stderr;
    match cmd {
        StateCmd::List { addrs, id } => {
            let targets = crate::ops::plan::parse_targets(&addrs)?;
            for (a, i) in &backend.read().await?.instances {
                let named = targets.is_empty() || a.targeted_by(&targets);
                let has_id = id
                    .as_deref()
                    .is_none_or(|id| i.attributes.get("id").as_str() == Some(id));
                if named && has_id {
                    println!("{a}");
                }
            }
        }
        StateCmd::Show { addr } => {
            let st = backend.read().await?;
            let a = InstanceAddr::parse(&addr)?;
            let i = st.instances.get(&a).ok_or_else(|| {
                let keyed: Vec<String> = st
                    .instances
                    .keys()
                    .filter(|x| a.key.is_none() && x.resource == a.resource)
                    .map(|x| x.to_string())
                    .collect();
                match keyed.first() {
                    Some(one) => anyhow::anyhow!(
                        "{a} has {} instances (count or for_each): show one of them, such as {one}",
                        keyed.len()
                    ),
                    None => anyhow::anyhow!("no object {a} in the state; see maform state list"),
                }
            })?;
            super::show::print_instance(&a, i, Registry::modelarts());
        }
        StateCmd::Pull { serial } => {
            let st = match serial {
                Some(n) => backend.read_version(n).await?,
                None => backend.read().await?,
            };
            std::io::stdout().write_all(&st.to_bytes())?;
        }
        StateCmd::Rm { addrs, lock } => {
            let targets = crate::ops::plan::parse_targets(&addrs)?;
            let gone = crate::ops::state::rm(backend, &targets, lock.locking(), notify).await?;
            for a in &gone {
                println!("Removed {a}");
            }
            println!(
                "Successfully removed {} object(s). They still exist in ModelArts.",
                gone.len()
            );
        }
        StateCmd::Mv { from, to, lock } => {
            let parse = |s: &str| {
                InstanceAddr::parse_target(s).map_err(|_| {
                    anyhow::anyhow!("invalid address {s:?}: write TYPE.NAME, TYPE.NAME[KEY], module.NAME or module.NAME[KEY] (and module.NAME.TYPE.NAME)")
                })
            };
            let (f, t) = (parse(&from)?, parse(&to)?);
            let made = crate::ops::state::mv(backend, &f, &t, lock.locking(), notify).await?;
            for (a, b) in &made {
                println!("Move {a} to {b}");
            }
            println!(
                "Successfully moved {} object(s) from {f} to {t}.",
                made.len()
            );
        }
        StateCmd::Rebind { lock } => {
            match crate::ops::state::rebind(backend, lock.locking(), notify).await? {
                Some(was) => println!(
                    "The state is no longer bound to {was}; the next apply records where it runs."
                ),
                None => println!(
                    "The state is not bound to a cloud yet; the next apply records where it runs."
                ),
            }
        }
        StateCmd::Push { file, force, lock } => {
            match crate::ops::state::push(backend, &file, force, lock.locking(), notify).await? {
                Pushed::Same(serial) => println!(
                    "{} is the state already (serial {serial}); nothing to push.",
                    file.display()
                ),
                Pushed::Stored(serial) => println!(
                    "Pushed {} to {} (serial {serial}).",
                    file.display(),
                    backend.describe()
                ),
            }
        }
    }
    Ok(Exit(0))
}

pub async fn force_unlock(wd: &Workdir, id: &str, force: bool) -> anyhow::Result<Exit> {
    let confirm = |h: &crate::state::LockInfo| {
        if !std::io::stdin().is_terminal() {
            return false;
        }
        print!("Do you really want to force-unlock?\n  The lock is held by {} for {} since {} (pid {}). If that run is still going, two runs will write the state.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ", h.who, h.operation, h.created, h.pid);
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).is_ok() && line.trim() == "yes"
    };
    let mut backend = wd.state_backend().await?;
    let what = crate::ops::state::force_unlock(&mut backend, id, force, &confirm).await?;
    println!("maform state has been successfully unlocked ({what} is gone).");
    Ok(Exit(0))
}
