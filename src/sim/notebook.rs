//! `/v1/{project_id}/notebooks`, `/images` and notebook storage mounts.

use super::valid::*;
use super::{now_ms, ok, page, ApiError, ApiResult, Obj, Pending, Req, Sim, GONE};
use axum::http::Method;
use serde_json::{json, Map, Value};
use std::sync::Arc;

const STABLE: &[&str] = &[
    "RUNNING",
    "STOPPED",
    "CREATE_FAILED",
    "START_FAILED",
    "ERROR",
    "FROZEN",
];

fn not_found(id: &str) -> ApiError {
    let _ = id;
    ApiError::bad("ModelArts.6309", "The instance does not exist.")
}

/// Apply whatever has come due. Returns false when the object is gone.
pub fn settle(o: &mut Obj, now: i64) -> bool {
    if o.pending.is_none() && o.resize_at.is_none() && now < o.quiet_until {
        return true;
    }
    let alive = settle_now(o, now);
    // When must we look again? At the next transition, or when the lease runs out.
    o.quiet_until = if o.pending.is_some() || o.resize_at.is_some() {
        0
    } else if o.status() == "RUNNING" && o.body["lease"]["enable"] == json!(true) {
        let start = o.body["lease"]["create_at"].as_i64().unwrap_or(now);
        start.saturating_add(o.body["lease"]["duration"].as_i64().unwrap_or(i64::MAX))
    } else {
        i64::MAX
    };
    alive
}

fn settle_now(o: &mut Obj, now: i64) -> bool {
    if o.pending.as_ref().is_some_and(|p| now >= p.at) {
        let p = o.pending.take().expect("checked");
        {
            if p.to == GONE {
                return false;
            }
            o.body["status"] = json!(p.to);
            o.body["update_at"] = json!(p.at);
            if p.to == "RUNNING" {
                // The lease counts from the moment the instance runs.
                if let Some(l) = o.body.get_mut("lease").and_then(Value::as_object_mut) {
                    l.insert("create_at".into(), json!(p.at));
                    l.insert("update_at".into(), json!(p.at));
                }
                set_progress(&mut o.body, "COMPLETED");
            }
        }
    }
    if let Some(at) = o.resize_at {
        if now >= at {
            o.resize_at = None;
            if let Some(v) = o.body["volume"].as_object_mut() {
                v.remove("status");
            }
        }
    }
    // Auto-stop: a running instance whose lease has run out stops.
    if o.status() == "RUNNING" && o.body["lease"]["enable"] == json!(true) {
        let start = o.body["lease"]["create_at"].as_i64().unwrap_or(now);
        let dur = o.body["lease"]["duration"].as_i64().unwrap_or(i64::MAX);
        if dur > 0 && now > start.saturating_add(dur) {
            o.body["status"] = json!("STOPPED");
            o.body["update_at"] = json!(start + dur);
        }
    }
    true
}

fn set_progress(body: &mut Value, status: &str) {
    let id = body["id"].clone();
    body["action_progress"] = json!([{"notebook_id": id, "status": status, "step": 4, "step_description": "Starting the instance"}]);
}

fn transition(o: &mut Obj, now: i64, now_status: &str, to: &str, ms: i64) {
    o.body["status"] = json!(now_status);
    o.body["update_at"] = json!(now);
    o.pending = Some(Pending {
        to: to.into(),
        at: now + ms,
    });
}

pub fn route(sim: &Arc<Sim>, req: &Req, rest: &[&str]) -> ApiResult {
    let m = &req.method;
    match rest {
        [] if m == Method::GET => list(sim, req),
        ["all"] if m == Method::GET => list(sim, req),
        [] if m == Method::POST => create(sim, req),
        ["flavors"] if m == Method::GET => flavors(sim, req, None),
        [id] if m == Method::GET => with(sim, id, |_, o, _| ok(o.body.clone())),
        [id] if m == Method::PUT => update(sim, id, &req.body),
        [id] if m == Method::DELETE => with(sim, id, |sim, o, now| {
            if o.status() == "DELETING" {
                return Err(busy());
            }
            transition(o, now, "DELETING", GONE, sim.config.timings.delete_ms);
            ok(o.body.clone())
        }),
        [id, "start"] if m == Method::POST => start(sim, req, id),
        [id, "stop"] if m == Method::POST => with(sim, id, |sim, o, now| {
            match o.status() {
                "RUNNING" => {}
                "STOPPED" => {
                    return Err(ApiError::bad(
                        "ModelArts.6307",
                        "The instance is already stopped.",
                    ))
                }
                "STOPPING" => {
                    return Err(ApiError::bad("ModelArts.6308", "The instance is stopping."))
                }
                _ => return Err(busy()),
            }
            transition(o, now, "STOPPING", "STOPPED", sim.config.timings.stop_ms);
            ok(o.body.clone())
        }),
        [id, "lease"] if m == Method::GET => with(sim, id, |_, o, _| ok(o.body["lease"].clone())),
        [id, "lease"] if m == Method::PATCH => renew(sim, req, id),
        [id, "flavors"] if m == Method::GET => {
            let flavor = with(sim, id, |_, o, _| ok(o.body["flavor"].clone()))?.1;
            flavors(sim, req, flavor.as_str())
        }
        [id, "storage"] if m == Method::GET => {
            with(sim, id, |_, _, _| ok(Value::Null))?;
            let now = now_ms();
            let items = sim.with_cloud(|c| {
                c.mounts.retain(|_, o| mount_settle(o, now));
                c.mounts
                    .values()
                    .filter(|o| o.parent.as_deref() == Some(*id))
                    .map(|o| o.body.clone())
                    .collect::<Vec<_>>()
            });
            ok(page(items, 50, 0))
        }
        [id, "storage"] if m == Method::POST => attach(sim, req, id),
        [id, "storage", sid] if m == Method::GET || m == Method::DELETE => {
            with(sim, id, |_, _, _| ok(Value::Null))?;
            let now = now_ms();
            let del = m == Method::DELETE;
            let ms = sim.config.timings.mount_ms;
            sim.with_cloud(|c| {
                let o = c
                    .mounts
                    .get_mut(*sid)
                    .filter(|o| o.parent.as_deref() == Some(*id));
                let Some(o) = o else {
                    return Err(ApiError::bad(
                        "ModelArts.6309",
                        format!("The storage {sid} does not exist."),
                    ));
                };
                if !mount_settle(o, now) {
                    c.mounts.remove(*sid);
                    return Err(ApiError::bad(
                        "ModelArts.6309",
                        format!("The storage {sid} does not exist."),
                    ));
                }
                if del {
                    o.body["status"] = json!("UNMOUNTING");
                    o.pending = Some(Pending {
                        to: GONE.into(),
                        at: now + ms,
                    });
                }
                ok(o.body.clone())
            })
        }
        _ => Err(super::not_found_route(req)),
    }
}

fn mount_settle(o: &mut Obj, now: i64) -> bool {
    if o.pending.as_ref().is_some_and(|p| now >= p.at) {
        let p = o.pending.take().expect("checked");
        {
            if p.to == GONE {
                return false;
            }
            o.body["status"] = json!(p.to);
        }
    }
    true
}

fn busy() -> ApiError {
    ApiError::bad(
        "ModelArts.6357",
        "Operation not allowed: another operation is in progress, or the instance is already in the target state.",
    )
}

/// Run `f` on notebook `id` after settling it; not-found as the service says it.
fn with(sim: &Sim, id: &str, f: impl FnOnce(&Sim, &mut Obj, i64) -> ApiResult) -> ApiResult {
    let now = now_ms();
    sim.with_cloud(|c| {
        let alive = match c.notebooks.get_mut(id) {
            None => return Err(not_found(id)),
            Some(o) => settle(o, now),
        };
        if !alive {
            c.notebooks.remove(id);
            return Err(not_found(id));
        }
        let o = c.notebooks.get_mut(id).expect("present");
        // The request may change the object (a start, a lease renewal...).
        o.quiet_until = 0;
        c.notebooks_quiet_until = 0;
        f(sim, o, now)
    })
}

fn list(sim: &Sim, req: &Req) -> ApiResult {
    let limit: usize = match req.q("limit") {
        None | Some("") => 10,
        Some(l) => match l.parse::<usize>() {
            Ok(n @ (10 | 20 | 50)) => n,
            _ => {
                return Err(ApiError::bad(
                    "ModelArts.0101",
                    "Invalid Argument. limit must be 10, 20 or 50.",
                ))
            }
        },
    };
    let offset: usize = match req.q("offset").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return Err(ApiError::bad(
                "ModelArts.0101",
                "Invalid Argument. offset must be a non-negative integer.",
            ))
        }
    };
    let desc = !req
        .q("sort_dir")
        .is_some_and(|d| d.eq_ignore_ascii_case("ASC"));
    let sort_key = req.q("sort_key").unwrap_or("create_at").to_string();
    let name = req.q("name").map(str::to_string);
    let status: Option<Vec<String>> = req.q("status").map(|s| {
        s.split(',')
            .map(|x| x.trim().to_ascii_uppercase())
            .collect()
    });
    let eq = |k: &str| req.q(k).map(str::to_string);
    let (flavor, image, id, feature, pool) = (
        eq("flavor"),
        eq("image_id"),
        eq("id"),
        eq("feature"),
        eq("pool_id"),
    );
    let ws = req
        .q("workspace_id")
        .or_else(|| req.q("workspaceId"))
        .map(str::to_string);
    let now = now_ms();
    sim.with_cloud(|c| {
        if now >= c.notebooks_quiet_until {
            c.notebooks.retain(|_, o| settle(o, now));
            c.notebooks_quiet_until = c
                .notebooks
                .values()
                .map(|o| o.quiet_until)
                .min()
                .unwrap_or(i64::MAX);
        }
        let mut items: Vec<&Obj> = c
            .notebooks
            .values()
            .filter(|o| {
                let b = &o.body;
                name.as_ref()
                    .is_none_or(|n| b["name"].as_str().unwrap_or("").contains(n.as_str()))
                    && status
                        .as_ref()
                        .is_none_or(|s| s.iter().any(|x| x == o.status()))
                    && flavor.as_ref().is_none_or(|f| b["flavor"] == f.as_str())
                    && image
                        .as_ref()
                        .is_none_or(|i| b["image"]["id"] == i.as_str())
                    && id.as_ref().is_none_or(|i| b["id"] == i.as_str())
                    && feature.as_ref().is_none_or(|f| {
                        b["feature"]
                            .as_str()
                            .is_some_and(|x| x.eq_ignore_ascii_case(f))
                    })
                    && pool.as_ref().is_none_or(|p| b["pool"]["id"] == p.as_str())
                    && ws.as_ref().is_none_or(|w| b["workspace_id"] == w.as_str())
            })
            .collect();
        if sort_key == "create_at" {
            // Creation order is the sequence number's order.
            items.sort_by_key(|o| o.seq);
        } else {
            items.sort_by(|a, b| {
                let (ka, kb) = (&a.body[&sort_key], &b.body[&sort_key]);
                let ord = match (ka.as_i64(), kb.as_i64()) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    _ => ka.as_str().unwrap_or("").cmp(kb.as_str().unwrap_or("")),
                };
                ord.then(a.seq.cmp(&b.seq))
            });
        }
        if desc {
            items.reverse();
        }
        ok(page_of(&items, limit, offset))
    })
}

/// A page of objects, cloning only the bodies on the page.
pub fn page_of(items: &[&Obj], limit: usize, offset: usize) -> Value {
    let total = items.len();
    let data: Vec<Value> = items
        .iter()
        .skip(offset)
        .take(limit)
        .map(|o| o.body.clone())
        .collect();
    json!({"current": offset.checked_div(limit).unwrap_or(0), "data": data, "pages": total.div_ceil(limit.max(1)), "size": limit, "total": total})
}

fn flavors(sim: &Sim, req: &Req, switchable_from: Option<&str>) -> ApiResult {
    let cat = &sim.config.catalog;
    let from = switchable_from.and_then(|f| cat.notebook_flavor(f));
    let category = req.q("category").map(str::to_ascii_uppercase);
    let data: Vec<Value> = cat
        .notebook_flavors
        .iter()
        .filter(|f| category.as_ref().is_none_or(|c| &f.category == c))
        .filter(|f| {
            from.is_none_or(|x| {
                x.category == f.category && x.arch == f.arch && x.id != f.id && !f.sold_out
            })
        })
        .map(|f| f.to_json())
        .collect();
    let mut p = page(data.clone(), data.len().max(1), 0);
    p["current"] = json!(1);
    p["flavors"] = json!(data);
    ok(p)
}

pub fn images(sim: &Arc<Sim>, req: &Req, rest: &[&str]) -> ApiResult {
    if req.method != Method::GET {
        return Err(super::not_found_route(req));
    }
    let cat = &sim.config.catalog;
    match rest {
        [] => {
            let limit: usize = req.q("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
            let offset: usize = req.q("offset").and_then(|l| l.parse().ok()).unwrap_or(0);
            let name = req.q("name");
            let fuzzy = req.q("name_fuzzy_match") == Some("true");
            let ty = req.q("type").map(str::to_ascii_uppercase);
            let data: Vec<Value> = cat
                .notebook_images
                .iter()
                .filter(|i| {
                    name.is_none_or(|n| {
                        if fuzzy {
                            i.name.contains(n)
                        } else {
                            i.name == n
                        }
                    })
                })
                .filter(|i| ty.as_ref().is_none_or(|t| &i.r#type == t))
                .map(|i| i.to_json())
                .collect();
            ok(page(data, limit.max(1), offset))
        }
        [id] => cat
            .notebook_image(id)
            .map(|i| ok(i.to_json()))
            .unwrap_or_else(|| {
                Err(ApiError::bad(
                    "ModelArts.6797",
                    format!("Specified image {id} cannot be found."),
                ))
            }),
        _ => Err(super::not_found_route(req)),
    }
}

/// Validate and normalise a volume request (`volume` or an entry of `data_volumes`).
fn volume(v: &Value, path: &str) -> Result<Value, ApiError> {
    let o = object(v, path)?;
    let category = enum_upper(o, "category", path, &["EVS", "EFS", "SFS", "OBS", "OBSFS"])?
        .ok_or_else(|| required(&join(path, "category")))?;
    let ownership = enum_upper(o, "ownership", path, &["MANAGED", "DEDICATED"])?
        .ok_or_else(|| required(&join(path, "ownership")))?;
    if ownership == "DEDICATED" && !matches!(category.as_str(), "EFS" | "SFS" | "OBS" | "OBSFS") {
        return Err(incorrect(
            &join(path, "ownership"),
            "DEDICATED is allowed only with EFS, OBS or OBSFS",
        ));
    }
    let mut capacity = opt_i64(o, "capacity", path)?;
    if let Some(c) = capacity {
        if category == "EVS" {
            range(&join(path, "capacity"), c, 5, 4096).map_err(|_| {
                ApiError::bad(
                    "ModelArts.6331",
                    "The evs volume size ranges from 5 GB to 4096 GB.",
                )
            })?;
        }
    } else if category == "EVS" {
        capacity = Some(5);
    } else if category == "EFS" {
        capacity = Some(50);
    }
    let uri = opt_str(o, "uri", path)?;
    let id = opt_str(o, "id", path)?;
    if ownership == "DEDICATED" {
        if uri.is_none() {
            return Err(required(&join(path, "uri")));
        }
        if matches!(category.as_str(), "EFS" | "SFS") && id.is_none() {
            return Err(required(&join(path, "id")));
        }
    }
    let mount_path = opt_str(o, "mount_path", path)?.unwrap_or("/home/ma-user/work/");
    let mut out = json!({
        "category": category, "ownership": ownership, "capacity": capacity,
        "mount_path": mount_path, "uri": uri, "id": id,
        "read_only": opt_bool(o, "read_only", path)?.unwrap_or(false),
        "dew_secret_name": opt_str(o, "dew_secret_name", path)?,
    });
    prune(&mut out);
    Ok(out)
}

fn endpoints(v: &Value) -> Result<Value, ApiError> {
    let arr = v
        .as_array()
        .ok_or_else(|| wrong_type("endpoints", "an array"))?;
    let mut out = Vec::new();
    for (i, e) in arr.iter().enumerate() {
        let path = format!("endpoints[{i}]");
        let o = object(e, &path)?;
        let service = enum_upper(o, "service", &path, &["NOTEBOOK", "SSH"])?
            .unwrap_or_else(|| "NOTEBOOK".into());
        let keys = str_list(o, "key_pair_names", &path)?;
        let ips = str_list(o, "allowed_access_ips", &path)?;
        if ips.as_ref().is_some_and(|x| x.len() > 5) {
            return Err(incorrect(
                &join(&path, "allowed_access_ips"),
                "at most 5 addresses",
            ));
        }
        for ip in ips.iter().flatten() {
            let bare = ip.split('/').next().unwrap_or("");
            if bare.parse::<std::net::IpAddr>().is_err() {
                return Err(incorrect(
                    &join(&path, "allowed_access_ips"),
                    format!("'{ip}' is not an IP address"),
                ));
            }
        }
        if service == "SSH" && keys.as_ref().is_none_or(|k| k.is_empty()) {
            return Err(required(&join(&path, "key_pair_names")));
        }
        let mut ep = json!({"service": service, "dev_service": service, "key_pair_names": keys, "allowed_access_ips": ips});
        prune(&mut ep);
        out.push(ep);
    }
    Ok(Value::Array(out))
}

fn hooks(v: &Value) -> Result<Value, ApiError> {
    let o = object(v, "hooks")?;
    let mut out = json!({});
    if let Some(ch) = opt_obj(o, "container_hooks", "hooks")? {
        let mut c = json!({});
        for k in ["pre_start", "post_start"] {
            if let Some(cfg) = opt_obj(ch, k, "hooks.container_hooks")? {
                let p = format!("hooks.container_hooks.{k}");
                let ty = enum_upper(cfg, "type", &p, &["COMMAND", "SCRIPT"])?
                    .unwrap_or_else(|| "SCRIPT".into());
                let script = req_str(cfg, "script", &p)?;
                let mut x =
                    json!({"script": script, "type": ty, "mode": opt_str(cfg, "mode", &p)?});
                prune(&mut x);
                c[k] = x;
            }
        }
        out["container_hooks"] = c;
    }
    Ok(out)
}

fn custom_spec(v: &Value) -> Result<Value, ApiError> {
    let o = object(v, "custom_spec")?;
    let p = "custom_spec";
    let cpu = opt_f64(o, "cpu", p)?.ok_or_else(|| required("custom_spec.cpu"))?;
    if cpu <= 0.3 {
        return Err(incorrect(
            "custom_spec.cpu",
            "must be greater than 0.3 cores",
        ));
    }
    let memory = opt_f64(o, "memory", p)?.ok_or_else(|| required("custom_spec.memory"))?;
    if memory <= 0.0 {
        return Err(incorrect("custom_spec.memory", "must be positive"));
    }
    let gpu = opt_f64(o, "gpu", p)?;
    if gpu.is_some_and(|g| g < 0.0) {
        return Err(incorrect("custom_spec.gpu", "must be at least 0"));
    }
    let arch = match opt_str(o, "arch", p)? {
        None => "x86_64".to_string(),
        Some(a) if a.eq_ignore_ascii_case("x86_64") => "x86_64".into(),
        Some(a) if a.eq_ignore_ascii_case("aarch64") => "AARCH64".into(),
        Some(a) => {
            return Err(incorrect(
                "custom_spec.arch",
                format!("'{a}' is not x86_64 or AARCH64"),
            ))
        }
    };
    let category = enum_upper(o, "category", p, &["CPU", "GPU"])?.unwrap_or_else(|| {
        if gpu.unwrap_or(0.0) > 0.0 {
            "GPU".into()
        } else {
            "CPU".into()
        }
    });
    let mut out = json!({"cpu": cpu, "memory": memory, "gpu": gpu, "gpu_type": opt_str(o, "gpu_type", p)?,
        "arch": arch, "category": category, "resource_flavor": opt_str(o, "resource_flavor", p)?});
    prune(&mut out);
    Ok(out)
}

fn affinity(v: &Value) -> Result<Value, ApiError> {
    let o = object(v, "affinity")?;
    let mut out = json!({});
    for k in [
        "required_during_scheduling_ignored_during_execution",
        "preferred_during_scheduling_ignored_during_execution",
    ] {
        let Some(rules) = opt_arr(o, k, "affinity")? else {
            continue;
        };
        let mut rs = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let p = format!("affinity.{k}[{i}]");
            let ro = object(r, &p)?;
            let key = req_str(ro, "key", &p)?;
            if key.len() > 316 {
                return Err(incorrect(&join(&p, "key"), "too long"));
            }
            let op = req_str(ro, "operator", &p)?;
            if !["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"].contains(&op) {
                return Err(incorrect(
                    &join(&p, "operator"),
                    format!("'{op}' is not In, NotIn, Exists, DoesNotExist, Gt or Lt"),
                ));
            }
            let values = str_list(ro, "values", &p)?;
            if values.iter().flatten().any(|x| x.len() > 63) {
                return Err(incorrect(
                    &join(&p, "values"),
                    "each value is at most 63 characters",
                ));
            }
            let weight = opt_i64(ro, "weight", &p)?;
            if let Some(w) = weight {
                range(&join(&p, "weight"), w, 0, 100)?;
            }
            let mut x = json!({"key": key, "operator": op, "values": values, "weight": weight});
            prune(&mut x);
            rs.push(x);
        }
        out[k] = Value::Array(rs);
    }
    Ok(out)
}

fn lease_duration(field: &str, d: i64) -> Result<i64, ApiError> {
    if d == -1 {
        return Ok(d);
    }
    if !(3_600_000..=259_200_000).contains(&d) {
        return Err(ApiError::bad(
            "ModelArts.6349",
            format!(
                "The '{field}' parameter is incorrect. The value ranges from 3600000 to 259200000."
            ),
        ));
    }
    Ok(d)
}

fn check_flavor(sim: &Sim, f: &str) -> Result<(), ApiError> {
    match sim.config.catalog.notebook_flavor(f) {
        None => Err(ApiError::bad(
            "ModelArts.6323",
            format!("The flavor {f} is not supported."),
        )),
        Some(x) if x.sold_out => Err(ApiError::bad(
            "ModelArts.6329",
            format!("The flavor {f} is sold out."),
        )),
        Some(_) => Ok(()),
    }
}

fn create(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let o = object(&req.body, "body")?;
    let name = req_str(o, "name", "")?;
    super::valid::name("name", name, 128, "-_")?;
    let description = opt_str(o, "description", "")?.unwrap_or("");
    super::valid::description("description", description)?;
    let flavor = opt_str(o, "flavor", "")?;
    let custom = opt_parsed(o, "custom_spec", custom_spec)?;
    match (flavor, &custom) {
        (None, None) => return Err(required("flavor")),
        (Some(f), _) => check_flavor(sim, f)?,
        (None, Some(_)) => {}
    }
    let image_id = req_str(o, "image_id", "")?;
    let image = sim.config.catalog.notebook_image(image_id).ok_or_else(|| {
        ApiError::bad(
            "ModelArts.6797",
            format!("Specified image {image_id} cannot be found."),
        )
    })?;
    let vol = volume(o.get("volume").ok_or_else(|| required("volume"))?, "volume")?;
    let feature = enum_upper(o, "feature", "", &["NOTEBOOK", "DEFAULT"])?
        .unwrap_or_else(|| "NOTEBOOK".into());
    let pool_id = opt_str(o, "pool_id", "")?;
    if custom.is_some() && pool_id.is_none() {
        return Err(ApiError::bad("ModelArts.0107", "The values of the request parameters (custom_spec,pool_id) are invalid: custom_spec needs a dedicated pool."));
    }
    let ws = opt_str(o, "workspace_id", "")?.unwrap_or("0");
    if !(ws == "0"
        || (ws.len() == 32
            && ws
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())))
    {
        return Err(incorrect(
            "workspace_id",
            "must be 0 or 32 digits and lowercase letters",
        ));
    }
    let lease_req = opt_obj(o, "lease", "")?;
    let mut lease_type = match lease_req {
        Some(l) => {
            enum_upper(l, "type", "lease", &["TIMING", "IDLE"])?.unwrap_or_else(|| "TIMING".into())
        }
        None => "TIMING".into(),
    };
    let mut duration = match lease_req {
        Some(l) => opt_i64(l, "duration", "lease")?
            .map(|d| lease_duration("lease.duration", d))
            .transpose()?,
        None => None,
    };
    if let Some(d) = opt_i64(o, "duration", "")? {
        duration = Some(lease_duration("duration", d)?);
        lease_type = "TIMING".into();
    }
    let duration = duration.unwrap_or(3_600_000);
    let eps = opt_parsed(o, "endpoints", endpoints)?;
    let hk = opt_parsed(o, "hooks", hooks)?;
    let aff = opt_parsed(o, "affinity", affinity)?;
    let run_user = match opt_obj(o, "run_user", "")? {
        None => json!({"uid": 1000, "gid": 100, "user_name": "ma-user", "group_name": "ma-group"}),
        Some(r) => {
            let uid = opt_i64(r, "uid", "run_user")?.unwrap_or(1000);
            let gid = opt_i64(r, "gid", "run_user")?.unwrap_or(100);
            match (uid, gid) {
                (0, 0) => json!({"uid": 0, "gid": 0, "user_name": "root", "group_name": "root"}),
                (1000, 100) => {
                    json!({"uid": 1000, "gid": 100, "user_name": "ma-user", "group_name": "ma-group"})
                }
                _ => {
                    return Err(incorrect(
                        "run_user",
                        "uid/gid must be 0/0 (root) or 1000/100 (ma-user)",
                    ))
                }
            }
        }
    };
    let data_volumes = match opt_arr(o, "data_volumes", "")? {
        None => None,
        Some(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, v)| {
                    volume(v, &format!("data_volumes[{i}]")).map(|x| {
                        json!({"category": x["category"], "ownership": x["ownership"], "mount_path": x["mount_path"], "uri": x["uri"], "id": x["id"], "read_only": x["read_only"], "status": "MOUNTED", "mount_type": "DYNAMIC"})
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let user_vpc = match opt_obj(o, "user_vpc", "")? {
        None => None,
        Some(u) => {
            let p = "user_vpc";
            Some(
                json!({"vpc_id": req_str(u, "vpc_id", p)?, "subnet_id": req_str(u, "subnet_id", p)?,
                "security_group_ids": str_list(u, "security_group_ids", p)?, "connect_cidrs": str_list(u, "connect_cidrs", p)?.map(|c| c.join(",")),
                "nat_id": opt_str(u, "nat_id", p)?, "eip_id": opt_str(u, "eip_id", p)?}),
            )
        }
    };
    let public_net = match opt_obj(o, "public_network_config", "")? {
        None => None,
        Some(p) => Some(
            json!({"public_network_type": opt_str(p, "public_network_type", "public_network_config")?}),
        ),
    };
    let now = now_ms();
    let id = sim.uuid();
    let failed = sim.create_fails(name);
    let flavor_name = flavor
        .map(str::to_string)
        .unwrap_or_else(|| "custom.flavor.spec.code".into());
    let mut endpoints_res = eps.clone().unwrap_or_else(|| json!([]));
    if let Some(a) = endpoints_res.as_array_mut() {
        for e in a.iter_mut() {
            if e["service"] == "SSH" {
                e["uri"] = json!(format!(
                    "ssh://dev-modelarts.sim.myhuaweicloud.com:{}",
                    30000 + super::id_number(&id) % 1000
                ));
            }
        }
    }
    let n = super::id_number(&id);
    let ip = format!("192.168.{}.{}", (n >> 8) % 256, n % 256);
    let mut body = json!({
        "id": id, "name": name, "description": description, "status": "CREATING",
        "feature": feature, "flavor": flavor_name, "custom_spec": custom,
        "image": image.to_json(),
        "lease": {"create_at": now, "update_at": now, "duration": duration, "enable": duration != -1, "type": lease_type},
        "pool": pool_id.map(|p| json!({"id": p, "name": format!("pool-{p}")})),
        "token": sim.uuid(),
        "url": format!("https://authoring-modelarts-sim.myhuaweicloud.com/{id}/lab"),
        "volume": vol, "endpoints": endpoints_res, "workspace_id": ws,
        "billing_items": ["STORAGE", "COMPUTE"],
        "user": {"id": "u0000000000000000000000000000001", "name": "sim-user", "domain": {"id": "d0000000000000000000000000000001", "name": "sim-domain"}},
        "affinity": aff, "run_user": run_user, "data_volumes": data_volumes, "user_vpc": user_vpc,
        "public_network_config": public_net,
        "ip": ip,
        "user_id": "u0000000000000000000000000000001", "is_need_credentials": false, "jupyter_version": "3.0.0",
        "tags": [], "create_at": now, "update_at": now,
    });
    set_progress(&mut body, "PROCESSING");
    if let Some(h) = hk {
        // Kept to apply at start; the service does not return hooks.
        let _ = h;
    }
    prune(&mut body);
    let to = if failed { "CREATE_FAILED" } else { "RUNNING" };
    if failed {
        body["fail_reason"] =
            json!("Insufficient resources in the pool. Try another flavor or try again later.");
    }
    let obj_body = body.clone();
    sim.with_cloud(|c| {
        let seq = c.next_seq();
        c.notebooks_quiet_until = 0;
        c.notebooks.insert(
            id.clone(),
            Obj::pending(
                obj_body,
                seq,
                to,
                now + sim.config.timings.create_ms,
                req.body.clone(),
                None,
            ),
        );
    });
    ok(body)
}

fn start(sim: &Sim, req: &Req, id: &str) -> ApiResult {
    let duration = match req.q("duration") {
        None | Some("") => None,
        Some(d) => Some(lease_duration(
            "duration",
            d.parse()
                .map_err(|_| wrong_type("duration", "an integer"))?,
        )?),
    };
    let ty = match req.q("type") {
        None | Some("") => None,
        Some(t) if t.eq_ignore_ascii_case("TIMING") || t.eq_ignore_ascii_case("IDLE") => {
            Some(t.to_ascii_uppercase())
        }
        Some(t) => return Err(incorrect("type", format!("'{t}' is not TIMING or IDLE"))),
    };
    let fail = sim.config.fail_rate > 0.0 && sim.roll() < sim.config.fail_rate;
    with(sim, id, |sim, o, now| {
        match o.status() {
            "STOPPED" | "START_FAILED" => {}
            "RUNNING" => {
                return Err(ApiError::bad(
                    "ModelArts.6305",
                    "The instance is already running.",
                ))
            }
            "STARTING" => return Err(ApiError::bad("ModelArts.6306", "The instance is starting.")),
            "STOPPING" => return Err(ApiError::bad("ModelArts.6308", "The instance is stopping.")),
            "FROZEN" => return Err(ApiError::bad("ModelArts.6326", "The instance is frozen.")),
            _ => return Err(busy()),
        }
        if let Some(d) = duration {
            o.body["lease"]["duration"] = json!(d);
            o.body["lease"]["enable"] = json!(d != -1);
        }
        if let Some(t) = &ty {
            o.body["lease"]["type"] = json!(t);
        }
        let to = if fail { "START_FAILED" } else { "RUNNING" };
        transition(o, now, "STARTING", to, sim.config.timings.start_ms);
        ok(o.body.clone())
    })
}

fn renew(sim: &Sim, req: &Req, id: &str) -> ApiResult {
    let from_query = req
        .q("duration")
        .map(|d| {
            d.parse::<i64>()
                .map_err(|_| wrong_type("duration", "an integer"))
        })
        .transpose()?;
    let body = req.body.as_object();
    let duration = match from_query {
        Some(d) => Some(d),
        None => body
            .map(|b| opt_i64(b, "duration", ""))
            .transpose()?
            .flatten(),
    }
    .ok_or_else(|| {
        ApiError::bad(
            "ModelArts.6348",
            "The 'duration' parameter is mandatory for enabling auto stop.",
        )
    })?;
    let d = lease_duration("duration", duration)?;
    let ty = body
        .map(|b| enum_upper(b, "type", "", &["TIMING", "IDLE"]))
        .transpose()?
        .flatten();
    with(sim, id, |_, o, now| {
        if o.status() != "RUNNING" {
            return Err(ApiError::bad(
                "ModelArts.6327",
                "The instance is not in running.",
            ));
        }
        let l = &mut o.body["lease"];
        l["create_at"] = json!(now);
        l["update_at"] = json!(now);
        l["duration"] = json!(d);
        l["enable"] = json!(d != -1);
        if let Some(t) = ty {
            l["type"] = json!(t);
        }
        ok(l.clone())
    })
}

fn not_modifiable(status: &str, field: &str) -> ApiError {
    ApiError::bad(
        "ModelArts.6347",
        format!("When the instance is in the '{status}' status, the '{field}' parameter cannot be modified."),
    )
}

fn update(sim: &Sim, id: &str, body: &Value) -> ApiResult {
    let o: &Map<String, Value> = object(body, "body")?;
    const KNOWN: &[&str] = &[
        "name",
        "description",
        "flavor",
        "image_id",
        "endpoints",
        "storage_new_size",
        "hooks",
        "custom_spec",
        "affinity",
        "dew_secret_name",
        "data_volumes",
        "public_network_config",
    ];
    if let Some(k) = o.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(ApiError::bad(
            "ModelArts.6336",
            format!("'{k}' cannot be updated."),
        ));
    }
    let name = opt_str(o, "name", "")?;
    if let Some(n) = name {
        super::valid::name("name", n, 128, "-_")?;
    }
    let desc = opt_str(o, "description", "")?;
    if let Some(d) = desc {
        super::valid::description("description", d)?;
    }
    let flavor = opt_str(o, "flavor", "")?;
    let image_id = opt_str(o, "image_id", "")?;
    let image = image_id
        .map(|i| {
            sim.config.catalog.notebook_image(i).ok_or_else(|| {
                ApiError::bad(
                    "ModelArts.6797",
                    format!("Specified image {i} cannot be found."),
                )
            })
        })
        .transpose()?;
    let eps = opt_parsed(o, "endpoints", endpoints)?;
    let size = opt_i64(o, "storage_new_size", "")?;
    let custom = opt_parsed(o, "custom_spec", custom_spec)?;
    let aff = opt_parsed(o, "affinity", affinity)?;
    let hk = opt_parsed(o, "hooks", hooks)?;
    let resize_ms = sim.config.timings.resize_ms;
    let catalog = &sim.config.catalog;
    with(sim, id, |_, nb, now| {
        let st = nb.status().to_string();
        if !STABLE.contains(&st.as_str()) {
            return Err(busy());
        }
        if st == "FROZEN" {
            return Err(ApiError::bad("ModelArts.6326", "The instance is frozen."));
        }
        let stopped = st == "STOPPED";
        for (field, present) in [
            ("flavor", flavor.is_some()),
            ("image_id", image.is_some()),
            ("endpoints", eps.is_some()),
            ("custom_spec", custom.is_some()),
            ("affinity", aff.is_some()),
            ("hooks", hk.is_some()),
        ] {
            if present && !stopped {
                return Err(not_modifiable(&st, field));
            }
        }
        if let Some(f) = flavor {
            let cur = catalog.notebook_flavor(nb.body["flavor"].as_str().unwrap_or(""));
            let ok_switch = match (cur, catalog.notebook_flavor(f)) {
                (_, None) => false,
                (_, Some(t)) if t.sold_out => false,
                (Some(c), Some(t)) => c.category == t.category && c.arch == t.arch,
                (None, Some(_)) => true,
            };
            if !ok_switch {
                return Err(ApiError::bad(
                    "ModelArts.6792",
                    format!("Instance {id} does not support to update flavor to {f}"),
                ));
            }
        }
        if let Some(s) = size {
            if st != "RUNNING" {
                return Err(not_modifiable(&st, "storage_new_size"));
            }
            if nb.body["volume"]["category"] != "EVS" {
                return Err(incorrect(
                    "storage_new_size",
                    "only EVS storage can be expanded",
                ));
            }
            let cur = nb.body["volume"]["capacity"].as_i64().unwrap_or(5);
            if s < cur || s > 4096 {
                return Err(ApiError::bad(
                    "ModelArts.6331",
                    format!("The evs volume size ranges from {cur} GB to 4096 GB."),
                ));
            }
        }
        let b = &mut nb.body;
        if let Some(n) = name {
            b["name"] = json!(n);
        }
        if let Some(d) = desc {
            b["description"] = json!(d);
        }
        if let Some(f) = flavor {
            b["flavor"] = json!(f);
        }
        if let Some(i) = image {
            b["image"] = i.to_json();
        }
        if let Some(e) = eps {
            b["endpoints"] = e;
        }
        if let Some(c) = custom {
            b["custom_spec"] = c;
        }
        if let Some(a) = aff {
            b["affinity"] = a;
        }
        if let Some(s) = size {
            if b["volume"]["capacity"].as_i64() != Some(s) {
                b["volume"]["capacity"] = json!(s);
                b["volume"]["status"] = json!("RESIZING");
                nb.resize_at = Some(now + resize_ms);
            }
        }
        nb.body["update_at"] = json!(now);
        ok(nb.body.clone())
    })
}

fn attach(sim: &Sim, req: &Req, id: &str) -> ApiResult {
    let o = object(&req.body, "body")?;
    let category = enum_upper(o, "category", "", &["OBS", "OBSFS", "PFS", "SFS_TURBO"])?
        .unwrap_or_else(|| "OBS".into());
    let mount_path = req_str(o, "mount_path", "")?;
    let valid_mp = mount_path.starts_with("/data/")
        && mount_path.ends_with('/')
        && mount_path.len() > 7
        && mount_path[6..mount_path.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_mp {
        return Err(incorrect("mount_path", "must look like /data/<dir>/"));
    }
    let uri = req_str(o, "uri", "")?;
    if !uri.starts_with("obs://") || !uri.ends_with('/') {
        return Err(incorrect("uri", "must look like obs://bucket/dir/"));
    }
    with(sim, id, |_, nb, _| {
        if nb.status() != "RUNNING" {
            return Err(ApiError::bad(
                "ModelArts.6327",
                "The instance is not in running.",
            ));
        }
        ok(Value::Null)
    })?;
    let now = now_ms();
    let sid = sim.uuid();
    let body = json!({"id": sid, "category": if category == "OBS" { "OBSFS".to_string() } else { category }, "mount_path": mount_path, "uri": uri, "status": "MOUNTING"});
    sim.with_cloud(|c| {
        if c.mounts
            .values()
            .any(|m| m.parent.as_deref() == Some(id) && m.body["mount_path"] == mount_path)
        {
            return Err(incorrect(
                "mount_path",
                format!("{mount_path} is already mounted"),
            ));
        }
        let seq = c.next_seq();
        c.mounts.insert(
            sid.clone(),
            Obj::pending(
                body.clone(),
                seq,
                "MOUNTED",
                now + sim.config.timings.mount_ms,
                req.body.clone(),
                Some(id.to_string()),
            ),
        );
        ok(body.clone())
    })
}
