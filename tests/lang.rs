//! The language conformance suite: every directory under `tests/lang/` is one case, a
//! configuration as a Terraform user writes it and what Terraform's documentation says
//! it does. The built binary runs each case in a temporary copy of its directory, on the
//! embedded simulator.
//!
//! A case's `expect` file holds steps; each starts with `args:` (the command line), and
//! may say `env: NAME=VALUE`, `exit: N` (default 0), `stdout: TEXT` and `stderr: TEXT`
//! (text that output must contain; repeatable), `!stdout: TEXT` and `!stderr: TEXT`
//! (text it must not contain), `copy: FROM TO` (copy a file of the case over another
//! before the step: how a case changes its configuration between steps), `save: FILE`
//! (write the step's stdout to a file, for a later step to read), `stdin: TEXT` (a line
//! of the step's standard input; repeatable). `values: {JSON}` is a step of its own: apply, then
//! `output -json`, and each named output must have that value. Lines starting with `#`
//! say what Terraform does and where it is documented.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test reports on its terminal

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Default, Debug)]
struct Step {
    args: Vec<String>,
    env: Vec<(String, String)>,
    exit: i32,
    stdout: Vec<String>,
    stderr: Vec<String>,
    not_stdout: Vec<String>,
    not_stderr: Vec<String>,
    values: Option<Value>,
    copies: Vec<(String, String)>,
    save: Option<String>,
    stdin: Vec<String>,
}

fn steps(case: &Path) -> Vec<Step> {
    let text = std::fs::read_to_string(case.join("expect"))
        .unwrap_or_else(|_| panic!("{} has no expect file", case.display()));
    let mut out: Vec<Step> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once(": ")
            .or_else(|| line.strip_suffix(':').map(|k| (k, "")))
            .unwrap_or_else(|| panic!("{}:{}: not `key: value`", case.display(), n + 1));
        if k == "args" || k == "values" {
            out.push(Step::default());
        }
        let s = out.last_mut().unwrap_or_else(|| {
            panic!(
                "{}: the first line must be args: or values:",
                case.display()
            )
        });
        match k {
            "args" => s.args = shell_words(v),
            "values" => {
                s.values = Some(serde_json::from_str(v).unwrap_or_else(|e| {
                    panic!("{}:{}: values is not JSON: {e}", case.display(), n + 1)
                }))
            }
            "env" => {
                let (a, b) = v.split_once('=').expect("env: NAME=VALUE");
                s.env.push((a.into(), b.into()));
            }
            "exit" => s.exit = v.parse().expect("exit: N"),
            "stdout" => s.stdout.push(v.into()),
            "stderr" => s.stderr.push(v.into()),
            "!stdout" => s.not_stdout.push(v.into()),
            "!stderr" => s.not_stderr.push(v.into()),
            "save" => s.save = Some(v.into()),
            "stdin" => s.stdin.push(v.into()),
            "copy" => {
                let (a, b) = v.split_once(' ').expect("copy: FROM TO");
                s.copies.push((a.into(), b.into()));
            }
            other => panic!("{}:{}: unknown key {other:?}", case.display(), n + 1),
        }
    }
    assert!(!out.is_empty(), "{} expects nothing", case.display());
    out
}

/// Split a command line on spaces, keeping 'single-quoted' parts together.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_dir(&src, &dst);
        } else if e.file_name() != "expect" {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Run one case; the error says which step failed and how.
fn run_case(case: &Path) -> Result<(), String> {
    let w = Work::new(None, &[]);
    copy_dir(case, &w.path());
    for (i, s) in steps(case).iter().enumerate() {
        let args: Vec<String> = if s.values.is_some() {
            vec!["apply".into(), "--auto-approve".into(), "--no-color".into()]
        } else {
            s.args.clone()
        };
        for (from, to) in &s.copies {
            std::fs::copy(w.path().join(from), w.path().join(to)).map_err(|e| e.to_string())?;
        }
        let mut c = w.command(&args.iter().map(String::as_str).collect::<Vec<_>>());
        for (k, _) in std::env::vars() {
            if k.starts_with("TF_VAR_") || k.starts_with("MAFORM_") || k == "NO_COLOR" {
                c.env_remove(k);
            }
        }
        c.envs(s.env.iter().map(|(k, v)| (k, v)));
        let o = if s.stdin.is_empty() {
            c.output().map_err(|e| e.to_string())?
        } else {
            use std::io::Write;
            c.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = c.spawn().map_err(|e| e.to_string())?;
            let mut input = child.stdin.take().expect("piped stdin");
            for l in &s.stdin {
                writeln!(input, "{l}").map_err(|e| e.to_string())?;
            }
            drop(input);
            child.wait_with_output().map_err(|e| e.to_string())?
        };
        let (code, stdout, stderr) = (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        );
        let fail = |why: String| {
            Err(format!(
                "step {} ({}): {why}\n--- exit {code}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
                i + 1,
                args.join(" ")
            ))
        };
        if let Some(f) = &s.save {
            std::fs::write(w.path().join(f), &stdout).map_err(|e| e.to_string())?;
        }
        if code != s.exit {
            return fail(format!("exit {code}, expected {}", s.exit));
        }
        for t in &s.stdout {
            if !stdout.contains(t.as_str()) {
                return fail(format!("stdout lacks {t:?}"));
            }
        }
        for t in &s.stderr {
            if !stderr.contains(t.as_str()) {
                return fail(format!("stderr lacks {t:?}"));
            }
        }
        for t in &s.not_stdout {
            if stdout.contains(t.as_str()) {
                return fail(format!("stdout has {t:?}"));
            }
        }
        for t in &s.not_stderr {
            if stderr.contains(t.as_str()) {
                return fail(format!("stderr has {t:?}"));
            }
        }
        if let Some(want) = &s.values {
            let o = w.run(&["output", "--json"]);
            let got: Value = serde_json::from_str(&o.stdout).map_err(|e| {
                format!("output --json is not JSON ({e}): {}{}", o.stdout, o.stderr)
            })?;
            for (name, v) in want.as_object().expect("values: an object") {
                let have = &got[name]["value"];
                if have != v {
                    return Err(format!(
                        "output {name} is {have}, expected {v}\n--- apply stdout:\n{stdout}"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lang");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

#[test]
fn the_language_behaves_as_terraform_documents_it() {
    let all = cases();
    let only = std::env::var("LANG_CASE").ok();
    let todo: Vec<&PathBuf> = all
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| c.ends_with(o)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(case) = todo.get(i) else { break };
                if let Err(e) = run_case(case) {
                    let name = case.file_name().unwrap().to_string_lossy().into_owned();
                    failures.lock().unwrap().push(format!("== {name}: {e}"));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    println!("{} language cases", todo.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed (run one with LANG_CASE=NAME):\n{}",
        failures.len(),
        todo.len(),
        failures.join("\n")
    );
}
