//! Apply progress, three ways: a live view in a terminal (one line per resource in flight
//! with its API status and elapsed time, finished ones ticked off, an overall bar); plain
//! timestamped lines elsewhere (CI logs), with a "Still …" line every 10 seconds per long
//! operation; or one JSON object per line for pipeline tools (`--json`).

use super::style::Style;
use crate::addr::{InstanceAddr, Key};
use crate::apply::{Event, Summary};
use crate::plan::Action;
use crate::plan::Counts;
use crate::value::Value;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Lines,
    Json,
}

fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

pub fn resource_json(a: &InstanceAddr) -> serde_json::Value {
    json!({"addr": a.to_string(), "resource": a.resource.to_string(), "resource_type": a.rtype(), "resource_name": a.name(),
           "resource_key": match &a.key { Some(Key::Int(i)) => json!(i), Some(Key::Str(s)) => json!(s), None => serde_json::Value::Null },
           "implied_provider": "modelarts"})
}

/// One machine-readable event line, in the shape of Terraform's `-json` UI.
pub fn emit_json(ty: &str, message: &str, extra: serde_json::Value) {
    let level = match ty {
        "apply_errored" => "error",
        "diagnostic" if extra["diagnostic"]["severity"] == "error" => "error",
        "diagnostic" => "warn",
        _ => "info",
    };
    let mut o = json!({"@level": level, "@message": message, "@module": "maform.ui", "@timestamp": chrono::Utc::now().to_rfc3339(), "type": ty});
    if let (Some(m), Some(e)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            m.insert(k.clone(), v.clone());
        }
    }
    // A hook names a deposed object's key only for a deposed object.
    if let Some(h) = o.get_mut("hook").and_then(|h| h.as_object_mut()) {
        if h.get("deposed_key").is_some_and(|k| k.is_null()) {
            h.remove("deposed_key");
        }
    }
    crate::redact::scrub_json(&mut o);
    println!("{o}");
}

/// How an event names its object: the address, and for a deposed object its key, as
/// Terraform writes it (`a.b (deposed object 1abf707a)`).
fn shown(addr: &InstanceAddr, deposed: &Option<String>) -> String {
    match deposed {
        Some(k) => format!("{addr} (deposed object {k})"),
        None => addr.to_string(),
    }
}

struct InFlight {
    action: Action,
    start: Instant,
    status: String,
    ticks: u64,
    bar: Option<ProgressBar>,
}

/// Render the events. `compact`: `-compact-warnings` was given, with the warnings held so
/// far (summary and full text): warnings are then summed up at the end (in full if
/// anything failed).
pub async fn render(
    mut rx: UnboundedReceiver<Event>,
    mode: Mode,
    style: Style,
    total: usize,
    mut compact: Option<Vec<(String, String)>>,
) {
    let mut any_failed = false;
    let mut inflight: BTreeMap<String, InFlight> = BTreeMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let multi = (mode == Mode::Live).then(MultiProgress::new);
    let overall = multi.as_ref().map(|m| {
        let b = m.add(ProgressBar::new(total as u64));
        b.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} done, {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let stamp = || {
        if mode == Mode::Lines {
            format!("{} ", chrono::Utc::now().format("%H:%M:%S"))
        } else {
            String::new()
        }
    };
    let line = |text: String| {
        let text = crate::redact::scrub(&text);
        match &multi {
            Some(m) => {
                let _ = m.println(text);
            }
            None => println!("{text}"),
        }
    };
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                match ev {
                    Event::Start { addr, deposed, action, id } => {
                        let key = shown(&addr, &deposed);
                        match mode {
                            Mode::Json => emit_json("apply_start", &format!("{key}: {}", action.text().progress[0]), json!({"hook": {"resource": resource_json(&addr), "deposed_key": deposed, "action": action.text().name, "id_value": id}})),
                            _ => {
                                let idp = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
                                if multi.is_none() {
                                    line(format!("{}{key}: {}{idp}", stamp(), action.text().progress[0]));
                                }
                            }
                        }
                        let bar = multi.as_ref().map(|m| {
                            let b = m.insert_before(overall.as_ref().expect("live"), ProgressBar::new_spinner());
                            b.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
                            b.enable_steady_tick(Duration::from_millis(120));
                            b.set_message(format!("{key}: {}", action.text().progress[0]));
                            b
                        });
                        inflight.insert(key, InFlight { action, start: Instant::now(), status: String::new(), ticks: 0, bar });
                        if let Some(o) = &overall {
                            o.set_message(format!("{} in flight", inflight.len()));
                        }
                    }
                    Event::Status { addr, deposed, status } => {
                        let key = shown(&addr, &deposed);
                        if let Some(x) = inflight.get_mut(&key) {
                            if x.status != status {
                                if mode == Mode::Json {
                                    emit_json("apply_progress", &format!("{key}: {} [{} elapsed, status {status}]", x.action.text().progress[1], elapsed(x.start.elapsed())), json!({"hook": {"resource": resource_json(&addr), "action": x.action.text().name, "elapsed_seconds": x.start.elapsed().as_secs(), "status": status}}));
                                }
                                x.status = status;
                            }
                        }
                    }
                    Event::Done { addr, deposed, action, id, elapsed: e } => {
                        let key = shown(&addr, &deposed);
                        let x = inflight.remove(&key);
                        let idp = id.clone().map(|i| format!(" [id={i}]")).unwrap_or_default();
                        match mode {
                            Mode::Json => emit_json("apply_complete", &format!("{key}: {} after {}{idp}", action.text().progress[2], elapsed(e)), json!({"hook": {"resource": resource_json(&addr), "deposed_key": deposed, "action": action.text().name, "id_value": id, "elapsed_seconds": e.as_secs()}})),
                            _ => {
                                if let Some(b) = x.and_then(|x| x.bar) {
                                    b.finish_and_clear();
                                }
                                line(format!("{}{}", stamp(), style.green(&format!("{}{key}: {} after {}{idp}", if multi.is_some() { "✓ " } else { "" }, action.text().progress[2], elapsed(e)))));
                            }
                        }
                        if let Some(o) = &overall {
                            o.inc(1);
                            o.set_message(format!("{} in flight", inflight.len()));
                        }
                    }
                    Event::Failed { addr, deposed, action, error } => {
                        any_failed = true;
                        let key = shown(&addr, &deposed);
                        let x = inflight.remove(&key);
                        let what = action.text().doing;
                        match mode {
                            Mode::Json => emit_json("apply_errored", &format!("Error {what} {key}: {error}"), json!({"hook": {"resource": resource_json(&addr), "deposed_key": deposed, "action": action.text().name, "elapsed_seconds": x.as_ref().map(|x| x.start.elapsed().as_secs()), "error_code": error.code, "http_status": error.http_status}})),
                            _ => {
                                if let Some(b) = x.and_then(|x| x.bar) {
                                    b.finish_and_clear();
                                }
                                if let Some(m) = &multi {
                                    let _ = m.println(style.red(&format!("✗ {key}: failed")));
                                }
                                eprintln!("{}{}", stamp(), style.red(&crate::redact::scrub(&format!("Error: {what} {key}: {error}"))));
                            }
                        }
                        if let Some(o) = &overall {
                            o.inc(1);
                        }
                    }
                    Event::Skipped { addr, because } => match mode {
                        Mode::Json => emit_json("apply_skipped", &format!("{addr}: skipped because {because} failed"), json!({"hook": {"resource": resource_json(&addr), "because": because.to_string()}})),
                        _ => line(format!("{}{addr}: skipped, because {because} failed", stamp())),
                    },
                    Event::Warning(w) => match (mode, &mut compact) {
                        (Mode::Json, _) => emit_json("diagnostic", &w, json!({"diagnostic": {"severity": "warning", "summary": w}})),
                        (_, Some(held)) => held.push((super::summary_of(&w), w)),
                        _ => eprintln!("{}", style.yellow(&crate::redact::scrub(&format!("Warning: {w}")))),
                    },
                    Event::Interrupted => match mode {
                        Mode::Json => emit_json("interrupted", "Interrupt received: starting nothing new; waiting for operations in flight", json!({})),
                        _ => eprintln!("Interrupt received: starting nothing new, waiting for the operations in flight to reach a safe point."),
                    },
                    Event::Summary(Summary { done: Counts { add: added, change: changed, destroy: destroyed, forget: forgotten }, failed, skipped, interrupted, destroy, .. }) => {
                        if let Some(o) = &overall {
                            o.finish_and_clear();
                        }
                        let op = if destroy { "Destroy" } else { "Apply" };
                        let msg = if failed > 0 || interrupted {
                            format!("{op} incomplete: {added} added, {changed} changed, {destroyed} destroyed, {failed} failed, {skipped} skipped.{}",
                                if interrupted { " Interrupted: nothing new was started; the state holds everything that finished." } else { " Fix the errors above and run apply again; failed creates are recorded as tainted and will be replaced." })
                        } else if destroy {
                            format!("Destroy complete! Resources: {destroyed} destroyed.")
                        } else {
                            let forgot = if forgotten > 0 { format!(", {forgotten} forgotten") } else { String::new() };
                            format!("Apply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed{forgot}.")
                        };
                        match mode {
                            Mode::Json => emit_json("change_summary", &msg, json!({"changes": {"add": added, "change": changed, "remove": destroyed, "failed": failed, "skipped": skipped, "operation": if destroy { "destroy" } else { "apply" }}})),
                            _ => println!("\n{msg}"),
                        }
                    }
                    Event::Outputs(outs) => {
                        if outs.is_empty() {
                            continue;
                        }
                        match mode {
                            Mode::Json => {
                                let m: serde_json::Map<String, serde_json::Value> = outs.iter().map(|(k, v)| (k.clone(), json!({"sensitive": v.is_none(), "value": v.as_ref().map(Value::to_json)}))).collect();
                                emit_json("outputs", &format!("Outputs: {}", outs.len()), json!({"outputs": m}));
                            }
                            _ => {
                                println!("\nOutputs:\n");
                                for (k, v) in outs {
                                    println!("{k} = {}", v.map(|v| v.to_console()).unwrap_or_else(|| "<sensitive>".into()));
                                }
                            }
                        }
                    }
                }
            }
            _ = tick.tick() => {
                for (addr, x) in inflight.iter_mut() {
                    let secs = x.start.elapsed().as_secs();
                    let st = if x.status.is_empty() { String::new() } else { format!(", status {}", x.status) };
                    if let Some(b) = &x.bar {
                        b.set_message(format!("{addr}: {} [{} elapsed{st}]", x.action.text().progress[0], elapsed(x.start.elapsed())));
                    } else if mode == Mode::Lines && secs >= 10 && secs / 10 > x.ticks {
                        x.ticks = secs / 10;
                        println!("{}{addr}: {} [{} elapsed{st}]", stamp(), x.action.text().progress[1], elapsed(x.start.elapsed()));
                    }
                }
            }
        }
    }
    // Held warnings: their summaries, unless something failed (then in full, as
    // Terraform shows warnings that come with errors).
    if let Some(held) = compact.filter(|h| !h.is_empty()) {
        if any_failed {
            for (_, w) in held {
                eprintln!(
                    "{}",
                    style.yellow(&crate::redact::scrub(&format!("Warning: {w}")))
                );
            }
        } else {
            // (A check that fails at plan and again after apply is listed once.)
            let mut summaries: Vec<String> = Vec::new();
            for (s, _) in held {
                if !summaries.contains(&s) {
                    summaries.push(s);
                }
            }
            eprint!("{}", super::compact_warnings(&summaries));
        }
    }
}
