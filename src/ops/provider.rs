//! Choosing the cloud: the real ModelArts API from the provider block and the environment
//! the Huawei tools use, or, when nothing is configured, the embedded simulator. This is
//! the one place that decides where API calls go.

use crate::addr::ResourceAddr;
use crate::config::eval::Scope;
use crate::config::vars::Resolved;
use crate::config::Block;
use crate::config::{Config, Diag, Diags};
use crate::provider::modelarts::{Client, ClientConfig, Credentials, ModelArts};
use crate::provider::{Provider, Providers};
use crate::state::{Place, State};
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where API calls go, and the embedded simulator when that is where: for the default
/// provider configuration, and in `aliases` for each aliased one.
pub struct Cloud {
    pub provider: Arc<dyn Provider>,
    /// Where that is, as the state records it.
    pub place: Place,
    /// The in-process simulator, when no cloud is configured.
    sim: Option<crate::sim::Server>,
    /// The aliased configurations (another project or region), by alias.
    pub aliases: BTreeMap<String, Cloud>,
    /// The configuration each resource uses where its module does not decide it.
    owners: BTreeMap<ResourceAddr, Option<String>>,
    /// The alias the resources of each module use, by module names.
    module_owners: BTreeMap<Vec<String>, String>,
}

impl Cloud {
    /// Stop the embedded simulators, if any (their clouds are saved), passing on what
    /// they had to report.
    pub async fn stop(self, notify: crate::Notify<'_>) -> anyhow::Result<()> {
        for (_, c) in self.aliases {
            Box::pin(c.stop(notify)).await?;
        }
        if let Some(mut s) = self.sim {
            if let Some(mut notices) = s.notices() {
                while let Ok(n) = notices.try_recv() {
                    notify(&n);
                }
            }
            s.stop().await?;
        }
        Ok(())
    }

    /// Every configuration's provider, and which one each resource uses.
    pub fn providers(&self) -> Providers {
        Providers {
            default: self.provider.clone(),
            aliases: self
                .aliases
                .iter()
                .map(|(a, c)| (a.clone(), c.provider.clone()))
                .collect(),
            owners: self.owners.clone(),
            modules: self.module_owners.clone(),
        }
    }

    /// Record in `state` where its objects live: the default configuration's place, the
    /// places of the aliased configurations this run uses, and for each resource of an
    /// aliased configuration that has objects, its alias.
    pub fn record(&self, state: &mut State) {
        state.provider = Some(self.place.clone());
        let providers = self.providers();
        let mut owners = BTreeMap::new();
        let mut last: Option<&ResourceAddr> = None;
        let with_objects = state
            .instances
            .keys()
            .chain(state.deposed.keys().map(|(a, _)| a))
            .map(|a| &a.resource);
        for r in with_objects {
            if last == Some(r) {
                continue;
            }
            last = Some(r);
            if let Some(a) = providers.alias_of(r) {
                owners.insert(r.clone(), a.to_string());
            }
        }
        state.alias_places = self
            .owners
            .values()
            .flatten()
            .chain(self.module_owners.values())
            .chain(owners.values())
            .filter_map(|a| Some((a.clone(), self.aliases.get(a)?.place.clone())))
            .collect();
        state.resource_aliases = owners;
    }
}

/// Whether an endpoint is on this machine (a simulator, a tunnel).
fn is_loopback(endpoint: &str) -> bool {
    let host = reqwest::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

const SETTINGS: [&str; 5] = [
    "region",
    "project_id",
    "endpoint",
    "insecure",
    "max_retries",
];

/// A provider block's settings, evaluated.
pub(super) fn settings(
    cfg: &Config,
    block: Option<&Block>,
    vars: &Resolved,
) -> Result<BTreeMap<String, Value>, Diags> {
    let mut out = BTreeMap::new();
    let Some(b) = block else {
        return Ok(out);
    };
    let scope = Scope::for_variables(cfg, vars);
    for (k, a) in &b.body.attrs {
        if k == "alias" {
            continue;
        }
        if k == "access_key" || k == "secret_key" {
            return Err(Diags(vec![Diag::new(Some(&a.span), format!("{k} does not belong in a configuration file"), "Set HW_ACCESS_KEY and HW_SECRET_KEY (or HW_AUTH_TOKEN) in the environment instead.")]));
        }
        if !SETTINGS.contains(&k.as_str()) {
            return Err(Diags(vec![Diag::new(Some(&a.span), format!("unsupported provider argument {k:?}"), "Use region, project_id, endpoint, insecure or max_retries; credentials come from HW_ACCESS_KEY/HW_SECRET_KEY or HW_AUTH_TOKEN.")]));
        }
        let v = scope.eval_attr(a).map_err(|e| Diags(vec![e]))?;
        // Each setting of the type it is used as; a value that would be dropped is refused.
        let v = match (k.as_str(), v) {
            (_, Value::Null) => continue,
            ("insecure", Value::Bool(b)) => Value::Bool(b),
            ("insecure", Value::String(s)) if s == "true" || s == "false" => {
                Value::Bool(s == "true")
            }
            ("max_retries", Value::Number(n)) if n.fract() == 0.0 && (0.0..=100.0).contains(&n) => {
                Value::Number(n)
            }
            ("region" | "project_id" | "endpoint", v @ Value::String(_)) => v,
            (k, other) => {
                let want = match k {
                    "insecure" => "true or false",
                    "max_retries" => "a whole number from 0 to 100",
                    _ => "a string",
                };
                return Err(Diags(vec![Diag::new(
                    Some(&a.span),
                    format!("invalid value for provider argument {k:?}"),
                    format!("{want} is required, got {}", other.type_name()),
                )]));
            }
        };
        out.insert(k.clone(), v);
    }
    Ok(out)
}

/// The file the embedded simulator keeps its cloud in, relative to the configuration
/// (an aliased configuration's simulator: `.maform/sim-ALIAS.json`).
const EMBEDDED_DATA: &str = ".maform/sim.json";

fn embedded_data(alias: Option<&str>) -> String {
    match alias {
        None => EMBEDDED_DATA.into(),
        Some(a) => format!(".maform/sim-{a}.json"),
    }
}

/// Refuse a run whose cloud is not the one the state's objects live in: it would see them
/// all as deleted and create them again elsewhere, and the state would lose the real ones.
fn check_place(recorded: Option<&Place>, resolved: &Place, implicit: bool) -> anyhow::Result<()> {
    let Some(r) = recorded.filter(|r| *r != resolved) else {
        return Ok(());
    };
    let rebind = "If the objects really moved, say so with: maform state rebind (the next apply then records where it runs)";
    if implicit {
        anyhow::bail!("the state's objects live at {r}, but this run has no endpoint, region or credentials, so it would use the embedded simulator and plan to create everything again; nothing was done.\nSet HW_ACCESS_KEY and HW_SECRET_KEY (and the endpoint or region the state was made with) as that run did. {rebind}.");
    }
    anyhow::bail!("the state's objects live at {r}, but this run resolved {resolved}; nothing was done.\nPoint the provider block or HW_* variables at the cloud the state belongs to. {rebind}.")
}

/// Build the client from the provider block and the environment. With no endpoint,
/// region or credentials anywhere, start the embedded simulator, whose cloud persists in
/// `.maform/sim.json` next to the configuration so that separate commands see the same
/// cloud — unless `recorded` (where the state's objects live) is a real cloud. A cloud
/// other than `recorded` is refused before any call.
pub async fn select(
    cfg: &Config,
    vars: &Resolved,
    state: &State,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Cloud> {
    let (owners, module_owners) = owners(cfg, state)?;
    let mut default = resolve(cfg, vars, None, state.provider.as_ref(), notify).await?;
    // Every declared configuration, and every one the state's objects belong to.
    let mut used: std::collections::BTreeSet<&str> =
        cfg.provider_aliases.keys().map(String::as_str).collect();
    used.extend(owners.values().flatten().map(String::as_str));
    used.extend(module_owners.values().map(String::as_str));
    for alias in used {
        match resolve(
            cfg,
            vars,
            Some(alias),
            state.alias_places.get(alias),
            notify,
        )
        .await
        {
            Ok(c) => {
                default.aliases.insert(alias.to_string(), c);
            }
            Err(e) => {
                default.stop(notify).await?;
                return Err(e);
            }
        }
    }
    default.owners = owners;
    default.module_owners = module_owners;
    Ok(default)
}

/// The alias each resource uses: as the configuration says, and for resources it no
/// longer declares, as the state recorded. Refused before any call: objects of a
/// configuration the configuration no longer declares, and a resource whose objects
/// would move to another configuration (they would be planned as gone there and created
/// again).
type Owners = (
    BTreeMap<ResourceAddr, Option<String>>,
    BTreeMap<Vec<String>, String>,
);

fn owners(cfg: &Config, state: &State) -> anyhow::Result<Owners> {
    let name = |a: Option<&str>| a.map_or("modelarts".to_string(), |a| format!("modelarts.{a}"));
    let moved = |addr: &ResourceAddr, was: Option<&str>, now: Option<&str>| {
        anyhow::anyhow!("{addr}'s objects belong to provider configuration {}, but the configuration now says {}; nothing was done.\nAn object cannot move between configurations (another project or region): set provider back, or move it deliberately (maform state rm {addr}, then import it under the new configuration)", name(was), name(now))
    };
    let mut out = BTreeMap::new();
    for r in &cfg.resources {
        let addr = r.addr();
        let was = state.alias_of(&addr);
        let now = r.provider_alias();
        if was != now && state.has_objects_of(&addr) {
            return Err(moved(&addr, was, now));
        }
        if let Some(a) = now {
            out.insert(addr, Some(a.to_string()));
        }
    }
    // The check blocks' data sources (read, never stored: no state to agree with).
    for d in cfg.checks.iter().filter_map(|c| c.data.as_ref()) {
        if let Some(a) = d.provider_alias() {
            out.insert(d.addr(), Some(a.to_string()));
        }
    }
    // Modules: what their calls pass on with `providers`, inherited by nested calls.
    let mut modules = BTreeMap::new();
    let mut stack: Vec<(Vec<String>, &Config, Option<String>)> = vec![(vec![], cfg, None)];
    while let Some((names, c, alias)) = stack.pop() {
        for (n, call) in &c.modules {
            let mut p = names.clone();
            p.push(n.clone());
            let a = call
                .provider
                .as_ref()
                .map(|(a, _)| a.clone())
                .or(alias.clone());
            if let Some(a) = &a {
                modules.insert(p.clone(), a.clone());
            }
            stack.push((p, &call.config, a));
        }
    }
    // The objects of resources in modules: those the configuration still has must stay
    // where they are; the others stay with the configuration the state recorded.
    let mut in_module: Vec<&ResourceAddr> = state
        .instances
        .keys()
        .map(|a| &a.resource)
        .chain(state.deposed.keys().map(|(a, _)| &a.resource))
        .filter(|r| !r.module.is_root())
        .collect();
    in_module.sort();
    in_module.dedup();
    let declared: std::collections::BTreeSet<ResourceAddr> =
        cfg.resources.iter().map(|r| r.addr()).collect();
    for r in in_module {
        let was = state.alias_of(r);
        if cfg.resource(r).is_some() {
            let names: Vec<String> = r.module.0.iter().map(|(n, _)| n.clone()).collect();
            let now = modules.get(&names).map(String::as_str);
            if was != now {
                return Err(moved(r, was, now));
            }
        } else {
            out.insert(r.clone(), was.map(str::to_string));
        }
    }
    // Objects of resources the configuration no longer has stay with their
    // configuration, which must still be declared.
    for (r, a) in &state.resource_aliases {
        let gone = if r.module.is_root() {
            !declared.contains(r)
        } else {
            cfg.resource(r).is_none()
        };
        if !gone || !state.has_objects_of(r) {
            continue;
        }
        if !cfg.provider_aliases.contains_key(a) {
            anyhow::bail!("the state has objects of {r}, which belong to provider configuration modelarts.{a}, and the configuration no longer declares it; nothing was done.\nDeclare provider \"modelarts\" {{ alias = \"{a}\" ... }} again (to destroy them), or forget them with maform state rm {r}");
        }
        out.insert(r.clone(), Some(a.clone()));
    }
    Ok((out, modules))
}

/// One provider configuration's cloud: the default one (`alias` None) or an aliased one.
async fn resolve(
    cfg: &Config,
    vars: &Resolved,
    alias: Option<&str>,
    recorded: Option<&Place>,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Cloud> {
    let block = match alias {
        None => cfg.provider.as_ref(),
        Some(a) => cfg.provider_aliases.get(a),
    };
    let settings = settings(cfg, block, vars)?;
    let which = alias
        .map(|a| format!("provider modelarts.{a}: "))
        .unwrap_or_default();
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
    let security_token = env("HW_SECURITY_TOKEN");
    for secret in [&sk, &token, &security_token].into_iter().flatten() {
        crate::redact::register(secret);
    }
    let credentials = match (ak, sk, token) {
        (Some(ak), Some(sk), _) => Credentials::AkSk {
            ak,
            sk,
            security_token,
        },
        (Some(_), None, _) | (None, Some(_), _) => {
            anyhow::bail!("set both HW_ACCESS_KEY and HW_SECRET_KEY, or neither")
        }
        (None, None, Some(t)) => Credentials::Token(t),
        (None, None, None) => Credentials::None,
    };
    let insecure = match settings.get("insecure").and_then(Value::as_bool) {
        Some(b) => b,
        None => match env("HW_INSECURE").as_deref() {
            None | Some("false" | "0") => false,
            Some("true" | "1") => true,
            Some(other) => anyhow::bail!("invalid HW_INSECURE {other:?}: use true or false"),
        },
    };
    let max_retries = match settings.get("max_retries").and_then(Value::as_f64) {
        Some(n) => n as u32,
        None => match env("HW_MAX_RETRIES") {
            None => 5,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n <= 100 => n,
                _ => {
                    anyhow::bail!("invalid HW_MAX_RETRIES {v:?}: use a whole number from 0 to 100")
                }
            },
        },
    };
    let implicit =
        endpoint.is_none() && region.is_none() && matches!(credentials, Credentials::None);
    if endpoint.as_deref() == Some("embedded") || implicit {
        let place = Place::Embedded {
            data: embedded_data(alias),
        };
        check_place(recorded, &place, implicit).map_err(|e| e.context(which.clone()))?;
        let data = cfg.dir.join(embedded_data(alias));
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
        match alias {
            None => notify(&format!("Note: no endpoint, region or credentials are configured, so maform runs against its embedded ModelArts simulator (cloud kept in {}).", data.display())),
            Some(a) => notify(&format!("Note: provider modelarts.{a} has no endpoint, region or credentials, so it runs against an embedded ModelArts simulator of its own (cloud kept in {}).", data.display())),
        }
        let client = Client::new(ClientConfig {
            endpoint: server.url(),
            project_id,
            region: "cn-north-4".into(),
            credentials: Credentials::None,
            insecure: false,
            max_retries,
        })?;
        return Ok(Cloud {
            provider: Arc::new(ModelArts::new(Arc::new(client))),
            place,
            sim: Some(server),
            aliases: BTreeMap::new(),
            owners: BTreeMap::new(),
            module_owners: BTreeMap::new(),
        });
    }
    let region = region.unwrap_or_else(|| "cn-north-4".into());
    let endpoint =
        endpoint.unwrap_or_else(|| format!("https://modelarts.{region}.myhuaweicloud.com"));
    let project_id = get("project_id", &["HW_PROJECT_ID", "OS_PROJECT_ID"]).ok_or_else(|| {
        anyhow::anyhow!(
            "{which}no project id: set project_id in provider \"modelarts\" or HW_PROJECT_ID"
        )
    })?;
    let place = Place::cloud(&endpoint, &project_id);
    check_place(recorded, &place, false).map_err(|e| e.context(which.clone()))?;
    let loopback = is_loopback(&endpoint);
    if matches!(credentials, Credentials::None) && !loopback {
        anyhow::bail!("no credentials: set HW_ACCESS_KEY and HW_SECRET_KEY, or HW_AUTH_TOKEN");
    }
    if endpoint.starts_with("http://") && !loopback {
        notify(&format!("Warning: the endpoint {endpoint} is plain http://: every request, and the create bodies that carry passwords (admin_pass), travel unencrypted. Use https://."));
    }
    if insecure {
        notify("Warning: insecure is set: the endpoint's TLS certificate is not verified, so anyone on the path can read and change the requests. Unset insecure (or HW_INSECURE) outside tests.");
    }
    let client = Client::new(ClientConfig {
        endpoint,
        project_id,
        region,
        credentials,
        insecure,
        max_retries,
    })?;
    Ok(Cloud {
        provider: Arc::new(ModelArts::new(Arc::new(client))),
        place,
        sim: None,
        aliases: BTreeMap::new(),
        owners: BTreeMap::new(),
        module_owners: BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::{check_place, is_loopback, owners, Place};
    use crate::addr::ResourceAddr;
    use crate::config::Config;
    use crate::state::{Instance, State};

    fn cfg(text: &str) -> Config {
        Config::from_sources(&[("main.tf".into(), text.into())]).unwrap()
    }

    const NB: &str = "resource \"modelarts_notebook\" \"a\" {\n  PROVIDER\n  name     = \"a\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"i\"\n}\n";
    const ALIAS: &str = "provider \"modelarts\" {\n  alias = \"other\"\n}\n";

    #[test]
    fn each_resource_keeps_the_configuration_its_objects_belong_to() {
        let a = ResourceAddr::managed("modelarts_notebook", "a");
        let aliased = cfg(&format!(
            "{ALIAS}{}",
            NB.replace("PROVIDER", "provider = modelarts.other")
        ));
        let plain = cfg(&format!("{ALIAS}{}", NB.replace("PROVIDER", "")));
        // A new state: the configuration decides.
        let o = owners(&aliased, &State::new()).unwrap().0;
        assert_eq!(o.get(&a).cloned().flatten().as_deref(), Some("other"));
        assert!(owners(&plain, &State::new()).unwrap().0.is_empty());
        // Objects of the alias: moving them to the default configuration is refused.
        let mut st = State::new();
        st.instances.insert(
            a.instance(None),
            Instance {
                attributes: crate::value::Value::from_json(&serde_json::json!({"id": "1"})).into(),
                sensitive: vec![],
                dependencies: vec![],
                tainted: false,
            },
        );
        st.resource_aliases.insert(a.clone(), "other".into());
        let e = owners(&plain, &st).unwrap_err().to_string();
        assert!(e.contains("belong to provider configuration modelarts.other, but the configuration now says modelarts;"), "{e}");
        assert!(owners(&aliased, &st).is_ok());
        // The resource gone from the configuration: its objects stay with their alias
        // (to be destroyed there), as long as the alias is declared.
        let gone = cfg(ALIAS);
        assert_eq!(
            owners(&gone, &st)
                .unwrap()
                .0
                .get(&a)
                .cloned()
                .flatten()
                .as_deref(),
            Some("other")
        );
        let e = owners(&cfg(""), &st).unwrap_err().to_string();
        assert!(e.contains("no longer declares it"), "{e}");
        // And the other way: default objects cannot move to an alias.
        st.resource_aliases.clear();
        let e = owners(&aliased, &st).unwrap_err().to_string();
        assert!(e.contains("belong to provider configuration modelarts, but the configuration now says modelarts.other"), "{e}");
    }

    #[test]
    fn a_run_elsewhere_than_the_state_is_refused() {
        let real = Place::cloud("https://modelarts.cn-north-4.myhuaweicloud.com", "p1");
        let sim = Place::Embedded {
            data: ".maform/sim.json".into(),
        };
        let e = check_place(Some(&real), &sim, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no endpoint, region or credentials"), "{e}");
        assert!(e.contains("project p1"), "{e}");
        let other = Place::cloud("https://modelarts.cn-north-4.myhuaweicloud.com", "p2");
        let e = check_place(Some(&real), &other, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("but this run resolved") && e.contains("maform state rebind"),
            "{e}"
        );
        assert!(check_place(Some(&real), &real, false).is_ok());
        assert!(
            check_place(None, &sim, true).is_ok(),
            "a new state goes anywhere"
        );
    }

    #[test]
    fn loopback_endpoints() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:1"));
        assert!(is_loopback("http://[::1]:80/x"));
        assert!(!is_loopback("http://10.0.0.1"));
        assert!(!is_loopback(
            "https://modelarts.cn-north-4.myhuaweicloud.com"
        ));
        assert!(!is_loopback("http://127.0.0.1.evil.example"));
    }
}
