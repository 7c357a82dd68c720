//! Fault tolerance: 300 resources against a simulator answering 20% of requests with
//! faults (500, or 503 "busy"), throttling above 50 requests/s, and failing 5% of
//! creates. After at most two re-applies the cloud matches the configuration exactly,
//! with no duplicates.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

mod common;
use common::*;
use std::collections::BTreeSet;

#[test]
fn three_hundred_resources_through_errors_throttling_and_failed_creates() {
    let sim = Sim::start(&[
        "--error-rate",
        "0.2",
        "--throttle-rps",
        "50",
        "--fail-rate",
        "0.05",
        "--seed",
        "7",
    ]);
    let cfg = "resource \"modelarts_notebook\" \"n\" {\n  count    = 300\n  name     = format(\"fault-%03d\", count.index)\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n  }\n}\n";
    let w = Work::new(Some(&sim), &[("main.hcl", cfg)]);
    let mut runs = Vec::new();
    for _ in 0..3 {
        let o = w.run(&["apply", "--auto-approve", "--parallelism", "20"]);
        runs.push(o.code);
        if o.code == 0 {
            break;
        }
        assert!(
            o.stderr.contains("Error:"),
            "a failed run says why: {}",
            o.stderr
        );
    }
    assert_eq!(
        runs.last(),
        Some(&0),
        "converged within two re-applies: {runs:?}"
    );
    let objs = sim.objects("notebooks");
    let names: Vec<String> = objs
        .iter()
        .map(|o| o["body"]["name"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(
        (names.len(), unique.len()),
        (300, 300),
        "exactly the configured notebooks, no duplicates"
    );
    assert!(
        objs.iter().all(|o| o["body"]["status"] == "RUNNING"),
        "failed creates were replaced"
    );
    let (_, stats) = sim.call("GET", "/_sim/stats", None);
    assert!(
        stats["throttled"].as_u64().unwrap() > 0 && stats["injected_errors"].as_u64().unwrap() > 0,
        "the faults happened: {stats}"
    );
    // And the next plan agrees (it may meet faults too, and retries through them).
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

fn four_hundred() -> String {
    "resource \"modelarts_notebook\" \"n\" {\n  count    = 400\n  name     = format(\"many-%03d\", count.index)\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n  }\n}\n".into()
}

/// Calls per route from the simulator's statistics.
fn route(stats: &serde_json::Value, k: &str) -> u64 {
    stats["routes"][k].as_u64().unwrap_or(0)
}

/// Many objects waited on at once share list calls instead of a GET each.
#[test]
fn many_waits_share_list_calls() {
    let sim = Sim::start(&["--transition-ms", "600", "--latency-ms", "5"]);
    let w = Work::new(Some(&sim), &[("main.hcl", &four_hundred())]);
    w.run(&["apply", "--auto-approve", "--parallelism", "400"])
        .ok();
    let (_, stats) = sim.call("GET", "/_sim/stats", None);
    let gets = route(&stats, "GET /v1/{project_id}/notebooks/{id}");
    let lists = route(&stats, "GET /v1/{project_id}/notebooks");
    eprintln!("400 creates: {gets} GETs, {lists} list calls");
    // Without batching each of the 400 waits needs at least one GET of its own. (How
    // many list pages the waits walk depends on how long the creates take on a loaded
    // machine, so only the GETs are bounded.)
    assert!(lists > 0, "statuses were read through the list: {stats}");
    assert!(gets < 200, "lists served most of the waits: {stats}");
    assert_eq!(sim.objects("notebooks").len(), 400);
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

/// Four hundred operations at once against an API that accepts 200 requests a second:
/// the run converges without an error (how the pace is learned is unit-tested in
/// `provider::modelarts::client`).
#[test]
fn a_throttling_api_is_met_at_its_pace() {
    let sim = Sim::start(&["--transition-ms", "400", "--throttle-rps", "200"]);
    let w = Work::new(Some(&sim), &[("main.hcl", &four_hundred())]);
    w.run(&["apply", "--auto-approve", "--parallelism", "400"])
        .ok();
    let (_, stats) = sim.call("GET", "/_sim/stats", None);
    let throttled = stats["throttled"].as_u64().unwrap();
    eprintln!("400 creates at 200/s: {throttled} throttled");
    assert!(throttled > 0, "the API throttled: {stats}");
    assert_eq!(sim.objects("notebooks").len(), 400);
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}
