//! Executing a plan: changes in dependency order (deletes in reverse), at most
//! `parallelism` at a time, each through the [`Provider`] and waiting for its target
//! status; the state is persisted as resources finish; a failure skips only what depends
//! on it; a first cancellation starts nothing new, a second stops at once.
//!
//! Owns the walk and the state it leaves. Must not print or read signals: it reports
//! through [`Event`]s and is cancelled through [`Cancel`].

mod event;
#[cfg(test)]
mod tests;

pub use event::{Event, Failure, Summary};

use crate::config::eval::{Objects, Scope};
use crate::config::vars::Resolved;
use crate::config::{Config, Diags};
use crate::plan::{self, Action, Change, Plan};
use crate::provider::{CreateLog, LogFuture, Op, OpContext, OpError, Provider, ResourceKind};
use crate::schema;
use crate::state::{Instance, Journal, JournalEntry, OutputState, State};
use crate::value::{Path, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

/// How a run is stopped: `stop` starts nothing new and lets what is in flight finish;
/// `abort` stops at once (the state keeps what finished, the journal what was under way).
#[derive(Clone, Default)]
pub struct Cancel {
    pub stop: CancellationToken,
    pub abort: CancellationToken,
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
    pub data: &'a Objects,
    /// The provider configurations, and which one each resource uses.
    pub providers: crate::provider::Providers,
    pub parallelism: usize,
    pub events: UnboundedSender<Event>,
    /// Where creates record their intent before the call and the id after it.
    pub journal: Option<Arc<Journal>>,
    pub cancel: Cancel,
}

/// Journal entries for one create.
struct JournalLog {
    journal: Option<Arc<Journal>>,
    addr: String,
    rtype: String,
}

impl JournalLog {
    fn log(&self, e: JournalEntry) -> LogFuture<'_> {
        Box::pin(async move {
            match &self.journal {
                Some(j) => j.append(&e).await,
                None => Ok(()),
            }
        })
    }
}

impl CreateLog for JournalLog {
    fn intent<'a>(&'a self, name: &'a str, at: i64) -> LogFuture<'a> {
        self.log(JournalEntry::Intent {
            addr: self.addr.clone(),
            rtype: self.rtype.clone(),
            name: name.to_string(),
            at,
        })
    }
    fn created<'a>(&'a self, id: &'a str) -> LogFuture<'a> {
        self.log(JournalEntry::Created {
            addr: self.addr.clone(),
            id: id.to_string(),
        })
    }
}

enum Outcome {
    /// The object now (None when deleted).
    Ok(Option<Instance>),
    Failed {
        error: Failure,
        record: Option<Instance>,
    },
}

/// One change, through the provider.
struct Job {
    provider: Arc<dyn Provider>,
    kind: &'static dyn ResourceKind,
    ch: Change,
    /// What this job does: the change's action, or one half of a create-before-destroy
    /// replacement (a create, then later a delete).
    action: Action,
    /// The key of the deposed object it destroys.
    deposed: Option<String>,
    desired: Option<Value>,
    sensitive: Vec<Path>,
    events: UnboundedSender<Event>,
    journal: Option<Arc<Journal>>,
}

impl Job {
    fn timeout(&self, op: Op) -> Duration {
        match op {
            Op::Create => self.ch.timeouts.create,
            Op::Update => self.ch.timeouts.update,
            Op::Delete => self.ch.timeouts.delete,
        }
        .unwrap_or_else(|| self.kind.default_timeout(op))
    }

    fn instance(&self, attributes: Value, tainted: bool) -> Instance {
        let mut attributes = attributes;
        // The digests the plan made (and showed) are the ones recorded; an old kind is
        // replaced by a new one.
        for (path, d) in
            schema::digest_secrets(self.kind.schema(), &mut attributes, self.ch.after.as_ref())
        {
            if let Some(x) = attributes.get_path_mut(&path) {
                *x = Value::String(d);
            }
        }
        Instance {
            sensitive: schema::sensitive_for(
                Some(self.kind.schema()),
                &attributes,
                &self.sensitive,
            ),
            attributes: attributes.into(),
            dependencies: self.ch.deps.clone(),
            tainted,
        }
    }

    /// A failed create: the object it left, if any, recorded as tainted.
    fn failed_create(&self, e: OpError, reference: &Value) -> Outcome {
        let record = e.id.as_ref().map(|id| {
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
            self.instance(attrs, true)
        });
        Outcome::Failed {
            error: Failure::from(&e),
            record,
        }
    }

    async fn run(self) -> Outcome {
        let addr = self.ch.addr.clone();
        let ev = self.events.clone();
        let deposed = self.deposed.clone();
        let progress = move |s: &str| {
            let _ = ev.send(Event::Status {
                addr: addr.clone(),
                deposed: deposed.clone(),
                status: s.to_string(),
            });
        };
        let id = self.ch.prior_id().unwrap_or("").to_string();
        let log = JournalLog {
            journal: self.journal.clone(),
            addr: self.ch.addr.to_string(),
            rtype: self.ch.addr.rtype().to_string(),
        };
        let op = |o: Op| OpContext {
            timeout: self.timeout(o),
            progress: &progress,
            log: &log,
            prior: self.ch.before.as_deref(),
        };
        let p = &self.provider;
        let fail = |e: OpError| Outcome::Failed {
            error: Failure::from(&e),
            record: None,
        };
        match self.action {
            // Out of the state; the object itself is left alone.
            Action::Forget => Outcome::Ok(None),
            Action::Delete => match p.delete(self.kind, &id, &op(Op::Delete)).await {
                Ok(()) => Outcome::Ok(None),
                Err(e) => fail(e),
            },
            Action::Create | Action::Replace | Action::CreateThenDelete => {
                // (A create-before-destroy replacement runs as two jobs, a create and
                // then a delete: never as one.)
                if self.action == Action::Replace && !id.is_empty() {
                    if let Err(e) = p.delete(self.kind, &id, &op(Op::Delete)).await {
                        return fail(e);
                    }
                }
                let desired = self.desired.as_ref().unwrap_or(&Value::Null);
                match p.create(self.kind, desired, &op(Op::Create)).await {
                    Ok(attrs) => Outcome::Ok(Some(self.instance(attrs, false))),
                    Err(e) => self.failed_create(e, desired),
                }
            }
            Action::Update => {
                let desired = self.desired.as_ref().unwrap_or(&Value::Null);
                let prior = self.ch.before.clone().unwrap_or_default();
                match p
                    .update(self.kind, &id, &prior, desired, &op(Op::Update))
                    .await
                {
                    Ok(attrs) => Outcome::Ok(Some(self.instance(attrs, false))),
                    Err(e) => fail(e),
                }
            }
            Action::NoOp | Action::Read => Outcome::Ok(self.ch.before.clone().map(|b| Instance {
                attributes: b,
                sensitive: self.sensitive.clone(),
                dependencies: self.ch.deps.clone(),
                tainted: false,
            })),
        }
    }
}

/// Among the deletions ready at the start, the newest objects go first (the others keep
/// their places): a list sorted newest first then shows the objects being deleted on its
/// first pages, so that the walks that see them gone stay short (see the provider's
/// `watch`), as they are for objects being created.
fn newest_deletes_first(nodes: &[Node<'_>], ready: &mut [usize]) {
    // (place in `ready`, creation time, node) of each deletion whose object's time is known.
    let mut deletes: Vec<(usize, i64, usize)> = ready
        .iter()
        .enumerate()
        .filter(|(_, &i)| nodes[i].action() == Action::Delete)
        .filter_map(|(k, &i)| {
            Some((
                k,
                crate::provider::created_at(nodes[i].ch.before.as_ref()?)?,
                i,
            ))
        })
        .collect();
    let places: Vec<usize> = deletes.iter().map(|(k, _, _)| *k).collect();
    // Newest first; the sort is stable, so equal times keep their order.
    deletes.sort_by_key(|(_, t, _)| std::cmp::Reverse(*t));
    for (k, (_, _, i)) in places.into_iter().zip(deletes) {
        ready[k] = i;
    }
}

/// Which part of a change a walk node does: all of it, or one half of a
/// create-before-destroy replacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Whole,
    /// Depose the current object and create the replacement.
    CreateNew,
    /// Destroy the deposed object, once dependents use the replacement.
    DestroyOld,
}

/// One unit of the walk.
#[derive(Clone, Copy)]
struct Node<'p> {
    ch: &'p Change,
    step: Step,
}

impl Node<'_> {
    /// What the node does, as events and counts report it.
    fn action(&self) -> Action {
        match self.step {
            Step::Whole => self.ch.action,
            Step::CreateNew => Action::Create,
            Step::DestroyOld => Action::Delete,
        }
    }
}

/// How many operations apply reports for `plan` (a create-before-destroy replacement is
/// two: the create and the destroy).
pub fn operations(plan: &Plan) -> usize {
    plan.changes
        .iter()
        .filter(|c| c.action.acts())
        .map(|c| 1 + usize::from(c.action == Action::CreateThenDelete))
        .sum()
}

/// The order nodes run in: for each node, the nodes it waits for.
/// Creates and updates run after what they depend on; deletes after the deletes of what
/// depends on them; the destroy half of a create-before-destroy replacement after its
/// create and after everything that depends on it has been created or updated (so that
/// it uses the replacement), as Terraform orders it.
fn edges(nodes: &[Node<'_>]) -> Vec<BTreeSet<usize>> {
    let n = nodes.len();
    let mut waits: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let mut by_res: HashMap<&crate::addr::ResourceAddr, Vec<usize>> = HashMap::new();
    for (i, c) in nodes.iter().enumerate() {
        by_res.entry(&c.ch.addr.resource).or_default().push(i);
    }
    // For each resource, the deletes of objects that depend on it, and the other
    // operations on objects that depend on it.
    let mut deleted_dependents: HashMap<&crate::addr::ResourceAddr, Vec<usize>> = HashMap::new();
    let mut other_dependents: HashMap<&crate::addr::ResourceAddr, Vec<usize>> = HashMap::new();
    for (j, c) in nodes.iter().enumerate() {
        let to = if c.action() == Action::Delete {
            &mut deleted_dependents
        } else {
            &mut other_dependents
        };
        for d in &c.ch.deps {
            to.entry(d).or_default().push(j);
        }
    }
    for (i, c) in nodes.iter().enumerate() {
        let action = c.action();
        if action != Action::Delete {
            for d in &c.ch.deps {
                for &j in by_res.get(d).into_iter().flatten() {
                    if nodes[j].action() != Action::Delete && j != i {
                        waits[i].insert(j);
                    }
                }
            }
        }
        if action.destroys() {
            // Everything that depends on this object and is going away goes first.
            for &j in deleted_dependents
                .get(&c.ch.addr.resource)
                .into_iter()
                .flatten()
            {
                if j != i {
                    waits[i].insert(j);
                }
            }
        }
        if c.step == Step::DestroyOld {
            // Its own create is the node before it.
            waits[i].insert(i - 1);
            for &j in other_dependents
                .get(&c.ch.addr.resource)
                .into_iter()
                .flatten()
            {
                if !std::ptr::eq(nodes[j].ch, c.ch) {
                    waits[i].insert(j);
                }
            }
        }
    }
    waits
}

/// The walk's bookkeeping: what is done, what waits, what may start.
struct Walk<'p> {
    nodes: Vec<Node<'p>>,
    dependents: Vec<Vec<usize>>,
    remaining: Vec<usize>,
    ready: VecDeque<usize>,
    done: Vec<bool>,
}

impl<'p> Walk<'p> {
    fn new(plan: &'p Plan) -> Walk<'p> {
        let mut nodes: Vec<Node<'p>> = Vec::new();
        for ch in plan.changes.iter().filter(|c| c.action.acts()) {
            if ch.action == Action::CreateThenDelete {
                nodes.push(Node {
                    ch,
                    step: Step::CreateNew,
                });
                nodes.push(Node {
                    ch,
                    step: Step::DestroyOld,
                });
            } else {
                nodes.push(Node {
                    ch,
                    step: Step::Whole,
                });
            }
        }
        let waits = edges(&nodes);
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for (i, w) in waits.iter().enumerate() {
            for &j in w {
                dependents[j].push(i);
            }
        }
        let remaining: Vec<usize> = waits.iter().map(|w| w.len()).collect();
        let mut ready: Vec<usize> = (0..nodes.len()).filter(|&i| remaining[i] == 0).collect();
        newest_deletes_first(&nodes, &mut ready);
        Walk {
            done: vec![false; nodes.len()],
            nodes,
            dependents,
            remaining,
            ready: ready.into(),
        }
    }

    /// `i` finished: its dependents may become ready.
    fn finished(&mut self, i: usize) {
        for &d in &self.dependents[i] {
            self.remaining[d] -= 1;
            if self.remaining[d] == 0 {
                self.ready.push_back(d);
            }
        }
    }

    /// `i` failed: everything that depends on it is skipped. (The destroy half of a
    /// replacement whose create failed is not an operation of its own: the old object
    /// stays, silently.)
    fn skip_dependents(
        &mut self,
        i: usize,
        summary: &mut Summary,
        events: &UnboundedSender<Event>,
    ) {
        let mut stack = vec![i];
        while let Some(x) = stack.pop() {
            for &d in &self.dependents[x] {
                if !self.done[d] {
                    self.done[d] = true;
                    stack.push(d);
                    if std::ptr::eq(self.nodes[d].ch, self.nodes[i].ch) {
                        continue;
                    }
                    summary.skipped += 1;
                    let _ = events.send(Event::Skipped {
                        addr: self.nodes[d].ch.addr.clone(),
                        because: self.nodes[i].ch.addr.clone(),
                    });
                }
            }
        }
    }
}

/// The deposed key of the object node `i` acts on: the one its replacement deposed, or
/// the leftover one its change destroys.
fn deposed_key(i: usize, node: Node<'_>, deposed: &HashMap<usize, String>) -> Option<String> {
    match node.step {
        Step::DestroyOld => deposed.get(&i).cloned(),
        _ => node.ch.deposed.clone(),
    }
}

/// What a change sends: its configuration evaluated with the values known now.
fn desired_now(
    ctx: &Context<'_>,
    state: &State,
    node: Node<'_>,
    kind: &'static dyn ResourceKind,
    cache: &mut plan::Expansions,
) -> Result<(Option<Value>, Vec<Path>), Diags> {
    let ch = node.ch;
    if node.step == Step::DestroyOld || !ch.action.sends_config() {
        return Ok((None, ch.sensitive.clone()));
    }
    let (config, sens) = plan::eval_instance(
        ctx.cfg,
        ctx.vars,
        ctx.data,
        state,
        &ch.addr,
        Some(&ch.deps),
        Some(cache),
    )?;
    let prior = (ch.action == Action::Update)
        .then_some(ch.before.as_deref())
        .flatten();
    let Some(r) = ctx.cfg.resource(&ch.addr.resource) else {
        return Ok((Some(plan::planned(kind.schema(), &config, prior)), sens));
    };
    Ok((Some(plan::shape(r, kind.schema(), &config, prior)), sens))
}

/// Check an instance's preconditions (or, with `post`, its postconditions on `post`)
/// with the values known now; the error is every failure, ready to show.
fn conditions_now(
    ctx: &Context<'_>,
    state: &State,
    ch: &Change,
    cache: &mut plan::Expansions,
    post: Option<Value>,
) -> Result<(), String> {
    let Some(r) = ctx.cfg.resource(&ch.addr.resource) else {
        return Ok(());
    };
    let conds = if post.is_some() {
        &r.lifecycle.postconditions
    } else {
        &r.lifecycle.preconditions
    };
    if conds.is_empty() {
        return Ok(());
    }
    match plan::failed_conditions(
        ctx.cfg,
        ctx.vars,
        ctx.data,
        state,
        &ch.addr,
        Some(&ch.deps),
        Some(cache),
        post,
    ) {
        Ok(f) if f.is_empty() => Ok(()),
        Ok(f) => Err(crate::config::Diags(f).to_string()),
        Err(e) => Err(e.to_string()),
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
    let mut walk = Walk::new(plan);
    let n = walk.nodes.len();
    let mut summary = Summary {
        destroy: plan.options.destroy,
        ..Summary::default()
    };
    let mut set = tokio::task::JoinSet::new();
    let mut in_flight = 0usize;
    let mut started: HashMap<usize, Instant> = HashMap::new();
    let mut stop_new = false;
    let mut expansions = plan::Expansions::default();
    let mut last_write = Instant::now() - Duration::from_secs(1);
    let mut write_cost = Duration::ZERO;
    let mut dirty = false;
    let mut finished = 0usize;
    // The keys under which create-before-destroy replacements deposed their old
    // objects, by the index of the node that destroys them.
    let mut deposed: HashMap<usize, String> = HashMap::new();
    let fail_now = |walk: &mut Walk<'_>,
                    summary: &mut Summary,
                    deposed: &HashMap<usize, String>,
                    i: usize,
                    error: Failure| {
        walk.done[i] = true;
        summary.failed += 1;
        let node = walk.nodes[i];
        let _ = ctx.events.send(Event::Failed {
            addr: node.ch.addr.clone(),
            deposed: deposed_key(i, node, deposed),
            action: node.action(),
            error,
        });
        walk.skip_dependents(i, summary, &ctx.events);
    };

    loop {
        while !stop_new && in_flight < ctx.parallelism.max(1) {
            let Some(i) = walk.ready.pop_front() else {
                break;
            };
            if walk.done[i] {
                continue;
            }
            let node = walk.nodes[i];
            let ch = node.ch;
            let Some(kind) = ctx.cfg.registry.kind(ch.addr.rtype()) else {
                let why = format!(
                    "{} is not a resource type maform manages; remove it from the state with maform state rm {}",
                    ch.addr.rtype(),
                    ch.addr
                );
                fail_now(&mut walk, &mut summary, &deposed, i, Failure::local(why));
                continue;
            };
            let (desired, sensitive) = match desired_now(ctx, state, node, kind, &mut expansions) {
                Ok(x) => x,
                Err(e) => {
                    fail_now(
                        &mut walk,
                        &mut summary,
                        &deposed,
                        i,
                        Failure::local(e.to_string()),
                    );
                    continue;
                }
            };
            // Preconditions again, with what is known now (the plan checked those it
            // could).
            if desired.is_some() {
                if let Err(why) = conditions_now(ctx, state, ch, &mut expansions, None) {
                    fail_now(&mut walk, &mut summary, &deposed, i, Failure::local(why));
                    continue;
                }
            }
            // The replacement is created first: the current object moves aside (the
            // journal and the next state write keep both).
            if node.step == Step::CreateNew {
                if let Some(key) = state.depose(&ch.addr) {
                    deposed.insert(i + 1, key);
                }
            }
            let _ = ctx.events.send(Event::Start {
                addr: ch.addr.clone(),
                deposed: deposed_key(i, node, &deposed),
                action: node.action(),
                id: ch
                    .prior_id()
                    .filter(|_| node.step != Step::CreateNew)
                    .map(str::to_string),
            });
            started.insert(i, Instant::now());
            in_flight += 1;
            let job = Job {
                provider: ctx.providers.of(&ch.addr.resource).clone(),
                kind,
                ch: ch.clone(),
                action: node.action(),
                deposed: deposed_key(i, node, &deposed),
                desired,
                sensitive,
                events: ctx.events.clone(),
                journal: ctx.journal.clone(),
            };
            set.spawn(async move { (i, job.run().await) });
        }
        if in_flight == 0 {
            break;
        }
        let joined = tokio::select! {
            j = set.join_next() => j,
            _ = ctx.cancel.stop.cancelled(), if !stop_new => {
                // First signal: start nothing new; what is in flight finishes.
                stop_new = true;
                summary.interrupted = true;
                let _ = ctx.events.send(Event::Interrupted);
                continue;
            }
            _ = ctx.cancel.abort.cancelled() => {
                // Second signal: stop at once. The state keeps everything that finished,
                // and the journal every create that was under way. (Both signals may be
                // seen here at once: an abort is an interruption too.)
                if !stop_new {
                    stop_new = true;
                    summary.interrupted = true;
                    let _ = ctx.events.send(Event::Interrupted);
                }
                set.abort_all();
                summary.aborted = true;
                break;
            }
        };
        let Some(joined) = joined else { break };
        in_flight -= 1;
        let (i, outcome) = joined.map_err(|e| anyhow::anyhow!("an apply task failed: {e}"))?;
        walk.done[i] = true;
        finished += 1;
        let node = walk.nodes[i];
        let ch = node.ch;
        let key = deposed_key(i, node, &deposed);
        let elapsed = started.get(&i).map(|s| s.elapsed()).unwrap_or_default();
        match outcome {
            Outcome::Ok(inst) => {
                let id = inst
                    .as_ref()
                    .and_then(|x| x.attributes.get("id").as_str().map(str::to_string));
                let post = inst.as_ref().map(|x| Value::clone(&x.attributes));
                match (inst, &key) {
                    (Some(x), _) => {
                        // Which provider configuration owns it is on record with it.
                        if let Some(a) = ctx.providers.alias_of(&ch.addr.resource) {
                            if state.alias_of(&ch.addr.resource) != Some(a) {
                                state
                                    .resource_aliases
                                    .insert(ch.addr.resource.clone(), a.to_string());
                            }
                        }
                        state.instances.insert(ch.addr.clone(), x);
                    }
                    (None, Some(k)) => {
                        state.deposed.remove(&(ch.addr.clone(), k.clone()));
                    }
                    (None, None) => {
                        state.instances.remove(&ch.addr);
                    }
                }
                // Postconditions on the object as made: a failure keeps it (it exists) and
                // fails the resource, so that nothing that depends on it goes ahead.
                if let Some(v) = post {
                    if let Err(why) = conditions_now(ctx, state, ch, &mut expansions, Some(v)) {
                        fail_now(&mut walk, &mut summary, &deposed, i, Failure::local(why));
                        dirty = true;
                        continue;
                    }
                }
                summary.done.count(node.action());
                let _ = ctx.events.send(Event::Done {
                    addr: ch.addr.clone(),
                    deposed: key,
                    action: node.action(),
                    id,
                    elapsed,
                });
                walk.finished(i);
            }
            Outcome::Failed { error, record } => {
                match node.step {
                    Step::Whole if ch.action == Action::Replace => {
                        // The old object may be gone even if the new one failed.
                        state.instances.remove(&ch.addr);
                    }
                    // A replacement that was never made: the old object is current
                    // again (a failed one that exists is current, tainted, and the old
                    // one stays deposed for the next plan to destroy).
                    Step::CreateNew if record.is_none() => {
                        if let Some(k) = deposed.get(&(i + 1)) {
                            state.restore_deposed(&ch.addr, k);
                        }
                    }
                    _ => {}
                }
                if let Some(r) = record {
                    if let Some(a) = ctx.providers.alias_of(&ch.addr.resource) {
                        state
                            .resource_aliases
                            .insert(ch.addr.resource.clone(), a.to_string());
                    }
                    state.instances.insert(ch.addr.clone(), r);
                }
                fail_now(&mut walk, &mut summary, &deposed, i, error);
            }
        }
        dirty = true;
        // Persist after every finished resource, but not more than ten times a second nor
        // for more than a tenth of the time: when many finish at once, they share a write (a
        // 10,000-object state takes a few hundred ms to a database, a small one an fsync).
        // Always at the end. The create journal covers what happens between two writes.
        if last_write.elapsed() >= (write_cost * 9).max(Duration::from_millis(100)) || finished == n
        {
            let t = Instant::now();
            persist.persist(state).await?;
            write_cost = t.elapsed();
            last_write = Instant::now();
            dirty = false;
        }
    }
    if stop_new {
        summary.skipped += walk.done.iter().filter(|d| !**d).count();
    } else if let Some(i) = walk.done.iter().position(|d| !*d) {
        // Nothing in flight and nothing ready, yet something never ran: the changes wait
        // for each other. Never reported as done.
        if dirty {
            persist.persist(state).await?;
        }
        anyhow::bail!(
            "{} (and {} more) could not start: the planned changes wait for each other; nothing else was started. Please report this plan",
            walk.nodes[i].ch.addr,
            walk.done.iter().filter(|d| !**d).count() - 1
        );
    }
    if dirty {
        persist.persist(state).await?;
    }
    Ok(summary)
}

/// Outputs from the final state. An output of a failed resource is simply absent, and so
/// is one whose precondition fails: those failures are returned, to report as errors.
pub fn outputs(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &mut State,
) -> Vec<crate::config::Diag> {
    let mut failed = Vec::new();
    let modules = match plan::instances::module_values(cfg, vars, data, state, &Default::default())
    {
        Ok(m) => m,
        Err(e) => {
            failed.extend(e.0);
            Default::default()
        }
    };
    // The objects' values are a copy of the whole state: made only when there is an output
    // (10,000 notebooks' copies were an apply's peak memory).
    let mut objects = Objects::new();
    let mut sens = Default::default();
    if !cfg.outputs.is_empty() {
        objects = state.objects();
        objects.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
        sens = state.sensitive_attributes();
    }
    let mut scope = Scope::of(cfg, vars, &objects, &sens);
    scope.modules = &modules;
    state.outputs = cfg
        .outputs
        .iter()
        .filter_map(|(name, o)| {
            let value = scope.eval_attr(&o.value).ok()?;
            let f = plan::conditions::failures(
                &scope,
                &o.preconditions,
                "Module output value precondition failed",
            );
            if !f.is_empty() {
                failed.extend(f);
                return None;
            }
            Some((
                name.clone(),
                OutputState {
                    value,
                    sensitive: o.sensitive,
                },
            ))
        })
        .collect();
    // The modules' output preconditions, on what apply made.
    failed.extend(plan::instances::module_output_failures(
        cfg,
        vars,
        data,
        state,
        &Default::default(),
    ));
    failed
}

/// The check blocks' failed assertions on the final state: warnings.
pub fn checks(cfg: &Config, vars: &Resolved, data: &Objects, state: &State) -> Vec<String> {
    let mut out = Vec::new();
    // The objects' values are a copy of the whole state: made only when there is a check.
    if !cfg.checks.is_empty() {
        let mut objects = state.objects();
        objects.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
        let sens = state.sensitive_attributes();
        let modules = plan::instances::module_values(cfg, vars, data, state, &Default::default())
            .unwrap_or_default();
        out.extend(
            plan::planner::check_blocks(cfg, vars, &objects, &sens, &modules)
                .iter()
                .map(|d| d.to_string()),
        );
    }
    // And those of the modules, in each of their instances.
    out.extend(
        plan::instances::module_checks(cfg, vars, data, state, &Default::default())
            .iter()
            .map(|d| d.to_string()),
    );
    out
}
