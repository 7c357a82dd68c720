//! A corpus of bad inputs (configuration, variables, state files, API responses): each
//! gets an error message, none panics, none changes the state file's bytes (nor any file
//! a link points to). Cases are generated here, and read from `tests/bad_inputs/`:
//! `config/*.hcl` (run as main.hcl), `state/*.json` (the state of the good configuration)
//! and `tfvars/*.tfvars` (a `--var-file`). A configuration file's leading `#! key: value`
//! comments say more: `args` (the command, default `plan`), `env` (NAME=VALUE), `link`
//! (`PATH -> TARGET`, made before the run), `expect` (text the error must contain),
//! `forbid` (text neither output may contain), `maxout` (most bytes of output), `base:
//! good` (the file is appended to the good configuration, so that it shows only what is
//! wrong).
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

mod common;
use common::*;
use serde_json::json;

const GOOD: &str = "variable \"size\" {\n  type    = number\n  default = 10\n  validation {\n    condition     = var.size >= 5\n    error_message = \"size is at least 5.\"\n  }\n}\n\nresource \"modelarts_notebook\" \"a\" {\n  name     = \"corpus-a\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n    capacity = var.size\n  }\n}\n\nresource \"modelarts_devserver\" \"d\" {\n  name          = \"corpus-d\"\n  flavor        = \"Si2.large.4\"\n  image_id      = \"c90fb553-2cdb-4b81-b56a-ef68812c6cf7\"\n  key_pair_name = \"kp\"\n  network {\n    vpc_id            = \"v\"\n    subnet_id         = \"s\"\n    security_group_id = \"g\"\n  }\n}\n\nresource \"modelarts_devenv\" \"e\" {\n  name       = \"corpus-e\"\n  profile_id = \"Multi-Engine 1.0 (python3)-cpu\"\n  flavor     = \"modelarts.vm.cpu.2u\"\n  spec {\n    storage {\n      type = \"evs\"\n    }\n  }\n}\n";

#[derive(Default)]
struct Case {
    what: String,
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    /// The whole command line, instead of `plan` and `args`.
    cmd: Option<Vec<String>>,
    state: Option<Vec<u8>>,
    garbage: Option<&'static str>,
    env: Vec<(String, String)>,
    links: Vec<(String, String)>,
    expect: Vec<String>,
    forbid: Vec<String>,
    maxout: Option<usize>,
}

fn case(what: impl Into<String>, main: &str) -> Case {
    Case {
        what: what.into(),
        files: vec![("main.hcl".into(), main.as_bytes().to_vec())],
        ..Case::default()
    }
}

/// The cases kept as files under `tests/bad_inputs/`.
fn file_cases() -> Vec<Case> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs");
    let mut out = Vec::new();
    for kind in ["config", "state", "tfvars"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(kind))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let mut c = case(format!("{kind}/{name}"), GOOD);
            match kind {
                "config" => {
                    c.files = vec![("main.hcl".into(), bytes.clone())];
                    let text = String::from_utf8_lossy(&bytes);
                    // What follows the directives, as bytes (a file need not be UTF-8).
                    let head: usize = text
                        .split_inclusive('\n')
                        .take_while(|l| l.starts_with("#! "))
                        .map(str::len)
                        .sum();
                    let body = &bytes[head.min(bytes.len())..];
                    let (mut base, mut replace) = (false, None::<String>);
                    for line in text.lines().take_while(|l| l.starts_with("#! ")) {
                        let (k, v) = line[3..].split_once(": ").expect("#! key: value");
                        match k {
                            "args" => c.cmd = Some(v.split(' ').map(String::from).collect()),
                            "env" => {
                                let (n, x) = v.split_once('=').expect("env: NAME=VALUE");
                                c.env.push((n.into(), x.into()));
                            }
                            "link" => {
                                let (p, t) = v.split_once(" -> ").expect("link: PATH -> TARGET");
                                c.links.push((p.into(), t.into()));
                            }
                            "expect" => c.expect.push(v.into()),
                            "forbid" => c.forbid.push(v.into()),
                            "maxout" => c.maxout = Some(v.parse().expect("maxout: N")),
                            // The file holds only what it changes in the good configuration.
                            "base" if v == "good" => base = true,
                            "replace" => replace = Some(v.to_string()),
                            other => panic!("{}: unknown directive {other:?}", f.display()),
                        }
                    }
                    if base {
                        let body = String::from_utf8_lossy(body);
                        let full = match &replace {
                            Some(from) => {
                                assert!(GOOD.contains(from.as_str()), "{}: {from:?}", f.display());
                                GOOD.replacen(from.as_str(), body.trim_end_matches('\n'), 1)
                            }
                            None => format!("{GOOD}\n{body}"),
                        };
                        c.files = vec![("main.hcl".into(), full.into_bytes())];
                    }
                }
                "state" => c.state = Some(bytes),
                _ => {
                    c.files.push(("bad.tfvars".into(), bytes));
                    c.args = vec!["--var-file".into(), "bad.tfvars".into()];
                }
            }
            out.push(c);
        }
    }
    out
}

fn corpus(good_state: &[u8]) -> Vec<Case> {
    let mut cases = Vec::new();
    // Configuration truncated in the middle of a block: always a syntax error.
    let mut depth = 0i32;
    let cut_points: Vec<usize> = GOOD
        .char_indices()
        .filter_map(|(i, c)| {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            (depth > 0 && i % 7 == 3).then_some(i)
        })
        .collect();
    for &i in cut_points.iter().step_by(2).take(60) {
        cases.push(case(format!("config truncated at byte {i}"), &GOOD[..i]));
    }
    // Wrong types, unknown arguments, bad enumerations and ranges, one at a time.
    let swaps: &[(&str, &str)] = &[
        ("name     = \"corpus-a\"", "name     = [\"x\"]"),
        ("name     = \"corpus-a\"", "name     = \"bad name\""),
        ("name     = \"corpus-a\"", "name     = \"\""),
        ("name     = \"corpus-a\"", "nmae     = \"corpus-a\""),
        ("flavor   = \"modelarts.vm.cpu.2u\"", "flavor   = {a = 1}"),
        ("category = \"EVS\"", "category = \"TAPE\""),
        ("category = \"EVS\"", "category = 5"),
        ("capacity = var.size", "capacity = 5000"),
        ("capacity = var.size", "capacity = 10.5"),
        ("capacity = var.size", "capacity = var.nope"),
        ("capacity = var.size", "capacity = local.nope"),
        ("capacity = var.size", "capacity = modelarts_notebook.zz.id"),
        ("capacity = var.size", "capacity = nosuchfn(1)"),
        ("capacity = var.size", "capacity = 1 / 0"),
        ("capacity = var.size", "capacity = [1][5]"),
        ("capacity = var.size", "capacity = \"ten\""),
        ("key_pair_name = \"kp\"", "key_pair_name = \"kp\"\n  admin_pass    = \"Passw0rd-ok\""),
        ("key_pair_name = \"kp\"", "admin_pass    = \"short\""),
        ("key_pair_name = \"kp\"", ""),
        ("flavor        = \"Si2.large.4\"", "flavor        = \"Si2.large.4\"\n  resource_flavor = \"x\""),
        ("vpc_id            = \"v\"", ""),
        ("type = \"evs\"", "type = \"tape\""),
        ("type = \"evs\"", "type = \"obs\""),
        ("profile_id = \"Multi-Engine 1.0 (python3)-cpu\"", ""),
        ("volume {", "volume = {"),
        ("volume {", "volumes {"),
        ("spec {", "spec {\n    auto_stop {\n      enable = true\n    }"),
        ("spec {", "spec {\n    auto_stop {\n      enable   = true\n      duration = 60\n    }"),
        ("resource \"modelarts_devenv\" \"e\"", "resource \"modelarts_devenv\" \"e\" \"x\""),
        ("resource \"modelarts_devenv\" \"e\"", "resource \"aws_instance\" \"e\""),
        ("resource \"modelarts_devenv\" \"e\"", "resource \"modelarts_devenv\" \"9e\""),
        ("resource \"modelarts_devenv\" \"e\"", "resource \"modelarts_devenv\" \"a\" {\n}\nresource \"modelarts_devenv\" \"a\""),
        ("variable \"size\" {", "variable \"size\" {\n  sensitive = \"maybe\""),
        ("type    = number", "type    = numbr"),
        ("default = 10", "default = \"x\""),
        ("default = 10", "default = 2"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  depends_on = [modelarts_notebook.a]"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  count    = -1"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  count    = 2\n  for_each = {}"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  for_each = 5"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  lifecycle {\n    ignore_changes = 5\n  }"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  timeouts {\n    create = \"soon\"\n  }"),
        ("resource \"modelarts_notebook\" \"a\" {", "resource \"modelarts_notebook\" \"a\" {\n  id = \"x\""),
        ("resource \"modelarts_notebook\" \"a\" {", "module \"m\" {}\nresource \"modelarts_notebook\" \"a\" {"),
        ("resource \"modelarts_notebook\" \"a\" {", "output \"o\" {}\nresource \"modelarts_notebook\" \"a\" {"),
        ("resource \"modelarts_notebook\" \"a\" {", "locals {\n  x = local.x\n}\nresource \"modelarts_notebook\" \"a\" {"),
        ("resource \"modelarts_notebook\" \"a\" {", "provider \"aws\" {}\nresource \"modelarts_notebook\" \"a\" {"),
        ("resource \"modelarts_notebook\" \"a\" {", "provider \"modelarts\" {\n  secret_key = \"x\"\n}\nresource \"modelarts_notebook\" \"a\" {"),
        ("resource \"modelarts_notebook\" \"a\" {", "top = 1\nresource \"modelarts_notebook\" \"a\" {"),
        ("name          = \"corpus-d\"", "name          = \"corpus d\""),
        ("name       = \"corpus-e\"", "name       = \"${5 + []}\""),
        ("name       = \"corpus-e\"", "name       = \"%{ for x in 5 }${x}%{ endfor }\""),
        ("name       = \"corpus-e\"", "name       = \"\\q\""),
        ("name       = \"corpus-e\"", "name       = \"unterminated"),
        ("name       = \"corpus-e\"", "name       = <<EOT\nno end"),
        ("name       = \"corpus-e\"", "name       = \"é\u{0}\""),
        ("name       = \"corpus-e\"", "name       = jsondecode(\"{\")"),
        ("name       = \"corpus-e\"", "name       = file(\"nope.txt\")"),
        ("name       = \"corpus-e\"", "name       = base64decode(\"!!\")"),
        ("name       = \"corpus-e\"", "name       = lookup({}, \"k\")"),
        ("name       = \"corpus-e\"", "name       = coalesce(null, \"\")"),
        ("name       = \"corpus-e\"", "name       = format(\"%d\")"),
        ("name       = \"corpus-e\"", "name       = range(0, 1, 0)"),
        ("name       = \"corpus-e\"", "name       = element([], 0)"),
        ("name       = \"corpus-e\"", "name       = {for k in [1, 1] : k => k}"),
        ("name       = \"corpus-e\"", "name       = true ? 1"),
    ];
    for (from, to) in swaps {
        assert!(GOOD.contains(from), "{from}");
        cases.push(case(format!("config: {to:?}"), &GOOD.replacen(from, to, 1)));
    }
    // Bytes that are not text or not HCL.
    for junk in [
        "\u{feff}resource",
        "{{{{",
        "}}}}",
        "resource \"a\"",
        "\"\"\"",
        "resource \"modelarts_notebook\" \"a\" { name = \"x\" image_id = \"y\" }",
        "\0\0\0",
        "= = =",
        "resource \"modelarts_notebook\" \"a\" {\n  name = \"a\"\n  name = \"b\"\n}\n",
        "# only a comment\nlocals {\n  a = \n}\n",
    ] {
        cases.push(case(format!("config junk {junk:?}"), junk));
    }
    // Backend blocks: each is refused before any state is read or written.
    for backend in [
        "backend \"s3\" {}",
        "backend \"pg\" {\n  schema_name = \"Bad-Name\"\n}",
        "backend \"pg\" {\n  keep_versions = 0\n}",
        "backend \"pg\" {\n  keep_versions = 1.5\n}",
        "backend \"pg\" {\n  conn_str = 42\n}",
        "backend \"pg\" {\n  password = \"x\"\n}",
        "backend \"local\" {\n  path = \"x\"\n}",
        "maform {\n  backend \"pg\" {}\n  backend \"pg\" {}\n}",
        // Valid, but not initialised here: plan must say to run maform init.
        "maform {\n  backend \"pg\" {\n    conn_str = \"postgres://u@127.0.0.1:1/db\"\n  }\n}",
    ] {
        cases.push(case(
            format!("backend {backend:?}"),
            &format!("{GOOD}\n{backend}\n"),
        ));
    }
    // Variables: files and flags.
    let var_files: &[&str] = &[
        "size = ",
        "size = \"ten\"",
        "size = 1",
        "nope = 5",
        "size {\n}\n",
        "size = [1, 2]",
        "size = {a = 1}",
        "size = 10\nsize = 11",
        "size = var.other",
        "size = 5 +",
    ];
    for (i, vf) in var_files.iter().enumerate() {
        let mut c = case(format!("variables file {vf:?}"), GOOD);
        c.files
            .push((format!("bad{i}.tfvars"), vf.as_bytes().to_vec()));
        c.args = vec!["--var-file".into(), format!("bad{i}.tfvars")];
        cases.push(c);
        let mut c = case(format!("auto variables file {vf:?}"), GOOD);
        c.files
            .push((format!("bad{i}.auto.tfvars"), vf.as_bytes().to_vec()));
        cases.push(c);
    }
    for flag in [
        "size=",
        "size=ten",
        "size=1",
        "nope=5",
        "size",
        "=5",
        "size=[",
        "size={}",
        "size=true",
        "size=1e400x",
    ] {
        let mut c = case(format!("--var {flag:?}"), GOOD);
        c.args = vec!["--var".into(), flag.into()];
        cases.push(c);
    }
    let mut c = case("--var-file that does not exist", GOOD);
    c.args = vec!["--var-file".into(), "missing.tfvars".into()];
    cases.push(c);
    // State files: truncated, foreign, other versions, wrong shapes.
    let text = String::from_utf8_lossy(good_state).to_string();
    for i in (1..text.len()).step_by((text.len() / 40).max(1)).take(40) {
        if text.is_char_boundary(i) {
            let mut c = case(format!("state truncated at {i}"), GOOD);
            c.state = Some(text.as_bytes()[..i].to_vec());
            cases.push(c);
        }
    }
    let v: serde_json::Value = serde_json::from_slice(good_state).unwrap();
    let mut edits: Vec<(String, serde_json::Value)> = Vec::new();
    for (k, bad) in [
        ("version", json!(99)),
        ("version", json!("1")),
        ("serial", json!(-1)),
        ("serial", json!("x")),
        ("lineage", json!(5)),
        ("resources", json!({})),
        ("resources", json!([1])),
        (
            "resources",
            json!([{"mode": "sideways", "type": "t", "name": "n", "instances": []}]),
        ),
        (
            "resources",
            json!([{"mode": "managed", "type": "modelarts_notebook", "name": "a", "instances": [{"attributes": 5}]}]),
        ),
        ("outputs", json!([])),
    ] {
        let mut x = v.clone();
        x[k] = bad.clone();
        edits.push((format!("state {k} = {bad}"), x));
    }
    for (k, x) in [
        ("not an object", json!([])),
        (
            "terraform state",
            json!({"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "x", "resources": []}),
        ),
        ("empty object", json!({})),
        ("null", json!(null)),
    ] {
        edits.push((format!("state {k}"), x));
    }
    for (what, x) in edits {
        let mut c = case(what, GOOD);
        c.state = Some(serde_json::to_vec(&x).unwrap());
        cases.push(c);
    }
    for (what, bytes) in [
        ("state binary", vec![0u8, 159, 146, 150]),
        ("state empty", vec![]),
        ("state whitespace", b"   \n".to_vec()),
    ] {
        let mut c = case(what, GOOD);
        c.state = Some(bytes);
        cases.push(c);
    }
    // API responses that are not what the service documents, on refresh.
    for kind in ["truncated", "html", "array", "empty", "wrong_types"] {
        for n in [1, 2, 3, 4] {
            let mut c = case(format!("API answers {kind} ×{n}"), GOOD);
            c.garbage = Some(kind);
            c.args = vec![format!("--garbage-count={n}")];
            cases.push(c);
        }
    }
    cases
}

#[test]
fn every_bad_input_gets_an_error_and_changes_nothing() {
    let sim = Sim::start(&[]);
    // A good state to corrupt, and to check that nothing writes over it.
    let base = Work::new(Some(&sim), &[("main.hcl", GOOD)]);
    base.run(&["apply", "--auto-approve"]).ok();
    let good_state = std::fs::read(base.path().join("state/default.json")).unwrap();
    let mut cases = corpus(&good_state);
    cases.extend(file_cases());
    assert!(cases.len() >= 350, "only {} cases", cases.len());
    eprintln!("{} bad inputs", cases.len());
    if std::env::var_os("CORPUS_SELF_CHECK").is_some() {
        cases.push(case("a valid configuration", GOOD));
    }
    let mut failures = Vec::new();
    for c in &cases {
        let mut w = Work::new(Some(&sim), &[]);
        for (n, t) in &c.files {
            std::fs::write(w.path().join(n), t).unwrap();
        }
        std::fs::create_dir_all(w.path().join("state")).unwrap();
        let state_bytes = c.state.clone().unwrap_or_else(|| good_state.clone());
        std::fs::write(w.path().join("state/default.json"), &state_bytes).unwrap();
        let victim = w.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        #[cfg(unix)]
        for (p, t) in &c.links {
            std::os::unix::fs::symlink(t, w.path().join(p)).unwrap();
        }
        w.env = c.env.clone();
        let mut args: Vec<&str> = vec!["plan"];
        if let Some(kind) = c.garbage {
            let n: u64 = c.args[0]
                .trim_start_matches("--garbage-count=")
                .parse()
                .unwrap();
            sim.call(
                "POST",
                "/_sim/garbage",
                Some(json!({"kind": kind, "count": n})),
            );
            // With garbage the refresh (and the retries) meet it; apply must also refuse.
            args = vec!["apply", "--auto-approve"];
        } else if let Some(cmd) = &c.cmd {
            args = cmd.iter().map(String::as_str).collect();
        } else {
            args.extend(c.args.iter().map(String::as_str));
        }
        let o = w.run(&args);
        if c.garbage.is_some() {
            // Make sure no garbage is left for the next case.
            sim.call("DELETE", "/_sim/garbage", None);
        }
        let after = std::fs::read(w.path().join("state/default.json")).unwrap();
        let mut wrong = Vec::new();
        if o.code != 1 {
            wrong.push(format!("exit {}", o.code));
        }
        if !o.stderr.to_lowercase().contains("error") || o.stderr.contains("panicked") {
            wrong.push("no error message".to_string());
        }
        if after != state_bytes {
            wrong.push("the state CHANGED".into());
        }
        if std::fs::read_to_string(&victim).unwrap() != "precious" {
            wrong.push("a linked file was WRITTEN".into());
        }
        for e in &c.expect {
            if !o.stderr.contains(e.as_str()) {
                wrong.push(format!("no {e:?} in the error"));
            }
        }
        for f in &c.forbid {
            if o.stderr.contains(f.as_str()) || o.stdout.contains(f.as_str()) {
                wrong.push(format!("{f:?} was printed"));
            }
        }
        if let Some(m) = c.maxout {
            if o.stdout.len() + o.stderr.len() > m {
                wrong.push(format!(
                    "{} bytes of output",
                    o.stdout.len() + o.stderr.len()
                ));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                c.what,
                wrong.join(", "),
                o.stderr.lines().take(3).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs were not handled:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
