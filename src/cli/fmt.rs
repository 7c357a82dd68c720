//! `maform fmt`: the canonical layout, applied to hcl-edit's syntax tree (which keeps
//! comments and every expression as written): two-space indentation by nesting, `=`
//! aligned across consecutive single-line arguments and object items, at most one blank
//! line, heredocs untouched.

use super::Exit;
use hcl_edit::expr::ObjectKey;
use hcl_edit::expr::{Expression, ObjectValueTerminator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::{Decorate, RawString};
use std::path::{Path, PathBuf};

fn text(r: Option<&RawString>) -> String {
    r.map(|r| r.to_string()).unwrap_or_default()
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
}

/// Whitespace and comments before an item that starts a line: its comment lines at `pad`,
/// at most one blank line (none when `no_blank`), then `pad` for the item itself.
/// `full` says whether the text starts at the beginning of a line; if not, its first
/// piece is the rest of the previous line, where only a comment is kept.
fn lead(text: &str, pad: &str, full: bool, no_blank: bool) -> String {
    let pieces: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    let (head, lines) = if full {
        ("", &pieces[..pieces.len() - 1])
    } else {
        (pieces[0], &pieces[1..pieces.len().saturating_sub(1).max(1)])
    };
    if is_comment(head) {
        out.push(' ');
        out.push_str(head.trim());
    }
    if !full {
        out.push('\n');
    }
    let mut blank = no_blank;
    for l in lines {
        if l.trim().is_empty() {
            if !blank {
                out.push('\n');
                blank = true;
            }
        } else {
            out.push_str(pad);
            out.push_str(l.trim());
            out.push('\n');
            blank = false;
        }
    }
    out.push_str(pad);
    out
}

/// A trailing comment after an item, on its line, with one space before it.
fn tail(text: &str) -> String {
    if is_comment(text) {
        format!(" {}", text.trim())
    } else {
        String::new()
    }
}

fn is_single_line(e: &Expression) -> bool {
    !e.to_string().trim().contains('\n')
}

fn format_body(body: &mut Body, indent: usize, top: bool) {
    let pad = " ".repeat(indent);
    let n = body.len();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut run_start: Option<usize> = None;
    for i in 0..n {
        let Some(s) = body.get_mut(i) else { continue };
        let prefix = text(s.decor().prefix());
        let starts_run = prefix.contains('\n') || i == 0;
        let new_prefix = lead(&prefix, &pad, true, i == 0);
        let suffix = tail(&text(s.decor().suffix()));
        s.decor_mut().set_prefix(new_prefix);
        s.decor_mut().set_suffix(suffix);
        let aligned = match s {
            Structure::Attribute(a) => {
                a.key.decor_mut().set_prefix("");
                format_expr(&mut a.value, indent);
                is_single_line(&a.value)
            }
            Structure::Block(b) => {
                b.ident.decor_mut().set_prefix("");
                b.ident.decor_mut().set_suffix(" ");
                for l in b.labels.iter_mut() {
                    l.decor_mut().set_prefix("");
                    l.decor_mut().set_suffix(" ");
                }
                format_block_body(&mut b.body, indent);
                false
            }
        };
        match (aligned, run_start) {
            (true, Some(_)) if !starts_run => {}
            (true, _) => {
                if let Some(st) = run_start {
                    runs.push((st, i));
                }
                run_start = Some(i);
            }
            (false, _) => {
                if let Some(st) = run_start.take() {
                    runs.push((st, i));
                }
            }
        }
    }
    if let Some(st) = run_start {
        runs.push((st, n));
    }
    for (a, b) in runs {
        let width = (a..b)
            .filter_map(|i| body.get(i)?.as_attribute().map(|x| x.key.len()))
            .max()
            .unwrap_or(0);
        for i in a..b {
            if let Some(attr) = body.get_mut(i).and_then(Structure::as_attribute_mut) {
                let spaces = width - attr.key.len() + 1;
                attr.key.decor_mut().set_suffix(" ".repeat(spaces));
                attr.value.decor_mut().set_prefix(" ");
            }
        }
    }
    if top {
        // The end of the file: its comments, then nothing.
        let end = text(body.decor().suffix());
        let kept: Vec<&str> = end.lines().filter(|l| is_comment(l)).collect();
        let mut s = String::new();
        for l in kept {
            s.push_str(l.trim());
            s.push('\n');
        }
        body.decor_mut().set_suffix(s);
    }
}

fn format_block_body(body: &mut Body, indent: usize) {
    let single = body.len() == 1 && body.get(0).is_some_and(Structure::is_attribute);
    let oneline = body.prefer_oneline() && (body.is_empty() || single);
    if oneline {
        if let Some(a) = body.get_mut(0).and_then(Structure::as_attribute_mut) {
            a.decor_mut().set_prefix(" ");
            a.decor_mut().set_suffix(" ");
            a.key.decor_mut().set_suffix(" ");
            a.value.decor_mut().set_prefix(" ");
        }
        return;
    }
    let head = tail(&text(body.decor().prefix()));
    let end = lead(
        &text(body.decor().suffix()),
        &" ".repeat(indent),
        true,
        false,
    );
    // Blank lines before the closing brace collapse to one, as anywhere else.
    body.decor_mut().set_prefix(head);
    body.decor_mut().set_suffix(end);
    format_body(body, indent + 2, false);
}

fn format_expr(e: &mut Expression, indent: usize) {
    let multiline = !is_single_line(e);
    let pad = " ".repeat(indent);
    let inner = " ".repeat(indent + 2);
    match e {
        Expression::Array(a) => {
            for v in a.iter_mut() {
                if multiline {
                    let p = lead(&text(v.decor().prefix()), &inner, false, true);
                    v.decor_mut().set_prefix(p);
                    v.decor_mut().set_suffix("");
                }
                format_expr(v, indent + 2);
            }
            if multiline {
                let t = lead(a.trailing(), &pad, false, true);
                a.set_trailing(t);
            }
        }
        Expression::Object(o) => {
            if !multiline {
                for (_, v) in o.iter_mut() {
                    format_expr(v.expr_mut(), indent);
                }
                return;
            }
            let trailing = a_trailing(o.trailing());
            let mut first = true;
            let mut width = 0;
            for (mut k, v) in o.iter_mut() {
                let p = text(k.decor().prefix());
                k.decor_mut().set_prefix(lead(&p, &inner, !first, true));
                first = false;
                v.set_terminator(ObjectValueTerminator::Newline);
                v.expr_mut().decor_mut().set_prefix(" ");
                format_expr(v.expr_mut(), indent + 2);
                width = width.max(key_len(k.get()));
            }
            for (mut k, v) in o.iter_mut() {
                let len = key_len(k.get());
                let aligned = is_single_line(v.expr());
                k.decor_mut()
                    .set_suffix(" ".repeat(if aligned { width - len + 1 } else { 1 }));
            }
            o.set_trailing(lead(&trailing, &pad, true, true));
        }
        Expression::FuncCall(f) => {
            for a in f.args.iter_mut() {
                format_expr(a, indent);
            }
        }
        Expression::Parenthesis(p) => format_expr(p.inner_mut(), indent),
        _ => {}
    }
}

fn key_len(k: &ObjectKey) -> usize {
    match k {
        ObjectKey::Ident(i) => i.len(),
        ObjectKey::Expression(e) => e.to_string().trim().len(),
    }
}

/// An object's trailing text with the first line (after the last value's terminator)
/// kept whole.
fn a_trailing(t: &RawString) -> String {
    t.to_string()
}

/// The canonical layout of `text`; invalid HCL is an error naming where.
pub fn format(text: &str) -> Result<String, hcl_edit::parser::Error> {
    let mut body = hcl_edit::parser::parse_body(text)?;
    format_body(&mut body, 0, true);
    let mut out = body.to_string();
    let trimmed = out.trim_end_matches(['\n', ' ']).len();
    out.truncate(trimmed);
    out.push('\n');
    Ok(out)
}

/// What `fmt` does besides rewriting.
pub struct Mode {
    /// Only check; exit 3 if a file would change.
    pub check: bool,
    /// Subdirectories too (hidden ones, such as `.maform`, are skipped).
    pub recursive: bool,
    /// Print each change as a unified diff.
    pub diff: bool,
}

/// The configuration and variables files of `dir` (and below it, when `recursive`).
fn files_of(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if p.is_dir() {
            if recursive && !hidden {
                files_of(&p, recursive, out)?;
            }
        } else if !hidden
            && p.extension()
                .is_some_and(|e| e == "hcl" || e == "tf" || e == "tfvars")
        {
            out.push(p);
        }
    }
    Ok(())
}

pub fn run(dir: &Path, mode: Mode, files: &[PathBuf]) -> anyhow::Result<Exit> {
    let check = mode.check;
    let files: Vec<PathBuf> = if files.is_empty() {
        let mut v = Vec::new();
        files_of(dir, mode.recursive, &mut v)?;
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
        let new = format(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        if new != text {
            changed += 1;
            println!("{}", f.display());
            if mode.diff {
                let name = f.display().to_string();
                print!(
                    "{}",
                    similar::TextDiff::from_lines(text.as_str(), new.as_str())
                        .unified_diff()
                        .header(&format!("old/{name}"), &format!("new/{name}"))
                );
            }
            if !check {
                crate::fsutil::atomic_write(&f, new.as_bytes())?;
            }
        }
    }
    Ok(Exit(if check && changed > 0 { 3 } else { 0 }))
}

#[cfg(test)]
mod tests {
    use super::format;

    fn same(src: &str, want: &str) {
        let got = format(src).unwrap();
        assert_eq!(got, want, "\n--- got:\n{got}\n--- want:\n{want}");
        assert_eq!(format(want).unwrap(), want, "formatting is idempotent");
    }

    #[test]
    fn indents_and_aligns() {
        same(
            "resource \"a\" \"b\" {\nname = \"x\"\n    image_id=\"y\"\nvolume {\ncategory = \"EVS\"\n}\n\n\n}\n",
            "resource \"a\" \"b\" {\n  name     = \"x\"\n  image_id = \"y\"\n  volume {\n    category = \"EVS\"\n  }\n\n}\n",
        );
    }

    #[test]
    fn comments_stay_where_they_are() {
        same(
            "# top\nlocals {\n      # about a\n  a = 1 # one\n\n\n\n  bb = 2\n}\n# end\n",
            "# top\nlocals {\n  # about a\n  a = 1 # one\n\n  bb = 2\n}\n# end\n",
        );
    }

    #[test]
    fn collections_indent_by_nesting() {
        same(
            "locals {\nl = [\n\"a\",\n      \"b\",\n]\no = {\nx = 1\n  long_key = [1, 2]\n}\n}\n",
            "locals {\n  l = [\n    \"a\",\n    \"b\",\n  ]\n  o = {\n    x        = 1\n    long_key = [1, 2]\n  }\n}\n",
        );
    }

    #[test]
    fn heredocs_and_one_line_blocks_are_kept() {
        same(
            "locals {\n  s = <<EOT\n   keep   this\nEOT\n}\nresource \"t\" \"n\" { name = \"x\" }\n",
            "locals {\n  s = <<EOT\n   keep   this\nEOT\n}\nresource \"t\" \"n\" { name = \"x\" }\n",
        );
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert!(format("resource {").is_err());
    }
}
