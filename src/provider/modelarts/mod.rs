//! The ModelArts API: request signing, the HTTP client, the resource kinds and the data
//! sources.
pub mod client;
pub mod data;
pub mod kinds;
pub mod signer;

pub use client::{ApiError, Client, ClientConfig, Credentials};
pub use kinds::Kind;
