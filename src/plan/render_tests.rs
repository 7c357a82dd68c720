//! The renderings of a plan, per scenario: `tests/golden/render/<scenario>/` holds the
//! configuration (`main.hcl`, of the test kind), the prior state (`prior.json`), the
//! refreshed state when it differs (`refreshed.json`), options (`options.json`), and the
//! expected human, Markdown and JSON plans. Regenerate them all with
//! `UPDATE_GOLDEN=1 cargo test`.

use super::*;
use crate::config::eval::Objects;
use crate::provider::fake;
use crate::state::State;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/render")
}

fn read_state(p: &Path) -> Option<State> {
    let bytes = std::fs::read(p).ok()?;
    Some(State::from_bytes(&bytes, &p.display().to_string()).unwrap())
}

fn check(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("missing {}; run UPDATE_GOLDEN=1 cargo test", path.display()));
    if want != actual {
        let diff = similar::TextDiff::from_lines(want.as_str(), actual)
            .unified_diff()
            .header("golden", "actual")
            .to_string();
        panic!(
            "{} differs (UPDATE_GOLDEN=1 cargo test regenerates it):\n{diff}",
            path.display()
        );
    }
}

fn scenario(name: &str) {
    let d = dir().join(name);
    let text = std::fs::read_to_string(d.join("main.hcl")).unwrap();
    let opts: serde_json::Value = std::fs::read(d.join("options.json"))
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap_or_default();
    let prior = read_state(&d.join("prior.json")).unwrap_or_default();
    let refreshed = read_state(&d.join("refreshed.json")).unwrap_or_else(|| prior.clone());
    let cfg = fake::config(&text);
    let inputs = crate::config::vars::Inputs {
        order: vec![],
        vars: opts["vars"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        var_files: vec![],
        ask: None,
        unknown_if_missing: false,
    };
    let vars = crate::config::vars::resolve(&cfg, &inputs, &[]).unwrap();
    let graph = crate::graph::build(&cfg).unwrap();
    let options = Options {
        destroy: opts["destroy"].as_bool().unwrap_or(false),
        refresh_only: opts["refresh_only"].as_bool().unwrap_or(false),
        ..Default::default()
    };
    let data = Objects::new();
    let p = plan(&Inputs {
        cfg: &cfg,
        vars: &vars,
        graph: &graph,
        prior: &prior,
        refreshed: &refreshed,
        data: &data,
        options: &options,
    })
    .unwrap();
    let registry = fake::registry();
    check(&d.join("plan.txt"), &render::plan(&p, registry));
    check(&d.join("plan.md"), &markdown::plan(&p, registry));
    let j = json::plan_json(&p, &prior, &vars.for_json(), Some(&cfg));
    check(
        &d.join("plan.json"),
        &(serde_json::to_string_pretty(&j).unwrap() + "\n"),
    );
    if !p.drift.is_empty() {
        check(&d.join("drift.md"), &markdown::drift(&p, registry));
        let report = json::drift_report(&p.drift);
        check(
            &d.join("drift.json"),
            &(serde_json::to_string_pretty(&report).unwrap() + "\n"),
        );
    }
    let secret = "Sup3r-Secret";
    for f in ["plan.txt", "plan.md", "plan.json"] {
        let t = std::fs::read_to_string(d.join(f)).unwrap_or_default();
        assert!(!t.contains(secret), "{name}/{f} shows a secret");
    }
}

#[test]
fn changes_of_every_kind() {
    scenario("changes");
}

#[test]
fn sensitive_values_are_hidden() {
    scenario("sensitive");
}

#[test]
fn drift_in_a_refresh_only_plan() {
    scenario("drift");
}

#[test]
fn no_changes() {
    scenario("no-changes");
}

#[test]
fn a_destroy_plan() {
    scenario("destroy");
}

#[test]
fn every_scenario_directory_is_tested() {
    let me = include_str!("render_tests.rs");
    for e in std::fs::read_dir(dir()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            me.contains(&format!("scenario(\"{name}\")")),
            "tests/golden/render/{name} has no test"
        );
    }
}
