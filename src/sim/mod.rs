//! A faithful local simulator of the ModelArts API: notebooks, DevServers and legacy
//! DevEnviron instances, with asynchronous status machines, the service's validation and
//! error codes, SDK-HMAC-SHA256 verification, throttling, faults, an admin API for
//! out-of-band changes (`/_sim/...`) and optional persistence to a JSON file.
//!
//! Status machines are lazy: every object records what it is becoming and when, and each
//! request that touches it first settles it against the wall clock. Nothing ticks in the
//! background, so a simulator persisted to a file keeps working across processes.
//!
//! It is the cloud's side: it shares only the signer with the client (pinned by published
//! vectors) and must not use the engine's kinds or schemas, so that a mistake in one is not
//! mirrored in the other. It reports through its caller (`Server::notices`), never prints.

mod admin;
mod auth;
mod bss;
pub mod catalog;
mod config;
mod devenv;
mod devserver;
mod notebook;
mod valid;

pub use config::{new_admin_token, SimConfig, Timings, DEFAULT_PROJECT_ID};

use crate::provider::modelarts::signer;
use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use catalog::Catalog;

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
    /// Tokens issued by `POST /v3/auth/tokens`, as digests (the data file holds no
    /// usable token).
    #[serde(default)]
    pub issued_tokens: Vec<auth::Issued>,
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
    /// Notebook ids in creation order, for unfiltered lists, with the notebook count and
    /// `seq` it was made at: a notebook is only ever added with a new `seq`, so an equal
    /// pair means the same notebooks.
    #[serde(skip)]
    pub notebook_order: (usize, u64, Vec<String>),
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
        // The gateway answers in its own shape whatever the service behind it; the legacy
        // DevEnviron service names its message `error_message`.
        if self.code.starts_with("APIG") {
            json!({"error_code": self.code, "error_msg": self.msg, "request_id": request_id})
        } else if self.legacy {
            json!({"error_code": self.code, "error_message": self.msg})
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
    /// The seed in use: the configuration's, or one drawn at start.
    seed: u64,
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
        // An empty secret would let anyone in who sends an empty one.
        let user = config.user.as_ref();
        for (what, v) in [
            ("access key", config.access_key.as_deref()),
            ("secret key", config.secret_key.as_deref()),
            ("auth token", config.auth_token.as_deref()),
            ("admin token", config.admin_token.as_deref()),
            ("user name", user.map(|u| u.0.as_str())),
            ("password", user.map(|u| u.1.as_str())),
        ] {
            if v == Some("") {
                anyhow::bail!("the simulator's {what} is empty; give a value or leave it unset");
            }
        }
        let cloud = match &config.data {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)?;
                serde_json::from_str(&text).map_err(|e| {
                    anyhow::anyhow!("simulator data file {} is not valid: {e}", p.display())
                })?
            }
            _ => Cloud::default(),
        };
        // Ids, failures and faults follow the seed: one given (`--seed`, tests) repeats a
        // run exactly; otherwise each simulator draws its own, so that two simulated
        // clouds never hand out the same ids.
        let seed = config.seed.unwrap_or_else(rand::random);
        Ok(Arc::new(Sim {
            rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)),
            seed,
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
        h.update(self.seed.to_le_bytes());
        h.update(name.as_bytes());
        h.update(n.to_le_bytes());
        let d = h.finalize();
        let x = u64::from_le_bytes(d[..8].try_into().expect("8 bytes")) as f64 / u64::MAX as f64;
        x < self.config.fail_rate
    }

    /// A uniformly distributed number in [0, 1) from the seeded generator.
    pub fn roll(&self) -> f64 {
        locked(&self.rng).gen::<f64>()
    }

    /// A new id: deterministic for a seed, never repeated within one cloud.
    pub fn uuid(&self) -> String {
        use sha2::Digest;
        let n = self.with_cloud(|c| {
            c.ids += 1;
            c.ids
        });
        let mut h = sha2::Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(n.to_le_bytes());
        let d = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&d[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    pub fn with_cloud<T>(&self, f: impl FnOnce(&mut Cloud) -> T) -> T {
        let mut c = locked(&self.cloud);
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
        let _guard = locked(&self.save_lock);
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let text = self.with_cloud(|c| serde_json::to_vec(c))?;
        crate::fsutil::atomic_write(path, &text)
    }

    fn count(&self, key: String) {
        let mut s = locked(&self.stats);
        s.total += 1;
        *s.routes.entry(key).or_default() += 1;
    }

    fn throttled(&self) -> Option<u64> {
        let limit = self.config.throttle_rps?;
        let now = now_ms();
        let window = now / 1000;
        let mut t = locked(&self.throttle);
        if t.window != window {
            t.window = window;
            t.count = 0;
        }
        t.count += 1;
        (t.count > limit).then_some(1)
    }
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
    /// The route template axum matched (`/v1/{project_id}/notebooks/{id}`); empty for an
    /// unknown route.
    pub template: String,
    /// The template's parameters, percent-decoded.
    pub params: BTreeMap<String, String>,
    pub query: BTreeMap<String, String>,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Req {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).map(String::as_str)
    }
    /// A parameter of the route template ("" when the route has none of that name).
    pub fn param(&self, k: &str) -> &str {
        self.params.get(k).map(String::as_str).unwrap_or("")
    }
    /// The matched template after a module's `base`.
    pub fn tail(&self, base: &str) -> &str {
        self.template.strip_prefix(base).unwrap_or(&self.template)
    }
}

/// A route handler: one per module, dispatching on (method, template).
type RouteFn = fn(&Arc<Sim>, &Req) -> ApiResult;

fn unknown(_: &Arc<Sim>, req: &Req) -> ApiResult {
    Err(not_found_route(req))
}

pub(crate) fn not_found_route(req: &Req) -> ApiError {
    ApiError::new(
        404,
        "APIG.0101",
        format!(
            "The API does not exist or has not been published in the environment: {} {}",
            req.method, req.path
        ),
    )
}

/// The API as axum routes: every template each module declares, and a fallback that
/// answers as the gateway does for an unknown API.
pub fn router(sim: Arc<Sim>) -> axum::Router {
    let groups: [(&str, &[&str], RouteFn); 7] = [
        (notebook::BASE, notebook::ROUTES, notebook::route),
        (
            notebook::IMAGES_BASE,
            notebook::IMAGES_ROUTES,
            notebook::images,
        ),
        (devserver::BASE, devserver::ROUTES, devserver::route),
        (devenv::BASE, devenv::ROUTES, devenv::route),
        (auth::BASE, auth::ROUTES, auth::identity),
        (admin::BASE, admin::ROUTES, admin::route),
        (bss::BASE, bss::ROUTES, bss::route),
    ];
    let mut r = axum::Router::new();
    for (base, routes, f) in groups {
        for t in routes {
            r = r.route(
                &format!("{base}{t}"),
                axum::routing::any(move |State(sim): State<Arc<Sim>>, req: Request<Body>| {
                    handle(sim, req, f)
                }),
            );
        }
    }
    r.fallback(|State(sim): State<Arc<Sim>>, req: Request<Body>| handle(sim, req, unknown))
        .with_state(sim)
}

/// The template's parameters, from the raw path: `{name}` segments, percent-decoded.
fn params_of(template: &str, path: &str) -> BTreeMap<String, String> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, p)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            let value = percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned();
            Some((name.to_string(), value))
        })
        .collect()
}

async fn handle(sim: Arc<Sim>, req: Request<Body>, f: RouteFn) -> Response<Body> {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let route = if template.is_empty() {
        &path
    } else {
        &template
    };
    sim.count(format!("{} {route}", parts.method));
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
    // Every error of the legacy DevEnviron service (its own, the project check, injected
    // faults) carries `error_message`; gateway errors keep the gateway's shape (`body`).
    let r = serve_one(&sim, parts, body, &path, template, &raw_query, f)
        .await
        .map_err(|e| {
            if path.contains("/demanager/") {
                e.legacy()
            } else {
                e
            }
        });
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
    locked(&sim.stats)
        .statuses
        .entry(resp.status().as_u16())
        .and_modify(|c| *c += 1)
        .or_insert(1);
    fix_identity_response(resp).await
}

async fn serve_one(
    sim: &Arc<Sim>,
    parts: axum::http::request::Parts,
    body: Body,
    path: &str,
    template: String,
    raw_query: &str,
    f: RouteFn,
) -> ApiResult {
    let admin = path.starts_with("/_sim");
    if !admin {
        if sim.config.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(sim.config.latency_ms)).await;
        }
        if let Some(secs) = sim.throttled() {
            locked(&sim.stats).throttled += 1;
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
            locked(&sim.stats).injected_errors += 1;
            return Err(if sim.roll() < 0.5 {
                ApiError::new(500, "ModelArts.0010", "Internal error.")
            } else {
                // ModelArts documents its "busy" code as a 429; injected, it is a 503, so
                // that --error-rate exercises retries of server errors and --throttle-rps
                // the pace learned from 429s (see FIDELITY.md, ds.errors.injected.6101).
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
    if admin {
        auth::admin(sim, &parts)?;
    } else if !path.starts_with("/v3/") {
        auth::authenticate(sim, &parts, path, raw_query, &bytes)?;
    }
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad(
                "ModelArts.6400",
                format!("Invalid request payload {e}, please check."),
            )
        })?
    };
    let req = Req {
        method: parts.method.clone(),
        path: path.to_string(),
        params: params_of(&template, path),
        template,
        query: parse_query(raw_query),
        body,
        headers: parts.headers.clone(),
    };
    if req.template.starts_with("/v1/{project_id}") {
        let pid = req.param("project_id");
        if pid != sim.config.project_id {
            return Err(ApiError::new(
                403,
                "ModelArts.0210",
                format!("The project ID {pid} in the URL does not match the token or signature."),
            ));
        }
    }
    let mutating = req.method != Method::GET;
    let result = f(sim, &req);
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

/// A lock of the simulator's state. A handler that panicked while holding one (a bug)
/// does not take every later request down with it.
pub(crate) fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let app = router(sim.clone());
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
                let mut pause = Duration::from_millis(100);
                loop {
                    tokio::time::sleep(pause).await;
                    // A save holds the cloud while it serialises it: a large cloud is
                    // saved at most a tenth of the time (and when the simulator stops).
                    let started = std::time::Instant::now();
                    let saved = s3.flush();
                    pause = (started.elapsed() * 9).max(Duration::from_millis(100));
                    if let Err(e) = saved {
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
    page_body(
        offset.checked_div(limit).unwrap_or(0),
        data,
        pages,
        limit,
        total,
    )
}

/// `{current, data, pages, size, total}`, with `data` moved in (`json!` would copy it).
pub fn page_body(
    current: usize,
    data: Vec<Value>,
    pages: usize,
    size: usize,
    total: usize,
) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("current".into(), current.into());
    m.insert("data".into(), Value::Array(data));
    m.insert("pages".into(), pages.into());
    m.insert("size".into(), size.into());
    m.insert("total".into(), total.into());
    Value::Object(m)
}
