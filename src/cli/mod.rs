//! The command line: thin commands that parse arguments, call the library and render.

mod fmt;
mod progress;

use crate::addr::Addr;
use crate::apply::{self, Persist};
use crate::config::vars::{self, Inputs, Resolved};
use crate::config::Config;
use crate::engine;
use crate::graph::{self, ResourceGraph};
use crate::plan::{self, Options, Plan};
use crate::state::{LocalBackend, State};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
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
    /// Do not use colors.
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
    /// Skip reading objects back from the API.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    refresh: bool,
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
    },
    /// Make the cloud match the configuration.
    Apply {
        #[command(flatten)]
        p: PlanArgs,
        /// Apply without asking.
        #[arg(long)]
        auto_approve: bool,
        /// How many operations run at once.
        #[arg(long, default_value_t = 10)]
        parallelism: usize,
    },
    /// Destroy everything this configuration manages.
    Destroy {
        #[command(flatten)]
        p: PlanArgs,
        #[arg(long)]
        auto_approve: bool,
        #[arg(long, default_value_t = 10)]
        parallelism: usize,
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
    /// Show the state.
    Show {
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
    /// Inspect the state.
    State {
        #[command(subcommand)]
        cmd: StateCmd,
    },
    /// Run the ModelArts simulator.
    Sim(SimArgs),
}

#[derive(Subcommand)]
enum StateCmd {
    /// List managed objects.
    List,
    /// Show one object.
    Show { addr: String },
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
    let (num, unit) = s.trim().split_at(
        s.trim()
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(s.trim().len()),
    );
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

/// Exit status and an error to print.
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

fn load(dir: &std::path::Path, va: &VarArgs) -> anyhow::Result<Loaded> {
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

struct BackendPersist<'a> {
    backend: &'a mut LocalBackend,
    previous: State,
}

impl Persist for BackendPersist<'_> {
    fn persist(&mut self, state: &mut State) -> anyhow::Result<()> {
        if self.backend.write(state, &self.previous)? {
            self.previous = state.clone();
        }
        Ok(())
    }
}

async fn run(cli: Cli) -> anyhow::Result<Exit> {
    let dir = cli.chdir.clone();
    let color =
        !cli.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    match cli.cmd {
        Cmd::Sim(a) => sim(a).await,
        Cmd::Validate { vars } => {
            let l = load(&dir, &vars)?;
            // Evaluate every resource as far as possible without the API.
            let prior = State::new();
            let data = l
                .cfg
                .resources
                .iter()
                .filter(|r| r.mode == crate::config::Mode::Data)
                .map(|r| (r.key(), crate::value::Value::Unknown))
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
        Cmd::Show { json } => {
            let backend = LocalBackend::new(&dir, "default");
            let st = backend.read()?;
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
        Cmd::State { cmd } => {
            let backend = LocalBackend::new(&dir, "default");
            let st = backend.read()?;
            match cmd {
                StateCmd::List => {
                    for a in st.instances.keys() {
                        println!("{a}");
                    }
                }
                StateCmd::Show { addr } => {
                    let a = Addr::parse(&addr).map_err(anyhow::Error::msg)?;
                    let i = st.instances.get(&a).ok_or_else(|| {
                        anyhow::anyhow!("no object {a} in the state; see maform state list")
                    })?;
                    print_instance(&a, i);
                }
            }
            Ok(Exit(0))
        }
        Cmd::Output { name, json, raw } => {
            let st = LocalBackend::new(&dir, "default").read()?;
            match name {
                Some(n) => {
                    let o = st.outputs.get(&n).ok_or_else(|| {
                        anyhow::anyhow!(
                            "no output {n:?}; run maform apply first, or check the name"
                        )
                    })?;
                    if raw {
                        match o.value.to_template_string() {
                            Some(s) => println!("{s}"),
                            None => anyhow::bail!(
                                "output {n:?} is not a string, number or bool; use --json"
                            ),
                        }
                    } else if json {
                        println!("{}", serde_json::to_string(&o.value.to_json())?);
                    } else {
                        println!("{}", o.value.to_hcl());
                    }
                }
                None => {
                    if json {
                        let m: serde_json::Map<String, serde_json::Value> = st.outputs.iter().map(|(k, o)| (k.clone(), serde_json::json!({"sensitive": o.sensitive, "value": if o.sensitive { serde_json::Value::Null } else { o.value.to_json() }}))).collect();
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
        Cmd::Plan {
            p,
            detailed_exitcode,
        } => {
            let (plan, _, _, provider, _) = make_plan(&dir, &p, false, true).await?;
            print!("{}", plan::render::plan(&plan));
            provider.stop().await?;
            Ok(Exit(
                if detailed_exitcode
                    && (plan.has_changes() || (p.refresh_only && !plan.drift.is_empty()))
                {
                    2
                } else {
                    0
                },
            ))
        }
        Cmd::Apply {
            p,
            auto_approve,
            parallelism,
        } => apply_cmd(&dir, &p, auto_approve, parallelism, false, color).await,
        Cmd::Destroy {
            mut p,
            auto_approve,
            parallelism,
        } => {
            p.destroy = true;
            apply_cmd(&dir, &p, auto_approve, parallelism, true, color).await
        }
    }
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
        sensitive: i.sensitive.clone(),
        timeouts: Default::default(),
    };
    let mut out = String::new();
    plan::render::change(&mut out, &c);
    let text = out
        .lines()
        .skip(1)
        .map(|l| {
            l.replacen("  + ", "    ", 1)
                .replacen("      + ", "        ", 1)
        })
        .collect::<Vec<_>>()
        .join("\n");
    println!(
        "# {a}:{}{text}\n",
        if i.tainted { " (tainted)" } else { "" }
    );
}

/// The state as JSON with sensitive values replaced, for `show --json`.
fn redacted_state(st: &State) -> Vec<u8> {
    let mut copy = st.clone();
    for inst in copy.instances.values_mut() {
        for p in inst.sensitive.clone() {
            redact(&mut inst.attributes, &p);
        }
    }
    for o in copy.outputs.values_mut() {
        if o.sensitive {
            o.value = crate::value::Value::str("(sensitive value)");
        }
    }
    copy.to_bytes()
}

fn redact(v: &mut crate::value::Value, p: &[crate::value::PathStep]) {
    use crate::value::{PathStep, Value};
    match (v, p.split_first()) {
        (v, None) if !v.is_null() => *v = Value::str("(sensitive value)"),
        (Value::Map(m), Some((PathStep::Key(k), rest))) => {
            if let Some(x) = m.get_mut(k) {
                redact(x, rest);
            }
        }
        (Value::List(l), Some((PathStep::Index(i), rest))) => {
            if let Some(x) = l.get_mut(*i) {
                redact(x, rest);
            }
        }
        _ => {}
    }
}

type Planned = (
    Plan,
    State,
    LocalBackend,
    engine::Provider,
    (
        Loaded,
        std::collections::BTreeMap<String, crate::value::Value>,
    ),
);

async fn make_plan(
    dir: &std::path::Path,
    p: &PlanArgs,
    _destroy: bool,
    unlock_after: bool,
) -> anyhow::Result<Planned> {
    let l = load(dir, &p.vars)?;
    let mut backend = LocalBackend::new(dir, "default");
    backend.lock(if unlock_after { "plan" } else { "apply" }, p.lock_timeout)?;
    let prior = backend.read()?;
    let provider = engine::provider(&l.cfg, &l.vars, false).await?;
    let result = async {
        let refreshed = if p.refresh {
            engine::refresh(&provider.client, &prior).await?
        } else {
            prior.clone()
        };
        let data =
            engine::read_data(&provider.client, &l.cfg, &l.vars, &l.graph, &refreshed).await?;
        let replace = p
            .replace
            .iter()
            .map(|a| Addr::parse(a).map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let opts = Options {
            destroy: p.destroy,
            refresh_only: p.refresh_only,
            replace,
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
        let plan = plan::plan(&inp)?;
        Ok::<_, anyhow::Error>((plan, refreshed, data))
    }
    .await;
    match result {
        Ok((plan, refreshed, data)) => {
            if unlock_after {
                backend.unlock();
            }
            Ok((plan, refreshed, backend, provider, (l, data)))
        }
        Err(e) => {
            provider.stop().await?;
            Err(e)
        }
    }
}

async fn apply_cmd(
    dir: &std::path::Path,
    p: &PlanArgs,
    auto_approve: bool,
    parallelism: usize,
    destroy: bool,
    color: bool,
) -> anyhow::Result<Exit> {
    if !auto_approve && !std::io::stdin().is_terminal() {
        anyhow::bail!("{} needs approval, and there is no terminal to ask in; pass --auto-approve to run non-interactively", if destroy { "destroy" } else { "apply" });
    }
    let (plan, refreshed, mut backend, provider, (l, data)) =
        make_plan(dir, p, destroy, false).await?;
    let prior = backend.read()?;
    print!("{}", plan::render::plan(&plan));
    if !plan.has_changes() && (!p.refresh_only || plan.drift.is_empty()) {
        // Record what the refresh saw, as Terraform does.
        let mut st = refreshed.clone();
        apply::outputs(&l.cfg, &l.vars, &data, &mut st)?;
        BackendPersist {
            backend: &mut backend,
            previous: prior,
        }
        .persist(&mut st)?;
        provider.stop().await?;
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
    println!();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let view = tokio::spawn(progress::render(rx, color));
    let mut state = refreshed;
    let mut persist = BackendPersist {
        backend: &mut backend,
        previous: prior,
    };
    let ctx = apply::Context {
        cfg: &l.cfg,
        vars: &l.vars,
        data: &data,
        client: provider.client.clone(),
        parallelism,
        events: tx,
    };
    let summary = apply::apply(&ctx, &plan, &mut state, &mut persist).await;
    drop(ctx);
    let _ = view.await;
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            provider.stop().await?;
            return Err(e);
        }
    };
    if destroy {
        state.outputs.clear();
    } else {
        apply::outputs(&l.cfg, &l.vars, &data, &mut state)?;
    }
    persist.persist(&mut state)?;
    provider.stop().await?;
    if summary.failed > 0 || summary.interrupted {
        println!(
            "\n{} incomplete: {} added, {} changed, {} destroyed, {} failed, {} skipped.{}",
            if destroy { "Destroy" } else { "Apply" },
            summary.added,
            summary.changed,
            summary.destroyed,
            summary.failed,
            summary.skipped,
            if summary.interrupted {
                " Interrupted: nothing new was started; the state holds everything that finished."
            } else {
                " Fix the errors above and run apply again; failed creates are recorded as tainted and will be replaced."
            }
        );
        return Ok(Exit(1));
    }
    if destroy {
        println!(
            "\nDestroy complete! Resources: {} destroyed.",
            summary.destroyed
        );
    } else {
        println!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed.",
            summary.added, summary.changed, summary.destroyed
        );
        if !state.outputs.is_empty() {
            println!("\nOutputs:\n");
            for (k, o) in &state.outputs {
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
    Ok(Exit(0))
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
