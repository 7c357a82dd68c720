//! The built-in functions, with Terraform's names and behaviour: one module per family,
//! as Terraform's documentation groups them. `try`, `can`, `sensitive`, `nonsensitive`,
//! `issensitive`, `templatefile` and `templatestring` need the evaluator (they look at how
//! their arguments evaluate, or evaluate a template), so the evaluator implements them and
//! this module only names them.

use super::eval::num;
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod collections;
pub(crate) use collections::unify;
mod crypto;
mod encoding;
mod files;
mod net;
mod numbers;
mod strings;
#[cfg(test)]
mod tests;
mod time;

pub use time::plan_timestamp;

pub(super) use files::read_bounded;

/// What a function may see besides its arguments.
pub struct Cx<'a> {
    /// The directory relative paths are read from (`path.module`).
    pub base_dir: &'a Path,
}

/// Every function a configuration may call.
pub const FUNCTIONS: &[&str] = &[
    // numbers
    "abs",
    "ceil",
    "floor",
    "log",
    "max",
    "min",
    "parseint",
    "pow",
    "signum",
    // strings
    "chomp",
    "endswith",
    "format",
    "formatlist",
    "indent",
    "join",
    "lower",
    "regex",
    "regexall",
    "replace",
    "split",
    "startswith",
    "strcontains",
    "strrev",
    "substr",
    "templatestring",
    "title",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "upper",
    // collections
    "alltrue",
    "anytrue",
    "chunklist",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "flatten",
    "index",
    "keys",
    "length",
    "lookup",
    "matchkeys",
    "merge",
    "one",
    "range",
    "reverse",
    "setintersection",
    "setproduct",
    "setsubtract",
    "setunion",
    "slice",
    "sort",
    "sum",
    "transpose",
    "values",
    "zipmap",
    // encoding
    "base64decode",
    "base64encode",
    "csvdecode",
    "jsondecode",
    "jsonencode",
    "textdecodebase64",
    "textencodebase64",
    "urlencode",
    "yamldecode",
    "yamlencode",
    // files
    "abspath",
    "basename",
    "dirname",
    "file",
    "filebase64",
    "fileexists",
    "fileset",
    "pathexpand",
    "templatefile",
    // date and time
    "formatdate",
    "plantimestamp",
    "timeadd",
    "timecmp",
    "timestamp",
    // hashes and crypto
    "base64sha256",
    "base64sha512",
    "filebase64sha256",
    "filebase64sha512",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "uuid",
    "uuidv5",
    // IP networks
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    // types and conversions
    "can",
    "issensitive",
    "nonsensitive",
    "sensitive",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "try",
];

/// Terraform functions maform knows and refuses, with the reason: a call is an error at
/// its position, never a silent wrong answer.
pub const REFUSED: &[(&str, &str)] = &[
    (
        "base64gzip",
        "maform does not compress strings; write the compressed text to a file and use filebase64",
    ),
    (
        "bcrypt",
        "a bcrypt hash differs on every run, so a plan would never settle",
    ),
    ("rsadecrypt", "maform does not decrypt with private keys"),
    ("ephemeralasnull", "maform has no ephemeral values"),
    ("type", "type() exists only in Terraform's console"),
    (
        "list",
        "list() was removed in Terraform 0.15; use tolist([...])",
    ),
    (
        "map",
        "map() was removed in Terraform 0.15; use tomap({...})",
    ),
];

/// Whether `name` is a function a configuration may call.
pub fn exists(name: &str) -> bool {
    FUNCTIONS.contains(&name)
}

/// Why a function that does not exist cannot be called, with the nearest name.
pub fn unknown(name: &str) -> String {
    if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == name) {
        return format!("function {name} is not supported: {why}");
    }
    match super::did_you_mean(name, FUNCTIONS.iter().copied()) {
        Some(f) => format!("there is no function named {name:?}; did you mean {f:?}?"),
        None => format!("there is no function named {name:?}"),
    }
}

/// A set of `l`'s elements: no duplicates, in Terraform's set order.
pub fn set_of(l: Vec<Value>) -> Vec<Value> {
    collections::set(l)
}

/// Whether the function `name` returns a set.
pub fn returns_set(name: &str) -> bool {
    matches!(
        name,
        "toset" | "setunion" | "setintersection" | "setsubtract" | "setproduct"
    )
}

/// Call function `name`. Arguments that are not known yet give an unknown result, except
/// for the functions that can say something about a collection with unknown elements.
pub fn call(name: &str, args: Vec<Value>, cx: &Cx<'_>) -> Result<Value, String> {
    if !exists(name) {
        return Err(unknown(name));
    }
    if !matches!(
        name,
        "length" | "coalesce" | "concat" | "merge" | "keys" | "values" | "lookup"
    ) && args.iter().any(|a| !a.is_known())
    {
        return Ok(Value::Unknown);
    }
    let r = numbers::call(name, &args)
        .or_else(|| strings::call(name, &args))
        .or_else(|| collections::call(name, &args))
        .or_else(|| encoding::call(name, &args))
        .or_else(|| files::call(name, &args, cx))
        .or_else(|| time::call(name, &args))
        .or_else(|| crypto::call(name, &args, cx))
        .or_else(|| net::call(name, &args));
    r.unwrap_or_else(|| Err(format!("{name}() needs the evaluator")))
}

// Argument helpers shared by the families.

fn s(v: &Value, what: &str) -> Result<String, String> {
    v.to_template_string()
        .ok_or_else(|| format!("{what} must be a string, not {}", v.type_name()))
}

fn n(v: &Value, what: &str) -> Result<f64, String> {
    num(v).ok_or_else(|| format!("{what} must be a number, not {}", v.type_name()))
}

/// A whole number, as Terraform's integer parameters want.
fn int(v: &Value, what: &str) -> Result<i64, String> {
    let x = n(v, what)?;
    if x.fract() != 0.0 || x.abs() > 9.0e15 {
        return Err(format!("{what} must be a whole number, not {}", v.to_hcl()));
    }
    Ok(x as i64)
}

fn arity(args: &[Value], k: usize) -> Result<(), String> {
    if args.len() != k {
        Err(format!(
            "takes {k} argument{}, got {}",
            if k == 1 { "" } else { "s" },
            args.len()
        ))
    } else {
        Ok(())
    }
}

fn list(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::List(l) => Ok(l.clone()),
        _ => Err(format!("{what} must be a list, not {}", v.type_name())),
    }
}

fn map(v: &Value, what: &str) -> Result<BTreeMap<String, Value>, String> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        _ => Err(format!(
            "{what} must be a map or object, not {}",
            v.type_name()
        )),
    }
}

fn strings_of(v: &Value, what: &str) -> Result<Vec<String>, String> {
    list(v, what)?
        .iter()
        .map(|x| s(x, &format!("each element of {what}")))
        .collect()
}

std::thread_local! {
    static READS: std::cell::RefCell<Option<std::collections::BTreeSet<PathBuf>>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `f`, collecting the files that functions read meanwhile on this thread
/// (evaluation is synchronous): what a saved plan's digest must cover besides the
/// configuration files.
pub fn recording_reads<T>(f: impl FnOnce() -> T) -> (T, Vec<PathBuf>) {
    let outer = READS.with(|r| r.replace(Some(Default::default())));
    let out = f();
    let reads = READS.with(|r| r.replace(outer)).unwrap_or_default();
    // Reads inside count for a recording around this one too.
    READS.with(|r| {
        if let Some(o) = r.borrow_mut().as_mut() {
            o.extend(reads.iter().cloned());
        }
    });
    (out, reads.into_iter().collect())
}

fn note_read(path: &Path) {
    READS.with(|r| {
        if let Some(set) = r.borrow_mut().as_mut() {
            set.insert(path.to_path_buf());
        }
    });
}
