//! The PostgreSQL backend against a real server: `scripts/test` (and so `.ci/run`) starts a
//! throwaway cluster with `scripts/postgres` and sets MAFORM_TEST_PG. Each test works in
//! its own schema.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

mod common;
use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A connection to the test server, to look at what maform stored.
struct Db {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    conn: String,
    schema: String,
}

impl Db {
    /// None (and a note) when no server was provided, unless the run requires one.
    fn new(schema: &str) -> Option<Db> {
        let Ok(conn) = std::env::var("MAFORM_TEST_PG") else {
            assert!(
                std::env::var_os("MAFORM_REQUIRE_PG").is_none(),
                "MAFORM_REQUIRE_PG is set but MAFORM_TEST_PG is not"
            );
            eprintln!("MAFORM_TEST_PG is not set: run ./scripts/test, which starts a throwaway PostgreSQL, to include this test");
            return None;
        };
        let rt = tokio::runtime::Runtime::new().unwrap();
        let client = rt.block_on(async {
            let (c, conn) = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
                .await
                .expect("connect to the test server");
            tokio::spawn(async move {
                let _ = conn.await;
            });
            c
        });
        let db = Db {
            rt,
            client,
            conn,
            schema: schema.into(),
        };
        db.exec(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        Some(db)
    }

    fn exec(&self, sql: &str) {
        self.rt
            .block_on(self.client.batch_execute(sql))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn rows(&self, sql: &str) -> Vec<tokio_postgres::Row> {
        let sql = sql.replace("{s}", &self.schema);
        self.rt
            .block_on(self.client.query(&sql, &[]))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn count(&self, sql: &str) -> i64 {
        self.rows(sql)[0].get::<_, i64>(0)
    }

    /// The head serial of a workspace (0: none).
    fn serial(&self, ws: &str) -> i64 {
        self.rows(&format!(
            "SELECT coalesce(max(serial), 0) FROM {{s}}.workspaces WHERE name = '{ws}'"
        ))[0]
            .get::<_, i64>(0)
    }

    fn head(&self, ws: &str) -> String {
        self.rows(&format!("SELECT s.data FROM {{s}}.workspaces w JOIN {{s}}.states s ON s.workspace = w.name AND s.serial = w.serial WHERE w.name = '{ws}'"))[0].get::<_, String>(0)
    }

    fn password(&self) -> String {
        let rest = self.conn.split_once("://").unwrap().1;
        let creds = rest.split_once('@').unwrap().0;
        creds.split_once(':').unwrap().1.to_string()
    }

    fn work(&self, sim: &Sim, main: &str) -> Work {
        let mut w = Work::new(Some(sim), &[("main.hcl", main)]);
        w.write("backend.hcl", &self.backend_block());
        w.env.push(("PG_CONN_STR".into(), self.conn.clone()));
        w.env.extend(self.tls_env());
        w
    }

    /// The test server's CA, so that TLS (which maform always verifies) works.
    fn tls_env(&self) -> Vec<(String, String)> {
        std::env::var("MAFORM_TEST_PG_CA")
            .map(|ca| vec![("PGSSLROOTCERT".to_string(), ca)])
            .unwrap_or_default()
    }

    fn backend_block(&self) -> String {
        format!(
            "maform {{\n  backend \"pg\" {{\n    schema_name   = \"{}\"\n    keep_versions = 5\n  }}\n}}\n",
            self.schema
        )
    }
}

fn notebooks(keys: &[&str]) -> String {
    let names: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
    format!(
        "variable \"prefix\" {{\n  default = \"pg\"\n}}\n\nresource \"modelarts_notebook\" \"n\" {{\n  for_each = toset([{}])\n  name     = \"${{var.prefix}}-${{each.key}}\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {{\n    category = \"EVS\"\n  }}\n}}\n",
        names.join(", ")
    )
}

fn sim_names(sim: &Sim) -> Vec<String> {
    let mut v: Vec<String> = sim
        .objects("notebooks")
        .iter()
        .map(|o| o["body"]["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// The run failed (exit 1) and said `what`.
fn fails_with(o: &Out, what: &str) {
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains(what), "{what}: {}", o.stderr);
}

/// `maform ARGS` started in the background, its output captured.
fn background(w: &Work, args: &[&str]) -> std::process::Child {
    w.command(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait (polling what the test observes, not the clock) until `f` holds.
fn until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn no_secret(db: &Db, o: &Out) {
    let pw = db.password();
    assert!(
        !o.stdout.contains(&pw) && !o.stderr.contains(&pw),
        "the database password leaked:\n{}\n{}",
        o.stdout,
        o.stderr
    );
}

#[test]
fn init_workspaces_and_kept_versions() {
    let Some(db) = Db::new("t_init") else { return };
    let sim = Sim::start(&[]);
    let w = db.work(&sim, &notebooks(&["a", "b"]));
    let o = w.run(&["plan"]);
    fails_with(&o, "run maform init");

    let o = w.run(&["init"]);
    o.ok();
    no_secret(&db, &o);
    for t in [
        "created schema t_init",
        "created table t_init.workspaces",
        "created table t_init.states",
        "created table t_init.locks",
        "created table t_init.journal",
    ] {
        assert!(o.stdout.contains(t), "{t}: {}", o.stdout);
    }
    let o = w.run(&["init"]);
    assert!(o.ok().stdout.contains("exist already"), "{}", o.stdout);

    no_secret(&db, w.run(&["apply", "--auto-approve"]).ok());
    assert_eq!(w.run(&["state", "list"]).ok().stdout.lines().count(), 2);
    let head = db.serial("default");
    assert!(head >= 1);
    // Kept versions: at most keep_versions, the newest being the head.
    for _ in 0..4 {
        w.run(&[
            "state",
            "mv",
            "modelarts_notebook.n[\"a\"]",
            "modelarts_notebook.n[\"x\"]",
        ])
        .ok();
        w.run(&[
            "state",
            "mv",
            "modelarts_notebook.n[\"x\"]",
            "modelarts_notebook.n[\"a\"]",
        ])
        .ok();
    }
    let head = db.serial("default");
    assert_eq!(
        db.count("SELECT count(*) FROM {s}.states WHERE workspace = 'default'"),
        5
    );
    assert_eq!(
        db.count("SELECT max(serial) FROM {s}.states WHERE workspace = 'default'"),
        head
    );
    let old = w.run(&["state", "pull", "--serial", &(head - 2).to_string()]);
    let st = maform::state::State::from_bytes(old.ok().stdout.as_bytes(), "pull").unwrap();
    assert_eq!(st.serial as i64, head - 2);
    let o = w.run(&["state", "pull", "--serial", "1"]);
    fails_with(&o, "no kept version with serial 1; kept:");
    let cur = w.run(&["state", "pull"]);
    assert_eq!(cur.ok().stdout, db.head("default"));

    // Workspaces: independent states in the same database.
    w.run(&["workspace", "new", "staging"]).ok();
    assert_eq!(w.run(&["workspace", "show"]).ok().stdout.trim(), "staging");
    assert_eq!(
        w.run(&["workspace", "list"]).ok().stdout,
        "  default\n* staging\n"
    );
    assert_eq!(w.run(&["state", "list"]).ok().stdout, "");
    w.run(&["apply", "--auto-approve", "--var", "prefix=stg"])
        .ok();
    assert_eq!(w.run(&["state", "list"]).ok().stdout.lines().count(), 2);
    assert_eq!(sim_names(&sim), ["pg-a", "pg-b", "stg-a", "stg-b"]);
    assert_eq!(
        db.count("SELECT count(*) FROM {s}.workspaces"),
        2,
        "default and staging"
    );
    w.run(&["workspace", "select", "default"]).ok();
    let o = w.run(&["workspace", "delete", "staging"]);
    fails_with(&o, "still manages 2 object(s)");
    w.run(&["workspace", "delete", "staging", "--force"]).ok();
    assert_eq!(
        db.count("SELECT count(*) FROM {s}.states WHERE workspace = 'staging'"),
        0
    );
    assert_eq!(w.run(&["workspace", "list"]).ok().stdout, "* default\n");
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn concurrent_applies_take_turns_and_both_land() {
    let Some(db) = Db::new("t_concurrent") else {
        return;
    };
    let sim = Sim::start(&["--transition-ms", "1500"]);
    let w = db.work(&sim, &notebooks(&["a", "b"]));
    w.run(&["init"]).ok();
    let apply_one = |key: &str| {
        let target = format!("modelarts_notebook.n[\"{key}\"]");
        let args = [
            "apply",
            "--auto-approve",
            "--lock-timeout",
            "60s",
            "--target",
            &target,
        ];
        background(&w, &args)
    };
    let mut first = apply_one("a");
    until(
        "the first apply to take the lock",
        Duration::from_secs(30),
        || db.count("SELECT count(*) FROM {s}.locks") == 1,
    );
    // A run that does not wait is told who holds the lock.
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 1);
    for s in [
        "is locked by another run",
        "Operation: apply",
        "Who:",
        "Created:",
        "Lock ID:",
    ] {
        assert!(o.stderr.contains(s), "{s}: {}", o.stderr);
    }
    let second = apply_one("b");
    let o2 = second.wait_with_output().unwrap();
    let status1 = first.wait().unwrap();
    let mut err1 = String::new();
    first
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err1)
        .unwrap();
    assert!(status1.success(), "{err1}");
    assert!(
        o2.status.success(),
        "{}",
        String::from_utf8_lossy(&o2.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o2.stderr).contains("another run holds it; waiting up to 60 s"),
        "the second apply waited"
    );
    let list = w.run(&["state", "list"]).ok().stdout.clone();
    assert_eq!(
        list,
        "modelarts_notebook.n[\"a\"]\nmodelarts_notebook.n[\"b\"]\n"
    );
    assert_eq!(sim_names(&sim), ["pg-a", "pg-b"]);
    assert_eq!(
        db.count("SELECT count(*) FROM {s}.locks"),
        0,
        "both released"
    );
}

#[test]
fn a_killed_lock_holder_frees_the_lock_and_its_creates_are_adopted() {
    let Some(db) = Db::new("t_kill") else { return };
    let sim = Sim::start(&["--transition-ms", "3000"]);
    let w = db.work(&sim, &notebooks(&["a", "b", "c"]));
    w.run(&["init"]).ok();
    let mut child = background(&w, &["apply", "--auto-approve", "--parallelism", "3"]);
    // Kill it with creates in flight: their intents are in the journal table.
    until("creates in flight", Duration::from_secs(30), || {
        sim.objects("notebooks").len() == 3
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        db.count("SELECT count(*) FROM {s}.locks"),
        1,
        "the dead run's record stays"
    );
    assert!(db.count("SELECT count(*) FROM {s}.journal") >= 3);
    // The lock went with the dead run's connection: the next run gets it at once.
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    assert_eq!(
        o.stderr.matches("created by an interrupted run").count(),
        3,
        "{}",
        o.stderr
    );
    assert_eq!(sim_names(&sim), ["pg-a", "pg-b", "pg-c"], "no duplicate");
    assert_eq!(w.run(&["state", "list"]).ok().stdout.lines().count(), 3);
    assert_eq!(db.count("SELECT count(*) FROM {s}.journal"), 0);
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
}

#[test]
fn a_stale_writer_is_rejected_by_the_compare_and_swap() {
    let Some(db) = Db::new("t_stale") else { return };
    // In the library: two handles read serial N; the first writes N+1; the second's
    // write, still based on N, is refused and the head stays the first's.
    db.exec("CREATE SCHEMA t_stale");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use maform::state::pg::{init, PgBackend, PgSettings, StaleState};
        let s = PgSettings {
            conn_str: format!("{}?sslmode=disable", db.conn),
            schema: "t_stale".into(),
            keep_versions: 10,
        };
        init(&s).await.unwrap();
        let mut a = PgBackend::open(s.clone(), "lib").await.unwrap();
        let mut b = PgBackend::open(s.clone(), "lib").await.unwrap();
        let mut base = a.read().await.unwrap();
        let bytes = base.to_bytes();
        a.compare_and_swap(&base, bytes, 0).await.unwrap();
        let a_read = a.read().await.unwrap();
        let b_read = b.read().await.unwrap();
        assert_eq!(a_read.serial, b_read.serial);
        let mut next = a_read.clone();
        next.serial += 1;
        next.outputs.insert(
            "who".into(),
            maform::state::OutputState {
                value: maform::value::Value::str("a"),
                sensitive: false,
            },
        );
        a.compare_and_swap(&next, next.to_bytes(), a_read.serial)
            .await
            .unwrap();
        let mut stale = b_read.clone();
        stale.serial += 1;
        stale.outputs.insert(
            "who".into(),
            maform::state::OutputState {
                value: maform::value::Value::str("b"),
                sensitive: false,
            },
        );
        let e = b
            .compare_and_swap(&stale, stale.to_bytes(), b_read.serial)
            .await
            .unwrap_err();
        assert!(e.downcast_ref::<StaleState>().is_some(), "{e:#}");
        let head = b.read().await.unwrap();
        assert_eq!(head.outputs["who"].value, maform::value::Value::str("a"));
        base.serial = 0;
    });

    // Through the binary: a run whose connection (and with it the lock) is cut while
    // creates are in flight; another run writes meanwhile; the first one's writes are
    // refused, and its state goes to the errored file instead.
    let sim = Sim::start(&["--transition-ms", "4000"]);
    let w = db.work(&sim, &notebooks(&["pre"]));
    w.run(&["init"]).ok();
    w.run(&["apply", "--auto-approve"]).ok();
    w.write("main.hcl", &notebooks(&["pre", "x", "y"]));
    let child = background(&w, &["apply", "--auto-approve"]);
    until("creates in flight", Duration::from_secs(30), || {
        sim.objects("notebooks").len() == 3
    });
    let before = db.serial("default");
    db.exec(&format!(
        "SELECT pg_terminate_backend(backend_pid) FROM {}.locks",
        db.schema
    ));
    // The lock is free again: another run changes the state.
    w.run(&["state", "rm", "modelarts_notebook.n[\"pre\"]"])
        .ok();
    let other = db.serial("default");
    assert_eq!(other, before + 1);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("changed under this run"), "{err}");
    assert!(err.contains("errored-default.maform.json"), "{err}");
    // The other run's state stands; the stale run's work is kept aside, not lost.
    assert_eq!(db.serial("default"), other);
    assert!(!db.head("default").contains("pg-pre"));
    let errored = std::fs::read(w.path().join("errored-default.maform.json")).unwrap();
    let st = maform::state::State::from_bytes(&errored, "errored").unwrap();
    assert_eq!(st.instances.len(), 3, "pre, x and y");
}

#[test]
fn migration_local_to_pg_and_back_round_trips() {
    let Some(db) = Db::new("t_migrate") else {
        return;
    };
    let sim = Sim::start(&[]);
    let mut w = Work::new(Some(&sim), &[("main.hcl", &notebooks(&["a", "b"]))]);
    w.env.push(("PG_CONN_STR".into(), db.conn.clone()));
    w.env.extend(db.tls_env());
    w.run(&["apply", "--auto-approve"]).ok();
    let original = std::fs::read(w.path().join("state/default.json")).unwrap();

    w.write("backend.hcl", &db.backend_block());
    let o = w.run(&["plan"]);
    assert!(
        o.stderr.contains("not initialised here; run maform init"),
        "{}",
        o.stderr
    );
    let o = w.run(&["init"]);
    fails_with(&o, "have state in the old one (default)");
    let o = w.run(&["init", "--migrate-state"]);
    o.ok();
    no_secret(&db, &o);
    assert!(
        o.stdout.contains("Workspace \"default\": moved the state"),
        "{}",
        o.stdout
    );
    assert_eq!(
        db.head("default").as_bytes(),
        &original[..],
        "stored as it was"
    );
    assert!(!w.path().join("state/default.json").exists());
    assert!(w.path().join("state/default.json.migrated").exists());
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);

    std::fs::remove_file(w.path().join("backend.hcl")).unwrap();
    let o = w.run(&["plan"]);
    assert!(
        o.stderr.contains("the backend changed since maform init"),
        "{}",
        o.stderr
    );
    w.run(&["init", "--migrate-state"]).ok();
    assert_eq!(
        std::fs::read(w.path().join("state/default.json")).unwrap(),
        original
    );
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);

    // Refusals change nothing: a newer serial at the destination...
    w.write("backend.hcl", &db.backend_block());
    w.run(&["init", "--reconfigure"]).ok();
    w.run(&["state", "rm", "modelarts_notebook.n[\"b\"]"]).ok();
    let newer = db.head("default");
    std::fs::remove_file(w.path().join("backend.hcl")).unwrap();
    w.run(&["init", "--reconfigure"]).ok();
    w.write("backend.hcl", &db.backend_block());
    let o = w.run(&["init", "--migrate-state"]);
    fails_with(&o, "holds a newer state");
    assert_eq!(db.head("default"), newer);
    assert_eq!(
        std::fs::read(w.path().join("state/default.json")).unwrap(),
        original
    );
    // ...and another lineage.
    let mut other = maform::state::State::from_bytes(&original, "o").unwrap();
    other.lineage = "another-lineage".into();
    other.serial = 999;
    std::fs::write(w.path().join("state/default.json"), other.to_bytes()).unwrap();
    let o = w.run(&["init", "--migrate-state"]);
    fails_with(&o, "another lineage");
    assert_eq!(db.head("default"), newer);
}

/// A TCP relay to the database that the test can cut, as a network failure would.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: String) -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let streams: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c2, s2) = (cut.clone(), streams.clone());
        std::thread::spawn(move || {
            for inc in l.incoming() {
                let Ok(inc) = inc else { continue };
                if c2.load(Ordering::SeqCst) {
                    drop(inc);
                    continue;
                }
                let Ok(out) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut s = s2.lock().unwrap();
                s.push(inc.try_clone().unwrap());
                s.push(out.try_clone().unwrap());
                for (mut a, mut b) in [
                    (inc.try_clone().unwrap(), out.try_clone().unwrap()),
                    (out, inc),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16384];
                        while let Ok(n) = a.read(&mut buf) {
                            if n == 0 || b.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = b.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, cut, streams }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

#[test]
fn a_dropped_connection_mid_apply_leaves_a_recoverable_errored_state() {
    let Some(db) = Db::new("t_dropped") else {
        return;
    };
    let sim = Sim::start(&["--transition-ms", "800"]);
    let keys = ["a", "b", "c", "d", "e", "f"];
    let mut w = db.work(&sim, &notebooks(&keys));
    w.run(&["init"]).ok();
    let (creds, rest) = db.conn.split_once('@').unwrap();
    let (hostport, dbname) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(hostport.to_string());
    let via_proxy = format!("{creds}@127.0.0.1:{}/{dbname}", proxy.port);
    w.env = vec![("PG_CONN_STR".into(), via_proxy)];
    w.env.extend(db.tls_env());
    let child = background(&w, &["apply", "--auto-approve", "--parallelism", "2"]);
    until("the first state write", Duration::from_secs(30), || {
        db.serial("default") >= 1
    });
    proxy.cut();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains(&db.password()));
    assert!(err.contains("Nothing is lost"), "{err}");
    assert!(
        err.contains("maform state push errored-default.maform.json"),
        "{err}"
    );
    // Every instance the run created is in the errored state.
    let errored = std::fs::read(w.path().join("errored-default.maform.json")).unwrap();
    let st = maform::state::State::from_bytes(&errored, "errored").unwrap();
    assert_eq!(st.instances.len(), 6);
    assert_eq!(sim_names(&sim).len(), 6);

    // The database is back: push, and the next plan finds nothing to do.
    w.env = vec![("PG_CONN_STR".into(), db.conn.clone())];
    w.env.extend(db.tls_env());
    w.run(&["state", "push", "errored-default.maform.json"])
        .ok();
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(sim_names(&sim), keys.map(|k| format!("pg-{k}")));
    assert_eq!(db.count("SELECT count(*) FROM {s}.journal"), 0);
}

#[test]
fn tls_is_verified_unless_disabled() {
    let Some(db) = Db::new("t_tls") else { return };
    let ca = std::env::var("MAFORM_TEST_PG_CA").expect("scripts/postgres sets MAFORM_TEST_PG_CA");
    let sim = Sim::start(&[]);
    let mut w = db.work(&sim, &notebooks(&["a"]));
    // The server speaks TLS with a certificate from a CA nobody trusts by default: even
    // the default sslmode (prefer) refuses it rather than going on unverified.
    for conn in [db.conn.clone(), format!("{}?sslmode=verify-full", db.conn)] {
        w.env = vec![("PG_CONN_STR".into(), conn)];
        let o = w.run(&["init"]);
        assert_eq!(o.code, 1, "{}", o.stdout);
        assert!(
            o.stderr.contains("certificate") && o.stderr.contains("PGSSLROOTCERT"),
            "{}",
            o.stderr
        );
        no_secret(&db, &o);
    }
    assert_eq!(
        db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 't_tls'"),
        0
    );
    // Trusting the CA: sslmode=require (which fails without TLS) works end to end.
    w.env = vec![
        ("PG_CONN_STR".into(), format!("{}?sslmode=require", db.conn)),
        ("PGSSLROOTCERT".into(), ca),
    ];
    w.run(&["init"]).ok();
    w.run(&["apply", "--auto-approve"]).ok();
    assert_eq!(w.run(&["state", "list"]).ok().stdout.lines().count(), 1);
    // Saying otherwise: sslmode=disable connects without TLS.
    w.env = vec![("PG_CONN_STR".into(), format!("{}?sslmode=disable", db.conn))];
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
}

#[test]
fn force_unlock_ends_the_holders_session_and_the_holder_recovers() {
    let Some(db) = Db::new("t_force") else {
        return;
    };
    let sim = Sim::start(&["--transition-ms", "3000"]);
    let w = db.work(&sim, &notebooks(&["a"]));
    w.run(&["init"]).ok();
    let child = background(&w, &["apply", "--auto-approve"]);
    until("the create under way", Duration::from_secs(30), || {
        sim.objects("notebooks").len() == 1
    });
    let id = db.rows("SELECT lock_id FROM {s}.locks")[0].get::<_, String>(0);
    fails_with(
        &w.run(&["force-unlock", "not-the-id"]),
        "nothing was changed",
    );
    let o = w.run(&["force-unlock", "--force", &id]);
    assert!(
        o.ok().stdout.contains("successfully unlocked"),
        "{}",
        o.stdout
    );
    assert_eq!(db.count("SELECT count(*) FROM {s}.locks"), 0);
    // The holder lost its session; it reconnects, takes the free lock again, and its
    // compare-and-swap succeeds because nobody wrote in between.
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(w.run(&["state", "list"]).ok().stdout.lines().count(), 1);
    assert_eq!(w.run(&["plan", "--detailed-exitcode"]).code, 0);
}
