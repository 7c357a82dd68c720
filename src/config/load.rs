//! Loading: HCL files into the configuration model, keeping every position, and the
//! checks of blocks that need no evaluation (labels, meta-arguments, duplicates).

use super::resource::decode_resource;
use super::*;
use crate::addr::{Mode, ModulePath};
use hcl_edit::Span as _;
use std::path::{Path, PathBuf};

fn decode_backend(b: &Block) -> Result<BackendConfig, Diag> {
    match b.labels.as_slice() {
        [t] if t == "local" => {
            if let Some((k, a)) = b.body.attrs.iter().next() {
                return Err(Diag::new(Some(&a.span), format!("unknown local backend argument {k:?}"), "The local backend takes no arguments: the state lives in state/<workspace>.json."));
            }
            Ok(BackendConfig::Local)
        }
        [t] if t == "pg" => {
            let mut conn_str = None;
            let mut schema_name = DEFAULT_PG_SCHEMA.to_string();
            let mut keep_versions = 50;
            for (k, a) in &b.body.attrs {
                match k.as_str() {
                    "conn_str" => conn_str = Some(static_str(a, "conn_str")?),
                    "schema_name" => {
                        let s = static_str(a, "schema_name")?;
                        let ok = s.len() <= 63
                            && s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                        if !ok {
                            return Err(Diag::new(Some(&a.span), format!("invalid schema_name {s:?}"), "Use up to 63 lower-case letters, digits and _, starting with a letter or _."));
                        }
                        schema_name = s;
                    }
                    "keep_versions" => {
                        keep_versions = match eval::eval_const(&a.expr, &a.span)?.as_f64() {
                            Some(n) if n.fract() == 0.0 && (1.0..=100_000.0).contains(&n) => n as u32,
                            _ => return Err(Diag::new(Some(&a.span), "keep_versions must be a whole number from 1 to 100000", "It is how many past versions of each workspace's state the database keeps.")),
                        }
                    }
                    _ => return Err(Diag::new(Some(&a.span), format!("unknown pg backend argument {k:?}"), "The pg backend takes conn_str, schema_name and keep_versions.")),
                }
            }
            Ok(BackendConfig::Pg { conn_str, schema_name, keep_versions })
        }
        _ => Err(Diag::new(Some(&b.span), format!("unknown backend {:?}", b.labels.join(" ")), "maform has two backends: backend \"local\" {} (the default) and backend \"pg\" { conn_str = \"...\" }.")),
    }
}

pub(crate) struct Lines {
    file: Arc<str>,
    starts: Vec<usize>,
    text: Arc<str>,
}

impl Lines {
    pub(crate) fn new(file: &str, text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            file: file.into(),
            starts,
            text: text.into(),
        }
    }
    pub(crate) fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        let off = range.map(|r| r.start).unwrap_or(0);
        let line = self.starts.partition_point(|&s| s <= off).max(1);
        let col = self.text[self.starts[line - 1]..off.min(self.text.len())]
            .chars()
            .count()
            + 1;
        Span {
            file: self.file.clone(),
            line,
            col,
        }
    }
}

fn decode_body(body: &hcl_edit::structure::Body, lines: &Lines) -> Body {
    let mut out = Body::default();
    for s in body.iter() {
        match s {
            hcl_edit::structure::Structure::Attribute(a) => {
                out.attrs.insert(
                    a.key.as_str().to_string(),
                    Attr {
                        expr: Expression::from(a.value.clone()),
                        span: lines.span(a.span()),
                    },
                );
            }
            hcl_edit::structure::Structure::Block(b) => out.blocks.push(Block {
                ident: b.ident.as_str().to_string(),
                labels: b
                    .labels
                    .iter()
                    .map(|l| match l {
                        hcl_edit::structure::BlockLabel::String(s) => s.value().to_string(),
                        hcl_edit::structure::BlockLabel::Ident(i) => i.as_str().to_string(),
                    })
                    .collect(),
                body: decode_body(&b.body, lines),
                span: lines.span(b.span()),
            }),
        }
    }
    out
}

/// Dedents flush heredocs (`<<-EOT`) as HCL does: by the least indentation of any line
/// that starts with literal text, counting lines inside `%{for}` and `%{if}` bodies too,
/// before strip markers (`~`) apply. (hcl-edit dedents only the template's top level.)
struct FlushHeredocs<'a> {
    text: &'a str,
}

impl hcl_edit::visit_mut::VisitMut for FlushHeredocs<'_> {
    fn visit_heredoc_template_mut(&mut self, node: &mut hcl_edit::template::HeredocTemplate) {
        use hcl_edit::Span as _;
        if node.indent().is_some() {
            if let Some(raw) = node.template.span().and_then(|r| self.text.get(r)) {
                if let Ok(t) = flush_dedent(raw).parse() {
                    node.template = t;
                }
            }
        }
        hcl_edit::visit_mut::visit_heredoc_template_mut(self, node);
    }
}

/// HCL's flush-heredoc rule over the template's source text: the lines that begin in
/// literal text (not inside an interpolation or directive) lose the smallest indentation
/// among them; lines of only spaces do not count, and a line that begins with `${` or
/// `%{` has none.
pub(crate) fn flush_dedent(raw: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Expr(u32),
        Str,
    }
    let b = raw.as_bytes();
    let mut stack: Vec<St> = Vec::new();
    // Byte offsets of the lines that start in literal text.
    let mut starts = vec![0usize];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match stack.last().copied() {
            None | Some(St::Str) => {
                let open = (c == b'$' || c == b'%') && b.get(i + 1) == Some(&b'{');
                let escaped = (c == b'$' || c == b'%') && b.get(i + 1) == Some(&c);
                if escaped {
                    i += 2;
                    continue;
                }
                if open {
                    stack.push(St::Expr(1));
                    i += 2;
                    continue;
                }
                if stack.is_empty() && c == b'\n' {
                    starts.push(i + 1);
                } else if stack.last() == Some(&St::Str) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b'"' {
                        stack.pop();
                    }
                }
            }
            Some(St::Expr(d)) => match c {
                b'"' => stack.push(St::Str),
                b'{' => {
                    stack.pop();
                    stack.push(St::Expr(d + 1));
                }
                b'}' => {
                    stack.pop();
                    if d > 1 {
                        stack.push(St::Expr(d - 1));
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    let indent = |at: usize| {
        raw[at..]
            .bytes()
            .take_while(|c| *c == b' ' || *c == b'\t')
            .count()
    };
    let counted: Vec<(usize, usize)> = starts
        .iter()
        .filter(|&&at| at < raw.len())
        .filter_map(|&at| {
            let n = indent(at);
            let rest = &raw[at + n..];
            // A line of only spaces does not count, and keeps its spaces.
            (!rest.starts_with('\n') && !rest.is_empty()).then_some((at, n))
        })
        .collect();
    let min = counted.iter().map(|(_, n)| *n).min().unwrap_or(0);
    if min == 0 {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    for (at, _) in counted {
        out.push_str(&raw[last..at]);
        last = at + min;
    }
    out.push_str(&raw[last..]);
    out
}

/// Finds the first call of a function that does not exist.
struct UnknownCalls<'a> {
    lines: &'a Lines,
    found: Option<Diag>,
}

impl hcl_edit::visit::Visit for UnknownCalls<'_> {
    fn visit_block(&mut self, node: &hcl_edit::structure::Block) {
        // A variable's type constraint (`list(string)`, `optional(number, 7)`) is
        // written as calls, but it is a type, not a function call.
        for s in node.body.iter() {
            match s {
                hcl_edit::structure::Structure::Attribute(a)
                    if node.ident.as_str() == "variable" && a.key.as_str() == "type" => {}
                hcl_edit::structure::Structure::Attribute(a) => self.visit_attr(a),
                hcl_edit::structure::Structure::Block(b) => self.visit_block(b),
            }
        }
    }

    fn visit_func_call(&mut self, node: &hcl_edit::expr::FuncCall) {
        use hcl_edit::Span as _;
        let name = node.name.name.as_str();
        if self.found.is_none() {
            let problem = if !node.name.namespace.is_empty() {
                Some((
                    format!(
                        "unknown function {}::{name}",
                        node.name
                            .namespace
                            .iter()
                            .map(|n| n.as_str())
                            .collect::<Vec<_>>()
                            .join("::")
                    ),
                    "Provider-defined functions are not supported.".to_string(),
                ))
            } else if !super::funcs::exists(name) {
                Some((
                    super::funcs::unknown(name),
                    "The README lists every function maform has.".to_string(),
                ))
            } else {
                None
            };
            if let Some((summary, detail)) = problem {
                self.found = Some(Diag {
                    summary,
                    detail,
                    span: Some(self.lines.span(node.span())),
                });
            }
        }
        hcl_edit::visit::visit_func_call(self, node);
    }
}

/// Parse HCL text into a body with positions; the error says where.
pub fn parse_text(name: &str, text: &str) -> Result<Body, Diag> {
    let lines = Lines::new(name, text);
    match hcl_edit::parser::parse_body(text) {
        Ok(mut b) => {
            // A call of a function that does not exist is an error before anything is
            // evaluated, even inside try() or can(), which would otherwise swallow it.
            // (Checked on the parsed text, whose positions are the file's.)
            let mut calls = UnknownCalls {
                lines: &lines,
                found: None,
            };
            hcl_edit::visit::Visit::visit_body(&mut calls, &b);
            if let Some(d) = calls.found {
                return Err(d);
            }
            hcl_edit::visit_mut::VisitMut::visit_body_mut(&mut FlushHeredocs { text }, &mut b);
            Ok(decode_body(&b, &lines))
        }
        Err(e) => {
            let loc = e.location();
            Err(Diag {
                summary: format!("invalid HCL syntax: {}", e.message()),
                detail: format!(
                    "{}\nFix the syntax at this position.",
                    snippet(e.line().trim_end(), loc.column())
                ),
                span: Some(Span {
                    file: name.into(),
                    line: loc.line(),
                    col: loc.column(),
                }),
            })
        }
    }
}

/// The source line around 1-based column `col`, at most 100 characters of it, with a
/// caret under the position: a minified or generated file must not print megabytes.
fn snippet(line: &str, col: usize) -> String {
    const SIDE: usize = 50;
    let chars: Vec<char> = line.chars().collect();
    let at = col.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(SIDE);
    let end = (at + SIDE).min(chars.len());
    let head = if start > 0 { "…" } else { "" };
    let tail = if end < chars.len() { "…" } else { "" };
    let shown: String = chars[start..end].iter().collect();
    let pad = " ".repeat(head.chars().count() + at - start);
    format!("{head}{shown}{tail}\n{pad}^")
}

/// Refuse what `b` holds besides `attrs` and `blocks`, each at its own position.
fn only(b: &Block, attrs: &[&str], blocks: &[&str], errs: &mut Vec<Diag>) {
    let why = |k: &str| {
        match k {
        "required_providers" | "cloud" | "experiments" | "provider_meta" => {
            "maform does not read Terraform's settings; remove it (maform's own settings are the backend block).".to_string()
        }
        "provider" => "An import uses the provider configuration of the resource it imports into; remove it here (set provider on the resource).".to_string(),
        _ => match crate::config::did_you_mean(k, attrs.iter().chain(blocks).copied()) {
            Some(n) => format!("Did you mean {n:?}?"),
            None if attrs.is_empty() && blocks.is_empty() => "It takes nothing here.".into(),
            None => format!("Use {}.", attrs.iter().chain(blocks).copied().collect::<Vec<_>>().join(", ")),
        },
    }
    };
    for (k, a) in &b.body.attrs {
        if !attrs.contains(&k.as_str()) {
            errs.push(Diag::new(
                Some(&a.span),
                format!("unsupported argument {k:?} in {}", b.ident),
                why(k),
            ));
        }
    }
    for inner in &b.body.blocks {
        if !blocks.contains(&inner.ident.as_str()) {
            errs.push(Diag::new(
                Some(&inner.span),
                format!("unsupported block {:?} in {}", inner.ident, b.ident),
                why(&inner.ident),
            ));
        }
    }
}

pub(super) fn static_str(a: &Attr, what: &str) -> Result<String, Diag> {
    match &a.expr {
        Expression::String(s) => Ok(s.clone()),
        Expression::TemplateExpr(t) => {
            let v = eval::eval_const(&Expression::TemplateExpr(t.clone()), &a.span)?;
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| Diag::new(Some(&a.span), format!("{what} must be a string"), ""))
        }
        _ => Err(Diag::new(
            Some(&a.span),
            format!("{what} must be a literal string"),
            "",
        )),
    }
}

pub(super) fn static_bool(a: &Attr, what: &str) -> Result<bool, Diag> {
    let value = eval::eval_const(&a.expr, &a.span).map_err(|e| {
        // (Terraform: "Variables not allowed".) It is read before anything is known.
        let mut refs = std::collections::BTreeSet::new();
        eval::refs::references(&a.expr, crate::provider::Registry::modelarts(), &mut refs);
        if refs.is_empty() {
            e
        } else {
            Diag::new(
                Some(&a.span),
                format!("variables not allowed: {what} must be a literal true or false"),
                format!("{what} is read before any variable, local or resource is known; write true or false."),
            )
        }
    })?;
    match value {
        crate::value::Value::Bool(b) => Ok(b),
        other => Err(Diag::new(
            Some(&a.span),
            format!("{what} must be true or false"),
            format!("got a {}", other.type_name()),
        )),
    }
}

/// `foo.bar` references as written in `depends_on`, `ignore_changes` and import `to`.
pub fn traversal_text(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => {
            let mut s = traversal_text(&t.expr)?;
            for op in &t.operators {
                match op {
                    hcl::expr::TraversalOperator::GetAttr(i) => {
                        s.push('.');
                        s.push_str(i.as_str());
                    }
                    hcl::expr::TraversalOperator::Index(Expression::Number(n)) => {
                        s.push_str(&format!("[{n}]"));
                    }
                    hcl::expr::TraversalOperator::Index(Expression::String(k)) => {
                        s.push_str(&format!("[{}]", crate::value::quote(k)));
                    }
                    hcl::expr::TraversalOperator::Index(Expression::TemplateExpr(t)) => {
                        let v = eval::eval_const(
                            &Expression::TemplateExpr(t.clone()),
                            &Span::default(),
                        )
                        .ok()?;
                        s.push_str(&format!("[{}]", crate::value::quote(v.as_str()?)));
                    }
                    _ => return None,
                }
            }
            Some(s)
        }
        _ => None,
    }
}

pub fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `depends_on = [TYPE.NAME, module.NAME, ...]`: each reference as written, at the
/// argument's position (the graph checks that each is declared).
pub(super) fn decode_depends_on(d: &Attr, errs: &mut Vec<Diag>) -> Vec<(String, Span)> {
    let bad = || {
        Diag::new(
            Some(&d.span),
            "depends_on takes a list of resource or module references",
            "Write depends_on = [TYPE.NAME, module.NAME].",
        )
    };
    let Expression::Array(items) = &d.expr else {
        errs.push(bad());
        return Vec::new();
    };
    let mut out = Vec::new();
    for it in items {
        match traversal_text(it) {
            Some(t) => out.push((t, d.span.clone())),
            None => errs.push(bad()),
        }
    }
    out
}

/// A `module` block, its configuration not loaded yet.
fn decode_module(b: &Block, errs: &mut Vec<Diag>) -> Option<ModuleCall> {
    let [name] = b.labels.as_slice() else {
        errs.push(Diag::new(
            Some(&b.span),
            "a module block takes 1 label",
            "Write module \"NAME\" { source = \"./DIR\" ... }.",
        ));
        return None;
    };
    if !is_ident(name) {
        errs.push(Diag::new(Some(&b.span), format!("invalid module name {name:?}"), "A name must start with a letter or underscore and contain only letters, digits, underscores and dashes."));
        return None;
    }
    let mut attrs = b.body.attrs.clone();
    let source = match attrs.remove("source") {
        None => {
            errs.push(Diag::new(
                Some(&b.span),
                format!("module \"{name}\" has no source"),
                "Add source = \"./DIR\": the directory of the module's configuration.",
            ));
            return None;
        }
        Some(a) => match static_str(&a, "source") {
            Ok(src) if src.starts_with("./") || src.starts_with("../") => src,
            Ok(src) => {
                errs.push(Diag::new(
                    Some(&a.span),
                    format!("module source {src:?} is not a local directory"),
                    "maform loads local modules only: a path starting with ./ or ../ (registry, git and archive sources are not supported).",
                ));
                return None;
            }
            Err(e) => {
                errs.push(e);
                return None;
            }
        },
    };
    if let Some(a) = attrs.remove("version") {
        errs.push(Diag::new(
            Some(&a.span),
            format!("unsupported argument \"version\" in module \"{name}\""),
            "version is for registry modules; maform loads local modules only, so remove it.",
        ));
    }
    // providers = { modelarts = modelarts.ALIAS }: the one provider, passed on.
    let mut provider = None;
    if let Some(a) = attrs.remove("providers") {
        let bad = || {
            Diag::new(Some(&a.span), format!("invalid providers in module \"{name}\""), "Write providers = { modelarts = modelarts.ALIAS } (or = modelarts for the default configuration).")
        };
        match &a.expr {
            Expression::Object(o) if o.len() == 1 => {
                let Some((k, v)) = o.iter().next() else {
                    errs.push(bad());
                    return None;
                };
                let key = match k {
                    hcl::expr::ObjectKey::Identifier(i) => Some(i.as_str().to_string()),
                    hcl::expr::ObjectKey::Expression(e) => traversal_text(e),
                    _ => None,
                };
                match (key.as_deref(), traversal_text(v).as_deref()) {
                    (Some("modelarts"), Some("modelarts")) => {}
                    (Some("modelarts"), Some(t))
                        if t.strip_prefix("modelarts.").is_some_and(is_ident) =>
                    {
                        provider = Some((t["modelarts.".len()..].to_string(), a.span.clone()));
                    }
                    _ => errs.push(bad()),
                }
            }
            Expression::Object(o) if o.is_empty() => {}
            _ => errs.push(bad()),
        }
    }
    for inner in &b.body.blocks {
        errs.push(Diag::new(
            Some(&inner.span),
            format!("unsupported block {:?} in module \"{name}\"", inner.ident),
            "A module block takes source, count, for_each, depends_on and the module's input variables.",
        ));
    }
    let count = attrs.remove("count");
    let for_each = attrs.remove("for_each");
    if count.is_some() && for_each.is_some() {
        errs.push(Diag::new(
            Some(&b.span),
            "count and for_each cannot both be set",
            "Use one of them.",
        ));
    }
    let depends_on = attrs
        .remove("depends_on")
        .map(|d| decode_depends_on(&d, errs))
        .unwrap_or_default();
    Some(ModuleCall {
        name: name.clone(),
        source,
        inputs: attrs,
        count,
        for_each,
        depends_on,
        provider,
        config: Box::default(),
        span: b.span.clone(),
    })
}

/// `a/./b/../c` as `a/c`, lexically (`..` kept where nothing is left to remove).
fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<std::path::Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(out.last(), Some(std::path::Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// A configuration made from texts alone has no directory to load modules from.
pub(crate) fn no_modules(cfg: &Config) -> Result<(), Diags> {
    match cfg.modules.values().next() {
        None => Ok(()),
        Some(m) => Err(Diags(vec![Diag::new(
            Some(&m.span),
            "a module block needs the configuration's directory",
            "Load the configuration from its directory (its modules are read from there).",
        )])),
    }
}

/// How deep modules may nest (a module that calls itself would otherwise never end).
const MAX_MODULE_DEPTH: usize = 16;

impl Config {
    /// Load the configurations of the modules `self` calls (and theirs), each from its
    /// directory relative to this one; `at` is this configuration's directory relative to
    /// the root (`.` for the root), `root` the root's directory.
    fn load_modules(
        &mut self,
        root: &Path,
        at: &Path,
        depth: usize,
        chain: &mut Vec<PathBuf>,
        errs: &mut Vec<Diag>,
    ) {
        let registry = self.registry;
        // A module's moved and removed blocks go to its caller, relative to it (and so on
        // up to the root, where the plan makes them).
        let (mut moved, mut removed) = (Vec::new(), Vec::new());
        for m in self.modules.values_mut() {
            let rel = normalize(&at.join(&m.source));
            if depth >= MAX_MODULE_DEPTH {
                errs.push(Diag::new(
                    Some(&m.span),
                    format!("modules nest more than {MAX_MODULE_DEPTH} deep"),
                    "Does a module call itself? Check the source of this module block.",
                ));
                continue;
            }
            // A module whose directory is its caller's (or one of theirs) calls itself.
            let dir = root.join(&rel);
            let canon = dir.canonicalize().ok();
            if canon.as_ref().is_some_and(|c| chain.contains(c)) {
                errs.push(Diag::new(
                    Some(&m.span),
                    format!("module \"{}\" calls a module it is part of ({})", m.name, m.source),
                    "A module cannot call itself or one of its callers; point source at another directory.",
                ));
                continue;
            }
            let shown = format!("{}/", rel.display());
            match Config::load_files(&dir, registry, &shown) {
                Ok(mut c) => {
                    c.dir = root.to_path_buf();
                    c.module_dir = rel.display().to_string();
                    chain.extend(canon.clone());
                    c.load_modules(root, &rel, depth + 1, chain, errs);
                    if canon.is_some() {
                        chain.pop();
                    }
                    c.check_child(errs);
                    let under = |p: &ModulePath| {
                        let call = std::iter::once((m.name.clone(), None));
                        ModulePath(call.chain(p.0.iter().cloned()).collect())
                    };
                    for mut mv in std::mem::take(&mut c.moved) {
                        mv.scope = under(&mv.scope);
                        moved.push(mv);
                    }
                    for mut rm in std::mem::take(&mut c.removed) {
                        rm.from.resource.module = under(&rm.from.resource.module);
                        removed.push(rm);
                    }
                    *m.config = c;
                }
                Err(Diags(d)) => {
                    if d.iter().all(|x| x.span.is_none()) {
                        errs.push(Diag::new(Some(&m.span), format!("module \"{}\": {}", m.name, d.iter().map(|x| x.summary.clone()).collect::<Vec<_>>().join("; ")), "Point source at a directory that holds the module's *.tf or *.hcl files."));
                    } else {
                        errs.extend(d);
                    }
                }
            }
        }
        self.moved.extend(moved);
        self.removed.extend(removed);
        // Inputs: each one a variable of the module; every variable without a default
        // given.
        for m in self.modules.values() {
            let vars = &m.config.variables;
            for (k, a) in &m.inputs {
                if !vars.contains_key(k) {
                    let hint = match super::did_you_mean(k, vars.keys().map(String::as_str)) {
                        Some(n) => format!("Did you mean {n:?}?"),
                        None => format!(
                            "Declare variable \"{k}\" in {}, or remove the argument.",
                            m.source
                        ),
                    };
                    errs.push(Diag::new(
                        Some(&a.span),
                        format!("module \"{}\" has no variable {k:?}", m.name),
                        hint,
                    ));
                }
            }
            for (k, v) in vars {
                if v.default.is_none() && !m.inputs.contains_key(k) && !m.config.files.is_empty() {
                    errs.push(Diag::new(
                        Some(&m.span),
                        format!("module \"{}\" needs a value for its variable {k:?}", m.name),
                        format!("Add {k} = ... to the module block."),
                    ));
                }
            }
        }
    }

    /// What a module's configuration may not hold (yet), each refused at its position.
    fn check_child(&self, errs: &mut Vec<Diag>) {
        let mut refuse = |span: &Span, what: &str, why: &str| {
            errs.push(Diag::new(
                Some(span),
                format!("{what} in a module is not supported"),
                why,
            ))
        };
        for b in self.provider.iter().chain(self.provider_aliases.values()) {
            refuse(&b.span, "a provider block", "Provider configurations belong in the root module; a module's resources use the root's default configuration.");
        }
        if let Some(s) = &self.backend_span {
            refuse(
                s,
                "a backend",
                "The state's backend is set in the root module.",
            );
        }
        let scoped = self.checks.iter().filter_map(|c| c.data.as_ref());
        for r in self.resources.iter().chain(scoped) {
            if let Some((_, s)) = &r.provider {
                refuse(
                    s,
                    "provider = modelarts.ALIAS",
                    "A module's resources use the configuration its call passes: set providers = { modelarts = modelarts.ALIAS } on the module block instead.",
                );
            }
        }
        for i in &self.imports {
            refuse(
                &i.span,
                "an import block",
                "Import blocks belong in the root module (to = module.NAME.TYPE.NAME).",
            );
        }
    }

    /// Load the configuration files of `dir` (`*.tf` and `*.hcl`), in name order, for the
    /// ModelArts kinds.
    pub fn load_dir(dir: &Path) -> Result<Config, Diags> {
        Config::load_dir_with(dir, Registry::modelarts())
    }

    /// Load the configuration files of `dir`: `*.tf` and `*.hcl` alike, one
    /// configuration, in name order. JSON configuration files are refused, and a directory
    /// without configuration files is an error, as in Terraform.
    pub fn load_dir_with(dir: &Path, registry: &'static Registry) -> Result<Config, Diags> {
        let mut cfg = Config::load_files(dir, registry, "")?;
        let mut errs = Vec::new();
        let mut chain: Vec<PathBuf> = dir.canonicalize().into_iter().collect();
        cfg.load_modules(dir, Path::new("."), 0, &mut chain, &mut errs);
        if errs.is_empty() {
            Ok(cfg)
        } else {
            Err(Diags(errs))
        }
    }

    /// The files of one directory as one configuration; positions name them with `shown`
    /// in front (a module's directory).
    fn load_files(dir: &Path, registry: &'static Registry, shown: &str) -> Result<Config, Diags> {
        let entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect(),
            Err(e) => {
                return Err(Diags(vec![Diag::new(
                    None,
                    format!(
                        "cannot read the configuration directory {}: {e}",
                        dir.display()
                    ),
                    "Pass an existing directory with --chdir.",
                )]));
            }
        };
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        // An error about a whole file is at its start.
        let whole = |p: &PathBuf| Span {
            file: format!("{shown}{}", name(p)).into(),
            line: 1,
            col: 1,
        };
        if let Some(j) = entries
            .iter()
            .find(|p| name(p).ends_with(".tf.json") || name(p).ends_with(".hcl.json"))
        {
            return Err(Diags(vec![Diag::new(
                Some(&whole(j)),
                "JSON configuration syntax is not supported",
                "maform reads the native syntax (*.tf and *.hcl files); convert this file or move it out of the directory.",
            )]));
        }
        // Terraform merges override files (`override.tf`, `*_override.tf`) into the
        // blocks they name; maform does not, and reading one as an ordinary file would
        // declare its blocks twice.
        let is_override = |p: &PathBuf| {
            let n = name(p);
            let stem = n.strip_suffix(".tf").or_else(|| n.strip_suffix(".hcl"));
            stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
        };
        if let Some(o) = entries.iter().find(|p| is_override(p)) {
            return Err(Diags(vec![Diag::new(
                Some(&whole(o)),
                "override files are not supported",
                "Terraform merges override.tf and *_override.tf into the blocks they name; maform does not. Merge its settings into the blocks themselves, or rename the file if it is an ordinary one.",
            )]));
        }
        let mut files: Vec<PathBuf> = entries
            .into_iter()
            .filter(|p| {
                let n = name(p);
                // Editor backups and hidden files are not configuration.
                !n.starts_with('.')
                    && !n.ends_with('~')
                    && p.extension().is_some_and(|e| e == "hcl" || e == "tf")
            })
            .collect();
        if files.is_empty() {
            return Err(Diags(vec![Diag::new(
                None,
                format!("no configuration files in {}", dir.display()),
                "maform reads the *.tf and *.hcl files of the working directory; change to the directory that holds them, or pass it with --chdir.",
            )]));
        }
        files.sort();
        let mut sources = Vec::new();
        for f in &files {
            match std::fs::read_to_string(f) {
                Ok(t) => sources.push((
                    format!(
                        "{shown}{}",
                        f.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    ),
                    t,
                )),
                Err(e) => {
                    return Err(Diags(vec![Diag::new(
                        None,
                        format!("cannot read {}: {e}", f.display()),
                        "",
                    )]))
                }
            }
        }
        let mut cfg = Config::from_sources_with(&sources, registry)?;
        cfg.limits = Limits::from_env().map_err(|d| Diags(vec![d]))?;
        cfg.dir = dir.to_path_buf();
        cfg.files = files;
        Ok(cfg)
    }

    /// Build a configuration from (file name, text) pairs.
    pub fn from_sources(sources: &[(String, String)]) -> Result<Config, Diags> {
        let cfg = Config::from_sources_with(sources, Registry::modelarts())?;
        no_modules(&cfg)?;
        Ok(cfg)
    }

    /// Build a configuration of `registry`'s kinds from (file name, text) pairs.
    pub fn from_sources_with(
        sources: &[(String, String)],
        registry: &'static Registry,
    ) -> Result<Config, Diags> {
        let mut cfg = Config {
            registry,
            ..Config::default()
        };
        let mut errs = Vec::new();
        for (name, text) in sources {
            let body = match parse_text(name, text) {
                Ok(b) => b,
                Err(e) => {
                    errs.push(e);
                    continue;
                }
            };
            if let Some((k, a)) = body.attrs.iter().next() {
                errs.push(Diag::new(Some(&a.span), format!("unexpected top-level argument {k:?}"), "Only blocks (resource, data, variable, locals, output, provider, terraform, import) may appear at the top level."));
            }
            for b in body.blocks {
                cfg.add_block(b, &mut errs);
            }
        }
        // Provider configurations named by resources and module calls must exist.
        let named = cfg
            .resources
            .iter()
            .chain(cfg.checks.iter().filter_map(|c| c.data.as_ref()))
            .map(|r| (r.addr().to_string(), &r.provider))
            .chain(
                cfg.modules
                    .values()
                    .map(|m| (format!("module.{}", m.name), &m.provider)),
            );
        for (who, p) in named {
            if let Some((alias, span)) = p {
                if !cfg.provider_aliases.contains_key(alias) {
                    let hint = match super::did_you_mean(
                        alias,
                        cfg.provider_aliases.keys().map(String::as_str),
                    ) {
                        Some(n) => format!("Did you mean modelarts.{n}?"),
                        None => format!(
                            "Declare it: provider \"modelarts\" {{ alias = \"{alias}\" ... }}."
                        ),
                    };
                    errs.push(Diag::new(
                        Some(span),
                        format!("{who} uses provider modelarts.{alias}, which is not declared"),
                        hint,
                    ));
                }
            }
        }
        // for_each over a variable declared as a list or tuple: Terraform refuses it (a set
        // or a map is needed), and maform's values cannot tell a list from a set later.
        let lists: std::collections::BTreeMap<&str, &str> = cfg
            .variables
            .iter()
            .filter_map(|(n, v)| match &v.ty.as_ref()?.expr {
                Expression::FuncCall(f) if matches!(f.name.name.as_str(), "list" | "tuple") => {
                    Some((n.as_str(), f.name.name.as_str()))
                }
                Expression::Variable(v) if v.as_str() == "list" => Some((n.as_str(), "list")),
                _ => None,
            })
            .collect();
        let repeated = cfg
            .resources
            .iter()
            .filter_map(|r| r.for_each.as_ref())
            .chain(cfg.modules.values().filter_map(|m| m.for_each.as_ref()));
        for f in repeated {
            if let Expression::Traversal(t) = &f.expr {
                if let (Expression::Variable(root), [hcl::expr::TraversalOperator::GetAttr(n)]) =
                    (&t.expr, t.operators.as_slice())
                {
                    if let Some(ty) = lists.get(n.as_str()).filter(|_| root.as_str() == "var") {
                        errs.push(Diag::new(
                            Some(&f.span),
                            format!("for_each needs a map or a set of strings, and var.{n} is a {ty}"),
                            format!("Write for_each = toset(var.{n}), or declare the variable as a set or a map."),
                        ));
                    }
                }
            }
        }
        // Duplicates.
        let mut seen = std::collections::BTreeMap::new();
        for r in &cfg.resources {
            if let Some(prev) = seen.insert(r.addr(), r.span.clone()) {
                errs.push(Diag::new(Some(&r.span), format!("duplicate {}", r.addr()), format!("It is already declared at {prev}; each resource name must be unique per type.")));
            }
        }
        if errs.is_empty() {
            Ok(cfg)
        } else {
            Err(Diags(errs))
        }
    }

    fn set_backend(&mut self, b: &Block, errs: &mut Vec<Diag>) {
        if self.backend_span.is_some() {
            errs.push(Diag::new(
                Some(&b.span),
                "duplicate backend block",
                "Declare one backend.",
            ));
            return;
        }
        self.backend_span = Some(b.span.clone());
        match decode_backend(b) {
            Ok(c) => self.backend = c,
            Err(d) => errs.push(d),
        }
    }

    fn add_block(&mut self, b: Block, errs: &mut Vec<Diag>) {
        // What each block may contain: anything else is refused at its position, never
        // ignored.
        let (labels, attrs, blocks): (usize, &[&str], &[&str]) = match b.ident.as_str() {
            "locals" => (0, &[], &[]),
            "output" => (
                1,
                &["value", "description", "sensitive", "depends_on"],
                &["precondition"],
            ),
            "check" => (1, &[], &["assert", "data"]),
            "moved" => (0, &["from", "to"], &[]),
            "removed" => (0, &["from"], &["lifecycle"]),
            "import" => (0, &["to", "id", "for_each"], &[]),
            "terraform" | "maform" => (0, &["required_version"], &["backend"]),
            _ => (usize::MAX, &[], &[]),
        };
        if labels != usize::MAX {
            if b.labels.len() != labels {
                errs.push(Diag::new(
                    Some(&b.span),
                    format!(
                        "a {} block takes {labels} label{}",
                        b.ident,
                        if labels == 1 { "" } else { "s" }
                    ),
                    if labels == 0 {
                        format!("Write {} {{ ... }}.", b.ident)
                    } else {
                        format!("Write {} \"NAME\" {{ ... }}.", b.ident)
                    },
                ));
                return;
            }
            if b.ident != "locals" {
                only(&b, attrs, blocks, errs);
            } else if let Some(inner) = b.body.blocks.first() {
                errs.push(Diag::new(
                    Some(&inner.span),
                    format!("locals cannot contain blocks ({} {{ ... }})", inner.ident),
                    format!("Write {} = {{ ... }} to make an object.", inner.ident),
                ));
            }
        }
        match b.ident.as_str() {
            "resource" => {
                if let Some(r) = decode_resource(self.registry, Mode::Managed, &b, errs) {
                    self.resources.push(r);
                }
            }
            "data" => {
                if let Some(r) = decode_resource(self.registry, Mode::Data, &b, errs) {
                    self.resources.push(r);
                }
            }
            "provider" => {
                if b.labels.as_slice() != ["modelarts"] {
                    errs.push(Diag::new(
                        Some(&b.span),
                        format!("unknown provider {:?}", b.labels.join(" ")),
                        "maform has one provider: provider \"modelarts\" { ... }.",
                    ));
                    return;
                }
                match b.body.attrs.get("alias") {
                    None if self.provider.is_some() => errs.push(Diag::new(
                        Some(&b.span),
                        "duplicate provider \"modelarts\" block",
                        "Declare the default configuration once; give every other one an alias = \"NAME\".",
                    )),
                    None => self.provider = Some(b),
                    Some(a) => match static_str(a, "alias") {
                        Ok(alias) if !is_ident(&alias) => errs.push(Diag::new(
                            Some(&a.span),
                            format!("invalid provider alias {alias:?}"),
                            "An alias is a name: letters, digits, underscores and hyphens, starting with a letter.",
                        )),
                        Ok(alias) => {
                            if let Some(prev) = self.provider_aliases.get(&alias) {
                                errs.push(Diag::new(
                                    Some(&a.span),
                                    format!("duplicate provider configuration modelarts.{alias}"),
                                    format!("It is already declared at {}.", prev.span),
                                ));
                            } else {
                                self.provider_aliases.insert(alias, b);
                            }
                        }
                        Err(e) => errs.push(e),
                    },
                }
            }
            "terraform" | "maform" => {
                if let Some(a) = b.body.attrs.get("required_version") {
                    match eval::eval_const(&a.expr, &a.span) {
                        Ok(crate::value::Value::String(spec)) => {
                            match crate::version::satisfies(&spec, crate::version::VERSION) {
                                Ok(true) => {}
                                Ok(false) => errs.push(Diag::new(
                                    Some(&a.span),
                                    format!(
                                        "this configuration requires version {spec}, and this is maform {}",
                                        crate::version::VERSION
                                    ),
                                    "required_version constrains maform's own version (not Terraform's); run a maform that meets it, or change the constraint.",
                                )),
                                Err(e) => errs.push(Diag::new(
                                    Some(&a.span),
                                    "invalid required_version",
                                    e,
                                )),
                            }
                        }
                        Ok(other) => errs.push(Diag::new(
                            Some(&a.span),
                            "invalid required_version",
                            format!(
                                "It must be a string such as \">= 0.1\", not {}.",
                                other.type_name()
                            ),
                        )),
                        Err(d) => errs.push(d),
                    }
                }
                for inner in &b.body.blocks {
                    if inner.ident == "backend" {
                        self.set_backend(inner, errs);
                    }
                }
            }
            "backend" => self.set_backend(&b, errs),
            "variable" => {
                let [name] = b.labels.as_slice() else {
                    errs.push(Diag::new(
                        Some(&b.span),
                        "a variable block needs one label",
                        "Write variable \"NAME\" { ... }.",
                    ));
                    return;
                };
                if !is_ident(name) {
                    errs.push(Diag::new(Some(&b.span), format!("invalid variable name {name:?}"), "A name must start with a letter or underscore and contain only letters, digits, underscores and dashes."));
                    return;
                }
                let mut v = Variable {
                    name: name.clone(),
                    default: b.body.attrs.get("default").cloned(),
                    ty: b.body.attrs.get("type").cloned(),
                    description: String::new(),
                    sensitive: false,
                    nullable: true,
                    validations: Vec::new(),
                    span: b.span.clone(),
                };
                for (k, a) in &b.body.attrs {
                    let r = match k.as_str() {
                        "default" | "type" => Ok(()),
                        "description" => static_str(a, "description").map(|s| v.description = s),
                        "sensitive" => static_bool(a, "sensitive").map(|x| v.sensitive = x),
                        "nullable" => static_bool(a, "nullable").map(|x| v.nullable = x),
                        _ => Err(Diag::new(Some(&a.span), format!("unknown variable argument {k:?}"), "Use type, default, description, sensitive, nullable or a validation block.")),
                    };
                    if let Err(e) = r {
                        errs.push(e);
                    }
                }
                for vb in &b.body.blocks {
                    if vb.ident != "validation" {
                        errs.push(Diag::new(
                            Some(&vb.span),
                            format!("unknown block {:?} in variable", vb.ident),
                            "Only validation blocks are allowed.",
                        ));
                        continue;
                    }
                    match (
                        vb.body.attrs.get("condition"),
                        vb.body.attrs.get("error_message"),
                    ) {
                        (Some(c), Some(m)) => v.validations.push((c.clone(), m.clone())),
                        _ => errs.push(Diag::new(
                            Some(&vb.span),
                            "a validation block needs condition and error_message",
                            "",
                        )),
                    }
                }
                if let Some(prev) = self.variables.insert(name.clone(), v) {
                    errs.push(Diag::new(
                        Some(&b.span),
                        format!("duplicate variable {name:?}"),
                        format!("It is already declared at {}.", prev.span),
                    ));
                }
            }
            "locals" => {
                for (k, a) in b.body.attrs {
                    if let Some(prev) = self.locals.insert(k.clone(), a.clone()) {
                        errs.push(Diag::new(
                            Some(&a.span),
                            format!("duplicate local {k:?}"),
                            format!("It is already declared at {}.", prev.span),
                        ));
                    }
                }
            }
            "output" => {
                let [name] = b.labels.as_slice() else {
                    errs.push(Diag::new(
                        Some(&b.span),
                        "an output block needs one label",
                        "Write output \"NAME\" { value = ... }.",
                    ));
                    return;
                };
                let Some(value) = b.body.attrs.get("value").cloned() else {
                    errs.push(Diag::new(
                        Some(&b.span),
                        format!("output {name:?} has no value"),
                        "Add value = <expression>.",
                    ));
                    return;
                };
                let sensitive = match b
                    .body
                    .attrs
                    .get("sensitive")
                    .map(|a| static_bool(a, "sensitive"))
                {
                    Some(Err(e)) => {
                        errs.push(e);
                        false
                    }
                    Some(Ok(x)) => x,
                    None => false,
                };
                let description = match b.body.attrs.get("description") {
                    Some(a) => static_str(a, "description").unwrap_or_else(|e| {
                        errs.push(e);
                        String::new()
                    }),
                    None => String::new(),
                };
                // depends_on orders an output after what it names; outputs are evaluated
                // after every resource, so it holds as long as each reference is real.
                let depends_on = b
                    .body
                    .attrs
                    .get("depends_on")
                    .map(|d| decode_depends_on(d, errs))
                    .unwrap_or_default();
                let preconditions = b
                    .body
                    .blocks
                    .iter()
                    .filter(|c| c.ident == "precondition")
                    .filter_map(|c| super::resource::decode_condition(c, errs))
                    .collect();
                let out = Output {
                    name: name.clone(),
                    value,
                    sensitive,
                    description,
                    preconditions,
                    depends_on,
                    span: b.span.clone(),
                };
                if let Some(prev) = self.outputs.insert(name.clone(), out) {
                    errs.push(Diag::new(
                        Some(&b.span),
                        format!("duplicate output {name:?}"),
                        format!("It is already declared at {}.", prev.span),
                    ));
                }
            }
            "import" => {
                // [module.NAME[KEY]...]TYPE.NAME, then at most an index (a literal, or
                // each.key with for_each); the address is checked when it is evaluated.
                let to = b.body.attrs.get("to").filter(|a| {
                    matches!(&a.expr, Expression::Traversal(t)
                        if matches!(&t.expr, Expression::Variable(_))
                        && matches!(t.operators.first(), Some(hcl::expr::TraversalOperator::GetAttr(_))))
                });
                let keyed = |a: &Attr| {
                    matches!(&a.expr, Expression::Traversal(t)
                    if matches!(t.operators.last(), Some(hcl::expr::TraversalOperator::Index(_))))
                };
                if let (Some(f), Some(t)) = (b.body.attrs.get("for_each"), to) {
                    if !keyed(t) {
                        errs.push(Diag::new(
                            Some(&f.span),
                            "with for_each, an import's to must name one instance per element",
                            "Write to = TYPE.NAME[each.key] (and count or for_each on the resource).",
                        ));
                        return;
                    }
                }
                match (to, b.body.attrs.get("id")) {
                    (Some(to), Some(id)) => self.imports.push(Import {
                        to: to.clone(),
                        id: id.clone(),
                        for_each: b.body.attrs.get("for_each").cloned(),
                        span: b.span.clone(),
                    }),
                    _ => errs.push(Diag::new(
                        Some(&b.span),
                        "an import block needs to and id",
                        "Write import { to = TYPE.NAME, id = \"...\" }.",
                    )),
                }
            }
            "check" => {
                let asserts: Vec<Condition> = b
                    .body
                    .blocks
                    .iter()
                    .filter(|c| c.ident == "assert")
                    .filter_map(|c| super::resource::decode_condition(c, errs))
                    .collect();
                if asserts.is_empty() {
                    errs.push(Diag::new(
                        Some(&b.span),
                        "a check block needs at least one assert block",
                        "Write assert { condition = ..., error_message = \"...\" }.",
                    ));
                }
                // At most one scoped data source, without count, for_each, depends_on or
                // lifecycle (Terraform refuses the first two; maform reads it after the
                // resources it names, so it needs no depends_on).
                let mut data: Option<Resource> = None;
                for d in b.body.blocks.iter().filter(|c| c.ident == "data") {
                    if let Some(first) = &data {
                        errs.push(Diag::new(
                            Some(&d.span),
                            "a check block takes at most one data block",
                            format!("It already has {} (at {}); write another check block for this one.", first.addr(), first.span),
                        ));
                        continue;
                    }
                    let refuse = |what: &str, why: &str, span: &Span| {
                        Diag::new(
                            Some(span),
                            format!("{what} is not supported in a check block's data source"),
                            why.to_string(),
                        )
                    };
                    for (k, a) in &d.body.attrs {
                        match k.as_str() {
                            "count" | "for_each" => errs.push(refuse(k, "A check block's data source is read once; write the check for one object (Terraform refuses it too).", &a.span)),
                            "depends_on" => errs.push(refuse(k, "A check block's data source is read after the resources it refers to, at the end of plan and of apply; remove depends_on.", &a.span)),
                            _ => {}
                        }
                    }
                    for l in d.body.blocks.iter().filter(|x| x.ident == "lifecycle") {
                        errs.push(refuse(
                            "a lifecycle block",
                            "Write the conditions as the check's assert blocks.",
                            &l.span,
                        ));
                    }
                    if let Some(r) = decode_resource(self.registry, Mode::Data, d, errs) {
                        data = Some(r);
                    }
                }
                if let Some(name) = b.labels.first() {
                    if let Some(prev) = self.checks.iter().find(|c| &c.name == name) {
                        errs.push(Diag::new(
                            Some(&b.span),
                            format!("duplicate check {name:?}"),
                            format!("It is already declared at {}.", prev.span),
                        ));
                    }
                    self.checks.push(Check {
                        name: name.clone(),
                        data,
                        asserts,
                        span: b.span.clone(),
                    });
                }
            }
            "moved" => {
                let addr = |k: &str| -> Result<crate::addr::InstanceAddr, Diag> {
                    let a = b.body.attrs.get(k).ok_or_else(|| {
                        Diag::new(
                            Some(&b.span),
                            format!("a moved block needs {k}"),
                            "Write moved { from = TYPE.OLD, to = TYPE.NEW }.",
                        )
                    })?;
                    traversal_text(&a.expr)
                        .and_then(|t| crate::addr::InstanceAddr::parse_target(&t).ok())
                        .filter(|x| x.resource.mode == crate::addr::Mode::Managed)
                        .ok_or_else(|| {
                            Diag::new(
                                Some(&a.span),
                                format!("moved.{k} must be a resource or module address"),
                                "Write TYPE.NAME, TYPE.NAME[0], TYPE.NAME[\"key\"], module.NAME.TYPE.NAME or module.NAME.",
                            )
                        })
                };
                match (addr("from"), addr("to")) {
                    (Ok(from), Ok(to)) => {
                        let problem = if from.is_module() != to.is_module() {
                            Some("a moved block moves a module to a module, or a resource to a resource")
                        } else if from.resource.rtype != to.resource.rtype {
                            Some("a moved block cannot change the resource type")
                        } else if from == to {
                            Some("a moved block must move to another address")
                        } else {
                            // (`from = TYPE.A[0]`, `to = TYPE.B`: the one instance moves to
                            // B's instance without a key, as Terraform unifies the two.)
                            None
                        };
                        match problem {
                            Some(p) => errs.push(Diag::new(Some(&b.span), p, "")),
                            None => self.moved.push(Moved {
                                from,
                                to,
                                scope: Default::default(),
                                span: b.span.clone(),
                            }),
                        }
                    }
                    (a, c) => errs.extend(a.err().into_iter().chain(c.err())),
                }
            }
            "removed" => {
                let from = b.body.attrs.get("from");
                let addr = from
                    .and_then(|a| traversal_text(&a.expr))
                    .and_then(|t| crate::addr::InstanceAddr::parse_target(&t).ok())
                    .filter(|x| {
                        x.mode() == crate::addr::Mode::Managed
                            && x.key.is_none()
                            && x.resource.module.0.iter().all(|(_, k)| k.is_none())
                    });
                let mut destroy = true;
                for l in b.body.blocks.iter().filter(|x| x.ident == "lifecycle") {
                    for (k, a) in &l.body.attrs {
                        match k.as_str() {
                            "destroy" => match static_bool(a, "destroy") {
                                Ok(v) => destroy = v,
                                Err(e) => errs.push(e),
                            },
                            _ => errs.push(Diag::new(
                                Some(&a.span),
                                format!("unsupported argument {k:?} in removed.lifecycle"),
                                "A removed block's lifecycle takes destroy = true or false.",
                            )),
                        }
                    }
                    for inner in &l.body.blocks {
                        errs.push(Diag::new(
                            Some(&inner.span),
                            format!("unsupported block {:?} in removed.lifecycle", inner.ident),
                            "A removed block's lifecycle takes destroy = true or false.",
                        ));
                    }
                }
                match addr {
                    Some(from) => self.removed.push(Removed {
                        from,
                        destroy,
                        span: b.span.clone(),
                    }),
                    None => errs.push(Diag::new(
                        Some(from.map_or(&b.span, |a| &a.span)),
                        "removed.from must be a resource address",
                        "Write from = TYPE.NAME, module.NAME.TYPE.NAME or module.NAME (a whole resource or module: not one instance).",
                    )),
                }
            }
            "module" => {
                if let Some(m) = decode_module(&b, errs) {
                    if let Some(prev) = self.modules.get(&m.name) {
                        errs.push(Diag::new(
                            Some(&b.span),
                            format!("duplicate module \"{}\"", m.name),
                            format!("It is already declared at {}.", prev.span),
                        ));
                    } else {
                        self.modules.insert(m.name.clone(), m);
                    }
                }
            }
            other => errs.push(Diag::new(
                Some(&b.span),
                format!("unknown block type {other:?}"),
                match super::did_you_mean(
                    other,
                    [
                        "resource",
                        "data",
                        "variable",
                        "locals",
                        "output",
                        "provider",
                        "import",
                        "check",
                        "terraform",
                    ],
                ) {
                    Some(n) => format!("Did you mean {n:?}?"),
                    None => {
                        "Use resource, data, variable, locals, output, provider, import or check."
                            .into()
                    }
                },
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::fake;

    fn errors(text: &str) -> String {
        Config::from_sources_with(&[("main.hcl".into(), text.into())], fake::registry())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn what_would_be_ignored_is_refused_at_its_position() {
        let r = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  XX\n}\n";
        for (text, want) in [
            (
                "locals \"x\" {\n  a = 1\n}\n",
                "main.hcl:1:1: a locals block takes 0 labels",
            ),
            (
                "locals {\n  b {\n  }\n}\n",
                "main.hcl:2:3: locals cannot contain blocks",
            ),
            (
                "output \"o\" {\n  value = 1\n  valeu = 2\n}\n",
                "main.hcl:3:3: unsupported argument \"valeu\" in output",
            ),
            (
                "output \"o\" {\n  value = 1\n}\noutput \"o\" {\n  value = 2\n}\n",
                "duplicate output \"o\"",
            ),
            (
                "terraform {\n  required_version = \">= 99\"\n}\n",
                "main.hcl:2:3: this configuration requires version >= 99, and this is maform",
            ),
            (
                "terraform {\n  required_providers {\n  }\n}\n",
                "main.hcl:2:3: unsupported block \"required_providers\" in terraform",
            ),
            (
                "import {\n  for_each = [1]\n  to = fake_thing.a\n  id = \"x\"\n}\n",
                "main.hcl:2:3: with for_each, an import's to must name one instance per element",
            ),
            ("variable \"1v\" {}\n", "invalid variable name \"1v\""),
            (
                &r.replace("XX", "provider = modelarts.two"),
                "main.hcl:3:3: fake_thing.a uses provider modelarts.two, which is not declared",
            ),
            (
                &format!("provider \"modelarts\" {{\n  alias = \"one\"\n}}\n{}", r.replace("XX", "provider = modelarts.onw")),
                "main.hcl:6:3: fake_thing.a uses provider modelarts.onw, which is not declared\n  Did you mean modelarts.one?",
            ),
            (
                &r.replace("XX", "provider = \"modelarts.one\""),
                "main.hcl:3:3: provider must be modelarts or modelarts.ALIAS",
            ),
            (
                "provider \"modelarts\" {\n  alias = \"x\"\n}\nprovider \"modelarts\" {\n  alias = \"x\"\n}\n",
                "main.hcl:5:3: duplicate provider configuration modelarts.x",
            ),
            (
                "provider \"modelarts\" {\n  alias = \"a b\"\n}\n",
                "main.hcl:2:3: invalid provider alias \"a b\"",
            ),
            (
                &r.replace("XX", "lifecycle {\n    create_before_destroy = 1\n  }"),
                "main.hcl:4:5: create_before_destroy must be true or false",
            ),
            (
                &r.replace("XX", "lifecycle {\n    ignore_changes = [colour]\n  }"),
                "ignore_changes names \"colour\", which this resource type does not have",
            ),
            (
                &r.replace("XX", "lifecycle {\n    ignore_changes = [descripton]\n  }"),
                "did you mean \"description\"?",
            ),
            (
                &r.replace("XX", "lifecycle {\n    ignore_changes = [tags[\"k\"]]\n  }"),
                "list elements and map keys cannot be named",
            ),
            (
                &r.replace("XX", "lifecycle {\n    precondition {\n    }\n  }"),
                "a precondition block needs condition and error_message",
            ),
            (
                &r.replace("XX", "timeouts {\n    x {\n    }\n  }"),
                "unknown block \"x\" in timeouts",
            ),
        ] {
            let e = errors(text);
            assert!(e.contains(want), "{text}\n=> {e}");
        }
        // What is allowed stays allowed.
        let ok = "output \"o\" {\n  value      = 1\n  depends_on = [fake_thing.a]\n}\n".to_string()
            + &r.replace("XX", "provider = modelarts\n  lifecycle {\n    ignore_changes        = [description]\n    create_before_destroy = false\n  }");
        assert!(Config::from_sources_with(&[("main.hcl".into(), ok)], fake::registry()).is_ok());
    }

    #[test]
    fn resources_keep_their_meta_arguments() {
        let c = fake::config("resource \"fake_thing\" \"a\" {\n  name       = \"a\"\n  count      = 2\n  depends_on = [fake_thing.b]\n  lifecycle {\n    prevent_destroy       = true\n    ignore_changes        = [description, \"zone\"]\n    create_before_destroy = false\n  }\n  timeouts {\n    create = \"1h30m\"\n    delete = \"20m\"\n  }\n}\nresource \"fake_thing\" \"b\" { name = \"b\" }\n");
        let r = &c.resources[0];
        assert!(r.count.is_some() && r.for_each.is_none());
        assert_eq!(r.depends_on[0].0, "fake_thing.b");
        assert!(r.lifecycle.prevent_destroy);
        assert_eq!(r.lifecycle.ignore_changes, ["description", "zone"]);
        assert_eq!(
            r.timeouts.create,
            Some(std::time::Duration::from_secs(5400))
        );
        assert!(
            !r.body.attrs.contains_key("count"),
            "meta-arguments leave the body"
        );
        assert!(r.body.blocks.is_empty());
    }

    #[test]
    fn block_mistakes_are_named_with_positions() {
        let cases = [
            (
                "resource \"fake_thing\" {}\n",
                "a resource block needs two labels",
            ),
            (
                "resource \"no_such\" \"a\" {}\n",
                "unknown resource type \"no_such\"",
            ),
            (
                "data \"no_such\" \"a\" {}\n",
                "unknown data type \"no_such\"",
            ),
            (
                "resource \"fake_thing\" \"1a\" {}\n",
                "invalid resource name \"1a\"",
            ),
            (
                "resource \"fake_thing\" \"a\" {\n  count = 1\n  for_each = {}\n}\n",
                "count and for_each cannot both be set",
            ),
            (
                "resource \"fake_thing\" \"a\" {\n  lifecycle {\n    nope = 1\n  }\n}\n",
                "unknown lifecycle argument \"nope\"",
            ),
            (
                "resource \"fake_thing\" \"a\" {\n  timeouts {\n    create = \"soon\"\n  }\n}\n",
                "invalid duration \"soon\"",
            ),
            (
                "resource \"fake_thing\" \"a\" {\n  timeouts {\n    read = \"1m\"\n  }\n}\n",
                "unknown timeout \"read\"",
            ),
            (
                "resource \"fake_thing\" \"a\" {}\nresource \"fake_thing\" \"a\" {}\n",
                "duplicate fake_thing.a",
            ),
            ("x = 1\n", "unexpected top-level argument \"x\""),
            (
                "module \"m\" {}\n",
                "main.hcl:1:1: module \"m\" has no source",
            ),
            (
                "module \"m\" {\n  source = \"hashicorp/consul/aws\"\n}\n",
                "main.hcl:2:3: module source \"hashicorp/consul/aws\" is not a local directory",
            ),
            (
                "module \"m\" {\n  source  = \"./m\"\n  version = \"1.0\"\n}\n",
                "main.hcl:3:3: unsupported argument \"version\" in module \"m\"",
            ),
            (
                "module \"m\" {\n  source    = \"./m\"\n  providers = { aws = modelarts }\n}\n",
                "main.hcl:3:3: invalid providers in module \"m\"",
            ),
            ("whatever {}\n", "unknown block type \"whatever\""),
            ("provider \"aws\" {}\n", "unknown provider \"aws\""),
            (
                "provider \"modelarts\" {}\nprovider \"modelarts\" {}\n",
                "duplicate provider \"modelarts\" block",
            ),
            (
                "variable \"v\" {\n  colour = 1\n}\n",
                "unknown variable argument \"colour\"",
            ),
            (
                "variable \"v\" {}\nvariable \"v\" {}\n",
                "duplicate variable \"v\"",
            ),
            ("output \"o\" {}\n", "output \"o\" has no value"),
            (
                "import {\n  id = \"x\"\n}\n",
                "an import block needs to and id",
            ),
            (
                "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n",
                "duplicate local \"a\"",
            ),
            (
                "resource \"fake_thing\" \"a\" {\n  depends_on = \"x\"\n}\n",
                "depends_on takes a list of resource or module references",
            ),
            ("resource \"fake_thing\" \"a\" {", "invalid HCL syntax"),
        ];
        for (text, want) in cases {
            let e = errors(text);
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.contains("main.hcl:"), "{text:?} has no position: {e}");
        }
    }

    #[test]
    fn backends_are_decoded_or_refused() {
        let c = fake::config("maform {\n  backend \"pg\" {\n    schema_name   = \"s1\"\n    keep_versions = 5\n  }\n}\n");
        assert_eq!(
            c.backend,
            BackendConfig::Pg {
                conn_str: None,
                schema_name: "s1".into(),
                keep_versions: 5
            }
        );
        for (text, want) in [
            ("backend \"s3\" {}\n", "unknown backend \"s3\""),
            (
                "backend \"pg\" {\n  schema_name = \"Bad-Name\"\n}\n",
                "invalid schema_name",
            ),
            (
                "backend \"pg\" {\n  keep_versions = 0\n}\n",
                "keep_versions must be a whole number",
            ),
            (
                "backend \"pg\" {\n  host = \"x\"\n}\n",
                "unknown pg backend argument \"host\"",
            ),
            (
                "backend \"local\" {\n  path = \"x\"\n}\n",
                "unknown local backend argument",
            ),
            (
                "backend \"pg\" {}\nbackend \"pg\" {}\n",
                "duplicate backend block",
            ),
        ] {
            let e = errors(text);
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn files_load_in_name_order_and_a_missing_directory_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("b.hcl"), "locals {\n  b = 1\n}\n").unwrap();
        std::fs::write(d.path().join("a.hcl"), "locals {\n  a = 1\n}\n").unwrap();
        std::fs::write(d.path().join("notes.txt"), "not hcl").unwrap();
        let c = Config::load_dir(d.path()).unwrap();
        let names: Vec<String> = c
            .files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.hcl", "b.hcl"]);
        let e = Config::load_dir(&d.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read the configuration directory"), "{e}");
    }
}
