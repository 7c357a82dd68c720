//! The state: what maform manages, and where it lives.
//!
//! Format: JSON with `version`, `serial`, `lineage`, resources (each with its instances,
//! index keys, attributes, sensitive paths, dependencies, tainted status) and outputs.
//! The local backend keeps it under `state/`, written atomically (temp file, fsync,
//! rename), with a backup of the previous version and a lock file.

use crate::addr::{Addr, Key};
use crate::config::Mode;
use crate::value::{Path, Value};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path as FsPath, PathBuf};
use std::time::{Duration, Instant};

pub mod backend;
pub mod pg;

pub const FORMAT_VERSION: u64 = 1;

/// One managed object.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub attributes: Value,
    pub sensitive: Vec<Path>,
    pub dependencies: Vec<String>,
    pub tainted: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputState {
    pub value: Value,
    pub sensitive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub serial: u64,
    pub lineage: String,
    pub instances: BTreeMap<Addr, Instance>,
    pub outputs: BTreeMap<String, OutputState>,
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

#[derive(Serialize, Deserialize)]
struct FileV1 {
    version: u64,
    maform_version: String,
    serial: u64,
    lineage: String,
    resources: Vec<FileResource>,
    #[serde(default)]
    outputs: BTreeMap<String, FileOutput>,
}

#[derive(Serialize, Deserialize)]
struct FileResource {
    mode: String,
    #[serde(rename = "type")]
    rtype: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    each: Option<String>,
    instances: Vec<FileInstance>,
}

#[derive(Serialize, Deserialize)]
struct FileInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_key: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    attributes: Json,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sensitive_attributes: Vec<Json>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct FileOutput {
    value: Json,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sensitive: bool,
}

fn path_from_json(j: &Json) -> Option<Path> {
    j.as_array()?
        .iter()
        .map(|s| match s {
            Json::String(k) => Some(crate::value::PathStep::Key(k.clone())),
            Json::Number(n) => n
                .as_u64()
                .map(|i| crate::value::PathStep::Index(i as usize)),
            _ => None,
        })
        .collect()
}

impl State {
    pub fn new() -> State {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            instances: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    /// Parse a state file's bytes; every way it can be wrong gets a clear message.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> anyhow::Result<State> {
        let j: Json = serde_json::from_slice(bytes).with_context(|| format!("the state file {origin} is not valid JSON (truncated or corrupt?); restore it from {origin}.backup or fix it by hand"))?;
        match j.get("version").and_then(Json::as_u64) {
            Some(FORMAT_VERSION) => {}
            Some(v) => bail!("the state file {origin} uses format version {v}, which this maform (format {FORMAT_VERSION}) does not support; use a matching maform version"),
            None => bail!("{origin} is not a maform state file (no \"version\" field)"),
        }
        if j.get("lineage").is_none() || j.get("resources").is_none() {
            bail!("{origin} is not a maform state file (no lineage or resources)");
        }
        let f: FileV1 = serde_json::from_value(j)
            .with_context(|| format!("the state file {origin} has an invalid structure"))?;
        let mut instances = BTreeMap::new();
        for r in f.resources {
            let mode = match r.mode.as_str() {
                "managed" => Mode::Managed,
                "data" => Mode::Data,
                m => bail!("the state file {origin} has a resource with unknown mode {m:?}"),
            };
            for i in r.instances {
                let addr = Addr {
                    mode,
                    rtype: r.rtype.clone(),
                    name: r.name.clone(),
                    key: i.index_key,
                };
                if !i.attributes.is_object() {
                    bail!("the state file {origin}: {addr} has no attributes object");
                }
                let sensitive = i
                    .sensitive_attributes
                    .iter()
                    .filter_map(path_from_json)
                    .collect();
                instances.insert(
                    addr,
                    Instance {
                        attributes: Value::from_json(&i.attributes),
                        sensitive,
                        dependencies: i.dependencies,
                        tainted: i.status.as_deref() == Some("tainted"),
                    },
                );
            }
        }
        let outputs = f
            .outputs
            .into_iter()
            .map(|(k, o)| {
                (
                    k,
                    OutputState {
                        value: Value::from_json(&o.value),
                        sensitive: o.sensitive,
                    },
                )
            })
            .collect();
        Ok(State {
            serial: f.serial,
            lineage: f.lineage,
            instances,
            outputs,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut resources: Vec<FileResource> = Vec::new();
        for (addr, inst) in &self.instances {
            let fi = FileInstance {
                index_key: addr.key.clone(),
                status: inst.tainted.then(|| "tainted".to_string()),
                attributes: inst.attributes.to_json(),
                sensitive_attributes: inst
                    .sensitive
                    .iter()
                    .map(|p| crate::value::path_json(p))
                    .collect(),
                dependencies: inst.dependencies.clone(),
            };
            let mode = if addr.mode == Mode::Managed {
                "managed"
            } else {
                "data"
            };
            match resources.last_mut() {
                Some(r) if r.mode == mode && r.rtype == addr.rtype && r.name == addr.name => {
                    r.instances.push(fi)
                }
                _ => resources.push(FileResource {
                    mode: mode.into(),
                    rtype: addr.rtype.clone(),
                    name: addr.name.clone(),
                    each: match &addr.key {
                        Some(Key::Int(_)) => Some("list".into()),
                        Some(Key::Str(_)) => Some("map".into()),
                        None => None,
                    },
                    instances: vec![fi],
                }),
            }
        }
        let f = FileV1 {
            version: FORMAT_VERSION,
            maform_version: env!("CARGO_PKG_VERSION").into(),
            serial: self.serial,
            lineage: self.lineage.clone(),
            resources,
            outputs: self
                .outputs
                .iter()
                .map(|(k, o)| {
                    (
                        k.clone(),
                        FileOutput {
                            value: o.value.to_json(),
                            sensitive: o.sensitive,
                        },
                    )
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&f).expect("state serialises");
        out.push(b'\n');
        out
    }

    /// The same content, ignoring serial: whether a write would change anything.
    pub fn same_content(&self, other: &State) -> bool {
        self.lineage == other.lineage
            && self.instances == other.instances
            && self.outputs == other.outputs
    }

    /// The instances of one resource (`type.name` or `data.type.name`), in key order.
    fn instances_of<'a>(
        &'a self,
        key: &str,
    ) -> impl Iterator<Item = (&'a Addr, &'a Instance)> + 'a {
        let (mode, rest) = match key.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, key),
        };
        let (rtype, name) = rest.split_once('.').unwrap_or((rest, ""));
        let start = Addr {
            mode,
            rtype: rtype.to_string(),
            name: name.to_string(),
            key: None,
        };
        let (rtype, name) = (start.rtype.clone(), start.name.clone());
        self.instances
            .range(start..)
            .take_while(move |(a, _)| a.mode == mode && a.rtype == rtype && a.name == name)
    }

    /// The value of one resource for expressions: an object, or a list (count) or map
    /// (for_each) of objects. `None` if the state has no instance of it.
    pub fn resource_value(&self, key: &str) -> Option<Value> {
        let mut it = self.instances_of(key).peekable();
        let (first, _) = it.peek()?;
        Some(match &first.key {
            None => it
                .next()
                .map(|(_, i)| i.attributes.clone())
                .unwrap_or_default(),
            Some(Key::Int(_)) => {
                let mut l: Vec<Value> = Vec::new();
                for (a, i) in it {
                    if let Some(Key::Int(n)) = a.key {
                        let n = n as usize;
                        if l.len() <= n {
                            l.resize(n + 1, Value::Null);
                        }
                        l[n] = i.attributes.clone();
                    }
                }
                Value::List(l)
            }
            Some(Key::Str(_)) => Value::Map(
                it.filter_map(|(a, i)| match &a.key {
                    Some(Key::Str(s)) => Some((s.clone(), i.attributes.clone())),
                    _ => None,
                })
                .collect(),
            ),
        })
    }

    /// The top-level attributes of one resource that hold secrets.
    pub fn sensitive_attributes_of(&self, key: &str) -> Option<std::collections::BTreeSet<String>> {
        let set: std::collections::BTreeSet<String> = self
            .instances_of(key)
            .flat_map(|(_, i)| {
                i.sensitive.iter().filter_map(|p| match p.first() {
                    Some(crate::value::PathStep::Key(k)) => Some(k.clone()),
                    _ => None,
                })
            })
            .collect();
        (!set.is_empty()).then_some(set)
    }

    /// Per resource, the top-level attributes that hold secrets.
    pub fn sensitive_attributes(&self) -> BTreeMap<String, std::collections::BTreeSet<String>> {
        let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for (a, i) in &self.instances {
            for p in &i.sensitive {
                if let Some(crate::value::PathStep::Key(k)) = p.first() {
                    out.entry(a.resource()).or_default().insert(k.clone());
                }
            }
        }
        out
    }

    /// Values for expressions: `type.name` → object, or list/map of objects.
    pub fn objects(&self) -> BTreeMap<String, Value> {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for (a, i) in &self.instances {
            let k = a.resource();
            match &a.key {
                None => {
                    out.insert(k, i.attributes.clone());
                }
                Some(Key::Int(n)) => {
                    let e = out.entry(k).or_insert_with(|| Value::List(vec![]));
                    if let Value::List(l) = e {
                        let n = *n as usize;
                        if l.len() <= n {
                            l.resize(n + 1, Value::Null);
                        }
                        l[n] = i.attributes.clone();
                    }
                }
                Some(Key::Str(s)) => {
                    let e = out.entry(k).or_insert_with(|| Value::Map(BTreeMap::new()));
                    if let Value::Map(m) = e {
                        m.insert(s.clone(), i.attributes.clone());
                    }
                }
            }
        }
        out
    }
}

/// Who holds a lock, written into the lock file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Who")]
    pub who: String,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Path")]
    pub path: String,
    #[serde(rename = "Pid")]
    pub pid: u32,
}

/// The local state backend: `state/<workspace>.json` under the configuration directory.
pub struct LocalBackend {
    pub path: PathBuf,
    lock: Option<std::fs::File>,
    backed_up: bool,
}

pub fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!("{user}@{host}")
}

impl LocalBackend {
    pub fn new(dir: &FsPath, workspace: &str) -> LocalBackend {
        LocalBackend {
            path: dir.join("state").join(format!("{workspace}.json")),
            lock: None,
            backed_up: false,
        }
    }

    pub fn lock_path(&self) -> PathBuf {
        self.path.with_extension("json.lock")
    }

    /// Take the lock, waiting up to `timeout`; the error names the holder.
    pub fn lock(&mut self, operation: &str, timeout: Duration) -> anyhow::Result<LockInfo> {
        use fs4::fs_std::FileExt;
        let lp = self.lock_path();
        std::fs::create_dir_all(lp.parent().unwrap_or(FsPath::new(".")))
            .with_context(|| format!("cannot create {}", lp.display()))?;
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts
            .open(&lp)
            .with_context(|| format!("cannot open the lock file {}", lp.display()))?;
        let start = Instant::now();
        let mut told = false;
        loop {
            match FileExt::try_lock_exclusive(&f) {
                Ok(true) => break,
                Ok(false) | Err(_) => {
                    if !told && !timeout.is_zero() {
                        told = true;
                        eprintln!(
                            "Acquiring the state lock ({}): another run holds it; waiting up to {} s...",
                            lp.display(),
                            timeout.as_secs()
                        );
                    }
                    if start.elapsed() >= timeout {
                        let holder = std::fs::read_to_string(&lp)
                            .ok()
                            .and_then(|t| serde_json::from_str::<LockInfo>(&t).ok());
                        return Err(match holder {
                            Some(h) => anyhow::anyhow!(
                                "the state is locked by another run\n  Lock ID:   {}\n  Operation: {}\n  Who:       {}\n  Created:   {}\n  Pid:       {}\nWait for it to finish, retry with --lock-timeout 5m, or if that run is gone: maform force-unlock {}",
                                h.id, h.operation, h.who, h.created, h.pid, h.id
                            ),
                            None => anyhow::anyhow!("the state at {} is locked by another run; retry with --lock-timeout", self.path.display()),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        let info = LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.into(),
            who: who(),
            created: chrono::Utc::now().to_rfc3339(),
            path: self.path.display().to_string(),
            pid: std::process::id(),
        };
        let mut fw = &f;
        let _ = f.set_len(0);
        let _ = fw.write_all(serde_json::to_string_pretty(&info)?.as_bytes());
        let _ = f.sync_all();
        self.lock = Some(f);
        Ok(info)
    }

    pub fn unlock(&mut self) {
        if let Some(f) = self.lock.take() {
            let _ = f.set_len(0);
            let _ = fs4::fs_std::FileExt::unlock(&f);
        }
    }

    pub fn read(&self) -> anyhow::Result<State> {
        match std::fs::read(&self.path) {
            Ok(b) => State::from_bytes(&b, &self.path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::new()),
            Err(e) => Err(e)
                .with_context(|| format!("cannot read the state file {}", self.path.display())),
        }
    }

    /// Persist `state` if its content changed, bumping the serial. The first write of a
    /// run keeps the previous file as `.backup`.
    pub fn write(&mut self, state: &mut State, previous: &State) -> anyhow::Result<bool> {
        if state.same_content(previous) && self.path.exists() {
            return Ok(false);
        }
        state.serial = previous.serial.max(state.serial) + 1;
        if !self.backed_up {
            if let Ok(old) = std::fs::read(&self.path) {
                atomic_write(&self.path.with_extension("json.backup"), &old)?;
            }
            self.backed_up = true;
        }
        atomic_write(&self.path, &state.to_bytes())?;
        Ok(true)
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        self.unlock();
    }
}

/// Write `bytes` to `path` so that a reader sees either the old or the new content, never
/// a mix: a temporary file in the same directory, fsync, rename, fsync of the directory.
/// New files are created mode 0600: states and the simulator's cloud can hold secrets.
pub fn atomic_write(path: &FsPath, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(FsPath::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let res = f.write_all(bytes).and_then(|_| f.sync_all());
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
    }
    drop(f);
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_rejections() {
        let mut s = State::new();
        s.instances.insert(
            Addr::managed("modelarts_notebook", "a", Some(Key::Str("x".into()))),
            Instance {
                attributes: Value::from_json(&json!({"id": "1", "name": "n"})),
                sensitive: vec![],
                dependencies: vec!["modelarts_devenv.b".into()],
                tainted: true,
            },
        );
        let b = s.to_bytes();
        let back = State::from_bytes(&b, "t").unwrap();
        assert_eq!(back, s);
        assert!(State::from_bytes(b"{", "t")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        assert!(
            State::from_bytes(br#"{"version": 9, "lineage": "x", "resources": []}"#, "t")
                .unwrap_err()
                .to_string()
                .contains("format version 9")
        );
        assert!(State::from_bytes(br#"{"hello": 1}"#, "t")
            .unwrap_err()
            .to_string()
            .contains("not a maform state"));
    }
}

/// A write-ahead journal of creates, next to the state: before each create call maform
/// appends (and fsyncs) what it is about to create and when; after it, the new id. If the
/// process dies in between, the next run finds the object through the list API instead of
/// creating a second one. Cheap to append: one short line per create, however large the
/// state.
///
/// With the PostgreSQL backend the journal is a table, so that a run on any machine can
/// adopt what a killed run created; while the database cannot be reached, entries go to
/// the local file instead, and reading takes both.
pub struct Journal {
    path: PathBuf,
    file: std::sync::Mutex<Option<std::fs::File>>,
    pg: Option<pg::PgJournal>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalEntry {
    /// About to create `name` as `addr`, at `at` (ms since the epoch).
    Intent {
        addr: String,
        rtype: String,
        name: String,
        at: i64,
    },
    /// The create call for `addr` returned `id`.
    Created { addr: String, id: String },
}

impl Journal {
    pub fn new(path: PathBuf) -> Journal {
        Journal {
            path,
            file: std::sync::Mutex::new(None),
            pg: None,
        }
    }

    pub fn with_pg(path: PathBuf, pg: pg::PgJournal) -> Journal {
        Journal {
            pg: Some(pg),
            ..Journal::new(path)
        }
    }

    pub async fn append(&self, e: &JournalEntry) -> anyhow::Result<()> {
        if let Some(pg) = &self.pg {
            if pg.append(e).await.is_ok() {
                return Ok(());
            }
        }
        self.append_file(e)
    }

    fn append_file(&self, e: &JournalEntry) -> anyhow::Result<()> {
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            if let Some(d) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(d)
                    .with_context(|| format!("cannot create {}", d.display()))?;
            }
            let mut opts = std::fs::OpenOptions::new();
            opts.create(true).append(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            *guard = Some(
                opts.open(&self.path)
                    .with_context(|| format!("cannot open the journal {}", self.path.display()))?,
            );
        }
        let f = guard.as_mut().expect("opened");
        let mut line = serde_json::to_vec(e)?;
        line.push(b'\n');
        f.write_all(&line)
            .and_then(|_| f.sync_data())
            .with_context(|| format!("cannot write the journal {}", self.path.display()))
    }

    /// Every complete entry; a torn last line (a crash while appending) is ignored.
    pub async fn read(&self) -> anyhow::Result<Vec<JournalEntry>> {
        let mut out = match &self.pg {
            Some(pg) => pg.read().await?,
            None => Vec::new(),
        };
        out.extend(
            std::fs::read_to_string(&self.path)
                .map(|t| {
                    t.lines()
                        .filter_map(|l| serde_json::from_str::<JournalEntry>(l).ok())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        Ok(out)
    }

    /// Forget everything: call only once the state records all that the journal knew.
    pub async fn clear(&self) -> anyhow::Result<()> {
        if let Some(pg) = &self.pg {
            pg.clear().await?;
        }
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        *guard = None;
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => {
                Err(e).with_context(|| format!("cannot remove the journal {}", self.path.display()))
            }
        }
    }
}

impl LocalBackend {
    pub fn journal(&self) -> Journal {
        Journal::new(self.path.with_extension("json.journal"))
    }
}
