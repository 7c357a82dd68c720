//! `maform plan`: the plan in the chosen format, optionally saved for `apply FILE`.

use super::{Exit, Format, PlanArgs};
use crate::ops::Workdir;
use std::path::Path;

pub async fn run(
    wd: &Workdir,
    p: &PlanArgs,
    detailed_exitcode: bool,
    out: Option<&Path>,
    format: Format,
) -> anyhow::Result<Exit> {
    let mut pl = crate::ops::plan::make_plan(wd, &p.request()?, "plan", &super::stderr).await?;
    pl.backend.unlock().await;
    let result = (|| -> anyhow::Result<()> {
        if let Some(f) = out {
            crate::ops::plan::save(&pl, f)?;
        }
        match format {
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(&crate::plan::json::plan_json(
                    &pl.plan,
                    &pl.prior,
                    &pl.l.vars.for_json(),
                    Some(&pl.l.cfg),
                ))?
            ),
            Format::Markdown => print!(
                "{}",
                crate::plan::markdown::plan(&pl.plan, pl.l.cfg.registry)
            ),
            Format::Human => {
                if !p.target.is_empty() {
                    println!("Warning: resource targeting is in effect: this plan covers only {} and what it depends on.\n", p.target.join(", "));
                }
                print!("{}", crate::plan::render::plan(&pl.plan, pl.l.cfg.registry));
                if let Some(f) = out {
                    println!("\nSaved the plan to: {}\n\nTo perform exactly these actions, run:\n    maform apply {}", f.display(), f.display());
                }
            }
        }
        Ok(())
    })();
    pl.cloud.stop(&super::stderr).await?;
    // (In full when the plan failed, as Terraform shows warnings that come with errors.)
    super::print_warnings(&pl.plan, p.compact_warnings && result.is_ok());
    result?;
    let changed = pl.plan.has_changes() || (p.refresh_only && !pl.plan.drift.is_empty());
    Ok(Exit(if detailed_exitcode && changed { 2 } else { 0 }))
}
