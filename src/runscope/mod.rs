//! Runs Runscope test exports (Okta's SPEC, CRUD and Entitlements files) locally, as Runscope
//! would. Okta publishes its API suites as these files; running the files themselves makes the
//! verdict Okta's by construction, and follows Okta when it edits them.
//!
//! - `export`: the file format (serde), checked before anything is sent.
//! - `template`: `{{variables}}`; `initial`: the variables a run starts with.
//! - `property` + `compare`: assertions with Runscope's documented semantics.
//! - `runner`: requests (through `net::PlainClient`, exactly as a step describes them), pauses
//!   (as polling), variables, records; `script`: Okta's one script.
//! - `files`: Okta's files on disk, downloaded when absent, checked against the profile's
//!   SHA-256.
//!
//! Knows nothing of cases or recipes: `verify::spec` and `verify::crud` run Okta's files with
//! the tester's connections and keep what they leave.

pub mod compare;
mod evaluate;
pub mod export;
pub mod files;
pub mod initial;
pub mod property;
pub mod runner;
mod script;
pub mod template;

pub use export::{FileError, Request, Requirement, Step, TestFile, load, parse, sha256_hex};
pub use runner::{RunContext, RunEvent, RunOptions, run_file};
pub use template::Variables;
