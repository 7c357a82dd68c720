//! maform: declarative management of Huawei Cloud ModelArts notebooks, DevServers and
//! legacy DevEnviron instances, with a faithful local simulator of the API.
//!
//! Data flows one way: `config` → `graph` → `plan` → `apply` → `state`; `provider` is the
//! boundary to the cloud (or to `sim`), and `cli` renders what the engine reports.

pub mod addr;
pub mod apply;
pub mod cli;
pub mod config;
pub mod engine;
pub mod graph;
pub mod plan;
pub mod provider;
pub mod schema;
pub mod sim;
pub mod state;
pub mod value;
