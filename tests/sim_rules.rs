//! The simulator's fidelity table, executed: one case per documented rule, named after
//! the rule's row in `src/sim/FIDELITY.md`, each asserting the status, the error code
//! and the field the message names (or, for a response field, its presence and type).
//! `fidelity_table_and_cases_agree` keeps the table and these cases in step: every row
//! names a case here or a test that exists, and every case here names a row.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const IMG: &str = "e1a07296-22a8-4f05-8bc8-e936c8e54090";
const DS_IMG: &str = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7";
const ARM_IMG: &str = "7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d";
const BMS_FLAVOR: &str = "physical.kat2ne.48xlarge.8.ei.pod101";

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
enum Kind {
    Nb,
    Ds,
    De,
}

impl Kind {
    fn collection(self) -> &'static str {
        match self {
            Kind::Nb => "/notebooks",
            Kind::Ds => "/dev-servers",
            Kind::De => "/demanager/instances",
        }
    }
    fn base(self) -> Value {
        match self {
            Kind::Nb => json!({"name": "rule", "flavor": "modelarts.vm.cpu.2u", "image_id": IMG,
                "volume": {"category": "EVS", "ownership": "MANAGED"}}),
            Kind::Ds => json!({"name": "rule", "flavor": "Si2.large.4", "image_id": DS_IMG,
                "network": {"security_group_id": "s", "subnet_id": "n", "vpc_id": "v"},
                "admin_pass": "@DevServer1"}),
            Kind::De => json!({"name": "rule", "profile_id": "Multi-Engine 1.0 (python3)-cpu",
                "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "evs"}}}),
        }
    }
    /// The message key of this kind's errors.
    fn msg_key(self) -> &'static str {
        match self {
            Kind::De => "error_message",
            _ => "error_msg",
        }
    }
}

/// A JSON merge patch (RFC 7396: `null` removes a key), where the string `"$null"` sets
/// an explicit null.
fn merge(base: &mut Value, patch: &Value) {
    match (base.as_object_mut(), patch.as_object()) {
        (Some(b), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else if v == "$null" {
                    b.insert(k.clone(), Value::Null);
                } else if v.is_object() && b.get(k).is_some_and(Value::is_object) {
                    merge(b.get_mut(k).expect("present"), v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        _ => *base = patch.clone(),
    }
}

/// What a value at a response path must be.
#[derive(Clone)]
enum Is {
    Str,
    Int,
    Num,
    Bool,
    Null,
    Absent,
    Arr,
    Obj,
    Eq(Value),
    OneOf(&'static [&'static str]),
    /// A string of digits (the legacy API's millisecond timestamps).
    Millis,
}

impl Is {
    fn holds(&self, v: Option<&Value>) -> bool {
        match (self, v) {
            (Is::Absent, None) => true,
            (Is::Absent, Some(_)) | (_, None) => false,
            (Is::Str, Some(v)) => v.is_string(),
            (Is::Int, Some(v)) => v.is_i64() || v.is_u64(),
            (Is::Num, Some(v)) => v.is_number(),
            (Is::Bool, Some(v)) => v.is_boolean(),
            (Is::Null, Some(v)) => v.is_null(),
            (Is::Arr, Some(v)) => v.is_array(),
            (Is::Obj, Some(v)) => v.is_object(),
            (Is::Eq(x), Some(v)) => v == x,
            (Is::OneOf(xs), Some(v)) => v.as_str().is_some_and(|s| xs.contains(&s)),
            (Is::Millis, Some(v)) => v
                .as_str()
                .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())),
        }
    }
    fn describe(&self) -> String {
        match self {
            Is::Eq(v) => format!("= {v}"),
            Is::OneOf(xs) => format!("one of {xs:?}"),
            Is::Str => "a string".into(),
            Is::Int => "an integer".into(),
            Is::Num => "a number".into(),
            Is::Bool => "a boolean".into(),
            Is::Null => "null".into(),
            Is::Absent => "absent".into(),
            Is::Arr => "an array".into(),
            Is::Obj => "an object".into(),
            Is::Millis => "a string of milliseconds".into(),
        }
    }
}

/// When a response field is looked at.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
enum When {
    /// The create call's answer.
    Created,
    /// A read once the object runs.
    Running,
    /// A read once its create has failed (armed through the admin API).
    Failed,
}

/// An acceptance whose answer has these fields (JSON pointer, what it must be), or a
/// refusal: status, error code, and the field the message names.
type Want = Result<Vec<(&'static str, Is)>, (u16, &'static str, &'static str)>;

enum Case {
    /// Create with the kind's base body patched; expect a refusal (status, code, and the
    /// field the message names) or an acceptance whose answer has these fields.
    Create {
        kind: Kind,
        patch: Value,
        want: Want,
    },
    /// PUT this body on a running object of the kind (the base body); expect as above.
    Update { kind: Kind, body: Value, want: Want },
    /// A field of an object created from the base body patched, seen at `when`.
    Field {
        kind: Kind,
        patch: Value,
        when: When,
        ptr: &'static str,
        is: Is,
    },
    /// A raw call (path under `/v1/{project}` unless it starts with `/_` or `/v`):
    /// status, code, and the key that carries the message.
    Call {
        method: &'static str,
        path: String,
        body: Option<Value>,
        want: (u16, &'static str, &'static str),
    },
}

fn refuse(status: u16, code: &'static str, field: &'static str) -> Want {
    Err((status, code, field))
}

fn r6335(field: &'static str) -> Want {
    refuse(400, "ModelArts.6335", field)
}
fn r6336(field: &'static str) -> Want {
    refuse(400, "ModelArts.6336", field)
}
fn r6332(field: &'static str) -> Want {
    refuse(400, "ModelArts.6332", field)
}
fn accept(checks: Vec<(&'static str, Is)>) -> Want {
    Ok(checks)
}

fn create(kind: Kind, patch: Value, want: Want) -> Case {
    Case::Create { kind, patch, want }
}
fn update(kind: Kind, body: Value, want: Want) -> Case {
    Case::Update { kind, body, want }
}
fn field(kind: Kind, when: When, ptr: &'static str, is: Is) -> Case {
    Case::Field {
        kind,
        patch: json!({}),
        when,
        ptr,
        is,
    }
}
fn field_of(kind: Kind, patch: Value, when: When, ptr: &'static str, is: Is) -> Case {
    Case::Field {
        kind,
        patch,
        when,
        ptr,
        is,
    }
}

/// A notebook with the optional parts the response documents.
fn rich_nb() -> Value {
    json!({"description": "rich", "pool_id": "pool-1",
        "endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["1.2.3.4"]}],
        "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "In", "values": ["a"]}],
                     "preferred_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "In", "values": ["b"], "weight": 10}]},
        "run_user": {"uid": 1000, "gid": 100}})
}

fn custom_nb() -> Value {
    json!({"flavor": null, "pool_id": "pool-1", "custom_spec": {"cpu": 1, "memory": 1024, "gpu": 0}})
}

fn cases() -> Vec<(&'static str, Case)> {
    use Is::*;
    use Kind::*;
    use When::*;
    let long = |n: usize| "a".repeat(n);
    vec![
        // ---- Notebook create: request fields ----
        (
            "nb.create.description.type",
            create(Nb, json!({"description": 5}), r6332("description")),
        ),
        (
            "nb.create.description.length",
            create(Nb, json!({"description": long(513)}), r6336("description")),
        ),
        (
            "nb.create.duration.type",
            create(Nb, json!({"duration": "long"}), r6332("duration")),
        ),
        (
            "nb.create.duration.minus_one",
            create(
                Nb,
                json!({"duration": -1}),
                accept(vec![("/lease/enable", Eq(json!(false)))]),
            ),
        ),
        (
            "nb.create.duration.overrides_lease",
            create(
                Nb,
                json!({"duration": 7_200_000, "lease": {"duration": 5}}),
                accept(vec![("/lease/duration", Eq(json!(7_200_000)))]),
            ),
        ),
        (
            "nb.create.endpoints.type",
            create(
                Nb,
                json!({"endpoints": {"service": "SSH"}}),
                r6332("endpoints"),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.type",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": "1.2.3.4"}]}),
                r6332("endpoints[0].allowed_access_ips"),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.max",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5", "1.1.1.6"]}]}),
                r6336("endpoints[0].allowed_access_ips"),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.public",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["10.0.0.1"]}]}),
                r6336("endpoints[0].allowed_access_ips"),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.prefix",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["1.2.3.0/zzz"]}]}),
                r6336("endpoints[0].allowed_access_ips"),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.cidr",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["1.2.3.0/24"]}]}),
                accept(vec![(
                    "/endpoints/0/allowed_access_ips/0",
                    Eq(json!("1.2.3.0/24")),
                )]),
            ),
        ),
        (
            "nb.create.endpoints.key_pair_names.type",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": "kp"}]}),
                r6332("endpoints[0].key_pair_names"),
            ),
        ),
        (
            "nb.create.feature",
            create(Nb, json!({"feature": "PREMIUM"}), r6336("feature")),
        ),
        (
            "nb.create.flavor.type",
            create(Nb, json!({"flavor": 5}), r6332("flavor")),
        ),
        (
            "nb.create.flavor_or_custom_spec",
            create(Nb, json!({"flavor": null}), r6335("flavor")),
        ),
        (
            "nb.create.custom_spec.type",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": 5}),
                r6332("custom_spec"),
            ),
        ),
        (
            "nb.create.custom_spec.gpu.type",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": {"cpu": 1, "memory": 1024, "gpu": "one"}}),
                r6332("custom_spec.gpu"),
            ),
        ),
        (
            "nb.create.custom_spec.gpu.min",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": {"cpu": 1, "memory": 1024, "gpu": -1}}),
                r6336("custom_spec.gpu"),
            ),
        ),
        (
            "nb.create.custom_spec.cpu.required",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": {"memory": 1024}}),
                r6335("custom_spec.cpu"),
            ),
        ),
        (
            "nb.create.custom_spec.cpu.type",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": {"cpu": "1", "memory": 1024}}),
                r6332("custom_spec.cpu"),
            ),
        ),
        (
            "nb.create.custom_spec.cpu.min",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": {"cpu": 0.3, "memory": 1024}}),
                r6336("custom_spec.cpu"),
            ),
        ),
        (
            "nb.create.custom_spec.memory.required",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "p", "custom_spec": {"cpu": 1}}),
                r6335("custom_spec.memory"),
            ),
        ),
        (
            "nb.create.image_id.required",
            create(Nb, json!({"image_id": null}), r6335("image_id")),
        ),
        (
            "nb.create.name.length",
            create(Nb, json!({"name": long(129)}), r6336("name")),
        ),
        (
            "nb.create.name.chars",
            create(
                Nb,
                json!({"name": "a.b"}),
                refuse(400, "ModelArts.6334", "name"),
            ),
        ),
        (
            "nb.create.name.duplicates",
            create(
                Nb,
                json!({"name": "twin"}),
                accept(vec![("/name", Eq(json!("twin")))]),
            ),
        ),
        (
            "nb.create.pool_id.type",
            create(Nb, json!({"pool_id": 5}), r6332("pool_id")),
        ),
        (
            "nb.create.volume.required",
            create(Nb, json!({"volume": null}), r6335("volume")),
        ),
        (
            "nb.create.volume.capacity.type",
            create(
                Nb,
                json!({"volume": {"capacity": "big"}}),
                r6332("volume.capacity"),
            ),
        ),
        (
            "nb.create.volume.capacity.default",
            create(
                Nb,
                json!({}),
                accept(vec![("/volume/capacity", Eq(json!(5)))]),
            ),
        ),
        (
            "nb.create.volume.capacity.evs_only",
            create(
                Nb,
                json!({"volume": {"category": "OBS", "ownership": "DEDICATED", "uri": "obs://b/d/", "capacity": 10000}}),
                accept(vec![("/volume/capacity", Absent)]),
            ),
        ),
        (
            "nb.create.volume.capacity.efs_max",
            create(
                Nb,
                json!({"volume": {"category": "EFS", "ownership": "MANAGED", "capacity": 10000}}),
                r6336("volume.capacity"),
            ),
        ),
        (
            "nb.create.volume.category.required",
            create(
                Nb,
                json!({"volume": {"category": null}}),
                r6335("volume.category"),
            ),
        ),
        (
            "nb.create.volume.ownership.required",
            create(
                Nb,
                json!({"volume": {"ownership": null}}),
                r6335("volume.ownership"),
            ),
        ),
        (
            "nb.create.volume.ownership.dedicated_category",
            create(
                Nb,
                json!({"volume": {"ownership": "DEDICATED", "uri": "x"}}),
                r6336("volume.ownership"),
            ),
        ),
        (
            "nb.create.volume.uri.dedicated",
            create(
                Nb,
                json!({"volume": {"category": "OBS", "ownership": "DEDICATED"}}),
                r6335("volume.uri"),
            ),
        ),
        (
            "nb.create.volume.id.dedicated_efs",
            create(
                Nb,
                json!({"volume": {"category": "EFS", "ownership": "DEDICATED", "uri": "efs://x"}}),
                r6335("volume.id"),
            ),
        ),
        (
            "nb.create.workspace_id.type",
            create(Nb, json!({"workspace_id": 0}), r6332("workspace_id")),
        ),
        (
            "nb.create.hooks.type",
            create(Nb, json!({"hooks": []}), r6332("hooks")),
        ),
        (
            "nb.create.hooks.container_hooks",
            create(
                Nb,
                json!({"hooks": {"container_hooks": 1}}),
                r6332("hooks.container_hooks"),
            ),
        ),
        (
            "nb.create.hooks.pre_post_start",
            create(
                Nb,
                json!({"hooks": {"container_hooks": {"pre_start": "x"}}}),
                r6332("hooks.container_hooks.pre_start"),
            ),
        ),
        (
            "nb.create.hooks.config.script",
            create(
                Nb,
                json!({"hooks": {"container_hooks": {"post_start": {"type": "COMMAND"}}}}),
                accept(vec![]),
            ),
        ),
        (
            "nb.create.hooks.config.script.format",
            create(
                Nb,
                json!({"hooks": {"container_hooks": {"pre_start": {"type": "SCRIPT", "script": "echo hi"}}}}),
                r6336("hooks.container_hooks.pre_start.script"),
            ),
        ),
        (
            "nb.create.hooks.config.type",
            create(
                Nb,
                json!({"hooks": {"container_hooks": {"pre_start": {"type": "PYTHON", "script": "/a.sh"}}}}),
                r6336("hooks.container_hooks.pre_start.type"),
            ),
        ),
        (
            "nb.create.hooks.response",
            create(
                Nb,
                json!({"hooks": {"container_hooks": {"pre_start": {"script": "/home/ma-user/a.sh"}}}}),
                accept(vec![("/hooks", Absent)]),
            ),
        ),
        (
            "nb.create.lease.type_obj",
            create(Nb, json!({"lease": "long"}), r6332("lease")),
        ),
        (
            "nb.create.lease.duration",
            create(
                Nb,
                json!({"lease": {"duration": 60}}),
                refuse(400, "ModelArts.6349", "lease.duration"),
            ),
        ),
        (
            "nb.create.lease.type",
            create(
                Nb,
                json!({"lease": {"type": "FOREVER"}}),
                r6336("lease.type"),
            ),
        ),
        (
            "nb.create.affinity.type",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"required_during_scheduling_ignored_during_execution": {}}}),
                r6332("affinity.required_during_scheduling_ignored_during_execution"),
            ),
        ),
        (
            "nb.create.affinity.pool",
            create(
                Nb,
                json!({"affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "In", "values": ["a"]}]}}),
                refuse(400, "ModelArts.0107", "pool_id"),
            ),
        ),
        (
            "nb.create.affinity.rule.key.required",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"required_during_scheduling_ignored_during_execution": [{"operator": "In", "values": ["a"]}]}}),
                r6335("key"),
            ),
        ),
        (
            "nb.create.affinity.rule.operator.required",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "zone", "values": ["a"]}]}}),
                r6335("operator"),
            ),
        ),
        (
            "nb.create.affinity.rule.values.required",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "In"}]}}),
                r6336("values"),
            ),
        ),
        (
            "nb.create.affinity.rule.values.exists",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "Exists", "values": ["a"]}]}}),
                r6336("values"),
            ),
        ),
        (
            "nb.create.affinity.rule.values.gt",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"preferred_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "Gt", "values": ["x"], "weight": 1}]}}),
                r6336("values"),
            ),
        ),
        (
            "nb.create.affinity.rule.weight.range",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"preferred_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "In", "values": ["a"], "weight": 101}]}}),
                r6336("weight"),
            ),
        ),
        (
            "nb.create.affinity.rule.weight.strong_null",
            create(
                Nb,
                json!({"pool_id": "p", "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "zone", "operator": "In", "values": ["a"], "weight": 50}]}}),
                r6336("weight"),
            ),
        ),
        (
            "nb.create.run_user.default",
            create(
                Nb,
                json!({}),
                accept(vec![
                    ("/run_user/uid", Eq(json!(1000))),
                    ("/run_user/gid", Eq(json!(100))),
                ]),
            ),
        ),
        (
            "nb.create.run_user.range",
            create(
                Nb,
                json!({"run_user": {"uid": 5, "gid": 5}}),
                r6336("run_user"),
            ),
        ),
        (
            "nb.create.run_user.root",
            create(
                Nb,
                json!({"run_user": {"uid": 0, "gid": 0}}),
                accept(vec![("/run_user/user_name", Eq(json!("root")))]),
            ),
        ),
        // ---- Notebook create and show: response fields ----
        (
            "nb.create.resp.action_progress.notebook_id",
            field(Nb, Created, "/action_progress/0/notebook_id", Str),
        ),
        (
            "nb.create.resp.description",
            field_of(Nb, rich_nb(), Created, "/description", Eq(json!("rich"))),
        ),
        (
            "nb.create.resp.endpoints.allowed_access_ips",
            field_of(
                Nb,
                rich_nb(),
                Created,
                "/endpoints/0/allowed_access_ips",
                Arr,
            ),
        ),
        (
            "nb.create.resp.endpoints.dev_service",
            field_of(
                Nb,
                rich_nb(),
                Created,
                "/endpoints/0/dev_service",
                OneOf(&["NOTEBOOK", "SSH"]),
            ),
        ),
        (
            "nb.create.resp.endpoints.service",
            field_of(
                Nb,
                rich_nb(),
                Created,
                "/endpoints/0/service",
                OneOf(&["NOTEBOOK", "SSH"]),
            ),
        ),
        (
            "nb.create.resp.endpoints.uri",
            field_of(Nb, rich_nb(), Created, "/endpoints/0/uri", Str),
        ),
        (
            "nb.create.resp.flavor",
            field(Nb, Created, "/flavor", Eq(json!("modelarts.vm.cpu.2u"))),
        ),
        (
            "nb.create.resp.custom_spec",
            field_of(Nb, custom_nb(), Created, "/custom_spec", Obj),
        ),
        (
            "nb.create.resp.custom_spec.absent",
            field(Nb, Created, "/custom_spec", Absent),
        ),
        (
            "nb.create.resp.custom_spec.gpu",
            field_of(Nb, custom_nb(), Created, "/custom_spec/gpu", Num),
        ),
        (
            "nb.create.resp.custom_spec.cpu",
            field_of(Nb, custom_nb(), Created, "/custom_spec/cpu", Num),
        ),
        (
            "nb.create.resp.custom_spec.memory",
            field_of(Nb, custom_nb(), Created, "/custom_spec/memory", Num),
        ),
        (
            "nb.create.resp.custom_spec.arch",
            field_of(
                Nb,
                custom_nb(),
                Created,
                "/custom_spec/arch",
                OneOf(&["x86_64", "AARCH64"]),
            ),
        ),
        (
            "nb.create.resp.custom_spec.category",
            field_of(
                Nb,
                custom_nb(),
                Created,
                "/custom_spec/category",
                OneOf(&["CPU", "GPU"]),
            ),
        ),
        ("nb.create.resp.image", field(Nb, Created, "/image", Obj)),
        (
            "nb.create.resp.image.arch",
            field(Nb, Created, "/image/arch", OneOf(&["X86_64", "AARCH64"])),
        ),
        (
            "nb.create.resp.image.create_at",
            field(Nb, Created, "/image/create_at", Int),
        ),
        (
            "nb.create.resp.image.description",
            field(Nb, Created, "/image/description", Str),
        ),
        (
            "nb.create.resp.image.dev_services",
            field(Nb, Created, "/image/dev_services", Arr),
        ),
        (
            "nb.create.resp.image.id",
            field(Nb, Created, "/image/id", Eq(json!(IMG))),
        ),
        (
            "nb.create.resp.image.name",
            field(Nb, Created, "/image/name", Str),
        ),
        (
            "nb.create.resp.image.namespace",
            field(Nb, Created, "/image/namespace", Str),
        ),
        (
            "nb.create.resp.image.origin",
            field(
                Nb,
                Created,
                "/image/origin",
                OneOf(&["CUSTOMIZE", "IMAGE_SAVE"]),
            ),
        ),
        (
            "nb.create.resp.image.resource_categories",
            field(
                Nb,
                Created,
                "/image/resource_categories/0",
                OneOf(&["CPU", "GPU"]),
            ),
        ),
        (
            "nb.create.resp.image.service_type",
            field(
                Nb,
                Created,
                "/image/service_type",
                OneOf(&["COMMON", "INFERENCE", "TRAIN", "DEV", "UNKNOWN"]),
            ),
        ),
        (
            "nb.create.resp.image.size",
            field(Nb, Created, "/image/size", Int),
        ),
        (
            "nb.create.resp.image.status",
            field(
                Nb,
                Created,
                "/image/status",
                OneOf(&[
                    "INIT",
                    "CREATING",
                    "CREATE_FAILED",
                    "ERROR",
                    "DELETED",
                    "ACTIVE",
                ]),
            ),
        ),
        (
            "nb.create.resp.image.support_res_categories",
            field(Nb, Created, "/image/support_res_categories", Arr),
        ),
        (
            "nb.create.resp.image.swr_path",
            field(Nb, Created, "/image/swr_path", Str),
        ),
        (
            "nb.create.resp.image.tag",
            field(Nb, Created, "/image/tag", Str),
        ),
        (
            "nb.create.resp.image.type",
            field(
                Nb,
                Created,
                "/image/type",
                OneOf(&["BUILD_IN", "DEDICATED"]),
            ),
        ),
        (
            "nb.create.resp.image.update_at",
            field(Nb, Created, "/image/update_at", Int),
        ),
        (
            "nb.create.resp.image.visibility",
            field(
                Nb,
                Created,
                "/image/visibility",
                OneOf(&["PRIVATE", "PUBLIC"]),
            ),
        ),
        (
            "nb.create.resp.image.workspace_id",
            field(Nb, Created, "/image/workspace_id", Eq(json!("0"))),
        ),
        (
            "nb.create.resp.image.flavor_type",
            field(Nb, Created, "/image/flavor_type", Str),
        ),
        (
            "nb.create.resp.lease.enable",
            field(Nb, Created, "/lease/enable", Bool),
        ),
        (
            "nb.create.resp.lease.type",
            field(Nb, Created, "/lease/type", Eq(json!("TIMING"))),
        ),
        (
            "nb.create.resp.lease.update_at",
            field(Nb, Created, "/lease/update_at", Int),
        ),
        (
            "nb.create.resp.pool",
            field_of(Nb, rich_nb(), Created, "/pool", Obj),
        ),
        (
            "nb.create.resp.pool.absent",
            field(Nb, Created, "/pool", Absent),
        ),
        (
            "nb.create.resp.pool.id",
            field_of(Nb, rich_nb(), Created, "/pool/id", Eq(json!("pool-1"))),
        ),
        (
            "nb.create.resp.pool.name",
            field_of(Nb, rich_nb(), Created, "/pool/name", Str),
        ),
        ("nb.create.resp.token", field(Nb, Created, "/token", Str)),
        ("nb.create.resp.url", field(Nb, Created, "/url", Str)),
        (
            "nb.create.resp.volume.capacity",
            field_of(
                Nb,
                json!({"volume": {"category": "EFS"}}),
                Created,
                "/volume/capacity",
                Eq(json!(50)),
            ),
        ),
        (
            "nb.create.resp.volume.mount_path",
            field(
                Nb,
                Created,
                "/volume/mount_path",
                Eq(json!("/home/ma-user/work/")),
            ),
        ),
        (
            "nb.create.resp.workspace_id",
            field(Nb, Created, "/workspace_id", Eq(json!("0"))),
        ),
        (
            "nb.create.resp.feature",
            field(Nb, Created, "/feature", Eq(json!("NOTEBOOK"))),
        ),
        (
            "nb.create.resp.billing_items",
            field(
                Nb,
                Created,
                "/billing_items/0",
                OneOf(&["STORAGE", "COMPUTE", "ALL"]),
            ),
        ),
        ("nb.create.resp.user", field(Nb, Created, "/user", Obj)),
        (
            "nb.create.resp.user.domain",
            field(Nb, Created, "/user/domain/id", Str),
        ),
        (
            "nb.create.resp.user.id_name",
            field(Nb, Created, "/user/name", Str),
        ),
        (
            "nb.create.resp.affinity",
            field_of(Nb, rich_nb(), Created, "/affinity", Obj),
        ),
        (
            "nb.create.resp.affinity.rule",
            field_of(
                Nb,
                rich_nb(),
                Created,
                "/affinity/required_during_scheduling_ignored_during_execution/0/weight",
                Absent,
            ),
        ),
        (
            "nb.create.resp.affinity.weight",
            field_of(
                Nb,
                rich_nb(),
                Created,
                "/affinity/preferred_during_scheduling_ignored_during_execution/0/weight",
                Eq(json!(10)),
            ),
        ),
        (
            "nb.create.resp.run_user",
            field(Nb, Created, "/run_user", Obj),
        ),
        (
            "nb.create.resp.run_user.fields",
            field(Nb, Created, "/run_user/group_name", Str),
        ),
        (
            "nb.create.resp.fail_reason",
            field(Nb, Created, "/fail_reason", Absent),
        ),
        (
            "nb.create.example.request1",
            create(
                Nb,
                json!({"volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 50}, "pool_id": "pool-x", "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["192.168.0.1"]}]}}),
                accept(vec![("/status", Eq(json!("CREATING")))]),
            ),
        ),
        (
            "nb.create.example.response",
            field_of(
                Nb,
                custom_nb(),
                Created,
                "/flavor",
                Eq(json!("custom.flavor.spec.code")),
            ),
        ),
        (
            "nb.show.action_progress.notebook_id",
            field(Nb, Running, "/action_progress/0/notebook_id", Str),
        ),
        (
            "nb.show.description",
            field_of(Nb, rich_nb(), Running, "/description", Str),
        ),
        (
            "nb.show.endpoints.allowed_access_ips",
            field_of(
                Nb,
                rich_nb(),
                Running,
                "/endpoints/0/allowed_access_ips/0",
                Eq(json!("1.2.3.4")),
            ),
        ),
        (
            "nb.show.endpoints.dev_service",
            field_of(
                Nb,
                rich_nb(),
                Running,
                "/endpoints/0/dev_service",
                Eq(json!("SSH")),
            ),
        ),
        (
            "nb.show.endpoints.uri",
            field_of(Nb, rich_nb(), Running, "/endpoints/0/uri", Str),
        ),
        ("nb.show.flavor", field(Nb, Running, "/flavor", Str)),
        ("nb.show.image", field(Nb, Running, "/image", Obj)),
        (
            "nb.show.image.arch",
            field(Nb, Running, "/image/arch", OneOf(&["X86_64", "AARCH64"])),
        ),
        (
            "nb.show.image.create_at",
            field(Nb, Running, "/image/create_at", Int),
        ),
        (
            "nb.show.image.description",
            field(Nb, Running, "/image/description", Str),
        ),
        (
            "nb.show.image.dev_services",
            field(
                Nb,
                Running,
                "/image/dev_services/0",
                OneOf(&["NOTEBOOK", "SSH"]),
            ),
        ),
        ("nb.show.image.id", field(Nb, Running, "/image/id", Str)),
        ("nb.show.image.name", field(Nb, Running, "/image/name", Str)),
        (
            "nb.show.image.namespace",
            field(Nb, Running, "/image/namespace", Str),
        ),
        (
            "nb.show.image.origin",
            field(
                Nb,
                Running,
                "/image/origin",
                OneOf(&["CUSTOMIZE", "IMAGE_SAVE"]),
            ),
        ),
        (
            "nb.show.image.resource_categories",
            field(
                Nb,
                Running,
                "/image/resource_categories/0",
                OneOf(&["CPU", "GPU"]),
            ),
        ),
        (
            "nb.show.image.service_type",
            field(
                Nb,
                Running,
                "/image/service_type",
                OneOf(&["COMMON", "INFERENCE", "TRAIN", "DEV", "UNKNOWN"]),
            ),
        ),
        ("nb.show.image.size", field(Nb, Running, "/image/size", Int)),
        (
            "nb.show.image.status",
            field(Nb, Running, "/image/status", Eq(json!("ACTIVE"))),
        ),
        (
            "nb.show.image.support_res_categories",
            field(
                Nb,
                Running,
                "/image/support_res_categories/0",
                OneOf(&["CPU", "GPU"]),
            ),
        ),
        (
            "nb.show.image.swr_path",
            field(Nb, Running, "/image/swr_path", Str),
        ),
        ("nb.show.image.tag", field(Nb, Running, "/image/tag", Str)),
        (
            "nb.show.image.type",
            field(
                Nb,
                Running,
                "/image/type",
                OneOf(&["BUILD_IN", "DEDICATED"]),
            ),
        ),
        (
            "nb.show.image.update_at",
            field(Nb, Running, "/image/update_at", Int),
        ),
        (
            "nb.show.image.visibility",
            field(
                Nb,
                Running,
                "/image/visibility",
                OneOf(&["PRIVATE", "PUBLIC"]),
            ),
        ),
        (
            "nb.show.image.workspace_id",
            field(Nb, Running, "/image/workspace_id", Str),
        ),
        (
            "nb.show.image.flavor_type",
            field(Nb, Running, "/image/flavor_type", Str),
        ),
        (
            "nb.show.lease.enable",
            field(Nb, Running, "/lease/enable", Eq(json!(true))),
        ),
        (
            "nb.show.lease.type",
            field(Nb, Running, "/lease/type", OneOf(&["TIMING", "IDLE"])),
        ),
        (
            "nb.show.lease.update_at",
            field(Nb, Running, "/lease/update_at", Int),
        ),
        (
            "nb.show.pool",
            field_of(Nb, rich_nb(), Running, "/pool", Obj),
        ),
        (
            "nb.show.pool.id",
            field_of(Nb, rich_nb(), Running, "/pool/id", Str),
        ),
        (
            "nb.show.pool.name",
            field_of(Nb, rich_nb(), Running, "/pool/name", Str),
        ),
        ("nb.show.token", field(Nb, Running, "/token", Str)),
        ("nb.show.url", field(Nb, Running, "/url", Str)),
        (
            "nb.show.volume.capacity.default",
            field_of(
                Nb,
                json!({"volume": {"category": "SFS"}}),
                Running,
                "/volume/capacity",
                Eq(json!(50)),
            ),
        ),
        (
            "nb.show.volume.mount_path",
            field(Nb, Running, "/volume/mount_path", Str),
        ),
        (
            "nb.show.workspace_id",
            field(Nb, Running, "/workspace_id", Str),
        ),
        (
            "nb.show.billing_items",
            field(Nb, Running, "/billing_items", Arr),
        ),
        ("nb.show.user", field(Nb, Running, "/user", Obj)),
        (
            "nb.show.user.domain",
            field(Nb, Running, "/user/domain/name", Str),
        ),
        ("nb.show.user.id_name", field(Nb, Running, "/user/id", Str)),
        (
            "nb.show.fail_reason",
            field(Nb, Failed, "/fail_reason", Str),
        ),
        (
            "nb.show.fail_reason.running",
            field(Nb, Running, "/fail_reason", Absent),
        ),
        (
            "nb.show.action_progress.failed",
            field(Nb, Failed, "/action_progress/1/status", Eq(json!("FAILED"))),
        ),
        (
            "nb.show.example",
            field(Nb, Running, "/lease/duration", Eq(json!(3_600_000))),
        ),
        // ---- DevServer create ----
        (
            "ds.create.admin_pass.type",
            create(Ds, json!({"admin_pass": 5}), r6332("admin_pass")),
        ),
        (
            "ds.create.admin_pass.length",
            create(Ds, json!({"admin_pass": "@Dev1"}), r6336("admin_pass")),
        ),
        (
            "ds.create.admin_pass.no_root_admin",
            create(
                Ds,
                json!({"admin_pass": "@Toor-Server1"}),
                r6336("admin_pass"),
            ),
        ),
        (
            "ds.create.arch.enum",
            create(Ds, json!({"arch": "MIPS"}), r6336("arch")),
        ),
        (
            "ds.create.arch.default",
            create(
                Ds,
                json!({}),
                accept(vec![("/image/arch", Eq(json!("X86")))]),
            ),
        ),
        (
            "ds.create.availability_zone",
            create(
                Ds,
                json!({"availability_zone": 1}),
                r6332("availability_zone"),
            ),
        ),
        (
            "ds.create.count.type",
            create(Ds, json!({"count": "two"}), r6332("count")),
        ),
        (
            "ds.create.count.range",
            create(Ds, json!({"count": 11}), r6336("count")),
        ),
        (
            "ds.create.enterprise_project_id",
            create(
                Ds,
                json!({"enterprise_project_id": 1}),
                r6332("enterprise_project_id"),
            ),
        ),
        (
            "ds.create.flavor.required",
            create(Ds, json!({"flavor": null}), r6335("flavor")),
        ),
        (
            "ds.create.flavor.type",
            create(Ds, json!({"flavor": 1}), r6332("flavor")),
        ),
        (
            "ds.create.flavor.exists",
            create(
                Ds,
                json!({"flavor": "no.such.flavor"}),
                refuse(400, "ModelArts.6323", "no.such.flavor"),
            ),
        ),
        (
            "ds.create.flavor.resource_flavor_xor",
            create(
                Ds,
                json!({"resource_flavor": "Si2.large.4"}),
                refuse(400, "ModelArts.0107", "resource_flavor"),
            ),
        ),
        (
            "ds.create.image_id.required",
            create(Ds, json!({"image_id": null}), r6335("image_id")),
        ),
        (
            "ds.create.image_id.exists",
            create(
                Ds,
                json!({"image_id": "00000000-0000-0000-0000-000000000000"}),
                refuse(
                    400,
                    "ModelArts.6797",
                    "00000000-0000-0000-0000-000000000000",
                ),
            ),
        ),
        (
            "ds.create.key_pair_name.type",
            create(
                Ds,
                json!({"admin_pass": null, "key_pair_name": 5}),
                r6332("key_pair_name"),
            ),
        ),
        (
            "ds.create.key_pair_name.nonempty",
            create(
                Ds,
                json!({"admin_pass": null, "key_pair_name": ""}),
                refuse(400, "ModelArts.0107", "key_pair_name"),
            ),
        ),
        (
            "ds.create.name.required",
            create(Ds, json!({"name": null}), r6335("name")),
        ),
        (
            "ds.create.name.length",
            create(Ds, json!({"name": long(65)}), r6336("name")),
        ),
        (
            "ds.create.name.charset",
            create(
                Ds,
                json!({"name": "a b"}),
                refuse(400, "ModelArts.6334", "name"),
            ),
        ),
        (
            "ds.create.network.required",
            create(Ds, json!({"network": null}), r6335("network")),
        ),
        (
            "ds.create.network.type",
            create(Ds, json!({"network": "v"}), r6332("network")),
        ),
        (
            "ds.create.network.ipv6_enable",
            create(
                Ds,
                json!({"network": {"ipv6_enable": "yes"}}),
                r6332("network.ipv6_enable"),
            ),
        ),
        (
            "ds.create.network.roce_id",
            create(
                Ds,
                json!({"network": {"roce_id": 1}}),
                r6332("network.roce_id"),
            ),
        ),
        (
            "ds.create.network.security_group_id",
            create(
                Ds,
                json!({"network": {"security_group_id": null}}),
                r6335("network.security_group_id"),
            ),
        ),
        (
            "ds.create.network.subnet_id",
            create(
                Ds,
                json!({"network": {"subnet_id": null}}),
                r6335("network.subnet_id"),
            ),
        ),
        (
            "ds.create.network.vpc_id",
            create(
                Ds,
                json!({"network": {"vpc_id": null}}),
                r6335("network.vpc_id"),
            ),
        ),
        (
            "ds.create.root_volume.object",
            create(Ds, json!({"root_volume": 100}), r6332("root_volume")),
        ),
        (
            "ds.create.root_volume.size",
            create(
                Ds,
                json!({"root_volume": {"size": 50}}),
                r6336("root_volume.size"),
            ),
        ),
        (
            "ds.create.root_volume.type",
            create(
                Ds,
                json!({"root_volume": {"type": "TAPE"}}),
                r6336("root_volume.type"),
            ),
        ),
        (
            "ds.create.server_type.enum",
            create(Ds, json!({"server_type": "VM"}), r6336("server_type")),
        ),
        (
            "ds.create.server_type.default",
            create(
                Ds,
                json!({}),
                accept(vec![("/cloud_server/type", Eq(json!("ECS")))]),
            ),
        ),
        (
            "ds.create.consistency.arch_vs_image",
            create(Ds, json!({"image_id": ARM_IMG}), r6336("image_id")),
        ),
        (
            "ds.create.consistency.arch_vs_flavor",
            create(
                Ds,
                json!({"arch": "ARM", "image_id": ARM_IMG}),
                r6336("arch"),
            ),
        ),
        (
            "ds.create.consistency.server_type_vs_flavor",
            create(Ds, json!({"server_type": "BMS"}), r6336("server_type")),
        ),
        (
            "ds.create.consistency.server_type_vs_image",
            create(
                Ds,
                json!({"flavor": BMS_FLAVOR, "image_id": ARM_IMG}),
                r6336("image_id"),
            ),
        ),
        (
            "ds.create.userdata",
            create(Ds, json!({"userdata": "not base64!"}), r6336("userdata")),
        ),
        (
            "ds.create.charging_info.charging_mode.enum",
            create(
                Ds,
                json!({"charging_info": {"charging_mode": "FREE", "period_type": "MONTH", "period_num": 1}}),
                r6336("charging_info.charging_mode"),
            ),
        ),
        (
            "ds.create.charging_info.is_auto_renew",
            create(
                Ds,
                json!({"charging_info": {"charging_mode": "PRE_PAID", "period_type": "MONTH", "period_num": 1, "is_auto_renew": "yes"}}),
                r6332("charging_info.is_auto_renew"),
            ),
        ),
        (
            "ds.create.charging_info.period_num.type",
            create(
                Ds,
                json!({"charging_info": {"charging_mode": "PRE_PAID", "period_type": "MONTH", "period_num": "one"}}),
                r6332("charging_info.period_num"),
            ),
        ),
        (
            "ds.create.charging_info.period_type.enum",
            create(
                Ds,
                json!({"charging_info": {"charging_mode": "PRE_PAID", "period_type": "DECADE", "period_num": 1}}),
                r6336("charging_info.period_type"),
            ),
        ),
        (
            "ds.create.resp.create_at",
            field(Ds, Created, "/create_at", Int),
        ),
        (
            "ds.create.resp.update_at",
            field(Ds, Created, "/update_at", Int),
        ),
        (
            "ds.create.resp.cloud_server",
            field(Ds, Created, "/cloud_server", Obj),
        ),
        (
            "ds.create.resp.cloud_server.id",
            field(Ds, Created, "/cloud_server/id", Str),
        ),
        (
            "ds.create.resp.cloud_server.type",
            field(Ds, Created, "/cloud_server/type", OneOf(&["BMS", "ECS"])),
        ),
        (
            "ds.create.resp.endpoints_response",
            field_of(
                Ds,
                json!({"admin_pass": null, "key_pair_name": "kp"}),
                Created,
                "/endpoints_response/0/ssh_keys/0",
                Eq(json!("kp")),
            ),
        ),
        (
            "ds.create.resp.endpoints_response[].dev_service",
            field(
                Ds,
                Created,
                "/endpoints_response/0/dev_service",
                OneOf(&[
                    "NOTEBOOK",
                    "SSH",
                    "AI_FLOW",
                    "MA_STUDIO",
                    "TENSOR_BOARD",
                    "WEB_IDE",
                ]),
            ),
        ),
        (
            "ds.create.resp.flavor",
            field(Ds, Created, "/flavor", Eq(json!("Si2.large.4"))),
        ),
        (
            "ds.create.resp.key_pair_name",
            field_of(
                Ds,
                json!({"admin_pass": null, "key_pair_name": "kp"}),
                Created,
                "/key_pair_name",
                Eq(json!("kp")),
            ),
        ),
        ("ds.create.resp.name", field(Ds, Created, "/name", Str)),
        (
            "ds.create.resp.status",
            field(Ds, Created, "/status", Eq(json!("CREATING"))),
        ),
        (
            "ds.create.resp.vpc_id",
            field(Ds, Created, "/vpc_id", Eq(json!("v"))),
        ),
        (
            "ds.create.resp.endpoints[].dev_service",
            field(
                Ds,
                Created,
                "/endpoints/0/dev_service",
                OneOf(&["NOTEBOOK", "SSH"]),
            ),
        ),
        (
            "ds.create.resp.endpoints[].ssh_keys",
            field_of(
                Ds,
                json!({"admin_pass": null, "key_pair_name": "kp"}),
                Created,
                "/endpoints/0/ssh_keys/0",
                Eq(json!("kp")),
            ),
        ),
        (
            "ds.create.resp.endpoints[].service",
            field(
                Ds,
                Created,
                "/endpoints/0/service",
                OneOf(&["NOTEBOOK", "SSH"]),
            ),
        ),
        (
            "ds.create.resp.endpoints[].uri",
            field(Ds, Created, "/endpoints/0/uri", Str),
        ),
        (
            "ds.create.resp.endpoints[].key_pair_names",
            field_of(
                Ds,
                json!({"admin_pass": null, "key_pair_name": "kp"}),
                Created,
                "/endpoints/0/key_pair_names/0",
                Eq(json!("kp")),
            ),
        ),
        ("ds.create.resp.image", field(Ds, Created, "/image", Obj)),
        (
            "ds.create.resp.image.name",
            field(Ds, Created, "/image/name", Str),
        ),
        (
            "ds.create.resp.image.server_type",
            field(Ds, Created, "/image/server_type", OneOf(&["BMS", "ECS"])),
        ),
        (
            "ds.create.resp.nulls",
            field(Ds, Created, "/order_id", Absent),
        ),
        (
            "ds.status.CREATING",
            field(Ds, Created, "/status", Eq(json!("CREATING"))),
        ),
        (
            "ds.status.CREATE_FAILED",
            field(Ds, Failed, "/status", Eq(json!("CREATE_FAILED"))),
        ),
        (
            "ds.status.RUNNING",
            field(Ds, Running, "/status", Eq(json!("RUNNING"))),
        ),
        // ---- DevEnviron update (seed 004) ----
        (
            "de.update.path.instance_id",
            Case::Call {
                method: "PUT",
                path: "/demanager/instances/DE-nope".into(),
                body: Some(json!({"description": "x"})),
                want: (400, "ModelArts.6309", "error_message"),
            },
        ),
        (
            "de.update.body.object",
            update(De, json!([1]), r6332("body")),
        ),
        (
            "de.update.description.type",
            update(De, json!({"description": 1}), r6332("description")),
        ),
        (
            "de.update.description.max_len",
            update(De, json!({"description": long(513)}), r6336("description")),
        ),
        (
            "de.update.description.forbidden_chars",
            update(
                De,
                json!({"description": "a&b"}),
                refuse(400, "ModelArts.6334", "description"),
            ),
        ),
        (
            "de.update.description.applied",
            update(
                De,
                json!({"description": "changed"}),
                accept(vec![("/description", Eq(json!("changed")))]),
            ),
        ),
        (
            "de.update.spec.type",
            update(De, json!({"spec": 1}), r6332("spec")),
        ),
        (
            "de.update.spec.only_auto_stop",
            update(
                De,
                json!({"spec": {"storage": {"type": "evs"}}}),
                r6336("spec.storage"),
            ),
        ),
        (
            "de.update.auto_stop.type",
            update(
                De,
                json!({"spec": {"auto_stop": 1}}),
                r6332("spec.auto_stop"),
            ),
        ),
        (
            "de.update.auto_stop.enable.type",
            update(
                De,
                json!({"spec": {"auto_stop": {"enable": "yes"}}}),
                r6332("spec.auto_stop.enable"),
            ),
        ),
        (
            "de.update.auto_stop.enable.default",
            update(
                De,
                json!({"spec": {"auto_stop": {"prompt": false}}}),
                accept(vec![("/spec/auto_stop/enable", Eq(json!(false)))]),
            ),
        ),
        (
            "de.update.auto_stop.duration.type",
            update(
                De,
                json!({"spec": {"auto_stop": {"enable": true, "duration": "1h"}}}),
                r6332("spec.auto_stop.duration"),
            ),
        ),
        (
            "de.update.auto_stop.duration.required_if_enabled",
            update(
                De,
                json!({"spec": {"auto_stop": {"enable": true}}}),
                refuse(400, "ModelArts.6348", "duration"),
            ),
        ),
        (
            "de.update.auto_stop.duration.range",
            update(
                De,
                json!({"spec": {"auto_stop": {"enable": false, "duration": 5}}}),
                refuse(400, "ModelArts.6349", "duration"),
            ),
        ),
        (
            "de.update.auto_stop.prompt",
            update(
                De,
                json!({"spec": {"auto_stop": {"enable": true, "duration": 3600}}}),
                accept(vec![("/spec/auto_stop/prompt", Eq(json!(true)))]),
            ),
        ),
        (
            "de.update.resp.name",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/name", Str)]),
            ),
        ),
        (
            "de.update.resp.description",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/description", Str)]),
            ),
        ),
        (
            "de.update.resp.status",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/status", Eq(json!("RUNNING")))]),
            ),
        ),
        (
            "de.update.resp.latest_update_timestamp",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/latest_update_timestamp", Millis)]),
            ),
        ),
        (
            "de.update.resp.profile",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/profile/de_type", Eq(json!("Notebook")))]),
            ),
        ),
        (
            "de.update.resp.profile.provision",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![
                    ("/profile/provision/annotations/flavor", Str),
                    ("/profile/provision/spec/params/annotations", Null),
                ]),
            ),
        ),
        (
            "de.update.resp.flavor",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/flavor", Eq(json!("modelarts.vm.cpu.2u")))]),
            ),
        ),
        (
            "de.update.resp.flavor_details.name/status/type/promo_type/is_permitted",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![
                    ("/flavor_details/status", OneOf(&["onSale", "soldOut"])),
                    ("/flavor_details/is_permitted", Bool),
                ]),
            ),
        ),
        (
            "de.update.resp.flavor_details.queuing_num/queue_left_time",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/flavor_details/queuing_num", Int)]),
            ),
        ),
        (
            "de.update.resp.flavor_details.storage_list",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![(
                    "/flavor_details/storage_list/0",
                    OneOf(&["obs", "evs", "efs"]),
                )]),
            ),
        ),
        (
            "de.update.resp.flavor_details.params",
            field_of(
                De,
                json!({"profile_id": "Multi-Engine 1.0 (python3)-gpu", "flavor": "modelarts.bm.gpu.v100NV32"}),
                Running,
                "/flavor_details/params/gpu_type",
                Eq(json!("v100NV32")),
            ),
        ),
        (
            "de.update.resp.flavor_details.instance_num",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/flavor_details/instance_num", Int)]),
            ),
        ),
        (
            "de.update.resp.flavor_details.store_time",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/flavor_details/store_time", Eq(json!(-1)))]),
            ),
        ),
        (
            "de.update.resp.pool",
            field_of(
                De,
                json!({"pool": {"id": "p", "type": "USER_DEFINED"}}),
                Running,
                "/pool/owner/project_id",
                Eq(json!(PROJECT)),
            ),
        ),
        (
            "de.update.resp.spec.log_path",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/spec/log_path", Str)]),
            ),
        ),
        (
            "de.update.resp.spec.storage",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![(
                    "/spec/storage/location/volume_unit",
                    Eq(json!("GB")),
                )]),
            ),
        ),
        (
            "de.update.resp.spec.repository",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/spec/repository", Null)]),
            ),
        ),
        (
            "de.update.resp.spec.annotations",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/spec/annotations/target_domain", Str)]),
            ),
        ),
        (
            "de.update.resp.spec.extend_params",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/spec/extend_params", Null)]),
            ),
        ),
        (
            "de.update.resp.workspace",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/workspace/id", Eq(json!("0")))]),
            ),
        ),
        (
            "de.update.resp.ai_project",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/ai_project/id", Str)]),
            ),
        ),
        (
            "de.update.resp.user",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![("/user/name", Str)]),
            ),
        ),
        (
            "de.update.error.apig_on_matched_template",
            Case::Call {
                method: "PATCH",
                path: "/demanager/instances".into(),
                body: None,
                want: (404, "APIG.0101", "error_msg"),
            },
        ),
        (
            "ds.errors.injected.legacy_shape",
            Case::Call {
                method: "POST",
                path: "/v1/ffffffffffffffffffffffffffffffff/demanager/instances".into(),
                body: Some(Kind::De.base()),
                want: (403, "ModelArts.0210", "error_message"),
            },
        ),
        // ---- DevEnviron create (seed 002) ----
        (
            "de.create.name.required",
            create(De, json!({"name": null}), r6335("name")),
        ),
        (
            "de.create.name.type",
            create(De, json!({"name": 1}), r6332("name")),
        ),
        (
            "de.create.name.length",
            create(De, json!({"name": long(65)}), r6336("name")),
        ),
        (
            "de.create.name.charset",
            create(
                De,
                json!({"name": "a.b"}),
                refuse(400, "ModelArts.6334", "name"),
            ),
        ),
        (
            "de.create.profile_id.required",
            create(De, json!({"profile_id": null}), r6335("profile_id")),
        ),
        (
            "de.create.profile_id.type",
            create(De, json!({"profile_id": 1}), r6332("profile_id")),
        ),
        (
            "de.create.profile_id.enum",
            create(
                De,
                json!({"profile_id": "Multi-Engine 9.0"}),
                r6336("profile_id"),
            ),
        ),
        (
            "de.create.description.default",
            create(De, json!({}), accept(vec![("/description", Eq(json!("")))])),
        ),
        (
            "de.create.description.type",
            create(De, json!({"description": 1}), r6332("description")),
        ),
        (
            "de.create.description.length",
            create(De, json!({"description": long(513)}), r6336("description")),
        ),
        (
            "de.create.description.chars",
            create(
                De,
                json!({"description": "a<b"}),
                refuse(400, "ModelArts.6334", "description"),
            ),
        ),
        (
            "de.create.flavor.required",
            create(De, json!({"flavor": null}), r6335("flavor")),
        ),
        (
            "de.create.flavor.type",
            create(De, json!({"flavor": 1}), r6332("flavor")),
        ),
        (
            "de.create.flavor.enum",
            create(
                De,
                json!({"flavor": "modelarts.vm.cpu.64u"}),
                refuse(400, "ModelArts.6323", "modelarts.vm.cpu.64u"),
            ),
        ),
        (
            "de.create.spec.required",
            create(De, json!({"spec": null}), r6335("spec")),
        ),
        (
            "de.create.spec.type",
            create(De, json!({"spec": "evs"}), r6332("spec")),
        ),
        (
            "de.create.workspace.default",
            create(
                De,
                json!({}),
                accept(vec![("/workspace/id", Eq(json!("0")))]),
            ),
        ),
        (
            "de.create.workspace.id.type",
            create(De, json!({"workspace": {"id": 0}}), r6332("workspace.id")),
        ),
        (
            "de.create.pool.type",
            create(De, json!({"pool": "p"}), r6332("pool")),
        ),
        (
            "de.create.pool.id.required",
            create(De, json!({"pool": {"name": "p"}}), r6335("pool.id")),
        ),
        (
            "de.create.pool.type_name.type",
            create(
                De,
                json!({"pool": {"id": "p", "name": 1}}),
                r6332("pool.name"),
            ),
        ),
        (
            "de.create.pool.owner.type",
            create(
                De,
                json!({"pool": {"id": "p", "owner": "me"}}),
                r6332("pool.owner"),
            ),
        ),
        (
            "de.create.pool.owner.project_id.type",
            create(
                De,
                json!({"pool": {"id": "p", "owner": {"project_id": 5}}}),
                r6332("pool.owner.project_id"),
            ),
        ),
        (
            "de.create.ai_project.default",
            create(De, json!({}), accept(vec![("/ai_project/id", Str)])),
        ),
        (
            "de.create.ai_project.id.type",
            create(De, json!({"ai_project": {"id": 1}}), r6332("ai_project.id")),
        ),
        (
            "de.create.spec.storage.required",
            create(
                De,
                json!({"spec": {"storage": "$null"}}),
                r6335("spec.storage"),
            ),
        ),
        (
            "de.create.spec.storage.type_object",
            create(
                De,
                json!({"spec": {"storage": "evs"}}),
                r6332("spec.storage"),
            ),
        ),
        (
            "de.create.spec.extend_storage.type",
            create(
                De,
                json!({"pool": {"id": "p"}, "spec": {"extend_storage": {"type": "obsfs"}}}),
                r6332("spec.extend_storage"),
            ),
        ),
        (
            "de.create.spec.extend_storage.obsfs_only",
            create(
                De,
                json!({"pool": {"id": "p"}, "spec": {"extend_storage": [{"type": "evs"}]}}),
                r6336("spec.extend_storage[0].type"),
            ),
        ),
        (
            "de.create.spec.obsfs.dedicated_pool",
            create(
                De,
                json!({"spec": {"storage": {"type": "obsfs", "location": {"path": "bkt"}}}}),
                r6336("'pool'"),
            ),
        ),
        (
            "de.create.spec.obsfs.extend_dedicated_pool",
            create(
                De,
                json!({"spec": {"extend_storage": [{"type": "obsfs", "location": {"path": "bkt"}}]}}),
                r6336("'pool'"),
            ),
        ),
        (
            "de.create.spec.auto_stop.type",
            create(
                De,
                json!({"spec": {"auto_stop": true}}),
                r6332("spec.auto_stop"),
            ),
        ),
        (
            "de.create.spec.annotations.type",
            create(
                De,
                json!({"spec": {"annotations": {"a": 1}}}),
                r6332("spec.annotations"),
            ),
        ),
        (
            "de.create.spec.annotations.default",
            create(De, json!({}), accept(vec![("/spec/annotations", Obj)])),
        ),
        (
            "de.create.storage.type.required",
            create(
                De,
                json!({"spec": {"storage": {"type": null}}}),
                r6335("spec.storage.type"),
            ),
        ),
        (
            "de.create.storage.type.enum",
            create(
                De,
                json!({"spec": {"storage": {"type": "EVS"}}}),
                r6336("spec.storage.type"),
            ),
        ),
        (
            "de.create.storage.location.required_if_obs",
            create(
                De,
                json!({"spec": {"storage": {"type": "obs"}}}),
                r6335("spec.storage.location.path"),
            ),
        ),
        (
            "de.create.storage.location.type",
            create(
                De,
                json!({"spec": {"storage": {"type": "evs", "location": "here"}}}),
                r6332("spec.storage.location"),
            ),
        ),
        (
            "de.create.location.path.type",
            create(
                De,
                json!({"spec": {"storage": {"type": "obs", "location": {"path": 1}}}}),
                r6332("spec.storage.location.path"),
            ),
        ),
        (
            "de.create.location.path.obs.required",
            create(
                De,
                json!({"spec": {"storage": {"type": "obs", "location": {}}}}),
                r6335("spec.storage.location.path"),
            ),
        ),
        (
            "de.create.location.path.obs.not_root",
            create(
                De,
                json!({"spec": {"storage": {"type": "obs", "location": {"path": "/bucket/"}}}}),
                refuse(400, "ModelArts.6318", "root"),
            ),
        ),
        (
            "de.create.location.path.obsfs",
            create(
                De,
                json!({"pool": {"id": "p"}, "spec": {"storage": {"type": "obsfs", "location": {"path": "bkt/sub/dir"}}}}),
                r6336("spec.storage.location.path"),
            ),
        ),
        (
            "de.create.location.path.evs",
            create(
                De,
                json!({"spec": {"storage": {"type": "evs", "location": {"path": "/anything"}}}}),
                accept(vec![(
                    "/spec/storage/location/path",
                    Eq(json!("/home/ma-user/work")),
                )]),
            ),
        ),
        (
            "de.create.location.volume_size.type",
            create(
                De,
                json!({"spec": {"storage": {"type": "evs", "location": {"volume_size": "5GB"}}}}),
                r6332("spec.storage.location.volume_size"),
            ),
        ),
        (
            "de.create.location.volume_size.range",
            create(
                De,
                json!({"spec": {"storage": {"type": "evs", "location": {"volume_size": 5000}}}}),
                refuse(400, "ModelArts.6331", "4096"),
            ),
        ),
        (
            "de.create.location.volume_size.default",
            create(
                De,
                json!({}),
                accept(vec![("/spec/storage/location/volume_size", Eq(json!(5)))]),
            ),
        ),
        (
            "de.create.location.volume_size.obs_unused",
            create(
                De,
                json!({"spec": {"storage": {"type": "obs", "location": {"path": "/bucket/dir/", "volume_size": 9999}}}}),
                accept(vec![("/spec/storage/location/volume_size", Absent)]),
            ),
        ),
        (
            "de.create.location.mount_path",
            create(
                De,
                json!({"pool": {"id": "p"}, "spec": {"storage": {"type": "obsfs", "location": {"path": "bkt"}}}}),
                accept(vec![(
                    "/spec/storage/location/mount_path",
                    Eq(json!("/home/ma-user/work")),
                )]),
            ),
        ),
        (
            "de.create.auto_stop.enable",
            create(
                De,
                json!({}),
                accept(vec![("/spec/auto_stop/enable", Eq(json!(false)))]),
            ),
        ),
        (
            "de.create.auto_stop.duration.type",
            create(
                De,
                json!({"spec": {"auto_stop": {"enable": true, "duration": 1.5}}}),
                r6332("spec.auto_stop.duration"),
            ),
        ),
        (
            "de.create.auto_stop.duration.range",
            create(
                De,
                json!({"spec": {"auto_stop": {"enable": false, "duration": 10}}}),
                refuse(400, "ModelArts.6349", "duration"),
            ),
        ),
        (
            "de.create.auto_stop.duration.required_if_enabled",
            create(
                De,
                json!({"spec": {"auto_stop": {"enable": true}}}),
                refuse(400, "ModelArts.6348", "duration"),
            ),
        ),
        (
            "de.create.auto_stop.prompt",
            create(
                De,
                json!({}),
                accept(vec![("/spec/auto_stop/prompt", Eq(json!(true)))]),
            ),
        ),
        ("de.resp.name", field(De, Created, "/name", Str)),
        (
            "de.resp.description",
            field(De, Created, "/description", Str),
        ),
        (
            "de.resp.status",
            field(De, Created, "/status", Eq(json!("CREATING"))),
        ),
        (
            "de.resp.latest_update_timestamp",
            field(De, Created, "/latest_update_timestamp", Millis),
        ),
        (
            "de.resp.profile",
            field(
                De,
                Created,
                "/profile/id",
                Eq(json!("Multi-Engine 1.0 (python3)-cpu")),
            ),
        ),
        (
            "de.resp.profile.de_type",
            field(De, Created, "/profile/de_type", Eq(json!("Notebook"))),
        ),
        (
            "de.resp.profile.flavor_type",
            field(
                De,
                Created,
                "/profile/flavor_type",
                OneOf(&["CPU", "GPU", "Ascend"]),
            ),
        ),
        (
            "de.resp.profile.provision",
            field(De, Created, "/profile/provision/type", Eq(json!("Docker"))),
        ),
        (
            "de.resp.profile.provision.spec.params",
            field(
                De,
                Created,
                "/profile/provision/spec/params/image_name",
                Str,
            ),
        ),
        (
            "de.resp.profile.labels",
            field(De, Created, "/profile/labels", Obj),
        ),
        (
            "de.resp.flavor",
            field(De, Created, "/flavor", Eq(json!("modelarts.vm.cpu.2u"))),
        ),
        (
            "de.resp.flavor_details",
            field(De, Created, "/flavor_details", Obj),
        ),
        (
            "de.resp.flavor_details.storage_list",
            field(
                De,
                Created,
                "/flavor_details/storage_list",
                Eq(json!(["obs", "evs", "efs"])),
            ),
        ),
        (
            "de.resp.flavor_details.is_permitted",
            field(De, Created, "/flavor_details/is_permitted", Bool),
        ),
        (
            "de.resp.flavor_details.params",
            field_of(
                De,
                json!({"profile_id": "Multi-Engine 1.0 (python3)-gpu", "flavor": "modelarts.bm.gpu.v100NV32"}),
                Created,
                "/flavor_details/params/gpu_type",
                Eq(json!("v100NV32")),
            ),
        ),
        (
            "de.resp.flavor_details.instance_num",
            field_of(
                De,
                json!({"flavor": "modelarts.vm.cpu.8u", "profile_id": "Multi-Engine 2.0 (python3)"}),
                Created,
                "/flavor_details/instance_num",
                Eq(json!(1)),
            ),
        ),
        (
            "de.resp.flavor_details.optional_rest",
            field(De, Created, "/flavor_details/store_time", Eq(json!(-1))),
        ),
        (
            "de.resp.pool",
            field_of(
                De,
                json!({"pool": {"id": "p", "name": "n", "type": "USER_DEFINED", "owner": {"project_id": "other"}}}),
                Created,
                "/pool/owner/project_id",
                Eq(json!("other")),
            ),
        ),
        (
            "de.resp.pool.owner.required_if_user_defined",
            field_of(
                De,
                json!({"pool": {"id": "p", "type": "USER_DEFINED"}}),
                Created,
                "/pool/owner/project_id",
                Eq(json!(PROJECT)),
            ),
        ),
        (
            "de.resp.spec.log_path",
            field(De, Created, "/spec/log_path", Str),
        ),
        (
            "de.resp.spec.extend_storage",
            field(De, Created, "/spec/extend_storage", Null),
        ),
        (
            "de.resp.spec.storage",
            field(
                De,
                Created,
                "/spec/storage/location/path",
                Eq(json!("/home/ma-user/work")),
            ),
        ),
        (
            "de.resp.spec.repository",
            field(De, Created, "/spec/repository", Null),
        ),
        (
            "de.resp.spec.failed_reasons.on_failure",
            field(De, Failed, "/spec/failed_reasons/code", Str),
        ),
        (
            "de.resp.spec.failed_reasons.null",
            field(De, Running, "/spec/failed_reasons", Null),
        ),
        (
            "de.resp.spec.annotations",
            field(De, Running, "/spec/annotations/url", Str),
        ),
        (
            "de.resp.spec.annotations.url",
            field(De, Created, "/spec/annotations/url", Eq(json!(""))),
        ),
        (
            "de.resp.spec.extend_params",
            field(De, Created, "/spec/extend_params", Null),
        ),
        (
            "de.resp.workspace",
            field(De, Created, "/workspace/id", Str),
        ),
        (
            "de.resp.ai_project",
            field(De, Created, "/ai_project/id", Str),
        ),
        (
            "de.resp.error_code",
            field(De, Failed, "/error_code", Eq(json!("ModelArts.6200"))),
        ),
        (
            "de.resp.error_code.running",
            field(De, Running, "/error_code", Absent),
        ),
        ("de.resp.user", field(De, Created, "/user/id", Str)),
        (
            "de.resp.repository",
            field(De, Created, "/repository", Absent),
        ),
        (
            "de.err.shape.body_not_object",
            Case::Call {
                method: "POST",
                path: "/demanager/instances".into(),
                body: Some(json!([1])),
                want: (400, "ModelArts.6332", "error_message"),
            },
        ),
        (
            "de.err.shape.project_mismatch",
            Case::Call {
                method: "GET",
                path: "/v1/ffffffffffffffffffffffffffffffff/demanager/instances?de_type=Notebook"
                    .into(),
                body: None,
                want: (403, "ModelArts.0210", "error_message"),
            },
        ),
        (
            "de.err.shape.unknown_route.no_template",
            Case::Call {
                method: "GET",
                path: "/demanager/instances/x/token".into(),
                body: None,
                want: (404, "APIG.0101", "error_msg"),
            },
        ),
        (
            "de.err.shape.unknown_route.known_template",
            Case::Call {
                method: "PATCH",
                path: "/demanager/instances/x".into(),
                body: None,
                want: (404, "APIG.0101", "error_msg"),
            },
        ),
        // ---- Deliberate deviations, and rows added in round two ----
        (
            "nb.create.pool_id.valid",
            create(
                Nb,
                json!({"pool_id": "pool-anything"}),
                accept(vec![("/pool/name", Str)]),
            ),
        ),
        (
            "nb.create.resp.lease.create_at",
            field(Nb, Running, "/lease/create_at", Int),
        ),
        (
            "nb.show.lease.create_at",
            field(Nb, Running, "/lease/create_at", Int),
        ),
        (
            "nb.create.example.request2",
            create(
                Nb,
                json!({"flavor": null, "pool_id": "pool-x", "custom_spec": {"gpu": 1, "cpu": 0.5, "memory": 40}}),
                r6336("custom_spec.memory"),
            ),
        ),
        (
            "nb.show.status.404",
            Case::Call {
                method: "GET",
                path: "/notebooks/00000000-0000-0000-0000-000000000000".into(),
                body: None,
                want: (400, "ModelArts.6309", "error_msg"),
            },
        ),
        (
            "nb.show.status.200",
            field(Nb, Running, "/status", Eq(json!("RUNNING"))),
        ),
        (
            "nb.show.volume.capacity.max",
            create(
                Nb,
                json!({"volume": {"category": "SFS", "ownership": "MANAGED", "capacity": 5000}}),
                r6336("volume.capacity"),
            ),
        ),
        (
            "nb.show.volume.category.enum",
            create(
                Nb,
                json!({"volume": {"category": "OBS", "ownership": "DEDICATED", "uri": "obs://b/d/"}}),
                accept(vec![("/volume/category", Eq(json!("OBS")))]),
            ),
        ),
        (
            "nb.show.volume.ownership.dedicated_efs",
            create(
                Nb,
                json!({"volume": {"category": "OBSFS", "ownership": "DEDICATED", "uri": "obs://b/"}}),
                accept(vec![("/volume/ownership", Eq(json!("DEDICATED")))]),
            ),
        ),
        (
            "ds.create.resp.example.creating_shape",
            field(Ds, Created, "/endpoints/0/uri", Str),
        ),
        (
            "ds.create.resp.extra",
            field(Ds, Created, "/resource_flavor", Eq(json!("Si2.large.4"))),
        ),
        (
            "ds.endpoints.key_pair_names_vs_ssh_keys",
            field_of(
                Ds,
                json!({"admin_pass": null, "key_pair_name": "kp"}),
                Running,
                "/endpoints/0/key_pair_names/0",
                Eq(json!("kp")),
            ),
        ),
        (
            "ds.consistency.images_endpoint_vs_create",
            create(
                Ds,
                json!({"flavor": BMS_FLAVOR, "image_id": "0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"}),
                accept(vec![("/cloud_server/type", Eq(json!("BMS")))]),
            ),
        ),
        (
            "de.update.path.project_id",
            Case::Call {
                method: "PUT",
                path: "/v1/ffffffffffffffffffffffffffffffff/demanager/instances/DE-x".into(),
                body: Some(json!({})),
                want: (403, "ModelArts.0210", "error_message"),
            },
        ),
        (
            "de.update.resp.flavor_details.billing_flavor/billing_params",
            update(
                De,
                json!({"description": "n"}),
                accept(vec![
                    ("/flavor_details/billing_flavor", Absent),
                    ("/flavor_details/billing_params", Absent),
                ]),
            ),
        ),
        (
            "de.create.location.access_modes",
            create(
                De,
                json!({"pool": {"id": "p"}, "spec": {"storage": {"type": "obsfs", "location": {"path": "bkt", "access_modes": "ReadWriteOnce"}}}}),
                r6336("spec.storage.location.access_modes"),
            ),
        ),
        (
            "de.resp.flavor_details.status",
            field(
                De,
                Created,
                "/flavor_details/status",
                OneOf(&["onSale", "soldOut"]),
            ),
        ),
        (
            "de.resp.flavor_details.type",
            field(
                De,
                Created,
                "/flavor_details/type",
                OneOf(&["GPU", "CPU", "ASCEND"]),
            ),
        ),
        (
            "de.resp.flavor_details.promo_type",
            field(
                De,
                Created,
                "/flavor_details/promo_type",
                OneOf(&["Free", "NoDiscount"]),
            ),
        ),
        (
            "de.resp.spec.custom_script_path",
            field(De, Created, "/spec/custom_script_path", Absent),
        ),
        (
            "de.resp.spec.credential",
            field(De, Created, "/spec/credential", Absent),
        ),
        (
            "de.resp.spec.resource_reserved_timestamp",
            field(De, Created, "/spec/resource_reserved_timestamp", Absent),
        ),
        (
            "de.err.shape.body_too_large_413",
            Case::Call {
                method: "POST",
                path: "/demanager/instances".into(),
                body: Some(json!({"name": " ".repeat(2 << 20)})),
                want: (413, "APIG.0201", "error_msg"),
            },
        ),
        ("nb.create.resp.id", field(Nb, Created, "/id", Str)),
        (
            "nb.create.resp.status",
            field(Nb, Created, "/status", Eq(json!("CREATING"))),
        ),
        (
            "nb.create.resp.status_code",
            create(Nb, json!({}), accept(vec![])),
        ),
        ("nb.create.resp.volume", field(Nb, Created, "/volume", Obj)),
        (
            "nb.create.resp.volume.category",
            field_of(
                Nb,
                json!({"volume": {"category": "evs"}}),
                Created,
                "/volume/category",
                Eq(json!("EVS")),
            ),
        ),
        (
            "nb.create.resp.volume.ownership",
            field_of(
                Nb,
                json!({"volume": {"ownership": "managed"}}),
                Created,
                "/volume/ownership",
                Eq(json!("MANAGED")),
            ),
        ),
        (
            "nb.create.volume.ownership.enum",
            create(
                Nb,
                json!({"volume": {"ownership": "SHARED"}}),
                r6336("volume.ownership"),
            ),
        ),
        ("nb.show.id_field", field(Nb, Running, "/id", Str)),
        ("nb.show.status", field(Nb, Running, "/status", Str)),
        (
            "nb.show.status.CREATING",
            field(Nb, Created, "/status", Eq(json!("CREATING"))),
        ),
        (
            "nb.show.volume",
            field(Nb, Running, "/volume/category", Eq(json!("EVS"))),
        ),
        (
            "de.update.auto_stop.duration.each_startup",
            field_of(
                De,
                json!({"spec": {"auto_stop": {"enable": true, "duration": 3600}}}),
                Running,
                "/spec/auto_stop/remain_time",
                Int,
            ),
        ),
        (
            "nb.show.volume.ownership.enum",
            field(
                Nb,
                Running,
                "/volume/ownership",
                OneOf(&["MANAGED", "DEDICATED"]),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.all",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["0.0.0.0/0"]}]}),
                accept(vec![]),
            ),
        ),
        (
            "nb.create.endpoints.allowed_access_ips.mapped",
            create(
                Nb,
                json!({"endpoints": [{"service": "SSH", "key_pair_names": ["kp"], "allowed_access_ips": ["::ffff:10.0.0.1"]}]}),
                r6336("endpoints[0].allowed_access_ips"),
            ),
        ),
        (
            "nb.create.hooks.config.script.word",
            create(
                Nb,
                json!({"hooks": {"container_hooks": {"pre_start": {"script": "echo"}}}}),
                r6336("hooks.container_hooks.pre_start.script"),
            ),
        ),
        (
            "ds.create.resp.endpoints_response[].ssh_keys",
            field_of(
                Ds,
                json!({"admin_pass": null, "key_pair_name": "kp"}),
                Running,
                "/endpoints_response/0/ssh_keys",
                Eq(json!(["kp"])),
            ),
        ),
        (
            "de.update.resp.error_code",
            field(De, Failed, "/error_code", Str),
        ),
        (
            "de.err.shape.not_found",
            Case::Call {
                method: "GET",
                path: "/demanager/instances/DE-nope".into(),
                body: None,
                want: (400, "ModelArts.6309", "error_message"),
            },
        ),
    ]
}

/// Poll a GET until `f` holds (the fast profile moves in tens of milliseconds).
fn until(sim: &Sim, path: &str, f: impl Fn(&Value) -> bool) -> Result<Value, String> {
    let mut last = Value::Null;
    for _ in 0..400 {
        let (_, v) = sim.api("GET", path, None);
        if f(&v) {
            return Ok(v);
        }
        last = v;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Err(format!("{path} never reached the expected state: {last}"))
}

struct Runner<'a> {
    sim: &'a Sim,
    n: usize,
    /// Objects by (kind, patch, when): the body seen at that moment.
    seen: HashMap<(Kind, String, When), Result<Value, String>>,
}

impl Runner<'_> {
    fn name(&mut self) -> String {
        self.n += 1;
        format!("rule-{}", self.n)
    }

    fn body(&mut self, kind: Kind, patch: &Value) -> Value {
        let mut b = kind.base();
        merge(&mut b, patch);
        if b["name"] == "rule" {
            b["name"] = json!(self.name());
        }
        b
    }

    fn path_of(kind: Kind, v: &Value) -> String {
        let id = v["id"].as_str().or(v["instance_id"].as_str()).unwrap_or("");
        format!("{}/{id}", kind.collection())
    }

    /// An object of `kind` from the base body patched, seen at `when`.
    fn object(&mut self, kind: Kind, patch: &Value, when: When) -> Result<Value, String> {
        let key = (kind, patch.to_string(), when);
        if let Some(v) = self.seen.get(&key) {
            return v.clone();
        }
        let b = self.body(kind, patch);
        if when == When::Failed {
            let (s, v) = self
                .sim
                .call("POST", "/_sim/fail", Some(json!({"name": b["name"]})));
            if s != 200 {
                return Err(format!("arming a failure: {s} {v}"));
            }
        }
        let (s, created) = self.sim.api("POST", kind.collection(), Some(b));
        let r = if s != 200 {
            Err(format!("create answered {s}: {created}"))
        } else {
            let p = Self::path_of(kind, &created);
            match when {
                When::Created => Ok(created),
                When::Running => until(self.sim, &p, |v| v["status"] == "RUNNING"),
                When::Failed => until(self.sim, &p, |v| v["status"] == "CREATE_FAILED"),
            }
        };
        self.seen.insert(key, r.clone());
        r
    }

    fn answer(&self, kind: Kind, (s, v): (u16, Value), want: &Want) -> Result<(), String> {
        match want {
            Err((status, code, field)) => {
                let msg = v[kind.msg_key()].as_str().unwrap_or("");
                if s != *status || v["error_code"] != *code || !msg.contains(field) {
                    return Err(format!(
                        "wanted {status} {code} naming {field:?} in {}, got {s} {v}",
                        kind.msg_key()
                    ));
                }
                Ok(())
            }
            Ok(checks) => {
                if s != 200 {
                    return Err(format!("wanted an acceptance, got {s} {v}"));
                }
                for (ptr, is) in checks {
                    if !is.holds(v.pointer(ptr)) {
                        return Err(format!("{ptr} should be {}: {v}", is.describe()));
                    }
                }
                Ok(())
            }
        }
    }

    fn run(&mut self, case: &Case) -> Result<(), String> {
        match case {
            Case::Create { kind, patch, want } => {
                let b = self.body(*kind, patch);
                let r = self.sim.api("POST", kind.collection(), Some(b));
                self.answer(*kind, r, want)
            }
            Case::Update { kind, body, want } => {
                let running = self.object(*kind, &json!({}), When::Running)?;
                let p = Self::path_of(*kind, &running);
                let r = self.sim.api("PUT", &p, Some(body.clone()));
                self.answer(*kind, r, want)
            }
            Case::Field {
                kind,
                patch,
                when,
                ptr,
                is,
            } => {
                let v = self.object(*kind, patch, *when)?;
                if is.holds(v.pointer(ptr)) {
                    Ok(())
                } else {
                    Err(format!("{ptr} should be {}: {v}", is.describe()))
                }
            }
            Case::Call {
                method,
                path,
                body,
                want: (status, code, key),
            } => {
                let (s, v) = if path.starts_with("/v") {
                    self.sim.call(method, path, body.clone())
                } else {
                    self.sim.api(method, path, body.clone())
                };
                if s != *status || v["error_code"] != *code || !v[*key].is_string() {
                    return Err(format!("wanted {status} {code} with {key}, got {s} {v}"));
                }
                if code.starts_with("APIG") && !v["request_id"].is_string() {
                    return Err(format!("a gateway error carries request_id: {v}"));
                }
                Ok(())
            }
        }
    }
}

/// Statuses reached through failures (`--fail-rate`), the admin API (faults a user cannot
/// cause: ERROR, FROZEN), and the documented refusals of transitions in the wrong
/// status; the gateway's own refusal of an unsigned call on the legacy API.
#[test]
fn failure_and_fault_statuses() {
    let sim = Sim::start(&["--fail-rate", "1"]);
    for kind in [Kind::Nb, Kind::Ds] {
        let mut b = kind.base();
        b["name"] = json!("doomed");
        let (s, v) = sim.api("POST", kind.collection(), Some(b));
        assert_eq!(s, 200, "{v}");
        let p = Runner::path_of(kind, &v);
        until(&sim, &p, |v| v["status"] == "CREATE_FAILED").unwrap();
        let admin = format!(
            "/_sim/{}/{}",
            if kind == Kind::Nb {
                "notebooks"
            } else {
                "dev-servers"
            },
            v["id"].as_str().unwrap()
        );
        assert_eq!(
            sim.call(
                "POST",
                &format!("{admin}/status"),
                Some(json!({"status": "STOPPED"}))
            )
            .0,
            200
        );
        let (method, start) = if kind == Kind::Nb {
            ("POST", "start")
        } else {
            ("PUT", "start")
        };
        let (s, v) = sim.api(method, &format!("{p}/{start}"), None);
        assert_eq!(s, 200, "{v}");
        let v = until(&sim, &p, |v| v["status"] == "START_FAILED").unwrap();
        if kind == Kind::Nb {
            assert!(v["fail_reason"].is_string(), "a failed start says why: {v}");
            assert_eq!(v["action_progress"][1]["status"], "FAILED", "{v}");
        }
        for forced in ["ERROR", "FROZEN"] {
            assert_eq!(
                sim.call(
                    "POST",
                    &format!("{admin}/status"),
                    Some(json!({"status": forced}))
                )
                .0,
                200
            );
            assert_eq!(sim.api("GET", &p, None).1["status"], forced);
        }
    }
    // DevServer transitions refused in the wrong status; a reboot passes REBOOTING.
    let sim = Sim::start(&[]);
    let (_, v) = sim.api("POST", "/dev-servers", Some(Kind::Ds.base()));
    let p = Runner::path_of(Kind::Ds, &v);
    until(&sim, &p, |v| v["status"] == "RUNNING").unwrap();
    let (s, v) = sim.api("PUT", &format!("{p}/reboot"), None);
    assert_eq!((s, v["status"].as_str()), (200, Some("REBOOTING")), "{v}");
    let (s, e) = sim.api("PUT", &format!("{p}/stop"), None);
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("ModelArts.6357")),
        "stop while rebooting: {e}"
    );
    let (s, e) = sim.api("PUT", &format!("{p}/reboot"), None);
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("ModelArts.6357")),
        "reboot while rebooting: {e}"
    );
    until(&sim, &p, |v| v["status"] == "RUNNING").unwrap();
    assert_eq!(sim.api("DELETE", &p, None).0, 200);
    let (s, e) = sim.api("DELETE", &p, None);
    assert!(
        s == 400
            && ["ModelArts.6357", "ModelArts.6404"]
                .contains(&e["error_code"].as_str().unwrap_or("")),
        "deleted twice: {s} {e}"
    );
    // The gateway refuses an unsigned call in its own shape, on the legacy API too.
    let sim = Sim::start(&["--access-key", "AK", "--secret-key", "SK"]);
    let (s, v) = sim.api("GET", "/demanager/instances?de_type=Notebook", None);
    assert_eq!(
        (s, v["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{v}"
    );
    assert!(
        v["error_msg"].is_string() && v["request_id"].is_string(),
        "{v}"
    );
}

#[test]
fn every_documented_rule_holds() {
    let sim = Sim::start(&[]);
    let mut runner = Runner {
        sim: &sim,
        n: 0,
        seen: HashMap::new(),
    };
    let mut failures = Vec::new();
    let all = cases();
    for (rule, case) in &all {
        if let Err(e) = runner.run(case) {
            failures.push(format!("{rule}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rules do not hold:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// The rows of the fidelity table: rule → (test column, status column).
fn table() -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/sim/FIDELITY.md"))
        .expect("src/sim/FIDELITY.md");
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split(" | ")
            .map(str::trim)
            .collect();
        if cells.len() != 5 || !cells[0].starts_with('`') {
            continue;
        }
        let rule = cells[0].trim_matches('`').to_string();
        assert!(
            rows.insert(rule.clone(), (cells[3].to_string(), cells[4].to_string()))
                .is_none(),
            "the fidelity table has two rows for {rule}"
        );
    }
    rows
}

#[test]
fn fidelity_table_and_cases_agree() {
    let rows = table();
    assert!(rows.len() > 400, "the table has only {} rows", rows.len());
    let all = cases();
    let cases: BTreeSet<&str> = all.iter().map(|(r, _)| *r).collect();
    assert_eq!(cases.len(), all.len(), "two cases share a rule name");
    // Every test the table names exists.
    let mut sources = String::new();
    for f in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests")).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "rs") {
            sources.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    let mut problems = Vec::new();
    for (rule, (test, status)) in &rows {
        if test == "—" {
            if !status.starts_with("n/a") {
                problems.push(format!("{rule}: no test, but its status is not n/a"));
            }
            continue;
        }
        for t in test.split(", ") {
            let t = t.trim_matches('`');
            if t == "rules" {
                if !cases.contains(rule.as_str()) {
                    problems.push(format!(
                        "{rule}: the table says `rules` but there is no case"
                    ));
                }
            } else if !sources.contains(&format!("#[test]\nfn {t}(")) {
                problems.push(format!("{rule}: the test {t} does not exist"));
            }
        }
        if status.starts_with("n/a") && test.contains("`rules`") {
            problems.push(format!("{rule}: n/a, yet a case proves it"));
        }
        if status.starts_with("differs") {
            problems.push(format!("{rule}: still differs from its document"));
        }
    }
    for c in &cases {
        if !rows
            .get(*c)
            .is_some_and(|(t, _)| t.split(", ").any(|t| t.trim_matches('`') == "rules"))
        {
            problems.push(format!(
                "case {c} has no row (with test `rules`) in the table"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
