//! Bringing existing objects under management: `maform import ADDR ID` and
//! `import { to, id }` blocks. The imported object's arguments the API never returns
//! come from the configuration, so the next plan shows only real differences.

use super::Loaded;
use crate::addr::InstanceAddr;
use crate::config::eval::{Objects, Scope};
use crate::config::{Diag, Diags};
use crate::provider::{Provider, ResourceKind};
use crate::state::{Instance, State};
use crate::value::Value;

/// The kind of `addr`, or an error naming what maform manages.
pub fn kind_of(l: &Loaded, addr: &InstanceAddr) -> anyhow::Result<&'static dyn ResourceKind> {
    l.cfg.registry.kind(addr.rtype()).ok_or_else(|| {
        anyhow::anyhow!(
            "{} is not a resource type maform manages (it manages {})",
            addr.rtype(),
            l.cfg.registry.kind_names().join(", ")
        )
    })
}

/// What the configuration says `addr` should be, as the reference for a read.
fn reference(
    l: &Loaded,
    data: &Objects,
    state: &State,
    addr: &InstanceAddr,
    kind: &'static dyn ResourceKind,
) -> Result<(Value, Vec<crate::value::Path>), Diags> {
    let (config, extra) =
        crate::plan::eval_instance(&l.cfg, &l.vars, data, state, addr, None, None)?;
    Ok((crate::plan::planned(kind.schema(), &config, None), extra))
}

/// Whether an object read as `addr` must be one of the configuration's instances.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Configured {
    /// An import: `addr` must be an instance the configuration declares.
    Required,
    /// A recovery: a create the configuration no longer has is still kept, as read.
    IfDeclared,
}

/// Read object `id` as `addr`, with the configuration's values for what the API never
/// returns. `None` when there is no such object.
pub async fn read_as(
    provider: &dyn Provider,
    l: &Loaded,
    data: &Objects,
    state: &State,
    addr: &InstanceAddr,
    id: &str,
    configured: Configured,
) -> anyhow::Result<Option<Instance>> {
    let kind = kind_of(l, addr)?;
    let (reference, extra) = match (reference(l, data, state, addr, kind), configured) {
        (Ok(r), _) => r,
        (Err(_), Configured::IfDeclared) => (Value::Null, vec![]),
        (Err(e), Configured::Required) => return Err(e.into()),
    };
    let Some(mut attributes) = provider.read(kind, id, &reference).await? else {
        return Ok(None);
    };
    crate::schema::digest_secrets(kind.schema(), &mut attributes, None);
    let sensitive = crate::schema::sensitive_for(Some(kind.schema()), &attributes, &extra);
    Ok(Some(Instance {
        attributes: attributes.into(),
        sensitive,
        dependencies: vec![],
        tainted: false,
    }))
}

/// `import { to = ADDR, id = "..." }` blocks: read each object not yet managed and add it
/// to the refreshed state, so that the plan shows only real differences.
/// Every object the import blocks name, with its id: one per block, or one per element
/// of a block's `for_each` (with `each.key` and `each.value` in `to` and `id`).
fn import_targets(
    l: &Loaded,
) -> Result<Vec<(InstanceAddr, String, &crate::config::Import)>, Diags> {
    use crate::value::Value;
    let mut out: Vec<(InstanceAddr, String, &crate::config::Import)> = Vec::new();
    let base = Scope::for_variables(&l.cfg, &l.vars);
    for imp in &l.cfg.imports {
        let items: Vec<Option<(Value, Value)>> = match &imp.for_each {
            None => vec![None],
            Some(f) => match base.eval_attr(f).map_err(|e| Diags(vec![e]))? {
                Value::Map(m) => m
                    .into_iter()
                    .map(|(k, v)| Some((Value::String(k), v)))
                    .collect(),
                Value::List(l) => l
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| Some((Value::Number(i as f64), v)))
                    .collect(),
                other => {
                    return Err(Diags(vec![Diag::new(
                        Some(&f.span),
                        format!(
                            "an import block's for_each needs a map or a list, not a {}",
                            other.type_name()
                        ),
                        "",
                    )]))
                }
            },
        };
        for each in items {
            let scope = base.for_instance(None, each);
            let (to, id) = (target(&scope, &imp.to)?, &imp.id);
            let id = scope
                .eval_attr(id)
                .map_err(|e| Diags(vec![e]))?
                .to_template_string()
                .ok_or_else(|| {
                    Diags(vec![Diag::new(
                        Some(&imp.id.span),
                        "an import id must be a string",
                        "",
                    )])
                })?;
            // Two import blocks for one address: which id? (Terraform: "Duplicate import
            // configuration".) One id at two addresses would manage one object twice.
            if let Some((_, prev_id, prev)) = out.iter().find(|(a, _, _)| *a == to) {
                return Err(Diags(vec![Diag::new(
                    Some(&imp.to.span),
                    format!("duplicate import configuration for {to}"),
                    format!(
                        "An import block at {} already imports {prev_id:?} into {to}; keep one of them.",
                        prev.to.span
                    ),
                )]));
            }
            if let Some((other, _, prev)) = out.iter().find(|(_, i, _)| *i == id) {
                return Err(Diags(vec![Diag::new(
                    Some(&imp.id.span),
                    format!("the object {id:?} is imported twice, into {other} and {to}"),
                    format!(
                        "The import block at {} imports it too; one object must have one address.",
                        prev.to.span
                    ),
                )]));
            }
            out.push((to, id, imp));
        }
    }
    Ok(out)
}

/// The address `to` names (in a module too: `module.NAME[KEY].TYPE.NAME[KEY]`), its
/// indexes evaluated in `scope`.
fn target(scope: &Scope<'_>, to: &crate::config::Attr) -> Result<InstanceAddr, Diags> {
    use hcl::expr::{Expression, TraversalOperator};
    let bad = || {
        Diags(vec![Diag::new(
            Some(&to.span),
            "import.to must be a resource address",
            "Write to = TYPE.NAME, TYPE.NAME[\"key\"], module.NAME.TYPE.NAME or, with for_each, TYPE.NAME[each.key].",
        )])
    };
    let Expression::Traversal(t) = &to.expr else {
        return Err(bad());
    };
    let Expression::Variable(root) = &t.expr else {
        return Err(bad());
    };
    let key = |ix: &Expression| -> Result<crate::addr::Key, Diags> {
        match scope
            .eval(ix, &to.span)
            .map_err(|e| Diags(vec![e]))?
            .unmark()
            .0
        {
            crate::value::Value::Number(n) if n.fract() == 0.0 => {
                Ok(crate::addr::Key::Int(n as i64))
            }
            crate::value::Value::String(s) => Ok(crate::addr::Key::Str(s)),
            _ => Err(bad()),
        }
    };
    // The names and keys in order: the root, then each attribute and index.
    let mut parts: Vec<(String, Option<crate::addr::Key>)> =
        vec![(root.as_str().to_string(), None)];
    for op in &t.operators {
        match op {
            TraversalOperator::GetAttr(a) => parts.push((a.as_str().to_string(), None)),
            TraversalOperator::Index(ix) => match parts.last_mut() {
                Some((_, k @ None)) => *k = Some(key(ix)?),
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        }
    }
    let mut module = Vec::new();
    let mut rest = &parts[..];
    while let [(m, None), (name, k), more @ ..] = rest {
        if m != "module" || more.is_empty() {
            break;
        }
        module.push((name.clone(), k.clone()));
        rest = more;
    }
    match rest {
        [(rtype, None), (name, k)] if rtype != "module" => {
            let mut r = crate::addr::ResourceAddr::managed(rtype, name);
            r.module = crate::addr::ModulePath(module);
            Ok(r.instance(k.clone()))
        }
        _ => Err(bad()),
    }
}

pub async fn import_blocks(
    providers: &crate::provider::Providers,
    l: &Loaded,
    data: &Objects,
    refreshed: &mut State,
) -> anyhow::Result<Vec<(InstanceAddr, String)>> {
    let mut out = Vec::new();
    for (addr, id, imp) in import_targets(l)? {
        if refreshed.instances.contains_key(&addr) {
            continue;
        }
        if l.cfg.registry.kind(addr.rtype()).is_none() {
            return Err(Diags(vec![Diag::new(
                Some(&imp.span),
                format!(
                    "cannot import into {addr}: maform does not manage {}",
                    addr.rtype()
                ),
                "",
            )])
            .into());
        }
        let inst = read_as(
            providers.of(&addr.resource).as_ref(),
            l,
            data,
            refreshed,
            &addr,
            &id,
            Configured::Required,
        )
        .await?
        .ok_or_else(|| {
            Diags(vec![Diag::new(
                Some(&imp.span),
                format!(
                    "cannot import {addr}: there is no {} with id {id}",
                    addr.rtype()
                ),
                "Check the id in the ModelArts console.",
            )])
        })?;
        refreshed.instances.insert(addr.clone(), inst);
        out.push((addr, id));
    }
    Ok(out)
}

/// `maform import ADDR ID`: read the object and add it to the state as `addr`. With
/// `generate`, first write a resource block for it when the configuration has none.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    wd: &super::Workdir,
    addr: &InstanceAddr,
    id: &str,
    generate: Option<&std::path::Path>,
    inputs: &crate::config::vars::Inputs,
    locking: crate::state::backend::Locking,
    notify: crate::Notify<'_>,
    say: crate::Notify<'_>,
) -> anyhow::Result<()> {
    let registry = crate::provider::Registry::modelarts();
    let kind = registry.kind(addr.rtype()).ok_or_else(|| {
        anyhow::anyhow!(
            "{} is not a resource type maform manages (it manages {})",
            addr.rtype(),
            registry.kind_names().join(", ")
        )
    })?;
    if let Some(g) = generate {
        if g.exists() {
            anyhow::bail!(
                "{} already exists; choose a new file for --generate-config",
                g.display()
            );
        }
    }
    let mut l = super::load(wd, inputs)?;
    let mut backend = wd.config_backend(&l.cfg).await?;
    backend.acquire("import", locking, notify).await?;
    let prior = backend.read().await?;
    if prior.instances.contains_key(addr) {
        anyhow::bail!("{addr} is already managed; remove it first with maform state rm {addr} if you mean to import another object there");
    }
    let cloud = super::provider::select(&l.cfg, &l.vars, &prior, notify).await?;
    let result = async {
        let providers = cloud.providers();
        let provider = providers.of(&addr.resource).as_ref();
        let missing = || anyhow::anyhow!("there is no {} with id {id} in ModelArts", addr.rtype());
        let generated = provider.generate_config(kind, id).await?.ok_or_else(missing)?;
        if l.cfg.resource(&addr.resource).is_none() {
            let Some(g) = generate else {
                anyhow::bail!("{addr} is not in the configuration; add a resource \"{}\" \"{}\" block first, or pass --generate-config FILE to write one", addr.rtype(), addr.name());
            };
            let text = crate::config::generate::resource_hcl(addr, kind.schema(), &generated);
            crate::fsutil::atomic_write(g, text.as_bytes())?;
            say(&format!(
                "Wrote the configuration of {addr} to {}; review it, then run maform plan.",
                g.display()
            ));
            l = super::load(wd, inputs)?;
        }
        let (data, _) = super::refresh::read_data(&providers, &l, &prior).await?;
        let inst = read_as(provider, &l, &data, &prior, addr, id, Configured::Required)
            .await?
            .ok_or_else(missing)?;
        let mut st = prior.clone();
        st.instances.insert(addr.clone(), inst);
        cloud.record(&mut st);
        backend.write(&mut st, &prior).await?;
        backend.unlock().await;
        Ok(())
    }
    .await;
    cloud.stop(notify).await?;
    result
}
