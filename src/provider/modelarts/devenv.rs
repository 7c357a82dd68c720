//! `modelarts_devenv`: legacy DevEnviron instances (`/v1/{project_id}/demanager/instances`).
//!
//! The description and `spec.auto_stop` update in place; everything else forces a new
//! instance. The legacy API refuses to delete a running instance, lists everything in one
//! call, and shows a deleted instance as DELETED for a while.

use super::convert::{changed, keep_equivalent, obj, or_empty, request_body, s};
use crate::provider::kind::{Call, Listing, ResourceKind, Status, Step};
use crate::schema::checks::*;
use crate::schema::{block, comp, desired_state, opt, optc, req, Presence, Schema, Ty};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};
use std::sync::LazyLock;

pub struct DevEnv;

fn devenv_storage(extend: bool) -> Schema {
    Schema {
        attrs: vec![
            req("type", Ty::Str).lower(if extend {
                &["obsfs"]
            } else {
                &["obs", "obsfs", "evs"]
            }),
            block(
                "location",
                Schema {
                    attrs: vec![
                        optc("path", Ty::Str),
                        optc("volume_size", Ty::Int).check(evs_size),
                        optc("mount_path", Ty::Str).check(mount_path),
                        optc("access_modes", Ty::Str).check(|v| match v.as_str() {
                            Some("ReadOnlyMany" | "ReadWriteMany") | None => Ok(()),
                            Some(m) => Err(format!("{m:?} is not ReadOnlyMany or ReadWriteMany")),
                        }),
                    ],
                },
                false,
                Presence::OptionalComputed,
            ),
        ],
    }
}

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).forces_new().check(de_name),
        req("profile_id", Ty::Str).forces_new(),
        opt("description", Ty::Str).check(description),
        req("flavor", Ty::Str).forces_new(),
        block(
            "spec",
            Schema {
                attrs: vec![
                    block("storage", devenv_storage(false), false, Presence::Required).forces_new(),
                    block(
                        "extend_storage",
                        devenv_storage(true),
                        true,
                        Presence::Optional,
                    )
                    .forces_new(),
                    block(
                        "auto_stop",
                        Schema {
                            attrs: vec![
                                optc("enable", Ty::Bool),
                                opt("duration", Ty::Int).check(auto_stop_secs),
                                optc("prompt", Ty::Bool),
                            ],
                        },
                        false,
                        Presence::OptionalComputed,
                    ),
                    opt("annotations", Ty::StrMap).forces_new(),
                ],
            },
            false,
            Presence::Required,
        ),
        block(
            "workspace",
            Schema {
                attrs: vec![optc("id", Ty::Str)],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        block(
            "pool",
            Schema {
                attrs: vec![
                    req("id", Ty::Str),
                    opt("type", Ty::Str),
                    opt("name", Ty::Str),
                    block(
                        "owner",
                        Schema {
                            attrs: vec![opt("project_id", Ty::Str)],
                        },
                        false,
                        Presence::Optional,
                    ),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        block(
            "ai_project",
            Schema {
                attrs: vec![optc("id", Ty::Str)],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
        comp("url", Ty::Str),
        comp("created_at", Ty::Str),
        comp("updated_at", Ty::Str),
    ],
});

fn auto_stop_schema() -> &'static Schema {
    fn inner<'a>(s: &'a Schema, name: &str) -> &'a Schema {
        match s.get(name).map(|a| &a.ty) {
            Some(Ty::Block(s, _)) => s,
            _ => unreachable!("{name} is a block of the DevEnviron schema"),
        }
    }
    inner(inner(&SCHEMA, "spec"), "auto_stop")
}

impl ResourceKind for DevEnv {
    fn type_name(&self) -> &'static str {
        "modelarts_devenv"
    }

    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn check(&self, v: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut err = |summary: &str, detail: String| out.push((summary.to_string(), detail));
        let st = v.get("spec").get("storage");
        let loc = st.get("location");
        match st.get("type").as_str() {
            Some("obs") => match loc.get("path").as_str() {
                None => err(
                    "spec.storage.location.path is required for obs storage",
                    "Give an OBS path like \"/bucket/dir/\".".into(),
                ),
                Some(p) if !p.ends_with('/') => err(
                    "spec.storage.location.path must end with /",
                    format!("Write \"{p}/\"."),
                ),
                _ => {}
            },
            Some("obsfs") if loc.get("path").is_null() => err(
                "spec.storage.location.path (the bucket) is required for obsfs storage",
                String::new(),
            ),
            Some("obsfs") => {
                let p = loc.get("path").as_str().unwrap_or("");
                let bucket = p.trim_start_matches("obs://").trim_matches('/');
                if bucket.is_empty() || bucket.contains('/') {
                    err(
                        "spec.storage.location.path of obsfs storage is a bucket name",
                        format!("{p:?} names a directory; a parallel file system mounts whole."),
                    );
                }
            }
            _ => {}
        }
        let obsfs = st.get("type").as_str() == Some("obsfs")
            || v.get("spec")
                .get("extend_storage")
                .as_list()
                .is_some_and(|l| !l.is_empty());
        if obsfs && v.get("pool").is_null() {
            err(
                "obsfs storage needs a dedicated resource pool",
                "Set pool { id = ... }: OBS parallel file systems mount only on dedicated pools."
                    .into(),
            );
        }
        let a = v.get("spec").get("auto_stop");
        if a.get("enable").as_bool() == Some(true) && a.get("duration").is_null() {
            err(
                "spec.auto_stop.duration is required when auto_stop is enabled",
                "Set duration in seconds, 3600 to 86400.".into(),
            );
        }
        out
    }

    fn status(&self, s: &str) -> Status {
        match s {
            "DELETED" => Status::Gone,
            other => Status::classify(other),
        }
    }

    fn collection(&self) -> &'static str {
        "/demanager/instances"
    }

    fn not_found_codes(&self) -> &'static [&'static str] {
        &["ModelArts.6309"]
    }

    fn listing(&self) -> Listing {
        Listing::All {
            query: &[("de_type", "Notebook"), ("limit", "0")],
            key: "instances",
        }
    }

    fn created_ms(&self, b: &Json) -> Option<i64> {
        // The legacy API sends the time as a string.
        b["creation_timestamp"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| b["creation_timestamp"].as_i64())
    }

    fn to_attrs(&self, b: &Json, reference: &Value) -> Value {
        let r = |k: &str| reference.get(k).clone();
        let spec = &b["spec"];
        let st = |x: &Json| {
            let l = &x["location"];
            obj(vec![
                ("type", s(&x["type"])),
                (
                    "location",
                    obj(vec![
                        ("path", s(&l["path"])),
                        ("volume_size", s(&l["volume_size"])),
                        ("mount_path", s(&l["mount_path"])),
                        ("access_modes", s(&l["access_modes"])),
                    ]),
                ),
            ])
        };
        // The service adds its own annotations (target_domain, url); keep only the user's.
        let wanted = reference.get("spec").get("annotations");
        let ann = match (spec["annotations"].as_object(), wanted.as_map()) {
            (Some(a), Some(w)) => Value::Map(
                a.iter()
                    .filter(|(k, _)| w.contains_key(*k))
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
            _ => Value::Null,
        };
        let extend: Vec<Value> = spec["extend_storage"]
            .as_array()
            .into_iter()
            .flatten()
            .map(st)
            .collect();
        let mut v = obj(vec![
            ("name", s(&b["name"])),
            ("profile_id", s(&b["profile"]["id"])),
            ("description", s(&b["description"])),
            ("flavor", s(&b["flavor"])),
            (
                "spec",
                obj(vec![
                    ("storage", st(&spec["storage"])),
                    (
                        "extend_storage",
                        super::convert::nonempty_list(Value::List(extend)),
                    ),
                    (
                        "auto_stop",
                        obj(vec![
                            ("enable", s(&spec["auto_stop"]["enable"])),
                            ("duration", s(&spec["auto_stop"]["duration"])),
                            ("prompt", s(&spec["auto_stop"]["prompt"])),
                        ]),
                    ),
                    ("annotations", ann),
                ]),
            ),
            ("workspace", obj(vec![("id", s(&b["workspace"]["id"]))])),
            ("pool", r("pool")),
            ("ai_project", obj(vec![("id", s(&b["ai_project"]["id"]))])),
            ("desired_state", r("desired_state")),
            ("id", s(&b["id"])),
            ("status", s(&b["status"])),
            ("url", s(&spec["annotations"]["url"])),
            ("created_at", s(&b["creation_timestamp"])),
            ("updated_at", s(&b["latest_update_timestamp"])),
        ]);
        keep_equivalent(&mut v, reference);
        v
    }

    fn update_steps(&self, prior: &Value, desired: &Value, _running: bool) -> Vec<Step> {
        let mut body = Map::new();
        if changed(prior, desired, "description") {
            body.insert("description".into(), or_empty(desired.get("description")));
        }
        let (pa, da) = (
            prior.get("spec").get("auto_stop"),
            desired.get("spec").get("auto_stop"),
        );
        if da.is_known() && pa != da {
            body.insert(
                "spec".into(),
                json!({"auto_stop": request_body(auto_stop_schema(), da)}),
            );
        }
        if body.is_empty() {
            return vec![];
        }
        vec![Step::Call {
            method: "PUT",
            suffix: "",
            body: Json::Object(body),
        }]
    }

    fn power(&self, run: bool, _cur: &Json) -> Call {
        Call {
            method: "POST",
            suffix: "/action",
            query: vec![],
            body: Some(json!({"action": if run { "start" } else { "stop" }})),
        }
    }

    fn stop_before_delete(&self) -> bool {
        true
    }

    fn failure_reason<'b>(&self, body: &'b Json) -> &'b str {
        body["spec"]["failed_reasons"]["message"]
            .as_str()
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_instances_are_gone_and_running_ones_stop_first() {
        assert_eq!(DevEnv.status("DELETED"), Status::Gone);
        assert_eq!(DevEnv.status("RUNNING"), Status::Running);
        assert!(DevEnv.stop_before_delete());
        assert_eq!(
            DevEnv.created_ms(&json!({"creation_timestamp": "1700000000000"})),
            Some(1700000000000)
        );
        assert_eq!(
            DevEnv.power(false, &Json::Null).body,
            Some(json!({"action": "stop"}))
        );
    }

    #[test]
    fn storage_paths_are_checked() {
        let v = Value::from_json(
            &json!({"spec": {"storage": {"type": "obs", "location": {"path": "/b/dir"}},
                                                  "auto_stop": {"enable": true}}}),
        );
        let errs: Vec<String> = DevEnv.check(&v).into_iter().map(|e| e.0).collect();
        assert_eq!(
            errs,
            [
                "spec.storage.location.path must end with /",
                "spec.auto_stop.duration is required when auto_stop is enabled"
            ]
        );
    }

    #[test]
    fn description_and_auto_stop_update_in_one_call() {
        let prior = Value::from_json(
            &json!({"description": "a", "spec": {"auto_stop": {"enable": false}}}),
        );
        let desired = Value::from_json(
            &json!({"spec": {"auto_stop": {"enable": true, "duration": 3600, "prompt": true}}}),
        );
        assert_eq!(
            DevEnv.update_steps(&prior, &desired, true),
            [Step::Call {
                method: "PUT",
                suffix: "",
                body: json!({"description": "", "spec": {"auto_stop": {"enable": true, "duration": 3600, "prompt": true}}})
            }]
        );
    }

    #[test]
    fn only_the_users_annotations_are_kept() {
        let b = json!({"id": "d", "status": "RUNNING",
                       "spec": {"annotations": {"mine": "1", "url": "https://x", "target_domain": "t"}}});
        let reference = Value::from_json(&json!({"spec": {"annotations": {"mine": "1"}}}));
        let a = DevEnv.to_attrs(&b, &reference);
        assert_eq!(
            a.get("spec").get("annotations"),
            &Value::from_json(&json!({"mine": "1"}))
        );
        assert_eq!(a.get("url").as_str(), Some("https://x"));
    }
}
