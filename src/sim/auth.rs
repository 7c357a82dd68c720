//! Who may call: SDK-HMAC-SHA256 signatures checked as the API gateway does (the signer
//! is the client's own, pinned by the published vectors), IAM tokens, the identity routes
//! that issue them (to the configured user or keys only, scoped to the project), and the
//! admin API's own token.

use super::{not_found_route, now_ms, ok, signer, ApiError, ApiResult, Req, Sim};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Digest;
use std::sync::Arc;

/// Secrets compared in constant time; an empty one matches nothing.
fn same(a: &str, b: &str) -> bool {
    !a.is_empty()
        && !b.is_empty()
        && bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()))
}

/// A token the identity route issued: its SHA-256 (a token is random, so a fast digest
/// serves), the project it is scoped to, when it expires.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Issued {
    pub digest: String,
    pub project_id: Option<String>,
    pub expires_ms: i64,
}

fn token_digest(t: &str) -> String {
    hex::encode(sha2::Sha256::digest(t.as_bytes()))
}

/// How long an issued token is valid: 24 hours, as IAM's.
const TOKEN_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// The admin API (`/_sim/...`): the admin token in `X-Sim-Admin-Token`, unless the
/// simulator was started with `--open-admin`.
pub(super) fn admin(sim: &Sim, parts: &axum::http::request::Parts) -> Result<(), ApiError> {
    let Some(want) = &sim.config.admin_token else {
        return Ok(());
    };
    let given = parts
        .headers
        .get("x-sim-admin-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if same(want, given) {
        Ok(())
    } else {
        Err(ApiError::new(
            401,
            "SIM.0401",
            "The admin API needs the admin token the simulator printed when it started, in X-Sim-Admin-Token (or a simulator started with --open-admin).",
        ))
    }
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
    // Open only when no way of signing in was configured at all.
    let open = c.access_key.is_none() && c.auth_token.is_none() && c.user.is_none();
    let h = &parts.headers;
    if let Some(tok) = h.get("x-auth-token") {
        let tok = tok.to_str().unwrap_or("");
        if open || c.auth_token.as_deref().is_some_and(|t| same(t, tok)) {
            return Ok(());
        }
        let d = token_digest(tok);
        let now = now_ms();
        let issued = sim.with_cloud(|cl| {
            cl.issued_tokens
                .iter()
                .find(|t| same(&t.digest, &d))
                .cloned()
        });
        return match issued {
            Some(t) if t.expires_ms <= now => Err(iam_error("the token has expired")),
            Some(t) if t.project_id.as_deref() == Some(c.project_id.as_str()) => Ok(()),
            Some(_) => Err(ApiError::new(
                403,
                "ModelArts.0210",
                "The token is not scoped to this project.",
            )),
            None => Err(iam_error("decrypt token fail")),
        };
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
            let denied = || {
                ApiError::new(
                    401,
                    "1101",
                    "The request you have made requires authentication.",
                )
            };
            let matches = |given: Option<&str>, want: Option<&str>| {
                given.zip(want).is_some_and(|(a, b)| same(a, b))
            };
            match m {
                "password" => {
                    let u = &id["password"]["user"];
                    let name = u["name"].as_str().unwrap_or("");
                    if name.is_empty() {
                        return Err(ApiError::new(400, "1100", "user name is required"));
                    }
                    // Only the configured user, with its password.
                    let want = c.user.as_ref();
                    if !(matches(Some(name), want.map(|w| w.0.as_str()))
                        & matches(u["password"].as_str(), want.map(|w| w.1.as_str())))
                    {
                        return Err(denied());
                    }
                }
                "hw_ak_sk" => {
                    let ak = id["hw_ak_sk"]["access"]["key"].as_str();
                    let sk = id["hw_ak_sk"]["secret"]["key"].as_str();
                    if !(matches(ak, c.access_key.as_deref())
                        & matches(sk, c.secret_key.as_deref()))
                    {
                        return Err(denied());
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
            // Scoped to the project named (by id, or by name: the region), as IAM does; a
            // token without a project scope cannot call the project's APIs.
            let scope = &req.body["auth"]["scope"]["project"];
            let project_id = match (scope["id"].as_str(), scope["name"].as_str()) {
                (None, None) => None,
                (Some(p), _) if p == c.project_id => Some(p.to_string()),
                (None, Some(n)) if n == c.region => Some(c.project_id.clone()),
                _ => {
                    return Err(ApiError::new(
                        404,
                        "1102",
                        "Could not find project in the scope of the request.",
                    ))
                }
            };
            let token = format!("MIIsim{}", uuid::Uuid::new_v4().simple());
            let now_ms = now_ms();
            sim.with_cloud(|cl| {
                cl.issued_tokens.retain(|t| t.expires_ms > now_ms);
                cl.issued_tokens.push(Issued {
                    digest: token_digest(&token),
                    project_id,
                    expires_ms: now_ms + TOKEN_LIFETIME_MS,
                })
            });
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
