//! Who may call: SDK-HMAC-SHA256 signatures checked as the API gateway does (the signer
//! is the client's own, pinned by the published vectors), IAM tokens, and the identity
//! routes that issue them.

use super::{not_found_route, ok, signer, ApiError, ApiResult, Req, Sim};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

/// Secrets compared in constant time.
fn same(a: &str, b: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()).into()
}

/// The identity routes, under `/v3`.
pub const BASE: &str = "/v3";
pub const ROUTES: &[&str] = &["/auth/tokens", "/projects", "/auth/domains"];

fn iam_error(msg: &str) -> ApiError {
    ApiError::new(
        401,
        "APIGW.0301",
        format!("Incorrect IAM authentication information: {msg}"),
    )
}

pub(super) fn authenticate(
    sim: &Sim,
    parts: &axum::http::request::Parts,
    path: &str,
    raw_query: &str,
    body: &[u8],
) -> Result<(), ApiError> {
    let c = &sim.config;
    let open = c.access_key.is_none() && c.auth_token.is_none();
    let h = &parts.headers;
    if let Some(tok) = h.get("x-auth-token") {
        let tok = tok.to_str().unwrap_or("");
        let known = c.auth_token.as_deref().is_some_and(|t| same(t, tok))
            || sim.with_cloud(|cl| cl.tokens.iter().any(|t| same(t, tok)));
        if known || open {
            return Ok(());
        }
        return Err(iam_error("decrypt token fail"));
    }
    let Some(auth) = h.get("authorization") else {
        if open {
            return Ok(());
        }
        return Err(iam_error("x-auth-token or authorization not found"));
    };
    if open {
        return Ok(());
    }
    let auth = auth.to_str().unwrap_or("");
    let headers: Vec<(String, String)> = h
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let req = signer::Request {
        method: parts.method.as_str(),
        path,
        query: raw_query,
        headers: &headers,
        body,
    };
    let secret = |ak: &str| {
        (c.access_key.as_deref() == Some(ak))
            .then(|| c.secret_key.clone())
            .flatten()
    };
    signer::verify(auth, &req, secret, chrono::Utc::now(), 15 * 60).map_err(|e| match e {
        signer::VerifyError::Expired(..) => iam_error(&format!("calc ak sk signature fail:{e}")),
        signer::VerifyError::UnknownAccessKey => iam_error("get secretkey failed, ak not found"),
        other => iam_error(&other.to_string()),
    })
}

pub(super) fn identity(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let c = &sim.config;
    let domain = json!({"id": "d0000000000000000000000000000001", "name": "sim-domain"});
    match (req.method.as_str(), req.tail(BASE)) {
        ("POST", "/auth/tokens") => {
            let id = &req.body["auth"]["identity"];
            let methods = id["methods"].as_array().cloned().unwrap_or_default();
            let m = methods.first().and_then(Value::as_str).unwrap_or("");
            match m {
                "password" => {
                    if id["password"]["user"]["name"]
                        .as_str()
                        .unwrap_or("")
                        .is_empty()
                    {
                        return Err(ApiError::new(400, "1100", "user name is required"));
                    }
                }
                "hw_ak_sk" => {
                    let ak = id["hw_ak_sk"]["access"]["key"].as_str();
                    let sk = id["hw_ak_sk"]["secret"]["key"].as_str();
                    if c.access_key.is_some()
                        && !(ak
                            .zip(c.access_key.as_deref())
                            .is_some_and(|(a, b)| same(a, b))
                            && sk
                                .zip(c.secret_key.as_deref())
                                .is_some_and(|(a, b)| same(a, b)))
                    {
                        return Err(ApiError::new(
                            401,
                            "1101",
                            "The request you have made requires authentication.",
                        ));
                    }
                }
                _ => {
                    return Err(ApiError::new(
                        400,
                        "1100",
                        "identity.methods must be password or hw_ak_sk",
                    ))
                }
            }
            let token = format!("MIIsim{}", uuid::Uuid::new_v4().simple());
            sim.with_cloud(|cl| cl.tokens.push(token.clone()));
            let host = req
                .headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            let now = chrono::Utc::now();
            let body = json!({"token": {
                "methods": [m], "issued_at": now.to_rfc3339(),
                "expires_at": (now + chrono::Duration::hours(24)).to_rfc3339(),
                "project": {"id": c.project_id, "name": c.region, "domain": domain},
                "user": {"id": "u0000000000000000000000000000001", "name": "sim-user", "domain": domain},
                "catalog": [{"type": "modelarts", "name": "modelarts", "endpoints": [
                    {"interface": "public", "region": c.region, "region_id": c.region, "url": format!("http://{host}/v1/{}", c.project_id)}]}],
            }});
            // The token travels in X-Subject-Token; the caller adds it.
            Ok((
                StatusCode::CREATED,
                json!({"__subject_token": token, "body": body}),
            ))
        }
        ("GET", "/projects") => {
            let name = req.q("name");
            let projects: Vec<Value> = [json!({"id": c.project_id, "name": c.region, "domain_id": domain["id"], "enabled": true, "is_domain": false, "parent_id": domain["id"]})]
                .into_iter()
                .filter(|p| name.is_none_or(|n| p["name"] == n))
                .collect();
            ok(json!({"projects": projects, "links": {"self": "/v3/projects"}}))
        }
        ("GET", "/auth/domains") => ok(
            json!({"domains": [{"id": domain["id"], "name": domain["name"], "enabled": true}], "links": {"self": "/v3/auth/domains"}}),
        ),
        _ => Err(not_found_route(req)),
    }
}
