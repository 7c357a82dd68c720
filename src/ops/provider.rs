//! Choosing the cloud: the real ModelArts API from the provider block and the environment
//! the Huawei tools use, or, when nothing is configured, the embedded simulator. This is
//! the one place that decides where API calls go.

use crate::config::eval::Scope;
use crate::config::vars::Resolved;
use crate::config::{Config, Diag, Diags};
use crate::provider::modelarts::{Client, ClientConfig, Credentials, ModelArts};
use crate::provider::Provider;
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where API calls go, and the embedded simulator when that is where.
pub struct Cloud {
    pub provider: Arc<dyn Provider>,
    /// The in-process simulator, when no cloud is configured.
    sim: Option<crate::sim::Server>,
}

impl Cloud {
    /// Stop the embedded simulator, if any (its cloud is saved), passing on what it had
    /// to report.
    pub async fn stop(self, notify: crate::Notify<'_>) -> anyhow::Result<()> {
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

/// The provider block's settings, evaluated.
fn settings(cfg: &Config, vars: &Resolved) -> Result<BTreeMap<String, Value>, Diags> {
    let mut out = BTreeMap::new();
    let Some(b) = &cfg.provider else {
        return Ok(out);
    };
    let scope = Scope::for_variables(cfg, vars);
    for (k, a) in &b.body.attrs {
        if k == "access_key" || k == "secret_key" {
            return Err(Diags(vec![Diag::new(Some(&a.span), format!("{k} does not belong in a configuration file"), "Set HW_ACCESS_KEY and HW_SECRET_KEY (or HW_AUTH_TOKEN) in the environment instead.")]));
        }
        if !SETTINGS.contains(&k.as_str()) {
            return Err(Diags(vec![Diag::new(Some(&a.span), format!("unsupported provider argument {k:?}"), "Use region, project_id, endpoint, insecure or max_retries; credentials come from HW_ACCESS_KEY/HW_SECRET_KEY or HW_AUTH_TOKEN.")]));
        }
        out.insert(k.clone(), scope.eval_attr(a).map_err(|e| Diags(vec![e]))?);
    }
    Ok(out)
}

/// Build the client from the provider block and the environment. With no endpoint,
/// region or credentials anywhere, start the embedded simulator, whose cloud persists in
/// `.maform/sim.json` next to the configuration so that separate commands see the same
/// cloud.
pub async fn select(
    cfg: &Config,
    vars: &Resolved,
    notify: crate::Notify<'_>,
) -> anyhow::Result<Cloud> {
    let settings = settings(cfg, vars)?;
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
        notify(&format!("Note: no endpoint, region or credentials are configured, so maform runs against its embedded ModelArts simulator (cloud kept in {}).", data.display()));
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
    Ok(Cloud {
        provider: Arc::new(ModelArts::new(Arc::new(client))),
        sim: None,
    })
}
