//! `maform graph [--plan] [--format dot|mermaid]`: the resource graph in DOT or as a
//! Mermaid flowchart (which code hosts render), nodes labelled with their planned action
//! when asked.

use super::{Exit, PlanArgs, VarArgs, Workdir};
use crate::addr::ResourceAddr;
use crate::ops::Loaded;
use crate::plan::Action;
use std::collections::BTreeMap;

pub async fn run(
    wd: &Workdir,
    plan: bool,
    format: super::GraphFormat,
    vars: VarArgs,
) -> anyhow::Result<Exit> {
    let l = crate::ops::load(wd, &vars.inputs_without_prompt())?;
    let actions = if plan {
        let p = PlanArgs {
            vars,
            lock: Default::default(),
            destroy: false,
            refresh_only: false,
            replace: vec![],
            target: vec![],
            refresh: true,
            compact_warnings: false,
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
    match format {
        super::GraphFormat::Dot => print!("{}", dot(&l, &actions)),
        super::GraphFormat::Mermaid => print!("{}", mermaid(&l, &actions)),
    }
    Ok(Exit(0))
}

/// A Mermaid flowchart: one node per resource (its planned action in the label when
/// known) and per module call, an edge from each to what it depends on.
pub fn mermaid(l: &Loaded, actions: &BTreeMap<ResourceAddr, Action>) -> String {
    let id = |i: usize| format!("r{i}");
    let mut s = String::from("flowchart BT\n");
    for (i, r) in l.cfg.resources.iter().enumerate() {
        let key = r.addr();
        let label = match actions.get(&key) {
            Some(a) if *a != Action::NoOp => format!("{key}<br/>{}", a.json_actions().join(", ")),
            _ => key.to_string(),
        };
        s.push_str(&format!(
            "  {}[\"{}\"]\n",
            id(i),
            label.replace('"', "#quot;")
        ));
    }
    let index: BTreeMap<ResourceAddr, usize> = l
        .cfg
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.addr(), i))
        .collect();
    for (i, _) in l.cfg.resources.iter().enumerate() {
        for d in &l.graph.deps[i] {
            if let Some(j) = index.get(d) {
                s.push_str(&format!("  {} --> {}\n", id(i), id(*j)));
            }
        }
        for m in &l.graph.module_deps[i] {
            s.push_str(&format!("  {} --> m_{m}\n", id(i)));
        }
    }
    // Module calls: one node each (a subroutine shape), with what their arguments read.
    for (name, (res, mods)) in &l.graph.call_deps {
        s.push_str(&format!("  m_{name}[[\"module.{name}\"]]\n"));
        for d in res {
            if let Some(j) = index.get(d) {
                s.push_str(&format!("  m_{name} --> {}\n", id(*j)));
            }
        }
        for m in mods {
            s.push_str(&format!("  m_{name} --> m_{m}\n"));
        }
    }
    s
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
        for m in &l.graph.module_deps[i] {
            s.push_str(&format!("  \"{}\" -> \"module.{m}\";\n", r.addr()));
        }
    }
    // Module calls: one node each, with what their arguments read.
    for (name, (res, mods)) in &l.graph.call_deps {
        s.push_str(&format!(
            "  \"module.{name}\" [label = \"module.{name}\", shape = component];\n"
        ));
        for d in res {
            s.push_str(&format!("  \"module.{name}\" -> \"{d}\";\n"));
        }
        for m in mods {
            s.push_str(&format!("  \"module.{name}\" -> \"module.{m}\";\n"));
        }
    }
    s.push_str("}\n");
    s
}
