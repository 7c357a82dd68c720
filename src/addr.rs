//! Resource addresses: `modelarts_notebook.team["alice"]`, `data.modelarts_images.x`.

use crate::config::Mode;
use std::fmt;

#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Str(String),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
    pub key: Option<Key>,
}

impl Addr {
    pub fn managed(rtype: &str, name: &str, key: Option<Key>) -> Addr {
        Addr {
            mode: Mode::Managed,
            rtype: rtype.into(),
            name: name.into(),
            key,
        }
    }
    /// The resource this instance belongs to: `type.name`.
    pub fn resource(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.rtype, self.name),
            Mode::Data => format!("data.{}.{}", self.rtype, self.name),
        }
    }
    /// Parse an address as users write it on the command line.
    pub fn parse(s: &str) -> Result<Addr, String> {
        let bad = || {
            format!("invalid resource address {s:?}; write TYPE.NAME, TYPE.NAME[0] or TYPE.NAME[\"key\"]")
        };
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
                let key = if let Some(q) = k.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                    Key::Str(q.to_string())
                } else {
                    Key::Int(k.parse().map_err(|_| bad())?)
                };
                (&rest[..i], Some(key))
            }
            None => (rest, None),
        };
        let (t, n) = head.split_once('.').ok_or_else(bad)?;
        if t.is_empty() || n.is_empty() || n.contains('.') {
            return Err(bad());
        }
        Ok(Addr {
            mode,
            rtype: t.into(),
            name: n.into(),
            key,
        })
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.resource())?;
        match &self.key {
            None => Ok(()),
            Some(Key::Int(i)) => write!(f, "[{i}]"),
            Some(Key::Str(s)) => write!(f, "[{}]", crate::value::quote(s)),
        }
    }
}
