//! Writing and reading a 10,000-resource state through the backends.
//!
//!     scripts/postgres cargo bench --bench pg_state
//!
//! `scripts/postgres` starts a throwaway PostgreSQL cluster on a loopback port and sets
//! MAFORM_TEST_PG (and MAFORM_TEST_PG_CA: the connection uses verified TLS); without it
//! only the local backend is measured. Each figure is the median
//! of 7 runs, including serialising (write) or parsing (read) the state.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

use maform::addr::{InstanceAddr, Key};
use maform::state::backend::Backend;
use maform::state::pg::{init, PgBackend, PgSettings};
use maform::state::{Instance, State};
use maform::value::Value;
use std::time::{Duration, Instant};

/// A state of `n` notebooks shaped like the ones maform stores.
fn state(n: usize) -> State {
    let mut st = State::new();
    for i in 0..n {
        let id = format!("{:08x}-bd1f-4777-ab23-8799054c8cbf", i);
        let attrs = serde_json::json!({
            "auto_stop_enabled": true, "created_at": 1795335236079i64 + i as i64,
            "description": format!("Notebook {i} of the benchmark"), "feature": "NOTEBOOK",
            "flavor": "modelarts.vm.cpu.2u", "id": id,
            "image_id": "a2f1f2a7-3e0c-4f77-9a5b-4d2e8b1c9e30",
            "image_name": "pytorch2.1-cpu-py3.10-ubuntu22.04",
            "image_swr_path": "swr.sim.myhuaweicloud.com/atelier/pytorch2.1-cpu-py3.10-ubuntu22.04:7.0.1",
            "ip": format!("192.168.{}.{}", i / 250, i % 250), "lease": {"duration": 7200000, "type": "TIMING"},
            "name": format!("bench-{i:05}"), "run_user": {"gid": 100, "uid": 1000}, "status": "RUNNING",
            "token": "sha256:5a0e5c0e8b2a6c1f1e2d3c4b5a697887766554433221100ffeeddccbbaa99887",
            "updated_at": 1795335236109i64 + i as i64,
            "url": format!("https://authoring-modelarts-sim.myhuaweicloud.com/{id}/lab"),
            "volume": {"capacity": 10, "category": "EVS", "mount_path": "/home/ma-user/work/", "ownership": "MANAGED", "read_only": false},
            "workspace_id": "0"
        });
        st.instances.insert(
            InstanceAddr::managed("modelarts_notebook", "n", Some(Key::Int(i as i64))),
            Instance {
                attributes: Value::from_json(&attrs).into(),
                sensitive: vec![],
                dependencies: vec![],
                tainted: false,
            },
        );
    }
    st
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

async fn measure(b: &mut Backend, st: &State) -> (Duration, Duration) {
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    let mut previous = b.read().await.unwrap();
    for round in 0..7 {
        let mut next = st.clone();
        next.lineage = previous.lineage.clone();
        // A change in one attribute, so that every write stores a new version.
        if let Some(i) = next.instances.values_mut().next() {
            if let Value::Map(m) = std::sync::Arc::make_mut(&mut i.attributes) {
                m.insert("description".into(), Value::str(format!("round {round}")));
            }
        }
        let t = Instant::now();
        assert!(b.write(&mut next, &previous).await.unwrap());
        writes.push(t.elapsed());
        previous = next;
        let t = Instant::now();
        let back = b.read().await.unwrap();
        reads.push(t.elapsed());
        assert_eq!(back.instances.len(), st.instances.len());
    }
    (median(writes), median(reads))
}

fn main() {
    let n = 10_000;
    let st = state(n);
    let size = st.to_bytes().len();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut rows = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let mut local = Backend::Local(maform::state::LocalBackend::new(dir.path(), "bench"));
    let (w, r) = rt.block_on(measure(&mut local, &st));
    rows.push(("local file (atomic write, fsync, backup)", w, r));
    match std::env::var("MAFORM_TEST_PG") {
        Ok(conn) => {
            // Over TLS, verified against the throwaway cluster's CA.
            if let Ok(ca) = std::env::var("MAFORM_TEST_PG_CA") {
                std::env::set_var("PGSSLROOTCERT", ca);
            }
            let s = PgSettings {
                conn_str: conn,
                schema: "bench_state".into(),
                keep_versions: 50,
            };
            rt.block_on(async {
                init(&s).await.unwrap();
                let mut pg = Backend::Pg(PgBackend::open(s.clone(), &format!("bench-{}", std::process::id())).await.unwrap());
                pg.lock("bench", Duration::ZERO, &|_: &str| {}).await.unwrap();
                let (w, r) = measure(&mut pg, &st).await;
                rows.push(("PostgreSQL (compare-and-swap transaction, kept versions)", w, r));
                pg.delete().await.unwrap();
                pg.unlock().await;
            });
        }
        Err(_) => eprintln!("MAFORM_TEST_PG is not set: run under scripts/postgres to measure the PostgreSQL backend"),
    }
    println!(
        "State of {n} notebooks, {:.1} MB; median of 7 runs, serialising and parsing included.\n",
        size as f64 / 1e6
    );
    println!("| backend | write (ms) | read (ms) |\n| --- | ---: | ---: |");
    for (name, w, r) in rows {
        println!("| {name} | {} | {} |", ms(w), ms(r));
    }
}
