//! Golden files: the human plan for a representative set of changes (create, update in
//! place with list and multi-line diffs, replace, destroy, sensitive values, drift).
//! Regenerate with: UPDATE_GOLDEN=1 cargo test --test golden

mod common;
use common::*;
use serde_json::json;
use std::path::Path;

/// Make run-dependent text stable: timestamps, addresses derived from the clock, paths.
fn normalise(s: &str, dir: &Path) -> String {
    let re_ts = regex_lite::Regex::new(r"\b1\d{12}\b").unwrap();
    let re_ip = regex_lite::Regex::new(r"192\.168\.\d+\.\d+").unwrap();
    let s = re_ts.replace_all(s, "<TIMESTAMP>");
    let s = re_ip.replace_all(&s, "192.168.x.x");
    s.replace(&dir.display().to_string(), "<DIR>")
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}; run UPDATE_GOLDEN=1 cargo test --test golden",
            path.display()
        )
    });
    if want != actual {
        let diff = similar::TextDiff::from_lines(want.as_str(), actual)
            .unified_diff()
            .header("golden", "actual")
            .to_string();
        panic!(
            "{} differs from the golden file (UPDATE_GOLDEN=1 regenerates it):\n{diff}",
            path.display()
        );
    }
}

#[test]
fn plan_of_representative_changes() {
    let sim = Sim::start(&["--seed", "42"]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/changes");
    let w = Work::new(
        Some(&sim),
        &[(
            "main.hcl",
            &std::fs::read_to_string(dir.join("base.hcl")).unwrap(),
        )],
    );
    // One at a time, so that the simulator hands out the same ids on every run.
    w.run(&["apply", "--auto-approve", "--parallelism", "1"])
        .ok();
    let de = w.instance("modelarts_devenv", "drifted")["id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.call(
        "PATCH",
        &format!("/_sim/devenvs/{de}"),
        Some(json!({"description": "changed in the console"})),
    );
    w.write(
        "main.hcl",
        &std::fs::read_to_string(dir.join("main.hcl")).unwrap(),
    );
    let o = w.run(&["plan", "--no-color"]);
    o.ok();
    assert!(!o.stdout.contains("Golden-Passw0rd"));
    golden("changes/plan.txt", &normalise(&o.stdout, &w.path()));
    // The same plan as JSON and as markdown.
    let o = w.run(&["plan", "--json"]);
    o.ok();
    let mut j: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    j["timestamp"] = serde_json::Value::Null;
    golden(
        "changes/plan.json",
        &normalise(
            &(serde_json::to_string_pretty(&j).unwrap() + "\n"),
            &w.path(),
        ),
    );
    let o = w.run(&["plan", "--format", "markdown"]);
    o.ok();
    golden("changes/plan.md", &normalise(&o.stdout, &w.path()));
    // The drift report, three ways.
    let o = w.run(&["drift"]);
    assert_eq!(o.code, 2);
    golden("changes/drift.txt", &normalise(&o.stdout, &w.path()));
    let o = w.run(&["drift", "--json"]);
    golden("changes/drift.json", &normalise(&o.stdout, &w.path()));
    let o = w.run(&["drift", "--format", "markdown"]);
    golden("changes/drift.md", &normalise(&o.stdout, &w.path()));
}

/// The README's configuration reference is generated from the schemas.
#[test]
fn readme_reference_matches_the_schemas() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- reference:start -->\n", "<!-- reference:end -->");
    let i = readme
        .find(start)
        .expect("README has the reference markers")
        + start.len();
    let j = readme
        .find(end)
        .expect("README has the reference end marker");
    let want = maform::schema::reference_markdown(maform::provider::Registry::modelarts());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, format!("{}{}{}", &readme[..i], want, &readme[j..])).unwrap();
        return;
    }
    assert_eq!(
        &readme[i..j],
        want,
        "README reference is stale: UPDATE_GOLDEN=1 cargo test --test golden"
    );
}
