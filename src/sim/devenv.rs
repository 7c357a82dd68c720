//! `/v1/{project_id}/demanager/instances`: the legacy DevEnviron API. Its errors use
//! `error_message`, its timestamps are strings of milliseconds, and a running instance
//! must be stopped before it can be deleted.

use super::valid::*;
use super::{now_ms, ok, ApiError, ApiResult, Obj, Pending, Req, Sim, GONE};
use serde_json::{json, Value};
use std::sync::Arc;

fn not_found() -> ApiError {
    ApiError::bad("ModelArts.6309", "The instance does not exist.")
}

pub fn settle(o: &mut Obj, now: i64) -> bool {
    if o.pending.as_ref().is_some_and(|p| now >= p.at) {
        let p = o.pending.take().expect("checked");
        {
            if p.to == GONE {
                return false;
            }
            o.body["status"] = json!(p.to);
            o.body["latest_update_timestamp"] = json!(p.at.to_string());
            if p.to == "RUNNING" {
                arm_auto_stop(&mut o.body, p.at);
                o.body["spec"]["failed_reasons"] = Value::Null;
                if let Some(m) = o.body.as_object_mut() {
                    m.remove("error_code");
                }
                // The address is known once the instance runs ("" while it is created).
                let url = format!(
                    "https://modelarts-notebook-sim.myhuaweicloud.com/{}/lab",
                    o.body["id"].as_str().unwrap_or_default()
                );
                o.body["spec"]["annotations"]["url"] = json!(url);
            } else if p.to.ends_with("_FAILED") {
                // "failed_reasons: the cause of a creation or start failure" {code,
                // message, detail}. The simulated failure is one of resources.
                let what = if p.to == "CREATE_FAILED" {
                    "create"
                } else {
                    "start"
                };
                // The instance's own `error_code` names the failure too.
                o.body["error_code"] = json!("ModelArts.6200");
                o.body["spec"]["failed_reasons"] = json!({
                    "code": "ModelArts.6200",
                    "message": "No resources available for the flavor. Try another flavor or try again later.",
                    "detail": {"operation": what, "flavor": o.body["flavor"]},
                });
            }
        }
    }
    let a = &o.body["spec"]["auto_stop"];
    if o.status() == "RUNNING" && a["enable"] == json!(true) {
        if let Some(stop) = a["stop_timestamp"].as_i64() {
            if now >= stop {
                o.body["status"] = json!("STOPPED");
                o.body["latest_update_timestamp"] = json!(stop.to_string());
            }
        }
    }
    remain_time(&mut o.body, now);
    true
}

/// `remain_time`: the seconds left before the automatic stop, while one is counting
/// down (a running instance with auto stop armed); absent otherwise.
fn remain_time(body: &mut Value, now: i64) {
    let running = body["status"] == "RUNNING";
    let a = &mut body["spec"]["auto_stop"];
    match a["stop_timestamp"].as_i64() {
        Some(stop) if running && a["enable"] == json!(true) => {
            a["remain_time"] = json!(((stop - now).max(0) + 999) / 1000);
        }
        _ => {
            if let Some(m) = a.as_object_mut() {
                m.remove("remain_time");
            }
        }
    }
}

fn arm_auto_stop(body: &mut Value, at: i64) {
    let a = &mut body["spec"]["auto_stop"];
    if a["enable"] == json!(true) {
        let d = a["duration"].as_i64().unwrap_or(3600);
        a["stop_timestamp"] = json!(at + d * 1000);
        a["remain_time"] = json!(d);
    } else if let Some(m) = a.as_object_mut() {
        m.remove("stop_timestamp");
        m.remove("remain_time");
    }
}

fn with(sim: &Sim, id: &str, f: impl FnOnce(&Sim, &mut Obj, i64) -> ApiResult) -> ApiResult {
    let now = now_ms();
    sim.with_cloud(|c| {
        let alive = match c.devenvs.get_mut(id) {
            None => return Err(not_found()),
            Some(o) => settle(o, now),
        };
        if !alive {
            c.devenvs.remove(id);
            return Err(not_found());
        }
        f(sim, c.devenvs.get_mut(id).expect("present"), now)
    })
}

/// The legacy DevEnviron routes, under `/v1/{project_id}/demanager`.
pub const BASE: &str = "/v1/{project_id}/demanager";
pub const ROUTES: &[&str] = &[
    "/instances",
    "/instances/{id}",
    "/instances/{id}/action",
    "/profiles",
    "/flavors",
];

pub fn route(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let id = req.param("id");
    match (req.method.as_str(), req.tail(BASE)) {
        ("GET", "/instances") => list(sim, req),
        ("POST", "/instances") => create(sim, req),
        ("GET", "/instances/{id}") => with(sim, id, |_, o, _| ok(o.body.clone())),
        ("PUT", "/instances/{id}") => update(sim, req, id),
        ("DELETE", "/instances/{id}") => with(sim, id, |sim, o, now| {
            match o.status() {
                "RUNNING" | "STARTING" | "RESTARTING" => {
                    return Err(ApiError::bad(
                        "ModelArts.6304",
                        "Please stop the instance before deleting it.",
                    ))
                }
                "DELETED" => return Err(not_found()),
                _ => {}
            }
            o.body["status"] = json!("DELETED");
            o.pending = Some(Pending {
                to: GONE.into(),
                at: now + sim.config.timings.delete_ms,
            });
            ok(json!({"instance_id": o.body["id"]}))
        }),
        ("POST", "/instances/{id}/action") => action(sim, req, id),
        ("GET", "/profiles") => {
            let data: Vec<Value> = sim
                .config
                .catalog
                .devenv_profiles
                .iter()
                .map(|p| p.to_json())
                .collect();
            ok(json!({"total_count": data.len(), "profiles": data}))
        }
        ("GET", "/flavors") => {
            let data: Vec<Value> = sim.with_cloud(|c| {
                let now = now_ms();
                c.devenvs.retain(|_, o| settle(o, now));
                sim.config
                    .catalog
                    .devenv_flavors
                    .iter()
                    .map(|f| f.to_json(instances_of(c, &f.name)))
                    .collect()
            });
            ok(json!({"total_count": data.len(), "flavors": data}))
        }
        _ => Err(super::not_found_route(req)),
    }
}

/// How many DevEnviron instances of `flavor` exist (`flavor_details.instance_num`).
fn instances_of(c: &super::Cloud, flavor: &str) -> usize {
    c.devenvs
        .values()
        .filter(|o| o.body["flavor"] == flavor)
        .count()
}

fn list(sim: &Sim, req: &Req) -> ApiResult {
    match req.q("de_type") {
        Some("Notebook") => {}
        Some(other) => {
            return Err(incorrect(
                "de_type",
                format!("'{other}' is not supported; use Notebook"),
            ))
        }
        None => return Err(required("de_type")),
    }
    let status = req.q("status").map(str::to_ascii_uppercase);
    let ws = req.q("workspace_id").or_else(|| req.q("workspaceId"));
    let limit: usize = req.q("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let offset: usize = req.q("offset").and_then(|l| l.parse().ok()).unwrap_or(0);
    let by_name = req.q("sortby") == Some("name");
    let asc = req
        .q("order")
        .is_some_and(|o| o.eq_ignore_ascii_case("asc"));
    let now = now_ms();
    sim.with_cloud(|c| {
        c.devenvs.retain(|_, o| settle(o, now));
        let mut items: Vec<&Obj> = c
            .devenvs
            .values()
            .filter(|o| status.as_ref().is_none_or(|s| o.status() == s))
            .filter(|o| ws.is_none_or(|w| o.body["workspace"]["id"] == w))
            .collect();
        if by_name {
            items.sort_by(|a, b| {
                a.body["name"]
                    .as_str()
                    .cmp(&b.body["name"].as_str())
                    .then(a.seq.cmp(&b.seq))
            });
        } else {
            items.sort_by_key(|o| o.seq);
        }
        if !asc {
            items.reverse();
        }
        let total = items.len();
        let take = if limit == 0 { usize::MAX } else { limit };
        let instances: Vec<Value> = items
            .into_iter()
            .skip(offset)
            .take(take)
            .map(|o| o.body.clone())
            .collect();
        ok(json!({"total_count": total, "instances": instances}))
    })
}

fn auto_stop(v: Option<&serde_json::Map<String, Value>>, path: &str) -> Result<Value, ApiError> {
    let Some(a) = v else {
        return Ok(json!({"enable": false, "prompt": true}));
    };
    let enable = opt_bool(a, "enable", path)?.unwrap_or(false);
    let duration = opt_i64(a, "duration", path)?;
    let prompt = opt_bool(a, "prompt", path)?.unwrap_or(true);
    if enable && duration.is_none() {
        return Err(ApiError::bad(
            "ModelArts.6348",
            "The 'duration' parameter is mandatory for enabling auto stop.",
        ));
    }
    // The range holds for any duration given, enabled or not.
    if duration.is_some_and(|d| !(3600..=86400).contains(&d)) {
        return Err(ApiError::bad(
            "ModelArts.6349",
            "The 'duration' parameter is incorrect. The value ranges from 3600 to 86400.",
        ));
    }
    let mut out = json!({"enable": enable, "duration": duration, "prompt": prompt});
    prune(&mut out);
    Ok(out)
}

fn storage(v: &Value, path: &str, extend: bool) -> Result<Value, ApiError> {
    let o = object(v, path)?;
    // The document lists the types in lower case, and only those.
    let ty = match opt_str(o, "type", path)? {
        Some(t) if ["obs", "obsfs", "evs"].contains(&t) => t.to_string(),
        Some(t) => {
            return Err(incorrect(
                &join(path, "type"),
                format!("'{t}' is not obs, obsfs or evs"),
            ))
        }
        None => return Err(required(&join(path, "type"))),
    };
    if extend && ty != "obsfs" {
        return Err(incorrect(
            &join(path, "type"),
            "extend_storage supports obsfs only",
        ));
    }
    let lp = join(path, "location");
    let loc = opt_obj(o, "location", path)?;
    let empty = serde_json::Map::new();
    let loc = loc.unwrap_or(&empty);
    let p = opt_str(loc, "path", &lp)?;
    let out = match ty.as_str() {
        "obs" => {
            let p = p.ok_or_else(|| required(&join(&lp, "path")))?;
            if !p.ends_with('/') {
                return Err(ApiError::bad(
                    "ModelArts.6318",
                    "The param path needs to end with /.",
                ));
            }
            let inner = p
                .trim_start_matches("s3://")
                .trim_start_matches("obs://")
                .trim_start_matches('/');
            if inner.trim_end_matches('/').split('/').count() < 2 {
                return Err(ApiError::bad(
                    "ModelArts.6318",
                    "The param path cannot be the root of a bucket.",
                ));
            }
            json!({"type": "obs", "location": {"path": p}})
        }
        "obsfs" => {
            let p = p.ok_or_else(|| required(&join(&lp, "path")))?;
            // "The bucket name": a parallel file system mounts whole, not a directory.
            let bucket = p.trim_start_matches("obs://").trim_matches('/');
            if bucket.is_empty() || bucket.contains('/') {
                return Err(incorrect(
                    &join(&lp, "path"),
                    format!("'{p}' is not a bucket name; only a whole bucket can be mounted"),
                ));
            }
            let mount = opt_str(loc, "mount_path", &lp)?.unwrap_or("/home/ma-user/work");
            let modes = match opt_str(loc, "access_modes", &lp)? {
                None => "ReadWriteMany",
                Some(m @ ("ReadOnlyMany" | "ReadWriteMany")) => m,
                Some(m) => {
                    return Err(incorrect(
                        &join(&lp, "access_modes"),
                        format!("'{m}' is not ReadOnlyMany or ReadWriteMany"),
                    ))
                }
            };
            json!({"type": "obsfs", "location": {"path": p, "mount_path": mount, "access_modes": modes}})
        }
        _ => {
            let size = opt_i64(loc, "volume_size", &lp)?.unwrap_or(5);
            if !(5..=4096).contains(&size) {
                return Err(ApiError::bad(
                    "ModelArts.6331",
                    "The evs volume size ranges from 5 GB to 4096 GB.",
                ));
            }
            json!({"type": "evs", "location": {"path": "/home/ma-user/work", "volume_size": size, "volume_unit": "GB"}})
        }
    };
    Ok(out)
}

fn create(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let o = object(&req.body, "body")?;
    let name = req_str(o, "name", "")?;
    super::valid::name("name", name, 64, "-_")?;
    let desc = opt_str(o, "description", "")?.unwrap_or("");
    super::valid::description("description", desc)?;
    let profile_id = req_str(o, "profile_id", "")?;
    let profile = sim
        .config
        .catalog
        .devenv_profile(profile_id)
        .ok_or_else(|| {
            incorrect(
                "profile_id",
                format!("the profile {profile_id} does not exist"),
            )
        })?;
    let flavor = req_str(o, "flavor", "")?;
    let fl = sim.config.catalog.devenv_flavor(flavor).ok_or_else(|| {
        ApiError::bad(
            "ModelArts.6323",
            format!("The flavor {flavor} is not supported."),
        )
    })?;
    let spec = opt_obj(o, "spec", "")?.ok_or_else(|| required("spec"))?;
    let st = storage(
        spec.get("storage")
            .filter(|v| !v.is_null())
            .ok_or_else(|| required("spec.storage"))?,
        "spec.storage",
        false,
    )?;
    let ext = match opt_arr(spec, "extend_storage", "spec")? {
        None => Value::Null,
        Some(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, s)| storage(s, &format!("spec.extend_storage[{i}]"), true))
                .collect::<Result<_, _>>()?,
        ),
    };
    let auto = auto_stop(opt_obj(spec, "auto_stop", "spec")?, "spec.auto_stop")?;
    let annotations = match opt_obj(spec, "annotations", "spec")? {
        None => json!({}),
        Some(a) => {
            if a.values().any(|v| !v.is_string()) {
                return Err(wrong_type("spec.annotations", "a map of strings"));
            }
            Value::Object(a.clone())
        }
    };
    let ws = match opt_obj(o, "workspace", "")? {
        None => "0".to_string(),
        Some(w) => opt_str(w, "id", "workspace")?.unwrap_or("0").to_string(),
    };
    let pool = match opt_obj(o, "pool", "")? {
        None => Value::Null,
        Some(p) => {
            let id = req_str(p, "id", "pool")?;
            let ty = opt_str(p, "type", "pool")?;
            let owner = match opt_obj(p, "owner", "pool")? {
                Some(ow) => Some(opt_str(ow, "project_id", "pool.owner")?),
                None => None,
            };
            // A dedicated (USER_DEFINED) pool always has an owner: this project unless
            // the request names another.
            let owner = match (owner.flatten(), ty) {
                (Some(p), _) => json!({"project_id": p}),
                (None, Some("USER_DEFINED")) => json!({"project_id": sim.config.project_id}),
                (None, _) => Value::Null,
            };
            let mut x =
                json!({"id": id, "type": ty, "name": opt_str(p, "name", "pool")?, "owner": owner});
            prune(&mut x);
            x
        }
    };
    // "Only some dedicated resource pools support parallel file systems": obsfs storage
    // (main or extended) needs a pool.
    let obsfs = st["type"] == "obsfs" || ext.as_array().is_some_and(|a| !a.is_empty());
    if obsfs && pool.is_null() {
        return Err(incorrect(
            "pool",
            "OBS parallel file systems (obsfs) can be mounted only on a dedicated resource pool",
        ));
    }
    let ai = match opt_obj(o, "ai_project", "")? {
        None => "default-ai-project".to_string(),
        Some(a) => opt_str(a, "id", "ai_project")?
            .unwrap_or("default-ai-project")
            .to_string(),
    };
    let now = now_ms();
    let id = format!("DE-{}", sim.uuid());
    let failed = sim.create_fails(name);
    let mut annotations = annotations;
    annotations["target_domain"] = json!("https://modelarts-notebook-sim.myhuaweicloud.com");
    annotations["url"] = json!("");
    let mut body = json!({
        "id": id, "name": name, "description": desc, "status": "CREATING",
        "creation_timestamp": now.to_string(), "latest_update_timestamp": now.to_string(),
        "profile": profile.to_json(), "flavor": flavor, "flavor_details": fl.to_json(0), "pool": pool,
        "spec": {"storage": st, "extend_storage": ext, "auto_stop": auto, "annotations": annotations,
                 "log_path": format!("/home/ma-user/log/{id}")},
        "workspace": {"id": ws}, "ai_project": {"id": ai},
        "user": {"id": "u0000000000000000000000000000001", "name": "sim-user"},
    });
    prune(&mut body);
    body["profile"]["provision"]["spec"]["params"]["annotations"] = Value::Null;
    // The documented nulls (the response example): no failure yet, no repository, no
    // extension parameters, no extended storage unless asked for.
    if let Some(spec) = body["spec"].as_object_mut() {
        for k in [
            "failed_reasons",
            "repository",
            "extend_params",
            "extend_storage",
        ] {
            spec.entry(k).or_insert(Value::Null);
        }
    }
    let to = if failed { "CREATE_FAILED" } else { "RUNNING" };
    sim.with_cloud(|c| {
        body["flavor_details"]["instance_num"] = json!(instances_of(c, flavor) + 1);
        let b = body.clone();
        let seq = c.next_seq();
        c.devenvs.insert(
            id.clone(),
            Obj::pending(
                b,
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

fn update(sim: &Sim, req: &Req, id: &str) -> ApiResult {
    let o = object(&req.body, "body")?;
    if let Some(k) = o
        .keys()
        .find(|k| !["description", "spec"].contains(&k.as_str()))
    {
        return Err(incorrect(
            k,
            "only description and spec.auto_stop can be modified",
        ));
    }
    let desc = opt_str(o, "description", "")?;
    if let Some(d) = desc {
        super::valid::description("description", d)?;
    }
    let auto = match opt_obj(o, "spec", "")? {
        None => None,
        Some(s) => {
            if let Some(k) = s.keys().find(|k| k.as_str() != "auto_stop") {
                return Err(incorrect(
                    &format!("spec.{k}"),
                    "only spec.auto_stop can be modified",
                ));
            }
            opt_obj(s, "auto_stop", "spec")?
                .map(|a| auto_stop(Some(a), "spec.auto_stop"))
                .transpose()?
        }
    };
    with(sim, id, |_, o, now| {
        if let Some(d) = desc {
            o.body["description"] = json!(d);
        }
        if let Some(a) = auto {
            // Takes effect at the next start; the current countdown is left alone.
            let keep_stop = o.body["spec"]["auto_stop"]["stop_timestamp"].clone();
            o.body["spec"]["auto_stop"] = a;
            if !keep_stop.is_null() && o.body["spec"]["auto_stop"]["enable"] == json!(true) {
                o.body["spec"]["auto_stop"]["stop_timestamp"] = keep_stop;
            }
            remain_time(&mut o.body, now);
        }
        o.body["latest_update_timestamp"] = json!(now.to_string());
        ok(o.body.clone())
    })
}

fn action(sim: &Sim, req: &Req, id: &str) -> ApiResult {
    let o = object(&req.body, "body")?;
    let act = req_str(o, "action", "")?.to_ascii_lowercase();
    let fail = sim.config.fail_rate > 0.0 && sim.roll() < sim.config.fail_rate;
    with(sim, id, |sim, o, now| {
        let prev = o.status().to_string();
        let t = &sim.config.timings;
        let (cur, to, ms) = match (act.as_str(), prev.as_str()) {
            ("start", "STOPPED" | "START_FAILED") => (
                "STARTING",
                if fail { "START_FAILED" } else { "RUNNING" },
                t.start_ms,
            ),
            ("start", "RUNNING") => {
                return Err(ApiError::bad(
                    "ModelArts.6305",
                    "The instance is already running.",
                ))
            }
            ("stop", "RUNNING") => ("STOPPING", "STOPPED", t.stop_ms),
            ("stop", "STOPPED") => {
                return Err(ApiError::bad(
                    "ModelArts.6307",
                    "The instance is already stopped.",
                ))
            }
            ("restart", "RUNNING") => ("RESTARTING", "RUNNING", t.start_ms),
            ("queue" | "dequeue", _) => {
                return Err(incorrect(
                    "action",
                    "queue and dequeue apply to free flavors in a queue only",
                ))
            }
            ("start" | "stop" | "restart", _) => {
                return Err(ApiError::bad(
                    "ModelArts.6357",
                    format!("The instance in status {prev} cannot {act}."),
                ))
            }
            _ => {
                return Err(incorrect(
                    "action",
                    format!("'{act}' is not start, stop, restart, queue or dequeue"),
                ))
            }
        };
        o.body["status"] = json!(cur);
        o.body["latest_update_timestamp"] = json!(now.to_string());
        o.pending = Some(Pending {
            to: to.into(),
            at: now + ms,
        });
        ok(json!({"current_status": cur, "previous_state": prev}))
    })
}
