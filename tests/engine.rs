//! The engine end to end: the built binary against the simulator, for each example and
//! each resource kind.

mod common;
use common::*;
use serde_json::json;

fn assert_no_changes(w: &Work) {
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "expected no changes:\n{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("No changes."), "{}", o.stdout);
}

fn plan_changes(w: &Work) -> String {
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 2, "expected changes:\n{}{}", o.stdout, o.stderr);
    o.stdout
}

#[test]
fn quickstart_lifecycle_update_replace_drift_destroy() {
    let sim = Sim::start(&[]);
    let w = Work::from_example(Some(&sim), "quickstart");
    w.run(&["apply", "--auto-approve"]).ok();
    assert_no_changes(&w);
    let id = w.instance("modelarts_notebook", "quickstart")["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A flavor change is an in-place update (stop, update, start).
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    w.write("main.hcl", &cfg.replace("min_vcpus = 2", "min_vcpus = 8"));
    let p = plan_changes(&w);
    assert!(p.contains("will be updated in-place"), "{p}");
    assert!(
        p.contains("~ flavor") && p.contains("\"modelarts.vm.cpu.2u\" -> \"modelarts.vm.cpu.8u\""),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    let nb = &sim.api("GET", &format!("/notebooks/{id}"), None).1;
    assert_eq!(nb["flavor"], "modelarts.vm.cpu.8u");
    assert_eq!(nb["status"], "RUNNING", "back to running after the restart");
    assert_eq!(
        nb["lease"]["duration"], 7200000,
        "the restart kept the lease"
    );
    assert_no_changes(&w);

    // Growing the volume is in place; shrinking it forces a replacement.
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    w.write("main.hcl", &cfg.replace("capacity = 10", "capacity = 20"));
    assert!(plan_changes(&w).contains("~ capacity = 10 -> 20"));
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(
        sim.api("GET", &format!("/notebooks/{id}"), None).1["volume"]["capacity"],
        20
    );
    assert_no_changes(&w);
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    w.write("main.hcl", &cfg.replace("capacity = 20", "capacity = 15"));
    let p = plan_changes(&w);
    assert!(
        p.contains("must be replaced")
            && p.contains("# forces replacement")
            && p.contains("volume.capacity can only grow"),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    let new_id = w.instance("modelarts_notebook", "quickstart")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_id, id);
    assert_eq!(
        sim.objects("notebooks").len(),
        1,
        "the old notebook is gone"
    );
    assert_no_changes(&w);

    // An out-of-band change shows as drift and is planned back.
    let (s, _) = sim.call(
        "PATCH",
        &format!("/_sim/notebooks/{new_id}"),
        Some(json!({"description": "edited in the console"})),
    );
    assert_eq!(s, 200);
    let p = plan_changes(&w);
    assert!(p.contains("Objects have changed outside of maform"), "{p}");
    assert!(
        p.contains("# modelarts_notebook.quickstart has changed"),
        "{p}"
    );
    assert!(
        p.contains("\"Notebook of alice\" -> \"edited in the console\"")
            || p.contains("-> \"edited in the console\""),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert_no_changes(&w);

    // Destroy leaves nothing behind.
    w.run(&["destroy", "--auto-approve"]).ok();
    assert!(sim.objects("notebooks").is_empty());
    assert_eq!(w.state()["resources"].as_array().unwrap().len(), 0);
}

#[test]
fn team_for_each_adds_and_removes_members() {
    let sim = Sim::start(&[]);
    let w = Work::from_example(Some(&sim), "team");
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    assert!(
        o.stdout.contains("Apply complete! Resources: 3 added"),
        "{}",
        o.stdout
    );
    assert_eq!(sim.objects("notebooks").len(), 3);
    assert_no_changes(&w);
    // Drop bob: only his notebook goes.
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    w.write(
        "main.hcl",
        &cfg.replace(
            "    bob   = { flavor = \"modelarts.vm.cpu.8u\", capacity = 20 }\n",
            "",
        ),
    );
    let p = plan_changes(&w);
    assert!(
        p.contains("modelarts_notebook.member[\"bob\"] will be destroyed"),
        "{p}"
    );
    assert!(
        p.contains("(because key [\"bob\"] is not in for_each map)"),
        "{p}"
    );
    assert!(
        p.contains("Plan: 0 to add, 2 to change, 1 to destroy."),
        "descriptions mention the team: {p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(sim.objects("notebooks").len(), 2);
    assert_no_changes(&w);
    // A member's notebook edited in the console shows as drift.
    let alice = sim
        .objects("notebooks")
        .into_iter()
        .find(|n| n["body"]["name"] == "team-alice")
        .unwrap();
    let id = alice["body"]["id"].as_str().unwrap();
    sim.call(
        "PATCH",
        &format!("/_sim/notebooks/{id}"),
        Some(json!({"flavor": "modelarts.vm.cpu.8u"})),
    );
    let p = plan_changes(&w);
    assert!(
        p.contains("modelarts_notebook.member[\"alice\"] has changed")
            && p.contains("\"modelarts.vm.cpu.8u\" -> \"modelarts.vm.cpu.2u\""),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert_no_changes(&w);
    // The read-only views.
    let o = w.run(&["state", "list"]);
    o.ok();
    assert_eq!(
        o.stdout.lines().collect::<Vec<_>>(),
        [
            "modelarts_notebook.member[\"alice\"]",
            "modelarts_notebook.member[\"carol\"]"
        ]
    );
    let o = w.run(&["state", "show", "modelarts_notebook.member[\"carol\"]"]);
    assert!(
        o.stdout.contains("name")
            && o.stdout.contains("\"team-carol\"")
            && o.stdout.contains("token")
            && o.stdout.contains("(sensitive value)"),
        "{}",
        o.stdout
    );
    let o = w.run(&["output", "urls", "--json"]);
    let urls: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(urls["carol"].as_str().unwrap().ends_with("/lab"));
    w.run(&["destroy", "--auto-approve"]).ok();
    assert!(sim.objects("notebooks").is_empty());
}

#[test]
fn examples_are_canonically_formatted() {
    for ex in ["quickstart", "team", "devservers", "devenv"] {
        let w = Work::from_example(None, ex);
        let o = w.run(&["fmt", "--check"]);
        assert_eq!(o.code, 0, "{ex} is not formatted:\n{}", o.stdout);
    }
}

#[test]
fn devservers_power_state_name_update_replace_and_secret() {
    let sim = Sim::start(&[]);
    let mut w = Work::from_example(Some(&sim), "devservers");
    w.env
        .push(("MAFORM_VAR_admin_pass".into(), "Better-Passw0rd".into()));
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    assert!(!o.stdout.contains("Better-Passw0rd") && !o.stderr.contains("Better-Passw0rd"));
    assert!(
        o.stdout.contains("admin_pass        = (sensitive value)")
            || o.stdout.contains("(sensitive value)"),
        "{}",
        o.stdout
    );
    let servers = sim.objects("dev-servers");
    assert_eq!(servers.len(), 2);
    let scratch = servers
        .iter()
        .find(|s| s["body"]["name"] == "scratch-server")
        .unwrap();
    assert_eq!(
        scratch["body"]["status"], "STOPPED",
        "desired_state = STOPPED"
    );
    assert!(
        scratch["request"]["admin_pass"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$"),
        "the password was sent"
    );
    let build = servers
        .iter()
        .find(|s| s["body"]["name"] == "build-server")
        .unwrap();
    assert_eq!(
        build["request"]["server_type"], "ECS",
        "enums go out upper case"
    );
    assert_eq!(
        build["request"]["root_volume"],
        json!({"size": 200, "type": "GPSSD"})
    );
    assert_no_changes(&w);
    let st = std::fs::read_to_string(w.path().join("state/default.json")).unwrap();
    assert!(
        st.contains("\"admin_pass\""),
        "the state keeps what was sent"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(w.path().join("state/default.json"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }

    // Rename in place; start the stopped one; the flavor forces a new server.
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    let cfg = cfg
        .replace("\"build-server\"", "\"build-server-2\"")
        .replace("desired_state = \"STOPPED\"", "desired_state = \"RUNNING\"");
    w.write("main.hcl", &cfg);
    let p = plan_changes(&w);
    assert!(
        p.contains("~ name") && p.contains("~ status") && p.contains("\"STOPPED\" -> \"RUNNING\""),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert!(sim
        .objects("dev-servers")
        .iter()
        .all(|s| s["body"]["status"] == "RUNNING"));
    assert_no_changes(&w);
    w.write(
        "main.hcl",
        &cfg.replace("\"Si2.2xlarge.4\"", "\"p2s.2xlarge.8\""),
    );
    let p = plan_changes(&w);
    assert!(
        p.contains("modelarts_devserver.scratch must be replaced")
            && p.contains("# forces replacement"),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(sim.objects("dev-servers").len(), 2);
    assert_no_changes(&w);

    // Stopped outside maform: drift, and apply starts it again (it declares RUNNING).
    let id = w.instance("modelarts_devserver", "scratch")["id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.call(
        "POST",
        &format!("/_sim/dev-servers/{id}/status"),
        Some(json!({"status": "STOPPED"})),
    );
    let p = plan_changes(&w);
    assert!(
        p.contains("has changed")
            && p.contains("~ status")
            && p.contains("\"RUNNING\" -> \"STOPPED\""),
        "{p}"
    );
    assert!(p.contains("\"STOPPED\" -> \"RUNNING\""), "{p}");
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(
        sim.api("GET", &format!("/dev-servers/{id}"), None).1["status"],
        "RUNNING"
    );
    w.run(&["destroy", "--auto-approve"]).ok();
    assert!(sim.objects("dev-servers").is_empty());
}

#[test]
fn devenv_update_auto_stop_and_stop_before_delete() {
    let sim = Sim::start(&[]);
    let w = Work::from_example(Some(&sim), "devenv");
    w.run(&["apply", "--auto-approve"]).ok();
    let envs = sim.objects("devenvs");
    assert_eq!(envs.len(), 2);
    let obs = envs
        .iter()
        .find(|e| e["body"]["name"] == "obs-notebook")
        .unwrap();
    assert_eq!(obs["body"]["status"], "STOPPED");
    assert_no_changes(&w);
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    w.write(
        "main.hcl",
        &cfg.replace("duration = 3600", "duration = 7200")
            .replace("GPU notebook on EVS", "GPU notebook"),
    );
    let p = plan_changes(&w);
    assert!(
        p.contains("will be updated in-place") && p.contains("3600 -> 7200"),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    let evs = sim
        .objects("devenvs")
        .into_iter()
        .find(|e| e["body"]["name"] == "notebook-instance")
        .unwrap();
    assert_eq!(evs["body"]["spec"]["auto_stop"]["duration"], 7200);
    assert_eq!(evs["body"]["description"], "GPU notebook");
    assert_no_changes(&w);
    // The flavor cannot change in place.
    let cfg = std::fs::read_to_string(w.path().join("main.hcl")).unwrap();
    w.write(
        "main.hcl",
        &cfg.replace("\"modelarts.vm.cpu.2u\"", "\"modelarts.vm.cpu.8u\""),
    );
    let p = plan_changes(&w);
    assert!(
        p.contains("modelarts_devenv.obs must be replaced") && p.contains("# forces replacement"),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert_no_changes(&w);
    let evs = sim
        .objects("devenvs")
        .into_iter()
        .find(|e| e["body"]["name"] == "notebook-instance")
        .unwrap();
    // Deleted outside maform: the plan recreates it.
    let id = evs["body"]["id"].as_str().unwrap().to_string();
    sim.call("DELETE", &format!("/_sim/devenvs/{id}"), None);
    let p = plan_changes(&w);
    assert!(
        p.contains("modelarts_devenv.evs has been deleted")
            && p.contains("modelarts_devenv.evs will be created"),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    // The running instance is stopped first: the legacy API refuses to delete it otherwise.
    // Deletes run in reverse dependency order: obs (which depends on evs) goes first.
    let o = w.run(&["destroy", "--auto-approve"]);
    o.ok();
    let done_obs = o
        .stdout
        .find("modelarts_devenv.obs: Destruction complete")
        .expect("obs destroyed");
    let start_evs = o
        .stdout
        .find("modelarts_devenv.evs: Destroying...")
        .expect("evs destroyed");
    assert!(done_obs < start_evs, "{}", o.stdout);
    // The legacy API may show a deleted instance as DELETED for a moment.
    assert!(sim
        .objects("devenvs")
        .iter()
        .all(|e| e["body"]["status"] == "DELETED"));
}

#[test]
fn one_failed_create_is_recorded_and_replaced_next_time() {
    let sim = Sim::start(&[]);
    let w = Work::from_example(Some(&sim), "team");
    sim.call("POST", "/_sim/fail", Some(json!({"name": "team-bob"})));
    let o = w.run(&["apply", "--auto-approve"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("modelarts_notebook.member[\"bob\"]")
            && o.stderr.contains("CREATE_FAILED"),
        "{}",
        o.stderr
    );
    assert!(
        o.stdout
            .contains("2 added, 0 changed, 0 destroyed, 1 failed"),
        "{}",
        o.stdout
    );
    let st = w.state();
    let member = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "member")
        .unwrap();
    assert_eq!(
        member["instances"].as_array().unwrap().len(),
        3,
        "all three recorded"
    );
    let bob = member["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["index_key"] == "bob")
        .unwrap();
    assert_eq!(bob["status"], "tainted");
    let p = plan_changes(&w);
    assert!(
        p.contains("modelarts_notebook.member[\"bob\"] is tainted, so must be replaced"),
        "{p}"
    );
    assert!(
        p.contains("Plan: 1 to add, 0 to change, 1 to destroy."),
        "{p}"
    );
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(sim.objects("notebooks").len(), 3);
    assert!(sim
        .objects("notebooks")
        .iter()
        .all(|n| n["body"]["status"] == "RUNNING"));
    assert_no_changes(&w);
}

#[test]
fn apply_without_terminal_needs_auto_approve() {
    let sim = Sim::start(&[]);
    let w = Work::from_example(Some(&sim), "quickstart");
    let o = w.run(&["apply"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("--auto-approve"), "{}", o.stderr);
    assert!(sim.objects("notebooks").is_empty());
    assert!(!w.path().join("state/default.json").exists());
}

#[test]
fn embedded_simulator_keeps_its_cloud_between_commands() {
    let w = Work::from_example(None, "quickstart");
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    assert!(
        o.stderr.contains("embedded ModelArts simulator"),
        "{}",
        o.stderr
    );
    assert_no_changes(&w);
    w.run(&["destroy", "--auto-approve"]).ok();
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        o.code, 2,
        "after destroy the notebook would be created again"
    );
}

#[test]
fn a_second_run_waits_for_the_lock() {
    let sim = Sim::start(&[]);
    let w = Work::from_example(Some(&sim), "quickstart");
    let mut held = maform::state::LocalBackend::new(&w.path(), "default");
    held.try_lock("apply").unwrap();
    // Release the lock a moment after the second run starts; the run must wait, not fail.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        held.unlock();
    });
    let o = w.run(&["apply", "--auto-approve", "--lock-timeout", "30s"]);
    releaser.join().unwrap();
    o.ok();
    assert_eq!(sim.objects("notebooks").len(), 1);
}
