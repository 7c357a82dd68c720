//! String functions. Lengths and offsets count what a reader sees as one character
//! (grapheme clusters), as Terraform's do.

use super::{arity, int, list, n, s};
use crate::value::{fmt_number, Value};
use std::collections::BTreeMap;
use unicode_segmentation::UnicodeSegmentation;

pub(super) fn call(name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    Some(match name {
        "format" => match args.split_first() {
            Some((f, rest)) => s(f, "the format").and_then(|f| format(&f, rest).map(Value::String)),
            None => Err("needs a format string".into()),
        },
        "formatlist" => formatlist(args),
        // One separator, then one or more lists (joined as one, as Terraform's join).
        "join" => (if args.len() >= 2 {
            Ok(())
        } else {
            Err("takes a separator and at least one list".to_string())
        })
        .and_then(|()| {
            let sep = s(&args[0], "the separator")?;
            let mut items = Vec::new();
            for a in &args[1..] {
                items.extend(list(a, "the list")?.iter().cloned());
            }
            let parts = items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null => Err(format!("element {i} of the list is null")),
                    v => s(v, "each element"),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::String(parts.join(&sep)))
        }),
        "split" => arity(args, 2).and_then(|()| {
            let sep = s(&args[0], "the separator")?;
            let text = s(&args[1], "the string")?;
            Ok(Value::List(if text.is_empty() {
                vec![Value::str("")]
            } else if sep.is_empty() {
                text.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                text.split(sep.as_str()).map(Value::str).collect()
            }))
        }),
        "lower" => unary(args, |x| one_to_one(x, false)),
        "upper" => unary(args, |x| one_to_one(x, true)),
        "trimspace" => unary(args, |x| x.trim().to_string()),
        "chomp" => unary(args, |x| x.trim_end_matches(['\n', '\r']).to_string()),
        "strrev" => unary(args, |x| x.graphemes(true).rev().collect()),
        "title" => unary(args, title),
        "trim" => two(args, "the characters", |x, cut| {
            x.trim_matches(|c| cut.contains(c)).to_string()
        }),
        "trimprefix" => two(args, "the prefix", |x, p| {
            x.strip_prefix(p).unwrap_or(x).to_string()
        }),
        "trimsuffix" => two(args, "the suffix", |x, p| {
            x.strip_suffix(p).unwrap_or(x).to_string()
        }),
        "startswith" | "endswith" | "strcontains" => arity(args, 2).and_then(|()| {
            let a = s(&args[0], "the string")?;
            let b = s(&args[1], "the substring")?;
            Ok(Value::Bool(match name {
                "startswith" => a.starts_with(&b),
                "endswith" => a.ends_with(&b),
                _ => a.contains(&b),
            }))
        }),
        "indent" => arity(args, 2).and_then(|()| {
            let n = int(&args[0], "the number of spaces")?.clamp(0, 1 << 20) as usize;
            let text = s(&args[1], "the string")?;
            let grows = text.matches('\n').count().saturating_mul(n);
            if text.len().saturating_add(grows) > super::super::eval::MAX_STRING {
                return Err(format!(
                    "the result would be more than {} bytes",
                    super::super::eval::MAX_STRING
                ));
            }
            let pad = " ".repeat(n);
            Ok(Value::String(text.replace('\n', &format!("\n{pad}"))))
        }),
        "replace" => arity(args, 3).and_then(|()| {
            let text = s(&args[0], "the string")?;
            let from = s(&args[1], "the substring")?;
            let to = s(&args[2], "the replacement")?;
            Ok(Value::String(
                if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                    regex(&from[1..from.len() - 1])?
                        .replace_all(&text, to.as_str())
                        .into_owned()
                } else if from.is_empty() {
                    // As Go's strings.Replace: the empty string matches before every
                    // character and at the end.
                    let size = (text.chars().count() + 1)
                        .saturating_mul(to.len())
                        .saturating_add(text.len());
                    if size > super::super::eval::MAX_STRING {
                        return Err(format!(
                            "the result would be more than {} bytes",
                            super::super::eval::MAX_STRING
                        ));
                    }
                    let mut out = String::with_capacity(size);
                    out.push_str(&to);
                    for c in text.chars() {
                        out.push(c);
                        out.push_str(&to);
                    }
                    out
                } else {
                    text.replace(&from, &to)
                },
            ))
        }),
        "substr" => arity(args, 3).and_then(|()| {
            let full = s(&args[0], "the string")?;
            let text: Vec<&str> = full.graphemes(true).collect();
            let off = int(&args[1], "the offset")?;
            let len = int(&args[2], "the length")?;
            let count = text.len() as i64;
            // As cty does: an offset before the start is the start, one past the end
            // gives an empty string.
            let start = if off < 0 { (count + off).max(0) } else { off };
            if start >= count {
                return Ok(Value::str(""));
            }
            let end = if len < 0 {
                count
            } else {
                (start + len).min(count)
            };
            Ok(Value::String(text[start as usize..end as usize].concat()))
        }),
        "regex" => arity(args, 2).and_then(|()| {
            let re = capturing(&s(&args[0], "the pattern")?)?;
            let text = s(&args[1], "the string")?;
            let caps = re
                .captures(&text)
                .ok_or("the pattern did not match any part of the given string")?;
            Ok(captures(&re, &caps))
        }),
        "regexall" => arity(args, 2).and_then(|()| {
            let re = capturing(&s(&args[0], "the pattern")?)?;
            let text = s(&args[1], "the string")?;
            Ok(Value::List(
                re.captures_iter(&text).map(|c| captures(&re, &c)).collect(),
            ))
        }),
        _ => return None,
    })
}

fn unary(args: &[Value], f: impl Fn(&str) -> String) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(Value::String(f(&s(&args[0], "the argument")?)))
}

fn two(args: &[Value], what: &str, f: impl Fn(&str, &str) -> String) -> Result<Value, String> {
    arity(args, 2)?;
    Ok(Value::String(f(
        &s(&args[0], "the string")?,
        &s(&args[1], what)?,
    )))
}

/// Go's strings.Title: the first letter of each word upper case.
fn title(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    let mut start = true;
    for c in x.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !(c.is_alphanumeric() || c == '_');
    }
    out
}

/// A regular expression in RE2 syntax, with the error Terraform users can act on.
pub(super) fn regex(p: &str) -> Result<regex_lite::Regex, String> {
    regex_lite::Regex::new(p).map_err(|e| {
        // What RE2 has and maform's engine has not: said as such, not as a mistake.
        let unsupported = if p.contains("\\Q") {
            " (maform does not support RE2's \\Q...\\E quoting: escape each special character instead)"
        } else if p.contains("\\p") || p.contains("\\P") {
            " (maform does not support RE2's Unicode classes such as \\p{L}: use explicit ranges)"
        } else {
            ""
        };
        format!("invalid regular expression {p:?}: {e}{unsupported}")
    })
}

/// A pattern for `regex`/`regexall`, whose groups are all named or all unnamed (the result
/// is a map or a list), as Terraform requires.
fn capturing(p: &str) -> Result<regex_lite::Regex, String> {
    let re = regex(p)?;
    let named = re.capture_names().flatten().count();
    if named > 0 && named < re.captures_len() - 1 {
        return Err(format!(
            "the pattern {p:?} mixes named and unnamed capture groups; name all of them, or none"
        ));
    }
    Ok(re)
}

/// What `regex` returns for one match: the match itself without groups, a map with
/// named groups, a list with unnamed groups.
fn captures(re: &regex_lite::Regex, c: &regex_lite::Captures<'_>) -> Value {
    let text = |m: Option<regex_lite::Match<'_>>| m.map_or(Value::Null, |m| Value::str(m.as_str()));
    if re.captures_len() == 1 {
        return text(c.get(0));
    }
    if re.capture_names().flatten().next().is_some() {
        Value::Map(
            re.capture_names()
                .flatten()
                .map(|n| (n.to_string(), text(c.name(n))))
                .collect::<BTreeMap<_, _>>(),
        )
    } else {
        Value::List((1..re.captures_len()).map(|i| text(c.get(i))).collect())
    }
}

fn formatlist(args: &[Value]) -> Result<Value, String> {
    let Some((f, rest)) = args.split_first() else {
        return Err("needs a format string".into());
    };
    let f = s(f, "the format")?;
    let mut len = None;
    for a in rest {
        if let Value::List(l) = a {
            match len {
                Some(k) if k != l.len() => {
                    return Err("all list arguments must have the same length".into())
                }
                _ => len = Some(l.len()),
            }
        }
    }
    let Some(len) = len else {
        return Ok(Value::List(vec![Value::String(format(&f, rest)?)]));
    };
    (0..len)
        .map(|i| {
            let row: Vec<Value> = rest
                .iter()
                .map(|a| match a {
                    Value::List(l) => l[i].clone(),
                    v => v.clone(),
                })
                .collect();
            format(&f, &row).map(Value::String)
        })
        .collect::<Result<_, _>>()
        .map(Value::List)
}

/// Map each character to one character, as Go's `strings.ToUpper`/`ToLower` (what
/// Terraform's `upper`/`lower` use) do: Unicode's simple mapping, so a character whose
/// full mapping is several characters takes its simple one where Unicode has one (İ
/// lower-cases to i, ᾳ upper-cases to ᾼ) and else stays as it is (ß upper-cased is ß, not
/// SS); Σ lower-cases to σ wherever it stands.
fn one_to_one(x: &str, upper: bool) -> String {
    x.chars()
        .map(|c| {
            let (n, first) = if upper {
                let mut m = c.to_uppercase();
                (m.len(), m.next())
            } else {
                let mut m = c.to_lowercase();
                (m.len(), m.next())
            };
            if let (1, Some(one)) = (n, first) {
                return one;
            }
            let simple = match (upper, c as u32) {
                (false, 0x130) => Some('i'),
                (true, u @ (0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7)) => {
                    char::from_u32(u + 8)
                }
                (true, u @ (0x1FB3 | 0x1FC3 | 0x1FF3)) => char::from_u32(u + 9),
                _ => None,
            };
            simple.unwrap_or(c)
        })
        .collect()
}

/// Terraform's `format`: Go's verbs `%d %s %v %q %f %e %g %x %X %o %b %t %%`, with flags,
/// width, precision and explicit argument indexes (`%[2]s`).
pub(super) fn format(f: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut next = 0usize;
    // How many arguments the verbs used (an unused one is an error, as in Terraform).
    let mut used = 0usize;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&d) = it.peek() {
            if matches!(d, '-' | '+' | '#' | ' ' | '0') {
                flags.push(d);
                it.next();
            } else {
                break;
            }
        }
        if it.peek() == Some(&'[') {
            it.next();
            let mut ix = String::new();
            for d in it.by_ref() {
                if d == ']' {
                    break;
                }
                ix.push(d);
            }
            let i: usize = ix
                .parse()
                .map_err(|_| format!("invalid argument index [{ix}] in the format {f:?}"))?;
            if i == 0 {
                return Err("argument indexes start at 1".into());
            }
            next = i - 1;
        }
        // Widths and precisions beyond this cannot make a string a configuration can hold.
        const MOST: usize = 1 << 20;
        let digits = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Result<String, String> {
            let mut d = String::new();
            while let Some(&c) = it.peek().filter(|c| c.is_ascii_digit()) {
                d.push(c);
                it.next();
            }
            match d.parse::<usize>() {
                Ok(n) if n > MOST => Err(format!(
                    "the width or precision {d} in the format is more than {MOST}"
                )),
                Err(_) if !d.is_empty() => Err(format!(
                    "the width or precision {d} in the format is more than {MOST}"
                )),
                _ => Ok(d),
            }
        };
        let width = digits(&mut it)?;
        let mut prec = None::<usize>;
        if it.peek() == Some(&'.') {
            it.next();
            prec = Some(digits(&mut it)?.parse().unwrap_or(0));
        }
        let verb = it.next().ok_or("the format ends with %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args
            .get(next)
            .ok_or_else(|| format!("not enough arguments for the format {f:?}"))?;
        next += 1;
        used = used.max(next);
        let num = |what: &str| n(arg, what);
        let whole = |what: &str| -> Result<i64, String> {
            let x = num(what)?;
            if x.fract() != 0.0 {
                return Err(format!(
                    "%{verb} needs a whole number, not {}",
                    fmt_number(x)
                ));
            }
            // (Beyond i64 a cast would saturate: a wrong digit string, silently.)
            if x.abs() >= (i64::MAX as f64) {
                return Err(format!(
                    "%{verb} of {} is beyond what maform's numbers hold exactly (64-bit integers)",
                    fmt_number(x)
                ));
            }
            Ok(x as i64)
        };
        // A sign for a number that is not negative: `+` with the + flag, a space with
        // the space flag (Go's fmt, which Terraform's format follows).
        let plus = |t: String, x: f64| {
            if flags.contains('+') && x >= 0.0 {
                format!("+{t}")
            } else if flags.contains(' ') && x >= 0.0 {
                format!(" {t}")
            } else {
                t
            }
        };
        let text = match verb {
            'd' => {
                let x = num("a %d argument")?;
                if x.fract() == 0.0 && x.abs() >= (i64::MAX as f64) {
                    // Whole, beyond i64: its digits, as the number holds them.
                    plus(format!("{x:.0}"), x)
                } else {
                    let x = whole("a %d argument")?;
                    plus(x.to_string(), x as f64)
                }
            }
            's' => {
                let t = arg.to_template_string().ok_or_else(|| {
                    format!("%s needs a string, number or bool, not {}", arg.type_name())
                })?;
                match prec {
                    Some(p) => t.chars().take(p).collect(),
                    None => t,
                }
            }
            'v' => match arg {
                Value::List(_) | Value::Map(_) => {
                    serde_json::to_string(&arg.to_json()).map_err(|e| e.to_string())?
                }
                Value::Null => "null".into(),
                // A number as Go's %v writes a big float: %g (`1e+06`, `12`, `0.5`).
                Value::Number(x) => plus(go_general(*x, None), *x),
                v => v.to_template_string().unwrap_or_default(),
            },
            'q' => crate::value::quote(&s(arg, "a %q argument")?),
            'f' | 'F' => {
                let x = num("a %f argument")?;
                plus(format!("{:.*}", prec.unwrap_or(6), x), x)
            }
            'e' | 'E' => {
                let x = num("a %e argument")?;
                let t = go_exp(x, prec.unwrap_or(6));
                plus(if verb == 'E' { t.to_uppercase() } else { t }, x)
            }
            'g' | 'G' => {
                let x = num("a %g argument")?;
                let t = go_general(x, prec);
                plus(if verb == 'G' { t.to_uppercase() } else { t }, x)
            }
            // A negative number is its magnitude with a minus sign, as Go's fmt writes it.
            'x' | 'X' | 'o' | 'b' => {
                let x = whole(&format!("a %{verb} argument"))?;
                let m = x.unsigned_abs();
                let t = match verb {
                    'x' => format!("{m:x}"),
                    'X' => format!("{m:X}"),
                    'o' => format!("{m:o}"),
                    _ => format!("{m:b}"),
                };
                plus(if x < 0 { format!("-{t}") } else { t }, x as f64)
            }
            // A string "true" or "false" is a bool, as Terraform converts it.
            't' => match crate::config::eval::boolish(arg.clone()) {
                Value::Bool(b) => b.to_string(),
                _ => return Err(format!("%t needs a bool, not {}", arg.type_name())),
            },
            other => return Err(format!("unsupported format verb %{other}")),
        };
        let width: usize = width.parse().unwrap_or(0);
        let pad = width.saturating_sub(text.chars().count());
        if flags.contains('-') {
            out.push_str(&text);
            out.push_str(&" ".repeat(pad));
        } else if flags.contains('0') && matches!(verb, 's' | 'q' | 't') {
            // Go pads the other verbs with zeros too, before the text.
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(&text);
        } else if flags.contains('0')
            && matches!(
                verb,
                'd' | 'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'b' | 'v'
            )
        {
            // Zeros go after the sign, as Go's fmt does (a string's leading - is no sign).
            let signed = verb != 'v' || matches!(arg, Value::Number(_));
            let (sign, digits) = match text.strip_prefix(['-', '+', ' ']).filter(|_| signed) {
                Some(rest) => (&text[..1], rest),
                None => ("", text.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    if used < args.len() {
        return Err(if used == 0 {
            "too many arguments; no verbs in the format string".to_string()
        } else {
            format!("too many arguments; only {used} used by the format string")
        });
    }
    Ok(out)
}

/// Go's `%g`: the shortest representation (or `prec` significant digits), in `%e` form
/// when the exponent is below -4 or at least the precision (6 for the shortest), without
/// trailing zeros: `1.2e-05`, `1e+21`, `3.14` for `%.3g` of 3.14159.
fn go_general(x: f64, prec: Option<usize>) -> String {
    if !x.is_finite() {
        return fmt_number(x);
    }
    let neg = x.is_sign_negative() && x != 0.0;
    let a = x.abs();
    // The significant digits, and the exponent of the first one.
    let sci = match prec {
        Some(p) => format!("{:.*e}", p.max(1) - 1, a),
        None => format!("{a:e}"),
    };
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0".to_string(),
        d => d.to_string(),
    };
    let nd = digits.len() as i64;
    let dp = exp + 1;
    let shortest = prec.is_none();
    let mut p = prec.map_or(nd, |p| p.max(1) as i64);
    let mut eprec = p;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if shortest {
        eprec = 6;
    }
    let body = if exp < -4 || exp >= eprec {
        p = p.min(nd);
        let mut m = digits[..1].to_string();
        if p > 1 {
            m.push('.');
            m.push_str(&digits[1..p as usize]);
        }
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        if p > dp {
            p = nd;
        }
        format!("{:.*}", (p - dp).max(0) as usize, a)
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// Go's `%e`: `1.234500e+03`.
fn go_exp(x: f64, prec: usize) -> String {
    let t = format!("{:.*e}", prec, x);
    match t.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => t,
    }
}
