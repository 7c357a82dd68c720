//! `/v1/{project_id}/dev-servers`: Lite Server (DevServer) instances.

use super::valid::*;
use super::{now_ms, ok, page, ApiError, ApiResult, Obj, Pending, Req, Sim, GONE};
use serde_json::{json, Value};
use std::sync::Arc;

fn not_found() -> ApiError {
    ApiError::bad("ModelArts.6404", "The server does not exist.")
}

pub(super) fn settle(o: &mut Obj, now: i64) -> bool {
    if o.pending.as_ref().is_some_and(|p| now >= p.at) {
        let p = o.pending.take().expect("checked");
        {
            if p.to == GONE {
                return false;
            }
            o.body["status"] = json!(p.to);
            o.body["update_at"] = json!(p.at);
        }
    }
    true
}

fn with(sim: &Sim, id: &str, f: impl FnOnce(&Sim, &mut Obj, i64) -> ApiResult) -> ApiResult {
    let now = now_ms();
    sim.with_cloud(|c| {
        let alive = match c.devservers.get_mut(id) {
            None => return Err(not_found()),
            Some(o) => settle(o, now),
        };
        if !alive {
            c.devservers.remove(id);
            return Err(not_found());
        }
        f(sim, c.devservers.get_mut(id).expect("present"), now)
    })
}

fn transition(o: &mut Obj, now: i64, cur: &str, to: &str, ms: i64) {
    o.body["status"] = json!(cur);
    o.body["update_at"] = json!(now);
    o.pending = Some(Pending {
        to: to.into(),
        at: now + ms,
    });
}

fn wrong_state(op: &str, st: &str) -> ApiError {
    ApiError::bad(
        "ModelArts.6357",
        format!("The server cannot be {op} in status {st}."),
    )
}

/// The DevServer routes, under `/v1/{project_id}/dev-servers`.
pub const BASE: &str = "/v1/{project_id}/dev-servers";
pub const ROUTES: &[&str] = &[
    "",
    "/all",
    "/flavors",
    "/resource-flavors",
    "/images",
    "/{id}",
    "/{id}/start",
    "/{id}/stop",
    "/{id}/reboot",
];

pub fn route(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let id = req.param("id");
    match (req.method.as_str(), req.tail(BASE)) {
        ("GET", "" | "/all") => list(sim, req),
        ("POST", "") => create(sim, req),
        ("GET", "/flavors" | "/resource-flavors") => {
            let st = req.q("server_type").map(str::to_ascii_uppercase);
            let arch = req.q("arch").map(str::to_ascii_uppercase);
            let data: Vec<Value> = sim
                .config
                .catalog
                .server_flavors
                .iter()
                .filter(|f| st.as_ref().is_none_or(|s| &f.server_type == s))
                .filter(|f| arch.as_ref().is_none_or(|a| &f.arch == a))
                .map(|f| f.to_json())
                .collect();
            let n = data.len().max(1);
            ok(page(data, n, 0))
        }
        ("GET", "/images") => {
            let st = req.q("server_type").map(str::to_ascii_uppercase);
            let flavor = req
                .q("flavor_name")
                .and_then(|f| sim.config.catalog.server_flavor(f));
            let data: Vec<Value> = sim
                .config
                .catalog
                .server_images
                .iter()
                .filter(|i| st.as_ref().is_none_or(|s| &i.server_type == s))
                .filter(|i| {
                    flavor.is_none_or(|f| f.arch == i.arch && f.server_type == i.server_type)
                })
                .map(|i| i.to_json())
                .collect();
            let n = data.len().max(1);
            ok(page(data, n, 0))
        }
        ("GET", "/{id}") => with(sim, id, |_, o, _| ok(o.body.clone())),
        ("PUT", "/{id}") => {
            let b = object(&req.body, "body")?;
            if let Some(k) = b.keys().find(|k| k.as_str() != "name") {
                return Err(ApiError::bad(
                    "ModelArts.6336",
                    format!("'{k}' cannot be updated."),
                ));
            }
            let name = req_str(b, "name", "")?;
            super::valid::name("name", name, 64, "-_.")?;
            with(sim, id, |_, o, now| {
                o.body["name"] = json!(name);
                o.body["update_at"] = json!(now);
                ok(o.body.clone())
            })
        }
        ("DELETE", "/{id}") => with(sim, id, |sim, o, now| {
            if o.body["charging_mode"] == "PRE_PAID" {
                return Err(ApiError::bad(
                    "ModelArts.6432",
                    "A yearly/monthly server cannot be deleted; unsubscribe it instead.",
                ));
            }
            if o.status() == "DELETING" {
                return Err(wrong_state("deleted", "DELETING"));
            }
            transition(o, now, "DELETING", GONE, sim.config.timings.delete_ms);
            ok(o.body.clone())
        }),
        ("PUT", "/{id}/start") => {
            let fail = sim.config.fail_rate > 0.0 && sim.roll() < sim.config.fail_rate;
            with(sim, id, |sim, o, now| {
                let st = o.status().to_string();
                if !matches!(st.as_str(), "STOPPED" | "START_FAILED" | "STOP_FAILED") {
                    return Err(wrong_state("started", &st));
                }
                transition(
                    o,
                    now,
                    "STARTING",
                    if fail { "START_FAILED" } else { "RUNNING" },
                    sim.config.timings.start_ms,
                );
                ok(o.body.clone())
            })
        }
        ("PUT", "/{id}/stop") => with(sim, id, |sim, o, now| {
            let st = o.status().to_string();
            if st != "RUNNING" {
                return Err(wrong_state("stopped", &st));
            }
            transition(o, now, "STOPPING", "STOPPED", sim.config.timings.stop_ms);
            ok(o.body.clone())
        }),
        ("PUT", "/{id}/reboot") => with(sim, id, |sim, o, now| {
            let st = o.status().to_string();
            if st != "RUNNING" {
                return Err(wrong_state("rebooted", &st));
            }
            transition(o, now, "REBOOTING", "RUNNING", sim.config.timings.start_ms);
            ok(o.body.clone())
        }),
        _ => Err(super::not_found_route(req)),
    }
}

fn list(sim: &Sim, req: &Req) -> ApiResult {
    let limit: usize = match req.q("limit").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if n <= 1024 => n,
        _ => {
            return Err(ApiError::bad(
                "ModelArts.0101",
                "Invalid Argument. limit ranges from 0 to 1024.",
            ))
        }
    };
    let offset: usize = req.q("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let asc = !req
        .q("sort_dir")
        .is_some_and(|d| d.eq_ignore_ascii_case("DESC"));
    let key = if req.q("sort_key") == Some("updateTime") {
        "update_at"
    } else {
        "create_at"
    };
    let now = now_ms();
    sim.with_cloud(|c| {
        c.devservers.retain(|_, o| settle(o, now));
        let mut items: Vec<&Obj> = c.devservers.values().collect();
        items.sort_by_key(|o| (o.body[key].as_i64().unwrap_or(0), o.seq));
        if !asc {
            items.reverse();
        }
        let limit = if limit == 0 {
            items.len().max(1)
        } else {
            limit
        };
        ok(super::notebook::page_of(&items, limit, offset))
    })
}

/// The password rules of the create document.
fn admin_pass(p: &str) -> Result<(), ApiError> {
    let bad = |why: &str| incorrect("admin_pass", why);
    let n = p.chars().count();
    if !(8..=26).contains(&n) {
        return Err(bad("must contain 8 to 26 characters"));
    }
    const SPECIAL: &str = "!@%-_=+[{}]:,./?";
    if let Some(c) = p
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || SPECIAL.contains(*c)))
    {
        return Err(bad(&format!("the character '{c}' is not allowed")));
    }
    let classes = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| SPECIAL.contains(c)),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 3 {
        return Err(bad("must contain at least three of: uppercase letters, lowercase letters, digits, special characters"));
    }
    let lower = p.to_ascii_lowercase();
    for word in ["root", "administrator"] {
        let rev: String = word.chars().rev().collect();
        if lower.contains(word) || lower.contains(&rev) {
            return Err(bad("cannot contain root, administrator or their reverse"));
        }
    }
    Ok(())
}

fn create(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let o = object(&req.body, "body")?;
    let name = req_str(o, "name", "")?;
    super::valid::name("name", name, 64, "-_.")?;
    let flavor = match (opt_str(o, "flavor", "")?, opt_str(o, "resource_flavor", "")?) {
        (Some(_), Some(_)) => return Err(ApiError::bad("ModelArts.0107", "The values of the request parameters (flavor,resource_flavor) are invalid: set exactly one.")),
        (None, None) => return Err(required("flavor")),
        (Some(f), None) | (None, Some(f)) => f,
    };
    let fl = sim.config.catalog.server_flavor(flavor).ok_or_else(|| {
        ApiError::bad(
            "ModelArts.6323",
            format!("The flavor {flavor} is not supported."),
        )
    })?;
    if fl.sold_out {
        return Err(ApiError::bad(
            "ModelArts.6716",
            format!("The flavor {flavor} is sold out."),
        ));
    }
    let image_id = req_str(o, "image_id", "")?;
    let image = sim.config.catalog.server_image(image_id).ok_or_else(|| {
        ApiError::bad(
            "ModelArts.6797",
            format!("Specified image {image_id} cannot be found."),
        )
    })?;
    // The server type and the architecture are the flavor's: given, they must agree with
    // it, and the image must be built for both (what `/dev-servers/images?flavor_name=`
    // lists for the flavor).
    let server_type = enum_upper(o, "server_type", "", &["BMS", "ECS", "HPS"])?
        .unwrap_or_else(|| fl.server_type.clone());
    if server_type != fl.server_type {
        return Err(incorrect(
            "server_type",
            format!(
                "the flavor {flavor} is a {} flavor, not {server_type}",
                fl.server_type
            ),
        ));
    }
    let arch = enum_upper(o, "arch", "", &["X86", "ARM"])?.unwrap_or_else(|| fl.arch.clone());
    if arch != fl.arch {
        return Err(incorrect(
            "arch",
            format!("the flavor {flavor} is {}, not {arch}", fl.arch),
        ));
    }
    if image.server_type != server_type {
        return Err(incorrect(
            "image_id",
            format!(
                "image {image_id} is for {} servers but the server is {server_type}",
                image.server_type
            ),
        ));
    }
    if arch != image.arch {
        return Err(incorrect(
            "image_id",
            format!(
                "image {image_id} is {} but the server is {arch}",
                image.arch
            ),
        ));
    }
    let pass = opt_str(o, "admin_pass", "")?;
    // An empty key pair name is no key pair.
    let key = opt_str(o, "key_pair_name", "")?.filter(|k| !k.is_empty());
    match (pass, key) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(ApiError::bad("ModelArts.0107", "The values of the request parameters (admin_pass,key_pair_name) are invalid: set exactly one."))
        }
        (Some(p), None) => admin_pass(p)?,
        (None, Some(_)) => {}
    }
    let net = opt_obj(o, "network", "")?.ok_or_else(|| required("network"))?;
    let vpc = req_str(net, "vpc_id", "network")?;
    let subnet = req_str(net, "subnet_id", "network")?;
    req_str(net, "security_group_id", "network")?;
    opt_bool(net, "ipv6_enable", "network")?;
    opt_str(net, "roce_id", "network")?;
    let root = match opt_obj(o, "root_volume", "")? {
        None => json!({"type": "ROOT", "size": 100, "evs_type": "SSD"}),
        Some(r) => {
            let ty = enum_upper(
                r,
                "type",
                "root_volume",
                &["ESSD", "SSD", "GPSSD", "SAS", "SATA"],
            )?
            .unwrap_or_else(|| "SSD".into());
            let size = opt_i64(r, "size", "root_volume")?.unwrap_or(100);
            range("root_volume.size", size, 100, 1024)?;
            json!({"type": "ROOT", "size": size, "evs_type": ty})
        }
    };
    let mut volumes = vec![root];
    if let Some(d) = opt_obj(o, "data_volume", "")? {
        let ty = enum_upper(
            d,
            "type",
            "data_volume",
            &["ESSD", "SSD", "GPSSD", "SAS", "SATA"],
        )?
        .unwrap_or_else(|| "SSD".into());
        let size =
            opt_i64(d, "size", "data_volume")?.ok_or_else(|| required("data_volume.size"))?;
        range("data_volume.size", size, 10, 32768)?;
        let n = opt_i64(d, "count", "data_volume")?.unwrap_or(1);
        range("data_volume.count", n, 1, 23)?;
        for _ in 0..n {
            volumes.push(json!({"type": "DATA", "size": size, "evs_type": ty}));
        }
    }
    let charging = match opt_obj(o, "charging_info", "")? {
        None => "POST_PAID".to_string(),
        Some(c) => {
            let p = "charging_info";
            let mode = enum_upper(c, "charging_mode", p, &["COMMON", "POST_PAID", "PRE_PAID"])?
                .ok_or_else(|| required("charging_info.charging_mode"))?;
            let pt = enum_upper(
                c,
                "period_type",
                p,
                &["ABSOLUTE", "DAY", "HOUR", "MONTH", "WEEK", "YEAR"],
            )?;
            // The document marks charging_mode, period_num and period_type mandatory in
            // charging_info whatever the mode (a pay-per-use server omits charging_info).
            let pn = opt_i64(c, "period_num", p)?;
            pt.ok_or_else(|| required("charging_info.period_type"))?;
            range(
                "charging_info.period_num",
                pn.ok_or_else(|| required("charging_info.period_num"))?,
                1,
                11,
            )?;
            opt_bool(c, "is_auto_renew", p)?;
            opt_bool(c, "is_auto_pay", p)?;
            mode
        }
    };
    let count = opt_i64(o, "count", "")?.unwrap_or(1);
    range("count", count, 1, 10)?;
    for k in ["user_data", "userdata"] {
        if let Some(u) = opt_str(o, k, "")? {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(u)
                .map_err(|_| incorrect(k, "must be base64"))?;
        }
    }
    opt_str(o, "availability_zone", "")?;
    opt_str(o, "enterprise_project_id", "")?;
    opt_str(o, "hps_cluster_id", "")?;
    let now = now_ms();
    let mut request = req.body.clone();
    if let Some(p) = pass {
        // The simulator keeps the request for inspection, never the password itself.
        request["admin_pass"] = json!(crate::digest::hash(p.as_bytes()));
    }
    let mut first = Value::Null;
    for i in 0..count {
        let id = sim.uuid();
        let failed = sim.create_fails(name);
        let nm = if count == 1 {
            name.to_string()
        } else {
            format!("{name}-{}", i + 1)
        };
        let n = super::id_number(&id);
        let private_ip = format!("192.168.{}.{}", (n >> 8) % 256, n % 256);
        // The image as the document's ServerImageResponse: under `image` (with its
        // status) and under `server_image_response`. SSH endpoints list the key pair.
        let image_response = json!({"image_id": image.image_id, "name": image.name, "arch": image.arch, "server_type": image.server_type});
        let ssh_keys: Vec<&str> = key.into_iter().collect();
        let endpoints = json!([{"service": "SSH", "dev_service": "SSH", "uri": private_ip, "ssh_keys": ssh_keys, "key_pair_names": ssh_keys}]);
        let mut body = json!({
            "id": id, "name": nm, "status": "CREATING", "flavor": flavor,
            // What the create named the flavor by; the official provider reads it back.
            "resource_flavor": flavor,
            "charging_mode": charging,
            "order_id": if charging == "PRE_PAID" { Some(sim.uuid()) } else { None },
            "vpc_id": vpc, "subnet_id": subnet, "key_pair_name": key,
            "cloud_server": {"id": sim.uuid(), "type": server_type},
            "image": {"image_id": image.image_id, "name": image.name, "arch": image.arch, "server_type": image.server_type, "status": "ACTIVE"},
            "server_image_response": image_response,
            // The document's `ssh_keys`, and `key_pair_names` as the SDK's model reads
            // them; `endpoints_response` is the same list under the SDK's name.
            "endpoints": endpoints, "endpoints_response": endpoints, "volumes": volumes, "category": if server_type == "HPS" { "HPS" } else { "SERVER" },
            "create_at": now, "update_at": now,
        });
        prune(&mut body);
        let pending = Pending {
            to: if failed {
                "CREATE_FAILED".into()
            } else {
                "RUNNING".into()
            },
            at: now + sim.config.timings.devserver_create_ms,
        };
        let b = body.clone();
        let request = request.clone();
        sim.with_cloud(|c| {
            let seq = c.next_seq();
            c.devservers.insert(
                id.clone(),
                Obj::pending(b, seq, &pending.to, pending.at, request, None),
            );
        });
        if i == 0 {
            first = body;
        }
    }
    ok(first)
}
