//! `maform providers`: the providers the configuration and the state require, as
//! `terraform providers` prints them. maform has one provider, built in.

use super::{Exit, Workdir};
use crate::config::Config;

use crate::provider::PROVIDER_ADDRESS as PROVIDER;

pub async fn run(wd: &Workdir, sub: Option<&str>) -> anyhow::Result<Exit> {
    if let Some(s) = sub {
        anyhow::bail!(match s {
            "lock" | "mirror" => format!("maform providers {s}: maform's only provider is built into it: there is nothing to download, lock or mirror"),
            "schema" => "maform providers schema is not supported: the README's reference lists every resource type and argument".to_string(),
            other => format!("maform providers has no subcommand {other:?} (Terraform's are lock, mirror and schema)"),
        });
    }
    let cfg = Config::load_dir(&wd.dir)?;
    let state = wd.state_backend().await?.read().await?;
    print!(
        "{}",
        render(
            &cfg,
            !state.instances.is_empty() || !state.deposed.is_empty()
        )
    );
    Ok(Exit(0))
}

/// Whether a module (not its children) needs the provider: it has resources or data
/// sources, or configures the provider.
fn needs(cfg: &Config) -> bool {
    !cfg.resources.is_empty() || cfg.provider.is_some() || !cfg.provider_aliases.is_empty()
}

fn tree(cfg: &Config, prefix: &str, out: &mut String) {
    let mut rows: Vec<(String, Option<&Config>)> = Vec::new();
    if needs(cfg) {
        rows.push((format!("provider[{PROVIDER}]"), None));
    }
    for (name, call) in &cfg.modules {
        rows.push((format!("module.{name}"), Some(&call.config)));
    }
    let n = rows.len();
    for (i, (label, child)) in rows.into_iter().enumerate() {
        let last = i + 1 == n;
        out.push_str(&format!(
            "{prefix}{}{label}\n",
            if last { "└── " } else { "├── " }
        ));
        if let Some(c) = child {
            tree(
                c,
                &format!("{prefix}{}", if last { "    " } else { "│   " }),
                out,
            );
        }
    }
}

/// The listing: the configuration's tree of modules, then the state's providers.
pub fn render(cfg: &Config, state_has_objects: bool) -> String {
    let mut out = String::from("\nProviders required by configuration:\n.\n");
    tree(cfg, "", &mut out);
    if state_has_objects {
        out.push_str(&format!(
            "\nProviders required by state:\n\n    provider[{PROVIDER}]\n"
        ));
    }
    out.push('\n');
    out
}
