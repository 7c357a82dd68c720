//! Custom conditions: resource `precondition` and `postcondition`, output
//! `precondition`, and `check` block assertions. Each is checked where its values are
//! known: at plan time when it can be, else by apply (a condition that reads values known
//! only after apply is not a failure).

use crate::config::eval::Scope;
use crate::config::{Condition, Diag};
use crate::value::Value;

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
    match scope.eval_attr(&c.condition) {
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
    conds
        .into_iter()
        .filter_map(|c| match check(scope, c, what) {
            Verdict::Fail(d) => Some(d),
            _ => None,
        })
        .collect()
}
