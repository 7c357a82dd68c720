//! What apply reports as it goes. The CLI renders these (live view, timestamped lines,
//! JSON events); apply itself never prints.

use crate::addr::InstanceAddr;
use crate::plan::Action;
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
        action: Action,
        id: Option<String>,
    },
    Status {
        addr: InstanceAddr,
        status: String,
    },
    Done {
        addr: InstanceAddr,
        action: Action,
        id: Option<String>,
        elapsed: Duration,
    },
    Failed {
        addr: InstanceAddr,
        action: Action,
        error: Failure,
    },
    Skipped {
        addr: InstanceAddr,
        because: InstanceAddr,
    },
    Interrupted,
    Summary(Summary),
    /// Outputs after apply; `None` for sensitive ones.
    Outputs(Vec<(String, Option<Value>)>),
}

/// How an apply ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
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
    pub fn count(&mut self, a: Action) {
        match a {
            Action::Create => self.added += 1,
            Action::Update => self.changed += 1,
            Action::Delete => self.destroyed += 1,
            Action::Replace => {
                self.added += 1;
                self.destroyed += 1
            }
            Action::NoOp | Action::Read => {}
        }
    }
    /// Whether the run should exit 1.
    pub fn unsuccessful(&self) -> bool {
        self.failed > 0 || self.interrupted
    }
}
