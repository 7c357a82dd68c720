//! Every built-in function against Terraform's documented examples and edge cases
//! (null, empty collections, bad arguments): source text, and the value it must give
//! (written as JSON) or the error it must name.

use crate::config::eval::tests::{check, fails};
use crate::config::eval::Scope;
use crate::config::parse_text;
use crate::value::Value;
use serde_json::json;
use std::collections::BTreeMap;

fn ev_in(src: &str, dir: &std::path::Path) -> Result<Value, String> {
    let body = parse_text("t.hcl", &format!("x = {src}\n")).map_err(|d| d.to_string())?;
    let vars = BTreeMap::new();
    Scope::variables_only(&vars, dir)
        .eval_attr(&body.attrs["x"])
        .map_err(|d| d.to_string())
}

#[test]
fn numbers() {
    check(&[
        ("log(16, 2)", json!(4)),
        ("pow(3, 2)", json!(9)),
        ("signum(-13)", json!(-1)),
        ("signum(0)", json!(0)),
        ("parseint(\"100\", 10)", json!(100)),
        ("parseint(\"FF\", 16)", json!(255)),
        ("parseint(\"-10\", 16)", json!(-16)),
        ("parseint(\"1011111011101111\", 2)", json!(48879)),
        ("parseint(\"aA\", 62)", json!(10 * 62 + 36)),
        ("abs(-12.4)", json!(12.4)),
        ("ceil(5.1)", json!(6)),
        ("floor(4.9)", json!(4)),
        ("max(12, 54, 3)", json!(54)),
        ("min([12, 54, 3]...)", json!(3)),
    ]);
    fails(&[
        ("parseint(\"12\", 2)", "cannot parse"),
        ("parseint(\"1\", 63)", "between 2 and 62"),
        ("log(0, 0)", "not a finite number"),
        ("max()", "at least one"),
    ]);
}

#[test]
fn strings() {
    check(&[
        ("chomp(\"hello\\n\\r\\n\")", json!("hello")),
        ("trim(\"?!hello?!\", \"!?\")", json!("hello")),
        ("trimprefix(\"helloworld\", \"hello\")", json!("world")),
        ("trimprefix(\"helloworld\", \"cat\")", json!("helloworld")),
        ("trimsuffix(\"helloworld\", \"world\")", json!("hello")),
        ("trimspace(\"  hi\\n\")", json!("hi")),
        ("title(\"hello world-wide web\")", json!("Hello World-Wide Web")),
        ("strrev(\"hello\")", json!("olleh")),
        ("strcontains(\"hello world\", \"wor\")", json!(true)),
        ("startswith(\"hello\", \"he\")", json!(true)),
        ("endswith(\"hello\", \"lo\")", json!(true)),
        ("indent(2, \"[\\n  foo,\\n]\")", json!("[\n    foo,\n  ]")),
        ("lower(\"HELLO\")", json!("hello")),
        ("upper(\"hello\")", json!("HELLO")),
        ("split(\",\", \"foo,bar,baz\")", json!(["foo", "bar", "baz"])),
        ("split(\",\", \"\")", json!([""])),
        ("join(\", \", [\"foo\", \"bar\"])", json!("foo, bar")),
        ("join(\",\", [])", json!("")),
        ("replace(\"1 + 2 + 3\", \"+\", \"-\")", json!("1 - 2 - 3")),
        ("replace(\"hello world\", \"/w.*d/\", \"everybody\")", json!("hello everybody")),
        ("substr(\"hello world\", 1, 4)", json!("ello")),
        ("substr(\"hello world\", -5, -1)", json!("world")),
        ("substr(\"hello\", 10, 2)", json!("")),
        ("regex(\"[a-z]+\", \"53453453.345345aaabbbccc23454\")", json!("aaabbbccc")),
        (
            "regex(\"(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)\", \"2019-02-01\")",
            json!(["2019", "02", "01"]),
        ),
        (
            "regex(\"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?\", \"https://terraform.io/docs/\")",
            json!({"scheme": "https", "authority": "terraform.io"}),
        ),
        ("regexall(\"[a-z]+\", \"1234abcd5678efgh9\")", json!(["abcd", "efgh"])),
        ("length(regexall(\"[a-z]+\", \"123\"))", json!(0)),
        ("can(regex(\"^[a-z]+$\", \"abc\"))", json!(true)),
        ("can(regex(\"^[a-z]+$\", \"ABC\"))", json!(false)),
        ("format(\"Hello, %s!\", \"Ander\")", json!("Hello, Ander!")),
        ("format(\"There are %d lights\", 4)", json!("There are 4 lights")),
        ("format(\"%6.2f|%-4d|%04d\", 3.14159, 7, -7)", json!("  3.14|7   |-007")),
        ("format(\"%[2]s %[1]s\", \"a\", \"b\")", json!("b a")),
        ("format(\"%v %v\", [1], {a = \"b\"})", json!("[1] {\"a\":\"b\"}")),
        ("format(\"%x %X %o %b %e\", 255, 255, 8, 5, 1234.5)", json!("ff FF 10 101 1.234500e+03")),
        ("format(\"%q %t %%\", \"hi\", true)", json!("\"hi\" true %")),
        ("format(\"%+d %.3s\", 5, \"abcdef\")", json!("+5 abc")),
        (
            "formatlist(\"Hello, %s!\", [\"Valentina\", \"Ander\"])",
            json!(["Hello, Valentina!", "Hello, Ander!"]),
        ),
        (
            "formatlist(\"%s, %s!\", \"Salutations\", [\"A\", \"B\"])",
            json!(["Salutations, A!", "Salutations, B!"]),
        ),
        (
            "[for t in [\"Hello, $${name}!\"] : templatestring(t, { name = \"Jane\" })][0]",
            json!("Hello, Jane!"),
        ),
    ]);
    fails(&[
        ("regex(\"[a-z]+\", \"123\")", "did not match"),
        ("regex(\"(\", \"x\")", "invalid regular expression"),
        (
            "join(\",\", [\"a\", null])",
            "element 1 of the list is null",
        ),
        ("format(\"%d\", 1.5)", "whole number"),
        ("format(\"%d\")", "not enough arguments"),
        ("format(\"%z\", 1)", "unsupported format verb"),
        (
            "formatlist(\"%s %s\", [\"a\"], [\"b\", \"c\"])",
            "same length",
        ),
        (
            "[for t in [\"$${nope}\"] : templatestring(t, {})][0]",
            "unknown variable",
        ),
        (
            "templatestring(\"$${x}\", { x = 1 })",
            "must be a reference",
        ),
    ]);
}

#[test]
fn collections() {
    check(&[
        ("alltrue([true, \"true\"])", json!(true)),
        ("alltrue([])", json!(true)),
        ("anytrue([false, true])", json!(true)),
        ("anytrue([])", json!(false)),
        (
            "chunklist([\"a\", \"b\", \"c\"], 2)",
            json!([["a", "b"], ["c"]]),
        ),
        ("chunklist([1, 2], 0)", json!([[1, 2]])),
        ("coalesce(null, \"\", \"b\")", json!("b")),
        ("coalescelist([], [\"c\"])", json!(["c"])),
        (
            "compact([\"a\", \"\", \"b\", null, \"c\"])",
            json!(["a", "b", "c"]),
        ),
        ("concat([\"a\"], [\"b\", \"c\"])", json!(["a", "b", "c"])),
        ("contains([\"a\", \"b\"], \"b\")", json!(true)),
        (
            "distinct([\"a\", \"b\", \"a\", \"c\"])",
            json!(["a", "b", "c"]),
        ),
        ("element([\"a\", \"b\", \"c\"], 3)", json!("a")),
        (
            "flatten([[\"a\", \"b\"], [], [\"c\", [\"d\"]]])",
            json!(["a", "b", "c", "d"]),
        ),
        ("index([\"a\", \"b\", \"c\"], \"b\")", json!(1)),
        ("keys({a = 1, c = 2, d = 3})", json!(["a", "c", "d"])),
        ("values({a = 3, c = 2, d = 1})", json!([3, 2, 1])),
        ("length(\"héllo\")", json!(5)),
        ("length({})", json!(0)),
        ("lookup({a = \"ay\"}, \"c\", \"what?\")", json!("what?")),
        (
            "matchkeys([\"i-1\", \"i-2\", \"i-3\"], [\"a\", \"b\", \"c\"], [\"a\", \"c\"])",
            json!(["i-1", "i-3"]),
        ),
        (
            "merge({a = \"b\"}, null, {e = \"f\", a = \"z\"})",
            json!({"a": "z", "e": "f"}),
        ),
        ("one([])", json!(null)),
        ("one([\"hello\"])", json!("hello")),
        ("one(null)", json!(null)),
        ("range(3)", json!([0, 1, 2])),
        ("range(1, 4)", json!([1, 2, 3])),
        ("range(4, 1)", json!([4, 3, 2])),
        ("range(0, 10, 4)", json!([0, 4, 8])),
        ("reverse([1, 2, 3])", json!([3, 2, 1])),
        (
            "setintersection([\"a\", \"b\"], [\"b\", \"c\"], [\"b\", \"d\"])",
            json!(["b"]),
        ),
        (
            "setunion([\"a\", \"b\"], [\"b\", \"c\"], [\"d\"])",
            json!(["a", "b", "c", "d"]),
        ),
        (
            "setsubtract([\"a\", \"b\", \"c\"], [\"a\", \"c\"])",
            json!(["b"]),
        ),
        (
            "setproduct([\"dev\", \"prod\"], [\"a\", \"b\"])",
            json!([["dev", "a"], ["dev", "b"], ["prod", "a"], ["prod", "b"]]),
        ),
        (
            "slice([\"a\", \"b\", \"c\", \"d\"], 1, 3)",
            json!(["b", "c"]),
        ),
        ("slice([], 0, 0)", json!([])),
        (
            "sort([\"e\", \"d\", \"a\", \"x\"])",
            json!(["a", "d", "e", "x"]),
        ),
        ("sum([10, 13, 6, 4.5])", json!(33.5)),
        (
            "transpose({a = [\"1\", \"2\"], b = [\"2\", \"3\"]})",
            json!({"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
        ),
        ("zipmap([\"a\", \"b\"], [1, 2])", json!({"a": 1, "b": 2})),
        ("toset([\"b\", \"a\", \"b\"])", json!(["a", "b"])),
        ("tolist([\"a\"])", json!(["a"])),
        ("tomap({a = 1})", json!({"a": 1})),
        ("tostring(null)", json!(null)),
        ("tonumber(\"1.5\")", json!(1.5)),
        ("tobool(\"true\")", json!(true)),
    ]);
    fails(&[
        ("index([\"a\"], \"z\")", "not found"),
        ("one([1, 2])", "zero or one elements"),
        ("slice([1, 2], 1, 3)", "not a range"),
        ("sum([])", "empty list"),
        ("element([], 0)", "empty list"),
        ("element([1], -1)", "negative"),
        ("coalesce(null, \"\")", "no non-null value"),
        ("lookup({}, \"k\")", "no key"),
        ("range(1, 4, -1)", "never end"),
        ("range(0, 1, 0)", "zero"),
        ("setproduct([1])", "at least two"),
        ("tonumber(\"x1\")", "cannot convert"),
        ("tobool(1)", "cannot convert"),
        ("length(1)", "cannot take the length"),
        ("zipmap([\"a\"], [])", "same length"),
    ]);
}

#[test]
fn encodings() {
    check(&[
        ("base64encode(\"Hello World\")", json!("SGVsbG8gV29ybGQ=")),
        ("base64decode(\"SGVsbG8gV29ybGQ=\")", json!("Hello World")),
        (
            "textencodebase64(\"Hello World\", \"UTF-16LE\")",
            json!("SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
        ),
        (
            "textdecodebase64(\"SABlAGwAbABvACAAVwBvAHIAbABkAA==\", \"UTF-16LE\")",
            json!("Hello World"),
        ),
        (
            "jsonencode({hello = \"world\"})",
            json!("{\"hello\":\"world\"}"),
        ),
        (
            "jsondecode(\"{\\\"hello\\\": [1, true, null]}\")",
            json!({"hello": [1, true, null]}),
        ),
        ("urlencode(\"Hello World!\")", json!("Hello+World%21")),
        (
            "urlencode(\"foo:bar@localhost?foo=bar&bar=baz\")",
            json!("foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz"),
        ),
        (
            "csvdecode(\"a,b,c\\n1,2,3\\n\\\"x,y\\\",5,\\\"say \\\"\\\"hi\\\"\\\"\\\"\\n\")",
            json!([{"a": "1", "b": "2", "c": "3"}, {"a": "x,y", "b": "5", "c": "say \"hi\""}]),
        ),
        ("yamldecode(\"hello: world\")", json!({"hello": "world"})),
        ("yamldecode(\"true\")", json!(true)),
        (
            "yamldecode(\"{a: 1, b: [x, 2.5, null]}\")",
            json!({"a": 1, "b": ["x", 2.5, null]}),
        ),
        ("yamldecode(\"\")", json!(null)),
        (
            "yamlencode({a = \"b\", c = \"d\"})",
            json!("\"a\": \"b\"\n\"c\": \"d\"\n"),
        ),
        (
            "yamlencode({foo = [1, {a = \"b\", c = \"d\"}, 3], bar = \"baz\"})",
            json!("\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n"),
        ),
        ("yamlencode({a = {b = []}})", json!("\"a\":\n  \"b\": []\n")),
        (
            "yamldecode(yamlencode({x = [\"l1\\nl2\\n\", {y = null}]}))",
            json!({"x": ["l1\nl2\n", {"y": null}]}),
        ),
    ]);
    fails(&[
        ("base64decode(\"!!\")", "invalid base64"),
        ("jsondecode(\"{\")", "invalid JSON"),
        ("textencodebase64(\"x\", \"latin9\")", "not supported"),
        ("csvdecode(\"a,b\\n1\\n\")", "line 2 has 1 fields"),
        ("csvdecode(\"\")", "missing header"),
        (
            "yamldecode(\"a: b\\n---\\nc: d\")",
            "more than one YAML document",
        ),
        ("yamldecode(\"{a: [}\")", "invalid YAML"),
    ]);
}

#[test]
fn hashes_and_uuids() {
    check(&[
        (
            "md5(\"hello world\")",
            json!("5eb63bbbe01eeed093cb22bb8f5acdc3"),
        ),
        (
            "sha1(\"hello world\")",
            json!("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
        ),
        (
            "sha256(\"hello world\")",
            json!("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
        ),
        (
            "substr(sha512(\"hello world\"), 0, 16)",
            json!("309ecc489c12d6eb"),
        ),
        (
            "base64sha256(\"hello world\")",
            json!("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
        ),
        ("length(base64sha512(\"hello world\"))", json!(88)),
        (
            "uuidv5(\"dns\", \"www.terraform.io\")",
            json!("a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
        ),
        (
            "uuidv5(\"6ba7b811-9dad-11d1-80b4-00c04fd430c8\", \"https://www.terraform.io/\")",
            json!("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
        ),
        ("length(uuid())", json!(36)),
        ("uuid() != uuid()", json!(true)),
    ]);
    fails(&[("uuidv5(\"nope\", \"x\")", "namespace must be")]);
}

#[test]
fn networks() {
    check(&[
        ("cidrhost(\"10.12.112.0/20\", 16)", json!("10.12.112.16")),
        ("cidrhost(\"10.12.112.0/20\", 268)", json!("10.12.113.12")),
        ("cidrhost(\"10.0.0.0/24\", -1)", json!("10.0.0.255")),
        (
            "cidrhost(\"fd00:fd12:3456:7890:00a2::/72\", 34)",
            json!("fd00:fd12:3456:7890::22"),
        ),
        ("cidrnetmask(\"172.16.0.0/12\")", json!("255.240.0.0")),
        (
            "cidrsubnet(\"172.16.0.0/12\", 4, 2)",
            json!("172.18.0.0/16"),
        ),
        ("cidrsubnet(\"10.1.2.0/24\", 4, 15)", json!("10.1.2.240/28")),
        (
            "cidrsubnet(\"fd00:fd12:3456:7890::/56\", 16, 162)",
            json!("fd00:fd12:3456:7800:a200::/72"),
        ),
        (
            "cidrsubnets(\"10.1.0.0/16\", 4, 4, 8, 4)",
            json!([
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ]),
        ),
    ]);
    fails(&[
        ("cidrhost(\"10.0.0.0/30\", 4)", "no host number 4"),
        ("cidrsubnet(\"10.0.0.0/30\", 4, 0)", "cannot add 4 bits"),
        (
            "cidrsubnet(\"10.0.0.0/16\", 2, 4)",
            "does not fit in 2 bits",
        ),
        ("cidrnetmask(\"::/64\")", "only works with IPv4"),
        ("cidrhost(\"10.0.0.0\", 1)", "CIDR notation"),
        ("cidrsubnets(\"10.0.0.0/30\", 1, 1, 1)", "not enough room"),
    ]);
}

#[test]
fn dates() {
    check(&[
        (
            "formatdate(\"DD MMM YYYY hh:mm ZZZ\", \"2018-01-02T23:12:01Z\")",
            json!("02 Jan 2018 23:12 UTC"),
        ),
        (
            "formatdate(\"EEEE, DD-MMM-YY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01Z\")",
            json!("Tuesday, 02-Jan-18 23:12:01 UTC"),
        ),
        (
            "formatdate(\"EEE, DD MMM YYYY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01-08:00\")",
            json!("Tue, 02 Jan 2018 23:12:01 -0800"),
        ),
        (
            "formatdate(\"MMM DD, YYYY\", \"2018-01-02T23:12:01Z\")",
            json!("Jan 02, 2018"),
        ),
        (
            "formatdate(\"HH:mmaa\", \"2018-01-02T23:12:01Z\")",
            json!("11:12pm"),
        ),
        (
            "formatdate(\"h 'o''clock' Z\", \"2018-01-02T07:12:01+05:30\")",
            json!("7 o'clock +05:30"),
        ),
        (
            "timeadd(\"2017-11-22T00:00:00Z\", \"10m\")",
            json!("2017-11-22T00:10:00Z"),
        ),
        (
            "timeadd(\"2017-11-22T00:00:00Z\", \"-1h30m\")",
            json!("2017-11-21T22:30:00Z"),
        ),
        (
            "timecmp(\"2017-11-22T00:00:00Z\", \"2017-11-22T00:00:00Z\")",
            json!(0),
        ),
        (
            "timecmp(\"2017-11-22T00:00:00Z\", \"2017-11-22T01:00:00+01:00\")",
            json!(0),
        ),
        (
            "timecmp(\"2017-11-22T00:00:00Z\", \"2017-11-22T00:00:01Z\")",
            json!(-1),
        ),
        ("timestamp() == plantimestamp()", json!(true)),
        ("timecmp(timestamp(), \"2024-01-01T00:00:00Z\")", json!(1)),
    ]);
    fails(&[
        ("formatdate(\"YYYY\", \"2018-01-02\")", "RFC 3339"),
        (
            "formatdate(\"YYYY x\", \"2018-01-02T00:00:00Z\")",
            "invalid date format verb",
        ),
        (
            "timeadd(\"2017-11-22T00:00:00Z\", \"10 minutes\")",
            "not a duration",
        ),
    ]);
}

#[test]
fn files() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("hello.txt"), "Hello World").unwrap();
    std::fs::create_dir_all(d.path().join("files/sub")).unwrap();
    std::fs::write(d.path().join("files/a.txt"), "").unwrap();
    std::fs::write(d.path().join("files/sub/b.txt"), "").unwrap();
    std::fs::write(d.path().join("files/c.md"), "").unwrap();
    std::fs::write(
        d.path().join("t.tftpl"),
        "%{ for n in names ~}\nHi ${n}\n%{ endfor ~}\n",
    )
    .unwrap();
    std::fs::write(d.path().join("bin"), [0xff, 0xfe]).unwrap();
    let here = |src: &str| ev_in(src, d.path());
    for (src, want) in [
        ("file(\"hello.txt\")", json!("Hello World")),
        ("filebase64(\"bin\")", json!("//4=")),
        ("fileexists(\"hello.txt\")", json!(true)),
        ("fileexists(\"nope.txt\")", json!(false)),
        ("fileset(\"files\", \"*.txt\")", json!(["a.txt"])),
        (
            "fileset(\"files\", \"**/*.txt\")",
            json!(["a.txt", "sub/b.txt"]),
        ),
        ("fileset(\"nowhere\", \"*\")", json!([])),
        (
            "filemd5(\"hello.txt\")",
            json!("b10a8db164e0754105b7a99be72e3fe5"),
        ),
        (
            "filesha1(\"hello.txt\")",
            json!("0a4d55a8d778e5022fab701977c5d840bbc486d0"),
        ),
        (
            "filesha256(\"hello.txt\")",
            json!("a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"),
        ),
        ("length(filesha512(\"hello.txt\"))", json!(128)),
        (
            "filebase64sha256(\"hello.txt\")",
            json!("pZGm1Av0IEBKARczz7exkNYsZb8LzaMrV7J32a2fFG4="),
        ),
        ("length(filebase64sha512(\"hello.txt\"))", json!(88)),
        (
            "templatefile(\"t.tftpl\", { names = [\"a\", \"b\"] })",
            json!("Hi a\nHi b\n"),
        ),
        ("basename(\"foo/bar/baz.txt\")", json!("baz.txt")),
        ("dirname(\"foo/bar/baz.txt\")", json!("foo/bar")),
        ("dirname(\"baz.txt\")", json!(".")),
        ("abspath(\"/a/b/../c\")", json!("/a/c")),
        ("pathexpand(\"/etc/x\")", json!("/etc/x")),
    ] {
        assert_eq!(here(src), Ok(Value::from_json(&want)), "{src}");
    }
    for (src, want) in [
        ("file(\"bin\")", "not UTF-8"),
        ("file(\"files\")", "not a regular file"),
        ("file(\"missing.txt\")", "missing.txt"),
        ("templatefile(\"t.tftpl\", {})", "unknown variable"),
        ("templatefile(\"t.tftpl\", 1)", "must be an object"),
    ] {
        let e = here(src).unwrap_err();
        assert!(e.contains(want), "{src}: {e}");
    }
}

#[test]
fn sensitivity() {
    let vars = BTreeMap::from([("pw".to_string(), Value::str("s3cret"))]);
    let secret = std::collections::BTreeSet::from(["pw".to_string()]);
    let dir = std::env::temp_dir();
    let run = |src: &str| {
        let body = parse_text("t.hcl", &format!("x = {src}\n")).unwrap();
        let s = Scope::variables_marked(&vars, &secret, &dir);
        let v = s.eval_attr(&body.attrs["x"]).unwrap();
        (v, s.sensitive_hit.get())
    };
    assert_eq!(run("issensitive(var.pw)"), (Value::Bool(true), false));
    assert_eq!(run("issensitive(\"x\")"), (Value::Bool(false), false));
    assert_eq!(run("sensitive(\"x\")"), (Value::str("x"), true));
    assert_eq!(run("issensitive(sensitive(1))"), (Value::Bool(true), false));
    assert_eq!(run("nonsensitive(var.pw)"), (Value::str("s3cret"), false));
    assert_eq!(run("upper(var.pw)"), (Value::str("S3CRET"), true));
}

#[test]
fn unknown_functions_are_static_errors_with_the_nearest_name() {
    for (src, want) in [
        ("try(nosuch(1), 2)", "there is no function named \"nosuch\""),
        ("can(regexp(\"a\", \"b\"))", "did you mean \"regex\"?"),
        ("\"${uper(\"a\")}\"", "did you mean \"upper\"?"),
        ("bcrypt(\"x\")", "bcrypt is not supported"),
        ("list(1)", "removed in Terraform 0.15"),
        (
            "provider::aws::arn_parse(\"x\")",
            "Provider-defined functions",
        ),
    ] {
        let e = parse_text("t.hcl", &format!("a = 1\nx = {src}\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{src}: {e}");
        assert!(e.starts_with("t.hcl:2:"), "{src}: {e}");
    }
}

#[test]
fn file_reads_are_recorded_where_asked() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.txt"), "A").unwrap();
    let read = |name: &str| ev_in(&format!("file(\"{name}\")"), d.path());
    assert!(read("a.txt").is_ok(), "no recording: nothing noted");
    let ((), outer) = super::recording_reads(|| {
        let (r, inner) = super::recording_reads(|| read("a.txt"));
        assert_eq!(r.unwrap(), Value::str("A"));
        assert_eq!(inner, [d.path().join("a.txt")]);
        // A file that cannot be read is still part of what the plan depends on.
        assert!(read("missing.txt").is_err());
    });
    assert_eq!(
        outer,
        [d.path().join("a.txt"), d.path().join("missing.txt")]
    );
}

#[test]
fn every_function_has_a_case_here() {
    let me = include_str!("tests.rs");
    for f in super::FUNCTIONS {
        assert!(me.contains(&format!("{f}(")), "no case calls {f}()");
    }
}

#[test]
fn conversions_unify_mixed_primitives_to_strings() {
    check(&[
        ("length(toset([1, \"1\", true, \"true\"]))", json!(2)),
        ("tolist([1, \"a\", true])", json!(["1", "a", "true"])),
        ("tomap({a = 1, b = \"x\"})[\"a\"] == \"1\"", json!(true)),
        ("contains(tolist([\"1\", 2]), \"2\")", json!(true)),
        ("distinct([1, \"1\", 1])", json!(["1"])),
        ("setunion([1], [\"1\"])", json!(["1"])),
        ("setintersection([1, 2], [\"2\"])", json!(["2"])),
        // One type already: nothing changes.
        ("tolist([1, 2])", json!([1, 2])),
        ("tolist([\"a\", null, 1])", json!(["a", null, "1"])),
    ]);
}

#[test]
fn format_general_and_sign_flags_as_go_does() {
    check(&[
        ("format(\"%g\", 0.000012)", json!("1.2e-05")),
        ("format(\"%g\", 1e21)", json!("1e+21")),
        ("format(\"%g\", 100)", json!("100")),
        ("format(\"%g\", 123456789)", json!("1.23456789e+08")),
        ("format(\"%g\", 0)", json!("0")),
        ("format(\"%g\", -2.5)", json!("-2.5")),
        ("format(\"%.3g\", 3.14159)", json!("3.14")),
        ("format(\"%.2g\", 1234)", json!("1.2e+03")),
        ("format(\"%G\", 0.000012)", json!("1.2E-05")),
        ("format(\"%E\", 1234.5)", json!("1.234500E+03")),
        ("format(\"% d|% d\", 5, -5)", json!(" 5|-5")),
        ("format(\"%+d\", 5)", json!("+5")),
        ("format(\"%08.3f\", -3.14159)", json!("-003.142")),
    ]);
}

#[test]
fn range_of_one_negative_limit_counts_down() {
    check(&[
        ("range(-3)", json!([0, -1, -2])),
        ("range(3)", json!([0, 1, 2])),
        ("range(0)", json!([])),
    ]);
}

#[test]
fn replace_with_an_empty_pattern_between_slashes_is_a_regex() {
    check(&[("replace(\"abc\", \"//\", \"-\")", json!("-a-b-c-"))]);
}

#[test]
fn spread_secret_elements_into_merge_and_concat() {
    let v = ev_in(
        "merge([{a = \"x\"}, sensitive({b = \"y\"})]...)",
        std::path::Path::new("."),
    );
    assert!(v.is_ok(), "{v:?}");
    let v = ev_in(
        "concat([[1], sensitive([2])]...)",
        std::path::Path::new("."),
    );
    assert!(v.is_ok(), "{v:?}");
}

#[test]
fn timeadd_writes_whole_seconds_and_pathexpand_refuses_other_users() {
    check(&[(
        "timeadd(\"2017-11-22T00:00:00Z\", \"1500ms\")",
        json!("2017-11-22T00:00:01Z"),
    )]);
    fails(&[(
        "pathexpand(\"~other/x\")",
        "only ~ and ~/... name a home directory",
    )]);
}
