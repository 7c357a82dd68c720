//! Addresses: what the engine keys resources and instances by, and their text form
//! (`TYPE.NAME`, `TYPE.NAME["key"]`, `data.TYPE.NAME[0]`).
//!
//! Owns parsing and printing of addresses. Must not know about kinds, configuration or
//! state: it is the vocabulary the other modules share.

use std::fmt;

/// A managed resource, or a data source that is only read.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Managed,
    Data,
}

/// An instance key: `[0]` for `count`, `["name"]` for `for_each`.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Str(String),
}

impl Key {
    /// `count.index` for an integer key.
    pub fn count_index(k: Option<&Key>) -> Option<f64> {
        match k {
            Some(Key::Int(i)) => Some(*i as f64),
            _ => None,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Int(i) => write!(f, "[{i}]"),
            Key::Str(s) => write!(f, "[{}]", crate::value::quote(s)),
        }
    }
}

/// The module instance a resource belongs to: empty for the root module, which is the
/// only one today (the path is here so that modules need no new address type).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModulePath(pub Vec<(String, Option<Key>)>);

impl ModulePath {
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, key) in &self.0 {
            write!(f, "module.{name}")?;
            if let Some(k) = key {
                write!(f, "{k}")?;
            }
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// Resource and data values for expressions, by resource: an object, or a list (count)
/// or map (for_each) of objects.
pub type Objects = std::collections::BTreeMap<ResourceAddr, crate::value::Value>;

/// Per resource, the top-level attributes that carry secrets.
pub type SecretAttrs = std::collections::BTreeMap<ResourceAddr, std::collections::BTreeSet<String>>;

/// A resource as declared: `TYPE.NAME`, `data.TYPE.NAME`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceAddr {
    pub module: ModulePath,
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn new(mode: Mode, rtype: &str, name: &str) -> ResourceAddr {
        ResourceAddr {
            module: ModulePath::default(),
            mode,
            rtype: rtype.into(),
            name: name.into(),
        }
    }
    pub fn managed(rtype: &str, name: &str) -> ResourceAddr {
        ResourceAddr::new(Mode::Managed, rtype, name)
    }
    pub fn data(rtype: &str, name: &str) -> ResourceAddr {
        ResourceAddr::new(Mode::Data, rtype, name)
    }
    /// One instance of this resource.
    pub fn instance(&self, key: Option<Key>) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }
    /// Parse `type.name` or `data.type.name` (no instance key).
    pub fn parse(s: &str) -> Result<ResourceAddr, AddrError> {
        let a = InstanceAddr::parse(s)?;
        if a.key.is_some() {
            return Err(AddrError(s.to_string()));
        }
        Ok(a.resource)
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rtype.is_empty() {
            // A whole module (a target).
            return f.write_str(self.module.to_string().trim_end_matches('.'));
        }
        write!(f, "{}", self.module)?;
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.rtype, self.name)
    }
}

/// One instance of a resource: `TYPE.NAME`, `TYPE.NAME[0]`, `TYPE.NAME["key"]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceAddr {
    pub resource: ResourceAddr,
    pub key: Option<Key>,
}

/// An address that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource address {0:?}; write TYPE.NAME, TYPE.NAME[0] or TYPE.NAME[\"key\"]")]
pub struct AddrError(pub String);

impl InstanceAddr {
    pub fn managed(rtype: &str, name: &str, key: Option<Key>) -> InstanceAddr {
        ResourceAddr::managed(rtype, name).instance(key)
    }
    pub fn mode(&self) -> Mode {
        self.resource.mode
    }
    pub fn rtype(&self) -> &str {
        &self.resource.rtype
    }
    pub fn name(&self) -> &str {
        &self.resource.name
    }
    /// Parse an address as users write it on the command line, inside modules too
    /// (`module.team["a"].TYPE.NAME[0]`).
    pub fn parse(s: &str) -> Result<InstanceAddr, AddrError> {
        let bad = || AddrError(s.to_string());
        let mut rest = s;
        let mut module = Vec::new();
        while let Some(r) = rest.strip_prefix("module.") {
            let end = r.find(['.', '[']).ok_or_else(bad)?;
            let name = &r[..end];
            if !is_name(name) {
                return Err(bad());
            }
            let mut r = &r[end..];
            let mut key = None;
            if let Some(inner) = r.strip_prefix('[') {
                let close = if inner.starts_with('"') {
                    unquote(inner).map(|(_, n)| n)
                } else {
                    inner.find(']')
                }
                .ok_or_else(bad)?;
                key = Some(parse_key(&inner[..close]).ok_or_else(bad)?);
                r = inner[close..].strip_prefix(']').ok_or_else(bad)?;
            }
            rest = r.strip_prefix('.').ok_or_else(bad)?;
            module.push((name.to_string(), key));
        }
        let mut a = InstanceAddr::parse_in_module(rest).map_err(|_| bad())?;
        a.resource.module = ModulePath(module);
        Ok(a)
    }

    /// `TYPE.NAME[KEY]`, `data.TYPE.NAME[KEY]`.
    fn parse_in_module(s: &str) -> Result<InstanceAddr, AddrError> {
        let bad = || AddrError(s.to_string());
        let (mode, rest) = match s.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, s),
        };
        let (head, key) = match rest.find('[') {
            Some(i) => {
                let k = rest[i..]
                    .strip_prefix('[')
                    .and_then(|k| k.strip_suffix(']'))
                    .ok_or_else(bad)?;
                (&rest[..i], Some(parse_key(k).ok_or_else(bad)?))
            }
            None => (rest, None),
        };
        let (t, n) = head.split_once('.').ok_or_else(bad)?;
        if t.is_empty() || n.is_empty() || n.contains('.') || t == "module" {
            return Err(bad());
        }
        Ok(ResourceAddr::new(mode, t, n).instance(key))
    }
    /// A target: an instance or resource address, or a whole module (`module.x`,
    /// `module.x["k"]`), which [`InstanceAddr::is_module`] tells apart.
    pub fn parse_target(s: &str) -> Result<InstanceAddr, AddrError> {
        match InstanceAddr::parse(s) {
            Ok(a) => Ok(a),
            Err(e) if s.starts_with("module.") => {
                // (`module.x.data` would read as the data source `data.t.n` in x.)
                let m = InstanceAddr::parse(&format!("{s}.t.n"))
                    .ok()
                    .filter(|m| m.mode() == Mode::Managed && m.rtype() == "t")
                    .ok_or(e)?;
                Ok(InstanceAddr {
                    resource: ResourceAddr {
                        module: m.resource.module,
                        mode: Mode::Managed,
                        rtype: String::new(),
                        name: String::new(),
                    },
                    key: None,
                })
            }
            Err(e) => Err(e),
        }
    }
    /// Whether this address names a whole module (a target only).
    pub fn is_module(&self) -> bool {
        self.resource.rtype.is_empty()
    }
    /// Whether this instance is one of `targets` (a resource target covers all its
    /// instances; a module target everything in the module, its modules too, and in every
    /// instance of it unless it names one).
    pub fn targeted_by(&self, targets: &[InstanceAddr]) -> bool {
        targets.iter().any(|t| {
            if t.is_module() {
                let (want, have) = (&t.resource.module.0, &self.resource.module.0);
                return have.len() >= want.len()
                    && want
                        .iter()
                        .zip(have)
                        .all(|((wn, wk), (hn, hk))| wn == hn && (wk.is_none() || wk == hk));
            }
            t.resource == self.resource && (t.key.is_none() || t.key == self.key)
        })
    }
}

/// The inside of `[...]`: `"text"` (with the escapes [`crate::value::quote`] writes) or
/// a whole number.
fn parse_key(k: &str) -> Option<Key> {
    if k.starts_with('"') {
        return match unquote(k) {
            Some((text, n)) if n == k.len() => Some(Key::Str(text)),
            _ => None,
        };
    }
    k.parse().ok().map(Key::Int)
}

/// A quoted string at the start of `s`: its text, and the length of the quoted form.
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'u' => {
                    let hex: String = (0..4).filter_map(|_| chars.next().map(|x| x.1)).collect();
                    if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        return None;
                    }
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// A module name: letters, digits, `_` and `-`, not starting with a digit.
fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        match &self.key {
            None => Ok(()),
            Some(k) => write!(f, "{k}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_form() {
        for s in [
            "fake_thing.a",
            "fake_thing.a[0]",
            "fake_thing.team[\"alice\"]",
            "data.modelarts_images.x",
            "data.modelarts_images.x[3]",
            "module.team.fake_thing.a",
            "module.team[\"a\"].fake_thing.a[0]",
            "module.net[1].module.sub.data.t.n[\"k\"]",
            "module.x[\"a\\\\b\\\"]c\"].t.n[\"q\\\"]\"]",
        ] {
            assert_eq!(InstanceAddr::parse(s).unwrap().to_string(), s);
        }
        let a = InstanceAddr::parse("data.t.n[\"k\"]").unwrap();
        assert_eq!(a.mode(), Mode::Data);
        assert_eq!((a.rtype(), a.name()), ("t", "n"));
        assert_eq!(a.key, Some(Key::Str("k".into())));
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for s in [
            "",
            "a",
            "a.",
            ".b",
            "a.b.c",
            "a.b[",
            "a.b[x]",
            "a.b[\"x]",
            "data.a",
            "module.x",
            "module.x.a",
            "module.x[y].a.b",
            "module..a.b",
            "module.x[0]a.b",
        ] {
            let e = InstanceAddr::parse(s).unwrap_err();
            assert!(e.to_string().contains("TYPE.NAME"), "{s}: {e}");
        }
        assert!(
            ResourceAddr::parse("a.b[0]").is_err(),
            "a resource has no key"
        );
        assert_eq!(
            ResourceAddr::parse("a.b").unwrap(),
            ResourceAddr::managed("a", "b")
        );
    }

    #[test]
    fn a_resource_target_covers_its_instances() {
        let one = InstanceAddr::parse("t.a[1]").unwrap();
        let all = InstanceAddr::parse("t.a").unwrap();
        let other = InstanceAddr::parse("t.a[2]").unwrap();
        assert!(one.targeted_by(std::slice::from_ref(&all)));
        assert!(one.targeted_by(std::slice::from_ref(&one)));
        assert!(!one.targeted_by(&[other]));
        assert!(!all.targeted_by(&[InstanceAddr::parse("data.t.a").unwrap()]));
    }

    #[test]
    fn a_module_target_covers_what_is_in_it() {
        let t = |s: &str| InstanceAddr::parse_target(s).unwrap();
        let a = InstanceAddr::parse("module.team[\"a\"].t.x[0]").unwrap();
        let nested = InstanceAddr::parse("module.team[\"a\"].module.sub.t.y").unwrap();
        assert!(t("module.team").is_module());
        assert_eq!(t("module.team[\"a\"]").to_string(), "module.team[\"a\"]");
        assert!(a.targeted_by(&[t("module.team")]));
        assert!(nested.targeted_by(&[t("module.team[\"a\"]")]));
        assert!(!a.targeted_by(&[t("module.team[\"b\"]")]));
        assert!(!a.targeted_by(&[t("module.other")]));
        assert!(!InstanceAddr::parse("t.x")
            .unwrap()
            .targeted_by(&[t("module.team")]));
        assert!(InstanceAddr::parse_target("module.").is_err());
        assert!(InstanceAddr::parse_target("module.x.data").is_err());
        assert!(
            InstanceAddr::parse("t.n[\"a\\qb\"]").is_err(),
            "an unknown escape"
        );
        assert!(InstanceAddr::parse("t.n[\"\\u+041\"]").is_err());
        assert_eq!(
            InstanceAddr::parse("t.n[\"\\u0041\"]").unwrap().key,
            Some(Key::Str("A".into()))
        );
    }

    #[test]
    fn instances_sort_by_resource_then_key() {
        let mut v = [
            InstanceAddr::parse("t.b").unwrap(),
            InstanceAddr::parse("t.a[1]").unwrap(),
            InstanceAddr::parse("data.t.a").unwrap(),
            InstanceAddr::parse("t.a[0]").unwrap(),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(|a| a.to_string()).collect();
        assert_eq!(s, ["t.a[0]", "t.a[1]", "t.b", "data.t.a"]);
    }

    #[test]
    fn module_paths_prefix_the_address() {
        let mut r = ResourceAddr::managed("t", "a");
        r.module = ModulePath(vec![("net".into(), Some(Key::Int(0)))]);
        assert_eq!(r.instance(None).to_string(), "module.net[0].t.a");
        assert!(ModulePath::default().is_root());
    }
}
