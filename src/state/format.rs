//! The state file format: JSON with `version`, `serial`, `lineage`, resources (each
//! with its instances: index key, attributes, sensitive paths, dependencies, taint) and
//! outputs. Every way a file can be wrong (not JSON, another format, another program's
//! file, a broken structure) gets its own message.

use super::model::{Instance, OutputState, State};
use crate::addr::{Key, Mode, ResourceAddr};
use crate::value::{Path, Value};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The newest format: 2 adds deposed objects, aliased provider configurations and
/// modules, and
/// is written only by a state that has them (so that any other state stays readable by
/// an older maform, and one that has them is refused by it rather than misread).
pub const FORMAT_VERSION: u64 = 2;

/// The file's layout. `A` is how attributes are held: JSON when reading, the state's own
/// values (serialised as they are, without an intermediate JSON tree) when writing.
#[derive(Serialize, Deserialize)]
struct FileV1<A = Json> {
    version: u64,
    maform_version: String,
    serial: u64,
    lineage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<super::model::Place>,
    /// Where each aliased provider configuration's objects live.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    provider_aliases: BTreeMap<String, super::model::Place>,
    resources: Vec<FileResource<A>>,
    #[serde(default)]
    outputs: BTreeMap<String, FileOutput>,
}

#[derive(Serialize, Deserialize)]
struct FileResource<A = Json> {
    /// The module instance (`module.team["a"]`); absent for the root module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    module: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    rtype: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    each: Option<String>,
    /// `modelarts.ALIAS` when an aliased provider configuration owns the objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    instances: Vec<FileInstance<A>>,
}

#[derive(Serialize, Deserialize)]
struct FileInstance<A = Json> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_key: Option<Key>,
    /// Set on an object deposed by a create-before-destroy replacement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deposed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    attributes: A,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sensitive_attributes: Vec<Json>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct FileOutput {
    value: Json,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sensitive: bool,
}

/// What a state file must start to be: read first, skipping everything else.
#[derive(Deserialize)]
struct Header {
    version: Option<Json>,
    lineage: Option<serde::de::IgnoredAny>,
    resources: Option<serde::de::IgnoredAny>,
}

fn corrupt(origin: &str, e: &serde_json::Error) -> super::StateError {
    super::StateError::Corrupt(format!(
        "the state file {origin} is not valid JSON (truncated or corrupt?): {e}"
    ))
}

fn path_from_json(j: &Json) -> Option<Path> {
    j.as_array()?
        .iter()
        .map(|s| match s {
            Json::String(k) => Some(crate::value::PathStep::Key(k.clone())),
            Json::Number(n) => n
                .as_u64()
                .map(|i| crate::value::PathStep::Index(i as usize)),
            _ => None,
        })
        .collect()
}

/// `module.a[0].module.b`, as the state file writes it (empty for the root module).
fn module_text(m: &crate::addr::ModulePath) -> String {
    m.to_string().trim_end_matches('.').to_string()
}

impl State {
    /// Parse a state file's bytes; every way it can be wrong gets a clear message.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<State, super::StateError> {
        // The header first (skipping the rest), so that a file of another format version
        // is named as such rather than as a broken one; then the file straight into
        // values, without a JSON tree (a state can hold 10,000 objects).
        let header: Header = match bytes.trim_ascii_start().first() {
            Some(b'{') => serde_json::from_slice(bytes).map_err(|e| corrupt(origin, &e))?,
            _ => {
                let j: Json = serde_json::from_slice(bytes).map_err(|e| corrupt(origin, &e))?;
                Header {
                    version: j.get("version").cloned(),
                    lineage: None,
                    resources: None,
                }
            }
        };
        State::parse(header, bytes, origin)
            .map_err(|e| super::StateError::Invalid(format!("{e:#}")))
    }

    fn parse(header: Header, bytes: &[u8], origin: &str) -> anyhow::Result<State> {
        match header.version.as_ref().and_then(Json::as_u64) {
            Some(1 | FORMAT_VERSION) => {}
            Some(v) => bail!("the state file {origin} uses format version {v}, which this maform (format {FORMAT_VERSION}) does not support; use a matching maform version"),
            None => bail!("{origin} is not a maform state file (no \"version\" field)"),
        }
        if header.lineage.is_none() || header.resources.is_none() {
            bail!("{origin} is not a maform state file (no lineage or resources)");
        }
        let f: FileV1<Value> = serde_json::from_slice(bytes)
            .with_context(|| format!("the state file {origin} has an invalid structure"))?;
        // A newer maform may have written what this one would lose on its next write.
        if crate::version::newer(&f.maform_version, crate::version::VERSION) {
            bail!("the state file {origin} was written by maform {}, which is newer than this maform ({}); upgrade maform to work with this state", f.maform_version, crate::version::VERSION);
        }
        let mut instances = BTreeMap::new();
        let mut deposed = BTreeMap::new();
        let mut resource_aliases = BTreeMap::new();
        for alias in f.provider_aliases.keys() {
            if !crate::config::load::is_ident(alias) {
                bail!("the state file {origin} has an invalid provider alias {alias:?}");
            }
        }
        for r in f.resources {
            let mode = match r.mode.as_str() {
                "managed" => Mode::Managed,
                "data" => Mode::Data,
                m => bail!("the state file {origin} has a resource with unknown mode {m:?}"),
            };
            for (what, s) in [("type", &r.rtype), ("name", &r.name)] {
                if !crate::config::load::is_ident(s) {
                    bail!("the state file {origin} has a resource with an invalid {what} {s:?}");
                }
            }
            let module = match &r.module {
                None => crate::addr::ModulePath::default(),
                Some(m) => crate::addr::InstanceAddr::parse(&format!("{m}.t.n"))
                    .ok()
                    .filter(|a| !a.resource.module.is_root())
                    .map(|a| a.resource.module)
                    .with_context(|| {
                        format!(
                            "the state file {origin} has a resource with an invalid module {m:?}"
                        )
                    })?,
            };
            let mut base = ResourceAddr::new(mode, &r.rtype, &r.name);
            base.module = module;
            if let Some(p) = &r.provider {
                let raddr = base.clone();
                // (An alias without a recorded place is one `state rebind` unbound.)
                match p.strip_prefix("modelarts.") {
                    Some(alias) if crate::config::load::is_ident(alias) => {
                        resource_aliases.insert(raddr, alias.to_string());
                    }
                    _ => bail!("the state file {origin}: {raddr} has an invalid provider {p:?} (modelarts.ALIAS)"),
                }
            }
            for i in r.instances {
                let addr = base.instance(i.index_key);
                if !matches!(i.attributes, Value::Map(_)) {
                    bail!("the state file {origin}: {addr} has no attributes object");
                }
                // A sensitive path that cannot be read would show a secret: refused.
                let sensitive = i
                    .sensitive_attributes
                    .iter()
                    .map(|p| {
                        path_from_json(p).with_context(|| {
                            format!(
                                "the state file {origin}: {addr} has an invalid sensitive path {p}"
                            )
                        })
                    })
                    .collect::<anyhow::Result<_>>()?;
                let tainted = match i.status.as_deref() {
                    None => false,
                    Some("tainted") => true,
                    Some(s) => bail!("the state file {origin}: {addr} has an unknown status {s:?} (only \"tainted\" is written)"),
                };
                let dependencies = i
                    .dependencies
                    .iter()
                    .map(|d| {
                        ResourceAddr::parse(d).with_context(|| {
                            format!("the state file {origin}: {addr} has an invalid dependency")
                        })
                    })
                    .collect::<anyhow::Result<_>>()?;
                let inst = Instance {
                    attributes: i.attributes.into(),
                    sensitive,
                    dependencies,
                    tainted,
                };
                match i.deposed {
                    None => {
                        if instances.contains_key(&addr) {
                            bail!("the state file {origin} lists {addr} twice; remove one of the entries");
                        }
                        instances.insert(addr, inst);
                    }
                    Some(k) => {
                        if !super::model::valid_deposed_key(&k) {
                            bail!("the state file {origin}: {addr} has an invalid deposed key {k:?} (8 lowercase hex digits)");
                        }
                        let at = (addr, k);
                        if deposed.contains_key(&at) {
                            bail!("the state file {origin} lists {} (deposed object {}) twice; remove one of the entries", at.0, at.1);
                        }
                        deposed.insert(at, inst);
                    }
                }
            }
        }
        let outputs = f
            .outputs
            .into_iter()
            .map(|(k, o)| {
                (
                    k,
                    OutputState {
                        value: Value::from_json(&o.value),
                        sensitive: o.sensitive,
                    },
                )
            })
            .collect();
        Ok(State {
            serial: f.serial,
            lineage: f.lineage,
            provider: f.provider,
            alias_places: f.provider_aliases,
            resource_aliases,
            instances,
            deposed,
            outputs,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut resources: Vec<FileResource<crate::value::AsJson<'_>>> = Vec::new();
        // Each deposed object is one more entry of its resource's instances, after the
        // current object of its instance (Terraform's layout).
        let mut all: Vec<(&crate::addr::InstanceAddr, Option<&str>, &Instance)> = self
            .instances
            .iter()
            .map(|(a, i)| (a, None, i))
            .chain(
                self.deposed
                    .iter()
                    .map(|((a, k), i)| (a, Some(k.as_str()), i)),
            )
            .collect();
        if !self.deposed.is_empty() {
            all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        }
        for (addr, deposed, inst) in all {
            let fi = FileInstance {
                index_key: addr.key.clone(),
                deposed: deposed.map(str::to_string),
                status: inst.tainted.then(|| "tainted".to_string()),
                attributes: crate::value::AsJson(&inst.attributes),
                sensitive_attributes: inst
                    .sensitive
                    .iter()
                    .map(|p| crate::value::path_json(p))
                    .collect(),
                dependencies: inst.dependencies.iter().map(|d| d.to_string()).collect(),
            };
            let mode = if addr.mode() == Mode::Managed {
                "managed"
            } else {
                "data"
            };
            match resources.last_mut() {
                Some(r)
                    if r.mode == mode
                        && r.rtype == addr.rtype()
                        && r.name == addr.name()
                        && r.module.as_deref().unwrap_or("")
                            == module_text(&addr.resource.module) =>
                {
                    r.instances.push(fi)
                }
                _ => resources.push(FileResource {
                    module: Some(module_text(&addr.resource.module)).filter(|m| !m.is_empty()),
                    provider: self
                        .alias_of(&addr.resource)
                        .map(|a| format!("modelarts.{a}")),
                    mode: mode.into(),
                    rtype: addr.rtype().to_string(),
                    name: addr.name().to_string(),
                    each: match &addr.key {
                        Some(Key::Int(_)) => Some("list".into()),
                        Some(Key::Str(_)) => Some("map".into()),
                        None => None,
                    },
                    instances: vec![fi],
                }),
            }
        }
        let v2 = !self.deposed.is_empty()
            || !self.alias_places.is_empty()
            || !self.resource_aliases.is_empty()
            || self.instances.keys().any(|a| !a.resource.module.is_root());
        let f = FileV1 {
            version: if v2 { FORMAT_VERSION } else { 1 },
            maform_version: env!("CARGO_PKG_VERSION").into(),
            serial: self.serial,
            lineage: self.lineage.clone(),
            provider: self.provider.clone(),
            provider_aliases: self.alias_places.clone(),
            resources,
            outputs: self
                .outputs
                .iter()
                .map(|(k, o)| {
                    (
                        k.clone(),
                        FileOutput {
                            value: o.value.to_json(),
                            sensitive: o.sensitive,
                        },
                    )
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&f).expect("state serialises");
        out.push(b'\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::InstanceAddr;
    use serde_json::json;

    #[test]
    fn round_trip_and_rejections() {
        let mut s = State::new();
        s.instances.insert(
            InstanceAddr::managed("fake_thing", "a", Some(Key::Str("x".into()))),
            Instance {
                attributes: Value::from_json(&json!({"id": "1", "name": "n"})).into(),
                sensitive: vec![vec![crate::value::PathStep::Key("secret".into())]],
                dependencies: vec![ResourceAddr::managed("fake_thing", "b")],
                tainted: true,
            },
        );
        s.outputs.insert(
            "o".into(),
            OutputState {
                value: Value::str("v"),
                sensitive: true,
            },
        );
        let b = s.to_bytes();
        let back = State::from_bytes(&b, "t").unwrap();
        assert_eq!(back, s);
        let text = String::from_utf8(b).unwrap();
        assert!(text.contains("\"status\": \"tainted\""), "{text}");
        assert!(text.contains("\"each\": \"map\""), "{text}");
        assert!(State::from_bytes(b"{", "t")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        assert!(
            State::from_bytes(br#"{"version": 9, "lineage": "x", "resources": []}"#, "t")
                .unwrap_err()
                .to_string()
                .contains("format version 9")
        );
        assert!(State::from_bytes(br#"{"hello": 1}"#, "t")
            .unwrap_err()
            .to_string()
            .contains("not a maform state"));
    }

    #[test]
    fn deposed_objects_round_trip_after_their_current_object() {
        let a = InstanceAddr::managed("fake_thing", "a", Some(Key::Int(0)));
        let inst = |id: &str| Instance {
            attributes: Value::from_json(&json!({ "id": id })).into(),
            sensitive: vec![],
            dependencies: vec![],
            tainted: false,
        };
        let mut s = State::new();
        s.instances.insert(a.clone(), inst("new"));
        s.deposed
            .insert((a.clone(), "0badf00d".into()), inst("old"));
        let b = s.to_bytes();
        assert_eq!(State::from_bytes(&b, "t").unwrap(), s);
        let j: serde_json::Value = serde_json::from_slice(&b).unwrap();
        let insts = &j["resources"][0]["instances"];
        assert_eq!(insts[0]["attributes"]["id"], "new");
        assert_eq!(insts[1]["deposed"], "0badf00d");
        assert_eq!(insts[1]["index_key"], 0);
        let text = String::from_utf8(b).unwrap();
        for (bad, says) in [
            ("0BADF00D", "invalid deposed key"),
            ("0badf0", "invalid deposed key"),
        ] {
            let e = State::from_bytes(text.replace("0badf00d", bad).as_bytes(), "t")
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{e}");
        }
        let mut twice: serde_json::Value = j.clone();
        let dup = twice["resources"][0]["instances"][1].clone();
        twice["resources"][0]["instances"]
            .as_array_mut()
            .unwrap()
            .push(dup);
        let e = State::from_bytes(&serde_json::to_vec(&twice).unwrap(), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("(deposed object 0badf00d) twice"), "{e}");
    }

    #[test]
    fn aliased_configurations_are_recorded_and_need_format_2() {
        let mut s = State::new();
        let a = InstanceAddr::managed("fake_thing", "a", None);
        s.instances.insert(
            a.clone(),
            Instance {
                attributes: Value::from_json(&json!({"id": "1"})).into(),
                sensitive: vec![],
                dependencies: vec![],
                tainted: false,
            },
        );
        let plain = String::from_utf8(s.to_bytes()).unwrap();
        assert!(
            plain.contains("\"version\": 1"),
            "an older maform can still read it"
        );
        s.resource_aliases
            .insert(a.resource.clone(), "other".into());
        s.alias_places.insert(
            "other".into(),
            crate::state::Place::cloud("https://x.example", "p2"),
        );
        let b = s.to_bytes();
        let text = String::from_utf8(b.clone()).unwrap();
        assert!(text.contains("\"version\": 2"), "{text}");
        assert!(text.contains("\"provider\": \"modelarts.other\""), "{text}");
        assert_eq!(State::from_bytes(&b, "t").unwrap(), s);
        let e = State::from_bytes(text.replace("modelarts.other", "aws.x").as_bytes(), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid provider \"aws.x\""), "{e}");
    }

    #[test]
    fn broken_structures_are_named() {
        let bad_mode = br#"{"version": 1, "maform_version": "0", "serial": 1, "lineage": "l",
            "resources": [{"mode": "odd", "type": "t", "name": "n", "instances": []}]}"#;
        let e = State::from_bytes(bad_mode, "s").unwrap_err().to_string();
        assert!(e.contains("unknown mode \"odd\""), "{e}");
        let no_attrs = br#"{"version": 1, "maform_version": "0", "serial": 1, "lineage": "l",
            "resources": [{"mode": "managed", "type": "t", "name": "n",
                           "instances": [{"attributes": 3}]}]}"#;
        let e = State::from_bytes(no_attrs, "s").unwrap_err().to_string();
        assert!(e.contains("t.n has no attributes object"), "{e}");
        let bad_dep = br#"{"version": 1, "maform_version": "0", "serial": 1, "lineage": "l",
            "resources": [{"mode": "managed", "type": "t", "name": "n",
                           "instances": [{"attributes": {}, "dependencies": ["x"]}]}]}"#;
        let e = format!("{:#}", State::from_bytes(bad_dep, "s").unwrap_err());
        assert!(e.contains("invalid dependency"), "{e}");
    }
}
