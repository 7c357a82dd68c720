//! `modelarts_notebook`: notebook instances (`/v1/{project_id}/notebooks`).
//!
//! Everything about the kind: its schema, cross-field rules, the volume that can only
//! grow, the create body, attributes from a response, the update sequence (name and
//! description in any state; flavor, image, endpoints and the like only while STOPPED;
//! a volume grows and a lease is renewed while RUNNING), and restarts that keep the
//! instance's own lease.

use super::convert::{attr_body, changed, keep_equivalent, nonempty_list, obj, or_empty, s};
use crate::provider::kind::{Call, Listing, ResourceKind, Step};
use crate::schema::checks::*;
use crate::schema::{block, comp, desired_state, opt, optc, req, Presence, Schema, Ty};
use crate::value::{Path, PathStep, Value};
use serde_json::{json, Map, Value as Json};
use std::sync::LazyLock;

pub struct Notebook;

fn volume_schema(data: bool) -> Schema {
    let mut attrs = vec![
        req("category", Ty::Str)
            .upper(&["EVS", "EFS", "SFS", "OBS", "OBSFS"])
            .forces_new(),
        optc("ownership", Ty::Str)
            .upper(&["MANAGED", "DEDICATED"])
            .forces_new(),
        optc("capacity", Ty::Int).check(evs_size),
        opt("uri", Ty::Str).forces_new(),
        opt("id", Ty::Str).forces_new(),
        optc("mount_path", Ty::Str).forces_new().check(mount_path),
        optc("read_only", Ty::Bool).forces_new(),
        opt("dew_secret_name", Ty::Str),
    ];
    if data {
        for a in &mut attrs {
            a.write_only = true;
            if a.presence == Presence::OptionalComputed {
                a.presence = Presence::Optional;
            }
        }
    }
    Schema { attrs }
}

fn affinity_rule() -> Schema {
    Schema {
        attrs: vec![
            req("key", Ty::Str).check(label_key),
            req("operator", Ty::Str).check(|v| match v.as_str() {
                Some("In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt") | None => Ok(()),
                Some(o) => Err(format!(
                    "{o:?} is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt"
                )),
            }),
            opt("values", Ty::StrList).check(label_values),
            opt("weight", Ty::Int).check(weight),
        ],
    }
}

fn hook_config() -> Schema {
    Schema {
        attrs: vec![
            // Optional in the document; a SCRIPT hook's script is Base64 text or an
            // absolute path (checked in `check`, where the type is known).
            opt("script", Ty::Str),
            opt("type", Ty::Str).upper(&["COMMAND", "SCRIPT"]),
            opt("mode", Ty::Str),
        ],
    }
}

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).check(nb_name),
        opt("description", Ty::Str).check(description),
        optc("flavor", Ty::Str),
        req("image_id", Ty::Str),
        optc("feature", Ty::Str)
            .upper(&["NOTEBOOK", "DEFAULT"])
            .forces_new(),
        opt("duration", Ty::Int).check(lease_ms).wo(),
        block(
            "lease",
            Schema {
                attrs: vec![
                    optc("duration", Ty::Int).check(lease_ms),
                    optc("type", Ty::Str).upper(&["TIMING", "IDLE"]),
                ],
            },
            false,
            Presence::OptionalComputed,
        ),
        block(
            "endpoints",
            Schema {
                attrs: vec![
                    optc("service", Ty::Str).upper(&["NOTEBOOK", "SSH"]),
                    opt("key_pair_names", Ty::StrList),
                    opt("allowed_access_ips", Ty::StrList).check(five_ips),
                ],
            },
            true,
            Presence::Optional,
        ),
        opt("pool_id", Ty::Str).forces_new(),
        optc("workspace_id", Ty::Str).forces_new().check(workspace),
        block("volume", volume_schema(false), false, Presence::Required),
        block(
            "hooks",
            Schema {
                attrs: vec![block(
                    "container_hooks",
                    Schema {
                        attrs: vec![
                            block("pre_start", hook_config(), false, Presence::Optional),
                            block("post_start", hook_config(), false, Presence::Optional),
                        ],
                    },
                    false,
                    Presence::Optional,
                )],
            },
            false,
            Presence::Optional,
        )
        .wo(),
        block(
            "custom_spec",
            Schema {
                attrs: vec![
                    req("cpu", Ty::Num).check(positive_cpu),
                    req("memory", Ty::Int).check(|v| match v.as_f64() {
                        Some(m) if m > 512.0 => Ok(()),
                        _ => Err("must be an integer greater than 512 (MiB)".into()),
                    }),
                    opt("gpu", Ty::Num).check(|v| range(v, 0.0, f64::MAX)),
                    opt("gpu_type", Ty::Str),
                    optc("arch", Ty::Str).check(|v| match v.as_str() {
                        Some(a)
                            if a.eq_ignore_ascii_case("x86_64")
                                || a.eq_ignore_ascii_case("aarch64") =>
                        {
                            Ok(())
                        }
                        None => Ok(()),
                        Some(a) => Err(format!("{a:?} is not x86_64 or AARCH64")),
                    }),
                    optc("category", Ty::Str).upper(&["CPU", "GPU"]),
                    opt("resource_flavor", Ty::Str),
                ],
            },
            false,
            Presence::Optional,
        ),
        block(
            "affinity",
            Schema {
                attrs: vec![
                    block(
                        "required_during_scheduling_ignored_during_execution",
                        affinity_rule(),
                        true,
                        Presence::Optional,
                    ),
                    block(
                        "preferred_during_scheduling_ignored_during_execution",
                        affinity_rule(),
                        true,
                        Presence::Optional,
                    ),
                ],
            },
            false,
            Presence::Optional,
        ),
        block(
            "run_user",
            Schema {
                attrs: vec![optc("uid", Ty::Int), optc("gid", Ty::Int)],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        block(
            "data_volumes",
            volume_schema(true),
            true,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        block(
            "user_vpc",
            Schema {
                attrs: vec![
                    req("vpc_id", Ty::Str),
                    req("subnet_id", Ty::Str),
                    opt("security_group_ids", Ty::StrList),
                    opt("connect_cidrs", Ty::StrList),
                    opt("nat_id", Ty::Str),
                    opt("eip_id", Ty::Str),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new(),
        block(
            "public_network_config",
            Schema {
                attrs: vec![opt("public_network_type", Ty::Str)],
            },
            false,
            Presence::Optional,
        )
        .wo(),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
        comp("url", Ty::Str),
        comp("token", Ty::Str).secret(),
        comp("image_name", Ty::Str),
        comp("image_swr_path", Ty::Str),
        comp("ip", Ty::Str),
        comp("ssh_uri", Ty::Str),
        comp("auto_stop_enabled", Ty::Bool),
        comp("created_at", Ty::Int),
        comp("updated_at", Ty::Int),
    ],
});

/// Arguments sent while the notebook is STOPPED.
const WHILE_STOPPED: [&str; 7] = [
    "flavor",
    "image_id",
    "endpoints",
    "custom_spec",
    "affinity",
    "hooks",
    "public_network_config",
];

impl ResourceKind for Notebook {
    fn type_name(&self) -> &'static str {
        "modelarts_notebook"
    }

    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn check(&self, v: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut err = |summary: String, detail: &str| out.push((summary, detail.to_string()));
        let has = |k: &str| !v.get(k).is_null();
        if !has("flavor") && !has("custom_spec") {
            err("set flavor or custom_spec".into(), "A notebook needs a flavor (e.g. \"modelarts.vm.cpu.2u\"), or custom_spec in a dedicated pool.");
        }
        if has("custom_spec") && !has("pool_id") {
            err(
                "custom_spec needs pool_id".into(),
                "Custom specifications are only available in a dedicated resource pool.",
            );
        }
        if has("affinity") && !has("pool_id") {
            err(
                "affinity needs pool_id".into(),
                "Node affinity selects nodes of a dedicated resource pool.",
            );
        }
        let vol = v.get("volume");
        if vol.get("ownership").as_str() == Some("DEDICATED") {
            if vol.get("uri").is_null() {
                err(
                    "volume.uri is required when ownership is DEDICATED".into(),
                    "",
                );
            }
            if matches!(vol.get("category").as_str(), Some("EFS" | "SFS"))
                && vol.get("id").is_null()
            {
                err(
                    "volume.id is required for a dedicated EFS volume".into(),
                    "",
                );
            }
        }
        // A capacity is an EVS disk's or an EFS/SFS share's; an OBS bucket has none (the
        // service drops it, and a plan would want it for ever).
        if matches!(vol.get("category").as_str(), Some("OBS" | "OBSFS"))
            && !vol.get("capacity").is_null()
        {
            err(
                "volume.capacity applies to EVS, EFS and SFS volumes only".into(),
                "Remove capacity: an OBS volume has no size.",
            );
        }
        let hooks = v.get("hooks").get("container_hooks");
        for k in ["pre_start", "post_start"] {
            let h = hooks.get(k);
            let script_type = h.get("type").as_str().unwrap_or("SCRIPT");
            if let Some(sc) = h.get("script").as_str() {
                if script_type == "SCRIPT" && !hook_script(sc) {
                    err(
                        format!("hooks.container_hooks.{k}.script is not a script of type SCRIPT"),
                        "A SCRIPT hook is Base64-encoded script text (base64encode()) or the absolute path of a script; for a command line, set type = \"COMMAND\".",
                    );
                }
            }
        }
        let aff = v.get("affinity");
        for k in [
            "required_during_scheduling_ignored_during_execution",
            "preferred_during_scheduling_ignored_during_execution",
        ] {
            for (i, r) in aff.get(k).as_list().into_iter().flatten().enumerate() {
                let values: Vec<&str> = r
                    .get("values")
                    .as_list()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if let Some(op) = r.get("operator").as_str() {
                    if let Err(why) = affinity_values(op, &values) {
                        err(format!("affinity.{k}[{i}].values: {why}"), "");
                    }
                }
                if k.starts_with("required") && !r.get("weight").is_null() {
                    err(
                        format!(
                            "affinity.{k}[{i}].weight applies to preferred (weak) affinity only"
                        ),
                        "Remove weight from a required rule.",
                    );
                }
            }
        }
        for (i, e) in v
            .get("endpoints")
            .as_list()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if e.get("service").as_str() == Some("SSH")
                && e.get("key_pair_names")
                    .as_list()
                    .is_none_or(|l| l.is_empty())
            {
                err(
                    format!("endpoints[{i}] with service SSH needs key_pair_names"),
                    "",
                );
            }
        }
        out
    }

    fn replace_rule(&self, prior: &Value, planned: &Value) -> Option<(Path, &'static str)> {
        let cap = |v: &Value| v.get("volume").get("capacity").as_f64();
        match (cap(prior), cap(planned)) {
            (Some(a), Some(b)) if b < a => Some((
                vec![
                    PathStep::Key("volume".into()),
                    PathStep::Key("capacity".into()),
                ],
                "volume.capacity can only grow",
            )),
            _ => None,
        }
    }

    fn volatile(&self) -> &'static [&'static str] {
        &["updated_at", "token"]
    }

    fn collection(&self) -> &'static str {
        "/notebooks"
    }

    fn not_found_codes(&self) -> &'static [&'static str] {
        &["ModelArts.6309", "ModelArts.6357", "ModelArts.6404"]
    }

    fn listing(&self) -> Listing {
        Listing::Paged {
            size: 50,
            sorted: true,
        }
    }

    fn create_body(&self, desired: &Value) -> Json {
        let mut body = super::convert::request_body(&SCHEMA, desired);
        if let Some(v) = body.get_mut("volume").and_then(Json::as_object_mut) {
            v.entry("ownership").or_insert(json!("MANAGED"));
        }
        if body.get("feature").is_none() {
            body["feature"] = json!("NOTEBOOK");
        }
        body
    }

    fn to_attrs(&self, b: &Json, reference: &Value) -> Value {
        let r = |k: &str| reference.get(k).clone();
        let custom = &b["custom_spec"];
        let flavor = match b["flavor"].as_str() {
            Some("custom.flavor.spec.code") if !custom.is_null() => r("flavor"),
            _ => s(&b["flavor"]),
        };
        let endpoints: Vec<Value> = b["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                obj(vec![
                    ("service", s(&e["service"])),
                    // The document's response names them `ssh_keys`; the SDK's
                    // `key_pair_names`: either is read.
                    (
                        "key_pair_names",
                        nonempty_list(s(if e["key_pair_names"].is_null() {
                            &e["ssh_keys"]
                        } else {
                            &e["key_pair_names"]
                        })),
                    ),
                    (
                        "allowed_access_ips",
                        nonempty_list(s(&e["allowed_access_ips"])),
                    ),
                ])
            })
            .collect();
        let vol = &b["volume"];
        let uv = &b["user_vpc"];
        let ssh = b["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["service"] == "SSH")
            .map(|e| s(&e["uri"]))
            .unwrap_or_default();
        let mut v = obj(vec![
            ("name", s(&b["name"])),
            ("description", s(&b["description"])),
            ("flavor", flavor),
            ("image_id", s(&b["image"]["id"])),
            ("feature", s(&b["feature"])),
            ("duration", r("duration")),
            (
                "lease",
                obj(vec![
                    ("duration", s(&b["lease"]["duration"])),
                    ("type", s(&b["lease"]["type"])),
                ]),
            ),
            ("endpoints", nonempty_list(Value::List(endpoints))),
            ("pool_id", s(&b["pool"]["id"])),
            ("workspace_id", s(&b["workspace_id"])),
            (
                "volume",
                obj(vec![
                    ("category", s(&vol["category"])),
                    ("ownership", s(&vol["ownership"])),
                    ("capacity", s(&vol["capacity"])),
                    ("uri", s(&vol["uri"])),
                    ("id", s(&vol["id"])),
                    ("mount_path", s(&vol["mount_path"])),
                    ("read_only", s(&vol["read_only"])),
                    ("dew_secret_name", s(&vol["dew_secret_name"])),
                ]),
            ),
            ("hooks", r("hooks")),
            (
                "custom_spec",
                if custom.is_null() {
                    Value::Null
                } else {
                    obj(vec![
                        ("cpu", s(&custom["cpu"])),
                        ("memory", s(&custom["memory"])),
                        ("gpu", s(&custom["gpu"])),
                        ("gpu_type", s(&custom["gpu_type"])),
                        ("arch", s(&custom["arch"])),
                        ("category", s(&custom["category"])),
                        ("resource_flavor", s(&custom["resource_flavor"])),
                    ])
                },
            ),
            ("affinity", s(&b["affinity"])),
            (
                "run_user",
                obj(vec![
                    ("uid", s(&b["run_user"]["uid"])),
                    ("gid", s(&b["run_user"]["gid"])),
                ]),
            ),
            ("data_volumes", r("data_volumes")),
            (
                "user_vpc",
                if uv.is_null() {
                    Value::Null
                } else {
                    obj(vec![
                        ("vpc_id", s(&uv["vpc_id"])),
                        ("subnet_id", s(&uv["subnet_id"])),
                        ("security_group_ids", s(&uv["security_group_ids"])),
                        (
                            "connect_cidrs",
                            uv["connect_cidrs"]
                                .as_str()
                                .filter(|c| !c.is_empty())
                                .map(|c| Value::List(c.split(',').map(Value::str).collect()))
                                .unwrap_or(Value::Null),
                        ),
                        ("nat_id", s(&uv["nat_id"])),
                        ("eip_id", s(&uv["eip_id"])),
                    ])
                },
            ),
            ("public_network_config", r("public_network_config")),
            ("desired_state", r("desired_state")),
            ("id", s(&b["id"])),
            ("status", s(&b["status"])),
            ("url", s(&b["url"])),
            ("token", s(&b["token"])),
            ("image_name", s(&b["image"]["name"])),
            ("image_swr_path", s(&b["image"]["swr_path"])),
            ("ip", s(&b["ip"])),
            ("ssh_uri", ssh),
            ("auto_stop_enabled", s(&b["lease"]["enable"])),
            ("created_at", s(&b["create_at"])),
            ("updated_at", s(&b["update_at"])),
        ]);
        keep_equivalent(&mut v, reference);
        v
    }

    fn update_steps(&self, prior: &Value, desired: &Value, running: bool) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut stopped_body = Map::new();
        for k in WHILE_STOPPED {
            if changed(prior, desired, k) {
                let ty = &SCHEMA.get(k).expect("a notebook argument").ty;
                stopped_body.insert(k.into(), attr_body(ty, desired.get(k)));
            }
        }
        let dew = |v: &Value| v.get("volume").get("dew_secret_name").clone();
        if dew(prior) != dew(desired) && dew(desired).is_known() {
            stopped_body.insert("dew_secret_name".into(), dew(desired).to_json());
        }
        let mut any_body = Map::new();
        for k in ["name", "description"] {
            if changed(prior, desired, k) {
                any_body.insert(k.into(), or_empty(desired.get(k)));
            }
        }
        let capacity = |v: &Value| v.get("volume").get("capacity").as_f64();
        let grow = match (capacity(prior), capacity(desired)) {
            (Some(a), Some(b)) if b > a => Some(b as i64),
            _ => None,
        };
        let lease = desired
            .get("lease")
            .get("duration")
            .as_f64()
            .filter(|_| changed(prior, desired, "lease"))
            .or_else(|| {
                desired
                    .get("duration")
                    .as_f64()
                    .filter(|_| changed(prior, desired, "duration"))
            });
        let mut running = running;
        let put = |body: Map<String, Json>| Step::Call {
            method: "PUT",
            suffix: "",
            body: Json::Object(body),
        };
        if !stopped_body.is_empty() {
            if running {
                steps.push(Step::Power(false));
                running = false;
            }
            stopped_body.extend(std::mem::take(&mut any_body));
            steps.push(put(stopped_body));
        }
        if !any_body.is_empty() {
            steps.push(put(any_body));
        }
        if grow.is_some() || lease.is_some() {
            if !running {
                steps.push(Step::Power(true));
            }
            if let Some(size) = grow {
                steps.push(put(Map::from_iter([(
                    "storage_new_size".to_string(),
                    json!(size),
                )])));
                steps.push(Step::WaitRunning);
            }
            if let Some(d) = lease {
                let ty = desired
                    .get("lease")
                    .get("type")
                    .as_str()
                    .unwrap_or("TIMING");
                steps.push(Step::Call {
                    method: "PATCH",
                    suffix: "/lease",
                    body: json!({"duration": d as i64, "type": ty}),
                });
            }
        }
        steps
    }

    fn power(&self, run: bool, cur: &Json) -> Call {
        let mut query = Vec::new();
        if run {
            // Restart with the instance's own lease, so that auto-stop stays as configured
            // (the Terraform provider passes -1 here, which turns auto-stop off).
            let lease = &cur["lease"];
            let duration = match (lease["enable"].as_bool(), lease["duration"].as_i64()) {
                (Some(true), Some(d)) => d,
                _ => -1,
            };
            query.push(("duration", duration.to_string()));
            if let Some(t) = lease["type"].as_str() {
                query.push(("type", t.to_string()));
            }
        }
        Call {
            method: "POST",
            suffix: if run { "/start" } else { "/stop" },
            query,
            body: None,
        }
    }

    fn settled(&self, b: &Json) -> bool {
        !matches!(
            b["volume"]["status"].as_str(),
            Some("INITIALIZING" | "RESIZING" | "DELETING")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(j: Json) -> Value {
        Value::from_json(&j)
    }

    fn base() -> Json {
        json!({"name": "nb", "flavor": "modelarts.vm.cpu.2u", "image_id": "img",
               "volume": {"category": "EVS", "capacity": 5}})
    }

    fn with(changes: Json) -> Value {
        let mut b = base();
        for (k, x) in changes.as_object().unwrap() {
            b[k] = x.clone();
        }
        v(b)
    }

    fn put(body: Json) -> Step {
        Step::Call {
            method: "PUT",
            suffix: "",
            body,
        }
    }

    #[test]
    fn a_new_flavor_is_sent_while_stopped() {
        let prior = v(base());
        let desired = with(json!({"flavor": "modelarts.vm.cpu.8u", "name": "nb2"}));
        assert_eq!(
            Notebook.update_steps(&prior, &desired, true),
            [
                Step::Power(false),
                put(json!({"flavor": "modelarts.vm.cpu.8u", "name": "nb2"}))
            ]
        );
        // Already stopped: no stop first.
        assert_eq!(
            Notebook.update_steps(&prior, &desired, false),
            [put(json!({"flavor": "modelarts.vm.cpu.8u", "name": "nb2"}))]
        );
    }

    #[test]
    fn names_and_descriptions_change_in_any_state() {
        let prior = with(json!({"description": "old"}));
        let desired = v(base());
        assert_eq!(
            Notebook.update_steps(&prior, &desired, true),
            [put(json!({"description": ""}))],
            "a removed description is cleared"
        );
    }

    #[test]
    fn a_volume_grows_and_a_lease_renews_while_running() {
        let prior = v(base());
        let desired = with(json!({"volume": {"category": "EVS", "capacity": 9},
                                  "lease": {"duration": 7200000, "type": "IDLE"}}));
        assert_eq!(
            Notebook.update_steps(&prior, &desired, false),
            [
                Step::Power(true),
                put(json!({"storage_new_size": 9})),
                Step::WaitRunning,
                Step::Call {
                    method: "PATCH",
                    suffix: "/lease",
                    body: json!({"duration": 7200000, "type": "IDLE"})
                },
            ]
        );
        assert!(Notebook.update_steps(&prior, &prior, true).is_empty());
    }

    #[test]
    fn a_shrinking_volume_forces_replacement() {
        let big = with(json!({"volume": {"category": "EVS", "capacity": 9}}));
        let (path, why) = Notebook.replace_rule(&big, &v(base())).unwrap();
        assert_eq!(crate::value::path_string(&path), "volume.capacity");
        assert_eq!(why, "volume.capacity can only grow");
        assert!(Notebook.replace_rule(&v(base()), &big).is_none());
    }

    #[test]
    fn cross_field_rules() {
        let no_flavor = v(json!({"name": "n", "image_id": "i", "volume": {"category": "EVS"}}));
        let errs: Vec<String> = Notebook
            .check(&no_flavor)
            .into_iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(errs, ["set flavor or custom_spec"]);
        let custom = with(json!({"custom_spec": {"cpu": 2, "memory": 1024},
                                 "volume": {"category": "SFS", "ownership": "DEDICATED"},
                                 "endpoints": [{"service": "SSH"}]}));
        let errs: Vec<String> = Notebook.check(&custom).into_iter().map(|e| e.0).collect();
        assert_eq!(
            errs,
            [
                "custom_spec needs pool_id",
                "volume.uri is required when ownership is DEDICATED",
                "volume.id is required for a dedicated EFS volume",
                "endpoints[0] with service SSH needs key_pair_names"
            ]
        );
        assert!(Notebook.check(&v(base())).is_empty());
    }

    #[test]
    fn create_bodies_default_ownership_and_feature() {
        let body = Notebook.create_body(&v(base()));
        assert_eq!(body["volume"]["ownership"], "MANAGED");
        assert_eq!(body["feature"], "NOTEBOOK");
        let explicit = with(json!({"feature": "DEFAULT"}));
        assert_eq!(Notebook.create_body(&explicit)["feature"], "DEFAULT");
    }

    #[test]
    fn responses_become_attributes_in_the_configured_spelling() {
        let response = json!({
            "id": "x", "name": "nb", "status": "RUNNING", "flavor": "modelarts.vm.cpu.2u",
            "image": {"id": "img", "name": "pytorch", "swr_path": "swr/p"},
            "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5},
            "endpoints": [{"service": "SSH", "uri": "ssh://h:22", "key_pair_names": ["k"]}],
            "lease": {"duration": 3600000, "type": "TIMING", "enable": true},
            "user_vpc": {"vpc_id": "v", "subnet_id": "s", "connect_cidrs": "10.0.0.0/8,10.1.0.0/16"},
            "create_at": 1700000000000i64, "description": ""
        });
        let reference = with(json!({"volume": {"category": "evs"}, "duration": 3600000}));
        let a = Notebook.to_attrs(&response, &reference);
        assert_eq!(a.get("volume").get("category").as_str(), Some("evs"));
        assert_eq!(a.get("ssh_uri").as_str(), Some("ssh://h:22"));
        assert_eq!(a.get("image_name").as_str(), Some("pytorch"));
        assert_eq!(
            a.get("duration"),
            &Value::Number(3600000.0),
            "write-only, from the reference"
        );
        assert!(
            a.get("description").is_null(),
            "an empty string is no value"
        );
        assert_eq!(
            a.get("user_vpc").get("connect_cidrs"),
            &v(json!(["10.0.0.0/8", "10.1.0.0/16"]))
        );
        assert_eq!(a.get("auto_stop_enabled"), &Value::Bool(true));
    }

    #[test]
    fn restarts_keep_the_instance_lease() {
        let cur = json!({"lease": {"enable": true, "duration": 7200000, "type": "TIMING"}});
        let start = Notebook.power(true, &cur);
        assert_eq!(start.suffix, "/start");
        assert_eq!(
            start.query,
            [
                ("duration", "7200000".to_string()),
                ("type", "TIMING".to_string())
            ]
        );
        let off = Notebook.power(true, &json!({"lease": {"enable": false}}));
        assert_eq!(off.query, [("duration", "-1".to_string())]);
        assert_eq!(Notebook.power(false, &cur).suffix, "/stop");
        assert!(!Notebook.settled(&json!({"volume": {"status": "RESIZING"}})));
        assert!(Notebook.settled(&json!({"volume": {"status": "AVAILABLE"}})));
    }
}
