//! An independent client: the official Huawei Cloud Python SDK, signing its own requests,
//! against the simulator with AK/SK verification on. `scripts/test` installs the SDK into
//! `target/sdk-venv` and sets MAFORM_PYTHON together with MAFORM_REQUIRE_SDK, so that under
//! the test command (and CI) a missing SDK fails the run; a plain `cargo test` without it
//! says so and skips.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

mod common;
use common::*;

#[test]
fn official_python_sdk_against_the_simulator() {
    let Some(py) = std::env::var_os("MAFORM_PYTHON") else {
        assert!(
            std::env::var_os("MAFORM_REQUIRE_SDK").is_none(),
            "MAFORM_REQUIRE_SDK is set but MAFORM_PYTHON is not: the official SDK is missing"
        );
        eprintln!("MAFORM_PYTHON is not set: run ./scripts/test, which installs the official SDK, to include this test");
        return;
    };
    let sim = Sim::start(&["--access-key", "SDKAK", "--secret-key", "SDKSECRET"]);
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_conformance.py");
    let o = std::process::Command::new(py)
        .arg(script)
        .args([&sim.url, "SDKAK", "SDKSECRET", PROJECT])
        .output()
        .expect("run python");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains(", 0 failed"), "{out}");
    let (_, stats) = sim.call("GET", "/_sim/stats", None);
    assert!(
        stats["routes"]["POST /v1/{project_id}/notebooks"].as_u64() >= Some(2),
        "{stats}"
    );
}
