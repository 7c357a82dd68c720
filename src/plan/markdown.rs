//! A plan (or a drift report) as Markdown for a pull-request comment: counts first,
//! replacements and deletions called out, then one collapsible section per resource with
//! its attribute diff; sensitive values are redacted as in the human view.

use super::{render, Action, Plan};
use crate::provider::Registry;
use std::fmt::Write;

pub fn plan(p: &Plan, registry: &Registry) -> String {
    let mut out = String::new();
    let n = p.counts();
    let (a, c, d) = (n.add, n.change, n.destroy);
    let acting: Vec<_> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if acting.is_empty() && p.moves.is_empty() {
        let _ = writeln!(
            out,
            "### maform plan: no changes\n\nThe infrastructure matches the configuration."
        );
    } else {
        let forget = if n.forget > 0 {
            format!(", {} to forget", n.forget)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "### maform plan: {a} to add, {c} to change, {d} to destroy{forget}\n"
        );
    }
    if !p.moves.is_empty() {
        let _ = writeln!(out, "**Moved (kept, at a new address):**\n");
        for (from, to) in &p.moves {
            let _ = writeln!(out, "- `{from}` → `{to}`");
        }
        out.push('\n');
    }
    let risky: Vec<_> = acting.iter().filter(|c| c.action.destroys()).collect();
    if !risky.is_empty() {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **{} object(s) will be destroyed or replaced:**",
            risky.len()
        );
        for ch in &risky {
            let why = ch
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "> - {} `{}`{} {}{why}",
                ch.action.text().icon,
                ch.addr,
                ch.deposed
                    .as_ref()
                    .map(|k| format!(" (deposed object `{k}`)"))
                    .unwrap_or_default(),
                ch.action.text().md_phrase
            );
        }
        out.push('\n');
    }
    if !p.drift.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>⚠️ {} object(s) changed outside maform</summary>\n\n```diff",
            p.drift.len()
        );
        let mut s = String::new();
        render::drift(&mut s, &p.drift, registry);
        out.push_str(&diffify(&s));
        out.push_str("```\n</details>\n\n");
    }
    // Replacements and deletions first, then creates and updates.
    let mut ordered = acting.clone();
    ordered.sort_by_key(|c| match c.action {
        Action::Replace | Action::CreateThenDelete => 0,
        Action::Delete => 1,
        Action::Update => 2,
        _ => 3,
    });
    for ch in ordered {
        let mut s = String::new();
        render::change(&mut s, ch, registry);
        let _ = writeln!(
            out,
            "<details><summary>{} <code>{}</code> {}</summary>\n\n```diff\n{}```\n</details>\n",
            ch.action.text().icon,
            ch.addr,
            ch.action.text().md_phrase,
            diffify(&s)
        );
    }
    // What depends on what, among the changes: a Mermaid flowchart code hosts render.
    let resources: Vec<&crate::addr::ResourceAddr> = {
        let mut r: Vec<_> = acting.iter().map(|c| &c.addr.resource).collect();
        r.dedup();
        r
    };
    if resources.len() > 1 {
        out.push_str("<details><summary>Graph of the planned changes</summary>\n\n```mermaid\nflowchart BT\n");
        for (i, r) in resources.iter().enumerate() {
            let acts: Vec<&str> = acting
                .iter()
                .filter(|c| c.addr.resource == **r)
                .map(|c| c.action.text().name)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let _ = writeln!(
                out,
                "  r{i}[\"{r}<br/>{}\"]",
                acts.join(", ").replace('"', "#quot;")
            );
        }
        let mut edges = std::collections::BTreeSet::new();
        for c in &acting {
            let Some(i) = resources.iter().position(|r| **r == c.addr.resource) else {
                continue;
            };
            for d in &c.deps {
                if let Some(j) = resources.iter().position(|r| *r == d) {
                    edges.insert((i, j));
                }
            }
        }
        for (i, j) in edges {
            let _ = writeln!(out, "  r{i} --> r{j}");
        }
        out.push_str("```\n</details>\n\n");
    }
    let outs: Vec<_> = p.outputs.iter().filter(|o| o.before != o.after).collect();
    if !outs.is_empty() {
        let _ = writeln!(
            out,
            "**Outputs:** {}",
            outs.iter()
                .map(|o| format!("`{}`", o.name))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

/// Markdown for a drift report alone.
pub fn drift(p: &Plan, registry: &Registry) -> String {
    let mut out = String::new();
    if p.drift.is_empty() {
        out.push_str("### maform drift: none\n\nEvery managed object matches the state.\n");
        return out;
    }
    let deleted = p.drift.iter().filter(|d| d.after.is_none()).count();
    let _ = writeln!(
        out,
        "### maform drift: {} object(s) changed outside maform ({} deleted)\n",
        p.drift.len(),
        deleted
    );
    for d in &p.drift {
        let mut s = String::new();
        render::drift(&mut s, std::slice::from_ref(d), registry);
        let what = if d.after.is_none() {
            "was deleted"
        } else {
            "has changed"
        };
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code> {what}</summary>\n\n```diff\n{}```\n</details>\n",
            d.addr,
            diffify(&s)
        );
    }
    out
}

/// Lines marked `~` become `!` so that a diff block highlights them too.
fn diffify(s: &str) -> String {
    s.lines()
        .map(|l| {
            let t = l.trim_start();
            let pad = l.len() - t.len();
            match t.chars().next() {
                Some('+') | Some('-') => format!("{}{}{}", &t[..1], " ".repeat(pad), &t[1..]),
                Some('~') => format!("!{}{}", " ".repeat(pad), &t[1..]),
                _ => format!(" {l}"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
