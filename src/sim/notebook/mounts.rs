//! Storage mounts of a notebook: attach, list, show, detach.

use super::super::valid::*;
use super::super::{now_ms, ok, ApiError, ApiResult, Obj, Req, Sim};
use super::*;
use serde_json::{json, Value};

pub(super) fn mount_settle(o: &mut Obj, now: i64) -> bool {
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

pub(super) fn attach(sim: &Sim, req: &Req, id: &str) -> ApiResult {
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
