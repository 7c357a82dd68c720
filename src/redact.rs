//! The last line of defence for secrets in messages: every value this run knows to be
//! secret (sensitive variables, sensitive attributes of the configuration, the secret key
//! and token) is registered here, and every diagnostic, progress line and JSON message the
//! CLI writes is scrubbed of them. A message that would have shown one shows
//! `(sensitive value)` instead.
//!
//! Messages are also built not to carry values that are known to be sensitive (a variable
//! that fails its type conversion, a validation message that reads a secret, a function
//! called with one); this catches what they cannot know, such as a service error that
//! echoes a request field.

use std::borrow::Cow;
use std::sync::RwLock;

/// What a scrubbed secret becomes.
pub const MASK: &str = "(sensitive value)";

/// Secrets shorter than this are replaced only as a whole word (not inside a longer run
/// of letters and digits), so that a short secret does not mangle every message.
const WORD_BELOW: usize = 6;

/// Shorter values are not scrubbed from every message: a secret `1` or `abc` would
/// rewrite counts and words everywhere and so give itself away (and break JSON). Messages
/// that know they carry such a value mask it where they are made.
const MIN_GLOBAL: usize = 4;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remember `secret` for the rest of the process, as written and in the escaped forms a
/// message can quote it in (Rust's `{:?}`, JSON).
pub fn register(secret: &str) {
    if secret.chars().count() < MIN_GLOBAL || secret == MASK {
        return;
    }
    let debug = format!("{secret:?}");
    let json = serde_json::to_string(secret).unwrap_or_default();
    let forms = [
        secret.to_string(),
        debug[1..debug.len() - 1].to_string(),
        json.get(1..json.len().saturating_sub(1))
            .unwrap_or("")
            .to_string(),
    ];
    let mut s = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for f in forms {
        if f.is_empty() || s.contains(&f) {
            continue;
        }
        // Longest first: a secret that contains another is replaced whole.
        let at = s.partition_point(|x| x.len() >= f.len());
        s.insert(at, f);
    }
}

/// Register every string leaf of a value (numbers and booleans are too short a secret to
/// scrub everywhere; see [`MIN_GLOBAL`]).
pub fn register_value(v: &crate::value::Value) {
    use crate::value::Value;
    match v {
        Value::String(s) => register(s),
        Value::List(l) => l.iter().for_each(register_value),
        Value::Map(m) => m.values().for_each(register_value),
        Value::Sensitive(x) => register_value(x),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Unknown => {}
    }
}

/// A JSON document with every string in it scrubbed (keys included); numbers, booleans
/// and the document's shape are left as they are.
pub fn scrub_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let Cow::Owned(x) = scrub(s) {
                *s = x;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(scrub_json),
        serde_json::Value::Object(o) => {
            let entries = std::mem::take(o);
            for (k, mut x) in entries {
                scrub_json(&mut x);
                o.insert(scrub(&k).into_owned(), x);
            }
        }
        _ => {}
    }
}

/// `text` with every registered secret replaced by [`MASK`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    scrub_with(text, &secrets)
}

/// `text` without any form of `v` a message could quote: each string leaf as given, in
/// upper and lower case and escaped, each number as written.
pub fn scrub_value<'a>(text: &'a str, v: &crate::value::Value) -> Cow<'a, str> {
    fn leaves(v: &crate::value::Value, out: &mut Vec<String>) {
        use crate::value::Value;
        match v {
            Value::String(s) => {
                let escaped = format!("{s:?}");
                out.extend([
                    s.clone(),
                    s.to_ascii_uppercase(),
                    s.to_ascii_lowercase(),
                    escaped[1..escaped.len() - 1].to_string(),
                ]);
            }
            Value::Number(n) => out.push(crate::value::fmt_number(*n)),
            Value::List(l) => l.iter().for_each(|x| leaves(x, out)),
            Value::Map(m) => m.values().for_each(|x| leaves(x, out)),
            Value::Sensitive(x) => leaves(x, out),
            Value::Null | Value::Bool(_) | Value::Unknown => {}
        }
    }
    let mut secrets = Vec::new();
    leaves(v, &mut secrets);
    secrets.retain(|s| !s.is_empty());
    secrets.sort();
    secrets.dedup();
    secrets.sort_by_key(|x| std::cmp::Reverse(x.len()));
    scrub_with(text, &secrets)
}

/// `text` with each of `secrets` (longest first) replaced by [`MASK`].
pub fn scrub_with<'a>(text: &'a str, secrets: &[String]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for s in secrets {
        if !out.contains(s.as_str()) {
            continue;
        }
        let replaced = if s.chars().count() >= WORD_BELOW {
            out.replace(s.as_str(), MASK)
        } else {
            replace_words(&out, s)
        };
        out = Cow::Owned(replaced);
    }
    out
}

/// Replace `word` where it is not part of a longer run of letters and digits.
fn replace_words(text: &str, word: &str) -> String {
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(word) {
        let prev = rest[..i].chars().next_back().or(before);
        let next = rest[i + word.len()..].chars().next();
        let joined_before = is_word(prev) && word.starts_with(char::is_alphanumeric);
        let joined_after = is_word(next) && word.ends_with(char::is_alphanumeric);
        let whole = !joined_before && !joined_after;
        out.push_str(&rest[..i]);
        if whole {
            out.push_str(MASK);
        } else {
            out.push_str(word);
        }
        before = word.chars().next_back();
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(xs: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = xs.iter().map(|x| x.to_string()).collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.len()));
        v
    }

    #[test]
    fn long_secrets_go_wherever_they_are() {
        let secrets = s(&["hunter2-SECRET"]);
        assert_eq!(
            scrub_with("got \"notanumber-hunter2-SECRET\"", &secrets),
            "got \"notanumber-(sensitive value)\""
        );
        assert_eq!(scrub_with("nothing here", &secrets), "nothing here");
    }

    #[test]
    fn short_secrets_go_only_as_whole_words() {
        let secrets = s(&["pw1"]);
        assert_eq!(
            scrub_with("value \"pw1\" at main.hcl:3", &secrets),
            "value \"(sensitive value)\" at main.hcl:3"
        );
        assert_eq!(scrub_with("pw12 and xpw1", &secrets), "pw12 and xpw1");
        assert_eq!(
            scrub_with("pw1pw1 pw1", &secrets),
            "pw1pw1 (sensitive value)"
        );
    }

    #[test]
    fn a_secret_inside_another_is_replaced_whole() {
        let secrets = s(&["abcdefgh", "abcdefghijkl"]);
        assert_eq!(
            scrub_with("x abcdefghijkl y", &secrets),
            "x (sensitive value) y"
        );
    }

    #[test]
    fn leaves_of_values_are_registered_with_their_escaped_forms() {
        use crate::value::Value;
        register_value(&Value::List(vec![
            Value::str("leaf-secret-one"),
            Value::str("quote\"d\nline"),
            Value::Number(918273645.0),
            Value::str("ab1"),
        ]));
        assert_eq!(
            scrub("a leaf-secret-one and 918273645 and ab1"),
            "a (sensitive value) and 918273645 and ab1",
            "numbers and short strings are not scrubbed everywhere"
        );
        assert_eq!(
            scrub(r#"key "quote\"d\nline""#),
            r#"key "(sensitive value)""#
        );
        let mut j = serde_json::json!({"@message": "x quote\"d\nline", "add": 1});
        scrub_json(&mut j);
        assert_eq!(
            j,
            serde_json::json!({"@message": "x (sensitive value)", "add": 1})
        );
    }
}
