//! `maform drift`: what changed outside maform; exit 0 (none), 2 (drift) or 1 (error).

use super::{Exit, Format, LockArgs, PlanArgs, VarArgs};
use crate::ops::Workdir;

pub async fn run(
    wd: &Workdir,
    vars: VarArgs,
    lock: LockArgs,
    format: Format,
) -> anyhow::Result<Exit> {
    let p = PlanArgs::refresh_only(vars, lock);
    let mut pl = crate::ops::plan::make_plan(wd, &p.request()?, "drift", &super::stderr).await?;
    pl.backend.unlock().await;
    pl.cloud.stop(&super::stderr).await?;
    let registry = pl.l.cfg.registry;
    let drift = &pl.plan.drift;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&crate::plan::json::drift_report(drift))?
        ),
        Format::Markdown => print!("{}", crate::plan::markdown::drift(&pl.plan, registry)),
        Format::Human => {
            if drift.is_empty() {
                println!("No drift: every managed object matches the state.");
            } else {
                let deleted = drift.iter().filter(|d| d.after.is_none()).count();
                println!(
                    "Drift: {} object(s) changed outside maform ({deleted} deleted).\n",
                    drift.len()
                );
                let mut s = String::new();
                crate::plan::render::drift(&mut s, drift, registry);
                print!("{s}");
                println!("To accept these changes into the state: maform apply --refresh-only. To undo them: maform apply.");
            }
        }
    }
    Ok(Exit(if drift.is_empty() { 0 } else { 2 }))
}
