//! The boundary to the cloud.
//!
//! Owns the [`Provider`] trait the engine talks to (read, create, update, delete, wait,
//! data sources), its typed errors (which keep the service's HTTP status, error code and
//! message), the [`ResourceKind`] trait that each resource kind implements, and the
//! [`Registry`], the one list of type names. The ModelArts implementation lives in
//! [`modelarts`]; [`fake`] is an in-memory provider for unit tests.
//!
//! Must not read configuration files, state or the terminal: it is given attribute
//! values and returns attribute values.

/// The provider's address, as plan and state JSON and `maform providers` name it (maform
/// has one provider, built in).
pub const PROVIDER_ADDRESS: &str = "registry.maform.dev/maform/modelarts";

#[cfg(test)]
pub mod fake;
pub mod kind;
pub mod modelarts;
pub mod registry;

pub use kind::{DataSource, Listing, Op, ResourceKind, Status, Step, Target};
pub use registry::Registry;

use crate::value::Value;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// An error the service returned, or a transport failure (`status` 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub method: String,
    pub path: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == 0 {
            return write!(f, "{} {}: {}", self.method, self.path, self.message);
        }
        write!(
            f,
            "{} {}: HTTP {} {}: {}",
            self.method, self.path, self.status, self.code, self.message
        )?;
        if let Some(r) = &self.request_id {
            write!(f, " (request id {r})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn is_code(&self, codes: &[&str]) -> bool {
        codes.contains(&self.code.as_str())
    }
    pub fn transport(method: &str, path: &str, message: String) -> ApiError {
        ApiError {
            status: 0,
            code: "TRANSPORT".into(),
            message,
            request_id: None,
            method: method.into(),
            path: path.into(),
        }
    }
    /// Whether the outcome of the call is unknown (no answer, or a server error).
    pub fn outcome_unknown(&self) -> bool {
        self.status == 0 || self.status >= 500
    }
}

/// Why an operation on an object failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The service refused or could not be reached.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The service refused, and maform knows more about what that means.
    #[error("{source}; {detail}")]
    ApiContext {
        source: Box<ApiError>,
        detail: String,
    },
    /// The object reached a failure status.
    #[error("the instance is {status}{}", if reason.is_empty() { String::new() } else { format!(": {reason}") })]
    Failed { status: String, reason: String },
    /// The object did not reach its target in time.
    #[error("timed out after {secs}s waiting (status {status}); raise it with timeouts {{ ... }}")]
    Timeout { secs: u64, status: String },
    /// The object vanished while being waited on.
    #[error("the instance disappeared")]
    Disappeared,
    /// The object to change no longer exists.
    #[error("the instance no longer exists")]
    Gone,
    /// The service answered something maform cannot use.
    #[error("{0}")]
    Invalid(String),
    /// A data source's query found nothing it can use (none, or too many).
    #[error("{0}")]
    Query(String),
    /// The create journal could not be written, so the create was not attempted (or its
    /// id not recorded).
    #[error("{0}")]
    Journal(String),
}

impl From<ApiError> for ProviderError {
    fn from(e: ApiError) -> ProviderError {
        ProviderError::Api(Box::new(e))
    }
}

impl ProviderError {
    /// The service's error code, when the service answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Api(e) | ProviderError::ApiContext { source: e, .. } => {
                Some(e.code.as_str()).filter(|c| !c.is_empty())
            }
            _ => None,
        }
    }
    /// The HTTP status, when the service answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ProviderError::Api(e) | ProviderError::ApiContext { source: e, .. } => {
                Some(e.status).filter(|s| *s != 0)
            }
            _ => None,
        }
    }
}

/// A failed operation, with the object's id when one exists (a failed create still
/// leaves an object) and its attributes as last seen.
#[derive(Debug)]
pub struct OpError {
    pub id: Option<String>,
    pub attrs: Option<Value>,
    pub error: ProviderError,
}

impl OpError {
    pub fn new(id: Option<&str>, error: impl Into<ProviderError>) -> OpError {
        OpError {
            id: id.map(str::to_string),
            attrs: None,
            error: error.into(),
        }
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

/// The creation time (ms since the epoch) an object's attributes record, where its kind
/// records one (`created_at`, a number or a numeric string).
pub fn created_at(attrs: &Value) -> Option<i64> {
    match attrs.get("created_at") {
        // Milliseconds since the epoch are exact in an f64.
        Value::Number(t) if t.fract() == 0.0 => Some(*t as i64),
        Value::String(t) => t.parse().ok(),
        _ => None,
    }
}

/// Reports the status seen while waiting.
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// What a create records before and after its call, so that a crash in between loses
/// nothing (see `state::Journal`).
pub trait CreateLog: Send + Sync {
    fn intent<'a>(&'a self, name: &'a str, at: i64) -> LogFuture<'a>;
    fn created<'a>(&'a self, id: &'a str) -> LogFuture<'a>;
}

/// What a `CreateLog` call returns: the record may go to a database.
pub type LogFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// How one operation runs: its deadline, where it reports statuses, and (for creates)
/// where it records its intent.
pub struct OpContext<'a> {
    pub timeout: Duration,
    pub progress: Progress<'a>,
    pub log: &'a dyn CreateLog,
    /// The object as the state knows it (for updates and deletes).
    pub prior: Option<&'a Value>,
}

/// The cloud, as the engine sees it: objects of a kind, by id, as attribute values.
///
/// `reference` arguments are what the state (or the configuration) holds for an object:
/// the values the service never returns (write-only arguments) come from it, and values
/// the service returns in an equivalent form keep its spelling, so that an unchanged
/// configuration never shows a difference.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// Read one object; `None` when it no longer exists.
    async fn read(
        &self,
        kind: &'static dyn ResourceKind,
        id: &str,
        reference: &Value,
    ) -> Result<Option<Value>, ProviderError>;

    /// Read many objects of one kind (a refresh), sharing calls where the API allows: for
    /// each `(id, reference)`, in order, its attributes, or `None` if it no longer exists.
    async fn read_many(
        &self,
        kind: &'static dyn ResourceKind,
        items: &[(&str, &Value)],
    ) -> Result<Vec<Option<Value>>, ProviderError>;

    /// Create an object and wait until it is running (then stop it if `desired` says
    /// `desired_state = "STOPPED"`). A create whose answer is lost is never repeated
    /// blindly.
    async fn create(
        &self,
        kind: &'static dyn ResourceKind,
        desired: &Value,
        op: &OpContext<'_>,
    ) -> Result<Value, OpError>;

    /// Change an object in place with the call sequence its kind needs, then return it
    /// to its declared (or previous) power state.
    async fn update(
        &self,
        kind: &'static dyn ResourceKind,
        id: &str,
        prior: &Value,
        desired: &Value,
        op: &OpContext<'_>,
    ) -> Result<Value, OpError>;

    /// Delete an object and wait until it is gone.
    async fn delete(
        &self,
        kind: &'static dyn ResourceKind,
        id: &str,
        op: &OpContext<'_>,
    ) -> Result<(), OpError>;

    /// Ids of the objects named `name` created at or after `at` (ms since the epoch, less
    /// a margin for clock skew): what an interrupted create may have made.
    async fn find_created(
        &self,
        kind: &'static dyn ResourceKind,
        name: &str,
        at: i64,
    ) -> Result<Vec<String>, ProviderError>;

    /// Read one object as configuration for `import --generate-config`; `None` when it
    /// does not exist.
    async fn generate_config(
        &self,
        kind: &'static dyn ResourceKind,
        id: &str,
    ) -> Result<Option<kind::GeneratedConfig>, ProviderError>;

    /// Read a data source.
    async fn read_data(
        &self,
        source: &'static dyn DataSource,
        args: &Value,
    ) -> Result<Value, ProviderError>;

    /// API calls made so far (retries included), for timings and tests.
    fn calls(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: "The flavor x is not supported.".into(),
            request_id: Some("r1".into()),
            method: "POST".into(),
            path: "/v1/p/notebooks".into(),
        }
    }

    #[test]
    fn errors_keep_the_services_status_code_and_message() {
        let e = ProviderError::from(api(400, "ModelArts.6323"));
        assert_eq!(e.code(), Some("ModelArts.6323"));
        assert_eq!(e.http_status(), Some(400));
        assert_eq!(
            e.to_string(),
            "POST /v1/p/notebooks: HTTP 400 ModelArts.6323: The flavor x is not supported. (request id r1)"
        );
        let ctx = ProviderError::ApiContext {
            source: Box::new(api(503, "ModelArts.6101")),
            detail: "and the list failed too".into(),
        };
        assert_eq!(ctx.code(), Some("ModelArts.6101"));
        assert!(ctx.to_string().ends_with("; and the list failed too"));
        let t = ProviderError::from(ApiError::transport("GET", "/x", "reset".into()));
        assert_eq!((t.code(), t.http_status()), (Some("TRANSPORT"), None));
        assert!(api(0, "").outcome_unknown() && api(502, "").outcome_unknown());
        assert!(!api(400, "").outcome_unknown());
        let f = ProviderError::Failed {
            status: "CREATE_FAILED".into(),
            reason: String::new(),
        };
        assert_eq!(f.to_string(), "the instance is CREATE_FAILED");
        assert_eq!(f.code(), None);
    }
}

/// A run's provider configurations: the default one, the aliased ones (other projects or
/// regions), and which one each resource uses.
#[derive(Clone)]
pub struct Providers {
    pub default: std::sync::Arc<dyn Provider>,
    pub aliases: std::collections::BTreeMap<String, std::sync::Arc<dyn Provider>>,
    /// The configuration each resource uses, where it is not its module's: an alias, or
    /// `None` for the default one (absent: as its module says).
    pub owners: std::collections::BTreeMap<crate::addr::ResourceAddr, Option<String>>,
    /// The alias the resources of a module use (by the names of its module path, keys
    /// aside), when its calls pass one with `providers`.
    pub modules: std::collections::BTreeMap<Vec<String>, String>,
}

impl Providers {
    /// One configuration for everything.
    pub fn single(p: std::sync::Arc<dyn Provider>) -> Providers {
        Providers {
            default: p,
            aliases: Default::default(),
            owners: Default::default(),
            modules: Default::default(),
        }
    }

    /// The alias of the configuration `resource` uses (`None`: the default one).
    pub fn alias_of(&self, resource: &crate::addr::ResourceAddr) -> Option<&str> {
        if let Some(a) = self.owners.get(resource) {
            return a.as_deref();
        }
        if resource.module.is_root() {
            return None;
        }
        let names: Vec<String> = resource.module.0.iter().map(|(n, _)| n.clone()).collect();
        self.modules.get(&names).map(String::as_str)
    }

    /// The configuration `resource` uses. (Every alias an owner names is one of the run's:
    /// the run refuses to start otherwise.)
    pub fn of(&self, resource: &crate::addr::ResourceAddr) -> &std::sync::Arc<dyn Provider> {
        self.alias_of(resource)
            .and_then(|a| self.aliases.get(a))
            .unwrap_or(&self.default)
    }
}
