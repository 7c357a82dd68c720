//! The billing service (BSS) calls that ModelArts clients make for yearly/monthly
//! (`PRE_PAID`) DevServers, on the same listener (point a client's `bss` endpoint here):
//!
//! - `POST /v2/orders/suscriptions/resources/query` (the path's spelling is the
//!   service's): the subscriptions of the given resources, or of an order. A pay-per-use
//!   server has none, so the answer is empty; the official Terraform provider asks this
//!   before every DevServer delete.
//! - `GET /v2/orders/customer-orders/details/{order_id}`: an order, paid at once (the
//!   simulator pays `is_auto_pay` orders and others alike: there is no wallet to check).
//! - `POST /v2/orders/subscriptions/resources/unsubscribe`: unsubscribing a prepaid
//!   server deletes it, as the console does.
//! - `POST` and `DELETE /v2/orders/subscriptions/resources/autorenew/{id}`: auto-renew
//!   on and off.
//!
//! Errors have the BSS shape, `{"error_code": "CBC.xxxx", "error_msg": "..."}`.

use super::valid::{object, opt_arr};
use super::{now_ms, ok, ApiError, ApiResult, Obj, Req, Sim, GONE};
use serde_json::{json, Value};
use std::sync::Arc;

pub const BASE: &str = "/v2/orders";
pub const ROUTES: &[&str] = &[
    "/suscriptions/resources/query",
    "/customer-orders/details/{order_id}",
    "/subscriptions/resources/unsubscribe",
    "/subscriptions/resources/autorenew/{id}",
];

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::bad("CBC.0100", msg)
}

/// An RFC 3339 UTC time from milliseconds.
fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The subscription record of a prepaid server still subscribed.
fn subscription(sim: &Sim, o: &Obj) -> Option<Value> {
    let b = &o.body;
    if b["charging_mode"] != "PRE_PAID" || b["status"] == "DELETING" {
        return None;
    }
    let created = b["create_at"].as_i64().unwrap_or(0);
    let month = 30 * 24 * 3600 * 1000_i64;
    Some(json!({
        "id": format!("sub-{}", b["id"].as_str().unwrap_or("")),
        "resource_id": b["id"],
        "resource_name": b["name"],
        "region_code": sim.config.region,
        "cloud_service_type": "hws.service.type.modelarts",
        "resource_type": "hws.resource.type.modelarts.devserver",
        "resource_spec_code": b["flavor"],
        "project_id": sim.config.project_id,
        "order_id": b["order_id"],
        "is_main_resource": 1,
        "status": 2,
        "effective_time": utc(created),
        "expire_time": utc(created + month),
        "expire_policy": if o.request["charging_info"]["is_auto_renew"] == true { 1 } else { 0 },
    }))
}

/// The resource ids of a request: a list of strings, or an error naming the field.
fn ids(body: &Value, field: &str) -> Result<Option<Vec<String>>, ApiError> {
    let o = object(body, "body").map_err(|_| invalid("The request body must be an object."))?;
    let Some(list) = opt_arr(o, field, "")
        .map_err(|_| invalid(format!("{field} must be a list of resource IDs.")))?
    else {
        return Ok(None);
    };
    if list.len() > 50 {
        return Err(invalid(format!("{field} can contain at most 50 IDs.")));
    }
    list.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| invalid(format!("{field} must be a list of resource IDs.")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

pub fn route(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    match (req.method.as_str(), req.tail(BASE)) {
        ("POST", "/suscriptions/resources/query") => {
            let wanted = ids(&req.body, "resource_ids")?;
            let order = req.body.get("order_id").and_then(Value::as_str);
            let now = now_ms();
            let data: Vec<Value> = sim.with_cloud(|c| {
                c.devservers.retain(|_, o| super::devserver::settle(o, now));
                c.devservers
                    .values()
                    .filter(|o| {
                        wanted
                            .as_ref()
                            .is_none_or(|w| w.iter().any(|id| o.body["id"] == id.as_str()))
                    })
                    .filter(|o| order.is_none_or(|id| o.body["order_id"] == id))
                    .filter_map(|o| subscription(sim, o))
                    .collect()
            });
            ok(json!({"total_count": data.len(), "data": data}))
        }
        ("GET", "/customer-orders/details/{order_id}") => {
            let order = req.param("order_id");
            let found = sim.with_cloud(|c| {
                c.devservers
                    .values()
                    .find(|o| o.body["order_id"] == order)
                    .map(|o| (o.body["id"].clone(), o.body["create_at"].clone()))
            });
            let Some((id, at)) = found else {
                return Err(ApiError::bad(
                    "CBC.0101",
                    format!("The order {order} does not exist."),
                ));
            };
            ok(json!({
                "order_info": {
                    "order_id": order, "status": 5, "order_type": 1,
                    "create_time": utc(at.as_i64().unwrap_or(0)),
                    "payment_time": utc(at.as_i64().unwrap_or(0)),
                },
                "order_line_items": [{"order_id": order, "resource_ids": [id], "service_type_code": "hws.service.type.modelarts"}],
            }))
        }
        ("POST", "/subscriptions/resources/unsubscribe") => {
            let Some(wanted) = ids(&req.body, "resource_ids")? else {
                return Err(invalid("resource_ids is required."));
            };
            if wanted.is_empty() {
                return Err(invalid("resource_ids is required."));
            }
            let now = now_ms();
            let delete_ms = sim.config.timings.delete_ms;
            sim.with_cloud(|c| {
                c.devservers.retain(|_, o| super::devserver::settle(o, now));
                // All or nothing: each must be a prepaid server still subscribed.
                for id in &wanted {
                    match c.devservers.get(id) {
                        Some(o) if o.body["charging_mode"] == "PRE_PAID" => {
                            if o.body["status"] == "DELETING" {
                                return Err(ApiError::bad(
                                    "CBC.30000067",
                                    format!("The resource {id} has been unsubscribed."),
                                ));
                            }
                        }
                        _ => {
                            return Err(invalid(format!(
                            "The resource {id} is not a yearly/monthly resource of this customer."
                        )))
                        }
                    }
                }
                let mut orders = Vec::new();
                for id in &wanted {
                    if let Some(o) = c.devservers.get_mut(id) {
                        o.body["status"] = json!("DELETING");
                        o.body["update_at"] = json!(now);
                        o.pending = Some(super::Pending {
                            to: GONE.into(),
                            at: now + delete_ms,
                        });
                        orders.push(format!("unsub-{id}"));
                    }
                }
                ok(json!({"order_ids": orders}))
            })
        }
        ("POST" | "DELETE", "/subscriptions/resources/autorenew/{id}") => {
            let id = req.param("id");
            let on = req.method.as_str() == "POST";
            sim.with_cloud(|c| match c.devservers.get_mut(id) {
                Some(o) if o.body["charging_mode"] == "PRE_PAID" => {
                    o.request["charging_info"]["is_auto_renew"] = json!(on);
                    ok(json!({}))
                }
                _ => Err(invalid(format!(
                    "The resource {id} is not a yearly/monthly resource of this customer."
                ))),
            })
        }
        _ => Err(super::not_found_route(req)),
    }
}
