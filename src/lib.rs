//! scimplan: run Okta's SCIM OIN test plan from the terminal.
//!
//! The core (`plan`, `session`) has no terminal code; the binary's CLI and TUI call it.

pub mod cli;
pub mod opener;
pub mod plan;
pub mod report;
pub mod session;
pub mod tui;
pub mod verify;
pub mod workspace;
