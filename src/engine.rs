//! The steps every command shares: resolve the provider (the real cloud, or the embedded
//! simulator), refresh the state from the live API, read data sources.

use crate::addr::{Addr, Key};
use crate::config::eval::Scope;
use crate::config::vars::Resolved;
use crate::config::{Config, Diag, Diags, Mode};
use crate::graph::ResourceGraph;
use crate::provider::modelarts::kinds::{self, Kind};
use crate::provider::modelarts::{data, Client, ClientConfig, Credentials};
use crate::state::State;
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where API calls go.
pub struct Provider {
    pub client: Arc<Client>,
    /// The in-process simulator, when no cloud is configured.
    pub sim: Option<crate::sim::Server>,
}

impl Provider {
    pub async fn stop(self) -> anyhow::Result<()> {
        if let Some(s) = self.sim {
            s.stop().await?;
        }
        Ok(())
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Build the client from the provider block and the environment the Huawei tools use.
/// With no endpoint, region or credentials anywhere, start the embedded simulator, whose
/// cloud persists in `.maform/sim.json` so that separate commands see the same cloud.
pub async fn provider(cfg: &Config, vars: &Resolved, quiet: bool) -> anyhow::Result<Provider> {
    let mut settings: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(b) = &cfg.provider {
        let scope = Scope::for_variables(vars, &cfg.locals, &cfg.dir);
        for (k, a) in &b.body.attrs {
            if ![
                "region",
                "project_id",
                "endpoint",
                "insecure",
                "max_retries",
                "access_key",
                "secret_key",
            ]
            .contains(&k.as_str())
            {
                return Err(Diags(vec![Diag::new(Some(&a.span), format!("unsupported provider argument {k:?}"), "Use region, project_id, endpoint, insecure or max_retries; credentials come from HW_ACCESS_KEY/HW_SECRET_KEY or HW_AUTH_TOKEN.")]).into());
            }
            if k == "access_key" || k == "secret_key" {
                return Err(Diags(vec![Diag::new(Some(&a.span), format!("{k} does not belong in a configuration file"), "Set HW_ACCESS_KEY and HW_SECRET_KEY (or HW_AUTH_TOKEN) in the environment instead.")]).into());
            }
            settings.insert(k.clone(), scope.eval_attr(a).map_err(|e| Diags(vec![e]))?);
        }
    }
    let get = |k: &str, envs: &[&str]| {
        settings
            .get(k)
            .and_then(|v| v.to_template_string())
            .or_else(|| envs.iter().find_map(|e| env(e)))
    };
    let region = get("region", &["HW_REGION_NAME", "OS_REGION_NAME"]);
    let endpoint = get("endpoint", &["HW_MODELARTS_ENDPOINT"]);
    let ak = env("HW_ACCESS_KEY").or_else(|| env("OS_ACCESS_KEY"));
    let sk = env("HW_SECRET_KEY").or_else(|| env("OS_SECRET_KEY"));
    let token = env("HW_AUTH_TOKEN").or_else(|| env("OS_AUTH_TOKEN"));
    let credentials = match (ak, sk, token) {
        (Some(ak), Some(sk), _) => Credentials::AkSk {
            ak,
            sk,
            security_token: env("HW_SECURITY_TOKEN"),
        },
        (Some(_), None, _) | (None, Some(_), _) => {
            anyhow::bail!("set both HW_ACCESS_KEY and HW_SECRET_KEY, or neither")
        }
        (None, None, Some(t)) => Credentials::Token(t),
        (None, None, None) => Credentials::None,
    };
    let insecure = settings
        .get("insecure")
        .and_then(Value::as_bool)
        .unwrap_or_else(|| env("HW_INSECURE").is_some_and(|v| v == "true" || v == "1"));
    let max_retries = settings
        .get("max_retries")
        .and_then(Value::as_f64)
        .map(|n| n as u32)
        .or_else(|| env("HW_MAX_RETRIES").and_then(|v| v.parse().ok()))
        .unwrap_or(5);
    let embedded = endpoint.as_deref() == Some("embedded")
        || (endpoint.is_none() && region.is_none() && matches!(credentials, Credentials::None));
    if embedded {
        let data = cfg.dir.join(".maform").join("sim.json");
        let timings = match env("MAFORM_SIM_PROFILE").as_deref() {
            Some("realistic") => crate::sim::Timings::realistic(),
            _ => crate::sim::Timings::fast(),
        };
        let sc = crate::sim::SimConfig {
            data: Some(data.clone()),
            timings,
            ..Default::default()
        };
        let project_id = sc.project_id.clone();
        let server = crate::sim::Server::start(sc, "127.0.0.1:0").await?;
        if !quiet {
            eprintln!("Note: no endpoint, region or credentials are configured, so maform runs against its embedded ModelArts simulator (cloud kept in {}).", data.display());
        }
        let client = Client::new(ClientConfig {
            endpoint: server.url(),
            project_id,
            region: "cn-north-4".into(),
            credentials: Credentials::None,
            insecure: false,
            max_retries,
        })?;
        return Ok(Provider {
            client: Arc::new(client),
            sim: Some(server),
        });
    }
    let region = region.unwrap_or_else(|| "cn-north-4".into());
    let endpoint =
        endpoint.unwrap_or_else(|| format!("https://modelarts.{region}.myhuaweicloud.com"));
    let project_id = get("project_id", &["HW_PROJECT_ID", "OS_PROJECT_ID"]).ok_or_else(|| {
        anyhow::anyhow!("no project id: set project_id in provider \"modelarts\" or HW_PROJECT_ID")
    })?;
    if matches!(credentials, Credentials::None)
        && !endpoint.starts_with("http://127.")
        && !endpoint.starts_with("http://localhost")
    {
        anyhow::bail!("no credentials: set HW_ACCESS_KEY and HW_SECRET_KEY, or HW_AUTH_TOKEN");
    }
    let client = Client::new(ClientConfig {
        endpoint,
        project_id,
        region,
        credentials,
        insecure,
        max_retries,
    })?;
    Ok(Provider {
        client: Arc::new(client),
        sim: None,
    })
}

/// Read every managed object back from the API: one list call per page where there are
/// several objects of a kind, a GET per object otherwise; objects that are gone leave the
/// refreshed state.
pub async fn refresh(client: &Arc<Client>, state: &State) -> anyhow::Result<State> {
    // Objects read from the API are rebuilt from what the API says; everything else is
    // copied as it is (no deep copy of attributes that are about to be replaced).
    let mut out = State {
        serial: state.serial,
        lineage: state.lineage.clone(),
        instances: BTreeMap::new(),
        outputs: state.outputs.clone(),
    };
    let mut by_kind: BTreeMap<&'static str, Vec<(Addr, String)>> = BTreeMap::new();
    for (a, i) in &state.instances {
        let kind = Kind::from_type(&a.rtype).filter(|_| a.mode == Mode::Managed);
        match (kind, i.attributes.get("id").as_str()) {
            (Some(kind), Some(id)) => by_kind
                .entry(kind.type_name())
                .or_default()
                .push((a.clone(), id.to_string())),
            (Some(_), None) => {}
            (None, _) => {
                out.instances.insert(a.clone(), i.clone());
            }
        }
    }
    for (t, items) in by_kind {
        let kind = Kind::from_type(t).expect("known");
        let mut found: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        let mut missing: Vec<(Addr, String)> = Vec::new();
        if items.len() >= 3 {
            for b in kinds::list_all(client, kind).await? {
                if let Some(id) = b["id"].as_str() {
                    found.insert(id.to_string(), b);
                }
            }
            for (a, id) in &items {
                if !found.contains_key(id) {
                    missing.push((a.clone(), id.clone()));
                }
            }
        } else {
            missing = items.clone();
        }
        // Per-object reads: small kinds, and confirming what the list did not show.
        let sem = Arc::new(tokio::sync::Semaphore::new(10));
        let mut set = tokio::task::JoinSet::new();
        for (_, id) in missing {
            let c = client.clone();
            let sem = sem.clone();
            set.spawn(async move {
                let _p = sem.acquire_owned().await;
                (id.clone(), kinds::get(&c, kind, &id).await)
            });
        }
        while let Some(r) = set.join_next().await {
            let (id, res) = r?;
            if let Some(b) = res? {
                found.insert(id, b);
            }
        }
        for (a, id) in &items {
            match found.get(id) {
                Some(b) if !(kind == Kind::DevEnv && b["status"] == "DELETED") => {
                    let prior = &state.instances[a];
                    let attributes = kinds::to_attrs(kind, b, &prior.attributes);
                    let sensitive =
                        crate::schema::sensitive_for(&a.rtype, &attributes, &prior.sensitive);
                    out.instances.insert(
                        a.clone(),
                        crate::state::Instance {
                            attributes,
                            sensitive,
                            dependencies: prior.dependencies.clone(),
                            tainted: prior.tainted,
                        },
                    );
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Read the data sources, in dependency order. They may depend on variables, locals,
/// other data sources and existing resources.
pub async fn read_data(
    client: &Client,
    cfg: &Config,
    vars: &Resolved,
    graph: &ResourceGraph,
    state: &State,
) -> Result<BTreeMap<String, Value>, anyhow::Error> {
    let mut data: BTreeMap<String, Value> = BTreeMap::new();
    let known = state.objects();
    for &ri in &graph.order {
        let r = &cfg.resources[ri];
        if r.mode != Mode::Data {
            continue;
        }
        let mut objects = known.clone();
        for other in &cfg.resources {
            if other.mode == Mode::Managed {
                objects.entry(other.key()).or_insert(Value::Unknown);
            }
        }
        objects.extend(data.iter().map(|(k, v)| (k.clone(), v.clone())));
        let no = BTreeMap::new();
        let scope = Scope::new(
            &vars.values,
            &vars.sensitive,
            &cfg.locals,
            &objects,
            &no,
            &cfg.dir,
        );
        let keys = crate::plan::expand(r, &scope).map_err(|e| Diags(vec![e]))?;
        let mut values = Vec::new();
        for (key, each) in keys {
            let iscope = scope.for_instance(
                each,
                match &key {
                    Some(Key::Int(i)) => Some(*i as f64),
                    _ => None,
                },
            );
            let sch = crate::schema::for_type(&r.rtype).expect("data type");
            let mut errs = Vec::new();
            let args = crate::schema::decode(
                sch,
                &r.body,
                "",
                &r.span,
                &|a| iscope.eval_attr(a),
                &mut errs,
            );
            if !errs.is_empty() {
                return Err(Diags(errs).into());
            }
            if !args.is_known() {
                return Err(Diags(vec![Diag::new(Some(&r.span), format!("{} depends on values known only after apply", r.key()), "A data source can use variables, locals, other data sources and resources that already exist.")]).into());
            }
            let v = data::read(client, &r.rtype, &args).await.map_err(|e| {
                Diags(vec![Diag::new(
                    Some(&r.span),
                    format!("reading {}: {e:#}", r.key()),
                    "",
                )])
            })?;
            values.push((key, v));
        }
        let agg = if r.count.is_some() {
            Value::List(values.into_iter().map(|(_, v)| v).collect())
        } else if r.for_each.is_some() {
            Value::Map(
                values
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            match k {
                                Some(Key::Str(s)) => s,
                                _ => String::new(),
                            },
                            v,
                        )
                    })
                    .collect(),
            )
        } else {
            values
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or_default()
        };
        data.insert(r.key(), agg);
    }
    Ok(data)
}

/// Put a live object into the state as `addr`: its attributes as the API returns them,
/// and, for what the API never returns (write-only arguments), the configuration's values.
pub fn adopt(
    cfg: &Config,
    vars: &Resolved,
    data: &BTreeMap<String, Value>,
    state: &mut State,
    addr: &Addr,
    body: &serde_json::Value,
) -> anyhow::Result<()> {
    let kind = Kind::from_type(&addr.rtype)
        .ok_or_else(|| anyhow::anyhow!("{} is not a resource type maform manages", addr.rtype))?;
    let (config, extra) = crate::plan::eval_instance(cfg, vars, data, state, addr, None, None)?;
    let reference = crate::plan::planned(kind.schema(), &config, None);
    let attributes = kinds::stored_attrs(kind, body, &reference);
    let sensitive = crate::schema::sensitive_for(&addr.rtype, &attributes, &extra);
    state.instances.insert(
        addr.clone(),
        crate::state::Instance {
            attributes,
            sensitive,
            dependencies: vec![],
            tainted: false,
        },
    );
    Ok(())
}

/// `import { to = ADDR, id = "..." }` blocks: read each object not yet managed and add it
/// to the refreshed state, so that the plan shows only real differences.
pub async fn import_blocks(
    client: &Arc<Client>,
    cfg: &Config,
    vars: &Resolved,
    data: &BTreeMap<String, Value>,
    refreshed: &mut State,
) -> anyhow::Result<Vec<(Addr, String)>> {
    let mut out = Vec::new();
    for imp in &cfg.imports {
        let addr =
            Addr::parse(&imp.to).map_err(|e| Diags(vec![Diag::new(Some(&imp.span), e, "")]))?;
        if refreshed.instances.contains_key(&addr) {
            continue;
        }
        let kind = Kind::from_type(&addr.rtype).ok_or_else(|| {
            Diags(vec![Diag::new(
                Some(&imp.span),
                format!(
                    "cannot import into {addr}: maform does not manage {}",
                    addr.rtype
                ),
                "",
            )])
        })?;
        let scope = Scope::for_variables(vars, &cfg.locals, &cfg.dir);
        let id = scope
            .eval_attr(&imp.id)
            .map_err(|e| Diags(vec![e]))?
            .to_template_string()
            .ok_or_else(|| {
                Diags(vec![Diag::new(
                    Some(&imp.id.span),
                    "an import id must be a string",
                    "",
                )])
            })?;
        let body = kinds::get(client, kind, &id).await?.ok_or_else(|| {
            Diags(vec![Diag::new(
                Some(&imp.span),
                format!(
                    "cannot import {addr}: there is no {} with id {id}",
                    addr.rtype
                ),
                "Check the id in the ModelArts console.",
            )])
        })?;
        adopt(cfg, vars, data, refreshed, &addr, &body)?;
        out.push((addr, id));
    }
    Ok(out)
}

/// Reconcile the journal of an interrupted run with the cloud: every create it had
/// started is found (by the id it recorded, or by name and time through the list API) and
/// adopted into `state`; a create that never happened is forgotten. When several objects
/// could be the one, it stops and creates nothing. Returns what it did, for the user.
pub async fn recover(
    client: &Arc<Client>,
    cfg: &Config,
    vars: &Resolved,
    data: &BTreeMap<String, Value>,
    journal: &crate::state::Journal,
    state: &mut State,
) -> anyhow::Result<Vec<String>> {
    use crate::state::JournalEntry;
    let entries = journal.read().await?;
    let mut intents: BTreeMap<String, (String, String, i64)> = BTreeMap::new();
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    for e in entries {
        match e {
            JournalEntry::Intent {
                addr,
                rtype,
                name,
                at,
            } => {
                intents.insert(addr.clone(), (rtype, name, at));
                created.remove(&addr);
            }
            JournalEntry::Created { addr, id } => {
                created.insert(addr, id);
            }
        }
    }
    let mut messages = Vec::new();
    let managed: std::collections::BTreeSet<String> = state
        .instances
        .values()
        .filter_map(|i| i.attributes.get("id").as_str().map(str::to_string))
        .collect();
    for (addr_s, (rtype, name, at)) in intents {
        let addr = Addr::parse(&addr_s).map_err(anyhow::Error::msg)?;
        let Some(kind) = Kind::from_type(&rtype) else {
            continue;
        };
        if state
            .instances
            .get(&addr)
            .and_then(|i| i.attributes.get("id").as_str())
            .is_some_and(|id| created.get(&addr_s).is_none_or(|c| c == id))
        {
            continue;
        }
        let body = match created.get(&addr_s) {
            Some(id) => kinds::get(client, kind, id).await?,
            None => {
                let found: Vec<serde_json::Value> = kinds::find_created(client, kind, &name, at)
                    .await?
                    .into_iter()
                    .filter(|b| b["id"].as_str().is_some_and(|id| !managed.contains(id)))
                    .collect();
                match found.len() {
                    0 => None,
                    1 => found.into_iter().next(),
                    n => {
                        let ids: Vec<&str> =
                            found.iter().filter_map(|b| b["id"].as_str()).collect();
                        anyhow::bail!(
                            "an interrupted run was creating {addr} ({name}) and {n} unmanaged objects of that name appeared since: {}. maform cannot tell which one it created and creates nothing until you decide: import the right one (maform import {addr} ID) and delete the others, then run again",
                            ids.join(", ")
                        );
                    }
                }
            }
        };
        let Some(body) = body else {
            messages.push(format!("Note: the interrupted create of {addr} never reached ModelArts; it will be planned again."));
            continue;
        };
        let id = body["id"].as_str().unwrap_or_default().to_string();
        if adopt(cfg, vars, data, state, &addr, &body).is_err() {
            let attributes = kinds::stored_attrs(kind, &body, &Value::Null);
            let sensitive = crate::schema::sensitive_for(&addr.rtype, &attributes, &[]);
            state.instances.insert(
                addr.clone(),
                crate::state::Instance {
                    attributes,
                    sensitive,
                    dependencies: vec![],
                    tainted: false,
                },
            );
        }
        let failed = matches!(body["status"].as_str(), Some("CREATE_FAILED" | "ERROR"));
        if let Some(i) = state.instances.get_mut(&addr) {
            i.tainted = failed;
        }
        messages.push(format!(
            "Recovered {addr} (id={id}), created by an interrupted run; it is in the state now{}.",
            if failed { " (tainted: it failed)" } else { "" }
        ));
    }
    Ok(messages)
}
