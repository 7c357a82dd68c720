//! `dynamic` blocks: one nested block per element of `for_each`, with the iterator
//! (`<label>.key`, `<label>.value`, or the name `iterator` gives) in scope for `content`.
//!
//! The expansion happens per instance, before the schema decodes the body: each argument
//! inside a `content` is evaluated then, with its iterator, and the expanded block holds a
//! placeholder that reads the value back (keeping unknown and sensitive marks), so the
//! schema checks and reports it like any other argument.

use super::Scope;
use crate::config::{Attr, Block, Body, Diag};
use crate::value::Value;
use hcl::expr::Expression;
use std::collections::BTreeMap;

/// The values a placeholder stands for; the caller pushes them as a frame while the
/// expanded body is decoded.
pub type Placeholders = BTreeMap<String, Value>;

impl Scope<'_> {
    /// `body` with its `dynamic` blocks expanded (at any depth). Needs no frame when the
    /// body has none.
    pub fn expand_dynamic(&self, body: &Body, errs: &mut Vec<Diag>) -> (Body, Placeholders) {
        let mut values = Placeholders::new();
        let out = self.expand_body(body, false, &mut values, errs);
        (out, values)
    }

    fn expand_body(
        &self,
        body: &Body,
        eager: bool,
        values: &mut Placeholders,
        errs: &mut Vec<Diag>,
    ) -> Body {
        let attrs = if eager {
            body.attrs
                .iter()
                .map(|(k, a)| (k.clone(), self.placeholder(a, values, errs)))
                .collect()
        } else {
            body.attrs.clone()
        };
        let mut blocks = Vec::new();
        for b in &body.blocks {
            if b.ident == "dynamic" {
                blocks.extend(self.expand_one(b, values, errs));
            } else {
                blocks.push(Block {
                    ident: b.ident.clone(),
                    labels: b.labels.clone(),
                    body: self.expand_body(&b.body, eager, values, errs),
                    span: b.span.clone(),
                });
            }
        }
        Body { attrs, blocks }
    }

    /// Evaluate `a` now (with the iterators in scope) and stand a placeholder in for it.
    fn placeholder(&self, a: &Attr, values: &mut Placeholders, errs: &mut Vec<Diag>) -> Attr {
        let seen = self.sensitive_hit.replace(false);
        let v = match self.eval_attr(a) {
            Ok(v) if self.sensitive_hit.get() => Value::Sensitive(Box::new(v)),
            Ok(v) => v,
            Err(e) => {
                errs.push(e);
                Value::Null
            }
        };
        self.sensitive_hit.set(seen);
        let name = format!("dynamic#{}", values.len());
        values.insert(name.clone(), v);
        Attr {
            expr: Expression::Variable(hcl::Identifier::unchecked(name).into()),
            span: a.span.clone(),
        }
    }

    fn expand_one(&self, b: &Block, values: &mut Placeholders, errs: &mut Vec<Diag>) -> Vec<Block> {
        let [kind] = b.labels.as_slice() else {
            errs.push(Diag::new(
                Some(&b.span),
                "a dynamic block takes one label: the type of the blocks it makes",
                "Write dynamic \"volume\" { for_each = ..., content { ... } }.",
            ));
            return vec![];
        };
        let mut ok = true;
        for (k, a) in &b.body.attrs {
            if !matches!(k.as_str(), "for_each" | "iterator") {
                errs.push(Diag::new(
                    Some(&a.span),
                    format!("unsupported argument {k:?} in dynamic"),
                    if k == "labels" {
                        "The blocks of maform's resource types take no labels."
                    } else {
                        "A dynamic block takes for_each, iterator and one content block."
                    },
                ));
                ok = false;
            }
        }
        let contents: Vec<&Block> = b
            .body
            .blocks
            .iter()
            .filter(|c| c.ident == "content")
            .collect();
        for other in b.body.blocks.iter().filter(|c| c.ident != "content") {
            errs.push(Diag::new(
                Some(&other.span),
                format!("unsupported block {:?} in dynamic", other.ident),
                "A dynamic block takes for_each, iterator and one content block.",
            ));
            ok = false;
        }
        let Some(for_each) = b.body.attrs.get("for_each") else {
            errs.push(Diag::new(
                Some(&b.span),
                "a dynamic block needs for_each",
                "",
            ));
            return vec![];
        };
        let [content] = contents.as_slice() else {
            errs.push(Diag::new(
                Some(&b.span),
                "a dynamic block needs exactly one content block",
                "",
            ));
            return vec![];
        };
        let iterator = match b.body.attrs.get("iterator").map(|a| &a.expr) {
            None => kind.clone(),
            Some(Expression::Variable(v)) => v.as_str().to_string(),
            Some(_) => {
                errs.push(Diag::new(
                    Some(&b.body.attrs["iterator"].span),
                    "iterator takes a name",
                    "Write iterator = item.",
                ));
                return vec![];
            }
        };
        if !ok {
            return vec![];
        }
        let items: Vec<(Value, Value)> = match self.eval_attr(for_each) {
            Err(e) => {
                errs.push(e);
                return vec![];
            }
            Ok(Value::Map(m)) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            // A set's elements are their own keys, as in Terraform.
            Ok(Value::List(l)) if self.is_set(&for_each.expr) => {
                l.into_iter().map(|v| (v.clone(), v)).collect()
            }
            Ok(Value::List(l)) => l
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
            Ok(Value::Null) => vec![],
            Ok(Value::Unknown) => {
                errs.push(Diag::new(
                    Some(&for_each.span),
                    "the dynamic block's for_each depends on values known only after apply",
                    "Use values known at plan time.",
                ));
                return vec![];
            }
            Ok(other) => {
                errs.push(Diag::new(
                    Some(&for_each.span),
                    format!(
                        "a dynamic block's for_each needs a collection, not a {}",
                        other.type_name()
                    ),
                    "",
                ));
                return vec![];
            }
        };
        let mut out = Vec::new();
        for (k, v) in items {
            self.frames.borrow_mut().push(BTreeMap::from([(
                iterator.clone(),
                Value::Map(BTreeMap::from([("key".into(), k), ("value".into(), v)])),
            )]));
            let body = self.expand_body(&content.body, true, values, errs);
            self.frames.borrow_mut().pop();
            out.push(Block {
                ident: kind.clone(),
                labels: vec![],
                body,
                span: content.span.clone(),
            });
        }
        out
    }

    /// Run `f` with the placeholders of an expanded body in scope.
    pub fn with_placeholders<T>(&self, values: Placeholders, f: impl FnOnce(&Self) -> T) -> T {
        self.frames.borrow_mut().push(values);
        let r = f(self);
        self.frames.borrow_mut().pop();
        r
    }
}
