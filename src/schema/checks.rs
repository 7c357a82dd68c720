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
        public_address(s).map_err(|why| format!("{s:?} {why}"))?;
    }
    Ok(())
}

/// A public IP address, optionally with a prefix length (`1.2.3.0/24`; `0.0.0.0/0` is
/// every address): `allowed_access_ips` whitelists the public addresses SSH clients
/// connect from. The simulator refuses the same.
pub fn public_address(ip: &str) -> Result<(), String> {
    let (bare, prefix) = match ip.split_once('/') {
        Some((b, p)) => (b, Some(p)),
        None => (ip, None),
    };
    let addr: std::net::IpAddr = bare
        .parse()
        .map_err(|_| "is not an IP address".to_string())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match prefix {
        Some(p) => match p.parse::<u8>() {
            Ok(n) if n <= max => n,
            _ => return Err(format!("has a prefix length that is not 0 to {max}")),
        },
        None => max,
    };
    if len == 0 {
        return Ok(());
    }
    let v4 = match addr {
        std::net::IpAddr::V4(a) => Some(a),
        std::net::IpAddr::V6(a) => a.to_ipv4_mapped(),
    };
    let private = match (v4, addr) {
        (Some(a), _) => {
            let [o0, o1, ..] = a.octets();
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || o0 == 0
                || o0 >= 240
                || (o0 == 100 && (64..128).contains(&o1))
        }
        (None, std::net::IpAddr::V6(a)) => {
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (a.segments()[0] & 0xfe00) == 0xfc00
                || (a.segments()[0] & 0xffc0) == 0xfe80
        }
        (None, std::net::IpAddr::V4(_)) => false,
    };
    if private {
        return Err("is not a public address".into());
    }
    Ok(())
}

/// A hook script of type SCRIPT: "a custom script (Base64 encoding) or the absolute path
/// of a script" (Base64 of text, so that a bare word such as `echo` is not taken for it).
pub fn hook_script(script: &str) -> bool {
    use base64::Engine;
    script.starts_with('/')
        || base64::engine::general_purpose::STANDARD
            .decode(script.trim())
            .is_ok_and(|b| !b.is_empty() && std::str::from_utf8(&b).is_ok())
}

/// An affinity rule's values as a Kubernetes node selector requirement: In and NotIn
/// need values, Exists and DoesNotExist take none, Gt and Lt one integer.
pub fn affinity_values(op: &str, values: &[&str]) -> Result<(), String> {
    let fits = match op {
        "In" | "NotIn" => !values.is_empty(),
        "Exists" | "DoesNotExist" => values.is_empty(),
        _ => values.len() == 1 && values[0].parse::<i64>().is_ok(),
    };
    if fits {
        return Ok(());
    }
    Err(match op {
        "In" | "NotIn" => format!("{op} needs at least one value"),
        "Exists" | "DoesNotExist" => format!("{op} takes no values"),
        _ => format!("{op} takes exactly one integer value"),
    })
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
    fn whitelists_hooks_and_affinity_values() {
        for ok in ["1.2.3.4", "1.2.3.0/24", "0.0.0.0/0", "2001:db8::1"] {
            assert!(public_address(ok).is_ok(), "{ok}");
        }
        for bad in [
            "10.0.0.1",
            "192.168.1.1/32",
            "127.0.0.1",
            "100.64.0.1",
            "::ffff:10.0.0.1",
            "fd00::1",
            "1.2.3.0/33",
            "1.2.3.0/x",
            "host",
        ] {
            assert!(public_address(bad).is_err(), "{bad}");
        }
        assert!(hook_script("/home/ma-user/start.sh"));
        assert!(hook_script("ZWNobyBoaQ==")); // "echo hi"
        assert!(!hook_script("echo hi"));
        assert!(!hook_script("echo"), "a bare word is not Base64 of text");
        assert!(affinity_values("In", &["a"]).is_ok());
        assert!(affinity_values("In", &[]).is_err());
        assert!(affinity_values("Exists", &[]).is_ok());
        assert!(affinity_values("Exists", &["a"]).is_err());
        assert!(affinity_values("Gt", &["5"]).is_ok());
        assert!(affinity_values("Lt", &["five"]).is_err());
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
            "203.0.113.0/24"
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
