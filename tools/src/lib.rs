//! Tools around Fangxin, apart from the product: the data generator, benchmarks and the
//! load generator. They print numbers and assert nothing. The `fangxin` binary does not
//! link this crate (server/tests/architecture.rs checks).

pub mod bench;
pub mod cli;
pub mod demo;
pub mod fixtures;
pub mod loadgen;
pub mod sample;
