//! `maform show`: the state (sensitive values redacted), or a saved plan.

use super::{Exit, Workdir};
use crate::addr::InstanceAddr;
use crate::plan::saved::SavedPlan;
use crate::provider::Registry;
use crate::state::{Instance, State};
use std::io::Write;
use std::path::Path;

pub async fn run(wd: &Workdir, file: Option<&Path>, json: bool) -> anyhow::Result<Exit> {
    let registry = Registry::modelarts();
    if let Some(f) = file {
        let saved = SavedPlan::read_for_show(f, registry)?;
        if json {
            let st = match wd.state_backend().await {
                Ok(mut b) => b.read().await.unwrap_or_default(),
                Err(_) => State::default(),
            };
            // The configuration, if it is still the one the plan was made from.
            let cfg = crate::config::Config::load_dir(&wd.dir)
                .ok()
                .filter(|c| {
                    crate::plan::saved::config_digest(&c.all_files(), &saved.plan.reads)
                        .is_ok_and(|d| d == saved.config_digest)
                })
                .map(|mut c| {
                    c.set_workspace(&wd.workspace);
                    c
                });
            let vars: Vec<(String, Option<crate::value::Value>)> = saved
                .variables
                .iter()
                .map(|(k, v)| match v {
                    crate::plan::saved::SavedVar::Value { value } => {
                        (k.clone(), Some(crate::value::Value::from_json(value)))
                    }
                    crate::plan::saved::SavedVar::Sensitive { .. } => (k.clone(), None),
                })
                .collect();
            let j = crate::plan::json::plan_json(&saved.plan, &st, &vars, cfg.as_ref());
            println!("{}", serde_json::to_string_pretty(&j)?);
        } else {
            print!("{}", crate::plan::render::plan(&saved.plan, registry));
        }
        return Ok(Exit(0));
    }
    let st = wd.state_backend().await?.read().await?;
    if json {
        std::io::stdout().write_all(&redacted_state(&st, registry))?;
    } else if st.instances.is_empty() {
        println!("The state is empty.");
    } else {
        for (a, i) in &st.instances {
            print_instance(a, i, registry);
        }
    }
    Ok(Exit(0))
}

/// One object of the state, as the plan shows a created one but without the marks.
pub fn print_instance(a: &InstanceAddr, i: &Instance, registry: &Registry) {
    let schema = registry.schema(a.mode(), a.rtype());
    let c = crate::plan::Change {
        addr: a.clone(),
        action: crate::plan::Action::Create,
        before: None,
        after: Some(crate::value::Value::clone(&i.attributes)),
        replace_paths: vec![],
        reason: None,
        deps: vec![],
        sensitive: crate::schema::sensitive_for(schema, &i.attributes, &i.sensitive),
        timeouts: Default::default(),
        deposed: None,
    };
    let mut out = String::new();
    crate::plan::render::change(&mut out, &c, registry);
    let text = out
        .lines()
        .skip(1)
        .map(|l| l.replacen("+ ", "  ", 1))
        .collect::<Vec<_>>()
        .join("\n");
    println!(
        "# {a}:{}\n{text}\n",
        if i.tainted { " (tainted)" } else { "" }
    );
}

/// The state as Terraform's `show -json` gives it (`format_version`, `values.outputs`,
/// `values.root_module.resources` with `values` and `sensitive_values`), sensitive values
/// left out (null, and true in `sensitive_values`).
fn redacted_state(st: &State, registry: &Registry) -> Vec<u8> {
    let mut copy = st.clone();
    for (a, inst) in copy.instances.iter_mut() {
        let schema = registry.schema(a.mode(), a.rtype());
        inst.sensitive = crate::schema::sensitive_for(schema, &inst.attributes, &inst.sensitive);
    }
    let j = serde_json::json!({
        "format_version": "1.0",
        "terraform_version": concat!("maform-", env!("CARGO_PKG_VERSION")),
        "values": crate::plan::json::state_values(&copy),
    });
    let mut out = serde_json::to_vec_pretty(&j).unwrap_or_default();
    out.push(b'\n');
    out
}
