//! `/v1/{project_id}/notebooks`, `/images` and notebook storage mounts.

mod mounts;
mod request;
mod update;

use super::valid::*;
use super::{now_ms, ok, page, ApiError, ApiResult, Obj, Pending, Req, Sim, GONE};
use axum::http::Method;
use mounts::{attach, mount_settle};
use request::*;
use serde_json::{json, Value};
use std::sync::Arc;
use update::update;

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
                set_progress(&mut o.body, STEPS.len() + 1, "COMPLETED");
                if let Some(m) = o.body.as_object_mut() {
                    m.remove("fail_reason");
                }
            } else if p.to.ends_with("_FAILED") {
                // The simulated failure is one of resources: the compute step fails, and
                // `fail_reason` says why (present only once the job has failed).
                set_progress(&mut o.body, FAILING_STEP, "FAILED");
                o.body["fail_reason"] = json!(
                    "Insufficient resources in the pool. Try another flavor or try again later."
                );
            }
        }
    }
    // A create or start in progress reports the step it has reached.
    if let Some(p) = &o.pending {
        if matches!(o.status(), "CREATING" | "STARTING") {
            let start = o.body["update_at"].as_i64().unwrap_or(now);
            let mut step = step_at(start, p.at, now);
            // A job that will fail never gets past the step that fails.
            if p.to.ends_with("_FAILED") {
                step = step.min(FAILING_STEP);
            }
            if !progress_is(&o.body, step, "PROCESSING") {
                set_progress(&mut o.body, step, "PROCESSING");
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

/// What the service adds to the endpoints it was given: an SSH endpoint's address, and
/// its key pairs under the response's name, `ssh_keys` (EndpointsRes).
pub(super) fn endpoint_details(eps: &mut Value, id: &str) {
    for e in eps.as_array_mut().into_iter().flatten() {
        if e["service"] == "SSH" {
            e["uri"] = json!(format!(
                "ssh://dev-modelarts.sim.myhuaweicloud.com:{}",
                30000 + super::id_number(id) % 1000
            ));
            e["ssh_keys"] = e.get("key_pair_names").cloned().unwrap_or(json!([]));
        }
    }
}

/// The job steps of a create or start, in the document's order.
const STEPS: [&str; 4] = [
    "Prepare storage.",
    "Prepare compute resources.",
    "Configure the network.",
    "Initialize the instance.",
];

/// The step a simulated failure fails at: compute resources.
const FAILING_STEP: usize = 2;

/// `action_progress`: every step of the job, those before `current` COMPLETED, `current`
/// (1-based) with `status`, those after WAITING. `current` past the last step means all
/// done.
fn set_progress(body: &mut Value, current: usize, status: &str) {
    let id = body["id"].clone();
    let steps: Vec<Value> = STEPS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let step = i + 1;
            let st = match step.cmp(&current) {
                std::cmp::Ordering::Less => "COMPLETED",
                std::cmp::Ordering::Equal => status,
                std::cmp::Ordering::Greater => "WAITING",
            };
            json!({"notebook_id": id, "status": st, "step": step, "step_description": d})
        })
        .collect();
    body["action_progress"] = json!(steps);
}

/// Whether `action_progress` already says what [`set_progress`] would write (a list call
/// settles every object in transition: rewriting each one's steps every time was most of
/// the simulator's work during a large apply).
fn progress_is(body: &Value, current: usize, status: &str) -> bool {
    let Some(steps) = body["action_progress"].as_array() else {
        return false;
    };
    steps.len() == STEPS.len()
        && steps.iter().enumerate().all(|(i, s)| {
            let want = match (i + 1).cmp(&current) {
                std::cmp::Ordering::Less => "COMPLETED",
                std::cmp::Ordering::Equal => status,
                std::cmp::Ordering::Greater => "WAITING",
            };
            s["status"] == want
        })
}

/// The step a job is at, `now` between its start and its end (`at`).
fn step_at(start: i64, at: i64, now: i64) -> usize {
    let span = (at - start).max(1);
    let done = (now - start).clamp(0, span - 1);
    1 + (done * STEPS.len() as i64 / span) as usize
}

fn transition(o: &mut Obj, now: i64, now_status: &str, to: &str, ms: i64) {
    o.body["status"] = json!(now_status);
    o.body["update_at"] = json!(now);
    o.pending = Some(Pending {
        to: to.into(),
        at: now + ms,
    });
}

/// The notebook routes, under `/v1/{project_id}/notebooks`.
pub const BASE: &str = "/v1/{project_id}/notebooks";
pub const ROUTES: &[&str] = &[
    "",
    "/all",
    "/flavors",
    "/{id}",
    "/{id}/start",
    "/{id}/stop",
    "/{id}/lease",
    "/{id}/flavors",
    "/{id}/storage",
    "/{id}/storage/{storage_id}",
];

pub fn route(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let m = &req.method;
    let id = req.param("id");
    match (m.as_str(), req.tail(BASE)) {
        ("GET", "" | "/all") => list(sim, req),
        ("POST", "") => create(sim, req),
        ("GET", "/flavors") => flavors(sim, req, None),
        ("GET", "/{id}") => with(sim, id, |_, o, _| ok(o.body.clone())),
        ("PUT", "/{id}") => update(sim, id, &req.body),
        ("DELETE", "/{id}") => with(sim, id, |sim, o, now| {
            if o.status() == "DELETING" {
                return Err(busy());
            }
            transition(o, now, "DELETING", GONE, sim.config.timings.delete_ms);
            ok(o.body.clone())
        }),
        ("POST", "/{id}/start") => start(sim, req, id),
        ("POST", "/{id}/stop") => with(sim, id, |sim, o, now| {
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
        ("GET", "/{id}/lease") => with(sim, id, |_, o, _| ok(o.body["lease"].clone())),
        ("PATCH", "/{id}/lease") => renew(sim, req, id),
        ("GET", "/{id}/flavors") => {
            let flavor = with(sim, id, |_, o, _| ok(o.body["flavor"].clone()))?.1;
            flavors(sim, req, flavor.as_str())
        }
        ("GET", "/{id}/storage") => {
            with(sim, id, |_, _, _| ok(Value::Null))?;
            let now = now_ms();
            let items = sim.with_cloud(|c| {
                c.mounts.retain(|_, o| mount_settle(o, now));
                c.mounts
                    .values()
                    .filter(|o| o.parent.as_deref() == Some(id))
                    .map(|o| o.body.clone())
                    .collect::<Vec<_>>()
            });
            ok(page(items, 50, 0))
        }
        ("POST", "/{id}/storage") => attach(sim, req, id),
        ("GET" | "DELETE", "/{id}/storage/{storage_id}") => {
            let sid = req.param("storage_id");
            with(sim, id, |_, _, _| ok(Value::Null))?;
            let now = now_ms();
            let del = m == Method::DELETE;
            let ms = sim.config.timings.mount_ms;
            sim.with_cloud(|c| {
                let o = c
                    .mounts
                    .get_mut(sid)
                    .filter(|o| o.parent.as_deref() == Some(id));
                let Some(o) = o else {
                    return Err(ApiError::bad(
                        "ModelArts.6309",
                        format!("The storage {sid} does not exist."),
                    ));
                };
                if !mount_settle(o, now) {
                    c.mounts.remove(sid);
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
        let unfiltered = sort_key == "create_at"
            && [&name, &flavor, &image, &id, &feature, &pool, &ws]
                .iter()
                .all(|f| f.is_none())
            && status.is_none();
        if unfiltered {
            // The common list (every notebook, newest or oldest first): no scan, no sort.
            let at = (c.notebooks.len(), c.seq);
            if (c.notebook_order.0, c.notebook_order.1) != at {
                let mut by_seq: Vec<(u64, &String)> =
                    c.notebooks.iter().map(|(id, o)| (o.seq, id)).collect();
                by_seq.sort_unstable();
                let ids = by_seq.into_iter().map(|(_, id)| id.clone()).collect();
                c.notebook_order = (at.0, at.1, ids);
            }
            let ids = &c.notebook_order.2;
            let body = |id: &String| c.notebooks.get(id).map(|o| o.body.clone());
            let data: Vec<Value> = if desc {
                ids.iter()
                    .rev()
                    .skip(offset)
                    .take(limit)
                    .filter_map(body)
                    .collect()
            } else {
                ids.iter()
                    .skip(offset)
                    .take(limit)
                    .filter_map(body)
                    .collect()
            };
            return ok(super::page_body(
                offset.checked_div(limit).unwrap_or(0),
                data,
                ids.len().div_ceil(limit.max(1)),
                limit,
                ids.len(),
            ));
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
            items.sort_unstable_by_key(|o| o.seq);
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
    super::page_body(
        offset.checked_div(limit).unwrap_or(0),
        data,
        total.div_ceil(limit.max(1)),
        limit,
        total,
    )
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

/// The notebook image routes, under `/v1/{project_id}/images`.
pub const IMAGES_BASE: &str = "/v1/{project_id}/images";
pub const IMAGES_ROUTES: &[&str] = &["", "/{id}"];

pub fn images(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    if req.method != Method::GET {
        return Err(super::not_found_route(req));
    }
    let cat = &sim.config.catalog;
    match req.tail(IMAGES_BASE) {
        "" => {
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
        "/{id}" => {
            let id = req.param("id");
            cat.notebook_image(id)
                .map(|i| ok(i.to_json()))
                .unwrap_or_else(|| {
                    Err(ApiError::bad(
                        "ModelArts.6797",
                        format!("Specified image {id} cannot be found."),
                    ))
                })
        }
        _ => Err(super::not_found_route(req)),
    }
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
    // A top-level `duration` wins over the lease's ("the lease's duration is then
    // ignored"), which is then not checked either.
    let duration = match (opt_i64(o, "duration", "")?, lease_req) {
        (Some(d), _) => {
            lease_type = "TIMING".into();
            Some(lease_duration("duration", d)?)
        }
        (None, Some(l)) => opt_i64(l, "duration", "lease")?
            .map(|d| lease_duration("lease.duration", d))
            .transpose()?,
        (None, None) => None,
    };
    let duration = duration.unwrap_or(3_600_000);
    let eps = opt_parsed(o, "endpoints", endpoints)?;
    let hk = opt_parsed(o, "hooks", hooks)?;
    let aff = opt_parsed(o, "affinity", affinity)?;
    // "The affinity feature in the dedicated resource pool scenario": node affinity
    // selects nodes of a dedicated pool.
    if o.get("affinity").is_some_and(|a| !a.is_null()) && pool_id.is_none() {
        return Err(ApiError::bad("ModelArts.0107", "The values of the request parameters (affinity,pool_id) are invalid: affinity needs a dedicated pool."));
    }
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
    // The one-CodeLab rule, before an armed failure is drawn (and again, atomically,
    // with the insert).
    let codelab_taken = |c: &super::Cloud| {
        feature == "DEFAULT"
            && c.notebooks
                .values()
                .any(|o| o.body["feature"] == "DEFAULT" && o.status() != "DELETING")
    };
    if sim.with_cloud(|c| codelab_taken(c)) {
        return Err(codelab_refused());
    }
    let now = now_ms();
    let id = sim.uuid();
    let failed = sim.create_fails(name);
    let flavor_name = flavor
        .map(str::to_string)
        .unwrap_or_else(|| "custom.flavor.spec.code".into());
    let mut endpoints_res = eps.clone().unwrap_or_else(|| json!([]));
    endpoint_details(&mut endpoints_res, &id);
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
    set_progress(&mut body, 1, "PROCESSING");
    // Hooks are validated (above) but not echoed: the documents' responses carry none.
    let _ = hk;
    prune(&mut body);
    let to = if failed { "CREATE_FAILED" } else { "RUNNING" };
    let obj_body = body.clone();
    sim.with_cloud(|c| {
        // "DEFAULT: free CodeLab instance. You can create only one."
        if codelab_taken(c) {
            return Err(codelab_refused());
        }
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
        Ok(())
    })?;
    ok(body)
}

fn codelab_refused() -> ApiError {
    ApiError::bad(
        "ModelArts.6302",
        "The number of free CodeLab instances (feature DEFAULT) has reached its maximum of 1.",
    )
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
