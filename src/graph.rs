//! The resource graph: references and `depends_on` between resources (through locals),
//! as a petgraph DAG. A cycle is an error naming its members and where they are declared.

use crate::config::eval::{body_references, references};
use crate::config::{Config, Diag, Diags};
use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Resource(usize),
    Local(String),
}

/// Resources in dependency order, with each one's direct resource dependencies.
#[derive(Clone, Debug)]
pub struct ResourceGraph {
    /// Indices into `Config::resources`, dependencies first.
    pub order: Vec<usize>,
    /// For each resource (by index), the keys (`type.name`) of resources it depends on,
    /// directly or through locals.
    pub deps: Vec<BTreeSet<String>>,
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
    let by_key: BTreeMap<String, usize> = cfg
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key(), i))
        .collect();
    let mut errs = Vec::new();
    let add_refs = |from: &Node,
                    refs: &BTreeSet<String>,
                    span: &crate::config::Span,
                    g: &mut DiGraph<Node, ()>,
                    errs: &mut Vec<Diag>| {
        for r in refs {
            let target = if let Some(l) = r.strip_prefix("local.") {
                match idx.get(&Node::Local(l.to_string())) {
                    Some(n) => *n,
                    None => {
                        errs.push(Diag::new(
                            Some(span),
                            format!("reference to undeclared local value {l:?}"),
                            "Declare it in a locals block.",
                        ));
                        continue;
                    }
                }
            } else if let Some(v) = r.strip_prefix("var.") {
                if !cfg.variables.contains_key(v) {
                    errs.push(Diag::new(
                        Some(span),
                        format!("reference to undeclared input variable {v:?}"),
                        format!("Declare it with variable \"{v}\" {{ ... }}."),
                    ));
                }
                continue;
            } else {
                match by_key.get(r) {
                    Some(i) => idx[&Node::Resource(*i)],
                    None => {
                        errs.push(Diag::new(
                            Some(span),
                            format!("reference to undeclared resource {r}"),
                            "Declare it, or fix the name.",
                        ));
                        continue;
                    }
                }
            };
            g.add_edge(target, idx[from], ());
        }
    };
    for (i, r) in cfg.resources.iter().enumerate() {
        let mut refs = BTreeSet::new();
        body_references(&r.body, &mut refs);
        for a in r.count.iter().chain(r.for_each.iter()) {
            references(&a.expr, &mut refs);
        }
        for (d, span) in &r.depends_on {
            let key = d.split('[').next().unwrap_or(d).to_string();
            if !by_key.contains_key(&key) {
                errs.push(Diag::new(
                    Some(span),
                    format!("depends_on refers to undeclared resource {d}"),
                    "Declare it, or fix the name.",
                ));
            } else {
                refs.insert(key);
            }
        }
        add_refs(&Node::Resource(i), &refs, &r.span, &mut g, &mut errs);
    }
    for (name, a) in &cfg.locals {
        let mut refs = BTreeSet::new();
        references(&a.expr, &mut refs);
        add_refs(
            &Node::Local(name.clone()),
            &refs,
            &a.span,
            &mut g,
            &mut errs,
        );
    }
    for o in cfg.outputs.values() {
        let mut refs = BTreeSet::new();
        references(&o.value.expr, &mut refs);
        for r in refs {
            let ok = match r.split_once('.') {
                Some(("local", l)) => cfg.locals.contains_key(l),
                Some(("var", v)) => cfg.variables.contains_key(v),
                _ => by_key.contains_key(&r),
            };
            if !ok {
                errs.push(Diag::new(
                    Some(&o.value.span),
                    format!("output {:?} refers to undeclared {r}", o.name),
                    "Declare it, or fix the reference.",
                ));
            }
        }
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    let describe = |n: &Node| match n {
        Node::Resource(i) => (cfg.resources[*i].key(), cfg.resources[*i].span.clone()),
        Node::Local(l) => (format!("local.{l}"), cfg.locals[l].span.clone()),
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
    let order: Vec<usize> = sorted
        .iter()
        .filter_map(|n| match &g[*n] {
            Node::Resource(i) => Some(*i),
            Node::Local(_) => None,
        })
        .collect();
    // Direct resource dependencies, looking through locals.
    let mut deps = vec![BTreeSet::new(); cfg.resources.len()];
    for (i, _) in cfg.resources.iter().enumerate() {
        let mut stack: Vec<NodeIndex> = g
            .neighbors_directed(idx[&Node::Resource(i)], petgraph::Direction::Incoming)
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match &g[n] {
                Node::Resource(j) => {
                    deps[i].insert(cfg.resources[*j].key());
                }
                Node::Local(_) => {
                    stack.extend(g.neighbors_directed(n, petgraph::Direction::Incoming))
                }
            }
        }
    }
    Ok(ResourceGraph { order, deps })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Config {
        Config::from_sources(&[("main.hcl".into(), text.into())]).unwrap()
    }

    #[test]
    fn orders_dependencies_first_through_locals() {
        let c = cfg(r#"
locals { img = modelarts_notebook.a.image_id }
resource "modelarts_notebook" "b" {
  name     = "b"
  image_id = local.img
}
resource "modelarts_notebook" "a" {
  name     = "a"
  image_id = "x"
}
resource "modelarts_devenv" "c" { depends_on = [modelarts_notebook.b] }
"#);
        let g = build(&c).unwrap();
        let names: Vec<String> = g
            .order
            .iter()
            .map(|i| c.resources[*i].name.clone())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(g.deps[0].contains("modelarts_notebook.a"));
        assert!(g.deps[2].contains("modelarts_notebook.b"));
    }

    #[test]
    fn cycle_names_members_and_lines() {
        let c = cfg("resource \"modelarts_notebook\" \"a\" { name = modelarts_notebook.b.name }\nresource \"modelarts_notebook\" \"b\" { name = local.n }\nlocals { n = modelarts_notebook.a.name }\n");
        let e = build(&c).unwrap_err().to_string();
        assert!(e.contains("dependency cycle"), "{e}");
        assert!(
            e.contains("modelarts_notebook.a (declared at main.hcl:1:1)"),
            "{e}"
        );
        assert!(e.contains("local.n (declared at main.hcl:3:10)"), "{e}");
    }
}
