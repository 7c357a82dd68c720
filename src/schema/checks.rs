//! The constraints the API documents state (name patterns, lengths, ranges with their
//! units, address lists, the DevServer password rules), as checks for schema arguments.
//! Each returns what is wrong in words a user can act on.

use crate::value::Value;

pub fn name_chars(v: &Value, max: usize, extra: &str) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    if s.is_empty() || s.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c)))
    {
        Some(c) => Err(format!(
            "the character {c:?} is not allowed; use letters, digits and {}",
            extra
                .chars()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(" ")
        )),
        None => Ok(()),
    }
}
pub fn nb_name(v: &Value) -> Result<(), String> {
    name_chars(v, 128, "-_")
}
pub fn ds_name(v: &Value) -> Result<(), String> {
    name_chars(v, 64, "-_.")
}
pub fn de_name(v: &Value) -> Result<(), String> {
    name_chars(v, 64, "-_")
}
pub fn description(v: &Value) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    if s.chars().count() > 512 {
        return Err("must be at most 512 characters".into());
    }
    match s.chars().find(|c| "&<>\"'/".contains(*c)) {
        Some(c) => Err(format!(
            "the character {c:?} is not allowed (none of & < > \" ' /)"
        )),
        None => Ok(()),
    }
}
pub fn range(v: &Value, lo: f64, hi: f64) -> Result<(), String> {
    match v.as_f64() {
        Some(n) if n >= lo && n <= hi => Ok(()),
        Some(n) => Err(format!(
            "{} is out of range {}–{}",
            crate::value::fmt_number(n),
            crate::value::fmt_number(lo),
            crate::value::fmt_number(hi)
        )),
        None => Ok(()),
    }
}
pub fn lease_ms(v: &Value) -> Result<(), String> {
    if v.as_f64() == Some(-1.0) {
        return Ok(());
    }
    range(v, 3_600_000.0, 259_200_000.0)
        .map_err(|e| format!("{e} milliseconds (1 h to 72 h), or -1 to disable auto-stop"))
}
pub fn evs_size(v: &Value) -> Result<(), String> {
    range(v, 5.0, 4096.0).map_err(|e| format!("{e} GB"))
}
pub fn root_size(v: &Value) -> Result<(), String> {
    range(v, 100.0, 1024.0).map_err(|e| format!("{e} GB"))
}
pub fn auto_stop_secs(v: &Value) -> Result<(), String> {
    range(v, 3600.0, 86400.0).map_err(|e| format!("{e} seconds"))
}
pub fn period_num(v: &Value) -> Result<(), String> {
    range(v, 1.0, 11.0)
}
pub fn weight(v: &Value) -> Result<(), String> {
    range(v, 0.0, 100.0)
}
pub fn five_ips(v: &Value) -> Result<(), String> {
    let l = v.as_list().map(|l| l.as_slice()).unwrap_or(&[]);
    if l.len() > 5 {
        return Err("at most 5 addresses".into());
    }
    for ip in l {
        let s = ip.as_str().unwrap_or("");
        if s.split('/')
            .next()
            .unwrap_or("")
            .parse::<std::net::IpAddr>()
            .is_err()
        {
            return Err(format!("{s:?} is not an IP address"));
        }
    }
    Ok(())
}
pub fn workspace(v: &Value) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    if s == "0"
        || (s.len() == 32
            && s.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()))
    {
        Ok(())
    } else {
        Err("must be \"0\" or 32 digits and lowercase letters".into())
    }
}
pub fn positive_cpu(v: &Value) -> Result<(), String> {
    match v.as_f64() {
        Some(n) if n <= 0.3 => Err("must be greater than 0.3 cores".into()),
        _ => Ok(()),
    }
}
pub fn base64(v: &Value) -> Result<(), String> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap_or(""))
        .map(|_| ())
        .map_err(|_| "must be base64; use base64encode()".into())
}
pub fn mount_path(v: &Value) -> Result<(), String> {
    if v.as_str().is_some_and(|s| s.starts_with('/')) {
        Ok(())
    } else {
        Err("must be an absolute path".into())
    }
}
/// The DevServer password rules.
pub fn admin_pass(v: &Value) -> Result<(), String> {
    let p = v.as_str().unwrap_or("");
    let n = p.chars().count();
    if !(8..=26).contains(&n) {
        return Err("must contain 8 to 26 characters".into());
    }
    const SPECIAL: &str = "!@%-_=+[{}]:,./?";
    if p.chars()
        .any(|c| !(c.is_ascii_alphanumeric() || SPECIAL.contains(c)))
    {
        return Err(format!("may contain only letters, digits and {SPECIAL}"));
    }
    let classes = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| SPECIAL.contains(c)),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err("must contain at least three of: uppercase letters, lowercase letters, digits, special characters".into());
    }
    let lower = p.to_ascii_lowercase();
    if ["root", "toor", "administrator", "rotartsinimda"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Err("cannot contain root, administrator or their reverse".into());
    }
    Ok(())
}

/// One segment of a Kubernetes label (a key's name, or a value): at most 63 characters
/// of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
fn label_segment(s: &str, what: &str) -> Result<(), String> {
    if s.is_empty() || s.chars().count() > 63 {
        return Err(format!("{what} must be 1 to 63 characters"));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(format!(
            "{what} may contain letters, digits, '-', '_' and '.', not {c:?}"
        ));
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(s.chars().next()) || !edge(s.chars().last()) {
        return Err(format!("{what} must start and end with a letter or digit"));
    }
    Ok(())
}

/// An affinity label key: `[prefix/]name`, the prefix a DNS subdomain of at most 253
/// characters.
pub fn label_key(v: &Value) -> Result<(), String> {
    let k = v.as_str().unwrap_or("");
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        let label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if p.len() > 253 || !p.split('.').all(label) {
            return Err(format!(
                "the prefix {p:?} must be a DNS subdomain (lower-case labels separated by dots, at most 253 characters)"
            ));
        }
    }
    label_segment(name, "the key's name")
}

/// Affinity label values: each empty, or a label segment.
pub fn label_values(v: &Value) -> Result<(), String> {
    for x in v.as_list().into_iter().flatten() {
        match x.as_str() {
            Some("") | None => {}
            Some(s) => label_segment(s, &format!("the value {s:?}"))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn the_documented_constraints() {
        assert!(nb_name(&s("nb-1_a")).is_ok());
        assert!(nb_name(&s("")).is_err());
        assert!(nb_name(&s("a b")).unwrap_err().contains("' '"));
        assert!(ds_name(&s("a.b")).is_ok());
        assert!(de_name(&s("a.b")).is_err());
        assert!(description(&s("ok")).is_ok());
        assert!(description(&s("<b>")).is_err());
        assert!(lease_ms(&Value::Number(-1.0)).is_ok());
        assert!(lease_ms(&Value::Number(60.0))
            .unwrap_err()
            .contains("1 h to 72 h"));
        assert!(evs_size(&Value::Number(4.0)).is_err());
        assert!(evs_size(&Value::Number(5.0)).is_ok());
        assert!(five_ips(&Value::from_json(&serde_json::json!([
            "1.2.3.4",
            "10.0.0.0/8"
        ])))
        .is_ok());
        assert!(five_ips(&Value::from_json(&serde_json::json!(["nope"]))).is_err());
        assert!(workspace(&s("0")).is_ok());
        assert!(workspace(&s("ABC")).is_err());
        assert!(base64(&s("aGk=")).is_ok());
        assert!(base64(&s("!")).is_err());
        assert!(mount_path(&s("/data")).is_ok());
        assert!(mount_path(&s("data")).is_err());
        assert!(positive_cpu(&Value::Number(0.2)).is_err());
    }

    #[test]
    fn the_devserver_password_rules() {
        assert!(admin_pass(&s("Good-Passw0rd")).is_ok());
        assert!(admin_pass(&s("Sh0rt!")).unwrap_err().contains("8 to 26"));
        assert!(admin_pass(&s("alllowercase1"))
            .unwrap_err()
            .contains("three of"));
        assert!(admin_pass(&s("Has Space1!"))
            .unwrap_err()
            .contains("only letters"));
        assert!(admin_pass(&s("MyRoot-Pass1")).unwrap_err().contains("root"));
    }

    #[test]
    fn label_keys_and_values_follow_kubernetes() {
        let k = |s: &str| label_key(&Value::String(s.into()));
        assert!(k("kubernetes.io/hostname").is_ok() && k("zone").is_ok());
        for bad in ["-abc", "ab$c", "Bad_Prefix!/name", "/name", "a/"] {
            assert!(k(bad).is_err(), "{bad}");
        }
        assert!(k(&"k".repeat(64)).is_err());
        assert!(k(&format!("{}/n", "a".repeat(254))).is_err());
        let vals = |v: serde_json::Value| label_values(&Value::from_json(&v));
        assert!(vals(serde_json::json!(["a.b", ""])).is_ok());
        assert!(vals(serde_json::json!(["a-"])).is_err());
    }
}
