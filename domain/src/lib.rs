//! Fangxin's domain rules.
//!
//! Plain Rust with no web framework and no SQL, so the very same code validates
//! input in the browser (compiled to WASM) and on the server.

pub mod account;
pub mod application;
pub mod area;
pub mod batch;
pub mod category;
pub mod complaint;
pub mod dashboard;
pub mod lifecycle;
pub mod locale;
pub mod navigation;
pub mod notice;
pub mod panel;
pub mod rates;
pub mod role;
pub mod scoring;
pub mod totp;
pub mod uscc;
pub mod workdays;

pub use area::{AreaCode, AreaLevel};
pub use category::Category;
pub use locale::Locale;
pub use role::Role;
pub use uscc::CreditCode;
