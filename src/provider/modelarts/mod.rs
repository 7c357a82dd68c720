//! The ModelArts API behind the [`Provider`] trait: request signing, the HTTP client
//! (retries, adaptive concurrency, pacing), the operations kinds share, and the kinds and
//! data sources themselves, one module each.
//!
//! Adding a kind is one module implementing [`ResourceKind`] and one line in [`KINDS`].
//! Nothing outside `provider` calls the API; this module must not read configuration or
//! state, only the values the engine passes.

pub mod client;
pub mod convert;
pub mod data;
pub mod devenv;
pub mod devserver;
pub mod notebook;
pub mod objects;
pub mod signer;
pub mod watch;

pub use client::{Client, ClientConfig, Credentials};

use crate::provider::kind::GeneratedConfig;
use crate::provider::{
    DataSource, OpContext, OpError, Provider, ProviderError, ResourceKind, Status,
};
use crate::value::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The resource kinds: the one list of their type names.
pub static KINDS: [&dyn ResourceKind; 3] =
    [&notebook::Notebook, &devserver::DevServer, &devenv::DevEnv];

/// The data sources.
pub static DATA_SOURCES: [&dyn DataSource; 4] = [
    &data::Images,
    &data::Flavors,
    &data::DevServerImages,
    &data::DevServerFlavors,
];

/// The ModelArts provider: the engine's operations as API calls.
pub struct ModelArts {
    client: Arc<Client>,
}

impl ModelArts {
    pub fn new(client: Arc<Client>) -> ModelArts {
        ModelArts { client }
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }
}

type Kind = &'static dyn ResourceKind;

/// Whether the kind says the object is gone although the API still shows it.
fn gone(kind: Kind, b: &serde_json::Value) -> bool {
    kind.status(b["status"].as_str().unwrap_or("")) == Status::Gone
}

#[async_trait::async_trait]
impl Provider for ModelArts {
    async fn read(
        &self,
        kind: Kind,
        id: &str,
        reference: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        Ok(objects::get(&self.client, kind, id)
            .await?
            .filter(|b| !gone(kind, b))
            .map(|b| kind.to_attrs(&b, reference)))
    }

    /// With three or more objects, one list walk (a page per 50 notebooks, per 1024
    /// DevServers, one call for all DevEnviron instances) and a GET only for what the list
    /// did not show; otherwise a GET each, ten at a time.
    async fn read_many(
        &self,
        kind: Kind,
        items: &[(&str, &Value)],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        // Each object read becomes attributes as its page arrives (`None`: gone).
        let wanted: HashMap<&str, &Value> = items.iter().copied().collect();
        let mut found: HashMap<String, Option<Value>> = HashMap::new();
        let attrs = |b: &serde_json::Value, reference: &Value| {
            (!gone(kind, b)).then(|| kind.to_attrs(b, reference))
        };
        let take = |found: &mut HashMap<String, Option<Value>>, b: serde_json::Value| {
            if let Some((id, reference)) = b["id"].as_str().and_then(|id| wanted.get_key_value(id))
            {
                found.insert(id.to_string(), attrs(&b, reference));
            }
        };
        let mut missing: Vec<String> = Vec::new();
        if items.len() >= 3 {
            objects::list_each(&self.client, kind, items.len(), |b| take(&mut found, b)).await?;
            missing.extend(
                items
                    .iter()
                    .filter(|(id, _)| !found.contains_key(*id))
                    .map(|(id, _)| id.to_string()),
            );
        } else {
            missing.extend(items.iter().map(|(id, _)| id.to_string()));
        }
        let sem = Arc::new(tokio::sync::Semaphore::new(10));
        let mut set = tokio::task::JoinSet::new();
        for id in missing {
            let c = self.client.clone();
            let sem = sem.clone();
            set.spawn(async move {
                let _p = sem.acquire_owned().await;
                let r = objects::get(&c, kind, &id).await;
                (id, r)
            });
        }
        while let Some(r) = set.join_next().await {
            let (id, res) = r.map_err(|e| ProviderError::Invalid(format!("a read failed: {e}")))?;
            if let (Some(b), Some(reference)) = (res?, wanted.get(id.as_str())) {
                found.insert(id, attrs(&b, reference));
            }
        }
        Ok(items
            .iter()
            .map(|(id, _)| found.remove(*id).flatten())
            .collect())
    }

    async fn create(
        &self,
        kind: Kind,
        desired: &Value,
        op: &OpContext<'_>,
    ) -> Result<Value, OpError> {
        let b =
            objects::create(&self.client, kind, desired, op.timeout, op.progress, op.log).await?;
        Ok(kind.to_attrs(&b, desired))
    }

    async fn update(
        &self,
        kind: Kind,
        id: &str,
        prior: &Value,
        desired: &Value,
        op: &OpContext<'_>,
    ) -> Result<Value, OpError> {
        let b = objects::update(
            &self.client,
            kind,
            id,
            prior,
            desired,
            op.timeout,
            op.progress,
        )
        .await?;
        // What the update did not set keeps its prior spelling.
        let mut reference = desired.clone();
        if let (Value::Map(r), Value::Map(p)) = (&mut reference, prior) {
            for (k, v) in p {
                r.entry(k.clone()).or_insert(v.clone());
            }
        }
        Ok(kind.to_attrs(&b, &reference))
    }

    async fn delete(&self, kind: Kind, id: &str, op: &OpContext<'_>) -> Result<(), OpError> {
        let created = op.prior.and_then(crate::provider::created_at);
        objects::delete(&self.client, kind, id, created, op.timeout, op.progress).await
    }

    async fn find_created(
        &self,
        kind: Kind,
        name: &str,
        at: i64,
    ) -> Result<Vec<String>, ProviderError> {
        Ok(objects::find_created(&self.client, kind, name, at)
            .await?
            .iter()
            .filter_map(|b| b["id"].as_str().map(str::to_string))
            .collect())
    }

    async fn generate_config(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<Option<GeneratedConfig>, ProviderError> {
        Ok(objects::get(&self.client, kind, id)
            .await?
            .map(|b| kind.generated_config(&b)))
    }

    async fn read_data(
        &self,
        source: &'static dyn DataSource,
        args: &Value,
    ) -> Result<Value, ProviderError> {
        source.read(&self.client, args).await
    }

    fn calls(&self) -> u64 {
        self.client.calls()
    }
}
