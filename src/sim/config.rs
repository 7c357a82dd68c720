//! What a simulator can be told: project, credentials, persistence, transition times,
//! latency, faults, throttling, the catalog.

use super::catalog::Catalog;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How long each asynchronous transition takes, in milliseconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Timings {
    pub create_ms: i64,
    pub devserver_create_ms: i64,
    pub start_ms: i64,
    pub stop_ms: i64,
    pub delete_ms: i64,
    pub resize_ms: i64,
    pub mount_ms: i64,
}

impl Timings {
    /// Transitions short enough for tests, but still asynchronous: a create always
    /// answers CREATING and the object becomes RUNNING on a later read.
    pub fn fast() -> Timings {
        Timings::uniform(30)
    }
    /// Roughly what the real service takes.
    pub fn realistic() -> Timings {
        Timings {
            create_ms: 40_000,
            devserver_create_ms: 180_000,
            start_ms: 25_000,
            stop_ms: 10_000,
            delete_ms: 8_000,
            resize_ms: 20_000,
            mount_ms: 5_000,
        }
    }
    pub fn uniform(ms: i64) -> Timings {
        Timings {
            create_ms: ms,
            devserver_create_ms: ms,
            start_ms: ms,
            stop_ms: ms,
            delete_ms: ms,
            resize_ms: ms,
            mount_ms: ms,
        }
    }
}

/// Everything `maform sim` can be told.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub project_id: String,
    pub region: String,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub auth_token: Option<String>,
    /// The IAM user (name, password) that `POST /v3/auth/tokens` issues tokens to; no
    /// other name and password gets one.
    pub user: Option<(String, String)>,
    /// What the admin API (`/_sim/...`) requires in `X-Sim-Admin-Token`; `None` leaves it
    /// open (`--open-admin`, for throwaway test runs).
    pub admin_token: Option<String>,
    pub data: Option<PathBuf>,
    pub timings: Timings,
    pub latency_ms: u64,
    pub error_rate: f64,
    pub throttle_rps: Option<u32>,
    pub fail_rate: f64,
    /// What ids, `fail_rate` outcomes and faults are drawn from; `None` draws a seed at
    /// start (ids differ between simulators and runs).
    pub seed: Option<u64>,
    pub catalog: Catalog,
    pub max_body_bytes: usize,
}

pub const DEFAULT_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

/// A fresh random admin token.
pub fn new_admin_token() -> String {
    format!("simadmin-{}", uuid::Uuid::new_v4().simple())
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            project_id: DEFAULT_PROJECT_ID.into(),
            region: "cn-north-4".into(),
            access_key: None,
            secret_key: None,
            auth_token: None,
            user: None,
            // Nobody can drive the admin API of a simulator that did not say how.
            admin_token: Some(new_admin_token()),
            data: None,
            timings: Timings::fast(),
            latency_ms: 0,
            error_rate: 0.0,
            throttle_rps: None,
            fail_rate: 0.0,
            seed: None,
            catalog: Catalog::default(),
            max_body_bytes: 1 << 20,
        }
    }
}
