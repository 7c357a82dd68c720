//! Expressions (and the functions through them), as a table: source text, and the value it
//! must give (written as JSON) or the error it must name.

use super::*;
use crate::config::parse_text;
use serde_json::json;

fn attr(src: &str) -> Attr {
    let body = parse_text("t.hcl", &format!("x = {src}\n")).unwrap();
    body.attrs["x"].clone()
}

fn eval_with(src: &str, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
    let dir = std::env::temp_dir();
    Scope::variables_only(vars, &dir)
        .eval_attr(&attr(src))
        .map_err(|d| d.to_string())
}

pub(crate) fn ev(src: &str) -> Result<Value, String> {
    eval_with(src, &BTreeMap::new())
}

pub(crate) fn check(cases: &[(&str, serde_json::Value)]) {
    for (src, want) in cases {
        match ev(src) {
            Ok(v) => assert_eq!(v, Value::from_json(want), "{src}"),
            Err(e) => panic!("{src}: {e}"),
        }
    }
}

pub(crate) fn fails(cases: &[(&str, &str)]) {
    for (src, want) in cases {
        match ev(src) {
            Ok(v) => panic!("{src} gave {v:?}, expected an error with {want:?}"),
            Err(e) => assert!(e.contains(want), "{src}: {e}"),
        }
    }
}

#[test]
fn operators_and_conditionals() {
    check(&[
        ("1 + 2 * 3", json!(7)),
        ("(1 + 2) * 3", json!(9)),
        ("7 % 4", json!(3)),
        ("10 / 4", json!(2.5)),
        ("-3 + 1", json!(-2)),
        ("!true", json!(false)),
        ("1 < 2 && 2 >= 2", json!(true)),
        ("false || 3 == 3", json!(true)),
        ("\"a\" != \"b\"", json!(true)),
        ("true ? \"y\" : \"n\"", json!("y")),
        ("1 > 2 ? \"y\" : \"n\"", json!("n")),
        ("null", json!(null)),
    ]);
    fails(&[
        ("1 / 0", "division by zero"),
        ("1e308 * 10", "out of range"),
        ("-1e308 - 1e308", "out of range"),
        ("tonumber(\"1e400\")", "cannot convert"),
        ("tonumber(\"inf\")", "cannot convert"),
        ("5 % 0", "modulo by zero"),
        ("1 ? 2 : 3", "a condition must be true or false"),
    ]);
}

#[test]
fn collections_for_expressions_and_splats() {
    check(&[
        ("[1, 2, 3][1]", json!(2)),
        ("{ a = 1, \"b\" = 2 }[\"b\"]", json!(2)),
        ("{ a = { b = [10, 20] } }.a.b[1]", json!(20)),
        ("[for x in [1, 2, 3] : x * 2]", json!([2, 4, 6])),
        ("[for x in [1, 2, 3] : x if x > 1]", json!([2, 3])),
        (
            "{ for k, v in { a = 1, b = 2 } : v => k }",
            json!({"1": "a", "2": "b"}),
        ),
        (
            "{ for s in [\"a\", \"b\", \"a\"] : s => s... }",
            json!({"a": ["a", "a"], "b": ["b"]}),
        ),
        (
            "[for i, v in [\"x\", \"y\"] : \"${i}${v}\"]",
            json!(["0x", "1y"]),
        ),
        ("[{ n = 1 }, { n = 2 }][*].n", json!([1, 2])),
        ("[{ n = 1 }, { n = 2 }].*.n", json!([1, 2])),
    ]);
    fails(&[
        (
            "{ for s in [\"a\", \"a\"] : s => s }",
            "duplicate key \"a\"",
        ),
        ("[1][5]", "index"),
    ]);
}

#[test]
fn templates_and_heredocs() {
    check(&[
        ("\"${null}\"", json!(null)),
        ("\"a-${1 + 1}-b\"", json!("a-2-b")),
        ("\"%{ if true }yes%{ else }no%{ endif }\"", json!("yes")),
        ("\"%{ for x in [1, 2] }${x},%{ endfor }\"", json!("1,2,")),
        ("\"%{ for x in [1, 2] ~} ${x} %{~ endfor }\"", json!("12")),
    ]);
    let heredoc = "<<-EOT\n    one\n      two\n    EOT";
    assert_eq!(ev(heredoc).unwrap(), Value::str("one\n  two\n"));
    fails(&[
        ("\"x${null}\"", "cannot interpolate null"),
        ("\"x${[1]}\"", "cannot interpolate a list"),
    ]);
}

#[test]
fn unknown_values_flow_through() {
    let mut vars = BTreeMap::new();
    vars.insert("u".to_string(), Value::Unknown);
    for src in [
        "var.u",
        "\"x-${var.u}\"",
        "upper(var.u)",
        "var.u ? 1 : 2",
        "[for x in var.u : x]",
    ] {
        assert_eq!(eval_with(src, &vars).unwrap(), Value::Unknown, "{src}");
    }
    assert_eq!(
        eval_with("length([var.u, 1])", &vars).unwrap(),
        Value::Number(2.0),
        "length knows how many"
    );
    assert_eq!(eval_with("can(var.u)", &vars).unwrap(), Value::Unknown);
}

#[test]
fn references_name_what_is_missing() {
    fails(&[
        (
            "var.nope",
            "reference to undeclared input variable \"nope\"",
        ),
        ("local.nope", "reference to undeclared local value \"nope\""),
        (
            "each.key",
            "each is only available in a resource with for_each",
        ),
        (
            "count.index",
            "count.index is only available in a resource with count",
        ),
        ("whatever", "unknown variable \"whatever\""),
    ]);
    let e = ev("\"x\".y").unwrap_err();
    assert!(!e.is_empty());
}

#[test]
fn string_functions() {
    check(&[
        (
            "format(\"%s-%d-%05.1f\", \"a\", 3, 2.25)",
            json!("a-3-002.2"),
        ),
        ("format(\"%q %%\", \"x\")", json!("\"x\" %")),
        (
            "format(\"%04d|%-3s|%3d\", -5, \"x\", 7)",
            json!("-005|x  |  7"),
        ),
        ("join(\",\", [\"a\", \"b\"])", json!("a,b")),
        ("split(\",\", \"a,b,,c\")", json!(["a", "b", "", "c"])),
        ("lower(\"AbC\")", json!("abc")),
        ("upper(\"AbC\")", json!("ABC")),
        ("trimspace(\"  x \\n\")", json!("x")),
        ("replace(\"a-b-c\", \"-\", \"+\")", json!("a+b+c")),
        ("replace(\"a1b22\", \"/[0-9]+/\", \"#\")", json!("a#b#")),
        ("substr(\"hello\", 1, 3)", json!("ell")),
        ("substr(\"hello\", -3, -1)", json!("llo")),
        ("startswith(\"notebook\", \"note\")", json!(true)),
        ("endswith(\"notebook\", \"note\")", json!(false)),
        ("tostring(5)", json!("5")),
        ("tonumber(\"2.5\")", json!(2.5)),
        ("tobool(\"true\")", json!(true)),
        (
            "sha256(\"abc\")",
            json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ),
        ("base64encode(\"hi\")", json!("aGk=")),
        ("base64decode(\"aGk=\")", json!("hi")),
        ("jsonencode({ a = [1, true] })", json!("{\"a\":[1,true]}")),
        (
            "jsondecode(\"{\\\"a\\\": [1, null]}\")",
            json!({"a": [1, null]}),
        ),
    ]);
    fails(&[
        ("tonumber(\"x\")", "tonumber"),
        ("tobool(\"maybe\")", "tobool"),
        ("base64decode(\"!!\")", "base64decode"),
        ("jsondecode(\"{\")", "jsondecode"),
        ("join(\",\")", "join"),
    ]);
}

#[test]
fn collection_functions() {
    check(&[
        ("length([1, 2])", json!(2)),
        ("length({ a = 1 })", json!(1)),
        ("length(\"héllo\")", json!(5)),
        (
            "merge({ a = 1 }, { b = 2, a = 3 })",
            json!({"a": 3, "b": 2}),
        ),
        ("concat([1], [2, 3])", json!([1, 2, 3])),
        ("lookup({ a = 1 }, \"b\", 9)", json!(9)),
        ("lookup({ a = 1 }, \"a\")", json!(1)),
        ("coalesce(null, \"\", \"x\")", json!("x")),
        ("keys({ b = 1, a = 2 })", json!(["a", "b"])),
        ("values({ b = 1, a = 2 })", json!([2, 1])),
        ("toset([\"b\", \"a\", \"b\"])", json!(["a", "b"])),
        ("distinct([3, 1, 3])", json!([3, 1])),
        ("tolist([1])", json!([1])),
        ("tomap({ a = 1 })", json!({"a": 1})),
        ("range(3)", json!([0, 1, 2])),
        ("range(1, 7, 2)", json!([1, 3, 5])),
        ("contains([\"a\"], \"a\")", json!(true)),
        ("element([\"a\", \"b\"], 3)", json!("b")),
        ("flatten([[1, [2]], 3])", json!([1, 2, 3])),
        ("min(3, 1, 2)", json!(1)),
        ("max([3, 1, 2]...)", json!(3)),
        ("abs(-4)", json!(4)),
        ("ceil(1.2)", json!(2)),
        ("floor(1.8)", json!(1)),
        ("zipmap([\"a\", \"b\"], [1, 2])", json!({"a": 1, "b": 2})),
    ]);
    fails(&[
        ("lookup({ a = 1 }, \"b\")", "lookup"),
        ("zipmap([\"a\"], [1, 2])", "zipmap"),
        ("element([], 0)", "element"),
        ("concat(1)", "concat"),
    ]);
}

#[test]
fn try_can_and_files() {
    check(&[
        ("try(nosuchvar, \"fallback\")", json!("fallback")),
        ("try({ a = 1 }.b, 2)", json!(2)),
        ("can(1 / 0)", json!(false)),
        ("can(1 + 1)", json!(true)),
    ]);
    fails(&[("try()", "try needs at least one argument")]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "hi there").unwrap();
    let vars = BTreeMap::new();
    let v = Scope::variables_only(&vars, dir.path())
        .eval_attr(&attr("file(\"${path.module}/hello.txt\")"))
        .unwrap();
    assert_eq!(v, Value::str("hi there"));
    let e = Scope::variables_only(&vars, dir.path())
        .eval_attr(&attr("file(\"missing.txt\")"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.txt"), "{e}");
}

#[test]
fn locals_are_evaluated_once_and_cycles_named() {
    let body = parse_text(
        "t.hcl",
        "a = local.b + 1\nb = 2\nc = local.d\nd = local.c\n",
    )
    .unwrap();
    let vars = BTreeMap::new();
    let set = BTreeSet::new();
    let objects = Objects::new();
    let secrets = SecretAttrs::new();
    let s = Scope::new(
        &vars,
        &set,
        &body.attrs,
        &objects,
        &secrets,
        Registry::modelarts(),
        Path::new("."),
    );
    assert_eq!(s.eval_attr(&attr("local.a")).unwrap(), Value::Number(3.0));
    let e = s.eval_attr(&attr("local.c")).unwrap_err().to_string();
    assert!(e.contains("refers to itself"), "{e}");
}

#[test]
fn secrets_mark_what_reads_them() {
    let mut vars = BTreeMap::new();
    vars.insert("pw".to_string(), Value::str("s3cret"));
    let sensitive = BTreeSet::from(["pw".to_string()]);
    let (locals, objects, secrets) = (BTreeMap::new(), Objects::new(), SecretAttrs::new());
    let s = Scope::new(
        &vars,
        &sensitive,
        &locals,
        &objects,
        &secrets,
        Registry::modelarts(),
        Path::new("."),
    );
    let v = s.eval_attr(&attr("upper(var.pw)")).unwrap();
    assert_eq!(v, Value::str("S3CRET"));
    assert!(s.sensitive_hit.get(), "reading a secret is noticed");
    s.sensitive_hit.set(false);
    s.eval_attr(&attr("\"plain\"")).unwrap();
    assert!(!s.sensitive_hit.get());
    // A function that fails on a secret does not quote it; one that fails on a plain value
    // still says why.
    let e = s
        .eval_attr(&attr("tonumber(var.pw)"))
        .unwrap_err()
        .to_string();
    assert!(!e.contains("s3cret"), "{e}");
    assert!(e.contains("sensitive"), "{e}");
    assert!(s.sensitive_hit.get(), "the flag survives a failed call");
    s.sensitive_hit.set(false);
    let e = s
        .eval_attr(&attr("tonumber(\"x1\")"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("x1"), "{e}");
    assert!(!s.sensitive_hit.get());
}
