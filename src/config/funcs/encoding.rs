//! Encoding functions: base64, JSON, YAML, CSV, URL query escaping.

use super::{arity, s};
use crate::value::{fmt_number, quote, Value};
use base64::Engine;
use std::collections::BTreeMap;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// JSON text of a value as Terraform's `jsonencode` writes it: numbers in plain decimals
/// (`1000000000000000000000`, `0.0000001`, never an exponent), object keys in order.
fn json_text(v: &Value, out: &mut String) {
    match v {
        Value::Null | Value::Unknown => out.push_str("null"),
        Value::Sensitive(x) => json_text(x, out),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_finite() => out.push_str(&fmt_number(*n)),
        Value::Number(_) => out.push_str("null"),
        Value::String(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_text(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(':');
                json_text(x, out);
            }
            out.push('}');
        }
    }
}

/// The first key that appears twice in one object of JSON text `t` (already known to
/// be valid JSON).
fn duplicate_key(t: &str) -> Option<String> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Check<'a>(&'a std::cell::RefCell<Option<String>>);
    impl<'de> DeserializeSeed<'de> for Check<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Check<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
            while a.next_element_seed(Check(self.0))?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = a.next_key::<String>()? {
                if !seen.insert(k.clone()) && self.0.borrow().is_none() {
                    *self.0.borrow_mut() = Some(k);
                }
                a.next_value_seed(Check(self.0))?;
            }
            Ok(())
        }
    }
    let found = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(t);
    Check(&found).deserialize(&mut de).ok()?;
    found.into_inner()
}

pub(super) fn call(name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    let one = || arity(args, 1).and_then(|()| s(&args[0], "the argument"));
    Some(match name {
        "jsonencode" => arity(args, 1).map(|()| {
            let mut j = String::new();
            json_text(&args[0], &mut j);
            Value::String(go_json_escapes(&j))
        }),
        "jsondecode" => one().and_then(|t| {
            let j: serde_json::Value =
                serde_json::from_str(&t).map_err(|e| format!("invalid JSON: {e}"))?;
            // A key twice in one object is an error, as in Terraform (a JSON parser
            // would keep the last silently).
            if let Some(k) = duplicate_key(&t) {
                return Err(format!(
                    "invalid JSON: duplicate {k:?} property in an object"
                ));
            }
            Ok(Value::from_json(&j))
        }),
        "base64encode" => one().map(|t| Value::String(B64.encode(t))),
        "base64decode" => one().and_then(|t| {
            let b = B64.decode(t).map_err(|e| format!("invalid base64: {e}"))?;
            String::from_utf8(b).map(Value::String).map_err(|_| {
                "the decoded bytes are not UTF-8; use filebase64 for binary data".into()
            })
        }),
        "textencodebase64" => arity(args, 2).and_then(|()| {
            let text = s(&args[0], "the string")?;
            let bytes = match encoding(&s(&args[1], "the encoding")?)? {
                Enc::Utf8 => text.into_bytes(),
                Enc::Utf16(le) => text
                    .encode_utf16()
                    .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
                    .collect(),
            };
            Ok(Value::String(B64.encode(bytes)))
        }),
        "textdecodebase64" => arity(args, 2).and_then(|()| {
            let b = B64
                .decode(s(&args[0], "the string")?)
                .map_err(|e| format!("invalid base64: {e}"))?;
            let text = match encoding(&s(&args[1], "the encoding")?)? {
                Enc::Utf8 => {
                    String::from_utf8(b).map_err(|_| "the bytes are not UTF-8".to_string())?
                }
                Enc::Utf16(le) => {
                    if b.len() % 2 != 0 {
                        return Err("UTF-16 text has an even number of bytes".into());
                    }
                    let units: Vec<u16> = b
                        .chunks(2)
                        .map(|c| {
                            if le {
                                u16::from_le_bytes([c[0], c[1]])
                            } else {
                                u16::from_be_bytes([c[0], c[1]])
                            }
                        })
                        .collect();
                    String::from_utf16(&units)
                        .map_err(|_| "the bytes are not UTF-16".to_string())?
                }
            };
            Ok(Value::String(text))
        }),
        "urlencode" => one().map(|t| Value::String(urlencode(&t))),
        "csvdecode" => one().and_then(|t| csvdecode(&t)),
        "yamldecode" => one().and_then(|t| yamldecode(&t)),
        "yamlencode" => arity(args, 1).map(|()| {
            let mut out = String::new();
            yaml(&args[0], 0, &mut out);
            Value::String(out)
        }),
        _ => return None,
    })
}

/// Go's encoding/json escapes `<`, `>`, `&`, U+2028 and U+2029 in strings, and
/// Terraform's `jsonencode` keeps that (those characters appear in JSON only inside
/// strings, so replacing them everywhere is exact).
fn go_json_escapes(j: &str) -> String {
    let mut out = String::with_capacity(j.len());
    for c in j.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

enum Enc {
    Utf8,
    /// Little endian?
    Utf16(bool),
}

fn encoding(name: &str) -> Result<Enc, String> {
    match name.to_ascii_uppercase().replace('_', "-").as_str() {
        "UTF-8" | "UTF8" => Ok(Enc::Utf8),
        "UTF-16LE" => Ok(Enc::Utf16(true)),
        "UTF-16BE" | "UTF-16" => Ok(Enc::Utf16(false)),
        _ => Err(format!(
            "the encoding {name:?} is not supported; maform knows UTF-8, UTF-16LE and UTF-16BE"
        )),
    }
}

/// Go's url.QueryEscape, which Terraform uses.
fn urlencode(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for b in t.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// CSV with a header line (RFC 4180 quoting): a list of objects keyed by the header.
fn csvdecode(t: &str) -> Result<Value, String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut started = false;
    let mut it = t.chars().peekable();
    while let Some(c) = it.next() {
        started = true;
        if quoted {
            match c {
                '"' if it.peek() == Some(&'"') => {
                    it.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if it.peek() == Some(&'\n') => {}
            '\n' => {
                // A blank line is skipped, as Go's encoding/csv does.
                if !(row.is_empty() && field.is_empty()) {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                started = false;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    if started {
        row.push(field);
        rows.push(row);
    }
    let Some((header, body)) = rows.split_first() else {
        return Err("missing header line".into());
    };
    body.iter()
        .enumerate()
        .map(|(i, r)| {
            if r.len() != header.len() {
                return Err(format!(
                    "line {} has {} fields; the header has {}",
                    i + 2,
                    r.len(),
                    header.len()
                ));
            }
            Ok(Value::Map(
                header
                    .iter()
                    .cloned()
                    .zip(r.iter().cloned().map(Value::String))
                    .collect(),
            ))
        })
        .collect::<Result<_, _>>()
        .map(Value::List)
}

fn yamldecode(t: &str) -> Result<Value, String> {
    use yaml_rust2::{Yaml, YamlLoader};
    // The loader expands an alias by copying what its anchor names, so a few lines of
    // nested aliases would build billions of values: anchors and aliases are refused
    // before anything is loaded.
    let tokens = yaml_rust2::scanner::Scanner::new(t.chars());
    for tok in tokens {
        if matches!(
            tok.1,
            yaml_rust2::scanner::TokenType::Alias(_) | yaml_rust2::scanner::TokenType::Anchor(_)
        ) {
            return Err("YAML anchors and aliases (&name, *name) are not supported".into());
        }
    }
    let docs = YamlLoader::load_from_str(t).map_err(|e| format!("invalid YAML: {e}"))?;
    fn conv(y: &Yaml, depth: usize) -> Result<Value, String> {
        if depth > super::super::eval::MAX_DEPTH {
            return Err("the YAML nests too deep".into());
        }
        Ok(match y {
            Yaml::Null => Value::Null,
            Yaml::Boolean(b) => Value::Bool(*b),
            Yaml::Integer(i) => Value::Number(*i as f64),
            Yaml::Real(r) => match y.as_f64() {
                Some(x) if x.is_finite() => Value::Number(x),
                _ => return Err(format!("the YAML number {r} is not a finite number")),
            },
            Yaml::String(x) => Value::String(x.clone()),
            Yaml::Array(a) => Value::List(
                a.iter()
                    .map(|x| conv(x, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Yaml::Hash(h) => {
                let mut m = BTreeMap::new();
                for (k, v) in h {
                    let key = match k {
                        Yaml::String(x) | Yaml::Real(x) => x.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        Yaml::Null => "null".into(),
                        _ => return Err("a YAML mapping key must be a scalar".into()),
                    };
                    m.insert(key, conv(v, depth + 1)?);
                }
                Value::Map(m)
            }
            Yaml::Alias(_) | Yaml::BadValue => return Err("invalid YAML value".into()),
        })
    }
    match docs.as_slice() {
        [] => Ok(Value::Null),
        [d] => conv(d, 0),
        _ => Err("the string holds more than one YAML document".into()),
    }
}

/// Terraform's yamlencode layout: block style, keys and strings double-quoted,
/// multi-line strings as literal blocks.
fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::List(l) if !l.is_empty() => {
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                yaml_inline_or_block(x, indent + 2, out);
            }
        }
        Value::Map(m) if !m.is_empty() => {
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str(&quote(k));
                out.push(':');
                match x {
                    Value::List(l) if !l.is_empty() => {
                        out.push('\n');
                        out.push_str(&pad);
                        yaml(x, indent, out);
                    }
                    Value::Map(m) if !m.is_empty() => {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent + 2));
                        yaml(x, indent + 2, out);
                    }
                    _ => {
                        out.push(' ');
                        yaml_inline_or_block(x, indent + 2, out);
                    }
                }
            }
        }
        other => yaml_inline_or_block(other, indent, out),
    }
}

fn yaml_inline_or_block(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::List(l) if l.is_empty() => out.push_str("[]\n"),
        Value::Map(m) if m.is_empty() => out.push_str("{}\n"),
        Value::List(_) | Value::Map(_) => yaml(v, indent, out),
        Value::String(t) if t.contains('\n') && !t.contains('\r') && !t.starts_with(' ') => {
            out.push_str(if t.ends_with('\n') { "|\n" } else { "|-\n" });
            for line in t.strip_suffix('\n').unwrap_or(t).split('\n') {
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent));
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        Value::String(t) => {
            out.push_str(&quote(t));
            out.push('\n');
        }
        Value::Number(x) => {
            out.push_str(&fmt_number(*x));
            out.push('\n');
        }
        Value::Bool(b) => {
            out.push_str(if *b { "true\n" } else { "false\n" });
        }
        Value::Null | Value::Unknown => out.push_str("null\n"),
        Value::Sensitive(x) => yaml_inline_or_block(x, indent, out),
    }
}
