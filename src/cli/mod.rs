//! The command line: one thin file per command (parse, call `ops`, render) and the views
//! (the plan and drift renderings live in `plan`, apply progress in [`progress`]).
//!
//! Owns arguments, output formats, exit codes and the terminal. Must not decide
//! workflow: what happens in which order, and what a failure means, is `ops`'s.

// The one place that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod apply;
mod drift;
mod fmt;
mod graph;
mod import;
mod init;
mod output;
mod plan;
mod progress;
mod providers;
mod repl;
mod show;
mod signals;
mod sim;
mod state;
mod style;
mod workspace;

use crate::ops::plan::Request;
use crate::ops::Workdir;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "maform",
    version,
    about = "Manage Huawei Cloud ModelArts notebooks, DevServers and DevEnviron instances as code"
)]
pub struct Cli {
    /// Run as if started in DIR (where the *.tf and *.hcl files and state/ are).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    chdir: PathBuf,
    /// Do not use colors (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    no_color: bool,
    #[command(subcommand)]
    cmd: Cmd,
}
/// A command-line value with its place among the others of its kind: clap parses the
/// arguments in order, so the count taken when each is parsed is its position.
#[derive(Clone, Debug)]
pub(crate) struct InOrder<T>(pub(crate) usize, pub(crate) T);

static ARG_ORDER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn in_order(s: &str) -> Result<InOrder<String>, String> {
    let n = ARG_ORDER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(InOrder(n, s.to_string()))
}

/// A file name in order, as the OS gives it (not necessarily UTF-8).
#[derive(Clone)]
struct InOrderPath;

impl clap::builder::TypedValueParser for InOrderPath {
    type Value = InOrder<PathBuf>;
    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        if value.is_empty() {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                "--var-file needs a file name\n",
            ));
        }
        let n = ARG_ORDER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(InOrder(n, PathBuf::from(value)))
    }
}

#[derive(Args, Clone, Default)]
pub(crate) struct VarArgs {
    /// Set a variable: --var name=value (repeatable; a later --var or --var-file wins).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = in_order)]
    pub(crate) vars: Vec<InOrder<String>>,
    /// Read variables from a file (repeatable; a later --var or --var-file wins).
    #[arg(long = "var-file", value_name = "FILE", value_parser = InOrderPath)]
    pub(crate) var_files: Vec<InOrder<PathBuf>>,
    /// Ask for required variables without a value, at a terminal (default true;
    /// `--input=false` or TF_INPUT=0 makes a missing one an error there too).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(crate) input: bool,
}

/// How a command takes the state's lock.
#[derive(Args, Clone)]
pub(crate) struct LockArgs {
    /// Hold the state's lock while running (default true; `-lock=false` runs without it,
    /// as Terraform allows: nothing then stops another run on the same state).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(crate) lock: bool,
    /// How long to wait for the state lock (a Go duration: 30s, 5m, 1h30m).
    #[arg(long, default_value = "0s", value_parser = crate::config::parse_duration)]
    pub(crate) lock_timeout: Duration,
}

impl Default for LockArgs {
    fn default() -> LockArgs {
        LockArgs {
            lock: true,
            lock_timeout: Duration::ZERO,
        }
    }
}

impl LockArgs {
    pub(crate) fn locking(&self) -> crate::state::backend::Locking {
        if self.lock {
            crate::state::backend::Locking::Wait(self.lock_timeout)
        } else {
            crate::state::backend::Locking::Off
        }
    }
}

#[derive(Args, Clone)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub(crate) vars: VarArgs,
    #[command(flatten)]
    pub(crate) lock: LockArgs,
    /// Plan to destroy everything.
    #[arg(long)]
    pub(crate) destroy: bool,
    /// Only record changes made outside maform; change nothing.
    #[arg(long)]
    pub(crate) refresh_only: bool,
    /// Replace this object even if it could be updated in place (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub(crate) replace: Vec<String>,
    /// Limit the plan to this object and what it depends on (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub(crate) target: Vec<String>,
    /// Read objects back from the API first (default true).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(crate) refresh: bool,
    /// Show warnings (when there is no error) as their summaries in one block.
    #[arg(long)]
    pub(crate) compact_warnings: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Subcommand)]
pub(crate) enum Cmd {
    /// Show what apply would do.
    Plan {
        #[command(flatten)]
        p: PlanArgs,
        /// Exit 0 without changes, 2 with changes, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Save the plan for `maform apply FILE`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print the plan as JSON (Terraform's plan shape); same as --format json.
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Make the cloud match the configuration, or apply a saved plan.
    Apply {
        /// A plan saved with `plan --out`: applied exactly, without a prompt.
        plan_file: Option<PathBuf>,
        #[command(flatten)]
        p: PlanArgs,
        /// Apply without asking.
        #[arg(long)]
        auto_approve: bool,
        /// How many operations run at once.
        #[arg(long, default_value_t = 10, value_parser = at_least_one)]
        parallelism: usize,
        /// Stream machine-readable events, one JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Destroy everything this configuration manages.
    Destroy {
        #[command(flatten)]
        p: PlanArgs,
        #[arg(long)]
        auto_approve: bool,
        #[arg(long, default_value_t = 10, value_parser = at_least_one)]
        parallelism: usize,
        #[arg(long)]
        json: bool,
    },
    /// Report what changed outside maform; exit 0 (none), 2 (drift) or 1 (error).
    Drift {
        #[command(flatten)]
        vars: VarArgs,
        #[command(flatten)]
        lock: LockArgs,
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Check the configuration without contacting the API.
    Validate {
        #[command(flatten)]
        vars: VarArgs,
        /// Print the result as JSON (Terraform's validate shape: valid, counts, and each
        /// diagnostic with its range).
        #[arg(long)]
        json: bool,
    },
    /// Print maform's version.
    Version {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite *.tf, *.hcl and *.tfvars files in the canonical style.
    Fmt {
        /// Only check; exit 3 if a file would change.
        #[arg(long)]
        check: bool,
        /// Also the files of subdirectories (modules), as Terraform's -recursive.
        #[arg(long)]
        recursive: bool,
        /// Print each change as a unified diff.
        #[arg(long)]
        diff: bool,
        files: Vec<PathBuf>,
    },
    /// Show the state, or a saved plan.
    Show {
        /// A saved plan to show instead of the state.
        file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print outputs.
    Output {
        name: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        raw: bool,
    },
    /// Evaluate expressions against the configuration and the state (typed at a
    /// terminal, or piped in: then only the last result is printed, and an error exits 1).
    Console {
        #[command(flatten)]
        vars: VarArgs,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// The providers the configuration and the state require (maform's one, built in).
    Providers {
        /// Terraform's subcommands (lock, mirror, schema) are refused with the reason.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        sub: Vec<String>,
    },
    /// Print the resource graph in DOT, for Graphviz.
    Graph {
        /// Label nodes with their planned action (contacts the API).
        #[arg(long)]
        plan: bool,
        /// DOT (Graphviz) or a Mermaid flowchart.
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Bring an existing object under management.
    Import {
        /// The address in this configuration: TYPE.NAME, TYPE.NAME[0] or TYPE.NAME["key"].
        addr: String,
        /// The object's id in ModelArts.
        id: String,
        /// Write HCL for the object from its live attributes to this file.
        #[arg(long, value_name = "FILE")]
        generate_config: Option<PathBuf>,
        #[command(flatten)]
        vars: VarArgs,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Inspect and edit the state.
    State {
        #[command(subcommand)]
        cmd: StateCmd,
    },
    /// Remove a stale lock left by a run that died; takes the lock ID from the error.
    ForceUnlock {
        id: String,
        /// Unlock without asking, even if the holder still runs on this machine.
        #[arg(long)]
        force: bool,
    },
    /// Independent states of one configuration (one file each under state/).
    Workspace {
        #[command(subcommand)]
        cmd: WorkspaceCmd,
    },
    /// Set up the backend: create the PostgreSQL schema and tables if missing; with
    /// --migrate-state, move every workspace's state from the previous backend.
    Init {
        /// Copy each workspace's state from the backend used before (the local files, or
        /// the one recorded by the last init) to the configured one.
        #[arg(long, conflicts_with = "reconfigure")]
        migrate_state: bool,
        /// Use the configured backend as it is, without moving any state.
        #[arg(long)]
        reconfigure: bool,
        /// Accepted as Terraform's is: init never asks anything (`--input=false` in CI
        /// scripts changes nothing).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
        input: bool,
    },
    /// Run the ModelArts simulator.
    Sim(SimArgs),
}

#[derive(Subcommand)]
pub(crate) enum WorkspaceCmd {
    /// List workspaces; the current one is marked with *.
    List,
    /// The current workspace.
    Show,
    /// Create a workspace and select it.
    New { name: String },
    /// Select a workspace (`--or-create`: create it first if it does not exist).
    Select {
        name: String,
        #[arg(long)]
        or_create: bool,
    },
    /// Delete a workspace (it must be empty unless --force; never the current one).
    Delete {
        name: String,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum StateCmd {
    /// List managed objects: all, or those the addresses name (a resource, an
    /// instance, a module), as Terraform's `state list ADDR`; `--id` keeps those with
    /// that ID.
    List {
        addrs: Vec<String>,
        #[arg(long)]
        id: Option<String>,
    },
    /// Show one object.
    Show { addr: String },
    /// Forget objects (they keep existing in the cloud).
    Rm {
        addrs: Vec<String>,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Rename an object in the state.
    Mv {
        from: String,
        to: String,
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Print the state; --serial N prints an older kept version.
    Pull {
        #[arg(long)]
        serial: Option<u64>,
    },
    /// Forget which cloud the state's objects live in, after moving them deliberately;
    /// the next apply records where it runs.
    Rebind {
        #[command(flatten)]
        lock: LockArgs,
    },
    /// Replace the state with FILE (same lineage and a newer serial, unless --force).
    Push {
        file: PathBuf,
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
}

#[derive(Args)]
pub(crate) struct SimArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    #[arg(long, default_value = crate::sim::DEFAULT_PROJECT_ID)]
    pub(crate) project_id: String,
    /// The access key signed requests must use.
    #[arg(long, env = "MAFORM_SIM_ACCESS_KEY", value_parser = clap::builder::NonEmptyStringValueParser::new(), requires = "secret_key")]
    pub(crate) access_key: Option<String>,
    /// Its secret key (better from the environment: a flag is visible in `ps`).
    #[arg(
        long,
        env = "MAFORM_SIM_SECRET_KEY", value_parser = clap::builder::NonEmptyStringValueParser::new(),
        hide_env_values = true,
        requires = "access_key"
    )]
    pub(crate) secret_key: Option<String>,
    /// A token accepted in X-Auth-Token.
    #[arg(long, env = "MAFORM_SIM_AUTH_TOKEN", value_parser = clap::builder::NonEmptyStringValueParser::new(), hide_env_values = true)]
    pub(crate) auth_token: Option<String>,
    /// The IAM user that POST /v3/auth/tokens issues tokens to (with --password).
    #[arg(long, env = "MAFORM_SIM_USER", value_parser = clap::builder::NonEmptyStringValueParser::new(), requires = "password")]
    pub(crate) user: Option<String>,
    #[arg(
        long,
        env = "MAFORM_SIM_PASSWORD", value_parser = clap::builder::NonEmptyStringValueParser::new(),
        hide_env_values = true,
        requires = "user"
    )]
    pub(crate) password: Option<String>,
    /// The admin API's token (X-Sim-Admin-Token); a random one is made and printed if unset.
    #[arg(
        long,
        env = "MAFORM_SIM_ADMIN_TOKEN", value_parser = clap::builder::NonEmptyStringValueParser::new(),
        hide_env_values = true,
        conflicts_with = "open_admin"
    )]
    pub(crate) admin_token: Option<String>,
    /// Leave the admin API (/_sim/...) open to anyone who can connect: for throwaway test runs.
    #[arg(long)]
    pub(crate) open_admin: bool,
    /// Keep the simulated cloud in this JSON file.
    #[arg(long)]
    pub(crate) data: Option<PathBuf>,
    /// Transition times: fast (tens of ms) or realistic (tens of seconds).
    #[arg(long, default_value = "fast")]
    pub(crate) profile: String,
    /// Every transition takes this long (overrides the profile).
    #[arg(long)]
    pub(crate) transition_ms: Option<i64>,
    #[arg(long, default_value_t = 0)]
    pub(crate) latency_ms: u64,
    /// Fraction of API requests answered with a fault: 500 `ModelArts.0010` or 503 `ModelArts.6101` (busy).
    #[arg(long, default_value_t = 0.0)]
    pub(crate) error_rate: f64,
    /// Requests per second above which the API answers 429.
    #[arg(long)]
    pub(crate) throttle_rps: Option<u32>,
    /// Fraction of creates and starts that fail.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) fail_rate: f64,
    /// Make ids and drawn failures repeatable: the same seed gives the same sequence.
    /// Without it each simulator draws its own (two clouds never share ids).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Replace the catalog (flavors, images, profiles) with this JSON file.
    #[arg(long)]
    pub(crate) catalog: Option<PathBuf>,
}

/// An exit status.
pub struct Exit(pub i32);

/// Where library code's lines for the user go: standard error.
pub(crate) fn stderr(line: &str) {
    eprintln!("{}", crate::redact::scrub(line));
}

/// Lines of a command's result: standard output.
pub(crate) fn stdout(line: &str) {
    println!("{line}");
}

impl VarArgs {
    /// The inputs, never asking: for commands that Terraform runs without prompting
    /// (validate, graph, applying a saved plan).
    pub(crate) fn inputs_without_prompt(&self) -> crate::config::vars::Inputs {
        crate::config::vars::Inputs {
            ask: None,
            ..self.inputs()
        }
    }

    pub(crate) fn inputs(&self) -> crate::config::vars::Inputs {
        use std::io::IsTerminal;
        let env_off = std::env::var("TF_INPUT")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "0" | "false"));
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        // --var and --var-file in the order they were given.
        let mut order: Vec<(usize, bool)> = self
            .vars
            .iter()
            .map(|v| (v.0, false))
            .chain(self.var_files.iter().map(|f| (f.0, true)))
            .collect();
        order.sort();
        crate::config::vars::Inputs {
            vars: self.vars.iter().map(|v| v.1.clone()).collect(),
            var_files: self.var_files.iter().map(|f| f.1.clone()).collect(),
            order: order.into_iter().map(|(_, file)| file).collect(),
            ask: (self.input && !env_off && terminal).then_some(ask_variable as _),
            unknown_if_missing: false,
        }
    }
}

impl PlanArgs {
    /// The plan request these arguments make.
    pub(crate) fn request(&self) -> anyhow::Result<Request> {
        Ok(Request {
            inputs: self.vars.inputs(),
            locking: self.lock.locking(),
            destroy: self.destroy,
            refresh_only: self.refresh_only,
            replace: crate::ops::plan::parse_addrs(&self.replace)?,
            targets: crate::ops::plan::parse_targets(&self.target)?,
            refresh: self.refresh,
        })
    }

    /// A refresh-only plan: what drift detection makes.
    pub(crate) fn refresh_only(vars: VarArgs, lock: LockArgs) -> PlanArgs {
        PlanArgs {
            vars,
            lock,
            destroy: false,
            refresh_only: true,
            replace: vec![],
            target: vec![],
            refresh: true,
            compact_warnings: false,
        }
    }
}

/// Terraform's single-dash flags (`-auto-approve`, `-out=FILE`, `-var 'a=b'`,
/// `-chdir=DIR`), which Terraform users type by habit, read as the GNU forms: maform has
/// no short options besides `-h` and `-V`, so a `-word` of two or more letters is the
/// long flag `--word` (and a misspelt one gets the parser's "did you mean"). Nothing
/// after `--` changes.
pub(crate) fn terraform_style(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    // Nothing to rewrite (the usual case): the command tree is not even built.
    let single_dash = |a: &std::ffi::OsString| {
        a.to_str().is_some_and(|t| {
            t.strip_prefix('-')
                .is_some_and(|f| f.len() >= 2 && f.starts_with(|c: char| c.is_ascii_alphabetic()))
        })
    };
    if !args.iter().any(single_dash) {
        return args;
    }
    // The long flags that take a value as the next argument: what follows one of them is
    // a value, never rewritten (`--out -plan` stays as written).
    fn valued(c: &clap::Command, out: &mut std::collections::BTreeSet<String>) {
        for a in c.get_arguments() {
            if let Some(l) = a.get_long() {
                if a.get_action().takes_values() {
                    out.insert(l.to_string());
                }
            }
        }
        for sub in c.get_subcommands() {
            valued(sub, out);
        }
    }
    let mut takes_value = std::collections::BTreeSet::new();
    valued(&Cli::command(), &mut takes_value);
    let mut rest = false;
    let mut value_next = false;
    args.into_iter()
        .map(|a| {
            let Some(t) = a.to_str().filter(|_| !rest) else {
                return a;
            };
            if std::mem::take(&mut value_next) {
                return a;
            }
            if t == "--" {
                rest = true;
                return a;
            }
            let flag = t.strip_prefix("--").or_else(|| t.strip_prefix('-'));
            let name = flag.map(|f| f.split('=').next().unwrap_or(f));
            if let (Some(f), Some(n)) = (flag, name) {
                value_next = !f.contains('=') && takes_value.contains(n);
            }
            let single = t
                .strip_prefix('-')
                .filter(|f| !f.starts_with('-'))
                .map(|f| f.split('=').next().unwrap_or(f));
            match single {
                Some(n) if n.len() >= 2 && n.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                    format!("-{t}").into()
                }
                _ => a,
            }
        })
        .collect()
}

/// Terraform's prompt for a required variable: its name, its description, and the value
/// read from the terminal (not echoed for a sensitive variable).
fn ask_variable(name: &str, description: &str, sensitive: bool) -> Option<String> {
    let term = console::Term::stderr();
    let mut prompt = format!("var.{name}\n");
    if !description.is_empty() {
        prompt.push_str(&format!("  {description}\n"));
    }
    prompt.push_str("\n  Enter a value: ");
    term.write_str(&prompt).ok()?;
    let answer = if sensitive {
        term.read_secure_line()
    } else {
        term.read_line()
    };
    let _ = term.write_line("");
    answer.ok()
}

/// One diagnostic in Terraform's JSON shape (`severity`, `summary`, `detail`, `range`).
fn diagnostic_json(d: &crate::config::Diag) -> serde_json::Value {
    let mut j = serde_json::json!({
        "severity": "error",
        "summary": crate::redact::scrub(&d.summary),
        "detail": crate::redact::scrub(&d.detail),
    });
    if let Some(s) = &d.span {
        j["range"] = diagnostic_range(s, std::fs::read_to_string(&*s.file).ok().as_deref());
    }
    j
}

/// A diagnostic's range in Terraform's shape (`line`, `column` and `byte` of its start and
/// end). Positions mark where a construct starts; the range runs from there to the end of
/// its line (its text trimmed), the construct as editors underline it. Without the file's
/// text the range is empty.
fn diagnostic_range(s: &crate::config::Span, text: Option<&str>) -> serde_json::Value {
    let at = |col: usize, byte: Option<usize>| {
        let mut p = serde_json::json!({"line": s.line, "column": col});
        if let Some(b) = byte {
            p["byte"] = b.into();
        }
        p
    };
    let line_text = text.and_then(|t| {
        let n = s.line.checked_sub(1)?;
        let start: usize = t.split_inclusive('\n').take(n).map(str::len).sum();
        t.split('\n').nth(n).map(|l| (start, l.trim_end()))
    });
    let Some((line_start, line)) = line_text else {
        return serde_json::json!({"filename": &*s.file, "start": at(s.col, None), "end": at(s.col, None)});
    };
    let chars = line.chars().count();
    let byte_of = |col: usize| {
        line_start
            + line
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(line.len(), |(i, _)| i)
    };
    let end = (chars + 1).max(s.col);
    serde_json::json!({
        "filename": &*s.file,
        "start": at(s.col, Some(byte_of(s.col))),
        "end": at(end, Some(byte_of(end))),
    })
}

/// The plan's warnings (failed check block assertions), on stderr; with
/// `-compact-warnings`, their summaries in one block.
pub(crate) fn print_warnings(plan: &crate::plan::Plan, compact: bool) {
    if compact {
        let summaries: Vec<String> = plan.warnings.iter().map(warning_summary).collect();
        eprint!("{}", compact_warnings(&summaries));
        return;
    }
    for w in &plan.warnings {
        eprintln!("{}", crate::redact::scrub(&format!("Warning: {w}")));
    }
}

/// A warning's summary line, with where, as `-compact-warnings` lists it.
pub(crate) fn warning_summary(d: &crate::config::Diag) -> String {
    match &d.span {
        Some(s) => format!("{}\n  on {} line {}", d.summary, s.file, s.line),
        None => d.summary.clone(),
    }
}

/// The summary of a warning rendered as text (`FILE:LINE:COL: SUMMARY` and detail lines),
/// in the form of [`warning_summary`].
pub(crate) fn summary_of(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let mut parts = first.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(file), Some(line), Some(col), Some(rest))
            if !file.is_empty()
                && line.parse::<usize>().is_ok()
                && col.parse::<usize>().is_ok() =>
        {
            format!("{}\n  on {file} line {line}", rest.trim_start())
        }
        _ => first.to_string(),
    }
}

/// Warnings as Terraform's `-compact-warnings` shows them: their summaries in one block
/// (nothing when there are none).
pub(crate) fn compact_warnings(summaries: &[String]) -> String {
    if summaries.is_empty() {
        return String::new();
    }
    let list: String = summaries.iter().map(|s| format!("- {s}\n")).collect();
    crate::redact::scrub(&format!(
        "\nWarnings:\n\n{list}\nTo see the full warning notes, run maform without -compact-warnings.\n"
    ))
    .into_owned()
}

/// In a `--json` run, an error that ends it is also a `diagnostic` event on stdout (as
/// Terraform streams it), so that a pipeline's event log says why the run stopped.
fn json_errors(json: bool, r: anyhow::Result<Exit>) -> anyhow::Result<Exit> {
    if let (true, Err(e)) = (json, &r) {
        let text = format!("{e:#}");
        let (summary, detail) = text.split_once('\n').unwrap_or((&text, ""));
        let summary = summary.strip_prefix("Error: ").unwrap_or(summary);
        progress::emit_json(
            "diagnostic",
            &format!("Error: {summary}"),
            serde_json::json!({"diagnostic": {"severity": "error", "summary": summary, "detail": detail.trim()}}),
        );
    }
    r
}

/// A count of one or more (`--parallelism 0` would never start anything).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Terraform's `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>` (e.g. `TF_CLI_ARGS_plan`,
/// `TF_CLI_ARGS_workspace_delete`): their words, split as a shell splits them, go right
/// after the command's last word, the general ones first; a pipeline that sets them for
/// Terraform gets what it asked for.
pub(crate) fn with_env_args(
    args: Vec<std::ffi::OsString>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<std::ffi::OsString>, String> {
    // The command: the first argument after the program that is not a flag (nor the
    // value of a global `--chdir DIR`).
    let mut at = None;
    let mut skip = false;
    for (i, a) in args.iter().enumerate().skip(1) {
        let t = a.to_string_lossy();
        if std::mem::take(&mut skip) {
            continue;
        }
        if t == "--chdir" || t == "-chdir" {
            skip = true;
            continue;
        }
        if !t.starts_with('-') {
            at = Some(i);
            break;
        }
    }
    let Some(mut at) = at else { return Ok(args) };
    // The whole command path (`state mv`, `workspace delete`), as Terraform names the
    // variable after it (`TF_CLI_ARGS_workspace_delete`) and inserts after its last word.
    use clap::CommandFactory;
    let root = Cli::command();
    let mut path: Vec<String> = Vec::new();
    let mut cmd = &root;
    while let Some(word) = args.get(at).map(|a| a.to_string_lossy().to_string()) {
        match cmd.find_subcommand(&word) {
            Some(sub) => {
                cmd = sub;
                path.push(word);
                at += 1;
            }
            None => break,
        }
    }
    if path.is_empty() {
        return Ok(args);
    }
    at -= 1;
    let command = path.join("_").replace('-', "_");
    let mut extra = Vec::new();
    for name in ["TF_CLI_ARGS".to_string(), format!("TF_CLI_ARGS_{command}")] {
        if let Some(v) = env(&name).filter(|v| !v.trim().is_empty()) {
            extra.extend(split_words(&v).map_err(|e| format!("{name}: {e}"))?);
        }
    }
    if extra.is_empty() {
        return Ok(args);
    }
    let mut out = args;
    let tail = out.split_off(at + 1);
    out.extend(extra.into_iter().map(std::ffi::OsString::from));
    out.extend(tail);
    Ok(out)
}

/// Words as a POSIX shell splits them: blanks separate, `'…'` is literal, `"…"` keeps
/// blanks and takes `\` escapes, a `\` outside quotes escapes the next character.
fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a ' is not closed".into()),
                    }
                }
            }
            '"' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("a \" is not closed".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a \" is not closed".into()),
                    }
                }
            }
            '\\' => {
                let w = cur.get_or_insert_with(String::new);
                if let Some(c) = chars.next() {
                    w.push(c);
                }
            }
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(cur);
    Ok(words)
}

pub fn main() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // (The command tree is built only when such a variable is set: the usual start-up
    // does not pay for it.)
    let set = std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("TF_CLI_ARGS"));
    let args = match if set {
        with_env_args(args, |n| std::env::var(n).ok())
    } else {
        Ok(args)
    } {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Error: {e}\n  Fix the variable's quoting, or unset it.");
            return 1;
        }
    };
    // A usage error exits 1, as Terraform's do: 2 means "changes present" or "drift
    // found" to pipelines, and a typo must not read as that.
    let cli = match Cli::try_parse_from(terraform_style(args)) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return i32::from(e.use_stderr());
        }
    };
    // Evaluation nests up to config::eval::MAX_DEPTH levels; the command runs on a thread
    // whose stack holds that many with room to spare, as do the runtime's workers.
    let runner = std::thread::Builder::new()
        .name("maform".into())
        .stack_size(256 << 20)
        .spawn(move || run_main(cli));
    match runner.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("Error: maform stopped unexpectedly");
            1
        }
    }
}

fn run_main(cli: Cli) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 << 20)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the runtime: {e}");
            return 1;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(Exit(code)) => code,
        Err(e) => {
            eprintln!("{}", crate::redact::scrub(&render_error(&e)));
            1
        }
    }
}

fn render_error(e: &anyhow::Error) -> String {
    if let Some(d) = e.downcast_ref::<crate::config::Diags>() {
        return d.to_string();
    }
    format!("Error: {e:#}")
}

async fn run(cli: Cli) -> anyhow::Result<Exit> {
    // Like Terraform's -chdir: every relative path (plan files, variable files, generated
    // configuration) is relative to the configuration directory.
    if let Ok(d) = std::env::current_dir() {
        let _ = crate::config::eval::ORIGINAL_CWD.set(d);
    }
    std::env::set_current_dir(&cli.chdir)
        .map_err(|e| anyhow::anyhow!("cannot use --chdir {}: {e}", cli.chdir.display()))?;
    let dir = Path::new(".");
    let wd = || Workdir::new(dir);
    let color = style::Style::detect(cli.no_color);
    match cli.cmd {
        Cmd::Sim(a) => sim::run(a).await,
        Cmd::Validate { vars, json } => {
            // As Terraform's validate: a required variable without a value is unknown.
            let inputs = crate::config::vars::Inputs {
                unknown_if_missing: true,
                ..vars.inputs_without_prompt()
            };
            let r = crate::ops::plan::validate(&wd()?, &inputs);
            if !json {
                r?;
                println!("Success! The configuration is valid.");
                return Ok(Exit(0));
            }
            let diags: Vec<serde_json::Value> = match &r {
                Ok(()) => vec![],
                Err(e) => match e.downcast_ref::<crate::config::Diags>() {
                    Some(d) => d.0.iter().map(diagnostic_json).collect(),
                    None => vec![
                        serde_json::json!({"severity": "error", "summary": crate::redact::scrub(&format!("{e:#}")), "detail": ""}),
                    ],
                },
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "format_version": "1.0",
                    "valid": r.is_ok(),
                    "error_count": diags.len(),
                    "warning_count": 0,
                    "diagnostics": diags,
                }))?
            );
            Ok(Exit(i32::from(r.is_err())))
        }
        Cmd::Version { json } => {
            let platform = format!(
                "{}_{}",
                std::env::consts::OS,
                match std::env::consts::ARCH {
                    "x86_64" => "amd64",
                    "aarch64" => "arm64",
                    other => other,
                }
            );
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "maform_version": crate::version::VERSION,
                        "platform": platform,
                        "provider_selections": {},
                    }))?
                );
            } else {
                println!("maform v{}\non {platform}", crate::version::VERSION);
            }
            Ok(Exit(0))
        }
        Cmd::Fmt {
            check,
            recursive,
            diff,
            files,
        } => fmt::run(
            dir,
            fmt::Mode {
                check,
                recursive,
                diff,
            },
            &files,
        ),
        Cmd::Show { file, json } => show::run(&wd()?, file.as_deref(), json).await,
        Cmd::State { cmd } => state::run(&wd()?, cmd).await,
        Cmd::Workspace { cmd } => workspace::run(&wd()?, cmd).await,
        Cmd::Init {
            migrate_state,
            reconfigure,
            input: _,
        } => init::run(&wd()?, migrate_state, reconfigure).await,
        Cmd::ForceUnlock { id, force } => state::force_unlock(&wd()?, &id, force).await,
        Cmd::Output { name, json, raw } => output::run(&wd()?, name, json, raw).await,
        Cmd::Providers { sub } => providers::run(&wd()?, sub.first().map(String::as_str)).await,
        Cmd::Console { vars, lock } => repl::run(&wd()?, &vars, &lock).await,
        Cmd::Graph { plan, format, vars } => graph::run(&wd()?, plan, format, vars).await,
        Cmd::Plan {
            p,
            detailed_exitcode,
            out,
            json,
            format,
        } => {
            let format = if json { Format::Json } else { format };
            plan::run(&wd()?, &p, detailed_exitcode, out.as_deref(), format).await
        }
        Cmd::Drift {
            vars,
            lock,
            json,
            format,
        } => drift::run(&wd()?, vars, lock, if json { Format::Json } else { format }).await,
        Cmd::Import {
            addr,
            id,
            generate_config,
            vars,
            lock,
        } => {
            import::run(
                &wd()?,
                &addr,
                &id,
                generate_config.as_deref(),
                &vars,
                lock.locking(),
            )
            .await
        }
        Cmd::Apply {
            plan_file: Some(f),
            p,
            parallelism,
            json,
            ..
        } => json_errors(
            json,
            apply::saved(&wd()?, &f, &p, parallelism, json, color).await,
        ),
        Cmd::Apply {
            plan_file: None,
            p,
            auto_approve,
            parallelism,
            json,
        } => json_errors(
            json,
            apply::run(&wd()?, &p, auto_approve, parallelism, json, color).await,
        ),
        Cmd::Destroy {
            mut p,
            auto_approve,
            parallelism,
            json,
        } => {
            p.destroy = true;
            json_errors(
                json,
                apply::run(&wd()?, &p, auto_approve, parallelism, json, color).await,
            )
        }
    }
}

#[cfg(test)]
mod range_tests {
    #[test]
    fn a_range_runs_to_the_end_of_its_line() {
        let s = crate::config::Span {
            file: "main.tf".into(),
            line: 2,
            col: 3,
        };
        let text = "a = 1\n  flavour = \"é\"  \nz\n";
        let r = super::diagnostic_range(&s, Some(text));
        assert_eq!(
            r["start"],
            serde_json::json!({"line": 2, "column": 3, "byte": 8})
        );
        // Through the last character (é is two bytes), trailing blanks left out.
        assert_eq!(
            r["end"],
            serde_json::json!({"line": 2, "column": 16, "byte": 22})
        );
        let r = super::diagnostic_range(&s, None);
        assert_eq!(r["end"], serde_json::json!({"line": 2, "column": 3}));
    }
}

#[cfg(test)]
mod compact_tests {
    #[test]
    fn compact_warnings_list_summaries_with_where() {
        assert_eq!(
            super::summary_of("main.tf:14:5: Check block assertion failed\n  detail"),
            "Check block assertion failed\n  on main.tf line 14"
        );
        assert_eq!(super::summary_of("no place: here\n  x"), "no place: here");
        assert_eq!(super::compact_warnings(&[]), "");
        let block = super::compact_warnings(&["A\n  on main.tf line 2".into(), "B".into()]);
        assert_eq!(block, "\nWarnings:\n\n- A\n  on main.tf line 2\n- B\n\nTo see the full warning notes, run maform without -compact-warnings.\n");
    }
}

#[cfg(test)]
mod env_args_tests {
    use super::{split_words, with_env_args};

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Vec<String>, String> {
        let args = args.iter().map(std::ffi::OsString::from).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        with_env_args(args, |n| {
            env.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone())
        })
        .map(|v| v.into_iter().map(|a| a.into_string().unwrap()).collect())
    }

    #[test]
    fn tf_cli_args_go_after_the_command_general_first() {
        let got = run(
            &["maform", "-chdir=x", "plan", "-out=p"],
            &[
                ("TF_CLI_ARGS", "-no-color"),
                ("TF_CLI_ARGS_plan", "-var 'l=[\"a b\"]' -refresh=false"),
                ("TF_CLI_ARGS_apply", "-auto-approve"),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "maform",
                "-chdir=x",
                "plan",
                "-no-color",
                "-var",
                "l=[\"a b\"]",
                "-refresh=false",
                "-out=p"
            ]
        );
        let got = run(
            &["maform", "--chdir", "plan", "apply"],
            &[("TF_CLI_ARGS_apply", "-auto-approve")],
        )
        .unwrap();
        assert_eq!(got, ["maform", "--chdir", "plan", "apply", "-auto-approve"]);
        // A nested command: named after its whole path, inserted after its last word.
        let got = run(
            &["maform", "workspace", "delete", "dev"],
            &[
                ("TF_CLI_ARGS_workspace_delete", "-force"),
                ("TF_CLI_ARGS_workspace", "-x"),
            ],
        )
        .unwrap();
        assert_eq!(got, ["maform", "workspace", "delete", "-force", "dev"]);
        let got = run(
            &["maform", "force-unlock", "1"],
            &[("TF_CLI_ARGS_force_unlock", "-force")],
        )
        .unwrap();
        assert_eq!(got, ["maform", "force-unlock", "-force", "1"]);
        assert_eq!(
            run(&["maform", "--version"], &[("TF_CLI_ARGS", "-x")]).unwrap(),
            ["maform", "--version"]
        );
    }

    #[test]
    fn words_are_split_as_a_shell_splits_them() {
        assert_eq!(
            split_words(r#"a  'b c' "d \"e\" \$f" g\ h"#).unwrap(),
            ["a", "b c", "d \"e\" $f", "g h"]
        );
        assert_eq!(split_words("''").unwrap(), [""]);
        assert!(split_words("'open").is_err());
        assert!(split_words("\"open").is_err());
    }
}
