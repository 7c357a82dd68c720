//! The command line: thin commands that parse arguments, call the library and render.

mod fmt;
mod generate;
mod progress;

use crate::addr::Addr;
use crate::apply::{self, Persist};
use crate::config::vars::{self, Inputs, Resolved};
use crate::config::Config;
use crate::engine;
use crate::graph::{self, ResourceGraph};
use crate::plan::saved::SavedPlan;
use crate::plan::{self, Options, Plan};
use crate::state::backend::{self, Backend};
use crate::state::State;
use crate::value::Value;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "maform",
    version,
    about = "Manage Huawei Cloud ModelArts notebooks, DevServers and DevEnviron instances as code"
)]
pub struct Cli {
    /// Run as if started in DIR (where the *.hcl files and state/ are).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    chdir: PathBuf,
    /// Do not use colors (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    no_color: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone, Default)]
struct VarArgs {
    /// Set a variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Read variables from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

#[derive(Args, Clone)]
struct PlanArgs {
    #[command(flatten)]
    vars: VarArgs,
    /// How long to wait for the state lock (e.g. 30s, 5m).
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    lock_timeout: Duration,
    /// Plan to destroy everything.
    #[arg(long)]
    destroy: bool,
    /// Only record changes made outside maform; change nothing.
    #[arg(long)]
    refresh_only: bool,
    /// Replace this object even if it could be updated in place (repeatable).
    #[arg(long, value_name = "ADDR")]
    replace: Vec<String>,
    /// Limit the plan to this object and what it depends on (repeatable).
    #[arg(long, value_name = "ADDR")]
    target: Vec<String>,
    /// Read objects back from the API first (default true).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    refresh: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Subcommand)]
enum Cmd {
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
        #[arg(long, default_value_t = 10)]
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
        #[arg(long, default_value_t = 10)]
        parallelism: usize,
        #[arg(long)]
        json: bool,
    },
    /// Report what changed outside maform; exit 0 (none), 2 (drift) or 1 (error).
    Drift {
        #[command(flatten)]
        vars: VarArgs,
        #[arg(long, default_value = "0s", value_parser = parse_duration)]
        lock_timeout: Duration,
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Check the configuration without contacting the API.
    Validate {
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Rewrite *.hcl files in the canonical style.
    Fmt {
        /// Only check; exit 3 if a file would change.
        #[arg(long)]
        check: bool,
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
    /// Print the resource graph in DOT, for Graphviz.
    Graph {
        /// Label nodes with their planned action (contacts the API).
        #[arg(long)]
        plan: bool,
        #[command(flatten)]
        vars: VarArgs,
    },
    /// Bring an existing object under management.
    Import {
        /// The address in this configuration, e.g. modelarts_notebook.a.
        addr: String,
        /// The object's id in ModelArts.
        id: String,
        /// Write HCL for the object from its live attributes to this file.
        #[arg(long, value_name = "FILE")]
        generate_config: Option<PathBuf>,
        #[command(flatten)]
        vars: VarArgs,
        #[arg(long, default_value = "0s", value_parser = parse_duration)]
        lock_timeout: Duration,
    },
    /// Inspect and edit the state.
    State {
        #[command(subcommand)]
        cmd: StateCmd,
    },
    /// Remove a stale lock left by a run that died; takes the lock ID from the error.
    ForceUnlock { id: String },
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
    },
    /// Run the ModelArts simulator.
    Sim(SimArgs),
}

#[derive(Subcommand)]
enum WorkspaceCmd {
    /// List workspaces; the current one is marked with *.
    List,
    /// The current workspace.
    Show,
    /// Create a workspace and select it.
    New { name: String },
    /// Select a workspace.
    Select { name: String },
    /// Delete a workspace (it must be empty unless --force; never the current one).
    Delete {
        name: String,
        #[arg(long)]
        force: bool,
    },
}

/// The selected workspace: MAFORM_WORKSPACE, else `.maform/environment`, else "default".
fn workspace(dir: &Path) -> String {
    std::env::var("MAFORM_WORKSPACE")
        .ok()
        .filter(|w| !w.is_empty())
        .or_else(|| {
            std::fs::read_to_string(dir.join(".maform/environment"))
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "default".to_string())
}

/// The backend for commands that do not evaluate the configuration: what `maform init`
/// recorded, else the configuration's backend block (which must then be the local one).
fn state_backend_config(dir: &Path) -> anyhow::Result<crate::config::BackendConfig> {
    if let Some(r) = backend::Recorded::load(dir)? {
        return Ok(r.config());
    }
    match Config::load_dir(dir) {
        Ok(cfg) => backend::configured(dir, &cfg.backend),
        Err(_) => Ok(crate::config::BackendConfig::Local),
    }
}

/// The current workspace's backend, for commands that do not evaluate the configuration.
async fn state_backend(dir: &Path) -> anyhow::Result<Backend> {
    Backend::open(dir, &state_backend_config(dir)?, &workspace(dir)).await
}

/// The current workspace's backend for a loaded configuration.
async fn config_backend(dir: &Path, cfg: &Config) -> anyhow::Result<Backend> {
    let b = backend::configured(dir, &cfg.backend)?;
    Backend::open(dir, &b, &workspace(dir)).await
}

async fn workspace_cmd(dir: &Path, cmd: WorkspaceCmd) -> anyhow::Result<Exit> {
    let current = workspace(dir);
    let bcfg = state_backend_config(dir)?;
    let workspaces = Backend::open(dir, &bcfg, &current)
        .await?
        .workspaces(dir)
        .await?;
    let valid = |n: &str| {
        !n.is_empty()
            && n.len() <= 90
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match cmd {
        WorkspaceCmd::List => {
            for w in &workspaces {
                println!("{} {w}", if *w == current { "*" } else { " " });
            }
        }
        WorkspaceCmd::Show => println!("{current}"),
        WorkspaceCmd::New { name } => {
            if !valid(&name) {
                anyhow::bail!("invalid workspace name {name:?}: use letters, digits, - and _");
            }
            if workspaces.contains(&name) {
                anyhow::bail!("workspace {name:?} already exists; select it with maform workspace select {name}");
            }
            let mut b = Backend::open(dir, &bcfg, &name).await?;
            b.lock("workspace new", Duration::ZERO).await?;
            let empty = b.read().await?;
            let mut st = empty.clone();
            b.write(&mut st, &empty).await?;
            b.unlock().await;
            crate::state::atomic_write(&dir.join(".maform/environment"), name.as_bytes())?;
            println!("Created and switched to workspace {name:?}. It has an empty state.");
        }
        WorkspaceCmd::Select { name } => {
            if !workspaces.contains(&name) {
                anyhow::bail!(
                    "workspace {name:?} does not exist; create it with maform workspace new {name}"
                );
            }
            crate::state::atomic_write(&dir.join(".maform/environment"), name.as_bytes())?;
            println!("Switched to workspace {name:?}.");
        }
        WorkspaceCmd::Delete { name, force } => {
            if name == "default" {
                anyhow::bail!("the default workspace cannot be deleted");
            }
            if name == current {
                anyhow::bail!(
                    "workspace {name:?} is the current one; select another before deleting it"
                );
            }
            if !workspaces.contains(&name) {
                anyhow::bail!("workspace {name:?} does not exist");
            }
            let mut b = Backend::open(dir, &bcfg, &name).await?;
            b.lock("workspace delete", Duration::ZERO).await?;
            let st = b.read().await?;
            if !st.instances.is_empty() && !force {
                anyhow::bail!("workspace {name:?} still manages {} object(s); destroy them first, or pass --force to forget them (they keep existing in ModelArts)", st.instances.len());
            }
            b.delete().await?;
            b.unlock().await;
            println!("Deleted workspace {name:?}.");
        }
    }
    Ok(Exit(0))
}

#[derive(Subcommand)]
enum StateCmd {
    /// List managed objects.
    List,
    /// Show one object.
    Show { addr: String },
    /// Forget objects (they keep existing in the cloud).
    Rm { addrs: Vec<String> },
    /// Rename an object in the state.
    Mv { from: String, to: String },
    /// Print the state; --serial N prints an older kept version.
    Pull {
        #[arg(long)]
        serial: Option<u64>,
    },
    /// Replace the state with FILE (same lineage and a newer serial, unless --force).
    Push {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
struct SimArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    #[arg(long, default_value = crate::sim::DEFAULT_PROJECT_ID)]
    project_id: String,
    #[arg(long, requires = "secret_key")]
    access_key: Option<String>,
    #[arg(long, requires = "access_key")]
    secret_key: Option<String>,
    #[arg(long)]
    auth_token: Option<String>,
    /// Keep the simulated cloud in this JSON file.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Transition times: fast (tens of ms) or realistic (tens of seconds).
    #[arg(long, default_value = "fast")]
    profile: String,
    /// Every transition takes this long (overrides the profile).
    #[arg(long)]
    transition_ms: Option<i64>,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction of API requests answered 500/503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Requests per second above which the API answers 429.
    #[arg(long)]
    throttle_rps: Option<u32>,
    /// Fraction of creates and starts that fail.
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Replace the catalog (flavors, images, profiles) with this JSON file.
    #[arg(long)]
    catalog: Option<PathBuf>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?}; write e.g. 30s or 5m"))?;
    Ok(Duration::from_secs(
        n * match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return Err(format!("invalid duration {s:?}; write e.g. 30s or 5m")),
        },
    ))
}

/// An exit status.
pub struct Exit(pub i32);

pub fn main() -> i32 {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
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
            eprintln!("{}", render_error(&e));
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

struct Loaded {
    cfg: Config,
    vars: Resolved,
    graph: ResourceGraph,
}

fn load(dir: &Path, va: &VarArgs) -> anyhow::Result<Loaded> {
    let cfg = Config::load_dir(dir)?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let vars = vars::resolve(
        &cfg,
        &Inputs {
            vars: va.vars.clone(),
            var_files: va.var_files.clone(),
        },
        &env,
    )?;
    let graph = graph::build(&cfg)?;
    Ok(Loaded { cfg, vars, graph })
}

/// Writes the state as an apply goes. When a shared backend cannot be written (the
/// database is down, or another run wrote in between), the apply goes on with what is in
/// flight and the state goes to a local errored file, so that nothing is lost.
struct BackendPersist<'a> {
    backend: &'a mut Backend,
    /// What the backend holds.
    previous: State,
    /// The errored file holding the newest state, and why, while the backend is behind.
    errored: Option<(PathBuf, String)>,
}

impl<'a> BackendPersist<'a> {
    fn new(backend: &'a mut Backend, previous: State) -> BackendPersist<'a> {
        BackendPersist {
            backend,
            previous,
            errored: None,
        }
    }

    /// How to recover, if the backend could not be written.
    fn errored_message(&self) -> Option<String> {
        let (path, why) = self.errored.as_ref()?;
        Some(if why.contains("changed under this run") {
            format!("Error: {why}.\nThe state this run ended with is in {p}. Run maform plan to see where things stand now; push that file only after comparing (maform state push --force {p}).", p = path.display())
        } else {
            format!("Error: the state could not be saved to {}: {why}\nNothing is lost: the state with every change this run made is in {p}.\nOnce the database is reachable again, upload it with:\n    maform state push {p}", self.backend.describe(), p = path.display())
        })
    }
}

impl Persist for BackendPersist<'_> {
    async fn persist(&mut self, state: &mut State) -> anyhow::Result<()> {
        match self.backend.write(state, &self.previous).await {
            Ok(true) => {
                self.previous = state.clone();
                if let Some((p, _)) = self.errored.take() {
                    let _ = std::fs::remove_file(&p);
                    eprintln!(
                        "The state is saved to {} again; {} is no longer needed and was removed.",
                        self.backend.describe(),
                        p.display()
                    );
                }
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(e) if !self.backend.is_local() => {
                let path =
                    PathBuf::from(format!("errored-{}.maform.json", workspace(Path::new("."))));
                crate::state::atomic_write(&path, &state.to_bytes())?;
                if self.errored.is_none() {
                    eprintln!("Warning: cannot save the state to {}: {e:#}\n  The state goes to {} meanwhile; the operations under way go on.", self.backend.describe(), path.display());
                }
                self.errored = Some((path, format!("{e:#}")));
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

fn parse_addrs(v: &[String]) -> anyhow::Result<Vec<Addr>> {
    v.iter()
        .map(|a| Addr::parse(a).map_err(anyhow::Error::msg))
        .collect()
}

/// Everything a planning command has once the plan is made. The provider must be stopped.
struct Planned {
    l: Loaded,
    plan: Plan,
    prior: State,
    refreshed: State,
    data: BTreeMap<String, Value>,
    backend: Backend,
    provider: engine::Provider,
}

/// With MAFORM_TIMINGS set, how long each phase took, on stderr.
fn phase(name: &str, since: &mut std::time::Instant) {
    if std::env::var_os("MAFORM_TIMINGS").is_some() {
        eprintln!("timing: {name}: {:.3}s", since.elapsed().as_secs_f64());
    }
    *since = std::time::Instant::now();
}

async fn make_plan(dir: &Path, p: &PlanArgs, operation: &str) -> anyhow::Result<Planned> {
    let mut t = std::time::Instant::now();
    let l = load(dir, &p.vars)?;
    phase("load configuration", &mut t);
    let mut backend = config_backend(dir, &l.cfg).await?;
    backend.lock(operation, p.lock_timeout).await?;
    let prior = backend.read().await?;
    phase("read state", &mut t);
    let provider = engine::provider(&l.cfg, &l.vars, false).await?;
    let result = async {
        let mut refreshed = if p.refresh {
            engine::refresh(&provider.client, &prior).await?
        } else {
            prior.clone()
        };
        phase("refresh", &mut t);
        let data =
            engine::read_data(&provider.client, &l.cfg, &l.vars, &l.graph, &refreshed).await?;
        // Creates that an interrupted run may have made, from its journal: adopted into
        // the state before anything else is decided.
        let journal = backend.journal();
        let mut prior = prior;
        if !journal.read().await?.is_empty() {
            let before = prior.clone();
            for msg in engine::recover(
                &provider.client,
                &l.cfg,
                &l.vars,
                &data,
                &journal,
                &mut prior,
            )
            .await?
            {
                eprintln!("{msg}");
            }
            if prior != before {
                for (a, i) in &prior.instances {
                    if !before.instances.contains_key(a) {
                        refreshed.instances.insert(a.clone(), i.clone());
                    }
                }
                backend.write(&mut prior, &before).await?;
                refreshed.serial = prior.serial;
            }
            journal.clear().await?;
        }
        let imports = if p.destroy || p.refresh_only {
            vec![]
        } else {
            engine::import_blocks(&provider.client, &l.cfg, &l.vars, &data, &mut refreshed).await?
        };
        let opts = Options {
            destroy: p.destroy,
            refresh_only: p.refresh_only,
            replace: parse_addrs(&p.replace)?,
            targets: parse_addrs(&p.target)?,
        };
        let inp = plan::Inputs {
            cfg: &l.cfg,
            vars: &l.vars,
            graph: &l.graph,
            prior: &prior,
            refreshed: &refreshed,
            data: &data,
            options: &opts,
        };
        let mut plan = plan::plan(&inp)?;
        phase("plan", &mut t);
        plan.imports = imports;
        Ok::<_, anyhow::Error>((plan, prior, refreshed, data))
    }
    .await;
    match result {
        Ok((plan, prior, refreshed, data)) => Ok(Planned {
            l,
            plan,
            prior,
            refreshed,
            data,
            backend,
            provider,
        }),
        Err(e) => {
            provider.stop().await?;
            Err(e)
        }
    }
}

fn variables_for_json(vars: &Resolved) -> Vec<(String, Option<Value>)> {
    vars.values
        .iter()
        .map(|(k, v)| (k.clone(), (!vars.sensitive.contains(k)).then(|| v.clone())))
        .collect()
}

async fn run(cli: Cli) -> anyhow::Result<Exit> {
    // Like Terraform's -chdir: every relative path (plan files, variable files, generated
    // configuration) is relative to the configuration directory.
    std::env::set_current_dir(&cli.chdir)
        .map_err(|e| anyhow::anyhow!("cannot use --chdir {}: {e}", cli.chdir.display()))?;
    let dir = PathBuf::from(".");
    let color =
        !cli.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    match cli.cmd {
        Cmd::Sim(a) => sim(a).await,
        Cmd::Validate { vars } => {
            let l = load(&dir, &vars)?;
            let prior = State::new();
            let data = l
                .cfg
                .resources
                .iter()
                .filter(|r| r.mode == crate::config::Mode::Data)
                .map(|r| (r.key(), Value::Unknown))
                .collect();
            let opts = Options::default();
            let inp = plan::Inputs {
                cfg: &l.cfg,
                vars: &l.vars,
                graph: &l.graph,
                prior: &prior,
                refreshed: &prior,
                data: &data,
                options: &opts,
            };
            plan::plan(&inp)?;
            println!("Success! The configuration is valid.");
            Ok(Exit(0))
        }
        Cmd::Fmt { check, files } => fmt::run(&dir, check, &files),
        Cmd::Show {
            file: Some(f),
            json,
        } => {
            let saved = SavedPlan::read(&f)?;
            if json {
                let st = match state_backend(&dir).await {
                    Ok(mut b) => b.read().await.unwrap_or_default(),
                    Err(_) => State::default(),
                };
                println!(
                    "{}",
                    serde_json::to_string_pretty(&plan::json::plan_json(&saved.plan, &st, &[]))?
                );
            } else {
                print!("{}", plan::render::plan(&saved.plan));
            }
            Ok(Exit(0))
        }
        Cmd::Show { file: None, json } => {
            let st = state_backend(&dir).await?.read().await?;
            if json {
                std::io::stdout().write_all(&redacted_state(&st))?;
            } else if st.instances.is_empty() {
                println!("The state is empty.");
            } else {
                for (a, i) in &st.instances {
                    print_instance(a, i);
                }
            }
            Ok(Exit(0))
        }
        Cmd::State { cmd } => state_cmd(&dir, cmd).await,
        Cmd::Workspace { cmd } => workspace_cmd(&dir, cmd).await,
        Cmd::Init {
            migrate_state,
            reconfigure,
        } => init_cmd(&dir, migrate_state, reconfigure).await,
        Cmd::ForceUnlock { id } => {
            let what = state_backend(&dir).await?.force_unlock(&id).await?;
            println!("maform state has been successfully unlocked ({what} is gone).");
            Ok(Exit(0))
        }
        Cmd::Output { name, json, raw } => output_cmd(&dir, name, json, raw).await,
        Cmd::Graph { plan, vars } => {
            let l = load(&dir, &vars)?;
            let actions = if plan {
                let p = PlanArgs {
                    vars,
                    lock_timeout: Duration::ZERO,
                    destroy: false,
                    refresh_only: false,
                    replace: vec![],
                    target: vec![],
                    refresh: true,
                };
                let pl = make_plan(&dir, &p, "plan").await?;
                pl.provider.stop().await?;
                pl.plan
                    .changes
                    .iter()
                    .map(|c| (c.addr.resource(), c.action))
                    .collect()
            } else {
                BTreeMap::new()
            };
            print!("{}", dot(&l, &actions));
            Ok(Exit(0))
        }
        Cmd::Plan {
            p,
            detailed_exitcode,
            out,
            json,
            format,
        } => {
            let format = if json { Format::Json } else { format };
            let mut pl = make_plan(&dir, &p, "plan").await?;
            pl.backend.unlock().await;
            let result = (|| -> anyhow::Result<()> {
                if let Some(f) = &out {
                    let saved = SavedPlan::new(
                        pl.plan.clone(),
                        &pl.prior.lineage,
                        pl.prior.serial,
                        plan::saved::config_digest(&pl.l.cfg.files)?,
                        &pl.l.vars,
                        pl.data.clone(),
                    );
                    crate::state::atomic_write(
                        f,
                        serde_json::to_string_pretty(&saved.to_json())?.as_bytes(),
                    )?;
                }
                match format {
                    Format::Json => println!(
                        "{}",
                        serde_json::to_string_pretty(&plan::json::plan_json(
                            &pl.plan,
                            &pl.prior,
                            &variables_for_json(&pl.l.vars)
                        ))?
                    ),
                    Format::Markdown => print!("{}", plan::markdown::plan(&pl.plan)),
                    Format::Human => {
                        if !p.target.is_empty() {
                            println!("Warning: resource targeting is in effect: this plan covers only {} and what it depends on.\n", p.target.join(", "));
                        }
                        print!("{}", plan::render::plan(&pl.plan));
                        if let Some(f) = &out {
                            println!("\nSaved the plan to: {}\n\nTo perform exactly these actions, run:\n    maform apply {}", f.display(), f.display());
                        }
                    }
                }
                Ok(())
            })();
            pl.provider.stop().await?;
            result?;
            let changed = pl.plan.has_changes() || (p.refresh_only && !pl.plan.drift.is_empty());
            Ok(Exit(if detailed_exitcode && changed { 2 } else { 0 }))
        }
        Cmd::Drift {
            vars,
            lock_timeout,
            json,
            format,
        } => {
            let p = PlanArgs {
                vars,
                lock_timeout,
                destroy: false,
                refresh_only: true,
                replace: vec![],
                target: vec![],
                refresh: true,
            };
            let mut pl = make_plan(&dir, &p, "drift").await?;
            pl.backend.unlock().await;
            pl.provider.stop().await?;
            match if json { Format::Json } else { format } {
                Format::Json => {
                    println!("{}", serde_json::to_string_pretty(&drift_json(&pl.plan))?)
                }
                Format::Markdown => print!("{}", plan::markdown::drift(&pl.plan)),
                Format::Human => {
                    if pl.plan.drift.is_empty() {
                        println!("No drift: every managed object matches the state.");
                    } else {
                        let deleted = pl.plan.drift.iter().filter(|d| d.after.is_none()).count();
                        println!(
                            "Drift: {} object(s) changed outside maform ({} deleted).\n",
                            pl.plan.drift.len(),
                            deleted
                        );
                        let mut s = String::new();
                        plan::render::drift(&mut s, &pl.plan.drift);
                        print!("{s}");
                        println!("To accept these changes into the state: maform apply --refresh-only. To undo them: maform apply.");
                    }
                }
            }
            Ok(Exit(if pl.plan.drift.is_empty() { 0 } else { 2 }))
        }
        Cmd::Import {
            addr,
            id,
            generate_config,
            vars,
            lock_timeout,
        } => {
            import_cmd(
                &dir,
                &addr,
                &id,
                generate_config.as_deref(),
                &vars,
                lock_timeout,
            )
            .await
        }
        Cmd::Apply {
            plan_file: Some(f),
            p,
            parallelism,
            json,
            ..
        } => apply_saved(&dir, &f, &p, parallelism, json, color).await,
        Cmd::Apply {
            plan_file: None,
            p,
            auto_approve,
            parallelism,
            json,
        } => apply_cmd(&dir, &p, auto_approve, parallelism, false, json, color).await,
        Cmd::Destroy {
            mut p,
            auto_approve,
            parallelism,
            json,
        } => {
            p.destroy = true;
            apply_cmd(&dir, &p, auto_approve, parallelism, true, json, color).await
        }
    }
}

fn drift_json(p: &Plan) -> serde_json::Value {
    let items: Vec<serde_json::Value> = p
        .drift
        .iter()
        .map(|d| {
            let mut changes = Vec::new();
            if let Some(a) = &d.after {
                let mut paths = Vec::new();
                plan::diff_paths(&d.before, a, &mut Vec::new(), &mut paths);
                for path in paths.into_iter().filter(|p| !matches!(p.first(), Some(crate::value::PathStep::Key(k)) if plan::VOLATILE.contains(&k.as_str()))) {
                    let sens = d.sensitive.iter().any(|s| path.starts_with(s));
                    let show = |v: &Value| if sens { serde_json::Value::Null } else { v.get_path(&path).to_json() };
                    changes.push(serde_json::json!({"path": crate::value::path_string(&path), "before": show(&d.before), "after": show(a), "sensitive": sens}));
                }
            }
            serde_json::json!({
                "address": d.addr.to_string(), "type": d.addr.rtype, "name": d.addr.name,
                "id": d.before.get("id").to_json(),
                "kind": if d.after.is_none() { "deleted" } else if changes.iter().any(|c| c["path"] == "status") { "status_changed" } else { "changed" },
                "status": {"before": d.before.get("status").to_json(), "after": d.after.as_ref().map(|a| a.get("status").to_json())},
                "changes": changes,
            })
        })
        .collect();
    serde_json::json!({"format_version": "1.0", "drifted": !items.is_empty(), "count": items.len(), "resource_drift": items})
}

fn dot(l: &Loaded, actions: &BTreeMap<String, plan::Action>) -> String {
    let mut s = String::from(
        "digraph maform {\n  rankdir = \"BT\";\n  node [shape = box, fontname = \"Helvetica\"];\n",
    );
    for r in &l.cfg.resources {
        let key = r.key();
        let label = match actions.get(&key) {
            Some(a) => format!("{key}\\n({})", a.json_actions().join(", ")),
            None => key.clone(),
        };
        let color = match actions.get(&key) {
            Some(plan::Action::Create) => ", color = \"darkgreen\"",
            Some(plan::Action::Update) => ", color = \"orange\"",
            Some(plan::Action::Replace) | Some(plan::Action::Delete) => ", color = \"red\"",
            _ => "",
        };
        s.push_str(&format!("  \"{key}\" [label = \"{label}\"{color}];\n"));
    }
    for (i, r) in l.cfg.resources.iter().enumerate() {
        for d in &l.graph.deps[i] {
            s.push_str(&format!("  \"{}\" -> \"{d}\";\n", r.key()));
        }
    }
    s.push_str("}\n");
    s
}

fn print_instance(a: &Addr, i: &crate::state::Instance) {
    let c = plan::Change {
        addr: a.clone(),
        action: plan::Action::Create,
        before: None,
        after: Some(i.attributes.clone()),
        replace_paths: vec![],
        reason: None,
        deps: vec![],
        sensitive: crate::schema::sensitive_for(&a.rtype, &i.attributes, &i.sensitive),
        timeouts: Default::default(),
    };
    let mut out = String::new();
    plan::render::change(&mut out, &c);
    let text = out
        .lines()
        .skip(1)
        .map(|l| l.replacen("+ ", "  ", 1))
        .collect::<Vec<_>>()
        .join("\n");
    println!(
        "# {a}:{}\n{text}\n",
        if i.tainted { " (tainted)" } else { "" }
    );
}

/// The state as JSON with sensitive values replaced, for `show --json`.
fn redacted_state(st: &State) -> Vec<u8> {
    let mut copy = st.clone();
    for (a, inst) in copy.instances.iter_mut() {
        let paths = crate::schema::sensitive_for(&a.rtype, &inst.attributes, &inst.sensitive);
        inst.attributes = Value::from_json(&plan::json::redact(&inst.attributes, &paths));
        for p in &paths {
            set_marker(&mut inst.attributes, p);
        }
    }
    for o in copy.outputs.values_mut() {
        if o.sensitive {
            o.value = Value::str("(sensitive value)");
        }
    }
    copy.to_bytes()
}

fn set_marker(v: &mut Value, p: &[crate::value::PathStep]) {
    use crate::value::PathStep;
    match (v, p.split_first()) {
        (Value::Map(m), Some((PathStep::Key(k), rest))) => match m.get_mut(k) {
            Some(x) if rest.is_empty() => *x = Value::str("(sensitive value)"),
            Some(x) => set_marker(x, rest),
            None => {}
        },
        (Value::List(l), Some((PathStep::Index(i), rest))) => {
            if let Some(x) = l.get_mut(*i) {
                if rest.is_empty() {
                    *x = Value::str("(sensitive value)");
                } else {
                    set_marker(x, rest);
                }
            }
        }
        _ => {}
    }
}

async fn output_cmd(
    dir: &Path,
    name: Option<String>,
    json: bool,
    raw: bool,
) -> anyhow::Result<Exit> {
    let st = state_backend(dir).await?.read().await?;
    match name {
        Some(n) => {
            let o = st.outputs.get(&n).ok_or_else(|| {
                anyhow::anyhow!("no output {n:?}; run maform apply first, or check the name")
            })?;
            if raw {
                match o.value.to_template_string() {
                    Some(s) => println!("{s}"),
                    None => {
                        anyhow::bail!("output {n:?} is not a string, number or bool; use --json")
                    }
                }
            } else if json {
                println!("{}", serde_json::to_string(&o.value.to_json())?);
            } else {
                println!("{}", o.value.to_hcl());
            }
        }
        None => {
            if json {
                let m: serde_json::Map<String, serde_json::Value> = st
                    .outputs
                    .iter()
                    .map(|(k, o)| (k.clone(), serde_json::json!({"sensitive": o.sensitive, "value": if o.sensitive { serde_json::Value::Null } else { o.value.to_json() }})))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&m)?);
            } else {
                for (k, o) in &st.outputs {
                    println!(
                        "{k} = {}",
                        if o.sensitive {
                            "<sensitive>".into()
                        } else {
                            o.value.to_hcl()
                        }
                    );
                }
            }
        }
    }
    Ok(Exit(0))
}

async fn state_cmd(dir: &Path, cmd: StateCmd) -> anyhow::Result<Exit> {
    let mut backend = state_backend(dir).await?;
    let r = state_edit(&mut backend, cmd).await;
    backend.unlock().await;
    r
}

async fn state_edit(backend: &mut Backend, cmd: StateCmd) -> anyhow::Result<Exit> {
    match cmd {
        StateCmd::List => {
            for a in backend.read().await?.instances.keys() {
                println!("{a}");
            }
        }
        StateCmd::Show { addr } => {
            let st = backend.read().await?;
            let a = Addr::parse(&addr).map_err(anyhow::Error::msg)?;
            let i = st.instances.get(&a).ok_or_else(|| {
                anyhow::anyhow!("no object {a} in the state; see maform state list")
            })?;
            print_instance(&a, i);
        }
        StateCmd::Pull { serial } => {
            let st = match serial {
                Some(n) => backend.read_version(n).await?,
                None => backend.read().await?,
            };
            std::io::stdout().write_all(&st.to_bytes())?;
        }
        StateCmd::Rm { addrs } => {
            backend.lock("state rm", Duration::ZERO).await?;
            let prior = backend.read().await?;
            let mut st = prior.clone();
            let targets = parse_addrs(&addrs)?;
            let gone: Vec<Addr> = st
                .instances
                .keys()
                .filter(|a| plan::targeted(a, &targets))
                .cloned()
                .collect();
            if gone.is_empty() {
                anyhow::bail!(
                    "no object in the state matches {}; see maform state list",
                    addrs.join(", ")
                );
            }
            for a in &gone {
                st.instances.remove(a);
                println!("Removed {a}");
            }
            backend.write(&mut st, &prior).await?;
            println!(
                "Successfully removed {} object(s). They still exist in ModelArts.",
                gone.len()
            );
        }
        StateCmd::Mv { from, to } => {
            backend.lock("state mv", Duration::ZERO).await?;
            let prior = backend.read().await?;
            let mut st = prior.clone();
            let (f, t) = (
                Addr::parse(&from).map_err(anyhow::Error::msg)?,
                Addr::parse(&to).map_err(anyhow::Error::msg)?,
            );
            if f.rtype != t.rtype {
                anyhow::bail!("cannot move {f} to {t}: the types differ");
            }
            if st.instances.contains_key(&t) {
                anyhow::bail!("{t} already exists in the state");
            }
            let inst = st
                .instances
                .remove(&f)
                .ok_or_else(|| anyhow::anyhow!("no object {f} in the state"))?;
            st.instances.insert(t.clone(), inst);
            backend.write(&mut st, &prior).await?;
            println!("Move {f} to {t}: successfully moved 1 object.");
        }
        StateCmd::Push { file, force } => {
            backend.lock("state push", Duration::ZERO).await?;
            let prior = backend.read().await?;
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let mut new = State::from_bytes(&bytes, &file.display().to_string())?;
            let exists = backend.exists();
            if !force && exists {
                if new.lineage != prior.lineage {
                    anyhow::bail!("cannot push: the state in {} has lineage {}, but the current state has lineage {}; they are unrelated. Use --force to overwrite anyway.", file.display(), new.lineage, prior.lineage);
                }
                if new.serial < prior.serial {
                    anyhow::bail!("cannot push: {} has serial {}, older than the current state's serial {}. Use --force to overwrite anyway.", file.display(), new.serial, prior.serial);
                }
                if new.serial == prior.serial && !new.same_content(&prior) {
                    anyhow::bail!("cannot push: {} has the same serial {} as the current state but different content. Use --force to overwrite anyway.", file.display(), new.serial);
                }
            }
            if force && exists {
                new.serial = prior.serial + 1;
            }
            if exists && new.serial == prior.serial {
                println!(
                    "{} is the state already (serial {}); nothing to push.",
                    file.display(),
                    new.serial
                );
                return Ok(Exit(0));
            }
            let bytes = new.to_bytes();
            backend.replace(&new, bytes, prior.serial).await?;
            backend.unlock().await;
            println!(
                "Pushed {} to {} (serial {}).",
                file.display(),
                backend.describe(),
                new.serial
            );
        }
    }
    Ok(Exit(0))
}

async fn import_cmd(
    dir: &Path,
    addr: &str,
    id: &str,
    generate: Option<&Path>,
    vars: &VarArgs,
    lock_timeout: Duration,
) -> anyhow::Result<Exit> {
    let a = Addr::parse(addr).map_err(anyhow::Error::msg)?;
    let kind = crate::provider::modelarts::Kind::from_type(&a.rtype)
        .ok_or_else(|| anyhow::anyhow!("{} is not a resource type maform manages", a.rtype))?;
    if let Some(g) = generate {
        if g.exists() {
            anyhow::bail!(
                "{} already exists; choose a new file for --generate-config",
                g.display()
            );
        }
    }
    let mut l = load(dir, vars)?;
    let mut backend = config_backend(dir, &l.cfg).await?;
    backend.lock("import", lock_timeout).await?;
    let prior = backend.read().await?;
    if prior.instances.contains_key(&a) {
        anyhow::bail!("{a} is already managed; remove it first with maform state rm {a} if you mean to import another object there");
    }
    let provider = engine::provider(&l.cfg, &l.vars, false).await?;
    let result = async {
        let body = crate::provider::modelarts::kinds::get(&provider.client, kind, id).await?.ok_or_else(|| anyhow::anyhow!("there is no {} with id {id} in ModelArts", a.rtype))?;
        if l.cfg.resource(crate::config::Mode::Managed, &a.rtype, &a.name).is_none() {
            match generate {
                Some(g) => {
                    let text = generate::hcl(kind, &a, &body);
                    crate::state::atomic_write(g, text.as_bytes())?;
                    println!("Wrote the configuration of {a} to {}; review it, then run maform plan.", g.display());
                    l = load(dir, vars)?;
                }
                None => anyhow::bail!("{a} is not in the configuration; add a resource \"{}\" \"{}\" block first, or pass --generate-config FILE to write one", a.rtype, a.name),
            }
        }
        let data = engine::read_data(&provider.client, &l.cfg, &l.vars, &l.graph, &prior).await?;
        let mut st = prior.clone();
        engine::adopt(&l.cfg, &l.vars, &data, &mut st, &a, &body)?;
        backend.write(&mut st, &prior).await?;
        backend.unlock().await;
        println!("{a}: Import prepared!\n  Imported {} (id={id})\n\nImport successful! The object is now managed by maform.", a.rtype);
        Ok::<_, anyhow::Error>(())
    }
    .await;
    provider.stop().await?;
    result?;
    Ok(Exit(0))
}

/// Apply exactly a saved plan, after checking that nothing it depends on changed.
async fn apply_saved(
    dir: &Path,
    f: &Path,
    p: &PlanArgs,
    parallelism: usize,
    json: bool,
    color: bool,
) -> anyhow::Result<Exit> {
    let saved = SavedPlan::read(f)?;
    let l = load(dir, &p.vars)?;
    let digest = plan::saved::config_digest(&l.cfg.files)?;
    if digest != saved.config_digest {
        anyhow::bail!("the configuration changed since {} was made; run maform plan --out again and review the new plan", f.display());
    }
    saved.check_variables(&l.vars)?;
    let mut backend = config_backend(dir, &l.cfg).await?;
    backend.lock("apply", p.lock_timeout).await?;
    let prior = backend.read().await?;
    if prior.lineage != saved.lineage && (backend.exists() || saved.serial > 0) {
        anyhow::bail!("{} was planned against a different state (lineage {}), not this one (lineage {}); make a new plan here", f.display(), saved.lineage, prior.lineage);
    }
    if prior.serial != saved.serial {
        anyhow::bail!("the state changed since {} was made (serial {} then, {} now): another apply ran in between. Run maform plan --out again and review the new plan", f.display(), saved.serial, prior.serial);
    }
    let provider = engine::provider(&l.cfg, &l.vars, json).await?;
    let mut state = prior.clone();
    if !backend.exists() {
        state.lineage = saved.lineage.clone();
    }
    // Objects imported by the plan enter the state as planned.
    for (a, _) in &saved.plan.imports {
        if let Some(c) = saved.plan.changes.iter().find(|c| c.addr == *a) {
            if let Some(b) = &c.before {
                state.instances.insert(
                    a.clone(),
                    crate::state::Instance {
                        attributes: b.clone(),
                        sensitive: c.sensitive.clone(),
                        dependencies: c.deps.clone(),
                        tainted: false,
                    },
                );
            }
        }
    }
    let r = execute(
        &l,
        &saved.plan,
        &saved.data,
        &mut state,
        &mut backend,
        prior,
        &provider,
        parallelism,
        saved.plan.options.destroy,
        json,
        color,
    )
    .await;
    backend.unlock().await;
    provider.stop().await?;
    r
}

#[allow(clippy::too_many_arguments)]
async fn execute(
    l: &Loaded,
    plan: &Plan,
    data: &BTreeMap<String, Value>,
    state: &mut State,
    backend: &mut Backend,
    prior: State,
    provider: &engine::Provider,
    parallelism: usize,
    destroy: bool,
    json: bool,
    color: bool,
) -> anyhow::Result<Exit> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let total = plan
        .changes
        .iter()
        .filter(|c| c.action != plan::Action::NoOp)
        .count();
    let mode = if json {
        progress::Mode::Json
    } else if std::io::stdout().is_terminal() {
        progress::Mode::Live
    } else {
        progress::Mode::Lines
    };
    let view = tokio::spawn(progress::render(rx, mode, color, total));
    let journal = std::sync::Arc::new(backend.journal());
    let mut persist = BackendPersist::new(backend, prior);
    let ctx = apply::Context {
        cfg: &l.cfg,
        vars: &l.vars,
        data,
        client: provider.client.clone(),
        parallelism,
        events: tx.clone(),
        journal: Some(journal.clone()),
    };
    let summary = apply::apply(&ctx, plan, state, &mut persist).await;
    drop(ctx);
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            drop(tx);
            let _ = view.await;
            return Err(e);
        }
    };
    if destroy {
        state.outputs.clear();
    } else {
        apply::outputs(&l.cfg, &l.vars, data, state)?;
    }
    persist.persist(state).await?;
    let errored = persist.errored_message();
    if !summary.aborted && errored.is_none() {
        // Every create the journal knew of is now in the state (or never happened).
        journal.clear().await?;
    }
    let _ = tx.send(apply::Event::Summary {
        added: summary.added,
        changed: summary.changed,
        destroyed: summary.destroyed,
        failed: summary.failed,
        skipped: summary.skipped,
        interrupted: summary.interrupted,
        destroy,
    });
    let outs: Vec<(String, Option<Value>)> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), (!o.sensitive).then(|| o.value.clone())))
        .collect();
    let _ = tx.send(apply::Event::Outputs(outs));
    drop(tx);
    let _ = view.await;
    if let Some(m) = errored {
        eprintln!("\n{m}");
        return Ok(Exit(1));
    }
    Ok(Exit(if summary.failed > 0 || summary.interrupted {
        1
    } else {
        0
    }))
}

#[allow(clippy::too_many_arguments)]
async fn apply_cmd(
    dir: &Path,
    p: &PlanArgs,
    auto_approve: bool,
    parallelism: usize,
    destroy: bool,
    json: bool,
    color: bool,
) -> anyhow::Result<Exit> {
    if !auto_approve && !std::io::stdin().is_terminal() {
        anyhow::bail!("{} needs approval, and there is no terminal to ask in; pass --auto-approve to run non-interactively", if destroy { "destroy" } else { "apply" });
    }
    let Planned {
        l,
        plan,
        prior,
        refreshed,
        data,
        mut backend,
        provider,
    } = make_plan(dir, p, if destroy { "destroy" } else { "apply" }).await?;
    if json {
        for c in plan
            .changes
            .iter()
            .filter(|c| c.action != plan::Action::NoOp)
        {
            progress::emit_json(
                "planned_change",
                &format!(
                    "{}: Plan to {}",
                    c.addr,
                    c.action.json_actions().join(" and ")
                ),
                serde_json::json!({"change": {"resource": progress::resource_json(&c.addr), "action": c.action.json_actions().join("-")}}),
            );
        }
        let (a, c, d) = plan.counts();
        progress::emit_json(
            "change_summary",
            &format!("Plan: {a} to add, {c} to change, {d} to destroy."),
            serde_json::json!({"changes": {"add": a, "change": c, "remove": d, "import": plan.imports.len(), "operation": "plan"}}),
        );
    } else {
        if !p.target.is_empty() {
            println!("Warning: resource targeting is in effect: this apply covers only {} and what it depends on.\n", p.target.join(", "));
        }
        print!("{}", plan::render::plan(&plan));
    }
    if !plan.has_changes() && (!p.refresh_only || plan.drift.is_empty()) {
        // Record what the refresh saw, as Terraform does.
        let mut st = refreshed.clone();
        apply::outputs(&l.cfg, &l.vars, &data, &mut st)?;
        let mut persist = BackendPersist::new(&mut backend, prior);
        persist.persist(&mut st).await?;
        let errored = persist.errored_message();
        backend.unlock().await;
        provider.stop().await?;
        if let Some(m) = errored {
            eprintln!("\n{m}");
            return Ok(Exit(1));
        }
        return Ok(Exit(0));
    }
    if !auto_approve {
        print!("\nDo you want to perform these actions?\n  maform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        if line.trim() != "yes" {
            println!("\n{} cancelled.", if destroy { "Destroy" } else { "Apply" });
            provider.stop().await?;
            return Ok(Exit(1));
        }
    }
    if !json {
        println!();
    }
    let mut state = refreshed;
    let r = execute(
        &l,
        &plan,
        &data,
        &mut state,
        &mut backend,
        prior,
        &provider,
        parallelism,
        destroy,
        json,
        color,
    )
    .await;
    backend.unlock().await;
    provider.stop().await?;
    r
}

async fn sim(a: SimArgs) -> anyhow::Result<Exit> {
    let mut timings = match a.profile.as_str() {
        "fast" => crate::sim::Timings::fast(),
        "realistic" => crate::sim::Timings::realistic(),
        other => anyhow::bail!("unknown profile {other:?}; use fast or realistic"),
    };
    if let Some(ms) = a.transition_ms {
        timings = crate::sim::Timings::uniform(ms);
    }
    for (name, r) in [("--error-rate", a.error_rate), ("--fail-rate", a.fail_rate)] {
        if !(0.0..=1.0).contains(&r) {
            anyhow::bail!("{name} must be between 0 and 1");
        }
    }
    let catalog = match &a.catalog {
        Some(p) => crate::sim::Catalog::load(p)?,
        None => crate::sim::Catalog::default(),
    };
    let open = a.access_key.is_none() && a.auth_token.is_none();
    let config = crate::sim::SimConfig {
        project_id: a.project_id,
        access_key: a.access_key,
        secret_key: a.secret_key,
        auth_token: a.auth_token,
        data: a.data,
        timings,
        latency_ms: a.latency_ms,
        error_rate: a.error_rate,
        throttle_rps: a.throttle_rps,
        fail_rate: a.fail_rate,
        seed: a.seed,
        catalog,
        ..Default::default()
    };
    let server = crate::sim::Server::start(config, &a.listen).await?;
    if open {
        eprintln!("warning: no --access-key/--secret-key or --auth-token given: the simulator accepts unsigned requests");
    }
    println!("listening on {}", server.url());
    std::io::stdout().flush()?;
    wait_for_signal().await;
    server.stop().await?;
    Ok(Exit(0))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// `maform init`: set up the configured backend and, with --migrate-state, move every
/// workspace's state into it from the backend used before.
async fn init_cmd(dir: &Path, migrate: bool, reconfigure: bool) -> anyhow::Result<Exit> {
    use crate::config::BackendConfig;
    let cfg = Config::load_dir(dir)?;
    let target = cfg.backend.clone();
    let previous = backend::Recorded::load(dir)?
        .map(|r| r.config())
        .unwrap_or(BackendConfig::Local);
    if let Some(s) = backend::pg_settings(&target)? {
        let did = crate::state::pg::init(&s).await?;
        if did.is_empty() {
            println!("{}: the maform tables exist already.", s.describe());
        }
        for d in did {
            println!("{}: {d}.", s.describe());
        }
    }
    let name = |c: &BackendConfig| match backend::pg_settings(c) {
        Ok(Some(s)) => s.describe(),
        _ => "the local state files".to_string(),
    };
    let changed = !backend::Recorded::of(&previous).same_place(&backend::Recorded::of(&target));
    if changed {
        let with_state = Backend::open(dir, &previous, "default")
            .await?
            .stored_workspaces(dir)
            .await?;
        if !with_state.is_empty() && !migrate && !reconfigure {
            anyhow::bail!(
                "the backend changed from {} to {}, and {} workspace(s) have state in the old one ({}). Run maform init --migrate-state to move them, or maform init --reconfigure to use the new backend as it is",
                name(&previous),
                name(&target),
                with_state.len(),
                with_state.join(", ")
            );
        }
        if migrate {
            for ws in &with_state {
                migrate_workspace(dir, &previous, &target, ws).await?;
            }
            if with_state.is_empty() {
                println!("No state to migrate from {}.", name(&previous));
            }
        }
    }
    backend::Recorded::of(&target).save(dir)?;
    println!(
        "\nmaform has been successfully initialized: the state lives in {}.",
        name(&target)
    );
    Ok(Exit(0))
}

/// Move one workspace's state, refusing to replace a different lineage or a newer serial
/// at the destination. The bytes, read under the source's lock, are stored as they are.
async fn migrate_workspace(
    dir: &Path,
    from_cfg: &crate::config::BackendConfig,
    to_cfg: &crate::config::BackendConfig,
    ws: &str,
) -> anyhow::Result<()> {
    let mut from = Backend::open(dir, from_cfg, ws).await?;
    from.lock("migrate state", Duration::ZERO).await?;
    let Some(bytes) = from.read_bytes().await? else {
        from.unlock().await;
        return Ok(());
    };
    let bytes = &bytes[..];
    let mut to = Backend::open(dir, to_cfg, ws).await?;
    to.lock("migrate state", Duration::ZERO).await?;
    let st = State::from_bytes(bytes, &format!("workspace {ws:?} in {}", from.describe()))?;
    let existing = to.read().await?;
    if to.exists() {
        if existing.lineage != st.lineage {
            anyhow::bail!("cannot migrate workspace {ws:?}: {} holds a state of another lineage ({}, not {}); nothing was changed. Remove it there first if it is not needed", to.describe(), existing.lineage, st.lineage);
        }
        if existing.serial > st.serial {
            anyhow::bail!("cannot migrate workspace {ws:?}: {} holds a newer state (serial {} > {}); nothing was changed", to.describe(), existing.serial, st.serial);
        }
        if existing.serial == st.serial {
            if !existing.same_content(&st) {
                anyhow::bail!("cannot migrate workspace {ws:?}: {} holds a different state with the same serial {}; nothing was changed", to.describe(), st.serial);
            }
            println!(
                "Workspace {ws:?}: {} has this state already (serial {}).",
                to.describe(),
                st.serial
            );
            return Ok(());
        }
    }
    to.replace(&st, bytes.to_vec(), existing.serial).await?;
    println!(
        "Workspace {ws:?}: moved the state (serial {}, {} object(s)) from {} to {}.",
        st.serial,
        st.instances.len(),
        from.describe(),
        to.describe()
    );
    if let Backend::Local(b) = &from {
        // The local copy is kept, renamed, so that no later run reads it by mistake.
        let kept = b.path.with_extension("json.migrated");
        std::fs::rename(&b.path, &kept)?;
        println!("  The local file is kept as {}.", kept.display());
    }
    to.unlock().await;
    from.unlock().await;
    Ok(())
}
