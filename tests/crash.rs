//! Nothing lost, nothing duplicated: `apply` killed with SIGKILL at random moments, then run
//! again, converges; a second signal stops at once; lost create responses are adopted.

mod common;
use common::*;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::time::Duration;

fn fifty() -> String {
    let names: Vec<String> = (0..50).map(|i| format!("\"k{i:02}\"")).collect();
    format!(
        "resource \"modelarts_notebook\" \"n\" {{\n  for_each = toset([{}])\n  name     = \"crash-${{each.key}}\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {{\n    category = \"EVS\"\n  }}\n}}\n",
        names.join(", ")
    )
}

fn sim_names(sim: &Sim) -> Vec<String> {
    sim.objects("notebooks")
        .iter()
        .map(|o| o["body"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn state_ids(w: &Work) -> BTreeSet<String> {
    let p = w.path().join("state/default.json");
    let Ok(bytes) = std::fs::read(&p) else {
        return BTreeSet::new();
    };
    let st = maform::state::State::from_bytes(&bytes, "state").expect("the state always parses");
    st.instances
        .values()
        .filter_map(|i| i.attributes.get("id").as_str().map(str::to_string))
        .collect()
}

#[test]
fn sigkill_at_random_moments_converges_without_duplicates() {
    // Creates take 1.5 s and run one at a time, so that work remains for 30 kills.
    let sim = Sim::start(&["--latency-ms", "3", "--transition-ms", "1500"]);
    let w = Work::new(Some(&sim), &[("main.hcl", &fifty())]);
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261122);
    let mut kills = 0;
    for round in 0..60 {
        let mut c = std::process::Command::new(BIN);
        c.current_dir(w.path())
            .arg("--chdir")
            .arg(w.path())
            .args([
                "apply",
                "--auto-approve",
                "--parallelism",
                if round % 3 == 0 { "3" } else { "1" },
            ])
            .env("HW_MODELARTS_ENDPOINT", &sim.url)
            .env("HW_PROJECT_ID", PROJECT)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(5..700)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        let _ = child.wait();
        // After every run: the state parses, the cloud holds no duplicate.
        let names = sim_names(&sim);
        let unique: BTreeSet<&String> = names.iter().collect();
        assert_eq!(
            unique.len(),
            names.len(),
            "round {round}: duplicates in {names:?}"
        );
        let _ = state_ids(&w);
        if kills >= 32 {
            break;
        }
    }
    assert!(kills >= 30, "only {kills} kills");
    // A final run converges: every object exactly once, all of them in the state.
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    let names = sim_names(&sim);
    assert_eq!(names.len(), 50, "{names:?}");
    let ids: BTreeSet<String> = sim
        .objects("notebooks")
        .iter()
        .map(|o| o["body"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        state_ids(&w),
        ids,
        "every instance in the cloud is in the state, and no other"
    );
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
    assert!(
        !w.path().join("state/default.json.journal").exists(),
        "the journal is cleared once reconciled"
    );
}

#[test]
fn interrupted_create_is_adopted_not_repeated() {
    // A slow create: the process dies between the create call and its state write.
    let sim = Sim::start(&["--transition-ms", "3000"]);
    let w = Work::new(Some(&sim), &[("main.hcl", "resource \"modelarts_notebook\" \"a\" {\n  name     = \"adopt-me\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n  }\n}\n")]);
    let mut c = std::process::Command::new(BIN);
    c.current_dir(w.path())
        .arg("--chdir")
        .arg(w.path())
        .args(["apply", "--auto-approve"])
        .env("HW_MODELARTS_ENDPOINT", &sim.url)
        .env("HW_PROJECT_ID", PROJECT)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Wait until the create has reached the cloud (the object exists), then kill.
    for _ in 0..500 {
        if !sim.objects("notebooks").is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(sim.objects("notebooks").len(), 1);
    assert!(state_ids(&w).is_empty(), "the state never heard of it");
    let journal = std::fs::read_to_string(w.path().join("state/default.json.journal")).unwrap();
    assert!(
        journal.contains("\"op\":\"intent\"") && journal.contains("adopt-me"),
        "{journal}"
    );
    // Without the lock the journal may be a live run's: a plan leaves it alone.
    let o = w.run(&["plan", "-lock=false"]);
    o.ok();
    assert!(
        o.stderr.contains("left alone") && !o.stderr.contains("Recovered"),
        "{}",
        o.stderr
    );
    assert!(state_ids(&w).is_empty(), "nothing written");
    assert!(w.path().join("state/default.json.journal").exists());
    let o = w.run(&["plan"]);
    o.ok();
    assert!(
        o.stderr.contains("Recovered modelarts_notebook.a"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.contains("No changes"), "{}", o.stdout);
    assert_eq!(sim.objects("notebooks").len(), 1, "no second notebook");
    assert_eq!(state_ids(&w).len(), 1);
}

#[test]
fn ambiguous_recovery_creates_nothing() {
    let sim = Sim::start(&["--transition-ms", "3000"]);
    let w = Work::new(Some(&sim), &[("main.hcl", "resource \"modelarts_notebook\" \"a\" {\n  name     = \"twin\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n  }\n}\n")]);
    // The journal of a run that died before recording an id, and two candidates.
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    let at = chrono::Utc::now().timestamp_millis();
    std::fs::write(w.path().join("state/default.json.journal"), format!("{{\"op\":\"intent\",\"addr\":\"modelarts_notebook.a\",\"rtype\":\"modelarts_notebook\",\"name\":\"twin\",\"at\":{at}}}\n")).unwrap();
    for _ in 0..2 {
        sim.api("POST", "/notebooks", Some(serde_json::json!({"name": "twin", "flavor": "modelarts.vm.cpu.2u", "image_id": "e1a07296-22a8-4f05-8bc8-e936c8e54090", "volume": {"category": "EVS", "ownership": "MANAGED"}})));
    }
    let o = w.run(&["apply", "--auto-approve"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("cannot tell which one it created") && o.stderr.contains("maform import"),
        "{}",
        o.stderr
    );
    assert_eq!(sim.objects("notebooks").len(), 2, "created nothing");
}

#[test]
fn second_signal_stops_at_once_with_a_consistent_state() {
    let sim = Sim::start(&["--transition-ms", "60000"]);
    let w = Work::new(Some(&sim), &[("main.hcl", &fifty())]);
    let child = std::process::Command::new(BIN)
        .current_dir(w.path())
        .arg("--chdir")
        .arg(w.path())
        .args(["apply", "--auto-approve", "--parallelism", "4"])
        .env("HW_MODELARTS_ENDPOINT", &sim.url)
        .env("HW_PROJECT_ID", PROJECT)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..500 {
        if sim.objects("notebooks").len() >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = child.id() as i32;
    unsafe_kill(pid, 2);
    std::thread::sleep(Duration::from_millis(200));
    unsafe_kill(pid, 15);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Interrupt received"));
    assert_eq!(sim.objects("notebooks").len(), 4, "nothing new was started");
    // The next run adopts the four from the journal instead of creating them again.
    let p = w.run(&["plan"]);
    p.ok();
    assert_eq!(p.stderr.matches("Recovered").count(), 4, "{}", p.stderr);
    assert!(p.stdout.contains("Plan: 46 to add"), "{}", p.stdout);
}

fn unsafe_kill(pid: i32, sig: i32) {
    std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
}
