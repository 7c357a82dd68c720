//! Numeric functions.

use super::{arity, int, n, s};
use crate::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    Some(match name {
        "abs" => one(args, f64::abs),
        "ceil" => one(args, f64::ceil),
        "floor" => one(args, f64::floor),
        "signum" => one(args, |x| if x == 0.0 { 0.0 } else { x.signum() }),
        "min" | "max" => min_max(name, args),
        "log" => arity(args, 2).and_then(|()| {
            let (x, base) = (n(&args[0], "the number")?, n(&args[1], "the base")?);
            finite(x.ln() / base.ln(), "log")
        }),
        "pow" => arity(args, 2).and_then(|()| {
            finite(
                n(&args[0], "the base")?.powf(n(&args[1], "the exponent")?),
                "pow",
            )
        }),
        "parseint" => parseint(args),
        _ => return None,
    })
}

fn one(args: &[Value], f: impl Fn(f64) -> f64) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(Value::Number(f(n(&args[0], "the argument")?)))
}

fn finite(x: f64, what: &str) -> Result<Value, String> {
    if x.is_finite() {
        Ok(Value::Number(x))
    } else {
        Err(format!("the result of {what} is not a finite number"))
    }
}

fn min_max(name: &str, args: &[Value]) -> Result<Value, String> {
    let nums: Vec<f64> = args
        .iter()
        .map(|a| n(a, "each argument"))
        .collect::<Result<_, _>>()?;
    if nums.is_empty() {
        return Err("needs at least one argument".into());
    }
    Ok(Value::Number(if name == "min" {
        nums.iter().cloned().fold(f64::INFINITY, f64::min)
    } else {
        nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
    }))
}

/// `parseint("FF", 16)`: bases 2 to 62, digits then lower then upper case letters.
fn parseint(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let text = s(&args[0], "the number")?;
    let base = int(&args[1], "the base")?;
    if !(2..=62).contains(&base) {
        return Err(format!("the base must be between 2 and 62, not {base}"));
    }
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    if digits.is_empty() {
        return Err(format!("cannot parse {text:?} as a base {base} integer"));
    }
    let mut x: f64 = 0.0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => 99,
        };
        if d >= base {
            return Err(format!("cannot parse {text:?} as a base {base} integer"));
        }
        x = x * base as f64 + d as f64;
    }
    finite(if neg { -x } else { x }, "parseint")
}
