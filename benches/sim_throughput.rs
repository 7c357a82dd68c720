//! The simulator's own throughput: requests per second it serves on ONE core for show
//! and list, so that it never becomes the bottleneck of maform's benchmarks.
//!
//! Run: cargo bench --bench sim_throughput
//! The simulator runs on a single-threaded runtime in its own thread; the load comes from
//! 32 keep-alive connections on another thread.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a test or benchmark reports on its terminal

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";

fn main() {
    let (tx, rx) = std::sync::mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let s = maform::sim::Server::start(maform::sim::SimConfig::default(), "127.0.0.1:0")
                .await
                .unwrap();
            tx.send(s.url()).unwrap();
            while !stop2.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            s.stop().await.unwrap();
        });
    });
    let url = rx.recv().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    // 1,000 notebooks to show and list.
    let ids: Vec<String> = rt.block_on(async {
        let mut ids = Vec::new();
        for i in 0..1000 {
            let body = serde_json::json!({"name": format!("bench-{i}"), "flavor": "modelarts.vm.cpu.2u", "image_id": "e1a07296-22a8-4f05-8bc8-e936c8e54090", "volume": {"category": "EVS", "ownership": "MANAGED"}});
            let r: serde_json::Value = client.post(format!("{url}/v1/{PROJECT}/notebooks")).json(&body).send().await.unwrap().json().await.unwrap();
            ids.push(r["id"].as_str().unwrap().to_string());
        }
        ids
    });
    let ids = Arc::new(ids);
    let mut rows = Vec::new();
    for (label, path) in [
        ("show (GET /notebooks/{id})", "show"),
        ("list (GET /notebooks?limit=50)", "list"),
    ] {
        let done = Arc::new(AtomicU64::new(0));
        let secs = 3.0;
        let start = Instant::now();
        rt.block_on(async {
            let mut tasks = Vec::new();
            for w in 0..32 {
                let (c, u, d, ids) = (client.clone(), url.clone(), done.clone(), ids.clone());
                let path = path.to_string();
                tasks.push(tokio::spawn(async move {
                    let mut i = w;
                    while start.elapsed().as_secs_f64() < secs {
                        let target = if path == "show" {
                            format!("{u}/v1/{PROJECT}/notebooks/{}", ids[i % ids.len()])
                        } else {
                            format!(
                                "{u}/v1/{PROJECT}/notebooks?limit=50&offset={}",
                                (i % 20) * 50
                            )
                        };
                        let r = c.get(target).send().await.unwrap();
                        assert!(r.status().is_success());
                        let _ = r.bytes().await.unwrap();
                        d.fetch_add(1, Ordering::Relaxed);
                        i += 32;
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
        let n = done.load(Ordering::Relaxed);
        rows.push((label, n, n as f64 / start.elapsed().as_secs_f64()));
    }
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap();
    println!("| simulator on one core, 1,000 notebooks | requests | requests/s |");
    println!("| --- | ---: | ---: |");
    for (l, n, r) in rows {
        println!("| {l} | {n} | {r:.0} |");
    }
}
