//! `maform apply` and `maform destroy`: show the plan, ask (unless `--auto-approve`),
//! execute with progress, exit 1 if anything failed. `apply FILE` applies a saved plan
//! exactly, without a prompt.

use super::style::Style;
use super::{progress, Exit, PlanArgs, Workdir};
use crate::apply::Cancel;
use crate::ops::apply::{Applied, Execution};
use crate::ops::plan::Planned;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The plan as JSON events, for `--json`.
fn emit_plan_json(plan: &crate::plan::Plan) {
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action != crate::plan::Action::NoOp)
    {
        progress::emit_json(
            "planned_change",
            &format!(
                "{}: Plan to {}",
                c.addr,
                c.action.json_actions().join(" and ")
            ),
            serde_json::json!({"change": {"resource": progress::resource_json(&c.addr), "action": c.action.json_actions().join("-")}}),
        );
    }
    let n = plan.counts();
    progress::emit_json(
        "change_summary",
        &format!(
            "Plan: {} to add, {} to change, {} to destroy.",
            n.add, n.change, n.destroy
        ),
        serde_json::json!({"changes": {"add": n.add, "change": n.change, "remove": n.destroy, "import": plan.imports.len(), "operation": "plan"}}),
    );
}

/// Run the plan with the progress view, from the refreshed state (both are taken out of
/// `pl`, not copied); the view ends when the events do.
async fn execute(
    wd: &Workdir,
    pl: &mut Planned,
    parallelism: usize,
    json: bool,
    color: Style,
    compact_warnings: bool,
) -> anyhow::Result<Exit> {
    let plan = &std::mem::take(&mut pl.plan);
    let state = &mut std::mem::take(&mut pl.refreshed);
    let prior = std::mem::take(&mut pl.prior);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let total = crate::apply::operations(plan);
    let mode = if json {
        progress::Mode::Json
    } else if std::io::stdout().is_terminal() {
        progress::Mode::Live
    } else {
        progress::Mode::Lines
    };
    // With -compact-warnings, the apply's own warnings are summed up at its end (the
    // plan's were, before the question).
    let compact = (compact_warnings && !json).then(Vec::new);
    let view = tokio::spawn(progress::render(rx, mode, color, total, compact));
    let cancel = Cancel::default();
    super::signals::watch(&cancel);
    let x = Execution {
        wd,
        l: &pl.l,
        plan,
        data: &pl.data,
        cloud: &pl.cloud,
        parallelism,
        events: tx,
        cancel,
        notify: &super::stderr,
    };
    let r = crate::ops::apply::execute(x, state, &mut pl.backend, prior).await;
    let _ = view.await;
    let applied: Applied = r?;
    for e in &applied.errors {
        eprintln!("{}", crate::redact::scrub(&format!("Error: {e}")));
    }
    if let Some(m) = &applied.errored {
        eprintln!("\n{}", crate::redact::scrub(m));
    }
    Ok(Exit(applied.exit_code()))
}

pub async fn run(
    wd: &Workdir,
    p: &PlanArgs,
    auto_approve: bool,
    parallelism: usize,
    json: bool,
    color: Style,
) -> anyhow::Result<Exit> {
    let destroy = p.destroy;
    if !auto_approve && !std::io::stdin().is_terminal() {
        anyhow::bail!("{} needs approval, and there is no terminal to ask in; pass --auto-approve to run non-interactively", if destroy { "destroy" } else { "apply" });
    }
    let op = if destroy { "destroy" } else { "apply" };
    let mut pl = crate::ops::plan::make_plan(wd, &p.request()?, op, &super::stderr).await?;
    let registry = pl.l.cfg.registry;
    if json {
        emit_plan_json(&pl.plan);
    } else {
        if !p.target.is_empty() {
            println!("Warning: resource targeting is in effect: this apply covers only {} and what it depends on.\n", p.target.join(", "));
        }
        print!("{}", crate::plan::render::plan(&pl.plan, registry));
        // (Before the question: what is approved is seen.)
        super::print_warnings(&pl.plan, p.compact_warnings);
    }
    if !pl.plan.has_changes() && (!p.refresh_only || pl.plan.drift.is_empty()) {
        let errored = crate::ops::apply::record_refresh(wd, &mut pl, &super::stderr).await?;
        pl.backend.unlock().await;
        pl.cloud.stop(&super::stderr).await?;
        if let Some(m) = errored {
            eprintln!("\n{}", crate::redact::scrub(&m));
            return Ok(Exit(1));
        }
        return Ok(Exit(0));
    }
    if !auto_approve {
        print!("\nDo you want to perform these actions?\n  maform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        if line.trim() != "yes" {
            println!("\n{} cancelled.", if destroy { "Destroy" } else { "Apply" });
            pl.cloud.stop(&super::stderr).await?;
            return Ok(Exit(1));
        }
    }
    if !json {
        println!();
    }
    let r = execute(wd, &mut pl, parallelism, json, color, p.compact_warnings).await;
    pl.backend.unlock().await;
    pl.cloud.stop(&super::stderr).await?;
    r
}

/// Apply exactly a saved plan, after checking that nothing it depends on changed.
pub async fn saved(
    wd: &Workdir,
    f: &Path,
    p: &PlanArgs,
    parallelism: usize,
    json: bool,
    color: Style,
) -> anyhow::Result<Exit> {
    // A saved plan is applied exactly as it was reviewed: a flag that would shape a plan
    // is refused rather than ignored.
    let shaping = [
        ("--destroy", p.destroy),
        ("--refresh-only", p.refresh_only),
        ("--replace", !p.replace.is_empty()),
        ("--target", !p.target.is_empty()),
        ("--refresh=false", !p.refresh),
    ];
    if let Some((flag, _)) = shaping.iter().find(|(_, set)| *set) {
        anyhow::bail!("{flag} cannot change a saved plan: {} is applied exactly as it was made. Make a new plan with {flag} (maform plan {flag} ... --out FILE) and apply that", f.display());
    }
    let quiet = |_: &str| {};
    let notify: crate::Notify<'_> = if json { &quiet } else { &super::stderr };
    let registry = crate::provider::Registry::modelarts();
    let mut pl = crate::ops::apply::prepare_saved(
        wd,
        f,
        &p.vars.inputs_without_prompt(),
        p.lock.locking(),
        registry,
        notify,
    )
    .await?;
    let r = execute(wd, &mut pl, parallelism, json, color, p.compact_warnings).await;
    pl.backend.unlock().await;
    pl.cloud.stop(&super::stderr).await?;
    r
}
