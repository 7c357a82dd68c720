//! Input variables: their sources (defaults, `MAFORM_VAR_name`, `*.auto.tfvars`,
//! `--var-file`, `--var`, in increasing precedence), type constraints and validations.

use super::eval::{eval_const, Scope};
use super::{Config, Diag, Diags, Span};
use crate::value::Value;
use hcl::expr::{Expression, FuncCall};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A type constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Any,
    String,
    Number,
    Bool,
    List(Box<Ty>),
    Map(Box<Ty>),
    Object(BTreeMap<String, (Ty, bool)>),
    Tuple(Vec<Ty>),
}

pub fn parse_type(e: &Expression, span: &Span) -> Result<Ty, Diag> {
    let bad = || {
        Diag::new(Some(span), "invalid type constraint", "Use string, number, bool, any, list(T), set(T), map(T), object({...}) or tuple([...]).")
    };
    Ok(match e {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ty::String,
            "number" => Ty::Number,
            "bool" => Ty::Bool,
            "any" => Ty::Any,
            _ => return Err(bad()),
        },
        Expression::FuncCall(f) => {
            let FuncCall { name, args, .. } = &**f;
            let one = || {
                args.first()
                    .ok_or_else(bad)
                    .and_then(|a| parse_type(a, span))
            };
            match name.name.as_str() {
                "list" | "set" => Ty::List(Box::new(one()?)),
                "map" => Ty::Map(Box::new(one()?)),
                "object" => match args.first() {
                    Some(Expression::Object(o)) => {
                        let mut m = BTreeMap::new();
                        for (k, v) in o.iter() {
                            let key = match k {
                                hcl::expr::ObjectKey::Identifier(i) => i.as_str().to_string(),
                                hcl::expr::ObjectKey::Expression(Expression::String(s)) => {
                                    s.clone()
                                }
                                _ => return Err(bad()),
                            };
                            let (ty, optional) = match v {
                                Expression::FuncCall(of) if of.name.name.as_str() == "optional" => {
                                    (
                                        of.args
                                            .first()
                                            .ok_or_else(bad)
                                            .and_then(|a| parse_type(a, span))?,
                                        true,
                                    )
                                }
                                other => (parse_type(other, span)?, false),
                            };
                            m.insert(key, (ty, optional));
                        }
                        Ty::Object(m)
                    }
                    _ => return Err(bad()),
                },
                "tuple" => match args.first() {
                    Some(Expression::Array(a)) => Ty::Tuple(
                        a.iter()
                            .map(|x| parse_type(x, span))
                            .collect::<Result<_, _>>()?,
                    ),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            }
        }
        _ => return Err(bad()),
    })
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::Any => write!(f, "any"),
            Ty::String => write!(f, "string"),
            Ty::Number => write!(f, "number"),
            Ty::Bool => write!(f, "bool"),
            Ty::List(t) => write!(f, "list({t})"),
            Ty::Map(t) => write!(f, "map({t})"),
            Ty::Object(_) => write!(f, "object"),
            Ty::Tuple(_) => write!(f, "tuple"),
        }
    }
}

/// Convert `v` to `ty` as Terraform would ("5" → 5 for a number, and so on).
pub fn convert(v: Value, ty: &Ty) -> Result<Value, String> {
    if matches!(v, Value::Null | Value::Unknown) {
        return Ok(v);
    }
    Ok(match (ty, v) {
        (Ty::Any, v) => v,
        (Ty::String, v) => Value::String(
            v.to_template_string()
                .ok_or_else(|| format!("a string is required, got a {}", v.type_name()))?,
        ),
        (Ty::Number, v) => Value::Number(
            super::eval::num(&v)
                .ok_or_else(|| format!("a number is required, got {}", v.to_hcl()))?,
        ),
        (Ty::Bool, Value::Bool(b)) => Value::Bool(b),
        (Ty::Bool, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Ty::Bool, v) => return Err(format!("a bool is required, got {}", v.to_hcl())),
        (Ty::List(t), Value::List(l)) => Value::List(
            l.into_iter()
                .enumerate()
                .map(|(i, x)| convert(x, t).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<_, _>>()?,
        ),
        (Ty::List(_), v) => return Err(format!("a list is required, got a {}", v.type_name())),
        (Ty::Map(t), Value::Map(m)) => Value::Map(
            m.into_iter()
                .map(|(k, x)| {
                    convert(x, t)
                        .map(|c| (k.clone(), c))
                        .map_err(|e| format!("element {k:?}: {e}"))
                })
                .collect::<Result<_, _>>()?,
        ),
        (Ty::Map(_), v) => return Err(format!("a map is required, got a {}", v.type_name())),
        (Ty::Object(fields), Value::Map(mut m)) => {
            let mut out = BTreeMap::new();
            for (k, (t, optional)) in fields {
                match m.remove(k) {
                    Some(x) => {
                        out.insert(
                            k.clone(),
                            convert(x, t).map_err(|e| format!("attribute {k:?}: {e}"))?,
                        );
                    }
                    None if *optional => {
                        out.insert(k.clone(), Value::Null);
                    }
                    None => return Err(format!("attribute {k:?} is required")),
                }
            }
            if let Some(extra) = m.keys().next() {
                return Err(format!("unexpected attribute {extra:?}"));
            }
            Value::Map(out)
        }
        (Ty::Object(_), v) => {
            return Err(format!("an object is required, got a {}", v.type_name()))
        }
        (Ty::Tuple(ts), Value::List(l)) if ts.len() == l.len() => Value::List(
            l.into_iter()
                .zip(ts)
                .map(|(x, t)| convert(x, t))
                .collect::<Result<_, _>>()?,
        ),
        (Ty::Tuple(ts), v) => {
            return Err(format!(
                "a tuple of {} elements is required, got {}",
                ts.len(),
                v.to_hcl()
            ))
        }
    })
}

/// Where a value came from, for error messages.
#[derive(Clone, Debug)]
pub enum Source {
    Raw(String, String),
    Expr(Expression, Span),
}

/// Parse a variables file (`name = value` lines, HCL).
pub fn parse_var_file(path: &Path) -> Result<Vec<(String, Source)>, Diag> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diag::new(
            None,
            format!("cannot read variables file {}: {e}", path.display()),
            "Check the path given to --var-file.",
        )
    })?;
    let name = path.display().to_string();
    let body = super::parse_text(&name, &text)?;
    if let Some(b) = body.blocks.first() {
        return Err(Diag::new(
            Some(&b.span),
            "a variables file may hold only name = value assignments",
            "",
        ));
    }
    Ok(body
        .attrs
        .into_iter()
        .map(|(k, a)| (k, Source::Expr(a.expr, a.span)))
        .collect())
}

/// The inputs given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub vars: Vec<String>,
    pub var_files: Vec<std::path::PathBuf>,
}

/// Resolved variable values and which of them are sensitive.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    pub values: BTreeMap<String, Value>,
    pub sensitive: BTreeSet<String>,
}

pub fn resolve(cfg: &Config, inputs: &Inputs, env: &[(String, String)]) -> Result<Resolved, Diags> {
    let mut given: BTreeMap<String, Source> = BTreeMap::new();
    let mut errs = Vec::new();
    for (k, v) in env {
        if let Some(name) = k.strip_prefix("MAFORM_VAR_") {
            given.insert(
                name.to_string(),
                Source::Raw(v.clone(), format!("environment variable {k}")),
            );
        }
    }
    let mut auto: Vec<std::path::PathBuf> = std::fs::read_dir(&cfg.dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(".auto.tfvars") || n == "maform.tfvars")
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    for f in auto.iter().chain(inputs.var_files.iter()) {
        match parse_var_file(f) {
            Ok(pairs) => {
                for (k, s) in pairs {
                    if !cfg.variables.contains_key(&k) {
                        if let Source::Expr(_, sp) = &s {
                            errs.push(Diag::new(
                                Some(sp),
                                format!("value for undeclared variable {k:?}"),
                                "Remove it or declare variable \"{k}\" in the configuration.",
                            ));
                        }
                        continue;
                    }
                    given.insert(k, s);
                }
            }
            Err(e) => errs.push(e),
        }
    }
    for kv in &inputs.vars {
        match kv.split_once('=') {
            Some((k, v)) if cfg.variables.contains_key(k.trim()) => {
                given.insert(
                    k.trim().to_string(),
                    Source::Raw(v.to_string(), format!("--var {}", k.trim())),
                );
            }
            Some((k, _)) => errs.push(Diag::new(
                None,
                format!("--var given for undeclared variable {:?}", k.trim()),
                "Declare it in the configuration or fix the name.",
            )),
            None => errs.push(Diag::new(
                None,
                format!("invalid --var {kv:?}"),
                "Write --var NAME=VALUE.",
            )),
        }
    }
    let mut out = Resolved::default();
    for (name, var) in &cfg.variables {
        let ty = match &var.ty {
            Some(t) => match parse_type(t, &var.span) {
                Ok(t) => t,
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            },
            None => Ty::Any,
        };
        let raw = match given.remove(name) {
            Some(Source::Raw(text, origin)) => {
                // As in Terraform, a value from the command line or the environment is a
                // literal string unless the type asks for something else.
                if matches!(ty, Ty::String | Ty::Any) {
                    Ok(Value::String(text))
                } else {
                    match hcl_edit::parser::parse_expr(&text) {
                        Ok(e) => eval_const(&Expression::from(e), &var.span).map_err(|d| {
                            Diag::new(
                                None,
                                format!("invalid value for variable {name:?} from {origin}"),
                                d.summary,
                            )
                        }),
                        Err(_) if matches!(ty, Ty::Any) => Ok(Value::String(text)),
                        Err(e) => Err(Diag::new(
                            None,
                            format!("invalid value for variable {name:?} from {origin}"),
                            format!("{}; a {ty} is expected", e.message()),
                        )),
                    }
                }
            }
            Some(Source::Expr(e, sp)) => eval_const(&e, &sp),
            None => match &var.default {
                Some(d) => eval_const(&d.expr, &d.span),
                None => Err(Diag::new(
                    Some(&var.span),
                    format!("no value for required variable {name:?}"),
                    format!(
                        "Set it with --var {name}=VALUE, a variables file, or MAFORM_VAR_{name}."
                    ),
                )),
            },
        };
        let v = match raw.and_then(|v| {
            convert(v, &ty).map_err(|m| {
                Diag::new(
                    Some(&var.span),
                    format!("invalid value for variable {name:?}"),
                    m,
                )
            })
        }) {
            Ok(v) => v,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        if v.is_null() && !var.nullable {
            errs.push(Diag::new(
                Some(&var.span),
                format!("variable {name:?} must not be null"),
                "",
            ));
            continue;
        }
        out.values.insert(name.clone(), v);
        if var.sensitive {
            out.sensitive.insert(name.clone());
        }
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    // Validations see only their own variable.
    for (name, var) in &cfg.variables {
        for (cond, msg) in &var.validations {
            let one: BTreeMap<String, Value> = out
                .values
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let no_locals = BTreeMap::new();
            let no_objects = BTreeMap::new();
            let none = BTreeSet::new();
            let no_secrets = BTreeMap::new();
            let scope = Scope::new(&one, &none, &no_locals, &no_objects, &no_secrets, &cfg.dir);
            match scope.eval_attr(cond) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => {
                    let m = scope
                        .eval_attr(msg)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| "validation failed".into());
                    errs.push(Diag::new(
                        Some(&cond.span),
                        format!("invalid value for variable {name:?}"),
                        format!(
                            "{m}\nThis was checked by the validation rule at {}.",
                            cond.span
                        ),
                    ));
                }
                Ok(_) => errs.push(Diag::new(
                    Some(&cond.span),
                    "a validation condition must be true or false",
                    "",
                )),
                Err(e) => errs.push(e),
            }
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Diags(errs))
    }
}
