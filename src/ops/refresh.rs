//! Reading the world: the managed objects as the API shows them now (a refresh), and the
//! data sources, in dependency order.

use crate::addr::{InstanceAddr, Mode, ResourceAddr};
use crate::config::eval::{Objects, Scope};
use crate::config::{Diag, Diags};
use crate::plan::instances::{aggregate, decode_instance, expand, objects_of};
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
                .entry((
                    providers.owners.get(&a.resource).map(String::as_str),
                    kind.type_name(),
                ))
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
            .map(|((_, _, i), id)| (*id, &i.attributes))
            .collect();
        let found = provider.read_many(kind, &refs).await?;
        for (((a, k, prior), _), read) in items.into_iter().zip(found) {
            let Some(attributes) = read else {
                continue;
            };
            let sensitive =
                crate::schema::sensitive_for(Some(kind.schema()), &attributes, &prior.sensitive);
            let inst = Instance {
                attributes,
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

/// Read the data sources, in dependency order. They may depend on variables, locals,
/// other data sources and existing resources.
pub async fn read_data(
    providers: &Providers,
    l: &super::Loaded,
    state: &State,
) -> anyhow::Result<Objects> {
    let cfg = &l.cfg;
    let mut data: Objects = BTreeMap::new();
    for &ri in &l.graph.order {
        let r = &cfg.resources[ri];
        if r.mode != Mode::Data {
            continue;
        }
        let Some(source) = cfg.registry.data_source(&r.rtype) else {
            continue;
        };
        let (objects, _) = objects_of(cfg, state, &data);
        let no = BTreeMap::new();
        let scope = Scope::of(cfg, &l.vars, &objects, &no);
        let keys = expand(
            r,
            &scope,
            cfg.limits.max_instances,
            cfg.limits.max_instances,
        )
        .map_err(|e| Diags(vec![e]))?;
        let mut values = Vec::new();
        for (key, each) in keys {
            let iscope = scope.for_instance(key.as_ref(), each);
            let mut errs = Vec::new();
            let (args, _) = decode_instance(r, source.schema(), &iscope, &mut errs);
            if !errs.is_empty() {
                return Err(Diags(errs).into());
            }
            if !args.is_known() {
                return Err(Diags(vec![Diag::new(Some(&r.span), format!("{} depends on values known only after apply", r.addr()), "A data source can use variables, locals, other data sources and resources that already exist.")]).into());
            }
            let v = providers
                .of(&r.addr())
                .read_data(source, &args)
                .await
                .map_err(|e| {
                    Diags(vec![Diag::new(
                        Some(&r.span),
                        format!("reading {}: {e}", r.addr()),
                        "",
                    )])
                })?;
            values.push((key, v));
        }
        data.insert(r.addr(), aggregate(values, r));
    }
    Ok(data)
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
