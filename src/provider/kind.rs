//! What a resource kind is: the one trait each kind implements, so that everything about
//! a kind (its schema, its cross-field rules, what forces a replacement, how the API
//! names and lists it, how a response becomes attributes, which calls an update needs,
//! how its statuses read) lives in its own module.
//!
//! Must not hold state or do I/O: kinds describe; [`super::modelarts`] and the engine
//! act on what they describe.

use crate::schema::Schema;
use crate::value::{Path, Value};
use serde_json::Value as Json;
use std::time::Duration;

/// The operation a timeout is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    Delete,
}

/// A status, as the engine understands it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Running,
    Stopped,
    /// On its way somewhere (CREATING, STARTING, STOPPING, ...).
    Transitional,
    /// A failure status (CREATE_FAILED, ERROR, ...): waiting longer will not help.
    Failed,
    /// The object is gone although the API still shows it (the legacy API's DELETED).
    Gone,
    /// Anything else (FROZEN, ...).
    Other,
}

impl Status {
    /// The statuses the three ModelArts APIs share.
    pub fn classify(s: &str) -> Status {
        match s {
            "RUNNING" => Status::Running,
            "STOPPED" => Status::Stopped,
            "CREATING" | "STARTING" | "STOPPING" | "RESTARTING" | "REBOOTING" | "SNAPSHOTTING" => {
                Status::Transitional
            }
            "CREATE_FAILED" | "START_FAILED" | "DELETE_FAILED" | "ERROR" | "STOP_FAILED"
            | "REBOOT_FAILED" | "RESIZE_FAILED" | "UNAVAILABLE" => Status::Failed,
            _ => Status::Other,
        }
    }
    pub fn is_failed(self) -> bool {
        self == Status::Failed
    }
    pub fn is_transitional(self) -> bool {
        self == Status::Transitional
    }
    /// RUNNING or STOPPED: where a change can start.
    pub fn is_stable(self) -> bool {
        matches!(self, Status::Running | Status::Stopped)
    }
}

/// What a wait waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Running,
    Stopped,
    /// RUNNING or STOPPED, whichever comes.
    Stable,
    /// The object no longer exists.
    Gone,
}

impl Target {
    pub fn power(run: bool) -> Target {
        if run {
            Target::Running
        } else {
            Target::Stopped
        }
    }
    /// Whether `status` is this target (never for `Gone`).
    pub fn reached(self, status: Status) -> bool {
        match self {
            Target::Running => status == Status::Running,
            Target::Stopped => status == Status::Stopped,
            Target::Stable => status.is_stable(),
            Target::Gone => false,
        }
    }
}

/// One step of an in-place update, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Bring the object to RUNNING (`true`) or STOPPED first, and wait.
    Power(bool),
    /// One call on the object: method, path after `/{id}` ("" or "/lease"), JSON body.
    Call {
        method: &'static str,
        suffix: &'static str,
        body: Json,
    },
    /// Wait until the object is RUNNING and settled again.
    WaitRunning,
}

/// One API call on an object (a power action).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub method: &'static str,
    /// The path after `/{id}`.
    pub suffix: &'static str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Json>,
}

/// How a kind's objects are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Pages of `size` objects (`limit`, `offset`) answered as `{data, total}`; `sorted`:
    /// the API sorts by creation time on request (`sort_dir`).
    Paged { size: usize, sorted: bool },
    /// One call with `query` answers every object, in the array under `key`.
    All {
        query: &'static [(&'static str, &'static str)],
        key: &'static str,
    },
}

/// Arguments for `import --generate-config`: the attributes to write, and those to put in
/// `ignore_changes` because the API cannot tell their value.
pub struct GeneratedConfig {
    pub attrs: Value,
    pub ignore_changes: Vec<&'static str>,
}

/// Everything about one kind of resource.
pub trait ResourceKind: Send + Sync + 'static {
    /// The type name users write, e.g. `fake_thing` for the test kind.
    fn type_name(&self) -> &'static str;
    /// Its arguments and attributes.
    fn schema(&self) -> &'static Schema;
    /// Rules across arguments ("exactly one of"), checked at plan time: (summary,
    /// detail) per violation.
    fn check(&self, _config: &Value) -> Vec<(String, String)> {
        Vec::new()
    }
    /// A change that forces a new object beyond the schema's force-new arguments (a
    /// volume that would shrink): the path and why.
    fn replace_rule(&self, _prior: &Value, _planned: &Value) -> Option<(Path, &'static str)> {
        None
    }
    /// Attributes whose changes outside maform are not drift worth reporting.
    fn volatile(&self) -> &'static [&'static str] {
        &["updated_at"]
    }
    fn default_timeout(&self, _op: Op) -> Duration {
        Duration::from_secs(20 * 60)
    }
    /// What a status means.
    fn status(&self, s: &str) -> Status {
        Status::classify(s)
    }

    // ---- the API ----

    /// The collection path under `/v1/{project_id}`, e.g. `/notebooks`.
    fn collection(&self) -> &'static str;
    /// The error codes with which the API says an object does not exist (with HTTP 400;
    /// a 404 always means so).
    fn not_found_codes(&self) -> &'static [&'static str];
    fn listing(&self) -> Listing;
    /// When an object was created, in ms since the epoch.
    fn created_ms(&self, body: &Json) -> Option<i64> {
        body["create_at"].as_i64()
    }
    /// The create request for the planned attributes.
    fn create_body(&self, desired: &Value) -> Json {
        crate::schema::request_body(self.schema(), desired)
    }
    /// Attributes from a response (see [`super::Provider`] for `reference`).
    fn to_attrs(&self, body: &Json, reference: &Value) -> Value;
    /// The calls that change `prior` into `desired` in place, given whether the object is
    /// running now. The engine returns it to its power state afterwards.
    fn update_steps(&self, prior: &Value, desired: &Value, running: bool) -> Vec<Step>;
    /// The call that starts (`run`) or stops the object, given its current body.
    fn power(&self, run: bool, current: &Json) -> Call;
    /// Whether the API refuses to delete a running object (stop it first).
    fn stop_before_delete(&self) -> bool {
        false
    }
    /// Whether an object in its target status is also done with side work (a volume
    /// resize).
    fn settled(&self, _body: &Json) -> bool {
        true
    }
    /// Why a failed object failed, as the API says it.
    fn failure_reason<'b>(&self, body: &'b Json) -> &'b str {
        body["fail_reason"].as_str().unwrap_or("")
    }
    /// Configuration for `import --generate-config` from a response.
    fn generated_config(&self, body: &Json) -> GeneratedConfig {
        GeneratedConfig {
            attrs: self.to_attrs(body, &Value::Null),
            ignore_changes: Vec::new(),
        }
    }
}

/// A data source: finds something by its arguments.
#[async_trait::async_trait]
pub trait DataSource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &'static Schema;
    /// Read it through the ModelArts API.
    async fn read(
        &self,
        api: &super::modelarts::Client,
        args: &Value,
    ) -> Result<Value, super::ProviderError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_classify_as_the_apis_use_them() {
        assert_eq!(Status::classify("RUNNING"), Status::Running);
        assert_eq!(Status::classify("STOPPED"), Status::Stopped);
        for s in [
            "CREATING",
            "STARTING",
            "STOPPING",
            "RESTARTING",
            "REBOOTING",
        ] {
            assert!(Status::classify(s).is_transitional(), "{s}");
        }
        for s in ["CREATE_FAILED", "ERROR", "DELETE_FAILED", "UNAVAILABLE"] {
            assert!(Status::classify(s).is_failed(), "{s}");
        }
        assert_eq!(Status::classify("FROZEN"), Status::Other);
        assert!(!Status::classify("FROZEN").is_stable());
    }

    #[test]
    fn targets_are_reached_by_their_statuses() {
        assert!(Target::Running.reached(Status::Running));
        assert!(!Target::Running.reached(Status::Stopped));
        assert!(Target::Stable.reached(Status::Stopped));
        assert!(!Target::Stable.reached(Status::Transitional));
        assert!(!Target::Gone.reached(Status::Gone));
        assert_eq!(Target::power(false), Target::Stopped);
    }
}
