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
    visit_traversals(e, &mut |root, ops| {
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        match root {
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
    });
}

/// Call `f` with the root name and operators of every traversal from a named root
/// (`var.x`, `aws_x.y[0].id`, `count.index`) anywhere in `e`, including inside index
/// expressions, templates, function arguments and `for` expressions.
pub fn visit_traversals(e: &Expression, f: &mut dyn FnMut(&str, &[TraversalOperator])) {
    fn walk(e: &Expression, f: &mut dyn FnMut(&str, &[TraversalOperator])) {
        match e {
            Expression::Traversal(t) => {
                if let Expression::Variable(root) = &t.expr {
                    f(root.as_str(), &t.operators);
                } else {
                    walk(&t.expr, f);
                }
                for op in &t.operators {
                    if let TraversalOperator::Index(ix) = op {
                        walk(ix, f);
                    }
                }
            }
            Expression::Array(a) => a.iter().for_each(|x| walk(x, f)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(x) = k {
                        walk(x, f);
                    }
                    walk(v, f);
                }
            }
            Expression::TemplateExpr(t) => {
                if let Ok(tpl) = Template::from_expr(t) {
                    walk_template(&tpl, f);
                }
            }
            Expression::FuncCall(c) => c.args.iter().for_each(|x| walk(x, f)),
            Expression::Parenthesis(x) => walk(x, f),
            Expression::Conditional(c) => {
                walk(&c.cond_expr, f);
                walk(&c.true_expr, f);
                walk(&c.false_expr, f);
            }
            Expression::Operation(op) => match &**op {
                hcl::expr::Operation::Unary(u) => walk(&u.expr, f),
                hcl::expr::Operation::Binary(b) => {
                    walk(&b.lhs_expr, f);
                    walk(&b.rhs_expr, f);
                }
            },
            Expression::ForExpr(x) => {
                walk(&x.collection_expr, f);
                walk(&x.value_expr, f);
                if let Some(k) = &x.key_expr {
                    walk(k, f);
                }
                if let Some(c) = &x.cond_expr {
                    walk(c, f);
                }
            }
            _ => {}
        }
    }
    fn walk_template(t: &Template, f: &mut dyn FnMut(&str, &[TraversalOperator])) {
        for el in t.elements() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => walk(&i.expr, f),
                Element::Directive(d) => match &**d {
                    Directive::If(x) => {
                        walk(&x.cond_expr, f);
                        walk_template(&x.true_template, f);
                        if let Some(fl) = &x.false_template {
                            walk_template(fl, f);
                        }
                    }
                    Directive::For(x) => {
                        walk(&x.collection_expr, f);
                        walk_template(&x.template, f);
                    }
                },
            }
        }
    }
    walk(e, f);
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
