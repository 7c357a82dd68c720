//! Executing a plan: changes in dependency order (deletes in reverse), at most
//! `parallelism` at a time, each waiting for its target status; the state is persisted as
//! resources finish; a failure skips only what depends on it. Reports through [`Event`]s.

use crate::addr::Addr;
use crate::config::eval::Scope;
use crate::config::vars::Resolved;
use crate::config::{Config, Diags};
use crate::plan::{self, Action, Change, Plan};
use crate::provider::modelarts::kinds::{self, Kind, Op, OpError};
use crate::provider::modelarts::Client;
use crate::schema;
use crate::state::{Instance, OutputState, State};
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Clone, Debug)]
pub enum Event {
    Start {
        addr: Addr,
        action: Action,
        id: Option<String>,
    },
    Status {
        addr: Addr,
        status: String,
    },
    Done {
        addr: Addr,
        action: Action,
        id: Option<String>,
        elapsed: Duration,
    },
    Failed {
        addr: Addr,
        action: Action,
        error: String,
    },
    Skipped {
        addr: Addr,
        because: Addr,
    },
    Interrupted,
    Summary {
        added: usize,
        changed: usize,
        destroyed: usize,
        failed: usize,
        skipped: usize,
        interrupted: bool,
        destroy: bool,
    },
    /// Outputs after apply; `None` for sensitive ones.
    Outputs(Vec<(String, Option<Value>)>),
}

pub struct Summary {
    /// Stopped by a second signal with operations in flight: keep the journal.
    pub aborted: bool,
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub interrupted: bool,
}

/// Where the new state goes as the apply proceeds.
pub trait Persist {
    fn persist(
        &mut self,
        state: &mut State,
    ) -> impl std::future::Future<Output = anyhow::Result<()>>;
}

pub struct Context<'a> {
    pub cfg: &'a Config,
    pub vars: &'a Resolved,
    pub data: &'a BTreeMap<String, Value>,
    pub client: Arc<Client>,
    pub parallelism: usize,
    pub events: UnboundedSender<Event>,
    /// Where creates record their intent before the call and the id after it.
    pub journal: Option<Arc<crate::state::Journal>>,
}

/// Journal entries for one create.
struct JournalLog {
    journal: Option<Arc<crate::state::Journal>>,
    addr: String,
    rtype: String,
}

impl JournalLog {
    fn log(&self, e: crate::state::JournalEntry) -> kinds::LogFuture<'_> {
        Box::pin(async move {
            match &self.journal {
                Some(j) => j.append(&e).await,
                None => Ok(()),
            }
        })
    }
}

impl kinds::CreateLog for JournalLog {
    fn intent<'a>(&'a self, name: &'a str, at: i64) -> kinds::LogFuture<'a> {
        self.log(crate::state::JournalEntry::Intent {
            addr: self.addr.clone(),
            rtype: self.rtype.clone(),
            name: name.to_string(),
            at,
        })
    }
    fn created<'a>(&'a self, id: &'a str) -> kinds::LogFuture<'a> {
        self.log(crate::state::JournalEntry::Created {
            addr: self.addr.clone(),
            id: id.to_string(),
        })
    }
}

/// Evaluate one instance's configuration with the values known now.
fn desired_now(
    ctx: &Context,
    state: &State,
    ch: &Change,
    cache: &mut plan::Expansions,
) -> Result<(Value, Vec<crate::value::Path>), Diags> {
    plan::eval_instance(
        ctx.cfg,
        ctx.vars,
        ctx.data,
        state,
        &ch.addr,
        Some(&ch.deps),
        Some(cache),
    )
}

enum Outcome {
    /// The object now (None when deleted).
    Ok(Option<Instance>),
    Failed {
        error: String,
        record: Option<Instance>,
    },
}

async fn run_one(
    client: Arc<Client>,
    ch: Change,
    desired: Option<Value>,
    sensitive: Vec<crate::value::Path>,
    events: UnboundedSender<Event>,
    journal: Option<Arc<crate::state::Journal>>,
) -> Outcome {
    let kind = Kind::from_type(&ch.addr.rtype).expect("managed kind");
    let addr = ch.addr.clone();
    let ev = events.clone();
    let a2 = addr.clone();
    let progress = move |s: &str| {
        let _ = ev.send(Event::Status {
            addr: a2.clone(),
            status: s.to_string(),
        });
    };
    let timeout = |op: Op| {
        match op {
            Op::Create => ch.timeouts.create,
            Op::Update => ch.timeouts.update,
            Op::Delete => ch.timeouts.delete,
        }
        .unwrap_or_else(|| kind.default_timeout(op))
    };
    let id = ch
        .before
        .as_ref()
        .and_then(|b| b.get("id").as_str().map(str::to_string));
    let deps = ch.deps.clone();
    let record = |body: &serde_json::Value, reference: &Value, tainted: bool| {
        let attributes = kinds::stored_attrs(kind, body, reference);
        Instance {
            sensitive: schema::sensitive_for(&ch.addr.rtype, &attributes, &sensitive),
            attributes,
            dependencies: deps.clone(),
            tainted,
        }
    };
    let failed = |e: OpError, reference: &Value| {
        let rec = e.id.as_ref().map(|id| {
            let mut attrs = e
                .attrs
                .clone()
                .unwrap_or_else(|| Value::Map(BTreeMap::new()));
            if let Value::Map(m) = &mut attrs {
                m.insert("id".into(), Value::str(id.clone()));
                for (k, v) in reference.as_map().into_iter().flatten() {
                    m.entry(k.clone()).or_insert(v.clone());
                }
            }
            schema::digest_secrets(kind.schema(), &mut attrs);
            Instance {
                sensitive: schema::sensitive_for(&ch.addr.rtype, &attrs, &sensitive),
                attributes: attrs,
                dependencies: deps.clone(),
                tainted: true,
            }
        });
        Outcome::Failed {
            error: format!("{:#}", e.error),
            record: rec,
        }
    };
    match ch.action {
        Action::Delete => match kinds::delete(
            &client,
            kind,
            id.as_deref().unwrap_or(""),
            timeout(Op::Delete),
            &progress,
        )
        .await
        {
            Ok(()) => Outcome::Ok(None),
            Err(e) => Outcome::Failed {
                error: format!("{:#}", e.error),
                record: None,
            },
        },
        Action::Create | Action::Replace => {
            if ch.action == Action::Replace {
                if let Some(id) = &id {
                    if let Err(e) =
                        kinds::delete(&client, kind, id, timeout(Op::Delete), &progress).await
                    {
                        return Outcome::Failed {
                            error: format!("{:#}", e.error),
                            record: None,
                        };
                    }
                }
            }
            let desired = desired.expect("create has a configuration");
            let log = JournalLog {
                journal,
                addr: ch.addr.to_string(),
                rtype: ch.addr.rtype.clone(),
            };
            match kinds::create(
                &client,
                kind,
                &desired,
                timeout(Op::Create),
                &progress,
                &log,
            )
            .await
            {
                Ok(body) => Outcome::Ok(Some(record(&body, &desired, false))),
                Err(e) => failed(e, &desired),
            }
        }
        Action::Update => {
            let desired = desired.expect("update has a configuration");
            let prior = ch.before.clone().unwrap_or_default();
            match kinds::update(
                &client,
                kind,
                id.as_deref().unwrap_or(""),
                &prior,
                &desired,
                timeout(Op::Update),
                &progress,
            )
            .await
            {
                Ok(body) => {
                    let mut reference = desired.clone();
                    if let (Value::Map(r), Value::Map(p)) = (&mut reference, &prior) {
                        for (k, v) in p {
                            r.entry(k.clone()).or_insert(v.clone());
                        }
                    }
                    Outcome::Ok(Some(record(&body, &reference, false)))
                }
                Err(e) => Outcome::Failed {
                    error: format!("{:#}", e.error),
                    record: None,
                },
            }
        }
        Action::NoOp | Action::Read => Outcome::Ok(ch.before.clone().map(|b| Instance {
            attributes: b,
            sensitive: sensitive.clone(),
            dependencies: deps.clone(),
            tainted: false,
        })),
    }
}

/// Apply `plan` to `state`, persisting through `persist`. Returns the summary; the state is
/// left consistent whatever happens.
pub async fn apply(
    ctx: &Context<'_>,
    plan: &Plan,
    state: &mut State,
    persist: &mut impl Persist,
) -> anyhow::Result<Summary> {
    let nodes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::NoOp | Action::Read))
        .collect();
    let n = nodes.len();
    // Edges: creates/updates after what they depend on; deletes after the deletes of
    // what depends on them.
    let mut waits: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let by_res: HashMap<String, Vec<usize>> =
        nodes
            .iter()
            .enumerate()
            .fold(HashMap::new(), |mut m, (i, c)| {
                m.entry(c.addr.resource()).or_default().push(i);
                m
            });
    let deleting = |c: &Change| matches!(c.action, Action::Delete | Action::Replace);
    // For each resource, the deletes of objects that depend on it.
    let mut deleted_dependents: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, c) in nodes.iter().enumerate() {
        if c.action == Action::Delete {
            for d in &c.deps {
                deleted_dependents.entry(d.clone()).or_default().push(j);
            }
        }
    }
    for (i, c) in nodes.iter().enumerate() {
        if c.action != Action::Delete {
            for d in &c.deps {
                for &j in by_res.get(d).into_iter().flatten() {
                    if nodes[j].action != Action::Delete && j != i {
                        waits[i].insert(j);
                    }
                }
            }
        }
        if deleting(c) {
            // Everything that depends on this object and is going away goes first.
            for &j in deleted_dependents
                .get(&c.addr.resource())
                .into_iter()
                .flatten()
            {
                if j != i {
                    waits[i].insert(j);
                }
            }
        }
    }
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, w) in waits.iter().enumerate() {
        for &j in w {
            dependents[j].push(i);
        }
    }
    let mut remaining: Vec<usize> = waits.iter().map(|w| w.len()).collect();
    let mut ready: std::collections::VecDeque<usize> =
        (0..n).filter(|&i| remaining[i] == 0).collect();
    let mut done = vec![false; n];
    let mut summary = Summary {
        aborted: false,
        added: 0,
        changed: 0,
        destroyed: 0,
        failed: 0,
        skipped: 0,
        interrupted: false,
    };
    let mut set = tokio::task::JoinSet::new();
    let mut in_flight = 0usize;
    let mut started: HashMap<usize, Instant> = HashMap::new();
    let mut stop_new = false;
    let mut signals = Signals::new();
    let mut expansions = plan::Expansions::default();
    let mut aborted = false;
    let mut last_write = Instant::now() - Duration::from_secs(1);
    let mut write_cost = Duration::ZERO;
    let mut dirty = false;
    let mut finished = 0usize;

    fn skip(
        i: usize,
        cause: usize,
        nodes: &[&Change],
        dependents: &[Vec<usize>],
        done: &mut [bool],
        summary: &mut Summary,
        events: &UnboundedSender<Event>,
    ) {
        for &d in &dependents[i] {
            if !done[d] {
                done[d] = true;
                summary.skipped += 1;
                let _ = events.send(Event::Skipped {
                    addr: nodes[d].addr.clone(),
                    because: nodes[cause].addr.clone(),
                });
                skip(d, cause, nodes, dependents, done, summary, events);
            }
        }
    }

    loop {
        while !stop_new && in_flight < ctx.parallelism.max(1) {
            let Some(i) = ready.pop_front() else { break };
            if done[i] {
                continue;
            }
            let ch = nodes[i].clone();
            let (desired, sensitive) =
                if matches!(ch.action, Action::Create | Action::Replace | Action::Update) {
                    match desired_now(ctx, state, &ch, &mut expansions) {
                        Ok((config, sens)) => {
                            let sch = schema::for_type(&ch.addr.rtype).expect("managed");
                            let prior = if ch.action == Action::Update {
                                ch.before.as_ref()
                            } else {
                                None
                            };
                            (Some(plan::planned(sch, &config, prior)), sens)
                        }
                        Err(e) => {
                            done[i] = true;
                            summary.failed += 1;
                            let _ = ctx.events.send(Event::Failed {
                                addr: ch.addr.clone(),
                                action: ch.action,
                                error: e.to_string(),
                            });
                            skip(
                                i,
                                i,
                                &nodes,
                                &dependents,
                                &mut done,
                                &mut summary,
                                &ctx.events,
                            );
                            continue;
                        }
                    }
                } else {
                    (None, ch.sensitive.clone())
                };
            let _ = ctx.events.send(Event::Start {
                addr: ch.addr.clone(),
                action: ch.action,
                id: ch
                    .before
                    .as_ref()
                    .and_then(|b| b.get("id").as_str().map(str::to_string)),
            });
            started.insert(i, Instant::now());
            in_flight += 1;
            let client = ctx.client.clone();
            let events = ctx.events.clone();
            let journal = ctx.journal.clone();
            set.spawn(async move {
                (
                    i,
                    run_one(client, ch, desired, sensitive, events, journal).await,
                )
            });
        }
        if in_flight == 0 {
            break;
        }
        let joined = tokio::select! {
            j = set.join_next() => j,
            _ = signals.recv() => {
                if !stop_new {
                    // First signal: start nothing new; what is in flight finishes.
                    stop_new = true;
                    summary.interrupted = true;
                    let _ = ctx.events.send(Event::Interrupted);
                    continue;
                }
                // Second signal: stop at once. The state keeps everything that finished,
                // and the journal every create that was under way.
                set.abort_all();
                aborted = true;
                break;
            }
        };
        let Some(joined) = joined else { break };
        in_flight -= 1;
        let (i, outcome) = joined.map_err(|e| anyhow::anyhow!("an apply task failed: {e}"))?;
        done[i] = true;
        finished += 1;
        let ch = nodes[i];
        let elapsed = started.get(&i).map(|s| s.elapsed()).unwrap_or_default();
        match outcome {
            Outcome::Ok(inst) => {
                let id = inst
                    .as_ref()
                    .and_then(|x| x.attributes.get("id").as_str().map(str::to_string));
                match inst {
                    Some(x) => {
                        state.instances.insert(ch.addr.clone(), x);
                    }
                    None => {
                        state.instances.remove(&ch.addr);
                    }
                }
                match ch.action {
                    Action::Create => summary.added += 1,
                    Action::Update => summary.changed += 1,
                    Action::Delete => summary.destroyed += 1,
                    Action::Replace => {
                        summary.added += 1;
                        summary.destroyed += 1
                    }
                    _ => {}
                }
                let _ = ctx.events.send(Event::Done {
                    addr: ch.addr.clone(),
                    action: ch.action,
                    id,
                    elapsed,
                });
                for &d in &dependents[i] {
                    remaining[d] -= 1;
                    if remaining[d] == 0 {
                        ready.push_back(d);
                    }
                }
            }
            Outcome::Failed { error, record } => {
                summary.failed += 1;
                if ch.action == Action::Replace {
                    // The old object may be gone even if the new one failed.
                    state.instances.remove(&ch.addr);
                }
                if let Some(r) = record {
                    state.instances.insert(ch.addr.clone(), r);
                }
                let _ = ctx.events.send(Event::Failed {
                    addr: ch.addr.clone(),
                    action: ch.action,
                    error,
                });
                skip(
                    i,
                    i,
                    &nodes,
                    &dependents,
                    &mut done,
                    &mut summary,
                    &ctx.events,
                );
            }
        }
        dirty = true;
        // Persist after every finished resource, unless that would spend more than a
        // third of the time writing: when many finish at once, they share a write (a
        // 10,000-object state takes a few hundred ms to a database, a small one an fsync).
        // Always at the end. The create journal covers what happens between two writes.
        if last_write.elapsed() >= write_cost * 2 || finished == n {
            let t = Instant::now();
            persist.persist(state).await?;
            write_cost = t.elapsed();
            last_write = Instant::now();
            dirty = false;
        }
    }
    if stop_new {
        summary.skipped += done.iter().filter(|d| !**d).count();
    }
    summary.aborted = aborted;
    if dirty {
        persist.persist(state).await?;
    }
    Ok(summary)
}

/// Outputs from the final state.
pub fn outputs(
    cfg: &Config,
    vars: &Resolved,
    data: &BTreeMap<String, Value>,
    state: &mut State,
) -> Result<(), Diags> {
    let mut objects = state.objects();
    objects.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
    let sens = state.sensitive_attributes();
    let scope = Scope::new(
        &vars.values,
        &vars.sensitive,
        &cfg.locals,
        &objects,
        &sens,
        &cfg.dir,
    );
    let mut errs = Vec::new();
    let mut out = BTreeMap::new();
    for (name, o) in &cfg.outputs {
        match scope.eval_attr(&o.value) {
            Ok(v) => {
                out.insert(
                    name.clone(),
                    OutputState {
                        value: v,
                        sensitive: o.sensitive,
                    },
                );
            }
            // An output of a failed resource is simply absent.
            Err(e) => errs.push(e),
        }
    }
    state.outputs = out;
    let _ = errs;
    Ok(())
}

/// SIGINT and SIGTERM, as a stream.
struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let int = async {
                match &mut self.int {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let term = async {
                match &mut self.term {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = int => {}
                _ = term => {}
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
