//! The built-in functions, with Terraform's names and behaviour.

use super::eval::num;
use crate::value::{fmt_number, Value};
use base64::Engine;
use std::collections::BTreeMap;
use std::path::Path;

fn s(v: &Value, what: &str) -> Result<String, String> {
    v.to_template_string()
        .ok_or_else(|| format!("{what} must be a string, not {}", v.type_name()))
}

fn n(v: &Value, what: &str) -> Result<f64, String> {
    num(v).ok_or_else(|| format!("{what} must be a number, not {}", v.type_name()))
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

std::thread_local! {
    static READS: std::cell::RefCell<Option<std::collections::BTreeSet<std::path::PathBuf>>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `f`, collecting the files `file()` reads meanwhile on this thread (evaluation is
/// synchronous): what a saved plan's digest must cover besides the configuration files.
pub fn recording_reads<T>(f: impl FnOnce() -> T) -> (T, Vec<std::path::PathBuf>) {
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

/// Call function `name`. Unknown arguments give an unknown result.
pub fn call(name: &str, args: Vec<Value>, base_dir: &Path) -> Result<Value, String> {
    if !matches!(
        name,
        "length" | "coalesce" | "concat" | "merge" | "keys" | "values" | "lookup"
    ) && args.iter().any(|a| !a.is_known())
    {
        if !FUNCTIONS.contains(&name) {
            return Err(format!("there is no function named {name:?}"));
        }
        return Ok(Value::Unknown);
    }
    Ok(match name {
        "format" => {
            let Some((f, rest)) = args.split_first() else {
                return Err("needs a format string".into());
            };
            format(&s(f, "the format")?, rest)?
        }
        "join" => {
            arity(&args, 2)?;
            let sep = s(&args[0], "the separator")?;
            let items = list(&args[1], "the list")?;
            Value::String(
                items
                    .iter()
                    .map(|v| s(v, "each element"))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(&sep),
            )
        }
        "split" => {
            arity(&args, 2)?;
            let sep = s(&args[0], "the separator")?;
            let text = s(&args[1], "the string")?;
            if text.is_empty() {
                Value::List(vec![])
            } else {
                Value::List(text.split(sep.as_str()).map(Value::str).collect())
            }
        }
        "lower" => {
            arity(&args, 1)?;
            Value::String(s(&args[0], "the argument")?.to_lowercase())
        }
        "upper" => {
            arity(&args, 1)?;
            Value::String(s(&args[0], "the argument")?.to_uppercase())
        }
        "trimspace" => {
            arity(&args, 1)?;
            Value::String(s(&args[0], "the argument")?.trim().to_string())
        }
        "replace" => {
            arity(&args, 3)?;
            let text = s(&args[0], "the string")?;
            let from = s(&args[1], "the substring")?;
            let to = s(&args[2], "the replacement")?;
            if from.len() > 2 && from.starts_with('/') && from.ends_with('/') {
                let re = regex_lite::Regex::new(&from[1..from.len() - 1])
                    .map_err(|e| format!("invalid regular expression: {e}"))?;
                Value::String(re.replace_all(&text, to.as_str()).into_owned())
            } else {
                Value::String(text.replace(&from, &to))
            }
        }
        "substr" => {
            arity(&args, 3)?;
            let text: Vec<char> = s(&args[0], "the string")?.chars().collect();
            let off = n(&args[1], "the offset")? as i64;
            let len = n(&args[2], "the length")? as i64;
            let start = if off < 0 {
                (text.len() as i64 + off).max(0)
            } else {
                off.min(text.len() as i64)
            } as usize;
            let end = if len < 0 {
                text.len()
            } else {
                (start + len as usize).min(text.len())
            };
            Value::String(text[start..end].iter().collect())
        }
        "length" => {
            arity(&args, 1)?;
            match &args[0] {
                Value::Unknown => Value::Unknown,
                Value::String(x) => Value::Number(x.chars().count() as f64),
                Value::List(l) => Value::Number(l.len() as f64),
                Value::Map(m) => Value::Number(m.len() as f64),
                other => return Err(format!("cannot take the length of a {}", other.type_name())),
            }
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in &args {
                match a {
                    Value::Null => {}
                    Value::Unknown => return Ok(Value::Unknown),
                    v => out.extend(map(v, "each argument")?),
                }
            }
            Value::Map(out)
        }
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                match a {
                    Value::Unknown => return Ok(Value::Unknown),
                    v => out.extend(list(v, "each argument")?),
                }
            }
            Value::List(out)
        }
        "lookup" => {
            if args.len() != 2 && args.len() != 3 {
                return Err("takes 2 or 3 arguments".into());
            }
            let k = s(&args[1], "the key")?;
            match &args[0] {
                Value::Unknown => Value::Unknown,
                m => match map(m, "the first argument")?.get(&k) {
                    Some(v) => v.clone(),
                    None => args.get(2).cloned().ok_or_else(|| {
                        format!("the map has no key {k:?} and no default was given")
                    })?,
                },
            }
        }
        "coalesce" => {
            for a in &args {
                match a {
                    Value::Unknown => return Ok(Value::Unknown),
                    Value::Null => {}
                    Value::String(x) if x.is_empty() => {}
                    v => return Ok(v.clone()),
                }
            }
            return Err("all arguments are null or empty strings".into());
        }
        "keys" => {
            arity(&args, 1)?;
            match &args[0] {
                Value::Unknown => Value::Unknown,
                m => Value::List(
                    map(m, "the argument")?
                        .into_keys()
                        .map(Value::String)
                        .collect(),
                ),
            }
        }
        "values" => {
            arity(&args, 1)?;
            match &args[0] {
                Value::Unknown => Value::Unknown,
                m => Value::List(map(m, "the argument")?.into_values().collect()),
            }
        }
        "toset" | "distinct" => {
            arity(&args, 1)?;
            // Keyed by the value's literal form, so that this stays linear.
            let mut seen = std::collections::HashSet::new();
            let mut out: Vec<Value> = Vec::new();
            for v in list(&args[0], "the argument")? {
                if seen.insert(v.to_hcl()) {
                    out.push(v);
                }
            }
            if name == "toset" {
                out.sort_by_cached_key(|a| a.to_hcl());
            }
            Value::List(out)
        }
        "tolist" => {
            arity(&args, 1)?;
            Value::List(list(&args[0], "the argument")?)
        }
        "tomap" => {
            arity(&args, 1)?;
            Value::Map(map(&args[0], "the argument")?)
        }
        "tostring" => {
            arity(&args, 1)?;
            match &args[0] {
                Value::Null => Value::Null,
                v => Value::String(s(v, "the argument")?),
            }
        }
        "tonumber" => {
            arity(&args, 1)?;
            match &args[0] {
                Value::Null => Value::Null,
                v => Value::Number(
                    num(v).ok_or_else(|| format!("cannot convert {} to a number", v.to_hcl()))?,
                ),
            }
        }
        "tobool" => {
            arity(&args, 1)?;
            match &args[0] {
                Value::Null => Value::Null,
                Value::Bool(b) => Value::Bool(*b),
                Value::String(x) if x == "true" => Value::Bool(true),
                Value::String(x) if x == "false" => Value::Bool(false),
                v => return Err(format!("cannot convert {} to a bool", v.to_hcl())),
            }
        }
        "jsonencode" => {
            arity(&args, 1)?;
            Value::String(serde_json::to_string(&args[0].to_json()).map_err(|e| e.to_string())?)
        }
        "jsondecode" => {
            arity(&args, 1)?;
            let text = s(&args[0], "the argument")?;
            Value::from_json(
                &serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?,
            )
        }
        "base64encode" => {
            arity(&args, 1)?;
            Value::String(
                base64::engine::general_purpose::STANDARD.encode(s(&args[0], "the argument")?),
            )
        }
        "base64decode" => {
            arity(&args, 1)?;
            let b = base64::engine::general_purpose::STANDARD
                .decode(s(&args[0], "the argument")?)
                .map_err(|e| format!("invalid base64: {e}"))?;
            Value::String(
                String::from_utf8(b).map_err(|_| "the decoded bytes are not UTF-8".to_string())?,
            )
        }
        "file" => {
            arity(&args, 1)?;
            let p = s(&args[0], "the path")?;
            let path = base_dir.join(&p);
            note_read(&path);
            // A device, a pipe or a huge file is not configuration.
            match std::fs::metadata(&path) {
                Ok(m) if !m.is_file() => {
                    return Err(format!("{} is not a regular file", path.display()))
                }
                Ok(m) if m.len() > super::eval::MAX_STRING as u64 => {
                    return Err(format!(
                        "{} has {} bytes, more than {}",
                        path.display(),
                        m.len(),
                        super::eval::MAX_STRING
                    ))
                }
                _ => {}
            }
            Value::String(
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            )
        }
        "range" => {
            let nums: Vec<f64> = args
                .iter()
                .map(|a| n(a, "each argument"))
                .collect::<Result<_, _>>()?;
            let (start, end, step) = match nums.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s0, e] => (*s0, *e, if e >= s0 { 1.0 } else { -1.0 }),
                [s0, e, st] => (*s0, *e, *st),
                _ => return Err("takes 1 to 3 arguments".into()),
            };
            if step == 0.0 {
                return Err("the step must not be zero".into());
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(Value::Number(x));
                x += step;
                if out.len() > 1_000_000 {
                    return Err("the range is too large".into());
                }
            }
            Value::List(out)
        }
        "contains" => {
            arity(&args, 2)?;
            Value::Bool(list(&args[0], "the list")?.contains(&args[1]))
        }
        "element" => {
            arity(&args, 2)?;
            let l = list(&args[0], "the list")?;
            if l.is_empty() {
                return Err("cannot use element() on an empty list".into());
            }
            let i = n(&args[1], "the index")? as usize;
            l[i % l.len()].clone()
        }
        "flatten" => {
            arity(&args, 1)?;
            fn flat(v: Vec<Value>, out: &mut Vec<Value>) {
                for x in v {
                    match x {
                        Value::List(l) => flat(l, out),
                        other => out.push(other),
                    }
                }
            }
            let mut out = Vec::new();
            flat(list(&args[0], "the argument")?, &mut out);
            Value::List(out)
        }
        "min" | "max" => {
            let nums: Vec<f64> = args
                .iter()
                .map(|a| n(a, "each argument"))
                .collect::<Result<_, _>>()?;
            if nums.is_empty() {
                return Err("needs at least one argument".into());
            }
            Value::Number(if name == "min" {
                nums.iter().cloned().fold(f64::INFINITY, f64::min)
            } else {
                nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            })
        }
        "abs" => {
            arity(&args, 1)?;
            Value::Number(n(&args[0], "the argument")?.abs())
        }
        "ceil" | "floor" => {
            arity(&args, 1)?;
            let x = n(&args[0], "the argument")?;
            Value::Number(if name == "ceil" { x.ceil() } else { x.floor() })
        }
        "startswith" | "endswith" => {
            arity(&args, 2)?;
            let a = s(&args[0], "the string")?;
            let b = s(&args[1], "the affix")?;
            Value::Bool(if name == "startswith" {
                a.starts_with(&b)
            } else {
                a.ends_with(&b)
            })
        }
        "zipmap" => {
            arity(&args, 2)?;
            let k = list(&args[0], "the keys")?;
            let v = list(&args[1], "the values")?;
            if k.len() != v.len() {
                return Err("the key and value lists must have the same length".into());
            }
            Value::Map(
                k.iter()
                    .map(|x| s(x, "each key"))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .zip(v)
                    .collect(),
            )
        }
        "sha256" => {
            arity(&args, 1)?;
            use sha2::Digest;
            Value::String(hex::encode(sha2::Sha256::digest(
                s(&args[0], "the argument")?.as_bytes(),
            )))
        }
        _ => return Err(format!("there is no function named {name:?}")),
    })
}

pub const FUNCTIONS: &[&str] = &[
    "format",
    "join",
    "split",
    "lower",
    "upper",
    "trimspace",
    "replace",
    "substr",
    "length",
    "merge",
    "concat",
    "lookup",
    "coalesce",
    "keys",
    "values",
    "toset",
    "distinct",
    "tolist",
    "tomap",
    "tostring",
    "tonumber",
    "tobool",
    "jsonencode",
    "jsondecode",
    "base64encode",
    "base64decode",
    "file",
    "range",
    "contains",
    "element",
    "flatten",
    "min",
    "max",
    "abs",
    "ceil",
    "floor",
    "startswith",
    "endswith",
    "zipmap",
    "sha256",
    "try",
    "can",
];

fn format(f: &str, args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flags and width are accepted for %d/%s padding only.
        let mut spec = String::new();
        while let Some(&d) = it.peek() {
            if d.is_ascii_digit() || d == '-' || d == '.' || d == '#' || d == '+' || d == ' ' {
                spec.push(d);
                it.next();
            } else {
                break;
            }
        }
        let verb = it.next().ok_or("the format ends with %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args
            .get(next)
            .ok_or_else(|| format!("not enough arguments for the format {f:?}"))?;
        next += 1;
        let text = match verb {
            'd' => fmt_number(n(arg, "a %d argument")?.trunc()),
            's' | 'v' => arg.to_template_string().unwrap_or_else(|| arg.to_hcl()),
            'q' => crate::value::quote(&s(arg, "a %q argument")?),
            'f' => {
                let prec: usize = spec
                    .split('.')
                    .nth(1)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(6);
                format!("{:.*}", prec, n(arg, "a %f argument")?)
            }
            'x' => format!("{:x}", n(arg, "a %x argument")? as i64),
            't' => match arg {
                Value::Bool(b) => b.to_string(),
                _ => return Err("%t needs a bool".into()),
            },
            other => return Err(format!("unsupported format verb %{other}")),
        };
        let width: usize = spec
            .trim_start_matches('-')
            .split('.')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        let pad = width.saturating_sub(text.chars().count());
        if spec.starts_with('-') {
            out.push_str(&text);
            out.push_str(&" ".repeat(pad));
        } else {
            // A zero flag pads numbers with zeros after the sign, as Go's fmt does.
            if spec.starts_with('0') && matches!(verb, 'd' | 'f') {
                let digits = match text.strip_prefix('-') {
                    Some(rest) => {
                        out.push('-');
                        rest
                    }
                    None => &text,
                };
                out.extend(std::iter::repeat_n('0', pad));
                out.push_str(digits);
            } else {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(&text);
            }
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_reads_are_recorded_where_asked() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.txt"), "A").unwrap();
        let read = |name: &str| call("file", vec![Value::str(name)], d.path());
        assert!(read("a.txt").is_ok(), "no recording: nothing noted");
        let ((), outer) = recording_reads(|| {
            let (r, inner) = recording_reads(|| read("a.txt"));
            assert_eq!(r.unwrap(), Value::str("A"));
            assert_eq!(inner, [d.path().join("a.txt")]);
            // A file that cannot be read is still part of what the plan depends on.
            assert!(read("missing.txt").is_err());
        });
        assert_eq!(
            outer,
            [d.path().join("a.txt"), d.path().join("missing.txt")]
        );
    }
}
