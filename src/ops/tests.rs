//! The workflows over the in-memory fake provider: refresh, data sources, recovery of an
//! interrupted run, import blocks.

use super::*;
use crate::addr::InstanceAddr;
use crate::config::eval::Objects;
use crate::provider::fake::{self, Fake};
use crate::state::{Instance, Journal, JournalEntry, State};
use crate::value::Value;
use serde_json::json;

/// The fake as a run's only provider configuration.
fn one(f: &std::sync::Arc<Fake>) -> crate::provider::Providers {
    crate::provider::Providers::single(f.clone())
}

fn loaded(text: &str) -> Loaded {
    let cfg = fake::config(text);
    let vars = crate::config::vars::resolve(&cfg, &Default::default(), &[]).unwrap();
    let graph = crate::graph::build(&cfg).unwrap();
    Loaded { cfg, vars, graph }
}

fn inst(attrs: serde_json::Value) -> Instance {
    Instance {
        attributes: Value::from_json(&attrs).into(),
        sensitive: vec![],
        dependencies: vec![],
        tainted: false,
    }
}

const A: &str = "resource \"fake_thing\" \"a\" {\n  name   = \"a\"\n  secret = \"s3cret\"\n}\n";

#[tokio::test]
async fn refresh_reads_objects_and_drops_the_gone() {
    let f = std::sync::Arc::new(Fake::new());
    let id = f.insert(Value::from_json(&json!({"name": "a", "size": 9})));
    let mut st = State::new();
    st.instances.insert(
        InstanceAddr::managed("fake_thing", "a", None),
        inst(json!({"id": id, "name": "a", "size": 1})),
    );
    st.instances.insert(
        InstanceAddr::managed("fake_thing", "gone", None),
        inst(json!({"id": "fake-99"})),
    );
    st.instances.insert(
        InstanceAddr::managed("old_kind", "x", None),
        inst(json!({"id": "o"})),
    );
    let r = refresh::refresh(&one(&f), fake::registry(), &st)
        .await
        .unwrap();
    let a = &r.instances[&InstanceAddr::managed("fake_thing", "a", None)];
    assert_eq!(a.attributes.get("size"), &Value::Number(9.0));
    assert!(!r
        .instances
        .contains_key(&InstanceAddr::managed("fake_thing", "gone", None)));
    assert!(
        r.instances
            .contains_key(&InstanceAddr::managed("old_kind", "x", None)),
        "unknown kinds are kept as they are"
    );
    assert_eq!(f.log(), ["list 2"], "one call for the kind");
}

#[tokio::test]
async fn data_sources_are_read_with_their_arguments() {
    let l = loaded("data \"modelarts_images\" \"img\" {\n  name = \"pytorch\"\n}\nresource \"fake_thing\" \"a\" {\n  name = data.modelarts_images.img.id\n}\n");
    let f = std::sync::Arc::new(Fake::new());
    let (data, warnings) = refresh::read_data(&one(&f), &l, &State::new())
        .await
        .unwrap();
    assert!(warnings.is_empty());
    let v = &data[&crate::addr::ResourceAddr::data("modelarts_images", "img")];
    assert_eq!(v.get("name").as_str(), Some("pytorch"));
    assert_eq!(v.get("id").as_str(), Some("modelarts_images-id"));
}

async fn journal_with(entries: &[JournalEntry]) -> (tempfile::TempDir, Journal) {
    let d = tempfile::tempdir().unwrap();
    let j = Journal::new(d.path().join("j"));
    for e in entries {
        j.append(e).await.unwrap();
    }
    (d, j)
}

fn intent(name: &str) -> JournalEntry {
    JournalEntry::Intent {
        addr: "fake_thing.a".into(),
        rtype: "fake_thing".into(),
        name: name.into(),
        at: 0,
    }
}

#[tokio::test]
async fn recovery_adopts_by_recorded_id_with_the_configured_secret() {
    let l = loaded(A);
    let f = std::sync::Arc::new(Fake::new());
    let id = f.insert(Value::from_json(&json!({"name": "a"})));
    let (_d, j) = journal_with(&[
        intent("a"),
        JournalEntry::Created {
            addr: "fake_thing.a".into(),
            id: id.clone(),
        },
    ])
    .await;
    let mut st = State::new();
    let msgs = recover::recover(&one(&f), &l, &Objects::new(), &j, &mut st)
        .await
        .unwrap();
    assert!(
        msgs[0].starts_with(&format!("Recovered fake_thing.a (id={id})")),
        "{msgs:?}"
    );
    let a = &st.instances[&InstanceAddr::managed("fake_thing", "a", None)];
    assert!(!a.tainted);
    assert!(
        a.attributes
            .get("secret")
            .as_str()
            .unwrap_or("")
            .starts_with("$argon2id$")
            || a.attributes.get("secret").is_null(),
        "a secret never lands in clear"
    );
}

#[tokio::test]
async fn recovery_finds_by_name_refuses_ambiguity_and_forgets_what_never_happened() {
    let l = loaded(A);
    // Found by name.
    let f = std::sync::Arc::new(Fake::new());
    f.insert(Value::from_json(&json!({"name": "a"})));
    let (_d, j) = journal_with(&[intent("a")]).await;
    let mut st = State::new();
    recover::recover(&one(&f), &l, &Objects::new(), &j, &mut st)
        .await
        .unwrap();
    assert_eq!(st.instances.len(), 1);
    // Two candidates: nothing is decided.
    let f = std::sync::Arc::new(Fake::new());
    f.insert(Value::from_json(&json!({"name": "a"})));
    f.insert(Value::from_json(&json!({"name": "a"})));
    let mut st = State::new();
    let e = recover::recover(&one(&f), &l, &Objects::new(), &j, &mut st)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 unmanaged objects of that name"), "{e}");
    assert!(st.instances.is_empty());
    // None: planned again.
    let f = std::sync::Arc::new(Fake::new());
    let msgs = recover::recover(&one(&f), &l, &Objects::new(), &j, &mut st)
        .await
        .unwrap();
    assert!(msgs[0].contains("never reached ModelArts"), "{msgs:?}");
    assert!(st.instances.is_empty());
}

#[tokio::test]
async fn recovery_taints_a_failed_create() {
    let l = loaded(A);
    let f = std::sync::Arc::new(Fake::new());
    let id = f.insert(Value::from_json(
        &json!({"name": "a", "status": "CREATE_FAILED"}),
    ));
    let (_d, j) = journal_with(&[
        intent("a"),
        JournalEntry::Created {
            addr: "fake_thing.a".into(),
            id,
        },
    ])
    .await;
    let mut st = State::new();
    let msgs = recover::recover(&one(&f), &l, &Objects::new(), &j, &mut st)
        .await
        .unwrap();
    assert!(msgs[0].contains("(tainted: it failed)"), "{msgs:?}");
    assert!(st.instances.values().all(|i| i.tainted));
}

#[tokio::test]
async fn recovery_keeps_the_object_a_replacement_was_replacing_as_deposed() {
    // A create-before-destroy replacement killed after its create: the state still has
    // the old object as current, the journal the new one. Both are kept.
    let l = loaded(A);
    let f = std::sync::Arc::new(Fake::new());
    let old = f.insert(Value::from_json(&json!({"name": "a"})));
    let new = f.insert(Value::from_json(&json!({"name": "a"})));
    let (_d, j) = journal_with(&[
        intent("a"),
        JournalEntry::Created {
            addr: "fake_thing.a".into(),
            id: new.clone(),
        },
    ])
    .await;
    let a = InstanceAddr::managed("fake_thing", "a", None);
    let mut st = State::new();
    st.instances.insert(
        a.clone(),
        crate::state::Instance {
            attributes: Value::from_json(&json!({"id": old, "name": "a"})).into(),
            sensitive: vec![],
            dependencies: vec![],
            tainted: false,
        },
    );
    let msgs = recover::recover(&one(&f), &l, &Objects::new(), &j, &mut st)
        .await
        .unwrap();
    assert!(msgs[0].contains("kept as deposed"), "{msgs:?}");
    assert_eq!(
        st.instances[&a].attributes.get("id").as_str(),
        Some(new.as_str())
    );
    let deposed: Vec<&str> = st
        .deposed
        .values()
        .filter_map(|i| i.attributes.get("id").as_str())
        .collect();
    assert_eq!(deposed, [old.as_str()]);
}

#[tokio::test]
async fn import_blocks_add_existing_objects_once() {
    let f = std::sync::Arc::new(Fake::new());
    let id = f.insert(Value::from_json(&json!({"name": "a"})));
    let text = format!("{A}import {{\n  to = fake_thing.a\n  id = \"{id}\"\n}}\n");
    let l = loaded(&text);
    let mut st = State::new();
    let imported = import::import_blocks(&one(&f), &l, &Objects::new(), &mut st)
        .await
        .unwrap();
    assert_eq!(
        imported,
        [(InstanceAddr::managed("fake_thing", "a", None), id.clone())]
    );
    // Already managed: nothing to do.
    let again = import::import_blocks(&one(&f), &l, &Objects::new(), &mut st)
        .await
        .unwrap();
    assert!(again.is_empty());
    let missing = loaded(&format!(
        "{A}import {{\n  to = fake_thing.a\n  id = \"nope\"\n}}\n"
    ));
    let e = import::import_blocks(&one(&f), &missing, &Objects::new(), &mut State::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot import fake_thing.a: there is no fake_thing with id nope"),
        "{e}"
    );
}

#[test]
fn workspace_names_and_files_live_under_the_directory() {
    assert!(workspace::valid_name("prod-1_a"));
    assert!(!workspace::valid_name("../evil"));
    assert!(!workspace::valid_name(""));
    let wd = Workdir {
        dir: "/cfg".into(),
        workspace: "w".into(),
    };
    assert_eq!(
        wd.errored_path(),
        std::path::Path::new("/cfg/errored-w.maform.json")
    );
    assert_eq!(wd.maform_dir(), std::path::Path::new("/cfg/.maform"));
    let here = Workdir {
        dir: ".".into(),
        workspace: "default".into(),
    };
    assert_eq!(
        here.errored_path(),
        std::path::Path::new("errored-default.maform.json")
    );
}

#[tokio::test]
async fn two_addresses_of_one_object_both_stay_in_the_refresh() {
    let f = std::sync::Arc::new(Fake::new());
    let id = f.insert(Value::from_json(&json!({"name": "a"})));
    let mut st = State::new();
    for n in ["one", "two"] {
        st.instances.insert(
            InstanceAddr::managed("fake_thing", n, None),
            inst(json!({"id": id, "name": "a"})),
        );
    }
    let r = refresh::refresh(&one(&f), fake::registry(), &st)
        .await
        .unwrap();
    assert_eq!(r.instances.len(), 2);
}

#[tokio::test]
async fn an_import_must_name_a_configured_instance() {
    let f = std::sync::Arc::new(Fake::new());
    let id = f.insert(Value::from_json(&json!({"name": "a"})));
    for to in ["fake_thing.undeclared", "fake_thing.a[3]"] {
        let l = loaded(&format!("{A}import {{\n  to = {to}\n  id = \"{id}\"\n}}\n"));
        let e = import::import_blocks(&one(&f), &l, &Objects::new(), &mut State::new())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("is not in the configuration") || e.contains("is not one of the instances"),
            "{to}: {e}"
        );
    }
}

#[tokio::test]
async fn a_checks_data_source_is_read_when_its_arguments_are_known() {
    let l = loaded("resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\ncheck \"c\" {\n  data \"modelarts_images\" \"known\" {\n    name = \"pytorch\"\n  }\n  assert {\n    condition     = data.modelarts_images.known.id != \"\"\n    error_message = \"x\"\n  }\n}\ncheck \"d\" {\n  data \"modelarts_images\" \"later\" {\n    name = fake_thing.a.id\n  }\n  assert {\n    condition     = data.modelarts_images.later.id != \"\"\n    error_message = \"x\"\n  }\n}\n");
    let f = std::sync::Arc::new(Fake::new());
    let (data, warnings) = refresh::read_data(&one(&f), &l, &State::new())
        .await
        .unwrap();
    let known = crate::addr::ResourceAddr::data("modelarts_images", "known");
    assert_eq!(data[&known].get("id").as_str(), Some("modelarts_images-id"));
    let later = crate::addr::ResourceAddr::data("modelarts_images", "later");
    assert!(
        !data.contains_key(&later),
        "fake_thing.a does not exist yet"
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0]
        .summary
        .contains("Check block data source known after apply (check \"d\")"));
    assert_eq!(
        f.log(),
        ["data modelarts_images"],
        "one read: the known one"
    );
}
