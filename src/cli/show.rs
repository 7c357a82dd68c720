//! `maform show`: the state (sensitive values redacted), or a saved plan.

use super::{Exit, Workdir};
use crate::addr::InstanceAddr;
use crate::plan::saved::SavedPlan;
use crate::provider::Registry;
use crate::state::{Instance, State};
use crate::value::{PathStep, Value};
use std::io::Write;
use std::path::Path;

pub async fn run(wd: &Workdir, file: Option<&Path>, json: bool) -> anyhow::Result<Exit> {
    let registry = Registry::modelarts();
    if let Some(f) = file {
        let saved = SavedPlan::read(f, registry)?;
        if json {
            let st = match wd.state_backend().await {
                Ok(mut b) => b.read().await.unwrap_or_default(),
                Err(_) => State::default(),
            };
            let j = crate::plan::json::plan_json(&saved.plan, &st, &[]);
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
        after: Some(i.attributes.clone()),
        replace_paths: vec![],
        reason: None,
        deps: vec![],
        sensitive: crate::schema::sensitive_for(schema, &i.attributes, &i.sensitive),
        timeouts: Default::default(),
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

/// The state as JSON with sensitive values replaced, for `show --json`.
fn redacted_state(st: &State, registry: &Registry) -> Vec<u8> {
    let mut copy = st.clone();
    for (a, inst) in copy.instances.iter_mut() {
        let schema = registry.schema(a.mode(), a.rtype());
        let paths = crate::schema::sensitive_for(schema, &inst.attributes, &inst.sensitive);
        inst.attributes = Value::from_json(&crate::plan::json::redact(&inst.attributes, &paths));
        for p in &paths {
            set_marker(&mut inst.attributes, p);
        }
    }
    for o in copy.outputs.values_mut() {
        if o.sensitive {
            o.value = Value::str("(sensitive value)");
        }
    }
    copy.to_bytes()
}

fn set_marker(v: &mut Value, p: &[PathStep]) {
    let Some((step, rest)) = p.split_first() else {
        return;
    };
    let slot = match (v, step) {
        (Value::Map(m), PathStep::Key(k)) => m.get_mut(k),
        (Value::List(l), PathStep::Index(i)) => l.get_mut(*i),
        _ => None,
    };
    match slot {
        Some(x) if rest.is_empty() => *x = Value::str("(sensitive value)"),
        Some(x) => set_marker(x, rest),
        None => {}
    }
}
