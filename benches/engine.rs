//! maform's own benchmark: the release binary against the simulator with a fixed latency
//! and transition profile. For N = 100, 1,000 and 10,000 notebooks: (a) a plan with no
//! state, (b) an apply creating everything, (c) a plan with no changes, (d) a destroy;
//! the engine's own work (a no-change plan at latency 0, and one without the API) at
//! 1,000 and 10,000; the plan rows (a), (c) and the engine's own work at 50,000; a chain
//! of 20 dependent resources. Each row gives wall time, peak memory, API calls (from
//! /_sim/stats), the lower bound the simulator imposes and the ratio to it; a second
//! table gives the engine's own work per resource.
//!
//! Run: cargo bench --bench engine        (N=10000 and the N=50000 plan rows take a few
//! minutes; BENCH_MAX_N=1000 or 10000 to skip them)
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_maform");
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const LATENCY_MS: u64 = 20;
const TRANSITION_MS: u64 = 500;
const RPS: u64 = 1000;

/// `--parallelism` for apply and destroy: BENCH_PARALLELISM, else 1000.
fn parallelism() -> String {
    std::env::var("BENCH_PARALLELISM").unwrap_or_else(|_| "1000".into())
}

struct Sim {
    child: std::process::Child,
    addr: String,
}

impl Sim {
    fn start(latency: u64) -> Sim {
        Sim::start_with(latency, Some(RPS), None)
    }

    /// A simulator with `latency`, throttling above `rps` (none: never), keeping its cloud
    /// in `data` (loaded at start, saved when it stops).
    fn start_with(latency: u64, rps: Option<u64>, data: Option<&std::path::Path>) -> Sim {
        let mut args: Vec<String> = [
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--latency-ms",
            &latency.to_string(),
            "--transition-ms",
            &TRANSITION_MS.to_string(),
            // A throwaway simulator: its admin API counts the calls.
            "--open-admin",
        ]
        .map(String::from)
        .to_vec();
        if let Some(rps) = rps {
            args.extend(["--throttle-rps".to_string(), rps.to_string()]);
        }
        if let Some(d) = data {
            args.extend(["--data".to_string(), d.display().to_string()]);
        }
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .trim_start_matches("listening on http://")
            .to_string();
        Sim { child, addr }
    }
    fn http(&self, method: &str, path: &str) -> serde_json::Value {
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(s, "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", self.addr).unwrap();
        let mut buf = String::new();
        s.read_to_string(&mut buf).unwrap();
        let body = buf.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
    }
    fn reset_stats(&self) {
        self.http("DELETE", "/_sim/stats");
    }
    /// The calls since the last reset, and how they split by route and method (with the
    /// throttled ones), for the log.
    fn calls(&self) -> (u64, String) {
        let st = self.http("GET", "/_sim/stats");
        let mut split: Vec<String> = st["routes"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !k.contains("/_sim"))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        split.push(format!("throttled: {}", st["throttled"]));
        (st["total"].as_u64().unwrap_or(0), split.join(", "))
    }
}

impl Sim {
    /// Stop as Ctrl-C stops it (the data file saved), and wait until it has.
    #[allow(unsafe_code)] // kill(2) on our own child
    fn stop(mut self) {
        // SAFETY: a signal to our own child process.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let _ = self.child.wait();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run maform; wall time and the child's peak resident memory (MB).
#[allow(unsafe_code)] // wait4 is the one way to read a child's peak memory
fn run(dir: &std::path::Path, sim: &Sim, args: &[&str]) -> (f64, f64) {
    let start = Instant::now();
    #[allow(clippy::zombie_processes)] // reaped by wait4 below, which also gives its peak memory
    let child = Command::new(BIN)
        .arg("--chdir")
        .arg(dir)
        .args(args)
        .env("HW_MODELARTS_ENDPOINT", format!("http://{}", sim.addr))
        .env("HW_PROJECT_ID", PROJECT)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid pointers to locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    let wall = start.elapsed().as_secs_f64();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "maform {args:?} failed"
    );
    (wall, usage.ru_maxrss as f64 / 1024.0)
}

struct Row {
    what: String,
    wall: f64,
    mem: f64,
    calls: u64,
    bound: f64,
    bound_why: String,
}

fn measure(
    rows: &mut Vec<Row>,
    what: String,
    dir: &std::path::Path,
    sim: &Sim,
    args: &[&str],
    bound: f64,
    bound_why: String,
) {
    sim.reset_stats();
    let (wall, mem) = run(dir, sim, args);
    let (calls, split) = sim.calls();
    eprintln!("{what}: {wall:.2}s {mem:.0}MB {calls} calls ({split})");
    rows.push(Row {
        what,
        wall,
        mem,
        calls,
        bound,
        bound_why,
    });
}

fn notebooks(n: usize) -> String {
    format!("resource \"modelarts_notebook\" \"nb\" {{\n  for_each = toset([for i in range({n}) : format(\"b%05d\", i)])\n  name     = \"bench-${{each.key}}\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {{\n    category = \"EVS\"\n  }}\n}}\n")
}

/// The engine's own work for `n` notebooks: a no-change plan at latency 0, and one that
/// does not read the API at all (parse, evaluate, graph, diff, render). Returns the
/// setup's simulator data file, for a no-change plan at the benchmark's latency.
fn engine_rows(rows: &mut Vec<Row>, n: usize, dir: &std::path::Path) -> std::path::PathBuf {
    let data = dir.join("sim.json");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("main.hcl"), notebooks(n)).unwrap();
    // Set up at the API's pace (creates are not measured here; an unthrottled burst of
    // tens of thousands would outrun the waits' list walks).
    let fast = Sim::start_with(0, Some(RPS), Some(&data));
    run(
        &work,
        &fast,
        &["apply", "--auto-approve", "--parallelism", &parallelism()],
    );
    measure(
        rows,
        format!("N={n} engine's own work (no-change plan, latency 0)"),
        &work,
        &fast,
        &["plan"],
        0.0,
        "—".into(),
    );
    measure(
        rows,
        format!("N={n} engine's own work without the API (plan --refresh=false)"),
        &work,
        &fast,
        &["plan", "--refresh=false"],
        0.0,
        "—".into(),
    );
    fast.stop();
    data
}

/// (c) for `n` objects created elsewhere: a no-change plan at the benchmark's latency and
/// throttling, on a simulator loaded from `data`, with the state that made them.
fn plan_of_existing(rows: &mut Vec<Row>, n: usize, dir: &std::path::Path, data: &std::path::Path) {
    let sim = Sim::start_with(LATENCY_MS, Some(RPS), Some(data));
    let pages = n.div_ceil(50) as f64;
    measure(
        rows,
        format!("N={n} (c) plan, no changes"),
        &dir.join("work"),
        &sim,
        &["plan"],
        (pages / RPS as f64)
            .max((1.0 + ((pages - 1.0) / 16.0).ceil()) * LATENCY_MS as f64 / 1000.0),
        format!("{} list pages, first, then 16 at a time", pages as u64),
    );
}

fn main() {
    let max_n: usize = std::env::var("BENCH_MAX_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let mut rows = Vec::new();
    let t = (TRANSITION_MS + LATENCY_MS) as f64 / 1000.0;
    for n in [100usize, 1000, 10_000].into_iter().filter(|n| *n <= max_n) {
        let sim = Sim::start(LATENCY_MS);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), notebooks(n)).unwrap();
        let pages = n.div_ceil(50) as f64;
        measure(
            &mut rows,
            format!("N={n} (a) plan, no state"),
            dir.path(),
            &sim,
            &["plan"],
            LATENCY_MS as f64 / 1000.0,
            "one round trip".into(),
        );
        measure(
            &mut rows,
            format!("N={n} (b) apply, create all"),
            dir.path(),
            &sim,
            &["apply", "--auto-approve", "--parallelism", &parallelism()],
            (n as f64 + pages) / RPS as f64 + t,
            format!(
                "({n} creates + {} list pages) ÷ {RPS}/s + transition + latency",
                pages as u64
            ),
        );
        measure(
            &mut rows,
            format!("N={n} (c) plan, no changes"),
            dir.path(),
            &sim,
            &["plan"],
            (pages / RPS as f64)
                .max((1.0 + ((pages - 1.0) / 16.0).ceil()) * LATENCY_MS as f64 / 1000.0),
            format!("{} list pages, first, then 16 at a time", pages as u64),
        );
        if n >= 1000 {
            let own = tempfile::tempdir().unwrap();
            engine_rows(&mut rows, n, own.path());
        }
        measure(
            &mut rows,
            format!("N={n} (d) destroy"),
            dir.path(),
            &sim,
            &["destroy", "--auto-approve", "--parallelism", &parallelism()],
            (n as f64 + pages) / RPS as f64 + t,
            format!(
                "({n} deletes + {} list pages) ÷ {RPS}/s + transition + latency",
                pages as u64
            ),
        );
    }
    // Planning only at 50,000 (applying them at the API's budget would take a minute).
    if max_n >= 50_000 {
        let n = 50_000;
        let sim = Sim::start(LATENCY_MS);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), notebooks(n)).unwrap();
        measure(
            &mut rows,
            format!("N={n} (a) plan, no state"),
            dir.path(),
            &sim,
            &["plan"],
            LATENCY_MS as f64 / 1000.0,
            "one round trip".into(),
        );
        let data = engine_rows(&mut rows, n, dir.path());
        plan_of_existing(&mut rows, n, dir.path(), &data);
    }
    // A chain of 20: each notebook waits for the previous one.
    let sim = Sim::start(LATENCY_MS);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = String::new();
    for i in 0..20 {
        let desc = if i == 0 {
            "\"first\"".to_string()
        } else {
            format!("\"after ${{modelarts_notebook.c{}.id}}\"", i - 1)
        };
        cfg.push_str(&format!("resource \"modelarts_notebook\" \"c{i}\" {{\n  name        = \"chain-{i}\"\n  description = {desc}\n  flavor      = \"modelarts.vm.cpu.2u\"\n  image_id    = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {{\n    category = \"EVS\"\n  }}\n}}\n"));
    }
    std::fs::write(dir.path().join("main.hcl"), cfg).unwrap();
    measure(
        &mut rows,
        "chain of 20 (b) apply".into(),
        dir.path(),
        &sim,
        &["apply", "--auto-approve"],
        20.0 * t,
        "20 × (transition + latency)".into(),
    );
    measure(
        &mut rows,
        "chain of 20 (d) destroy".into(),
        dir.path(),
        &sim,
        &["destroy", "--auto-approve"],
        20.0 * t,
        "20 × (transition + latency)".into(),
    );

    let mut out = format!("Latency {LATENCY_MS} ms per call, transitions {TRANSITION_MS} ms, throttling above {RPS} requests/s, --parallelism {}.\n\n| run | wall (s) | peak memory (MB) | API calls | lower bound (s) | bound from | ratio |\n| --- | ---: | ---: | ---: | ---: | --- | ---: |\n", parallelism());
    for r in &rows {
        let ratio = if r.bound > 0.0 {
            format!("{:.1}×", r.wall / r.bound)
        } else {
            "—".into()
        };
        out.push_str(&format!(
            "| {} | {:.2} | {:.0} | {} | {:.2} | {} | {ratio} |\n",
            r.what, r.wall, r.mem, r.calls, r.bound, r.bound_why
        ));
    }
    // How the engine's own cost grows: per resource, it should stay flat.
    out.push_str("\n| engine's own work | N | wall per resource (µs) | peak memory per resource (KB) |\n| --- | ---: | ---: | ---: |\n");
    for r in rows.iter().filter(|r| r.what.contains("engine's own work")) {
        let n: f64 = r.what[2..r.what.find(' ').unwrap_or(2)]
            .parse()
            .unwrap_or(1.0);
        let which = if r.what.contains("refresh=false") {
            "without the API"
        } else {
            "no-change plan, latency 0"
        };
        out.push_str(&format!(
            "| {which} | {n} | {:.1} | {:.1} |\n",
            r.wall / n * 1e6,
            r.mem * 1024.0 / n
        ));
    }
    println!("{out}");
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-engine.md"),
        &out,
    );
}
