//! The three resource kinds: how a configuration becomes a create request, how the
//! service's answer becomes attributes (with its normalisations undone, so that an
//! unchanged configuration never shows a diff), and which API sequence each change needs.

use super::client::{ApiError, Client, Retry};
use crate::schema::{self, Presence, Schema, Ty};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Notebook,
    DevServer,
    DevEnv,
}

/// Statuses a wait treats as failures, per kind.
const FAILED: &[&str] = &[
    "CREATE_FAILED",
    "START_FAILED",
    "DELETE_FAILED",
    "ERROR",
    "STOP_FAILED",
    "REBOOT_FAILED",
    "RESIZE_FAILED",
    "UNAVAILABLE",
];

impl Kind {
    pub fn from_type(t: &str) -> Option<Kind> {
        match t {
            "modelarts_notebook" => Some(Kind::Notebook),
            "modelarts_devserver" => Some(Kind::DevServer),
            "modelarts_devenv" => Some(Kind::DevEnv),
            _ => None,
        }
    }
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Notebook => "modelarts_notebook",
            Kind::DevServer => "modelarts_devserver",
            Kind::DevEnv => "modelarts_devenv",
        }
    }
    pub fn schema(self) -> &'static Schema {
        match self {
            Kind::Notebook => &schema::NOTEBOOK,
            Kind::DevServer => &schema::DEVSERVER,
            Kind::DevEnv => &schema::DEVENV,
        }
    }
    fn base(self) -> &'static str {
        match self {
            Kind::Notebook => "/notebooks",
            Kind::DevServer => "/dev-servers",
            Kind::DevEnv => "/demanager/instances",
        }
    }
    /// Not-found as each API says it: HTTP 400 with a code, or a real 404.
    pub fn is_not_found(self, e: &ApiError) -> bool {
        e.status == 404
            || (e.status == 400
                && match self {
                    Kind::Notebook => {
                        e.is_code(&["ModelArts.6309", "ModelArts.6357", "ModelArts.6404"])
                    }
                    Kind::DevServer => e.is_code(&["ModelArts.6404", "ModelArts.6309"]),
                    Kind::DevEnv => e.is_code(&["ModelArts.6309"]),
                })
    }
    pub fn default_timeout(self, op: Op) -> Duration {
        let mins = match (self, op) {
            (Kind::DevServer, Op::Create) => 60,
            (Kind::DevServer, Op::Delete) => 30,
            _ => 20,
        };
        Duration::from_secs(mins * 60)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    Delete,
}

/// Reports the status seen while waiting.
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// A failure with the object's id when one exists (a failed create still leaves an object).
#[derive(Debug)]
pub struct OpError {
    pub id: Option<String>,
    pub attrs: Option<Value>,
    pub error: anyhow::Error,
}

impl OpError {
    fn new(id: Option<String>, error: impl Into<anyhow::Error>) -> OpError {
        OpError {
            id,
            attrs: None,
            error: error.into(),
        }
    }
}

// ---------- configuration → request ----------

/// The create request: the configuration's own field names are the API's, so the body is
/// the desired attributes minus computed and maform-only ones, without nulls.
pub fn create_body(kind: Kind, desired: &Value) -> Json {
    let mut body = strip(kind.schema(), desired);
    if kind == Kind::Notebook {
        if let Some(v) = body.get_mut("volume").and_then(Json::as_object_mut) {
            v.entry("ownership").or_insert(json!("MANAGED"));
        }
        if body.get("feature").is_none() {
            body["feature"] = json!("NOTEBOOK");
        }
    }
    body
}

fn strip(s: &Schema, v: &Value) -> Json {
    let mut out = Map::new();
    for a in &s.attrs {
        if a.presence == Presence::Computed || a.name == "desired_state" {
            continue;
        }
        let x = v.get(a.name);
        if !x.is_known() && !matches!(x, Value::Map(_) | Value::List(_)) {
            continue;
        }
        let j = match (&a.ty, x) {
            (_, Value::Null | Value::Unknown) => continue,
            (Ty::Block(inner, true), Value::List(l)) => {
                Json::Array(l.iter().map(|e| strip(inner, e)).collect())
            }
            (Ty::Block(inner, false), m @ Value::Map(_)) => strip(inner, m),
            (_, x) => x.to_json(),
        };
        out.insert(a.name.to_string(), j);
    }
    Json::Object(out)
}

// ---------- response → attributes ----------

fn s(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::String(x) if x.is_empty() => Value::Null,
        other => Value::from_json(other),
    }
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    let m: BTreeMap<String, Value> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    if m.is_empty() {
        Value::Null
    } else {
        Value::Map(m)
    }
}

fn nonempty_list(v: Value) -> Value {
    match v {
        Value::List(l) if l.is_empty() => Value::Null,
        other => other,
    }
}

/// Attributes from a response. `reference` is what the state (or, right after a create,
/// the configuration) holds: write-only attributes come from it, and values the service
/// returns in an equivalent form (case, order of a set) keep the reference's spelling.
pub fn to_attrs(kind: Kind, b: &Json, reference: &Value) -> Value {
    let r = |k: &str| reference.get(k).clone();
    let mut v = match kind {
        Kind::Notebook => {
            let custom = &b["custom_spec"];
            let flavor = match b["flavor"].as_str() {
                Some("custom.flavor.spec.code") if !custom.is_null() => r("flavor"),
                _ => s(&b["flavor"]),
            };
            let endpoints: Vec<Value> = b["endpoints"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    obj(vec![
                        ("service", s(&e["service"])),
                        ("key_pair_names", nonempty_list(s(&e["key_pair_names"]))),
                        (
                            "allowed_access_ips",
                            nonempty_list(s(&e["allowed_access_ips"])),
                        ),
                    ])
                })
                .collect();
            let vol = &b["volume"];
            let uv = &b["user_vpc"];
            let ssh = b["endpoints"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["service"] == "SSH")
                .map(|e| s(&e["uri"]))
                .unwrap_or_default();
            obj(vec![
                ("name", s(&b["name"])),
                ("description", s(&b["description"])),
                ("flavor", flavor),
                ("image_id", s(&b["image"]["id"])),
                ("feature", s(&b["feature"])),
                ("duration", r("duration")),
                (
                    "lease",
                    obj(vec![
                        ("duration", s(&b["lease"]["duration"])),
                        ("type", s(&b["lease"]["type"])),
                    ]),
                ),
                ("endpoints", nonempty_list(Value::List(endpoints))),
                ("pool_id", s(&b["pool"]["id"])),
                ("workspace_id", s(&b["workspace_id"])),
                (
                    "volume",
                    obj(vec![
                        ("category", s(&vol["category"])),
                        ("ownership", s(&vol["ownership"])),
                        ("capacity", s(&vol["capacity"])),
                        ("uri", s(&vol["uri"])),
                        ("id", s(&vol["id"])),
                        ("mount_path", s(&vol["mount_path"])),
                        ("read_only", s(&vol["read_only"])),
                        ("dew_secret_name", s(&vol["dew_secret_name"])),
                    ]),
                ),
                ("hooks", r("hooks")),
                (
                    "custom_spec",
                    if custom.is_null() {
                        Value::Null
                    } else {
                        obj(vec![
                            ("cpu", s(&custom["cpu"])),
                            ("memory", s(&custom["memory"])),
                            ("gpu", s(&custom["gpu"])),
                            ("gpu_type", s(&custom["gpu_type"])),
                            ("arch", s(&custom["arch"])),
                            ("category", s(&custom["category"])),
                            ("resource_flavor", s(&custom["resource_flavor"])),
                        ])
                    },
                ),
                ("affinity", s(&b["affinity"])),
                (
                    "run_user",
                    obj(vec![
                        ("uid", s(&b["run_user"]["uid"])),
                        ("gid", s(&b["run_user"]["gid"])),
                    ]),
                ),
                ("data_volumes", r("data_volumes")),
                (
                    "user_vpc",
                    if uv.is_null() {
                        Value::Null
                    } else {
                        obj(vec![
                            ("vpc_id", s(&uv["vpc_id"])),
                            ("subnet_id", s(&uv["subnet_id"])),
                            ("security_group_ids", s(&uv["security_group_ids"])),
                            (
                                "connect_cidrs",
                                uv["connect_cidrs"]
                                    .as_str()
                                    .filter(|c| !c.is_empty())
                                    .map(|c| Value::List(c.split(',').map(Value::str).collect()))
                                    .unwrap_or(Value::Null),
                            ),
                            ("nat_id", s(&uv["nat_id"])),
                            ("eip_id", s(&uv["eip_id"])),
                        ])
                    },
                ),
                ("public_network_config", r("public_network_config")),
                ("desired_state", r("desired_state")),
                ("id", s(&b["id"])),
                ("status", s(&b["status"])),
                ("url", s(&b["url"])),
                ("token", s(&b["token"])),
                ("image_name", s(&b["image"]["name"])),
                ("image_swr_path", s(&b["image"]["swr_path"])),
                ("ip", s(&b["ip"])),
                ("ssh_uri", ssh),
                ("auto_stop_enabled", s(&b["lease"]["enable"])),
                ("created_at", s(&b["create_at"])),
                ("updated_at", s(&b["update_at"])),
            ])
        }
        Kind::DevServer => {
            let root = b["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|v| v["type"] == "ROOT")
                .cloned()
                .unwrap_or(Json::Null);
            let by_resource_flavor = !r("resource_flavor").is_null() && r("flavor").is_null();
            obj(vec![
                ("name", s(&b["name"])),
                (
                    "flavor",
                    if by_resource_flavor {
                        Value::Null
                    } else {
                        s(&b["flavor"])
                    },
                ),
                (
                    "resource_flavor",
                    if by_resource_flavor {
                        s(&b["flavor"])
                    } else {
                        Value::Null
                    },
                ),
                ("image_id", s(&b["image"]["image_id"])),
                ("server_type", s(&b["cloud_server"]["type"])),
                ("arch", s(&b["image"]["arch"])),
                ("availability_zone", r("availability_zone")),
                ("admin_pass", r("admin_pass")),
                ("key_pair_name", s(&b["key_pair_name"])),
                ("network", r("network")),
                (
                    "root_volume",
                    obj(vec![
                        ("size", s(&root["size"])),
                        ("type", s(&root["evs_type"])),
                    ]),
                ),
                ("data_volume", r("data_volume")),
                ("charging_info", r("charging_info")),
                ("enterprise_project_id", r("enterprise_project_id")),
                ("user_data", r("user_data")),
                ("hps_cluster_id", r("hps_cluster_id")),
                ("desired_state", r("desired_state")),
                ("id", s(&b["id"])),
                ("status", s(&b["status"])),
                ("charging_mode", s(&b["charging_mode"])),
                ("order_id", s(&b["order_id"])),
                (
                    "private_ip",
                    b["endpoints"]
                        .as_array()
                        .and_then(|e| e.first())
                        .map(|e| s(&e["uri"]))
                        .unwrap_or_default(),
                ),
                ("image_name", s(&b["image"]["name"])),
                ("category", s(&b["category"])),
                ("created_at", s(&b["create_at"])),
                ("updated_at", s(&b["update_at"])),
            ])
        }
        Kind::DevEnv => {
            let spec = &b["spec"];
            let st = |x: &Json| {
                let l = &x["location"];
                obj(vec![
                    ("type", s(&x["type"])),
                    (
                        "location",
                        obj(vec![
                            ("path", s(&l["path"])),
                            ("volume_size", s(&l["volume_size"])),
                            ("mount_path", s(&l["mount_path"])),
                            ("access_modes", s(&l["access_modes"])),
                        ]),
                    ),
                ])
            };
            // The service adds its own annotations (target_domain, url); keep only the user's.
            let wanted = reference.get("spec").get("annotations");
            let ann = match (spec["annotations"].as_object(), wanted.as_map()) {
                (Some(a), Some(w)) => Value::Map(
                    a.iter()
                        .filter(|(k, _)| w.contains_key(*k))
                        .map(|(k, v)| (k.clone(), Value::from_json(v)))
                        .collect(),
                ),
                _ => Value::Null,
            };
            obj(vec![
                ("name", s(&b["name"])),
                ("profile_id", s(&b["profile"]["id"])),
                ("description", s(&b["description"])),
                ("flavor", s(&b["flavor"])),
                (
                    "spec",
                    obj(vec![
                        ("storage", st(&spec["storage"])),
                        (
                            "extend_storage",
                            nonempty_list(Value::List(
                                spec["extend_storage"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .map(st)
                                    .collect(),
                            )),
                        ),
                        (
                            "auto_stop",
                            obj(vec![
                                ("enable", s(&spec["auto_stop"]["enable"])),
                                ("duration", s(&spec["auto_stop"]["duration"])),
                                ("prompt", s(&spec["auto_stop"]["prompt"])),
                            ]),
                        ),
                        ("annotations", ann),
                    ]),
                ),
                ("workspace", obj(vec![("id", s(&b["workspace"]["id"]))])),
                ("pool", r("pool")),
                ("ai_project", obj(vec![("id", s(&b["ai_project"]["id"]))])),
                ("desired_state", r("desired_state")),
                ("id", s(&b["id"])),
                ("status", s(&b["status"])),
                ("url", s(&spec["annotations"]["url"])),
                ("created_at", s(&b["creation_timestamp"])),
                ("updated_at", s(&b["latest_update_timestamp"])),
            ])
        }
    };
    keep_equivalent(&mut v, reference);
    v
}

/// The attributes to keep in the state for a response: `to_attrs`, with write-only
/// secrets replaced by their digest.
pub fn stored_attrs(kind: Kind, b: &Json, reference: &Value) -> Value {
    let mut v = to_attrs(kind, b, reference);
    schema::digest_secrets(kind.schema(), &mut v);
    v
}

/// Where the service answers with an equivalent value (other case, other order of a set
/// of strings, 5 for 5.0), keep the reference's spelling.
fn keep_equivalent(v: &mut Value, reference: &Value) {
    match (v, reference) {
        (Value::String(a), Value::String(b)) if a != b && a.eq_ignore_ascii_case(b) => {
            *a = b.clone()
        }
        (Value::Map(m), Value::Map(r)) => {
            for (k, x) in m.iter_mut() {
                if let Some(rx) = r.get(k) {
                    keep_equivalent(x, rx);
                }
            }
        }
        (Value::List(l), Value::List(r)) => {
            let strings = |x: &Vec<Value>| x.iter().all(|e| matches!(e, Value::String(_)));
            if l.len() == r.len() && strings(l) && strings(r) {
                let mut a: Vec<String> = l
                    .iter()
                    .map(|x| x.as_str().unwrap_or("").to_string())
                    .collect();
                let mut b: Vec<String> = r
                    .iter()
                    .map(|x| x.as_str().unwrap_or("").to_string())
                    .collect();
                a.sort();
                b.sort();
                if a == b {
                    *l = r.clone();
                    return;
                }
            }
            for (x, rx) in l.iter_mut().zip(r) {
                keep_equivalent(x, rx);
            }
        }
        _ => {}
    }
}

// ---------- operations ----------

fn path_of(kind: Kind, id: &str) -> String {
    format!("{}/{}", kind.base(), signer_escape(id))
}

fn signer_escape(id: &str) -> String {
    super::signer::escape(id)
}

/// A response that is not what the API documents: an error naming what was wrong.
pub fn invalid(kind: Kind, what: &str, body: &Json) -> ApiError {
    let mut text = body.to_string();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    ApiError {
        status: 200,
        code: "INVALID_RESPONSE".into(),
        message: format!("the service answered {what}: {text}"),
        request_id: None,
        method: "GET".into(),
        path: kind.base().into(),
    }
}

pub async fn get(c: &Client, kind: Kind, id: &str) -> Result<Option<Json>, ApiError> {
    match c
        .call("GET", &path_of(kind, id), &[], None, Retry::Safe)
        .await
    {
        Ok(b) if b["id"].is_string() && b["status"].is_string() => Ok(Some(b)),
        Ok(b) => Err(invalid(kind, "with an object that has no id or status", &b)),
        Err(e) if kind.is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A list page's task that panicked or was cancelled, as an error of the list call.
fn list_task_failed(kind: Kind, e: tokio::task::JoinError) -> ApiError {
    ApiError {
        status: 0,
        code: "TASK".into(),
        message: e.to_string(),
        request_id: None,
        method: "GET".into(),
        path: kind.base().into(),
    }
}

/// Objects per list call (notebooks, DevServers; the legacy API lists all at once).
fn page_size(kind: Kind) -> usize {
    match kind {
        Kind::Notebook => 50,
        Kind::DevServer => 1024,
        Kind::DevEnv => usize::MAX,
    }
}

/// One page of a paged list (notebooks and DevServers), checked for shape. Notebooks are
/// sorted by creation time in `dir` (ASC or DESC, the API's default).
async fn list_page(
    c: std::sync::Arc<Client>,
    kind: Kind,
    offset: usize,
    dir: &'static str,
) -> Result<Json, ApiError> {
    let limit = page_size(kind);
    let mut q = vec![("limit", limit.to_string()), ("offset", offset.to_string())];
    if kind == Kind::Notebook {
        q.push(("sort_dir", dir.into()));
    }
    let r = c.call("GET", kind.base(), &q, None, Retry::Safe).await?;
    match (r["data"].as_array(), r["total"].as_u64()) {
        (Some(a), Some(_)) if a.iter().all(|o| o["id"].is_string()) => Ok(r),
        _ => Err(invalid(
            kind,
            "a list page that is not {current, data, pages, size, total}",
            &r,
        )),
    }
}

/// The objects among `want` that a walk through the list finds, newest first, spending
/// at most `budget` calls (sixteen pages at a time) and stopping as soon as all are found.
/// Objects being created are the newest, so they are found on the first pages whatever
/// the size of the account.
async fn list_find(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    want: &std::collections::HashSet<&str>,
    budget: usize,
) -> Result<std::collections::HashMap<String, Json>, ApiError> {
    let mut found = std::collections::HashMap::new();
    let keep = |objs: &[Json], found: &mut std::collections::HashMap<String, Json>| {
        for o in objs {
            if let Some(id) = o["id"].as_str().filter(|id| want.contains(id)) {
                found.insert(id.to_string(), o.clone());
            }
        }
    };
    if kind == Kind::DevEnv {
        keep(&list_all(c, kind).await?, &mut found);
        return Ok(found);
    }
    let limit = page_size(kind);
    let (mut offset, mut spent) = (0, 0);
    while spent < budget && found.len() < want.len() {
        let n = (budget - spent).min(16);
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            set.spawn(list_page(c.clone(), kind, offset + i * limit, "DESC"));
        }
        spent += n;
        offset += n * limit;
        let mut end = false;
        while let Some(r) = set.join_next().await {
            let page = r.map_err(|e| list_task_failed(kind, e))??;
            let data = page["data"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            end |= data.len() < limit;
            keep(data, &mut found);
        }
        if end {
            break;
        }
    }
    Ok(found)
}

/// Every object of a kind, page by page: one call per 50 notebooks, per 1024 DevServers,
/// or one call for all DevEnviron instances. After the first page, the remaining pages
/// are fetched sixteen at a time.
pub async fn list_all(c: &std::sync::Arc<Client>, kind: Kind) -> Result<Vec<Json>, ApiError> {
    if kind == Kind::DevEnv {
        let r = c
            .call(
                "GET",
                kind.base(),
                &[("de_type", "Notebook".into()), ("limit", "0".into())],
                None,
                Retry::Safe,
            )
            .await?;
        return match r["instances"].as_array() {
            Some(a) if a.iter().all(|o| o["id"].is_string()) => Ok(a.clone()),
            _ => Err(invalid(
                kind,
                "a list that is not {total_count, instances}",
                &r,
            )),
        };
    }
    let limit = page_size(kind);
    let page = |offset: usize| list_page(c.clone(), kind, offset, "ASC");
    let first = page(0).await?;
    let mut out = first["data"].as_array().cloned().unwrap_or_default();
    let total = first["total"].as_u64().unwrap_or(0) as usize;
    if out.len() < limit || out.len() >= total {
        return Ok(out);
    }
    let offsets: Vec<usize> = (1..total.div_ceil(limit)).map(|p| p * limit).collect();
    let mut pages: Vec<(usize, Vec<Json>)> = Vec::with_capacity(offsets.len());
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let mut set = tokio::task::JoinSet::new();
    for off in offsets {
        let sem = sem.clone();
        let fut = page(off);
        set.spawn(async move {
            let _p = sem.acquire_owned().await;
            (off, fut.await)
        });
    }
    while let Some(r) = set.join_next().await {
        let (off, res) = r.map_err(|e| list_task_failed(kind, e))?;
        pages.push((off, res?["data"].as_array().cloned().unwrap_or_default()));
    }
    pages.sort_by_key(|(o, _)| *o);
    for (_, p) in pages {
        out.extend(p);
    }
    Ok(out)
}

fn status(b: &Json) -> String {
    b["status"].as_str().unwrap_or("").to_string()
}

/// Counts an operation of `kind` as waiting while it lives.
struct Waiting<'a> {
    c: &'a Client,
    key: &'static str,
}

impl<'a> Waiting<'a> {
    fn new(c: &'a Client, kind: Kind) -> Waiting<'a> {
        let key = kind.type_name();
        let mut m = c.batches.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key).or_default().waiters += 1;
        Waiting { c, key }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut m = self.c.batches.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = m.get_mut(self.key) {
            b.waiters = b.waiters.saturating_sub(1);
        }
    }
}

/// How long the first reader of a batch waits for others to join it.
const GATHER: Duration = Duration::from_millis(50);

/// One object's current body, read as part of a batch when 32 or more objects of its kind
/// are being waited on: the reads that arrive within `GATHER` of each other (or while the
/// previous batch's walk runs: one at a time per kind) share one walk through the list
/// endpoint, newest first, which stops when it has found them all and never spends more
/// than a quarter of the GETs it replaces (see `list_find`). An object the walk does not
/// find (gone, older than the budget reached) is read with a GET, as is everything if the
/// list fails.
pub async fn read_status(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
) -> Result<Option<Json>, ApiError> {
    let key = kind.type_name();
    let joined = {
        let mut m = c.batches.lock().unwrap_or_else(|p| p.into_inner());
        let b = m.entry(key).or_default();
        if b.waiters < 32 {
            None
        } else {
            let (tx, rx) = tokio::sync::oneshot::channel();
            b.pending.entry(id.to_string()).or_default().push(tx);
            let lead = !b.gathering;
            b.gathering = true;
            Some((rx, lead))
        }
    };
    let Some((rx, lead)) = joined else {
        return get(c, kind, id).await;
    };
    if lead {
        // Gather for a moment, and for as long as the previous batch's list runs: one list
        // at a time per kind.
        let pending = loop {
            tokio::time::sleep(GATHER).await;
            let mut m = c.batches.lock().unwrap_or_else(|p| p.into_inner());
            let b = m.entry(key).or_default();
            if !b.listing {
                b.gathering = false;
                b.listing = true;
                break std::mem::take(&mut b.pending);
            }
        };
        // A batched read waits for others and for the list, and a failed page delays all
        // of them: the walk may spend at most a quarter of the calls it replaces. What it
        // does not find, and everything if it fails, each reader reads with its own GET.
        let budget = pending.len() / 4;
        let listed = if budget > 0 {
            let want: std::collections::HashSet<&str> =
                pending.keys().map(String::as_str).collect();
            list_find(c, kind, &want, budget).await.ok()
        } else {
            None
        };
        c.batches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_default()
            .listing = false;
        if let Some(found) = listed {
            for (i, txs) in pending {
                let body = found.get(&i);
                for tx in txs {
                    let _ = tx.send(body.cloned());
                }
            }
        }
        // If the list failed, the senders are dropped and every reader falls back to GET.
    }
    match rx.await {
        Ok(Some(b)) if b["status"].is_string() => Ok(Some(b)),
        _ => get(c, kind, id).await,
    }
}

/// Poll until `done` says so, with backoff from 100 ms up to 5 s per poll.
async fn wait(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
    timeout: Duration,
    progress: Progress<'_>,
    target: &str,
    done: impl Fn(Option<&Json>) -> Result<bool, String>,
) -> Result<Option<Json>, OpError> {
    let start = Instant::now();
    let mut interval = Duration::from_millis(100);
    let _waiting = Waiting::new(c, kind);
    // Transitions of one kind take about as long as the last ones did: sleep most of that
    // before the first poll instead of polling all the way (fewer calls, same latency).
    let key = format!("{kind:?}/{target}");
    if let Some(typical) = c.typical_wait(&key) {
        tokio::time::sleep(typical.mul_f64(0.9).min(timeout)).await;
    }
    let result = async {
        loop {
            // A deleted object is in no list: waits for deletion read directly.
            let b = if target == "GONE" {
                get(c, kind, id).await
            } else {
                read_status(c, kind, id).await
            }
            .map_err(|e| OpError::new(Some(id.into()), e))?;
            if let Some(x) = &b {
                progress(&status(x));
            }
            match done(b.as_ref()) {
                Ok(true) => return Ok(b),
                Ok(false) => {}
                Err(msg) => {
                    let mut err = OpError::new(Some(id.into()), anyhow::anyhow!(msg));
                    err.attrs = b.as_ref().map(|x| to_attrs(kind, x, &Value::Null));
                    return Err(err);
                }
            }
            if start.elapsed() >= timeout {
                return Err(OpError::new(
                    Some(id.into()),
                    anyhow::anyhow!(
                        "timed out after {}s waiting (status {}); raise it with timeouts {{ ... }}",
                        timeout.as_secs(),
                        b.as_ref().map(status).unwrap_or_else(|| "gone".into())
                    ),
                ));
            }
            tokio::time::sleep(
                interval.min(
                    timeout
                        .saturating_sub(start.elapsed())
                        .max(Duration::from_millis(10)),
                ),
            )
            .await;
            interval = (interval.mul_f64(1.5)).min(Duration::from_secs(5));
        }
    }
    .await;
    if let Ok(Some(_)) | Ok(None) = &result {
        c.learn_wait(&key, start.elapsed());
    }
    result
}

fn failed_msg(b: &Json) -> String {
    let st = status(b);
    let reason = b["fail_reason"]
        .as_str()
        .or_else(|| b["spec"]["failed_reasons"]["message"].as_str())
        .unwrap_or("");
    if reason.is_empty() {
        format!("the instance is {st}")
    } else {
        format!("the instance is {st}: {reason}")
    }
}

/// Wait for a stable status in `targets`; a failure status is an error.
pub async fn wait_status(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
    targets: &[&str],
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Json, OpError> {
    let b = wait(c, kind, id, timeout, progress, &targets.join(","), |b| {
        let Some(b) = b else {
            return Err("the instance disappeared".into());
        };
        let st = status(b);
        if targets.contains(&st.as_str()) {
            let resizing = kind == Kind::Notebook
                && matches!(
                    b["volume"]["status"].as_str(),
                    Some("INITIALIZING" | "RESIZING" | "DELETING")
                );
            return Ok(!resizing);
        }
        if FAILED.contains(&st.as_str()) {
            return Err(failed_msg(b));
        }
        Ok(false)
    })
    .await?;
    Ok(b.expect("a target status has a body"))
}

pub async fn wait_gone(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<(), OpError> {
    wait(c, kind, id, timeout, progress, "GONE", |b| match b {
        None => Ok(true),
        Some(b) if kind == Kind::DevEnv && status(b) == "DELETED" => Ok(true),
        Some(b) if status(b) == "DELETE_FAILED" => Err(failed_msg(b)),
        Some(_) => Ok(false),
    })
    .await
    .map(|_| ())
}

async fn power(c: &Client, kind: Kind, id: &str, run: bool, cur: &Json) -> Result<(), ApiError> {
    let verb = if run { "start" } else { "stop" };
    let mut query = Vec::new();
    if kind == Kind::Notebook && run {
        // Restart with the instance's own lease, so that auto-stop stays as configured
        // (the Terraform provider passes -1 here, which turns auto-stop off).
        let lease = &cur["lease"];
        let duration = match (lease["enable"].as_bool(), lease["duration"].as_i64()) {
            (Some(true), Some(d)) => d,
            _ => -1,
        };
        query.push(("duration", duration.to_string()));
        if let Some(t) = lease["type"].as_str() {
            query.push(("type", t.to_string()));
        }
    }
    let (method, suffix, body) = match kind {
        Kind::Notebook => ("POST", verb, None),
        Kind::DevServer => ("PUT", verb, run.then(|| json!({}))),
        Kind::DevEnv => ("POST", "action", Some(json!({"action": verb}))),
    };
    let r = c
        .call(
            method,
            &format!("{}/{suffix}", path_of(kind, id)),
            &query,
            body.as_ref(),
            Retry::Safe,
        )
        .await;
    match r {
        Ok(_) => Ok(()),
        // Already there, or on the way (a retried call that went through the first time).
        Err(e)
            if e.is_code(&[
                "ModelArts.6305",
                "ModelArts.6306",
                "ModelArts.6307",
                "ModelArts.6308",
            ]) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Bring an instance to RUNNING or STOPPED and wait.
pub async fn set_power(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
    run: bool,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Json, OpError> {
    let target = if run { "RUNNING" } else { "STOPPED" };
    let cur = get(c, kind, id)
        .await
        .map_err(|e| OpError::new(Some(id.into()), e))?
        .ok_or_else(|| {
            OpError::new(
                Some(id.into()),
                anyhow::anyhow!("the instance no longer exists"),
            )
        })?;
    let st = status(&cur);
    if st == target {
        return Ok(cur);
    }
    let transitional = [
        "CREATING",
        "STARTING",
        "STOPPING",
        "RESTARTING",
        "REBOOTING",
        "SNAPSHOTTING",
    ];
    let mut cur = cur;
    if transitional.contains(&st.as_str()) {
        cur = wait_status(c, kind, id, &["RUNNING", "STOPPED"], timeout, progress).await?;
        if status(&cur) == target {
            return Ok(cur);
        }
    }
    power(c, kind, id, run, &cur)
        .await
        .map_err(|e| OpError::new(Some(id.into()), e))?;
    wait_status(c, kind, id, &[target], timeout, progress).await
}

/// What a create records before and after its call, so that a crash in between loses
/// nothing (see `state::Journal`).
pub trait CreateLog: Send + Sync {
    fn intent<'a>(&'a self, name: &'a str, at: i64) -> LogFuture<'a>;
    fn created<'a>(&'a self, id: &'a str) -> LogFuture<'a>;
}

/// What a `CreateLog` call returns: the record may go to a database.
pub type LogFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// When an object was created, in ms (the legacy API sends a string).
pub fn created_ms(kind: Kind, b: &Json) -> Option<i64> {
    match kind {
        Kind::DevEnv => b["creation_timestamp"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| b["creation_timestamp"].as_i64()),
        _ => b["create_at"].as_i64(),
    }
}

/// Objects named `name` created at or after `at` (less a margin for clock skew): what a
/// create that lost its answer, or whose process died, may have made.
pub async fn find_created(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    name: &str,
    at: i64,
) -> Result<Vec<Json>, ApiError> {
    let all = list_all(c, kind).await?;
    Ok(all
        .into_iter()
        .filter(|b| b["name"] == name && created_ms(kind, b).is_some_and(|t| t >= at - 30_000))
        .collect())
}

/// Create and wait until running (then stop if the configuration says so). Returns the
/// final body. A create is never repeated blindly: when its answer is lost (5xx, reset,
/// timeout), the list shows whether it happened; one match is adopted, none is retried,
/// several stop with an error.
pub async fn create(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    desired: &Value,
    timeout: Duration,
    progress: Progress<'_>,
    log: &dyn CreateLog,
) -> Result<Json, OpError> {
    let body = create_body(kind, desired);
    let name = body["name"].as_str().unwrap_or("").to_string();
    let at = chrono::Utc::now().timestamp_millis();
    log.intent(&name, at)
        .await
        .map_err(|e| OpError::new(None, e))?;
    let mut attempts = 0;
    let id = loop {
        attempts += 1;
        match c
            .call("POST", kind.base(), &[], Some(&body), Retry::OnlyThrottled)
            .await
        {
            Ok(resp) => {
                let id = resp["id"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        OpError::new(
                            None,
                            anyhow::anyhow!("the create call returned no id: {resp}"),
                        )
                    })?
                    .to_string();
                progress(&status(&resp));
                break id;
            }
            Err(e) if e.status == 0 || e.status >= 500 => {
                let found = find_created(c, kind, &name, at).await.map_err(|le| OpError::new(None, anyhow::anyhow!("{e}; and the list to check whether the create happened failed too: {le}")))?;
                match found.as_slice() {
                    [one] => break one["id"].as_str().unwrap_or_default().to_string(),
                    [] if attempts <= c.config.max_retries as usize => continue,
                    [] => return Err(OpError::new(None, e)),
                    many => {
                        let ids: Vec<&str> = many.iter().filter_map(|b| b["id"].as_str()).collect();
                        return Err(OpError::new(None, anyhow::anyhow!("{e}; {} objects named {name} appeared since ({}) and maform cannot tell which one it created; import the right one and delete the others", ids.len(), ids.join(", "))));
                    }
                }
            }
            Err(e) => return Err(OpError::new(None, e)),
        }
    };
    log.created(&id)
        .await
        .map_err(|e| OpError::new(Some(id.clone()), e))?;
    let b = wait_status(c, kind, &id, &["RUNNING"], timeout, progress).await?;
    if desired.get("desired_state").as_str() == Some("STOPPED") {
        return set_power(c, kind, &id, false, timeout, progress).await;
    }
    Ok(b)
}

pub async fn delete(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<(), OpError> {
    if kind == Kind::DevEnv {
        // The legacy API refuses to delete a running instance (ModelArts.6304).
        match get(c, kind, id)
            .await
            .map_err(|e| OpError::new(Some(id.into()), e))?
        {
            None => return Ok(()),
            Some(b)
                if matches!(
                    status(&b).as_str(),
                    "RUNNING" | "STARTING" | "RESTARTING" | "CREATING"
                ) =>
            {
                set_power(c, kind, id, false, timeout, progress).await?;
            }
            Some(_) => {}
        }
    }
    match c
        .call("DELETE", &path_of(kind, id), &[], None, Retry::Safe)
        .await
    {
        Ok(_) => {}
        Err(e) if kind.is_not_found(&e) => return Ok(()),
        Err(e) => return Err(OpError::new(Some(id.into()), e)),
    }
    wait_gone(c, kind, id, timeout, progress).await
}

fn changed(prior: &Value, desired: &Value, key: &str) -> bool {
    let d = desired.get(key);
    d.is_known() && prior.get(key) != d
}

/// Update in place with the API sequence each change needs, then return the instance to
/// its declared (or previous) power state.
pub async fn update(
    c: &std::sync::Arc<Client>,
    kind: Kind,
    id: &str,
    prior: &Value,
    desired: &Value,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Json, OpError> {
    let e = |x: ApiError| OpError::new(Some(id.into()), x);
    let cur = get(c, kind, id).await.map_err(e)?.ok_or_else(|| {
        OpError::new(
            Some(id.into()),
            anyhow::anyhow!("the instance no longer exists"),
        )
    })?;
    let mut st = status(&cur);
    if !["RUNNING", "STOPPED"].contains(&st.as_str()) {
        st = status(&wait_status(c, kind, id, &["RUNNING", "STOPPED"], timeout, progress).await?);
    }
    let was_running = st == "RUNNING";
    let want_running = match desired.get("desired_state").as_str() {
        Some("RUNNING") => true,
        Some("STOPPED") => false,
        _ => was_running,
    };
    match kind {
        Kind::Notebook => {
            let mut stopped_body = Map::new();
            for k in [
                "flavor",
                "image_id",
                "endpoints",
                "custom_spec",
                "affinity",
                "hooks",
                "public_network_config",
            ] {
                if changed(prior, desired, k) {
                    let v = strip_attr(kind, k, desired.get(k));
                    stopped_body.insert(k.into(), v);
                }
            }
            if prior.get("volume").get("dew_secret_name")
                != desired.get("volume").get("dew_secret_name")
                && desired.get("volume").get("dew_secret_name").is_known()
            {
                stopped_body.insert(
                    "dew_secret_name".into(),
                    desired.get("volume").get("dew_secret_name").to_json(),
                );
            }
            let mut any_body = Map::new();
            for k in ["name", "description"] {
                if changed(prior, desired, k) {
                    any_body.insert(
                        k.into(),
                        match desired.get(k) {
                            Value::Null => json!(""),
                            v => v.to_json(),
                        },
                    );
                }
            }
            let grow = match (
                prior.get("volume").get("capacity").as_f64(),
                desired.get("volume").get("capacity").as_f64(),
            ) {
                (Some(a), Some(b)) if b > a => Some(b as i64),
                _ => None,
            };
            let lease = desired
                .get("lease")
                .get("duration")
                .as_f64()
                .filter(|_| changed(prior, desired, "lease"))
                .or_else(|| {
                    desired
                        .get("duration")
                        .as_f64()
                        .filter(|_| changed(prior, desired, "duration"))
                });
            if !stopped_body.is_empty() {
                if st == "RUNNING" {
                    progress("STOPPING");
                    set_power(c, kind, id, false, timeout, progress).await?;
                    st = "STOPPED".into();
                }
                stopped_body.extend(std::mem::take(&mut any_body));
                c.call(
                    "PUT",
                    &path_of(kind, id),
                    &[],
                    Some(&Json::Object(stopped_body)),
                    Retry::Safe,
                )
                .await
                .map_err(e)?;
            }
            if !any_body.is_empty() {
                c.call(
                    "PUT",
                    &path_of(kind, id),
                    &[],
                    Some(&Json::Object(any_body)),
                    Retry::Safe,
                )
                .await
                .map_err(e)?;
            }
            if grow.is_some() || lease.is_some() {
                if st != "RUNNING" {
                    set_power(c, kind, id, true, timeout, progress).await?;
                }
                if let Some(size) = grow {
                    c.call(
                        "PUT",
                        &path_of(kind, id),
                        &[],
                        Some(&json!({"storage_new_size": size})),
                        Retry::Safe,
                    )
                    .await
                    .map_err(e)?;
                    wait_status(c, kind, id, &["RUNNING"], timeout, progress).await?;
                }
                if let Some(d) = lease {
                    let ty = desired
                        .get("lease")
                        .get("type")
                        .as_str()
                        .unwrap_or("TIMING")
                        .to_string();
                    c.call(
                        "PATCH",
                        &format!("{}/lease", path_of(kind, id)),
                        &[],
                        Some(&json!({"duration": d as i64, "type": ty})),
                        Retry::Safe,
                    )
                    .await
                    .map_err(e)?;
                }
            }
        }
        Kind::DevServer => {
            if changed(prior, desired, "name") {
                c.call(
                    "PUT",
                    &path_of(kind, id),
                    &[],
                    Some(&json!({"name": desired.get("name").to_json()})),
                    Retry::Safe,
                )
                .await
                .map_err(e)?;
            }
        }
        Kind::DevEnv => {
            let mut body = Map::new();
            if changed(prior, desired, "description") {
                body.insert(
                    "description".into(),
                    match desired.get("description") {
                        Value::Null => json!(""),
                        v => v.to_json(),
                    },
                );
            }
            let (pa, da) = (
                prior.get("spec").get("auto_stop"),
                desired.get("spec").get("auto_stop"),
            );
            if da.is_known() && pa != da {
                body.insert(
                    "spec".into(),
                    json!({"auto_stop": strip(auto_stop_schema(), da)}),
                );
            }
            if !body.is_empty() {
                c.call(
                    "PUT",
                    &path_of(kind, id),
                    &[],
                    Some(&Json::Object(body)),
                    Retry::Safe,
                )
                .await
                .map_err(e)?;
            }
        }
    }
    set_power(c, kind, id, want_running, timeout, progress).await
}

fn auto_stop_schema() -> &'static Schema {
    match &schema::DEVENV.get("spec").expect("spec").ty {
        Ty::Block(s, _) => match &s.get("auto_stop").expect("auto_stop").ty {
            Ty::Block(a, _) => a,
            _ => unreachable!("auto_stop is a block"),
        },
        _ => unreachable!("spec is a block"),
    }
}

fn strip_attr(kind: Kind, name: &str, v: &Value) -> Json {
    let at = kind.schema().get(name).expect("known attribute");
    match (&at.ty, v) {
        (Ty::Block(inner, true), Value::List(l)) => {
            Json::Array(l.iter().map(|e| strip(inner, e)).collect())
        }
        (Ty::Block(inner, false), m @ Value::Map(_)) => strip(inner, m),
        (_, x) => x.to_json(),
    }
}
