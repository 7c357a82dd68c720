//! Where a workspace's state lives: the local files (the default) or PostgreSQL. The
//! commands see one interface; each backend keeps its own guarantees (file lock and atomic
//! rename; advisory lock and compare-and-swap).

pub mod local;
pub mod pg;

use crate::config::BackendConfig;
use crate::fsutil::atomic_write;
use crate::state::{Journal, State, StateError};
use local::{LocalBackend, LockInfo};
use pg::{PgBackend, PgSettings};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub enum Backend {
    Local(LocalBackend),
    Pg(PgBackend),
}

/// The backend settings with the connection string resolved (from the configuration,
/// else `PG_CONN_STR`).
pub fn pg_settings(cfg: &BackendConfig) -> Result<Option<PgSettings>, StateError> {
    match cfg {
        BackendConfig::Local => Ok(None),
        BackendConfig::Pg {
            conn_str,
            schema_name,
            keep_versions,
        } => {
            let conn_str = match conn_str {
                Some(c) => c.clone(),
                None => std::env::var("PG_CONN_STR").ok().filter(|s| !s.is_empty()).ok_or_else(|| {
                    StateError::Refused("the pg backend needs a connection string: set PG_CONN_STR (keeps the password out of files) or conn_str in the backend block".into())
                })?,
            };
            Ok(Some(PgSettings {
                conn_str,
                schema: schema_name.clone(),
                keep_versions: *keep_versions,
            }))
        }
    }
}

/// What `maform init` last set up in this directory, kept in `.maform/backend.json`, so
/// that a changed backend block is noticed before any state is read from the wrong place.
/// The connection string is kept only if the configuration itself holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn_str: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_versions: Option<u32>,
}

impl Recorded {
    pub fn of(cfg: &BackendConfig) -> Recorded {
        match cfg {
            BackendConfig::Local => Recorded {
                kind: "local".into(),
                conn_str: None,
                schema_name: None,
                keep_versions: None,
            },
            BackendConfig::Pg {
                conn_str,
                schema_name,
                keep_versions,
            } => Recorded {
                kind: "pg".into(),
                conn_str: conn_str.clone(),
                schema_name: Some(schema_name.clone()),
                keep_versions: Some(*keep_versions),
            },
        }
    }

    pub fn config(&self) -> BackendConfig {
        match self.kind.as_str() {
            "pg" => BackendConfig::Pg {
                conn_str: self.conn_str.clone(),
                schema_name: self
                    .schema_name
                    .clone()
                    .unwrap_or_else(|| crate::config::DEFAULT_PG_SCHEMA.into()),
                keep_versions: self.keep_versions.unwrap_or(50),
            },
            _ => BackendConfig::Local,
        }
    }

    fn path(dir: &Path) -> PathBuf {
        dir.join(".maform/backend.json")
    }

    pub fn load(dir: &Path) -> Result<Option<Recorded>, StateError> {
        match std::fs::read(Recorded::path(dir)) {
            Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| {
                StateError::Invalid(format!(
                    "{} is corrupt ({e}); run maform init to set up the backend again",
                    Recorded::path(dir).display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::Unavailable(format!(
                "cannot read {}: {e}",
                Recorded::path(dir).display()
            ))),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), StateError> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        atomic_write(&Recorded::path(dir), text.as_bytes()).map_err(StateError::from_any)
    }
}

/// The backend this configuration uses, refusing to run on a backend that changed since
/// `maform init` (the state would be read from the wrong place).
pub fn configured(dir: &Path, cfg: &BackendConfig) -> Result<BackendConfig, StateError> {
    let rec = Recorded::load(dir)?;
    match (cfg, rec) {
        (BackendConfig::Local, None) => Ok(BackendConfig::Local),
        (_, None) => Err(StateError::Refused("the configuration has a backend \"pg\" block that is not initialised here; run maform init (add --migrate-state to move existing local state into it)".into())),
        (c, Some(r)) if Recorded::of(c).same_place(&r) => Ok(c.clone()),
        (c, Some(r)) => Err(StateError::Refused(format!(
            "the backend changed since maform init (was {}, now {}); run maform init --migrate-state to move the state, or maform init --reconfigure to use the new backend as it is",
            r.kind,
            Recorded::of(c).kind
        ))),
    }
}

impl Recorded {
    /// Whether two records name the same store (the version count may change freely).
    pub fn same_place(&self, other: &Recorded) -> bool {
        self.kind == other.kind
            && self.conn_str == other.conn_str
            && self.schema_name == other.schema_name
    }
}

/// How a command takes the state's lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locking {
    /// Take it, waiting up to this long for another run to release it.
    Wait(Duration),
    /// Do not take it (`-lock=false`).
    Off,
}

impl Default for Locking {
    fn default() -> Locking {
        Locking::Wait(Duration::ZERO)
    }
}

impl Backend {
    pub async fn open(
        dir: &Path,
        cfg: &BackendConfig,
        workspace: &str,
    ) -> Result<Backend, StateError> {
        Ok(match pg_settings(cfg)? {
            None => Backend::Local(LocalBackend::new(dir, workspace)),
            Some(s) => Backend::Pg(
                PgBackend::open(s, workspace)
                    .await
                    .map_err(StateError::from_any)?,
            ),
        })
    }

    /// Where the state lives, for messages.
    pub fn describe(&self) -> String {
        match self {
            Backend::Local(b) => b.path.display().to_string(),
            Backend::Pg(b) => format!("workspace {:?} in {}", b.workspace, b.settings.describe()),
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Backend::Local(_))
    }

    /// Take the lock as `locking` says: waiting up to its timeout, or, with
    /// `-lock=false`, not at all (with a warning: another run may change the same state
    /// meanwhile, as Terraform warns in its documentation of the flag). Only the commands
    /// that change nothing (plan, drift, console) run without it: the others write the
    /// state and the create journal that makes a killed apply recoverable, which another
    /// run would take for an interrupted run's and recover, or clear.
    pub async fn acquire(
        &mut self,
        operation: &str,
        locking: Locking,
        notify: crate::Notify<'_>,
    ) -> Result<(), StateError> {
        match locking {
            Locking::Wait(timeout) => self.lock(operation, timeout, notify).await.map(|_| ()),
            Locking::Off if !matches!(operation, "plan" | "drift" | "console") => {
                Err(StateError::Refused(format!(
                    "-lock=false is refused for {operation}: it writes the state and its create journal, which another run working at the same time would take for an interrupted run's (and recover or clear); plan, drift and console run without the lock"
                )))
            }
            Locking::Off => {
                notify(&format!(
                    "Warning: not locking the state ({}) for {operation} (-lock=false): nothing stops another run from changing it at the same time",
                    self.describe()
                ));
                Ok(())
            }
        }
    }

    pub async fn lock(
        &mut self,
        operation: &str,
        timeout: Duration,
        notify: crate::Notify<'_>,
    ) -> Result<LockInfo, StateError> {
        match self {
            Backend::Local(b) => b.lock(operation, timeout, notify).await,
            Backend::Pg(b) => b
                .lock(operation, timeout, notify)
                .await
                .map_err(StateError::from_any),
        }
    }

    pub async fn unlock(&mut self) {
        match self {
            Backend::Local(b) => b.unlock(),
            Backend::Pg(b) => b.unlock().await,
        }
    }

    pub async fn read(&mut self) -> Result<State, StateError> {
        match self {
            Backend::Local(b) => b.read(),
            Backend::Pg(b) => b.read().await.map_err(StateError::from_any),
        }
    }

    /// Whether a state is stored (as of the last read or write).
    pub fn exists(&self) -> bool {
        match self {
            Backend::Local(b) => b.path.exists(),
            Backend::Pg(b) => b.exists(),
        }
    }

    /// Persist `state` if its content changed from `previous` (what the backend holds),
    /// bumping the serial. With PostgreSQL the write happens only if the stored serial is
    /// still `previous.serial`.
    pub async fn write(&mut self, state: &mut State, previous: &State) -> Result<bool, StateError> {
        if state.same_content(previous) && self.exists() {
            return Ok(false);
        }
        state.serial = previous.serial.max(state.serial) + 1;
        let bytes = state.to_bytes();
        match self {
            Backend::Local(b) => b.store(&bytes)?,
            Backend::Pg(b) => {
                let expected = if b.exists() { previous.serial } else { 0 };
                b.compare_and_swap(state, bytes, expected)
                    .await
                    .map_err(StateError::from_any)?
            }
        }
        Ok(true)
    }

    /// Store `bytes` (which parse to `st`) as they are, if the stored serial is still
    /// `expected` (for push and migration, which keep the serial they carry).
    pub async fn replace(
        &mut self,
        st: &State,
        bytes: Vec<u8>,
        expected: u64,
    ) -> Result<(), StateError> {
        match self {
            Backend::Local(b) => atomic_write(&b.path, &bytes).map_err(StateError::from_any),
            Backend::Pg(b) => b
                .compare_and_swap(st, bytes, if b.exists() { expected } else { 0 })
                .await
                .map_err(StateError::from_any),
        }
    }

    /// The stored bytes of the current state, for migration (None: no state).
    pub async fn read_bytes(&mut self) -> Result<Option<Vec<u8>>, StateError> {
        match self {
            Backend::Local(b) => match std::fs::read(&b.path) {
                Ok(x) => Ok(Some(x)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(StateError::Unavailable(format!(
                    "cannot read {}: {e}",
                    b.path.display()
                ))),
            },
            Backend::Pg(b) => b.read_raw().await.map_err(StateError::from_any),
        }
    }

    /// An older version of the state: PostgreSQL keeps the last `keep_versions`; the local
    /// backend the current file and its backup.
    pub async fn read_version(&mut self, serial: u64) -> Result<State, StateError> {
        match self {
            Backend::Local(b) => {
                for p in [b.path.clone(), b.path.with_extension("json.backup")] {
                    if let Ok(bytes) = std::fs::read(&p) {
                        let st = State::from_bytes(&bytes, &p.display().to_string())?;
                        if st.serial == serial {
                            return Ok(st);
                        }
                    }
                }
                Err(StateError::Refused(format!("the local backend keeps only the current state and one backup, and neither has serial {serial}")))
            }
            Backend::Pg(b) => b.read_version(serial).await.map_err(StateError::from_any),
        }
    }

    /// The create journal; with PostgreSQL its local fallback is under `dir/.maform`.
    pub fn journal(&self, dir: &Path) -> Journal {
        match self {
            Backend::Local(b) => b.journal(),
            Backend::Pg(b) => Journal::with_pg(
                dir.join(".maform")
                    .join(format!("{}.pg-journal", b.workspace)),
                b.journal_sink(),
            ),
        }
    }

    /// Workspaces, "default" included (it always exists).
    pub async fn workspaces(&self, dir: &Path) -> Result<Vec<String>, StateError> {
        let mut names = self.stored_workspaces(dir).await?;
        if !names.iter().any(|n| n == "default") {
            names.push("default".into());
        }
        names.sort();
        Ok(names)
    }

    /// Workspaces that have a stored state.
    pub async fn stored_workspaces(&self, dir: &Path) -> Result<Vec<String>, StateError> {
        let mut names: Vec<String> = match self {
            Backend::Local(_) => std::fs::read_dir(dir.join("state"))
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .filter_map(|e| {
                            e.file_name()
                                .to_str()
                                .and_then(|n| n.strip_suffix(".json"))
                                .map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Backend::Pg(b) => b.workspaces().await.map_err(StateError::from_any)?,
        };
        names.sort();
        Ok(names)
    }

    /// Remove this workspace's state entirely (the caller holds its lock).
    pub async fn delete(&mut self) -> Result<(), StateError> {
        match self {
            Backend::Local(b) => {
                let path = b.path.clone();
                b.unlock();
                for ext in ["json", "json.backup", "json.lock", "json.journal"] {
                    let _ = std::fs::remove_file(path.with_extension(ext));
                }
                Ok(())
            }
            Backend::Pg(b) => b.delete_workspace().await.map_err(StateError::from_any),
        }
    }

    /// Check, before anything changes in the cloud, that a state write can succeed: the
    /// local directory is writable (PostgreSQL: the connection and the lock are held).
    pub fn preflight(&self) -> Result<(), StateError> {
        match self {
            Backend::Local(b) => b.preflight(),
            Backend::Pg(_) => Ok(()),
        }
    }

    /// Who holds the lock now, if anyone says so.
    pub async fn holder(&self) -> Result<Option<LockInfo>, StateError> {
        match self {
            Backend::Local(b) => Ok(std::fs::read_to_string(b.lock_path())
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())),
            Backend::Pg(b) => b.holder().await.map_err(StateError::from_any),
        }
    }

    /// Remove a lock left by a run that died or hangs; returns who held it.
    pub async fn force_unlock(&mut self, id: &str) -> Result<String, StateError> {
        match self {
            Backend::Local(b) => {
                let lp = b.lock_path();
                let info: Option<LockInfo> = std::fs::read_to_string(&lp)
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok());
                match info {
                    Some(i) if i.id == id => {
                        std::fs::remove_file(&lp).map_err(|e| {
                            StateError::Unavailable(format!("cannot remove {}: {e}", lp.display()))
                        })?;
                        Ok(format!("lock {id} of {} for {}", i.who, i.operation))
                    }
                    Some(i) => Err(StateError::Refused(format!(
                        "the lock ID is {}, not {id}; nothing was changed",
                        i.id
                    ))),
                    None => Err(StateError::Refused(format!(
                        "the state is not locked (no lock information in {})",
                        lp.display()
                    ))),
                }
            }
            Backend::Pg(b) => b.force_unlock(id).await.map_err(StateError::from_any),
        }
    }
}
