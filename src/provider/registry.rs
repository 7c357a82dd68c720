//! The registry: which resource kinds and data sources exist. It is the one list of type
//! names; the configuration loader, the evaluator, the planner, import and the
//! generated reference all ask it.

use super::{DataSource, ResourceKind};
use crate::addr::Mode;
use crate::schema::Schema;
use std::sync::LazyLock;

#[derive(Clone)]
pub struct Registry {
    kinds: Vec<&'static dyn ResourceKind>,
    data: Vec<&'static dyn DataSource>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kind_names())
            .field("data", &self.data_names())
            .finish()
    }
}

static MODELARTS: LazyLock<Registry> = LazyLock::new(|| Registry {
    kinds: super::modelarts::KINDS.to_vec(),
    data: super::modelarts::DATA_SOURCES.to_vec(),
});

impl Registry {
    /// The ModelArts kinds and data sources.
    pub fn modelarts() -> &'static Registry {
        &MODELARTS
    }

    /// This registry with one more kind (tests add their own).
    pub fn with_kind(&self, k: &'static dyn ResourceKind) -> Registry {
        let mut r = self.clone();
        r.kinds.push(k);
        r
    }

    pub fn kind(&self, type_name: &str) -> Option<&'static dyn ResourceKind> {
        self.kinds
            .iter()
            .copied()
            .find(|k| k.type_name() == type_name)
    }

    pub fn data_source(&self, type_name: &str) -> Option<&'static dyn DataSource> {
        self.data
            .iter()
            .copied()
            .find(|d| d.type_name() == type_name)
    }

    pub fn is_kind(&self, type_name: &str) -> bool {
        self.kind(type_name).is_some()
    }

    /// The schema of a resource or data source type.
    pub fn schema(&self, mode: Mode, type_name: &str) -> Option<&'static Schema> {
        match mode {
            Mode::Managed => self.kind(type_name).map(|k| k.schema()),
            Mode::Data => self.data_source(type_name).map(|d| d.schema()),
        }
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static dyn ResourceKind> + '_ {
        self.kinds.iter().copied()
    }

    pub fn data_sources(&self) -> impl Iterator<Item = &'static dyn DataSource> + '_ {
        self.data.iter().copied()
    }

    pub fn kind_names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.type_name()).collect()
    }

    pub fn data_names(&self) -> Vec<&'static str> {
        self.data.iter().map(|d| d.type_name()).collect()
    }

    /// Type names of one mode.
    pub fn names(&self, mode: Mode) -> Vec<&'static str> {
        match mode {
            Mode::Managed => self.kind_names(),
            Mode::Data => self.data_names(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_list_of_names_and_a_test_kind_added_in_one_line() {
        let r = Registry::modelarts();
        assert_eq!(r.kind_names().len(), 3);
        assert_eq!(r.data_names().len(), 4);
        assert!(!r.is_kind("fake_thing"));
        let with = crate::provider::fake::registry();
        assert!(with.is_kind("fake_thing"));
        assert_eq!(with.kind_names().len(), 4);
        assert!(with.schema(Mode::Managed, "fake_thing").is_some());
        assert!(with.schema(Mode::Data, "fake_thing").is_none());
        assert_eq!(with.names(Mode::Data), r.data_names());
        for k in r.kinds() {
            assert!(r.kind(k.type_name()).is_some());
            assert!(!k.schema().attrs.is_empty(), "{}", k.type_name());
        }
    }
}
