//! The local backend: `state/<workspace>.json` under the configuration directory,
//! written atomically with a backup of the previous version, and a lock file that names
//! its holder.

use crate::fsutil::atomic_write;
use crate::state::{Journal, State, StateError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// Whether the holder of `info` is a process running on this machine now.
pub fn holder_is_alive(info: &LockInfo) -> bool {
    let here = who();
    let host = |w: &str| w.rsplit_once('@').map(|(_, h)| h.to_string());
    host(&info.who) == host(&here)
        && info.pid != 0
        && info.pid != std::process::id()
        && std::path::Path::new(&format!("/proc/{}", info.pid)).exists()
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
    pub fn new(dir: &Path, workspace: &str) -> LocalBackend {
        LocalBackend {
            path: dir.join("state").join(format!("{workspace}.json")),
            lock: None,
            backed_up: false,
        }
    }

    pub fn lock_path(&self) -> PathBuf {
        self.path.with_extension("json.lock")
    }

    /// Try to take the lock once; the error names the holder.
    pub fn try_lock(&mut self, operation: &str) -> Result<LockInfo, StateError> {
        let f = self.open_lock_file()?;
        if !matches!(fs4::fs_std::FileExt::try_lock_exclusive(&f), Ok(true)) {
            return Err(self.held_error());
        }
        self.hold(f, operation)
    }

    /// Take the lock, waiting up to `timeout` (without blocking a runtime thread); the
    /// error names the holder.
    pub async fn lock(
        &mut self,
        operation: &str,
        timeout: Duration,
        notify: crate::Notify<'_>,
    ) -> Result<LockInfo, StateError> {
        let f = self.open_lock_file()?;
        let start = Instant::now();
        let mut told = false;
        while !matches!(fs4::fs_std::FileExt::try_lock_exclusive(&f), Ok(true)) {
            if start.elapsed() >= timeout {
                return Err(self.held_error());
            }
            if !told {
                told = true;
                notify(&format!(
                    "Acquiring the state lock ({}): another run holds it; waiting up to {} s...",
                    self.lock_path().display(),
                    timeout.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.hold(f, operation)
    }

    fn open_lock_file(&self) -> Result<std::fs::File, StateError> {
        let lp = self.lock_path();
        std::fs::create_dir_all(lp.parent().unwrap_or(Path::new(".")))
            .map_err(|e| StateError::Unavailable(format!("cannot create {}: {e}", lp.display())))?;
        // Every file of the workspace is checked before anything happens: a link among
        // them is refused here, not found out after the cloud was changed.
        for p in [
            &self.path,
            &self.path.with_extension("json.backup"),
            &self.path.with_extension("json.journal"),
            &lp,
        ] {
            crate::fsutil::refuse_link(p).map_err(|e| StateError::Refused(e.to_string()))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        crate::fsutil::private(&mut opts).open(&lp).map_err(|e| {
            StateError::Unavailable(format!("cannot open the lock file {}: {e}", lp.display()))
        })
    }

    /// Who holds the lock, as an error.
    fn held_error(&self) -> StateError {
        let holder = std::fs::read_to_string(self.lock_path())
            .ok()
            .and_then(|t| serde_json::from_str::<LockInfo>(&t).ok());
        StateError::Locked(match holder {
            Some(h) => format!(
                "the state is locked by another run\n  Lock ID:   {}\n  Operation: {}\n  Who:       {}\n  Created:   {}\n  Pid:       {}\nWait for it to finish, retry with --lock-timeout 5m, or if that run is gone: maform force-unlock {}",
                h.id, h.operation, h.who, h.created, h.pid, h.id
            ),
            None => format!(
                "the state at {} is locked by another run; retry with --lock-timeout",
                self.path.display()
            ),
        })
    }

    /// Keep the locked file and write who holds it into it.
    fn hold(&mut self, f: std::fs::File, operation: &str) -> Result<LockInfo, StateError> {
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
        let text = serde_json::to_string_pretty(&info).unwrap_or_default();
        let _ = fw.write_all(text.as_bytes());
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

    pub fn read(&self) -> Result<State, StateError> {
        match std::fs::read(&self.path) {
            Ok(b) => State::from_bytes(&b, &self.path.display().to_string()).map_err(|e| {
                // The way back: the backup, when there is one.
                let backup = self.path.with_extension("json.backup");
                match e {
                    StateError::Corrupt(m) if backup.is_file() => StateError::Corrupt(format!(
                        "{m}; restore it from {} (the version before the last write), or fix it by hand",
                        backup.display()
                    )),
                    StateError::Corrupt(m) => StateError::Corrupt(format!(
                        "{m}; there is no backup beside it: fix it by hand, or restore it from your own copy"
                    )),
                    other => other,
                }
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::new()),
            Err(e) => Err(StateError::Unavailable(format!(
                "cannot read the state file {}: {e}",
                self.path.display()
            ))),
        }
    }

    /// Whether the state can be written: a file is created and removed in its directory.
    pub fn preflight(&self) -> Result<(), StateError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let probe = dir.join(format!(
            ".maform-write-check.{}",
            uuid::Uuid::new_v4().simple()
        ));
        let r = crate::fsutil::private(std::fs::OpenOptions::new().write(true).create_new(true))
            .open(&probe)
            .and_then(|mut f| f.write_all(b"ok").and_then(|_| f.sync_all()));
        let _ = std::fs::remove_file(&probe);
        r.map_err(|e| {
            StateError::Unavailable(format!(
                "the state cannot be written in {}: {e}; nothing was done. Fix the directory's permissions (or free space) and run again",
                dir.display()
            ))
        })
    }

    /// Store `bytes` as the state; the first write of a run keeps the previous file as
    /// `.backup`.
    pub fn store(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        if !self.backed_up {
            if let Ok(old) = std::fs::read(&self.path) {
                atomic_write(&self.path.with_extension("json.backup"), &old)
                    .map_err(StateError::from_any)?;
            }
            self.backed_up = true;
        }
        atomic_write(&self.path, bytes).map_err(StateError::from_any)
    }

    pub fn journal(&self) -> Journal {
        Journal::new(self.path.with_extension("json.journal"))
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        self.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::backend::Backend;
    use std::sync::{Arc, Mutex};

    fn quiet(_: &str) {}

    #[tokio::test]
    async fn a_held_lock_names_its_holder_and_a_waiter_gets_it_when_freed() {
        let d = tempfile::tempdir().unwrap();
        let mut holder = LocalBackend::new(d.path(), "default");
        let info = holder.try_lock("apply").unwrap();
        let mut other = LocalBackend::new(d.path(), "default");
        let e = other.try_lock("plan").unwrap_err().to_string();
        assert!(e.contains(&format!("Lock ID:   {}", info.id)), "{e}");
        assert!(e.contains("Operation: apply"), "{e}");
        // A waiter is told once, and gets the lock when the holder lets go.
        let told = Arc::new(Mutex::new(Vec::<String>::new()));
        let t2 = told.clone();
        let notify = move |m: &str| t2.lock().unwrap().push(m.to_string());
        let release = tokio::spawn(async move {
            tokio::task::yield_now().await;
            holder.unlock();
        });
        other
            .lock("plan", Duration::from_secs(30), &notify)
            .await
            .unwrap();
        release.await.unwrap();
        let told = told.lock().unwrap();
        assert!(told.len() <= 1 && told.iter().all(|m| m.contains("waiting up to 30 s")));
    }

    #[tokio::test]
    async fn a_lock_timeout_ends_with_the_holder() {
        let d = tempfile::tempdir().unwrap();
        let mut holder = LocalBackend::new(d.path(), "default");
        holder.try_lock("apply").unwrap();
        let mut other = LocalBackend::new(d.path(), "default");
        let e = other
            .lock("plan", Duration::from_millis(150), &quiet)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("locked by another run"), "{e}");
    }

    #[tokio::test]
    async fn writes_keep_a_backup_and_bump_the_serial_only_on_change() {
        let d = tempfile::tempdir().unwrap();
        let mut b = Backend::Local(LocalBackend::new(d.path(), "default"));
        let empty = b.read().await.unwrap();
        assert!(!b.exists());
        let mut s1 = empty.clone();
        assert!(
            b.write(&mut s1, &empty).await.unwrap(),
            "the first write creates the file"
        );
        assert_eq!(s1.serial, 1);
        let mut same = s1.clone();
        assert!(
            !b.write(&mut same, &s1).await.unwrap(),
            "no change, no write"
        );
        // A new run: its first write keeps the file before it as the backup.
        let mut b = Backend::Local(LocalBackend::new(d.path(), "default"));
        let mut s2 = s1.clone();
        s2.outputs.insert(
            "o".into(),
            crate::state::OutputState {
                value: crate::value::Value::str("x"),
                sensitive: false,
            },
        );
        assert!(b.write(&mut s2, &s1).await.unwrap());
        assert_eq!(s2.serial, 2);
        assert_eq!(b.read_version(1).await.unwrap().serial, 1);
        assert!(b.read_version(7).await.is_err());
        assert_eq!(b.stored_workspaces(d.path()).await.unwrap(), ["default"]);
        let path = d.path().join("state/default.json");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "states are private");
        }
        b.delete().await.unwrap();
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn force_unlock_needs_the_right_id() {
        let d = tempfile::tempdir().unwrap();
        let mut holder = LocalBackend::new(d.path(), "default");
        let info = holder.try_lock("apply").unwrap();
        let mut b = Backend::Local(LocalBackend::new(d.path(), "default"));
        let e = b.force_unlock("wrong").await.unwrap_err().to_string();
        assert!(e.contains("nothing was changed"), "{e}");
        let what = b.force_unlock(&info.id).await.unwrap();
        assert!(what.contains("for apply"), "{what}");
    }
}
