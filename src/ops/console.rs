//! `maform console`: expressions evaluated as `terraform console` evaluates them, against
//! the configuration (variables, locals, modules' outputs) and the objects in the state.
//! Nothing is read from the API: data sources, which only a plan reads, are refused.

use super::{Loaded, Workdir};
use crate::addr::Mode;
use crate::addr::SecretAttrs;
use crate::config::eval::refs::{references, Ref};
use crate::config::eval::{Objects, Scope};
use crate::config::{Diag, Span};
use crate::state::backend::Locking;
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The file name that positions in console input carry.
pub const INPUT: &str = "<console-input>";

/// What expressions are evaluated against.
pub struct Console {
    l: Loaded,
    objects: Objects,
    sensitive: SecretAttrs,
    /// The module calls' outputs, or why they cannot be evaluated.
    modules: Result<BTreeMap<String, Value>, String>,
}

impl Console {
    /// Load the configuration and read the state (under the lock, as Terraform's console
    /// takes it, released at once: the console changes nothing).
    pub async fn open(
        wd: &Workdir,
        inputs: &crate::config::vars::Inputs,
        locking: Locking,
        notify: crate::Notify<'_>,
    ) -> anyhow::Result<Console> {
        let l = super::load(wd, inputs)?;
        let mut backend = wd.config_backend(&l.cfg).await?;
        backend.acquire("console", locking, notify).await?;
        let state = backend.read().await;
        backend.unlock().await;
        let state = state?;
        super::check_state(&l, &state)?;
        let no_data = Objects::new();
        let modules = crate::plan::instances::module_values(
            &l.cfg,
            &l.vars,
            &no_data,
            &state,
            &Default::default(),
        )
        .map_err(|e| e.to_string());
        // A resource the state has no object of (nothing applied it yet) is what a plan
        // would still make: not known yet.
        let mut objects = state.objects();
        for r in l.cfg.resources.iter().filter(|r| r.mode == Mode::Managed) {
            objects
                .entry(crate::addr::ResourceAddr::managed(&r.rtype, &r.name))
                .or_insert(Value::Unknown);
        }
        Ok(Console {
            objects,
            sensitive: state.sensitive_attributes(),
            modules,
            l,
        })
    }

    /// Evaluate the expression of input line `n` (1-based) and render its value as
    /// Terraform's console does; an error carries the position in the input.
    pub fn eval(&self, line: &str, n: usize) -> Result<String, Diag> {
        let at_input = |mut d: Diag| {
            if let Some(s) = d.span.as_mut().filter(|s| &*s.file == INPUT) {
                s.line = n;
            }
            d
        };
        // As an argument's value: positions past `value = ` are the input's, 8 columns on.
        const AT: usize = "value = ".len();
        let text = format!("value = {line}\n");
        let body = crate::config::load::parse_text(INPUT, &text).map_err(|mut d| {
            // Whether the expression only ends too early: on a line of its own, the
            // parser then stops on the line after it.
            let early = crate::config::load::parse_text(INPUT, &format!("value = (\n{line}\n)\n"))
                .err()
                .and_then(|w| w.span)
                .is_some_and(|s| s.line > 2)
                && !d.summary.contains("newline or eof");
            if let Some(s) = d.span.as_mut() {
                if s.line > 1 || early {
                    // Past the line: the expression ended too early.
                    s.line = 1;
                    s.col = line.chars().count() + 1;
                    d.detail = "The expression ends too early: complete it.".into();
                } else {
                    s.col = s.col.saturating_sub(AT).max(1);
                    d.detail = format!(
                        "{line}\n{}^\nFix the syntax at this position.",
                        " ".repeat(s.col - 1)
                    );
                }
            }
            at_input(d)
        })?;
        let (Some(attr), 1) = (
            body.attrs.get("value"),
            body.attrs.len() + body.blocks.len(),
        ) else {
            return Err(at_input(Diag::new(
                Some(&Span {
                    file: INPUT.into(),
                    line: 1,
                    col: 1,
                }),
                "expected one expression",
                "Type an expression, such as var.name or length(local.list).",
            )));
        };
        let mut refs = std::collections::BTreeSet::new();
        references(&attr.expr, self.l.cfg.registry, &mut refs);
        if let Some((summary, detail)) = self.refused(&refs) {
            return Err(at_input(Diag::new(Some(&attr.span), summary, detail)));
        }
        let mut scope = Scope::of(&self.l.cfg, &self.l.vars, &self.objects, &self.sensitive);
        match &self.modules {
            Ok(m) => scope.modules = m,
            // Modules' outputs could not be evaluated (one reads a data source, say):
            // only what reads them fails.
            Err(e) if refs.iter().any(|r| matches!(r, Ref::Module(_))) => {
                return Err(at_input(Diag::new(
                    Some(&attr.span),
                    format!("the modules' outputs cannot be evaluated here: {e}"),
                    "The console evaluates the state and reads nothing from the API.",
                )))
            }
            Err(_) => {}
        }
        let v = scope.eval(&attr.expr, &attr.span).map_err(at_input)?;
        // What read a secret (and did not pass it through nonsensitive()) is not shown.
        if scope.sensitive_hit.get() {
            return Ok(Value::Sensitive(Box::new(v)).to_hcl());
        }
        Ok(v.to_console())
    }
}

impl Console {
    /// Why the console refuses an expression with these references, if it does: a data
    /// source (the console reads nothing from the API), or a name the configuration does
    /// not declare (an error even inside try() or can(), as in a configuration file).
    fn refused(&self, refs: &BTreeSet<Ref>) -> Option<(String, &'static str)> {
        let cfg = &self.l.cfg;
        refs.iter().find_map(|r| match r {
            Ref::Resource(a) if a.mode == Mode::Data => Some((
                format!("{a} is a data source: the console reads nothing from the API"),
                "Data sources are read by a plan; use an output of maform plan, or refer to what the state holds.",
            )),
            _ => {
                let what = match r {
                    Ref::Var(v) if !cfg.variables.contains_key(v) => format!("input variable var.{v}"),
                    Ref::Local(l) if !cfg.locals.contains_key(l) => format!("local value local.{l}"),
                    Ref::Module(m) if !cfg.modules.contains_key(m) => format!("module module.{m}"),
                    // (Every declared resource has a value: its object, or unknown.)
                    Ref::Resource(a) if !self.objects.contains_key(a) => format!("resource {a}"),
                    _ => return None,
                };
                Some((
                    format!("reference to undeclared {what}"),
                    "Declare it in the configuration, or fix the name.",
                ))
            }
        })
    }
}
