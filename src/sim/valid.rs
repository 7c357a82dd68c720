//! Validation helpers shared by the simulated APIs; each failure names the field.

use super::ApiError;
use serde_json::{Map, Value};

pub fn required(code_field: &str) -> ApiError {
    ApiError::bad(
        "ModelArts.6335",
        format!("'{code_field}' is a required property."),
    )
}

pub fn incorrect(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::bad(
        "ModelArts.6336",
        format!("'{field}' property value is incorrect: {why}"),
    )
}

pub fn wrong_type(field: &str, want: &str) -> ApiError {
    ApiError::bad(
        "ModelArts.6332",
        format!("The type of parameter '{field}' is wrong, it should be {want}."),
    )
}

pub fn object<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>, ApiError> {
    v.as_object().ok_or_else(|| wrong_type(field, "an object"))
}

pub fn opt_str<'a>(
    o: &'a Map<String, Value>,
    k: &str,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(&join(path, k), "a string")),
    }
}

pub fn req_str<'a>(o: &'a Map<String, Value>, k: &str, path: &str) -> Result<&'a str, ApiError> {
    match opt_str(o, k, path)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(required(&join(path, k))),
    }
}

pub fn opt_i64(o: &Map<String, Value>, k: &str, path: &str) -> Result<Option<i64>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| wrong_type(&join(path, k), "an integer")),
        Some(_) => Err(wrong_type(&join(path, k), "an integer")),
    }
}

pub fn opt_f64(o: &Map<String, Value>, k: &str, path: &str) -> Result<Option<f64>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(wrong_type(&join(path, k), "a number")),
    }
}

pub fn opt_bool(o: &Map<String, Value>, k: &str, path: &str) -> Result<Option<bool>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong_type(&join(path, k), "a boolean")),
    }
}

pub fn opt_obj<'a>(
    o: &'a Map<String, Value>,
    k: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(wrong_type(&join(path, k), "an object")),
    }
}

pub fn opt_arr<'a>(
    o: &'a Map<String, Value>,
    k: &str,
    path: &str,
) -> Result<Option<&'a Vec<Value>>, ApiError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(wrong_type(&join(path, k), "an array")),
    }
}

pub fn str_list(
    o: &Map<String, Value>,
    k: &str,
    path: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(a) = opt_arr(o, k, path)? else {
        return Ok(None);
    };
    a.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| wrong_type(&join(path, k), "an array of strings"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// An optional sub-object, validated and normalised by `parse` when present.
pub fn opt_parsed<T>(
    o: &Map<String, Value>,
    k: &str,
    parse: impl Fn(&Value) -> Result<T, ApiError>,
) -> Result<Option<T>, ApiError> {
    o.get(k).filter(|v| !v.is_null()).map(parse).transpose()
}

/// An enumeration, accepted in any case and returned upper case.
pub fn enum_upper(
    o: &Map<String, Value>,
    k: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    let Some(s) = opt_str(o, k, path)? else {
        return Ok(None);
    };
    let up = s.to_ascii_uppercase();
    if allowed.contains(&up.as_str()) {
        Ok(Some(up))
    } else {
        Err(incorrect(
            &join(path, k),
            format!("'{s}' is not one of {}", allowed.join(", ")),
        ))
    }
}

pub fn range(field: &str, v: i64, lo: i64, hi: i64) -> Result<i64, ApiError> {
    if v < lo || v > hi {
        Err(incorrect(
            field,
            format!("{v} is not between {lo} and {hi}"),
        ))
    } else {
        Ok(v)
    }
}

pub fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

/// Names: letters, digits and the given extra characters, up to `max`.
pub fn name(field: &str, s: &str, max: usize, extra: &str) -> Result<(), ApiError> {
    if s.is_empty() || s.chars().count() > max {
        return Err(incorrect(field, format!("must be 1 to {max} characters")));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c)))
    {
        return Err(ApiError::bad(
            "ModelArts.6334",
            format!("Invalid value for {field}. The character '{c}' is not allowed."),
        ));
    }
    Ok(())
}

pub fn description(field: &str, s: &str) -> Result<(), ApiError> {
    if s.chars().count() > 512 {
        return Err(incorrect(field, "must be at most 512 characters"));
    }
    if let Some(c) = s.chars().find(|c| "&<>\"'/".contains(*c)) {
        return Err(ApiError::bad(
            "ModelArts.6334",
            format!("Invalid value for name or description. The character '{c}' is not allowed."),
        ));
    }
    Ok(())
}

/// Strip keys that are null so responses do not carry them.
pub fn prune(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, x| !x.is_null());
        for x in m.values_mut() {
            prune(x);
        }
    } else if let Value::Array(a) = v {
        for x in a {
            prune(x);
        }
    }
}
