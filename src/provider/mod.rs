//! The boundary to the cloud.
pub mod modelarts;
