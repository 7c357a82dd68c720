//! Date and time functions over RFC 3339 timestamps.

use super::{arity, s};
use crate::value::Value;
use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Timelike, Utc};
use std::sync::OnceLock;

/// The time this run started: `plantimestamp()`, and `timestamp()` too. Terraform leaves
/// `timestamp()` unknown until apply; maform takes the run's start, so that a plan shows
/// the value it will use (and a saved plan applies it unchanged).
fn run_started() -> DateTime<Utc> {
    static AT: OnceLock<DateTime<Utc>> = OnceLock::new();
    *AT.get_or_init(|| Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now))
}

/// `plantimestamp()`: when this run's plan was made.
pub fn plan_timestamp() -> String {
    rfc3339(&run_started().fixed_offset())
}

pub(super) fn call(name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    Some(match name {
        "timestamp" | "plantimestamp" => arity(args, 0).map(|()| Value::String(plan_timestamp())),
        "formatdate" => arity(args, 2).and_then(|()| {
            let spec = s(&args[0], "the format")?;
            let t = parse(&s(&args[1], "the timestamp")?)?;
            formatdate(&spec, &t).map(Value::String)
        }),
        "timeadd" => arity(args, 2).and_then(|()| {
            let t = parse(&s(&args[0], "the timestamp")?)?;
            let d = duration(&s(&args[1], "the duration")?)?;
            let out = t
                .checked_add_signed(d)
                .ok_or("the result is out of the range of timestamps")?;
            Ok(Value::String(rfc3339(&out)))
        }),
        "timecmp" => arity(args, 2).and_then(|()| {
            let a = parse(&s(&args[0], "the first timestamp")?)?;
            let b = parse(&s(&args[1], "the second timestamp")?)?;
            Ok(Value::Number(match a.cmp(&b) {
                std::cmp::Ordering::Less => -1.0,
                std::cmp::Ordering::Equal => 0.0,
                std::cmp::Ordering::Greater => 1.0,
            }))
        }),
        _ => return None,
    })
}

/// Go's `time.RFC3339`, as Terraform formats timestamps: whole seconds.
fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse(t: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(t).map_err(|_| {
        format!("{t:?} is not a timestamp in RFC 3339 form, such as \"2024-01-31T15:04:05Z\"")
    })
}

/// Go's duration syntax: `1h30m`, `-10m`, `1.5h`, `300ms`.
fn duration(d: &str) -> Result<chrono::Duration, String> {
    let bad = || format!("{d:?} is not a duration such as \"1h30m\", \"-10m\" or \"300ms\"");
    let (neg, mut rest) = match d.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, d.strip_prefix('+').unwrap_or(d)),
    };
    if rest == "0" {
        return Ok(chrono::Duration::zero());
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut nanos: f64 = 0.0;
    while !rest.is_empty() {
        let k = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let x: f64 = rest[..k].parse().map_err(|_| bad())?;
        rest = &rest[k..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        nanos += x * unit;
        rest = &rest[u..];
    }
    if nanos > 9.2e18 {
        return Err(bad());
    }
    let d = chrono::Duration::nanoseconds(nanos as i64);
    Ok(if neg { -d } else { d })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Terraform's `formatdate` specification: runs of one letter are fields, `'...'` is
/// literal text, other characters stand for themselves.
fn formatdate(spec: &str, t: &DateTime<FixedOffset>) -> Result<String, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err("a quoted literal in the format is not closed".into()),
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        out.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(&x) => {
                        out.push(x);
                        j += 1;
                    }
                }
            }
            if j == i + 1 {
                out.push('\'');
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j] == c {
            j += 1;
        }
        let run: String = chars[i..j].iter().collect();
        let off = t.offset().local_minus_utc();
        let (sign, h, m) = (
            if off < 0 { '-' } else { '+' },
            off.abs() / 3600,
            off.abs() % 3600 / 60,
        );
        let h12 = match t.hour() % 12 {
            0 => 12,
            x => x,
        };
        out.push_str(&match run.as_str() {
            "YYYY" => format!("{:04}", t.year()),
            "YY" => format!("{:02}", t.year() % 100),
            "MMMM" => MONTHS[t.month0() as usize].to_string(),
            "MMM" => MONTHS[t.month0() as usize][..3].to_string(),
            "MM" => format!("{:02}", t.month()),
            "M" => t.month().to_string(),
            "DD" => format!("{:02}", t.day()),
            "D" => t.day().to_string(),
            "EEEE" => DAYS[t.weekday().num_days_from_monday() as usize].to_string(),
            "EEE" => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_string(),
            "hh" => format!("{:02}", t.hour()),
            "h" => t.hour().to_string(),
            "HH" => format!("{h12:02}"),
            "H" => h12.to_string(),
            "AA" => if t.hour() < 12 { "AM" } else { "PM" }.to_string(),
            "aa" => if t.hour() < 12 { "am" } else { "pm" }.to_string(),
            "mm" => format!("{:02}", t.minute()),
            "m" => t.minute().to_string(),
            "ss" => format!("{:02}", t.second()),
            "s" => t.second().to_string(),
            "ZZZZZ" => format!("{sign}{h:02}:{m:02}"),
            "ZZZZ" => format!("{sign}{h:02}{m:02}"),
            "ZZZ" if off == 0 => "UTC".to_string(),
            "ZZZ" => format!("{sign}{h:02}{m:02}"),
            "Z" if off == 0 => "Z".to_string(),
            "Z" => format!("{sign}{h:02}:{m:02}"),
            other => {
                return Err(format!(
                    "invalid date format verb {other:?}: write literal letters in single quotes"
                ))
            }
        });
        i = j;
    }
    Ok(out)
}
