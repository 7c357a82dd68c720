//! Instances of a resource: expanding `count` and `for_each` into keys, evaluating one
//! instance's arguments against its schema, and putting instances back together as the
//! value expressions see (an object, a list for `count`, a map for `for_each`). Shared by
//! the planner, apply, data sources and import.

use crate::addr::{InstanceAddr, Key, ModulePath, ResourceAddr};
use crate::config::eval::{body_references, Objects, Ref, Scope, SecretAttrs};
use crate::config::vars::Resolved;
use crate::config::{Config, Diag, Diags, Resource};
use crate::schema::{self, Schema};
use crate::state::State;
use crate::value::{Path, PathStep, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An instance key with its `each.key`/`each.value`.
pub type InstanceKey = (Option<Key>, Option<(Value, Value)>);

/// Instance keys of a resource, with `each` values; more than `max` (the room the plan's
/// limit of `limit` instances leaves) is an error.
pub fn expand(
    r: &Resource,
    scope: &Scope<'_>,
    max: usize,
    limit: usize,
) -> Result<Vec<InstanceKey>, Diag> {
    let too_many = |span: &crate::config::Span, n: f64| {
        let others = if max < limit {
            format!(" ({} are taken by other resources)", limit - max)
        } else {
            String::new()
        };
        Diag::new(
            Some(span),
            format!(
                "{} would have {} instances, more than the limit of {limit} instances per plan{others}",
                r.addr(),
                crate::value::fmt_number(n)
            ),
            "Check the expression; if you mean it, raise the limit with MAFORM_MAX_INSTANCES.",
        )
    };
    if let Some(c) = &r.count {
        // A string that spells a number is that number, as Terraform converts it.
        let v = match scope.eval_attr(c)? {
            Value::String(t) => match t.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Value::Number(n),
                _ => Value::String(t),
            },
            v => v,
        };
        let n =
            match v {
                Value::Number(n) if n > max as f64 && n.fract() == 0.0 => {
                    return Err(too_many(&c.span, n))
                }
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
        // Terraform takes a map or a set, never a list: a list literal or a list for
        // expression is refused where it is written. (maform's values do not tell a set
        // from a list otherwise, so a list with duplicates is refused below.)
        let is_tuple = match &f.expr {
            hcl::expr::Expression::Array(_) => true,
            hcl::expr::Expression::ForExpr(fe) => fe.key_expr.is_none(),
            _ => false,
        };
        if is_tuple {
            return Err(Diag::new(
                Some(&f.span),
                "for_each needs a map or a set of strings, and this is a list",
                "Wrap it in toset([...]), or use a map.",
            ));
        }
        // Instance keys are shown everywhere (plan, state, addresses): a secret may not
        // become one. A map's values may hold secrets (its keys never do).
        let seen = scope.sensitive_hit.replace(false);
        let marked = scope.eval(&f.expr, &f.span);
        let secret = scope.sensitive_hit.replace(seen);
        let marked = marked?;
        let secret = secret
            || match &marked {
                Value::Sensitive(_) => true,
                Value::List(l) => l.iter().any(|x| matches!(x, Value::Sensitive(_))),
                _ => false,
            };
        if secret {
            return Err(Diag::new(
                Some(&f.span),
                "Invalid for_each argument: a sensitive value cannot be used as for_each",
                "Instance keys are shown in plans, the state and addresses, so they cannot come from a secret. Use values that are not sensitive (nonsensitive() if you are sure the keys reveal nothing).",
            ));
        }
        let (v, _) = marked.unmark();
        let len = match &v {
            Value::Map(m) => m.len(),
            Value::List(l) => l.len(),
            _ => 0,
        };
        if len > max {
            return Err(too_many(&f.span, len as f64));
        }
        return match v {
            Value::Map(m) => Ok(m
                .into_iter()
                .map(|(k, v)| (Some(Key::Str(k.clone())), Some((Value::String(k), v))))
                .collect()),
            Value::List(l) => {
                let mut out = Vec::new();
                let mut seen = std::collections::BTreeSet::new();
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
                    if !seen.insert(k.clone()) {
                        return Err(Diag::new(
                            Some(&f.span),
                            format!("for_each has the key {k:?} twice: it is a list, not a set"),
                            "Wrap it in toset(...), or use a map.",
                        ));
                    }
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

/// Evaluate one instance's arguments against `sch`. Returns the value and the paths that
/// are sensitive (by schema, or because their expression read a sensitive value).
fn has_dynamic(b: &crate::config::Body) -> bool {
    b.blocks
        .iter()
        .any(|x| x.ident == "dynamic" || has_dynamic(&x.body))
}

fn block_has_span(b: &crate::config::Block, s: &crate::config::Span) -> bool {
    b.body.attrs.values().any(|a| &a.span == s)
        || b.body.blocks.iter().any(|x| block_has_span(x, s))
}

pub fn decode_instance(
    r: &Resource,
    sch: &Schema,
    scope: &Scope<'_>,
    errs: &mut Vec<Diag>,
) -> (Value, Vec<Path>) {
    // One evaluation per argument, noting which read a secret.
    let secret_spans = std::cell::RefCell::new(Vec::new());
    let eval = |a: &crate::config::Attr| {
        scope.sensitive_hit.set(false);
        let v = scope.eval_attr(a);
        if scope.sensitive_hit.get() {
            secret_spans.borrow_mut().push(a.span.clone());
            // Marked, so that a check that fails does not quote it.
            return v.map(|v| Value::Sensitive(Box::new(v)));
        }
        v
    };
    // Dynamic blocks become blocks first, with this instance's values.
    let expanded;
    let (body, placeholders) = if has_dynamic(&r.body) {
        let (b, p) = scope.expand_dynamic(&r.body, errs);
        expanded = b;
        (&expanded, p)
    } else {
        (&r.body, Default::default())
    };
    let v = scope.with_placeholders(placeholders, |_| {
        schema::decode(sch, body, "", &r.span, &eval, errs)
    });
    let mut paths = schema::sensitive_paths(sch, &v);
    let spans = secret_spans.into_inner();
    for (k, a) in &body.attrs {
        if spans.contains(&a.span) {
            paths.push(vec![PathStep::Key(k.clone())]);
        }
    }
    for b in &body.blocks {
        let mut refs = BTreeSet::new();
        body_references(&b.body, scope.registry, &mut refs);
        let reads_secret = refs
            .iter()
            .any(|x| matches!(x, Ref::Var(v) if scope.sensitive_vars.contains(v)))
            || spans.iter().any(|s| block_has_span(b, s));
        if reads_secret {
            paths.push(vec![PathStep::Key(b.ident.clone())]);
        }
    }
    paths.sort();
    paths.dedup();
    (v, paths)
}

/// The value expressions see for a resource's instances: the object, a list (`count`) or
/// a map (`for_each`).
pub fn aggregate(instances: Vec<(Option<Key>, Value)>, r: &Resource) -> Value {
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

/// Instance keys of resources already expanded during one apply (count and for_each are
/// known at plan time, so they do not change while applying).
#[derive(Default)]
pub struct Expansions(HashMap<ResourceAddr, Vec<InstanceKey>>);

/// The values expressions of `cfg` see, from a state: every resource's value (unknown for
/// a configured resource not in the state yet), plus data source values.
pub fn objects_of(cfg: &Config, state: &State, data: &Objects) -> (Objects, SecretAttrs) {
    let mut objects = state.objects();
    for other in &cfg.resources {
        if other.mode == crate::addr::Mode::Managed {
            objects.entry(other.addr()).or_insert_with(|| absent(other));
        }
    }
    objects.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
    (objects, state.sensitive_attributes())
}

/// The value of a configured resource with no object in the state: no instances (an
/// empty list or map) for one with `count` or `for_each`, which the state holds all of,
/// and otherwise an object known only after apply.
pub fn absent(r: &Resource) -> Value {
    if r.count.is_some() {
        Value::List(Vec::new())
    } else if r.for_each.is_some() {
        Value::Map(BTreeMap::new())
    } else {
        Value::Unknown
    }
}

/// Evaluate the configuration of one instance against a state (and data source values):
/// what apply sends, and what import uses for the arguments the API cannot return.
/// With `deps` (the resources it refers to), only those are materialised, so that each
/// evaluation costs what the instance refers to, not the size of the state.
pub fn eval_instance(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    addr: &InstanceAddr,
    deps: Option<&[ResourceAddr]>,
    cache: Option<&mut Expansions>,
) -> Result<(Value, Vec<Path>), Diags> {
    with_instance(
        cfg,
        vars,
        data,
        state,
        addr,
        deps,
        cache,
        |r, sch, iscope| {
            let mut errs = Vec::new();
            let (v, s) = decode_instance(r, sch, iscope, &mut errs);
            if errs.is_empty() {
                Ok((v, s))
            } else {
                Err(Diags(errs))
            }
        },
    )?
}

/// The failed preconditions of one instance with the values known now; with `post`, the
/// failed postconditions with `post` as `self`. What apply checks around an operation.
#[allow(clippy::too_many_arguments)]
pub fn failed_conditions(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    addr: &InstanceAddr,
    deps: Option<&[ResourceAddr]>,
    cache: Option<&mut Expansions>,
    post: Option<Value>,
) -> Result<Vec<Diag>, Diags> {
    with_instance(
        cfg,
        vars,
        data,
        state,
        addr,
        deps,
        cache,
        |r, _, iscope| match post {
            None => super::conditions::failures(
                iscope,
                &r.lifecycle.preconditions,
                "Resource precondition failed",
            ),
            Some(v) => iscope.with_self(v, |s| {
                super::conditions::failures(
                    s,
                    &r.lifecycle.postconditions,
                    "Resource postcondition failed",
                )
            }),
        },
    )
}

/// Run `f` with one instance's resource, schema and scope (its each and count), against
/// a state and data source values.
#[allow(clippy::too_many_arguments)]
fn with_instance<T>(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    addr: &InstanceAddr,
    deps: Option<&[ResourceAddr]>,
    cache: Option<&mut Expansions>,
    f: impl FnOnce(&crate::config::Resource, &crate::schema::Schema, &Scope<'_>) -> T,
) -> Result<T, Diags> {
    let r = cfg.resource(&addr.resource).ok_or_else(|| {
        Diags(vec![Diag::new(
            None,
            format!("{addr} is not in the configuration"),
            "Add a resource block for it.",
        )])
    })?;
    let sch = cfg.registry.schema(r.mode, &r.rtype).ok_or_else(|| {
        Diags(vec![Diag::new(
            Some(&r.span),
            format!("{} is not a resource type maform manages", r.rtype),
            "",
        )])
    })?;
    let path = &addr.resource.module;
    let (mcfg, mvars) = module_at(cfg, vars, data, state, path)?;
    let (objects, sens) = match deps {
        Some(deps) => {
            let mut objects = BTreeMap::new();
            let mut sens = BTreeMap::new();
            // What the expressions can name: the resources of the same module instance,
            // by their address inside it.
            for d in deps.iter().filter(|d| d.module == *path) {
                let mut local = d.clone();
                local.module = Default::default();
                objects.insert(
                    local.clone(),
                    state
                        .resource_value(d)
                        .unwrap_or_else(|| cfg.resource(d).map_or(Value::Unknown, absent)),
                );
                if let Some(s) = state.sensitive_attributes_of(d) {
                    sens.insert(local, s);
                }
            }
            objects.extend(data_at(data, path));
            (objects, sens)
        }
        None => objects_at(mcfg, state, data, path),
    };
    // (Module outputs are worked out only for a resource that reads them.)
    let modules = if mcfg.modules.is_empty() || !reads_modules(r, mcfg) {
        BTreeMap::new()
    } else {
        module_values(mcfg, &mvars, data, state, path)?
    };
    let mut scope = Scope::of(mcfg, &mvars, &objects, &sens);
    scope.modules = &modules;
    let mut fresh = Expansions::default();
    let cache = cache.unwrap_or(&mut fresh);
    if let std::collections::hash_map::Entry::Vacant(e) = cache.0.entry(addr.resource.clone()) {
        let max = cfg.limits.max_instances;
        e.insert(expand(r, &scope, max, max).map_err(|e| Diags(vec![e]))?);
    }
    let (key, each) = cache.0[&addr.resource]
        .iter()
        .find(|(k, _)| *k == addr.key)
        .cloned()
        .ok_or_else(|| {
            Diags(vec![Diag::new(
                Some(&r.span),
                format!(
                    "{addr} is not one of the instances of {} (check count or for_each)",
                    addr.resource
                ),
                "",
            )])
        })?;
    let iscope = scope.for_instance(key.as_ref(), each);
    Ok(f(r, sch, &iscope))
}

/// The values the expressions of the module instance at `path` see, from a state (with
/// data source values at the root).
pub(crate) fn objects_at(
    cfg: &Config,
    state: &State,
    data: &Objects,
    path: &ModulePath,
) -> (Objects, SecretAttrs) {
    if path.is_root() {
        return objects_of(cfg, state, &data_at(data, path));
    }
    let (mut objects, sens) = state.objects_in(path);
    for other in &cfg.resources {
        if other.mode == crate::addr::Mode::Managed {
            objects.entry(other.addr()).or_insert_with(|| absent(other));
        }
    }
    objects.extend(data_at(data, path));
    (objects, sens)
}

/// The data source values of the module instance at `path`, by their address inside it.
pub fn data_at(data: &Objects, path: &ModulePath) -> Objects {
    data.iter()
        .filter(|(k, _)| k.module == *path)
        .map(|(k, v)| {
            let mut local = k.clone();
            local.module = ModulePath::default();
            (local, v.clone())
        })
        .collect()
}

/// The variables of one instance (`key`) of the module call `call` made by `cfg`, whose
/// expressions see `objects` and `modules`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn call_vars(
    cfg: &Config,
    vars: &Resolved,
    objects: &Objects,
    sens: &SecretAttrs,
    modules: &BTreeMap<String, Value>,
    call: &crate::config::ModuleCall,
    key: &Option<Key>,
    at: &ModulePath,
) -> Result<Resolved, Diags> {
    let mut scope = Scope::of(cfg, vars, objects, sens);
    scope.modules = modules;
    let max = cfg.limits.max_instances;
    let each = expand(&call.as_repeated(), &scope, max, max)
        .map_err(|e| Diags(vec![e]))?
        .into_iter()
        .find(|(k, _)| k == key)
        .ok_or_else(|| {
            Diags(vec![Diag::new(
                Some(&call.span),
                format!(
                    "{at}module.{} has no instance {}",
                    call.name,
                    key.as_ref().map(|k| k.to_string()).unwrap_or_default()
                ),
                "Check the module block's count or for_each.",
            )])
        })?
        .1;
    let iscope = scope.for_instance(key.as_ref(), each);
    let mut given = BTreeMap::new();
    for (k, a) in &call.inputs {
        iscope.sensitive_hit.set(false);
        let val = iscope.eval_attr(a).map_err(|e| Diags(vec![e]))?;
        given.insert(k.clone(), (val, iscope.sensitive_hit.get()));
    }
    crate::config::vars::resolve_module(&call.config, given, &call.span)
}

/// `refs` with what the locals among them read, transitively: what an expression really
/// depends on.
pub(crate) fn through_locals(cfg: &Config, refs: &mut BTreeSet<Ref>) {
    let mut stack: Vec<String> = refs
        .iter()
        .filter_map(|r| match r {
            Ref::Local(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(l) = stack.pop() {
        if !seen.insert(l.clone()) {
            continue;
        }
        if let Some(a) = cfg.locals.get(&l) {
            let mut more = BTreeSet::new();
            crate::config::eval::references(&a.expr, cfg.registry, &mut more);
            for r in more {
                if let Ref::Local(n) = &r {
                    stack.push(n.clone());
                }
                refs.insert(r);
            }
        }
    }
}

/// What a module call's arguments (inputs, count, for_each) read, through locals too.
pub(crate) fn call_refs(cfg: &Config, call: &crate::config::ModuleCall) -> BTreeSet<Ref> {
    let mut refs = BTreeSet::new();
    for a in call
        .inputs
        .values()
        .chain(&call.count)
        .chain(&call.for_each)
    {
        crate::config::eval::references(&a.expr, cfg.registry, &mut refs);
    }
    through_locals(cfg, &mut refs);
    refs
}

/// Whether a resource's expressions read a module's outputs (through locals too).
pub(crate) fn reads_modules(r: &Resource, cfg: &Config) -> bool {
    let registry = cfg.registry;
    let mut refs = BTreeSet::new();
    body_references(&r.body, registry, &mut refs);
    for a in r.count.iter().chain(&r.for_each) {
        crate::config::eval::references(&a.expr, registry, &mut refs);
    }
    for c in r
        .lifecycle
        .preconditions
        .iter()
        .chain(&r.lifecycle.postconditions)
    {
        crate::config::eval::references(&c.condition.expr, registry, &mut refs);
    }
    through_locals(cfg, &mut refs);
    refs.iter().any(|x| matches!(x, Ref::Module(_)))
}

/// The values of what `refs` names in the module instance at `path` (its configuration
/// `cfg`), from a state, by their addresses inside it; data source values too.
fn referenced_objects(
    cfg: &Config,
    state: &State,
    data: &Objects,
    path: &ModulePath,
    refs: &BTreeSet<Ref>,
) -> (Objects, SecretAttrs) {
    let mut objects = data_at(data, path);
    let mut sens = BTreeMap::new();
    for r in refs {
        let Ref::Resource(local) = r else { continue };
        if local.mode != crate::addr::Mode::Managed {
            continue;
        }
        let mut full = local.clone();
        full.module = path.clone();
        let value = state
            .resource_value(&full)
            .unwrap_or_else(|| cfg.resource(local).map_or(Value::Unknown, absent));
        objects.insert(local.clone(), value);
        if let Some(s) = state.sensitive_attributes_of(&full) {
            sens.insert(local.clone(), s);
        }
    }
    (objects, sens)
}

/// The configuration and variables of the module instance at `path`, from a state: its
/// module blocks' arguments evaluated with the values known now (what apply evaluates a
/// module's resources with).
pub fn module_at<'c>(
    cfg: &'c Config,
    vars: &'c Resolved,
    data: &Objects,
    state: &State,
    path: &ModulePath,
) -> Result<(&'c Config, std::borrow::Cow<'c, Resolved>), Diags> {
    let mut c = cfg;
    let mut v = std::borrow::Cow::Borrowed(vars);
    let mut at = ModulePath::default();
    for (name, key) in &path.0 {
        let call = c.modules.get(name).ok_or_else(|| {
            Diags(vec![Diag::new(
                None,
                format!("{at}module.{name} is not in the configuration"),
                "",
            )])
        })?;
        // What the call's arguments read, and nothing more: a module's resources are
        // evaluated one by one, and the state may be large.
        let refs = call_refs(c, call);
        let (objects, sens) = referenced_objects(c, state, data, &at, &refs);
        let modules = if refs.iter().any(|r| matches!(r, Ref::Module(_))) {
            module_values(c, &v, data, state, &at)?
        } else {
            BTreeMap::new()
        };
        let nv = call_vars(c, &v, &objects, &sens, &modules, call, key, &at)?;
        at.0.push((name.clone(), key.clone()));
        c = &call.config;
        v = std::borrow::Cow::Owned(nv);
    }
    Ok((c, v))
}

/// The outputs of the modules `cfg` (the module instance at `path`) calls, by call name,
/// from a state: what `module.NAME` reads at apply time.
pub fn module_values(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    path: &ModulePath,
) -> Result<BTreeMap<String, Value>, Diags> {
    let mut out = BTreeMap::new();
    if cfg.modules.is_empty() {
        return Ok(out);
    }
    let graph = crate::graph::build(cfg)?;
    let (objects, sens) = objects_at(cfg, state, data, path);
    for item in &graph.sequence {
        let crate::graph::Item::Module(name) = item else {
            continue;
        };
        let call = &cfg.modules[name];
        let repeated = call.as_repeated();
        let keys = {
            let mut scope = Scope::of(cfg, vars, &objects, &sens);
            scope.modules = &out;
            let max = cfg.limits.max_instances;
            expand(&repeated, &scope, max, max).map_err(|e| Diags(vec![e]))?
        };
        let mut values = Vec::new();
        for (key, _) in keys {
            let child = &*call.config;
            let child_vars = call_vars(cfg, vars, &objects, &sens, &out, call, &key, path)?;
            let mut child_path = path.clone();
            child_path.0.push((name.clone(), key.clone()));
            let (cobjects, csens) = objects_at(child, state, data, &child_path);
            let cmodules = module_values(child, &child_vars, data, state, &child_path)?;
            let mut scope = Scope::of(child, &child_vars, &cobjects, &csens);
            scope.modules = &cmodules;
            let mut m = BTreeMap::new();
            for (oname, o) in &child.outputs {
                scope.sensitive_hit.set(false);
                let v = scope.eval_attr(&o.value).unwrap_or(Value::Unknown);
                let v = if o.sensitive || scope.sensitive_hit.get() {
                    Value::Sensitive(Box::new(v))
                } else {
                    v
                };
                m.insert(oname.clone(), v);
            }
            values.push((key, Value::Map(m)));
        }
        out.insert(name.clone(), aggregate(values, &repeated));
    }
    Ok(out)
}

/// The failed assertions of the check blocks in the modules `cfg` (the module instance at
/// `path`) calls, in each of their instances, from a state: what apply reports after it
/// has made the objects.
pub fn module_checks(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    path: &ModulePath,
) -> Vec<Diag> {
    module_conditions(cfg, vars, data, state, path, false)
}

/// The failed preconditions of the outputs of the modules `cfg` (at `path`) calls, in
/// each of their instances, from a state: errors after apply.
pub fn module_output_failures(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    path: &ModulePath,
) -> Vec<Diag> {
    module_conditions(cfg, vars, data, state, path, true)
}

/// Check blocks (or, with `outputs`, output preconditions) of every module instance.
fn module_conditions(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    path: &ModulePath,
    outputs: bool,
) -> Vec<Diag> {
    let mut out = Vec::new();
    if cfg.modules.is_empty() {
        return out;
    }
    let Ok(graph) = crate::graph::build(cfg) else {
        return out;
    };
    let (objects, sens) = objects_at(cfg, state, data, path);
    let Ok(modules) = module_values(cfg, vars, data, state, path) else {
        return out;
    };
    for item in &graph.sequence {
        let crate::graph::Item::Module(name) = item else {
            continue;
        };
        let call = &cfg.modules[name];
        let keys = {
            let mut scope = Scope::of(cfg, vars, &objects, &sens);
            scope.modules = &modules;
            let max = cfg.limits.max_instances;
            match expand(&call.as_repeated(), &scope, max, max) {
                Ok(k) => k,
                Err(_) => continue,
            }
        };
        for (key, _) in keys {
            let child = &*call.config;
            let Ok(child_vars) = call_vars(cfg, vars, &objects, &sens, &modules, call, &key, path)
            else {
                continue;
            };
            let mut child_path = path.clone();
            child_path.0.push((name.clone(), key.clone()));
            let wanted = if outputs {
                child.outputs.values().any(|o| !o.preconditions.is_empty())
            } else {
                !child.checks.is_empty()
            };
            if wanted {
                let (cobjects, csens) = objects_at(child, state, data, &child_path);
                let cmodules =
                    module_values(child, &child_vars, data, state, &child_path).unwrap_or_default();
                let at = child_path.to_string();
                let found = if outputs {
                    let mut scope = Scope::of(child, &child_vars, &cobjects, &csens);
                    scope.modules = &cmodules;
                    child
                        .outputs
                        .values()
                        .flat_map(|o| {
                            super::conditions::failures(
                                &scope,
                                &o.preconditions,
                                "Module output value precondition failed",
                            )
                        })
                        .collect()
                } else {
                    super::planner::check_blocks(child, &child_vars, &cobjects, &csens, &cmodules)
                };
                for mut d in found {
                    d.summary = format!("{} in {}", d.summary, at.trim_end_matches('.'));
                    out.push(d);
                }
            }
            out.extend(module_conditions(
                child,
                &child_vars,
                data,
                state,
                &child_path,
                outputs,
            ));
        }
    }
    out
}
