//! The resource graph: references and `depends_on` between resources (through locals),
//! as a petgraph DAG. A cycle is an error naming its members and where they are declared.
//!
//! Owns dependency order. Pure: no network, no terminal.

use crate::addr::ResourceAddr;
use crate::config::eval::{body_references, references, Ref};
use crate::config::{Config, Diag, Diags};
use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Resource(usize),
    Local(String),
    Module(String),
}

/// What the planner walks in dependency order: a resource, or a module call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Resource(usize),
    Module(String),
}

/// Resources in dependency order, with each one's direct resource dependencies.
#[derive(Clone, Debug, Default)]
pub struct ResourceGraph {
    /// Indices into `Config::resources`, dependencies first.
    pub order: Vec<usize>,
    /// Resources and module calls, dependencies first.
    pub sequence: Vec<Item>,
    /// For each resource (by index), the resources it depends on, directly or through
    /// locals.
    pub deps: Vec<BTreeSet<ResourceAddr>>,
    /// For each resource (by index), the module calls it depends on.
    pub module_deps: Vec<BTreeSet<String>>,
    /// For each module call, the resources and module calls it depends on.
    pub call_deps: BTreeMap<String, (BTreeSet<ResourceAddr>, BTreeSet<String>)>,
}

pub fn build(cfg: &Config) -> Result<ResourceGraph, Diags> {
    let mut g: DiGraph<Node, ()> = DiGraph::new();
    let mut idx: BTreeMap<Node, NodeIndex> = BTreeMap::new();
    for (i, _) in cfg.resources.iter().enumerate() {
        idx.insert(Node::Resource(i), g.add_node(Node::Resource(i)));
    }
    for name in cfg.locals.keys() {
        idx.insert(
            Node::Local(name.clone()),
            g.add_node(Node::Local(name.clone())),
        );
    }
    for name in cfg.modules.keys() {
        idx.insert(
            Node::Module(name.clone()),
            g.add_node(Node::Module(name.clone())),
        );
    }
    let by_key: BTreeMap<ResourceAddr, usize> = cfg
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.addr(), i))
        .collect();
    let mut errs = Vec::new();
    // "Did you mean ...?" for a reference to something undeclared: the nearest declared
    // name of the same kind.
    let resource_names: Vec<String> = by_key.keys().map(|a| a.to_string()).collect();
    // A check block's data source: its asserts alone may refer to it.
    let scoped: BTreeMap<ResourceAddr, &str> = cfg
        .checks
        .iter()
        .filter_map(|c| Some((c.data.as_ref()?.addr(), c.name.as_str())))
        .collect();
    let hint = |r: &Ref, otherwise: &str| -> String {
        if let Ref::Resource(a) = r {
            if let Some(check) = scoped.get(a) {
                return format!("{a} is the data source of check {check:?}: only that check's assert blocks can refer to it. Declare a data block at the top level to use it elsewhere.");
            }
        }
        let near = match r {
            Ref::Local(l) => crate::config::did_you_mean(l, cfg.locals.keys().map(String::as_str))
                .map(|n| format!("local.{n}")),
            Ref::Var(v) => crate::config::did_you_mean(v, cfg.variables.keys().map(String::as_str))
                .map(|n| format!("var.{n}")),
            Ref::Resource(a) => crate::config::did_you_mean(
                &a.to_string(),
                resource_names.iter().map(String::as_str),
            )
            .map(str::to_string),
            Ref::Module(m) => {
                crate::config::did_you_mean(m, cfg.modules.keys().map(String::as_str))
                    .map(|n| format!("module.{n}"))
            }
        };
        match near {
            Some(n) => format!("Did you mean {n}?"),
            None => otherwise.to_string(),
        }
    };
    // `depends_on` entries: resources, or module calls.
    let depends_on =
        |list: &[(String, crate::config::Span)], refs: &mut BTreeSet<Ref>, errs: &mut Vec<Diag>| {
            for (d, span) in list {
                if let Some(m) = d.strip_prefix("module.") {
                    if cfg.modules.contains_key(m) {
                        refs.insert(Ref::Module(m.to_string()));
                        continue;
                    }
                }
                let target = crate::addr::InstanceAddr::parse(d)
                    .ok()
                    .map(|a| a.resource)
                    .filter(|a| by_key.contains_key(a));
                match target {
                    Some(a) => {
                        refs.insert(Ref::Resource(a));
                    }
                    None => errs.push(Diag::new(
                        Some(span),
                        format!("depends_on refers to undeclared resource or module {d}"),
                        "Declare it, or fix the name.",
                    )),
                }
            }
        };
    let add_refs = |from: &Node,
                    refs: &BTreeSet<Ref>,
                    span: &crate::config::Span,
                    g: &mut DiGraph<Node, ()>,
                    errs: &mut Vec<Diag>| {
        for r in refs {
            let target = match r {
                Ref::Local(l) => match idx.get(&Node::Local(l.to_string())) {
                    Some(n) => *n,
                    None => {
                        errs.push(Diag::new(
                            Some(span),
                            format!("reference to undeclared local value {l:?}"),
                            hint(r, "Declare it in a locals block."),
                        ));
                        continue;
                    }
                },
                Ref::Var(v) => {
                    if !cfg.variables.contains_key(v) {
                        errs.push(Diag::new(
                            Some(span),
                            format!("reference to undeclared input variable {v:?}"),
                            hint(r, &format!("Declare it with variable \"{v}\" {{ ... }}.")),
                        ));
                    }
                    continue;
                }
                Ref::Resource(a) => match by_key.get(a) {
                    Some(i) => idx[&Node::Resource(*i)],
                    None => {
                        errs.push(Diag::new(
                            Some(span),
                            format!("reference to undeclared resource {a}"),
                            hint(r, "Declare it, or fix the name."),
                        ));
                        continue;
                    }
                },
                Ref::Module(m) => {
                    match idx.get(&Node::Module(m.clone())) {
                        Some(n) => *n,
                        None => {
                            errs.push(Diag::new(
                            Some(span),
                            format!("reference to undeclared module {m:?}"),
                            hint(r, &format!("Declare it with module \"{m}\" {{ source = \"./DIR\" ... }}.")),
                        ));
                            continue;
                        }
                    }
                }
            };
            g.add_edge(target, idx[from], ());
        }
    };
    for (i, r) in cfg.resources.iter().enumerate() {
        let mut refs = BTreeSet::new();
        body_references(&r.body, cfg.registry, &mut refs);
        for a in r.count.iter().chain(r.for_each.iter()) {
            references(&a.expr, cfg.registry, &mut refs);
        }
        for a in &r.lifecycle.replace_triggered_by {
            references(&a.expr, cfg.registry, &mut refs);
        }
        // What a condition reads is a dependency too, as in Terraform.
        for c in r
            .lifecycle
            .preconditions
            .iter()
            .chain(&r.lifecycle.postconditions)
        {
            references(&c.condition.expr, cfg.registry, &mut refs);
            references(&c.error_message.expr, cfg.registry, &mut refs);
        }
        depends_on(&r.depends_on, &mut refs, &mut errs);
        add_refs(&Node::Resource(i), &refs, &r.span, &mut g, &mut errs);
    }
    for (name, m) in &cfg.modules {
        let mut refs = BTreeSet::new();
        for a in m
            .inputs
            .values()
            .chain(m.count.iter())
            .chain(m.for_each.iter())
        {
            references(&a.expr, cfg.registry, &mut refs);
        }
        depends_on(&m.depends_on, &mut refs, &mut errs);
        add_refs(
            &Node::Module(name.clone()),
            &refs,
            &m.span,
            &mut g,
            &mut errs,
        );
        // The module's own configuration is checked the same way.
        if let Err(Diags(d)) = build(&m.config) {
            errs.extend(d);
        }
    }
    for (name, a) in &cfg.locals {
        let mut refs = BTreeSet::new();
        references(&a.expr, cfg.registry, &mut refs);
        add_refs(
            &Node::Local(name.clone()),
            &refs,
            &a.span,
            &mut g,
            &mut errs,
        );
    }
    // An output's depends_on must name what exists (its order holds: outputs come last).
    for o in cfg.outputs.values() {
        depends_on(&o.depends_on, &mut BTreeSet::new(), &mut errs);
    }
    // Outputs and check blocks are evaluated after every resource: their references need
    // only exist.
    let ends = cfg
        .outputs
        .values()
        .map(|o| {
            let mut exprs = vec![&o.value];
            for c in &o.preconditions {
                exprs.extend([&c.condition, &c.error_message]);
            }
            (format!("output {:?}", o.name), exprs, None)
        })
        .chain(cfg.checks.iter().map(|c| {
            let exprs = c
                .asserts
                .iter()
                .flat_map(|a| [&a.condition, &a.error_message])
                .collect();
            let own = c.data.as_ref().map(|d| d.addr());
            (format!("check {:?}", c.name), exprs, own)
        }));
    let undeclared = |who: &str, r: &Ref, span: &crate::config::Span, errs: &mut Vec<Diag>| {
        let (ok, what) = match r {
            Ref::Local(l) => (cfg.locals.contains_key(l), format!("local.{l}")),
            Ref::Var(v) => (cfg.variables.contains_key(v), format!("var.{v}")),
            Ref::Resource(a) => (by_key.contains_key(a), a.to_string()),
            Ref::Module(m) => (cfg.modules.contains_key(m), format!("module.{m}")),
        };
        if !ok {
            errs.push(Diag::new(
                Some(span),
                format!("{who} refers to undeclared {what}"),
                hint(r, "Declare it, or fix the reference."),
            ));
        }
    };
    for (who, exprs, own) in ends {
        // Each undeclared name once, at the first expression that uses it.
        let mut reported = BTreeSet::new();
        for e in exprs {
            let mut refs = BTreeSet::new();
            references(&e.expr, cfg.registry, &mut refs);
            for r in refs {
                let its_own = matches!((&r, &own), (Ref::Resource(a), Some(o)) if a == o);
                if !its_own && !reported.contains(&r) {
                    let before = errs.len();
                    undeclared(&who, &r, &e.span, &mut errs);
                    if errs.len() > before {
                        reported.insert(r);
                    }
                }
            }
        }
    }
    let mut seen = BTreeMap::new();
    for c in &cfg.checks {
        let Some(d) = &c.data else { continue };
        let addr = d.addr();
        if let Some(prev) = seen.insert(addr.clone(), &d.span) {
            errs.push(Diag::new(
                Some(&d.span),
                format!("duplicate data source {addr}"),
                format!("It is already declared at {prev}; give one of them another name."),
            ));
        }
        if let Some(i) = by_key.get(&addr) {
            errs.push(Diag::new(
                Some(&d.span),
                format!("duplicate data source {addr}"),
                format!(
                    "It is already declared at {}; give the check's data source another name.",
                    cfg.resources[*i].span
                ),
            ));
        }
        let mut refs = BTreeSet::new();
        body_references(&d.body, cfg.registry, &mut refs);
        for r in refs {
            undeclared(&format!("{addr}"), &r, &d.span, &mut errs);
        }
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    let describe = |n: &Node| match n {
        Node::Resource(i) => (
            cfg.resources[*i].addr().to_string(),
            cfg.resources[*i].span.clone(),
        ),
        Node::Local(l) => (format!("local.{l}"), cfg.locals[l].span.clone()),
        Node::Module(m) => (format!("module.{m}"), cfg.modules[m].span.clone()),
    };
    let sorted = match toposort(&g, None) {
        Ok(s) => s,
        Err(_) => {
            let mut out = Vec::new();
            for scc in kosaraju_scc(&g) {
                let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
                if scc.len() > 1 || self_loop {
                    let mut members: Vec<(String, crate::config::Span)> =
                        scc.iter().map(|n| describe(&g[*n])).collect();
                    members.sort_by(|a, b| a.0.cmp(&b.0));
                    let names: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
                    let detail = members
                        .iter()
                        .map(|(n, s)| format!("{n} (declared at {s})"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    out.push(Diag::new(Some(&members[0].1), format!("dependency cycle: {} -> {}", names.join(" -> "), names[0]), format!("{detail}\nBreak the cycle by removing one of these references or depends_on entries.")));
                }
            }
            return Err(Diags(out));
        }
    };
    let sequence: Vec<Item> = sorted
        .iter()
        .filter_map(|n| match &g[*n] {
            Node::Resource(i) => Some(Item::Resource(*i)),
            Node::Module(m) => Some(Item::Module(m.clone())),
            Node::Local(_) => None,
        })
        .collect();
    let order: Vec<usize> = sequence
        .iter()
        .filter_map(|i| match i {
            Item::Resource(i) => Some(*i),
            Item::Module(_) => None,
        })
        .collect();
    // Direct dependencies (resources and module calls), looking through locals.
    let direct = |from: &Node| {
        let mut stack: Vec<NodeIndex> = g
            .neighbors_directed(idx[from], petgraph::Direction::Incoming)
            .collect();
        let mut seen = BTreeSet::new();
        let (mut res, mut mods) = (BTreeSet::new(), BTreeSet::new());
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match &g[n] {
                Node::Resource(j) => {
                    res.insert(cfg.resources[*j].addr());
                }
                Node::Module(m) => {
                    mods.insert(m.clone());
                }
                Node::Local(_) => {
                    stack.extend(g.neighbors_directed(n, petgraph::Direction::Incoming))
                }
            }
        }
        (res, mods)
    };
    let mut deps = Vec::with_capacity(cfg.resources.len());
    let mut module_deps = Vec::with_capacity(cfg.resources.len());
    for i in 0..cfg.resources.len() {
        let (r, m) = direct(&Node::Resource(i));
        deps.push(r);
        module_deps.push(m);
    }
    let call_deps = cfg
        .modules
        .keys()
        .map(|m| (m.clone(), direct(&Node::Module(m.clone()))))
        .collect();
    Ok(ResourceGraph {
        order,
        sequence,
        deps,
        module_deps,
        call_deps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::fake;

    #[test]
    fn orders_dependencies_first_through_locals() {
        let c = fake::config(
            r#"
locals { zone = fake_thing.a.zone }
resource "fake_thing" "b" {
  name = "b"
  zone = local.zone
}
resource "fake_thing" "a" {
  name = "a"
}
resource "fake_thing" "c" {
  name       = "c"
  depends_on = [fake_thing.b]
}
"#,
        );
        let g = build(&c).unwrap();
        let names: Vec<String> = g
            .order
            .iter()
            .map(|i| c.resources[*i].name.clone())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(g.deps[0].contains(&ResourceAddr::managed("fake_thing", "a")));
        assert!(g.deps[2].contains(&ResourceAddr::managed("fake_thing", "b")));
        assert!(g.deps[1].is_empty());
    }

    #[test]
    fn cycle_names_members_and_lines() {
        let c = fake::config("resource \"fake_thing\" \"a\" { name = fake_thing.b.name }\nresource \"fake_thing\" \"b\" { name = local.n }\nlocals { n = fake_thing.a.name }\n");
        let e = build(&c).unwrap_err().to_string();
        assert!(e.contains("dependency cycle"), "{e}");
        assert!(e.contains("fake_thing.a (declared at main.hcl:1:1)"), "{e}");
        assert!(e.contains("local.n (declared at main.hcl:3:10)"), "{e}");
    }

    #[test]
    fn undeclared_references_are_errors_at_their_position() {
        let c = fake::config(
            "resource \"fake_thing\" \"a\" {\n  name = fake_thing.nope.name\n  depends_on = [fake_thing.gone]\n}\noutput \"o\" { value = local.missing }\n",
        );
        let e = build(&c).unwrap_err().to_string();
        assert!(
            e.contains("reference to undeclared resource fake_thing.nope"),
            "{e}"
        );
        assert!(
            e.contains(
                "main.hcl:3:3: depends_on refers to undeclared resource or module fake_thing.gone"
            ),
            "{e}"
        );
        assert!(
            e.contains("output \"o\" refers to undeclared local.missing"),
            "{e}"
        );
    }

    #[test]
    fn a_self_reference_is_a_cycle() {
        let c = fake::config("resource \"fake_thing\" \"a\" { name = fake_thing.a.id }\n");
        let e = build(&c).unwrap_err().to_string();
        assert!(
            e.contains("dependency cycle: fake_thing.a -> fake_thing.a"),
            "{e}"
        );
    }
}
