//! Data sources: find an image or flavor by name or filters, so configurations need no
//! hard-coded ids. Each is one [`DataSource`] with its schema.

use super::client::{Client, Retry};
use crate::provider::{DataSource, ProviderError};
use crate::schema::{comp, opt, Schema, Ty};
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::LazyLock;

fn matches_name(args: &Value, name: &str) -> Result<bool, String> {
    if let Some(n) = args.get("name").as_str() {
        if n != name {
            return Ok(false);
        }
    }
    if let Some(re) = args.get("name_regex").as_str() {
        let r = regex_lite::Regex::new(re).map_err(|e| format!("invalid name_regex: {e}"))?;
        if !r.is_match(name) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn one<'a>(
    what: &str,
    args: &Value,
    found: &'a [Json],
    pick_last: bool,
) -> Result<&'a Json, String> {
    match found.len() {
        0 => Err(format!("no {what} matches {}; list what exists with the ModelArts console or relax the filters", args.to_hcl())),
        1 => Ok(&found[0]),
        n if pick_last => Ok(&found[n - 1]),
        n => Err(format!("{n} {what}s match {}; narrow the filters (e.g. name) or set most_recent = true", args.to_hcl())),
    }
}

fn names(found: &[Json], key: &str) -> Value {
    Value::List(found.iter().map(|f| Value::from_json(&f[key])).collect())
}

static DATA_IMAGES: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("name_regex", Ty::Str),
        opt("type", Ty::Str).upper(&["BUILD_IN", "DEDICATED"]),
        opt("arch", Ty::Str),
        opt("category", Ty::Str).upper(&["CPU", "GPU", "ASCEND"]),
        opt("most_recent", Ty::Bool),
        comp("id", Ty::Str),
        comp("tag", Ty::Str),
        comp("swr_path", Ty::Str),
        comp("images", Ty::StrList),
    ],
});

static DATA_FLAVORS: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("category", Ty::Str).upper(&["CPU", "GPU", "ASCEND"]),
        opt("arch", Ty::Str),
        opt("min_vcpus", Ty::Int),
        opt("min_memory_gb", Ty::Int),
        opt("free", Ty::Bool),
        comp("id", Ty::Str),
        comp("vcpus", Ty::Int),
        comp("memory_gb", Ty::Int),
        comp("flavors", Ty::StrList),
    ],
});

static DATA_DS_IMAGES: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("name_regex", Ty::Str),
        opt("server_type", Ty::Str).upper(&["BMS", "ECS", "HPS"]),
        opt("arch", Ty::Str).upper(&["X86", "ARM"]),
        opt("flavor_name", Ty::Str),
        comp("id", Ty::Str),
        comp("images", Ty::StrList),
    ],
});

static DATA_DS_FLAVORS: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("server_type", Ty::Str).upper(&["BMS", "ECS", "HPS"]),
        opt("arch", Ty::Str).upper(&["X86", "ARM"]),
        comp("id", Ty::Str),
        comp("specification", Ty::Str),
        comp("flavors", Ty::StrList),
    ],
});

pub struct Images;

#[async_trait::async_trait]
impl DataSource for Images {
    fn type_name(&self) -> &'static str {
        "modelarts_images"
    }

    fn schema(&self) -> &'static Schema {
        &DATA_IMAGES
    }

    async fn read(&self, c: &Client, args: &Value) -> Result<Value, ProviderError> {
        let mut out: BTreeMap<String, Value> = args.as_map().cloned().unwrap_or_default();
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let mut q = vec![("limit", "50".to_string()), ("offset", offset.to_string())];
            q.push((
                "type",
                args.get("type").as_str().unwrap_or("BUILD_IN").to_string(),
            ));
            let r = c.call("GET", "/images", &q, None, Retry::Safe).await?;
            let page = r["data"].as_array().cloned().unwrap_or_default();
            let n = page.len();
            all.extend(page);
            offset += n;
            if n < 50 || offset as u64 >= r["total"].as_u64().unwrap_or(0) {
                break;
            }
        }
        let mut found = Vec::new();
        for i in all {
            let name = i["name"].as_str().unwrap_or("");
            let ok = matches_name(args, name).map_err(ProviderError::Query)?
                && args.get("arch").as_str().is_none_or(|a| {
                    i["arch"]
                        .as_str()
                        .is_some_and(|x| x.eq_ignore_ascii_case(a))
                })
                && args.get("category").as_str().is_none_or(|c| {
                    i["resource_categories"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(c)))
                });
            if ok {
                found.push(i);
            }
        }
        found.sort_by_key(|i| i["create_at"].as_i64().unwrap_or(0));
        let pick = one(
            "image",
            args,
            &found,
            args.get("most_recent").as_bool() == Some(true),
        )
        .map_err(ProviderError::Query)?;
        out.insert("id".into(), Value::from_json(&pick["id"]));
        out.insert("name".into(), Value::from_json(&pick["name"]));
        out.insert("tag".into(), Value::from_json(&pick["tag"]));
        out.insert("swr_path".into(), Value::from_json(&pick["swr_path"]));
        out.insert("images".into(), names(&found, "id"));
        Ok(Value::Map(out))
    }
}

pub struct Flavors;

#[async_trait::async_trait]
impl DataSource for Flavors {
    fn type_name(&self) -> &'static str {
        "modelarts_flavors"
    }

    fn schema(&self) -> &'static Schema {
        &DATA_FLAVORS
    }

    async fn read(&self, c: &Client, args: &Value) -> Result<Value, ProviderError> {
        let mut out: BTreeMap<String, Value> = args.as_map().cloned().unwrap_or_default();
        let mut q = vec![];
        if let Some(cat) = args.get("category").as_str() {
            q.push(("category", cat.to_string()));
        }
        let r = c
            .call("GET", "/notebooks/flavors", &q, None, Retry::Safe)
            .await?;
        let mut found: Vec<Json> = r["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|f| {
                !f["sold_out"].as_bool().unwrap_or(false)
                    && args.get("name").as_str().is_none_or(|n| f["id"] == n)
                    && args.get("arch").as_str().is_none_or(|a| {
                        f["arch"]
                            .as_str()
                            .is_some_and(|x| x.eq_ignore_ascii_case(a))
                    })
                    && args
                        .get("min_vcpus")
                        .as_f64()
                        .is_none_or(|m| f["vcpus"].as_f64().unwrap_or(0.0) >= m)
                    && args
                        .get("min_memory_gb")
                        .as_f64()
                        .is_none_or(|m| f["memory"].as_f64().unwrap_or(0.0) >= m * 1024.0)
                    && args
                        .get("free")
                        .as_bool()
                        .is_none_or(|fr| f["free"].as_bool().unwrap_or(false) == fr)
            })
            .collect();
        // The smallest flavor that satisfies the filters.
        found.sort_by(|a, b| {
            (
                a["vcpus"].as_f64().unwrap_or(0.0),
                a["memory"].as_f64().unwrap_or(0.0),
            )
                .partial_cmp(&(
                    b["vcpus"].as_f64().unwrap_or(0.0),
                    b["memory"].as_f64().unwrap_or(0.0),
                ))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let pick = one("flavor", args, &found, true)
            .map(|_| &found[0])
            .map_err(ProviderError::Query)?;
        out.insert("id".into(), Value::from_json(&pick["id"]));
        out.insert("vcpus".into(), Value::from_json(&pick["vcpus"]));
        out.insert(
            "memory_gb".into(),
            Value::Number(pick["memory"].as_f64().unwrap_or(0.0) / 1024.0),
        );
        out.insert("flavors".into(), names(&found, "id"));
        Ok(Value::Map(out))
    }
}

pub struct DevServerImages;

#[async_trait::async_trait]
impl DataSource for DevServerImages {
    fn type_name(&self) -> &'static str {
        "modelarts_devserver_images"
    }

    fn schema(&self) -> &'static Schema {
        &DATA_DS_IMAGES
    }

    async fn read(&self, c: &Client, args: &Value) -> Result<Value, ProviderError> {
        let mut out: BTreeMap<String, Value> = args.as_map().cloned().unwrap_or_default();
        let mut q = vec![];
        if let Some(t) = args.get("server_type").as_str() {
            q.push(("server_type", t.to_string()));
        }
        if let Some(f) = args.get("flavor_name").as_str() {
            q.push(("flavor_name", f.to_string()));
        }
        let r = c
            .call("GET", "/dev-servers/images", &q, None, Retry::Safe)
            .await?;
        let mut found = Vec::new();
        for i in r["data"].as_array().cloned().unwrap_or_default() {
            if matches_name(args, i["name"].as_str().unwrap_or("")).map_err(ProviderError::Query)?
                && args.get("arch").as_str().is_none_or(|a| i["arch"] == a)
            {
                found.push(i);
            }
        }
        let pick = one("DevServer image", args, &found, false).map_err(ProviderError::Query)?;
        out.insert("id".into(), Value::from_json(&pick["image_id"]));
        out.insert("name".into(), Value::from_json(&pick["name"]));
        out.insert("images".into(), names(&found, "image_id"));
        Ok(Value::Map(out))
    }
}

pub struct DevServerFlavors;

#[async_trait::async_trait]
impl DataSource for DevServerFlavors {
    fn type_name(&self) -> &'static str {
        "modelarts_devserver_flavors"
    }

    fn schema(&self) -> &'static Schema {
        &DATA_DS_FLAVORS
    }

    async fn read(&self, c: &Client, args: &Value) -> Result<Value, ProviderError> {
        let mut out: BTreeMap<String, Value> = args.as_map().cloned().unwrap_or_default();
        let mut q = vec![];
        for k in ["server_type", "arch"] {
            if let Some(v) = args.get(k).as_str() {
                q.push((k, v.to_string()));
            }
        }
        let r = c
            .call("GET", "/dev-servers/flavors", &q, None, Retry::Safe)
            .await?;
        let found: Vec<Json> = r["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|f| {
                !f["is_sold_out"].as_bool().unwrap_or(false)
                    && args.get("name").as_str().is_none_or(|n| f["flavor"] == n)
            })
            .collect();
        let pick = one("DevServer flavor", args, &found, true)
            .map(|_| &found[0])
            .map_err(ProviderError::Query)?;
        out.insert("id".into(), Value::from_json(&pick["flavor"]));
        out.insert(
            "specification".into(),
            Value::from_json(&pick["specification"]),
        );
        out.insert("flavors".into(), names(&found, "flavor"));
        Ok(Value::Map(out))
    }
}
