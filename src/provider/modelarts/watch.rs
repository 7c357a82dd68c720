//! Waits served by shared list walks. When many operations of one kind wait at once (an
//! apply or destroy of hundreds of objects), their status reads are not one GET each: a
//! walker per kind reads the list, newest first, when the earliest read is due, and
//! answers every wait whose object it saw. Walks are spaced by most of the learned
//! transition time, and each stops as soon as it has answered the reads that were due.
//!
//! A deleted object is in no list, so its absence has to be proven: a list page is one
//! snapshot, and a page sorted by creation time whose items were created both before and
//! after the object (or the whole list in one page) would hold it if it existed. Offsets
//! shift while objects come and go, so absence from a walk is never proof by itself; a
//! read the walks cannot answer is made with a GET.

use super::client::{Client, Lane, Retry};
use super::objects::{done, get, get_in, Kind};
use crate::provider::kind::{Listing, Target};
use crate::provider::ApiError;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Waits of one kind from which on their reads share walks (below it, each is a GET).
pub const SHARE_FROM: usize = 32;

/// What a walk learned about one object.
#[derive(Debug)]
pub enum Seen {
    /// Its body, as a page showed it.
    Body(Json),
    /// It no longer exists (proven by a page, see the module's comment).
    Gone,
    /// The walk could not tell: read it with a GET.
    Unknown,
    /// Not read: an object of the same kind whose wait for the same target began earlier
    /// is still in transition, so this one is taken to be too (see [`probe`]).
    Pending,
}

/// What a wait's read found.
#[derive(Debug)]
pub enum Observed {
    /// The object's body (`None`: it is gone).
    Now(Option<Json>),
    /// Presumed still in transition, not read (see [`Seen::Pending`]).
    Pending,
}

/// One read waiting for a walk.
struct Read {
    id: String,
    /// Its creation time (ms, the service's clock), when known: what lets a page prove
    /// that it is gone.
    created: Option<i64>,
    target: Target,
    /// When its wait began.
    began: Instant,
    /// Whether it may be answered `Pending` (not after a few in a row, nor for the
    /// last read before the wait's timeout: a wait must see its own object).
    may_pend: bool,
    /// When the read is wanted; a walk may answer it earlier if it is over.
    due: Instant,
    /// Whether this is the wait's first read (what the transition estimate learns from).
    first: bool,
    tx: tokio::sync::oneshot::Sender<Seen>,
}

/// The waits of one kind.
#[derive(Default)]
pub struct Watch {
    /// Waits of this kind under way.
    waiters: usize,
    /// Reads waiting for a walk.
    reads: Vec<Read>,
    /// Whether a walker task runs.
    walker: bool,
}

/// Counts a wait of `kind` while it lives.
pub struct Waiting<'a> {
    c: &'a Client,
    key: &'static str,
}

impl<'a> Waiting<'a> {
    pub fn new(c: &'a Client, kind: Kind) -> Waiting<'a> {
        let key = kind.type_name();
        c.watches().entry(key).or_default().waiters += 1;
        Waiting { c, key }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some(w) = self.c.watches().get_mut(self.key) {
            w.waiters = w.waiters.saturating_sub(1);
        }
    }
}

/// Read one object's body at `due` (`None` once it is gone), for a wait that began at
/// `began`: through the kind's walks when `SHARE_FROM` or more of its waits are under
/// way, else with a GET.
#[allow(clippy::too_many_arguments)]
pub async fn read_at(
    c: &Arc<Client>,
    kind: Kind,
    id: &str,
    created: Option<i64>,
    target: Target,
    (began, may_pend): (Instant, bool),
    due: Instant,
    first: bool,
) -> Result<Observed, ApiError> {
    let rx = {
        let mut m = c.watches();
        let w = m.entry(kind.type_name()).or_default();
        if w.waiters < SHARE_FROM {
            None
        } else {
            let (tx, rx) = tokio::sync::oneshot::channel();
            w.reads.push(Read {
                id: id.to_string(),
                created,
                target,
                began,
                may_pend,
                due,
                first,
                tx,
            });
            if !w.walker {
                w.walker = true;
                tokio::spawn(walker(c.clone(), kind));
            }
            Some(rx)
        }
    };
    let Some(rx) = rx else {
        tokio::time::sleep_until(due.into()).await;
        let b = get(c, kind, id).await?;
        if first {
            let early = matches!(done(kind, target, b.as_ref()), Ok(false));
            c.learn_wait((kind.type_name(), target), if early { 1.0 } else { 0.0 });
        }
        return Ok(Observed::Now(b));
    };
    match rx.await {
        Ok(Seen::Body(b)) => Ok(Observed::Now(Some(b))),
        Ok(Seen::Gone) => Ok(Observed::Now(None)),
        Ok(Seen::Pending) => Ok(Observed::Pending),
        // Not seen, or the walk failed (its sender dropped).
        Ok(Seen::Unknown) | Err(_) => get(c, kind, id).await.map(Observed::Now),
    }
}

/// Before any wait for a target has been seen to end (no transition estimate yet), a
/// walk would find nearly every object still in transition, and an early walk costs as
/// many pages as there are waits. So the due reads of such a target are first settled
/// with one GET, of the object whose wait began first: while it is still in transition,
/// the others (which began later) are answered `Pending` and read again later; once it is
/// over, the others are walked for. Returns the reads left for the walk.
async fn probe(c: &Client, kind: Kind, due: Vec<Read>) -> Vec<Read> {
    let mut left = Vec::new();
    let mut unseeded: HashMap<Target, Vec<Read>> = HashMap::new();
    for r in due {
        if !r.may_pend || c.typical_wait((kind.type_name(), r.target)).is_some() {
            left.push(r);
        } else {
            unseeded.entry(r.target).or_default().push(r);
        }
    }
    for (target, mut reads) in unseeded {
        if reads.len() < 2 {
            left.extend(reads);
            continue;
        }
        let Some(i) = (0..reads.len()).min_by_key(|&i| reads[i].began) else {
            continue;
        };
        let oldest = reads.swap_remove(i);
        // In the watch lane: at the start of a wave the normal lane holds the wave's
        // creates (or deletes), and every wait of the target waits for this read.
        match get_in(c, Lane::Watch, kind, &oldest.id).await {
            Ok(b) => {
                let under_way = matches!(done(kind, target, b.as_ref()), Ok(false));
                let _ = oldest.tx.send(match b {
                    Some(b) => Seen::Body(b),
                    None => Seen::Gone,
                });
                if under_way {
                    for r in reads {
                        let _ = r.tx.send(Seen::Pending);
                    }
                } else {
                    left.extend(reads);
                }
            }
            // (Its wait reads it again; the others are walked for.)
            Err(_) => {
                left.push(oldest);
                left.extend(reads);
            }
        }
    }
    left
}

/// Walks are at least this far apart: three quarters of the shortest transition estimate
/// of the reads waiting, within 50 ms and 2 s (each walk reads every awaited object newer
/// than the due ones: walking less often reads each fewer times).
fn spacing(c: &Client, kind: Kind, reads: &[Read]) -> Duration {
    let mut targets: Vec<Target> = reads.iter().map(|r| r.target).collect();
    targets.dedup();
    targets
        .into_iter()
        .filter_map(|t| c.typical_wait((kind.type_name(), t)))
        .min()
        .unwrap_or(Duration::from_millis(100))
        .mul_f64(0.75)
        .clamp(Duration::from_millis(50), Duration::from_secs(2))
}

/// The walker of one kind: walks while reads wait, then ends.
async fn walker(c: Arc<Client>, kind: Kind) {
    let key = kind.type_name();
    let mut last: Option<Instant> = None;
    loop {
        let at = {
            let mut m = c.watches();
            let w = m.entry(key).or_default();
            w.reads.retain(|r| !r.tx.is_closed());
            let Some(first_due) = w.reads.iter().map(|r| r.due).min() else {
                w.walker = false;
                return;
            };
            let gap = spacing(&c, kind, &w.reads);
            last.map_or(first_due, |l| first_due.max(l + gap))
        };
        tokio::time::sleep_until(at.into()).await;
        let now = Instant::now();
        last = Some(now);
        let reads = std::mem::take(&mut c.watches().entry(key).or_default().reads);
        let (due, later): (Vec<Read>, Vec<Read>) = reads
            .into_iter()
            .filter(|r| !r.tx.is_closed())
            .partition(|r| r.due <= now);
        let due = probe(&c, kind, due).await;
        let result = walk(&c, kind, &due, &later).await;
        let mut back = Vec::new();
        let Ok(mut seen) = result else {
            // The walk failed: the reads that were due are made with GETs (their senders
            // drop), the others wait for the next walk.
            c.watches().entry(key).or_default().reads.extend(later);
            continue;
        };
        // What first reads found teaches the transition estimate, once per walk and
        // target.
        let late = spacing(&c, kind, &due) / 2 + (Instant::now() - now);
        let mut firsts: HashMap<Target, (usize, usize)> = HashMap::new();
        for r in due {
            let s = answer(&r, seen.remove(&r.id));
            // A read that came late says nothing when it finds the transition over.
            let on_time = now.saturating_duration_since(r.due) <= late;
            if r.first {
                let early = match &s {
                    Seen::Body(b) => Some(matches!(done(kind, r.target, Some(b)), Ok(false))),
                    Seen::Gone => Some(false),
                    Seen::Unknown | Seen::Pending => None,
                }
                .filter(|early| *early || on_time);
                if let Some(early) = early {
                    let e = firsts.entry(r.target).or_default();
                    e.0 += 1;
                    e.1 += usize::from(early);
                }
            }
            let _ = r.tx.send(s);
        }
        for (target, (n, early)) in firsts {
            c.learn_wait((key, target), early as f64 / n as f64);
        }
        // Reads not yet due are answered now if what the walk saw ends their wait.
        for r in later {
            let over = match seen.get(&r.id) {
                Some(Seen::Body(b)) => !matches!(done(kind, r.target, Some(b)), Ok(false)),
                Some(Seen::Gone) => r.target == Target::Gone,
                _ => false,
            };
            if over {
                let s = answer(&r, seen.remove(&r.id));
                let _ = r.tx.send(s);
            } else {
                back.push(r);
            }
        }
        c.watches().entry(key).or_default().reads.extend(back);
    }
}

/// What a read is answered: what the walk saw, except that only a deletion's wait takes a
/// page's word that the object is gone (a new object may reach the lists late: a GET
/// decides).
fn answer(r: &Read, s: Option<Seen>) -> Seen {
    match s {
        Some(Seen::Gone) if r.target != Target::Gone => Seen::Unknown,
        Some(s) => s,
        None => Seen::Unknown,
    }
}

/// One walk: what it saw of the objects of `due` and `later`, reading pages newest first
/// until every read of `due` is answered (seen, or proven gone), the list ends, or the
/// walk has spent half as many calls as there are due reads (beyond that, GETs are
/// cheaper).
async fn walk(
    c: &Arc<Client>,
    kind: Kind,
    due: &[Read],
    later: &[Read],
) -> Result<HashMap<String, Seen>, ApiError> {
    let mut seen: HashMap<String, Seen> = HashMap::new();
    if due.is_empty() {
        return Ok(seen);
    }
    let wanted: HashMap<&str, Option<i64>> = due
        .iter()
        .chain(later)
        .map(|r| (r.id.as_str(), r.created))
        .collect();
    // The wanted objects with a known creation time, oldest first: the ones a page of a
    // sorted list can prove gone.
    let mut by_time: Vec<(i64, &str)> = wanted
        .iter()
        .filter_map(|(id, t)| t.map(|t| (t, *id)))
        .collect();
    by_time.sort_unstable();
    let (size, sorted) = match kind.listing() {
        Listing::All { query, key } => {
            let q: Vec<(&str, String)> = query.iter().map(|(k, v)| (*k, v.to_string())).collect();
            let r = c
                .call_in(Lane::Watch, "GET", kind.collection(), &q, None, Retry::Safe)
                .await?;
            let Some(all) = r[key].as_array() else {
                return Err(super::objects::invalid(
                    kind,
                    &format!("a list that is not {{total_count, {key}}}"),
                    &r,
                ));
            };
            // One call answers for the whole list.
            let mut here = std::collections::HashSet::new();
            for o in all {
                if let Some((id, _)) = o["id"].as_str().and_then(|i| wanted.get_key_value(i)) {
                    here.insert(*id);
                    seen.insert(id.to_string(), Seen::Body(o.clone()));
                }
            }
            for id in wanted.keys().filter(|id| !here.contains(*id)) {
                seen.insert(id.to_string(), Seen::Gone);
            }
            return Ok(seen);
        }
        Listing::Paged { size, sorted } => (size, sorted),
    };
    // The walk is over when every due read is answered, or when it has gone past the
    // creation time of each one still unanswered: an object created while the walk ran
    // pushes the others one place back, so one may slip between two pages read at once;
    // its wait reads it with a GET rather than the walk reading on to its budget.
    let mut oldest_seen: Option<i64> = None;
    let answered = |seen: &HashMap<String, Seen>, oldest: Option<i64>| {
        due.iter().all(|r| {
            seen.contains_key(&r.id)
                || (sorted && matches!((r.created, oldest), (Some(t), Some(o)) if t > o))
        })
    };
    let budget = due.len().div_ceil(2).max(2);
    // Deletions run newest first and a deleted object leaves the list, so the objects
    // deleted longest ago (the due ones) are the newest left: the first page shows them
    // and proves gone what is no longer there. Objects being created are the newest, the
    // ones not due yet in front of the due ones.
    let deleting = due.iter().all(|r| r.target == Target::Gone);
    let (mut offset, mut spent, mut last_round) = (0usize, 0usize, 0usize);
    while spent < budget && !answered(&seen, oldest_seen) {
        // First as many pages as the awaited objects fill (for deletions, the due ones),
        // then twice
        // as many each round, up to
        // sixteen: each round costs a round trip, each page beyond the last needed one a
        // call.
        let n = if spent == 0 {
            let ahead = if deleting { 0 } else { later.len() };
            (due.len() + ahead).div_ceil(size) + 1
        } else {
            (last_round * 2).max(2)
        }
        .min(16)
        .min(budget - spent);
        last_round = n;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            let off = offset + i * size;
            let c = c.clone();
            set.spawn(async move { (off, page_bytes(&c, kind, size, sorted, off).await) });
        }
        spent += n;
        offset += n * size;
        let mut end = false;
        while let Some(r) = set.join_next().await {
            let (off, page) = r.map_err(|e| super::objects::list_task_failed(kind, e))?;
            let (status, request_id, bytes) = page?;
            let light: LightPage<'_> = serde_json::from_slice(&bytes)
                .map_err(|e| c.not_json(status, request_id, "GET", kind.collection(), &e))?;
            // The list ends on this page when it is short or reaches the total.
            let last = light.data.len() < size || off + light.data.len() >= light.total;
            end |= last;
            let page = Page::new(kind, sorted, &light.data, off == 0, last)
                .map_err(|e| c.not_json(status, None, "GET", kind.collection(), &e))?;
            if let Some(t) = page.oldest {
                oldest_seen = Some(oldest_seen.map_or(t, |o: i64| o.min(t)));
            }
            page.learn(&wanted, &by_time, &mut seen)
                .map_err(|e| c.not_json(status, None, "GET", kind.collection(), &e))?;
        }
        if end {
            break;
        }
    }
    Ok(seen)
}

/// One page of a paged list, newest first, as it came: its items are parsed only as far
/// as the walk needs (most are someone else's, or not awaited).
async fn page_bytes(
    c: &Client,
    kind: Kind,
    size: usize,
    sorted: bool,
    offset: usize,
) -> Result<(u16, Option<String>, bytes::Bytes), ApiError> {
    let q = super::objects::page_query(size, sorted, offset, "DESC");
    c.call_bytes_in(Lane::Watch, "GET", kind.collection(), &q, None, Retry::Safe)
        .await
}

/// A list page, its items unparsed.
#[derive(serde::Deserialize)]
struct LightPage<'a> {
    #[serde(borrow)]
    data: Vec<&'a serde_json::value::RawValue>,
    /// How many objects the list holds.
    total: usize,
}

/// What every item is parsed for.
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    status: Option<std::borrow::Cow<'a, str>>,
}

/// One list page: a snapshot of part of the list.
struct Page<'a> {
    kind: Kind,
    items: &'a [&'a serde_json::value::RawValue],
    /// It starts the list.
    first: bool,
    /// It ends the list.
    last: bool,
    /// Creation times of its first and last items, in a list sorted by creation time.
    newest: Option<i64>,
    oldest: Option<i64>,
}

impl<'a> Page<'a> {
    fn new(
        kind: Kind,
        sorted: bool,
        items: &'a [&'a serde_json::value::RawValue],
        first: bool,
        last: bool,
    ) -> Result<Page<'a>, serde_json::Error> {
        let time = |raw: Option<&&serde_json::value::RawValue>| match raw {
            Some(r) if sorted => Ok(kind.created_ms(&serde_json::from_str(r.get())?)),
            _ => Ok(None),
        };
        Ok(Page {
            kind,
            items,
            first,
            last,
            newest: time(items.first())?,
            oldest: time(items.last())?,
        })
    }

    /// Record the wanted objects the page shows, and those it proves gone: in a list
    /// sorted newest first, an object created strictly between the page's first and last
    /// items (or after the first item of the list's last page, or before the last item of
    /// its first page) would be on the page; in any list, a page that is the whole list
    /// holds everything there is.
    fn learn<'w>(
        &self,
        wanted: &HashMap<&'w str, Option<i64>>,
        by_time: &[(i64, &'w str)],
        seen: &mut HashMap<String, Seen>,
    ) -> Result<(), serde_json::Error> {
        let kind = self.kind;
        let mut here = std::collections::HashSet::new();
        for raw in self.items {
            let head: Head<'_> = serde_json::from_str(raw.get())?;
            if let Some((id, _)) = wanted.get_key_value(head.id.as_ref()) {
                here.insert(*id);
                // Gone is final: a later page cannot bring an object back.
                if matches!(seen.get(*id), Some(Seen::Gone)) {
                    continue;
                }
                // An object still in transition ends no wait: its id and status are all
                // anyone reads of it (most items of a walk during a large apply).
                let body = match head.status.as_deref() {
                    Some(st) if kind.status(st).is_transitional() => {
                        serde_json::json!({"id": id, "status": st})
                    }
                    _ => serde_json::from_str(raw.get())?,
                };
                seen.insert(id.to_string(), Seen::Body(body));
            }
        }
        let gone = |id: &str, seen: &mut HashMap<String, Seen>| {
            if !here.contains(id) {
                seen.insert(id.to_string(), Seen::Gone);
            }
        };
        if self.first && self.last {
            for id in wanted.keys() {
                gone(id, seen);
            }
            return Ok(());
        }
        if self.items.is_empty() {
            return Ok(());
        }
        let (newest, oldest) = (self.newest, self.oldest);
        // The creation times this page covers, exclusive: (lo, hi).
        let hi = if self.first { Some(i64::MAX) } else { newest };
        let lo = if self.last { Some(i64::MIN) } else { oldest };
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(());
        };
        let start = by_time.partition_point(|(t, _)| *t <= lo);
        for (t, id) in &by_time[start..] {
            if *t >= hi {
                break;
            }
            gone(id, seen);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NB: Kind = &super::super::notebook::Notebook;

    fn nb(id: &str, t: i64) -> Json {
        json!({"id": id, "status": "RUNNING", "create_at": t})
    }

    fn learn(items: &[Json], first: bool, last: bool, sorted: bool) -> HashMap<String, Seen> {
        let wanted: HashMap<&str, Option<i64>> = [
            ("a", Some(100)),
            ("b", Some(200)),
            ("c", Some(300)),
            ("d", None),
        ]
        .into_iter()
        .collect();
        let mut by_time: Vec<(i64, &str)> = wanted
            .iter()
            .filter_map(|(id, t)| t.map(|t| (t, *id)))
            .collect();
        by_time.sort_unstable();
        let mut seen = HashMap::new();
        let text: Vec<String> = items.iter().map(|j| j.to_string()).collect();
        let raw: Vec<&serde_json::value::RawValue> = text
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        Page::new(NB, sorted, &raw, first, last)
            .unwrap()
            .learn(&wanted, &by_time, &mut seen)
            .unwrap();
        seen
    }

    fn kinds(seen: &HashMap<String, Seen>) -> Vec<String> {
        let mut v: Vec<String> = seen
            .iter()
            .map(|(id, s)| {
                format!(
                    "{id}:{}",
                    match s {
                        Seen::Body(_) => "body",
                        Seen::Gone => "gone",
                        Seen::Unknown | Seen::Pending => "?",
                    }
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_page_proves_gone_only_what_it_would_hold() {
        // A middle page from 350 down to 150: b (200) is missing from it, so gone; a (100)
        // and c (300)... c is inside too. a is outside the page's range; d has no time.
        let page = [nb("x", 350), nb("c", 300), nb("y", 150)];
        assert_eq!(
            kinds(&learn(&page, false, false, true)),
            ["b:gone", "c:body"]
        );
        // Equal times at the edges prove nothing (ties may sit on the next page).
        let page = [nb("x", 300), nb("y", 200)];
        assert!(learn(&page, false, false, true).is_empty());
        // The list's first page covers everything newer than its last item.
        let page = [nb("x", 250)];
        assert_eq!(kinds(&learn(&page, true, false, true)), ["c:gone"]);
        // Its last page everything older than its first item.
        let page = [nb("x", 250)];
        assert_eq!(
            kinds(&learn(&page, false, true, true)),
            ["a:gone", "b:gone"]
        );
        // An unsorted list's page proves nothing unless it is the whole list.
        let page = [nb("x", 350), nb("y", 50)];
        assert!(learn(&page, false, false, false).is_empty());
        assert_eq!(
            kinds(&learn(&page, true, true, false)),
            ["a:gone", "b:gone", "c:gone", "d:gone"]
        );
        // An empty middle page proves nothing.
        assert!(learn(&[], false, false, true).is_empty());
    }
}
