//! Collection functions. Lists, sets and tuples are all `Value::List`; a set is a list
//! kept sorted and without duplicates, as `toset` makes it.

use super::{arity, int, list, map, n, s, strings_of};
use crate::value::Value;
use std::collections::{BTreeMap, HashSet};

pub(super) fn call(name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    Some(match name {
        "length" => arity(args, 1).and_then(|()| {
            Ok(match &args[0] {
                Value::Unknown => Value::Unknown,
                Value::String(x) => Value::Number(
                    unicode_segmentation::UnicodeSegmentation::graphemes(x.as_str(), true).count()
                        as f64,
                ),
                Value::List(l) => Value::Number(l.len() as f64),
                Value::Map(m) => Value::Number(m.len() as f64),
                other => return Err(format!("cannot take the length of a {}", other.type_name())),
            })
        }),
        "merge" => {
            let mut out = BTreeMap::new();
            for a in args {
                match a {
                    Value::Null => {}
                    Value::Unknown => return Some(Ok(Value::Unknown)),
                    v => match map(v, "each argument") {
                        Ok(m) => out.extend(m),
                        Err(e) => return Some(Err(e)),
                    },
                }
            }
            Ok(Value::Map(out))
        }
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                match a {
                    Value::Unknown => return Some(Ok(Value::Unknown)),
                    v => match list(v, "each argument") {
                        Ok(l) => out.extend(l),
                        Err(e) => return Some(Err(e)),
                    },
                }
            }
            Ok(Value::List(out))
        }
        "lookup" => lookup(args),
        "coalesce" => {
            // The arguments take one type first, as Terraform's coalesce converts them
            // (`coalesce(1, "a")` is "1").
            for a in match unify(args.to_vec()) {
                Ok(l) => l,
                Err(e) => return Some(Err(e)),
            } {
                match a {
                    Value::Unknown => return Some(Ok(Value::Unknown)),
                    Value::Null => {}
                    Value::String(x) if x.is_empty() => {}
                    v => return Some(Ok(v)),
                }
            }
            Err("all arguments are null or empty strings; no non-null value to return".into())
        }
        "coalescelist" => {
            if args.is_empty() {
                return Some(Err("needs at least one argument".into()));
            }
            for a in args {
                match list(a, "each argument") {
                    Ok(l) if !l.is_empty() => return Some(Ok(Value::List(l))),
                    Ok(_) => {}
                    Err(e) => return Some(Err(e)),
                }
            }
            Ok(Value::List(vec![]))
        }
        "keys" | "values" => arity(args, 1).and_then(|()| {
            Ok(match &args[0] {
                Value::Unknown => Value::Unknown,
                m => {
                    let m = map(m, "the argument")?;
                    Value::List(if name == "keys" {
                        m.into_keys().map(Value::String).collect()
                    } else {
                        m.into_values().collect()
                    })
                }
            })
        }),
        "toset" | "distinct" => arity(args, 1).and_then(|()| {
            let l = unify(list(&args[0], "the argument")?)?;
            Ok(Value::List(if name == "toset" {
                set(l)
            } else {
                distinct(l)
            }))
        }),
        "tolist" => {
            arity(args, 1).and_then(|()| Ok(Value::List(unify(list(&args[0], "the argument")?)?)))
        }
        "tomap" => arity(args, 1).and_then(|()| {
            let m = map(&args[0], "the argument")?;
            let (keys, values): (Vec<String>, Vec<Value>) = m.into_iter().unzip();
            Ok(Value::Map(keys.into_iter().zip(unify(values)?).collect()))
        }),
        "tostring" => arity(args, 1).and_then(|()| match &args[0] {
            Value::Null => Ok(Value::Null),
            v => s(v, "the argument").map(Value::String),
        }),
        "tonumber" => arity(args, 1).and_then(|()| match &args[0] {
            Value::Null => Ok(Value::Null),
            v => super::num(v)
                .map(Value::Number)
                .ok_or_else(|| format!("cannot convert {} to a number", v.to_hcl())),
        }),
        "tobool" => arity(args, 1).and_then(|()| match &args[0] {
            Value::Null => Ok(Value::Null),
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(x) if x == "true" => Ok(Value::Bool(true)),
            Value::String(x) if x == "false" => Ok(Value::Bool(false)),
            v => Err(format!("cannot convert {} to a bool", v.to_hcl())),
        }),
        "range" => range(args),
        "contains" => arity(args, 2)
            .and_then(|()| Ok(Value::Bool(list(&args[0], "the list")?.contains(&args[1])))),
        "index" => arity(args, 2).and_then(|()| {
            list(&args[0], "the list")?
                .iter()
                .position(|x| *x == args[1])
                .map(|i| Value::Number(i as f64))
                .ok_or_else(|| "the item was not found in the list".into())
        }),
        "element" => arity(args, 2).and_then(|()| {
            let l = list(&args[0], "the list")?;
            if l.is_empty() {
                return Err("cannot use element() on an empty list".into());
            }
            let i = int(&args[1], "the index")?;
            if i < 0 {
                return Err("the index must not be negative".into());
            }
            Ok(l[i as usize % l.len()].clone())
        }),
        "flatten" => arity(args, 1).and_then(|()| {
            fn flat(v: Vec<Value>, out: &mut Vec<Value>) {
                for x in v {
                    match x {
                        Value::List(l) => flat(l, out),
                        other => out.push(other),
                    }
                }
            }
            let mut out = Vec::new();
            flat(list(&args[0], "the argument")?, &mut out);
            Ok(Value::List(out))
        }),
        "zipmap" => arity(args, 2).and_then(|()| {
            let k = strings_of(&args[0], "the keys")?;
            let v = list(&args[1], "the values")?;
            if k.len() != v.len() {
                return Err("the key and value lists must have the same length".into());
            }
            Ok(Value::Map(k.into_iter().zip(v).collect()))
        }),
        "alltrue" | "anytrue" => arity(args, 1).and_then(|()| {
            let bools = list(&args[0], "the list")?
                .iter()
                .map(|v| match v {
                    Value::Bool(b) => Ok(*b),
                    Value::String(x) if x == "true" => Ok(true),
                    Value::String(x) if x == "false" => Ok(false),
                    v => Err(format!(
                        "each element must be a bool, not {}",
                        v.type_name()
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Bool(if name == "alltrue" {
                bools.iter().all(|b| *b)
            } else {
                bools.iter().any(|b| *b)
            }))
        }),
        "chunklist" => arity(args, 2).and_then(|()| {
            let l = list(&args[0], "the list")?;
            let size = int(&args[1], "the chunk size")?;
            if size < 0 {
                return Err("the chunk size must not be negative".into());
            }
            if size == 0 {
                return Ok(Value::List(vec![Value::List(l)]));
            }
            Ok(Value::List(
                l.chunks(size as usize)
                    .map(|c| Value::List(c.to_vec()))
                    .collect(),
            ))
        }),
        "compact" => arity(args, 1).and_then(|()| {
            let l = list(&args[0], "the list")?;
            let mut out = Vec::new();
            for v in l {
                match v {
                    Value::Null => {}
                    Value::String(x) if x.is_empty() => {}
                    v => out.push(Value::String(s(&v, "each element")?)),
                }
            }
            Ok(Value::List(out))
        }),
        "matchkeys" => arity(args, 3).and_then(|()| {
            let values = list(&args[0], "the values")?;
            let keys = list(&args[1], "the keys")?;
            let search = list(&args[2], "the search set")?;
            if values.len() != keys.len() {
                return Err("the values and keys lists must have the same length".into());
            }
            Ok(Value::List(
                values
                    .into_iter()
                    .zip(keys)
                    .filter(|(_, k)| search.contains(k))
                    .map(|(v, _)| v)
                    .collect(),
            ))
        }),
        "one" => arity(args, 1).and_then(|()| match &args[0] {
            Value::Null => Ok(Value::Null),
            v => {
                let l = list(v, "the argument")?;
                match l.len() {
                    0 => Ok(Value::Null),
                    1 => Ok(l[0].clone()),
                    k => Err(format!(
                        "must be a list, set or tuple of zero or one elements, not {k}"
                    )),
                }
            }
        }),
        "reverse" => arity(args, 1).and_then(|()| {
            let mut l = list(&args[0], "the list")?;
            l.reverse();
            Ok(Value::List(l))
        }),
        "slice" => arity(args, 3).and_then(|()| {
            let l = list(&args[0], "the list")?;
            let a = int(&args[1], "the start index")?;
            let b = int(&args[2], "the end index")?;
            if a < 0 || b > l.len() as i64 || a > b {
                return Err(format!(
                    "the indexes {a} and {b} are not a range of a list of {} elements",
                    l.len()
                ));
            }
            Ok(Value::List(l[a as usize..b as usize].to_vec()))
        }),
        "sort" => arity(args, 1).and_then(|()| {
            let mut l = strings_of(&args[0], "the list")?;
            l.sort();
            Ok(Value::List(l.into_iter().map(Value::String).collect()))
        }),
        "sum" => arity(args, 1).and_then(|()| {
            let l = list(&args[0], "the list")?;
            if l.is_empty() {
                return Err("cannot sum an empty list".into());
            }
            let mut t = 0.0;
            for v in &l {
                t += n(v, "each element")?;
            }
            Ok(Value::Number(t))
        }),
        "transpose" => arity(args, 1).and_then(|()| {
            let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for (k, v) in map(&args[0], "the argument")? {
                for x in strings_of(&v, "each value")? {
                    out.entry(x).or_default().push(Value::String(k.clone()));
                }
            }
            Ok(Value::Map(
                out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
            ))
        }),
        "setunion" | "setintersection" | "setsubtract" => sets(name, args),
        "setproduct" => setproduct(args),
        _ => return None,
    })
}

/// A set: no duplicates, in a stable order (keyed by the literal form, so that this
/// stays linear in the number of elements).
pub(super) fn set(l: Vec<Value>) -> Vec<Value> {
    let mut out = distinct(l);
    // As cty orders sets: numbers by value, strings lexically, other values by their
    // text (which is stable).
    out.sort_by(|a, b| match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => a.to_hcl().cmp(&b.to_hcl()),
    });
    out
}

fn distinct(l: Vec<Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    l.into_iter().filter(|v| seen.insert(v.to_hcl())).collect()
}

fn lookup(args: &[Value]) -> Result<Value, String> {
    if args.len() != 2 && args.len() != 3 {
        return Err("takes 2 or 3 arguments".into());
    }
    let k = s(&args[1], "the key")?;
    match &args[0] {
        Value::Unknown => Ok(Value::Unknown),
        m => match map(m, "the first argument")?.get(&k) {
            Some(v) => Ok(v.clone()),
            None => args
                .get(2)
                .cloned()
                .ok_or_else(|| format!("the map has no key {k:?} and no default was given")),
        },
    }
}

fn range(args: &[Value]) -> Result<Value, String> {
    let nums: Vec<f64> = args
        .iter()
        .map(|a| n(a, "each argument"))
        .collect::<Result<_, _>>()?;
    let (start, end, step) = match nums.as_slice() {
        [e] => (0.0, *e, if *e >= 0.0 { 1.0 } else { -1.0 }),
        [s0, e] => (*s0, *e, if e >= s0 { 1.0 } else { -1.0 }),
        [s0, e, st] => (*s0, *e, *st),
        _ => return Err("takes 1 to 3 arguments".into()),
    };
    if step == 0.0 {
        return Err("the step must not be zero".into());
    }
    if (step > 0.0 && start > end) || (step < 0.0 && start < end) {
        return Err("the step goes away from the end: the range would never end".into());
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
        out.push(Value::Number(x));
        x += step;
        if out.len() > 1024 * 1024 {
            return Err("the range has more than 1048576 elements".into());
        }
    }
    Ok(Value::List(out))
}

/// The elements of a list, set or map with one element type, as Terraform's conversions
/// make them: strings, numbers and bools mixed are all strings (`tolist([1, "a"])` is
/// `["1", "a"]`, so `toset([1, "1"])` has one element). A primitive with a list or a map,
/// or a list with a map, have no type in common: an error, as in Terraform.
pub(crate) fn unify(l: Vec<Value>) -> Result<Vec<Value>, String> {
    fn kind(v: &Value) -> u8 {
        match v {
            Value::String(_) => 1,
            Value::Number(_) => 2,
            Value::Bool(_) => 4,
            Value::Null | Value::Unknown => 0,
            Value::List(_) => 8,
            Value::Map(_) => 16,
            Value::Sensitive(x) => kind(x),
        }
    }
    let kinds = l.iter().fold(0u8, |k, v| k | kind(v));
    let primitive = kinds & 7 != 0;
    if (primitive && kinds & 24 != 0) || kinds & 24 == 24 {
        return Err("the elements have no type in common: strings, numbers and bools convert to strings, but not to or from lists and maps (or objects)".into());
    }
    if kinds & 24 != 0 || kinds.count_ones() < 2 {
        return Ok(l);
    }
    Ok(l.into_iter()
        .map(|v| match v {
            Value::Number(_) | Value::Bool(_) => {
                Value::String(v.to_template_string().unwrap_or_default())
            }
            v => v,
        })
        .collect())
}

fn sets(name: &str, args: &[Value]) -> Result<Value, String> {
    let lists = args
        .iter()
        .map(|a| list(a, "each argument"))
        .collect::<Result<Vec<_>, _>>()?;
    // The sets' elements have one type between them, as Terraform unifies them.
    let lens: Vec<usize> = lists.iter().map(Vec::len).collect();
    let mut all = unify(lists.concat())?.into_iter();
    let mut lists = lens
        .into_iter()
        .map(|n| all.by_ref().take(n).collect::<Vec<_>>());
    let Some(first) = lists.next() else {
        return Err("needs at least one set".into());
    };
    let rest: Vec<Vec<Value>> = lists.collect();
    let others = rest.len();
    let mut acc = set(first);
    for a in rest {
        let other = set(a);
        match name {
            "setunion" => acc.extend(other),
            "setintersection" => acc.retain(|x| other.contains(x)),
            _ => {
                if others != 1 {
                    return Err("takes 2 arguments".into());
                }
                acc.retain(|x| !other.contains(x))
            }
        }
    }
    if name == "setsubtract" && others != 1 {
        return Err("takes 2 arguments".into());
    }
    Ok(Value::List(set(acc)))
}

fn setproduct(args: &[Value]) -> Result<Value, String> {
    if args.len() < 2 {
        return Err("needs at least two sets".into());
    }
    let mut acc: Vec<Vec<Value>> = vec![vec![]];
    for a in args {
        let l = list(a, "each argument")?;
        if acc.len().saturating_mul(l.len()) > 1 << 20 {
            return Err("the product has more than 1048576 elements".into());
        }
        acc = acc
            .into_iter()
            .flat_map(|p| {
                l.iter().map(move |x| {
                    let mut q = p.clone();
                    q.push(x.clone());
                    q
                })
            })
            .collect();
    }
    Ok(Value::List(acc.into_iter().map(Value::List).collect()))
}
