//! maform: declarative management of Huawei Cloud ModelArts notebooks, DevServers and
//! legacy DevEnviron instances, with a faithful local simulator of the API.
//!
//! Data flows one way: `config` → `graph` → `plan` → `apply` → `state`; `provider` is the
//! boundary to the cloud (or to `sim`); `ops` strings the steps into workflows; `cli`
//! parses arguments and renders what `ops` and the engine report. No module points back
//! up this chain, and only `cli` prints.

pub mod addr;
pub mod apply;
pub mod cli;
pub mod config;
pub mod digest;
pub mod fsutil;
pub mod graph;
pub mod ops;
pub mod plan;
pub mod provider;
pub mod redact;
pub mod retry;
pub mod schema;
pub mod sim;
pub mod state;
pub mod value;
pub mod version;

/// Where library code sends a line for the user (a wait for a lock, a note about the
/// provider): the CLI prints it on stderr; library code never prints.
pub type Notify<'a> = &'a (dyn Fn(&str) + Send + Sync);
