//! Schemas: what a kind's arguments are (types, required/optional/computed, force-new,
//! write-only, sensitive, normalisation, documented constraints), and the generic work
//! over them: decoding a configuration body, normalising, finding sensitive paths,
//! digesting write-only secrets, the generated reference.
//!
//! Owns the schema vocabulary; each kind's own schema lives in its kind module. Must not
//! name any kind.

pub mod checks;

use crate::config::{Block, Body, Diag};
use crate::value::Value;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Optional; when unset, the service chooses and the state keeps its choice.
    OptionalComputed,
    Computed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    None,
    Upper,
    Lower,
}

#[derive(Clone, Debug)]
pub enum Ty {
    Str,
    Num,
    Int,
    Bool,
    StrList,
    StrMap,
    /// A nested block, once (`volume { }`) or repeated (`endpoints { } endpoints { }`).
    Block(Box<Schema>, bool),
}

pub type Check = fn(&Value) -> Result<(), String>;

#[derive(Clone, Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub presence: Presence,
    pub force_new: bool,
    pub sensitive: bool,
    /// Sent to the service but never returned by it: the state keeps what was sent.
    pub write_only: bool,
    pub norm: Norm,
    pub one_of: &'static [&'static str],
    pub check: Option<Check>,
    pub doc: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub attrs: Vec<Attr>,
}

pub fn attr(name: &'static str, ty: Ty, presence: Presence) -> Attr {
    Attr {
        name,
        ty,
        presence,
        force_new: false,
        sensitive: false,
        write_only: false,
        norm: Norm::None,
        one_of: &[],
        check: None,
        doc: "",
    }
}
pub fn req(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::Required)
}
pub fn opt(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::Optional)
}
pub fn optc(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::OptionalComputed)
}
pub fn comp(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::Computed)
}
pub fn block(name: &'static str, s: Schema, repeated: bool, presence: Presence) -> Attr {
    attr(name, Ty::Block(Box::new(s), repeated), presence)
}

impl Attr {
    pub fn forces_new(mut self) -> Attr {
        self.force_new = true;
        self
    }
    pub fn wo(mut self) -> Attr {
        self.write_only = true;
        self
    }
    pub fn secret(mut self) -> Attr {
        self.sensitive = true;
        self
    }
    pub fn upper(mut self, allowed: &'static [&'static str]) -> Attr {
        self.norm = Norm::Upper;
        self.one_of = allowed;
        self
    }
    pub fn lower(mut self, allowed: &'static [&'static str]) -> Attr {
        self.norm = Norm::Lower;
        self.one_of = allowed;
        self
    }
    pub fn check(mut self, c: Check) -> Attr {
        self.check = Some(c);
        self
    }
    pub fn is_block(&self) -> bool {
        matches!(self.ty, Ty::Block(..))
    }
    pub fn computed(&self) -> bool {
        matches!(
            self.presence,
            Presence::Computed | Presence::OptionalComputed
        )
    }
}

impl Schema {
    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

// ---- constraints from the API documents ----

/// `desired_state`, which every kind with a power state takes.
pub fn desired_state() -> Attr {
    opt("desired_state", Ty::Str).upper(&["RUNNING", "STOPPED"])
}

pub fn decode(
    schema: &Schema,
    body: &Body,
    path: &str,
    span: &crate::config::Span,
    eval: &dyn Fn(&crate::config::Attr) -> Result<Value, Diag>,
    errs: &mut Vec<Diag>,
) -> Value {
    let mut out = BTreeMap::new();
    for (k, a) in &body.attrs {
        match schema.get(k) {
            Some(at) if at.presence == Presence::Computed => errs.push(Diag::new(
                Some(&a.span),
                format!("{}{k} is computed and cannot be set", prefix(path)),
                "Remove it; the service sets it.",
            )),
            Some(at) if at.is_block() => errs.push(Diag::new(
                Some(&a.span),
                format!("{}{k} is a block", prefix(path)),
                format!("Write {k} {{ ... }} instead of {k} = ..."),
            )),
            Some(_) => {}
            None => errs.push(unknown_arg(schema, path, k, &a.span)),
        }
    }
    for b in &body.blocks {
        match schema.get(&b.ident) {
            Some(at) if at.is_block() => {}
            Some(_) => errs.push(Diag::new(
                Some(&b.span),
                format!("{}{} is an argument, not a block", prefix(path), b.ident),
                format!("Write {} = ...", b.ident),
            )),
            None => errs.push(unknown_arg(schema, path, &b.ident, &b.span)),
        }
    }
    for at in &schema.attrs {
        let full = format!("{}{}", prefix(path), at.name);
        match &at.ty {
            Ty::Block(inner, repeated) => {
                let blocks: Vec<&Block> =
                    body.blocks.iter().filter(|b| b.ident == at.name).collect();
                if !*repeated && blocks.len() > 1 {
                    errs.push(Diag::new(
                        Some(&blocks[1].span),
                        format!("only one {full} block is allowed"),
                        format!("The first one is at {}.", blocks[0].span),
                    ));
                }
                if blocks.is_empty() {
                    if at.presence == Presence::Required {
                        errs.push(Diag::new(
                            Some(span),
                            format!("missing required block {full}"),
                            format!(
                                "Add {} {{ ... }}; see the README's reference for its arguments.",
                                at.name
                            ),
                        ));
                    }
                    continue;
                }
                let decoded: Vec<Value> = blocks
                    .iter()
                    .map(|b| decode(inner, &b.body, &full, &b.span, eval, errs))
                    .collect();
                out.insert(
                    at.name.to_string(),
                    if *repeated {
                        Value::List(decoded)
                    } else {
                        decoded.into_iter().next().unwrap_or_default()
                    },
                );
            }
            ty => {
                let Some(a) = body.attrs.get(at.name) else {
                    if at.presence == Presence::Required {
                        errs.push(Diag::new(
                            Some(span),
                            format!("missing required argument {full}"),
                            format!("Add {} = ...", at.name),
                        ));
                    }
                    continue;
                };
                // A value marked sensitive (its expression read a secret) is checked
                // like any other, but its error does not quote it.
                let (v, secret) = match eval(a) {
                    Ok(v) => v.unmark(),
                    Err(e) => {
                        errs.push(e);
                        continue;
                    }
                };
                if v.is_null() && at.presence == Presence::Required {
                    errs.push(Diag::new(
                        Some(&a.span),
                        format!("missing required argument {full}"),
                        format!("{} is required; null leaves it unset.", at.name),
                    ));
                    continue;
                }
                let original = secret.then(|| v.clone());
                match check_value(at, ty, v) {
                    Ok(v) => {
                        out.insert(at.name.to_string(), v);
                    }
                    Err(m) => {
                        let m = match &original {
                            Some(v) => format!(
                                "{} (The value is sensitive, so it is not shown.)",
                                crate::redact::scrub_value(&m, v)
                            ),
                            None => m,
                        };
                        errs.push(Diag::new(
                            Some(&a.span),
                            format!("invalid value for {full}"),
                            m,
                        ))
                    }
                }
            }
        }
    }
    Value::Map(out)
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    }
}

fn unknown_arg(schema: &Schema, path: &str, k: &str, span: &crate::config::Span) -> Diag {
    let names: Vec<&str> = schema
        .attrs
        .iter()
        .filter(|a| a.presence != Presence::Computed)
        .map(|a| a.name)
        .collect();
    let near = crate::config::did_you_mean(k, names.iter().copied());
    let hint = match near {
        Some(n) => format!("Did you mean {n:?}?"),
        None => format!("Valid arguments here: {}.", names.join(", ")),
    };
    Diag::new(
        Some(span),
        format!("unsupported argument {}{k}", prefix(path)),
        hint,
    )
}

fn check_value(at: &Attr, ty: &Ty, v: Value) -> Result<Value, String> {
    if matches!(v, Value::Unknown | Value::Null) {
        return Ok(v);
    }
    let v = match (ty, v) {
        (Ty::Str, v) => Value::String(
            v.to_template_string()
                .ok_or_else(|| format!("a string is required, got a {}", v.type_name()))?,
        ),
        (Ty::Num | Ty::Int, v) => {
            let n = crate::config::eval::num(&v)
                .ok_or_else(|| format!("a number is required, got {}", v.to_hcl()))?;
            if matches!(ty, Ty::Int) && n.fract() != 0.0 {
                return Err(format!(
                    "a whole number is required, got {}",
                    crate::value::fmt_number(n)
                ));
            }
            Value::Number(n)
        }
        (Ty::Bool, Value::Bool(b)) => Value::Bool(b),
        (Ty::Bool, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Ty::Bool, v) => return Err(format!("true or false is required, got {}", v.to_hcl())),
        (Ty::StrList, Value::List(l)) => Value::List(
            l.into_iter()
                .map(|x| {
                    if x.is_known() {
                        x.to_template_string()
                            .map(Value::String)
                            .ok_or_else(|| "a list of strings is required".to_string())
                    } else {
                        Ok(x)
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        (Ty::StrList, v) => {
            return Err(format!(
                "a list of strings is required, got a {}",
                v.type_name()
            ))
        }
        (Ty::StrMap, Value::Map(m)) => Value::Map(
            m.into_iter()
                .map(|(k, x)| {
                    if x.is_known() {
                        x.to_template_string()
                            .map(|s| (k, Value::String(s)))
                            .ok_or_else(|| "a map of strings is required".to_string())
                    } else {
                        Ok((k, x))
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        (Ty::StrMap, v) => {
            return Err(format!(
                "a map of strings is required, got a {}",
                v.type_name()
            ))
        }
        (Ty::Block(..), _) => unreachable!("blocks are decoded separately"),
    };
    let v = normalise(at, v);
    if !at.one_of.is_empty() {
        if let Some(s) = v.as_str() {
            if !at.one_of.contains(&s) {
                return Err(format!(
                    "{s:?} is not one of {} (case does not matter)",
                    at.one_of.join(", ")
                ));
            }
        }
    }
    if let Some(c) = at.check {
        c(&v)?;
    }
    Ok(v)
}

pub fn normalise(at: &Attr, v: Value) -> Value {
    match (at.norm, v) {
        (Norm::Upper, Value::String(s)) => Value::String(s.to_ascii_uppercase()),
        (Norm::Lower, Value::String(s)) => Value::String(s.to_ascii_lowercase()),
        (_, v) => v,
    }
}

/// Paths of sensitive attributes that hold a value, for the state and the renderers.
pub fn sensitive_paths(schema: &Schema, v: &Value) -> Vec<crate::value::Path> {
    let mut out = Vec::new();
    fn walk(s: &Schema, v: &Value, at: &mut crate::value::Path, out: &mut Vec<crate::value::Path>) {
        for a in &s.attrs {
            let x = v.get(a.name);
            if x.is_null() {
                continue;
            }
            at.push(crate::value::PathStep::Key(a.name.to_string()));
            if a.sensitive {
                out.push(at.clone());
            } else if let Ty::Block(inner, rep) = &a.ty {
                if *rep {
                    for (i, e) in x.as_list().into_iter().flatten().enumerate() {
                        at.push(crate::value::PathStep::Index(i));
                        walk(inner, e, at, out);
                        at.pop();
                    }
                } else {
                    walk(inner, x, at, out);
                }
            }
            at.pop();
        }
    }
    walk(schema, v, &mut Vec::new(), &mut out);
    out
}

/// Sensitive paths of an object with schema `schema`: what the schema marks, plus
/// `extra` (arguments whose expressions read secrets), sorted and unique.
pub fn sensitive_for(
    schema: Option<&Schema>,
    v: &Value,
    extra: &[crate::value::Path],
) -> Vec<crate::value::Path> {
    let mut out: Vec<crate::value::Path> =
        schema.map(|s| sensitive_paths(s, v)).unwrap_or_default();
    out.extend(extra.iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// A request body: the configuration's field names are the API's, so the body is the
/// attributes minus computed and maform-only ones, without nulls or unknowns.
pub fn request_body(s: &Schema, v: &Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for a in &s.attrs {
        if a.presence == Presence::Computed || a.name == "desired_state" {
            continue;
        }
        let x = v.get(a.name);
        if !x.is_known() && !matches!(x, Value::Map(_) | Value::List(_)) {
            continue;
        }
        let j = match x {
            Value::Null | Value::Unknown => continue,
            x => attr_body(&a.ty, x),
        };
        out.insert(a.name.to_string(), j);
    }
    serde_json::Value::Object(out)
}

/// The request form of one attribute's value.
pub fn attr_body(ty: &Ty, v: &Value) -> serde_json::Value {
    match (ty, v) {
        (Ty::Block(inner, true), Value::List(l)) => {
            serde_json::Value::Array(l.iter().map(|e| request_body(inner, e)).collect())
        }
        (Ty::Block(inner, false), m @ Value::Map(_)) => request_body(inner, m),
        (_, x) => x.to_json(),
    }
}

/// The configuration reference for the README, generated from the schemas so that it
/// cannot drift from the code.
pub fn reference_markdown(registry: &crate::provider::Registry) -> String {
    fn rows(s: &Schema, prefix: &str, out: &mut String) {
        for a in &s.attrs {
            let name = format!("{prefix}{}", a.name);
            let ty = match &a.ty {
                Ty::Str => "string".to_string(),
                Ty::Num => "number".to_string(),
                Ty::Int => "integer".to_string(),
                Ty::Bool => "bool".to_string(),
                Ty::StrList => "list(string)".to_string(),
                Ty::StrMap => "map(string)".to_string(),
                Ty::Block(_, true) => "blocks".to_string(),
                Ty::Block(_, false) => "block".to_string(),
            };
            let presence = match a.presence {
                Presence::Required => "required",
                Presence::Optional => "optional",
                Presence::OptionalComputed => "optional, computed",
                Presence::Computed => "computed",
            };
            let mut notes: Vec<String> = Vec::new();
            if a.force_new {
                notes.push("forces replacement".into());
            }
            if a.sensitive {
                notes.push("sensitive".into());
            }
            if a.write_only {
                notes.push("write-only (not returned by the API)".into());
            }
            if !a.one_of.is_empty() {
                notes.push(format!("one of {}", a.one_of.join(", ")));
            }
            if a.name == "desired_state" {
                notes.push("maform starts or stops the instance to match".into());
            }
            out.push_str(&format!(
                "| `{name}` | {ty} | {presence} | {} |\n",
                notes.join("; ")
            ));
            if let Ty::Block(inner, _) = &a.ty {
                rows(inner, &format!("{name}."), out);
            }
        }
    }
    let mut out = String::new();
    let kinds = registry
        .kinds()
        .map(|k| (k.type_name().to_string(), k.schema()));
    let data = registry
        .data_sources()
        .map(|d| (format!("data {}", d.type_name()), d.schema()));
    for (t, s) in kinds.chain(data) {
        out.push_str(&format!(
            "#### `{t}`\n\n| argument | type | | notes |\n| --- | --- | --- | --- |\n"
        ));
        rows(s, "", &mut out);
        out.push('\n');
    }
    out
}

/// Replace sensitive write-only values (the DevServer password) by salted digests
/// ([`crate::digest`]), so that neither the state nor a plan holds them in clear and a
/// changed value is still detected. A value whose digest `reference` (the prior object, or
/// the planned one) already holds at the same place keeps that digest, so an unchanged
/// secret plans no change. Returns the places where that digest was of an old kind and a
/// new one was made: the caller writes it without calling the API.
pub fn digest_secrets(
    s: &Schema,
    v: &mut Value,
    reference: Option<&Value>,
) -> Vec<(crate::value::Path, String)> {
    let mut rehashed = Vec::new();
    digest_into(s, v, reference, &mut Vec::new(), &mut rehashed);
    rehashed
}

fn digest_into(
    s: &Schema,
    v: &mut Value,
    reference: Option<&Value>,
    at: &mut crate::value::Path,
    rehashed: &mut Vec<(crate::value::Path, String)>,
) {
    use crate::digest::{self, Verified};
    use crate::value::PathStep;
    let Value::Map(m) = v else { return };
    for a in &s.attrs {
        let Some(x) = m.get_mut(a.name) else { continue };
        let r = reference.map(|r| r.get(a.name)).filter(|r| !r.is_null());
        at.push(PathStep::Key(a.name.to_string()));
        match (&a.ty, x) {
            // The reference's own digest, copied (ignore_changes, an unchanged object), stays;
            // anything else is a secret from the configuration, even one that looks like
            // a digest.
            (_, Value::String(p))
                if a.sensitive
                    && a.write_only
                    && !(r.and_then(Value::as_str) == Some(p.as_str()) && digest::is_digest(p)) =>
            {
                let prior = r.and_then(Value::as_str).filter(|d| digest::is_digest(d));
                *p = match prior.map(|d| (d, digest::verify(p.as_bytes(), d))) {
                    Some((d, Verified::Current)) => d.to_string(),
                    Some((d, Verified::Legacy)) => {
                        rehashed.push((at.clone(), digest::hash(p.as_bytes())));
                        d.to_string()
                    }
                    _ => digest::hash(p.as_bytes()),
                };
            }
            (Ty::Block(inner, true), Value::List(l)) => {
                for (i, e) in l.iter_mut().enumerate() {
                    let r = r.and_then(|r| r.as_list()).and_then(|l| l.get(i));
                    at.push(PathStep::Index(i));
                    digest_into(inner, e, r, at, rehashed);
                    at.pop();
                }
            }
            (Ty::Block(inner, false), x) => digest_into(inner, x, r, at, rehashed),
            _ => {}
        }
        at.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::eval::Scope;

    fn schema() -> Schema {
        Schema {
            attrs: vec![
                req("name", Ty::Str).check(|v| match v.as_str() {
                    Some("bad") => Err("bad is not a name".into()),
                    _ => Ok(()),
                }),
                opt("count_of", Ty::Int),
                opt("kind", Ty::Str).upper(&["A", "B"]),
                opt("lower", Ty::Str).lower(&["x"]),
                opt("flag", Ty::Bool),
                opt("tags", Ty::StrList),
                opt("pass", Ty::Str).secret().wo(),
                comp("id", Ty::Str),
                block(
                    "vol",
                    Schema {
                        attrs: vec![req("size", Ty::Num), opt("key", Ty::Str).secret().wo()],
                    },
                    false,
                    Presence::Required,
                ),
                block(
                    "rule",
                    Schema {
                        attrs: vec![opt("v", Ty::Str)],
                    },
                    true,
                    Presence::Optional,
                ),
            ],
        }
    }

    fn decode_text(text: &str) -> (Value, Vec<String>) {
        let body = crate::config::parse_text("t.hcl", text).unwrap();
        let scope = Scope::empty();
        let mut errs = Vec::new();
        let v = decode(
            &schema(),
            &body,
            "",
            &crate::config::Span::default(),
            &|a| scope.eval_attr(a),
            &mut errs,
        );
        (v, errs.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn decodes_converts_and_normalises() {
        let (v, errs) = decode_text(
            "name = \"n\"\ncount_of = \"3\"\nkind = \"a\"\nlower = \"X\"\nflag = \"true\"\ntags = [1, \"b\"]\nvol {\n  size = 5\n}\nrule {\n  v = \"1\"\n}\nrule {}\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(v.get("count_of"), &Value::Number(3.0));
        assert_eq!(v.get("kind").as_str(), Some("A"));
        assert_eq!(v.get("lower").as_str(), Some("x"));
        assert_eq!(v.get("flag"), &Value::Bool(true));
        assert_eq!(
            v.get("tags"),
            &Value::from_json(&serde_json::json!(["1", "b"]))
        );
        assert_eq!(v.get("rule").as_list().map(Vec::len), Some(2));
    }

    #[test]
    fn every_mistake_is_named_at_its_place() {
        let (_, errs) = decode_text(
            "nmae = \"x\"\nid = \"set\"\nkind = \"C\"\ncount_of = 1.5\nflag = 3\nvol = 1\nrule = 2\n",
        );
        let all = errs.join("\n");
        for want in [
            "t.hcl:1:1: unsupported argument nmae\n  Did you mean \"name\"?",
            "id is computed and cannot be set",
            "\"C\" is not one of A, B (case does not matter)",
            "a whole number is required, got 1.5",
            "true or false is required, got 3",
            "vol is a block",
            "missing required argument name",
            "missing required block vol",
        ] {
            assert!(all.contains(want), "missing {want:?} in:\n{all}");
        }
        let (_, errs) = decode_text("name = \"bad\"\nvol {\n  size = 1\n}\nvol {\n  size = 2\n}\n");
        let all = errs.join("\n");
        assert!(all.contains("bad is not a name"), "{all}");
        assert!(all.contains("only one vol block is allowed"), "{all}");
        let (_, errs) = decode_text("name = \"n\"\nvol {\n  size = 1\n  sise = 2\n}\n");
        assert!(
            errs[0].contains("unsupported argument vol.sise"),
            "{errs:?}"
        );
    }

    #[test]
    fn secrets_are_found_and_digested() {
        let mut v = Value::from_json(&serde_json::json!({
            "name": "n", "pass": "p4ss", "vol": {"size": 1, "key": "k"}
        }));
        let paths: Vec<String> = sensitive_paths(&schema(), &v)
            .iter()
            .map(|p| crate::value::path_string(p))
            .collect();
        assert_eq!(paths, ["pass", "vol.key"]);
        let plain = v.clone();
        assert!(digest_secrets(&schema(), &mut v, None).is_empty());
        let pass = v.get("pass").as_str().unwrap();
        assert!(pass.starts_with("$argon2id$") && !pass.contains("p4ss"));
        let again = {
            let mut w = v.clone();
            digest_secrets(&schema(), &mut w, Some(&v));
            w
        };
        assert_eq!(again, v, "the reference's digest is not digested again");
        // A configured secret that merely looks like a digest is a secret.
        let mut looks = plain.clone();
        if let Value::Map(m) = &mut looks {
            m.insert("pass".into(), Value::str("sha256:Passw0rd"));
        }
        digest_secrets(&schema(), &mut looks, None);
        assert!(looks
            .get("pass")
            .as_str()
            .unwrap()
            .starts_with("$argon2id$"));
        assert!(v
            .get("vol")
            .get("key")
            .as_str()
            .unwrap()
            .starts_with("$argon2id$"));
        // The same secrets against the digests made before keep them: no change to plan.
        let mut w = plain.clone();
        assert!(digest_secrets(&schema(), &mut w, Some(&v)).is_empty());
        assert_eq!(w, v);
        // A changed secret gets a new digest.
        let mut changed = plain.clone();
        if let Value::Map(m) = &mut changed {
            m.insert("pass".into(), Value::str("other"));
        }
        digest_secrets(&schema(), &mut changed, Some(&v));
        assert_ne!(changed.get("pass"), v.get("pass"));
        assert_eq!(changed.get("vol"), v.get("vol"));
        // An old unsalted digest verifies: kept for the plan, a new one to write.
        let mut old = v.clone();
        if let Value::Map(m) = &mut old {
            m.insert(
                "pass".into(),
                Value::str(format!(
                    "sha256:{}",
                    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"p4ss"))
                )),
            );
        }
        let mut w = plain.clone();
        let re = digest_secrets(&schema(), &mut w, Some(&old));
        assert_eq!(w.get("pass"), old.get("pass"));
        assert_eq!(re.len(), 1);
        assert_eq!(crate::value::path_string(&re[0].0), "pass");
        assert!(re[0].1.starts_with("$argon2id$"));
    }

    #[test]
    fn the_reference_lists_every_kind_and_argument() {
        let md = reference_markdown(crate::provider::fake::registry());
        assert!(md.contains("#### `fake_thing`"));
        assert!(md.contains("| `zone` | string | optional | forces replacement |"));
        assert!(md.contains(
            "| `secret` | string | optional | sensitive; write-only (not returned by the API) |"
        ));
    }
}
