//! `/_sim/...`: the admin API, for tests and drift experiments: act as someone at the
//! console would (edit, force a status, delete out of band), inject failures, count calls.

use super::{
    devenv, devserver, locked, not_found_route, notebook, now_ms, ok, ApiError, ApiResult, Cloud,
    Obj, Req, Sim, Stats,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The admin routes, under `/_sim`.
pub const BASE: &str = "/_sim";
pub const ROUTES: &[&str] = &[
    "/stats",
    "/garbage",
    "/fail",
    "/reset",
    "/{kind}",
    "/{kind}/{id}",
    "/{kind}/{id}/status",
];

fn kind_map<'a>(cloud: &'a mut Cloud, kind: &str) -> Option<&'a mut BTreeMap<String, Obj>> {
    match kind {
        "notebooks" => Some(&mut cloud.notebooks),
        "dev-servers" | "devservers" => Some(&mut cloud.devservers),
        "devenvs" | "demanager" => Some(&mut cloud.devenvs),
        _ => None,
    }
}

/// Settle one object of a kind against the clock; `None` if it is gone.
pub fn settle_kind(obj: &mut Obj, kind: &str, now: i64) -> bool {
    match kind {
        "notebooks" => notebook::settle(obj, now),
        "dev-servers" | "devservers" => devserver::settle(obj, now),
        _ => devenv::settle(obj, now),
    }
}

/// `/_sim/...`: act as someone at the console would, and count calls.
pub(super) fn route(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let now = now_ms();
    let (kind, id) = (req.param("kind"), req.param("id"));
    match (req.method.as_str(), req.tail(BASE)) {
        ("GET", "/stats") => ok(serde_json::to_value(&*locked(&sim.stats)).unwrap_or_default()),
        ("DELETE", "/stats") => {
            *locked(&sim.stats) = Stats::default();
            ok(json!({}))
        }
        // Answer the next `count` API requests with a malformed body of this kind:
        // truncated, html, array, empty or wrong_types.
        ("POST", "/garbage") => {
            let kind = req.body["kind"].as_str().unwrap_or("").to_string();
            if !["truncated", "html", "array", "empty", "wrong_types"].contains(&kind.as_str()) {
                return Err(ApiError::bad(
                    "SIM.400",
                    "kind is one of truncated, html, array, empty, wrong_types",
                ));
            }
            let n = req.body["count"].as_u64().unwrap_or(1);
            sim.with_cloud(|c| c.garbage.extend(std::iter::repeat_n(kind, n as usize)));
            ok(json!({}))
        }
        ("DELETE", "/garbage") => {
            sim.with_cloud(|c| c.garbage.clear());
            ok(json!({}))
        }
        // Make the next create of an instance with this name end in CREATE_FAILED.
        ("POST", "/fail") => {
            let name = req.body["name"].as_str().unwrap_or("").to_string();
            if name.is_empty() {
                return Err(ApiError::bad("SIM.400", "body needs {\"name\": ...}"));
            }
            sim.with_cloud(|c| c.fail_names.push(name));
            sim.mark_dirty();
            ok(json!({}))
        }
        ("POST", "/reset") => {
            sim.with_cloud(|c| *c = Cloud::default());
            sim.mark_dirty();
            ok(json!({}))
        }
        ("GET", "/{kind}") => sim.with_cloud(|c| {
            let map = kind_map(c, kind).ok_or_else(|| not_found_route(req))?;
            map.retain(|_, o| settle_kind(o, kind, now));
            let all: Vec<Value> = map
                .values()
                .map(|o| json!({"body": o.body, "request": o.request, "pending": o.pending}))
                .collect();
            ok(json!({"count": all.len(), "objects": all}))
        }),
        (m, tail @ ("/{kind}/{id}" | "/{kind}/{id}/status")) => {
            let r = sim.with_cloud(|c| {
                // An out-of-band change: lists must look at the notebooks again.
                c.notebooks_quiet_until = 0;
                let map = kind_map(c, kind).ok_or_else(|| not_found_route(req))?;
                let gone = map
                    .get_mut(id)
                    .map(|o| !settle_kind(o, kind, now))
                    .unwrap_or(true);
                if gone {
                    map.remove(id);
                    return Err(ApiError::new(
                        404,
                        "SIM.404",
                        format!("no {kind} object {id}"),
                    ));
                }
                let o = map.get_mut(id).expect("checked above");
                o.quiet_until = 0;
                match (m, tail) {
                    ("GET", "/{kind}/{id}") => {
                        ok(json!({"body": o.body, "request": o.request, "pending": o.pending}))
                    }
                    // Merge fields into the object, as a console edit would.
                    ("PATCH", "/{kind}/{id}") => {
                        merge(&mut o.body, &req.body);
                        o.body["update_at"] = json!(now);
                        ok(o.body.clone())
                    }
                    // Force a status, e.g. STOPPED (auto-stop), FROZEN, ERROR.
                    ("POST", "/{kind}/{id}/status") => {
                        let st = req.body["status"].as_str().unwrap_or("").to_uppercase();
                        if st.is_empty() {
                            return Err(ApiError::bad("SIM.400", "body needs {\"status\": ...}"));
                        }
                        o.body["status"] = json!(st);
                        o.pending = None;
                        ok(o.body.clone())
                    }
                    ("DELETE", "/{kind}/{id}") => {
                        map.remove(id);
                        ok(json!({"deleted": id}))
                    }
                    _ => Err(not_found_route(req)),
                }
            });
            if r.is_ok() && m != "GET" {
                sim.mark_dirty();
            }
            r
        }
        _ => Err(not_found_route(req)),
    }
}

fn merge(dst: &mut Value, src: &Value) {
    match (dst, src) {
        (Value::Object(d), Value::Object(s)) => {
            for (k, v) in s {
                match d.get_mut(k) {
                    Some(dv) if dv.is_object() && v.is_object() => merge(dv, v),
                    _ => {
                        d.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (d, s) => *d = s.clone(),
    }
}
