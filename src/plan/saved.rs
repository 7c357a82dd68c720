//! Saved plans (`plan --out FILE`, `apply FILE`): exactly the changes that were reviewed,
//! bound to the state they were planned against (lineage and serial) and to the
//! configuration (a digest of its files). No secret is written: sensitive attribute values
//! are replaced by a marker, sensitive variables by their SHA-256; apply re-reads them and
//! checks the digests.

use super::{Action, Change, Drift, OutputChange, Plan};
use crate::addr::Addr;
use crate::config::vars::Resolved;
use crate::config::Timeouts;
use crate::value::{Path, PathStep, Value};
use anyhow::{bail, Context};
use serde_json::{json, Map, Value as Json};
use sha2::Digest;
use std::collections::BTreeMap;
use std::time::Duration;

pub const FORMAT: u64 = 1;

pub struct SavedPlan {
    pub plan: Plan,
    pub lineage: String,
    pub serial: u64,
    pub config_digest: String,
    /// Non-sensitive variable values, and digests of sensitive ones.
    pub variables: BTreeMap<String, Json>,
    pub data: BTreeMap<String, Value>,
}

pub fn digest(s: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(s)))
}

/// A digest of the configuration's files (names and contents).
pub fn config_digest(files: &[std::path::PathBuf]) -> anyhow::Result<String> {
    let mut h = sha2::Sha256::new();
    for f in files {
        h.update(
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .as_bytes(),
        );
        h.update([0]);
        h.update(std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?);
        h.update([0]);
    }
    Ok(format!("sha256:{}", hex::encode(h.finalize())))
}

fn enc(v: &Value, sensitive: &[Path]) -> Json {
    crate::value::to_json_masked(
        v,
        sensitive,
        &json!({"$sensitive": true}),
        &json!({"$unknown": true}),
    )
}

fn dec(j: &Json) -> Value {
    match j {
        Json::Object(o) if o.len() == 1 && o.get("$unknown") == Some(&Json::Bool(true)) => {
            Value::Unknown
        }
        Json::Object(o) if o.len() == 1 && o.get("$sensitive") == Some(&Json::Bool(true)) => {
            Value::Null
        }
        Json::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), dec(v))).collect()),
        Json::Array(a) => Value::List(a.iter().map(dec).collect()),
        other => Value::from_json(other),
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::NoOp => "no-op",
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
        Action::Read => "read",
    }
}

fn action_of(s: &str) -> anyhow::Result<Action> {
    Ok(match s {
        "no-op" => Action::NoOp,
        "create" => Action::Create,
        "update" => Action::Update,
        "replace" => Action::Replace,
        "delete" => Action::Delete,
        "read" => Action::Read,
        other => bail!("unknown action {other:?}"),
    })
}

fn paths_json(ps: &[Path]) -> Json {
    Json::Array(ps.iter().map(|p| crate::value::path_json(p)).collect())
}

fn paths_of(j: &Json) -> Vec<Path> {
    j.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            p.as_array()?
                .iter()
                .map(|s| match s {
                    Json::String(k) => Some(PathStep::Key(k.clone())),
                    Json::Number(n) => n.as_u64().map(|i| PathStep::Index(i as usize)),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

fn secs(d: Option<Duration>) -> Json {
    d.map(|d| json!(d.as_secs())).unwrap_or(Json::Null)
}

impl SavedPlan {
    pub fn new(
        plan: Plan,
        lineage: &str,
        serial: u64,
        config_digest: String,
        vars: &Resolved,
        data: BTreeMap<String, Value>,
    ) -> SavedPlan {
        let variables = vars
            .values
            .iter()
            .map(|(k, v)| {
                let j = if vars.sensitive.contains(k) {
                    json!({"sensitive_digest": digest(serde_json::to_string(&v.to_json()).unwrap_or_default().as_bytes())})
                } else {
                    json!({"value": v.to_json()})
                };
                (k.clone(), j)
            })
            .collect();
        SavedPlan {
            plan,
            lineage: lineage.into(),
            serial,
            config_digest,
            variables,
            data,
        }
    }

    /// Check re-read variables against the plan: equal values, matching digests.
    pub fn check_variables(&self, vars: &Resolved) -> anyhow::Result<()> {
        for (k, saved) in &self.variables {
            let Some(now) = vars.values.get(k) else {
                bail!("variable {k:?} was set when the plan was made but is not declared now")
            };
            if let Some(d) = saved.get("sensitive_digest") {
                if Some(
                    digest(
                        serde_json::to_string(&now.to_json())
                            .unwrap_or_default()
                            .as_bytes(),
                    )
                    .as_str(),
                ) != d.as_str()
                {
                    bail!("the sensitive variable {k:?} has a different value than when the plan was made; give it the same value (e.g. MAFORM_VAR_{k}) or make a new plan");
                }
            } else if saved.get("value") != Some(&now.to_json()) {
                bail!("variable {k:?} has a different value than when the plan was made; apply the plan with the same inputs, or make a new plan");
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> Json {
        let changes: Vec<Json> = self
            .plan
            .changes
            .iter()
            .map(|c| {
                json!({
                    "address": c.addr.to_string(), "action": action_name(c.action),
                    "before": c.before.as_ref().map(|b| enc(b, &c.sensitive)),
                    "after": c.after.as_ref().map(|a| enc(a, &c.sensitive)),
                    "replace_paths": paths_json(&c.replace_paths), "reason": c.reason, "deps": c.deps,
                    "sensitive": paths_json(&c.sensitive),
                    "timeouts": {"create": secs(c.timeouts.create), "update": secs(c.timeouts.update), "delete": secs(c.timeouts.delete)},
                })
            })
            .collect();
        let drift: Vec<Json> = self
            .plan
            .drift
            .iter()
            .map(|d| json!({"address": d.addr.to_string(), "before": enc(&d.before, &d.sensitive), "after": d.after.as_ref().map(|a| enc(a, &d.sensitive)), "sensitive": paths_json(&d.sensitive)}))
            .collect();
        let outputs: Vec<Json> = self
            .plan
            .outputs
            .iter()
            .map(|o| {
                let show = |v: &Option<Value>| v.as_ref().map(|v| if o.sensitive { json!({"$sensitive": true}) } else { enc(v, &[]) });
                json!({"name": o.name, "before": show(&o.before), "after": show(&o.after), "sensitive": o.sensitive})
            })
            .collect();
        let o = &self.plan.options;
        json!({
            "maform_saved_plan": FORMAT,
            "maform_version": env!("CARGO_PKG_VERSION"),
            "created": chrono::Utc::now().to_rfc3339(),
            "state": {"lineage": self.lineage, "serial": self.serial},
            "config_digest": self.config_digest,
            "variables": self.variables,
            "options": {"destroy": o.destroy, "refresh_only": o.refresh_only, "replace": o.replace.iter().map(|a| a.to_string()).collect::<Vec<_>>()},
            "data": self.data.iter().map(|(k, v)| (k.clone(), enc(v, &[]))).collect::<Map<_, _>>(),
            "changes": changes, "drift": drift, "outputs": outputs,
            "imports": self.plan.imports.iter().map(|(a, id)| json!({"address": a.to_string(), "id": id})).collect::<Vec<_>>(),
        })
    }

    pub fn from_json(j: &Json, origin: &str) -> anyhow::Result<SavedPlan> {
        match j.get("maform_saved_plan").and_then(Json::as_u64) {
            Some(FORMAT) => {}
            Some(v) => bail!("{origin} is a saved plan of format {v}, which this maform does not read; make the plan again with this version"),
            None => bail!("{origin} is not a maform saved plan"),
        }
        let addr = |v: &Json| Addr::parse(v.as_str().unwrap_or("")).map_err(anyhow::Error::msg);
        let dur = |v: &Json| v.as_u64().map(Duration::from_secs);
        let mut changes = Vec::new();
        for c in j["changes"].as_array().into_iter().flatten() {
            changes.push(Change {
                addr: addr(&c["address"])?,
                action: action_of(c["action"].as_str().unwrap_or(""))?,
                before: (!c["before"].is_null()).then(|| dec(&c["before"])),
                after: (!c["after"].is_null()).then(|| dec(&c["after"])),
                replace_paths: paths_of(&c["replace_paths"]),
                reason: c["reason"].as_str().map(str::to_string),
                deps: c["deps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect(),
                sensitive: paths_of(&c["sensitive"]),
                timeouts: Timeouts {
                    create: dur(&c["timeouts"]["create"]),
                    update: dur(&c["timeouts"]["update"]),
                    delete: dur(&c["timeouts"]["delete"]),
                },
            });
        }
        let mut drift = Vec::new();
        for d in j["drift"].as_array().into_iter().flatten() {
            drift.push(Drift {
                addr: addr(&d["address"])?,
                before: dec(&d["before"]),
                after: (!d["after"].is_null()).then(|| dec(&d["after"])),
                sensitive: paths_of(&d["sensitive"]),
            });
        }
        let outputs = j["outputs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| OutputChange {
                name: o["name"].as_str().unwrap_or("").to_string(),
                before: (!o["before"].is_null()).then(|| dec(&o["before"])),
                after: (!o["after"].is_null()).then(|| dec(&o["after"])),
                sensitive: o["sensitive"].as_bool().unwrap_or(false),
            })
            .collect();
        let opts = &j["options"];
        let replace = opts["replace"]
            .as_array()
            .into_iter()
            .flatten()
            .map(addr)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let options = super::Options {
            destroy: opts["destroy"].as_bool().unwrap_or(false),
            refresh_only: opts["refresh_only"].as_bool().unwrap_or(false),
            replace,
            targets: vec![],
        };
        Ok(SavedPlan {
            plan: Plan {
                changes,
                drift,
                outputs,
                options,
                imports: j["imports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| {
                        Some((
                            Addr::parse(i["address"].as_str()?).ok()?,
                            i["id"].as_str()?.to_string(),
                        ))
                    })
                    .collect(),
            },
            lineage: j["state"]["lineage"].as_str().unwrap_or("").to_string(),
            serial: j["state"]["serial"].as_u64().unwrap_or(0),
            config_digest: j["config_digest"].as_str().unwrap_or("").to_string(),
            variables: j["variables"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            data: j["data"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), dec(v))).collect())
                .unwrap_or_default(),
        })
    }

    pub fn read(path: &std::path::Path) -> anyhow::Result<SavedPlan> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the saved plan {}", path.display()))?;
        let j: Json = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a maform saved plan (not JSON)", path.display()))?;
        SavedPlan::from_json(&j, &path.display().to_string())
    }
}
