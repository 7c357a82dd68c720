//! Validation of the create request's nested objects, as the service checks them.

use super::super::valid::*;
use super::super::ApiError;
use serde_json::{json, Value};

/// Validate and normalise a volume request (`volume` or an entry of `data_volumes`).
pub(super) fn volume(v: &Value, path: &str) -> Result<Value, ApiError> {
    let o = object(v, path)?;
    let category = enum_upper(o, "category", path, &["EVS", "EFS", "SFS", "OBS", "OBSFS"])?
        .ok_or_else(|| required(&join(path, "category")))?;
    let ownership = enum_upper(o, "ownership", path, &["MANAGED", "DEDICATED"])?
        .ok_or_else(|| required(&join(path, "ownership")))?;
    if ownership == "DEDICATED" && !matches!(category.as_str(), "EFS" | "SFS" | "OBS" | "OBSFS") {
        return Err(incorrect(
            &join(path, "ownership"),
            "DEDICATED is allowed only with EFS, OBS or OBSFS",
        ));
    }
    // Capacity in GB: an EVS disk 5 to 4096 (default 5), an EFS/SFS share up to 4096
    // (default 50); an OBS bucket has none (a capacity given is dropped).
    let capacity = match (category.as_str(), opt_i64(o, "capacity", path)?) {
        ("EVS", Some(c)) if !(5..=4096).contains(&c) => {
            return Err(ApiError::bad(
                "ModelArts.6331",
                "The evs volume size ranges from 5 GB to 4096 GB.",
            ))
        }
        ("EFS" | "SFS", Some(c)) => Some(range(&join(path, "capacity"), c, 1, 4096).map(|_| c)?),
        ("EVS", c) => Some(c.unwrap_or(5)),
        ("EFS" | "SFS", None) => Some(50),
        _ => None,
    };
    let uri = opt_str(o, "uri", path)?;
    let id = opt_str(o, "id", path)?;
    if ownership == "DEDICATED" {
        if uri.is_none() {
            return Err(required(&join(path, "uri")));
        }
        if matches!(category.as_str(), "EFS" | "SFS") && id.is_none() {
            return Err(required(&join(path, "id")));
        }
    }
    let mount_path = opt_str(o, "mount_path", path)?.unwrap_or("/home/ma-user/work/");
    let mut out = json!({
        "category": category, "ownership": ownership, "capacity": capacity,
        "mount_path": mount_path, "uri": uri, "id": id,
        "read_only": opt_bool(o, "read_only", path)?.unwrap_or(false),
        "dew_secret_name": opt_str(o, "dew_secret_name", path)?,
    });
    prune(&mut out);
    Ok(out)
}

pub(super) fn endpoints(v: &Value) -> Result<Value, ApiError> {
    let arr = v
        .as_array()
        .ok_or_else(|| wrong_type("endpoints", "an array"))?;
    let mut out = Vec::new();
    for (i, e) in arr.iter().enumerate() {
        let path = format!("endpoints[{i}]");
        let o = object(e, &path)?;
        let service = enum_upper(o, "service", &path, &["NOTEBOOK", "SSH"])?
            .unwrap_or_else(|| "NOTEBOOK".into());
        let keys = str_list(o, "key_pair_names", &path)?;
        let ips = str_list(o, "allowed_access_ips", &path)?;
        if ips.as_ref().is_some_and(|x| x.len() > 5) {
            return Err(incorrect(
                &join(&path, "allowed_access_ips"),
                "at most 5 addresses",
            ));
        }
        for ip in ips.iter().flatten() {
            crate::schema::checks::public_address(ip).map_err(|why| {
                incorrect(&join(&path, "allowed_access_ips"), format!("'{ip}' {why}"))
            })?;
        }
        if service == "SSH" && keys.as_ref().is_none_or(|k| k.is_empty()) {
            return Err(required(&join(&path, "key_pair_names")));
        }
        let mut ep = json!({"service": service, "dev_service": service, "key_pair_names": keys, "allowed_access_ips": ips});
        prune(&mut ep);
        out.push(ep);
    }
    Ok(Value::Array(out))
}

pub(super) fn hooks(v: &Value) -> Result<Value, ApiError> {
    let o = object(v, "hooks")?;
    let mut out = json!({});
    if let Some(ch) = opt_obj(o, "container_hooks", "hooks")? {
        let mut c = json!({});
        for k in ["pre_start", "post_start"] {
            if let Some(cfg) = opt_obj(ch, k, "hooks.container_hooks")? {
                let p = format!("hooks.container_hooks.{k}");
                let ty = enum_upper(cfg, "type", &p, &["COMMAND", "SCRIPT"])?
                    .unwrap_or_else(|| "SCRIPT".into());
                let script = opt_str(cfg, "script", &p)?;
                if ty == "SCRIPT" && script.is_some_and(|s| !crate::schema::checks::hook_script(s))
                {
                    return Err(incorrect(
                        &join(&p, "script"),
                        "a SCRIPT hook is Base64-encoded script text or the absolute path of a script",
                    ));
                }
                let mut x =
                    json!({"script": script, "type": ty, "mode": opt_str(cfg, "mode", &p)?});
                prune(&mut x);
                c[k] = x;
            }
        }
        out["container_hooks"] = c;
    }
    Ok(out)
}

pub(super) fn custom_spec(v: &Value) -> Result<Value, ApiError> {
    let o = object(v, "custom_spec")?;
    let p = "custom_spec";
    let cpu = opt_f64(o, "cpu", p)?.ok_or_else(|| required("custom_spec.cpu"))?;
    if cpu <= 0.3 {
        return Err(incorrect(
            "custom_spec.cpu",
            "must be greater than 0.3 cores",
        ));
    }
    // "Unit: MiB. The value is a positive integer greater than 512 MiB." (The same
    // document's example sends `"memory": 40`; the stated constraint is what is
    // enforced.)
    let memory = opt_i64(o, "memory", p)?.ok_or_else(|| required("custom_spec.memory"))?;
    if memory <= 512 {
        return Err(incorrect(
            "custom_spec.memory",
            "must be an integer greater than 512 (MiB)",
        ));
    }
    let gpu = opt_f64(o, "gpu", p)?;
    if gpu.is_some_and(|g| g < 0.0) {
        return Err(incorrect("custom_spec.gpu", "must be at least 0"));
    }
    let arch = match opt_str(o, "arch", p)? {
        None => "x86_64".to_string(),
        Some(a) if a.eq_ignore_ascii_case("x86_64") => "x86_64".into(),
        Some(a) if a.eq_ignore_ascii_case("aarch64") => "AARCH64".into(),
        Some(a) => {
            return Err(incorrect(
                "custom_spec.arch",
                format!("'{a}' is not x86_64 or AARCH64"),
            ))
        }
    };
    let category = enum_upper(o, "category", p, &["CPU", "GPU"])?.unwrap_or_else(|| {
        if gpu.unwrap_or(0.0) > 0.0 {
            "GPU".into()
        } else {
            "CPU".into()
        }
    });
    let mut out = json!({"cpu": cpu, "memory": memory, "gpu": gpu, "gpu_type": opt_str(o, "gpu_type", p)?,
        "arch": arch, "category": category, "resource_flavor": opt_str(o, "resource_flavor", p)?});
    prune(&mut out);
    Ok(out)
}

/// A label name segment: at most 63 characters, letters, digits, `-`, `_` and `.`,
/// starting and ending with a letter or digit ("Labels and Selectors").
fn label_name(n: &str) -> Result<(), String> {
    if n.is_empty() || n.len() > 63 {
        return Err("the name segment must be 1 to 63 characters".into());
    }
    if !n.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !n.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err("the name segment must start and end with a letter or digit".into());
    }
    if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
    {
        return Err(format!(
            "the name segment may contain only letters, digits, '-', '_' and '.', not '{c}'"
        ));
    }
    Ok(())
}

/// A label key: `[prefix/]name`, the prefix a DNS subdomain of at most 253 characters.
fn label_key(k: &str) -> Result<(), String> {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        let dns_label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if p.is_empty() || p.len() > 253 || !p.split('.').all(dns_label) {
            return Err(format!(
                "the prefix '{p}' must be a DNS subdomain of at most 253 characters"
            ));
        }
    }
    label_name(name)
}

/// A label value: empty, or a name segment.
fn label_value(v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Ok(());
    }
    label_name(v).map_err(|e| e.replace("the name segment", "a value"))
}

pub(super) fn affinity(v: &Value) -> Result<Value, ApiError> {
    let o = object(v, "affinity")?;
    let mut out = json!({});
    for k in [
        "required_during_scheduling_ignored_during_execution",
        "preferred_during_scheduling_ignored_during_execution",
    ] {
        let Some(rules) = opt_arr(o, k, "affinity")? else {
            continue;
        };
        let mut rs = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let p = format!("affinity.{k}[{i}]");
            let ro = object(r, &p)?;
            let key = req_str(ro, "key", &p)?;
            label_key(key).map_err(|why| incorrect(&join(&p, "key"), why))?;
            let op = req_str(ro, "operator", &p)?;
            if !["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"].contains(&op) {
                return Err(incorrect(
                    &join(&p, "operator"),
                    format!("'{op}' is not In, NotIn, Exists, DoesNotExist, Gt or Lt"),
                ));
            }
            let values = str_list(ro, "values", &p)?;
            for (j, v) in values.iter().flatten().enumerate() {
                label_value(v).map_err(|why| incorrect(&format!("{p}.values[{j}]"), why))?;
            }
            let vs: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
            crate::schema::checks::affinity_values(op, &vs)
                .map_err(|why| incorrect(&join(&p, "values"), why))?;
            let weight = opt_i64(ro, "weight", &p)?;
            // "NULL for strong affinity and optional for weak affinity."
            if weight.is_some() && k.starts_with("required") {
                return Err(incorrect(
                    &join(&p, "weight"),
                    "a weight applies to weak (preferred) affinity only",
                ));
            }
            if let Some(w) = weight {
                range(&join(&p, "weight"), w, 0, 100)?;
            }
            let mut x = json!({"key": key, "operator": op, "values": values, "weight": weight});
            prune(&mut x);
            rs.push(x);
        }
        out[k] = Value::Array(rs);
    }
    Ok(out)
}

pub(super) fn lease_duration(field: &str, d: i64) -> Result<i64, ApiError> {
    if d == -1 {
        return Ok(d);
    }
    if !(3_600_000..=259_200_000).contains(&d) {
        return Err(ApiError::bad(
            "ModelArts.6349",
            format!(
                "The '{field}' parameter is incorrect. The value ranges from 3600000 to 259200000."
            ),
        ));
    }
    Ok(d)
}
