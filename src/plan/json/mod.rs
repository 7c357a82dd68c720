//! The plan as JSON in the shape Terraform's `show -json` uses, so that tools reading
//! Terraform plans (policy checks, cost and summary tools) read ours. Sensitive values are
//! never written: they appear as null, with `*_sensitive` saying where they were.

mod checks;
mod config;

use super::{Change, Drift, Plan};
use crate::addr::{InstanceAddr, Key, Mode};
use crate::state::State;
use crate::value::{path_json, Path, PathStep, Value};
use serde_json::{json, Map, Value as Json};

pub const FORMAT_VERSION: &str = "1.2";

/// A JSON mirror of `v` with `true` at sensitive paths.
pub fn sensitive_mask(v: &Value, paths: &[Path]) -> Json {
    fn walk(v: &Value, paths: &[Path], at: &mut Path) -> Json {
        if paths.iter().any(|p| at.starts_with(p)) && !v.is_null() {
            return Json::Bool(true);
        }
        match v {
            Value::Map(m) => Json::Object(
                m.iter()
                    .filter_map(|(k, x)| {
                        at.push(PathStep::Key(k.clone()));
                        let j = walk(x, paths, at);
                        at.pop();
                        (j != Json::Bool(false) && j != json!({}) && j != json!([]))
                            .then(|| (k.clone(), j))
                    })
                    .collect(),
            ),
            Value::List(l) => Json::Array(
                l.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        at.push(PathStep::Index(i));
                        let j = walk(x, paths, at);
                        at.pop();
                        j
                    })
                    .collect(),
            ),
            _ => Json::Bool(false),
        }
    }
    match walk(v, paths, &mut Vec::new()) {
        Json::Bool(false) => json!({}),
        j => j,
    }
}

/// The value with sensitive paths nulled out.
pub fn redact(v: &Value, paths: &[Path]) -> Json {
    crate::value::to_json_masked(v, paths, &Json::Null, &Json::Null)
}

/// A planned value as Terraform's plan JSON writes it: sensitive paths null, and what is
/// known only after apply left out of objects (null in lists), so that a tool reading
/// `after.x == null` does not take "known after apply" for "not set"; `after_unknown`
/// says which they are.
pub fn planned_json(v: &Value, paths: &[Path]) -> Json {
    const UNKNOWN: &str = "\u{0}maform-unknown";
    fn strip(j: Json) -> Json {
        let unknown = |j: &Json| {
            j.as_object()
                .is_some_and(|o| o.len() == 1 && o.contains_key(UNKNOWN))
        };
        match j {
            Json::Object(o) if o.len() == 1 && o.contains_key(UNKNOWN) => Json::Null,
            Json::Object(o) => Json::Object(
                o.into_iter()
                    .filter(|(_, x)| !unknown(x))
                    .map(|(k, x)| (k, strip(x)))
                    .collect(),
            ),
            Json::Array(a) => Json::Array(a.into_iter().map(strip).collect()),
            other => other,
        }
    }
    strip(crate::value::to_json_masked(
        v,
        paths,
        &Json::Null,
        &json!({ UNKNOWN: true }),
    ))
}

fn addr_fields(a: &InstanceAddr) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("address".into(), json!(a.to_string()));
    if !a.resource.module.is_root() {
        m.insert(
            "module_address".into(),
            json!(a.resource.module.to_string().trim_end_matches('.')),
        );
    }
    m.insert(
        "mode".into(),
        json!(if a.mode() == Mode::Managed {
            "managed"
        } else {
            "data"
        }),
    );
    m.insert("type".into(), json!(a.rtype()));
    m.insert("name".into(), json!(a.name()));
    match &a.key {
        Some(Key::Int(i)) => {
            m.insert("index".into(), json!(i));
        }
        Some(Key::Str(s)) => {
            m.insert("index".into(), json!(s));
        }
        None => {}
    }
    m.insert(
        "provider_name".into(),
        json!(crate::provider::PROVIDER_ADDRESS),
    );
    m
}

pub fn change_json(c: &Change) -> Json {
    let mut m = addr_fields(&c.addr);
    if let Some(k) = &c.deposed {
        m.insert("deposed".into(), json!(k));
    }
    let before = c.before.as_ref();
    let after = c.planned_value();
    let mut ch = Map::new();
    ch.insert("actions".into(), json!(c.action.json_actions()));
    ch.insert(
        "before".into(),
        before
            .map(|b| redact(b, &c.sensitive))
            .unwrap_or(Json::Null),
    );
    ch.insert(
        "after".into(),
        after
            .map(|a| planned_json(a, &c.sensitive))
            .unwrap_or(Json::Null),
    );
    ch.insert(
        "after_unknown".into(),
        after
            .map(|a| match a.unknown_mask() {
                Json::Bool(false) => json!({}),
                j => j,
            })
            .unwrap_or(json!({})),
    );
    ch.insert(
        "before_sensitive".into(),
        before
            .map(|b| sensitive_mask(b, &c.sensitive))
            .unwrap_or(json!(false)),
    );
    ch.insert(
        "after_sensitive".into(),
        after
            .map(|a| sensitive_mask(a, &c.sensitive))
            .unwrap_or(json!(false)),
    );
    if !c.replace_paths.is_empty() {
        ch.insert(
            "replace_paths".into(),
            Json::Array(c.replace_paths.iter().map(|p| path_json(p)).collect()),
        );
    }
    m.insert("change".into(), Json::Object(ch));
    if let Some(r) = &c.reason {
        m.insert("action_reason".into(), json!(r.json()));
    }
    Json::Object(m)
}

/// One entry of Terraform's `resource_drift`.
pub fn resource_drift(d: &Drift) -> Json {
    let mut m = addr_fields(&d.addr);
    let after = d.after.as_ref();
    m.insert(
        "change".into(),
        json!({
            "actions": [if after.is_some() { "update" } else { "delete" }],
            "before": redact(&d.before, &d.sensitive),
            "after": after.map(|a| redact(a, &d.sensitive)).unwrap_or(Json::Null),
            "after_unknown": {},
            "before_sensitive": sensitive_mask(&d.before, &d.sensitive),
            "after_sensitive": after.map(|a| sensitive_mask(a, &d.sensitive)).unwrap_or(json!(false)),
        }),
    );
    Json::Object(m)
}

/// A state's objects and outputs in Terraform's `values` shape (sensitive values null).
pub fn state_values(st: &State) -> Json {
    // Deposed objects are more entries at their instance's address, with their key
    // (Terraform's `deposed_key`), after the current object.
    let mut all: Vec<(&InstanceAddr, Option<&String>, &crate::state::Instance)> = st
        .instances
        .iter()
        .map(|(a, i)| (a, None, i))
        .chain(st.deposed.iter().map(|((a, k), i)| (a, Some(k), i)))
        .collect();
    if !st.deposed.is_empty() {
        all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    }
    let resources: Vec<Json> = all
        .into_iter()
        .map(|(a, k, i)| {
            let mut m = addr_fields(a);
            if let Some(k) = k {
                m.insert("deposed_key".into(), json!(k));
            }
            m.insert("schema_version".into(), json!(0));
            m.insert("values".into(), redact(&i.attributes, &i.sensitive));
            m.insert(
                "sensitive_values".into(),
                sensitive_mask(&i.attributes, &i.sensitive),
            );
            if i.tainted {
                m.insert("tainted".into(), json!(true));
            }
            Json::Object(m)
        })
        .collect();
    let outputs: Map<String, Json> = st.outputs.iter().map(|(k, o)| (k.clone(), json!({"sensitive": o.sensitive, "value": if o.sensitive { Json::Null } else { o.value.to_json() }}))).collect();
    json!({"outputs": outputs, "root_module": {"resources": resources}})
}

/// The whole plan document; `cfg` (the configuration it was made from) gives
/// `configuration` and `relevant_attributes`.
pub fn plan_json(
    p: &Plan,
    prior: &State,
    variables: &[(String, Option<Value>)],
    cfg: Option<&crate::config::Config>,
) -> Json {
    // A moved object's change says where it was (Terraform's `previous_address`).
    let changes: Vec<Json> = p
        .changes
        .iter()
        .map(|c| {
            let mut j = change_json(c);
            if let Some((from, _)) = p.moves.iter().find(|(_, to)| *to == c.addr) {
                j["previous_address"] = json!(from.to_string());
            }
            j
        })
        .collect();
    let planned: Vec<Json> = p
        .changes
        .iter()
        .filter_map(|c| {
            let v = c.planned_value()?;
            let mut m = addr_fields(&c.addr);
            m.insert("schema_version".into(), json!(0));
            m.insert("values".into(), planned_json(v, &c.sensitive));
            m.insert("sensitive_values".into(), sensitive_mask(v, &c.sensitive));
            Some(Json::Object(m))
        })
        .collect();
    let mut outputs = Map::new();
    let mut planned_outputs = Map::new();
    for o in &p.outputs {
        let actions: &[&str] = match (&o.before, &o.after) {
            (None, Some(_)) => &["create"],
            (Some(_), None) => &["delete"],
            (Some(b), Some(a)) if b == a => &["no-op"],
            _ => &["update"],
        };
        let show = |v: &Option<Value>| {
            if o.sensitive {
                Json::Null
            } else {
                v.as_ref().map(Value::to_json).unwrap_or(Json::Null)
            }
        };
        outputs.insert(
            o.name.clone(),
            json!({
                "actions": actions, "before": show(&o.before), "after": show(&o.after),
                "after_unknown": o.after.as_ref().is_some_and(|a| !a.is_known()),
                "before_sensitive": o.sensitive, "after_sensitive": o.sensitive,
            }),
        );
        if let Some(a) = &o.after {
            planned_outputs.insert(o.name.clone(), json!({"sensitive": o.sensitive, "value": if o.sensitive || !a.is_known() { Json::Null } else { a.to_json() }}));
        }
    }
    let vars: Map<String, Json> = variables
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                json!({"value": v.as_ref().map(Value::to_json).unwrap_or(Json::Null)}),
            )
        })
        .collect();
    let mut doc = json!({
        "format_version": FORMAT_VERSION,
        "terraform_version": concat!("maform-", env!("CARGO_PKG_VERSION")),
        "variables": vars,
        "planned_values": {"outputs": planned_outputs, "root_module": {"resources": planned}},
        "resource_drift": p.drift.iter().map(resource_drift).collect::<Vec<_>>(),
        "resource_changes": changes,
        "output_changes": outputs,
        "prior_state": {"format_version": "1.0", "terraform_version": concat!("maform-", env!("CARGO_PKG_VERSION")), "values": state_values(prior)},
    });
    if let Some(cfg) = cfg {
        doc["configuration"] = config::configuration(cfg);
        doc["relevant_attributes"] = config::relevant_attributes(cfg, p);
    }
    if !p.checks.is_empty() {
        doc["checks"] = checks::checks(&p.checks);
    }
    if !p.timestamp.is_empty() {
        doc["timestamp"] = json!(p.timestamp);
    }
    doc["applyable"] = json!(p.has_changes() || (p.options.refresh_only && !p.drift.is_empty()));
    // A targeted plan leaves changes out, as Terraform says.
    doc["complete"] = json!(p.options.targets.is_empty());
    doc["errored"] = json!(false);
    doc
}

/// `maform drift --json`: each drifted object with its kind of drift (`changed`,
/// `status_changed`, `deleted`) and its changed paths with before and after values.
pub fn drift_report(drift: &[Drift]) -> Json {
    let items: Vec<Json> = drift
        .iter()
        .map(|d| {
            let mut changes = Vec::new();
            if let Some(a) = &d.after {
                let mut paths = Vec::new();
                super::diff_paths(&d.before, a, &mut Vec::new(), &mut paths);
                let volatile = |p: &Path| {
                    matches!(p.first(), Some(PathStep::Key(k)) if d.volatile.contains(&k.as_str()))
                };
                for path in paths.into_iter().filter(|p| !volatile(p)) {
                    let sens = d.sensitive.iter().any(|s| path.starts_with(s));
                    let show = |v: &Value| {
                        if sens {
                            Json::Null
                        } else {
                            v.get_path(&path).to_json()
                        }
                    };
                    changes.push(json!({"path": crate::value::path_string(&path), "before": show(&d.before), "after": show(a), "sensitive": sens}));
                }
            }
            let kind = if d.after.is_none() {
                "deleted"
            } else if changes.iter().any(|c| c["path"] == "status") {
                "status_changed"
            } else {
                "changed"
            };
            json!({
                "address": d.addr.to_string(), "type": d.addr.rtype(), "name": d.addr.name(),
                "id": d.before.get("id").to_json(),
                "kind": kind,
                "status": {"before": d.before.get("status").to_json(), "after": d.after.as_ref().map(|a| a.get("status").to_json())},
                "changes": changes,
            })
        })
        .collect();
    json!({"format_version": "1.0", "drifted": !items.is_empty(), "count": items.len(), "resource_drift": items})
}
