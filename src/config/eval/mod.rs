//! Expression evaluation over our own [`Value`], which knows about values that are known
//! only after apply. hcl-rs parses; this module gives expressions their meaning.

use super::{Attr, Diag, Span};
use crate::addr::{Key, Mode, ResourceAddr};
use crate::provider::Registry;
use crate::value::Value;
mod dynamic;
pub mod refs;
mod template;
#[cfg(test)]
pub(crate) mod tests;

pub use refs::{body_references, references, Ref};

use hcl::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::template::{Element, Strip, Template};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use crate::addr::{Objects, SecretAttrs};

/// What an expression can see.
pub struct Scope<'a> {
    pub vars: &'a BTreeMap<String, Value>,
    pub sensitive_vars: &'a BTreeSet<String>,
    /// The variables of a set type.
    pub set_vars: &'a BTreeSet<String>,
    pub locals: &'a BTreeMap<String, Attr>,
    pub objects: &'a Objects,
    pub sensitive_objects: &'a SecretAttrs,
    /// Which type names are resource kinds (so that `TYPE.NAME` is a reference).
    pub registry: &'a Registry,
    pub base_dir: PathBuf,
    pub each: Option<(Value, Value)>,
    pub count_index: Option<f64>,
    /// `terraform.workspace`.
    pub workspace: String,
    /// The modules this configuration calls, by name: each one's outputs (an object, or
    /// a list or map of them for `count`/`for_each`).
    pub modules: &'a BTreeMap<String, Value>,
    /// `path.module`: the configuration's directory relative to the root module's.
    pub module_dir: String,
    frames: RefCell<Vec<BTreeMap<String, Value>>>,
    local_cache: RefCell<BTreeMap<String, Value>>,
    local_stack: RefCell<Vec<String>>,
    /// Set when the evaluation read a sensitive value.
    pub sensitive_hit: Cell<bool>,
    /// How deep the evaluation is nested now.
    depth: Cell<usize>,
    /// Whether this scope renders a template (`templatefile`/`templatestring`), where
    /// calling them again is refused, as Terraform refuses it.
    in_template: bool,
    /// How many values the evaluation has built (for iterations, collection results).
    built: Cell<u64>,
}

/// How many values `v` holds (itself and everything inside), up to a bound: counting
/// stops past [`MAX_VALUES`].
pub(super) fn weigh(v: &Value) -> usize {
    fn go(v: &Value, n: &mut usize) {
        *n += 1;
        if *n as u64 > MAX_VALUES {
            return;
        }
        match v {
            Value::List(l) => l.iter().for_each(|x| go(x, n)),
            Value::Map(m) => m.values().for_each(|x| go(x, n)),
            Value::Sensitive(x) => go(x, n),
            _ => {}
        }
    }
    let mut n = 0;
    go(v, &mut n);
    n
}

/// How many values one scope's evaluation may build, and how long a string may grow: a
/// configuration cannot make a plan take the machine's memory.
pub const MAX_VALUES: u64 = 10_000_000;
pub const MAX_STRING: usize = 16 << 20;

/// The directory maform was started from, before `--chdir` (`path.cwd`).
pub static ORIGINAL_CWD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// How deep expressions may nest.
pub const MAX_DEPTH: usize = 1000;

static EMPTY_VARS: std::sync::LazyLock<BTreeMap<String, Value>> =
    std::sync::LazyLock::new(BTreeMap::new);
static EMPTY_SET: std::sync::LazyLock<BTreeSet<String>> = std::sync::LazyLock::new(BTreeSet::new);
static EMPTY_OBJECTS: std::sync::LazyLock<Objects> = std::sync::LazyLock::new(BTreeMap::new);
static EMPTY_SECRETS: std::sync::LazyLock<SecretAttrs> = std::sync::LazyLock::new(BTreeMap::new);
static EMPTY_LOCALS: std::sync::LazyLock<BTreeMap<String, Attr>> =
    std::sync::LazyLock::new(BTreeMap::new);

impl<'a> Scope<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        vars: &'a BTreeMap<String, Value>,
        sensitive_vars: &'a BTreeSet<String>,
        locals: &'a BTreeMap<String, Attr>,
        objects: &'a Objects,
        sensitive_objects: &'a SecretAttrs,
        registry: &'a Registry,
        base_dir: &Path,
    ) -> Scope<'a> {
        Scope {
            vars,
            sensitive_vars,
            set_vars: &EMPTY_SET,
            locals,
            objects,
            sensitive_objects,
            registry,
            base_dir: base_dir.to_path_buf(),
            each: None,
            count_index: None,
            workspace: "default".into(),
            modules: &EMPTY_VARS,
            module_dir: ".".into(),
            frames: RefCell::new(Vec::new()),
            local_cache: RefCell::new(BTreeMap::new()),
            local_stack: RefCell::new(Vec::new()),
            sensitive_hit: Cell::new(false),
            built: Cell::new(0),
            depth: Cell::new(0),
            in_template: false,
        }
    }

    /// The scope of a configuration with these resource values.
    pub fn of(
        cfg: &'a super::Config,
        vars: &'a super::vars::Resolved,
        objects: &'a Objects,
        sensitive_objects: &'a SecretAttrs,
    ) -> Scope<'a> {
        let mut s = Scope::new(
            &vars.values,
            &vars.sensitive,
            &cfg.locals,
            objects,
            sensitive_objects,
            cfg.registry,
            &cfg.dir,
        );
        if !cfg.workspace.is_empty() {
            s.workspace = cfg.workspace.clone();
        }
        s.module_dir = cfg.module_dir.clone();
        s.set_vars = &vars.sets;
        s
    }

    /// A scope that sees variables and locals but no resources: provider settings and
    /// import ids.
    pub fn for_variables(cfg: &'a super::Config, vars: &'a super::vars::Resolved) -> Scope<'a> {
        Scope::of(cfg, vars, &EMPTY_OBJECTS, &EMPTY_SECRETS)
    }

    /// A scope that sees only the variables given: validation conditions.
    pub fn variables_only(vars: &'a BTreeMap<String, Value>, base_dir: &Path) -> Scope<'a> {
        Scope::variables_marked(vars, &EMPTY_SET, base_dir)
    }

    /// Variables only, some of them sensitive (reading one sets `sensitive_hit`).
    pub fn variables_marked(
        vars: &'a BTreeMap<String, Value>,
        sensitive: &'a BTreeSet<String>,
        base_dir: &Path,
    ) -> Scope<'a> {
        Scope::new(
            vars,
            sensitive,
            &EMPTY_LOCALS,
            &EMPTY_OBJECTS,
            &EMPTY_SECRETS,
            Registry::modelarts(),
            base_dir,
        )
    }

    /// A scope that sees nothing: for literals in variable files and static arguments.
    pub fn empty() -> Scope<'static> {
        Scope::new(
            &EMPTY_VARS,
            &EMPTY_SET,
            &EMPTY_LOCALS,
            &EMPTY_OBJECTS,
            &EMPTY_SECRETS,
            Registry::modelarts(),
            Path::new("."),
        )
    }

    /// The same scope for one instance of a counted or for_each resource.
    pub fn for_instance(&self, key: Option<&Key>, each: Option<(Value, Value)>) -> Scope<'a> {
        let mut s = Scope::new(
            self.vars,
            self.sensitive_vars,
            self.locals,
            self.objects,
            self.sensitive_objects,
            self.registry,
            &self.base_dir,
        );
        s.each = each;
        s.count_index = Key::count_index(key);
        s.workspace = self.workspace.clone();
        s.modules = self.modules;
        s.module_dir = self.module_dir.clone();
        s.set_vars = self.set_vars;
        s.local_cache = RefCell::new(self.local_cache.borrow().clone());
        s
    }

    /// Whether `e` is a set (a set function's result, a set-typed variable, or a local
    /// that is one): iterating a set gives each element as its key, as in Terraform,
    /// where a list gives its indexes. (Values do not carry the difference; this is read
    /// from the expression.)
    pub(super) fn is_set(&self, e: &Expression) -> bool {
        self.is_set_at(e, 0)
    }

    fn is_set_at(&self, e: &Expression, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match e {
            Expression::FuncCall(f) => super::funcs::returns_set(f.name.name.as_str()),
            Expression::Parenthesis(x) => self.is_set_at(x, depth + 1),
            Expression::Traversal(t) => self.is_set_path(&t.expr, &t.operators, depth),
            _ => false,
        }
    }

    /// Whether `root` followed by `ops` (a traversal, or the first part of one) is a set.
    fn is_set_path(&self, root: &Expression, ops: &[TraversalOperator], depth: usize) -> bool {
        match (root, ops) {
            // A variable, or a path into one (`var.o.tags`, `var.m["k"]`).
            (Expression::Variable(v), [TraversalOperator::GetAttr(a), rest @ ..])
                if v.as_str() == "var" =>
            {
                let mut path = a.as_str().to_string();
                for op in rest {
                    match op {
                        TraversalOperator::GetAttr(x) => {
                            path.push('.');
                            path.push_str(x.as_str());
                        }
                        TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => {
                            path.push_str(".*")
                        }
                        _ => return false,
                    }
                }
                self.set_vars.contains(&path)
            }
            (Expression::Variable(v), [TraversalOperator::GetAttr(a)]) => match v.as_str() {
                "local" => self
                    .locals
                    .get(a.as_str())
                    .is_some_and(|l| self.is_set_at(&l.expr, depth + 1)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Run `f` with `self` bound to `v`: what a postcondition sees.
    pub fn with_self<T>(&self, v: Value, f: impl FnOnce(&Self) -> T) -> T {
        self.frames
            .borrow_mut()
            .push(BTreeMap::from([("self".to_string(), v)]));
        let r = f(self);
        self.frames.borrow_mut().pop();
        r
    }

    /// Evaluate an argument. Secrets it read are reported through `sensitive_hit`; the
    /// value itself carries no marks.
    pub fn eval_attr(&self, a: &Attr) -> Result<Value, Diag> {
        let v = self.eval(&a.expr, &a.span)?;
        Ok(self.clean(v))
    }

    /// Drop the marks on `v` as a whole (not those inside it), remembering that a secret
    /// was read: what functions that move elements without reading them take.
    fn clean_top(&self, mut v: Value) -> Value {
        while let Value::Sensitive(inner) = v {
            self.sensitive_hit.set(true);
            v = *inner;
        }
        v
    }

    /// Drop marks, remembering that a secret was read.
    fn clean(&self, v: Value) -> Value {
        let (v, hit) = v.unmark();
        if hit {
            self.sensitive_hit.set(true);
        }
        v
    }

    /// Count `n` more values built; past [`MAX_VALUES`] the evaluation stops.
    pub(super) fn spend(&self, n: usize, span: &Span) -> Result<(), Diag> {
        let total = self.built.get().saturating_add(n as u64);
        self.built.set(total);
        if total > MAX_VALUES {
            return Err(self.err(
                span,
                format!("the expression builds more than {MAX_VALUES} values"),
                "Check the for expressions and ranges it nests; a configuration this large is a mistake.",
            ));
        }
        Ok(())
    }

    /// A string being built must stay under [`MAX_STRING`].
    pub(super) fn long_enough(&self, s: &str, span: &Span) -> Result<(), Diag> {
        if s.len() > MAX_STRING {
            return Err(self.err(
                span,
                format!("a template makes a string of more than {MAX_STRING} bytes"),
                "Check the interpolations and %{for} directives it nests.",
            ));
        }
        Ok(())
    }

    fn err(&self, span: &Span, summary: impl Into<String>, detail: impl Into<String>) -> Diag {
        Diag::new(Some(span), summary, detail)
    }

    fn local(&self, name: &str, span: &Span) -> Result<Value, Diag> {
        if let Some(v) = self.local_cache.borrow().get(name) {
            return Ok(v.clone());
        }
        let attr = self.locals.get(name).ok_or_else(|| {
            self.err(
                span,
                format!("reference to undeclared local value {name:?}"),
                "Declare it in a locals block.",
            )
        })?;
        if self.local_stack.borrow().iter().any(|n| n == name) {
            let chain = self.local_stack.borrow().join(" -> ");
            return Err(self.err(
                &attr.span,
                format!("local.{name} refers to itself"),
                format!("Cycle: {chain} -> {name}."),
            ));
        }
        self.local_stack.borrow_mut().push(name.to_string());
        // Locals are evaluated without the instance's each/count.
        let saved = self.frames.replace(Vec::new());
        // What the local read that was secret (a sensitive variable, a function of a
        // secret) is marked on the value itself, so that every later read of the cached
        // value is secret too, not only the first.
        let seen = self.sensitive_hit.replace(false);
        let r = self.eval(&attr.expr, &attr.span);
        let secret = self.sensitive_hit.replace(seen || self.sensitive_hit.get());
        self.frames.replace(saved);
        self.local_stack.borrow_mut().pop();
        let v = match r? {
            v if secret && !matches!(v, Value::Sensitive(_)) => Value::Sensitive(Box::new(v)),
            v => v,
        };
        self.local_cache
            .borrow_mut()
            .insert(name.to_string(), v.clone());
        Ok(v)
    }

    fn lookup_frame(&self, name: &str) -> Option<Value> {
        self.frames
            .borrow()
            .iter()
            .rev()
            .find_map(|f| f.get(name).cloned())
    }

    /// A root name with its first attribute, e.g. `var` + `region`.
    fn root(&self, name: &str, attr: Option<&str>, span: &Span) -> Result<(Value, usize), Diag> {
        match (name, attr) {
            ("var", Some(a)) => {
                if self.sensitive_vars.contains(a) {
                    self.sensitive_hit.set(true);
                }
                self.vars.get(a).cloned().map(|v| (v, 1)).ok_or_else(|| {
                    self.err(
                        span,
                        format!("reference to undeclared input variable {a:?}"),
                        format!("Declare it with variable \"{a}\" {{ ... }}."),
                    )
                })
            }
            ("local", Some(a)) => self.local(a, span).map(|v| (v, 1)),
            ("each", _) => match &self.each {
                Some((k, v)) => Ok((
                    Value::Map(BTreeMap::from([
                        ("key".into(), k.clone()),
                        ("value".into(), v.clone()),
                    ])),
                    0,
                )),
                None => Err(self.err(
                    span,
                    "each is only available in a resource with for_each",
                    "",
                )),
            },
            ("count", _) => match self.count_index {
                Some(i) => Ok((
                    Value::Map(BTreeMap::from([("index".into(), Value::Number(i))])),
                    0,
                )),
                None => Err(self.err(
                    span,
                    "count.index is only available in a resource with count",
                    "",
                )),
            },
            // As in Terraform: the root module's path relative to the directory the run
            // works in (which is the configuration directory), and the absolute
            // directory maform was started from.
            ("path", _) => {
                let cwd = ORIGINAL_CWD
                    .get()
                    .cloned()
                    .or_else(|| std::env::current_dir().ok())
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|| ".".into());
                Ok((
                    Value::Map(BTreeMap::from([
                        ("module".into(), Value::String(self.module_dir.clone())),
                        ("root".into(), Value::str(".")),
                        ("cwd".into(), Value::String(cwd)),
                    ])),
                    0,
                ))
            }
            ("terraform" | "maform", Some("workspace")) => {
                Ok((Value::String(self.workspace.clone()), 1))
            }
            ("terraform" | "maform", a) => Err(self.err(
                span,
                format!("unsupported attribute {name}.{}", a.unwrap_or("")),
                format!("{name}.workspace is the one attribute maform has here."),
            )),
            ("module", Some(m)) => self.modules.get(m).cloned().map(|v| (v, 1)).ok_or_else(|| {
                self.err(
                    span,
                    format!("reference to undeclared module {m:?}"),
                    format!("Declare it with module \"{m}\" {{ source = \"./DIR\" ... }}."),
                )
            }),
            ("data", Some(t)) => {
                let m: BTreeMap<String, Value> = self
                    .objects
                    .range(ResourceAddr::data(t, "")..)
                    .take_while(|(k, _)| k.mode == Mode::Data && k.rtype == t)
                    .map(|(k, v)| (k.name.clone(), v.clone()))
                    .collect();
                if m.is_empty() {
                    return Err(self.err(
                        span,
                        format!("reference to undeclared data source type {t:?}"),
                        "Declare a data block of that type.",
                    ));
                }
                Ok((Value::Map(m), 1))
            }
            (t, Some(n)) if self.registry.is_kind(t) => {
                let key = ResourceAddr::managed(t, n);
                let secret = self.sensitive_objects.get(&key);
                self.objects
                    .get(&key)
                    .cloned()
                    .map(|v| (mark(v, secret), 1))
                    .ok_or_else(|| {
                        self.err(
                            span,
                            format!("reference to undeclared resource {key}"),
                            format!("Declare resource \"{t}\" \"{n}\", or fix the name."),
                        )
                    })
            }
            (n, _) => match self.lookup_frame(n) {
                Some(v) => Ok((v, 0)),
                None => Err(self.err(
                    span,
                    format!("unknown variable {n:?}"),
                    "Valid roots are var, local, each, count, path, data and the resource types.",
                )),
            },
        }
    }

    /// Evaluate an expression. Nesting (operators, calls, locals referring to locals) is
    /// bounded, so that no configuration can exhaust the stack.
    pub fn eval(&self, e: &Expression, span: &Span) -> Result<Value, Diag> {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Err(self.err(
                span,
                format!("the expression nests more than {MAX_DEPTH} levels deep (through operators, calls or locals that refer to locals)"),
                "Split it up: fewer levels of nesting, or locals that refer to each other in fewer steps.",
            ));
        }
        self.depth.set(depth + 1);
        let r = self.eval_inner(e, span);
        self.depth.set(depth);
        r
    }

    fn eval_inner(&self, e: &Expression, span: &Span) -> Result<Value, Diag> {
        Ok(match e {
            Expression::Null => Value::Null,
            Expression::Bool(b) => Value::Bool(*b),
            Expression::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            Expression::String(s) => Value::String(s.clone()),
            Expression::Array(a) => {
                let l: Vec<Value> = a
                    .iter()
                    .map(|x| self.eval(x, span))
                    .collect::<Result<_, _>>()?;
                self.spend(l.iter().map(weigh).sum(), span)?;
                Value::List(l)
            }
            Expression::Object(o) => {
                let mut m = BTreeMap::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Identifier(i) => i.as_str().to_string(),
                        // (A key made from a secret makes the expression secret.)
                        ObjectKey::Expression(x) => {
                            match self.eval(x, span).map(|k| self.clean(k))? {
                                Value::Unknown => return Ok(Value::Unknown),
                                other => other.to_template_string().ok_or_else(|| {
                                    self.err(span, "an object key must be a string", "")
                                })?,
                            }
                        }
                        _ => return Err(self.err(span, "unsupported object key", "")),
                    };
                    m.insert(key, self.eval(v, span)?);
                }
                self.spend(m.values().map(weigh).sum(), span)?;
                Value::Map(m)
            }
            Expression::TemplateExpr(t) => {
                let mut tpl = Template::from_expr(t)
                    .map_err(|e| self.err(span, "invalid template", e.to_string()))?;
                // hcl-rs keeps a quoted string's backslash escapes in its literal parts
                // (heredocs have none).
                if matches!(&**t, hcl::expr::TemplateExpr::QuotedString(_)) {
                    template::unescape_literals(&mut tpl).map_err(|m| {
                        self.err(
                            span,
                            m,
                            "Use \\n, \\r, \\t, \\\", \\\\, \\uNNNN or \\UNNNNNNNN.",
                        )
                    })?;
                }
                let els = tpl.elements();
                if let [Element::Interpolation(i)] = els {
                    return self.eval(&i.expr, span);
                }
                match self.template(&tpl, Strip::None, Strip::None, span)? {
                    Some(s) => Value::String(s),
                    None => Value::Unknown,
                }
            }
            Expression::Variable(v) => self.root(v.as_str(), None, span)?.0,
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators, span)?,
            Expression::FuncCall(f) => self.call(f, span)?,
            Expression::Parenthesis(x) => self.eval(x, span)?,
            Expression::Conditional(c) => {
                match self
                    .eval(&c.cond_expr, span)
                    .map(|v| boolish(self.clean(v)))?
                {
                    Value::Bool(which) => {
                        let (chosen, other) = if which {
                            (&c.true_expr, &c.false_expr)
                        } else {
                            (&c.false_expr, &c.true_expr)
                        };
                        let v = self.eval(chosen, span)?;
                        // The two results take one type, as Terraform's conditional
                        // unifies them: a number or bool opposite a string is a string
                        // (`true ? 12 : "hello"` is "12"). The other side is evaluated
                        // for its type only: its errors and secrets do not count.
                        if matches!(v, Value::Number(_) | Value::Bool(_)) {
                            let seen = self.sensitive_hit.get();
                            let other = self.eval(other, span).ok().map(|o| o.unmark().0);
                            self.sensitive_hit.set(seen);
                            match (&v, &other) {
                                (_, Some(Value::String(_))) => {
                                    return Ok(Value::String(
                                        v.to_template_string().unwrap_or_default(),
                                    ));
                                }
                                // A number and a bool have no type in common.
                                (Value::Number(_), Some(Value::Bool(_)))
                                | (Value::Bool(_), Some(Value::Number(_))) => {
                                    return Err(self.err(
                                        span,
                                        "inconsistent conditional result types: a number and a bool",
                                        "The two results must have one type: convert one (tostring(), or a condition that gives a number).",
                                    ));
                                }
                                _ => {}
                            }
                        }
                        v
                    }
                    Value::Unknown => Value::Unknown,
                    other => {
                        return Err(self.err(
                            span,
                            "a condition must be true or false",
                            format!("It is a {}.", other.type_name()),
                        ))
                    }
                }
            }
            Expression::Operation(op) => match &**op {
                hcl::expr::Operation::Unary(u) => {
                    let v = self.eval(&u.expr, span)?;
                    match (u.operator, boolish(self.clean(v))) {
                        (_, Value::Unknown) => Value::Unknown,
                        (UnaryOperator::Neg, v) => Value::Number(
                            -num(&v).ok_or_else(|| self.err(span, "unary - needs a number", ""))?,
                        ),
                        (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                        (UnaryOperator::Not, _) => {
                            return Err(self.err(span, "! needs a bool", ""))
                        }
                    }
                }
                hcl::expr::Operation::Binary(b) => self.binary(b, span)?,
            },
            Expression::ForExpr(f) => self.for_expr(f, span)?,
            _ => return Err(self.err(span, "unsupported expression", "")),
        })
    }

    fn binary(&self, b: &hcl::expr::BinaryOp, span: &Span) -> Result<Value, Diag> {
        use BinaryOperator::*;
        let l = self.eval(&b.lhs_expr, span)?;
        let l = self.clean(l);
        // `&&` and `||` short-circuit (Terraform 1.12, HCL 2.23): a known left side that
        // decides the result is the result, and the right side is not evaluated
        // (`x == null || length(x) > 2`); unknowns still propagate.
        if matches!(b.operator, And | Or) {
            let l = boolish(l);
            match (&l, b.operator) {
                (Value::Bool(false), And) => return Ok(Value::Bool(false)),
                (Value::Bool(true), Or) => return Ok(Value::Bool(true)),
                _ => {}
            }
            let r = self.eval(&b.rhs_expr, span)?;
            let r = self.clean(r);
            return match (boolish(l), boolish(r)) {
                (Value::Bool(x), Value::Bool(y)) => {
                    Ok(Value::Bool(if b.operator == And { x && y } else { x || y }))
                }
                (Value::Unknown, _) | (_, Value::Unknown) => Ok(Value::Unknown),
                _ => Err(self.err(span, format!("{} needs two bools", b.operator.as_str()), "")),
            };
        }
        let r = self.eval(&b.rhs_expr, span)?;
        let r = self.clean(r);
        if !l.is_known() || !r.is_known() {
            return Ok(Value::Unknown);
        }
        Ok(match b.operator {
            Eq => Value::Bool(l == r),
            NotEq => Value::Bool(l != r),
            op => {
                let (x, y) = match (num(&l), num(&r)) {
                    (Some(x), Some(y)) => (x, y),
                    _ => {
                        return Err(self.err(
                            span,
                            format!("operator {} needs numbers", op.as_str()),
                            format!("Got {} and {}.", l.type_name(), r.type_name()),
                        ))
                    }
                };
                let finite = |n: f64| {
                    if n.is_finite() {
                        Ok(Value::Number(n))
                    } else {
                        Err(self.err(
                            span,
                            format!("the result of {} is out of range", op.as_str()),
                            "Numbers must stay within ±1.8e308.",
                        ))
                    }
                };
                match op {
                    Plus => finite(x + y)?,
                    Minus => finite(x - y)?,
                    Mul => finite(x * y)?,
                    Div => {
                        if y == 0.0 {
                            return Err(self.err(span, "division by zero", ""));
                        }
                        Value::Number(x / y)
                    }
                    Mod => {
                        if y == 0.0 {
                            return Err(self.err(span, "modulo by zero", ""));
                        }
                        Value::Number(x % y)
                    }
                    Less => Value::Bool(x < y),
                    LessEq => Value::Bool(x <= y),
                    Greater => Value::Bool(x > y),
                    GreaterEq => Value::Bool(x >= y),
                    _ => unreachable!("handled above"),
                }
            }
        })
    }

    fn traversal(
        &self,
        base: &Expression,
        all_ops: &[TraversalOperator],
        span: &Span,
    ) -> Result<Value, Diag> {
        let ops = all_ops;
        // A set has no index: `toset(...)[0]`, `var.a_set[0]` are errors, as in Terraform.
        for (j, op) in all_ops.iter().enumerate() {
            if !matches!(
                op,
                TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)
            ) {
                continue;
            }
            let set = if j == 0 {
                self.is_set(base)
            } else {
                self.is_set_path(base, &all_ops[..j], 0)
            };
            if set {
                return Err(self.err(
                    span,
                    "invalid index: elements of a set are identified only by their value, and have no index",
                    "Convert it first (tolist(...)[0]), or use a for expression across its elements.",
                ));
            }
        }
        let (mut v, used) = match (base, ops.first()) {
            (Expression::Variable(n), Some(TraversalOperator::GetAttr(a))) => {
                self.root(n.as_str(), Some(a.as_str()), span)?
            }
            (Expression::Variable(n), _) => self.root(n.as_str(), None, span)?,
            (other, _) => (self.eval(other, span)?, 0),
        };
        let ops = &ops[used..];
        for (i, op) in ops.iter().enumerate() {
            match op {
                TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                    // As in Terraform: a list's elements, nothing for null, and any other
                    // value (a map or object too) as the one element.
                    let of_map = matches!(&v, Value::Map(_));
                    let items = match v {
                        Value::Unknown => return Ok(Value::Unknown),
                        Value::Null => Vec::new(),
                        Value::List(l) => l,
                        other => vec![other],
                    };
                    let rest = &ops[i + 1..];
                    let mut out = Vec::with_capacity(items.len());
                    for it in items {
                        out.push(self.apply_ops(it, rest, span).map_err(|mut e| {
                            if of_map {
                                e.detail = format!("{} A splat ([*]) applies to a list; a map (such as a resource with for_each) is one value: use values(MAP)[*].ATTR, or a for expression.", e.detail).trim_start().to_string();
                            }
                            e
                        })?);
                    }
                    return Ok(Value::List(out));
                }
                _ => v = self.apply_ops(v, std::slice::from_ref(op), span)?,
            }
        }
        Ok(v)
    }

    fn apply_ops(
        &self,
        mut v: Value,
        ops: &[TraversalOperator],
        span: &Span,
    ) -> Result<Value, Diag> {
        for op in ops {
            v = match (v, op) {
                (Value::Unknown, _) => return Ok(Value::Unknown),
                (Value::Sensitive(inner), op) => Value::Sensitive(Box::new(self.apply_ops(
                    *inner,
                    std::slice::from_ref(op),
                    span,
                )?)),
                (Value::Map(mut m), TraversalOperator::GetAttr(a)) => match m.remove(a.as_str()) {
                    Some(x) => x,
                    None => {
                        return Err(self.err(
                            span,
                            format!("unsupported attribute {:?}", a.as_str()),
                            format!(
                                "This object has no attribute named {:?}. It has: {}.",
                                a.as_str(),
                                m.keys().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        ))
                    }
                },
                (Value::Null, TraversalOperator::GetAttr(a)) => {
                    return Err(self.err(
                        span,
                        format!(
                            "attempt to get attribute {:?} from a null value",
                            a.as_str()
                        ),
                        "",
                    ))
                }
                (other, TraversalOperator::GetAttr(a)) => {
                    return Err(self.err(
                        span,
                        format!(
                            "cannot get attribute {:?} of a {}",
                            a.as_str(),
                            other.type_name()
                        ),
                        "",
                    ))
                }
                (coll, TraversalOperator::Index(ix)) => {
                    let k = self.eval(ix, span)?;
                    let k = self.clean(k);
                    self.index(coll, &k, span)?
                }
                (coll, TraversalOperator::LegacyIndex(n)) => {
                    self.index(coll, &Value::Number(*n as f64), span)?
                }
                (v, TraversalOperator::AttrSplat | TraversalOperator::FullSplat) => {
                    let items = match v {
                        Value::List(l) => l,
                        Value::Null => vec![],
                        other => vec![other],
                    };
                    Value::List(items)
                }
            };
        }
        Ok(v)
    }

    fn index(&self, coll: Value, k: &Value, span: &Span) -> Result<Value, Diag> {
        match (coll, k) {
            (_, Value::Unknown) | (Value::Unknown, _) => Ok(Value::Unknown),
            (Value::List(l), k) => {
                let n =
                    num(k).ok_or_else(|| self.err(span, "a list index must be a number", ""))?;
                if n < 0.0 || n.fract() != 0.0 || n as usize >= l.len() {
                    return Err(self.err(
                        span,
                        "invalid index",
                        format!(
                            "The index {} is out of range for a list of {} elements.",
                            crate::value::fmt_number(n),
                            l.len()
                        ),
                    ));
                }
                Ok(l[n as usize].clone())
            }
            (Value::Map(m), k) => {
                let key = k
                    .to_template_string()
                    .ok_or_else(|| self.err(span, "a map key must be a string", ""))?;
                m.get(&key).cloned().ok_or_else(|| {
                    self.err(
                        span,
                        "invalid index",
                        format!("The map has no element with key {key:?}."),
                    )
                })
            }
            (other, _) => Err(self.err(span, format!("cannot index a {}", other.type_name()), "")),
        }
    }

    fn call(&self, f: &hcl::expr::FuncCall, span: &Span) -> Result<Value, Diag> {
        let name = f.name.name.as_str();
        if !f.name.namespace.is_empty() {
            return Err(self.err(
                span,
                format!("unknown function {}", f.name),
                "Provider-defined functions are not supported.",
            ));
        }
        // What reads elements by position refuses a set, as Terraform's do.
        if matches!(name, "element" | "slice" | "index")
            && f.args.first().is_some_and(|a| self.is_set(a))
        {
            return Err(self.err(
                span,
                format!("{name}() cannot read a set by position: its elements have no index"),
                "Convert it first with tolist(), or use contains() or a for expression.",
            ));
        }
        // Functions that look at how their arguments evaluate.
        match name {
            "try" => {
                let mut last = None;
                for a in &f.args {
                    match self.eval(a, span) {
                        Ok(v) => return Ok(v),
                        Err(e) => last = Some(e),
                    }
                }
                return Err(
                    last.unwrap_or_else(|| self.err(span, "try needs at least one argument", ""))
                );
            }
            "can" => {
                let [a] = f.args.as_slice() else {
                    return Err(self.err(span, "can takes one argument", ""));
                };
                return Ok(match self.eval(a, span) {
                    Ok(Value::Unknown) => Value::Unknown,
                    Ok(_) => Value::Bool(true),
                    Err(_) => Value::Bool(false),
                });
            }
            "sensitive" | "nonsensitive" | "issensitive" => {
                let [a] = f.args.as_slice() else {
                    return Err(self.err(span, format!("{name} takes one argument"), ""));
                };
                let seen = self.sensitive_hit.replace(false);
                let v = self.eval(a, span);
                let (v, marked) = v?.unmark();
                let secret = marked || self.sensitive_hit.get();
                return Ok(match name {
                    "sensitive" => {
                        self.sensitive_hit.set(seen);
                        Value::Sensitive(Box::new(v))
                    }
                    // The one way to drop the mark: the value is the user's to show.
                    "nonsensitive" => {
                        self.sensitive_hit.set(seen);
                        v
                    }
                    _ => {
                        self.sensitive_hit.set(seen);
                        if v.is_known() {
                            Value::Bool(secret)
                        } else {
                            Value::Unknown
                        }
                    }
                });
            }
            "templatefile" | "templatestring" => return self.template_call(name, f, span),
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        // Whether an argument read a secret: the flag is watched around the arguments.
        let seen = self.sensitive_hit.replace(false);
        // Functions that move elements without looking into them keep the marks of the
        // elements where they are, as Terraform does: `length(modelarts_notebook.nb)` and
        // `values(modelarts_notebook.nb)[*].id` are not secret because each instance has
        // a secret `token`. Only a mark on an argument as a whole marks the result.
        let shallow = matches!(
            name,
            "length" | "keys" | "values" | "merge" | "concat" | "lookup" | "element"
        );
        for a in &f.args {
            let v = self.eval(a, span);
            let v = v.inspect_err(|_| self.sensitive_hit.set(seen || self.sensitive_hit.get()))?;
            args.push(if shallow {
                self.clean_top(v)
            } else {
                self.clean(v)
            });
        }
        let secret = self.sensitive_hit.get();
        self.sensitive_hit.set(seen || secret);
        if f.expand_final {
            match args.pop() {
                // (A shallow function's spread elements: a mark on one element as a
                // whole marks the result, as for a written argument.)
                Some(Value::List(l)) if shallow => {
                    args.extend(l.into_iter().map(|v| self.clean_top(v)))
                }
                Some(Value::List(l)) => args.extend(l),
                Some(Value::Unknown) => return Ok(Value::Unknown),
                _ => {
                    return Err(self.err(
                        span,
                        "the final argument to expand with ... must be a list",
                        "",
                    ))
                }
            }
        }
        let cx = super::funcs::Cx {
            base_dir: &self.base_dir,
        };
        let r = super::funcs::call(name, args, &cx);
        match &r {
            Ok(v @ (Value::List(_) | Value::Map(_))) => self.spend(weigh(v), span)?,
            Ok(Value::String(s)) if s.len() > MAX_STRING => {
                return Err(self.err(
                    span,
                    format!(
                        "{name}() makes a string of {} bytes, more than {MAX_STRING}",
                        s.len()
                    ),
                    "",
                ))
            }
            _ => {}
        }
        r.map_err(|m| {
            if secret {
                // The message could quote the argument.
                self.err(
                    span,
                    format!("{name}(): invalid call"),
                    "An argument is sensitive, so the details are not shown.",
                )
            } else {
                self.err(span, format!("{name}(): {m}"), "")
            }
        })
    }
}

impl Scope<'_> {
    /// `templatefile(path, vars)` and `templatestring(text, vars)`: the template sees only
    /// `vars` (and the functions), as in Terraform.
    fn template_call(
        &self,
        name: &str,
        f: &hcl::expr::FuncCall,
        span: &Span,
    ) -> Result<Value, Diag> {
        let [a, vars] = f.args.as_slice() else {
            return Err(self.err(span, format!("{name} takes 2 arguments"), ""));
        };
        // templatestring renders a string from elsewhere (a data source's, a file's): a
        // template written in place is a template already, and Terraform refuses it.
        let refers = matches!(a, Expression::Variable(_) | Expression::Traversal(_));
        if name == "templatestring" && !refers {
            return Err(self.err(
                span,
                "templatestring(): the template must be a reference (such as local.template), not a string written in place",
                "Write the template as the string itself: \"...${x}...\" is rendered where it is written.",
            ));
        }
        if self.in_template {
            return Err(self.err(
                span,
                format!("{name}() cannot be called from inside a template (Terraform refuses templates that render templates)"),
                "Render the inner template first (in a local) and pass its result as a variable.",
            ));
        }
        let seen = self.sensitive_hit.replace(false);
        let a = self.eval(a, span).map(|v| self.clean(v));
        let vars = self.eval(vars, span).map(|v| self.clean(v));
        let (a, vars) = (a?, vars?);
        let secret = self.sensitive_hit.get();
        self.sensitive_hit.set(seen || secret);
        let (Some(a), true) = (a.as_str(), vars.is_known()) else {
            return match (a, vars) {
                (Value::Unknown, _) | (_, Value::Unknown) => Ok(Value::Unknown),
                (a, _) if a.as_str().is_none() => Err(self.err(
                    span,
                    format!(
                        "{name}(): the first argument must be a string, not {}",
                        a.type_name()
                    ),
                    "",
                )),
                _ => Ok(Value::Unknown),
            };
        };
        let Value::Map(vars) = vars else {
            return Err(self.err(
                span,
                format!(
                    "{name}(): the variables must be an object, not {}",
                    vars.type_name()
                ),
                "",
            ));
        };
        if let Some(bad) = vars.keys().find(|k| !crate::config::load::is_ident(k)) {
            return Err(self.err(
                span,
                format!("{name}(): invalid template variable name {bad:?}"),
                "A name starts with a letter, followed by letters, digits, underscores and dashes.",
            ));
        }
        let (text, origin) = if name == "templatefile" {
            let path = self.base_dir.join(a);
            let bytes = super::funcs::read_bounded(&path)
                .map_err(|m| self.err(span, format!("{name}(): {m}"), ""))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                self.err(
                    span,
                    format!("{name}(): {} is not UTF-8 text", path.display()),
                    "",
                )
            })?;
            (text, a.to_string())
        } else {
            (a.to_string(), "the template string".to_string())
        };
        let parsed = hcl_edit::parser::parse_template(&text).map_err(|e| {
            let loc = e.location();
            let place = if name == "templatefile" {
                format!("{origin}:{}:{}: ", loc.line(), loc.column())
            } else {
                String::new()
            };
            self.err(
                span,
                format!("{name}(): {place}invalid template syntax: {}", e.message()),
                format!(
                    "Fix the template's syntax at that position ({} is not a valid template).",
                    origin
                ),
            )
        })?;
        // Where each of a template file's elements is (a line and column of the file).
        let spans: Vec<Span> = if name == "templatefile" {
            use hcl_edit::Span as _;
            let lines = crate::config::load::Lines::new(&origin, &text);
            parsed.iter().map(|el| lines.span(el.span())).collect()
        } else {
            Vec::new()
        };
        let tpl = Template::from(parsed);
        // A scope of its own: the variables given, the functions, nothing else.
        let mut inner = Scope::variables_only(&EMPTY_VARS, &self.base_dir);
        inner.in_template = true;
        inner.depth.set(self.depth.get());
        inner.frames.borrow_mut().push(vars);
        let names: Vec<String> = inner
            .frames
            .borrow()
            .last()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let out = inner
            .template_at(&tpl, Strip::None, Strip::None, span, &spans)
            .map_err(|mut d| {
                // An error inside the file names its place there; the diagnostic stays at
                // the call.
                let place = match d.span.take() {
                    Some(s) if *s.file == *origin && name == "templatefile" => {
                        format!("{}:{}:{}: ", s.file, s.line, s.col)
                    }
                    _ => String::new(),
                };
                d.span = Some(span.clone());
                if secret {
                    // The template's own errors could quote what it was given.
                    d.summary = format!("{name}({origin}): {place}invalid template evaluation");
                    d.detail = "An argument is sensitive, so the details are not shown.".into();
                } else {
                    if let Some(var) = d.summary.strip_prefix("unknown variable ") {
                        let var = var.trim_matches('"');
                        d.detail = match super::did_you_mean(var, names.iter().map(String::as_str)) {
                            Some(near) => format!("Did you mean {near:?}? The template's variables are those the call passes: {}.", names.join(", ")),
                            None if names.is_empty() => "The call passes the template no variables.".into(),
                            None => format!("The template's variables are those the call passes: {}.", names.join(", ")),
                        };
                    }
                    d.summary = format!("{name}({origin}): {place}{}", d.summary);
                }
                d
            });
        if inner.sensitive_hit.get() {
            self.sensitive_hit.set(true);
        }
        Ok(match out? {
            Some(s) => Value::String(s),
            None => Value::Unknown,
        })
    }
}

/// Mark the secret attributes of a resource value (an object, or a list or map of them).
fn mark(v: Value, secret: Option<&BTreeSet<String>>) -> Value {
    let Some(secret) = secret else { return v };
    match v {
        Value::Map(m) if m.keys().any(|k| secret.contains(k)) || m.contains_key("id") => {
            Value::Map(
                m.into_iter()
                    .map(|(k, x)| {
                        if secret.contains(&k) && !x.is_null() {
                            (k, Value::Sensitive(Box::new(x)))
                        } else {
                            (k, x)
                        }
                    })
                    .collect(),
            )
        }
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, x)| (k, mark(x, Some(secret))))
                .collect(),
        ),
        Value::List(l) => Value::List(l.into_iter().map(|x| mark(x, Some(secret))).collect()),
        other => other,
    }
}

pub fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        // "inf", "NaN" and 1e400 are not numbers a configuration can hold.
        Value::String(s) => s.trim().parse().ok().filter(|n: &f64| n.is_finite()),
        _ => None,
    }
}

/// Evaluate an expression that may use only literals and functions.
pub fn eval_const(e: &Expression, span: &Span) -> Result<Value, Diag> {
    Scope::empty().eval(e, span)
}

/// Where a bool is needed, the strings "true" and "false" are the bools they spell
/// (Terraform's conversion: `-var enabled=true` gives a string to a variable without a
/// type, and `var.enabled ? 1 : 0` still works).
pub(crate) fn boolish(v: Value) -> Value {
    match v {
        Value::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
        v => v,
    }
}
