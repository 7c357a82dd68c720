//! Recovery of an interrupted run: every create its journal had started is found (by the
//! id it recorded, or by name and time through the list API) and adopted into the state;
//! a create that never happened is forgotten. When several objects could be the one, it
//! stops and creates nothing.

use super::Loaded;
use crate::addr::InstanceAddr;
use crate::config::eval::Objects;
use crate::provider::Providers;
use crate::state::{Journal, JournalEntry, State};
use std::collections::BTreeMap;

/// Reconcile `journal` with the cloud into `state`. Returns what it did, for the user.
pub async fn recover(
    providers: &Providers,
    l: &Loaded,
    data: &Objects,
    journal: &Journal,
    state: &mut State,
) -> anyhow::Result<Vec<String>> {
    let mut intents: BTreeMap<String, (String, String, i64)> = BTreeMap::new();
    let mut created: BTreeMap<String, String> = BTreeMap::new();
    for e in journal.read().await? {
        match e {
            JournalEntry::Intent {
                addr,
                rtype,
                name,
                at,
            } => {
                created.remove(&addr);
                intents.insert(addr, (rtype, name, at));
            }
            JournalEntry::Created { addr, id } => {
                created.insert(addr, id);
            }
        }
    }
    let mut messages = Vec::new();
    let managed: std::collections::BTreeSet<String> = state
        .managed_ids()
        .into_iter()
        .map(str::to_string)
        .collect();
    for (addr_s, (rtype, name, at)) in intents {
        let addr = InstanceAddr::parse(&addr_s)?;
        let Some(kind) = l.cfg.registry.kind(&rtype) else {
            continue;
        };
        let provider = providers.of(&addr.resource).as_ref();
        let recorded = created.get(&addr_s);
        if state
            .instances
            .get(&addr)
            .and_then(|i| i.attributes.get("id").as_str())
            .is_some_and(|id| recorded.is_none_or(|c| c == id))
        {
            continue;
        }
        let id = match recorded {
            Some(id) => Some(id.clone()),
            None => {
                let found: Vec<String> = provider
                    .find_created(kind, &name, at)
                    .await?
                    .into_iter()
                    .filter(|id| !managed.contains(id))
                    .collect();
                match found.len() {
                    0 => None,
                    1 => found.into_iter().next(),
                    n => anyhow::bail!(
                        "an interrupted run was creating {addr} ({name}) and {n} unmanaged objects of that name appeared since: {}. maform cannot tell which one it created and creates nothing until you decide: import the right one (maform import {addr} ID) and delete the others, then run again",
                        found.join(", ")
                    ),
                }
            }
        };
        let inst = match &id {
            Some(id) => {
                let anyway = super::import::Configured::IfDeclared;
                super::import::read_as(provider, l, data, state, &addr, id, anyway).await?
            }
            None => None,
        };
        let Some(mut inst) = inst else {
            messages.push(format!("Note: the interrupted create of {addr} never reached ModelArts; it will be planned again."));
            continue;
        };
        let id = inst
            .attributes
            .get("id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        // A create that failed; other failure statuses (a start that failed later) are the
        // object's own business, as the next refresh shows.
        let failed = matches!(
            inst.attributes.get("status").as_str(),
            Some("CREATE_FAILED" | "ERROR")
        );
        inst.tainted = failed;
        // The object it replaces (a create-before-destroy replacement, or a replacement
        // whose delete may not have finished) is kept, deposed: the next plan destroys it
        // if it still exists.
        let replaced = state
            .instances
            .get(&addr)
            .and_then(|cur| cur.attributes.get("id").as_str().map(str::to_string))
            .filter(|old| *old != id);
        if replaced.is_some() {
            state.depose(&addr);
        }
        state.instances.insert(addr.clone(), inst);
        messages.push(format!(
            "Recovered {addr} (id={id}), created by an interrupted run; it is in the state now{}{}.",
            if failed { " (tainted: it failed)" } else { "" },
            replaced
                .map(|old| format!("; the object it replaces ({old}) is kept as deposed, for the next plan to destroy"))
                .unwrap_or_default()
        ));
    }
    Ok(messages)
}
