//! The ModelArts API: request signing, the HTTP client, and one module per resource kind.
pub mod signer;
