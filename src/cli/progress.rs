//! Apply progress as lines: a start, a "Still …" line every 10 seconds per long
//! operation with the status the API reports, and a completion line.

use crate::apply::Event;
use crate::plan::Action;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

fn verb(a: Action) -> (&'static str, &'static str, &'static str) {
    match a {
        Action::Create => ("Creating...", "Still creating...", "Creation complete"),
        Action::Update => (
            "Modifying...",
            "Still modifying...",
            "Modifications complete",
        ),
        Action::Delete => (
            "Destroying...",
            "Still destroying...",
            "Destruction complete",
        ),
        Action::Replace => ("Replacing...", "Still replacing...", "Replacement complete"),
        _ => ("Reading...", "Still reading...", "Read complete"),
    }
}

fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

pub async fn render(mut rx: UnboundedReceiver<Event>, color: bool) {
    let mut inflight: BTreeMap<String, (Action, Instant, String, u64)> = BTreeMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let (red, green, reset) = if color {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                match ev {
                    Event::Start { addr, action, id } => {
                        let idp = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
                        println!("{addr}: {}{idp}", verb(action).0);
                        inflight.insert(addr.to_string(), (action, Instant::now(), String::new(), 0));
                    }
                    Event::Status { addr, status } => {
                        if let Some(x) = inflight.get_mut(&addr.to_string()) {
                            x.2 = status;
                        }
                    }
                    Event::Done { addr, action, id, elapsed: e } => {
                        inflight.remove(&addr.to_string());
                        let idp = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
                        println!("{green}{addr}: {} after {}{idp}{reset}", verb(action).2, elapsed(e));
                    }
                    Event::Failed { addr, action, error } => {
                        inflight.remove(&addr.to_string());
                        let what = match action { Action::Create => "creating", Action::Update => "updating", Action::Delete => "destroying", _ => "replacing" };
                        eprintln!("{red}Error: {what} {addr}: {error}{reset}");
                    }
                    Event::Skipped { addr, because } => {
                        println!("{addr}: skipped, because {because} failed");
                    }
                    Event::Interrupted => {
                        eprintln!("Interrupt received: starting nothing new, waiting for the operations in flight to reach a safe point. Press Ctrl-C again to stop at once.");
                    }
                }
            }
            _ = tick.tick() => {
                for (addr, (action, start, status, last)) in inflight.iter_mut() {
                    let secs = start.elapsed().as_secs();
                    if secs >= 10 && secs / 10 > *last {
                        *last = secs / 10;
                        let st = if status.is_empty() { String::new() } else { format!(", status {status}") };
                        println!("{addr}: {} [{} elapsed{st}]", verb(*action).1, elapsed(start.elapsed()));
                    }
                }
            }
        }
    }
}
