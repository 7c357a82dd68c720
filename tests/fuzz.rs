//! Fuzzing, bounded: seeded random mutations of real inputs through the configuration
//! loader, evaluator and planner (and the plan renderers), the state loader, the saved-plan
//! reader and the simulator's request handling. Every input must end in a value or an
//! error, never a panic.
//!
//! The test suite runs a few thousand executions per target. The campaign reported in the
//! issue notes runs millions in release mode: `scripts/fuzz` (which sets MAFORM_FUZZ_EXECS
//! and MAFORM_FUZZ_SEED and writes a table). An input that panics is written to
//! MAFORM_FUZZ_CRASHES (default: a directory under the system's temporary directory) and
//! fails the test; each one found becomes a case in `tests/bad_inputs/`.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

use maform::config::vars::{Inputs, Resolved};
use maform::config::Config;
use maform::plan::{Options, Plan};
use maform::state::{Instance, State};
use maform::value::Value;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn execs() -> u64 {
    std::env::var("MAFORM_FUZZ_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

fn seed() -> u64 {
    std::env::var("MAFORM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261130)
}

// ---- mutations ----

const HCL_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "%{",
    "~}",
    "=",
    "==",
    "\n",
    ",",
    ".",
    "...",
    "?",
    ":",
    "=>",
    "*",
    "/",
    "%",
    "-",
    "!",
    "&&",
    "||",
    "<<EOT\n",
    "\nEOT\n",
    "#",
    "//",
    "/*",
    "*/",
    "0",
    "-1",
    "1e308",
    "1e-320",
    "9999999999999999999999",
    "0.5",
    "true",
    "null",
    "count = 3\n",
    "count = -1\n",
    "for_each = {}\n",
    "for_each = toset([\"a\"])\n",
    "var.size",
    "local.x",
    "each.key",
    "each.value",
    "count.index",
    "self",
    "path.module",
    "modelarts_notebook.a.id",
    "data.modelarts_notebook_flavors.f",
    "[for x in [1]: x]",
    "{for k, v in {} : k => v}",
    "[*]",
    ".*",
    "[0]",
    "[\"k\"]",
    "depends_on = []\n",
    "lifecycle {\n}\n",
    "timeouts {\n}\n",
    "dynamic \"x\" {\n}\n",
    "locals {\n}\n",
    "variable \"v\" {\n}\n",
    "output \"o\" {\n  value = 1\n}\n",
    "sensitive = true\n",
    "upper(",
    "format(\"%d\", ",
    "range(",
    "lookup(",
    "jsondecode(",
    "file(",
    "element(",
    "merge(",
    "flatten(",
    "zipmap(",
    "substr(",
    "replace(",
    "split(",
    "join(",
    "tonumber(",
    "tostring(",
    "coalesce(",
    "try(",
    "can(",
    "\u{0}",
    "\u{feff}",
    "é",
    "\\",
    "\\u0041",
    "\\n",
    "$${",
    "%%{",
];

const JSON_STRINGS: &[&str] = &[
    "",
    "a",
    "RUNNING",
    "STOPPED",
    "CREATE_FAILED",
    "ERROR",
    "DELETED",
    "modelarts_notebook",
    "modelarts_devserver",
    "modelarts_devenv",
    "managed",
    "data",
    "fake",
    "x.y",
    "a[0]",
    "a[\"k\"]",
    "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdA$aGFzaA",
    "sha256:00",
    "EVS",
    "OBS",
    "modelarts.vm.cpu.2u",
    "0123456789abcdef0123456789abcdef",
    "../../x",
    "\u{0}",
    "é",
];

/// Mutate bytes: flips, inserts, deletions, duplicated and swapped ranges, dictionary
/// tokens, and splices from another seed.
fn mutate_bytes(r: &mut SmallRng, input: &[u8], dict: &[&str], other: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..r.gen_range(1..=6) {
        let len = b.len();
        let at = if len == 0 { 0 } else { r.gen_range(0..=len) };
        match r.gen_range(0..9) {
            0 if len > 0 => {
                let i = r.gen_range(0..len);
                b[i] ^= 1 << r.gen_range(0..8);
            }
            1 => b.insert(at, r.gen()),
            2 if len > 0 => {
                let end = (at + r.gen_range(1..16)).min(len);
                b.drain(at.min(len)..end);
            }
            3 if len > 0 => {
                let s = r.gen_range(0..len);
                let e = (s + r.gen_range(1..64)).min(len);
                let chunk = b[s..e].to_vec();
                b.splice(at..at, chunk);
            }
            4 | 5 => {
                let t = dict[r.gen_range(0..dict.len())].as_bytes().to_vec();
                b.splice(at..at, t);
            }
            6 if !other.is_empty() => {
                let s = r.gen_range(0..other.len());
                let e = (s + r.gen_range(1..128)).min(other.len());
                b.splice(at..at, other[s..e].iter().copied());
            }
            7 if len > 0 => {
                // Replace a run with a token.
                let end = (at + r.gen_range(1..8)).min(len);
                let t = dict[r.gen_range(0..dict.len())].as_bytes().to_vec();
                b.splice(at.min(len)..end, t);
            }
            _ => {
                // Duplicate or drop a whole line.
                let lines: Vec<&[u8]> = b.split(|c| *c == b'\n').collect();
                if lines.len() > 1 {
                    let i = r.gen_range(0..lines.len());
                    let mut out: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                    if r.gen_bool(0.5) {
                        let l = out[i].clone();
                        out.insert(i, l);
                    } else {
                        out.remove(i);
                    }
                    b = out.join(&b'\n');
                }
            }
        }
    }
    b.truncate(1 << 16);
    b
}

/// A random HCL expression: literals, references, calls, operators, conditionals, for
/// expressions, templates, splats and indexes.
fn random_expr(r: &mut SmallRng, depth: u32) -> String {
    let leaf = depth > 3 || r.gen_bool(0.3);
    if leaf {
        return match r.gen_range(0..12) {
            0 => r.gen_range(-3i64..1000).to_string(),
            1 => [
                "0.5",
                "1e308",
                "-0",
                "1e-320",
                "99999999999999999999",
                "2.5e3",
            ][r.gen_range(0..6)]
            .into(),
            2 => format!(
                "\"{}\"",
                JSON_STRINGS[r.gen_range(0..JSON_STRINGS.len())].replace(['\\', '"'], "")
            ),
            3 => ["true", "false", "null"][r.gen_range(0..3)].into(),
            4 => [
                "var.size",
                "var.admin_pass",
                "var.nope",
                "local.x",
                "local.nope",
            ][r.gen_range(0..5)]
            .into(),
            5 => [
                "each.key",
                "each.value",
                "count.index",
                "self",
                "path.module",
            ][r.gen_range(0..5)]
            .into(),
            6 => [
                "modelarts_notebook.a",
                "modelarts_notebook.a.id",
                "modelarts_notebook.a[0].id",
                "modelarts_devserver.d.status",
                "data.modelarts_notebook_flavors.f.flavors",
            ][r.gen_range(0..5)]
            .into(),
            7 => "[]".into(),
            8 => "{}".into(),
            9 => "\"${var.size}-x\"".into(),
            10 => "<<EOT\nline ${1 + 1}\nEOT\n".into(),
            _ => "\"%{ for x in [1, 2] }${x}%{ endfor }\"".into(),
        };
    }
    let d = depth + 1;
    match r.gen_range(0..10) {
        0 | 1 => {
            // Every built-in, the two that take expressions, and one that does not exist.
            let funcs = maform::config::funcs::FUNCTIONS;
            let n = r.gen_range(0..funcs.len() + 3);
            let f = funcs
                .get(n)
                .copied()
                .unwrap_or_else(|| ["try", "can", "nosuch"][n - funcs.len()]);
            let args: Vec<String> = (0..r.gen_range(0..4)).map(|_| random_expr(r, d)).collect();
            let ellipsis = if r.gen_bool(0.1) { "..." } else { "" };
            format!("{f}({}{ellipsis})", args.join(", "))
        }
        2 => {
            let op = [
                "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||",
            ][r.gen_range(0..13)];
            format!("{} {op} {}", random_expr(r, d), random_expr(r, d))
        }
        3 => format!(
            "{} ? {} : {}",
            random_expr(r, d),
            random_expr(r, d),
            random_expr(r, d)
        ),
        4 => format!(
            "[{}]",
            (0..r.gen_range(0..4))
                .map(|_| random_expr(r, d))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        5 => format!(
            "{{ a = {}, \"b\" = {} }}",
            random_expr(r, d),
            random_expr(r, d)
        ),
        6 => format!(
            "[for k, v in {} : {} if {}]",
            random_expr(r, d),
            random_expr(r, d),
            random_expr(r, d)
        ),
        7 => format!(
            "{{for k, v in {} : k => {}}}",
            random_expr(r, d),
            random_expr(r, d)
        ),
        8 => format!("{}[{}]", random_expr(r, d), random_expr(r, d)),
        _ => {
            format!(
                "{}{}",
                ["-", "!", "("][r.gen_range(0..3)],
                random_expr(r, d)
            ) + if r.gen_bool(0.3) { "[*].id" } else { "" }
        }
    }
}

/// Replace the value of one `name = value` line, or add a local, with a random expression.
fn mutate_hcl_value(r: &mut SmallRng, input: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(input);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let candidates: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.contains(" = ") && !l.trim_end().ends_with('{') && !l.trim_end().ends_with('[')
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() || r.gen_bool(0.2) {
        let e = random_expr(r, 0);
        lines.push(format!(
            "locals {{\n  x = {e}\n}}\noutput \"fz\" {{\n  value = local.x\n}}"
        ));
    } else {
        for _ in 0..r.gen_range(1..=2) {
            let i = candidates[r.gen_range(0..candidates.len())];
            let (name, _) = lines[i].split_once(" = ").unwrap();
            lines[i] = format!("{name} = {}", random_expr(r, 0));
        }
    }
    lines.join("\n").into_bytes()
}

fn random_json(r: &mut SmallRng, depth: u32) -> serde_json::Value {
    use serde_json::json;
    match r.gen_range(0..if depth > 3 { 7 } else { 9 }) {
        0 => json!(null),
        1 => json!(r.gen_bool(0.5)),
        2 => json!([0i64, -1, 1, i64::MAX, i64::MIN, 4_294_967_296i64][r.gen_range(0..6)]),
        3 => json!([0.5f64, -1e300, 1e308, f64::MIN_POSITIVE][r.gen_range(0..4)]),
        4 | 5 => json!(JSON_STRINGS[r.gen_range(0..JSON_STRINGS.len())]),
        6 => json!("x".repeat(r.gen_range(0..300))),
        7 => serde_json::Value::Array(
            (0..r.gen_range(0..4))
                .map(|_| random_json(r, depth + 1))
                .collect(),
        ),
        _ => serde_json::Value::Object(
            (0..r.gen_range(0..4))
                .map(|_| {
                    (
                        JSON_STRINGS[r.gen_range(0..JSON_STRINGS.len())].to_string(),
                        random_json(r, depth + 1),
                    )
                })
                .collect(),
        ),
    }
}

/// Mutate a JSON document's tree: replace, remove or add nodes.
fn mutate_json(r: &mut SmallRng, v: &serde_json::Value) -> serde_json::Value {
    fn nodes(v: &serde_json::Value) -> usize {
        1 + match v {
            serde_json::Value::Array(a) => a.iter().map(nodes).sum(),
            serde_json::Value::Object(o) => o.values().map(nodes).sum(),
            _ => 0,
        }
    }
    /// Apply `f` to the `n`-th node in pre-order; true once done.
    fn at(
        v: &mut serde_json::Value,
        n: &mut usize,
        f: &mut dyn FnMut(&mut serde_json::Value),
    ) -> bool {
        if *n == 0 {
            f(v);
            return true;
        }
        *n -= 1;
        match v {
            serde_json::Value::Array(a) => a.iter_mut().any(|x| at(x, n, f)),
            serde_json::Value::Object(o) => o.values_mut().any(|x| at(x, n, f)),
            _ => false,
        }
    }
    let mut out = v.clone();
    for _ in 0..r.gen_range(1..=3) {
        let total = nodes(&out);
        let mut n = r.gen_range(0..total);
        at(&mut out, &mut n, &mut |node| change(r, node));
    }
    out
}

fn change(r: &mut SmallRng, node: &mut serde_json::Value) {
    {
        match r.gen_range(0..4) {
            0 => *node = random_json(r, 0),
            1 => {
                if let serde_json::Value::Object(o) = node {
                    if let Some(k) = o.keys().nth(r.gen_range(0..o.len().max(1))).cloned() {
                        o.remove(&k);
                    }
                } else if let serde_json::Value::Array(a) = node {
                    if !a.is_empty() {
                        let i = r.gen_range(0..a.len());
                        a.remove(i);
                    }
                }
            }
            2 => {
                if let serde_json::Value::Array(a) = node {
                    if let Some(x) = a.first().cloned() {
                        a.push(x);
                    }
                } else if let serde_json::Value::Object(o) = node {
                    o.insert(
                        JSON_STRINGS[r.gen_range(0..JSON_STRINGS.len())].to_string(),
                        random_json(r, 1),
                    );
                }
            }
            _ => *node = random_json(r, 2),
        }
    }
}

// ---- targets ----

struct Seeds {
    hcl: Vec<Vec<u8>>,
    state: Vec<serde_json::Value>,
    saved: Vec<serde_json::Value>,
    prior: State,
    requests: Vec<(String, String, serde_json::Value)>,
}

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "hcl") {
                out.push((
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// A plan of `cfg` against `prior`, as `plan` makes it (variables from their defaults,
/// data sources unknown), rendered every way a user can ask for.
fn plan_text(text: &str, prior: &State) -> Result<Plan, String> {
    let cfg =
        Config::from_sources(&[("main.hcl".into(), text.into())]).map_err(|e| e.to_string())?;
    let vars =
        maform::config::vars::resolve(&cfg, &Inputs::default(), &[]).map_err(|e| e.to_string())?;
    plan_cfg(&cfg, &vars, prior)
}

fn plan_cfg(cfg: &Config, vars: &Resolved, prior: &State) -> Result<Plan, String> {
    let graph = maform::graph::build(cfg).map_err(|e| e.to_string())?;
    let data: maform::config::eval::Objects = cfg
        .resources
        .iter()
        .filter(|r| r.mode == maform::addr::Mode::Data)
        .map(|r| (r.addr(), Value::Unknown))
        .collect();
    let options = Options::default();
    let plan = maform::plan::plan(&maform::plan::Inputs {
        cfg,
        vars,
        graph: &graph,
        prior,
        refreshed: prior,
        data: &data,
        options: &options,
    })
    .map_err(|e| e.to_string())?;
    let registry = maform::provider::Registry::modelarts();
    let _ = maform::plan::render::plan(&plan, registry);
    let _ = maform::plan::markdown::plan(&plan, registry);
    let _ = maform::plan::json::plan_json(&plan, prior, &vars.for_json(), Some(cfg));
    Ok(plan)
}

/// The state an apply of `plan` would leave, unknowns made up.
fn state_of(plan: &Plan) -> State {
    fn known(v: &Value, n: &mut u64) -> Value {
        match v {
            Value::Unknown => {
                *n += 1;
                Value::str(format!("made-up-{n}"))
            }
            Value::List(l) => Value::List(l.iter().map(|x| known(x, n)).collect()),
            Value::Map(m) => Value::Map(m.iter().map(|(k, x)| (k.clone(), known(x, n))).collect()),
            other => other.clone(),
        }
    }
    let mut st = State::new();
    let mut n = 0;
    for c in &plan.changes {
        if let Some(a) = &c.after {
            st.instances.insert(
                c.addr.clone(),
                Instance {
                    attributes: known(a, &mut n).into(),
                    sensitive: c.sensitive.clone(),
                    dependencies: c.deps.clone(),
                    tainted: false,
                },
            );
        }
    }
    st
}

fn seeds() -> Seeds {
    let mut hcl = Vec::new();
    let mut dirs = vec![repo().join("tests/golden/changes")];
    for e in std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .flatten()
    {
        dirs.push(e.path());
    }
    dirs.sort();
    let mut prior = State::new();
    let mut state = Vec::new();
    let mut saved = Vec::new();
    // Each file is a configuration of its own.
    // (A configuration that calls modules needs its directory: not a seed of its own.)
    for (name, text) in dirs
        .iter()
        .flat_map(|d| sources(d))
        .filter(|(_, t)| !t.lines().any(|l| l.starts_with("module \"")))
    {
        let d = name;
        // Passwords are digested with a deliberately slow hash: a key pair instead keeps
        // an execution in microseconds (the digest code has tests of its own).
        let text: String = text
            .lines()
            .map(|l| match l.split_once("admin_pass") {
                Some((indent, _)) if indent.trim().is_empty() => {
                    format!("{indent}key_pair_name = \"kp\"")
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        hcl.push(text.clone().into_bytes());
        // Give required variables a value so that the seed plans.
        let text = with_defaults(&text);
        let planned = plan_text(&text, &State::new());
        assert!(planned.is_ok(), "the seed {d} plans: {:?}", planned.err());
        if let Ok(plan) = planned {
            let st = state_of(&plan);
            state.push(serde_json::from_slice(&st.to_bytes()).unwrap());
            let cfg = Config::from_sources(&[("main.hcl".into(), text.clone())]).unwrap();
            let vars = maform::config::vars::resolve(&cfg, &Inputs::default(), &[]).unwrap();
            let sp = maform::plan::saved::SavedPlan::new(
                plan,
                "fuzz",
                1,
                "sha256:00".into(),
                &vars,
                Default::default(),
            );
            saved.push(serde_json::from_slice(&sp.to_bytes().unwrap()).unwrap());
            for (a, i) in st.instances {
                prior.instances.insert(a, i);
            }
        }
    }
    assert!(
        hcl.len() >= 4 && !state.is_empty(),
        "seeds: {} configurations",
        hcl.len()
    );
    let nb = serde_json::json!({"name": "fz", "flavor": "modelarts.vm.cpu.2u", "image": {"id": "e1a07296-22a8-4f05-8bc8-e936c8e54090"}, "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5}, "workspace": {"id": "0"}});
    let ds = serde_json::json!({"name": "fz", "flavor": "Si2.large.4", "image_id": "c90fb553-2cdb-4b81-b56a-ef68812c6cf7", "key_pair_name": "kp", "network": {"vpc_id": "v", "subnet_id": "s", "security_group_id": "g"}, "charging_info": {"charging_mode": "POST_PAID", "period_type": "HOUR", "period_num": 1}});
    let de = serde_json::json!({"name": "fz", "profile_id": "Multi-Engine 1.0 (python3)-cpu", "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "evs", "size_in_g": 5}}, "description": "d"});
    let p = "0123456789abcdef0123456789abcdef";
    let requests = vec![
        ("POST".into(), format!("/v1/{p}/notebooks"), nb.clone()),
        (
            "GET".into(),
            format!("/v1/{p}/notebooks?limit=10&offset=0&sort_key=name"),
            serde_json::Value::Null,
        ),
        (
            "PUT".into(),
            format!("/v1/{p}/notebooks/ID"),
            serde_json::json!({"name": "fz2", "description": "x", "flavor": "modelarts.vm.cpu.8u"}),
        ),
        (
            "POST".into(),
            format!("/v1/{p}/notebooks/ID/start?duration=3600000"),
            serde_json::Value::Null,
        ),
        (
            "POST".into(),
            format!("/v1/{p}/notebooks/ID/stop"),
            serde_json::Value::Null,
        ),
        (
            "POST".into(),
            format!("/v1/{p}/notebooks/ID/storage"),
            serde_json::json!({"category": "OBS", "uri": "obs://b/p/", "mount_path": "/data/x/"}),
        ),
        (
            "PATCH".into(),
            format!("/v1/{p}/notebooks/ID/lease"),
            serde_json::json!({"duration": 3600000}),
        ),
        ("POST".into(), format!("/v1/{p}/dev-servers"), ds),
        (
            "PUT".into(),
            format!("/v1/{p}/dev-servers/ID"),
            serde_json::json!({"name": "fz2"}),
        ),
        ("POST".into(), format!("/v1/{p}/demanager/instances"), de),
        (
            "POST".into(),
            format!("/v1/{p}/demanager/instances/ID/action"),
            serde_json::json!({"action": "stop"}),
        ),
        (
            "PUT".into(),
            format!("/v1/{p}/demanager/instances/ID"),
            serde_json::json!({"description": "y", "spec": {"auto_stop": {"enable": true, "duration": 3600}}}),
        ),
        (
            "DELETE".into(),
            format!("/v1/{p}/notebooks/ID"),
            serde_json::Value::Null,
        ),
        (
            "POST".into(),
            "/v3/auth/tokens".into(),
            serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "password": "p", "domain": {"name": "d"}}}}, "scope": {"project": {"name": "cn-north-4"}}}}),
        ),
        (
            "POST".into(),
            "/_sim/fail".into(),
            serde_json::json!({"name": "fz"}),
        ),
        (
            "PATCH".into(),
            "/_sim/notebooks/ID".into(),
            serde_json::json!({"description": "console"}),
        ),
        (
            "POST".into(),
            "/_sim/notebooks/ID/status".into(),
            serde_json::json!({"status": "FROZEN"}),
        ),
    ];
    Seeds {
        hcl,
        state,
        saved,
        prior,
        requests,
    }
}

/// Required variables get a default, so that a seed configuration plans on its own.
fn with_defaults(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("variable ") && line.ends_with('{') {
            let has_default = lines[i + 1..]
                .iter()
                .take_while(|l| **l != "}")
                .any(|l| l.trim_start().starts_with("default"));
            if !has_default {
                out.push_str("  default = \"Passw0rd-fz1\"\n");
            }
        }
    }
    out
}

struct Outcome {
    ok: u64,
    err: u64,
}

fn run_config(r: &mut SmallRng, s: &Seeds, o: &mut Outcome) {
    let i = r.gen_range(0..s.hcl.len());
    let j = r.gen_range(0..s.hcl.len());
    let input = if r.gen_bool(0.6) {
        mutate_hcl_value(r, &s.hcl[i])
    } else {
        mutate_bytes(r, &s.hcl[i], HCL_TOKENS, &s.hcl[j])
    };
    remember(&input);
    let text = String::from_utf8_lossy(&input).into_owned();
    let prior = if r.gen_bool(0.5) {
        &s.prior
    } else {
        &State::new()
    };
    match plan_text(&with_defaults(&text), prior) {
        Ok(_) => o.ok += 1,
        Err(_) => o.err += 1,
    }
}

fn run_state(r: &mut SmallRng, s: &Seeds, o: &mut Outcome) {
    let seed = &s.state[r.gen_range(0..s.state.len())];
    let input = if r.gen_bool(0.7) {
        serde_json::to_vec(&mutate_json(r, seed)).unwrap()
    } else {
        let other = serde_json::to_vec(&s.state[0]).unwrap();
        mutate_bytes(
            r,
            &serde_json::to_vec_pretty(seed).unwrap(),
            &["{", "}", "[", "]", "\"", ",", ":", "null", "-1", "1e999"],
            &other,
        )
    };
    remember(&input);
    match State::from_bytes(&input, "fuzz.json") {
        Ok(st) => {
            // What loads, saves and loads again the same.
            let again = State::from_bytes(&st.to_bytes(), "again").expect("a written state loads");
            assert_eq!(
                again.instances, st.instances,
                "a state survives a round trip"
            );
            // And plans against a configuration, now and then (planning costs more than
            // loading).
            if r.gen_bool(0.2) {
                let text = with_defaults(&String::from_utf8_lossy(
                    &s.hcl[r.gen_range(0..s.hcl.len())],
                ));
                let _ = plan_text(&text, &st);
            }
            o.ok += 1;
        }
        Err(_) => o.err += 1,
    }
}

fn run_saved(r: &mut SmallRng, s: &Seeds, o: &mut Outcome) {
    let seed = &s.saved[r.gen_range(0..s.saved.len())];
    let input = serde_json::to_vec(&mutate_json(r, seed)).unwrap();
    remember(&input);
    let registry = maform::provider::Registry::modelarts();
    match maform::plan::saved::SavedPlan::from_bytes(&input, "fuzz.plan", registry) {
        Ok(sp) => {
            let _ = maform::plan::render::plan(&sp.plan, registry);
            let _ = sp.to_bytes();
            o.ok += 1;
        }
        Err(_) => o.err += 1,
    }
}

struct SimTarget {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    calls: u64,
    signed: bool,
}

impl SimTarget {
    fn new(signed: bool) -> SimTarget {
        // Open (no credentials: every route's handler is reached), or closed by keys and
        // a user (the authentication paths).
        let mut config = maform::sim::SimConfig {
            admin_token: None,
            ..Default::default()
        };
        if signed {
            config.access_key = Some("AK".into());
            config.secret_key = Some("SK".into());
            config.user = Some(("u".into(), "p".into()));
        }
        let sim = maform::sim::Sim::new(config).unwrap();
        SimTarget {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            router: maform::sim::router(sim),
            calls: 0,
            signed,
        }
    }
}

fn run_sim(r: &mut SmallRng, s: &Seeds, t: &mut SimTarget, o: &mut Outcome) {
    use tower::ServiceExt;
    let (method, path, body) = &s.requests[r.gen_range(0..s.requests.len())];
    let method = if r.gen_bool(0.1) {
        ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"][r.gen_range(0..7)]
    } else {
        method.as_str()
    };
    let path_bytes = if r.gen_bool(0.3) {
        mutate_bytes(
            r,
            path.as_bytes(),
            &[
                "/", "%", "%2F", "..", "?", "&", "=", "#", "{id}", "ID", "%00",
            ],
            b"",
        )
    } else {
        path.as_bytes().to_vec()
    };
    let body = if body.is_null() && r.gen_bool(0.7) {
        Vec::new()
    } else if r.gen_bool(0.8) {
        serde_json::to_vec(&mutate_json(r, body)).unwrap()
    } else {
        mutate_bytes(
            r,
            &serde_json::to_vec(body).unwrap(),
            &["{", "}", "\"", "null", ","],
            b"",
        )
    };
    let path = String::from_utf8_lossy(&path_bytes).into_owned();
    let mut input = format!("{method} {path}\n").into_bytes();
    input.extend_from_slice(&body);
    remember(&input);
    let Ok(req) = axum::http::Request::builder()
        .method(method)
        .uri(&path)
        .header("content-type", "application/json")
        .header(
            "x-auth-token",
            if r.gen_bool(0.5) { "MIIsim-guess" } else { "" },
        )
        .body(axum::body::Body::from(body))
    else {
        o.err += 1;
        return;
    };
    let resp =
        t.rt.block_on(t.router.clone().oneshot(req))
            .expect("infallible");
    let status = resp.status();
    let bytes =
        t.rt.block_on(axum::body::to_bytes(resp.into_body(), 1 << 24))
            .expect("a body");
    // Every answer is JSON with the service's error fields or a document.
    if !bytes.is_empty() {
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("a JSON answer");
    }
    assert!(
        status.as_u16() != 500 || !bytes.is_empty(),
        "a 500 says why"
    );
    if status.is_success() {
        o.ok += 1;
    } else {
        o.err += 1;
    }
    t.calls += 1;
}

thread_local! {
    /// The input of the execution under way, recorded by each target as soon as it has
    /// made it, so that a panic in the target still finds it.
    static CURRENT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn remember(input: &[u8]) {
    CURRENT.with(|c| {
        let mut c = c.borrow_mut();
        c.clear();
        c.extend_from_slice(input);
    });
}

/// Run `n` executions of one target; a panic is saved and reported.
fn campaign(
    name: &str,
    n: u64,
    seed: u64,
    s: &Seeds,
    mut one: impl FnMut(&mut SmallRng, &Seeds, &mut Outcome),
) -> (Outcome, Duration, u64) {
    let mut r = SmallRng::seed_from_u64(seed);
    let mut o = Outcome { ok: 0, err: 0 };
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 0..n {
        remember(&[]);
        let t = Instant::now();
        let res = std::panic::catch_unwind(AssertUnwindSafe(|| {
            one(&mut r, s, &mut o);
        }));
        slowest = slowest.max(t.elapsed());
        if let Err(p) = res {
            let dir = std::env::var_os("MAFORM_FUZZ_CRASHES")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("maform-fuzz-crashes"));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join(format!("{name}-{seed}-{i}.bin"));
            let last = CURRENT.with(|c| c.borrow().clone());
            std::fs::write(&file, &last).unwrap();
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!(
                "{name}: execution {i} (seed {seed}) panicked: {msg}\ninput saved as {}:\n{}",
                file.display(),
                String::from_utf8_lossy(&last[..last.len().min(2000)])
            );
        }
    }
    (o, slowest, start.elapsed().as_millis() as u64)
}

#[test]
fn no_input_makes_maform_panic() {
    // Deep inputs need the stack the binary gives its main thread.
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(fuzz_all)
        .unwrap();
    if let Err(p) = h.join() {
        std::panic::resume_unwind(p);
    }
}

fn fuzz_all() {
    let s = seeds();
    // Panics are caught and reported once, with their input.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let n = execs();
    let seed = seed();
    let mut rows = Vec::new();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        rows.push((
            "config (load, evaluate, plan, render)",
            campaign("config", n, seed, &s, run_config),
        ));
        rows.push((
            "state (load, round trip, plan)",
            campaign("state", n, seed + 1, &s, run_state),
        ));
        rows.push((
            "saved plan (read, render)",
            campaign("saved", n, seed + 2, &s, run_saved),
        ));
        let mut open = SimTarget::new(false);
        let mut signed = SimTarget::new(true);
        rows.push((
            "simulator requests",
            campaign("sim", n, seed + 3, &s, |r, s, o| {
                let t = if r.gen_bool(0.5) {
                    &mut open
                } else {
                    &mut signed
                };
                // A fresh cloud now and then, so that objects do not pile up.
                if t.calls > 5000 {
                    *t = SimTarget::new(t.signed);
                }
                run_sim(r, s, t, o)
            }),
        ));
    }));
    std::panic::set_hook(quiet);
    if let Err(p) = result {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("{msg}");
    }
    println!("| target | executions | values | errors | slowest | time |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut total = 0;
    for (name, (o, slowest, ms)) in &rows {
        total += o.ok + o.err;
        println!(
            "| {name} | {} | {} | {} | {} ms | {:.1} s |",
            o.ok + o.err,
            o.ok,
            o.err,
            slowest.as_millis(),
            *ms as f64 / 1000.0
        );
    }
    println!("| total | {total} | | | | |");
}
