//! Between attribute values and the API's JSON, for every kind: request bodies from a
//! schema, and the small pieces kinds build their attributes from.

pub use crate::schema::{attr_body, request_body};
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A response field as a value; an empty string is no value.
pub fn s(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::String(x) if x.is_empty() => Value::Null,
        other => Value::from_json(other),
    }
}

/// An object of the non-null pairs; null when there are none.
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    let m: BTreeMap<String, Value> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    if m.is_empty() {
        Value::Null
    } else {
        Value::Map(m)
    }
}

/// An empty list is no value.
pub fn nonempty_list(v: Value) -> Value {
    match v {
        Value::List(l) if l.is_empty() => Value::Null,
        other => other,
    }
}

/// A string attribute changed from `prior` to `desired` (an unknown desired value is no
/// change yet).
pub fn changed(prior: &Value, desired: &Value, key: &str) -> bool {
    let d = desired.get(key);
    d.is_known() && prior.get(key) != d
}

/// A value for an update body: null clears a string field.
pub fn or_empty(v: &Value) -> Json {
    match v {
        Value::Null => Json::String(String::new()),
        v => v.to_json(),
    }
}

/// Where the service answers with an equivalent value (other case, other order of a set
/// of strings, 5 for 5.0), keep the reference's spelling.
pub fn keep_equivalent(v: &mut Value, reference: &Value) {
    match (v, reference) {
        (Value::String(a), Value::String(b)) if a != b && a.eq_ignore_ascii_case(b) => {
            *a = b.clone()
        }
        (Value::Map(m), Value::Map(r)) => {
            for (k, x) in m.iter_mut() {
                if let Some(rx) = r.get(k) {
                    keep_equivalent(x, rx);
                }
            }
        }
        (Value::List(l), Value::List(r)) => {
            let strings = |x: &Vec<Value>| x.iter().all(|e| matches!(e, Value::String(_)));
            if l.len() == r.len() && strings(l) && strings(r) {
                let mut a: Vec<&str> = l.iter().map(|x| x.as_str().unwrap_or("")).collect();
                let mut b: Vec<&str> = r.iter().map(|x| x.as_str().unwrap_or("")).collect();
                a.sort_unstable();
                b.sort_unstable();
                if a == b {
                    *l = r.clone();
                    return;
                }
            }
            for (x, rx) in l.iter_mut().zip(r) {
                keep_equivalent(x, rx);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{block, comp, opt, req, Presence, Schema, Ty};
    use serde_json::json;

    fn v(j: Json) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn request_bodies_drop_computed_unknown_and_null_fields() {
        let s = Schema {
            attrs: vec![
                req("name", Ty::Str),
                opt("description", Ty::Str),
                comp("id", Ty::Str),
                crate::schema::desired_state(),
                block(
                    "volume",
                    Schema {
                        attrs: vec![opt("size", Ty::Int), opt("kind", Ty::Str)],
                    },
                    false,
                    Presence::Optional,
                ),
            ],
        };
        let mut planned = v(json!({"name": "a", "id": "x", "desired_state": "RUNNING",
                                  "volume": {"size": 5}}));
        if let Value::Map(m) = &mut planned {
            m.insert("description".into(), Value::Unknown);
        }
        assert_eq!(
            request_body(&s, &planned),
            json!({"name": "a", "volume": {"size": 5}})
        );
    }

    #[test]
    fn equivalent_answers_keep_the_configured_spelling() {
        let mut got = v(json!({"a": "EVS", "ips": ["2", "1"], "n": {"x": "Abc"}}));
        keep_equivalent(
            &mut got,
            &v(json!({"a": "evs", "ips": ["1", "2"], "n": {"x": "abc"}})),
        );
        assert_eq!(
            got,
            v(json!({"a": "evs", "ips": ["1", "2"], "n": {"x": "abc"}}))
        );
        let mut other = v(json!({"ips": ["1", "3"]}));
        keep_equivalent(&mut other, &v(json!({"ips": ["1", "2"]})));
        assert_eq!(
            other,
            v(json!({"ips": ["1", "3"]})),
            "a different set stays"
        );
    }

    #[test]
    fn response_helpers_drop_empty_values() {
        assert_eq!(s(&json!("")), Value::Null);
        assert_eq!(obj(vec![("a", Value::Null)]), Value::Null);
        assert_eq!(nonempty_list(Value::List(vec![])), Value::Null);
        assert_eq!(or_empty(&Value::Null), json!(""));
        assert!(changed(&v(json!({"a": 1})), &v(json!({"a": 2})), "a"));
        let unknown = Value::Map([("a".to_string(), Value::Unknown)].into());
        assert!(!changed(&v(json!({"a": 1})), &unknown, "a"));
    }
}
