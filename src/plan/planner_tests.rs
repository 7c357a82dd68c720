//! The planner, case by case: inline configurations of the test kind against in-memory
//! states. Each case names what it proves.

use super::*;
use crate::addr::{InstanceAddr, ResourceAddr};
use crate::config::eval::Objects;
use crate::provider::fake;
use crate::state::{Instance, State};
use crate::value::{PathStep, Value};
use serde_json::json;

fn state(items: &[(&str, serde_json::Value)]) -> State {
    let mut s = State::new();
    for (a, attrs) in items {
        s.instances.insert(
            InstanceAddr::parse(a).unwrap(),
            Instance {
                attributes: Value::from_json(attrs).into(),
                sensitive: vec![],
                dependencies: vec![],
                tainted: false,
            },
        );
    }
    s
}

fn try_plan_with(
    text: &str,
    prior: &State,
    refreshed: &State,
    options: Options,
    vars: &[(&str, &str)],
) -> Result<Plan, crate::config::Diags> {
    let cfg = fake::config(text);
    let inputs = crate::config::vars::Inputs {
        vars: vars.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        var_files: vec![],
        order: vec![],
        ask: None,
        unknown_if_missing: false,
    };
    let vars = crate::config::vars::resolve(&cfg, &inputs, &[])?;
    let graph = crate::graph::build(&cfg)?;
    let data = Objects::new();
    plan(&Inputs {
        cfg: &cfg,
        vars: &vars,
        graph: &graph,
        prior,
        refreshed,
        data: &data,
        options: &options,
    })
}

/// A plan of `text` against an empty state.
fn fresh(text: &str, vars: &[(&str, &str)]) -> Result<Plan, crate::config::Diags> {
    try_plan_with(text, &State::new(), &State::new(), Options::default(), vars)
}

/// The errors of planning `text` against an empty state.
fn fresh_err(text: &str, vars: &[(&str, &str)]) -> String {
    fresh(text, vars).unwrap_err().to_string()
}

fn plan_of(text: &str, st: &State) -> Plan {
    try_plan_with(text, st, st, Options::default(), &[]).unwrap()
}

fn one(text: &str, st: &State) -> Change {
    let p = plan_of(text, st);
    assert_eq!(p.changes.len(), 1, "{:?}", p.changes);
    p.changes.into_iter().next().unwrap()
}

fn errors(text: &str, st: &State) -> String {
    try_plan_with(text, st, st, Options::default(), &[])
        .unwrap_err()
        .to_string()
}

const A: &str = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  size = 5\n  zone = \"z1\"\n}\n";

fn live_a() -> serde_json::Value {
    json!({"id": "fake-1", "status": "RUNNING", "name": "a", "size": 5, "zone": "z1"})
}

#[test]
fn a_new_resource_is_created_with_unknown_computed_attributes() {
    let c = one(A, &State::new());
    assert_eq!(c.action, Action::Create);
    let after = c.after.unwrap();
    assert_eq!(after.get("id"), &Value::Unknown);
    assert_eq!(after.get("name").as_str(), Some("a"));
    assert!(c.reason.is_none());
}

#[test]
fn an_unchanged_resource_is_a_no_op_that_keeps_one_copy() {
    let st = state(&[("fake_thing.a", live_a())]);
    let c = one(A, &st);
    assert_eq!(c.action, Action::NoOp);
    assert!(c.after.is_none());
    assert_eq!(c.planned_value(), c.before.as_deref());
    assert!(!plan_of(A, &st).has_changes());
}

#[test]
fn a_changed_argument_updates_in_place() {
    let st = state(&[("fake_thing.a", live_a())]);
    let c = one(&A.replace("size = 5", "size = 7"), &st);
    assert_eq!(c.action, Action::Update);
    assert!(c.replace_paths.is_empty());
    assert_eq!(c.after.unwrap().get("id").as_str(), Some("fake-1"));
}

#[test]
fn a_force_new_argument_replaces_and_says_which() {
    let st = state(&[("fake_thing.a", live_a())]);
    let c = one(&A.replace("z1", "z2"), &st);
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.replace_paths, [vec![PathStep::Key("zone".into())]]);
    assert_eq!(c.reason, Some(ActionReason::CannotUpdate));
    assert_eq!(c.after.unwrap().get("id"), &Value::Unknown, "a new object");
}

#[test]
fn a_kind_rule_replaces_with_its_reason() {
    let st = state(&[("fake_thing.a", live_a())]);
    let c = one(&A.replace("size = 5", "size = 2"), &st);
    assert_eq!(c.action, Action::Replace);
    assert_eq!(
        c.reason,
        Some(ActionReason::KindRule {
            why: "size can only grow".into()
        })
    );
}

#[test]
fn tainted_and_requested_objects_are_replaced() {
    let mut st = state(&[("fake_thing.a", live_a())]);
    let a = InstanceAddr::parse("fake_thing.a").unwrap();
    let opts = Options {
        replace: vec![a.clone()],
        ..Default::default()
    };
    let p = try_plan_with(A, &st, &st, opts, &[]).unwrap();
    assert_eq!(p.changes[0].reason, Some(ActionReason::Requested));
    st.instances.get_mut(&a).unwrap().tainted = true;
    let c = one(A, &st);
    assert_eq!(
        (c.action, c.reason),
        (Action::Replace, Some(ActionReason::Tainted))
    );
}

#[test]
fn objects_no_longer_configured_are_deleted_with_the_reason() {
    let st = state(&[
        ("fake_thing.gone", live_a()),
        ("fake_thing.n[2]", live_a()),
        ("fake_thing.m[\"old\"]", live_a()),
    ]);
    let text = "resource \"fake_thing\" \"n\" {\n  count = 2\n  name  = \"n${count.index}\"\n}\nresource \"fake_thing\" \"m\" {\n  for_each = toset([\"new\"])\n  name     = each.key\n}\n";
    let p = plan_of(text, &st);
    let reason = |a: &str| {
        p.changes
            .iter()
            .find(|c| c.addr.to_string() == a)
            .and_then(|c| c.reason.as_ref().map(|r| (c.action, r.to_string())))
    };
    assert_eq!(
        reason("fake_thing.gone"),
        Some((
            Action::Delete,
            "fake_thing.gone is not in configuration".into()
        ))
    );
    assert_eq!(
        reason("fake_thing.n[2]"),
        Some((Action::Delete, "index [2] is out of range for count".into()))
    );
    assert_eq!(
        reason("fake_thing.m[\"old\"]"),
        Some((
            Action::Delete,
            "key [\"old\"] is not in for_each map".into()
        ))
    );
    let creates: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .map(|c| c.addr.to_string())
        .collect();
    assert_eq!(
        creates,
        [
            "fake_thing.m[\"new\"]",
            "fake_thing.n[0]",
            "fake_thing.n[1]"
        ]
    );
}

#[test]
fn prevent_destroy_refuses_plans_that_destroy() {
    let st = state(&[("fake_thing.a", live_a())]);
    let guarded = A.replace(
        "  zone = \"z1\"\n",
        "  zone = \"z2\"\n  lifecycle {\n    prevent_destroy = true\n  }\n",
    );
    let e = errors(&guarded, &st);
    assert!(
        e.contains("fake_thing.a has lifecycle.prevent_destroy set but the plan replaces it"),
        "{e}"
    );
    let opts = Options {
        destroy: true,
        ..Default::default()
    };
    let e = try_plan_with(&guarded, &st, &st, opts, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("the plan destroys it"), "{e}");
}

#[test]
fn ignore_changes_keeps_what_the_object_has() {
    let st = state(&[("fake_thing.a", live_a())]);
    let text = A.replace(
        "  zone = \"z1\"\n",
        "  zone = \"z9\"\n  lifecycle {\n    ignore_changes = [zone]\n  }\n",
    );
    assert_eq!(one(&text, &st).action, Action::NoOp);
    let all = A.replace(
        "  size = 5\n",
        "  size = 9\n  lifecycle {\n    ignore_changes = all\n  }\n",
    );
    assert_eq!(one(&all, &st).action, Action::NoOp);
}

#[test]
fn desired_state_plans_a_power_change() {
    let mut live = live_a();
    live["status"] = json!("STOPPED");
    let st = state(&[("fake_thing.a", live)]);
    let text = A.replace(
        "  size = 5\n",
        "  size = 5\n  desired_state = \"running\"\n",
    );
    let c = one(&text, &st);
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.after.unwrap().get("status").as_str(), Some("RUNNING"));
}

#[test]
fn targets_keep_what_the_target_needs_and_no_deletes() {
    let st = state(&[("fake_thing.old", live_a())]);
    let text = "resource \"fake_thing\" \"base\" { name = \"b\" }\nresource \"fake_thing\" \"top\" {\n  name        = \"t\"\n  description = fake_thing.base.id\n}\nresource \"fake_thing\" \"other\" { name = \"o\" }\n";
    let opts = Options {
        targets: vec![InstanceAddr::parse("fake_thing.top").unwrap()],
        ..Default::default()
    };
    let p = try_plan_with(text, &st, &st, opts, &[]).unwrap();
    let addrs: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(addrs, ["fake_thing.base", "fake_thing.top"]);
    assert_eq!(
        p.changes[1].deps,
        [ResourceAddr::managed("fake_thing", "base")]
    );
}

#[test]
fn a_destroy_plan_deletes_everything_without_reasons() {
    let st = state(&[("fake_thing.a", live_a()), ("fake_thing.b", live_a())]);
    let opts = Options {
        destroy: true,
        ..Default::default()
    };
    let p = try_plan_with(A, &st, &st, opts, &[]).unwrap();
    assert!(p
        .changes
        .iter()
        .all(|c| c.action == Action::Delete && c.reason.is_none()));
    assert_eq!(p.counts().destroy, 2);
}

#[test]
fn refresh_only_plans_report_drift_and_change_nothing() {
    let prior = state(&[("fake_thing.a", live_a())]);
    let mut changed = live_a();
    changed["size"] = json!(6);
    changed["updated_at"] = json!(99);
    let refreshed = state(&[("fake_thing.a", changed)]);
    let opts = Options {
        refresh_only: true,
        ..Default::default()
    };
    let p = try_plan_with(A, &prior, &refreshed, opts, &[]).unwrap();
    assert!(p.changes.is_empty());
    assert_eq!(p.drift.len(), 1);
    assert_eq!(
        p.drift[0].after.as_ref().unwrap().get("size"),
        &Value::Number(6.0)
    );
}

#[test]
fn drift_ignores_volatile_attributes_and_sees_deletions() {
    let prior = state(&[("fake_thing.a", live_a()), ("fake_thing.b", live_a())]);
    let mut touched = live_a();
    touched["updated_at"] = json!(5);
    let refreshed = state(&[("fake_thing.a", touched)]);
    let d = drift(fake::registry(), &prior, &refreshed);
    assert_eq!(d.len(), 1, "updated_at alone is not drift");
    assert_eq!(d[0].addr.to_string(), "fake_thing.b");
    assert!(d[0].after.is_none());
}

#[test]
fn kind_rules_are_errors_at_the_resource() {
    let e = errors(&A.replace("z1", "nowhere"), &State::new());
    assert!(
        e.contains("main.hcl:1:1: fake_thing.a: zone nowhere does not exist"),
        "{e}"
    );
    let e = errors(
        &A.replace("name = \"a\"", "name = \"aaaaaaaaaaaaaaaaaaaaaaaaa\""),
        &State::new(),
    );
    assert!(e.contains("must be at most 20 characters"), "{e}");
}

#[test]
fn secrets_are_planned_as_digests_and_marked() {
    let text = "variable \"pw\" {\n  sensitive = true\n}\nresource \"fake_thing\" \"a\" {\n  name        = \"a\"\n  secret      = var.pw\n  description = \"d-${var.pw}\"\n}\n";
    let p = fresh(text, &[("pw", "hunter2")]).unwrap();
    let c = &p.changes[0];
    let after = c.after.as_ref().unwrap();
    let digest = after.get("secret").as_str().unwrap();
    assert!(digest.starts_with("$argon2id$"), "{digest}");
    let paths: Vec<String> = c
        .sensitive
        .iter()
        .map(|p| crate::value::path_string(p))
        .collect();
    assert_eq!(paths, ["description", "secret"]);
    // Against a state with that digest, the same secret plans nothing; another one an update.
    let mut attrs = after.to_json();
    attrs["id"] = json!("x");
    let st = state(&[("fake_thing.a", attrs.clone())]);
    let again =
        |pw: &str| try_plan_with(text, &st, &st, Options::default(), &[("pw", pw)]).unwrap();
    let p = again("hunter2");
    assert_eq!(p.changes[0].action, Action::NoOp);
    assert!(p.rehash.is_empty());
    assert_eq!(again("hunter3").changes[0].action, Action::Update);
    // An old unsalted digest of the same secret: no change, and a new digest to write.
    attrs["secret"] = json!(format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"hunter2"))
    ));
    let st = state(&[("fake_thing.a", attrs)]);
    let p = try_plan_with(text, &st, &st, Options::default(), &[("pw", "hunter2")]).unwrap();
    assert_eq!(p.changes[0].action, Action::NoOp);
    assert_eq!(p.rehash.len(), 1);
    assert!(p.rehash[0].2.starts_with("$argon2id$"));
}

#[test]
fn outputs_that_read_secrets_must_say_so() {
    let text = "variable \"pw\" {\n  sensitive = true\n}\noutput \"o\" { value = var.pw }\n";
    let e = fresh_err(text, &[("pw", "x")]);
    assert!(e.contains("output \"o\" refers to sensitive values"), "{e}");
    let ok = text.replace(
        "output \"o\" { value = var.pw }",
        "output \"o\" {\n  value     = var.pw\n  sensitive = true\n}",
    );
    let p = fresh(&ok, &[("pw", "x")]).unwrap();
    assert!(p.outputs[0].sensitive);
    assert!(p.has_changes(), "a new output is a change");
}

#[test]
fn references_between_instances_flow_through_the_plan() {
    let text = "resource \"fake_thing\" \"a\" {\n  count = 2\n  name  = \"a${count.index}\"\n}\nresource \"fake_thing\" \"b\" {\n  for_each    = { x = 1, y = 2 }\n  name        = \"b-${each.key}\"\n  size        = each.value\n  description = fake_thing.a[1].name\n}\n";
    let p = plan_of(text, &State::new());
    let b_y = p
        .changes
        .iter()
        .find(|c| c.addr.to_string() == "fake_thing.b[\"y\"]")
        .unwrap();
    let after = b_y.after.as_ref().unwrap();
    assert_eq!(after.get("size"), &Value::Number(2.0));
    assert_eq!(after.get("description").as_str(), Some("a1"));
    assert_eq!(p.counts().add, 4);
}

#[test]
fn unknown_counts_are_errors_with_advice() {
    let text = "resource \"fake_thing\" \"a\" { name = \"a\" }\nresource \"fake_thing\" \"b\" {\n  count = length(fake_thing.a.id)\n  name  = \"b\"\n}\n";
    let e = errors(text, &State::new());
    assert!(
        e.contains("the count value depends on values known only after apply"),
        "{e}"
    );
}

#[test]
fn json_masks_and_drift_kinds() {
    let v = Value::from_json(&json!({"a": "x", "s": "secret", "l": [{"k": "y"}]}));
    let mask = json::sensitive_mask(
        &v,
        &[
            vec![PathStep::Key("s".into())],
            vec![
                PathStep::Key("l".into()),
                PathStep::Index(0),
                PathStep::Key("k".into()),
            ],
        ],
    );
    assert_eq!(mask, json!({"s": true, "l": [{"k": true}]}));
    let prior = state(&[("fake_thing.a", live_a())]);
    let mut stopped = live_a();
    stopped["status"] = json!("STOPPED");
    let refreshed = state(&[("fake_thing.a", stopped)]);
    let d = drift(fake::registry(), &prior, &refreshed);
    let report = json::drift_report(&d);
    assert_eq!(report["resource_drift"][0]["kind"], "status_changed");
    assert_eq!(
        report["resource_drift"][0]["changes"][0]["after"],
        "STOPPED"
    );
    assert_eq!(report["count"], 1);
}

#[test]
fn data_sources_come_before_what_reads_them() {
    let text = "data \"modelarts_images\" \"i\" {}\nresource \"fake_thing\" \"a\" {\n  name = data.modelarts_images.i.id\n}\n";
    let cfg = fake::config(text);
    let g = crate::graph::build(&cfg).unwrap();
    assert_eq!(g.order, [0, 1]);
    assert_eq!(
        g.deps[1].iter().next(),
        Some(&ResourceAddr::data("modelarts_images", "i"))
    );
}

#[test]
fn prevent_destroy_guards_only_what_the_plan_destroys() {
    let st = state(&[("fake_thing.a", live_a()), ("fake_thing.b", live_a())]);
    let text = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\nresource \"fake_thing\" \"b\" {\n  name = \"b\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let opts = Options {
        destroy: true,
        targets: vec![InstanceAddr::parse("fake_thing.a").unwrap()],
        ..Default::default()
    };
    let p = try_plan_with(text, &st, &st, opts, &[]).unwrap();
    let addrs: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(
        addrs,
        ["fake_thing.a"],
        "an untargeted guard does not stop the plan"
    );
    let all = Options {
        destroy: true,
        ..Default::default()
    };
    assert!(try_plan_with(text, &st, &st, all, &[]).is_err());
}

#[test]
fn a_failed_check_of_a_secret_value_does_not_quote_it() {
    let text = "variable \"pw\" {\n  sensitive = true\n}\nresource \"fake_thing\" \"a\" {\n  name = \"a\"\n  size = var.pw\n}\n";
    let e = fresh_err(text, &[("pw", "hunter2-not-a-number")]);
    assert!(e.contains("invalid value for size"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    assert!(e.contains("is sensitive"), "{e}");
    // The same mistake with a plain value quotes it.
    let e = fresh_err(
        &text.replace("  sensitive = true\n", ""),
        &[("pw", "hunter2-not-a-number")],
    );
    assert!(e.contains("hunter2-not-a-number"), "{e}");
}

#[test]
fn a_broken_local_is_an_error_even_if_nothing_reads_it() {
    let text = "locals {\n  unused = 1 / 0\n  used   = 1\n}\noutput \"o\" { value = local.used }\n";
    let e = fresh_err(text, &[]);
    assert!(e.contains("main.hcl:2:3: division by zero"), "{e}");
    // Read by an output too: said once.
    let e = fresh_err(&text.replace("local.used", "local.unused"), &[]);
    assert_eq!(e.matches("division by zero").count(), 1, "{e}");
}

#[test]
fn create_before_destroy_reaches_what_the_resource_depends_on() {
    // c asks for it; b (which c reads) and a (which b reads) are replaced the same way;
    // d, which reads a but is not read by c, keeps the default order.
    let text = r#"
resource "fake_thing" "a" {
  name = "a"
  zone = "z2"
}
resource "fake_thing" "b" {
  name        = "b"
  zone        = "z2"
  description = fake_thing.a.name
}
resource "fake_thing" "c" {
  name        = "c"
  zone        = "z2"
  description = fake_thing.b.name
  lifecycle {
    create_before_destroy = true
  }
}
resource "fake_thing" "d" {
  name        = "d"
  zone        = "z2"
  description = fake_thing.a.name
}
"#;
    let st = state(&[
        (
            "fake_thing.a",
            json!({"id": "1", "name": "a", "zone": "z1"}),
        ),
        (
            "fake_thing.b",
            json!({"id": "2", "name": "b", "zone": "z1", "description": "a"}),
        ),
        (
            "fake_thing.c",
            json!({"id": "3", "name": "c", "zone": "z1", "description": "b"}),
        ),
        (
            "fake_thing.d",
            json!({"id": "4", "name": "d", "zone": "z1", "description": "a"}),
        ),
    ]);
    let p = plan_of(text, &st);
    let actions: Vec<(String, Action)> = p
        .changes
        .iter()
        .map(|c| (c.addr.to_string(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("fake_thing.a".to_string(), Action::CreateThenDelete),
            ("fake_thing.b".to_string(), Action::CreateThenDelete),
            ("fake_thing.c".to_string(), Action::CreateThenDelete),
            ("fake_thing.d".to_string(), Action::Replace),
        ]
    );
    assert_eq!(p.counts().add, 4);
    assert_eq!(p.counts().destroy, 4);
    let text = super::render::plan(&p, fake::registry());
    assert!(
        text.contains("+/- create replacement and then destroy"),
        "{text}"
    );
    assert!(
        text.contains("-/+ destroy and then create replacement"),
        "{text}"
    );
    assert!(text.contains("+/- resource \"fake_thing\" \"c\""), "{text}");
    let j = super::json::change_json(&p.changes[0]);
    assert_eq!(j["change"]["actions"], json!(["create", "delete"]));
}

#[test]
fn deposed_objects_are_destroyed_or_forgotten_whatever_the_configuration() {
    let mut st = state(&[("fake_thing.a", json!({"id": "2", "name": "a"}))]);
    st.deposed.insert(
        (
            InstanceAddr::parse("fake_thing.a").unwrap(),
            "0badf00d".into(),
        ),
        Instance {
            attributes: Value::from_json(&json!({"id": "1", "name": "a"})).into(),
            sensitive: vec![],
            dependencies: vec![],
            tainted: false,
        },
    );
    let text = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let p = plan_of(text, &st);
    let acting: Vec<(Action, Option<&str>)> = p
        .changes
        .iter()
        .filter(|c| c.action.acts())
        .map(|c| (c.action, c.deposed.as_deref()))
        .collect();
    assert_eq!(acting, [(Action::Delete, Some("0badf00d"))]);
    let j = super::json::change_json(p.changes.iter().find(|c| c.deposed.is_some()).unwrap());
    assert_eq!(j["deposed"], json!("0badf00d"));
    assert_eq!(j["change"]["actions"], json!(["delete"]));
    // A destroy plan takes them too.
    let d = try_plan_with(
        text.replace("prevent_destroy = true", "prevent_destroy = false")
            .as_str(),
        &st,
        &st,
        Options {
            destroy: true,
            ..Default::default()
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        d.changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .count(),
        2
    );
    // removed { lifecycle { destroy = false } } forgets them with the rest.
    let forget = "removed {\n  from = fake_thing.a\n  lifecycle {\n    destroy = false\n  }\n}\n";
    let p = plan_of(forget, &st);
    let acting: Vec<(Action, Option<&str>)> = p
        .changes
        .iter()
        .map(|c| (c.action, c.deposed.as_deref()))
        .collect();
    assert_eq!(
        acting,
        [(Action::Forget, None), (Action::Forget, Some("0badf00d"))]
    );
}

#[test]
fn check_results_merge_an_instances_conditions_and_say_unknown_until_apply() {
    use super::conditions::{Checkable, Status};
    let text = r#"
resource "fake_thing" "a" {
  count = 2
  name  = "a${count.index}"
  size  = 5
  zone  = "z1"
  lifecycle {
    precondition {
      condition     = count.index < 5
      error_message = "too many"
    }
    postcondition {
      condition     = self.id != ""
      error_message = "no id"
    }
  }
}
check "size" {
  assert {
    condition     = fake_thing.a[0].size == 6
    error_message = "size is not 6"
  }
}
"#;
    let p = fresh(text, &[]).unwrap();
    let find = |o: &Checkable| -> Vec<_> { p.checks.iter().filter(|c| &c.object == o).collect() };
    let a = find(&Checkable::Resource {
        mode: crate::addr::Mode::Managed,
        rtype: "fake_thing".into(),
        name: "a".into(),
    });
    // One result per instance: the precondition passed, the postcondition reads the id
    // known only after apply.
    assert_eq!(a.len(), 2);
    assert!(a
        .iter()
        .all(|c| c.status == Status::Unknown && c.problems.is_empty()));
    assert_eq!(a[1].key, Some(crate::addr::Key::Int(1)));
    let size = find(&Checkable::Check {
        name: "size".into(),
    });
    assert_eq!(size.len(), 1);
    assert_eq!(size[0].status, Status::Fail);
    assert_eq!(size[0].problems, ["size is not 6"]);
    // A destroy plan checks nothing.
    let st = state(&[("fake_thing.a[0]", live_a())]);
    let d = try_plan_with(
        text,
        &st,
        &st,
        Options {
            destroy: true,
            ..Options::default()
        },
        &[],
    )
    .unwrap();
    assert!(d.checks.is_empty());
}
