//! The state: what maform manages, and where it lives.
//!
//! Owns the model ([`model`]), its file format ([`format`]), the create journal
//! ([`journal`]) and the backends ([`backend`]: local files, PostgreSQL) behind one
//! interface. Must not talk to the cloud or decide policy (what to do when a write
//! fails is the ops layer's call).

pub mod backend;
pub mod format;
pub mod journal;
pub mod model;

pub use backend::local::{LocalBackend, LockInfo};
pub use backend::pg;
pub use format::FORMAT_VERSION;
pub use journal::{Journal, JournalEntry};
pub use model::{Instance, OutputState, Place, State};

/// What can go wrong with a state, as the commands need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another run holds the lock (the message names the holder).
    #[error("{0}")]
    Locked(String),
    /// The stored state changed under this run, which did not overwrite it.
    #[error(transparent)]
    Stale(#[from] pg::StaleState),
    /// A state that cannot be used: another format, a broken structure.
    #[error("{0}")]
    Invalid(String),
    /// Bytes that are not JSON at all: a truncated or corrupt file.
    #[error("{0}")]
    Corrupt(String),
    /// What was asked cannot be done here: an unknown version, a wrong lock ID, a backend
    /// that is not set up.
    #[error("{0}")]
    Refused(String),
    /// The file system or the database failed.
    #[error("{0}")]
    Unavailable(String),
}

impl StateError {
    /// A backend failure, keeping a stale write recognisable.
    pub fn from_any(e: anyhow::Error) -> StateError {
        match e.downcast::<pg::StaleState>() {
            Ok(s) => StateError::Stale(s),
            Err(e) => match e.downcast::<StateError>() {
                Ok(s) => s,
                Err(e) => StateError::Unavailable(format!("{e:#}")),
            },
        }
    }
}
