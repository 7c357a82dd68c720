//! Input variables: their sources (defaults, `TF_VAR_name`, `MAFORM_VAR_name`,
//! `terraform.tfvars(.json)`, `maform.tfvars(.json)`, `*.auto.tfvars(.json)`,
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
    /// A list without duplicates, in Terraform's set order; iterating it gives each
    /// element as its own key.
    Set(Box<Ty>),
    Map(Box<Ty>),
    Object(BTreeMap<String, Field>),
    Tuple(Vec<Ty>),
}

/// An attribute of an object type: `optional(T, default)` may be left out (or null), and
/// then takes its default.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub ty: Ty,
    pub optional: bool,
    pub default: Value,
}

pub fn parse_type(e: &Expression, span: &Span) -> Result<Ty, Diag> {
    const HELP: &str =
        "Use string, number, bool, any, list(T), set(T), map(T), object({...}) or tuple([...]).";
    let bad = || Diag::new(Some(span), "invalid type constraint", HELP);
    let near = |name: &str| {
        let known = [
            "string", "number", "bool", "any", "list", "set", "map", "object", "tuple",
        ];
        let hint = super::did_you_mean(name, known)
            .map(|k| format!("Did you mean {k}? "))
            .unwrap_or_default();
        Diag::new(
            Some(span),
            format!("invalid type constraint: {name:?} is not a type"),
            format!("{hint}{HELP}"),
        )
    };
    Ok(match e {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ty::String,
            "number" => Ty::Number,
            "bool" => Ty::Bool,
            "any" => Ty::Any,
            other => return Err(near(other)),
        },
        Expression::FuncCall(f) => {
            let FuncCall { name, args, .. } = &**f;
            let one = || {
                args.first()
                    .ok_or_else(bad)
                    .and_then(|a| parse_type(a, span))
            };
            match name.name.as_str() {
                "list" => Ty::List(Box::new(one()?)),
                "set" => Ty::Set(Box::new(one()?)),
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
                            let field = match v {
                                Expression::FuncCall(of) if of.name.name.as_str() == "optional" => {
                                    let ty = of
                                        .args
                                        .first()
                                        .ok_or_else(bad)
                                        .and_then(|a| parse_type(a, span))?;
                                    let default = match of.args.get(1) {
                                        None => Value::Null,
                                        Some(d) => {
                                            let v = eval_const(d, span)?;
                                            convert(v, &ty).map_err(|e| {
                                                Diag::new(
                                                    Some(span),
                                                    format!("invalid default for optional attribute {key:?}: {e}"),
                                                    "The default must have the attribute's type.",
                                                )
                                            })?
                                        }
                                    };
                                    if of.args.len() > 2 {
                                        return Err(Diag::new(
                                            Some(span),
                                            "optional takes a type and at most one default",
                                            "Write optional(TYPE) or optional(TYPE, DEFAULT).",
                                        ));
                                    }
                                    Field {
                                        ty,
                                        optional: true,
                                        default,
                                    }
                                }
                                other => Field {
                                    ty: parse_type(other, span)?,
                                    optional: false,
                                    default: Value::Null,
                                },
                            };
                            m.insert(key, field);
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
                "optional" => {
                    return Err(Diag::new(
                        Some(span),
                        "optional() is only valid for an attribute of an object type",
                        "Write object({ name = optional(string, \"x\") }).",
                    ))
                }
                other => return Err(near(other)),
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
            Ty::Set(t) => write!(f, "set({t})"),
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
        // `list(any)` (and `set(any)`, `map(any)`): one element type, as Terraform
        // converts them: mixed strings, numbers and bools are all strings.
        (Ty::List(t), Value::List(l)) if **t == Ty::Any => Value::List(super::funcs::unify(l)?),
        (Ty::List(t), Value::List(l)) => Value::List(
            l.into_iter()
                .enumerate()
                .map(|(i, x)| convert(x, t).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<_, _>>()?,
        ),
        (Ty::List(_), v) => return Err(format!("a list is required, got a {}", v.type_name())),
        (Ty::Set(t), v @ Value::List(_)) => match convert(v, &Ty::List(t.clone()))? {
            // Which elements are equal is known only after apply when some are unknown.
            Value::List(l) if l.iter().all(Value::is_known) => Value::List(super::funcs::set_of(l)),
            Value::List(_) => Value::Unknown,
            v => v,
        },
        (Ty::Set(_), v) => return Err(format!("a set is required, got a {}", v.type_name())),
        (Ty::Map(t), Value::Map(m)) if **t == Ty::Any => {
            let (keys, values): (Vec<String>, Vec<Value>) = m.into_iter().unzip();
            Value::Map(keys.into_iter().zip(super::funcs::unify(values)?).collect())
        }
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
            for (k, f) in fields {
                match m.remove(k) {
                    // An optional attribute given as null takes its default too.
                    Some(Value::Null) | None if f.optional => {
                        out.insert(k.clone(), f.default.clone());
                    }
                    Some(x) => {
                        out.insert(
                            k.clone(),
                            convert(x, &f.ty).map_err(|e| format!("attribute {k:?}: {e}"))?,
                        );
                    }
                    None => return Err(format!("attribute {k:?} is required")),
                }
            }
            // Attributes the type does not declare are dropped, as Terraform's object
            // conversion drops them (a wider object passes where a narrower one is asked).
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
    /// Text from the command line or the environment, and where it came from.
    Raw(String, String),
    Expr(Expression, Span),
    /// A value from a JSON variables file.
    Json(Value, Span),
}

/// Parse a variables file: `name = value` lines (HCL), or a JSON object when the name
/// ends in `.json`.
pub fn parse_var_file(path: &Path) -> Result<Vec<(String, Source)>, Diag> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diag::new(
            None,
            format!("cannot read variables file {}: {e}", path.display()),
            "Check the path given to --var-file.",
        )
    })?;
    let name = path.display().to_string();
    if name.ends_with(".json") {
        let at = |line: usize, col: usize| Span {
            file: name.as_str().into(),
            line: line.max(1),
            col: col.max(1),
        };
        // The error says where, not what: variables files hold secrets.
        let j: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Diag::new(
                Some(&at(e.line(), e.column())),
                "invalid JSON in the variables file",
                "Fix the syntax at this position (the line is not shown: variables files hold secrets).",
            )
        })?;
        let serde_json::Value::Object(o) = j else {
            return Err(Diag::new(
                Some(&at(1, 1)),
                "a JSON variables file must hold one object",
                "Write {\"name\": value, ...}.",
            ));
        };
        return Ok(o
            .into_iter()
            .map(|(k, v)| (k, Source::Json(Value::from_json(&v), at(1, 1))))
            .collect());
    }
    // A variables file holds secrets: a syntax error says where, without the line.
    let body = super::parse_text(&name, &text).map_err(|mut d| {
        d.detail = "Fix the syntax at this position (the line is not shown: variables files hold secrets).".into();
        d
    })?;
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

/// Asks for a required variable that has no value (name, description, sensitive): the
/// CLI's terminal prompt. `None` when nobody can answer.
pub type Ask = fn(&str, &str, bool) -> Option<String>;

/// The inputs given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub vars: Vec<String>,
    pub var_files: Vec<std::path::PathBuf>,
    /// The command line's order of the two: for each `--var` (false) and `--var-file`
    /// (true) in turn, so that a later one wins as in Terraform. Empty: the files first.
    pub order: Vec<bool>,
    /// Set only at a terminal (never in a pipeline, never with `-input=false`).
    pub ask: Option<Ask>,
    /// A required variable without a value is unknown (validate, as Terraform's: it
    /// checks the configuration for every value a variable could have).
    pub unknown_if_missing: bool,
}

/// The paths under `at` where type `ty` holds a set (see [`Resolved::sets`]).
fn set_paths(ty: &Ty, at: &str, out: &mut BTreeSet<String>) {
    match ty {
        Ty::Set(_) => {
            out.insert(at.to_string());
        }
        Ty::Object(fields) => {
            for (k, f) in fields {
                set_paths(&f.ty, &format!("{at}.{k}"), out);
            }
        }
        Ty::List(t) | Ty::Map(t) => set_paths(t, &format!("{at}.*"), out),
        Ty::Tuple(ts) => {
            for t in ts {
                set_paths(t, &format!("{at}.*"), out);
            }
        }
        Ty::Any | Ty::String | Ty::Number | Ty::Bool => {}
    }
}

/// Resolved variable values and which of them are sensitive.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    pub values: BTreeMap<String, Value>,
    pub sensitive: BTreeSet<String>,
    /// Where the variables' types are sets (what `for k, v in var.X` iterates by
    /// element): `NAME`, and paths into it, `NAME.ATTR` for an object's attribute and
    /// `NAME.*` for any element of a list, map or tuple (`var.o.tags`, `var.m["k"]`).
    pub sets: BTreeSet<String>,
}

impl Resolved {
    /// Record variable `name`'s value, of type `ty`.
    fn insert(&mut self, name: &str, v: Value, ty: &Ty, sensitive: bool) {
        self.values.insert(name.to_string(), v);
        set_paths(ty, name, &mut self.sets);
        if sensitive {
            self.sensitive.insert(name.to_string());
        }
    }

    /// Every variable with its value, `None` for sensitive ones: what plan JSON shows.
    pub fn for_json(&self) -> Vec<(String, Option<Value>)> {
        self.values
            .iter()
            .map(|(k, v)| (k.clone(), (!self.sensitive.contains(k)).then(|| v.clone())))
            .collect()
    }
}

/// The variables files read without being named, in Terraform's order (a later file
/// wins): `terraform.tfvars`, `terraform.tfvars.json`, `maform.tfvars`,
/// `maform.tfvars.json`, then `*.auto.tfvars` and `*.auto.tfvars.json` in name order.
pub fn auto_var_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let fixed = [
        "terraform.tfvars",
        "terraform.tfvars.json",
        "maform.tfvars",
        "maform.tfvars.json",
    ];
    let mut out: Vec<std::path::PathBuf> = fixed
        .iter()
        .filter(|f| names.iter().any(|n| n == *f))
        .map(|f| dir.join(f))
        .collect();
    out.extend(
        names
            .iter()
            .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
            .map(|n| dir.join(n)),
    );
    out
}

pub fn resolve(cfg: &Config, inputs: &Inputs, env: &[(String, String)]) -> Result<Resolved, Diags> {
    let mut given: BTreeMap<String, Source> = BTreeMap::new();
    let mut errs = Vec::new();
    // TF_VAR_name as Terraform reads it; MAFORM_VAR_name wins over it.
    for prefix in ["TF_VAR_", "MAFORM_VAR_"] {
        for (k, v) in env {
            if let Some(name) = k.strip_prefix(prefix) {
                given.insert(
                    name.to_string(),
                    Source::Raw(v.clone(), format!("environment variable {k}")),
                );
            }
        }
    }
    // The automatic files, then the command line's --var and --var-file in the order
    // given: a later value wins (Terraform's precedence).
    let auto = auto_var_files(&cfg.dir);
    let read_file = |f: &std::path::Path,
                     given: &mut BTreeMap<String, Source>,
                     errs: &mut Vec<Diag>| {
        match parse_var_file(f) {
            Ok(pairs) => {
                for (k, s) in pairs {
                    if !cfg.variables.contains_key(&k) {
                        if let Source::Expr(_, sp) | Source::Json(_, sp) = &s {
                            let near =
                                super::did_you_mean(&k, cfg.variables.keys().map(String::as_str))
                                    .map(|n| format!("Did you mean {n:?}? "))
                                    .unwrap_or_default();
                            errs.push(Diag::new(
                                Some(sp),
                                format!("value for undeclared variable {k:?}"),
                                format!("{near}Remove it or declare variable \"{k}\" in the configuration."),
                            ));
                        }
                        continue;
                    }
                    given.insert(k, s);
                }
            }
            Err(e) => errs.push(e),
        }
    };
    let set_var = |kv: &String, given: &mut BTreeMap<String, Source>, errs: &mut Vec<Diag>| match kv
        .split_once('=')
    {
        Some((k, v)) if cfg.variables.contains_key(k.trim()) => {
            given.insert(
                k.trim().to_string(),
                Source::Raw(v.to_string(), format!("--var {}", k.trim())),
            );
        }
        Some((k, _)) => errs.push(Diag::new(
            None,
            format!("--var given for undeclared variable {:?}", k.trim()),
            match super::did_you_mean(k.trim(), cfg.variables.keys().map(String::as_str)) {
                Some(n) => format!("Did you mean {n:?}?"),
                None => "Declare it in the configuration or fix the name.".into(),
            },
        )),
        None => errs.push(Diag::new(
            None,
            format!("invalid --var {kv:?}"),
            "Write --var NAME=VALUE.",
        )),
    };
    for f in &auto {
        read_file(f, &mut given, &mut errs);
    }
    let order: Vec<bool> = if inputs.order.len() == inputs.vars.len() + inputs.var_files.len() {
        inputs.order.clone()
    } else {
        std::iter::repeat_n(true, inputs.var_files.len())
            .chain(std::iter::repeat_n(false, inputs.vars.len()))
            .collect()
    };
    let (mut files, mut kvs) = (inputs.var_files.iter(), inputs.vars.iter());
    for is_file in order {
        if is_file {
            if let Some(f) = files.next() {
                read_file(f, &mut given, &mut errs);
            }
        } else if let Some(kv) = kvs.next() {
            set_var(kv, &mut given, &mut errs);
        }
    }
    let mut out = Resolved::default();
    for (name, var) in &cfg.variables {
        let ty = match declared_type(var) {
            Ok(t) => t,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        // At a terminal, a required variable without a value is asked for, as Terraform
        // does; elsewhere it is an error (every missing one is named).
        if !given.contains_key(name) && var.default.is_none() {
            if let Some(answer) = inputs
                .ask
                .and_then(|ask| ask(name, &var.description, var.sensitive))
            {
                given.insert(name.clone(), Source::Raw(answer, "the prompt".into()));
            }
        }
        let had_value = given.contains_key(name) || var.default.is_some();
        let raw = match given.remove(name) {
            Some(Source::Raw(text, origin)) => {
                // As in Terraform, a value from the command line or the environment is a
                // literal string (converted to a number or bool type as any string is)
                // unless the type is a collection or structure: `-var n=1+10` is no number.
                if matches!(ty, Ty::String | Ty::Any | Ty::Number | Ty::Bool) {
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
            Some(Source::Json(v, _)) => Ok(v),
            None => match &var.default {
                Some(d) => eval_const(&d.expr, &d.span),
                None if inputs.unknown_if_missing => Ok(Value::Unknown),
                None => Err(Diag::new(
                    Some(&var.span),
                    format!("no value for required variable {name:?}"),
                    format!(
                        "Set it with --var {name}=VALUE, a variables file (terraform.tfvars), or TF_VAR_{name} / MAFORM_VAR_{name}."
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
            Err(mut e) => {
                if var.sensitive && had_value {
                    // The message would quote the value (or a part of it).
                    e.detail = format!("The value is not a valid {ty}. The variable is sensitive, so its value is not shown.");
                }
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
        out.insert(name, v, &ty, var.sensitive);
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    errs.extend(validate(cfg, &out));
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Diags(errs))
    }
}

/// A variable's type constraint (`any` when it has none).
fn declared_type(var: &super::Variable) -> Result<Ty, Diag> {
    match &var.ty {
        Some(t) => parse_type(&t.expr, &t.span),
        None => Ok(Ty::Any),
    }
}

/// The variables of a module instance, from the values its module block gives: each
/// converted to its type, defaults for the others, then the validations. `given` holds
/// each value and whether it read a secret.
pub fn resolve_module(
    cfg: &Config,
    given: BTreeMap<String, (Value, bool)>,
    call: &Span,
) -> Result<Resolved, Diags> {
    let mut errs = Vec::new();
    let mut out = Resolved::default();
    let mut given = given;
    for (name, var) in &cfg.variables {
        let ty = match declared_type(var) {
            Ok(t) => t,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        let (raw, secret) = match given.remove(name) {
            Some((v, secret)) => (Ok(v), secret),
            None => match &var.default {
                Some(d) => (eval_const(&d.expr, &d.span), false),
                None => (
                    Err(Diag::new(
                        Some(call),
                        format!("no value for the module's required variable {name:?}"),
                        format!("Add {name} = ... to the module block."),
                    )),
                    false,
                ),
            },
        };
        let v = match raw.and_then(|v| {
            convert(v, &ty).map_err(|m| {
                Diag::new(
                    Some(call),
                    format!("invalid value for the module's variable {name:?}"),
                    if var.sensitive || secret {
                        format!(
                            "The value is not a valid {ty}. It is sensitive, so it is not shown."
                        )
                    } else {
                        m
                    },
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
                Some(call),
                format!("the module's variable {name:?} must not be null"),
                "",
            ));
            continue;
        }
        out.insert(name, v, &ty, var.sensitive || secret);
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    let errs = validate(cfg, &out);
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Diags(errs))
    }
}

/// The variables' validation rules, on the values resolved. A condition on a value known
/// only after apply waits for it.
fn validate(cfg: &Config, out: &Resolved) -> Vec<Diag> {
    let mut errs = Vec::new();
    // As in Terraform 1.9: a validation may refer to other variables and to locals.
    for (name, var) in &cfg.variables {
        for (cond, msg) in &var.validations {
            // Validations are checked before anything is read from the API, so they can
            // see variables and locals only; Terraform 1.9 also lets them read resources,
            // data sources and module outputs: refused where they are written.
            let mut refs = std::collections::BTreeSet::new();
            for e in [&cond.expr, &msg.expr] {
                super::eval::refs::references(e, cfg.registry, &mut refs);
            }
            let elsewhere: Vec<String> = refs
                .iter()
                .filter_map(|r| match r {
                    super::eval::refs::Ref::Resource(a) => Some(a.to_string()),
                    super::eval::refs::Ref::Module(m) => Some(format!("module.{m}")),
                    _ => None,
                })
                .collect();
            if !elsewhere.is_empty() {
                errs.push(Diag::new(
                    Some(&cond.span),
                    format!(
                        "variable {name:?}: a validation that reads {} is not supported",
                        elsewhere.join(", ")
                    ),
                    "maform checks validations before it reads anything from the API, so they can refer to variables and locals only. Check the value with a precondition on the resource (or a check block) instead.",
                ));
                continue;
            }
            let scope = Scope::for_variables(cfg, out);
            match scope.eval_attr(cond).map(super::eval::boolish) {
                Ok(Value::Bool(true) | Value::Unknown) => {}
                Ok(Value::Bool(false)) => {
                    // As Terraform does: a message that reads a sensitive value is not
                    // shown at all.
                    scope.sensitive_hit.set(false);
                    let m = scope.eval_attr(msg);
                    let m = if scope.sensitive_hit.get() {
                        "The error message included a sensitive value, so it is not shown.".into()
                    } else {
                        m.ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_else(|| "validation failed".into())
                    };
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
                Err(mut e) => {
                    // The condition failed on a value: a sensitive one is not quoted.
                    for secret in &out.sensitive {
                        if let Some(v) = out.values.get(secret) {
                            e.summary = crate::redact::scrub_value(&e.summary, v).into_owned();
                            e.detail = crate::redact::scrub_value(&e.detail, v).into_owned();
                        }
                    }
                    errs.push(e)
                }
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration in a directory of its own, with extra files.
    fn setup(main: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("main.hcl"), main).unwrap();
        for (n, t) in files {
            std::fs::write(d.path().join(n), t).unwrap();
        }
        let cfg = Config::load_dir(d.path()).unwrap();
        (d, cfg)
    }

    fn inputs(vars: &[&str], files: &[std::path::PathBuf]) -> Inputs {
        Inputs {
            vars: vars.iter().map(|s| s.to_string()).collect(),
            var_files: files.to_vec(),
            order: vec![],
            ask: None,
            unknown_if_missing: false,
        }
    }

    #[test]
    fn required_variables_are_asked_for_only_when_someone_can_answer() {
        let main = "variable \"a\" {\n  description = \"The a.\"\n}\nvariable \"n\" {\n  type = number\n}\nvariable \"b\" {\n  default = \"kept\"\n}\n";
        let (_d, cfg) = setup(main, &[]);
        fn answer(name: &str, description: &str, _sensitive: bool) -> Option<String> {
            Some(match (name, description) {
                ("a", "The a.") => "typed".into(),
                ("n", _) => "42".into(),
                _ => panic!("asked for {name}"),
            })
        }
        let mut inp = inputs(&[], &[]);
        inp.ask = Some(answer);
        let r = resolve(&cfg, &inp, &[]).unwrap();
        assert_eq!(r.values["a"], Value::str("typed"));
        assert_eq!(
            r.values["n"],
            Value::Number(42.0),
            "typed as the variable's type"
        );
        assert_eq!(
            r.values["b"],
            Value::str("kept"),
            "a default is not asked for"
        );
        // Without a terminal: one error naming every missing variable.
        let e = resolve(&cfg, &inputs(&[], &[]), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"a\"") && e.contains("\"n\""), "{e}");
    }

    #[test]
    fn precedence_defaults_env_auto_files_var_files_flags() {
        let main = "variable \"a\" { default = \"default\" }\nvariable \"b\" { default = \"default\" }\nvariable \"c\" { default = \"default\" }\nvariable \"d\" { default = \"default\" }\nvariable \"e\" { default = \"default\" }\n";
        let (d, cfg) = setup(
            main,
            &[
                (
                    "x.auto.tfvars",
                    "c = \"auto\"\nd = \"auto\"\ne = \"auto\"\n",
                ),
                ("extra.tfvars", "d = \"file\"\ne = \"file\"\n"),
            ],
        );
        let env = [
            ("MAFORM_VAR_b".to_string(), "env".to_string()),
            ("MAFORM_VAR_c".to_string(), "env".to_string()),
        ];
        let r = resolve(
            &cfg,
            &inputs(&["e=flag"], &[d.path().join("extra.tfvars")]),
            &env,
        )
        .unwrap();
        let got: Vec<&str> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|k| r.values[*k].as_str().unwrap())
            .collect();
        assert_eq!(got, ["default", "env", "auto", "file", "flag"]);
    }

    #[test]
    fn types_convert_and_refuse() {
        let main = "variable \"n\" { type = number }\nvariable \"l\" { type = list(string) }\nvariable \"o\" {\n  type = object({ a = number, b = optional(string) })\n}\nvariable \"s\" { type = string }\n";
        let (_d, cfg) = setup(main, &[]);
        let r = resolve(
            &cfg,
            &inputs(
                &["n=42", "l=[\"x\", 1]", "o={ a = \"7\" }", "s=plain text"],
                &[],
            ),
            &[],
        )
        .unwrap();
        assert_eq!(r.values["n"], Value::Number(42.0));
        assert_eq!(
            r.values["l"],
            Value::from_json(&serde_json::json!(["x", "1"]))
        );
        assert_eq!(r.values["o"].get("a"), &Value::Number(7.0));
        assert_eq!(
            r.values["s"].as_str(),
            Some("plain text"),
            "a literal string"
        );
        let e = resolve(
            &cfg,
            &inputs(&["n=abc", "l=[]", "o={a=1}", "s=x"], &[]),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("invalid value for variable \"n\""), "{e}");
    }

    #[test]
    fn missing_undeclared_and_null_values_are_errors() {
        let (_d, cfg) = setup(
            "variable \"req\" {}\nvariable \"nn\" {\n  nullable = false\n  default  = null\n}\n",
            &[],
        );
        let e = resolve(&cfg, &inputs(&["ghost=1"], &[]), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no value for required variable \"req\""), "{e}");
        assert!(
            e.contains("--var given for undeclared variable \"ghost\""),
            "{e}"
        );
        assert!(e.contains("variable \"nn\" must not be null"), "{e}");
        let e = resolve(&cfg, &inputs(&["novalue"], &[]), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid --var \"novalue\""), "{e}");
    }

    #[test]
    fn validations_use_the_users_message() {
        let main = "variable \"size\" {\n  type = number\n  validation {\n    condition     = var.size >= 5\n    error_message = \"Size must be at least 5.\"\n  }\n}\n";
        let (_d, cfg) = setup(main, &[]);
        assert!(resolve(&cfg, &inputs(&["size=5"], &[]), &[]).is_ok());
        let e = resolve(&cfg, &inputs(&["size=3"], &[]), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("Size must be at least 5."), "{e}");
        assert!(e.contains("main.hcl:4:"), "{e}");
    }

    #[test]
    fn sensitive_variables_are_remembered_and_hidden_in_json() {
        let (_d, cfg) = setup(
            "variable \"pw\" {\n  sensitive = true\n}\nvariable \"x\" {}\n",
            &[],
        );
        let r = resolve(&cfg, &inputs(&["pw=hunter2", "x=1"], &[]), &[]).unwrap();
        assert!(r.sensitive.contains("pw"));
        let j = r.for_json();
        assert_eq!(j[0], ("pw".to_string(), None));
        assert_eq!(j[1].1, Some(Value::str("1")));
    }

    #[test]
    fn errors_about_sensitive_values_do_not_quote_them() {
        let main = "variable \"n\" {\n  type      = number\n  sensitive = true\n}\nvariable \"pw\" {\n  sensitive = true\n  validation {\n    condition     = length(var.pw) > 12\n    error_message = \"pw ${var.pw} is too short.\"\n  }\n}\nvariable \"plain\" {\n  validation {\n    condition     = length(var.plain) > 12\n    error_message = \"plain ${var.plain} is too short.\"\n  }\n}\n";
        let (_d, cfg) = setup(main, &[]);
        let e = resolve(
            &cfg,
            &inputs(&["n=notanumber-SECRET", "pw=5"], &[]),
            &[("MAFORM_VAR_plain".into(), "visible".into())],
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("SECRET"), "{e}");
        assert!(e.contains("The value is not a valid number"), "{e}");
        let e = resolve(
            &cfg,
            &inputs(&["n=1", "pw=hunter2"], &[]),
            &[("MAFORM_VAR_plain".into(), "visible".into())],
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("included a sensitive value"), "{e}");
        assert!(e.contains("plain visible is too short."), "{e}");
    }

    #[test]
    fn type_expressions_parse_and_print() {
        let types = [
            ("a", "map(list(number))"),
            ("b", "object({ x = string })"),
            ("c", "set(bool)"),
            ("d", "any"),
            ("e", "nope"),
        ];
        let text: String = types
            .iter()
            .map(|(n, t)| format!("variable \"{n}\" {{\n  type = {t}\n}}\n"))
            .collect();
        let body = crate::config::parse_text("t.hcl", &text).unwrap();
        let t = |k: &str| {
            let b = body.blocks.iter().find(|b| b.labels[0] == k).unwrap();
            let a = &b.body.attrs["type"];
            parse_type(&a.expr, &a.span)
        };
        assert_eq!(t("a").unwrap().to_string(), "map(list(number))");
        assert_eq!(t("b").unwrap().to_string(), "object");
        assert!(t("c").is_ok());
        assert_eq!(t("d").unwrap().to_string(), "any");
        assert!(t("e").is_err());
    }

    #[test]
    fn a_set_with_unknown_elements_is_unknown() {
        let set = Ty::Set(Box::new(Ty::String));
        let l = |v: Vec<Value>| Value::List(v);
        assert_eq!(
            convert(l(vec![Value::Unknown, Value::Unknown]), &set),
            Ok(Value::Unknown),
            "two unknown ids may be one element or two"
        );
        assert_eq!(
            convert(
                l(vec![Value::str("b"), Value::str("a"), Value::str("b")]),
                &set
            ),
            Ok(l(vec![Value::str("a"), Value::str("b")]))
        );
    }
}
