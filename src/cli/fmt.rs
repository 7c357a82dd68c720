//! `maform fmt`: two-space indentation by nesting, `=` aligned across consecutive
//! arguments, one blank line at most; heredocs and comments kept as written.

use super::Exit;
use std::path::{Path, PathBuf};

/// The brackets of a line in order (+1 open, -1 close), ignoring strings and comments,
/// and the delimiter of a heredoc it starts.
fn brackets(line: &str) -> (Vec<i32>, Option<String>) {
    let mut events = Vec::new();
    let mut in_str = false;
    let mut esc = false;
    let mut interp = 0;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut heredoc = None;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '$' && chars.get(i + 1) == Some(&'{') {
                interp += 1;
                i += 1;
            } else if c == '}' && interp > 0 {
                interp -= 1;
            } else if c == '"' && interp == 0 {
                in_str = false;
            }
        } else {
            match c {
                '"' => in_str = true,
                '#' => break,
                '/' if chars.get(i + 1) == Some(&'/') => break,
                '{' | '[' | '(' => events.push(1),
                '}' | ']' | ')' => events.push(-1),
                '<' if chars.get(i + 1) == Some(&'<') => {
                    let rest: String = chars[i + 2..].iter().collect();
                    let rest = rest.trim_start_matches('-');
                    let delim: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !delim.is_empty() {
                        heredoc = Some(delim);
                    }
                    break;
                }
                _ => {}
            }
        }
        i += 1;
    }
    (events, heredoc)
}

fn scan(line: &str) -> (i32, bool, Option<String>) {
    let (ev, h) = brackets(line);
    (
        ev.iter().sum(),
        ev.first() == Some(&-1)
            && matches!(line.trim_start().chars().next(), Some('}' | ']' | ')')),
        h,
    )
}

fn attr_key(line: &str) -> Option<usize> {
    let t = line.trim_start();
    let key: String = t
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if key.is_empty() {
        return None;
    }
    let rest = t[key.len()..].trim_start();
    (rest.starts_with('=') && !rest.starts_with("==")).then_some(key.len())
}

pub fn format(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    // One entry per line whose brackets are still open: how many it left open. A line
    // indents one level per such line, however many brackets each opened.
    let mut open: Vec<i32> = Vec::new();
    let mut lines = text.lines();
    let mut blank = false;
    while let Some(raw) = lines.next() {
        let t = raw.trim();
        if t.is_empty() {
            if !blank && !out.is_empty() {
                out.push(String::new());
            }
            blank = true;
            continue;
        }
        blank = false;
        let (events, heredoc) = brackets(t);
        let close_first = matches!(t.chars().next(), Some('}' | ']' | ')'));
        let mut levels = open.len();
        let mut opened = 0;
        let mut leading = close_first;
        for e in events {
            if e > 0 {
                opened += 1;
                leading = false;
            } else if opened > 0 {
                opened -= 1;
            } else if let Some(top) = open.last_mut() {
                *top -= 1;
                if *top == 0 {
                    open.pop();
                    if leading {
                        levels = open.len();
                    }
                }
            }
        }
        out.push(format!("{}{}", "  ".repeat(levels), t));
        if opened > 0 {
            open.push(opened);
        }
        if let Some(delim) = heredoc {
            for h in lines.by_ref() {
                out.push(h.to_string());
                if h.trim() == delim {
                    break;
                }
            }
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    // Align `=` in runs of single-line arguments at the same indentation.
    let mut i = 0;
    while i < out.len() {
        let indent = out[i].len() - out[i].trim_start().len();
        if attr_key(&out[i]).is_none() {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut width = 0;
        while j < out.len() {
            let ind = out[j].len() - out[j].trim_start().len();
            match attr_key(&out[j]) {
                Some(k)
                    if ind == indent
                        && scan(out[j].trim()).0 == 0
                        && scan(out[j].trim()).2.is_none() =>
                {
                    width = width.max(k);
                    j += 1;
                }
                _ => break,
            }
        }
        for line in out.iter_mut().take(j).skip(i) {
            let t = line.trim_start().to_string();
            let k = attr_key(&t).expect("checked");
            let rest = t[k..].trim_start()[1..].trim_start().to_string();
            *line = format!("{}{:width$} = {rest}", " ".repeat(indent), &t[..k]);
        }
        i = j.max(i + 1);
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

pub fn run(dir: &Path, check: bool, files: &[PathBuf]) -> anyhow::Result<Exit> {
    let files: Vec<PathBuf> = if files.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "hcl" || e == "tfvars"))
            .collect();
        v.sort();
        v
    } else {
        files.to_vec()
    };
    let mut changed = 0;
    for f in files {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))?;
        crate::config::parse_text(&f.display().to_string(), &text)
            .map_err(|d| crate::config::Diags(vec![d]))?;
        let new = format(&text);
        if new != text {
            changed += 1;
            println!("{}", f.display());
            if !check {
                crate::fsutil::atomic_write(&f, new.as_bytes())?;
            }
        }
    }
    Ok(Exit(if check && changed > 0 { 3 } else { 0 }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn indents_and_aligns() {
        let src = "resource \"a\" \"b\" {\nname = \"x\"\n    image_id=\"y\"\nvolume {\ncategory = \"EVS\"\n}\n\n\n}\n";
        let want = "resource \"a\" \"b\" {\n  name     = \"x\"\n  image_id = \"y\"\n  volume {\n    category = \"EVS\"\n  }\n\n}\n";
        assert_eq!(super::format(src), want);
        assert_eq!(super::format(want), want);
    }
}
