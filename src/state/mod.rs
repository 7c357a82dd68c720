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
pub use model::{Instance, OutputState, State};
