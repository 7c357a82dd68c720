//! Reading the world: the managed objects as the API shows them now (a refresh), and the
//! data sources, in dependency order.

use crate::addr::{InstanceAddr, Mode, ModulePath, ResourceAddr};
use crate::config::eval::{Objects, Ref, Scope};
use crate::config::vars::Resolved;
use crate::config::Config;
use crate::config::{Diag, Diags};
use crate::graph::Item;
use crate::plan::instances::{
    aggregate, call_refs, call_vars, decode_instance, expand, module_values, objects_at,
    reads_modules,
};
use crate::provider::{Providers, Registry};
use crate::state::{Instance, State};
use crate::value::Value;
use std::collections::BTreeMap;

/// Every managed object read back from the API, a kind at a time (the provider shares
/// calls where it can); objects that are gone leave the refreshed state. Instances of
/// types no kind knows are kept as they are.
pub async fn refresh(
    providers: &Providers,
    registry: &Registry,
    state: &State,
) -> anyhow::Result<State> {
    // Objects read from the API are rebuilt from what the API says; everything else is
    // copied as it is (no deep copy of attributes that are about to be replaced).
    let mut out = State {
        serial: state.serial,
        lineage: state.lineage.clone(),
        provider: state.provider.clone(),
        alias_places: state.alias_places.clone(),
        resource_aliases: state.resource_aliases.clone(),
        instances: BTreeMap::new(),
        deposed: BTreeMap::new(),
        outputs: state.outputs.clone(),
    };
    // Current objects, then deposed ones (those left by a create-before-destroy
    // replacement whose deletion has not succeeded yet: a gone one leaves the state).
    type Item<'s> = (&'s InstanceAddr, Option<&'s String>, &'s Instance);
    let all = state
        .instances
        .iter()
        .map(|(a, i)| (a, None, i))
        .chain(state.deposed.iter().map(|((a, k), i)| (a, Some(k), i)));
    // By provider configuration and kind: one batch of reads each.
    type Batch<'s> = Vec<(Item<'s>, &'s str)>;
    let mut by_kind: BTreeMap<(Option<&str>, &'static str), Batch<'_>> = BTreeMap::new();
    for (a, k, i) in all {
        let kind = registry
            .kind(a.rtype())
            .filter(|_| a.mode() == Mode::Managed);
        match (kind, i.attributes.get("id").as_str()) {
            (Some(kind), Some(id)) => by_kind
                .entry((providers.alias_of(&a.resource), kind.type_name()))
                .or_default()
                .push(((a, k, i), id)),
            (Some(_), None) => {}
            (None, _) => match k {
                None => {
                    out.instances.insert(a.clone(), i.clone());
                }
                Some(k) => {
                    out.deposed.insert((a.clone(), k.clone()), i.clone());
                }
            },
        }
    }
    for ((_, t), items) in by_kind {
        let Some(kind) = registry.kind(t) else {
            continue;
        };
        let provider = providers.of(&items[0].0 .0.resource);
        let refs: Vec<(&str, &Value)> = items
            .iter()
            .map(|((_, _, i), id)| (*id, &*i.attributes))
            .collect();
        let found = provider.read_many(kind, &refs).await?;
        for (((a, k, prior), _), read) in items.into_iter().zip(found) {
            let Some(attributes) = read else {
                continue;
            };
            let sensitive =
                crate::schema::sensitive_for(Some(kind.schema()), &attributes, &prior.sensitive);
            let inst = Instance {
                attributes: attributes.into(),
                sensitive,
                dependencies: prior.dependencies.clone(),
                tainted: prior.tainted,
            };
            match k {
                None => {
                    out.instances.insert(a.clone(), inst);
                }
                Some(k) => {
                    out.deposed.insert((a.clone(), k.clone()), inst);
                }
            }
        }
    }
    Ok(out)
}

/// Read the data sources, in dependency order, in the modules too (each module
/// instance's with its variables). They may depend on variables, locals, other data
/// sources and existing resources.
///
/// The check blocks' data sources are read last, each once its arguments are known (those
/// that need values known only after apply wait for [`read_check_data`]); a failed read
/// is one of the warnings returned, as in Terraform.
pub async fn read_data(
    providers: &Providers,
    l: &super::Loaded,
    state: &State,
) -> anyhow::Result<(Objects, Vec<Diag>)> {
    let mut data: Objects = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut r = Reading {
        providers,
        root: &l.cfg,
        state,
        checks_only: false,
        warnings: &mut warnings,
    };
    read_module(
        &mut r,
        &l.cfg,
        Some(&l.graph),
        &l.vars,
        &ModulePath::default(),
        &mut data,
    )
    .await?;
    Ok((data, warnings))
}

/// Read the check blocks' data sources again, on `state` (what apply made): `data` holds
/// the other data sources as the plan read them. Returns the failed reads, as warnings.
pub async fn read_check_data(
    providers: &Providers,
    cfg: &Config,
    vars: &Resolved,
    state: &State,
    data: &mut Objects,
) -> anyhow::Result<Vec<Diag>> {
    let mut warnings = Vec::new();
    if !cfg.has_check_data() {
        return Ok(warnings);
    }
    let mut r = Reading {
        providers,
        root: cfg,
        state,
        checks_only: true,
        warnings: &mut warnings,
    };
    read_module(&mut r, cfg, None, vars, &ModulePath::default(), data).await?;
    Ok(warnings)
}

/// What every module instance's reads share.
struct Reading<'a> {
    providers: &'a Providers,
    root: &'a Config,
    state: &'a State,
    /// Only the check blocks' data sources (the others are in the data already).
    checks_only: bool,
    warnings: &'a mut Vec<Diag>,
}

/// The data sources of the module instance at `path` (configuration `cfg`, variables
/// `vars`), into `data` by their full addresses.
fn read_module<'a>(
    rd: &'a mut Reading<'_>,
    cfg: &'a Config,
    graph: Option<&'a crate::graph::ResourceGraph>,
    vars: &'a Resolved,
    path: &'a ModulePath,
    data: &'a mut Objects,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'a>> {
    let (providers, root, state, checks_only) = (rd.providers, rd.root, rd.state, rd.checks_only);
    Box::pin(async move {
        let built;
        let graph = match graph {
            Some(g) => g,
            None => {
                built = crate::graph::build(cfg)?;
                &built
            }
        };
        for item in &graph.sequence {
            match item {
                Item::Module(name) => {
                    let call = &cfg.modules[name];
                    let children = {
                        // (Other modules' outputs only when the call reads them: they
                        // may need data sources not read yet.)
                        let reads = call_refs(cfg, call)
                            .iter()
                            .any(|r| matches!(r, Ref::Module(_)));
                        let (objects, sens, modules) = view(cfg, vars, data, state, path, reads)?;
                        let mut scope = Scope::of(cfg, vars, &objects, &sens);
                        scope.modules = &modules;
                        let max = root.limits.max_instances;
                        let keys = expand(&call.as_repeated(), &scope, max, max)
                            .map_err(|e| Diags(vec![e]))?;
                        let mut out = Vec::new();
                        for (key, _) in keys {
                            let v =
                                call_vars(cfg, vars, &objects, &sens, &modules, call, &key, path)?;
                            let mut p = path.clone();
                            p.0.push((name.clone(), key));
                            out.push((p, v));
                        }
                        out
                    };
                    for (p, v) in children {
                        read_module(&mut *rd, &call.config, None, &v, &p, data).await?;
                    }
                }
                Item::Resource(ri) => {
                    let r = &cfg.resources[*ri];
                    if r.mode != Mode::Data || checks_only {
                        continue;
                    }
                    let Some(source) = cfg.registry.data_source(&r.rtype) else {
                        continue;
                    };
                    let mut addr = r.addr();
                    addr.module = path.clone();
                    let instances = {
                        let (objects, sens, modules) =
                            view(cfg, vars, data, state, path, reads_modules(r, cfg))?;
                        let mut scope = Scope::of(cfg, vars, &objects, &sens);
                        scope.modules = &modules;
                        let max = root.limits.max_instances;
                        let keys = expand(r, &scope, max, max).map_err(|e| Diags(vec![e]))?;
                        let mut args = Vec::new();
                        for (key, each) in keys {
                            let iscope = scope.for_instance(key.as_ref(), each.clone());
                            let mut errs = Vec::new();
                            let (a, _) = decode_instance(r, source.schema(), &iscope, &mut errs);
                            // Its preconditions, before it is read.
                            errs.extend(crate::plan::conditions::failures(
                                &iscope,
                                &r.lifecycle.preconditions,
                                "Resource precondition failed",
                            ));
                            if !errs.is_empty() {
                                return Err(Diags(errs).into());
                            }
                            if !a.is_known() {
                                return Err(Diags(vec![Diag::new(Some(&r.span), format!("{addr} depends on values known only after apply"), "A data source can use variables, locals, other data sources and resources that already exist.")]).into());
                            }
                            args.push((key, each, a));
                        }
                        args
                    };
                    let mut values = Vec::new();
                    let mut eaches = Vec::new();
                    for (key, each, a) in instances {
                        eaches.push(each);
                        let v = providers
                            .of(&addr)
                            .read_data(source, &a)
                            .await
                            .map_err(|e| {
                                Diags(vec![Diag::new(
                                    Some(&r.span),
                                    format!("reading {addr}: {e}"),
                                    "",
                                )])
                            })?;
                        values.push((key, v));
                    }
                    // Its postconditions, on what was read (`self`).
                    if !r.lifecycle.postconditions.is_empty() {
                        let (objects, sens, modules) =
                            view(cfg, vars, data, state, path, reads_modules(r, cfg))?;
                        let mut scope = Scope::of(cfg, vars, &objects, &sens);
                        scope.modules = &modules;
                        let mut errs = Vec::new();
                        for ((key, v), each) in values.iter().zip(eaches) {
                            let iscope = scope.for_instance(key.as_ref(), each);
                            errs.extend(iscope.with_self(v.clone(), |s| {
                                crate::plan::conditions::failures(
                                    s,
                                    &r.lifecycle.postconditions,
                                    "Resource postcondition failed",
                                )
                            }));
                        }
                        if !errs.is_empty() {
                            return Err(Diags(errs).into());
                        }
                    }
                    data.insert(addr, aggregate(values, r));
                }
            }
        }
        // The check blocks' data sources, after everything they can refer to.
        for c in &cfg.checks {
            let Some(r) = &c.data else { continue };
            let Some(source) = cfg.registry.data_source(&r.rtype) else {
                continue;
            };
            let mut addr = r.addr();
            addr.module = path.clone();
            let args = {
                let (objects, sens, modules) =
                    view(cfg, vars, data, state, path, reads_modules(r, cfg))?;
                let mut scope = Scope::of(cfg, vars, &objects, &sens);
                scope.modules = &modules;
                let mut errs = Vec::new();
                let (a, _) = decode_instance(r, source.schema(), &scope, &mut errs);
                if !errs.is_empty() {
                    return Err(Diags(errs).into());
                }
                a
            };
            // (A read after apply replaces the plan's.)
            data.remove(&addr);
            if !args.is_known() {
                // Read after apply, when the values it needs exist.
                if !checks_only {
                    rd.warnings.push(Diag::new(
                        Some(&r.span),
                        format!("Check block data source known after apply (check {:?})", c.name),
                        format!("{addr} reads values known only after apply; apply reads it and checks the assertions."),
                    ));
                }
                continue;
            }
            match providers.of(&addr).read_data(source, &args).await {
                Ok(v) => {
                    data.insert(addr, aggregate(vec![(None, v)], r));
                }
                Err(e) => rd.warnings.push(Diag::new(
                    Some(&r.span),
                    format!("Check block data source read failed (check {:?}): reading {addr}: {e}", c.name),
                    "The check's assertions are not evaluated this time; a check never stops a run.",
                )),
            }
        }
        Ok(())
    })
}

/// What the expressions of the module instance at `path` see while data sources are
/// read: the state's objects, the data read so far and, when `reads_modules`, the
/// outputs of the modules it calls.
fn view(
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
    path: &ModulePath,
    reads_modules: bool,
) -> anyhow::Result<(
    Objects,
    crate::config::eval::SecretAttrs,
    BTreeMap<String, Value>,
)> {
    let (objects, sens) = objects_at(cfg, state, data, path);
    let modules = if reads_modules {
        module_values(cfg, vars, data, state, path)?
    } else {
        BTreeMap::new()
    };
    Ok((objects, sens, modules))
}

/// Unknown values for every data source: what `validate` plans with.
pub fn unknown_data(l: &super::Loaded) -> Objects {
    l.cfg
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Data)
        .map(|r| (r.addr(), Value::Unknown))
        .collect::<BTreeMap<ResourceAddr, Value>>()
}
