//! Human rendering of plans and drift, in the style Terraform users read every day.

use super::{Action, ActionReason, Change, Drift, OutputChange, Plan};
use crate::addr::Mode;
use crate::provider::Registry;
use crate::schema::{Schema, Ty};
use crate::value::{quote, Path, PathStep, Value};
use std::fmt::Write;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Add,
    Del,
    Upd,
    Same,
}

impl Mark {
    fn sym(self) -> &'static str {
        match self {
            Mark::Add => "+",
            Mark::Del => "-",
            Mark::Upd => "~",
            Mark::Same => " ",
        }
    }
}

struct Ctx<'a> {
    sensitive: &'a [Path],
    replace: &'a [Path],
    show_all: bool,
}

impl Ctx<'_> {
    fn is_sensitive(&self, p: &[PathStep]) -> bool {
        self.sensitive.iter().any(|s| p.starts_with(s))
    }
    fn forces(&self, p: &[PathStep]) -> bool {
        self.replace.iter().any(|s| s.as_slice() == p)
    }
}

fn scalar(v: &Value, sensitive: bool) -> String {
    if sensitive && !v.is_null() {
        return "(sensitive value)".into();
    }
    match v {
        Value::Unknown => "(known after apply)".into(),
        other => other.to_hcl(),
    }
}

fn is_multiline(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| s.contains('\n'))
}

/// Render the attributes of one object at `indent` (the column of the markers).
fn body(
    out: &mut String,
    s: Option<&Schema>,
    before: Option<&Value>,
    after: Option<&Value>,
    indent: usize,
    ctx: &Ctx<'_>,
    path: &mut Path,
) {
    let null = Value::Null;
    let b = before.unwrap_or(&null);
    let a = after.unwrap_or(&null);
    let mut names: Vec<String> = Vec::new();
    if let Some(s) = s {
        for at in &s.attrs {
            if !b.get(at.name).is_null() || !a.get(at.name).is_null() {
                names.push(at.name.to_string());
            }
        }
    }
    for m in [b, a] {
        if let Value::Map(m) = m {
            for k in m.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
    }
    let is_block = |n: &str| s.and_then(|s| s.get(n)).is_some_and(|x| x.is_block());
    let width = names
        .iter()
        .filter(|n| !is_block(n))
        .filter(|n| ctx.show_all || b.get(n) != a.get(n) || *n == "id" || *n == "name")
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    let mut hidden_attrs = 0;
    let mut hidden_blocks = 0;
    // Attributes first, then blocks, as Terraform prints them.
    for pass in 0..2 {
        for n in &names {
            let blk = is_block(n);
            if (pass == 0) == blk {
                continue;
            }
            let (bv, av) = (b.get(n), a.get(n));
            let mark = match (
                before.is_some(),
                after.is_some(),
                bv.is_null(),
                av.is_null(),
            ) {
                (false, _, _, _) => Mark::Add,
                (_, false, _, _) => Mark::Del,
                (_, _, true, false) => Mark::Add,
                (_, _, false, true) => Mark::Del,
                _ if bv == av && av.is_known() => Mark::Same,
                _ => Mark::Upd,
            };
            path.push(PathStep::Key(n.clone()));
            if mark == Mark::Same && !ctx.show_all && !(n == "id" || n == "name") {
                if blk {
                    hidden_blocks += bv.as_list().map(|l| l.len()).unwrap_or(1);
                } else {
                    hidden_attrs += 1;
                }
                path.pop();
                continue;
            }
            if blk {
                let at = s.and_then(|s| s.get(n)).expect("block attr");
                let Ty::Block(inner, repeated) = &at.ty else {
                    unreachable!("checked is_block")
                };
                if *repeated {
                    let bl = bv.as_list().cloned().unwrap_or_default();
                    let al = av.as_list().cloned().unwrap_or_default();
                    for i in 0..bl.len().max(al.len()) {
                        path.push(PathStep::Index(i));
                        let (x, y) = (
                            bl.get(i).filter(|_| before.is_some()),
                            al.get(i).filter(|_| after.is_some()),
                        );
                        let m = match (x, y) {
                            (None, _) => Mark::Add,
                            (_, None) => Mark::Del,
                            (Some(x), Some(y)) if x == y && y.is_known() => Mark::Same,
                            _ => Mark::Upd,
                        };
                        if m == Mark::Same && !ctx.show_all {
                            hidden_blocks += 1;
                        } else {
                            block(out, n, m, inner, x, y, indent, ctx, path);
                        }
                        path.pop();
                    }
                } else {
                    let x = Some(bv).filter(|v| !v.is_null() && before.is_some());
                    let y = Some(av).filter(|v| !v.is_null() && after.is_some());
                    if matches!(av, Value::Unknown) {
                        let _ = writeln!(
                            out,
                            "{:indent$}{} {n} = (known after apply)",
                            "",
                            mark.sym()
                        );
                    } else {
                        block(out, n, mark, inner, x, y, indent, ctx, path);
                    }
                }
            } else {
                attribute(out, n, mark, bv, av, indent, width, ctx, path);
            }
            path.pop();
        }
    }
    hidden(out, hidden_attrs, "attribute", indent);
    hidden(out, hidden_blocks, "block", indent);
}

/// `# (N unchanged attributes hidden)`, when N > 0.
fn hidden(out: &mut String, n: usize, noun: &str, indent: usize) {
    if n > 0 {
        let plural = if n == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "{:w$}# ({n} unchanged {noun}{plural} hidden)",
            "",
            w = indent + 2
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn block(
    out: &mut String,
    name: &str,
    mark: Mark,
    inner: &Schema,
    before: Option<&Value>,
    after: Option<&Value>,
    indent: usize,
    ctx: &Ctx<'_>,
    path: &mut Path,
) {
    let forces = if ctx.forces(path) {
        " # forces replacement"
    } else {
        ""
    };
    let _ = writeln!(out, "{:indent$}{} {name} {{{forces}", "", mark.sym());
    if ctx.is_sensitive(path) {
        let _ = writeln!(out, "{:w$}# At least one attribute in this block is (or was) sensitive,\n{:w$}# so its contents will not be displayed.", "", "", w = indent + 4);
    } else {
        body(out, Some(inner), before, after, indent + 4, ctx, path);
    }
    let _ = writeln!(out, "{:w$}}}", "", w = indent + 2);
}

#[allow(clippy::too_many_arguments)]
fn attribute(
    out: &mut String,
    n: &str,
    mark: Mark,
    b: &Value,
    a: &Value,
    indent: usize,
    width: usize,
    ctx: &Ctx<'_>,
    path: &Path,
) {
    let sens = ctx.is_sensitive(path);
    let forces = if ctx.forces(path) {
        " # forces replacement"
    } else {
        ""
    };
    let pad = "";
    if !sens && mark == Mark::Upd && (is_multiline(Some(b)) || is_multiline(Some(a))) {
        let _ = writeln!(out, "{pad:indent$}~ {n:width$} = <<-EOT{forces}");
        let (x, y) = (b.as_str().unwrap_or(""), a.as_str().unwrap_or(""));
        for ch in similar::TextDiff::from_lines(x, y).iter_all_changes() {
            let sym = match ch.tag() {
                similar::ChangeTag::Delete => "-",
                similar::ChangeTag::Insert => "+",
                similar::ChangeTag::Equal => " ",
            };
            let _ = writeln!(
                out,
                "{pad:w$}{sym} {}",
                ch.value().trim_end_matches('\n'),
                w = indent + 4
            );
        }
        let _ = writeln!(out, "{pad:w$}EOT", w = indent + 4);
        return;
    }
    if !sens && mark == Mark::Upd {
        if let (Value::List(x), Value::List(y)) = (b, a) {
            let _ = writeln!(out, "{pad:indent$}~ {n:width$} = [{forces}");
            let xs: Vec<String> = x.iter().map(|v| scalar(v, false)).collect();
            let ys: Vec<String> = y.iter().map(|v| scalar(v, false)).collect();
            let xr: Vec<&str> = xs.iter().map(String::as_str).collect();
            let yr: Vec<&str> = ys.iter().map(String::as_str).collect();
            for op in similar::capture_diff_slices(similar::Algorithm::Myers, &xr, &yr) {
                for ch in op.iter_changes(&xr, &yr) {
                    let v = ch.value();
                    let sym = match ch.tag() {
                        similar::ChangeTag::Delete => "-",
                        similar::ChangeTag::Insert => "+",
                        similar::ChangeTag::Equal => " ",
                    };
                    let _ = writeln!(out, "{pad:w$}{sym} {v},", w = indent + 4);
                }
            }
            let _ = writeln!(out, "{pad:w$}]", w = indent + 2);
            return;
        }
        if let (Value::Map(x), Value::Map(y)) = (b, a) {
            let _ = writeln!(out, "{pad:indent$}~ {n:width$} = {{{forces}");
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            let kw = keys
                .iter()
                .map(|k| crate::value::ident_or_quoted(k).len())
                .max()
                .unwrap_or(0);
            for k in keys {
                let kq = crate::value::ident_or_quoted(k);
                match (x.get(k), y.get(k)) {
                    (None, Some(v)) => {
                        let _ = writeln!(
                            out,
                            "{pad:w$}+ {kq:kw$} = {}",
                            scalar(v, false),
                            w = indent + 4
                        );
                    }
                    (Some(v), None) => {
                        let _ = writeln!(
                            out,
                            "{pad:w$}- {kq:kw$} = {} -> null",
                            scalar(v, false),
                            w = indent + 4
                        );
                    }
                    (Some(p), Some(q)) if p != q => {
                        let _ = writeln!(
                            out,
                            "{pad:w$}~ {kq:kw$} = {} -> {}",
                            scalar(p, false),
                            scalar(q, false),
                            w = indent + 4
                        );
                    }
                    _ => {}
                }
            }
            let _ = writeln!(out, "{pad:w$}}}", w = indent + 2);
            return;
        }
    }
    let text = match mark {
        Mark::Add => scalar(a, sens),
        Mark::Del => format!("{} -> null", scalar(b, sens)),
        Mark::Same => scalar(a, sens),
        Mark::Upd => {
            if sens {
                "(sensitive value)".into()
            } else {
                format!("{} -> {}", scalar(b, false), scalar(a, false))
            }
        }
    };
    let _ = writeln!(
        out,
        "{pad:indent$}{} {n:width$} = {text}{forces}",
        mark.sym()
    );
}

fn header(c: &Change) -> (String, &'static str) {
    let t = c.action.text();
    let what = match (c.action.replaces(), &c.reason) {
        (true, Some(ActionReason::Tainted)) => "is tainted, so must be replaced",
        (true, Some(ActionReason::Requested)) => "will be replaced, as requested",
        (true, Some(ActionReason::Triggered { .. })) => {
            "will be replaced due to changes in replace_triggered_by"
        }
        _ => t.phrase,
    };
    let deposed = c
        .deposed
        .as_ref()
        .map(|k| format!(" (deposed object {k})"))
        .unwrap_or_default();
    (format!("  # {}{deposed} {what}", c.addr), t.symbol)
}

/// One resource change, as in `maform plan`.
pub fn change(out: &mut String, c: &Change, registry: &Registry) {
    let (h, sym) = header(c);
    let _ = writeln!(out, "{h}");
    if c.deposed.is_some() {
        let _ = writeln!(
            out,
            "  # (left over from a partially-failed replacement of this instance)"
        );
    }
    if let Some(r) = &c.reason {
        if c.action.destroys() && r.explained() {
            let _ = writeln!(out, "  # (because {r})");
        }
    }
    let s = registry.schema(c.addr.mode(), c.addr.rtype());
    let kw = if c.addr.mode() == Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{sym} {kw} {} {} {{",
        quote(c.addr.rtype()),
        quote(c.addr.name())
    );
    let ctx = Ctx {
        sensitive: &c.sensitive,
        replace: &c.replace_paths,
        show_all: matches!(c.action, Action::Create | Action::Delete),
    };
    body(
        out,
        s,
        c.before.as_deref(),
        c.after.as_ref(),
        6,
        &ctx,
        &mut Vec::new(),
    );
    let _ = writeln!(out, "    }}");
}

fn drift_one(out: &mut String, d: &Drift, registry: &Registry) {
    let s = registry.schema(d.addr.mode(), d.addr.rtype());
    match &d.after {
        None => {
            let _ = writeln!(out, "  # {} has been deleted", d.addr);
            let _ = writeln!(
                out,
                "  - resource {} {} {{",
                quote(d.addr.rtype()),
                quote(d.addr.name())
            );
            let id = d.before.get("id");
            let _ = writeln!(out, "      - id   = {} -> null", id.to_hcl());
            let _ = writeln!(
                out,
                "      - name = {} -> null",
                d.before.get("name").to_hcl()
            );
            let _ = writeln!(out, "    }}");
        }
        Some(a) => {
            let _ = writeln!(out, "  # {} has changed", d.addr);
            let _ = writeln!(
                out,
                "  ~ resource {} {} {{",
                quote(d.addr.rtype()),
                quote(d.addr.name())
            );
            let strip = |v: &Value| match v {
                Value::Map(m) => Value::Map(
                    m.iter()
                        .filter(|(k, _)| !d.volatile.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
                o => o.clone(),
            };
            let ctx = Ctx {
                sensitive: &d.sensitive,
                replace: &[],
                show_all: false,
            };
            body(
                out,
                s,
                Some(&strip(&d.before)),
                Some(&strip(a)),
                6,
                &ctx,
                &mut Vec::new(),
            );
            let _ = writeln!(out, "    }}");
        }
    }
}

/// The drift section alone, as `maform drift` and refresh-only plans print it.
pub fn drift(out: &mut String, drift: &[Drift], registry: &Registry) {
    for d in drift {
        drift_one(out, d, registry);
        out.push('\n');
    }
}

pub fn plan(p: &Plan, registry: &Registry) -> String {
    let mut out = String::new();
    let outputs_changed: Vec<&OutputChange> =
        p.outputs.iter().filter(|o| o.before != o.after).collect();
    if !p.drift.is_empty() {
        out.push_str("Note: Objects have changed outside of maform\n\nmaform detected the following changes made outside of maform since the last \"maform apply\" which may have affected this plan:\n\n");
        drift(&mut out, &p.drift, registry);
        if p.options.refresh_only {
            out.push_str("This is a refresh-only plan, so maform will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the maform state without changing any remote objects.\n");
            output_changes(&mut out, &outputs_changed);
            return out;
        }
        out.push_str("Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.\n\n─────────────────────────────────────────────────────────────────────────────\n\n");
    } else if p.options.refresh_only {
        if outputs_changed.is_empty() {
            out.push_str("No changes. Your infrastructure still matches the configuration.\n\nmaform has checked that the real remote objects still match the result of your most recent changes, and found no differences.\n");
        } else {
            out.push_str("The remote objects still match the result of your most recent changes, but the root module's outputs would change: apply this refresh-only plan to record them in the state.\n");
            output_changes(&mut out, &outputs_changed);
        }
        return out;
    }
    let imported = |c: &Change| p.imports.iter().any(|(a, _)| *a == c.addr);
    let moved_from = |c: &Change| p.moves.iter().find(|(_, to)| *to == c.addr).map(|m| &m.0);
    let acting: Vec<&Change> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || imported(c) || moved_from(c).is_some())
        .collect();
    if acting.is_empty() && outputs_changed.is_empty() {
        out.push_str("No changes. Your infrastructure matches the configuration.\n\nmaform has compared your real infrastructure against your configuration and found no differences, so no changes are needed.\n");
        return out;
    }
    if !acting.is_empty() {
        let has = |a: Action| acting.iter().any(|c| c.action == a);
        if acting.iter().any(|c| c.action != Action::NoOp) {
            out.push_str("maform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:\n");
        }
        if has(Action::Create) {
            out.push_str("  + create\n");
        }
        if has(Action::Update) {
            out.push_str("  ~ update in-place\n");
        }
        if has(Action::Delete) {
            out.push_str("  - destroy\n");
        }
        if has(Action::Replace) {
            out.push_str("-/+ destroy and then create replacement\n");
        }
        if has(Action::CreateThenDelete) {
            out.push_str("+/- create replacement and then destroy\n");
        }
        out.push_str("\nmaform will perform the following actions:\n\n");
        for c in &acting {
            if let Some(from) = moved_from(c) {
                let _ = writeln!(out, "  # {from} has moved to {}", c.addr);
                if c.action == Action::NoOp && !imported(c) {
                    out.push('\n');
                    continue;
                }
            }
            if c.action == Action::Forget {
                let id = c
                    .before
                    .as_ref()
                    .and_then(|b| b.get("id").as_str().map(|i| format!(" (id={i})")))
                    .unwrap_or_default();
                let deposed = c
                    .deposed
                    .as_ref()
                    .map(|k| format!(" (deposed object {k})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  # {}{deposed} will no longer be managed by maform{id}\n  # (it is removed from the state; the object itself is not destroyed)\n",
                    c.addr
                );
                continue;
            }
            if let Some((_, id)) = p.imports.iter().find(|(a, _)| *a == c.addr) {
                let _ = writeln!(out, "  # {} will be imported\n    # (id={id})", c.addr);
                if c.action == Action::NoOp {
                    out.push('\n');
                    continue;
                }
            }
            change(&mut out, c, registry);
            out.push('\n');
        }
        let n = p.counts();
        let (a, c, d) = (n.add, n.change, n.destroy);
        let imports = if p.imports.is_empty() {
            String::new()
        } else {
            format!("{} to import, ", p.imports.len())
        };
        let forget = if n.forget > 0 {
            format!(", {} to forget", n.forget)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "Plan: {imports}{a} to add, {c} to change, {d} to destroy{forget}."
        );
    }
    output_changes(&mut out, &outputs_changed);
    out
}

/// The "Changes to Outputs" section (nothing when none changed).
fn output_changes(out: &mut String, changed: &[&OutputChange]) {
    if changed.is_empty() {
        return;
    }
    out.push_str("\nChanges to Outputs:\n");
    let w = changed.iter().map(|o| o.name.len()).max().unwrap_or(0);
    for o in changed {
        let show = |v: &Value| {
            if o.sensitive {
                "(sensitive value)".to_string()
            } else {
                scalar(v, false)
            }
        };
        let _ = match (&o.before, &o.after) {
            (None, Some(a)) => writeln!(out, "  + {:w$} = {}", o.name, show(a)),
            (Some(b), None) => writeln!(out, "  - {:w$} = {} -> null", o.name, show(b)),
            (Some(b), Some(a)) => writeln!(out, "  ~ {:w$} = {} -> {}", o.name, show(b), show(a)),
            (None, None) => Ok(()),
        };
    }
}
