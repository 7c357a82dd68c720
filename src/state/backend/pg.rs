//! The PostgreSQL state backend.
//!
//! Tables (in the configured schema, created by `maform init`):
//! - `workspaces`: one row per workspace, its lineage and current serial (the head);
//! - `states`: the bytes of each kept version, keyed by workspace and serial;
//! - `locks`: who holds each workspace's lock (the lock itself is a session advisory
//!   lock, so a holder that dies releases it with its connection);
//! - `journal`: the write-ahead create journal, so that a run on another machine can
//!   adopt what a killed run created.
//!
//! Every write is a compare-and-swap on the serial inside a transaction: it succeeds only
//! if the head is still the version this run read or last wrote, so a run that lost its
//! lock or its connection can never replace a newer state.

use super::local::{who, LockInfo};
use crate::state::{JournalEntry, State};
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// The tables maform keeps, in creation order.
const TABLES: [(&str, &str); 4] = [
    (
        "workspaces",
        "name text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL, \
         updated_at timestamptz NOT NULL DEFAULT now()",
    ),
    (
        "states",
        "workspace text NOT NULL REFERENCES {s}.workspaces(name) ON DELETE CASCADE, \
         serial bigint NOT NULL, lineage text NOT NULL, data text NOT NULL, \
         written_at timestamptz NOT NULL DEFAULT now(), written_by text NOT NULL, \
         PRIMARY KEY (workspace, serial)",
    ),
    (
        "locks",
        "workspace text PRIMARY KEY, lock_id text NOT NULL, operation text NOT NULL, \
         who text NOT NULL, created text NOT NULL, pid integer NOT NULL, \
         backend_pid integer NOT NULL",
    ),
    (
        "journal",
        "workspace text NOT NULL, seq bigserial, entry text NOT NULL, \
         PRIMARY KEY (workspace, seq)",
    ),
];

/// A write refused because the stored state is not the version this run started from.
#[derive(Debug, thiserror::Error)]
#[error("the state of workspace {workspace:?} in PostgreSQL changed under this run: it expected serial {expected} and found {found}; another run wrote it, and this run did not overwrite it")]
pub struct StaleState {
    pub workspace: String,
    pub expected: u64,
    pub found: String,
}

/// Where and how to reach the database.
#[derive(Clone)]
pub struct PgSettings {
    pub conn_str: String,
    pub schema: String,
    pub keep_versions: u32,
}

impl PgSettings {
    /// `user@host:port/dbname schema S`, never the password.
    pub fn describe(&self) -> String {
        let target = match normalise_sslmode(&self.conn_str).parse::<tokio_postgres::Config>() {
            Ok(c) => {
                let host = match c.get_hosts().first() {
                    Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
                    #[cfg(unix)]
                    Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
                    None => "localhost".into(),
                };
                let port = c.get_ports().first().copied().unwrap_or(5432);
                format!(
                    "{}@{host}:{port}/{}",
                    c.get_user().unwrap_or("?"),
                    c.get_dbname().or(c.get_user()).unwrap_or("?")
                )
            }
            Err(_) => "(unparsable connection string)".into(),
        };
        format!("PostgreSQL {target}, schema {}", self.schema)
    }

    fn q(&self, sql: &str) -> String {
        sql.replace("{s}", &format!("\"{}\"", self.schema))
    }
}

/// TLS for the connection: the server's certificate is always verified (against the
/// public web roots and the PEM file named by `PGSSLROOTCERT`), host name included.
fn tls() -> anyhow::Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = std::env::var_os("PGSSLROOTCERT").filter(|p| !p.is_empty()) {
        let shown = std::path::Path::new(&path).display().to_string();
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(&path)
            .map_err(|e| anyhow::anyhow!("cannot read PGSSLROOTCERT {shown}: {e}"))?;
        for c in certs {
            let c = c.map_err(|e| anyhow::anyhow!("PGSSLROOTCERT {shown}: {e}"))?;
            roots
                .add(c)
                .map_err(|e| anyhow::anyhow!("PGSSLROOTCERT {shown}: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(cfg))
}

/// libpq's verifying modes mean what maform always does once TLS is on.
fn normalise_sslmode(conn: &str) -> String {
    conn.replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require")
}

/// Open a connection; the error names the server, never the password.
pub async fn connect(settings: &PgSettings) -> anyhow::Result<Client> {
    let cfg: tokio_postgres::Config = normalise_sslmode(&settings.conn_str).parse().map_err(|e| {
        anyhow::anyhow!("the PostgreSQL connection string is invalid: {e}; write it as \"postgres://user:password@host:5432/dbname\" or \"host=... user=... dbname=...\"")
    })?;
    let timeout = cfg
        .get_connect_timeout()
        .copied()
        .unwrap_or(Duration::from_secs(10));
    let (client, conn) = match tokio::time::timeout(timeout, cfg.connect(tls()?)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let msg = pg_error(&e);
            let hint = if msg.contains("certificate") {
                "; the server's TLS certificate is checked against the public roots: set PGSSLROOTCERT to the CA certificate that signed it, or add sslmode=disable to the connection string to connect without TLS"
            } else if msg.contains("Connection refused") {
                "; is the server running, and is the address right?"
            } else {
                ""
            };
            anyhow::bail!("cannot connect to {}: {msg}{hint}", settings.describe())
        }
        Err(_) => anyhow::bail!(
            "cannot connect to {}: no answer within {} s",
            settings.describe(),
            timeout.as_secs()
        ),
    };
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// A database error as the server gave it (message, SQLSTATE), else the client's words.
pub fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} (SQLSTATE {})", d.message(), d.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(x) = src {
                s.push_str(&format!(": {x}"));
                src = x.source();
            }
            s
        }
    }
}

fn is_connection_error(e: &anyhow::Error) -> bool {
    e.downcast_ref::<tokio_postgres::Error>()
        .is_some_and(|p| p.as_db_error().is_none())
        || e.to_string().starts_with("cannot connect")
}

/// Create the schema and any missing table; says what it did.
pub async fn init(settings: &PgSettings) -> anyhow::Result<Vec<String>> {
    let mut client = connect(settings).await?;
    let tx = client.transaction().await.map_err(|e| ctx(settings, e))?;
    // Two inits at once must not race on CREATE ... IF NOT EXISTS.
    tx.execute("SELECT pg_advisory_xact_lock(7236001)", &[])
        .await
        .map_err(|e| ctx(settings, e))?;
    let mut did = Vec::new();
    let schema_exists = tx
        .query_opt(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1",
            &[&settings.schema],
        )
        .await
        .map_err(|e| ctx(settings, e))?
        .is_some();
    if !schema_exists {
        tx.batch_execute(&settings.q("CREATE SCHEMA {s}"))
            .await
            .map_err(|e| ctx(settings, e))?;
        did.push(format!("created schema {}", settings.schema));
    }
    for (name, cols) in TABLES {
        let exists = tx
            .query_one(
                "SELECT to_regclass($1) IS NOT NULL",
                &[&format!("\"{}\".{name}", settings.schema)],
            )
            .await
            .map_err(|e| ctx(settings, e))?
            .get::<_, bool>(0);
        if !exists {
            tx.batch_execute(&settings.q(&format!("CREATE TABLE {{s}}.{name} ({cols})")))
                .await
                .map_err(|e| ctx(settings, e))?;
            did.push(format!("created table {}.{name}", settings.schema));
        }
    }
    tx.commit().await.map_err(|e| ctx(settings, e))?;
    Ok(did)
}

fn ctx(settings: &PgSettings, e: tokio_postgres::Error) -> anyhow::Error {
    let msg = format!("{}: {}", settings.describe(), pg_error(&e));
    anyhow::Error::new(e).context(msg)
}

/// The advisory-lock key of one workspace.
fn lock_key(schema: &str, workspace: &str) -> i64 {
    let d = Sha256::digest(format!("maform\0{schema}\0{workspace}").as_bytes());
    i64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// One workspace's state in PostgreSQL. The connection holds the lock; it is shared with
/// the journal, and replaced if it breaks.
pub struct PgBackend {
    pub settings: PgSettings,
    pub workspace: String,
    shared: Arc<Shared>,
    /// Whether the workspace has a stored state (as of the last read or write).
    exists: bool,
}

struct Shared {
    client: tokio::sync::Mutex<Option<Client>>,
    /// Our lock, if held: re-taken after a reconnect.
    held: std::sync::Mutex<Option<LockInfo>>,
}

impl PgBackend {
    /// Connect and check that `maform init` made the tables.
    pub async fn open(settings: PgSettings, workspace: &str) -> anyhow::Result<PgBackend> {
        let client = connect(&settings).await?;
        let ready = client
            .query_one(
                "SELECT to_regclass($1) IS NOT NULL",
                &[&format!("\"{}\".journal", settings.schema)],
            )
            .await
            .map_err(|e| ctx(&settings, e))?
            .get::<_, bool>(0);
        if !ready {
            anyhow::bail!(
                "{} has no maform tables yet; run maform init to create them",
                settings.describe()
            );
        }
        Ok(PgBackend {
            settings,
            workspace: workspace.to_string(),
            shared: Arc::new(Shared {
                client: tokio::sync::Mutex::new(Some(client)),
                held: std::sync::Mutex::new(None),
            }),
            exists: false,
        })
    }

    fn key(&self) -> i64 {
        lock_key(&self.settings.schema, &self.workspace)
    }

    /// Run `f` on the connection, connecting first if it broke.
    async fn with_client<T>(
        &self,
        f: impl for<'c> FnOnce(
            &'c mut Client,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<T, tokio_postgres::Error>> + Send + 'c>,
        >,
    ) -> anyhow::Result<T> {
        let mut guard = self.shared.client.lock().await;
        if guard.as_ref().is_none_or(|c| c.is_closed()) {
            *guard = None;
            let c = connect(&self.settings).await?;
            // The old session's advisory lock went with it: take it again, or give up.
            let held = self
                .shared
                .held
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let Some(info) = held {
                let got: bool = c
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&self.key()])
                    .await
                    .map_err(|e| ctx(&self.settings, e))?
                    .get(0);
                if !got {
                    anyhow::bail!("the connection to {} broke and another run has taken the lock of workspace {:?} since; this run stops writing", self.settings.describe(), self.workspace);
                }
                record_lock(&c, &self.settings, &self.workspace, &info).await?;
            }
            *guard = Some(c);
        }
        let Some(client) = guard.as_mut() else {
            anyhow::bail!("no connection to {}", self.settings.describe());
        };
        f(client).await.map_err(|e| ctx(&self.settings, e))
    }

    /// One statement about this workspace (`$1`; `{s}` is the schema), on the run's
    /// connection.
    async fn ws_rows(&self, sql: &str) -> anyhow::Result<Vec<tokio_postgres::Row>> {
        let (ws, sql) = (self.workspace.clone(), self.settings.q(sql));
        self.with_client(move |c| Box::pin(async move { c.query(&sql, &[&ws]).await }))
            .await
    }

    pub async fn lock(
        &mut self,
        operation: &str,
        timeout: Duration,
        notify: crate::Notify<'_>,
    ) -> anyhow::Result<LockInfo> {
        let key = self.key();
        let start = Instant::now();
        let mut told = false;
        loop {
            let got: bool = self
                .with_client(move |c| {
                    Box::pin(async move {
                        Ok(c.query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                            .await?
                            .get(0))
                    })
                })
                .await?;
            if got {
                break;
            }
            if !told && !timeout.is_zero() {
                told = true;
                notify(&format!(
                    "Acquiring the state lock of workspace {:?}: another run holds it; waiting up to {} s...",
                    self.workspace,
                    timeout.as_secs()
                ));
            }
            if start.elapsed() >= timeout {
                let row = self
                    .ws_rows("SELECT lock_id, operation, who, created, pid FROM {s}.locks WHERE workspace = $1")
                    .await?
                    .into_iter()
                    .next();
                return Err(crate::state::StateError::Locked(match row {
                    Some(r) => format!(
                        "workspace {:?} in {} is locked by another run\n  Lock ID:   {}\n  Operation: {}\n  Who:       {}\n  Created:   {}\n  Pid:       {}\nWait for it to finish or retry with --lock-timeout 5m. A run that dies releases the lock with its connection; if that run hangs: maform force-unlock {}",
                        self.workspace, self.settings.describe(),
                        r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, String>(2), r.get::<_, String>(3), r.get::<_, i32>(4), r.get::<_, String>(0)
                    ),
                    None => format!("workspace {:?} in {} is locked by another run; retry with --lock-timeout", self.workspace, self.settings.describe()),
                })
                .into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let info = LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.into(),
            who: who(),
            created: chrono::Utc::now().to_rfc3339(),
            path: format!("{} workspace {}", self.settings.describe(), self.workspace),
            pid: std::process::id(),
        };
        {
            let guard = self.shared.client.lock().await;
            let c = guard.as_ref().ok_or_else(|| {
                anyhow::anyhow!("the connection to {} broke", self.settings.describe())
            })?;
            record_lock(c, &self.settings, &self.workspace, &info).await?;
        }
        *self.shared.held.lock().unwrap_or_else(|p| p.into_inner()) = Some(info.clone());
        Ok(info)
    }

    pub async fn unlock(&mut self) {
        let held = self
            .shared
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(info) = held {
            let guard = self.shared.client.lock().await;
            if let Some(c) = guard.as_ref() {
                let _ = c
                    .execute(
                        &self
                            .settings
                            .q("DELETE FROM {s}.locks WHERE workspace = $1 AND lock_id = $2"),
                        &[&self.workspace, &info.id],
                    )
                    .await;
                let _ = c
                    .execute("SELECT pg_advisory_unlock($1)", &[&self.key()])
                    .await;
            }
        }
    }

    /// The current state; a new empty one if the workspace has none.
    pub async fn read(&mut self) -> anyhow::Result<State> {
        match self.read_raw().await? {
            Some(b) => Ok(State::from_bytes(&b, &self.origin(None))?),
            None => Ok(State::new()),
        }
    }

    /// The stored bytes of the current state, as written.
    pub async fn read_raw(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        let row = self
            .ws_rows("SELECT s.data FROM {s}.workspaces w JOIN {s}.states s ON s.workspace = w.name AND s.serial = w.serial WHERE w.name = $1")
            .await?
            .into_iter()
            .next();
        self.exists = row.is_some();
        Ok(row.map(|r| r.get::<_, String>(0).into_bytes()))
    }

    fn origin(&self, serial: Option<u64>) -> String {
        match serial {
            Some(n) => format!(
                "workspace {:?} serial {n} in {}",
                self.workspace,
                self.settings.describe()
            ),
            None => format!(
                "workspace {:?} in {}",
                self.workspace,
                self.settings.describe()
            ),
        }
    }

    /// An older kept version; the error lists the kept ones.
    pub async fn read_version(&mut self, serial: u64) -> anyhow::Result<State> {
        let rows = self
            .ws_rows("SELECT serial, data FROM {s}.states WHERE workspace = $1 ORDER BY serial")
            .await?;
        for r in &rows {
            if r.get::<_, i64>(0) as u64 == serial {
                return Ok(State::from_bytes(
                    r.get::<_, &str>(1).as_bytes(),
                    &self.origin(Some(serial)),
                )?);
            }
        }
        let kept: Vec<String> = rows
            .iter()
            .map(|r| r.get::<_, i64>(0).to_string())
            .collect();
        anyhow::bail!(
            "workspace {:?} has no kept version with serial {serial}; kept: {}",
            self.workspace,
            if kept.is_empty() {
                "none".into()
            } else {
                kept.join(", ")
            }
        )
    }

    pub fn exists(&self) -> bool {
        self.exists
    }

    /// Store `bytes` (the state `st`) as the new head if the head is still
    /// `expected` (0: no state yet). Retries a broken connection; never retries a
    /// refused compare-and-swap.
    pub async fn compare_and_swap(
        &mut self,
        st: &State,
        bytes: Vec<u8>,
        expected: u64,
    ) -> anyhow::Result<()> {
        let data = String::from_utf8(bytes).context("the state is not UTF-8")?;
        let mut delays = crate::retry::database();
        loop {
            let r = self.cas_once(st, &data, expected).await;
            match r {
                Err(e) if e.downcast_ref::<StaleState>().is_none() && is_connection_error(&e) => {
                    let Some(delay) = delays.next() else {
                        return Err(e);
                    };
                    tokio::time::sleep(delay).await;
                }
                Err(e) => return Err(e),
                Ok(()) => {
                    self.exists = true;
                    return Ok(());
                }
            }
        }
    }

    async fn cas_once(&self, st: &State, data: &str, expected: u64) -> anyhow::Result<()> {
        let (ws, s) = (self.workspace.clone(), self.settings.clone());
        let (lineage, serial, data) = (st.lineage.clone(), st.serial as i64, data.to_string());
        let who = who();
        let found = self
            .with_client(move |c| {
                Box::pin(async move {
                    let tx = c.transaction().await?;
                    let cur = tx
                        .query_opt(&s.q("SELECT serial, lineage FROM {s}.workspaces WHERE name = $1 FOR UPDATE"), &[&ws])
                        .await?
                        .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
                    let ok = match &cur {
                        None => expected == 0,
                        Some((n, _)) => *n as u64 == expected,
                    };
                    if !ok {
                        tx.rollback().await?;
                        return Ok(Some(cur.map(|(n, l)| format!("{n} (lineage {l})")).unwrap_or_else(|| "no state".into())));
                    }
                    tx.execute(
                        &s.q("INSERT INTO {s}.workspaces (name, lineage, serial) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET lineage = EXCLUDED.lineage, serial = EXCLUDED.serial, updated_at = now()"),
                        &[&ws, &lineage, &serial],
                    )
                    .await?;
                    tx.execute(
                        &s.q("INSERT INTO {s}.states (workspace, serial, lineage, data, written_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace, serial) DO UPDATE SET lineage = EXCLUDED.lineage, data = EXCLUDED.data, written_at = now(), written_by = EXCLUDED.written_by"),
                        &[&ws, &serial, &lineage, &data, &who],
                    )
                    .await?;
                    tx.execute(
                        &s.q("DELETE FROM {s}.states WHERE workspace = $1 AND serial NOT IN (SELECT serial FROM {s}.states WHERE workspace = $1 ORDER BY serial DESC LIMIT $2)"),
                        &[&ws, &(s.keep_versions as i64)],
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(None)
                })
            })
            .await?;
        match found {
            None => Ok(()),
            Some(found) => Err(StaleState {
                workspace: self.workspace.clone(),
                expected,
                found,
            }
            .into()),
        }
    }

    pub fn journal_sink(&self) -> PgJournal {
        PgJournal {
            shared: self.shared.clone(),
            settings: self.settings.clone(),
            workspace: self.workspace.clone(),
        }
    }

    /// Every workspace with a stored state.
    pub async fn workspaces(&self) -> anyhow::Result<Vec<String>> {
        let s = self.settings.clone();
        let rows = self
            .with_client(move |c| {
                Box::pin(async move {
                    c.query(&s.q("SELECT name FROM {s}.workspaces ORDER BY name"), &[])
                        .await
                })
            })
            .await?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    /// Remove this workspace: its versions, lock record and journal.
    pub async fn delete_workspace(&mut self) -> anyhow::Result<()> {
        let (ws, s) = (self.workspace.clone(), self.settings.clone());
        self.with_client(move |c| {
            Box::pin(async move {
                let tx = c.transaction().await?;
                tx.execute(&s.q("DELETE FROM {s}.workspaces WHERE name = $1"), &[&ws])
                    .await?;
                tx.execute(&s.q("DELETE FROM {s}.journal WHERE workspace = $1"), &[&ws])
                    .await?;
                tx.commit().await
            })
        })
        .await
    }

    /// Release a lock whose holder hangs: end the holder's database session (which frees
    /// the advisory lock) and remove its record. Returns who held it.
    /// Who holds this workspace's lock, from the `locks` table.
    pub async fn holder(&self) -> anyhow::Result<Option<LockInfo>> {
        Ok(self
            .ws_rows(
                "SELECT lock_id, operation, who, created, pid FROM {s}.locks WHERE workspace = $1",
            )
            .await?
            .into_iter()
            .next()
            .map(|r| LockInfo {
                id: r.get(0),
                operation: r.get(1),
                who: r.get(2),
                created: r.get(3),
                path: format!("{} workspace {}", self.settings.describe(), self.workspace),
                pid: u32::try_from(r.get::<_, i32>(4)).unwrap_or(0),
            }))
    }

    pub async fn force_unlock(&mut self, id: &str) -> anyhow::Result<String> {
        let row = self
            .ws_rows(
                "SELECT lock_id, who, operation, backend_pid FROM {s}.locks WHERE workspace = $1",
            )
            .await?
            .into_iter()
            .next();
        let Some(r) = row else {
            anyhow::bail!(
                "workspace {:?} is not locked (no lock record in {})",
                self.workspace,
                self.settings.describe()
            );
        };
        let (lock_id, who, op, pid): (String, String, String, i32) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        if lock_id != id {
            anyhow::bail!("the lock ID is {lock_id}, not {id}; nothing was changed");
        }
        let (ws, s, key) = (self.workspace.clone(), self.settings.clone(), self.key());
        self.with_client(move |c| {
            Box::pin(async move {
                // Only the session that holds this workspace's lock is ended.
                c.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $1 AND ((classid::bigint << 32) | objid::bigint) = $2",
                    &[&pid, &key],
                )
                .await?;
                c.execute(&s.q("DELETE FROM {s}.locks WHERE workspace = $1 AND lock_id = $2"), &[&ws, &lock_id]).await
            })
        })
        .await?;
        Ok(format!("lock {id} of {who} for {op}"))
    }
}

async fn record_lock(
    c: &Client,
    s: &PgSettings,
    workspace: &str,
    info: &LockInfo,
) -> anyhow::Result<()> {
    c.execute(
        &s.q("INSERT INTO {s}.locks (workspace, lock_id, operation, who, created, pid, backend_pid) VALUES ($1, $2, $3, $4, $5, $6, pg_backend_pid()) ON CONFLICT (workspace) DO UPDATE SET lock_id = EXCLUDED.lock_id, operation = EXCLUDED.operation, who = EXCLUDED.who, created = EXCLUDED.created, pid = EXCLUDED.pid, backend_pid = EXCLUDED.backend_pid"),
        &[&workspace, &info.id, &info.operation, &info.who, &info.created, &(info.pid as i32)],
    )
    .await
    .map_err(|e| ctx(s, e))?;
    Ok(())
}

/// The journal's table, on the backend's connection.
#[derive(Clone)]
pub struct PgJournal {
    shared: Arc<Shared>,
    settings: PgSettings,
    workspace: String,
}

impl PgJournal {
    pub async fn append(&self, e: &JournalEntry) -> anyhow::Result<()> {
        let line = serde_json::to_string(e)?;
        let guard = self.shared.client.lock().await;
        let c = guard.as_ref().filter(|c| !c.is_closed()).ok_or_else(|| {
            anyhow::anyhow!("the connection to {} is down", self.settings.describe())
        })?;
        c.execute(
            &self
                .settings
                .q("INSERT INTO {s}.journal (workspace, entry) VALUES ($1, $2)"),
            &[&self.workspace, &line],
        )
        .await
        .map_err(|e| ctx(&self.settings, e))?;
        Ok(())
    }

    pub async fn read(&self) -> anyhow::Result<Vec<JournalEntry>> {
        let guard = self.shared.client.lock().await;
        let c = guard.as_ref().ok_or_else(|| {
            anyhow::anyhow!("the connection to {} is down", self.settings.describe())
        })?;
        let rows = c
            .query(
                &self
                    .settings
                    .q("SELECT entry FROM {s}.journal WHERE workspace = $1 ORDER BY seq"),
                &[&self.workspace],
            )
            .await
            .map_err(|e| ctx(&self.settings, e))?;
        Ok(rows
            .iter()
            .filter_map(|r| serde_json::from_str(r.get::<_, &str>(0)).ok())
            .collect())
    }

    pub async fn clear(&self) -> anyhow::Result<()> {
        let guard = self.shared.client.lock().await;
        let c = guard.as_ref().ok_or_else(|| {
            anyhow::anyhow!("the connection to {} is down", self.settings.describe())
        })?;
        c.execute(
            &self
                .settings
                .q("DELETE FROM {s}.journal WHERE workspace = $1"),
            &[&self.workspace],
        )
        .await
        .map_err(|e| ctx(&self.settings, e))?;
        Ok(())
    }
}
