//! The HTTP client: signs requests (SDK-HMAC-SHA256) or sends a token, retries what is
//! safe to retry with capped exponential backoff and jitter (honouring `Retry-After`),
//! and turns the service's error bodies into [`ApiError`]s that keep its code and text.
//!
//! The adaptive limit (AIMD on 429 bursts) and the learned pace are hand-written on
//! purpose: rate limiters in crates (governor, tower's) enforce a rate you know; here the
//! rate is unknown and learned from the API's answers, one burst counting once. Unit tests
//! pin their arithmetic. The backoff between attempts comes from [`crate::retry`].

use super::signer;
use crate::provider::kind::Target;
pub use crate::provider::ApiError;
use rand::Rng;
use serde_json::Value as Json;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How to authenticate. Secrets never appear in Debug output.
#[derive(Clone)]
pub enum Credentials {
    AkSk {
        ak: String,
        sk: String,
        security_token: Option<String>,
    },
    Token(String),
    None,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::AkSk { ak, .. } => write!(f, "AkSk({ak}, <secret>)"),
            Credentials::Token(_) => write!(f, "Token(<secret>)"),
            Credentials::None => write!(f, "None"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub endpoint: String,
    pub project_id: String,
    pub region: String,
    pub credentials: Credentials,
    pub insecure: bool,
    pub max_retries: u32,
}

pub struct Client {
    http: reqwest::Client,
    pub config: ClientConfig,
    host: String,
    base_path: String,
    calls: AtomicU64,
    limit: AdaptiveLimit,
    /// The list pages of the watches' walks: outside `limit`, so that they never queue
    /// behind a wave of creates whose waits they end (they are paced all the same).
    watch_lane: tokio::sync::Semaphore,
    /// How long transitions take, per kind and target, learned as waits end.
    /// The transition estimates, with when each last learned.
    waits: std::sync::Mutex<std::collections::HashMap<WaitKey, (Duration, Option<Instant>)>>,
    /// The waits of each kind served by shared list walks (see `watch`).
    watches: std::sync::Mutex<std::collections::HashMap<&'static str, Watch>>,
    pace: Pace,
}

use super::watch::Watch;

/// Which calls a call queues with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Everything, under the adaptive in-flight limit.
    Normal,
    /// A watch's list pages and probes (at most `WATCH_LANE` in flight).
    Watch,
}

/// List pages of walks in flight at most.
const WATCH_LANE: usize = 16;

/// A kind's type name and a wait target.
pub type WaitKey = (&'static str, Target);

/// How many calls may be in flight: halved when the API throttles, grown back by one
/// after each window of successful calls (additive increase, multiplicative decrease), so
/// that maform backs off instead of hammering a throttled API.
pub struct AdaptiveLimit {
    sem: tokio::sync::Semaphore,
    max: usize,
    current: std::sync::atomic::AtomicUsize,
    successes: std::sync::atomic::AtomicUsize,
    /// Permits to forget when they are released (they were in use when the limit fell).
    owed: std::sync::atomic::AtomicUsize,
    /// When the limit last fell: the calls in flight during one 429 burst all see it, and
    /// count as one signal.
    last_fall: std::sync::Mutex<Option<std::time::Instant>>,
}

impl AdaptiveLimit {
    pub fn new(max: usize) -> AdaptiveLimit {
        AdaptiveLimit {
            sem: tokio::sync::Semaphore::new(max),
            max,
            current: max.into(),
            successes: 0.into(),
            owed: 0.into(),
            last_fall: std::sync::Mutex::new(None),
        }
    }
    pub fn current(&self) -> usize {
        self.current.load(Ordering::Relaxed)
    }
    fn throttled(&self) {
        {
            let mut last = self.last_fall.lock().unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            if last.is_some_and(|t| now.duration_since(t) < Duration::from_millis(500)) {
                return;
            }
            *last = Some(now);
        }
        let cur = self.current.load(Ordering::Relaxed);
        let new = (cur / 2).max(1);
        if new < cur
            && self
                .current
                .compare_exchange(cur, new, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            // Permits in use come back later; forget what can be forgotten now and the
            // rest as they return (see `succeeded`).
            let forgotten = self.sem.forget_permits(cur - new);
            self.owed
                .fetch_add(cur - new - forgotten, Ordering::Relaxed);
            self.successes.store(0, Ordering::Relaxed);
        }
    }
    fn succeeded(&self) {
        let cur = self.current.load(Ordering::Relaxed);
        if cur >= self.max {
            return;
        }
        if self.successes.fetch_add(1, Ordering::Relaxed) + 1 >= cur
            && self
                .current
                .compare_exchange(cur, cur + 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            self.successes.store(0, Ordering::Relaxed);
            // A permit still owed from a fall is simply no longer owed.
            let owed = self.owed.load(Ordering::Relaxed);
            if owed == 0
                || self
                    .owed
                    .compare_exchange(owed, owed - 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_err()
            {
                self.sem.add_permits(1);
            }
        }
    }
}

/// The request rate the API accepts, learned from its 429s: unpaced until the first one,
/// then calls are spaced to 90% of the most that got through in a second; each further
/// 429 burst lowers the rate by 15% (never below half that best rate), and it grows again
/// by 0.02% per answered call (about 20% a second at 1,000 calls a second), up to 95% of
/// the pace that was throttled while that is less than ten seconds ago. When the gateway's
/// 429 states its limit (APIG.0308: "…,limit:1000,time:1 second"), calls are paced to 95%
/// of it from then on. A rate-limited API then sees a steady
/// stream just under its limit instead of bursts that are refused and retried a second
/// later.
#[derive(Default)]
pub struct Pace {
    inner: std::sync::Mutex<PaceState>,
}

#[derive(Default)]
struct PaceState {
    /// Calls per second, once learned.
    rate: Option<f64>,
    /// The next free send time.
    next: Option<std::time::Instant>,
    /// Calls answered other than with a 429 in the last second.
    recent: std::collections::VecDeque<std::time::Instant>,
    last_throttle: Option<std::time::Instant>,
    /// The most calls seen getting through in a second: the best estimate of the limit.
    peak: f64,
    /// The pace that was in force at the last 429 burst (too fast, then).
    ceiling: Option<f64>,
    /// The limit (calls per second) the gateway's 429 message stated, if one did.
    stated: Option<f64>,
}

impl Pace {
    /// When the next call may go, if the API has throttled.
    fn slot(&self) -> Option<std::time::Instant> {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let rate = s.rate?;
        let now = std::time::Instant::now();
        let at = s.next.map_or(now, |n| n.max(now));
        s.next = Some(at + Duration::from_secs_f64(1.0 / rate));
        (at > now).then_some(at)
    }

    fn answered(&self) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        s.recent.push_back(now);
        while s
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            s.recent.pop_front();
        }
        if let Some(r) = s.rate {
            // Growing, but while the API throttled in the last ten seconds, not past 98% of
            // the most that got through in a second: a steady stream just under the limit
            // beats probing it every second (each probe's 429s wait a second to be sent
            // again).
            let grown = r * 1.0002;
            let recent = s
                .last_throttle
                .is_some_and(|t| now.duration_since(t) < Duration::from_secs(10));
            s.rate = Some(match (s.stated, s.ceiling) {
                (Some(limit), _) => grown.min(limit * 0.95),
                (None, Some(c)) if recent => grown.min((c * 0.95).max(r)),
                _ => grown,
            });
        }
    }

    /// A 429. `stated` is the limit the gateway's message states, if it does.
    fn throttled(&self, stated: Option<f64>) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        if let Some(limit) = stated.filter(|l| *l >= 1.0) {
            // The gateway said what it allows: pace to 95% of that, and never beyond.
            s.stated = Some(limit);
            s.last_throttle = Some(now);
            s.rate = Some(s.rate.unwrap_or(f64::MAX).min(limit * 0.95));
            return;
        }
        // One 429 burst is one signal: the calls in flight all see it.
        if s.last_throttle
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(500))
        {
            return;
        }
        s.last_throttle = Some(now);
        s.peak = s.peak.max(s.recent.len() as f64);
        s.ceiling = Some(s.rate.unwrap_or(s.peak));
        // Down by 15% for each 429 burst, but not below half of the best rate seen: a
        // burst after a quiet second says little about the limit.
        let rate = match s.rate {
            None => s.peak * 0.9,
            Some(r) => (r * 0.85).max(s.peak * 0.5),
        };
        s.rate = Some(rate.max(1.0));
    }

    /// The learned rate (calls per second), if the API has throttled.
    pub fn rate(&self) -> Option<f64> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).rate
    }
}

/// A successful answer's body as JSON (empty: null).
pub fn parse(text: &[u8]) -> Result<Json, serde_json::Error> {
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(Json::Null);
    }
    serde_json::from_slice(text)
}

/// The rate (calls per second) an API gateway's throttling message states, as in
/// "…policy user over ratelimit,limit:1000,time:1 second" (APIG.0308).
pub fn stated_limit(msg: &str) -> Option<f64> {
    let rest = &msg[msg.find("limit:")? + "limit:".len()..];
    let digits = |t: &str| -> Option<(f64, usize)> {
        let n = t.bytes().take_while(u8::is_ascii_digit).count();
        Some((t[..n].parse().ok()?, n))
    };
    let (limit, n) = digits(rest)?;
    let rest = rest[n..].strip_prefix(",time:")?.trim_start();
    let (count, n) = digits(rest)?;
    let unit = rest[n..].trim_start();
    let secs = [
        ("second", 1.0),
        ("minute", 60.0),
        ("hour", 3600.0),
        ("day", 86400.0),
    ]
    .iter()
    .find(|(u, _)| unit.starts_with(u))?
    .1;
    let per = count * secs;
    (per > 0.0).then(|| limit / per)
}

/// One learning step of an estimate (with when it last learned), unless it learned less
/// than half an estimate ago.
fn learn(learned: &mut (Duration, Option<Instant>), early: f64, now: Instant) {
    let (e, last) = learned;
    if last.is_some_and(|l| now.saturating_duration_since(l) < *e / 2) {
        return;
    }
    *e = next_estimate(*e, early);
    *last = Some(now);
}

/// The next estimate of a transition's length: first reads are timed to the estimate; when
/// a share `early` of them found the transition still under way, it grows by up to 25%,
/// and it shrinks by up to 5% when none did. It settles where about one first read in five
/// is early (stochastic approximation of that quantile): reads come soon after transitions
/// end, and an early read costs only a look at the next walk. One adjustment per walk (or
/// per single read), however many reads it served: a walk's readers are not independent
/// samples.
pub fn next_estimate(est: Duration, early: f64) -> Duration {
    let early = early.clamp(0.0, 1.0);
    let factor = 1.25f64.powf(early) * 0.95f64.powf(1.0 - early);
    est.mul_f64(factor)
        .clamp(Duration::from_millis(10), Duration::from_secs(3600))
}

/// Whether a call may be sent again when its outcome is unknown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads, and operations whose repetition the caller recognises (start, stop, delete).
    Safe,
    /// Creates: repeated only when the service certainly did not act (429).
    OnlyThrottled,
}

impl Client {
    pub fn new(config: ClientConfig) -> anyhow::Result<Client> {
        let url = reqwest::Url::parse(&config.endpoint)
            .map_err(|e| anyhow::anyhow!("invalid endpoint {:?}: {e}", config.endpoint))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => anyhow::bail!("invalid endpoint {:?}: no host", config.endpoint),
        };
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(config.insecure)
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .pool_max_idle_per_host(64)
            .user_agent(concat!("maform/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Client {
            http,
            base_path: url.path().trim_end_matches('/').to_string(),
            host,
            config,
            calls: AtomicU64::new(0),
            limit: AdaptiveLimit::new(32),
            watch_lane: tokio::sync::Semaphore::new(WATCH_LANE),
            waits: Default::default(),
            watches: Default::default(),
            pace: Pace::default(),
        })
    }

    /// How long a transition of `key` (kind and target) takes: when to read first.
    pub fn typical_wait(&self, key: WaitKey) -> Option<Duration> {
        self.waits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .map(|(e, _)| *e)
    }

    /// The first estimate, from the first wait that ended: between the last read that saw
    /// the transition under way and the one that saw it over.
    pub fn seed_wait(&self, key: WaitKey, took: Duration) {
        let mut m = self.waits.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key)
            .or_insert((took.max(Duration::from_millis(10)), None));
    }

    /// Adjust the estimate by what first reads found: `early` is the share of them that
    /// came before the transition was over. See [`next_estimate`]. At most one step per
    /// half an estimate: reads made together (waits that started together) are one
    /// signal, not one each (thirty early reads at once would grow it 800-fold).
    pub fn learn_wait(&self, key: WaitKey, early: f64) {
        let mut m = self.waits.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(learned) = m.get_mut(&key) {
            learn(learned, early, Instant::now());
        }
    }

    /// The watches, by kind.
    pub(super) fn watches(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<&'static str, Watch>> {
        self.watches.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many calls may be in flight now.
    pub fn concurrency(&self) -> usize {
        self.limit.current()
    }

    /// API calls sent so far (retries included).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn url_and_path(&self, path: &str, query: &[(&str, String)]) -> (String, String, String) {
        let full_path = format!("{}/v1/{}{}", self.base_path, self.config.project_id, path);
        let mut q: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        q.sort();
        let qs = q
            .iter()
            .map(|(k, v)| format!("{}={}", signer::escape(k), signer::escape(v)))
            .collect::<Vec<_>>()
            .join("&");
        let scheme_host = self.config.endpoint.split("://").next().unwrap_or("https");
        let url = if qs.is_empty() {
            format!("{scheme_host}://{}{full_path}", self.host)
        } else {
            format!("{scheme_host}://{}{full_path}?{qs}", self.host)
        };
        (url, full_path, qs)
    }

    /// One API call under `/v1/{project_id}`, with retries.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Json>,
        retry: Retry,
    ) -> Result<Json, ApiError> {
        self.call_in(Lane::Normal, method, path, query, body, retry)
            .await
    }

    /// [`Client::call`] in a given lane.
    pub async fn call_in(
        &self,
        lane: Lane,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Json>,
        retry: Retry,
    ) -> Result<Json, ApiError> {
        let (status, request_id, text) = self
            .call_bytes_in(lane, method, path, query, body, retry)
            .await?;
        parse(&text).map_err(|e| self.not_json(status, request_id, method, path, &e))
    }

    /// The error for a successful answer whose body is not what was expected.
    pub fn not_json(
        &self,
        status: u16,
        request_id: Option<String>,
        method: &str,
        path: &str,
        e: &serde_json::Error,
    ) -> ApiError {
        ApiError {
            status,
            code: "INVALID_RESPONSE".into(),
            message: format!("the service answered with a body that is not JSON ({e})"),
            request_id,
            method: method.into(),
            path: self.url_and_path(path, &[]).1,
        }
    }

    /// One API call in `lane`, with retries: the status, request id and body of its
    /// successful answer, for callers that read the body their own way.
    pub async fn call_bytes_in(
        &self,
        lane: Lane,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Json>,
        retry: Retry,
    ) -> Result<(u16, Option<String>, bytes::Bytes), ApiError> {
        let (url, full_path, qs) = self.url_and_path(path, query);
        let bytes = body
            .map(|b| serde_json::to_vec(b).expect("JSON serialises"))
            .unwrap_or_default();
        let mut delays = crate::retry::api(self.config.max_retries);
        loop {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let permit = match lane {
                Lane::Normal => &self.limit.sem,
                Lane::Watch => &self.watch_lane,
            }
            .acquire()
            .await
            .expect("the semaphore is never closed");
            if let Some(at) = self.pace.slot() {
                tokio::time::sleep_until(at.into()).await;
            }
            let result = self
                .send_once(method, &url, &full_path, &qs, &bytes, body.is_some())
                .await;
            match &result {
                Err((e, _)) if e.status == 429 => {
                    self.limit.throttled();
                    self.pace.throttled(stated_limit(&e.message));
                }
                Ok(_) => {
                    self.limit.succeeded();
                    self.pace.answered();
                }
                // The API answered (not a 429): the call went through its rate limiter.
                Err((e, _)) if e.status != 0 => self.pace.answered(),
                _ => {}
            }
            // A permit owed since the limit fell is forgotten instead of returned.
            let owed = self.limit.owed.load(Ordering::Relaxed);
            if lane == Lane::Normal
                && owed > 0
                && self
                    .limit
                    .owed
                    .compare_exchange(owed, owed - 1, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            {
                permit.forget();
            } else {
                drop(permit);
            }
            let (retryable, wait) = match &result {
                Ok(_) => return result.map_err(|(e, _)| e),
                Err((e, retry_after)) => {
                    let throttled = e.status == 429;
                    let server = e.status >= 500 || e.status == 0;
                    let ok = throttled || (server && retry == Retry::Safe);
                    (ok, *retry_after)
                }
            };
            let Some(backoff) = delays.next().filter(|_| retryable) else {
                return result.map_err(|(e, _)| e);
            };
            // The service says when: honour it, spread a little.
            let sleep = match wait {
                Some(ra) => ra + Duration::from_millis(rand::thread_rng().gen_range(0..250)),
                None => backoff,
            };
            tokio::time::sleep(sleep).await;
        }
    }

    async fn send_once(
        &self,
        method: &str,
        url: &str,
        path: &str,
        qs: &str,
        body: &[u8],
        has_body: bool,
    ) -> Result<(u16, Option<String>, bytes::Bytes), (ApiError, Option<Duration>)> {
        let date = chrono::Utc::now().format(signer::DATE_FORMAT).to_string();
        let mut headers: Vec<(String, String)> = vec![
            ("Host".into(), self.host.clone()),
            ("X-Sdk-Date".into(), date),
            ("X-Project-Id".into(), self.config.project_id.clone()),
        ];
        if has_body {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        match &self.config.credentials {
            Credentials::AkSk {
                ak,
                sk,
                security_token,
            } => {
                if let Some(t) = security_token {
                    headers.push(("X-Security-Token".into(), t.clone()));
                }
                let auth = signer::sign(
                    ak,
                    sk,
                    &signer::Request {
                        method,
                        path,
                        query: qs,
                        headers: &headers,
                        body,
                    },
                );
                headers.push(("Authorization".into(), auth));
            }
            Credentials::Token(t) => headers.push(("X-Auth-Token".into(), t.clone())),
            Credentials::None => {}
        }
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("valid method");
        let mut rb = self.http.request(m, url);
        for (k, v) in &headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if has_body {
            rb = rb.body(body.to_vec());
        }
        let resp = rb.send().await.map_err(|e| {
            (
                ApiError::transport(
                    method,
                    path,
                    format!("cannot reach the ModelArts API: {}", describe(&e)),
                ),
                None,
            )
        })?;
        let status = resp.status().as_u16();
        let request_id = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = resp.bytes().await.map_err(|e| {
            (
                ApiError::transport(
                    method,
                    path,
                    format!("the response was cut off: {}", describe(&e)),
                ),
                None,
            )
        })?;
        if (200..300).contains(&status) {
            return Ok((status, request_id, text));
        }
        let j: Json = serde_json::from_slice(&text).unwrap_or(Json::Null);
        let code = j
            .get("error_code")
            .or_else(|| j.get("errorCode"))
            .or_else(|| j.get("code"))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        let message = j
            .get("error_msg")
            .or_else(|| j.get("error_message"))
            .or_else(|| j.get("errorMsg"))
            .or_else(|| j.get("message"))
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| String::from_utf8_lossy(&text[..text.len().min(300)]).into_owned());
        Err((
            ApiError {
                status,
                code,
                message,
                request_id,
                method: method.into(),
                path: path.into(),
            },
            retry_after,
        ))
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{learn, next_estimate, stated_limit, AdaptiveLimit, Pace};
    use std::time::{Duration, Instant};

    /// A pace that has seen `n` answers in the last second.
    fn pace_with(n: usize) -> Pace {
        let p = Pace::default();
        for _ in 0..n {
            p.answered();
        }
        p
    }

    #[test]
    fn pace_is_learned_from_the_first_429_and_spaces_calls() {
        let p = pace_with(1000);
        assert!(p.slot().is_none(), "unpaced until the API throttles");
        p.throttled(None);
        assert_eq!(p.rate(), Some(900.0), "90% of what got through");
        // Calls are spaced 1/900 s apart.
        let (a, b) = (p.slot(), p.slot().unwrap());
        let a = a.unwrap_or_else(Instant::now);
        let gap = b.duration_since(a);
        assert!(
            gap >= Duration::from_micros(1100) && gap <= Duration::from_micros(1120),
            "{gap:?}"
        );
    }

    #[test]
    fn one_burst_is_one_signal_and_the_pace_never_collapses() {
        let p = pace_with(1000);
        p.throttled(None);
        p.throttled(None);
        assert_eq!(p.rate(), Some(900.0), "the same burst");
        // Later bursts lower it by 15% each, but never below half the best rate seen,
        // even when they come after a quiet second.
        for _ in 0..10 {
            p.inner.lock().unwrap().last_throttle = Some(Instant::now() - Duration::from_secs(1));
            p.inner.lock().unwrap().recent.clear();
            p.throttled(None);
        }
        assert_eq!(p.rate(), Some(500.0));
        // It stays under the pace that was throttled for ten seconds, then grows back as
        // calls are answered (0.02% each: about 20% a second).
        for _ in 0..1000 {
            p.answered();
        }
        assert_eq!(p.rate(), Some(500.0));
        p.inner.lock().unwrap().last_throttle = Some(Instant::now() - Duration::from_secs(11));
        for _ in 0..1000 {
            p.answered();
        }
        assert!(p.rate().unwrap() > 600.0);
    }

    #[test]
    fn reads_made_together_teach_the_estimate_once() {
        let t0 = Instant::now();
        let mut learned = (Duration::from_millis(500), None);
        // Thirty waits that started together all read early: one step up.
        for _ in 0..30 {
            learn(&mut learned, 1.0, t0);
        }
        assert_eq!(learned.0, next_estimate(Duration::from_millis(500), 1.0));
        let once = learned.0;
        // Half an estimate later, the next signal counts.
        learn(&mut learned, 0.0, t0 + once / 2);
        assert_eq!(learned.0, next_estimate(once, 0.0));
    }

    #[test]
    fn a_stated_limit_sets_the_pace_for_good() {
        let m = "The throttling threshold has been reached: policy user over ratelimit,limit:1000,time:1 second";
        assert_eq!(stated_limit(m), Some(1000.0));
        assert_eq!(
            stated_limit("policy user over ratelimit,limit:120,time:1 minute"),
            Some(2.0)
        );
        assert_eq!(stated_limit("limit:XX,time:1 minute"), None);
        assert_eq!(stated_limit("limit:5,time:1 fortnight"), None);
        assert_eq!(stated_limit("Too many requests"), None);
        let p = pace_with(3000);
        p.throttled(Some(1000.0));
        assert_eq!(p.rate(), Some(950.0), "95% of the stated limit");
        for _ in 0..10_000 {
            p.answered();
        }
        assert_eq!(p.rate(), Some(950.0), "and never beyond");
        // Without a stated limit, growth stops short of the pace that was throttled.
        let q = pace_with(1000);
        q.throttled(None);
        for _ in 0..10_000 {
            q.answered();
        }
        assert!(q.rate().unwrap() <= 950.0, "{:?}", q.rate());
    }

    #[test]
    fn halves_on_throttling_and_grows_back_one_per_window() {
        let l = AdaptiveLimit::new(8);
        l.throttled();
        assert_eq!((l.current(), l.sem.available_permits()), (4, 4));
        // The other calls of the same 429 burst are the same signal.
        l.throttled();
        assert_eq!(l.current(), 4);
        // A later burst halves again.
        *l.last_fall.lock().unwrap() =
            Some(std::time::Instant::now() - std::time::Duration::from_secs(1));
        l.throttled();
        assert_eq!(l.current(), 2);
        for _ in 0..2 {
            l.succeeded();
        }
        assert_eq!((l.current(), l.sem.available_permits()), (3, 3));
        for _ in 0..100 {
            l.succeeded();
        }
        assert_eq!(l.current(), 8, "back to the maximum, not beyond");
    }

    #[test]
    fn permits_in_use_when_the_limit_falls_are_owed_not_leaked() {
        let l = AdaptiveLimit::new(8);
        let held: Vec<_> = (0..8).map(|_| l.sem.try_acquire().unwrap()).collect();
        l.throttled();
        assert_eq!(l.current(), 4);
        assert_eq!(l.owed.load(std::sync::atomic::Ordering::Relaxed), 4);
        // Growing back while permits are owed pays the debt instead of adding permits.
        for _ in 0..4 {
            l.succeeded();
        }
        assert_eq!(l.current(), 5);
        assert_eq!(l.owed.load(std::sync::atomic::Ordering::Relaxed), 3);
        drop(held);
    }
}
