//! The plan JSON's `checks`: each object with conditions (resources, outputs, check
//! blocks, validated variables), its status over all its instances, and each instance's
//! status with the error messages of the conditions that failed.

use super::Json;
use crate::addr::Key;
use crate::plan::conditions::{CheckResult, Checkable, Status};
use serde_json::{json, Map};
use std::collections::BTreeMap;

/// `module.a.module.b` (no keys): the module an object is declared in.
fn config_module(path: &[(String, Option<Key>)]) -> String {
    path.iter()
        .map(|(n, _)| format!("module.{n}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// `module.a["k"].module.b[0]`: the module instance.
fn instance_module(path: &[(String, Option<Key>)]) -> String {
    path.iter()
        .map(|(n, k)| match k {
            Some(k) => format!("module.{n}{k}"),
            None => format!("module.{n}"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn prefixed(module: &str, local: &str) -> String {
    if module.is_empty() {
        local.to_string()
    } else {
        format!("{module}.{local}")
    }
}

/// The `checks` array, sorted by the objects' addresses as shown.
pub fn checks(results: &[CheckResult]) -> Json {
    // The instances of each object, keyed by where the object is declared.
    let mut objects: BTreeMap<(String, &Checkable), Vec<&CheckResult>> = BTreeMap::new();
    for r in results {
        objects
            .entry((config_module(&r.module), &r.object))
            .or_default()
            .push(r);
    }
    let mut out: Vec<(String, Json)> = objects
        .into_iter()
        .map(|((module, object), instances)| {
            let local = object.local_address();
            let display = prefixed(&module, &local);
            let mut address = Map::new();
            match object {
                Checkable::Resource { mode, rtype, name } => {
                    address.insert("kind".into(), json!("resource"));
                    address.insert("mode".into(), json!(mode));
                    address.insert("type".into(), json!(rtype));
                    address.insert("name".into(), json!(name));
                }
                Checkable::OutputValue { name } => {
                    address.insert("kind".into(), json!("output_value"));
                    address.insert("name".into(), json!(name));
                }
                Checkable::Check { name } => {
                    address.insert("kind".into(), json!("check"));
                    address.insert("name".into(), json!(name));
                }
                Checkable::Var { name } => {
                    address.insert("kind".into(), json!("var"));
                    address.insert("name".into(), json!(name));
                }
            }
            if !module.is_empty() {
                address.insert("module".into(), json!(module));
            }
            address.insert("to_display".into(), json!(display));
            let status = instances
                .iter()
                .map(|i| i.status)
                .max()
                .unwrap_or(Status::Pass);
            let list: Vec<Json> = instances
                .iter()
                .map(|i| {
                    let module = instance_module(&i.module);
                    let mut a = Map::new();
                    let key = i.key.as_ref().map(|k| k.to_string()).unwrap_or_default();
                    a.insert(
                        "to_display".into(),
                        json!(prefixed(&module, &format!("{local}{key}"))),
                    );
                    if !module.is_empty() {
                        a.insert("module".into(), json!(module));
                    }
                    if let Some(k) = &i.key {
                        a.insert("instance_key".into(), json!(k));
                    }
                    let mut j = Map::new();
                    j.insert("address".into(), Json::Object(a));
                    j.insert("status".into(), json!(i.status));
                    if !i.problems.is_empty() {
                        j.insert(
                            "problems".into(),
                            json!(i
                                .problems
                                .iter()
                                .map(|m| json!({ "message": m }))
                                .collect::<Vec<_>>()),
                        );
                    }
                    Json::Object(j)
                })
                .collect();
            (
                display,
                json!({"address": address, "status": status, "instances": list}),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    json!(out.into_iter().map(|(_, j)| j).collect::<Vec<_>>())
}
