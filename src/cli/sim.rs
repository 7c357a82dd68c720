//! `maform sim`: run the simulator until interrupted.

use super::{Exit, SimArgs};
use std::io::Write;

pub async fn run(a: SimArgs) -> anyhow::Result<Exit> {
    let mut timings = match a.profile.as_str() {
        "fast" => crate::sim::Timings::fast(),
        "realistic" => crate::sim::Timings::realistic(),
        other => anyhow::bail!("unknown profile {other:?}; use fast or realistic"),
    };
    if let Some(ms) = a.transition_ms {
        timings = crate::sim::Timings::uniform(ms);
    }
    for (name, r) in [("--error-rate", a.error_rate), ("--fail-rate", a.fail_rate)] {
        if !(0.0..=1.0).contains(&r) {
            anyhow::bail!("{name} must be between 0 and 1");
        }
    }
    let catalog = match &a.catalog {
        Some(p) => crate::sim::Catalog::load(p)?,
        None => crate::sim::Catalog::default(),
    };
    let open = a.access_key.is_none() && a.auth_token.is_none() && a.user.is_none();
    let made_admin_token = a.admin_token.is_none() && !a.open_admin;
    let admin_token = if a.open_admin {
        None
    } else {
        Some(a.admin_token.unwrap_or_else(crate::sim::new_admin_token))
    };
    let config = crate::sim::SimConfig {
        project_id: a.project_id,
        access_key: a.access_key,
        secret_key: a.secret_key,
        auth_token: a.auth_token,
        user: a.user.zip(a.password),
        admin_token: admin_token.clone(),
        data: a.data,
        timings,
        latency_ms: a.latency_ms,
        error_rate: a.error_rate,
        throttle_rps: a.throttle_rps,
        fail_rate: a.fail_rate,
        seed: a.seed,
        catalog,
        ..Default::default()
    };
    let cancel = crate::apply::Cancel::default();
    super::signals::watch(&cancel);
    let mut server = crate::sim::Server::start(config, &a.listen).await?;
    if let Some(mut notices) = server.notices() {
        tokio::spawn(async move {
            while let Some(n) = notices.recv().await {
                eprintln!("{n}");
            }
        });
    }
    if open {
        eprintln!("warning: no --access-key/--secret-key, --auth-token or --user given: the simulator accepts unsigned requests");
    }
    match &admin_token {
        Some(t) if made_admin_token => eprintln!("admin API token (send it as X-Sim-Admin-Token to /_sim/...): {t}"),
        Some(_) => {}
        None => eprintln!("warning: --open-admin: anyone who can connect may reset, edit or delete the simulated cloud through /_sim/..."),
    }
    println!("listening on {}", server.url());
    std::io::stdout().flush()?;
    cancel.stop.cancelled().await;
    server.stop().await?;
    Ok(Exit(0))
}
