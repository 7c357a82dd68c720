//! The dynamic value model of configurations, plans and state.
//!
//! Unlike `hcl::Value` it has `Unknown`, a value known only after apply, and `Sensitive`,
//! a mark the evaluator puts on secrets. Owns values, paths into them and their text and
//! JSON forms; must not know about kinds, schemas or state.

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Known only after apply.
    Unknown,
    /// A secret inside an evaluated expression. Only the evaluator creates and removes
    /// these marks; no other value holds one.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "object",
            Value::Unknown => "unknown",
            Value::Sensitive(v) => v.type_name(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True when no part of the value is unknown.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(l) => l.iter().all(Value::is_known),
            Value::Map(m) => m.values().all(Value::is_known),
            Value::Sensitive(v) => v.is_known(),
            _ => true,
        }
    }

    /// Remove every sensitivity mark; the flag says whether there was one.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            Value::List(l) => {
                let mut hit = false;
                let l = l
                    .into_iter()
                    .map(|x| {
                        let (x, h) = x.unmark();
                        hit |= h;
                        x
                    })
                    .collect();
                (Value::List(l), hit)
            }
            Value::Map(m) => {
                let mut hit = false;
                let m = m
                    .into_iter()
                    .map(|(k, x)| {
                        let (x, h) = x.unmark();
                        hit |= h;
                        (k, x)
                    })
                    .collect();
                (Value::Map(m), hit)
            }
            other => (other, false),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&Vec<Value>> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// `self[key]` for maps; `Null` otherwise.
    pub fn get(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Map(m) => m.get(key).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    pub fn get_path(&self, path: &[PathStep]) -> &Value {
        static NULL: Value = Value::Null;
        let mut cur = self;
        for step in path {
            cur = match (cur, step) {
                (Value::Map(m), PathStep::Key(k)) => m.get(k).unwrap_or(&NULL),
                (Value::List(l), PathStep::Index(i)) => l.get(*i).unwrap_or(&NULL),
                _ => &NULL,
            };
        }
        cur
    }

    /// The value at `path`, to change in place, if there is one.
    pub fn get_path_mut(&mut self, path: &[PathStep]) -> Option<&mut Value> {
        let mut cur = self;
        for step in path {
            cur = match (cur, step) {
                (Value::Map(m), PathStep::Key(k)) => m.get_mut(k)?,
                (Value::List(l), PathStep::Index(i)) => l.get_mut(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    pub fn from_json(j: &Json) -> Value {
        match j {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            Json::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// JSON form; unknowns become null (callers check `is_known` where it matters).
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null | Value::Unknown => Json::Null,
            Value::Sensitive(v) => v.to_json(),
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => number_json(*n),
            Value::String(s) => Json::String(s.clone()),
            Value::List(l) => Json::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// JSON with `true` where a value is unknown, for `after_unknown`.
    pub fn unknown_mask(&self) -> Json {
        match self {
            Value::Unknown => Json::Bool(true),
            Value::Sensitive(v) => v.unknown_mask(),
            Value::List(l) => Json::Array(l.iter().map(Value::unknown_mask).collect()),
            Value::Map(m) => Json::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_known())
                    .map(|(k, v)| (k.clone(), v.unknown_mask()))
                    .collect(),
            ),
            _ => Json::Bool(false),
        }
    }

    /// The value as Terraform's console (and `output`) prints it: strings quoted, a
    /// string of several lines as a heredoc (`<<EOT`, indented `<<-EOT` when nested),
    /// lists and maps one element a line, secrets `(sensitive value)`, what is not known
    /// yet `(known after apply)`.
    pub fn to_console(&self) -> String {
        self.console_at(0)
    }

    fn console_at(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent + 1);
        let end = "  ".repeat(indent);
        match self {
            Value::List(l) if l.is_empty() => "[]".into(),
            Value::List(l) => {
                let items: String = l
                    .iter()
                    .map(|x| format!("{pad}{},\n", x.console_at(indent + 1)))
                    .collect();
                format!("[\n{items}{end}]")
            }
            Value::Map(m) if m.is_empty() => "{}".into(),
            Value::Map(m) => {
                let items: String = m
                    .iter()
                    .map(|(k, x)| format!("{pad}{} = {}\n", quote(k), x.console_at(indent + 1)))
                    .collect();
                format!("{{\n{items}{end}}}")
            }
            Value::String(s) if s.contains('\n') => {
                // A delimiter no line starts with: EOT, and one underscore more than any
                // line that starts with EOT has after it (in one pass over the lines).
                let most = s
                    .lines()
                    .filter_map(|l| l.trim_start().strip_prefix("EOT"))
                    .map(|rest| rest.len() - rest.trim_start_matches('_').len() + 1)
                    .max()
                    .unwrap_or(0);
                let delim = format!("EOT{}", "_".repeat(most));
                let op = if indent > 0 { "<<-" } else { "<<" };
                let lead = " ".repeat(indent * 2);
                let mut out = format!("{op}{delim}");
                for line in s.split('\n') {
                    out.push('\n');
                    out.push_str(&lead);
                    out.push_str(line);
                }
                out.push('\n');
                out.push_str(&lead);
                out.push_str(&delim);
                out
            }
            other => other.to_hcl(),
        }
    }

    /// The value as an HCL literal, on one line.
    pub fn to_hcl(&self) -> String {
        let mut s = String::new();
        self.write_hcl(&mut s);
        s
    }

    fn write_hcl(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Unknown => out.push_str("(known after apply)"),
            Value::Sensitive(_) => out.push_str("(sensitive value)"),
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Number(n) => out.push_str(&fmt_number(*n)),
            Value::String(s) => out.push_str(&quote(s)),
            Value::List(l) => {
                out.push('[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_hcl(out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{} = ", ident_or_quoted(k));
                    v.write_hcl(out);
                }
                out.push('}');
            }
        }
    }

    /// The string form used by templates and `tostring`.
    pub fn to_template_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(fmt_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Sensitive(v) => v.to_template_string(),
            _ => None,
        }
    }
}

/// A value serialised exactly as [`Value::to_json`] would make it, without building the
/// JSON tree first (what writing a large state spends most of its time on otherwise).
pub struct AsJson<'a>(pub &'a Value);

impl serde::Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Null | Value::Unknown => s.serialize_unit(),
            Value::Sensitive(v) => AsJson(v).serialize(s),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
            Value::Number(n) if n.is_finite() => s.serialize_f64(*n),
            Value::Number(_) => s.serialize_unit(),
            Value::String(t) => s.serialize_str(t),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(&AsJson(v))?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &AsJson(v))?;
                }
                map.end()
            }
        }
    }
}

/// A value read straight from JSON text, as [`Value::from_json`] reads a JSON tree (numbers
/// as `f64`, objects as maps, the last of repeated keys), without building the tree first.
impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
                Ok(Value::Number(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
                Ok(Value::Number(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
                Ok(Value::Number(n))
            }
            fn visit_str<E>(self, t: &str) -> Result<Value, E> {
                Ok(Value::String(t.to_string()))
            }
            fn visit_string<E>(self, t: String) -> Result<Value, E> {
                Ok(Value::String(t))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0));
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Value::List(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut out: Vec<(String, Value)> = Vec::new();
                while let Some((k, v)) = a.next_entry()? {
                    out.push((k, v));
                }
                // Built in one go (compact nodes); with repeated keys the last one wins,
                // as in a JSON tree.
                let mut m = BTreeMap::new();
                if out.windows(2).all(|w| w[0].0 < w[1].0) {
                    m = out.into_iter().collect();
                } else {
                    for (k, v) in out {
                        m.insert(k, v);
                    }
                }
                Ok(Value::Map(m))
            }
        }
        d.deserialize_any(V)
    }
}

pub fn number_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push('$'),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn ident_or_quoted(k: &str) -> String {
    let ok = !k.is_empty()
        && k.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        k.to_string()
    } else {
        quote(k)
    }
}

/// A step into a value: a map key or a list index (in JSON: a string or a number).
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(untagged)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

pub type Path = Vec<PathStep>;

pub fn path_string(p: &[PathStep]) -> String {
    let mut s = String::new();
    for (i, step) in p.iter().enumerate() {
        match step {
            PathStep::Key(k) => {
                if i > 0 {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathStep::Index(n) => {
                let _ = write!(s, "[{n}]");
            }
        }
    }
    s
}

pub fn path_json(p: &[PathStep]) -> Json {
    Json::Array(
        p.iter()
            .map(|s| match s {
                PathStep::Key(k) => Json::String(k.clone()),
                PathStep::Index(i) => Json::from(*i),
            })
            .collect(),
    )
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

/// The value as JSON with every non-null value under a `sensitive` path replaced by
/// `secret`, and unknown values by `unknown`.
pub fn to_json_masked(v: &Value, sensitive: &[Path], secret: &Json, unknown: &Json) -> Json {
    fn walk(v: &Value, sensitive: &[Path], secret: &Json, unknown: &Json, at: &mut Path) -> Json {
        // (A value known only after apply holds no secret: it reads as unknown.)
        if !v.is_null()
            && !matches!(v, Value::Unknown)
            && sensitive.iter().any(|p| at.starts_with(p))
        {
            return secret.clone();
        }
        match v {
            Value::Unknown => unknown.clone(),
            Value::Map(m) => Json::Object(
                m.iter()
                    .map(|(k, x)| {
                        at.push(PathStep::Key(k.clone()));
                        let j = walk(x, sensitive, secret, unknown, at);
                        at.pop();
                        (k.clone(), j)
                    })
                    .collect(),
            ),
            Value::List(l) => Json::Array(
                l.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        at.push(PathStep::Index(i));
                        let j = walk(x, sensitive, secret, unknown, at);
                        at.pop();
                        j
                    })
                    .collect(),
            ),
            other => other.to_json(),
        }
    }
    walk(v, sensitive, secret, unknown, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_as_terraform_console_prints_them() {
        assert_eq!(Value::String("a\"b".into()).to_console(), "\"a\\\"b\"");
        assert_eq!(Value::List(vec![]).to_console(), "[]");
        let v = Value::Map(
            [
                (
                    "k".to_string(),
                    Value::List(vec![Value::Number(1.0), Value::Null]),
                ),
                (
                    "s".to_string(),
                    Value::Sensitive(Box::new(Value::Bool(true))),
                ),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            v.to_console(),
            "{\n  \"k\" = [\n    1,\n    null,\n  ]\n  \"s\" = (sensitive value)\n}"
        );
        assert_eq!(Value::Unknown.to_console(), "(known after apply)");
        // Several lines: a heredoc, indented when nested, its delimiter in no line.
        assert_eq!(Value::str("a\nb").to_console(), "<<EOT\na\nb\nEOT");
        assert_eq!(Value::str("EOT\n").to_console(), "<<EOT_\nEOT\n\nEOT_");
        let nested = Value::List(vec![Value::str("x\ny")]);
        assert_eq!(nested.to_console(), "[\n  <<-EOT\n  x\n  y\n  EOT,\n]");
    }

    #[test]
    fn reading_json_text_gives_what_from_json_gives() {
        for text in [
            r#"{"b": 1, "a": [true, null, 0.5, -3, 18446744073709551615], "c": {"z": "x\u00e9", "y": {}}}"#,
            r#"{"k": 1, "j": 2, "k": 3}"#,
            r#"[]"#,
            r#""s""#,
            r#"1e300"#,
            r#"null"#,
        ] {
            let direct: Value = serde_json::from_str(text).unwrap();
            let tree: Json = serde_json::from_str(text).unwrap();
            assert_eq!(direct, Value::from_json(&tree), "{text}");
        }
    }

    #[test]
    fn as_json_writes_what_to_json_makes() {
        let mut m = BTreeMap::new();
        m.insert("n".to_string(), Value::Number(1_700_000_000_000.0));
        m.insert("f".to_string(), Value::Number(0.5));
        m.insert("nan".to_string(), Value::Number(f64::NAN));
        m.insert("big".to_string(), Value::Number(1e300));
        m.insert("s".to_string(), Value::str("a\"b\n"));
        m.insert("u".to_string(), Value::Unknown);
        m.insert(
            "l".to_string(),
            Value::List(vec![
                Value::Bool(true),
                Value::Null,
                Value::Sensitive(Box::new(Value::str("x"))),
            ]),
        );
        let v = Value::Map(m);
        assert_eq!(
            serde_json::to_string(&AsJson(&v)).unwrap(),
            serde_json::to_string(&v.to_json()).unwrap()
        );
    }
    use serde_json::json;

    #[test]
    fn json_round_trips_and_numbers_stay_whole() {
        let j = json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
        let v = Value::from_json(&j);
        assert_eq!(v.to_json(), j);
        assert_eq!(number_json(3.0), json!(3));
        assert_eq!(fmt_number(2.0), "2");
        assert_eq!(fmt_number(2.25), "2.25");
    }

    #[test]
    fn hcl_text_of_values() {
        let v = Value::from_json(&json!({"k": ["a", 1], "odd key": true}));
        assert_eq!(v.to_hcl(), "{k = [\"a\", 1], \"odd key\" = true}");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(ident_or_quoted("ok_1"), "ok_1");
        assert_eq!(ident_or_quoted("not ok"), "\"not ok\"");
        assert_eq!(
            Value::Number(5.0).to_template_string().as_deref(),
            Some("5")
        );
        assert_eq!(Value::List(vec![]).to_template_string(), None);
    }

    #[test]
    fn unknowns_and_marks() {
        let v = Value::List(vec![Value::Number(1.0), Value::Unknown]);
        assert!(!v.is_known());
        assert_eq!(v.unknown_mask(), json!([false, true]));
        let marked =
            Value::Map([("s".to_string(), Value::Sensitive(Box::new(Value::str("x"))))].into());
        let (clean, hit) = marked.unmark();
        assert!(hit);
        assert_eq!(clean.get("s").as_str(), Some("x"));
        assert!(!Value::str("y").unmark().1);
    }

    #[test]
    fn paths_and_masking() {
        let p = vec![
            PathStep::Key("a".into()),
            PathStep::Index(2),
            PathStep::Key("b".into()),
        ];
        assert_eq!(path_string(&p), "a[2].b");
        assert_eq!(path_json(&p), json!(["a", 2, "b"]));
        let v = Value::from_json(&json!({"a": [0, 0, {"b": "secret", "c": 1}], "u": null}));
        assert_eq!(v.get_path(&p).as_str(), Some("secret"));
        let masked = to_json_masked(&v, &[p], &json!("***"), &json!("?"));
        assert_eq!(masked["a"][2]["b"], json!("***"));
        assert_eq!(masked["a"][2]["c"], json!(1));
    }
}
