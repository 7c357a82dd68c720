//! An in-memory provider and a test-only resource kind, so that the engine (plan, apply,
//! refresh, recovery) is unit-tested without HTTP.
//!
//! The kind, `fake_thing`, is also the proof that adding a kind is one module and one
//! registry line: it is this file plus the line in [`registry`].

use super::kind::{Call, GeneratedConfig, Listing, ResourceKind, Step};
use super::{ApiError, DataSource, OpContext, OpError, Provider, ProviderError, Registry};
use crate::config::Config;
use crate::schema::{comp, desired_state, opt, optc, req, Schema, Ty};
use crate::value::{PathStep, Value};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};

/// `fake_thing`: a name, a size that can only grow, a zone that forces a new object, a
/// write-only secret.
pub struct Thing;

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).check(|v| match v.as_str() {
            Some(s) if s.len() > 20 => Err("must be at most 20 characters".into()),
            _ => Ok(()),
        }),
        opt("description", Ty::Str),
        optc("size", Ty::Int),
        opt("zone", Ty::Str).forces_new(),
        opt("secret", Ty::Str).secret().wo(),
        opt("tags", Ty::StrMap),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
    ],
});

impl ResourceKind for Thing {
    fn type_name(&self) -> &'static str {
        "fake_thing"
    }
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }
    fn check(&self, v: &Value) -> Vec<(String, String)> {
        if v.get("zone").as_str() == Some("nowhere") {
            return vec![("zone nowhere does not exist".into(), "Pick a zone.".into())];
        }
        vec![]
    }
    fn replace_rule(
        &self,
        prior: &Value,
        planned: &Value,
    ) -> Option<(crate::value::Path, &'static str)> {
        let size = |v: &Value| v.get("size").as_f64();
        match (size(prior), size(planned)) {
            (Some(a), Some(b)) if b < a => {
                Some((vec![PathStep::Key("size".into())], "size can only grow"))
            }
            _ => None,
        }
    }
    fn collection(&self) -> &'static str {
        "/things"
    }
    fn not_found_codes(&self) -> &'static [&'static str] {
        &["Fake.404"]
    }
    fn listing(&self) -> Listing {
        Listing::All {
            query: &[],
            key: "things",
        }
    }
    fn to_attrs(&self, body: &Json, reference: &Value) -> Value {
        let mut v = Value::from_json(body);
        if let (Value::Map(m), Some(r)) = (&mut v, reference.as_map()) {
            for a in SCHEMA.attrs.iter().filter(|a| a.write_only) {
                if let Some(x) = r.get(a.name) {
                    m.insert(a.name.to_string(), x.clone());
                }
            }
        }
        v
    }
    fn update_steps(&self, _prior: &Value, desired: &Value, _running: bool) -> Vec<Step> {
        vec![Step::Call {
            method: "PUT",
            suffix: "",
            body: super::modelarts::convert::request_body(&SCHEMA, desired),
        }]
    }
    fn power(&self, run: bool, _current: &Json) -> Call {
        Call {
            method: "POST",
            suffix: if run { "/start" } else { "/stop" },
            query: vec![],
            body: None,
        }
    }
}

pub static THING: Thing = Thing;

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry::modelarts().with_kind(&THING));

/// The ModelArts registry plus `fake_thing`.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

/// A configuration of one file, `main.hcl`, that may use `fake_thing`.
pub fn config(text: &str) -> Config {
    match Config::from_sources_with(&[("main.hcl".into(), text.into())], registry())
        .and_then(|c| crate::config::load::no_modules(&c).map(|()| c))
    {
        Ok(c) => c,
        Err(e) => panic!("the test configuration does not load:\n{e}"),
    }
}

/// Objects in memory, and a record of every operation.
#[derive(Default)]
pub struct Fake {
    objects: Mutex<BTreeMap<String, Value>>,
    next_id: AtomicU64,
    calls: AtomicU64,
    /// Operations in order: "create NAME", "update ID", "delete ID".
    log: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Names whose create the service refuses (no object).
    refuse: Mutex<BTreeSet<String>>,
    /// Names whose create ends CREATE_FAILED (the object stays).
    fail: Mutex<BTreeSet<String>>,
    /// Ids whose delete the service refuses.
    keep: Mutex<BTreeSet<String>>,
}

/// Counts an operation in flight while it lives.
struct InFlight<'a>(&'a Fake);

impl<'a> InFlight<'a> {
    fn new(f: &'a Fake) -> InFlight<'a> {
        let n = f.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        f.max_in_flight.fetch_max(n, Ordering::SeqCst);
        InFlight(f)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Fake {
    pub fn new() -> Fake {
        Fake::default()
    }
    /// The service refuses creates of objects named `name`.
    pub fn refuse(&self, name: &str) {
        lock(&self.refuse).insert(name.into());
    }
    /// Creates of objects named `name` end CREATE_FAILED.
    pub fn fail(&self, name: &str) {
        lock(&self.fail).insert(name.into());
    }
    /// The service refuses to delete the object `id` (until [`Fake::release`]).
    pub fn keep(&self, id: &str) {
        lock(&self.keep).insert(id.into());
    }
    pub fn release(&self, id: &str) {
        lock(&self.keep).remove(id);
    }
    pub fn log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
    pub fn objects(&self) -> BTreeMap<String, Value> {
        lock(&self.objects).clone()
    }
    /// An object made outside maform (or by a run that died before saving its state).
    pub fn insert(&self, attrs: Value) -> String {
        let id = format!("fake-{}", self.next_id.fetch_add(1, Ordering::SeqCst) + 1);
        let mut attrs = attrs;
        if let Value::Map(m) = &mut attrs {
            m.insert("id".into(), Value::str(id.clone()));
            m.entry("status".into())
                .or_insert_with(|| Value::str("RUNNING"));
        }
        lock(&self.objects).insert(id.clone(), attrs);
        id
    }
    /// Change an object out of band.
    pub fn patch(&self, id: &str, key: &str, v: Value) {
        if let Some(Value::Map(m)) = lock(&self.objects).get_mut(id) {
            m.insert(key.into(), v);
        }
    }
    /// Delete an object out of band.
    pub fn remove(&self, id: &str) {
        lock(&self.objects).remove(id);
    }

    fn record(&self, what: String) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        lock(&self.log).push(what);
    }
}

/// The known parts of `v`, for storing.
fn known(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(
            m.iter()
                .filter(|(_, x)| x.is_known())
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn power_status(desired: &Value) -> &'static str {
    match desired.get("desired_state").as_str() {
        Some("STOPPED") => "STOPPED",
        _ => "RUNNING",
    }
}

#[async_trait::async_trait]
impl Provider for Fake {
    async fn read(
        &self,
        _kind: &'static dyn ResourceKind,
        id: &str,
        _reference: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        self.record(format!("read {id}"));
        Ok(lock(&self.objects).get(id).cloned())
    }

    async fn read_many(
        &self,
        _kind: &'static dyn ResourceKind,
        items: &[(&str, &Value)],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        self.record(format!("list {}", items.len()));
        let objects = lock(&self.objects);
        Ok(items
            .iter()
            .map(|(id, _)| objects.get(*id).cloned())
            .collect())
    }

    async fn create(
        &self,
        _kind: &'static dyn ResourceKind,
        desired: &Value,
        op: &OpContext<'_>,
    ) -> Result<Value, OpError> {
        let _f = InFlight::new(self);
        let name = desired.get("name").as_str().unwrap_or("").to_string();
        self.record(format!("create {name}"));
        op.log
            .intent(&name, 0)
            .await
            .map_err(|e| OpError::new(None, ProviderError::Journal(format!("{e:#}"))))?;
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        if lock(&self.refuse).contains(&name) {
            return Err(OpError::new(
                None,
                ApiError {
                    status: 400,
                    code: "Fake.0001".into(),
                    message: format!("{name} is refused"),
                    request_id: None,
                    method: "POST".into(),
                    path: "/things".into(),
                },
            ));
        }
        let failed = lock(&self.fail).contains(&name);
        let mut attrs = known(desired);
        if let Value::Map(m) = &mut attrs {
            m.insert(
                "status".into(),
                Value::str(if failed {
                    "CREATE_FAILED"
                } else {
                    power_status(desired)
                }),
            );
        }
        let id = self.insert(attrs.clone());
        (op.progress)("RUNNING");
        op.log
            .created(&id)
            .await
            .map_err(|e| OpError::new(Some(&id), ProviderError::Journal(format!("{e:#}"))))?;
        let attrs = lock(&self.objects)[&id].clone();
        if failed {
            return Err(OpError {
                id: Some(id),
                attrs: Some(attrs),
                error: ProviderError::Failed {
                    status: "CREATE_FAILED".into(),
                    reason: "the fake says no".into(),
                },
            });
        }
        Ok(attrs)
    }

    async fn update(
        &self,
        _kind: &'static dyn ResourceKind,
        id: &str,
        _prior: &Value,
        desired: &Value,
        _op: &OpContext<'_>,
    ) -> Result<Value, OpError> {
        let _f = InFlight::new(self);
        self.record(format!("update {id}"));
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        let mut objects = lock(&self.objects);
        let Some(Value::Map(m)) = objects.get_mut(id) else {
            return Err(OpError::new(Some(id), ProviderError::Gone));
        };
        if let Value::Map(d) = known(desired) {
            for (k, v) in d {
                if k != "id" && k != "status" {
                    m.insert(k, v);
                }
            }
        }
        m.insert("status".into(), Value::str(power_status(desired)));
        Ok(Value::Map(m.clone()))
    }

    async fn delete(
        &self,
        _kind: &'static dyn ResourceKind,
        id: &str,
        _op: &OpContext<'_>,
    ) -> Result<(), OpError> {
        let _f = InFlight::new(self);
        self.record(format!("delete {id}"));
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        if lock(&self.keep).contains(id) {
            return Err(OpError::new(
                Some(id),
                ApiError {
                    status: 400,
                    code: "Fake.0002".into(),
                    message: format!("{id} cannot be deleted now"),
                    request_id: None,
                    method: "DELETE".into(),
                    path: format!("/things/{id}"),
                },
            ));
        }
        lock(&self.objects).remove(id);
        Ok(())
    }

    async fn find_created(
        &self,
        _kind: &'static dyn ResourceKind,
        name: &str,
        _at: i64,
    ) -> Result<Vec<String>, ProviderError> {
        self.record(format!("find {name}"));
        Ok(lock(&self.objects)
            .iter()
            .filter(|(_, v)| v.get("name").as_str() == Some(name))
            .map(|(id, _)| id.clone())
            .collect())
    }

    async fn generate_config(
        &self,
        _kind: &'static dyn ResourceKind,
        id: &str,
    ) -> Result<Option<GeneratedConfig>, ProviderError> {
        Ok(lock(&self.objects).get(id).map(|a| GeneratedConfig {
            attrs: a.clone(),
            ignore_changes: vec![],
        }))
    }

    async fn read_data(
        &self,
        source: &'static dyn DataSource,
        args: &Value,
    ) -> Result<Value, ProviderError> {
        self.record(format!("data {}", source.type_name()));
        let mut out = args.as_map().cloned().unwrap_or_default();
        out.insert(
            "id".into(),
            Value::str(format!("{}-id", source.type_name())),
        );
        Ok(Value::Map(out))
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }
}
