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
            // Go's filepath.Dir: everything before the last separator, cleaned.
            let p = s(&args[0], "the path")?;
            let dir = match p.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => p[..i].to_string(),
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
                // (`~user/...`: another user's home, which Terraform refuses too.)
                Some(_) => {
                    return Err(format!(
                        "cannot expand {p:?}: only ~ and ~/... name a home directory"
                    ))
                }
                None => p,
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
    let glob = glob_regex(pattern)?;
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
            // Links are followed, as Terraform's os.Stat does (a directory link is not
            // descended into: it could loop).
            let ft = e.file_type().map_err(|e| e.to_string())?;
            let is_file = ft.is_file() || (ft.is_symlink() && e.path().is_file());
            if ft.is_dir() {
                stack.push(r);
            } else if is_file {
                let text = r.to_string_lossy().replace('\\', "/");
                if glob.is_match(&text) {
                    out.push(text);
                }
            }
        }
    }
    out.sort();
    Ok(Value::List(out.into_iter().map(Value::String).collect()))
}

/// A glob as a regular expression (which matches in linear time, whatever the pattern):
/// `*` and `?` stay within a directory, `**/` spans any number of them, `[...]` and
/// `{a,b}` as in Terraform's fileset.
fn glob_regex(p: &str) -> Result<regex_lite::Regex, String> {
    if p.len() > 4096 {
        return Err("the pattern is longer than 4096 characters".into());
    }
    let mut re = String::from("^");
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut braces = 0usize;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                if chars.get(i + 2) == Some(&'/') {
                    re.push_str("(?:.*/)?");
                    i += 3;
                } else {
                    re.push_str(".*");
                    i += 2;
                }
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => match chars[i + 1..].iter().position(|c| *c == ']') {
                Some(end) => {
                    let class: String = chars[i + 1..i + 1 + end].iter().collect();
                    let class = match class.strip_prefix(['!', '^']) {
                        Some(rest) => format!("^/{}", rest.replace('\\', "\\\\")),
                        None => class.replace('\\', "\\\\"),
                    };
                    re.push('[');
                    re.push_str(&class);
                    re.push(']');
                    i += end + 2;
                    continue;
                }
                None => re.push_str("\\["),
            },
            '{' => {
                braces += 1;
                re.push_str("(?:");
            }
            '}' if braces > 0 => {
                braces -= 1;
                re.push(')');
            }
            ',' if braces > 0 => re.push('|'),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                re.push_str(&regex_lite::escape(&chars[i].to_string()));
            }
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
        i += 1;
    }
    if braces > 0 {
        return Err(format!("the pattern {p:?} has an unclosed {{"));
    }
    re.push('$');
    regex_lite::Regex::new(&re).map_err(|e| format!("invalid pattern {p:?}: {e}"))
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
            ("a.(x)+", "a.(x)+", true),
        ] {
            assert_eq!(super::glob_regex(p).unwrap().is_match(t), want, "{p} {t}");
        }
    }
}
