//! Filesystem functions. Paths are relative to the configuration directory; every file a
//! function reads, or looks for, is noted for the saved plan's digest.

use super::{arity, note_read, s, Cx};
use crate::value::Value;
use base64::Engine;
use std::path::{Component, Path, PathBuf};

pub(super) fn call(name: &str, args: &[Value], cx: &Cx<'_>) -> Option<Result<Value, String>> {
    let path = || {
        arity(args, 1)
            .and_then(|()| s(&args[0], "the path"))
            .map(|p| cx.base_dir.join(p))
    };
    Some(match name {
        "file" => path().and_then(|p| {
            String::from_utf8(read_bounded(&p)?)
                .map(Value::String)
                .map_err(|_| {
                    format!(
                        "{} is not UTF-8 text; use filebase64 for binary files",
                        p.display()
                    )
                })
        }),
        "filebase64" => path().and_then(|p| {
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(read_bounded(&p)?),
            ))
        }),
        "fileexists" => path().and_then(|p| {
            note_read(&p);
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => Ok(Value::Bool(true)),
                Ok(_) => Err(format!("{} is not a regular file", p.display())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
                Err(e) => Err(format!("cannot look at {}: {e}", p.display())),
            }
        }),
        "fileset" => arity(args, 2).and_then(|()| {
            let dir = cx.base_dir.join(s(&args[0], "the path")?);
            let pattern = s(&args[1], "the pattern")?;
            fileset(&dir, &pattern)
        }),
        "abspath" => arity(args, 1).and_then(|()| {
            let p = PathBuf::from(s(&args[0], "the path")?);
            let abs = if p.is_absolute() {
                p
            } else {
                std::env::current_dir()
                    .map_err(|e| format!("cannot read the working directory: {e}"))?
                    .join(p)
            };
            Ok(Value::String(clean(&abs).display().to_string()))
        }),
        "basename" => arity(args, 1).and_then(|()| {
            let p = s(&args[0], "the path")?;
            let t = p.trim_end_matches('/');
            Ok(Value::str(if p.is_empty() {
                "."
            } else if t.is_empty() {
                "/"
            } else {
                t.rsplit('/').next().unwrap_or(t)
            }))
        }),
        "dirname" => arity(args, 1).and_then(|()| {
            let p = s(&args[0], "the path")?;
            let dir = match p.trim_end_matches('/').rsplit_once('/') {
                Some(("", _)) => "/".to_string(),
                Some((d, _)) => d.to_string(),
                None if p.starts_with('/') => "/".to_string(),
                None => ".".to_string(),
            };
            Ok(Value::String(clean(Path::new(&dir)).display().to_string()))
        }),
        "pathexpand" => arity(args, 1).and_then(|()| {
            let p = s(&args[0], "the path")?;
            Ok(Value::String(match p.strip_prefix('~') {
                Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                    let home = std::env::var("HOME")
                        .map_err(|_| "HOME is not set, so ~ cannot be expanded".to_string())?;
                    format!("{home}{rest}")
                }
                _ => p,
            }))
        }),
        _ => return None,
    })
}

/// A file's bytes: regular files up to the evaluator's string bound (a device, a pipe or
/// a huge file is not configuration).
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    note_read(path);
    let max = super::super::eval::MAX_STRING as u64;
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return Err(format!("{} is not a regular file", path.display())),
        Ok(m) if m.len() > max => {
            return Err(format!(
                "{} has {} bytes, more than {max}",
                path.display(),
                m.len()
            ))
        }
        _ => {}
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// `a/./b/../c` → `a/c`, as Go's filepath.Clean.
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The files under `dir` whose path relative to it matches `pattern` (`*`, `?`, `[...]`,
/// `{a,b}` and `**` for any number of directories), sorted.
fn fileset(dir: &Path, pattern: &str) -> Result<Value, String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    let mut seen = 0usize;
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        note_read(&here);
        let rd = match std::fs::read_dir(&here) {
            Ok(rd) => rd,
            Err(e) if rel.as_os_str().is_empty() && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Value::List(vec![]))
            }
            Err(e) => return Err(format!("cannot list {}: {e}", here.display())),
        };
        for e in rd {
            let e = e.map_err(|e| format!("cannot list {}: {e}", here.display()))?;
            seen += 1;
            if seen > 100_000 {
                return Err(format!("{} holds more than 100000 entries", dir.display()));
            }
            let r = rel.join(e.file_name());
            let ft = e.file_type().map_err(|e| e.to_string())?;
            if ft.is_dir() {
                stack.push(r);
            } else if ft.is_file() {
                let text = r.to_string_lossy().replace('\\', "/");
                if glob(pattern.as_bytes(), text.as_bytes()) {
                    out.push(text);
                }
            }
        }
    }
    out.sort();
    Ok(Value::List(out.into_iter().map(Value::String).collect()))
}

/// Match a path against a glob: `*` and `?` stay within a directory, `**/` spans any
/// number of them.
fn glob(p: &[u8], t: &[u8]) -> bool {
    match p {
        [] => t.is_empty(),
        [b'*', b'*', b'/', rest @ ..] => {
            glob(rest, t)
                || t.iter()
                    .enumerate()
                    .any(|(i, c)| *c == b'/' && glob(rest, &t[i + 1..]))
        }
        [b'*', b'*'] => true,
        [b'*', rest @ ..] => (0..=t.len())
            .take_while(|&i| i == 0 || t[i - 1] != b'/')
            .any(|i| glob(rest, &t[i..])),
        [b'?', rest @ ..] => t.first().is_some_and(|c| *c != b'/') && glob(rest, &t[1..]),
        [b'[', rest @ ..] => {
            let Some(end) = rest.iter().position(|c| *c == b']') else {
                return t.first() == Some(&b'[') && glob(rest, &t[1..]);
            };
            let (class, after) = (&rest[..end], &rest[end + 1..]);
            let (neg, class) = match class {
                [b'^' | b'!', c @ ..] => (true, c),
                c => (false, c),
            };
            let Some(&c) = t.first() else { return false };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != neg && c != b'/' && glob(after, &t[1..])
        }
        [b'{', rest @ ..] => {
            let Some(end) = rest.iter().position(|c| *c == b'}') else {
                return t.first() == Some(&b'{') && glob(rest, &t[1..]);
            };
            let after = &rest[end + 1..];
            rest[..end].split(|c| *c == b',').any(|alt| {
                let mut q = alt.to_vec();
                q.extend_from_slice(after);
                glob(&q, t)
            })
        }
        [b'\\', c, rest @ ..] => t.first() == Some(c) && glob(rest, &t[1..]),
        [c, rest @ ..] => t.first() == Some(c) && glob(rest, &t[1..]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn globs_match_as_terraform_fileset_does() {
        for (p, t, want) in [
            ("*.txt", "a.txt", true),
            ("*.txt", "d/a.txt", false),
            ("**/*.txt", "a.txt", true),
            ("**/*.txt", "d/e/a.txt", true),
            ("d/**", "d/e/a", true),
            ("?.txt", "ab.txt", false),
            ("[a-c].txt", "b.txt", true),
            ("[!a-c].txt", "b.txt", false),
            ("{a,b}.txt", "b.txt", true),
            ("{a,b}.txt", "c.txt", false),
        ] {
            assert_eq!(super::glob(p.as_bytes(), t.as_bytes()), want, "{p} {t}");
        }
    }
}
