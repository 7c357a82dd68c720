//! The state model: the objects maform manages (by instance address, with their
//! attributes, sensitive paths, dependencies and taint), the outputs, and the views
//! expressions take of them.

use crate::addr::{InstanceAddr, Key, Objects, ResourceAddr, SecretAttrs};
use crate::value::{Path, PathStep, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One managed object.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Shared: the prior state, the refreshed one and the plan's `before` hold one copy
    /// until one of them changes it (`Arc::make_mut`).
    pub attributes: Arc<Value>,
    pub sensitive: Vec<Path>,
    pub dependencies: Vec<ResourceAddr>,
    pub tainted: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputState {
    pub value: Value,
    pub sensitive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub serial: u64,
    pub lineage: String,
    /// Where the objects live: recorded by the first write, checked by every run before
    /// its first API call. `None` for a new state or one written before maform recorded it.
    pub provider: Option<Place>,
    /// Where the objects of each aliased provider configuration (`modelarts.ALIAS`) live.
    pub alias_places: BTreeMap<String, Place>,
    /// The aliased provider configuration each resource's objects belong to (absent:
    /// the default one).
    pub resource_aliases: BTreeMap<ResourceAddr, String>,
    pub instances: BTreeMap<InstanceAddr, Instance>,
    /// Objects moved aside by a create-before-destroy replacement, by instance and
    /// deposed key, until their deletion succeeds: every plan destroys them.
    pub deposed: BTreeMap<(InstanceAddr, DeposedKey), Instance>,
    pub outputs: BTreeMap<String, OutputState>,
}

/// A deposed object's key: 8 lowercase hex digits, as Terraform writes it.
pub type DeposedKey = String;

/// A new random deposed key.
pub fn new_deposed_key() -> DeposedKey {
    format!("{:08x}", uuid::Uuid::new_v4().as_u128() as u32)
}

/// Whether `k` is a well-formed deposed key.
pub fn valid_deposed_key(k: &str) -> bool {
    k.len() == 8
        && k.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where a state's objects live.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// The embedded simulator, its cloud kept in `data` (relative to the configuration).
    Embedded { data: String },
    /// A ModelArts endpoint (a loopback endpoint without its port) and project.
    Cloud {
        endpoint: String,
        project_id: String,
    },
}

impl Place {
    /// A ModelArts endpoint and project, with the endpoint in a form that stays the same
    /// for the same service: lower case, no trailing slash, and on this machine no port
    /// (a local simulator gets a new one each time it starts).
    pub fn cloud(endpoint: &str, project_id: &str) -> Place {
        let endpoint = match reqwest::Url::parse(endpoint) {
            Ok(u) => {
                let host = u.host_str().unwrap_or("").to_ascii_lowercase();
                let local = host == "localhost"
                    || host
                        .trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback());
                match u.port() {
                    Some(p) if !local => format!("{}://{host}:{p}", u.scheme()),
                    _ => format!("{}://{host}", u.scheme()),
                }
            }
            Err(_) => endpoint.trim_end_matches('/').to_ascii_lowercase(),
        };
        Place::Cloud {
            endpoint,
            project_id: project_id.to_string(),
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Embedded { data } => write!(f, "the embedded simulator (cloud kept in {data})"),
            Place::Cloud {
                endpoint,
                project_id,
            } => write!(f, "{endpoint}, project {project_id}"),
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl State {
    pub fn new() -> State {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            provider: None,
            alias_places: BTreeMap::new(),
            resource_aliases: BTreeMap::new(),
            instances: BTreeMap::new(),
            deposed: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    /// Move the current object of `addr` aside as deposed; its key.
    pub fn depose(&mut self, addr: &InstanceAddr) -> Option<DeposedKey> {
        let inst = self.instances.remove(addr)?;
        let mut key = new_deposed_key();
        while self.deposed.contains_key(&(addr.clone(), key.clone())) {
            key = new_deposed_key();
        }
        self.deposed.insert((addr.clone(), key.clone()), inst);
        Some(key)
    }

    /// The alias of the provider configuration `resource`'s objects belong to.
    pub fn alias_of(&self, resource: &ResourceAddr) -> Option<&str> {
        self.resource_aliases.get(resource).map(String::as_str)
    }

    /// Whether the state has any object (current or deposed) of `resource`.
    pub fn has_objects_of(&self, resource: &ResourceAddr) -> bool {
        self.instances_of(resource).next().is_some()
            || self.deposed.keys().any(|(a, _)| a.resource == *resource)
    }

    /// Give the deposed objects of `from` the address `to`.
    pub fn move_deposed(&mut self, from: &InstanceAddr, to: &InstanceAddr) {
        if self.deposed.is_empty() || from == to {
            return;
        }
        let keys: Vec<(InstanceAddr, DeposedKey)> = self
            .deposed
            .keys()
            .filter(|(a, _)| a == from)
            .cloned()
            .collect();
        for k in keys {
            if let Some(inst) = self.deposed.remove(&k) {
                self.deposed.insert((to.clone(), k.1), inst);
            }
        }
    }

    /// Put a deposed object back as the current one (its replacement was never made).
    pub fn restore_deposed(&mut self, addr: &InstanceAddr, key: &str) {
        if let Some(inst) = self.deposed.remove(&(addr.clone(), key.to_string())) {
            self.instances.entry(addr.clone()).or_insert(inst);
        }
    }

    /// The same content, ignoring serial: whether a write would change anything.
    pub fn same_content(&self, other: &State) -> bool {
        self.lineage == other.lineage
            && self.provider == other.provider
            && self.alias_places == other.alias_places
            && self.resource_aliases == other.resource_aliases
            && self.instances == other.instances
            && self.deposed == other.deposed
            && self.outputs == other.outputs
    }

    /// The instances of one resource, in key order.
    pub fn instances_of<'a>(
        &'a self,
        resource: &'a ResourceAddr,
    ) -> impl Iterator<Item = (&'a InstanceAddr, &'a Instance)> + 'a {
        self.instances
            .range(resource.instance(None)..)
            .take_while(move |(a, _)| a.resource == *resource)
    }

    /// The value of one resource for expressions: an object, or a list (count) or map
    /// (for_each) of objects. `None` if the state has no instance of it.
    pub fn resource_value(&self, resource: &ResourceAddr) -> Option<Value> {
        let mut it = self.instances_of(resource).peekable();
        let (first, _) = it.peek()?;
        Some(match &first.key {
            None => it
                .next()
                .map(|(_, i)| Value::clone(&i.attributes))
                .unwrap_or_default(),
            Some(Key::Int(_)) => {
                let mut l: Vec<Value> = Vec::new();
                for (a, i) in it {
                    if let Some(Key::Int(n)) = a.key {
                        put_at(&mut l, n, Value::clone(&i.attributes));
                    }
                }
                Value::List(l)
            }
            Some(Key::Str(_)) => Value::Map(
                it.filter_map(|(a, i)| match &a.key {
                    Some(Key::Str(s)) => Some((s.clone(), Value::clone(&i.attributes))),
                    _ => None,
                })
                .collect(),
            ),
        })
    }

    /// The top-level attributes of one resource that hold secrets.
    pub fn sensitive_attributes_of(&self, resource: &ResourceAddr) -> Option<BTreeSet<String>> {
        let set: BTreeSet<String> = self
            .instances_of(resource)
            .flat_map(|(_, i)| top_level(&i.sensitive))
            .collect();
        (!set.is_empty()).then_some(set)
    }

    /// Per resource, the top-level attributes that hold secrets.
    pub fn sensitive_attributes(&self) -> SecretAttrs {
        let mut out: SecretAttrs = BTreeMap::new();
        for (a, i) in &self.instances {
            for k in top_level(&i.sensitive) {
                out.entry(a.resource.clone()).or_default().insert(k);
            }
        }
        out
    }

    /// Values for expressions: each resource's object, or list/map of objects.
    pub fn objects(&self) -> Objects {
        let mut out: Objects = BTreeMap::new();
        for (a, i) in &self.instances {
            let k = a.resource.clone();
            match &a.key {
                None => {
                    out.insert(k, Value::clone(&i.attributes));
                }
                Some(Key::Int(n)) => {
                    if let Value::List(l) = out.entry(k).or_insert_with(|| Value::List(vec![])) {
                        put_at(l, *n, Value::clone(&i.attributes));
                    }
                }
                Some(Key::Str(s)) => {
                    let e = out.entry(k).or_insert_with(|| Value::Map(BTreeMap::new()));
                    if let Value::Map(m) = e {
                        m.insert(s.clone(), Value::clone(&i.attributes));
                    }
                }
            }
        }
        out
    }

    /// Values for the expressions of the module instance at `path`: each of its
    /// resources' objects, by its address inside the module.
    pub fn objects_in(&self, path: &crate::addr::ModulePath) -> (Objects, SecretAttrs) {
        let mut view = State::new();
        for (a, i) in &self.instances {
            if a.resource.module == *path {
                let mut local = a.clone();
                local.resource.module = Default::default();
                view.instances.insert(local, i.clone());
            }
        }
        (view.objects(), view.sensitive_attributes())
    }

    /// The ids of the managed objects.
    pub fn managed_ids(&self) -> BTreeSet<&str> {
        self.instances
            .values()
            .chain(self.deposed.values())
            .filter_map(|i| i.attributes.get("id").as_str())
            .collect()
    }
}

/// `l[n] = v`, growing `l` with nulls.
fn put_at(l: &mut Vec<Value>, n: i64, v: Value) {
    let n = n.max(0) as usize;
    if l.len() <= n {
        l.resize(n + 1, Value::Null);
    }
    l[n] = v;
}

fn top_level(paths: &[Path]) -> impl Iterator<Item = String> + '_ {
    paths.iter().filter_map(|p| match p.first() {
        Some(PathStep::Key(k)) => Some(k.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inst(j: serde_json::Value) -> Instance {
        Instance {
            attributes: Value::from_json(&j).into(),
            sensitive: vec![],
            dependencies: vec![],
            tainted: false,
        }
    }

    fn state() -> State {
        let mut s = State::new();
        let r = ResourceAddr::managed("t", "counted");
        s.instances
            .insert(r.instance(Some(Key::Int(1))), inst(json!({"id": "b"})));
        s.instances
            .insert(r.instance(Some(Key::Int(0))), inst(json!({"id": "a"})));
        let e = ResourceAddr::managed("t", "each");
        s.instances.insert(
            e.instance(Some(Key::Str("x".into()))),
            inst(json!({"id": "x"})),
        );
        let mut secret = inst(json!({"id": "s", "pass": "sha256:1"}));
        secret.sensitive = vec![vec![PathStep::Key("pass".into())]];
        s.instances
            .insert(ResourceAddr::managed("t", "one").instance(None), secret);
        s
    }

    #[test]
    fn resources_read_as_expressions_see_them() {
        let s = state();
        let counted = s
            .resource_value(&ResourceAddr::managed("t", "counted"))
            .unwrap();
        assert_eq!(
            counted,
            Value::from_json(&json!([{"id": "a"}, {"id": "b"}]))
        );
        let each = s
            .resource_value(&ResourceAddr::managed("t", "each"))
            .unwrap();
        assert_eq!(each, Value::from_json(&json!({"x": {"id": "x"}})));
        assert!(s
            .resource_value(&ResourceAddr::managed("t", "none"))
            .is_none());
        let all = s.objects();
        assert_eq!(all.len(), 3);
        assert_eq!(all[&ResourceAddr::managed("t", "counted")], counted);
    }

    #[test]
    fn secrets_are_known_per_resource() {
        let s = state();
        let one = ResourceAddr::managed("t", "one");
        assert_eq!(
            s.sensitive_attributes_of(&one),
            Some(BTreeSet::from(["pass".to_string()]))
        );
        assert!(s
            .sensitive_attributes_of(&ResourceAddr::managed("t", "each"))
            .is_none());
        assert_eq!(s.sensitive_attributes().len(), 1);
        assert_eq!(s.managed_ids().len(), 4);
    }

    #[test]
    fn places_compare_as_the_same_service() {
        assert_eq!(
            Place::cloud("http://127.0.0.1:4000/", "p"),
            Place::cloud("http://127.0.0.1:5000", "p"),
            "a local simulator on another port"
        );
        assert_ne!(
            Place::cloud("https://a.example:8443", "p"),
            Place::cloud("https://a.example:9443", "p")
        );
        assert_ne!(
            Place::cloud("https://a.example", "p"),
            Place::cloud("https://a.example", "q")
        );
        assert_eq!(
            Place::cloud("HTTPS://ModelArts.cn-north-4.myhuaweicloud.com/", "p").to_string(),
            "https://modelarts.cn-north-4.myhuaweicloud.com, project p"
        );
    }

    #[test]
    fn content_ignores_the_serial() {
        let a = state();
        let mut b = a.clone();
        b.serial += 3;
        assert!(a.same_content(&b));
        b.instances.clear();
        assert!(!a.same_content(&b));
    }
}
