//! Review, pipeline and drift workflows, as a user runs them: saved plans and their
//! staleness checks, JSON and markdown plans, targets, the graph, NDJSON apply events,
//! locks, state commands, drift for each kind, refresh-only applies and imports.

mod common;
use common::*;
use serde_json::{json, Value};

const CFG: &str = r#"
variable "pass" {
  type      = string
  sensitive = true
}

resource "modelarts_notebook" "a" {
  name     = "wf-a"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}

resource "modelarts_notebook" "b" {
  name        = "wf-b"
  description = "after ${modelarts_notebook.a.name}"
  flavor      = "modelarts.vm.cpu.2u"
  image_id    = modelarts_notebook.a.image_id
  volume {
    category = "EVS"
  }
}

resource "modelarts_devserver" "d" {
  name       = "wf-d"
  flavor     = "Si2.large.4"
  image_id   = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
  admin_pass = var.pass
  network {
    vpc_id            = "v"
    subnet_id         = "s"
    security_group_id = "g"
  }
}

resource "modelarts_devenv" "e" {
  name       = "wf-e"
  profile_id = "Multi-Engine 1.0 (python3)-cpu"
  flavor     = "modelarts.vm.cpu.2u"
  spec {
    storage {
      type = "evs"
    }
  }
}

output "a_url" {
  value = modelarts_notebook.a.url
}
"#;

const SECRET: &str = "Wf-Secret-Passw0rd";

fn work(sim: &Sim) -> Work {
    let mut w = Work::new(Some(sim), &[("main.hcl", CFG)]);
    w.env.push(("MAFORM_VAR_pass".into(), SECRET.into()));
    w
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

#[test]
fn saved_plan_applies_exactly_and_refuses_when_stale() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    let plan_file = w.path().join("review.plan");
    let o = w.run(&["plan", "--out", plan_file.to_str().unwrap()]);
    o.ok();
    assert!(o.stdout.contains("maform apply"), "{}", o.stdout);
    let text = std::fs::read_to_string(&plan_file).unwrap();
    assert!(!text.contains(SECRET), "no secret in the saved plan");
    assert!(text.contains("sensitive_digest"));
    // show FILE renders it; show --json FILE in the plan JSON shape.
    assert!(w
        .run(&["show", plan_file.to_str().unwrap()])
        .stdout
        .contains("Plan: 4 to add"));
    let j = json_of(
        &w.run(&["show", "--json", plan_file.to_str().unwrap()])
            .stdout,
    );
    assert_eq!(j["resource_changes"].as_array().unwrap().len(), 4);
    // A different sensitive input is refused.
    let mut other = work(&sim);
    other.dir = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("main.hcl"), CFG).unwrap();
    std::fs::copy(&plan_file, other.path().join("review.plan")).unwrap();
    let mut wrong = Work {
        dir: w.dir.path().to_path_buf().into_temp(),
        endpoint: w.endpoint.clone(),
        env: vec![("MAFORM_VAR_pass".into(), "Another-Passw0rd".into())],
    };
    let o = wrong.run(&["apply", "review.plan"]);
    assert!(
        o.code == 1 && o.stderr.contains("sensitive variable \"pass\""),
        "{}",
        o.stderr
    );
    wrong.dir = tempfile::tempdir().unwrap();
    // Applied exactly, no prompt, without a terminal.
    let o = w.run(&["apply", plan_file.to_str().unwrap()]);
    o.ok();
    assert!(
        o.stdout.contains("Apply complete! Resources: 4 added"),
        "{}",
        o.stdout
    );
    // The same plan again: the state moved on.
    let before = std::fs::read(w.path().join("state/default.json")).unwrap();
    let o = w.run(&["apply", plan_file.to_str().unwrap()]);
    assert!(
        o.code == 1
            && o.stderr.contains("the state changed since")
            && o.stderr.contains("plan --out again"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read(w.path().join("state/default.json")).unwrap(),
        before,
        "nothing changed"
    );
    // A plan made against another state (other lineage) is refused.
    other.endpoint = w.endpoint.clone();
    let o = other.run(&["plan", "--out", "other.plan"]);
    o.ok();
    std::fs::copy(other.path().join("other.plan"), w.path().join("other.plan")).unwrap();
    let o = w.run(&["apply", "other.plan"]);
    assert!(
        o.code == 1
            && (o.stderr.contains("different state (lineage")
                || o.stderr.contains("state changed")),
        "{}",
        o.stderr
    );
    // A changed configuration is refused.
    let o = w.run(&["plan", "--out", "new.plan"]);
    o.ok();
    w.write("main.hcl", &CFG.replace("wf-b", "wf-b2"));
    let o = w.run(&["apply", "new.plan"]);
    assert!(
        o.code == 1 && o.stderr.contains("the configuration changed"),
        "{}",
        o.stderr
    );
    assert_eq!(sim.objects("notebooks").len(), 2);
}

trait IntoTemp {
    fn into_temp(self) -> tempfile::TempDir;
}
impl IntoTemp for std::path::PathBuf {
    /// A temporary copy of a directory (config, plan and state).
    fn into_temp(self) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(&self).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, t.path().join(p.file_name().unwrap())).unwrap();
            }
        }
        t
    }
}

/// The Terraform plan JSON shape, as tools read it.
fn check_plan_shape(j: &Value) {
    for k in [
        "format_version",
        "terraform_version",
        "planned_values",
        "resource_changes",
        "resource_drift",
        "output_changes",
        "prior_state",
        "applyable",
        "errored",
        "complete",
    ] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    assert!(
        j["format_version"].is_string() && j["applyable"].is_boolean() && j["errored"].is_boolean()
    );
    assert!(j["planned_values"]["root_module"]["resources"].is_array());
    assert!(j["prior_state"]["values"]["root_module"]["resources"].is_array());
    for rc in j["resource_changes"].as_array().unwrap() {
        for k in ["address", "mode", "type", "name", "provider_name", "change"] {
            assert!(rc.get(k).is_some(), "resource change without {k}: {rc}");
        }
        let c = &rc["change"];
        let actions: Vec<&str> = c["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(
            matches!(
                actions.as_slice(),
                ["no-op"]
                    | ["create"]
                    | ["read"]
                    | ["update"]
                    | ["delete", "create"]
                    | ["create", "delete"]
                    | ["delete"]
            ),
            "{actions:?}"
        );
        for k in [
            "before",
            "after",
            "after_unknown",
            "before_sensitive",
            "after_sensitive",
        ] {
            assert!(c.get(k).is_some(), "change without {k}: {rc}");
        }
        assert!(c["after_unknown"].is_object() || c["after_unknown"].is_boolean());
        if actions == ["delete", "create"] {
            assert!(
                c["replace_paths"].is_array() || rc["action_reason"].is_string(),
                "{rc}"
            );
        }
    }
    for (_, o) in j["output_changes"].as_object().unwrap() {
        assert!(o["actions"].is_array());
    }
}

#[test]
fn json_plan_has_the_terraform_shape_and_no_secrets() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    let o = w.run(&["plan", "--json"]);
    o.ok();
    let j = json_of(&o.stdout);
    check_plan_shape(&j);
    assert!(!o.stdout.contains(SECRET));
    let d = j["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "modelarts_devserver.d")
        .unwrap();
    assert_eq!(d["change"]["after"]["admin_pass"], Value::Null);
    assert_eq!(d["change"]["after_sensitive"]["admin_pass"], true);
    let b = j["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "modelarts_notebook.b")
        .unwrap();
    assert_eq!(b["change"]["after_unknown"]["id"], true);
    assert_eq!(
        b["change"]["after_unknown"]["description"],
        Value::Null,
        "a.name is known at plan time"
    );
    assert_eq!(b["change"]["after_unknown"]["url"], true);
    w.run(&["apply", "--auto-approve"]).ok();
    // Replacement and deletion.
    w.write(
        "main.hcl",
        &CFG.replace("\"Si2.large.4\"", "\"Si2.2xlarge.4\"").replace(
            "resource \"modelarts_devenv\" \"e\"",
            "resource \"modelarts_devenv\" \"e2\"",
        ),
    );
    let j = json_of(&w.run(&["plan", "--json"]).stdout);
    check_plan_shape(&j);
    let rc = j["resource_changes"].as_array().unwrap();
    let d = rc
        .iter()
        .find(|r| r["address"] == "modelarts_devserver.d")
        .unwrap();
    assert_eq!(d["change"]["actions"], json!(["delete", "create"]));
    assert_eq!(d["action_reason"], "replace_because_cannot_update");
    assert_eq!(d["change"]["replace_paths"], json!([["flavor"]]));
    let e = rc
        .iter()
        .find(|r| r["address"] == "modelarts_devenv.e")
        .unwrap();
    assert_eq!(
        (e["change"]["actions"].clone(), e["action_reason"].clone()),
        (
            json!(["delete"]),
            json!("delete_because_no_resource_config")
        )
    );
    assert_eq!(
        j["prior_state"]["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn markdown_summary_calls_out_destruction() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    w.run(&["apply", "--auto-approve"]).ok();
    w.write(
        "main.hcl",
        &CFG.replace("\"Si2.large.4\"", "\"Si2.2xlarge.4\"")
            .replace("name     = \"wf-a\"", "name     = \"wf-a2\""),
    );
    let o = w.run(&["plan", "--format", "markdown"]);
    o.ok();
    let md = &o.stdout;
    assert!(
        md.starts_with("### maform plan: 1 to add, 2 to change, 1 to destroy"),
        "{md}"
    );
    let warn = md.find("[!WARNING]").expect("replacements called out");
    let details = md.find("<details>").unwrap();
    assert!(warn < details);
    assert!(
        md.contains("`modelarts_devserver.d` must be replaced"),
        "{md}"
    );
    assert!(md.contains("```diff") && !md.contains(SECRET));
}

#[test]
fn targets_detailed_exit_codes_and_graph() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    let o = w.run(&[
        "apply",
        "--auto-approve",
        "--target",
        "modelarts_notebook.b",
    ]);
    o.ok();
    assert!(
        o.stdout.contains("resource targeting is in effect"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("Apply complete! Resources: 2 added"),
        "b and what it depends on: {}",
        o.stdout
    );
    assert!(sim.objects("dev-servers").is_empty() && sim.objects("devenvs").is_empty());
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 2);
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
    w.write("broken.hcl", "resource {");
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 1);
    std::fs::remove_file(w.path().join("broken.hcl")).unwrap();
    let dot = w.run(&["graph"]).stdout;
    assert!(
        dot.starts_with("digraph maform {")
            && dot.contains("\"modelarts_notebook.b\" -> \"modelarts_notebook.a\";"),
        "{dot}"
    );
    w.write("main.hcl", &CFG.replace("wf-b", "wf-b2"));
    let dot = w.run(&["graph", "--plan"]).stdout;
    assert!(
        dot.contains("modelarts_notebook.b\\n(update)")
            && dot.contains("modelarts_notebook.a\\n(no-op)"),
        "{dot}"
    );
}

#[test]
fn apply_json_streams_events_and_ci_lines_are_timestamped() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    let o = w.run(&["apply", "--auto-approve", "--json"]);
    o.ok();
    let events: Vec<Value> = o.stdout.lines().map(json_of).collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for t in [
        "planned_change",
        "change_summary",
        "apply_start",
        "apply_complete",
        "outputs",
    ] {
        assert!(types.contains(&t), "no {t} in {types:?}");
    }
    assert!(events
        .iter()
        .all(|e| e["@timestamp"].is_string() && e["@message"].is_string()));
    let done = events
        .iter()
        .filter(|e| e["type"] == "apply_complete")
        .count();
    assert_eq!(done, 4);
    assert_eq!(events.last().unwrap()["type"], "outputs");
    assert!(!o.stdout.contains(SECRET));
    // Without a terminal, progress lines carry a time.
    w.write("main.hcl", &CFG.replace("wf-b", "wf-b2"));
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    let re = regex_lite::Regex::new(
        r"(?m)^\d\d:\d\d:\d\d modelarts_notebook\.b: Modifications complete after",
    )
    .unwrap();
    assert!(re.is_match(&o.stdout), "{}", o.stdout);
}

#[test]
fn force_unlock_and_state_commands() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    w.run(&["apply", "--auto-approve"]).ok();
    // A stale lock: the information a dead run left behind.
    std::fs::write(w.path().join("state/default.json.lock"), r#"{"ID":"1111","Operation":"apply","Who":"ci@runner","Created":"2026-01-01T00:00:00Z","Path":"x","Pid":1}"#).unwrap();
    let o = w.run(&["force-unlock", "2222"]);
    assert!(
        o.code == 1 && o.stderr.contains("the lock ID is 1111"),
        "{}",
        o.stderr
    );
    w.run(&["force-unlock", "--force", "1111"]).ok();
    // list, rm, mv, pull, push.
    assert_eq!(w.run(&["state", "list"]).stdout.lines().count(), 4);
    let pulled = w.run(&["state", "pull"]).stdout;
    let pulled_j = json_of(&pulled);
    w.run(&[
        "state",
        "mv",
        "modelarts_notebook.b",
        "modelarts_notebook.c",
    ])
    .ok();
    assert!(w
        .run(&["state", "list"])
        .stdout
        .contains("modelarts_notebook.c"));
    w.run(&["state", "rm", "modelarts_devenv.e"]).ok();
    assert_eq!(w.run(&["state", "list"]).stdout.lines().count(), 3);
    assert_eq!(sim.objects("devenvs").len(), 1, "rm only forgets");
    // push: an older serial is refused, a foreign lineage is refused, --force overrides.
    let old = w.path().join("old.json");
    std::fs::write(&old, &pulled).unwrap();
    let o = w.run(&["state", "push", old.to_str().unwrap()]);
    assert!(
        o.code == 1 && o.stderr.contains("older than the current state's serial"),
        "{}",
        o.stderr
    );
    let mut foreign = pulled_j.clone();
    foreign["lineage"] = json!("00000000-0000-0000-0000-000000000000");
    foreign["serial"] = json!(99);
    std::fs::write(&old, foreign.to_string()).unwrap();
    let o = w.run(&["state", "push", old.to_str().unwrap()]);
    assert!(o.code == 1 && o.stderr.contains("lineage"), "{}", o.stderr);
    let mut newer = pulled_j.clone();
    newer["serial"] = json!(pulled_j["serial"].as_u64().unwrap() + 10);
    std::fs::write(&old, newer.to_string()).unwrap();
    w.run(&["state", "push", old.to_str().unwrap()]).ok();
    assert_eq!(
        w.run(&["state", "list"]).stdout.lines().count(),
        4,
        "the pushed state is back"
    );
    std::fs::write(&old, foreign.to_string()).unwrap();
    w.run(&["state", "push", "--force", old.to_str().unwrap()])
        .ok();
    assert!(w
        .run(&["state", "pull"])
        .stdout
        .contains("00000000-0000-0000-0000-000000000000"));
}

#[test]
fn drift_for_each_kind_and_refresh_only_apply() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    w.run(&["apply", "--auto-approve"]).ok();
    let o = w.run(&["drift"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let id = |t: &str, n: &str| w.instance(t, n)["id"].as_str().unwrap().to_string();
    // A changed attribute (notebook), a status change (DevServer), a deleted object (DevEnviron).
    sim.call(
        "PATCH",
        &format!("/_sim/notebooks/{}", id("modelarts_notebook", "a")),
        Some(json!({"description": "console edit"})),
    );
    sim.call(
        "POST",
        &format!(
            "/_sim/dev-servers/{}/status",
            id("modelarts_devserver", "d")
        ),
        Some(json!({"status": "STOPPED"})),
    );
    sim.call(
        "DELETE",
        &format!("/_sim/devenvs/{}", id("modelarts_devenv", "e")),
        None,
    );
    let o = w.run(&["drift"]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("3 object(s) changed outside maform (1 deleted)"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("modelarts_devenv.e has been deleted")
            && o.stdout.contains("+ description = \"console edit\""),
        "{}",
        o.stdout
    );
    let j = json_of(&w.run(&["drift", "--json"]).stdout);
    let kinds: Vec<(String, String)> = j["resource_drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["address"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("modelarts_notebook.a".into(), "changed".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("modelarts_devserver.d".into(), "status_changed".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("modelarts_devenv.e".into(), "deleted".into())),
        "{kinds:?}"
    );
    let nb = j["resource_drift"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["address"] == "modelarts_notebook.a")
        .unwrap();
    assert_eq!(
        nb["changes"][0],
        json!({"path": "description", "before": null, "after": "console edit", "sensitive": false})
    );
    let md = w.run(&["drift", "--format", "markdown"]).stdout;
    assert!(md.starts_with("### maform drift: 3 object(s)"), "{md}");
    // plan --refresh-only shows it, --detailed-exitcode 2.
    assert_eq!(
        w.run(&["plan", "--refresh-only", "--detailed-exitcode"])
            .code,
        2
    );
    // Accept the drift into the state without touching the cloud.
    let calls_before = sim.call("GET", "/_sim/stats", None).1["routes"].clone();
    w.run(&["apply", "--refresh-only", "--auto-approve"]).ok();
    let calls_after = sim.call("GET", "/_sim/stats", None).1["routes"].clone();
    for route in [
        "POST /v1/{project_id}/notebooks",
        "PUT /v1/{project_id}/notebooks/{id}",
        "PUT /v1/{project_id}/dev-servers/{id}/start",
        "POST /v1/{project_id}/demanager/instances",
    ] {
        assert_eq!(
            calls_before[route], calls_after[route],
            "refresh-only called {route}"
        );
    }
    assert_eq!(
        w.instance("modelarts_notebook", "a")["description"],
        "console edit"
    );
    assert_eq!(w.instance("modelarts_devserver", "d")["status"], "STOPPED");
    assert_eq!(w.run(&["drift"]).code, 0);
}

#[test]
fn import_cli_blocks_and_generated_config() {
    let sim = Sim::start(&[]);
    // Objects made elsewhere.
    let (_, nb) = sim.api("POST", "/notebooks", Some(json!({"name": "legacy-nb", "description": "made by hand", "flavor": "modelarts.vm.cpu.8u", "image_id": "e1a07296-22a8-4f05-8bc8-e936c8e54090", "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 20}})));
    let (_, ds) = sim.api("POST", "/dev-servers", Some(json!({"name": "legacy-ds", "flavor": "Si2.large.4", "image_id": "c90fb553-2cdb-4b81-b56a-ef68812c6cf7", "network": {"vpc_id": "v", "subnet_id": "s", "security_group_id": "g"}, "key_pair_name": "kp"})));
    let (_, de) = sim.api("POST", "/demanager/instances", Some(json!({"name": "legacy-de", "profile_id": "Multi-Engine 1.0 (python3)-cpu", "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "evs"}}})));
    let (nb, ds, de) = (
        nb["id"].as_str().unwrap().to_string(),
        ds["id"].as_str().unwrap().to_string(),
        de["id"].as_str().unwrap().to_string(),
    );
    // CLI import with a configuration written by hand.
    let w = Work::new(Some(&sim), &[("main.hcl", "resource \"modelarts_notebook\" \"legacy\" {\n  name        = \"legacy-nb\"\n  description = \"made by hand\"\n  flavor      = \"modelarts.vm.cpu.8u\"\n  image_id    = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n    capacity = 20\n  }\n}\n")]);
    let o = w.run(&["import", "modelarts_notebook.legacy", &nb]);
    o.ok();
    assert!(o.stdout.contains("Import successful!"));
    assert_eq!(
        w.run(&["plan", "--detailed-exitcode"]).code,
        0,
        "only real differences: none"
    );
    let o = w.run(&["import", "modelarts_notebook.legacy", &nb]);
    assert!(o.code == 1 && o.stderr.contains("already managed"));
    let o = w.run(&["import", "modelarts_notebook.nope", "x"]);
    assert!(o.code == 1, "{}", o.stderr);
    // Generated configuration for a DevServer, then no changes.
    let o = w.run(&[
        "import",
        "modelarts_devserver.legacy",
        &ds,
        "--generate-config",
        "generated.hcl",
    ]);
    o.ok();
    let gen = std::fs::read_to_string(w.path().join("generated.hcl")).unwrap();
    assert!(
        gen.contains("resource \"modelarts_devserver\" \"legacy\"")
            && gen.contains("key_pair_name = \"kp\"")
            && gen.contains("ignore_changes"),
        "{gen}"
    );
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // An import block.
    w.write("devenv.hcl", &format!("import {{\n  to = modelarts_devenv.legacy\n  id = \"{de}\"\n}}\n\nresource \"modelarts_devenv\" \"legacy\" {{\n  name       = \"legacy-de\"\n  profile_id = \"Multi-Engine 1.0 (python3)-cpu\"\n  flavor     = \"modelarts.vm.cpu.2u\"\n  spec {{\n    storage {{\n      type = \"evs\"\n    }}\n  }}\n}}\n"));
    let o = w.run(&["plan"]);
    o.ok();
    assert!(
        o.stdout
            .contains("modelarts_devenv.legacy will be imported")
            && o.stdout
                .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert!(w
        .run(&["state", "list"])
        .stdout
        .contains("modelarts_devenv.legacy"));
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
    assert_eq!(sim.objects("devenvs").len(), 1, "nothing was created");
}

#[test]
fn drift_matrix_every_kind_every_way() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    w.run(&["apply", "--auto-approve"]).ok();
    let targets = [
        (
            "notebooks",
            "modelarts_notebook",
            "a",
            json!({"name": "renamed-nb"}),
        ),
        (
            "dev-servers",
            "modelarts_devserver",
            "d",
            json!({"name": "renamed-ds"}),
        ),
        (
            "devenvs",
            "modelarts_devenv",
            "e",
            json!({"description": "edited"}),
        ),
    ];
    for (kind, rtype, name, patch) in &targets {
        let addr = format!("{rtype}.{name}");
        let id = w.instance(rtype, name)["id"].as_str().unwrap().to_string();
        // A changed attribute.
        sim.call("PATCH", &format!("/_sim/{kind}/{id}"), Some(patch.clone()));
        let j = json_of(&w.run(&["drift", "--json"]).stdout);
        let d = &j["resource_drift"][0];
        assert_eq!(
            (d["address"].as_str(), d["kind"].as_str()),
            (Some(addr.as_str()), Some("changed")),
            "{j}"
        );
        w.run(&["apply", "--auto-approve"]).ok();
        assert_eq!(w.run(&["drift"]).code, 0, "{addr} converged");
        // A status change.
        sim.call(
            "POST",
            &format!("/_sim/{kind}/{id}/status"),
            Some(json!({"status": "STOPPED"})),
        );
        let j = json_of(&w.run(&["drift", "--json"]).stdout);
        assert_eq!(j["resource_drift"][0]["kind"], "status_changed", "{j}");
        assert_eq!(
            j["resource_drift"][0]["status"],
            json!({"before": "RUNNING", "after": "STOPPED"})
        );
        w.run(&["apply", "--refresh-only", "--auto-approve"]).ok();
        // Deleted outside maform.
        sim.call("DELETE", &format!("/_sim/{kind}/{id}"), None);
        let o = w.run(&["drift", "--json"]);
        assert_eq!(o.code, 2);
        assert_eq!(json_of(&o.stdout)["resource_drift"][0]["kind"], "deleted");
        w.run(&["apply", "--auto-approve"]).ok();
        assert_eq!(w.run(&["drift"]).code, 0, "{addr} recreated");
    }
}

#[test]
fn workspaces_keep_independent_states() {
    let sim = Sim::start(&[]);
    let w = work(&sim);
    let apply_a = |w: &Work| {
        w.run(&[
            "apply",
            "--auto-approve",
            "--target",
            "modelarts_notebook.a",
        ])
        .ok();
    };
    apply_a(&w);
    assert_eq!(w.run(&["workspace", "show"]).stdout.trim(), "default");
    // A second workspace: its own empty state, so the same configuration plans creates.
    w.run(&["workspace", "new", "staging"]).ok();
    assert_eq!(w.run(&["workspace", "show"]).stdout.trim(), "staging");
    let list = w.run(&["workspace", "list"]).stdout;
    assert!(
        list.contains("* staging") && list.contains("  default"),
        "{list}"
    );
    assert!(w.run(&["plan"]).stdout.contains("Plan: 4 to add"));
    w.write("main.hcl", &CFG.replace("\"wf-a\"", "\"wf-a-staging\""));
    apply_a(&w);
    assert!(w.path().join("state/staging.json").exists());
    assert_eq!(sim.objects("notebooks").len(), 2, "one per workspace");
    // Back to default: its state never saw staging's notebook.
    w.run(&["workspace", "select", "default"]).ok();
    assert_eq!(
        w.run(&["state", "list"]).stdout.trim(),
        "modelarts_notebook.a"
    );
    let o = w.run(&["workspace", "delete", "staging"]);
    assert!(
        o.code == 1 && o.stderr.contains("still manages 1 object"),
        "{}",
        o.stderr
    );
    assert!(w
        .run(&["workspace", "delete", "default"])
        .stderr
        .contains("cannot be deleted"));
    let o = w.run(&["workspace", "select", "nope"]);
    assert!(o.code == 1 && o.stderr.contains("does not exist"));
    // MAFORM_WORKSPACE overrides the selection, for pipelines.
    let ci = Work {
        dir: w.dir.path().to_path_buf().into_temp(),
        endpoint: w.endpoint.clone(),
        env: vec![("MAFORM_WORKSPACE".into(), "staging".into())],
    };
    assert_eq!(ci.run(&["workspace", "show"]).stdout.trim(), "staging");
    w.run(&["workspace", "delete", "staging", "--force"]).ok();
    assert!(!w.path().join("state/staging.json").exists());
    assert!(!w.run(&["workspace", "list"]).stdout.contains("staging"));
}
