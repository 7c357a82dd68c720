//! A faithful local simulator of the ModelArts API: notebooks, DevServers and legacy
//! DevEnviron instances, with asynchronous status machines, the service's validation and
//! error codes, SDK-HMAC-SHA256 verification, throttling, faults, an admin API for
//! out-of-band changes (`/_sim/...`) and optional persistence to a JSON file.
//!
//! Status machines are lazy: every object records what it is becoming and when, and each
//! request that touches it first settles it against the wall clock. Nothing ticks in the
//! background, so a simulator persisted to a file keeps working across processes.

pub mod catalog;
mod devenv;
mod devserver;
mod notebook;
mod valid;

use crate::provider::modelarts::signer;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use catalog::Catalog;

/// How long each asynchronous transition takes, in milliseconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Timings {
    pub create_ms: i64,
    pub devserver_create_ms: i64,
    pub start_ms: i64,
    pub stop_ms: i64,
    pub delete_ms: i64,
    pub resize_ms: i64,
    pub mount_ms: i64,
}

impl Timings {
    /// Transitions short enough for tests, but still asynchronous: a create always
    /// answers CREATING and the object becomes RUNNING on a later read.
    pub fn fast() -> Timings {
        Timings::uniform(30)
    }
    /// Roughly what the real service takes.
    pub fn realistic() -> Timings {
        Timings {
            create_ms: 40_000,
            devserver_create_ms: 180_000,
            start_ms: 25_000,
            stop_ms: 10_000,
            delete_ms: 8_000,
            resize_ms: 20_000,
            mount_ms: 5_000,
        }
    }
    pub fn uniform(ms: i64) -> Timings {
        Timings {
            create_ms: ms,
            devserver_create_ms: ms,
            start_ms: ms,
            stop_ms: ms,
            delete_ms: ms,
            resize_ms: ms,
            mount_ms: ms,
        }
    }
}

/// Everything `maform sim` can be told.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub project_id: String,
    pub region: String,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub auth_token: Option<String>,
    pub data: Option<PathBuf>,
    pub timings: Timings,
    pub latency_ms: u64,
    pub error_rate: f64,
    pub throttle_rps: Option<u32>,
    pub fail_rate: f64,
    pub seed: u64,
    pub catalog: Catalog,
    pub max_body_bytes: usize,
}

pub const DEFAULT_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            project_id: DEFAULT_PROJECT_ID.into(),
            region: "cn-north-4".into(),
            access_key: None,
            secret_key: None,
            auth_token: None,
            data: None,
            timings: Timings::fast(),
            latency_ms: 0,
            error_rate: 0.0,
            throttle_rps: None,
            fail_rate: 0.0,
            seed: 0,
            catalog: Catalog::default(),
            max_body_bytes: 1 << 20,
        }
    }
}

/// A change in progress: the object becomes `to` (or disappears, for `GONE`) at `at` ms.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub to: String,
    pub at: i64,
}

pub const GONE: &str = "<gone>";

/// One simulated object: the body the API returns, plus the simulator's bookkeeping.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Obj {
    pub body: Value,
    pub seq: u64,
    #[serde(default)]
    pub pending: Option<Pending>,
    /// When an EVS resize finishes.
    #[serde(default)]
    pub resize_at: Option<i64>,
    /// The create request as received (secrets replaced by their SHA-256), for tests that
    /// check what a client sent.
    #[serde(default)]
    pub request: Value,
    /// Parent id, for storage mounts.
    #[serde(default)]
    pub parent: Option<String>,
    /// Until when nothing can change without a request (no transition pending, no lease
    /// running out): settling skips the object until then. 0 means "look now"; every
    /// request that may change the object resets it.
    #[serde(skip)]
    pub quiet_until: i64,
}

impl Obj {
    /// A new object that becomes `to` at `at`, remembering the request that made it.
    pub fn pending(
        body: Value,
        seq: u64,
        to: &str,
        at: i64,
        request: Value,
        parent: Option<String>,
    ) -> Obj {
        Obj {
            body,
            seq,
            pending: Some(Pending { to: to.into(), at }),
            resize_at: None,
            request,
            parent,
            quiet_until: 0,
        }
    }

    pub fn status(&self) -> &str {
        self.body["status"].as_str().unwrap_or("")
    }
}

/// The whole simulated cloud; what `--data FILE` persists.
#[derive(Default, Serialize, Deserialize)]
pub struct Cloud {
    pub seq: u64,
    pub notebooks: BTreeMap<String, Obj>,
    pub devservers: BTreeMap<String, Obj>,
    pub devenvs: BTreeMap<String, Obj>,
    pub mounts: BTreeMap<String, Obj>,
    #[serde(default)]
    pub tokens: Vec<String>,
    /// How many ids were handed out; persisted so that ids never repeat across restarts.
    #[serde(default)]
    pub ids: u64,
    /// Names whose next create fails (armed through `POST /_sim/fail`).
    #[serde(default)]
    pub fail_names: Vec<String>,
    /// Creates seen per name, so that `--fail-rate` outcomes depend on the seed, the name
    /// and the attempt, not on the order concurrent requests arrive in.
    #[serde(default)]
    pub create_counts: BTreeMap<String, u64>,
    /// Malformed answers to send next (armed through `POST /_sim/garbage`).
    #[serde(default)]
    pub garbage: Vec<String>,
    /// Until when no notebook can change without a request (the earliest `quiet_until`):
    /// lists skip settling until then. Every notebook mutation resets it.
    #[serde(skip)]
    pub notebooks_quiet_until: i64,
}

impl Cloud {
    /// Whether a create of `name` should fail, consuming an armed failure.
    pub fn take_failure(&mut self, name: &str) -> bool {
        match self.fail_names.iter().position(|n| n == name) {
            Some(i) => {
                self.fail_names.remove(i);
                true
            }
            None => false,
        }
    }
}

impl Cloud {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

/// An error as the service sends it.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub msg: String,
    /// The legacy DevEnviron API names the message `error_message`.
    pub legacy: bool,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, msg: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code: code.into(),
            msg: msg.into(),
            legacy: false,
            retry_after: None,
        }
    }
    pub fn bad(code: &str, msg: impl Into<String>) -> ApiError {
        ApiError::new(400, code, msg)
    }
    pub fn legacy(mut self) -> ApiError {
        self.legacy = true;
        self
    }
    fn body(&self, request_id: &str) -> Value {
        if self.legacy {
            json!({"error_code": self.code, "error_message": self.msg})
        } else if self.code.starts_with("APIG") {
            json!({"error_code": self.code, "error_msg": self.msg, "request_id": request_id})
        } else {
            json!({"error_code": self.code, "error_msg": self.msg})
        }
    }
}

pub type ApiResult = Result<(StatusCode, Value), ApiError>;

pub fn ok(v: Value) -> ApiResult {
    Ok((StatusCode::OK, v))
}

/// Counters behind `GET /_sim/stats`.
#[derive(Default, Serialize)]
struct Stats {
    total: u64,
    routes: BTreeMap<String, u64>,
    statuses: BTreeMap<u16, u64>,
    throttled: u64,
    injected_errors: u64,
}

struct Throttle {
    window: i64,
    count: u32,
}

pub struct Sim {
    pub config: SimConfig,
    cloud: Mutex<Cloud>,
    stats: Mutex<Stats>,
    rng: Mutex<rand::rngs::StdRng>,
    throttle: Mutex<Throttle>,
    dirty: AtomicBool,
    save_lock: Mutex<()>,
}

/// A number derived from an id, for addresses and ports that stay stable per instance.
pub fn id_number(id: &str) -> u32 {
    id.bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619))
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Sim {
    pub fn new(config: SimConfig) -> anyhow::Result<Arc<Sim>> {
        let cloud = match &config.data {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)?;
                serde_json::from_str(&text).map_err(|e| {
                    anyhow::anyhow!("simulator data file {} is not valid: {e}", p.display())
                })?
            }
            _ => Cloud::default(),
        };
        Ok(Arc::new(Sim {
            rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(config.seed)),
            config,
            cloud: Mutex::new(cloud),
            stats: Mutex::new(Stats::default()),
            throttle: Mutex::new(Throttle {
                window: 0,
                count: 0,
            }),
            dirty: AtomicBool::new(false),
            save_lock: Mutex::new(()),
        }))
    }

    /// Whether this create of `name` ends in CREATE_FAILED: armed through the admin API,
    /// or drawn with `--fail-rate` from the seed, the name and the attempt.
    pub fn create_fails(&self, name: &str) -> bool {
        let (armed, n) = self.with_cloud(|c| {
            let n = c.create_counts.entry(name.to_string()).or_default();
            *n += 1;
            let n = *n;
            (c.take_failure(name), n)
        });
        if armed {
            return true;
        }
        if self.config.fail_rate <= 0.0 {
            return false;
        }
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(self.config.seed.to_le_bytes());
        h.update(name.as_bytes());
        h.update(n.to_le_bytes());
        let d = h.finalize();
        let x = u64::from_le_bytes(d[..8].try_into().expect("8 bytes")) as f64 / u64::MAX as f64;
        x < self.config.fail_rate
    }

    /// A uniformly distributed number in [0, 1) from the seeded generator.
    pub fn roll(&self) -> f64 {
        self.rng.lock().unwrap().gen::<f64>()
    }

    /// A new id: deterministic for a seed, never repeated within one cloud.
    pub fn uuid(&self) -> String {
        use sha2::Digest;
        let n = self.with_cloud(|c| {
            c.ids += 1;
            c.ids
        });
        let mut h = sha2::Sha256::new();
        h.update(self.config.seed.to_le_bytes());
        h.update(n.to_le_bytes());
        let d = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&d[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    pub fn with_cloud<T>(&self, f: impl FnOnce(&mut Cloud) -> T) -> T {
        let mut c = self.cloud.lock().unwrap();
        f(&mut c)
    }

    fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    /// Write the cloud to the data file, atomically, if anything changed.
    pub fn flush(&self) -> anyhow::Result<()> {
        let Some(path) = &self.config.data else {
            return Ok(());
        };
        let _guard = self.save_lock.lock().unwrap();
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let text = self.with_cloud(|c| serde_json::to_vec(c))?;
        crate::fsutil::atomic_write(path, &text)
    }

    fn count(&self, key: String) {
        let mut s = self.stats.lock().unwrap();
        s.total += 1;
        *s.routes.entry(key).or_default() += 1;
    }

    fn throttled(&self) -> Option<u64> {
        let limit = self.config.throttle_rps?;
        let now = now_ms();
        let window = now / 1000;
        let mut t = self.throttle.lock().unwrap();
        if t.window != window {
            t.window = window;
            t.count = 0;
        }
        t.count += 1;
        (t.count > limit).then_some(1)
    }
}

/// Fixed words of the API's paths; any other segment is an identifier in a route key.
const WORDS: &[&str] = &[
    "v1",
    "v3",
    "notebooks",
    "all",
    "flavors",
    "start",
    "stop",
    "lease",
    "storage",
    "images",
    "dev-servers",
    "demanager",
    "instances",
    "action",
    "reboot",
    "tags",
    "profiles",
    "auth",
    "tokens",
    "projects",
    "domains",
    "_sim",
    "stats",
    "status",
    "reset",
    "objects",
    "fail",
    "garbage",
];

fn route_key(method: &Method, path: &str) -> String {
    let mut out = String::from(method.as_str());
    out.push(' ');
    for (i, seg) in path.split('/').enumerate().skip(1) {
        out.push('/');
        if i == 2 && path.starts_with("/v1/") {
            out.push_str("{project_id}");
        } else if WORDS.contains(&seg) || seg.is_empty() {
            out.push_str(seg);
        } else {
            out.push_str("{id}");
        }
    }
    out
}

fn response(status: StatusCode, body: &Value, request_id: &str) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
    r
}

fn error_response(e: &ApiError, request_id: &str) -> Response<Body> {
    let mut r = response(e.status, &e.body(request_id), request_id);
    if let Some(secs) = e.retry_after {
        r.headers_mut()
            .insert("retry-after", HeaderValue::from(secs));
    }
    r
}

/// The parts of a request every route handler needs.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub segs: Vec<String>,
    pub query: BTreeMap<String, String>,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Req {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).map(String::as_str)
    }
}

async fn handle(sim: Arc<Sim>, req: Request<Body>) -> Response<Body> {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    sim.count(route_key(&parts.method, &path));
    let garbage = if path.starts_with("/v1/") {
        sim.with_cloud(|c| {
            if c.garbage.is_empty() {
                None
            } else {
                Some(c.garbage.remove(0))
            }
        })
    } else {
        None
    };
    let r = serve_one(&sim, parts, body, &path, &raw_query, &request_id).await;
    if let Some(kind) = garbage {
        let text: &str = match kind.as_str() {
            "truncated" => "{\"id\": \"0b5e\", \"name\": \"trun",
            "html" => "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "array" => "[1, 2, 3]",
            "empty" => "",
            _ => "{\"id\": 5, \"status\": [], \"data\": \"nope\", \"total\": \"x\", \"instances\": 7}",
        };
        let mut r = Response::new(Body::from(text.to_string()));
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        return r;
    }
    let resp = match r {
        Ok((status, v)) => response(status, &v, &request_id),
        Err(e) => error_response(&e, &request_id),
    };
    sim.stats
        .lock()
        .unwrap()
        .statuses
        .entry(resp.status().as_u16())
        .and_modify(|c| *c += 1)
        .or_insert(1);
    resp
}

async fn serve_one(
    sim: &Arc<Sim>,
    parts: axum::http::request::Parts,
    body: Body,
    path: &str,
    raw_query: &str,
    request_id: &str,
) -> ApiResult {
    let admin = path.starts_with("/_sim");
    if !admin {
        if sim.config.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(sim.config.latency_ms)).await;
        }
        if let Some(secs) = sim.throttled() {
            sim.stats.lock().unwrap().throttled += 1;
            let mut e = ApiError::new(
                429,
                "APIG.0308",
                format!(
                    "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 second",
                    sim.config.throttle_rps.unwrap_or(0)
                ),
            );
            e.retry_after = Some(secs);
            return Err(e);
        }
        if sim.config.error_rate > 0.0 && sim.roll() < sim.config.error_rate {
            sim.stats.lock().unwrap().injected_errors += 1;
            return Err(if sim.roll() < 0.5 {
                ApiError::new(500, "ModelArts.0010", "Internal error.")
            } else {
                ApiError::new(
                    503,
                    "ModelArts.6101",
                    "The system is busy now. Try again later.",
                )
            });
        }
    }
    let bytes = axum::body::to_bytes(body, sim.config.max_body_bytes)
        .await
        .map_err(|_| {
            ApiError::new(
                413,
                "APIG.0201",
                format!(
                    "Request entity too large: the body exceeds {} bytes",
                    sim.config.max_body_bytes
                ),
            )
        })?;
    if !admin && !path.starts_with("/v3/") {
        authenticate(sim, &parts, path, raw_query, &bytes)?;
    }
    let _ = request_id;
    let legacy = path.contains("/demanager/");
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| {
            let err = ApiError::bad(
                "ModelArts.6400",
                format!("Invalid request payload {e}, please check."),
            );
            if legacy {
                err.legacy()
            } else {
                err
            }
        })?
    };
    let query = parse_query(raw_query);
    let segs: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let req = Req {
        method: parts.method.clone(),
        path: path.to_string(),
        segs,
        query,
        body,
        headers: parts.headers.clone(),
    };
    let mutating = req.method != Method::GET;
    let result = route(sim, &req);
    if mutating && result.is_ok() {
        sim.mark_dirty();
    }
    result
}

fn parse_query(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn iam_error(msg: &str) -> ApiError {
    ApiError::new(
        401,
        "APIGW.0301",
        format!("Incorrect IAM authentication information: {msg}"),
    )
}

fn authenticate(
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
        let known = c.auth_token.as_deref() == Some(tok)
            || sim.with_cloud(|cl| cl.tokens.iter().any(|t| t == tok));
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

fn not_found_route(req: &Req) -> ApiError {
    ApiError::new(
        404,
        "APIG.0101",
        format!(
            "The API does not exist or has not been published in the environment: {} {}",
            req.method, req.path
        ),
    )
}

fn route(sim: &Arc<Sim>, req: &Req) -> ApiResult {
    let s: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["_sim", rest @ ..] => admin(sim, req, rest),
        ["v3", rest @ ..] => identity(sim, req, rest),
        ["v1", pid, rest @ ..] => {
            if *pid != sim.config.project_id {
                return Err(ApiError::new(
                    403,
                    "ModelArts.0210",
                    format!(
                        "The project ID {pid} in the URL does not match the token or signature."
                    ),
                ));
            }
            match rest {
                ["notebooks", r @ ..] => notebook::route(sim, req, r),
                ["images", r @ ..] => notebook::images(sim, req, r),
                ["dev-servers", r @ ..] => devserver::route(sim, req, r),
                ["demanager", r @ ..] => devenv::route(sim, req, r).map_err(ApiError::legacy),
                _ => Err(not_found_route(req)),
            }
        }
        _ => Err(not_found_route(req)),
    }
}

fn identity(sim: &Sim, req: &Req, rest: &[&str]) -> ApiResult {
    let c = &sim.config;
    let domain = json!({"id": "d0000000000000000000000000000001", "name": "sim-domain"});
    match (req.method.as_str(), rest) {
        ("POST", ["auth", "tokens"]) => {
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
                        && (ak != c.access_key.as_deref() || sk != c.secret_key.as_deref())
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
        ("GET", ["projects"]) => {
            let name = req.q("name");
            let projects: Vec<Value> = [json!({"id": c.project_id, "name": c.region, "domain_id": domain["id"], "enabled": true, "is_domain": false, "parent_id": domain["id"]})]
                .into_iter()
                .filter(|p| name.is_none_or(|n| p["name"] == n))
                .collect();
            ok(json!({"projects": projects, "links": {"self": "/v3/projects"}}))
        }
        ("GET", ["auth", "domains"]) => ok(
            json!({"domains": [{"id": domain["id"], "name": domain["name"], "enabled": true}], "links": {"self": "/v3/auth/domains"}}),
        ),
        _ => Err(not_found_route(req)),
    }
}

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
fn admin(sim: &Sim, req: &Req, rest: &[&str]) -> ApiResult {
    let now = now_ms();
    match (req.method.as_str(), rest) {
        ("GET", ["stats"]) => {
            ok(serde_json::to_value(&*sim.stats.lock().unwrap()).unwrap_or_default())
        }
        ("DELETE", ["stats"]) => {
            *sim.stats.lock().unwrap() = Stats::default();
            ok(json!({}))
        }
        // Answer the next `count` API requests with a malformed body of this kind:
        // truncated, html, array, empty or wrong_types.
        ("POST", ["garbage"]) => {
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
        ("DELETE", ["garbage"]) => {
            sim.with_cloud(|c| c.garbage.clear());
            ok(json!({}))
        }
        // Make the next create of an instance with this name end in CREATE_FAILED.
        ("POST", ["fail"]) => {
            let name = req.body["name"].as_str().unwrap_or("").to_string();
            if name.is_empty() {
                return Err(ApiError::bad("SIM.400", "body needs {\"name\": ...}"));
            }
            sim.with_cloud(|c| c.fail_names.push(name));
            sim.mark_dirty();
            ok(json!({}))
        }
        ("POST", ["reset"]) => {
            sim.with_cloud(|c| *c = Cloud::default());
            sim.mark_dirty();
            ok(json!({}))
        }
        ("GET", [kind]) => sim.with_cloud(|c| {
            let map = kind_map(c, kind).ok_or_else(|| not_found_route(req))?;
            map.retain(|_, o| settle_kind(o, kind, now));
            let all: Vec<Value> = map
                .values()
                .map(|o| json!({"body": o.body, "request": o.request, "pending": o.pending}))
                .collect();
            ok(json!({"count": all.len(), "objects": all}))
        }),
        (m, [kind, id, tail @ ..]) => {
            let r = sim.with_cloud(|c| {
                // An out-of-band change: lists must look at the notebooks again.
                c.notebooks_quiet_until = 0;
                let map = kind_map(c, kind).ok_or_else(|| not_found_route(req))?;
                let gone = map
                    .get_mut(*id)
                    .map(|o| !settle_kind(o, kind, now))
                    .unwrap_or(true);
                if gone {
                    map.remove(*id);
                    return Err(ApiError::new(
                        404,
                        "SIM.404",
                        format!("no {kind} object {id}"),
                    ));
                }
                let o = map.get_mut(*id).expect("checked above");
                o.quiet_until = 0;
                match (m, tail) {
                    ("GET", []) => {
                        ok(json!({"body": o.body, "request": o.request, "pending": o.pending}))
                    }
                    // Merge fields into the object, as a console edit would.
                    ("PATCH", []) => {
                        merge(&mut o.body, &req.body);
                        o.body["update_at"] = json!(now);
                        ok(o.body.clone())
                    }
                    // Force a status, e.g. STOPPED (auto-stop), FROZEN, ERROR.
                    ("POST", ["status"]) => {
                        let st = req.body["status"].as_str().unwrap_or("").to_uppercase();
                        if st.is_empty() {
                            return Err(ApiError::bad("SIM.400", "body needs {\"status\": ...}"));
                        }
                        o.body["status"] = json!(st);
                        o.pending = None;
                        ok(o.body.clone())
                    }
                    ("DELETE", []) => {
                        map.remove(*id);
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

/// A running simulator.
pub struct Server {
    pub addr: SocketAddr,
    pub sim: Arc<Sim>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    flusher: Option<tokio::task::JoinHandle<()>>,
    notices: Option<tokio::sync::mpsc::UnboundedReceiver<String>>,
}

impl Server {
    pub async fn start(config: SimConfig, listen: &str) -> anyhow::Result<Server> {
        let sim = Sim::new(config)?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr()?;
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let s2 = sim.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let sim = s2.clone();
            async move {
                let resp = handle(sim, req).await;
                fix_identity_response(resp).await
            }
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        // The simulator reports through its caller: what goes wrong while it runs (a data
        // file that cannot be saved) is sent here, once per distinct message.
        let (notice_tx, notices) = tokio::sync::mpsc::unbounded_channel();
        let flusher = sim.config.data.is_some().then(|| {
            let s3 = sim.clone();
            tokio::spawn(async move {
                let mut last = String::new();
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if let Err(e) = s3.flush() {
                        let msg = format!("simulator: cannot save data file: {e:#}");
                        if msg != last {
                            let _ = notice_tx.send(msg.clone());
                            last = msg;
                        }
                    }
                }
            })
        });
        Ok(Server {
            addr,
            sim,
            shutdown: Some(tx),
            task,
            flusher,
            notices: Some(notices),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What goes wrong while the simulator runs, for its caller to report.
    pub fn notices(&mut self) -> Option<tokio::sync::mpsc::UnboundedReceiver<String>> {
        self.notices.take()
    }

    /// Stop accepting, finish in-flight requests and save the data file.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        if let Some(f) = self.flusher.take() {
            f.abort();
        }
        self.sim.flush()
    }
}

/// The identity route returns the token out of band; move it into `X-Subject-Token`.
async fn fix_identity_response(resp: Response<Body>) -> Response<Body> {
    if resp.status() != StatusCode::CREATED {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    match v.get("__subject_token").and_then(Value::as_str) {
        Some(tok) => {
            if let Ok(h) = HeaderValue::from_str(tok) {
                parts.headers.insert("x-subject-token", h);
            }
            let body = serde_json::to_vec(&v["body"]).unwrap_or_default();
            parts.headers.remove("content-length");
            Response::from_parts(parts, Body::from(body))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// Paginate a list the way the v1 APIs do: `{current, data, pages, size, total}`.
pub fn page(items: Vec<Value>, limit: usize, offset: usize) -> Value {
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let pages = if limit == 0 { 0 } else { total.div_ceil(limit) };
    json!({"current": offset.checked_div(limit).unwrap_or(0), "data": data, "pages": pages, "size": limit, "total": total})
}
