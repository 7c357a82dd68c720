//! Apply over the in-memory fake provider: ordering, parallelism, failure propagation,
//! tainting, cancellation, persistence. No HTTP.

use super::*;
use crate::addr::{InstanceAddr, ResourceAddr};
use crate::plan::Options;
use crate::provider::fake::{self, Fake};
use crate::state::{Journal, JournalEntry};

/// Plan `text` against `state` with the fake kind.
fn plan_of(text: &str, state: &State, options: Options) -> (Config, Resolved, Plan) {
    let cfg = fake::config(text);
    let vars = crate::config::vars::resolve(&cfg, &Default::default(), &[]).unwrap();
    let graph = crate::graph::build(&cfg).unwrap();
    let data = Objects::new();
    let plan = crate::plan::plan(&crate::plan::Inputs {
        cfg: &cfg,
        vars: &vars,
        graph: &graph,
        prior: state,
        refreshed: state,
        data: &data,
        options: &options,
    })
    .unwrap();
    (cfg, vars, plan)
}

/// Collects persisted states.
#[derive(Default)]
struct Saved(Vec<State>);

impl Persist for Saved {
    async fn persist(&mut self, state: &mut State) -> anyhow::Result<()> {
        self.0.push(state.clone());
        Ok(())
    }
}

struct Run {
    summary: Summary,
    state: State,
    events: Vec<Event>,
    saved: Saved,
}

async fn run_with(
    fake: Arc<Fake>,
    text: &str,
    state: State,
    options: Options,
    parallelism: usize,
    cancel: Cancel,
) -> Run {
    let (cfg, vars, plan) = plan_of(text, &state, options);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let data = Objects::new();
    let ctx = Context {
        cfg: &cfg,
        vars: &vars,
        data: &data,
        providers: crate::provider::Providers::single(fake),
        parallelism,
        events: tx,
        journal: None,
        cancel,
    };
    let mut state = state;
    let mut saved = Saved::default();
    let summary = apply(&ctx, &plan, &mut state, &mut saved).await.unwrap();
    drop(ctx);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    Run {
        summary,
        state,
        events,
        saved,
    }
}

async fn run(fake: Arc<Fake>, text: &str, state: State) -> Run {
    run_with(fake, text, state, Options::default(), 10, Cancel::default()).await
}

const CHAIN: &str = r#"
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" {
  name        = "b"
  description = fake_thing.a.id
}
resource "fake_thing" "c" {
  name        = "c"
  description = fake_thing.b.id
}
"#;

fn names_in(log: &[String], verb: &str) -> Vec<String> {
    log.iter()
        .filter_map(|l| l.strip_prefix(&format!("{verb} ")).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn creates_follow_dependencies_and_see_their_ids() {
    let fake = Arc::new(Fake::new());
    let r = run(fake.clone(), CHAIN, State::new()).await;
    assert_eq!(names_in(&fake.log(), "create"), ["a", "b", "c"]);
    assert_eq!(r.summary.done.add, 3);
    let b = &r.state.instances[&InstanceAddr::managed("fake_thing", "b", None)];
    let a = &r.state.instances[&InstanceAddr::managed("fake_thing", "a", None)];
    assert_eq!(b.attributes.get("description"), a.attributes.get("id"));
    assert_eq!(b.dependencies, [ResourceAddr::managed("fake_thing", "a")]);
    assert!(!r.saved.0.is_empty(), "the state is persisted as it goes");
}

#[tokio::test]
async fn deletes_go_in_reverse_dependency_order() {
    let fake = Arc::new(Fake::new());
    let created = run(fake.clone(), CHAIN, State::new()).await;
    let r = run_with(
        fake.clone(),
        CHAIN,
        created.state,
        Options {
            destroy: true,
            ..Default::default()
        },
        10,
        Cancel::default(),
    )
    .await;
    let ids = names_in(&fake.log(), "delete");
    assert_eq!(r.summary.done.destroy, 3);
    assert!(r.state.instances.is_empty());
    assert!(fake.objects().is_empty());
    // c depends on b depends on a: deleted c, then b, then a (ids were given in order).
    assert_eq!(ids, ["fake-3", "fake-2", "fake-1"]);
}

#[tokio::test]
async fn parallelism_bounds_operations_in_flight() {
    let text: String = (0..12)
        .map(|i| format!("resource \"fake_thing\" \"t{i}\" {{ name = \"t{i}\" }}\n"))
        .collect();
    for limit in [1, 3] {
        let fake = Arc::new(Fake::new());
        let r = run_with(
            fake.clone(),
            &text,
            State::new(),
            Options::default(),
            limit,
            Cancel::default(),
        )
        .await;
        assert_eq!(r.summary.done.add, 12);
        assert_eq!(fake.max_in_flight(), limit, "parallelism {limit}");
    }
}

#[tokio::test]
async fn a_failure_skips_only_its_dependents() {
    let fake = Arc::new(Fake::new());
    fake.refuse("a");
    let text = format!("{CHAIN}resource \"fake_thing\" \"other\" {{ name = \"other\" }}\n");
    let r = run(fake.clone(), &text, State::new()).await;
    assert_eq!(
        (r.summary.done.add, r.summary.failed, r.summary.skipped),
        (1, 1, 2)
    );
    let failure = r.events.iter().find_map(|e| match e {
        Event::Failed { addr, error, .. } => Some((addr.to_string(), error.clone())),
        _ => None,
    });
    let (addr, error) = failure.unwrap();
    assert_eq!(addr, "fake_thing.a");
    assert_eq!(
        error.code.as_deref(),
        Some("Fake.0001"),
        "the service's code reaches the event"
    );
    assert_eq!(error.http_status, Some(400));
    let skipped: Vec<String> = r
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Skipped { addr, because } => {
                assert_eq!(because.to_string(), "fake_thing.a");
                Some(addr.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(skipped, ["fake_thing.b", "fake_thing.c"]);
    assert!(r.summary.unsuccessful());
}

#[tokio::test]
async fn a_failed_create_is_recorded_tainted_and_replaced_next_time() {
    let fake = Arc::new(Fake::new());
    fake.fail("a");
    let text = "resource \"fake_thing\" \"a\" { name = \"a\" }\n";
    let r = run(fake.clone(), text, State::new()).await;
    assert_eq!(r.summary.failed, 1);
    let a = InstanceAddr::managed("fake_thing", "a", None);
    let inst = &r.state.instances[&a];
    assert!(inst.tainted);
    assert_eq!(
        inst.attributes.get("status").as_str(),
        Some("CREATE_FAILED")
    );
    let (_, _, plan) = plan_of(text, &r.state, Options::default());
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert_eq!(
        plan.changes[0].reason,
        Some(crate::plan::ActionReason::Tainted)
    );
}

#[tokio::test]
async fn a_first_cancel_starts_nothing_new_a_second_stops() {
    let text: String = (0..6)
        .map(|i| format!("resource \"fake_thing\" \"t{i}\" {{ name = \"t{i}\" }}\n"))
        .collect();
    let fake = Arc::new(Fake::new());
    let cancel = Cancel::default();
    cancel.stop.cancel();
    let r = run_with(
        fake.clone(),
        &text,
        State::new(),
        Options::default(),
        2,
        cancel,
    )
    .await;
    assert!(r.summary.interrupted);
    assert_eq!(r.summary.done.add, 2, "what was in flight finished");
    assert_eq!(r.summary.skipped, 4, "nothing new started");
    assert_eq!(r.state.instances.len(), 2);
    assert!(r.events.iter().any(|e| matches!(e, Event::Interrupted)));

    let fake = Arc::new(Fake::new());
    let cancel = Cancel::default();
    cancel.stop.cancel();
    cancel.abort.cancel();
    let r = run_with(fake, &text, State::new(), Options::default(), 2, cancel).await;
    assert!(r.summary.aborted);
    assert!(
        r.summary.interrupted && r.summary.unsuccessful(),
        "an abort seen first is an interruption too"
    );
}

#[tokio::test]
async fn updates_in_place_and_replacements_by_the_kinds_rules() {
    let fake = Arc::new(Fake::new());
    let v1 = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  size = 5\n  zone = \"z1\"\n}\n";
    let first = run(fake.clone(), v1, State::new()).await;
    let id = |s: &State| {
        s.instances[&InstanceAddr::managed("fake_thing", "a", None)]
            .attributes
            .get("id")
            .clone()
    };
    // Growing the size updates in place.
    let grown = run(
        fake.clone(),
        &v1.replace("size = 5", "size = 8"),
        first.state.clone(),
    )
    .await;
    assert_eq!(grown.summary.done.change, 1);
    assert_eq!(id(&grown.state), id(&first.state));
    // Shrinking it replaces, by the kind's rule.
    let shrunk = v1.replace("size = 5", "size = 2");
    let (_, _, plan) = plan_of(&shrunk, &grown.state, Options::default());
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert_eq!(
        plan.changes[0]
            .reason
            .as_ref()
            .map(|r| r.to_string())
            .as_deref(),
        Some("size can only grow")
    );
    let replaced = run(fake.clone(), &shrunk, grown.state).await;
    assert_eq!(
        (replaced.summary.done.add, replaced.summary.done.destroy),
        (1, 1)
    );
    assert_ne!(id(&replaced.state), id(&first.state));
    assert_eq!(fake.objects().len(), 1, "the old object is gone");
}

#[tokio::test]
async fn secrets_are_stored_as_digests() {
    let fake = Arc::new(Fake::new());
    let text = "resource \"fake_thing\" \"a\" {\n  name   = \"a\"\n  secret = \"hunter2\"\n}\n";
    let r = run(fake.clone(), text, State::new()).await;
    let inst = &r.state.instances[&InstanceAddr::managed("fake_thing", "a", None)];
    let stored = inst.attributes.get("secret").as_str().unwrap();
    assert_eq!(
        crate::digest::verify(b"hunter2", stored),
        crate::digest::Verified::Current,
        "{stored}"
    );
    assert!(!String::from_utf8(r.state.to_bytes())
        .unwrap()
        .contains("hunter2"));
    assert_eq!(
        inst.sensitive,
        [vec![crate::value::PathStep::Key("secret".into())]]
    );
    // The provider got the secret itself.
    let sent = fake.objects().into_values().next().unwrap();
    assert_eq!(sent.get("secret").as_str(), Some("hunter2"));
}

#[tokio::test]
async fn a_state_naming_an_unknown_type_fails_that_change_only() {
    let fake = Arc::new(Fake::new());
    let mut state = State::new();
    state.instances.insert(
        InstanceAddr::managed("gone_kind", "x", None),
        Instance {
            attributes: crate::value::Value::from_json(&serde_json::json!({"id": "g"})).into(),
            sensitive: vec![],
            dependencies: vec![],
            tainted: false,
        },
    );
    let r = run(
        fake,
        "resource \"fake_thing\" \"a\" { name = \"a\" }\n",
        state,
    )
    .await;
    assert_eq!((r.summary.done.add, r.summary.failed), (1, 1));
    let msg = r.events.iter().find_map(|e| match e {
        Event::Failed { error, .. } => Some(error.message.clone()),
        _ => None,
    });
    assert!(msg
        .unwrap()
        .contains("gone_kind is not a resource type maform manages"));
}

#[tokio::test]
async fn creates_are_journaled_before_and_after_the_call() {
    let d = tempfile::tempdir().unwrap();
    let journal = Arc::new(Journal::new(d.path().join("journal")));
    let text = "resource \"fake_thing\" \"a\" { name = \"a\" }\n";
    let (cfg, vars, plan) = plan_of(text, &State::new(), Options::default());
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let data = Objects::new();
    let fake = Arc::new(Fake::new());
    let ctx = Context {
        cfg: &cfg,
        vars: &vars,
        data: &data,
        providers: crate::provider::Providers::single(fake.clone()),
        parallelism: 1,
        events: tx,
        journal: Some(journal.clone()),
        cancel: Cancel::default(),
    };
    let mut state = State::new();
    apply(&ctx, &plan, &mut state, &mut Saved::default())
        .await
        .unwrap();
    let entries = journal.read().await.unwrap();
    let id = fake.objects().into_keys().next().unwrap();
    assert_eq!(
        entries,
        [
            JournalEntry::Intent {
                addr: "fake_thing.a".into(),
                rtype: "fake_thing".into(),
                name: "a".into(),
                at: 0
            },
            JournalEntry::Created {
                addr: "fake_thing.a".into(),
                id
            }
        ]
    );
}

#[tokio::test]
async fn outputs_come_from_the_final_state() {
    let fake = Arc::new(Fake::new());
    let text = "resource \"fake_thing\" \"a\" { name = \"a\" }\noutput \"id\" { value = fake_thing.a.id }\n";
    let mut r = run(fake, text, State::new()).await;
    let (cfg, vars, _) = plan_of(text, &r.state, Options::default());
    outputs(&cfg, &vars, &Objects::new(), &mut r.state);
    let a = &r.state.instances[&InstanceAddr::managed("fake_thing", "a", None)];
    assert_eq!(&r.state.outputs["id"].value, a.attributes.get("id"));
}

#[tokio::test]
async fn a_replacement_deletes_the_old_object_first() {
    let fake = Arc::new(Fake::new());
    let v1 = "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n  zone = \"z1\"\n}\n";
    let first = run(fake.clone(), v1, State::new()).await;
    run(fake.clone(), &v1.replace("z1", "z2"), first.state).await;
    let log: Vec<String> = fake.log().into_iter().skip(1).collect();
    assert_eq!(log, ["delete fake-1", "create a"]);
}

const CBD: &str = r#"
resource "fake_thing" "a" {
  name = "a"
  zone = "z1"
  lifecycle {
    create_before_destroy = true
  }
}
resource "fake_thing" "b" {
  name        = "b"
  description = fake_thing.a.id
}
"#;

fn id_of(s: &State, name: &str) -> String {
    s.instances[&InstanceAddr::managed("fake_thing", name, None)]
        .attributes
        .get("id")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn create_before_destroy_creates_repoints_dependents_then_destroys() {
    let fake = Arc::new(Fake::new());
    let first = run(fake.clone(), CBD, State::new()).await;
    let v2 = CBD.replace("z1", "z2");
    let (_, _, plan) = plan_of(&v2, &first.state, Options::default());
    let actions: Vec<Action> = plan.changes.iter().map(|c| c.action).collect();
    assert_eq!(actions, [Action::CreateThenDelete, Action::Update]);
    assert_eq!(operations(&plan), 3);
    let r = run(fake.clone(), &v2, first.state).await;
    let log: Vec<String> = fake.log().into_iter().skip(2).collect();
    assert_eq!(log, ["create a", "update fake-2", "delete fake-1"]);
    assert_eq!(
        (
            r.summary.done.add,
            r.summary.done.change,
            r.summary.done.destroy
        ),
        (1, 1, 1)
    );
    assert_eq!(id_of(&r.state, "a"), "fake-3");
    assert_eq!(id_of(&r.state, "b"), "fake-2");
    assert!(r.state.deposed.is_empty());
    assert_eq!(fake.objects().len(), 2, "the old object is gone");
    // While dependents moved over, the state held both: the new object current, the old
    // one deposed (so that a run killed then loses neither).
    assert!(r.saved.0.iter().any(|s| s.deposed.len() == 1
        && s.deposed
            .values()
            .all(|i| i.attributes.get("id").as_str() == Some("fake-1"))
        && id_of(s, "a") == "fake-3"));
    let deposed_events = r
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Start {
                    deposed: Some(_),
                    action: Action::Delete,
                    ..
                }
            )
        })
        .count();
    assert_eq!(deposed_events, 1, "the destroy names the deposed object");
}

#[tokio::test]
async fn a_replacement_never_made_leaves_the_old_object_current() {
    let fake = Arc::new(Fake::new());
    let first = run(fake.clone(), CBD, State::new()).await;
    fake.refuse("a2");
    let v2 = CBD
        .replace("z1", "z2")
        .replace("name = \"a\"", "name = \"a2\"");
    let r = run(fake.clone(), &v2, first.state).await;
    assert_eq!(
        (r.summary.failed, r.summary.skipped),
        (1, 1),
        "b waits for a"
    );
    assert_eq!(id_of(&r.state, "a"), "fake-1");
    assert!(r.state.deposed.is_empty());
    assert!(!fake.log().iter().any(|l| l.starts_with("delete")));
    let skipped: Vec<String> = r
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Skipped { addr, .. } => Some(addr.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        skipped,
        ["fake_thing.b"],
        "the destroy half is not an operation of its own"
    );
}

#[tokio::test]
async fn a_failed_replacement_that_exists_is_current_and_the_old_one_stays_deposed() {
    let fake = Arc::new(Fake::new());
    let first = run(fake.clone(), CBD, State::new()).await;
    fake.fail("a2");
    let v2 = CBD
        .replace("z1", "z2")
        .replace("name = \"a\"", "name = \"a2\"");
    let r = run(fake.clone(), &v2, first.state).await;
    assert_eq!(r.summary.failed, 1);
    let a = InstanceAddr::managed("fake_thing", "a", None);
    assert!(r.state.instances[&a].tainted);
    assert_eq!(r.state.deposed.len(), 1);
    // The next plan replaces the tainted one and destroys the deposed one.
    let (_, _, plan) = plan_of(&v2, &r.state, Options::default());
    let a_changes: Vec<(Action, bool)> = plan
        .changes
        .iter()
        .filter(|c| c.addr == a)
        .map(|c| (c.action, c.deposed.is_some()))
        .collect();
    assert_eq!(
        a_changes,
        [(Action::CreateThenDelete, false), (Action::Delete, true)]
    );
}

#[tokio::test]
async fn a_deposed_object_whose_delete_fails_is_destroyed_by_the_next_apply() {
    let fake = Arc::new(Fake::new());
    let first = run(fake.clone(), CBD, State::new()).await;
    fake.keep("fake-1");
    let v2 = CBD.replace("z1", "z2");
    let r = run(fake.clone(), &v2, first.state).await;
    assert_eq!((r.summary.failed, r.summary.done.add), (1, 1));
    assert_eq!(id_of(&r.state, "a"), "fake-3");
    let (key, old) = r
        .state
        .deposed
        .iter()
        .next()
        .map(|((_, k), i)| (k.clone(), i.clone()))
        .unwrap();
    assert!(crate::state::model::valid_deposed_key(&key), "{key}");
    assert_eq!(old.attributes.get("id").as_str(), Some("fake-1"));
    let failed = r.events.iter().find_map(|e| match e {
        Event::Failed {
            deposed, action, ..
        } => Some((deposed.clone(), *action)),
        _ => None,
    });
    assert_eq!(failed, Some((Some(key.clone()), Action::Delete)));
    // Nothing else changes: the next plan destroys only the deposed object, and
    // prevent_destroy does not hold it back.
    let guarded = v2.replace(
        "create_before_destroy = true",
        "create_before_destroy = true\n    prevent_destroy = true",
    );
    let (_, _, plan) = plan_of(&guarded, &r.state, Options::default());
    let acting: Vec<(String, Action, Option<String>)> = plan
        .changes
        .iter()
        .filter(|c| c.action.acts())
        .map(|c| (c.addr.to_string(), c.action, c.deposed.clone()))
        .collect();
    assert_eq!(
        acting,
        [("fake_thing.a".to_string(), Action::Delete, Some(key))]
    );
    let text = crate::plan::render::plan(&plan, fake::registry());
    assert!(text.contains("(deposed object "), "{text}");
    assert!(
        text.contains("left over from a partially-failed replacement"),
        "{text}"
    );
    fake.release("fake-1");
    let again = run(fake.clone(), &v2, r.state).await;
    assert_eq!(again.summary.done.destroy, 1);
    assert!(again.state.deposed.is_empty());
    assert_eq!(fake.objects().len(), 2);
}

#[tokio::test]
async fn each_object_goes_to_its_provider_configuration() {
    let text = "provider \"modelarts\" {\n  alias = \"other\"\n}\nresource \"fake_thing\" \"a\" { name = \"a\" }\nresource \"fake_thing\" \"b\" {\n  provider = modelarts.other\n  name     = \"b\"\n}\n";
    let (cfg, vars, plan) = plan_of(text, &State::new(), Options::default());
    let here = Arc::new(Fake::new());
    let there = Arc::new(Fake::new());
    let b = ResourceAddr::managed("fake_thing", "b");
    let providers = crate::provider::Providers {
        default: here.clone(),
        aliases: [("other".to_string(), there.clone() as Arc<dyn Provider>)].into(),
        owners: [(b.clone(), Some("other".to_string()))].into(),
        modules: Default::default(),
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let data = Objects::new();
    let ctx = Context {
        cfg: &cfg,
        vars: &vars,
        data: &data,
        providers,
        parallelism: 4,
        events: tx,
        journal: None,
        cancel: Cancel::default(),
    };
    let mut state = State::new();
    let mut saved = Saved::default();
    let summary = apply(&ctx, &plan, &mut state, &mut saved).await.unwrap();
    assert_eq!(summary.done.add, 2);
    assert_eq!(here.log(), ["create a"]);
    assert_eq!(there.log(), ["create b"]);
    assert_eq!(state.alias_of(&b), Some("other"));
    assert!(
        saved
            .0
            .iter()
            .all(|s| !s.has_objects_of(&b) || s.alias_of(&b) == Some("other")),
        "every state written with b's object says which configuration owns it"
    );
}

#[tokio::test]
async fn a_module_waits_for_what_its_inputs_read_and_its_readers_wait_for_it() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("m")).unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"fake_thing\" \"a\" { name = \"a\" }\nmodule \"m\" {\n  source = \"./m\"\n  from   = fake_thing.a.id\n}\nresource \"fake_thing\" \"z\" {\n  name        = \"z\"\n  description = module.m.id\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("m/main.tf"),
        "variable \"from\" {}\nresource \"fake_thing\" \"inner\" {\n  name        = \"inner\"\n  description = var.from\n}\noutput \"id\" { value = fake_thing.inner.id }\n",
    )
    .unwrap();
    let cfg = Config::load_dir_with(d.path(), fake::registry()).unwrap();
    let vars = crate::config::vars::resolve(&cfg, &Default::default(), &[]).unwrap();
    let graph = crate::graph::build(&cfg).unwrap();
    let data = Objects::new();
    let state = State::new();
    let plan = crate::plan::plan(&crate::plan::Inputs {
        cfg: &cfg,
        vars: &vars,
        graph: &graph,
        prior: &state,
        refreshed: &state,
        data: &data,
        options: &Options::default(),
    })
    .unwrap();
    let inner = plan
        .changes
        .iter()
        .find(|c| c.addr.to_string() == "module.m.fake_thing.inner")
        .unwrap();
    assert_eq!(inner.deps, [ResourceAddr::managed("fake_thing", "a")]);
    let fake = Arc::new(Fake::new());
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let ctx = Context {
        cfg: &cfg,
        vars: &vars,
        data: &data,
        providers: crate::provider::Providers::single(fake.clone()),
        parallelism: 10,
        events: tx,
        journal: None,
        cancel: Cancel::default(),
    };
    let mut st = State::new();
    let summary = apply(&ctx, &plan, &mut st, &mut Saved::default())
        .await
        .unwrap();
    assert_eq!(summary.done.add, 3);
    assert_eq!(names_in(&fake.log(), "create"), ["a", "inner", "z"]);
    // Each saw the other's id, through the module's variable and its output.
    let by = |a: &str| {
        st.instances[&InstanceAddr::parse(a).unwrap()]
            .attributes
            .clone()
    };
    assert_eq!(
        by("module.m.fake_thing.inner").get("description"),
        by("fake_thing.a").get("id")
    );
    assert_eq!(
        by("fake_thing.z").get("description"),
        by("module.m.fake_thing.inner").get("id")
    );
}
