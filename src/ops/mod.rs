//! The workflows every command is made of: load a configuration, choose the cloud, lock
//! and read the state, recover an interrupted run, refresh, plan, apply with the policy
//! for failed state writes, import, migrate, edit the state, manage workspaces.
//!
//! Owns decisions; returns values and reports through [`crate::Notify`] and apply
//! [`crate::apply::Event`]s. Must not print, parse arguments or choose output formats:
//! that is `cli`'s job.

pub mod apply;
pub mod console;
pub mod import;
pub mod init;
pub mod plan;
pub mod provider;
pub mod recover;
pub mod refresh;
pub mod state;
#[cfg(test)]
mod tests;
pub mod workspace;

use crate::config::vars::{self, Inputs, Resolved};
use crate::config::Config;
use crate::graph::{self, ResourceGraph};
use crate::state::backend::{self, Backend};
use std::path::{Path, PathBuf};

/// A configuration directory and the workspace selected in it. Every file maform keeps
/// (`state/`, `.maform/`, errored states) is relative to it, never to the process's
/// working directory.
#[derive(Clone, Debug)]
pub struct Workdir {
    pub dir: PathBuf,
    pub workspace: String,
}

impl Workdir {
    /// The directory, with the workspace selected by `MAFORM_WORKSPACE` (or Terraform's
    /// `TF_WORKSPACE`; both set, they must agree), else by
    /// `.maform/environment`, else "default". A name that `workspace new` would refuse is
    /// refused wherever it comes from: it becomes a file name.
    pub fn new(dir: &Path) -> anyhow::Result<Workdir> {
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|w| !w.is_empty())
                .map(|w| (w, name.to_string()))
        };
        // Terraform's TF_WORKSPACE selects too; when both are set they must agree (a
        // pipeline that sets one for Terraform and one for maform must not act on
        // another workspace's state).
        let from_env = match (env("MAFORM_WORKSPACE"), env("TF_WORKSPACE")) {
            (Some((m, _)), Some((t, _))) if m != t => anyhow::bail!(
                "MAFORM_WORKSPACE selects workspace {m:?} but TF_WORKSPACE selects {t:?}; nothing was done.\nSet one of them, or both to the same workspace."
            ),
            (m, t) => m.or(t),
        };
        let from_file = || {
            let f = dir.join(".maform/environment");
            std::fs::read_to_string(&f)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .map(|w| (w, f.display().to_string()))
        };
        let workspace = match from_env.or_else(from_file) {
            Some((w, _)) if workspace::valid_name(&w) => w,
            Some((w, origin)) => anyhow::bail!(
                "invalid workspace name {w:?} in {origin}: use up to 90 letters, digits, - and _"
            ),
            None => "default".to_string(),
        };
        Ok(Workdir {
            dir: dir.to_path_buf(),
            workspace,
        })
    }

    /// Where maform keeps its own files for this directory.
    pub fn maform_dir(&self) -> PathBuf {
        self.dir.join(".maform")
    }

    /// `name` in the directory (as given: relative to `.` when that is the directory, as
    /// messages show it).
    pub fn file(&self, name: &str) -> PathBuf {
        if self.dir == Path::new(".") {
            PathBuf::from(name)
        } else {
            self.dir.join(name)
        }
    }

    /// Where the state goes when the backend cannot take it.
    pub fn errored_path(&self) -> PathBuf {
        self.file(&format!("errored-{}.maform.json", self.workspace))
    }

    /// The backend for commands that do not evaluate the configuration: what
    /// `maform init` recorded, else the configuration's backend block (which must then be
    /// the local one).
    pub fn recorded_backend(&self) -> anyhow::Result<crate::config::BackendConfig> {
        if let Some(r) = backend::Recorded::load(&self.dir)? {
            return Ok(r.config());
        }
        match Config::load_dir(&self.dir) {
            Ok(cfg) => Ok(backend::configured(&self.dir, &cfg.backend)?),
            Err(_) => Ok(crate::config::BackendConfig::Local),
        }
    }

    /// The current workspace's backend, for commands that do not evaluate the
    /// configuration.
    pub async fn state_backend(&self) -> anyhow::Result<Backend> {
        Ok(Backend::open(&self.dir, &self.recorded_backend()?, &self.workspace).await?)
    }

    /// The current workspace's backend for a loaded configuration.
    pub async fn config_backend(&self, cfg: &Config) -> anyhow::Result<Backend> {
        let b = backend::configured(&self.dir, &cfg.backend)?;
        Ok(Backend::open(&self.dir, &b, &self.workspace).await?)
    }
}

/// A configuration with its variables resolved and its graph built.
pub struct Loaded {
    pub cfg: Config,
    pub vars: Resolved,
    pub graph: ResourceGraph,
}

/// Load the configuration of the working directory, resolve its variables (from the environment too) and
/// build its graph.
pub fn load(wd: &Workdir, inputs: &Inputs) -> anyhow::Result<Loaded> {
    let mut cfg = Config::load_dir(&wd.dir)?;
    cfg.set_workspace(&wd.workspace);
    let env: Vec<(String, String)> = std::env::vars().collect();
    let vars = vars::resolve(&cfg, inputs, &env)?;
    // Secrets are never shown in a message, whatever the service echoes back: sensitive
    // variables, and sensitive arguments written as literals (a password in the file).
    for name in &vars.sensitive {
        if let Some(v) = vars.values.get(name) {
            crate::redact::register_value(v);
        }
    }
    // (In modules too: literal secrets, and the defaults of sensitive variables.)
    let mut configs = vec![&cfg];
    while let Some(c) = configs.pop() {
        for r in &c.resources {
            if let Some(s) = c.registry.schema(r.mode, &r.rtype) {
                register_literal_secrets(s, &r.body);
            }
        }
        if !std::ptr::eq(c, &cfg) {
            for v in c.variables.values().filter(|v| v.sensitive) {
                if let Some(d) = &v.default {
                    if let Ok(x) = crate::config::eval::eval_const(&d.expr, &d.span) {
                        crate::redact::register_value(&x);
                    }
                }
            }
        }
        // A literal given to a module's sensitive variable.
        for m in c.modules.values() {
            for (k, a) in &m.inputs {
                if m.config.variables.get(k).is_some_and(|v| v.sensitive) {
                    if let Ok(x) = crate::config::eval::eval_const(&a.expr, &a.span) {
                        crate::redact::register_value(&x);
                    }
                }
            }
        }
        configs.extend(c.modules.values().map(|m| &*m.config));
    }
    let graph = graph::build(&cfg)?;
    Ok(Loaded { cfg, vars, graph })
}

fn register_literal_secrets(s: &crate::schema::Schema, body: &crate::config::Body) {
    for a in &s.attrs {
        match &a.ty {
            crate::schema::Ty::Block(inner, _) => body
                .blocks
                .iter()
                .filter(|b| b.ident == a.name)
                .for_each(|b| register_literal_secrets(inner, &b.body)),
            _ if a.sensitive => {
                if let Some(x) = body.attrs.get(a.name) {
                    if let Ok(v) = crate::config::eval::eval_const(&x.expr, &x.span) {
                        crate::redact::register_value(&v);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A state this configuration's kinds can work with: every entry of a type maform manages.
/// Checked before the first API call, so that nothing is changed for a state that would
/// stop half way.
pub fn check_state(l: &Loaded, st: &crate::state::State) -> anyhow::Result<()> {
    for a in st.instances.keys() {
        if l.cfg.registry.schema(a.mode(), a.rtype()).is_none() {
            anyhow::bail!(
                "the state lists {a}, of a type maform does not manage ({}); nothing was done. Remove the entry with: maform state rm {a} (the object itself is not touched)",
                a.rtype()
            );
        }
    }
    Ok(())
}

/// With MAFORM_TIMINGS set, how long each phase took.
pub struct Timings {
    on: bool,
    since: std::time::Instant,
}

impl Timings {
    pub fn new() -> Timings {
        Timings {
            on: std::env::var_os("MAFORM_TIMINGS").is_some(),
            since: std::time::Instant::now(),
        }
    }
    pub fn phase(&mut self, name: &str, notify: crate::Notify<'_>) {
        if self.on {
            notify(&format!(
                "timing: {name}: {:.3}s{}",
                self.since.elapsed().as_secs_f64(),
                memory()
            ));
        }
        self.since = std::time::Instant::now();
    }
}

/// The process's resident and peak memory where the system says (Linux), for timings.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kb = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    match (kb("VmRSS:"), kb("VmHWM:")) {
        (Some(now), Some(peak)) => format!(" (memory {} MB, peak {} MB)", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

impl Default for Timings {
    fn default() -> Self {
        Timings::new()
    }
}
