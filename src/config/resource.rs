//! A `resource` or `data` block: its type and name, its meta-arguments (`count`,
//! `for_each`, `depends_on`, `provider`), `lifecycle` and `timeouts`, checked against the
//! registry's kinds before anything is evaluated. What maform does not honour is refused
//! here, at its position.

use super::load::{is_ident, static_bool, static_str, traversal_text};
use super::*;
use crate::addr::Mode;

fn timeout(a: &Attr) -> Result<std::time::Duration, Diag> {
    let s = static_str(a, "a timeout")?;
    match super::parse_duration(&s) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err(Diag::new(
            Some(&a.span),
            format!("invalid duration {s:?}: a timeout must be longer than zero"),
            "Write a duration like \"30s\", \"20m\" or \"1h30m\".",
        )),
        Err(e) => Err(Diag::new(
            Some(&a.span),
            e,
            "Write a duration like \"30s\", \"20m\" or \"1h30m\".",
        )),
    }
}

pub(super) fn decode_resource(
    registry: &Registry,
    mode: Mode,
    b: &Block,
    errs: &mut Vec<Diag>,
) -> Option<Resource> {
    let kind = if mode == Mode::Managed {
        "resource"
    } else {
        "data"
    };
    let [rtype, name] = b.labels.as_slice() else {
        errs.push(Diag::new(
            Some(&b.span),
            format!("a {kind} block needs two labels: type and name"),
            format!("Write {kind} \"TYPE\" \"NAME\" {{ ... }}."),
        ));
        return None;
    };
    let known = registry.names(mode);
    if !known.contains(&rtype.as_str()) {
        errs.push(Diag::new(
            Some(&b.span),
            format!("unknown {kind} type {rtype:?}"),
            format!("maform supports: {}.", known.join(", ")),
        ));
        return None;
    }
    if !is_ident(name) {
        errs.push(Diag::new(Some(&b.span), format!("invalid {kind} name {name:?}"), "A name must start with a letter or underscore and contain only letters, digits, underscores and dashes."));
        return None;
    }
    let mut body = b.body.clone();
    let count = body.attrs.remove("count");
    let for_each = body.attrs.remove("for_each");
    if count.is_some() && for_each.is_some() {
        errs.push(Diag::new(
            Some(&b.span),
            "count and for_each cannot both be set",
            "Use one of them.",
        ));
    }
    let depends_on = body
        .attrs
        .remove("depends_on")
        .map(|d| super::load::decode_depends_on(&d, errs))
        .unwrap_or_default();
    // `provider = modelarts` (the default configuration) or `modelarts.ALIAS`; whether
    // the alias is declared is checked once every block is read.
    let mut provider = None;
    if let Some(p) = body.attrs.remove("provider") {
        let text = traversal_text(&p.expr);
        let alias = text.as_deref().and_then(|t| t.strip_prefix("modelarts."));
        match (text.as_deref(), alias) {
            (Some("modelarts"), _) => {}
            (_, Some(alias)) if crate::config::load::is_ident(alias) => {
                provider = Some((alias.to_string(), p.span.clone()));
            }
            _ => errs.push(Diag::new(
                Some(&p.span),
                "provider must be modelarts or modelarts.ALIAS",
                "Name the provider configuration without quotes: provider = modelarts.other (declared by a provider \"modelarts\" block with alias = \"other\").",
            )),
        }
    }
    let mut lifecycle = Lifecycle::default();
    let mut timeouts = Timeouts::default();
    let mut keep = Vec::new();
    let mut ignore_span = b.span.clone();
    for blk in body.blocks.drain(..) {
        match blk.ident.as_str() {
            "lifecycle" => {
                for inner in &blk.body.blocks {
                    match inner.ident.as_str() {
                        "precondition" => {
                            if let Some(c) = decode_condition(inner, errs) {
                                lifecycle.preconditions.push(c);
                            }
                        }
                        "postcondition" => {
                            if let Some(c) = decode_condition(inner, errs) {
                                lifecycle.postconditions.push(c);
                            }
                        }
                        other => errs.push(Diag::new(
                            Some(&inner.span),
                            format!("unknown block {other:?} in lifecycle"),
                            "Use precondition, postcondition, prevent_destroy, ignore_changes or create_before_destroy.",
                        )),
                    }
                }
                for (k, a) in &blk.body.attrs {
                    if k == "ignore_changes" {
                        ignore_span = a.span.clone();
                    }
                    let r = match k.as_str() {
                        "prevent_destroy" => {
                            static_bool(a, k).map(|v| lifecycle.prevent_destroy = v)
                        }
                        "create_before_destroy" => static_bool(a, k)
                            .map(|v| lifecycle.create_before_destroy = v),
                        "ignore_changes" => match &a.expr {
                            Expression::Variable(v) if v.as_str() == "all" => {
                                lifecycle.ignore_all = true;
                                Ok(())
                            }
                            Expression::Array(items) => items.iter().try_for_each(|i| {
                                traversal_text(i)
                                    .or_else(|| match i {
                                        Expression::String(s) => Some(s.clone()),
                                        _ => None,
                                    })
                                    .map(|t| lifecycle.ignore_changes.push(t))
                                    .ok_or_else(|| {
                                        Diag::new(
                                            Some(&a.span),
                                            "ignore_changes takes attribute names",
                                            "Write ignore_changes = [description, volume].",
                                        )
                                    })
                            }),
                            _ => Err(Diag::new(
                                Some(&a.span),
                                "ignore_changes takes a list of attribute names or `all`",
                                "",
                            )),
                        },
                        "replace_triggered_by" => match &a.expr {
                            Expression::Array(items) => items.iter().try_for_each(|i| {
                                // TYPE.NAME, an optional instance index, then attribute
                                // names and literal indexes: nothing that would widen
                                // the trigger silently.
                                use hcl::expr::TraversalOperator as Op;
                                let ok = matches!(i, Expression::Traversal(t)
                                    if matches!(&t.expr, Expression::Variable(v) if registry.is_kind(v.as_str()))
                                    && matches!(t.operators.first(), Some(Op::GetAttr(_)))
                                    && t.operators.get(1).is_none_or(|o| matches!(o, Op::GetAttr(_) | Op::Index(_)))
                                    && t.operators.iter().skip(2).all(|o| matches!(o,
                                        Op::GetAttr(_) | Op::Index(Expression::Number(_) | Expression::String(_)))));
                                if ok {
                                    lifecycle.replace_triggered_by.push(Attr {
                                        expr: i.clone(),
                                        span: a.span.clone(),
                                    });
                                    Ok(())
                                } else {
                                    Err(Diag::new(
                                        Some(&a.span),
                                        "replace_triggered_by takes references to managed resources",
                                        "Write replace_triggered_by = [TYPE.NAME, TYPE.NAME.attribute] (with [count.index] or [each.key] to name the matching instance).",
                                    ))
                                }
                            }),
                            _ => Err(Diag::new(
                                Some(&a.span),
                                "replace_triggered_by takes a list of resource references",
                                "Write replace_triggered_by = [TYPE.NAME].",
                            )),
                        },
                        _ => Err(Diag::new(
                            Some(&a.span),
                            format!("unknown lifecycle argument {k:?}"),
                            "Use prevent_destroy, ignore_changes, replace_triggered_by or create_before_destroy.",
                        )),
                    };
                    if let Err(e) = r {
                        errs.push(e);
                    }
                }
            }
            "timeouts" => {
                for inner in &blk.body.blocks {
                    errs.push(Diag::new(
                        Some(&inner.span),
                        format!("unknown block {:?} in timeouts", inner.ident),
                        "Use create, update or delete = \"DURATION\".",
                    ));
                }
                for (k, a) in &blk.body.attrs {
                    let slot = match k.as_str() {
                        "create" => &mut timeouts.create,
                        "update" => &mut timeouts.update,
                        "delete" => &mut timeouts.delete,
                        _ => {
                            errs.push(Diag::new(
                                Some(&a.span),
                                format!("unknown timeout {k:?}"),
                                "Use create, update or delete.",
                            ));
                            continue;
                        }
                    };
                    match timeout(a) {
                        Ok(d) => *slot = Some(d),
                        Err(e) => errs.push(e),
                    }
                }
            }
            _ => keep.push(blk),
        }
    }
    body.blocks = keep;
    // ignore_changes names attributes of this kind.
    if let Some(schema) = registry.schema(mode, rtype) {
        for ig in lifecycle.ignore_changes.iter_mut() {
            // `volume[0].capacity` names the one `volume` block's argument, as Terraform
            // writes it: the same path as `volume.capacity`.
            *ig = single_block_index(schema, ig);
            if let Err(why) = ignorable(schema, ig) {
                errs.push(Diag::new(
                    Some(&ignore_span),
                    format!("lifecycle.ignore_changes names {ig:?}, {why}"),
                    "Name an argument or block of this resource type (see the README's reference); a repeated block is ignored whole.",
                ));
            }
        }
    }
    Some(Resource {
        mode,
        rtype: rtype.clone(),
        name: name.clone(),
        body,
        count,
        for_each,
        depends_on,
        lifecycle,
        timeouts,
        provider,
        span: b.span.clone(),
    })
}

/// Whether `path` (`a`, `block.argument`) names something ignore_changes can keep: an
/// argument, a block, or an argument of a single block. Elements of lists and repeated
/// blocks cannot be named (they would not be kept).
/// `path` with `[0]` after a single (not repeated) block dropped: that block is its only
/// element.
fn single_block_index(schema: &crate::schema::Schema, path: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut s = Some(schema);
    for part in path.split('.') {
        let (name, single) = match part.strip_suffix("[0]") {
            Some(n) => {
                let a = s.and_then(|s| s.get(n));
                match a.map(|a| &a.ty) {
                    Some(crate::schema::Ty::Block(_, false)) => (n, true),
                    _ => (part, false),
                }
            }
            None => (part, false),
        };
        s = match s.and_then(|s| s.get(name)).map(|a| &a.ty) {
            Some(crate::schema::Ty::Block(inner, _)) => Some(inner),
            _ => None,
        };
        out.push(if single {
            name.to_string()
        } else {
            part.to_string()
        });
    }
    out.join(".")
}

fn ignorable(schema: &crate::schema::Schema, path: &str) -> Result<(), String> {
    if path.contains('[') {
        return Err("but list elements and map keys cannot be named".into());
    }
    let mut s = schema;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        let Some(a) = s.get(p) else {
            let near = crate::config::did_you_mean(p, s.attrs.iter().map(|a| a.name))
                .map(|n| format!("; did you mean {n:?}?"))
                .unwrap_or_default();
            return Err(format!(
                "which this resource type does not have ({p:?}{near})"
            ));
        };
        match &a.ty {
            crate::schema::Ty::Block(_, true) if parts.peek().is_some() => {
                return Err(format!(
                    "but {p} is a repeated block: only the whole block can be ignored"
                ));
            }
            crate::schema::Ty::Block(inner, _) => s = inner,
            _ if parts.peek().is_some() => return Err(format!("but {p} has no attributes")),
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// A `precondition`, `postcondition` or `assert` block: `condition` and `error_message`,
/// nothing else.
pub(super) fn decode_condition(b: &Block, errs: &mut Vec<Diag>) -> Option<Condition> {
    let mut ok = true;
    for (k, a) in &b.body.attrs {
        if k != "condition" && k != "error_message" {
            errs.push(Diag::new(
                Some(&a.span),
                format!("unsupported argument {k:?} in {}", b.ident),
                "A condition block takes condition and error_message.",
            ));
            ok = false;
        }
    }
    for inner in &b.body.blocks {
        errs.push(Diag::new(
            Some(&inner.span),
            format!("unsupported block {:?} in {}", inner.ident, b.ident),
            "A condition block takes condition and error_message.",
        ));
        ok = false;
    }
    let (Some(condition), Some(error_message)) = (
        b.body.attrs.get("condition"),
        b.body.attrs.get("error_message"),
    ) else {
        errs.push(Diag::new(
            Some(&b.span),
            format!("a {} block needs condition and error_message", b.ident),
            "Write condition = <bool expression> and error_message = \"...\".",
        ));
        return None;
    };
    ok.then(|| Condition {
        condition: condition.clone(),
        error_message: error_message.clone(),
        span: b.span.clone(),
    })
}
