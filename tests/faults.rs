//! Fault tolerance: 300 resources against a simulator answering 20% of requests with
//! 500/503, throttling above 50 requests/s, and failing 5% of creates. After at most two
//! re-applies the cloud matches the configuration exactly, with no duplicates.

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
