//! The write-ahead create journal: what a create is about to do, recorded before its call,
//! so that a run that dies between the call and the state write loses nothing.

use super::backend::pg::PgJournal;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;

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
    pg: Option<PgJournal>,
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

    pub fn with_pg(path: PathBuf, pg: PgJournal) -> Journal {
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
            crate::fsutil::private(&mut opts);
            *guard = Some(
                opts.open(&self.path)
                    .with_context(|| format!("cannot open the journal {}", self.path.display()))?,
            );
        }
        let Some(f) = guard.as_mut() else {
            anyhow::bail!("the journal {} is not open", self.path.display());
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_survive_and_a_torn_line_is_ignored() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("state/default.json.journal");
        let j = Journal::new(path.clone());
        let intent = JournalEntry::Intent {
            addr: "t.a".into(),
            rtype: "t".into(),
            name: "a".into(),
            at: 5,
        };
        j.append(&intent).await.unwrap();
        j.append(&JournalEntry::Created {
            addr: "t.a".into(),
            id: "x".into(),
        })
        .await
        .unwrap();
        // A crash while appending leaves half a line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"op\": \"intent\", \"addr")
            .unwrap();
        let again = Journal::new(path.clone());
        let entries = again.read().await.unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], intent);
        again.clear().await.unwrap();
        assert!(!path.exists());
        assert!(again.read().await.unwrap().is_empty());
    }
}
