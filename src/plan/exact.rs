//! A saved plan applies what was reviewed: before the first API call, every change's
//! configuration is evaluated again as apply will evaluate it, and each value the plan
//! showed as known must come out the same. Values the plan showed as "known after apply"
//! and sensitive values (which the plan file does not hold) are not compared; sensitive
//! variables are held to their digests instead.

use super::{eval_instance, shape, Action, Plan};
use crate::config::eval::Objects;
use crate::config::vars::Resolved;
use crate::config::Config;
use crate::state::State;
use crate::value::{path_string, Path, PathStep, Value};

/// The state as the plan saw it: each object the plan lists as it was refreshed then (its
/// `before`), with the secrets the plan file does not hold taken from `state`. Applying a
/// saved plan starts from this, as Terraform's does from the plan's prior state.
pub fn reviewed_state(plan: &Plan, state: State) -> State {
    let mut out = state;
    for ch in &plan.changes {
        let inst = match &ch.deposed {
            Some(k) => out.deposed.get_mut(&(ch.addr.clone(), k.clone())),
            None => out.instances.get_mut(&ch.addr),
        };
        let (Some(before), Some(inst)) = (&ch.before, inst) else {
            continue;
        };
        let mut attrs = before.clone();
        for p in &ch.sensitive {
            let attrs = std::sync::Arc::make_mut(&mut attrs);
            if let Some(x) = attrs.get_path_mut(p) {
                *x = inst.attributes.get_path(p).clone();
            }
        }
        inst.attributes = attrs;
    }
    out
}

/// The first difference between what `plan` says each change makes and what the
/// configuration gives now, from `state` as [`reviewed_state`] gives it: `Err` names the
/// instance and the attribute.
pub fn check(
    plan: &Plan,
    cfg: &Config,
    vars: &Resolved,
    data: &Objects,
    state: &State,
) -> Result<(), String> {
    // What an instance reads of another is what the plan says that one becomes, as when
    // the plan was made.
    let mut planned = state.clone();
    for ch in &plan.changes {
        match (&ch.action, &ch.after) {
            // (A deposed object is not what anything reads.)
            (Action::Delete, _) if ch.deposed.is_none() => {
                planned.instances.remove(&ch.addr);
            }
            (a, Some(after)) if a.sends_config() => {
                let i = planned.instances.entry(ch.addr.clone()).or_insert_with(|| {
                    crate::state::Instance {
                        attributes: Value::Null.into(),
                        sensitive: vec![],
                        dependencies: ch.deps.clone(),
                        tainted: false,
                    }
                });
                i.attributes = after.clone().into();
                i.sensitive = ch.sensitive.clone();
            }
            _ => {}
        }
    }
    let state = &planned;
    let mut expansions = super::Expansions::default();
    for ch in &plan.changes {
        if !ch.action.sends_config() {
            continue;
        }
        let (Some(after), Some(r), Some(kind)) = (
            &ch.after,
            cfg.resource(&ch.addr.resource),
            cfg.registry.kind(ch.addr.rtype()),
        ) else {
            return Err(format!(
                "{} is in the plan but no longer in the configuration",
                ch.addr
            ));
        };
        let (config, sensitive) = eval_instance(
            cfg,
            vars,
            data,
            state,
            &ch.addr,
            Some(&ch.deps),
            Some(&mut expansions),
        )
        .map_err(|e| format!("{}: {e}", ch.addr))?;
        let prior = (ch.action == Action::Update)
            .then_some(ch.before.as_deref())
            .flatten();
        let now = shape(r, kind.schema(), &config, prior);
        let mut secret = ch.sensitive.clone();
        secret.extend(sensitive);
        if let Some((path, was, is)) = first_difference(after, &now, &secret) {
            return Err(format!(
                "{}.{} would be {is} now, but the plan says {was}",
                ch.addr,
                path_string(&path)
            ));
        }
    }
    Ok(())
}

/// Where `planned` and `now` differ, on the values `planned` knows and that are not under
/// a sensitive path, with both values written as HCL.
fn first_difference(
    planned: &Value,
    now: &Value,
    sensitive: &[Path],
) -> Option<(Path, String, String)> {
    fn walk(
        planned: &Value,
        now: &Value,
        sensitive: &[Path],
        at: &mut Path,
    ) -> Option<(Path, String, String)> {
        if sensitive.iter().any(|p| at.starts_with(p)) {
            return None;
        }
        match (planned, now) {
            // Known only after apply, in the plan or now (it depends on an object that
            // this apply creates first).
            (Value::Unknown, _) | (_, Value::Unknown) => None,
            (Value::Sensitive(p), n) => walk(p, n, sensitive, at),
            (p, Value::Sensitive(n)) => walk(p, n, sensitive, at),
            (Value::Map(p), Value::Map(n)) => {
                let keys: std::collections::BTreeSet<&String> = p.keys().chain(n.keys()).collect();
                keys.into_iter().find_map(|k| {
                    at.push(PathStep::Key(k.clone()));
                    let null = Value::Null;
                    let r = walk(
                        p.get(k).unwrap_or(&null),
                        n.get(k).unwrap_or(&null),
                        sensitive,
                        at,
                    );
                    at.pop();
                    r
                })
            }
            (Value::List(p), Value::List(n)) if p.len() == n.len() => {
                p.iter().zip(n).enumerate().find_map(|(i, (p, n))| {
                    at.push(PathStep::Index(i));
                    let r = walk(p, n, sensitive, at);
                    at.pop();
                    r
                })
            }
            (p, n) if p == n => None,
            // Only scalars are quoted: a collection could hold a secret at a path below
            // (not yet digested in what the configuration gives now).
            (p, n) => {
                let show = |v: &Value| match v {
                    Value::List(l) => format!("a list of {} elements", l.len()),
                    Value::Map(m) => format!("an object with {} attributes", m.len()),
                    other => other.to_hcl(),
                };
                Some((at.clone(), show(p), show(n)))
            }
        }
    }
    walk(planned, now, sensitive, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn known_values_must_match_and_the_rest_is_skipped() {
        let planned = Value::Map(
            [
                ("name".to_string(), Value::str("a")),
                ("id".to_string(), Value::Unknown),
                ("tags".to_string(), v(json!({"team": "x"}))),
                ("secret".to_string(), Value::Null),
            ]
            .into(),
        );
        let same = v(json!({"name": "a", "id": "i-1", "tags": {"team": "x"}, "secret": "s"}));
        let secret = vec![vec![PathStep::Key("secret".into())]];
        assert_eq!(first_difference(&planned, &same, &secret), None);
        let other = v(json!({"name": "a", "tags": {"team": "y"}, "secret": "s"}));
        let (path, was, is) = first_difference(&planned, &other, &secret).unwrap();
        assert_eq!(path_string(&path), "tags.team");
        assert_eq!((was.as_str(), is.as_str()), ("\"x\"", "\"y\""));
        // A key that appeared, and a list of another length.
        let added = v(json!({"name": "a", "tags": {"team": "x", "more": "1"}, "secret": "s"}));
        assert!(first_difference(&planned, &added, &secret).is_some());
        let l = v(json!({"l": [1, 2]}));
        assert!(first_difference(&l, &v(json!({"l": [1]})), &[]).is_some());
        // Unknown now (an object this apply creates first): not compared.
        let unknown_now = Value::Map([("l".to_string(), Value::Unknown)].into());
        assert_eq!(first_difference(&l, &unknown_now, &[]), None);
    }
}
