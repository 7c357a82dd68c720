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
    /// The writer thread's mailbox, once something was appended.
    writer: std::sync::Mutex<Option<std::sync::mpsc::Sender<Message>>>,
    pg: Option<PgJournal>,
}

/// What the writer thread is asked, with where to answer.
enum Message {
    Append(Vec<u8>, tokio::sync::oneshot::Sender<Result<(), String>>),
    /// Close the file (it is about to be removed).
    Close(tokio::sync::oneshot::Sender<Result<(), String>>),
}

/// The journal's writer: appends what arrives and answers once it is on disk. Whatever
/// arrived while the previous fsync ran is written with one fsync (group commit), so that
/// a thousand creates starting at once wait for a few syncs instead of a thousand, and no
/// async worker ever blocks on the disk.
fn writer(path: PathBuf, rx: std::sync::mpsc::Receiver<Message>) {
    let mut file: Option<std::fs::File> = None;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let mut lines = Vec::new();
        let mut waiting = Vec::new();
        for m in batch {
            match m {
                Message::Append(line, tx) => {
                    lines.push(line);
                    waiting.push(tx);
                }
                Message::Close(tx) => {
                    // What came before the close is written first.
                    let r = write(&path, &mut file, &lines);
                    for w in waiting.drain(..) {
                        let _ = w.send(r.clone());
                    }
                    lines.clear();
                    file = None;
                    let _ = tx.send(Ok(()));
                }
            }
        }
        if !lines.is_empty() {
            let r = write(&path, &mut file, &lines);
            for w in waiting {
                let _ = w.send(r.clone());
            }
        }
    }
}

/// Append `lines` to the journal at `path` (opened on first use) and fsync.
fn write(
    path: &std::path::Path,
    file: &mut Option<std::fs::File>,
    lines: &[Vec<u8>],
) -> Result<(), String> {
    let mut run = || -> anyhow::Result<()> {
        if file.is_none() {
            if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(d)
                    .with_context(|| format!("cannot create {}", d.display()))?;
            }
            let mut opts = std::fs::OpenOptions::new();
            opts.create(true).append(true);
            crate::fsutil::private(&mut opts);
            *file = Some(
                opts.open(path)
                    .with_context(|| format!("cannot open the journal {}", path.display()))?,
            );
        }
        let Some(f) = file.as_mut() else {
            anyhow::bail!("the journal {} is not open", path.display());
        };
        lines
            .iter()
            .try_for_each(|l| f.write_all(l))
            .and_then(|_| f.sync_data())
            .with_context(|| format!("cannot write the journal {}", path.display()))
    };
    let r = run().map_err(|e| format!("{e:#}"));
    if r.is_err() {
        // Reopen next time rather than append after a partial write.
        *file = None;
    }
    r
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
            writer: std::sync::Mutex::new(None),
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
        self.append_file(e).await
    }

    async fn append_file(&self, e: &JournalEntry) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(e)?;
        line.push(b'\n');
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(|tx| Message::Append(line, tx), tx)?;
        rx.await
            .map_err(|_| anyhow::anyhow!("the journal {} writer stopped", self.path.display()))?
            .map_err(anyhow::Error::msg)
    }

    /// Send a message to the writer thread, starting it first if needed.
    fn send(
        &self,
        msg: impl FnOnce(tokio::sync::oneshot::Sender<Result<(), String>>) -> Message,
        tx: tokio::sync::oneshot::Sender<Result<(), String>>,
    ) -> anyhow::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let sender = match w.as_ref() {
            Some(s) => s.clone(),
            None => {
                let (s, r) = std::sync::mpsc::channel();
                let path = self.path.clone();
                std::thread::Builder::new()
                    .name("maform-journal".into())
                    .spawn(move || writer(path, r))
                    .context("cannot start the journal writer")?;
                *w = Some(s.clone());
                s
            }
        };
        sender
            .send(msg(tx))
            .map_err(|_| anyhow::anyhow!("the journal {} writer stopped", self.path.display()))
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
        // The writer closes the file (after what was sent before) before it is removed.
        if self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
        {
            let (tx, rx) = tokio::sync::oneshot::channel();
            self.send(Message::Close, tx)?;
            let _ = rx.await;
        }
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
