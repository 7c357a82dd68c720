//! `modelarts_devserver`: DevServer (Lite Server) instances (`/v1/{project_id}/dev-servers`).
//!
//! Only the name updates in place; every other argument forces a new server. The
//! password is write-only and sensitive: the service never returns it.

use super::convert::{keep_equivalent, obj, s};
use crate::provider::kind::{Call, GeneratedConfig, Listing, Op, ResourceKind, Step};
use crate::schema::checks::*;
use crate::schema::{block, comp, desired_state, opt, optc, req, Presence, Schema, Ty};
use crate::value::Value;
use serde_json::{json, Value as Json};
use std::sync::LazyLock;
use std::time::Duration;

pub struct DevServer;

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).check(ds_name),
        opt("flavor", Ty::Str).forces_new(),
        opt("resource_flavor", Ty::Str).forces_new(),
        req("image_id", Ty::Str).forces_new(),
        optc("server_type", Ty::Str)
            .upper(&["BMS", "ECS", "HPS"])
            .forces_new(),
        optc("arch", Ty::Str).upper(&["X86", "ARM"]).forces_new(),
        opt("availability_zone", Ty::Str).forces_new().wo(),
        opt("admin_pass", Ty::Str)
            .forces_new()
            .wo()
            .secret()
            .check(admin_pass),
        opt("key_pair_name", Ty::Str).forces_new(),
        block(
            "network",
            Schema {
                attrs: vec![
                    req("vpc_id", Ty::Str),
                    req("subnet_id", Ty::Str),
                    req("security_group_id", Ty::Str),
                    opt("ipv6_enable", Ty::Bool),
                    opt("roce_id", Ty::Str),
                ],
            },
            false,
            Presence::Required,
        )
        .forces_new()
        .wo(),
        block(
            "root_volume",
            Schema {
                attrs: vec![
                    optc("size", Ty::Int).check(root_size),
                    optc("type", Ty::Str).upper(&["ESSD", "SSD", "GPSSD", "SAS", "SATA"]),
                ],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        block(
            "data_volume",
            Schema {
                attrs: vec![
                    req("size", Ty::Int).check(|v| range(v, 10.0, 32768.0)),
                    opt("type", Ty::Str).upper(&["ESSD", "SSD", "GPSSD", "SAS", "SATA"]),
                    opt("count", Ty::Int).check(|v| range(v, 1.0, 23.0)),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        block(
            "charging_info",
            Schema {
                attrs: vec![
                    req("charging_mode", Ty::Str).upper(&["COMMON", "POST_PAID", "PRE_PAID"]),
                    // Mandatory in the document whatever the mode (leave charging_info
                    // out for pay-per-use: it is the default).
                    req("period_type", Ty::Str)
                        .upper(&["ABSOLUTE", "DAY", "HOUR", "MONTH", "WEEK", "YEAR"]),
                    req("period_num", Ty::Int).check(period_num),
                    opt("is_auto_renew", Ty::Bool),
                    opt("is_auto_pay", Ty::Bool),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        opt("enterprise_project_id", Ty::Str).forces_new().wo(),
        opt("user_data", Ty::Str).forces_new().wo().check(base64),
        opt("hps_cluster_id", Ty::Str).forces_new().wo(),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
        comp("charging_mode", Ty::Str),
        comp("order_id", Ty::Str),
        comp("private_ip", Ty::Str),
        comp("image_name", Ty::Str),
        comp("category", Ty::Str),
        comp("created_at", Ty::Int),
        comp("updated_at", Ty::Int),
    ],
});

impl ResourceKind for DevServer {
    fn type_name(&self) -> &'static str {
        "modelarts_devserver"
    }

    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn check(&self, v: &Value) -> Vec<(String, String)> {
        let has = |k: &str| !v.get(k).is_null();
        let mut out = Vec::new();
        if has("flavor") == has("resource_flavor") {
            out.push((
                "set exactly one of flavor and resource_flavor".into(),
                String::new(),
            ));
        }
        if has("admin_pass") == has("key_pair_name") {
            out.push(("set exactly one of admin_pass and key_pair_name".into(), "Prefer key_pair_name; if you use admin_pass, pass it through a sensitive variable.".into()));
        }
        out
    }

    fn default_timeout(&self, op: Op) -> Duration {
        Duration::from_secs(
            match op {
                Op::Create => 60,
                Op::Delete => 30,
                Op::Update => 20,
            } * 60,
        )
    }

    fn collection(&self) -> &'static str {
        "/dev-servers"
    }

    fn not_found_codes(&self) -> &'static [&'static str] {
        &["ModelArts.6404", "ModelArts.6309"]
    }

    fn listing(&self) -> Listing {
        Listing::Paged {
            size: 1024,
            sorted: false,
        }
    }

    fn to_attrs(&self, b: &Json, reference: &Value) -> Value {
        let r = |k: &str| reference.get(k).clone();
        let root = b["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["type"] == "ROOT")
            .cloned()
            .unwrap_or(Json::Null);
        let by_resource_flavor = !r("resource_flavor").is_null() && r("flavor").is_null();
        let (flavor, resource_flavor) = if by_resource_flavor {
            (Value::Null, s(&b["flavor"]))
        } else {
            (s(&b["flavor"]), Value::Null)
        };
        let mut v = obj(vec![
            ("name", s(&b["name"])),
            ("flavor", flavor),
            ("resource_flavor", resource_flavor),
            ("image_id", s(&b["image"]["image_id"])),
            ("server_type", s(&b["cloud_server"]["type"])),
            ("arch", s(&b["image"]["arch"])),
            ("availability_zone", r("availability_zone")),
            ("admin_pass", r("admin_pass")),
            ("key_pair_name", s(&b["key_pair_name"])),
            ("network", r("network")),
            (
                "root_volume",
                obj(vec![
                    ("size", s(&root["size"])),
                    ("type", s(&root["evs_type"])),
                ]),
            ),
            ("data_volume", r("data_volume")),
            ("charging_info", r("charging_info")),
            ("enterprise_project_id", r("enterprise_project_id")),
            ("user_data", r("user_data")),
            ("hps_cluster_id", r("hps_cluster_id")),
            ("desired_state", r("desired_state")),
            ("id", s(&b["id"])),
            ("status", s(&b["status"])),
            ("charging_mode", s(&b["charging_mode"])),
            ("order_id", s(&b["order_id"])),
            (
                "private_ip",
                b["endpoints"]
                    .as_array()
                    .and_then(|e| e.first())
                    .map(|e| s(&e["uri"]))
                    .unwrap_or_default(),
            ),
            ("image_name", s(&b["image"]["name"])),
            ("category", s(&b["category"])),
            ("created_at", s(&b["create_at"])),
            ("updated_at", s(&b["update_at"])),
        ]);
        keep_equivalent(&mut v, reference);
        v
    }

    fn update_steps(&self, prior: &Value, desired: &Value, _running: bool) -> Vec<Step> {
        if super::convert::changed(prior, desired, "name") {
            vec![Step::Call {
                method: "PUT",
                suffix: "",
                body: json!({"name": desired.get("name").to_json()}),
            }]
        } else {
            vec![]
        }
    }

    fn power(&self, run: bool, _cur: &Json) -> Call {
        Call {
            method: "PUT",
            suffix: if run { "/start" } else { "/stop" },
            query: vec![],
            body: run.then(|| json!({})),
        }
    }

    fn generated_config(&self, b: &Json) -> GeneratedConfig {
        let mut attrs = self.to_attrs(b, &Value::Null);
        // The network is write-only; the response has the VPC and subnet.
        if let Value::Map(m) = &mut attrs {
            let net = [
                ("vpc_id".to_string(), Value::from_json(&b["vpc_id"])),
                ("subnet_id".to_string(), Value::from_json(&b["subnet_id"])),
                (
                    "security_group_id".to_string(),
                    Value::str("REPLACE-with-the-security-group-id"),
                ),
            ];
            m.insert("network".into(), Value::Map(net.into_iter().collect()));
        }
        GeneratedConfig {
            attrs,
            ignore_changes: vec!["network", "admin_pass"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_of_each_pair() {
        let both = Value::from_json(&json!({"flavor": "f", "resource_flavor": "r",
                                            "admin_pass": "x", "key_pair_name": "k"}));
        let errs: Vec<String> = DevServer.check(&both).into_iter().map(|e| e.0).collect();
        assert_eq!(
            errs,
            [
                "set exactly one of flavor and resource_flavor",
                "set exactly one of admin_pass and key_pair_name",
            ]
        );
        let ok = Value::from_json(&json!({"flavor": "f", "key_pair_name": "k"}));
        assert!(DevServer.check(&ok).is_empty());
    }

    #[test]
    fn only_the_name_updates_and_servers_take_longer() {
        let prior = Value::from_json(&json!({"name": "a", "image_id": "i"}));
        let desired = Value::from_json(&json!({"name": "b", "image_id": "i"}));
        assert_eq!(
            DevServer.update_steps(&prior, &desired, true),
            [Step::Call {
                method: "PUT",
                suffix: "",
                body: json!({"name": "b"})
            }]
        );
        assert!(DevServer.update_steps(&prior, &prior, true).is_empty());
        assert_eq!(
            DevServer.default_timeout(Op::Create),
            Duration::from_secs(3600)
        );
        assert_eq!(DevServer.power(true, &Json::Null).body, Some(json!({})));
    }

    #[test]
    fn the_flavor_goes_where_the_configuration_put_it() {
        let b = json!({"id": "s", "status": "RUNNING", "flavor": "rf-1",
                       "volumes": [{"type": "ROOT", "size": 100, "evs_type": "SSD"}]});
        let by_resource = Value::from_json(&json!({"resource_flavor": "rf-1"}));
        let a = DevServer.to_attrs(&b, &by_resource);
        assert_eq!(a.get("resource_flavor").as_str(), Some("rf-1"));
        assert!(a.get("flavor").is_null());
        assert_eq!(a.get("root_volume").get("type").as_str(), Some("SSD"));
        let a = DevServer.to_attrs(&b, &Value::Null);
        assert_eq!(a.get("flavor").as_str(), Some("rf-1"));
    }

    #[test]
    fn generated_configuration_fills_the_network_it_can_see() {
        let b =
            json!({"id": "s", "status": "RUNNING", "name": "n", "vpc_id": "v", "subnet_id": "s1"});
        let g = DevServer.generated_config(&b);
        assert_eq!(g.attrs.get("network").get("vpc_id").as_str(), Some("v"));
        assert_eq!(g.ignore_changes, ["network", "admin_pass"]);
    }
}
