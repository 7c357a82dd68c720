//! `maform graph [--plan]`: the resource graph in DOT, nodes labelled with their planned
//! action when asked.

use super::{Exit, PlanArgs, VarArgs, Workdir};
use crate::addr::ResourceAddr;
use crate::ops::Loaded;
use crate::plan::Action;
use std::collections::BTreeMap;
use std::time::Duration;

pub async fn run(wd: &Workdir, plan: bool, vars: VarArgs) -> anyhow::Result<Exit> {
    let l = crate::ops::load(wd, &vars.inputs())?;
    let actions = if plan {
        let p = PlanArgs {
            vars,
            lock_timeout: Duration::ZERO,
            destroy: false,
            refresh_only: false,
            replace: vec![],
            target: vec![],
            refresh: true,
        };
        let pl = crate::ops::plan::make_plan(wd, &p.request()?, "plan", &super::stderr).await?;
        pl.cloud.stop(&super::stderr).await?;
        pl.plan
            .changes
            .iter()
            .map(|c| (c.addr.resource.clone(), c.action))
            .collect()
    } else {
        BTreeMap::new()
    };
    print!("{}", dot(&l, &actions));
    Ok(Exit(0))
}

fn dot(l: &Loaded, actions: &BTreeMap<ResourceAddr, Action>) -> String {
    let mut s = String::from(
        "digraph maform {\n  rankdir = \"BT\";\n  node [shape = box, fontname = \"Helvetica\"];\n",
    );
    for r in &l.cfg.resources {
        let key = r.addr();
        let label = match actions.get(&key) {
            Some(a) => format!("{key}\\n({})", a.json_actions().join(", ")),
            None => key.to_string(),
        };
        let color = actions
            .get(&key)
            .and_then(|a| a.text().color)
            .map(|c| format!(", color = \"{c}\""))
            .unwrap_or_default();
        s.push_str(&format!("  \"{key}\" [label = \"{label}\"{color}];\n"));
    }
    for (i, r) in l.cfg.resources.iter().enumerate() {
        for d in &l.graph.deps[i] {
            s.push_str(&format!("  \"{}\" -> \"{d}\";\n", r.addr()));
        }
    }
    s.push_str("}\n");
    s
}
