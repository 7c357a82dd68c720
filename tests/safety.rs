//! Safe against a real cloud: each test is one of the repros of the safety issue, run as a
//! user (or an attacker) would, with the state and the files around it checked after.

mod common;
use common::*;

const NB: &str = "resource \"modelarts_notebook\" \"a\" {\n  name     = \"a\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n  }\n}\n";

fn state_bytes(w: &Work) -> Vec<u8> {
    std::fs::read(w.path().join("state/default.json")).unwrap()
}

/// Repro 1: a state applied against a real endpoint, run without credentials or endpoint,
/// must not switch to the embedded simulator (which would plan to create everything again
/// and orphan the real objects).
#[test]
fn a_state_is_never_planned_against_another_cloud() {
    let sim = Sim::start(&[]);
    let mut w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    w.run(&["apply", "--auto-approve"]).ok();
    let st = w.state();
    assert_eq!(st["provider"]["kind"], "cloud", "{st}");
    let before = state_bytes(&w);
    // The same directory, but the pipeline lost its endpoint and credentials.
    w.endpoint = None;
    for cmd in [&["plan"][..], &["apply", "--auto-approve"]] {
        let o = w.run(cmd);
        assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
        assert!(
            o.stderr.contains("no endpoint, region or credentials")
                && o.stderr.contains("nothing was done"),
            "{}",
            o.stderr
        );
    }
    assert_eq!(state_bytes(&w), before, "the state is untouched");
    assert!(
        !w.path().join(".maform/sim.json").exists(),
        "no simulator was started"
    );
    // Another project is refused too.
    w.endpoint = Some(sim.url.clone());
    w.env = vec![(
        "HW_PROJECT_ID".into(),
        "ffffffffffffffffffffffffffffffff".into(),
    )];
    let o = w.run(&["plan"]);
    assert!(o.stderr.contains("but this run resolved"), "{}", o.stderr);
    // A deliberate move: rebind, and the next apply records where it runs.
    w.env.clear();
    w.endpoint = None;
    w.run(&["state", "rebind"]).ok();
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// Repro 2: a lock file that is a symbolic link is refused; its target is not written.
#[cfg(unix)]
#[test]
fn a_symlinked_lock_file_is_not_followed() {
    let sim = Sim::start(&[]);
    let w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    let victim = w.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    std::os::unix::fs::symlink(&victim, w.path().join("state/default.json.lock")).unwrap();
    let o = w.run(&["apply", "--auto-approve"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("is a symbolic link"), "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(sim.objects("notebooks").is_empty(), "nothing was created");
    // The state file itself, too.
    std::fs::remove_file(w.path().join("state/default.json.lock")).unwrap();
    std::os::unix::fs::symlink(&victim, w.path().join("state/default.json")).unwrap();
    let o = w.run(&["apply", "--auto-approve"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(sim.objects("notebooks").is_empty(), "nothing was created");
}

/// Repro 6: a state naming a type maform does not manage stops before any API call.
#[test]
fn a_state_with_an_unknown_type_changes_nothing() {
    let sim = Sim::start(&[]);
    let w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    std::fs::create_dir_all(w.path().join("state")).unwrap();
    w.write(
        "state/default.json",
        r#"{"version": 1, "maform_version": "0.1.0", "serial": 3, "lineage": "l",
            "resources": [{"mode": "managed", "type": "modelarts_gpu_cluster", "name": "x",
                           "instances": [{"attributes": {"id": "c-1"}}]}]}"#,
    );
    let before = state_bytes(&w);
    let o = w.run(&["apply", "--auto-approve"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("modelarts_gpu_cluster.x, of a type maform does not manage")
            && o.stderr.contains("maform state rm modelarts_gpu_cluster.x"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"));
    assert_eq!(state_bytes(&w), before);
    assert!(sim.objects("notebooks").is_empty());
    // The way out works.
    w.run(&["state", "rm", "modelarts_gpu_cluster.x"]).ok();
    w.run(&["apply", "--auto-approve"]).ok();
}

/// Repro 9: a workspace name from the environment is checked like `workspace new`'s.
#[test]
fn workspace_names_are_checked_where_they_are_read() {
    let w = Work::new(None, &[("main.hcl", "locals {\n  a = 1\n}\n")]);
    let outside = w.path().join("outside");
    let name = format!("../../{}", outside.display());
    for bad in ["../../tmp/x", "/tmp/abs", name.as_str()] {
        let mut w2 = Work::new(None, &[("main.hcl", "locals {\n  a = 1\n}\n")]);
        w2.env = vec![("MAFORM_WORKSPACE".into(), bad.into())];
        let o = w2.run(&["apply", "--auto-approve"]);
        assert_eq!(o.code, 1, "{bad}: {}", o.stderr);
        assert!(o.stderr.contains("invalid workspace name"), "{}", o.stderr);
        assert!(!w2.path().join("state").exists());
    }
    std::fs::create_dir_all(w.path().join(".maform")).unwrap();
    w.write(".maform/environment", "../evil\n");
    let o = w.run(&["plan"]);
    assert!(
        o.stderr.contains("invalid workspace name \"../evil\""),
        "{}",
        o.stderr
    );
    assert!(!outside.exists());
}

/// Repro 10: force-unlock asks, and refuses the lock of a run that is still alive.
#[test]
fn force_unlock_asks_and_spares_live_runs() {
    let sim = Sim::start(&["--transition-ms", "60000"]);
    let w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    let mut child = w
        .command(&["apply", "--auto-approve"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = w.path().join("state/default.json.lock");
    // The lock record appears once the run holds the lock.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let id = loop {
        let held = std::fs::read_to_string(&lock)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
        if let Some(v) = held {
            break v["ID"].as_str().unwrap().to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the apply never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let o = w.run(&["force-unlock", &id]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("still running on this machine"),
        "{}",
        o.stderr
    );
    assert!(lock.exists(), "the live run keeps its lock");
    let _ = child.kill();
    let _ = child.wait();
    // The run is gone; without a terminal to ask in, --force is the confirmation.
    let o = w.run(&["force-unlock", &id]);
    assert!(o.stderr.contains("pass --force"), "{}", o.stderr);
    let o = w.run(&["force-unlock", "--force", &id]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// Repro 11: a plain http:// endpoint off this machine, and unverified TLS, are named.
#[test]
fn plaintext_and_unverified_endpoints_are_warned_about() {
    let w = Work::new(None, &[("main.hcl", "locals {\n  a = 1\n}\n")]);
    let mut w = w;
    w.env = vec![
        (
            "HW_MODELARTS_ENDPOINT".into(),
            "http://10.1.2.3:8080".into(),
        ),
        ("HW_PROJECT_ID".into(), PROJECT.into()),
        ("HW_ACCESS_KEY".into(), "AK".into()),
        ("HW_SECRET_KEY".into(), "SK".into()),
        ("HW_INSECURE".into(), "true".into()),
    ];
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("is plain http://"), "{}", o.stderr);
    assert!(o.stderr.contains("admin_pass"), "{}", o.stderr);
    assert!(
        o.stderr.contains("TLS certificate is not verified"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("SK"), "no secret in the warning");
}

/// Repro 12: a usage error exits 1, never 2 (which pipelines read as "changes present").
#[test]
fn usage_errors_exit_1() {
    let w = Work::new(None, &[("main.hcl", "locals {\n  a = 1\n}\n")]);
    for args in [
        &["plan", "-detailed-exitcodes"][..],
        &["nosuchcommand"],
        &["plan", "--parallelism", "x"],
    ] {
        let o = w.run(args);
        assert_eq!(o.code, 1, "{args:?}: {}", o.stderr);
    }
    assert_eq!(w.run(&["--help"]).code, 0);
}

/// Repro 7: no limits. A million instances is refused with an error naming the resource,
/// before anything is planned; a 4,000-deep chain of locals is an error, not a crash.
#[test]
fn limits_are_errors_not_crashes() {
    let huge = NB.replace(
        "resource \"modelarts_notebook\" \"a\" {\n  name     = \"a\"",
        "resource \"modelarts_notebook\" \"a\" {\n  count    = 1000000\n  name     = \"a-${count.index}\"",
    );
    let w = Work::new(None, &[("main.hcl", &huge)]);
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("modelarts_notebook.a") && o.stderr.contains("100000"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.len() < 10_000, "no plan printed");
    // The cap is a setting.
    let mut w = Work::new(None, &[("main.hcl", &huge.replace("1000000", "3"))]);
    w.env = vec![("MAFORM_MAX_INSTANCES".into(), "2".into())];
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("MAFORM_MAX_INSTANCES"), "{}", o.stderr);

    let mut chain = String::from("locals {\n  l0 = 0\n");
    for i in 1..4000 {
        chain.push_str(&format!("  l{i} = local.l{} + 1\n", i - 1));
    }
    chain.push_str("}\noutput \"last\" {\n  value = local.l3999\n}\n");
    let w = Work::new(None, &[("main.hcl", &chain)]);
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("levels deep"), "{}", o.stderr);
    assert!(
        o.stderr.contains("main.hcl:"),
        "the error has a position: {}",
        o.stderr
    );
}

/// Makes a directory unwritable for this process, root included where the filesystem
/// allows (`chattr +i`); undone on drop so that the temporary directory can go.
#[cfg(unix)]
struct Unwritable(std::path::PathBuf, bool);

#[cfg(unix)]
impl Unwritable {
    fn new(dir: &std::path::Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = dir.join("probe");
        if std::fs::write(&probe, "x").is_err() {
            return Some(Unwritable(dir.into(), false));
        }
        std::fs::remove_file(&probe).unwrap();
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        (ok && std::fs::write(&probe, "x").is_err()).then(|| Unwritable(dir.into(), true))
    }
}

#[cfg(unix)]
impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

/// Repro 8: an unwritable state directory is found out before the cloud is changed.
#[cfg(unix)]
#[test]
#[allow(clippy::print_stderr)] // a skipped test says why
fn an_unwritable_state_is_found_before_the_first_change() {
    let sim = Sim::start(&[]);
    let w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    w.run(&["apply", "--auto-approve"]).ok();
    let before = sim.objects("notebooks");
    w.write(
        "main.hcl",
        &NB.replace(
            "name     = \"a\"",
            "name     = \"a\"\n  description = \"changed\"",
        ),
    );
    let Some(guard) = Unwritable::new(&w.path().join("state")) else {
        eprintln!("skipped: this filesystem lets root write into any directory");
        return;
    };
    let o = w.run(&["apply", "--auto-approve"]);
    drop(guard);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("the state cannot be written"),
        "{}",
        o.stderr
    );
    assert_eq!(sim.objects("notebooks"), before, "the cloud is unchanged");
    // Writable again, the same apply goes through.
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(
        w.instance("modelarts_notebook", "a")["description"],
        "changed"
    );
}

/// Repro 13: `--target` narrows the prevent_destroy check; a saved plan refuses flags that
/// would shape another plan.
#[test]
fn targets_narrow_checks_and_saved_plans_refuse_shaping_flags() {
    let sim = Sim::start(&[]);
    let two = format!(
        "{NB}\n{}",
        NB.replace("\"a\"", "\"b\"").replace(
            "}\n}\n",
            "}\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
        )
    );
    let w = Work::new(Some(&sim), &[("main.hcl", &two)]);
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(sim.objects("notebooks").len(), 2);
    // Destroying the unguarded one alone is allowed...
    w.run(&[
        "destroy",
        "--auto-approve",
        "--target",
        "modelarts_notebook.a",
    ])
    .ok();
    assert_eq!(sim.objects("notebooks").len(), 1);
    // ...the guarded one is still guarded.
    let o = w.run(&["destroy", "--auto-approve"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("prevent_destroy"), "{}", o.stderr);
    assert_eq!(sim.objects("notebooks").len(), 1);
    // A saved plan is applied as made: --destroy is refused, not ignored.
    w.run(&["plan", "--out", "p.plan"]).ok();
    for flag in [&["--destroy"][..], &["--target", "modelarts_notebook.a"]] {
        let mut args = vec!["apply", "--auto-approve"];
        args.extend_from_slice(flag);
        args.push("p.plan");
        let o = w.run(&args);
        assert_eq!(o.code, 1, "{flag:?}: {}", o.stderr);
        assert!(
            o.stderr.contains("cannot change a saved plan"),
            "{}",
            o.stderr
        );
    }
    assert_eq!(sim.objects("notebooks").len(), 1, "nothing was applied");
}

/// Repro 3: errors about sensitive values do not print them, in human and JSON output.
#[test]
fn errors_never_print_sensitive_values() {
    let main = "variable \"n\" {\n  type      = number\n  sensitive = true\n}\nvariable \"pw\" {\n  sensitive = true\n  validation {\n    condition     = length(var.pw) > 40\n    error_message = \"pw ${var.pw} is too short.\"\n  }\n}\n";
    let w = Work::new(None, &[("main.hcl", main)]);
    for json in [false, true] {
        let mut args = vec![
            "plan",
            "--var",
            "n=notanumber-SECRET",
            "--var",
            "pw=hunter2-SECRET",
        ];
        if json {
            args.push("--json");
        }
        let o = w.run(&args);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(
            o.stderr.contains("invalid value for variable \"n\""),
            "{}",
            o.stderr
        );
        assert!(
            !o.stderr.contains("SECRET") && !o.stdout.contains("SECRET"),
            "{}{}",
            o.stdout,
            o.stderr
        );
    }
    let o = w.run(&["plan", "--var", "n=1", "--var", "pw=hunter2-SECRET"]);
    assert!(
        o.stderr.contains("included a sensitive value"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("SECRET"), "{}", o.stderr);
    // A secret that reaches an expression error later is masked too.
    w.write(
        "main.hcl",
        &format!(
            "{main}output \"o\" {{\n  value     = {{ a = 1 }}[var.pw]\n  sensitive = true\n}}\n"
        ),
    );
    let o = w.run(&[
        "plan",
        "--var",
        "n=1",
        "--var",
        &format!("pw={}", "x".repeat(41)),
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("(sensitive value)"), "{}", o.stderr);
    assert!(!o.stderr.contains(&"x".repeat(41)), "{}", o.stderr);
}

/// Repro 4: secrets are kept as salted, slow digests in the state and in saved plans; an
/// old unsalted digest still verifies (no change planned) and is rewritten.
#[test]
fn secrets_are_kept_as_salted_digests() {
    let sim = Sim::start(&[]);
    let main = "variable \"pw\" {\n  sensitive = true\n}\nresource \"modelarts_devserver\" \"d\" {\n  name       = \"d\"\n  flavor     = \"Si2.large.4\"\n  image_id   = \"c90fb553-2cdb-4b81-b56a-ef68812c6cf7\"\n  admin_pass = var.pw\n  network {\n    vpc_id            = \"v\"\n    subnet_id         = \"s\"\n    security_group_id = \"g\"\n  }\n}\n";
    let mut w = Work::new(Some(&sim), &[("main.hcl", main)]);
    w.env = vec![("MAFORM_VAR_pw".into(), "Passw0rd-ok".into())];
    w.run(&["plan", "--out", "p.plan"]).ok();
    let saved = std::fs::read_to_string(w.path().join("p.plan")).unwrap();
    assert!(!saved.contains("Passw0rd"), "{saved}");
    let plan: serde_json::Value = serde_json::from_str(&saved).unwrap();
    let d = plan["variables"]["pw"]["sensitive_digest"]
        .as_str()
        .unwrap();
    assert!(d.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{d}");
    w.run(&["apply", "p.plan"]).ok();
    let digest = w.instance("modelarts_devserver", "d")["admin_pass"].clone();
    assert!(
        digest
            .as_str()
            .unwrap()
            .starts_with("$argon2id$v=19$m=19456"),
        "{digest}"
    );
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0, "no change");
    // A state written by an older maform: the same password under an unsalted SHA-256.
    use sha2::Digest;
    let old = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(b"Passw0rd-ok"))
    );
    let path = w.path().join("state/default.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(digest.as_str().unwrap(), &old)).unwrap();
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "an old digest still verifies: {}", o.stdout);
    // Applying a saved plan with nothing to do rewrites it too.
    w.run(&["plan", "--out", "again.plan"]).ok();
    w.run(&["apply", "again.plan"]).ok();
    let now = w.instance("modelarts_devserver", "d")["admin_pass"].clone();
    assert!(
        now.as_str().unwrap().starts_with("$argon2id$"),
        "rewritten: {now}"
    );
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
    // A different password is a change.
    w.env = vec![("MAFORM_VAR_pw".into(), "Passw0rd-new".into())];
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 2);
}

/// Repro 5: the simulator issues tokens only to its configured user, its admin API needs
/// its admin token, and its keys can come from the environment instead of `ps`.
#[test]
fn the_simulator_lets_only_its_users_in() {
    // An empty secret is refused, not taken as "anyone who sends nothing".
    for var in [
        "MAFORM_SIM_ADMIN_TOKEN",
        "MAFORM_SIM_AUTH_TOKEN",
        "MAFORM_SIM_ACCESS_KEY",
    ] {
        let o = std::process::Command::new(BIN)
            .args(["sim", "--listen", "127.0.0.1:0"])
            .env(var, "")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{var}");
    }
    // A user alone is a way of signing in: the API is not open.
    let sim = Sim::start(&["--user", "u", "--password", "p"]);
    let path = format!("/v1/{PROJECT}/notebooks");
    assert_eq!(sim.raw("GET", &path, &[], b"").0, 401);
    assert_eq!(sim.raw("GET", &path, &[("X-Auth-Token", "")], b"").0, 401);
    let sim = Sim::start_env(
        &[],
        &[
            ("MAFORM_SIM_ACCESS_KEY", "AK9"),
            ("MAFORM_SIM_SECRET_KEY", "SK9"),
        ],
    );
    // Keys from the environment: unsigned calls are refused.
    assert_eq!(sim.raw("GET", &path, &[], b"").0, 401);
    // Any user and password: no token (no user is configured).
    let auth = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "anyone", "password": "anything", "domain": {"name": "d"}}}}, "scope": {"project": {"name": "cn-north-4"}}}}).to_string();
    let (s, h, _) = sim.raw(
        "POST",
        "/v3/auth/tokens",
        &[("Content-Type", "application/json")],
        auth.as_bytes(),
    );
    assert_eq!(s, 401);
    assert!(!h.iter().any(|(k, _)| k == "x-subject-token"));
    // The admin API: refused without its token, whatever the route.
    for (method, route) in [
        ("POST", "/_sim/reset"),
        ("GET", "/_sim/notebooks"),
        ("POST", "/_sim/fail"),
        ("DELETE", "/_sim/stats"),
    ] {
        let (s, _, e) = sim.raw(method, route, &[("X-Sim-Admin-Token", "guess")], b"{}");
        assert_eq!(s, 401, "{method} {route}: {e}");
        assert_eq!(e["error_code"], "SIM.0401");
    }
    assert_eq!(
        sim.call("GET", "/_sim/stats", None).0,
        200,
        "with the token"
    );
    // Started without one, the simulator makes a token and prints it; --open-admin is the
    // explicit way to leave the admin API open.
    let mut child = std::process::Command::new(BIN)
        .args(["sim", "--listen", "127.0.0.1:0"])
        .env_remove("MAFORM_SIM_ADMIN_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut found = None;
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 {
        if let Some(t) = line
            .trim()
            .split("X-Sim-Admin-Token to /_sim/...): ")
            .nth(1)
        {
            found = Some(t.to_string());
            break;
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        found.is_some_and(|t| t.len() > 20),
        "an admin token is printed"
    );
}

/// Repro 14: a saved plan applies exactly what was reviewed. A file read through `file()`
/// and edited after review is caught by the digest; a plan whose values differ from what
/// the configuration gives is refused naming the attribute; objects that drifted before
/// the plan was made are applied as the plan saw them.
#[test]
fn a_saved_plan_applies_exactly_what_was_reviewed() {
    let sim = Sim::start(&[]);
    let main = NB.replace(
        "name     = \"a\"",
        "name     = \"a\"\n  description = trimspace(file(\"desc.txt\"))",
    );
    // The provider block reads a file too.
    let provider =
        "provider \"modelarts\" {\n  max_retries = tonumber(trimspace(file(\"retries\")))\n}\n";
    let w = Work::new(
        Some(&sim),
        &[
            ("main.hcl", &main),
            ("provider.hcl", provider),
            ("desc.txt", "reviewed\n"),
            ("retries", "3\n"),
        ],
    );
    for (file, edit) in [("desc.txt", "edited after review\n"), ("retries", "0\n")] {
        let before = std::fs::read_to_string(w.path().join(file)).unwrap();
        w.run(&["plan", "--out", "p.plan"]).ok();
        w.write(file, edit);
        let o = w.run(&["apply", "p.plan"]);
        assert_eq!(o.code, 1, "{file}: {}", o.stderr);
        assert!(o.stderr.contains("configuration changed"), "{}", o.stderr);
        assert!(sim.objects("notebooks").is_empty(), "nothing was applied");
        w.write(file, &before);
    }
    // A plan file whose values are not what the configuration gives (edited, or made by
    // a maform that evaluated differently) is refused before any call.
    w.write("desc.txt", "reviewed\n");
    w.run(&["plan", "--out", "p.plan"]).ok();
    let text = std::fs::read_to_string(w.path().join("p.plan")).unwrap();
    std::fs::write(
        w.path().join("p.plan"),
        text.replace("\"reviewed\"", "\"tampered\""),
    )
    .unwrap();
    let o = w.run(&["apply", "p.plan"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("modelarts_notebook.a.description would be \"reviewed\" now, but the plan says \"tampered\""),
        "{}",
        o.stderr
    );
    assert!(sim.objects("notebooks").is_empty(), "nothing was applied");
    w.run(&["plan", "--out", "p.plan"]).ok();
    w.run(&["apply", "p.plan"]).ok();
    assert_eq!(
        w.instance("modelarts_notebook", "a")["description"],
        "reviewed"
    );

    // b reads a's description, which a ignores and which changes in the console: the plan
    // updates b from the refreshed a, and applying it sends what the plan showed.
    let two = format!(
        "{}\n{}",
        main.replace(
            "}\n}\n",
            "}\n  lifecycle {\n    ignore_changes = [description]\n  }\n}\n"
        ),
        NB.replace("\"a\"", "\"b\"").replace(
            "name     = \"b\"",
            "name     = \"b\"\n  description = modelarts_notebook.a.description",
        )
    );
    w.write("main.hcl", &two);
    w.run(&["apply", "--auto-approve"]).ok();
    let id = w.instance("modelarts_notebook", "a")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = sim.call(
        "PATCH",
        &format!("/_sim/notebooks/{id}"),
        Some(serde_json::json!({"description": "from the console"})),
    );
    assert_eq!(s, 200);
    w.run(&["plan", "--out", "p.plan"]).ok();
    w.run(&["apply", "p.plan"]).ok();
    assert_eq!(
        w.instance("modelarts_notebook", "b")["description"],
        "from the console"
    );
}
