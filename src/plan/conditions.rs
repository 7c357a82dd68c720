//! Custom conditions: resource `precondition` and `postcondition`, output
//! `precondition`, and `check` block assertions. Each is checked where its values are
//! known: at plan time when it can be, else by apply (a condition that reads values known
//! only after apply is not a failure).

use crate::addr::{Key, Mode, ModulePath, ResourceAddr};
use crate::config::eval::Scope;
use crate::config::{Condition, Diag};
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one condition says now.
#[derive(Debug)]
pub enum Verdict {
    Pass,
    /// It reads values known only after apply.
    Unknown,
    /// False, or it could not be evaluated: the error to show.
    Fail(Diag),
}

/// Check `c` in `scope`; `what` names the kind of condition in the message
/// ("Resource precondition failed").
pub fn check(scope: &Scope<'_>, c: &Condition, what: &str) -> Verdict {
    scope.sensitive_hit.set(false);
    match scope
        .eval_attr(&c.condition)
        .map(crate::config::eval::boolish)
    {
        Ok(Value::Bool(true)) => Verdict::Pass,
        Ok(Value::Unknown) => Verdict::Unknown,
        Ok(Value::Bool(false)) => {
            // As Terraform does: a message that reads a sensitive value is not shown.
            scope.sensitive_hit.set(false);
            let msg = match scope.eval_attr(&c.error_message) {
                Ok(_) if scope.sensitive_hit.get() => {
                    "The error message included a sensitive value, so it is not shown.".into()
                }
                Ok(Value::String(m)) => m,
                Ok(Value::Unknown) => "The error message is known only after apply.".into(),
                Ok(other) => other.to_template_string().unwrap_or_else(|| other.to_hcl()),
                Err(e) => format!("The error message could not be evaluated: {}", e.summary),
            };
            Verdict::Fail(Diag::new(Some(&c.condition.span), what, msg))
        }
        Ok(other) => Verdict::Fail(Diag::new(
            Some(&c.condition.span),
            "a condition must be true or false",
            format!("It is a {}.", other.type_name()),
        )),
        Err(e) => Verdict::Fail(e),
    }
}

/// The failures among `conds`; unknown ones are left for later.
pub fn failures<'a>(
    scope: &Scope<'_>,
    conds: impl IntoIterator<Item = &'a Condition>,
    what: &str,
) -> Vec<Diag> {
    evaluate(scope, conds, what).failures
}

/// An object with conditions, as Terraform's check results name it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Checkable {
    Resource {
        mode: Mode,
        #[serde(rename = "type")]
        rtype: String,
        name: String,
    },
    OutputValue {
        name: String,
    },
    Check {
        name: String,
    },
    Var {
        name: String,
    },
}

impl Checkable {
    pub fn resource(r: &ResourceAddr) -> Checkable {
        Checkable::Resource {
            mode: r.mode,
            rtype: r.rtype.clone(),
            name: r.name.clone(),
        }
    }
    /// Its address inside its module: `T.N`, `data.T.N`, `output.N`, `check.N`, `var.N`.
    pub fn local_address(&self) -> String {
        match self {
            Checkable::Resource { mode, rtype, name } => {
                ResourceAddr::new(*mode, rtype, name).to_string()
            }
            Checkable::OutputValue { name } => format!("output.{name}"),
            Checkable::Check { name } => format!("check.{name}"),
            Checkable::Var { name } => format!("var.{name}"),
        }
    }
}

/// What the conditions of one object instance say, worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Unknown,
    Fail,
}

/// The result of one object instance's conditions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub object: Checkable,
    /// The module instance it is in (empty at the root).
    pub module: Vec<(String, Option<Key>)>,
    /// Its instance key (resources with count or for_each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    pub status: Status,
    /// The error messages of the conditions that failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

type CheckKey = (Checkable, Vec<(String, Option<Key>)>, Option<Key>);

/// Check results as a plan finds them: one per object instance, the conditions of an
/// instance (preconditions and postconditions) merged.
#[derive(Default, Debug)]
pub struct Checks(BTreeMap<CheckKey, (Status, Vec<String>)>);

impl Checks {
    /// Record what `found` says of an instance.
    pub fn record(
        &mut self,
        object: Checkable,
        module: &ModulePath,
        key: Option<Key>,
        found: &Found,
    ) {
        let e = self
            .0
            .entry((object, module.0.clone(), key))
            .or_insert((Status::Pass, Vec::new()));
        e.0 = e.0.max(found.status);
        e.1.extend(found.failures.iter().map(|d| d.detail.clone()));
    }
    pub fn into_results(self) -> Vec<CheckResult> {
        self.0
            .into_iter()
            .map(|((object, module, key), (status, problems))| CheckResult {
                object,
                module,
                key,
                status,
                problems,
            })
            .collect()
    }
}

/// What a list of conditions says: the worst status, and the failures to report.
pub struct Found {
    pub status: Status,
    pub failures: Vec<Diag>,
    /// The conditions that read values known only after apply.
    pub unknown: Vec<usize>,
}

impl Found {
    pub fn pass() -> Found {
        Found {
            status: Status::Pass,
            failures: Vec::new(),
            unknown: Vec::new(),
        }
    }
}

/// Check every condition of `conds`.
pub fn evaluate<'a>(
    scope: &Scope<'_>,
    conds: impl IntoIterator<Item = &'a Condition>,
    what: &str,
) -> Found {
    let mut f = Found::pass();
    for (i, c) in conds.into_iter().enumerate() {
        match check(scope, c, what) {
            Verdict::Pass => {}
            Verdict::Unknown => {
                f.status = f.status.max(Status::Unknown);
                f.unknown.push(i);
            }
            Verdict::Fail(d) => {
                f.status = Status::Fail;
                f.failures.push(d);
            }
        }
    }
    f
}
