//! The server side of Fangxin: configuration, the HTTP router and its middleware.
//! A library so integration tests can drive the very router `fangxin serve` runs.

pub mod backup;
pub mod cli;
pub mod guards;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod page_cache;
