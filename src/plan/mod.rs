//! Plans: what apply will do, and why.
//!
//! Owns the plan's vocabulary ([`Action`] with every word and symbol the views print for
//! it, [`ActionReason`], [`Change`], [`Drift`], [`Plan`]), the pure planner
//! ([`planner`]: configuration × prior state × refreshed state → changes), instance
//! evaluation shared with apply ([`instances`]), and the renderings of a plan (human,
//! JSON, Markdown) and its saved form. Must not touch the network or the terminal.

pub mod conditions;
pub mod exact;
pub mod instances;
pub mod json;
pub mod markdown;
pub mod moves;
pub mod planner;
#[cfg(test)]
mod planner_tests;
pub mod render;
#[cfg(test)]
mod render_tests;
pub mod saved;

pub use instances::{eval_instance, expand, failed_conditions, Expansions, InstanceKey};
pub use planner::{diff_paths, drift, forces_new, plan, planned, shape, Inputs};

use crate::addr::{InstanceAddr, Key, ResourceAddr};
use crate::config::Timeouts;
use crate::value::{Path, Value};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// What apply does to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Destroy, then create the replacement.
    Replace,
    /// Create the replacement, then destroy the old object (`create_before_destroy`).
    CreateThenDelete,
    Delete,
    Read,
    /// Removed from the state, left alone in the cloud (`removed` with `destroy = false`).
    Forget,
}

/// Every word and symbol the views use for an action, in one table.
pub struct ActionText {
    /// The plan's margin symbol.
    pub symbol: &'static str,
    /// "will be created"
    pub phrase: &'static str,
    /// The pull-request summary's phrase and icon.
    pub md_phrase: &'static str,
    pub icon: &'static str,
    /// Terraform's JSON `actions`.
    pub json: &'static [&'static str],
    /// The name in saved plans and event streams.
    pub name: &'static str,
    /// Apply progress: starting, still going, done.
    pub progress: [&'static str; 3],
    /// What a failure was doing: "Error: creating ...".
    pub doing: &'static str,
    /// The graph's node colour.
    pub color: Option<&'static str>,
}

impl Action {
    pub fn text(self) -> &'static ActionText {
        const READING: [&str; 3] = ["Reading...", "Still reading...", "Read complete"];
        static NOOP: ActionText = ActionText {
            doing: "reading",
            symbol: "   ",
            phrase: "",
            md_phrase: "",
            icon: "•",
            json: &["no-op"],
            name: "no-op",
            progress: READING,
            color: None,
        };
        static CREATE: ActionText = ActionText {
            doing: "creating",
            symbol: "  +",
            phrase: "will be created",
            md_phrase: "will be created",
            icon: "➕",
            json: &["create"],
            name: "create",
            progress: ["Creating...", "Still creating...", "Creation complete"],
            color: Some("darkgreen"),
        };
        static UPDATE: ActionText = ActionText {
            doing: "updating",
            symbol: "  ~",
            phrase: "will be updated in-place",
            md_phrase: "will be updated in place",
            icon: "🔄",
            json: &["update"],
            name: "update",
            progress: [
                "Modifying...",
                "Still modifying...",
                "Modifications complete",
            ],
            color: Some("orange"),
        };
        static REPLACE: ActionText = ActionText {
            doing: "replacing",
            symbol: "-/+",
            phrase: "must be replaced",
            md_phrase: "must be replaced",
            icon: "♻️",
            json: &["delete", "create"],
            name: "replace",
            progress: ["Replacing...", "Still replacing...", "Replacement complete"],
            color: Some("red"),
        };
        static CREATE_THEN_DELETE: ActionText = ActionText {
            doing: "replacing",
            symbol: "+/-",
            phrase: "must be replaced",
            md_phrase: "must be replaced (the replacement is created first)",
            icon: "♻️",
            json: &["create", "delete"],
            name: "create-then-delete",
            progress: ["Replacing...", "Still replacing...", "Replacement complete"],
            color: Some("red"),
        };
        static DELETE: ActionText = ActionText {
            doing: "destroying",
            symbol: "  -",
            phrase: "will be destroyed",
            md_phrase: "will be destroyed",
            icon: "🗑️",
            json: &["delete"],
            name: "delete",
            progress: [
                "Destroying...",
                "Still destroying...",
                "Destruction complete",
            ],
            color: Some("red"),
        };
        static READ: ActionText = ActionText {
            doing: "reading",
            symbol: " <=",
            phrase: "will be read during apply",
            md_phrase: "",
            icon: "•",
            json: &["read"],
            name: "read",
            progress: READING,
            color: None,
        };
        static FORGET: ActionText = ActionText {
            doing: "forgetting",
            symbol: "  .",
            phrase: "will no longer be managed by maform",
            md_phrase: "will no longer be managed (the object stays)",
            icon: "📤",
            json: &["forget"],
            name: "forget",
            progress: ["Forgetting...", "Still forgetting...", "Forgotten"],
            color: Some("gray"),
        };
        match self {
            Action::Forget => &FORGET,
            Action::NoOp => &NOOP,
            Action::Create => &CREATE,
            Action::Update => &UPDATE,
            Action::Replace => &REPLACE,
            Action::CreateThenDelete => &CREATE_THEN_DELETE,
            Action::Delete => &DELETE,
            Action::Read => &READ,
        }
    }
    pub fn json_actions(self) -> &'static [&'static str] {
        self.text().json
    }
    /// Whether apply changes anything for it.
    pub fn acts(self) -> bool {
        !matches!(self, Action::NoOp | Action::Read)
    }
    /// Whether the object's current incarnation goes away.
    pub fn destroys(self) -> bool {
        matches!(
            self,
            Action::Delete | Action::Replace | Action::CreateThenDelete
        )
    }
    /// Whether a new object replaces the current one (either order).
    pub fn replaces(self) -> bool {
        matches!(self, Action::Replace | Action::CreateThenDelete)
    }
    /// Whether apply sends the configuration (a create, an update or a replacement).
    pub fn sends_config(self) -> bool {
        matches!(
            self,
            Action::Create | Action::Update | Action::Replace | Action::CreateThenDelete
        )
    }
}

/// Why a change is what it is (Terraform's `action_reason`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionReason {
    /// A failed create left the object tainted.
    Tainted,
    /// `--replace ADDR`.
    Requested,
    /// A changed argument forces a new object.
    CannotUpdate,
    /// A kind's own rule forces a new object (e.g. a volume can only grow).
    KindRule { why: String },
    /// The resource is gone from the configuration.
    NoResourceConfig { resource: String },
    /// The instance's index is beyond `count`.
    CountIndex { index: i64 },
    /// The instance's key is not in `for_each`.
    EachKey { key: String },
    /// The resource now uses `count` or `for_each` (or no longer does).
    WrongRepetition,
    /// The module instance it belongs to is gone from the configuration.
    NoModule { module: String },
    /// A reference in `replace_triggered_by` changes.
    Triggered { by: String },
}

impl ActionReason {
    /// Terraform's JSON name for it.
    pub fn json(&self) -> &'static str {
        match self {
            ActionReason::Tainted => "replace_because_tainted",
            ActionReason::Requested => "replace_by_request",
            ActionReason::Triggered { .. } => "replace_by_triggers",
            ActionReason::CannotUpdate | ActionReason::KindRule { .. } => {
                "replace_because_cannot_update"
            }
            ActionReason::NoResourceConfig { .. } => "delete_because_no_resource_config",
            ActionReason::CountIndex { .. } => "delete_because_count_index",
            ActionReason::EachKey { .. } => "delete_because_each_key",
            ActionReason::WrongRepetition => "delete_because_wrong_repetition",
            ActionReason::NoModule { .. } => "delete_because_no_module",
        }
    }
    /// The reason for a deletion of `addr`, an instance the configuration no longer has.
    pub fn for_orphan(addr: &InstanceAddr, declared: bool) -> ActionReason {
        match (declared, &addr.key) {
            (false, _) => ActionReason::NoResourceConfig {
                resource: addr.resource.to_string(),
            },
            (true, Some(Key::Int(i))) => ActionReason::CountIndex { index: *i },
            (true, Some(Key::Str(k))) => ActionReason::EachKey { key: k.clone() },
            (true, None) => ActionReason::WrongRepetition,
        }
    }
    /// Whether the human plan spells it out as "(because ...)".
    pub fn explained(&self) -> bool {
        !matches!(
            self,
            ActionReason::Tainted
                | ActionReason::Requested
                | ActionReason::CannotUpdate
                | ActionReason::Triggered { .. }
        )
    }
}

impl fmt::Display for ActionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionReason::Tainted => f.write_str("tainted"),
            ActionReason::Requested => f.write_str("requested"),
            ActionReason::CannotUpdate => f.write_str("cannot update in place"),
            ActionReason::KindRule { why } => f.write_str(why),
            ActionReason::NoResourceConfig { resource } => {
                write!(f, "{resource} is not in configuration")
            }
            ActionReason::CountIndex { index } => {
                write!(f, "index [{index}] is out of range for count")
            }
            ActionReason::EachKey { key } => write!(
                f,
                "key [{}] is not in for_each map",
                crate::value::quote(key)
            ),
            ActionReason::WrongRepetition => f.write_str("the resource now uses count or for_each"),
            ActionReason::NoModule { module } => write!(f, "{module} is not in configuration"),
            ActionReason::Triggered { by } => write!(f, "{by} changes (replace_triggered_by)"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Change {
    pub addr: InstanceAddr,
    pub action: Action,
    /// The refreshed prior object, if any (shared with the state it came from).
    pub before: Option<Arc<Value>>,
    /// The planned object; unknown parts are known only after apply.
    pub after: Option<Value>,
    pub replace_paths: Vec<Path>,
    pub reason: Option<ActionReason>,
    /// Resources this one depends on.
    pub deps: Vec<ResourceAddr>,
    pub sensitive: Vec<Path>,
    pub timeouts: Timeouts,
    /// The key of the deposed object this change destroys (or forgets): one left by a
    /// create-before-destroy replacement whose deletion did not succeed.
    pub deposed: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Drift {
    pub addr: InstanceAddr,
    pub before: Value,
    /// `None` when the object was deleted outside maform.
    pub after: Option<Value>,
    pub sensitive: Vec<Path>,
    /// Attributes whose changes are not worth reporting (the kind's volatile ones).
    pub volatile: &'static [&'static str],
}

#[derive(Clone, Debug)]
pub struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub destroy: bool,
    pub refresh_only: bool,
    pub replace: Vec<InstanceAddr>,
    /// Only these objects (and what they depend on); empty means everything.
    pub targets: Vec<InstanceAddr>,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub drift: Vec<Drift>,
    pub outputs: Vec<OutputChange>,
    pub options: Options,
    /// Objects brought under management by this plan (address, id).
    pub imports: Vec<(InstanceAddr, String)>,
    /// Objects the plan moves to a new address (`moved` blocks): (old, new).
    pub moves: Vec<moves::Move>,
    /// Secrets whose digest in the state is of an old kind, with the new digest to write
    /// in its place: no change to the object, the next state write rewrites them (saved
    /// plans keep them too).
    pub rehash: Vec<(InstanceAddr, Path, String)>,
    /// Files the configuration read through `file()` while planning: a saved plan's
    /// digest covers them with the configuration files.
    pub reads: Vec<std::path::PathBuf>,
    /// Check block assertions that failed on the planned values: warnings, never errors
    /// (apply checks them again on what it made).
    pub warnings: Vec<crate::config::Diag>,
    /// What the conditions of each object with conditions said (Terraform's check
    /// results).
    pub checks: Vec<conditions::CheckResult>,
    /// When the plan was made (RFC 3339, UTC): the run's `plantimestamp()`.
    pub timestamp: String,
}

impl Change {
    /// The object after apply: the planned value, or for a no-op the object as it is.
    pub fn planned_value(&self) -> Option<&Value> {
        match self.action {
            Action::NoOp => self.after.as_ref().or(self.before.as_deref()),
            _ => self.after.as_ref(),
        }
    }
    /// The object's id before the change.
    pub fn prior_id(&self) -> Option<&str> {
        self.before.as_ref().and_then(|b| b.get("id").as_str())
    }
}

/// (add, change, destroy), replacements counting in add and destroy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    /// Removed from the state without being destroyed.
    pub forget: usize,
}

impl Counts {
    pub fn count(&mut self, a: Action) {
        match a {
            Action::Create => self.add += 1,
            Action::Update => self.change += 1,
            Action::Delete => self.destroy += 1,
            Action::Replace | Action::CreateThenDelete => {
                self.add += 1;
                self.destroy += 1
            }
            Action::Forget => self.forget += 1,
            Action::NoOp | Action::Read => {}
        }
    }
}

impl Plan {
    /// Put the new digests of [`Plan::rehash`] into `state`.
    pub fn rewrite_digests(&self, state: &mut crate::state::State) {
        for (addr, path, d) in &self.rehash {
            if let Some(x) = state
                .instances
                .get_mut(addr)
                .and_then(|i| std::sync::Arc::make_mut(&mut i.attributes).get_path_mut(path))
            {
                *x = Value::String(d.clone());
            }
        }
    }
    pub fn has_changes(&self) -> bool {
        !self.imports.is_empty()
            || !self.moves.is_empty()
            || self.changes.iter().any(|c| c.action.acts())
            || self.outputs.iter().any(|o| o.before != o.after)
    }
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for ch in &self.changes {
            c.count(ch.action);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_gives_every_view_its_words() {
        assert_eq!(Action::Replace.text().symbol, "-/+");
        assert_eq!(Action::Replace.json_actions(), ["delete", "create"]);
        assert_eq!(Action::Update.text().phrase, "will be updated in-place");
        assert_eq!(Action::Update.text().md_phrase, "will be updated in place");
        assert_eq!(Action::Delete.text().progress[2], "Destruction complete");
        assert_eq!(Action::NoOp.text().name, "no-op");
        assert!(Action::Replace.destroys() && !Action::Update.destroys());
        assert!(!Action::NoOp.acts() && !Action::Read.acts() && Action::Create.acts());
    }

    #[test]
    fn reasons_read_as_terraform_writes_them() {
        let a = InstanceAddr::parse("t.a[3]").unwrap();
        let r = ActionReason::for_orphan(&a, true);
        assert_eq!(r.to_string(), "index [3] is out of range for count");
        assert_eq!(r.json(), "delete_because_count_index");
        let k = InstanceAddr::parse("t.a[\"x\"]").unwrap();
        assert_eq!(
            ActionReason::for_orphan(&k, true).to_string(),
            "key [\"x\"] is not in for_each map"
        );
        let gone = ActionReason::for_orphan(&k, false);
        assert_eq!(gone.to_string(), "t.a is not in configuration");
        assert_eq!(gone.json(), "delete_because_no_resource_config");
        let plain = InstanceAddr::parse("t.a").unwrap();
        assert_eq!(
            ActionReason::for_orphan(&plain, true).json(),
            "delete_because_wrong_repetition"
        );
        assert!(!ActionReason::Tainted.explained());
        assert!(ActionReason::KindRule { why: "x".into() }.explained());
        assert_eq!(
            ActionReason::KindRule { why: "x".into() }.json(),
            "replace_because_cannot_update"
        );
    }

    #[test]
    fn counts_add_replacements_to_both_sides() {
        let mut c = Counts::default();
        for a in [
            Action::Create,
            Action::Replace,
            Action::Update,
            Action::Delete,
            Action::NoOp,
            Action::Forget,
        ] {
            c.count(a);
        }
        assert_eq!(
            c,
            Counts {
                add: 2,
                change: 1,
                destroy: 2,
                forget: 1,
            }
        );
    }
}
