//! Configuration: every `*.tf` and `*.hcl` file of a directory, decoded into typed blocks that keep
//! their source positions, so that every error can say `file:line:col`.
//!
//! Owns the configuration model and its diagnostics ([`load`] decodes files into it,
//! [`eval`] gives expressions their meaning, [`funcs`] the built-in functions, [`vars`]
//! the input variables). Must not touch the network or the state.

pub mod eval;
pub mod funcs;
pub mod generate;
pub mod load;
mod resource;
pub mod vars;

use crate::addr::{Mode, ResourceAddr};
use crate::provider::Registry;
use hcl::Expression;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use load::parse_text;

/// A position in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub file: Arc<str>,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// An error in the configuration or its inputs, with where and what to do.
#[derive(Debug, Clone)]
pub struct Diag {
    pub summary: String,
    pub detail: String,
    pub span: Option<Span>,
}

impl Diag {
    pub fn new(span: Option<&Span>, summary: impl Into<String>, detail: impl Into<String>) -> Diag {
        Diag {
            summary: summary.into(),
            detail: detail.into(),
            span: span.cloned(),
        }
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            Some(s) => write!(f, "{s}: {}", self.summary)?,
            None => write!(f, "{}", self.summary)?,
        }
        if !self.detail.is_empty() {
            write!(f, "\n  {}", self.detail.replace('\n', "\n  "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diag {}

/// Several configuration errors, reported together.
#[derive(Debug)]
pub struct Diags(pub Vec<Diag>);

impl fmt::Display for Diags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "Error: {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diags {}

/// An expression with the position it came from.
#[derive(Clone, Debug)]
pub struct Attr {
    pub expr: Expression,
    pub span: Span,
}

/// A block body: attributes and nested blocks, in source order.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub attrs: BTreeMap<String, Attr>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    /// A replacement creates the new object before destroying the old one (and so do
    /// the replacements of everything this resource depends on).
    pub create_before_destroy: bool,
    pub ignore_changes: Vec<String>,
    pub ignore_all: bool,
    /// Checked before the object is planned and again before apply changes it.
    pub preconditions: Vec<Condition>,
    /// Checked on the planned object (`self`) and again on the applied one.
    pub postconditions: Vec<Condition>,
    /// References whose change replaces this resource: `TYPE.NAME` (an update or
    /// replacement of that object) or `TYPE.NAME.attr` (a change of that value).
    pub replace_triggered_by: Vec<Attr>,
}

/// A `precondition`, `postcondition` or `assert` block: a condition and the message shown
/// when it is false.
#[derive(Clone, Debug)]
pub struct Condition {
    pub condition: Attr,
    pub error_message: Attr,
    /// The block's position.
    pub span: Span,
}

/// A `check` block: assertions whose failures are warnings, never errors.
#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    /// Its scoped data source: read after the resources (and again after apply), only its
    /// asserts can refer to it, and a failed read is a warning.
    pub data: Option<Resource>,
    pub asserts: Vec<Condition>,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Timeouts {
    pub create: Option<std::time::Duration>,
    pub update: Option<std::time::Duration>,
    pub delete: Option<std::time::Duration>,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
    /// The arguments, without meta-arguments.
    pub body: Body,
    pub count: Option<Attr>,
    pub for_each: Option<Attr>,
    pub depends_on: Vec<(String, Span)>,
    pub lifecycle: Lifecycle,
    pub timeouts: Timeouts,
    /// `provider = modelarts.ALIAS`: the provider configuration it uses (`None`: the
    /// default one), with where it is written.
    pub provider: Option<(String, Span)>,
    pub span: Span,
}

impl Resource {
    /// The alias of the provider configuration it uses.
    pub fn provider_alias(&self) -> Option<&str> {
        self.provider.as_ref().map(|(a, _)| a.as_str())
    }
    /// `type.name`, or `data.type.name`.
    pub fn addr(&self) -> ResourceAddr {
        ResourceAddr::new(self.mode, &self.rtype, &self.name)
    }
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub default: Option<Attr>,
    /// The type constraint and where it is written.
    pub ty: Option<Attr>,
    pub description: String,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<(Attr, Attr)>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub value: Attr,
    pub sensitive: bool,
    pub description: String,
    pub preconditions: Vec<Condition>,
    /// Checked to name declared resources and modules (an output is evaluated after
    /// everything else, so the order holds).
    pub depends_on: Vec<(String, Span)>,
    pub span: Span,
}

/// A `module` block: the configuration of a local directory, called with input
/// variables, once or per `count`/`for_each` key.
#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    /// The directory as written (`./modules/team`).
    pub source: String,
    /// The input variables' expressions.
    pub inputs: BTreeMap<String, Attr>,
    pub count: Option<Attr>,
    pub for_each: Option<Attr>,
    pub depends_on: Vec<(String, Span)>,
    /// `providers = { modelarts = modelarts.ALIAS }`: the calling module's configuration
    /// the module's resources use (`None`: the caller's default), with where it is written.
    pub provider: Option<(String, Span)>,
    /// The module's configuration (loaded with the root one).
    pub config: Box<Config>,
    pub span: Span,
}

impl ModuleCall {
    /// The call as a resource-like thing for `count`/`for_each` expansion.
    pub fn as_repeated(&self) -> Resource {
        Resource {
            mode: Mode::Managed,
            rtype: "module".into(),
            name: self.name.clone(),
            body: Body::default(),
            count: self.count.clone(),
            for_each: self.for_each.clone(),
            depends_on: vec![],
            lifecycle: Lifecycle::default(),
            timeouts: Timeouts::default(),
            provider: None,
            span: self.span.clone(),
        }
    }
}

/// A `removed` block: the resource is gone from the configuration; with `destroy =
/// false` its objects leave the state and stay in the cloud.
#[derive(Clone, Debug)]
pub struct Removed {
    /// A resource (all its instances) or a whole module, from the root (a module's own
    /// blocks are lifted there with the module's call names in front: every instance).
    pub from: crate::addr::InstanceAddr,
    pub destroy: bool,
    pub span: Span,
}

/// A `moved` block: objects at `from` in the state now belong to `to`.
#[derive(Clone, Debug)]
pub struct Moved {
    /// Relative to `scope`.
    pub from: crate::addr::InstanceAddr,
    pub to: crate::addr::InstanceAddr,
    /// The module that declares the block (its call names, no keys; empty for the root):
    /// a module's moved blocks move objects in each of its instances, as in Terraform.
    pub scope: crate::addr::ModulePath,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Import {
    /// The address, as written (`TYPE.NAME`, `TYPE.NAME["k"]`, `TYPE.NAME[each.key]`).
    pub to: Attr,
    pub id: Attr,
    /// One import per element (Terraform 1.7), with `each.key` and `each.value`.
    pub for_each: Option<Attr>,
    pub span: Span,
}

/// A whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The resource kinds and data sources it may use.
    pub registry: &'static Registry,
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// The default `provider "modelarts"` block.
    pub provider: Option<Block>,
    /// The other provider configurations, by `alias` (another project or region).
    pub provider_aliases: BTreeMap<String, Block>,
    pub resources: Vec<Resource>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Attr>,
    pub outputs: BTreeMap<String, Output>,
    pub imports: Vec<Import>,
    pub checks: Vec<Check>,
    pub moved: Vec<Moved>,
    pub removed: Vec<Removed>,
    /// Local modules it calls, by name.
    pub modules: BTreeMap<String, ModuleCall>,
    /// Where the state lives (`backend "pg" { ... }`); the local files when absent.
    pub backend: BackendConfig,
    pub backend_span: Option<Span>,
    /// How far a plan may grow.
    pub limits: Limits,
    /// The workspace the run works in (`terraform.workspace`).
    pub workspace: String,
    /// This configuration's directory relative to the root module's (`path.module`):
    /// `.` for the root.
    pub module_dir: String,
}

/// Bounds that keep a mistaken configuration (`count = 1e9`) from exhausting the machine:
/// each is an error that names the resource, never a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Instances in one plan (`MAFORM_MAX_INSTANCES`, default 100,000).
    pub max_instances: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_instances: 100_000,
        }
    }
}

impl Limits {
    /// The defaults, with `MAFORM_MAX_INSTANCES` if set.
    pub fn from_env() -> Result<Limits, Diag> {
        let mut l = Limits::default();
        if let Ok(v) = std::env::var("MAFORM_MAX_INSTANCES") {
            l.max_instances = v.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                Diag::new(
                    None,
                    format!("invalid MAFORM_MAX_INSTANCES {v:?}"),
                    "Give a positive whole number: how many instances one plan may have.",
                )
            })?;
        }
        Ok(l)
    }
}

/// The state backend a configuration asks for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum BackendConfig {
    /// `state/<workspace>.json` next to the configuration.
    #[default]
    Local,
    /// A PostgreSQL database. `conn_str` may instead come from `PG_CONN_STR`.
    Pg {
        conn_str: Option<String>,
        schema_name: String,
        keep_versions: u32,
    },
}

pub const DEFAULT_PG_SCHEMA: &str = "maform_remote_state";

impl Default for Config {
    fn default() -> Config {
        Config {
            registry: Registry::modelarts(),
            dir: PathBuf::new(),
            files: Vec::new(),
            provider: None,
            provider_aliases: BTreeMap::new(),
            modules: BTreeMap::new(),
            resources: Vec::new(),
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            outputs: BTreeMap::new(),
            imports: Vec::new(),
            checks: Vec::new(),
            moved: Vec::new(),
            removed: Vec::new(),
            backend: BackendConfig::default(),
            backend_span: None,
            limits: Limits::default(),
            workspace: String::new(),
            module_dir: ".".into(),
        }
    }
}

impl Config {
    /// Whether a check block of this module or of a module it calls has a data source.
    pub fn has_check_data(&self) -> bool {
        self.checks.iter().any(|c| c.data.is_some())
            || self.modules.values().any(|m| m.config.has_check_data())
    }
    pub fn resource(&self, addr: &ResourceAddr) -> Option<&Resource> {
        self.module(&addr.module)?
            .resources
            .iter()
            .find(|r| r.mode == addr.mode && r.rtype == addr.rtype && r.name == addr.name)
    }

    /// The configuration of the module at `path` (keys ignored): this one for the root.
    pub fn module(&self, path: &crate::addr::ModulePath) -> Option<&Config> {
        let mut c = self;
        for (name, _) in &path.0 {
            c = &c.modules.get(name)?.config;
        }
        Some(c)
    }

    /// The workspace the run works in, for its modules too (`terraform.workspace`).
    pub fn set_workspace(&mut self, w: &str) {
        self.workspace = w.to_string();
        for m in self.modules.values_mut() {
            m.config.set_workspace(w);
        }
    }

    /// Every file of the configuration, its modules' too.
    pub fn all_files(&self) -> Vec<PathBuf> {
        let mut out = self.files.clone();
        for m in self.modules.values() {
            out.extend(m.config.all_files());
        }
        out
    }
}

/// The nearest of `candidates` to `word`, when near enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    // A transposition counts as one edit; short words allow fewer edits, so that "x" is
    // not taken for "abs".
    let most = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Parse a duration as Terraform writes them ("30s", "20m", "1h30m"): Go's syntax (see
/// [`go_duration`]); a bare number has no unit and is refused, saying so.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    go_duration(s.trim()).ok_or_else(|| {
        if !s.trim().is_empty() && s.trim().chars().all(|c| c.is_ascii_digit() || c == '.') && s.trim() != "0" {
            format!("invalid duration {s:?}: the number needs a unit (ns, us, ms, s, m, h), as in \"{}s\"", s.trim())
        } else {
            format!("invalid duration {s:?}: write one like \"30s\", \"5m\" or \"1h30m\"")
        }
    })
}

/// A duration as Go's `time.ParseDuration` reads it (what Terraform reads `-lock-timeout`
/// and `timeouts` with): numbers with an optional fraction, each with its unit (`ns`,
/// `us`/`µs`, `ms`, `s`, `m`, `h`), run together (`1h30m`, `1.5s`); `0` alone needs none.
/// A negative one is refused (Go accepts it; a negative wait means nothing here).
fn go_duration(t: &str) -> Option<std::time::Duration> {
    if t == "0" {
        return Some(std::time::Duration::ZERO);
    }
    let mut rest = t.strip_prefix('+').unwrap_or(t);
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(n);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = num.parse().ok()?;
        let u = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(u);
        let secs = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * secs;
        rest = next;
    }
    std::time::Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_near_names_only() {
        assert_eq!(did_you_mean("flavour", ["flavor", "name"]), Some("flavor"));
        assert_eq!(did_you_mean("zzzzzzzz", ["flavor", "name"]), None);
    }

    #[test]
    fn durations_read_as_terraform_writes_them() {
        use std::time::Duration;
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        // As Go's time.ParseDuration: a number needs its unit, and no other units.
        let e = parse_duration("45").unwrap_err();
        assert!(e.contains("needs a unit") && e.contains("\"45s\""), "{e}");
        for bad in [
            "soon", "", "5 m", "1day", "2d", "-5s", "s", ".s", "1..2s", "1h30",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
