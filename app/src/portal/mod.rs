//! The public portal: what anyone can read without signing in.

pub mod home;
pub mod indicators;
pub mod notices;
