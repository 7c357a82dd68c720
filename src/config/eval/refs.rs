//! What expressions refer to (variables, locals, resources, data sources), for the
//! dependency graph and for knowing which arguments read secrets.

use crate::addr::ResourceAddr;
use crate::provider::Registry;
use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use std::collections::BTreeSet;

/// What an expression refers to: `var.x`, `local.y`, `TYPE.NAME` or `data.TYPE.NAME`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ref {
    Var(String),
    Local(String),
    Resource(ResourceAddr),
    /// `module.NAME...`: a module call's outputs.
    Module(String),
}

/// The references of an expression; `registry` tells which roots are resource types.
pub fn references(e: &Expression, registry: &Registry, out: &mut BTreeSet<Ref>) {
    fn walk(e: &Expression, registry: &Registry, out: &mut BTreeSet<Ref>) {
        match e {
            Expression::Variable(v) => {
                if matches!(v.as_str(), "each" | "count" | "path" | "var" | "local") {
                    // Bare roots reference nothing to order by.
                }
            }
            Expression::Traversal(t) => {
                if let Expression::Variable(root) = &t.expr {
                    let attr = |i: usize| match t.operators.get(i) {
                        Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
                        _ => None,
                    };
                    match root.as_str() {
                        "var" => {
                            if let Some(a) = attr(0) {
                                out.insert(Ref::Var(a));
                            }
                        }
                        "local" => {
                            if let Some(a) = attr(0) {
                                out.insert(Ref::Local(a));
                            }
                        }
                        "module" => {
                            if let Some(m) = attr(0) {
                                out.insert(Ref::Module(m));
                            }
                        }
                        "data" => {
                            if let (Some(t1), Some(n)) = (attr(0), attr(1)) {
                                out.insert(Ref::Resource(ResourceAddr::data(&t1, &n)));
                            }
                        }
                        r if registry.is_kind(r) => {
                            if let Some(n) = attr(0) {
                                out.insert(Ref::Resource(ResourceAddr::managed(r, &n)));
                            }
                        }
                        _ => {}
                    }
                } else {
                    walk(&t.expr, registry, out);
                }
                for op in &t.operators {
                    if let TraversalOperator::Index(ix) = op {
                        walk(ix, registry, out);
                    }
                }
            }
            Expression::Array(a) => a.iter().for_each(|x| walk(x, registry, out)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(x) = k {
                        walk(x, registry, out);
                    }
                    walk(v, registry, out);
                }
            }
            Expression::TemplateExpr(t) => {
                if let Ok(tpl) = Template::from_expr(t) {
                    walk_template(&tpl, registry, out);
                }
            }
            Expression::FuncCall(f) => f.args.iter().for_each(|x| walk(x, registry, out)),
            Expression::Parenthesis(x) => walk(x, registry, out),
            Expression::Conditional(c) => {
                walk(&c.cond_expr, registry, out);
                walk(&c.true_expr, registry, out);
                walk(&c.false_expr, registry, out);
            }
            Expression::Operation(op) => match &**op {
                hcl::expr::Operation::Unary(u) => walk(&u.expr, registry, out),
                hcl::expr::Operation::Binary(b) => {
                    walk(&b.lhs_expr, registry, out);
                    walk(&b.rhs_expr, registry, out);
                }
            },
            Expression::ForExpr(f) => {
                walk(&f.collection_expr, registry, out);
                walk(&f.value_expr, registry, out);
                if let Some(k) = &f.key_expr {
                    walk(k, registry, out);
                }
                if let Some(c) = &f.cond_expr {
                    walk(c, registry, out);
                }
            }
            _ => {}
        }
    }
    fn walk_template(t: &Template, registry: &Registry, out: &mut BTreeSet<Ref>) {
        for el in t.elements() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => walk(&i.expr, registry, out),
                Element::Directive(d) => match &**d {
                    Directive::If(x) => {
                        walk(&x.cond_expr, registry, out);
                        walk_template(&x.true_template, registry, out);
                        if let Some(f) = &x.false_template {
                            walk_template(f, registry, out);
                        }
                    }
                    Directive::For(x) => {
                        walk(&x.collection_expr, registry, out);
                        walk_template(&x.template, registry, out);
                    }
                },
            }
        }
    }
    walk(e, registry, out);
}

/// All references of a body, recursively.
pub fn body_references(b: &crate::config::Body, registry: &Registry, out: &mut BTreeSet<Ref>) {
    for a in b.attrs.values() {
        references(&a.expr, registry, out);
    }
    for blk in &b.blocks {
        body_references(&blk.body, registry, out);
    }
}
