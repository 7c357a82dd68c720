//! Saved plans (`plan --out FILE`, `apply FILE`): exactly the changes that were reviewed,
//! bound to the state they were planned against (lineage and serial) and to the
//! configuration (a digest of its files). No secret is written: sensitive attribute values
//! are replaced by a marker, sensitive variables by salted digests ([`crate::digest`]);
//! apply re-reads them and checks the digests.

use super::{Action, ActionReason, Change, Drift, OutputChange, Plan};
use crate::addr::{InstanceAddr, ResourceAddr};
use crate::config::eval::Objects;
use crate::config::vars::Resolved;
use crate::config::Timeouts;
use crate::value::{Path, Value};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use sha2::Digest;
use std::collections::BTreeMap;
use std::time::Duration;

/// The format this maform writes and reads.
pub const FORMAT: u64 = 3;

pub struct SavedPlan {
    pub plan: Plan,
    pub lineage: String,
    pub serial: u64,
    pub config_digest: String,
    /// Non-sensitive variable values, and digests of sensitive ones.
    pub variables: BTreeMap<String, SavedVar>,
    pub data: Objects,
}

/// A variable as saved: its value, or a digest of a sensitive value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SavedVar {
    Sensitive { sensitive_digest: String },
    Value { value: Json },
}

/// A digest of the configuration's files (names and contents) and of the files it read
/// through `file()` (paths and contents).
pub fn config_digest(
    files: &[std::path::PathBuf],
    reads: &[std::path::PathBuf],
) -> anyhow::Result<String> {
    let mut h = sha2::Sha256::new();
    let mut add = |name: String, f: &std::path::Path| -> anyhow::Result<()> {
        h.update(name.as_bytes());
        h.update([0]);
        // Only what file() itself would read: a regular file of bounded size (a plan file
        // naming /dev/zero must not hang apply).
        match std::fs::metadata(f) {
            Ok(m) if !m.is_file() || m.len() > crate::config::eval::MAX_STRING as u64 => {
                anyhow::bail!("{} is not a file a configuration can read", f.display())
            }
            _ => {}
        }
        match std::fs::read(f) {
            Ok(bytes) => h.update(bytes),
            // A file `try(file(...), ...)` found missing counts as missing: if it appears
            // later, the digest changes.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => h.update([0xff, b'-']),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", f.display())),
        }
        h.update([0]);
        Ok(())
    };
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        add(name, f)?;
    }
    for f in reads {
        add(format!("file:{}", f.display()), f)?;
    }
    Ok(format!("sha256:{}", hex::encode(h.finalize())))
}

/// A value with sensitive paths and unknowns marked, as the file holds it. (A value known
/// only after apply holds no secret: it stays marked unknown, sensitive path or not.)
fn enc(v: &Value, sensitive: &[Path]) -> Json {
    crate::value::to_json_masked(
        v,
        sensitive,
        &json!({"$sensitive": true}),
        &json!({"$unknown": true}),
    )
}

/// What a secret the file does not hold reads as when a plan is shown (never applied): a
/// value, so that it is shown as sensitive rather than as null.
const SHOWN_SECRET: &str = "(sensitive value)";

fn dec_as(j: &Json, for_show: bool) -> Value {
    match j {
        Json::Object(o) if o.len() == 1 && o.get("$unknown") == Some(&Json::Bool(true)) => {
            Value::Unknown
        }
        Json::Object(o) if o.len() == 1 && o.get("$sensitive") == Some(&Json::Bool(true)) => {
            if for_show {
                Value::String(SHOWN_SECRET.into())
            } else {
                Value::Null
            }
        }
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), dec_as(v, for_show)))
                .collect(),
        ),
        Json::Array(a) => Value::List(a.iter().map(|v| dec_as(v, for_show)).collect()),
        other => Value::from_json(other),
    }
}

/// A sensitive variable's value as its digest covers it.
fn secret_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(&v.to_json()).unwrap_or_default()
}

// ---- the file, as serde sees it ----

#[derive(Serialize, Deserialize)]
struct File {
    maform_saved_plan: u64,
    maform_version: String,
    created: String,
    state: FileState,
    config_digest: String,
    variables: BTreeMap<String, SavedVar>,
    options: FileOptions,
    data: BTreeMap<String, Json>,
    changes: Vec<FileChange>,
    drift: Vec<FileDrift>,
    outputs: Vec<FileOutput>,
    imports: Vec<FileImport>,
    /// Files read through `file()`, which the configuration digest covers.
    #[serde(default)]
    reads: Vec<std::path::PathBuf>,
    /// New digests for secrets whose state digest is of an old kind.
    #[serde(default)]
    rehash: Vec<FileRehash>,
    /// What the conditions said when the plan was made (for `show -json`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    checks: Vec<super::conditions::CheckResult>,
    /// Objects moved to new addresses by `moved` blocks.
    #[serde(default)]
    moves: Vec<FileMove>,
}

#[derive(Serialize, Deserialize)]
struct FileMove {
    from: String,
    to: String,
}

#[derive(Serialize, Deserialize)]
struct FileRehash {
    address: String,
    path: Path,
    digest: String,
}

#[derive(Serialize, Deserialize)]
struct FileState {
    lineage: String,
    serial: u64,
}

#[derive(Serialize, Deserialize)]
struct FileOptions {
    destroy: bool,
    refresh_only: bool,
    replace: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct FileTimeouts {
    create: Option<u64>,
    update: Option<u64>,
    delete: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct FileChange {
    address: String,
    action: Action,
    before: Option<Json>,
    after: Option<Json>,
    replace_paths: Vec<Path>,
    reason: Option<ActionReason>,
    deps: Vec<String>,
    sensitive: Vec<Path>,
    timeouts: FileTimeouts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deposed: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct FileDrift {
    address: String,
    before: Json,
    after: Option<Json>,
    sensitive: Vec<Path>,
}

#[derive(Serialize, Deserialize)]
struct FileOutput {
    name: String,
    before: Option<Json>,
    after: Option<Json>,
    sensitive: bool,
    /// Whether it changes: a sensitive output's values are not in the file, so its
    /// two sides would read alike.
    #[serde(default)]
    changed: bool,
}

#[derive(Serialize, Deserialize)]
struct FileImport {
    address: String,
    id: String,
}

fn instance(s: &str) -> anyhow::Result<InstanceAddr> {
    Ok(InstanceAddr::parse(s)?)
}

impl SavedPlan {
    pub fn new(
        plan: Plan,
        lineage: &str,
        serial: u64,
        config_digest: String,
        vars: &Resolved,
        data: Objects,
    ) -> SavedPlan {
        let variables = vars
            .values
            .iter()
            .map(|(k, v)| {
                let s = if vars.sensitive.contains(k) {
                    SavedVar::Sensitive {
                        sensitive_digest: crate::digest::hash(&secret_bytes(v)),
                    }
                } else {
                    SavedVar::Value { value: v.to_json() }
                };
                (k.clone(), s)
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
            match saved {
                SavedVar::Sensitive { sensitive_digest } => {
                    if crate::digest::verify(&secret_bytes(now), sensitive_digest)
                        == crate::digest::Verified::No
                    {
                        bail!("the sensitive variable {k:?} has a different value than when the plan was made; give it the same value (e.g. MAFORM_VAR_{k}) or make a new plan");
                    }
                }
                SavedVar::Value { value } => {
                    if *value != now.to_json() {
                        bail!("variable {k:?} has a different value than when the plan was made; apply the plan with the same inputs, or make a new plan");
                    }
                }
            }
        }
        Ok(())
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> anyhow::Result<Vec<u8>> {
        let p = &self.plan;
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs());
        let file = File {
            maform_saved_plan: FORMAT,
            maform_version: env!("CARGO_PKG_VERSION").into(),
            created: if p.timestamp.is_empty() {
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            } else {
                p.timestamp.clone()
            },
            checks: p.checks.clone(),
            state: FileState {
                lineage: self.lineage.clone(),
                serial: self.serial,
            },
            config_digest: self.config_digest.clone(),
            variables: self.variables.clone(),
            options: FileOptions {
                destroy: p.options.destroy,
                refresh_only: p.options.refresh_only,
                replace: p.options.replace.iter().map(|a| a.to_string()).collect(),
            },
            data: self
                .data
                .iter()
                .map(|(k, v)| (k.to_string(), enc(v, &[])))
                .collect(),
            changes: p
                .changes
                .iter()
                .map(|c| FileChange {
                    address: c.addr.to_string(),
                    action: c.action,
                    before: c.before.as_ref().map(|b| enc(b, &c.sensitive)),
                    after: c.after.as_ref().map(|a| enc(a, &c.sensitive)),
                    replace_paths: c.replace_paths.clone(),
                    reason: c.reason.clone(),
                    deps: c.deps.iter().map(|d| d.to_string()).collect(),
                    sensitive: c.sensitive.clone(),
                    timeouts: FileTimeouts {
                        create: secs(c.timeouts.create),
                        update: secs(c.timeouts.update),
                        delete: secs(c.timeouts.delete),
                    },
                    deposed: c.deposed.clone(),
                })
                .collect(),
            drift: p
                .drift
                .iter()
                .map(|d| FileDrift {
                    address: d.addr.to_string(),
                    before: enc(&d.before, &d.sensitive),
                    after: d.after.as_ref().map(|a| enc(a, &d.sensitive)),
                    sensitive: d.sensitive.clone(),
                })
                .collect(),
            outputs: p
                .outputs
                .iter()
                .map(|o| {
                    let show = |v: &Option<Value>| {
                        v.as_ref().map(|v| {
                            // (Wholly unknown: no secret in it, and shown as unknown.)
                            if o.sensitive && !matches!(v, Value::Unknown) {
                                json!({"$sensitive": true})
                            } else {
                                enc(v, &[])
                            }
                        })
                    };
                    FileOutput {
                        name: o.name.clone(),
                        before: show(&o.before),
                        after: show(&o.after),
                        sensitive: o.sensitive,
                        changed: o.before != o.after,
                    }
                })
                .collect(),
            imports: p
                .imports
                .iter()
                .map(|(a, id)| FileImport {
                    address: a.to_string(),
                    id: id.clone(),
                })
                .collect(),
            reads: p.reads.clone(),
            moves: p
                .moves
                .iter()
                .map(|(a, b)| FileMove {
                    from: a.to_string(),
                    to: b.to_string(),
                })
                .collect(),
            rehash: p
                .rehash
                .iter()
                .map(|(a, path, d)| FileRehash {
                    address: a.to_string(),
                    path: path.clone(),
                    digest: d.clone(),
                })
                .collect(),
        };
        Ok(serde_json::to_vec_pretty(&file)?)
    }

    /// Parse a saved plan; `registry` knows the kinds its drift entries are of.
    pub fn from_bytes(
        bytes: &[u8],
        origin: &str,
        registry: &crate::provider::Registry,
    ) -> anyhow::Result<SavedPlan> {
        SavedPlan::parse(bytes, origin, registry, false)
    }

    /// A saved plan for showing (never for applying): the secrets it does not hold read
    /// as a placeholder, so that they are shown as sensitive values rather than as null.
    pub fn read_for_show(
        path: &std::path::Path,
        registry: &crate::provider::Registry,
    ) -> anyhow::Result<SavedPlan> {
        SavedPlan::read_as(path, registry, true)
    }

    fn read_as(
        path: &std::path::Path,
        registry: &crate::provider::Registry,
        for_show: bool,
    ) -> anyhow::Result<SavedPlan> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the saved plan {}", path.display()))?;
        SavedPlan::parse(&bytes, &path.display().to_string(), registry, for_show)
    }

    fn parse(
        bytes: &[u8],
        origin: &str,
        registry: &crate::provider::Registry,
        for_show: bool,
    ) -> anyhow::Result<SavedPlan> {
        let dec = |j: &Json| dec_as(j, for_show);
        let j: Json = serde_json::from_slice(bytes)
            .with_context(|| format!("{origin} is not a maform saved plan (not JSON)"))?;
        match j.get("maform_saved_plan").and_then(Json::as_u64) {
            Some(FORMAT) => {}
            Some(v) => bail!("{origin} is a saved plan of format {v}, which this maform does not read; make the plan again with this version"),
            None => bail!("{origin} is not a maform saved plan"),
        }
        let f: File = serde_json::from_value(j)
            .with_context(|| format!("{origin} is a damaged saved plan"))?;
        let mut changes = Vec::new();
        for c in f.changes {
            if let Some(k) = c
                .deposed
                .as_deref()
                .filter(|k| !crate::state::model::valid_deposed_key(k))
            {
                bail!(
                    "{origin} is a damaged saved plan: {} has an invalid deposed key {k:?}",
                    c.address
                );
            }
            changes.push(Change {
                addr: instance(&c.address)?,
                action: c.action,
                before: c.before.as_ref().map(|v| dec(v).into()),
                after: c.after.as_ref().map(dec),
                replace_paths: c.replace_paths,
                reason: c.reason,
                deps: c
                    .deps
                    .iter()
                    .map(|d| Ok(ResourceAddr::parse(d)?))
                    .collect::<anyhow::Result<_>>()?,
                sensitive: c.sensitive,
                timeouts: Timeouts {
                    create: c.timeouts.create.map(Duration::from_secs),
                    update: c.timeouts.update.map(Duration::from_secs),
                    delete: c.timeouts.delete.map(Duration::from_secs),
                },
                deposed: c.deposed,
            });
        }
        let mut drift = Vec::new();
        for d in f.drift {
            let addr = instance(&d.address)?;
            drift.push(Drift {
                volatile: super::planner::volatile_of(registry, addr.rtype()),
                addr,
                before: dec(&d.before),
                after: d.after.as_ref().map(dec),
                sensitive: d.sensitive,
            });
        }
        let outputs = f
            .outputs
            .into_iter()
            .map(|o| {
                let before = o.before.as_ref().map(dec);
                let mut after = o.after.as_ref().map(dec);
                // (Shown only: a changed secret reads as changed.)
                if for_show && o.changed && before.is_some() && before == after {
                    after = Some(Value::String(format!("{SHOWN_SECRET} (changed)")));
                }
                OutputChange {
                    name: o.name,
                    before,
                    after,
                    sensitive: o.sensitive,
                }
            })
            .collect();
        let options = super::Options {
            destroy: f.options.destroy,
            refresh_only: f.options.refresh_only,
            replace: f
                .options
                .replace
                .iter()
                .map(|a| instance(a))
                .collect::<anyhow::Result<_>>()?,
            targets: vec![],
        };
        let imports = f
            .imports
            .into_iter()
            .map(|i| Ok((instance(&i.address)?, i.id)))
            .collect::<anyhow::Result<_>>()?;
        let moves = f
            .moves
            .iter()
            .map(|m| Ok((instance(&m.from)?, instance(&m.to)?)))
            .collect::<anyhow::Result<_>>()?;
        let data = f
            .data
            .iter()
            .map(|(k, v)| Ok((ResourceAddr::parse(k)?, dec(v))))
            .collect::<anyhow::Result<_>>()?;
        Ok(SavedPlan {
            plan: Plan {
                warnings: Vec::new(),
                moves,
                changes,
                drift,
                outputs,
                options,
                imports,
                rehash: f
                    .rehash
                    .into_iter()
                    .map(|r| {
                        if !r.digest.starts_with("$argon2id$") {
                            bail!(
                                "{origin}: the new digest for {} is not an Argon2id digest",
                                r.address
                            );
                        }
                        Ok((instance(&r.address)?, r.path, r.digest))
                    })
                    .collect::<anyhow::Result<_>>()?,
                reads: f.reads,
                checks: f.checks,
                timestamp: f.created,
            },
            lineage: f.state.lineage,
            serial: f.state.serial,
            config_digest: f.config_digest,
            variables: f.variables,
            data,
        })
    }

    pub fn read(
        path: &std::path::Path,
        registry: &crate::provider::Registry,
    ) -> anyhow::Result<SavedPlan> {
        SavedPlan::read_as(path, registry, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::PathStep;

    fn sample() -> SavedPlan {
        let addr = InstanceAddr::managed("fake_thing", "a", None);
        let mut after = Value::from_json(&json!({"name": "a", "secret": "sha256:x"}));
        if let Value::Map(m) = &mut after {
            m.insert("id".into(), Value::Unknown);
        }
        let plan = Plan {
            warnings: Vec::new(),
            moves: vec![],
            changes: vec![
                Change {
                    addr: addr.clone(),
                    action: Action::CreateThenDelete,
                    before: Some(Value::from_json(&json!({"id": "1", "name": "b"})).into()),
                    after: Some(after),
                    replace_paths: vec![vec![PathStep::Key("zone".into())]],
                    reason: Some(ActionReason::KindRule {
                        why: "size can only grow".into(),
                    }),
                    deps: vec![ResourceAddr::managed("fake_thing", "z")],
                    sensitive: vec![vec![PathStep::Key("secret".into())]],
                    timeouts: Timeouts {
                        create: Some(Duration::from_secs(60)),
                        ..Default::default()
                    },
                    deposed: None,
                },
                Change {
                    addr: addr.clone(),
                    action: Action::Delete,
                    before: Some(Value::from_json(&json!({"id": "0", "name": "b"})).into()),
                    after: None,
                    replace_paths: vec![],
                    reason: None,
                    deps: vec![],
                    sensitive: vec![],
                    timeouts: Timeouts::default(),
                    deposed: Some("0badf00d".into()),
                },
            ],
            imports: vec![(addr, "1".into())],
            ..Default::default()
        };
        let mut vars = Resolved::default();
        vars.values.insert("pw".into(), Value::str("hunter2"));
        vars.sensitive.insert("pw".into());
        vars.values.insert("n".into(), Value::Number(3.0));
        SavedPlan::new(plan, "lin", 7, "sha256:c".into(), &vars, Objects::new())
    }

    #[test]
    fn round_trips_without_secrets() {
        let s = sample();
        let bytes = s.to_bytes().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"$sensitive\": true"), "{text}");
        assert!(text.contains("\"$unknown\": true"), "{text}");
        let back =
            SavedPlan::from_bytes(&bytes, "p", crate::provider::Registry::modelarts()).unwrap();
        let c = &back.plan.changes[0];
        assert_eq!(c.action, Action::CreateThenDelete);
        assert_eq!(c.deposed, None);
        assert_eq!(back.plan.changes[1].deposed.as_deref(), Some("0badf00d"));
        assert_eq!(c.reason, s.plan.changes[0].reason);
        assert_eq!(c.deps, s.plan.changes[0].deps);
        assert_eq!(c.timeouts.create, Some(Duration::from_secs(60)));
        assert_eq!(c.after.as_ref().unwrap().get("id"), &Value::Unknown);
        assert_eq!(c.after.as_ref().unwrap().get("secret"), &Value::Null);
        assert_eq!((back.lineage.as_str(), back.serial), ("lin", 7));
        assert_eq!(back.plan.imports, s.plan.imports);
    }

    #[test]
    fn variables_must_match_and_secrets_by_digest() {
        let s = sample();
        let mut vars = Resolved::default();
        vars.values.insert("pw".into(), Value::str("hunter2"));
        vars.values.insert("n".into(), Value::Number(3.0));
        s.check_variables(&vars).unwrap();
        vars.values.insert("pw".into(), Value::str("other"));
        let e = s.check_variables(&vars).unwrap_err().to_string();
        assert!(e.contains("sensitive variable \"pw\""), "{e}");
        vars.values.insert("pw".into(), Value::str("hunter2"));
        vars.values.insert("n".into(), Value::Number(4.0));
        assert!(s.check_variables(&vars).is_err());
        vars.values.remove("n");
        assert!(s.check_variables(&vars).is_err());
    }

    #[test]
    fn other_formats_are_refused_by_name() {
        let e = SavedPlan::from_bytes(
            b"{\"maform_saved_plan\": 1}",
            "old.plan",
            crate::provider::Registry::modelarts(),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("format 1"), "{e}");
        assert!(
            SavedPlan::from_bytes(b"nope", "x", crate::provider::Registry::modelarts()).is_err()
        );
        assert!(
            SavedPlan::from_bytes(b"{}", "x", crate::provider::Registry::modelarts())
                .err()
                .unwrap()
                .to_string()
                .contains("not a maform saved plan")
        );
    }
}
