//! The plan JSON's `configuration` (the configuration as written: each argument's
//! constant value or what it refers to) and `relevant_attributes` (the resource
//! attributes that feed this plan's changes), in Terraform's shapes.
//!
//! No secret is written: an argument the schema marks sensitive or write-only, a provider
//! credential, and a sensitive variable's default give only their references.

use super::Json;
use crate::addr::{Key, Mode, ModulePath};
use crate::config::eval::refs::visit_traversals;
use crate::config::{Body, Config};
use crate::plan::Plan;
use crate::provider::Registry;
use crate::schema::{Schema, Ty};
use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use serde_json::{json, Map};
use std::collections::BTreeSet;

const PROVIDER: &str = "modelarts";

/// `configuration`: the provider configurations and the root module, its module calls
/// nested.
pub fn configuration(cfg: &Config) -> Json {
    let mut providers = Map::new();
    let full_name = crate::provider::PROVIDER_ADDRESS;
    let mut p = Map::new();
    p.insert("name".into(), json!(PROVIDER));
    p.insert("full_name".into(), json!(full_name));
    if let Some(b) = &cfg.provider {
        p.insert(
            "expressions".into(),
            provider_expressions(&b.body, cfg.registry),
        );
    }
    providers.insert(PROVIDER.into(), Json::Object(p));
    for (alias, b) in &cfg.provider_aliases {
        providers.insert(
            format!("{PROVIDER}.{alias}"),
            json!({"name": PROVIDER, "full_name": full_name, "alias": alias,
                   "expressions": provider_expressions(&b.body, cfg.registry)}),
        );
    }
    json!({
        "provider_config": providers,
        "root_module": module(cfg, PROVIDER),
    })
}

/// A provider block's arguments: credentials give only what they refer to.
fn provider_expressions(b: &Body, registry: &Registry) -> Json {
    let secret = |k: &str| {
        let k = k.to_ascii_lowercase();
        ["key", "secret", "token", "pass"]
            .iter()
            .any(|w| k.contains(w))
    };
    Json::Object(
        b.attrs
            .iter()
            .filter(|(k, _)| k.as_str() != "alias")
            .map(|(k, a)| (k.clone(), expression(&a.expr, secret(k), registry)))
            .collect(),
    )
}

fn module(cfg: &Config, provider_key: &str) -> Json {
    let registry = cfg.registry;
    let mut m = Map::new();
    let outputs: Map<String, Json> = cfg
        .outputs
        .iter()
        .map(|(name, o)| {
            let mut j = Map::new();
            j.insert(
                "expression".into(),
                expression(&o.value.expr, false, registry),
            );
            if o.sensitive {
                j.insert("sensitive".into(), json!(true));
            }
            if !o.description.is_empty() {
                j.insert("description".into(), json!(o.description));
            }
            (name.clone(), Json::Object(j))
        })
        .collect();
    if !outputs.is_empty() {
        m.insert("outputs".into(), Json::Object(outputs));
    }
    let resources: Vec<Json> = cfg
        .resources
        .iter()
        .map(|r| {
            let mut j = Map::new();
            j.insert("address".into(), json!(r.addr().to_string()));
            j.insert(
                "mode".into(),
                json!(match r.mode {
                    Mode::Managed => "managed",
                    Mode::Data => "data",
                }),
            );
            j.insert("type".into(), json!(r.rtype));
            j.insert("name".into(), json!(r.name));
            let key = match r.provider_alias() {
                Some(alias) => format!("{PROVIDER}.{alias}"),
                None => provider_key.to_string(),
            };
            j.insert("provider_config_key".into(), json!(key));
            j.insert(
                "expressions".into(),
                body(&r.body, registry.schema(r.mode, &r.rtype), registry),
            );
            j.insert("schema_version".into(), json!(0));
            if let Some(c) = &r.count {
                j.insert(
                    "count_expression".into(),
                    expression(&c.expr, false, registry),
                );
            }
            if let Some(f) = &r.for_each {
                j.insert(
                    "for_each_expression".into(),
                    expression(&f.expr, false, registry),
                );
            }
            if !r.depends_on.is_empty() {
                j.insert(
                    "depends_on".into(),
                    json!(r.depends_on.iter().map(|(d, _)| d).collect::<Vec<_>>()),
                );
            }
            Json::Object(j)
        })
        .collect();
    if !resources.is_empty() {
        m.insert("resources".into(), json!(resources));
    }
    let calls: Map<String, Json> = cfg
        .modules
        .iter()
        .map(|(name, call)| {
            let key = match &call.provider {
                Some((alias, _)) => format!("{PROVIDER}.{alias}"),
                None => provider_key.to_string(),
            };
            let mut j = Map::new();
            j.insert("source".into(), json!(call.source));
            let child = &call.config;
            j.insert(
                "expressions".into(),
                Json::Object(
                    call.inputs
                        .iter()
                        .map(|(k, a)| {
                            let secret = child.variables.get(k).is_some_and(|v| v.sensitive);
                            (k.clone(), expression(&a.expr, secret, registry))
                        })
                        .collect(),
                ),
            );
            if let Some(c) = &call.count {
                j.insert(
                    "count_expression".into(),
                    expression(&c.expr, false, registry),
                );
            }
            if let Some(f) = &call.for_each {
                j.insert(
                    "for_each_expression".into(),
                    expression(&f.expr, false, registry),
                );
            }
            j.insert("module".into(), module(child, &key));
            if !call.depends_on.is_empty() {
                j.insert(
                    "depends_on".into(),
                    json!(call.depends_on.iter().map(|(d, _)| d).collect::<Vec<_>>()),
                );
            }
            (name.clone(), Json::Object(j))
        })
        .collect();
    if !calls.is_empty() {
        m.insert("module_calls".into(), Json::Object(calls));
    }
    let vars: Map<String, Json> = cfg
        .variables
        .iter()
        .map(|(name, v)| {
            let mut j = Map::new();
            if let Some(d) = &v.default {
                if let (false, Some(c)) = (v.sensitive, constant(&d.expr)) {
                    j.insert("default".into(), c);
                }
            }
            if !v.description.is_empty() {
                j.insert("description".into(), json!(v.description));
            }
            if v.sensitive {
                j.insert("sensitive".into(), json!(true));
            }
            (name.clone(), Json::Object(j))
        })
        .collect();
    if !vars.is_empty() {
        m.insert("variables".into(), Json::Object(vars));
    }
    Json::Object(m)
}

/// A body's arguments, with nested blocks as lists of bodies under their type (a
/// `dynamic "x"` block as its `content` under `x`).
fn body(b: &Body, schema: Option<&Schema>, registry: &Registry) -> Json {
    let attr = |k: &str| schema.and_then(|s| s.attrs.iter().find(|a| a.name == k));
    let mut m = Map::new();
    for (k, a) in &b.attrs {
        let secret = attr(k).is_some_and(|a| a.sensitive || a.write_only);
        m.insert(k.clone(), expression(&a.expr, secret, registry));
    }
    for blk in &b.blocks {
        let (name, inner) = if blk.ident == "dynamic" {
            let content = blk.body.blocks.iter().find(|c| c.ident == "content");
            match (blk.labels.first(), content) {
                (Some(l), Some(c)) => (l.clone(), &c.body),
                _ => continue,
            }
        } else {
            (blk.ident.clone(), &blk.body)
        };
        let nested = attr(&name).and_then(|a| match &a.ty {
            Ty::Block(s, _) => Some(&**s),
            _ => None,
        });
        let entry = m.entry(name).or_insert_with(|| json!([]));
        if let Json::Array(list) = entry {
            list.push(body(inner, nested, registry));
        }
    }
    Json::Object(m)
}

/// `{"constant_value": v}` for an expression that needs nothing to evaluate,
/// `{"references": [...]}` for one that refers to something, `{}` otherwise (a function
/// call on constants, or a secret).
fn expression(e: &Expression, secret: bool, registry: &Registry) -> Json {
    let refs = references(e, registry);
    if !refs.is_empty() {
        return json!({ "references": refs });
    }
    match constant(e) {
        Some(c) if !secret => json!({ "constant_value": c }),
        _ => json!({}),
    }
}

/// The value of an expression made of literals only.
fn constant(e: &Expression) -> Option<Json> {
    fn literal(e: &Expression) -> bool {
        match e {
            Expression::Null
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => true,
            Expression::Array(a) => a.iter().all(literal),
            Expression::Object(o) => {
                o.iter().all(|(k, v)| {
                    matches!(k, ObjectKey::Identifier(_))
                        || matches!(k, ObjectKey::Expression(x) if literal(x)) && literal(v)
                }) && o.values().all(literal)
            }
            Expression::TemplateExpr(t) => hcl::template::Template::from_expr(t).is_ok_and(|t| {
                t.elements()
                    .iter()
                    .all(|el| matches!(el, hcl::template::Element::Literal(_)))
            }),
            Expression::Parenthesis(x) => literal(x),
            Expression::Operation(op) => match &**op {
                hcl::expr::Operation::Unary(u) => literal(&u.expr),
                hcl::expr::Operation::Binary(b) => literal(&b.lhs_expr) && literal(&b.rhs_expr),
            },
            Expression::Conditional(c) => {
                literal(&c.cond_expr) && literal(&c.true_expr) && literal(&c.false_expr)
            }
            _ => false,
        }
    }
    if !literal(e) {
        return None;
    }
    let span = crate::config::Span {
        file: "".into(),
        line: 0,
        col: 0,
    };
    crate::config::eval::eval_const(e, &span)
        .ok()
        .map(|v| v.to_json())
}

/// What a traversal's operators say after its root: attribute names and literal keys,
/// up to the first splat or computed index.
fn steps(ops: &[TraversalOperator]) -> Vec<Json> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            TraversalOperator::GetAttr(a) => out.push(json!(a.as_str())),
            TraversalOperator::LegacyIndex(i) => out.push(json!(i)),
            TraversalOperator::Index(Expression::Number(n)) => out.push(json!(n)),
            TraversalOperator::Index(Expression::String(s)) => out.push(json!(s)),
            _ => break,
        }
    }
    out
}

fn key_of(j: &Json) -> Option<Key> {
    match j {
        Json::Number(n) => n.as_i64().map(Key::Int),
        Json::String(s) => Some(Key::Str(s.clone())),
        _ => None,
    }
}

fn name(j: &Json) -> Option<&str> {
    j.as_str()
}

/// A reference to a resource: its address (with its instance key when the expression
/// gives one literally) and the attribute path after it.
struct ResourceRef {
    resource: String,
    instance: Option<String>,
    attribute: Vec<Json>,
}

fn resource_ref(root: &str, ops: &[TraversalOperator], registry: &Registry) -> Option<ResourceRef> {
    let st = steps(ops);
    let (base, rest) = if root == "data" {
        let (t, n) = (name(st.first()?)?, name(st.get(1)?)?);
        registry.data_source(t)?;
        (format!("data.{t}.{n}"), &st[2..])
    } else if registry.is_kind(root) {
        (format!("{root}.{}", name(st.first()?)?), &st[1..])
    } else {
        return None;
    };
    // A key right after the name selects an instance (the traversal's own operators
    // tell an index from an attribute).
    let skip = if root == "data" { 2 } else { 1 };
    let keyed = matches!(
        ops.get(skip),
        Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
    );
    let (instance, attribute) = match (keyed, rest.first().and_then(key_of)) {
        (true, Some(k)) => (Some(format!("{base}{k}")), rest[1..].to_vec()),
        _ => (None, rest.to_vec()),
    };
    Some(ResourceRef {
        resource: base,
        instance,
        attribute,
    })
}

/// Terraform's reference strings for an expression: each reference as written
/// (`aws_x.a[0].id`), then the instance and resource it is in (`aws_x.a[0]`, `aws_x.a`).
fn references(e: &Expression, registry: &Registry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    visit_traversals(e, &mut |root, ops| {
        if let Some(r) = resource_ref(root, ops, registry) {
            let at = r.instance.clone().unwrap_or_else(|| r.resource.clone());
            if let Some(a) = r.attribute.first().and_then(name) {
                push(format!("{at}.{a}"));
            }
            if let Some(i) = r.instance {
                push(i);
            }
            push(r.resource);
            return;
        }
        let st = steps(ops);
        match root {
            "module" => {
                let Some(call) = st.first().and_then(name) else {
                    return;
                };
                let keyed = matches!(
                    ops.get(1),
                    Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
                );
                let inst = match (keyed, st.get(1).and_then(key_of)) {
                    (true, Some(k)) => format!("module.{call}{k}"),
                    _ => format!("module.{call}"),
                };
                let out_name = if keyed { st.get(2) } else { st.get(1) };
                if let Some(o) = out_name.and_then(name) {
                    push(format!("{inst}.{o}"));
                }
                push(inst);
                push(format!("module.{call}"));
            }
            "var" | "local" | "count" | "each" | "path" | "terraform" | "maform" | "self" => {
                if let Some(a) = st.first().and_then(name) {
                    push(format!("{root}.{a}"));
                }
            }
            _ => {}
        }
    });
    out
}

/// Every expression of a body, nested blocks included, with its module instance.
fn push_body<'b>(work: &mut Vec<(ModulePath, &'b Expression)>, at: &ModulePath, b: &'b Body) {
    work.extend(b.attrs.values().map(|a| (at.clone(), &a.expr)));
    for blk in &b.blocks {
        push_body(work, at, &blk.body);
    }
}

/// `relevant_attributes`: the resource attributes that the changing resources and
/// outputs read, directly or through locals and other resources' arguments.
pub fn relevant_attributes(cfg: &Config, plan: &Plan) -> Json {
    let registry = cfg.registry;
    // (module instance, resource, attribute path), in order.
    let mut found: BTreeSet<(String, String, Vec<String>)> = BTreeSet::new();
    let mut out: Vec<Json> = Vec::new();
    // The expressions to read, each with its module instance.
    let mut work: Vec<(ModulePath, &Expression)> = Vec::new();
    let mut seen_resources: BTreeSet<(String, String)> = BTreeSet::new();
    let mut seen_locals: BTreeSet<(String, String)> = BTreeSet::new();
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action.acts() && c.deposed.is_none())
    {
        let at = &c.addr.resource.module;
        let Some(m) = cfg.module(at) else { continue };
        let mut local = c.addr.resource.clone();
        local.module = ModulePath::default();
        let Some(r) = m.resources.iter().find(|r| r.addr() == local) else {
            continue;
        };
        if seen_resources.insert((at.to_string(), local.to_string())) {
            push_body(&mut work, at, &r.body);
        }
    }
    for o in plan.outputs.iter().filter(|o| o.before != o.after) {
        if let Some(x) = cfg.outputs.get(&o.name) {
            work.push((ModulePath::default(), &x.value.expr));
        }
    }
    while let Some((at, e)) = work.pop() {
        let Some(m) = cfg.module(&at) else { continue };
        let mut next: Vec<(ModulePath, &Expression)> = Vec::new();
        visit_traversals(e, &mut |root, ops| {
            if let Some(r) = resource_ref(root, ops, registry) {
                let attribute: Vec<String> = r
                    .attribute
                    .iter()
                    .map(|s| match s {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                let addr = format!("{at}{}", r.instance.as_deref().unwrap_or(&r.resource));
                if found.insert((at.to_string(), addr.clone(), attribute)) {
                    out.push(json!({"resource": addr, "attribute": r.attribute}));
                }
                // What that resource's own arguments read contributes too.
                if seen_resources.insert((at.to_string(), r.resource.clone())) {
                    if let Some(res) = m
                        .resources
                        .iter()
                        .find(|x| x.addr().to_string() == r.resource)
                    {
                        push_body(&mut next, &at, &res.body);
                    }
                }
            } else if root == "local" {
                if let Some(TraversalOperator::GetAttr(l)) = ops.first() {
                    if seen_locals.insert((at.to_string(), l.to_string())) {
                        if let Some(a) = m.locals.get(l.as_str()) {
                            next.push((at.clone(), &a.expr));
                        }
                    }
                }
            }
        });
        work.extend(next);
    }
    out.sort_by(|a, b| {
        (a["resource"].as_str(), a["attribute"].to_string())
            .cmp(&(b["resource"].as_str(), b["attribute"].to_string()))
    });
    json!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> Expression {
        let body: hcl::Body = hcl::from_str(&format!("x = {s}\n")).unwrap();
        body.attributes().next().unwrap().expr.clone()
    }

    #[test]
    fn references_name_the_attribute_the_instance_and_the_resource() {
        assert_eq!(
            references(
                &expr("modelarts_notebook.a[0].flavor"),
                Registry::modelarts()
            ),
            [
                "modelarts_notebook.a[0].flavor",
                "modelarts_notebook.a[0]",
                "modelarts_notebook.a"
            ]
        );
        assert_eq!(
            references(&expr("\"${var.x}-${local.y}\""), Registry::modelarts()),
            ["var.x", "local.y"]
        );
        assert_eq!(
            references(&expr("module.m[\"k\"].out"), Registry::modelarts()),
            ["module.m[\"k\"].out", "module.m[\"k\"]", "module.m"]
        );
        assert_eq!(
            references(
                &expr("data.modelarts_flavors.f.flavors[0]"),
                Registry::modelarts()
            ),
            [
                "data.modelarts_flavors.f.flavors",
                "data.modelarts_flavors.f"
            ]
        );
        assert!(references(&expr("upper(\"a\")"), Registry::modelarts()).is_empty());
    }

    #[test]
    fn constants_only_for_literals_and_never_for_secrets() {
        assert_eq!(
            expression(&expr("1 + 2"), false, Registry::modelarts()),
            json!({"constant_value": 3})
        );
        assert_eq!(
            expression(&expr("{a = [\"x\"]}"), false, Registry::modelarts()),
            json!({"constant_value": {"a": ["x"]}})
        );
        assert_eq!(
            expression(&expr("upper(\"a\")"), false, Registry::modelarts()),
            json!({})
        );
        assert_eq!(
            expression(&expr("\"hunter2\""), true, Registry::modelarts()),
            json!({})
        );
    }
}
