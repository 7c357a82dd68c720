//! The operations every kind's objects share, driven by what the kind describes: read
//! one, list pages, wait for a status (with reads batched into list walks when many
//! operations wait at once), start and stop, create (never repeated blindly), update
//! (the kind's steps), delete.

use super::client::{Client, Lane, Retry};
use super::watch::{self, Observed, Waiting};
use crate::provider::kind::{Listing, ResourceKind, Status, Step, Target};
use crate::provider::{ApiError, CreateLog, OpError, Progress, ProviderError};
use crate::value::Value;
use serde_json::Value as Json;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Kind = &'static dyn ResourceKind;

/// `{collection}/{id}`.
fn path_of(kind: Kind, id: &str) -> String {
    format!("{}/{}", kind.collection(), super::signer::escape(id))
}

fn is_not_found(kind: Kind, e: &ApiError) -> bool {
    e.status == 404 || (e.status == 400 && e.is_code(kind.not_found_codes()))
}

fn status_of(b: &Json) -> &str {
    b["status"].as_str().unwrap_or("")
}

/// A response that is not what the API documents: an error naming what was wrong.
pub fn invalid(kind: Kind, what: &str, body: &Json) -> ApiError {
    let mut text = body.to_string();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    ApiError {
        status: 200,
        code: "INVALID_RESPONSE".into(),
        message: format!("the service answered {what}: {text}"),
        request_id: None,
        method: "GET".into(),
        path: kind.collection().into(),
    }
}

/// One object's body; `None` when it does not exist.
pub async fn get(c: &Client, kind: Kind, id: &str) -> Result<Option<Json>, ApiError> {
    get_in(c, Lane::Normal, kind, id).await
}

/// [`get`] in a given lane.
pub async fn get_in(
    c: &Client,
    lane: Lane,
    kind: Kind,
    id: &str,
) -> Result<Option<Json>, ApiError> {
    match c
        .call_in(lane, "GET", &path_of(kind, id), &[], None, Retry::Safe)
        .await
    {
        Ok(b) if b["id"].is_string() && b["status"].is_string() => Ok(Some(b)),
        Ok(b) => Err(invalid(kind, "with an object that has no id or status", &b)),
        Err(e) if is_not_found(kind, &e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A list page's task that panicked or was cancelled, as an error of the list call.
pub(super) fn list_task_failed(kind: Kind, e: tokio::task::JoinError) -> ApiError {
    ApiError {
        status: 0,
        code: "TASK".into(),
        message: e.to_string(),
        request_id: None,
        method: "GET".into(),
        path: kind.collection().into(),
    }
}

/// The query of one page of a paged list. Sorted kinds are asked for creation time in
/// `dir` (ASC or DESC, the API's default).
pub(super) fn page_query(
    size: usize,
    sorted: bool,
    offset: usize,
    dir: &'static str,
) -> Vec<(&'static str, String)> {
    let mut q = vec![("limit", size.to_string()), ("offset", offset.to_string())];
    if sorted {
        q.push(("sort_dir", dir.into()));
    }
    q
}

/// One page of a paged list, checked for shape.
async fn list_page(
    c: &Client,
    kind: Kind,
    size: usize,
    sorted: bool,
    offset: usize,
    dir: &'static str,
) -> Result<Json, ApiError> {
    let q = page_query(size, sorted, offset, dir);
    let r = c
        .call("GET", kind.collection(), &q, None, Retry::Safe)
        .await?;
    match (r["data"].as_array(), r["total"].as_u64()) {
        (Some(a), Some(_)) if a.iter().all(|o| o["id"].is_string()) => Ok(r),
        _ => Err(invalid(
            kind,
            "a list page that is not {current, data, pages, size, total}",
            &r,
        )),
    }
}

/// A list that comes in one call.
async fn list_one_call(
    c: &Client,
    kind: Kind,
    query: &[(&'static str, &'static str)],
    key: &str,
) -> Result<Vec<Json>, ApiError> {
    let q: Vec<(&str, String)> = query.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let r = c
        .call("GET", kind.collection(), &q, None, Retry::Safe)
        .await?;
    match r[key].as_array() {
        Some(a) if a.iter().all(|o| o["id"].is_string()) => Ok(a.clone()),
        _ => Err(invalid(
            kind,
            &format!("a list that is not {{total_count, {key}}}"),
            &r,
        )),
    }
}

/// Every object of a kind, page by page (see [`list_each`]).
pub async fn list_all(c: &Arc<Client>, kind: Kind) -> Result<Vec<Json>, ApiError> {
    let mut out = Vec::new();
    list_each(c, kind, 0, |b| out.push(b)).await?;
    Ok(out)
}

/// Every object of a kind, handed to `each` page by page as the pages arrive (in no
/// particular order), so that a large account is never held as JSON all at once. Pages
/// are fetched sixteen at a time; when the caller expects `expect` objects, the first
/// round fetches as many pages as they fill (up to sixteen) without waiting for the
/// first page's total.
pub async fn list_each(
    c: &Arc<Client>,
    kind: Kind,
    expect: usize,
    mut each: impl FnMut(Json),
) -> Result<(), ApiError> {
    let (size, sorted) = match kind.listing() {
        Listing::All { query, key } => {
            list_one_call(c, kind, query, key)
                .await?
                .into_iter()
                .for_each(each);
            return Ok(());
        }
        Listing::Paged { size, sorted } => (size, sorted),
    };
    const IN_FLIGHT: usize = 16;
    let sem = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut set = tokio::task::JoinSet::new();
    let spawn = |set: &mut tokio::task::JoinSet<_>, off: usize| {
        let (c, sem) = (c.clone(), sem.clone());
        set.spawn(async move {
            let _p = sem.acquire_owned().await;
            (off, list_page(&c, kind, size, sorted, off, "ASC").await)
        });
    };
    let first_round = expect.div_ceil(size).clamp(1, IN_FLIGHT);
    for p in 0..first_round {
        spawn(&mut set, p * size);
    }
    // Whether the rest is known: the first page's total says how many pages there are.
    let mut planned = false;
    let mut data = |mut page: Json| {
        if let Json::Array(items) = page["data"].take() {
            items.into_iter().for_each(&mut each);
        }
    };
    while let Some(r) = set.join_next().await {
        let (off, res) = r.map_err(|e| list_task_failed(kind, e))?;
        let page = res?;
        if off == 0 && !planned {
            planned = true;
            let total = page["total"].as_u64().unwrap_or(0) as usize;
            // An answer that claims more objects than any account holds is not believed.
            if total > 10_000_000 {
                return Err(invalid(
                    kind,
                    "a total of more than ten million objects",
                    &page["total"],
                ));
            }
            let got = page["data"].as_array().map_or(0, Vec::len);
            if got >= size && got < total {
                for p in first_round..total.div_ceil(size) {
                    spawn(&mut set, p * size);
                }
            }
        }
        data(page);
    }
    Ok(())
}

fn failed(kind: Kind, b: &Json) -> ProviderError {
    ProviderError::Failed {
        status: status_of(b).to_string(),
        reason: kind.failure_reason(b).to_string(),
    }
}

/// Whether a wait for `target` is over with body `b` (`None`: the object is gone).
pub(super) fn done(kind: Kind, target: Target, b: Option<&Json>) -> Result<bool, ProviderError> {
    let Some(b) = b else {
        return match target {
            Target::Gone => Ok(true),
            _ => Err(ProviderError::Disappeared),
        };
    };
    let st = kind.status(status_of(b));
    match target {
        Target::Gone => match st {
            Status::Gone => Ok(true),
            _ if status_of(b) == "DELETE_FAILED" => Err(failed(kind, b)),
            _ => Ok(false),
        },
        _ if target.reached(st) => Ok(kind.settled(b)),
        _ if st.is_failed() => Err(failed(kind, b)),
        _ => Ok(false),
    }
}

/// Read until `target` is reached. The first read comes when transitions of this kind and
/// target typically end (at once while none has been seen), then every 100 ms growing by
/// half up to 5 s; reads share list walks when many waits run (see [`watch`]). Returns the
/// last body (`None` once gone). `created` is the object's creation time, if known.
pub async fn wait(
    c: &Arc<Client>,
    kind: Kind,
    id: &str,
    created: Option<i64>,
    target: Target,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Option<Json>, OpError> {
    let start = Instant::now();
    let _waiting = Waiting::new(c, kind);
    let key = (kind.type_name(), target);
    let estimate = c.typical_wait(key);
    let mut due = start + estimate.unwrap_or(Duration::ZERO).min(timeout);
    let mut interval = Duration::from_millis(100);
    // Whether the next read is the first one timed by the estimate (what it learns from).
    let mut first = estimate.is_some();
    // When a read last saw the transition under way.
    let mut under_way = start;
    // `Pending` answers in a row: after a few, or for the last read before the timeout,
    // this wait's own object is read (an earlier wait's object may be stuck).
    let mut pendings = 0;
    loop {
        let may_pend = pendings < 4 && due < start + timeout;
        let seen = watch::read_at(c, kind, id, created, target, (start, may_pend), due, first)
            .await
            .map_err(|e| OpError::new(Some(id), e))?;
        let now = Instant::now();
        let pending = matches!(seen, Observed::Pending);
        pendings = if pending { pendings + 1 } else { 0 };
        let b = match seen {
            Observed::Now(b) => b,
            // An earlier wait of this kind is still under way: so is this one.
            Observed::Pending => {
                under_way = now;
                None
            }
        };
        if let Some(x) = &b {
            progress(status_of(x));
        }
        let over = if pending {
            Ok(false)
        } else {
            done(kind, target, b.as_ref())
        };
        match over {
            Ok(true) => {
                if estimate.is_none() {
                    // Somewhere between the last two reads.
                    c.seed_wait(key, (under_way - start + (now - start)) / 2);
                }
                return Ok(b);
            }
            Ok(false) => under_way = now,
            Err(error) => {
                return Err(OpError {
                    id: Some(id.to_string()),
                    attrs: b.as_ref().map(|x| kind.to_attrs(x, &Value::Null)),
                    error,
                });
            }
        }
        first = false;
        // (After a `Pending` answer the timeout waits for one read of this object: the
        // next one is never `Pending` past the timeout.)
        if start.elapsed() >= timeout && !pending {
            return Err(OpError::new(
                Some(id),
                ProviderError::Timeout {
                    secs: timeout.as_secs(),
                    status: b
                        .as_ref()
                        .map(|x| status_of(x).to_string())
                        .unwrap_or_else(|| "gone".into()),
                },
            ));
        }
        due = now
            + interval.min(
                timeout
                    .saturating_sub(start.elapsed())
                    .max(Duration::from_millis(10)),
            );
        interval = (interval.mul_f64(1.5)).min(Duration::from_secs(5));
    }
}

/// Wait for a status target other than `Gone`; returns the body.
async fn wait_status(
    c: &Arc<Client>,
    kind: Kind,
    id: &str,
    target: Target,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Json, OpError> {
    wait(c, kind, id, None, target, timeout, progress)
        .await?
        .ok_or_else(|| OpError::new(Some(id), ProviderError::Disappeared))
}

async fn power(c: &Client, kind: Kind, id: &str, run: bool, cur: &Json) -> Result<(), ApiError> {
    let call = kind.power(run, cur);
    let r = c
        .call(
            call.method,
            &format!("{}{}", path_of(kind, id), call.suffix),
            &call.query,
            call.body.as_ref(),
            Retry::Safe,
        )
        .await;
    match r {
        Ok(_) => Ok(()),
        // Already there, or on the way (a retried call that went through the first time).
        Err(e)
            if e.is_code(&[
                "ModelArts.6305",
                "ModelArts.6306",
                "ModelArts.6307",
                "ModelArts.6308",
            ]) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The current body of an object that must exist.
async fn current(c: &Client, kind: Kind, id: &str) -> Result<Json, OpError> {
    get(c, kind, id)
        .await
        .map_err(|e| OpError::new(Some(id), e))?
        .ok_or_else(|| OpError::new(Some(id), ProviderError::Gone))
}

/// Bring an instance to RUNNING or STOPPED and wait.
pub async fn set_power(
    c: &Arc<Client>,
    kind: Kind,
    id: &str,
    run: bool,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Json, OpError> {
    let target = Target::power(run);
    let mut cur = current(c, kind, id).await?;
    let st = kind.status(status_of(&cur));
    if target.reached(st) {
        return Ok(cur);
    }
    if st.is_transitional() {
        cur = wait_status(c, kind, id, Target::Stable, timeout, progress).await?;
        if target.reached(kind.status(status_of(&cur))) {
            return Ok(cur);
        }
    }
    power(c, kind, id, run, &cur)
        .await
        .map_err(|e| OpError::new(Some(id), e))?;
    wait_status(c, kind, id, target, timeout, progress).await
}

/// Ids of the objects named `name` created at or after `at` (less a margin for clock
/// skew): what a create that lost its answer, or whose process died, may have made.
pub async fn find_created(
    c: &Arc<Client>,
    kind: Kind,
    name: &str,
    at: i64,
) -> Result<Vec<Json>, ApiError> {
    let all = list_all(c, kind).await?;
    Ok(all
        .into_iter()
        .filter(|b| b["name"] == name && kind.created_ms(b).is_some_and(|t| t >= at - 30_000))
        .collect())
}

/// Create and wait until running (then stop if the configuration says so). Returns the
/// final body. A create is never repeated blindly: when its answer is lost (5xx, reset,
/// timeout), the list shows whether it happened; one match is adopted, none is retried,
/// several stop with an error.
pub async fn create(
    c: &Arc<Client>,
    kind: Kind,
    desired: &Value,
    timeout: Duration,
    progress: Progress<'_>,
    log: &dyn CreateLog,
) -> Result<Json, OpError> {
    let body = kind.create_body(desired);
    let name = body["name"].as_str().unwrap_or("").to_string();
    let at = chrono::Utc::now().timestamp_millis();
    let journal = |id: Option<&str>, e: anyhow::Error| {
        OpError::new(id, ProviderError::Journal(format!("{e:#}")))
    };
    log.intent(&name, at).await.map_err(|e| journal(None, e))?;
    let mut attempts = 0;
    let (id, created) = loop {
        attempts += 1;
        match c
            .call(
                "POST",
                kind.collection(),
                &[],
                Some(&body),
                Retry::OnlyThrottled,
            )
            .await
        {
            Ok(resp) => {
                let id = resp["id"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        OpError::new(
                            None,
                            ProviderError::Invalid(format!(
                                "the create call returned no id: {resp}"
                            )),
                        )
                    })?
                    .to_string();
                progress(status_of(&resp));
                break (id, kind.created_ms(&resp));
            }
            Err(e) if e.outcome_unknown() => {
                let found = find_created(c, kind, &name, at).await.map_err(|le| {
                    OpError::new(
                        None,
                        ProviderError::ApiContext {
                            detail: format!(
                                "and the list to check whether the create happened failed too: {le}"
                            ),
                            source: Box::new(e.clone()),
                        },
                    )
                })?;
                match found.as_slice() {
                    [one] => {
                        break (
                            one["id"].as_str().unwrap_or_default().to_string(),
                            kind.created_ms(one),
                        )
                    }
                    [] if attempts <= c.config.max_retries as usize => continue,
                    [] => return Err(OpError::new(None, e)),
                    many => {
                        let ids: Vec<&str> = many.iter().filter_map(|b| b["id"].as_str()).collect();
                        return Err(OpError::new(None, ProviderError::ApiContext {
                            detail: format!("{} objects named {name} appeared since ({}) and maform cannot tell which one it created; import the right one and delete the others", ids.len(), ids.join(", ")),
                            source: Box::new(e),
                        }));
                    }
                }
            }
            Err(e) => return Err(OpError::new(None, e)),
        }
    };
    log.created(&id).await.map_err(|e| journal(Some(&id), e))?;
    let b = wait(c, kind, &id, created, Target::Running, timeout, progress)
        .await?
        .ok_or_else(|| OpError::new(Some(&id), ProviderError::Disappeared))?;
    if desired.get("desired_state").as_str() == Some("STOPPED") {
        return set_power(c, kind, &id, false, timeout, progress).await;
    }
    Ok(b)
}

/// Delete and wait until gone; a running object is stopped first where the API insists.
/// `created` is the object's creation time, if known (see [`wait`]).
pub async fn delete(
    c: &Arc<Client>,
    kind: Kind,
    id: &str,
    created: Option<i64>,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<(), OpError> {
    if kind.stop_before_delete() {
        match get(c, kind, id)
            .await
            .map_err(|e| OpError::new(Some(id), e))?
        {
            None => return Ok(()),
            Some(b)
                if {
                    let st = kind.status(status_of(&b));
                    st == Status::Running || st.is_transitional()
                } =>
            {
                set_power(c, kind, id, false, timeout, progress).await?;
            }
            Some(_) => {}
        }
    }
    match c
        .call("DELETE", &path_of(kind, id), &[], None, Retry::Safe)
        .await
    {
        Ok(_) => {}
        Err(e) if is_not_found(kind, &e) => return Ok(()),
        Err(e) => return Err(OpError::new(Some(id), e)),
    }
    wait(c, kind, id, created, Target::Gone, timeout, progress)
        .await
        .map(|_| ())
}

/// Update in place with the calls the kind asks for, then return the instance to its
/// declared (or previous) power state.
pub async fn update(
    c: &Arc<Client>,
    kind: Kind,
    id: &str,
    prior: &Value,
    desired: &Value,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<Json, OpError> {
    let cur = current(c, kind, id).await?;
    let mut st = kind.status(status_of(&cur));
    if !st.is_stable() {
        let b = wait_status(c, kind, id, Target::Stable, timeout, progress).await?;
        st = kind.status(status_of(&b));
    }
    let was_running = st == Status::Running;
    let want_running = match desired.get("desired_state").as_str() {
        Some("RUNNING") => true,
        Some("STOPPED") => false,
        _ => was_running,
    };
    for step in kind.update_steps(prior, desired, was_running) {
        match step {
            Step::Power(run) => {
                if !run {
                    progress("STOPPING");
                }
                set_power(c, kind, id, run, timeout, progress).await?;
            }
            Step::Call {
                method,
                suffix,
                body,
            } => {
                c.call(
                    method,
                    &format!("{}{suffix}", path_of(kind, id)),
                    &[],
                    Some(&body),
                    Retry::Safe,
                )
                .await
                .map_err(|e| OpError::new(Some(id), e))?;
            }
            Step::WaitRunning => {
                wait_status(c, kind, id, Target::Running, timeout, progress).await?;
            }
        }
    }
    set_power(c, kind, id, want_running, timeout, progress).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NB: Kind = &super::super::notebook::Notebook;
    const DE: Kind = &super::super::devenv::DevEnv;

    #[test]
    fn waits_end_at_their_target_or_a_failure() {
        let running = json!({"status": "RUNNING"});
        assert_eq!(done(NB, Target::Running, Some(&running)).ok(), Some(true));
        assert_eq!(done(NB, Target::Stopped, Some(&running)).ok(), Some(false));
        assert_eq!(done(NB, Target::Stable, Some(&running)).ok(), Some(true));
        let resizing = json!({"status": "RUNNING", "volume": {"status": "RESIZING"}});
        assert_eq!(
            done(NB, Target::Running, Some(&resizing)).ok(),
            Some(false),
            "not settled"
        );
        let failed = json!({"status": "CREATE_FAILED", "fail_reason": "no capacity"});
        let e = done(NB, Target::Running, Some(&failed)).unwrap_err();
        assert_eq!(e.to_string(), "the instance is CREATE_FAILED: no capacity");
        assert!(matches!(
            done(NB, Target::Running, None),
            Err(ProviderError::Disappeared)
        ));
    }

    #[test]
    fn a_deletion_is_over_when_gone_or_shown_deleted() {
        assert_eq!(done(NB, Target::Gone, None).ok(), Some(true));
        let deleting = json!({"status": "DELETING"});
        assert_eq!(done(NB, Target::Gone, Some(&deleting)).ok(), Some(false));
        let deleted = json!({"status": "DELETED"});
        assert_eq!(
            done(DE, Target::Gone, Some(&deleted)).ok(),
            Some(true),
            "the legacy API shows it"
        );
        assert_eq!(done(NB, Target::Gone, Some(&deleted)).ok(), Some(false));
        let failed = json!({"status": "DELETE_FAILED"});
        assert!(done(NB, Target::Gone, Some(&failed)).is_err());
    }

    #[test]
    fn not_found_is_what_each_api_says() {
        let e = |status, code: &str| ApiError {
            status,
            code: code.into(),
            message: String::new(),
            request_id: None,
            method: "GET".into(),
            path: String::new(),
        };
        assert!(is_not_found(NB, &e(404, "")));
        assert!(is_not_found(NB, &e(400, "ModelArts.6309")));
        assert!(!is_not_found(NB, &e(400, "ModelArts.6323")));
        assert!(!is_not_found(DE, &e(400, "ModelArts.6404")));
        let body = json!({"x": "y".repeat(300)});
        let inv = invalid(NB, "nonsense", &body);
        assert!(inv.message.ends_with('…') && inv.message.len() < 260);
    }
}
