//! `for` expressions and string templates (interpolation, `%{if}`, `%{for}`, strip
//! markers), evaluated in a [`Scope`].

use super::Scope;
use crate::config::{Diag, Span};
use crate::value::Value;
use hcl::template::{Directive, Element, Strip, Template};
use std::collections::BTreeMap;

impl Scope<'_> {
    pub(super) fn for_expr(&self, f: &hcl::expr::ForExpr, span: &Span) -> Result<Value, Diag> {
        let by_element = self.is_set(&f.collection_expr);
        let coll = self.eval(&f.collection_expr, span)?;
        let coll = match coll {
            Value::Sensitive(inner) => {
                self.sensitive_hit.set(true);
                *inner
            }
            other => other,
        };
        let items: Vec<(Value, Value)> = match coll {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(l) if by_element => l.into_iter().map(|v| (v.clone(), v)).collect(),
            Value::List(l) => l
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
            Value::Map(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            Value::Null => return Err(self.err(span, "cannot iterate over null", "")),
            other => {
                return Err(self.err(
                    span,
                    format!("cannot iterate over a {}", other.type_name()),
                    "A for expression needs a list or a map.",
                ))
            }
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in items {
            self.spend(1, span)?;
            let mut frame = BTreeMap::new();
            if let Some(kv) = &f.key_var {
                frame.insert(kv.as_str().to_string(), k);
            }
            frame.insert(f.value_var.as_str().to_string(), v);
            self.frames.borrow_mut().push(frame);
            let r = (|| -> Result<(), Diag> {
                if let Some(c) = &f.cond_expr {
                    match super::boolish(self.eval(c, span)?) {
                        Value::Bool(true) => {}
                        Value::Bool(false) => return Ok(()),
                        Value::Unknown => {
                            return Err(self.err(
                                span,
                                "a for filter depends on values known only after apply",
                                "",
                            ))
                        }
                        _ => return Err(self.err(span, "a for filter must be true or false", "")),
                    }
                }
                let val = self.eval(&f.value_expr, span)?;
                self.spend(super::weigh(&val), span)?;
                match &f.key_expr {
                    None => list.push(val),
                    Some(ke) => {
                        let key = self
                            .eval(ke, span)?
                            .to_template_string()
                            .ok_or_else(|| self.err(span, "a for key must be a string", ""))?;
                        if f.grouping {
                            match map.entry(key).or_insert_with(|| Value::List(vec![])) {
                                Value::List(l) => l.push(val),
                                _ => unreachable!("grouped values are lists"),
                            }
                        } else if map.insert(key.clone(), val).is_some() {
                            return Err(self.err(
                                span,
                                format!("duplicate key {key:?} in a for expression"),
                                "Use the grouping mode (...) to collect values with equal keys.",
                            ));
                        }
                    }
                }
                Ok(())
            })();
            self.frames.borrow_mut().pop();
            r?;
        }
        Ok(if f.key_expr.is_some() {
            Value::Map(map)
        } else {
            Value::List(list)
        })
    }

    /// Render a template; `None` when part of it is unknown.
    pub(super) fn template(
        &self,
        t: &Template,
        prev: Strip,
        next: Strip,
        span: &Span,
    ) -> Result<Option<String>, Diag> {
        self.template_at(t, prev, next, span, &[])
    }

    /// [`Scope::template`], with the position of each of the template's elements where
    /// known (a template file's): what an element's error points at.
    pub(super) fn template_at(
        &self,
        t: &Template,
        prev: Strip,
        next: Strip,
        call: &Span,
        spans: &[Span],
    ) -> Result<Option<String>, Diag> {
        let els = t.elements();
        let mut out = String::new();
        let strip_of = |e: &Element| match e {
            Element::Literal(_) => Strip::None,
            Element::Interpolation(i) => i.strip,
            Element::Directive(d) => match &**d {
                Directive::If(x) => {
                    Strip::from((x.if_strip.strip_start(), x.endif_strip.strip_end()))
                }
                Directive::For(x) => {
                    Strip::from((x.for_strip.strip_start(), x.endfor_strip.strip_end()))
                }
            },
        };
        for (i, el) in els.iter().enumerate() {
            let span = spans.get(i).unwrap_or(call);
            self.long_enough(&out, span)?;
            let p = if i == 0 { prev } else { strip_of(&els[i - 1]) };
            let n = if i + 1 == els.len() {
                next
            } else {
                strip_of(&els[i + 1])
            };
            match el {
                Element::Literal(l) => {
                    // A strip marker removes all the whitespace on its side, newlines
                    // included, as HCL's does.
                    let mut s: &str = l;
                    if p.strip_end() {
                        s = s.trim_start();
                    }
                    if n.strip_start() {
                        s = s.trim_end();
                    }
                    out.push_str(s);
                }
                Element::Interpolation(ip) => {
                    match self.eval(&ip.expr, span).map(|v| self.clean(v))? {
                        Value::Unknown => return Ok(None),
                        v => match v.to_template_string() {
                            Some(s) => out.push_str(&s),
                            None if v.is_null() => {
                                return Err(self.err(
                                    span,
                                    "cannot interpolate null",
                                    "Use coalesce() or a conditional to give a default.",
                                ))
                            }
                            None => {
                                return Err(self.err(
                                    span,
                                    format!("cannot interpolate a {}", v.type_name()),
                                    "Convert it first, e.g. with jsonencode() or join().",
                                ))
                            }
                        },
                    }
                }
                Element::Directive(d) => match &**d {
                    Directive::If(x) => match super::boolish(self.eval(&x.cond_expr, span)?) {
                        Value::Bool(true) => {
                            let nx = if x.false_template.is_some() {
                                x.else_strip
                            } else {
                                x.endif_strip
                            };
                            match self.template(&x.true_template, x.if_strip, nx, span)? {
                                Some(s) => out.push_str(&s),
                                None => return Ok(None),
                            }
                        }
                        Value::Bool(false) => {
                            if let Some(ft) = &x.false_template {
                                match self.template(ft, x.else_strip, x.endif_strip, span)? {
                                    Some(s) => out.push_str(&s),
                                    None => return Ok(None),
                                }
                            }
                        }
                        Value::Unknown => return Ok(None),
                        _ => {
                            return Err(self.err(
                                span,
                                "an %{if} condition must be true or false",
                                "",
                            ))
                        }
                    },
                    Directive::For(x) => {
                        let by_element = self.is_set(&x.collection_expr);
                        let coll = self.eval(&x.collection_expr, span)?;
                        let items: Vec<(Value, Value)> = match coll {
                            Value::Unknown => return Ok(None),
                            Value::List(l) if by_element => {
                                l.into_iter().map(|v| (v.clone(), v)).collect()
                            }
                            Value::List(l) => l
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| (Value::Number(i as f64), v))
                                .collect(),
                            Value::Map(m) => {
                                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
                            }
                            other => {
                                return Err(self.err(
                                    span,
                                    format!("cannot iterate over a {}", other.type_name()),
                                    "",
                                ))
                            }
                        };
                        for (k, v) in items {
                            let mut frame = BTreeMap::new();
                            if let Some(kv) = &x.key_var {
                                frame.insert(kv.as_str().to_string(), k);
                            }
                            frame.insert(x.value_var.as_str().to_string(), v);
                            self.frames.borrow_mut().push(frame);
                            let r = self.template(&x.template, x.for_strip, x.endfor_strip, span);
                            self.frames.borrow_mut().pop();
                            match r? {
                                Some(s) => out.push_str(&s),
                                None => return Ok(None),
                            }
                            self.spend(1, span)?;
                            self.long_enough(&out, span)?;
                        }
                    }
                },
            }
        }
        self.long_enough(&out, call)?;
        Ok(Some(out))
    }
}

/// Decode the backslash escapes of a quoted string's literal parts (`\\n`, `\\r`, `\\t`,
/// `\\"`, `\\\\`, `\\uNNNN`, `\\UNNNNNNNN`), in directive bodies too; any other escape is an
/// error, as in HCL.
pub(super) fn unescape_literals(t: &mut Template) -> Result<(), String> {
    for el in t.elements_mut() {
        match el {
            Element::Literal(l) => {
                if l.contains('\\') {
                    *l = unescape(l)?;
                }
            }
            Element::Interpolation(_) => {}
            Element::Directive(d) => match &mut **d {
                Directive::If(x) => {
                    unescape_literals(&mut x.true_template)?;
                    if let Some(f) = &mut x.false_template {
                        unescape_literals(f)?;
                    }
                }
                Directive::For(x) => unescape_literals(&mut x.template)?,
            },
        }
    }
    Ok(())
}

fn unescape(l: &str) -> Result<String, String> {
    let mut out = String::with_capacity(l.len());
    let mut it = l.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some(u @ ('u' | 'U')) => {
                let n = if u == 'u' { 4 } else { 8 };
                let hex: String = it.by_ref().take(n).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == n => out.push(ch),
                    _ => return Err(format!("invalid escape sequence \\{u}{hex}")),
                }
            }
            Some(other) => return Err(format!("invalid escape sequence \\{other}")),
            None => return Err("a string ends with a lone backslash".into()),
        }
    }
    Ok(out)
}
