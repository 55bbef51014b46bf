//! scimplan: run Okta's SCIM OIN test plan from the terminal.
//!
//! The layers, each using only those before it: `plan` (the workbook and the profile),
//! `session` (what the tester produced), `net` (the HTTP setup all remote systems share),
//! `scim`, `okta` and `runscope` (the remote systems, knowing nothing of cases), `verify` (what
//! a case requires and whether it holds), `report`, then the `tui` and `cli` that call them.
//! Only the last two have terminal code.

pub mod cli;
pub mod net;
pub mod okta;
pub mod opener;
pub mod plan;
pub mod report;
pub mod runscope;
pub mod scim;
pub mod session;
pub mod tui;
pub mod verify;
pub mod workspace;
