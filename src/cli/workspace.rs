//! `maform workspace list|show|new|select|delete`.

use super::{Exit, Workdir, WorkspaceCmd};
use crate::ops::workspace;

pub async fn run(wd: &Workdir, cmd: WorkspaceCmd) -> anyhow::Result<Exit> {
    let notify = &super::stderr;
    match cmd {
        WorkspaceCmd::List => {
            for w in workspace::list(wd).await? {
                println!("{} {w}", if w == wd.workspace { "*" } else { " " });
            }
        }
        WorkspaceCmd::Show => println!("{}", wd.workspace),
        WorkspaceCmd::New { name } => {
            workspace::new(wd, &name, notify).await?;
            println!("Created and switched to workspace {name:?}. It has an empty state.");
        }
        WorkspaceCmd::Select { name, or_create } => {
            if or_create && !workspace::list(wd).await?.contains(&name) {
                workspace::new(wd, &name, notify).await?;
                println!("Created and switched to workspace {name:?}. It has an empty state.");
            } else {
                workspace::select(wd, &name).await?;
                println!("Switched to workspace {name:?}.");
            }
        }
        WorkspaceCmd::Delete { name, force } => {
            workspace::delete(wd, &name, force, notify).await?;
            println!("Deleted workspace {name:?}.");
        }
    }
    Ok(Exit(0))
}
