//! The planner: a pure function from configuration, variables, prior and refreshed
//! state and data source values to the changes, each with its reason; and drift, what
//! changed outside maform. No network, no terminal.

use super::conditions::{self, Checkable, Checks};
use super::instances::{aggregate, decode_instance, expand};
use super::{Action, ActionReason, Change, Drift, Options, OutputChange, Plan};
use crate::addr::{InstanceAddr, Mode, ModulePath, ResourceAddr};
use crate::config::eval::{Objects, Scope, SecretAttrs};
use crate::config::vars::Resolved;
use crate::config::{Config, Diag, Diags, Resource};
use crate::graph::{Item, ResourceGraph};
use crate::provider::Registry;
use crate::schema::{self, Presence, Schema, Ty};
use crate::state::State;
use crate::value::{Path, PathStep, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Whether two objects are equal but for `volatile` top-level attributes.
fn same_but(a: &Value, b: &Value, volatile: &[&str]) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let kept = |(k, _): &(&String, &Value)| !volatile.contains(&k.as_str());
            x.iter().filter(kept).eq(y.iter().filter(kept))
        }
        _ => a == b,
    }
}

/// The attributes a kind's drift ignores (the default for types no kind knows).
pub fn volatile_of(registry: &Registry, rtype: &str) -> &'static [&'static str] {
    registry
        .kind(rtype)
        .map(|k| k.volatile())
        .unwrap_or(&["updated_at"])
}

/// What changed outside maform: the prior state against the refreshed one.
pub fn drift(registry: &Registry, prior: &State, refreshed: &State) -> Vec<Drift> {
    let mut out = Vec::new();
    for (addr, p) in &prior.instances {
        if addr.mode() != Mode::Managed {
            continue;
        }
        let volatile = volatile_of(registry, addr.rtype());
        let sch = registry.schema(Mode::Managed, addr.rtype());
        let sensitive = schema::sensitive_for(sch, &p.attributes, &p.sensitive);
        let after = match refreshed.instances.get(addr) {
            None => None,
            Some(r) if !same_but(&p.attributes, &r.attributes, volatile) => {
                Some(Value::clone(&r.attributes))
            }
            Some(_) => continue,
        };
        out.push(Drift {
            addr: addr.clone(),
            before: Value::clone(&p.attributes),
            after,
            sensitive,
            volatile,
        });
    }
    out
}

/// Leaf paths where `a` and `b` differ.
pub fn diff_paths(a: &Value, b: &Value, at: &mut Path, out: &mut Vec<Path>) {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                at.push(PathStep::Key(k.clone()));
                diff_paths(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    at,
                    out,
                );
                at.pop();
            }
        }
        (Value::List(x), Value::List(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                at.push(PathStep::Index(i));
                diff_paths(p, q, at, out);
                at.pop();
            }
        }
        (x, y) => {
            if x != y || !y.is_known() {
                out.push(at.clone());
            }
        }
    }
}

/// Whether changing `path` forces a new object.
pub fn forces_new(s: &Schema, path: &[PathStep]) -> bool {
    let mut schema = s;
    for step in path {
        let PathStep::Key(k) = step else { continue };
        let Some(a) = schema.get(k) else { return false };
        if a.force_new {
            return true;
        }
        match &a.ty {
            Ty::Block(inner, _) => schema = inner,
            _ => return false,
        }
    }
    false
}

/// The planned object: the configuration where it has an opinion, the prior object for
/// what the service computes; unknown where a new object's computed value will be.
pub fn planned(s: &Schema, config: &Value, prior: Option<&Value>) -> Value {
    // Collected, then built in one go: a map built by inserts keeps its nodes half full
    // (for 10,000 objects that is twice the memory of the state).
    let mut out = Vec::with_capacity(s.attrs.len());
    let fallback = |p: Option<&Value>| {
        p.cloned().unwrap_or(if prior.is_some() {
            Value::Null
        } else {
            Value::Unknown
        })
    };
    for a in &s.attrs {
        let c = config.get(a.name);
        let p = prior.map(|p| p.get(a.name)).filter(|v| !v.is_null());
        let v = match (a.presence, &a.ty) {
            (Presence::Computed, _) => fallback(p),
            (_, Ty::Block(inner, repeated)) => match c {
                Value::Null if a.presence == Presence::OptionalComputed => fallback(p),
                Value::Null => Value::Null,
                Value::List(items) if *repeated => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, e)| {
                            planned(
                                inner,
                                e,
                                p.and_then(|pl| pl.as_list()).and_then(|l| l.get(i)).or(
                                    if prior.is_some() {
                                        Some(&Value::Null)
                                    } else {
                                        None
                                    },
                                ),
                            )
                        })
                        .collect(),
                ),
                m @ Value::Map(_) => planned(
                    inner,
                    m,
                    p.or(if prior.is_some() {
                        Some(&Value::Null)
                    } else {
                        None
                    }),
                ),
                other => other.clone(),
            },
            (Presence::OptionalComputed, _) if c.is_null() => fallback(p),
            _ => c.clone(),
        };
        if !v.is_null() {
            out.push((a.name.to_string(), v));
        }
    }
    Value::Map(out.into_iter().collect())
}

/// The object an instance is planned to become: its configuration over the prior object
/// (`None` for a new one), with the resource's lifecycle applied (`ignore_changes`, a
/// `desired_state` the object is not in). Apply sends what this gives for the same inputs.
pub fn shape(r: &Resource, sch: &Schema, config: &Value, prior: Option<&Value>) -> Value {
    let mut after = planned(sch, config, prior);
    if let Some(p) = prior {
        for ig in &r.lifecycle.ignore_changes {
            let path: Vec<&str> = ig.split('.').collect();
            set_path(&mut after, &path, get_path(p, &path).clone());
        }
        if r.lifecycle.ignore_all {
            after = p.clone();
        }
        if let Some(ds) = config.get("desired_state").as_str() {
            let st = p.get("status").as_str().unwrap_or("");
            if st != ds && matches!(st, "RUNNING" | "STOPPED") {
                set_path(&mut after, &["status"], Value::str(ds));
            }
        }
    }
    after
}

fn set_path(v: &mut Value, path: &[&str], new: Value) {
    match path.split_first() {
        None => *v = new,
        Some((k, rest)) => {
            if let Value::Map(m) = v {
                if rest.is_empty() {
                    if new.is_null() {
                        m.remove(*k);
                    } else {
                        m.insert(k.to_string(), new);
                    }
                } else if let Some(x) = m.get_mut(*k) {
                    set_path(x, rest, new);
                }
            }
        }
    }
}

fn get_path<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
    path.iter().fold(v, |cur, k| cur.get(k))
}

pub struct Inputs<'a> {
    pub cfg: &'a Config,
    pub vars: &'a Resolved,
    pub graph: &'a ResourceGraph,
    pub prior: &'a State,
    pub refreshed: &'a State,
    /// Data source values (object, or list/map for count/for_each).
    pub data: &'a Objects,
    pub options: &'a Options,
}

/// What the planner accumulates across modules.
struct Acc {
    errs: Vec<Diag>,
    changes: Vec<Change>,
    rehash: Vec<(InstanceAddr, Path, String)>,
    configured: BTreeSet<InstanceAddr>,
    /// Changes that would destroy a prevent_destroy resource, checked once the plan's
    /// scope is known.
    guarded: Vec<(InstanceAddr, Diag)>,
    condition_warnings: Vec<Diag>,
    /// What the conditions of each object instance said.
    checks: Checks,
    /// Which instance each error came from (by its index in `errs`), so that one mistake
    /// repeated by count or for_each is reported once, with the instances.
    tags: BTreeMap<usize, InstanceAddr>,
    tagged: usize,
    last_instance: Option<InstanceAddr>,
    /// The module instances the configuration has.
    paths: BTreeSet<ModulePath>,
}

/// The values a module's expressions see once its resources are planned.
#[derive(Default)]
struct Planned {
    objects: Objects,
    sensitive_objects: SecretAttrs,
    /// The modules it calls: their outputs, by call name.
    modules: BTreeMap<String, Value>,
    /// Every resource planned in it (its modules' too), with its module path.
    resources: Vec<ResourceAddr>,
}

/// Plan the resources and module calls of one module instance (`path`; the root's is
/// empty), in dependency order. `outer` is what the module call depends on: every
/// resource in it depends on that too.
#[allow(clippy::too_many_arguments)]
fn plan_module(
    inp: &Inputs<'_>,
    acc: &mut Acc,
    cfg: &Config,
    graph: &ResourceGraph,
    vars: &Resolved,
    path: &ModulePath,
    outer: &[ResourceAddr],
    objects: Objects,
) -> Planned {
    let opts = inp.options;
    acc.paths.insert(path.clone());
    let mut out = Planned {
        objects,
        ..Planned::default()
    };
    // A data source not read (validate reads none) is known only after apply.
    for r in cfg.resources.iter().filter(|r| r.mode == Mode::Data) {
        out.objects.entry(r.addr()).or_insert(Value::Unknown);
    }
    // The resources of each module call planned so far (what depending on it means).
    let mut call_resources: BTreeMap<String, Vec<ResourceAddr>> = BTreeMap::new();
    for item in &graph.sequence {
        let ri = match item {
            Item::Resource(ri) => *ri,
            Item::Module(name) => {
                plan_call(
                    inp,
                    acc,
                    cfg,
                    graph,
                    vars,
                    path,
                    outer,
                    name,
                    &mut out,
                    &mut call_resources,
                );
                continue;
            }
        };
        let r = &cfg.resources[ri];
        if r.mode == Mode::Data {
            continue;
        }
        let Some(kind) = cfg.registry.kind(&r.rtype) else {
            continue;
        };
        let sch = kind.schema();
        let mut raddr = r.addr();
        raddr.module = path.clone();
        let mut scope = Scope::of(cfg, vars, &out.objects, &out.sensitive_objects);
        scope.modules = &out.modules;
        let room = inp
            .cfg
            .limits
            .max_instances
            .saturating_sub(acc.configured.len());
        let keys = match expand(r, &scope, room, inp.cfg.limits.max_instances) {
            Ok(k) => k,
            Err(e) => {
                acc.errs.push(e);
                continue;
            }
        };
        let mut deps: Vec<ResourceAddr> =
            graph.deps[ri].iter().map(|d| in_module(d, path)).collect();
        for m in &graph.module_deps[ri] {
            deps.extend(call_resources.get(m).into_iter().flatten().cloned());
        }
        deps.extend(outer.iter().cloned());
        let mut values = Vec::new();
        let mut secret_attrs: BTreeSet<String> = BTreeSet::new();
        let mut new_changes = Vec::new();
        for (key, each) in keys {
            let addr = raddr.instance(key.clone());
            let iscope = scope.for_instance(key.as_ref(), each);
            let before_errs = acc.errs.len();
            // Errors of the previous instance are its own.
            tag(
                &mut acc.tags,
                &mut acc.tagged,
                acc.errs.len(),
                &acc.last_instance,
            );
            acc.last_instance = Some(addr.clone());
            let (config, mut sensitive) = decode_instance(r, sch, &iscope, &mut acc.errs);
            for (summary, detail) in kind.check(&config) {
                acc.errs.push(Diag::new(
                    Some(&r.span),
                    format!("{raddr}: {summary}"),
                    detail,
                ));
            }
            if acc.errs.len() > before_errs {
                continue;
            }
            // Preconditions, with the instance's each and count. (A refresh-only
            // plan reports failures as warnings, as Terraform does.)
            let found = conditions::evaluate(
                &iscope,
                &r.lifecycle.preconditions,
                "Resource precondition failed",
            );
            if !r.lifecycle.preconditions.is_empty() || !r.lifecycle.postconditions.is_empty() {
                acc.checks
                    .record(Checkable::resource(&raddr), path, key.clone(), &found);
            }
            let failed = found.failures;
            if !failed.is_empty() {
                if opts.refresh_only {
                    acc.condition_warnings.extend(failed);
                } else {
                    acc.errs.extend(failed);
                    continue;
                }
            }
            acc.configured.insert(addr.clone());
            let prior_inst = inp.refreshed.instances.get(&addr);
            let prior = prior_inst.map(|i| &*i.attributes);
            let requested = opts.replace.contains(&addr);
            let tainted = prior_inst.is_some_and(|i| i.tainted);
            let mut after = shape(
                r,
                sch,
                &config,
                if tainted || requested { None } else { prior },
            );
            // The plan (and so its renderings and saved files) holds digests of
            // write-only secrets, never the secrets; apply re-reads the configuration.
            // An unchanged secret keeps the digest the state has.
            for (path, d) in schema::digest_secrets(sch, &mut after, prior) {
                acc.rehash.push((addr.clone(), path, d));
            }
            sensitive.extend(prior_inst.map(|i| i.sensitive.clone()).unwrap_or_default());
            sensitive = schema::sensitive_for(Some(sch), &after, &sensitive);
            if let Some(p) = prior {
                sensitive = schema::sensitive_for(Some(sch), p, &sensitive);
            }
            secret_attrs.extend(sensitive.iter().filter_map(|p| match p.first() {
                Some(PathStep::Key(k)) => Some(k.clone()),
                _ => None,
            }));
            let (mut action, replace_paths, mut reason) = match prior {
                None => (Action::Create, vec![], None),
                Some(_) if tainted => (Action::Replace, vec![], Some(ActionReason::Tainted)),
                Some(_) if requested => (Action::Replace, vec![], Some(ActionReason::Requested)),
                Some(p) => {
                    let mut paths = Vec::new();
                    diff_paths(p, &after, &mut Vec::new(), &mut paths);
                    if paths.is_empty() {
                        (Action::NoOp, vec![], None)
                    } else {
                        let mut forcing: Vec<Path> = paths
                            .iter()
                            .filter(|x| forces_new(sch, x))
                            .cloned()
                            .collect();
                        let mut reason = ActionReason::CannotUpdate;
                        if let Some((path, why)) = kind.replace_rule(p, &after) {
                            forcing.push(path);
                            reason = ActionReason::KindRule { why: why.into() };
                        }
                        if forcing.is_empty() {
                            (Action::Update, vec![], None)
                        } else {
                            (Action::Replace, forcing, Some(reason))
                        }
                    }
                }
            };
            // replace_triggered_by: a change of what it names replaces this object.
            if matches!(action, Action::NoOp | Action::Update) {
                match triggered(r, &iscope, &acc.changes, path) {
                    Ok(Some(by)) => {
                        action = Action::Replace;
                        reason = Some(ActionReason::Triggered { by });
                    }
                    Ok(None) => {}
                    Err(e) => acc.errs.push(e),
                }
            }
            if action.replaces() {
                if r.lifecycle.prevent_destroy {
                    acc.guarded.push((addr.clone(), Diag::new(Some(&r.span), format!("{addr} has lifecycle.prevent_destroy set but the plan replaces it"), "Change the configuration so that it can be updated in place, or remove prevent_destroy.")));
                }
                after = shape(r, sch, &config, None);
                schema::digest_secrets(sch, &mut after, prior);
            }
            // Postconditions see the planned object as `self`; what is known only
            // after apply is checked then.
            if !r.lifecycle.postconditions.is_empty() {
                let found = iscope.with_self(after.clone(), |s| {
                    conditions::evaluate(
                        s,
                        &r.lifecycle.postconditions,
                        "Resource postcondition failed",
                    )
                });
                acc.checks
                    .record(Checkable::resource(&raddr), path, key.clone(), &found);
                let failed = found.failures;
                if opts.refresh_only {
                    acc.condition_warnings.extend(failed);
                } else {
                    acc.errs.extend(failed);
                }
            }
            // A no-op keeps one copy of the object: its `after` is its `before`.
            let after = if action == Action::NoOp {
                values.push((key, after));
                None
            } else {
                values.push((key, after.clone()));
                Some(after)
            };
            new_changes.push(Change {
                addr,
                action,
                before: prior_inst.map(|i| i.attributes.clone()),
                after,
                replace_paths,
                reason,
                deps: deps.clone(),
                sensitive,
                timeouts: r.timeouts.clone(),
                deposed: None,
            });
        }
        tag(
            &mut acc.tags,
            &mut acc.tagged,
            acc.errs.len(),
            &acc.last_instance,
        );
        acc.last_instance = None;
        acc.changes.extend(new_changes);
        if !secret_attrs.is_empty() {
            out.sensitive_objects.insert(r.addr(), secret_attrs);
        }
        out.objects.insert(r.addr(), aggregate(values, r));
        out.resources.push(raddr);
    }
    out
}

/// `addr` of a module's configuration, at the module instance `path`.
fn in_module(addr: &ResourceAddr, path: &ModulePath) -> ResourceAddr {
    let mut a = addr.clone();
    a.module = path.clone();
    a
}

/// Plan one module call: each of its instances (by `count`/`for_each`) with the variables
/// its block gives, then its outputs as `module.NAME`.
#[allow(clippy::too_many_arguments)]
fn plan_call(
    inp: &Inputs<'_>,
    acc: &mut Acc,
    cfg: &Config,
    graph: &ResourceGraph,
    vars: &Resolved,
    path: &ModulePath,
    outer: &[ResourceAddr],
    name: &str,
    out: &mut Planned,
    call_resources: &mut BTreeMap<String, Vec<ResourceAddr>>,
) {
    let call = &cfg.modules[name];
    let child = &*call.config;
    let child_graph = match crate::graph::build(child) {
        Ok(g) => g,
        Err(Diags(d)) => {
            acc.errs.extend(d);
            return;
        }
    };
    let mut scope = Scope::of(cfg, vars, &out.objects, &out.sensitive_objects);
    scope.modules = &out.modules;
    let repeated = call.as_repeated();
    let room = inp
        .cfg
        .limits
        .max_instances
        .saturating_sub(acc.configured.len());
    let keys = match expand(&repeated, &scope, room, inp.cfg.limits.max_instances) {
        Ok(k) => k,
        Err(e) => {
            acc.errs.push(e);
            return;
        }
    };
    // What the call depends on, everything in it depends on.
    let mut deps: Vec<ResourceAddr> = outer.to_vec();
    if let Some((res, mods)) = graph.call_deps.get(name) {
        deps.extend(res.iter().map(|d| in_module(d, path)));
        for m in mods {
            deps.extend(call_resources.get(m).into_iter().flatten().cloned());
        }
    }
    let mut values = Vec::new();
    let mut resources = Vec::new();
    for (key, each) in keys {
        let iscope = scope.for_instance(key.as_ref(), each);
        let mut given = BTreeMap::new();
        let mut bad = false;
        for (k, a) in &call.inputs {
            iscope.sensitive_hit.set(false);
            match iscope.eval_attr(a) {
                Ok(v) => {
                    given.insert(k.clone(), (v, iscope.sensitive_hit.get()));
                }
                Err(e) => {
                    acc.errs.push(e);
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        let child_vars = match crate::config::vars::resolve_module(child, given, &call.span) {
            Ok(v) => v,
            Err(Diags(d)) => {
                acc.errs.extend(d);
                continue;
            }
        };
        let mut child_path = path.clone();
        child_path.0.push((name.to_string(), key.clone()));
        let data = super::instances::data_at(inp.data, &child_path);
        let planned = plan_module(
            inp,
            acc,
            child,
            &child_graph,
            &child_vars,
            &child_path,
            &deps,
            data,
        );
        let mut found = Vec::new();
        values.push((
            key,
            module_outputs(
                child,
                &child_vars,
                &planned,
                &child_path,
                &mut found,
                &mut acc.checks,
            ),
        ));
        // (A refresh-only plan reports failed conditions as warnings, as at the root.)
        for d in found {
            if inp.options.refresh_only
                && d.summary
                    .starts_with("Module output value precondition failed")
            {
                acc.condition_warnings.push(d);
            } else {
                acc.errs.push(d);
            }
        }
        // The module's check blocks, on its planned values: warnings, as at the root.
        if !child.checks.is_empty() {
            let at = child_path.to_string();
            for mut d in check_blocks_at(
                child,
                &child_vars,
                (
                    &planned.objects,
                    &planned.sensitive_objects,
                    &planned.modules,
                ),
                &child_path,
                &mut acc.checks,
            ) {
                d.summary = format!("{} in {}", d.summary, at.trim_end_matches('.'));
                acc.condition_warnings.push(d);
            }
        }
        resources.extend(planned.resources);
    }
    out.modules
        .insert(name.to_string(), aggregate(values, &repeated));
    out.resources.extend(resources.iter().cloned());
    call_resources.insert(name.to_string(), resources);
}

/// A module instance's outputs, as the calling module sees them: an object, with the
/// sensitive ones marked.
fn module_outputs(
    cfg: &Config,
    vars: &Resolved,
    planned: &Planned,
    path: &ModulePath,
    errs: &mut Vec<Diag>,
    checks: &mut Checks,
) -> Value {
    let mut scope = Scope::of(cfg, vars, &planned.objects, &planned.sensitive_objects);
    scope.modules = &planned.modules;
    let mut m = BTreeMap::new();
    for (name, o) in &cfg.outputs {
        // Its preconditions, with what is known now (apply checks them again).
        let at = path.to_string();
        let found = conditions::evaluate(
            &scope,
            &o.preconditions,
            "Module output value precondition failed",
        );
        if !o.preconditions.is_empty() {
            checks.record(
                Checkable::OutputValue { name: name.clone() },
                path,
                None,
                &found,
            );
        }
        for mut d in found.failures {
            d.summary = format!("{} in {}", d.summary, at.trim_end_matches('.'));
            errs.push(d);
        }
        scope.sensitive_hit.set(false);
        match scope.eval_attr(&o.value) {
            Ok(v) if o.sensitive || scope.sensitive_hit.get() => {
                if scope.sensitive_hit.get() && !o.sensitive {
                    errs.push(Diag::new(
                        Some(&o.span),
                        format!("output {name:?} refers to sensitive values"),
                        "Mark it sensitive = true, or output something that is not secret.",
                    ));
                }
                m.insert(name.clone(), Value::Sensitive(Box::new(v)));
            }
            Ok(v) => {
                m.insert(name.clone(), v);
            }
            Err(e) => errs.push(e),
        }
    }
    Value::Map(m)
}

/// Plan. Pure: everything it needs is in `inp`.
pub fn plan(inp: &Inputs<'_>) -> Result<Plan, Diags> {
    let cfg = inp.cfg;
    let opts = inp.options;
    let drift = drift(cfg.registry, inp.prior, inp.refreshed);
    let mut acc = Acc {
        errs: Vec::new(),
        changes: Vec::new(),
        rehash: Vec::new(),
        configured: BTreeSet::new(),
        guarded: Vec::new(),
        condition_warnings: Vec::new(),
        checks: Checks::default(),
        tags: BTreeMap::new(),
        tagged: 0,
        last_instance: None,
        paths: BTreeSet::new(),
    };
    let root = if opts.destroy {
        Planned {
            objects: inp.data.clone(),
            ..Planned::default()
        }
    } else {
        plan_module(
            inp,
            &mut acc,
            cfg,
            inp.graph,
            inp.vars,
            &ModulePath::default(),
            &[],
            super::instances::data_at(inp.data, &ModulePath::default()),
        )
    };
    let Acc {
        mut errs,
        mut changes,
        rehash,
        configured,
        mut guarded,
        condition_warnings,
        mut checks,
        tags,
        paths,
        ..
    } = acc;
    let (objects, sensitive_objects) = (&root.objects, &root.sensitive_objects);
    // A removed block names a resource the configuration no longer declares.
    for rm in &cfg.removed {
        let declared = if rm.from.is_module() {
            cfg.module(&rm.from.resource.module).is_some()
        } else {
            cfg.resource(&rm.from.resource).is_some()
        };
        let what = if rm.from.is_module() {
            "module"
        } else {
            "resource"
        };
        if declared {
            errs.push(Diag::new(
                Some(&rm.span),
                format!("removed {what} still exists: {} is still declared", rm.from),
                format!("Remove the {what} block (or this removed block)."),
            ));
        }
    }
    // Objects in the state that the configuration no longer has.
    for (addr, inst) in &inp.refreshed.instances {
        if addr.mode() != Mode::Managed || configured.contains(addr) {
            continue;
        }
        if cfg
            .removed
            .iter()
            .any(|rm| !rm.destroy && removed_covers(&rm.from, addr))
        {
            changes.push(Change {
                addr: addr.clone(),
                action: Action::Forget,
                before: Some(inst.attributes.clone()),
                after: None,
                replace_paths: vec![],
                reason: None,
                deps: inst.dependencies.clone(),
                sensitive: inst.sensitive.clone(),
                timeouts: Default::default(),
                deposed: None,
            });
            continue;
        }
        let res = cfg.resource(&addr.resource);
        if let Some(r) = res.filter(|r| r.lifecycle.prevent_destroy) {
            guarded.push((
                addr.clone(),
                Diag::new(
                    Some(&r.span),
                    format!("{addr} has lifecycle.prevent_destroy set but the plan destroys it"),
                    "Keep it, or remove prevent_destroy first.",
                ),
            ));
        }
        let module = &addr.resource.module;
        let reason = (!opts.destroy).then(|| {
            if module.is_root() || paths.contains(module) {
                ActionReason::for_orphan(addr, res.is_some())
            } else {
                ActionReason::NoModule {
                    module: module.to_string().trim_end_matches('.').to_string(),
                }
            }
        });
        changes.push(Change {
            addr: addr.clone(),
            action: Action::Delete,
            before: Some(inst.attributes.clone()),
            after: None,
            replace_paths: vec![],
            reason,
            deps: inst.dependencies.clone(),
            sensitive: inst.sensitive.clone(),
            timeouts: res.map(|r| r.timeouts.clone()).unwrap_or_default(),
            deposed: None,
        });
    }
    // Objects a create-before-destroy replacement left deposed: destroyed (or forgotten
    // under `removed { lifecycle { destroy = false } }`), whatever the configuration says;
    // prevent_destroy does not hold them back (Terraform's rule).
    for ((addr, key), inst) in &inp.refreshed.deposed {
        if addr.mode() != Mode::Managed {
            continue;
        }
        let forget = cfg
            .removed
            .iter()
            .any(|rm| !rm.destroy && removed_covers(&rm.from, addr));
        let res = cfg.resource(&addr.resource);
        changes.push(Change {
            addr: addr.clone(),
            action: if forget {
                Action::Forget
            } else {
                Action::Delete
            },
            before: Some(inst.attributes.clone()),
            after: None,
            replace_paths: vec![],
            reason: None,
            deps: inst.dependencies.clone(),
            sensitive: inst.sensitive.clone(),
            timeouts: res.map(|r| r.timeouts.clone()).unwrap_or_default(),
            deposed: Some(key.clone()),
        });
    }
    if !errs.is_empty() {
        return Err(Diags(group_by_instance(errs, &tags)));
    }
    if opts.refresh_only {
        changes.clear();
    }
    create_before_destroy(cfg, &mut changes);
    let outputs = plan_outputs(inp, objects, sensitive_objects, &root.modules, &mut checks)?;
    let mut warnings = condition_warnings;
    if !opts.destroy {
        warnings.extend(check_blocks_at(
            cfg,
            inp.vars,
            (objects, sensitive_objects, &root.modules),
            &ModulePath::default(),
            &mut checks,
        ));
        // A root variable's validations all passed, or the plan would not be here.
        for v in cfg.variables.values().filter(|v| !v.validations.is_empty()) {
            checks.record(
                Checkable::Var {
                    name: v.name.clone(),
                },
                &ModulePath::default(),
                None,
                &conditions::Found::pass(),
            );
        }
    }
    if !opts.targets.is_empty() {
        restrict_to_targets(&mut changes, &opts.targets);
    }
    // prevent_destroy guards what this plan would really destroy: not what targeting or
    // a refresh-only plan left out.
    let destroyed: BTreeSet<&InstanceAddr> = changes
        .iter()
        .filter(|c| c.action.destroys() && c.deposed.is_none())
        .map(|c| &c.addr)
        .collect();
    let refused: Vec<Diag> = guarded
        .into_iter()
        .filter(|(a, _)| destroyed.contains(a))
        .map(|(_, d)| d)
        .collect();
    if !refused.is_empty() {
        return Err(Diags(refused));
    }
    changes.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
    Ok(Plan {
        changes,
        drift,
        outputs,
        options: opts.clone(),
        imports: Vec::new(),
        moves: Vec::new(),
        rehash,
        reads: Vec::new(),
        warnings,
        checks: if opts.destroy {
            Vec::new()
        } else {
            checks.into_results()
        },
        timestamp: String::new(),
    })
}

/// Replacements that create the new object first: those of resources that ask for it
/// and, as Terraform does, of everything they depend on (transitively, across module
/// boundaries), whatever those say: destroying a dependency first would need its
/// dependent gone first.
fn create_before_destroy(cfg: &Config, changes: &mut [Change]) {
    // The resources that ask for it, by module names and address inside the module.
    fn asking(
        cfg: &Config,
        names: &mut Vec<String>,
        out: &mut BTreeSet<(Vec<String>, ResourceAddr)>,
    ) {
        for r in cfg
            .resources
            .iter()
            .filter(|r| r.lifecycle.create_before_destroy)
        {
            out.insert((names.clone(), r.addr()));
        }
        for (n, m) in &cfg.modules {
            names.push(n.clone());
            asking(&m.config, names, out);
            names.pop();
        }
    }
    let mut ask = BTreeSet::new();
    asking(cfg, &mut Vec::new(), &mut ask);
    if ask.is_empty() {
        return;
    }
    let local = |r: &ResourceAddr| {
        let names: Vec<String> = r.module.0.iter().map(|(n, _)| n.clone()).collect();
        let mut l = r.clone();
        l.module = ModulePath::default();
        (names, l)
    };
    let mut deps: BTreeMap<ResourceAddr, BTreeSet<ResourceAddr>> = BTreeMap::new();
    for c in changes.iter() {
        deps.entry(c.addr.resource.clone())
            .or_default()
            .extend(c.deps.iter().cloned());
    }
    let mut forced: BTreeSet<ResourceAddr> = deps
        .keys()
        .filter(|r| ask.contains(&local(r)))
        .cloned()
        .collect();
    let mut stack: Vec<ResourceAddr> = forced.iter().cloned().collect();
    while let Some(r) = stack.pop() {
        for d in deps.get(&r).into_iter().flatten() {
            if forced.insert(d.clone()) {
                stack.push(d.clone());
            }
        }
    }
    for c in changes.iter_mut() {
        if c.action == Action::Replace && forced.contains(&c.addr.resource) {
            c.action = Action::CreateThenDelete;
        }
    }
}

/// Whether a `removed` block's `from` (a resource or a module, named without keys)
/// covers `addr`, in every instance of the modules on the way.
fn removed_covers(from: &InstanceAddr, addr: &InstanceAddr) -> bool {
    let names = |p: &ModulePath| -> Vec<String> { p.0.iter().map(|(n, _)| n.clone()).collect() };
    let (want, have) = (names(&from.resource.module), names(&addr.resource.module));
    if from.is_module() {
        return have.starts_with(&want);
    }
    want == have
        && from.resource.mode == addr.resource.mode
        && from.resource.rtype == addr.resource.rtype
        && from.resource.name == addr.resource.name
}

/// Note that the errors from `*tagged` to `upto` came from `instance`.
fn tag(
    tags: &mut BTreeMap<usize, InstanceAddr>,
    tagged: &mut usize,
    upto: usize,
    instance: &Option<InstanceAddr>,
) {
    if let Some(a) = instance {
        for i in *tagged..upto {
            tags.insert(i, a.clone());
        }
    }
    *tagged = upto;
}

/// One error repeated across the instances of a resource is reported once, naming them.
fn group_by_instance(errs: Vec<Diag>, tags: &BTreeMap<usize, InstanceAddr>) -> Vec<Diag> {
    let mut out: Vec<(Diag, Vec<&InstanceAddr>)> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, d) in errs.into_iter().enumerate() {
        match seen.entry(d.to_string()) {
            std::collections::hash_map::Entry::Occupied(e) => out[*e.get()].1.extend(tags.get(&i)),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push((d, tags.get(&i).into_iter().collect()));
            }
        }
    }
    out.into_iter()
        .map(|(mut d, who)| {
            if who.len() > 1 {
                let shown: Vec<String> = who.iter().take(10).map(|a| a.to_string()).collect();
                let more = if who.len() > 10 {
                    format!(" and {} more", who.len() - 10)
                } else {
                    String::new()
                };
                let sep = if d.detail.is_empty() { "" } else { "\n" };
                d.detail = format!(
                    "{}{sep}The same error for {} instances: {}{more}.",
                    d.detail,
                    who.len(),
                    shown.join(", ")
                );
            }
            d
        })
        .collect()
}

/// The first `replace_triggered_by` reference of `r` that changes in this plan (among
/// the changes planned so far: what it names is planned first): an update or replacement
/// of the object it names, or a change of the attribute it names. With `[count.index]` or
/// `[each.key]` it names one instance; without a key, any instance of the resource.
fn triggered(
    r: &Resource,
    scope: &Scope<'_>,
    changes: &[Change],
    path: &ModulePath,
) -> Result<Option<String>, Diag> {
    use hcl::expr::{Expression, TraversalOperator};
    for a in &r.lifecycle.replace_triggered_by {
        let Expression::Traversal(t) = &a.expr else {
            continue;
        };
        let (Expression::Variable(rtype), Some(TraversalOperator::GetAttr(name))) =
            (&t.expr, t.operators.first())
        else {
            continue;
        };
        // (A reference inside a module names a resource of the same module instance.)
        let mut target = ResourceAddr::managed(rtype.as_str(), name.as_str());
        target.module = path.clone();
        let mut rest = &t.operators[1..];
        let mut key = None;
        if let Some(TraversalOperator::Index(ix)) = rest.first() {
            let k = scope.eval(ix, &a.span)?;
            key = Some(match k {
                Value::Number(n) if n.fract() == 0.0 => crate::addr::Key::Int(n as i64),
                Value::String(s) => crate::addr::Key::Str(s),
                other => {
                    return Err(Diag::new(
                        Some(&a.span),
                        format!(
                            "replace_triggered_by: {} is not an instance key",
                            other.to_hcl()
                        ),
                        "Use [count.index], [each.key] or a literal key.",
                    ))
                }
            });
            rest = &rest[1..];
        }
        let path: Path = rest
            .iter()
            .filter_map(|op| match op {
                TraversalOperator::GetAttr(x) => Some(PathStep::Key(x.as_str().to_string())),
                TraversalOperator::Index(Expression::Number(n)) => {
                    n.as_u64().map(|i| PathStep::Index(i as usize))
                }
                TraversalOperator::Index(Expression::String(k)) => Some(PathStep::Key(k.clone())),
                _ => None,
            })
            .collect();
        let hit = changes.iter().find(|c| {
            c.addr.resource == target
                && key.as_ref().is_none_or(|k| c.addr.key.as_ref() == Some(k))
                && (c.action == Action::Update || c.action.replaces())
                && (path.is_empty()
                    || match (&c.before, &c.after) {
                        (Some(b), Some(af)) => {
                            let now = af.get_path(&path);
                            !now.is_known() || b.get_path(&path) != now
                        }
                        _ => true,
                    })
        });
        if let Some(c) = hit {
            let what = if path.is_empty() {
                c.addr.to_string()
            } else {
                format!("{}.{}", c.addr, crate::value::path_string(&path))
            };
            return Ok(Some(what));
        }
    }
    Ok(None)
}

/// The failed assertions of the check blocks, as warnings: a check never stops a plan or
/// an apply. One that reads values known only after apply says so.
pub fn check_blocks(
    cfg: &crate::config::Config,
    vars: &crate::config::vars::Resolved,
    objects: &Objects,
    sensitive_objects: &SecretAttrs,
    modules: &BTreeMap<String, Value>,
) -> Vec<Diag> {
    let mut checks = Checks::default();
    let at = ModulePath::default();
    check_blocks_at(
        cfg,
        vars,
        (objects, sensitive_objects, modules),
        &at,
        &mut checks,
    )
}

/// [`check_blocks`] of the module instance `path`, recording each block's result.
fn check_blocks_at(
    cfg: &crate::config::Config,
    vars: &crate::config::vars::Resolved,
    (objects, sensitive_objects, modules): (&Objects, &SecretAttrs, &BTreeMap<String, Value>),
    path: &ModulePath,
    checks: &mut Checks,
) -> Vec<Diag> {
    let mut scope = Scope::of(cfg, vars, objects, sensitive_objects);
    scope.modules = modules;
    let mut out = Vec::new();
    for c in &cfg.checks {
        // A scoped data source that could not be read (its arguments are known only
        // after apply, or the read failed, which the read reported as a warning) leaves
        // the check's status unknown: its assertions are not evaluated.
        let unread = c
            .data
            .as_ref()
            .is_some_and(|d| !objects.contains_key(&d.addr()));
        let found = if unread {
            conditions::Found {
                status: conditions::Status::Unknown,
                failures: Vec::new(),
                unknown: Vec::new(),
            }
        } else {
            conditions::evaluate(
                &scope,
                &c.asserts,
                &format!("Check block assertion failed (check {:?})", c.name),
            )
        };
        checks.record(
            Checkable::Check {
                name: c.name.clone(),
            },
            path,
            None,
            &found,
        );
        out.extend(found.failures);
        for i in found.unknown {
            out.push(Diag::new(
                Some(&c.asserts[i].condition.span),
                format!(
                    "Check block assertion known after apply (check {:?})",
                    c.name
                ),
                "The condition reads values known only after apply; apply checks it.",
            ));
        }
    }
    out
}

/// The outputs' changes, with the planned resource values.
fn plan_outputs(
    inp: &Inputs<'_>,
    objects: &Objects,
    sensitive_objects: &SecretAttrs,
    modules: &BTreeMap<String, Value>,
    checks: &mut Checks,
) -> Result<Vec<OutputChange>, Diags> {
    let (cfg, opts) = (inp.cfg, inp.options);
    let mut errs = Vec::new();
    let mut outputs = Vec::new();
    let mut scope = Scope::of(cfg, inp.vars, objects, sensitive_objects);
    scope.modules = modules;
    // Every local value is evaluated, as Terraform does: a mistake in one that nothing
    // reads yet is still a mistake.
    if !opts.destroy && !opts.refresh_only {
        for a in cfg.locals.values() {
            if let Err(e) = scope.eval_attr(a) {
                errs.push(e);
            }
        }
    }
    for (name, o) in &cfg.outputs {
        let before = inp.prior.outputs.get(name).map(|x| x.value.clone());
        // A refresh-only plan evaluates the outputs too, on the refreshed state (its
        // apply records them, as Terraform's does); one it cannot evaluate there (it
        // reads what only an apply makes) keeps its value.
        let after = if opts.destroy {
            None
        } else {
            scope.sensitive_hit.set(false);
            match scope.eval_attr(&o.value) {
                Ok(v) if opts.refresh_only && !v.is_known() => before.clone(),
                Ok(v) => Some(v),
                Err(_) if opts.refresh_only => before.clone(),
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            }
        };
        let secret = scope.sensitive_hit.get();
        if !opts.destroy && !opts.refresh_only {
            let found = conditions::evaluate(
                &scope,
                &o.preconditions,
                "Module output value precondition failed",
            );
            if !o.preconditions.is_empty() {
                checks.record(
                    Checkable::OutputValue { name: name.clone() },
                    &ModulePath::default(),
                    None,
                    &found,
                );
            }
            let failed = found.failures;
            if !failed.is_empty() {
                errs.extend(failed);
                continue;
            }
        }
        if secret && !o.sensitive {
            errs.push(Diag::new(
                Some(&o.span),
                format!("output {name:?} refers to sensitive values"),
                "Mark it sensitive = true, or output something that is not secret.",
            ));
            continue;
        }
        let sensitive = o.sensitive || inp.prior.outputs.get(name).is_some_and(|x| x.sensitive);
        outputs.push(OutputChange {
            name: name.clone(),
            before,
            after,
            sensitive,
        });
    }
    for (name, o) in &inp.prior.outputs {
        if !cfg.outputs.contains_key(name) {
            outputs.push(OutputChange {
                name: name.clone(),
                before: Some(o.value.clone()),
                after: None,
                sensitive: o.sensitive,
            });
        }
    }
    if errs.is_empty() {
        Ok(outputs)
    } else {
        // An output that reads a broken local meets the same error.
        let mut seen = BTreeSet::new();
        errs.retain(|e| seen.insert(e.to_string()));
        Err(Diags(errs))
    }
}

/// Keep the targeted changes and the creates and updates of what they depend on.
fn restrict_to_targets(changes: &mut Vec<Change>, targets: &[InstanceAddr]) {
    let mut needed: BTreeSet<ResourceAddr> = BTreeSet::new();
    let mut stack: Vec<ResourceAddr> = changes
        .iter()
        .filter(|c| c.addr.targeted_by(targets))
        .flat_map(|c| c.deps.clone())
        .collect();
    while let Some(r) = stack.pop() {
        if needed.insert(r.clone()) {
            for c in changes.iter().filter(|c| c.addr.resource == r) {
                stack.extend(c.deps.iter().cloned());
            }
        }
    }
    changes.retain(|c| {
        c.addr.targeted_by(targets)
            || (needed.contains(&c.addr.resource) && c.action != Action::Delete)
    });
}
