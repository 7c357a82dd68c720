//! What apply reports as it goes. The CLI renders these (live view, timestamped lines,
//! JSON events); apply itself never prints.

use crate::addr::InstanceAddr;
use crate::plan::{Action, Counts};
use crate::provider::{OpError, ProviderError};
use crate::value::Value;
use std::time::Duration;

/// Why an operation failed, with the service's error code and HTTP status when it
/// answered with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub code: Option<String>,
    pub http_status: Option<u16>,
}

impl Failure {
    pub fn of(e: &ProviderError) -> Failure {
        Failure {
            message: e.to_string(),
            code: e.code().map(str::to_string),
            http_status: e.http_status(),
        }
    }
    /// A failure maform found before calling the service (a configuration error).
    pub fn local(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: None,
            http_status: None,
        }
    }
}

impl From<&OpError> for Failure {
    fn from(e: &OpError) -> Failure {
        Failure::of(&e.error)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Clone, Debug)]
pub enum Event {
    Start {
        addr: InstanceAddr,
        /// Set when the object is a deposed one (of a create-before-destroy replacement).
        deposed: Option<String>,
        action: Action,
        id: Option<String>,
    },
    Status {
        addr: InstanceAddr,
        deposed: Option<String>,
        status: String,
    },
    Done {
        addr: InstanceAddr,
        deposed: Option<String>,
        action: Action,
        id: Option<String>,
        elapsed: Duration,
    },
    Failed {
        addr: InstanceAddr,
        deposed: Option<String>,
        action: Action,
        error: Failure,
    },
    Skipped {
        addr: InstanceAddr,
        because: InstanceAddr,
    },
    Interrupted,
    /// A check block assertion that failed: shown, never a failure.
    Warning(String),
    Summary(Summary),
    /// Outputs after apply; `None` for sensitive ones.
    Outputs(Vec<(String, Option<Value>)>),
}

/// How an apply ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// What was added, changed and destroyed.
    pub done: Counts,
    pub failed: usize,
    pub skipped: usize,
    /// A first signal stopped new work.
    pub interrupted: bool,
    /// A second signal stopped everything with operations in flight: keep the journal.
    pub aborted: bool,
    /// The plan was a destroy plan.
    pub destroy: bool,
}

impl Summary {
    /// Whether the run should exit 1.
    pub fn unsuccessful(&self) -> bool {
        self.failed > 0 || self.interrupted
    }
}
