//! `PUT /notebooks/{id}`: each field only in the statuses the service allows.

use super::super::valid::*;
use super::super::{ok, ApiError, ApiResult, Sim};
use super::*;
use serde_json::{json, Map, Value};

fn not_modifiable(status: &str, field: &str) -> ApiError {
    ApiError::bad(
        "ModelArts.6347",
        format!("When the instance is in the '{status}' status, the '{field}' parameter cannot be modified."),
    )
}

pub(super) fn update(sim: &Sim, id: &str, body: &Value) -> ApiResult {
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
        super::super::valid::name("name", n, 128, "-_")?;
    }
    let desc = opt_str(o, "description", "")?;
    if let Some(d) = desc {
        super::super::valid::description("description", d)?;
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
        // Custom specifications and node affinity exist in a dedicated pool only.
        for (field, present) in [
            ("custom_spec", custom.is_some()),
            ("affinity", aff.is_some()),
        ] {
            if present && nb.body["pool"].is_null() {
                return Err(ApiError::bad(
                    "ModelArts.0107",
                    format!("The values of the request parameters ({field},pool_id) are invalid: {field} needs a dedicated pool."),
                ));
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
        if let Some(mut e) = eps {
            let id = b["id"].as_str().unwrap_or("").to_string();
            super::endpoint_details(&mut e, &id);
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
