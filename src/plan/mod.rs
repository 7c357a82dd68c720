//! Planning: a pure function from configuration, variables, prior and refreshed state and
//! data source results to the list of changes, with reasons. No network, no terminal.

pub mod json;
pub mod markdown;
pub mod render;
pub mod saved;

use crate::addr::{Addr, Key};
use crate::config::eval::Scope;
use crate::config::vars::Resolved;
use crate::config::{Config, Diag, Diags, Mode, Resource, Timeouts};
use crate::graph::ResourceGraph;
use crate::schema::{self, Presence, Schema, Ty};
use crate::state::State;
use crate::value::{Path, PathStep, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    NoOp,
    Create,
    Update,
    Replace,
    Delete,
    Read,
}

impl Action {
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Replace => &["delete", "create"],
            Action::Delete => &["delete"],
            Action::Read => &["read"],
        }
    }
}

#[derive(Clone, Debug)]
pub struct Change {
    pub addr: Addr,
    pub action: Action,
    /// The refreshed prior object, if any.
    pub before: Option<Value>,
    /// The planned object; unknown parts are known only after apply.
    pub after: Option<Value>,
    pub replace_paths: Vec<Path>,
    pub reason: Option<String>,
    /// Resources (`type.name`) this one depends on.
    pub deps: Vec<String>,
    pub sensitive: Vec<Path>,
    pub timeouts: Timeouts,
}

#[derive(Clone, Debug)]
pub struct Drift {
    pub addr: Addr,
    pub before: Value,
    /// `None` when the object was deleted outside maform.
    pub after: Option<Value>,
    pub sensitive: Vec<Path>,
}

#[derive(Clone, Debug)]
pub struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub destroy: bool,
    pub refresh_only: bool,
    pub replace: Vec<Addr>,
    /// Only these objects (and what they depend on); empty means everything.
    pub targets: Vec<Addr>,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub drift: Vec<Drift>,
    pub outputs: Vec<OutputChange>,
    pub options: Options,
    /// Objects brought under management by this plan (address, id).
    pub imports: Vec<(Addr, String)>,
}

impl Change {
    /// The object after apply: the planned value, or for a no-op the object as it is.
    pub fn planned_value(&self) -> Option<&Value> {
        match self.action {
            Action::NoOp => self.after.as_ref().or(self.before.as_ref()),
            _ => self.after.as_ref(),
        }
    }
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        !self.imports.is_empty()
            || self
                .changes
                .iter()
                .any(|c| c.action != Action::NoOp && c.action != Action::Read)
            || self.outputs.iter().any(|o| o.before != o.after)
    }
    /// (add, change, destroy), replacements counting in add and destroy.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for ch in &self.changes {
            match ch.action {
                Action::Create => c.0 += 1,
                Action::Update => c.1 += 1,
                Action::Delete => c.2 += 1,
                Action::Replace => {
                    c.0 += 1;
                    c.2 += 1
                }
                _ => {}
            }
        }
        c
    }
}

/// Attributes whose refresh differences are not drift worth reporting.
pub const VOLATILE: &[&str] = &["updated_at", "token"];

fn without_volatile(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(
            m.iter()
                .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What changed outside maform: the prior state against the refreshed one.
pub fn drift(prior: &State, refreshed: &State) -> Vec<Drift> {
    let mut out = Vec::new();
    for (addr, p) in &prior.instances {
        if addr.mode != Mode::Managed {
            continue;
        }
        let sensitive = schema::sensitive_for(&addr.rtype, &p.attributes, &p.sensitive);
        match refreshed.instances.get(addr) {
            None => out.push(Drift {
                addr: addr.clone(),
                before: p.attributes.clone(),
                after: None,
                sensitive,
            }),
            Some(r) if without_volatile(&p.attributes) != without_volatile(&r.attributes) => out
                .push(Drift {
                    addr: addr.clone(),
                    before: p.attributes.clone(),
                    after: Some(r.attributes.clone()),
                    sensitive,
                }),
            Some(_) => {}
        }
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
    let mut out = BTreeMap::new();
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
            out.insert(a.name.to_string(), v);
        }
    }
    Value::Map(out)
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
    /// Data source values by `data.type.name` (object, or list/map for count/for_each).
    pub data: &'a BTreeMap<String, Value>,
    pub options: &'a Options,
}

pub type InstanceKey = (Option<Key>, Option<(Value, Value)>);

/// Instance keys of a resource, with `each` values.
pub fn expand(r: &Resource, scope: &Scope) -> Result<Vec<InstanceKey>, Diag> {
    if let Some(c) = &r.count {
        let n =
            match scope.eval_attr(c)? {
                Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => n as i64,
                Value::Unknown => return Err(Diag::new(
                    Some(&c.span),
                    "the count value depends on values known only after apply",
                    "Use a value known at plan time (a variable, a local or an existing resource).",
                )),
                other => {
                    return Err(Diag::new(
                        Some(&c.span),
                        "count must be a non-negative whole number",
                        format!("It is {}.", other.to_hcl()),
                    ))
                }
            };
        return Ok((0..n).map(|i| (Some(Key::Int(i)), None)).collect());
    }
    if let Some(f) = &r.for_each {
        return match scope.eval_attr(f)? {
            Value::Map(m) => Ok(m
                .into_iter()
                .map(|(k, v)| (Some(Key::Str(k.clone())), Some((Value::String(k), v))))
                .collect()),
            Value::List(l) => {
                let mut out = Vec::new();
                for v in l {
                    let k = v
                        .as_str()
                        .ok_or_else(|| {
                            Diag::new(
                                Some(&f.span),
                                "for_each over a list needs strings (a set of strings)",
                                "Use toset([...]) of strings, or a map.",
                            )
                        })?
                        .to_string();
                    out.push((
                        Some(Key::Str(k.clone())),
                        Some((Value::String(k.clone()), Value::String(k))),
                    ));
                }
                Ok(out)
            }
            Value::Unknown => Err(Diag::new(
                Some(&f.span),
                "the for_each value depends on values known only after apply",
                "Use keys known at plan time.",
            )),
            other => Err(Diag::new(
                Some(&f.span),
                "for_each needs a map or a set of strings",
                format!("It is a {}.", other.type_name()),
            )),
        };
    }
    Ok(vec![(None, None)])
}

/// Evaluate one instance's arguments against its schema. Returns the value and the paths
/// that are sensitive (by schema, or because their expression read a sensitive value).
pub fn decode_instance(r: &Resource, scope: &Scope, errs: &mut Vec<Diag>) -> (Value, Vec<Path>) {
    let sch = schema::for_type(&r.rtype).expect("validated type");
    // One evaluation per argument, noting which read a secret.
    let secret_spans = std::cell::RefCell::new(Vec::new());
    let eval = |a: &crate::config::Attr| {
        scope.sensitive_hit.set(false);
        let v = scope.eval_attr(a);
        if scope.sensitive_hit.get() {
            secret_spans.borrow_mut().push(a.span.clone());
        }
        v
    };
    let v = schema::decode(sch, &r.body, "", &r.span, &eval, errs);
    let mut paths = schema::sensitive_paths(sch, &v);
    let spans = secret_spans.into_inner();
    for (k, a) in &r.body.attrs {
        if spans.contains(&a.span) {
            paths.push(vec![PathStep::Key(k.clone())]);
        }
    }
    for b in &r.body.blocks {
        let mut refs = BTreeSet::new();
        crate::config::eval::body_references(&b.body, &mut refs);
        let reads_secret = refs.iter().any(|x| {
            x.strip_prefix("var.")
                .is_some_and(|v| scope.sensitive_vars.contains(v))
        });
        if reads_secret {
            paths.push(vec![PathStep::Key(b.ident.clone())]);
        }
    }
    paths.sort();
    paths.dedup();
    (v, paths)
}

fn aggregate(instances: Vec<(Option<Key>, Value)>, r: &Resource) -> Value {
    if r.count.is_some() {
        Value::List(instances.into_iter().map(|(_, v)| v).collect())
    } else if r.for_each.is_some() {
        Value::Map(
            instances
                .into_iter()
                .map(|(k, v)| {
                    let k = match k {
                        Some(Key::Str(s)) => s,
                        _ => String::new(),
                    };
                    (k, v)
                })
                .collect(),
        )
    } else {
        instances
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or_default()
    }
}

/// Plan. Pure: everything it needs is in `inp`.
pub fn plan(inp: &Inputs) -> Result<Plan, Diags> {
    let cfg = inp.cfg;
    let opts = inp.options;
    let mut errs: Vec<Diag> = Vec::new();
    let mut changes = Vec::new();
    let drift = drift(inp.prior, inp.refreshed);
    let mut objects: BTreeMap<String, Value> = inp.data.clone();
    let mut sensitive_objects: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut configured: BTreeSet<Addr> = BTreeSet::new();

    if !opts.destroy {
        for &ri in &inp.graph.order {
            let r = &cfg.resources[ri];
            if r.mode == Mode::Data {
                continue;
            }
            let sch = schema::for_type(&r.rtype).expect("validated type");
            let scope = Scope::new(
                &inp.vars.values,
                &inp.vars.sensitive,
                &cfg.locals,
                &objects,
                &sensitive_objects,
                &cfg.dir,
            );
            let keys = match expand(r, &scope) {
                Ok(k) => k,
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            };
            let mut values = Vec::new();
            let mut secret_attrs: BTreeSet<String> = BTreeSet::new();
            let mut new_changes = Vec::new();
            for (key, each) in keys {
                let addr = Addr::managed(&r.rtype, &r.name, key.clone());
                let iscope = scope.for_instance(
                    each,
                    match &key {
                        Some(Key::Int(i)) => Some(*i as f64),
                        _ => None,
                    },
                );
                let before_errs = errs.len();
                let (config, mut sensitive) = decode_instance(r, &iscope, &mut errs);
                check_cross(&r.rtype, &config, r, &mut errs);
                if errs.len() > before_errs {
                    continue;
                }
                configured.insert(addr.clone());
                let prior_inst = inp.refreshed.instances.get(&addr);
                let prior = prior_inst.map(|i| &i.attributes);
                let requested = opts.replace.contains(&addr);
                let tainted = prior_inst.is_some_and(|i| i.tainted);
                let mut after = planned(
                    sch,
                    &config,
                    if tainted || requested { None } else { prior },
                );
                // The plan (and so its renderings and saved files) holds digests of
                // write-only secrets, never the secrets; apply re-reads the configuration.
                schema::digest_secrets(sch, &mut after);
                if let Some(p) = prior.filter(|_| !tainted && !requested) {
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
                sensitive.extend(prior_inst.map(|i| i.sensitive.clone()).unwrap_or_default());
                sensitive = schema::sensitive_for(&r.rtype, &after, &sensitive);
                if let Some(p) = prior {
                    sensitive = schema::sensitive_for(&r.rtype, p, &sensitive);
                }
                sensitive.sort();
                sensitive.dedup();
                secret_attrs.extend(sensitive.iter().filter_map(|p| match p.first() {
                    Some(PathStep::Key(k)) => Some(k.clone()),
                    _ => None,
                }));
                let deps: Vec<String> = inp.graph.deps[ri].iter().cloned().collect();
                let (action, replace_paths, reason) = match prior {
                    None => (Action::Create, vec![], None),
                    Some(_) if tainted => (Action::Replace, vec![], Some("tainted".to_string())),
                    Some(_) if requested => {
                        (Action::Replace, vec![], Some("requested".to_string()))
                    }
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
                            let mut reason = None;
                            if r.rtype == "modelarts_notebook" {
                                if let (Some(a), Some(b)) = (
                                    p.get("volume").get("capacity").as_f64(),
                                    after.get("volume").get("capacity").as_f64(),
                                ) {
                                    if b < a {
                                        forcing.push(vec![
                                            PathStep::Key("volume".into()),
                                            PathStep::Key("capacity".into()),
                                        ]);
                                        reason = Some("volume.capacity can only grow".to_string());
                                    }
                                }
                            }
                            if forcing.is_empty() {
                                (Action::Update, vec![], None)
                            } else {
                                (
                                    Action::Replace,
                                    forcing,
                                    reason.or(Some("cannot update in place".into())),
                                )
                            }
                        }
                    }
                };
                if action == Action::Replace {
                    if r.lifecycle.prevent_destroy {
                        errs.push(Diag::new(Some(&r.span), format!("{addr} has lifecycle.prevent_destroy set but the plan replaces it"), "Change the configuration so that it can be updated in place, or remove prevent_destroy."));
                        continue;
                    }
                    after = planned(sch, &config, None);
                    schema::digest_secrets(sch, &mut after);
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
                    before: prior.cloned(),
                    after,
                    replace_paths,
                    reason,
                    deps,
                    sensitive,
                    timeouts: r.timeouts.clone(),
                });
            }
            changes.extend(new_changes);
            if !secret_attrs.is_empty() {
                sensitive_objects.insert(r.key(), secret_attrs);
            }
            objects.insert(r.key(), aggregate(values, r));
        }
    }
    // Objects in the state that the configuration no longer has.
    for (addr, inst) in &inp.refreshed.instances {
        if addr.mode != Mode::Managed || configured.contains(addr) {
            continue;
        }
        let res = cfg.resource(Mode::Managed, &addr.rtype, &addr.name);
        if let Some(r) = res.filter(|r| r.lifecycle.prevent_destroy) {
            errs.push(Diag::new(
                Some(&r.span),
                format!("{addr} has lifecycle.prevent_destroy set but the plan destroys it"),
                "Keep it, or remove prevent_destroy first.",
            ));
            continue;
        }
        let reason = if opts.destroy {
            None
        } else {
            Some(match (res, &addr.key) {
                (None, _) => format!("{} is not in configuration", addr.resource()),
                (Some(_), Some(Key::Int(i))) => format!("index [{i}] is out of range for count"),
                (Some(_), Some(Key::Str(k))) => {
                    format!("key [{}] is not in for_each map", crate::value::quote(k))
                }
                (Some(_), None) => "the resource now uses count or for_each".to_string(),
            })
        };
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
        });
    }
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    if opts.refresh_only {
        changes.clear();
    }
    // Outputs.
    let mut outputs = Vec::new();
    let scope = Scope::new(
        &inp.vars.values,
        &inp.vars.sensitive,
        &cfg.locals,
        &objects,
        &sensitive_objects,
        &cfg.dir,
    );
    for (name, o) in &cfg.outputs {
        let before = inp.prior.outputs.get(name).map(|x| x.value.clone());
        let after = if opts.destroy {
            None
        } else if opts.refresh_only {
            before.clone()
        } else {
            scope.sensitive_hit.set(false);
            match scope.eval_attr(&o.value) {
                Ok(v) => Some(v),
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            }
        };
        if scope.sensitive_hit.get() && !o.sensitive {
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
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    if !opts.targets.is_empty() {
        restrict_to_targets(&mut changes, &opts.targets);
    }
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    Ok(Plan {
        changes,
        drift,
        outputs,
        options: opts.clone(),
        imports: Vec::new(),
    })
}

/// Checks that span several arguments ("exactly one of").
fn check_cross(rtype: &str, v: &Value, r: &Resource, errs: &mut Vec<Diag>) {
    let has = |k: &str| !v.get(k).is_null();
    let key = r.key();
    let mut err =
        |summary: String, detail: &str| errs.push(Diag::new(Some(&r.span), summary, detail));
    match rtype {
        "modelarts_notebook" => {
            if !has("flavor") && !has("custom_spec") {
                err(format!("{key}: set flavor or custom_spec"), "A notebook needs a flavor (e.g. \"modelarts.vm.cpu.2u\"), or custom_spec in a dedicated pool.");
            }
            if has("custom_spec") && !has("pool_id") {
                err(
                    format!("{key}: custom_spec needs pool_id"),
                    "Custom specifications are only available in a dedicated resource pool.",
                );
            }
            let vol = v.get("volume");
            if vol.get("ownership").as_str() == Some("DEDICATED") {
                if vol.get("uri").is_null() {
                    err(
                        format!("{key}: volume.uri is required when ownership is DEDICATED"),
                        "",
                    );
                }
                if matches!(vol.get("category").as_str(), Some("EFS" | "SFS"))
                    && vol.get("id").is_null()
                {
                    err(
                        format!("{key}: volume.id is required for a dedicated EFS volume"),
                        "",
                    );
                }
            }
            for (i, e) in v
                .get("endpoints")
                .as_list()
                .into_iter()
                .flatten()
                .enumerate()
            {
                if e.get("service").as_str() == Some("SSH")
                    && e.get("key_pair_names")
                        .as_list()
                        .is_none_or(|l| l.is_empty())
                {
                    err(
                        format!("{key}: endpoints[{i}] with service SSH needs key_pair_names"),
                        "",
                    );
                }
            }
        }
        "modelarts_devserver" => {
            if has("flavor") == has("resource_flavor") {
                err(
                    format!("{key}: set exactly one of flavor and resource_flavor"),
                    "",
                );
            }
            if has("admin_pass") == has("key_pair_name") {
                err(format!("{key}: set exactly one of admin_pass and key_pair_name"), "Prefer key_pair_name; if you use admin_pass, pass it through a sensitive variable.");
            }
            let ci = v.get("charging_info");
            if ci.get("charging_mode").as_str() == Some("PRE_PAID")
                && (ci.get("period_type").is_null() || ci.get("period_num").is_null())
            {
                err(
                    format!(
                        "{key}: a PRE_PAID server needs charging_info.period_type and period_num"
                    ),
                    "",
                );
            }
        }
        "modelarts_devenv" => {
            let st = v.get("spec").get("storage");
            let loc = st.get("location");
            match st.get("type").as_str() {
                Some("obs") => match loc.get("path").as_str() {
                    None => err(format!("{key}: spec.storage.location.path is required for obs storage"), "Give an OBS path like \"/bucket/dir/\"."),
                    Some(p) if !p.ends_with('/') => err(format!("{key}: spec.storage.location.path must end with /"), &format!("Write \"{p}/\".")),
                    _ => {}
                },
                Some("obsfs") if loc.get("path").is_null() => err(format!("{key}: spec.storage.location.path (the bucket) is required for obsfs storage"), ""),
                _ => {}
            }
            let a = v.get("spec").get("auto_stop");
            if a.get("enable").as_bool() == Some(true) && a.get("duration").is_null() {
                err(
                    format!("{key}: spec.auto_stop.duration is required when auto_stop is enabled"),
                    "Set duration in seconds, 3600 to 86400.",
                );
            }
        }
        _ => {}
    }
}

/// Whether `a` is one of `targets` (a resource target covers all its instances).
pub fn targeted(a: &Addr, targets: &[Addr]) -> bool {
    targets.iter().any(|t| {
        t.mode == a.mode
            && t.rtype == a.rtype
            && t.name == a.name
            && (t.key.is_none() || t.key == a.key)
    })
}

/// Keep the targeted changes and the creates and updates of what they depend on.
fn restrict_to_targets(changes: &mut Vec<Change>, targets: &[Addr]) {
    let mut needed: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = changes
        .iter()
        .filter(|c| targeted(&c.addr, targets))
        .flat_map(|c| c.deps.clone())
        .collect();
    while let Some(r) = stack.pop() {
        if needed.insert(r.clone()) {
            for c in changes.iter().filter(|c| c.addr.resource() == r) {
                stack.extend(c.deps.iter().cloned());
            }
        }
    }
    changes.retain(|c| {
        targeted(&c.addr, targets)
            || (needed.contains(&c.addr.resource()) && c.action != Action::Delete)
    });
}

/// Instance keys of resources already expanded during one apply (count and for_each are
/// known at plan time, so they do not change while applying).
#[derive(Default)]
pub struct Expansions(std::collections::HashMap<String, Vec<InstanceKey>>);

/// Evaluate the configuration of one instance against a state (and data source values):
/// what apply sends, and what import uses for the arguments the API cannot return.
/// With `deps` (the resources it refers to), only those are materialised, so that each
/// evaluation costs what the instance refers to, not the size of the state.
pub fn eval_instance(
    cfg: &Config,
    vars: &Resolved,
    data: &BTreeMap<String, Value>,
    state: &State,
    addr: &Addr,
    deps: Option<&[String]>,
    cache: Option<&mut Expansions>,
) -> Result<(Value, Vec<Path>), Diags> {
    let r = cfg
        .resource(Mode::Managed, &addr.rtype, &addr.name)
        .ok_or_else(|| {
            Diags(vec![Diag::new(
                None,
                format!("{addr} is not in the configuration"),
                "Add a resource block for it.",
            )])
        })?;
    let (mut objects, sens) = match deps {
        Some(deps) => {
            let mut objects = BTreeMap::new();
            let mut sens = BTreeMap::new();
            for d in deps {
                objects.insert(d.clone(), state.resource_value(d).unwrap_or(Value::Unknown));
                if let Some(s) = state.sensitive_attributes_of(d) {
                    sens.insert(d.clone(), s);
                }
            }
            (objects, sens)
        }
        None => {
            let mut objects = state.objects();
            for other in &cfg.resources {
                if other.mode == Mode::Managed {
                    objects.entry(other.key()).or_insert(Value::Unknown);
                }
            }
            (objects, state.sensitive_attributes())
        }
    };
    objects.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
    let scope = Scope::new(
        &vars.values,
        &vars.sensitive,
        &cfg.locals,
        &objects,
        &sens,
        &cfg.dir,
    );
    let mut fresh = Expansions::default();
    let cache = cache.unwrap_or(&mut fresh);
    if let std::collections::hash_map::Entry::Vacant(e) = cache.0.entry(r.key()) {
        e.insert(expand(r, &scope).map_err(|e| Diags(vec![e]))?);
    }
    let (key, each) = cache.0[&r.key()]
        .iter()
        .find(|(k, _)| *k == addr.key)
        .cloned()
        .ok_or_else(|| {
            Diags(vec![Diag::new(
                Some(&r.span),
                format!(
                    "{addr} is not one of the instances of {} (check count or for_each)",
                    r.key()
                ),
                "",
            )])
        })?;
    let iscope = scope.for_instance(
        each,
        match &key {
            Some(Key::Int(i)) => Some(*i as f64),
            _ => None,
        },
    );
    let mut errs = Vec::new();
    let (v, s) = decode_instance(r, &iscope, &mut errs);
    if !errs.is_empty() {
        return Err(Diags(errs));
    }
    Ok((v, s))
}
