//! Runs Runscope test exports (Okta's SPEC, CRUD and Entitlements files) locally, as Runscope
//! would. Okta publishes its API suites as these files; running the files themselves makes the
//! verdict Okta's by construction, and follows Okta when it edits them.
//!
//! - `export`: the file format (serde), checked before anything is sent.
//! - `template`: `{{variables}}`; `initial`: the variables a run starts with (the tester's
//!   connections, and the initial script's values: Okta's script run as written, or scimplan's
//!   own equivalent when the script is not at hand).
//! - `property` + `compare`: assertions with Runscope's documented semantics.
//! - `runner`: requests (through `net::PlainClient`, as a step describes them, with Runscope's
//!   `User-Agent` when it names none), pauses (polled, or confirmed by waiting them when a step
//!   fails), variables, records, credentials checked where first used.
//! - `script`: Runscope's scripts (initial, before-request, response) in an embedded JavaScript
//!   engine with Runscope's script environment.
//! - `files`: Okta's files on disk, downloaded when absent, checked against the profile's
//!   SHA-256.
//! - `hosted`: BlazeMeter API Monitoring's REST API (the hosted Runscope), to run Okta's files
//!   there and read their results.
//!
//! Knows nothing of cases or recipes: `verify::spec` and `verify::crud` run Okta's files with
//! the tester's connections and keep what they leave.

pub mod compare;
mod evaluate;
pub mod export;
pub mod files;
pub mod hosted;
pub mod initial;
pub mod property;
pub mod runner;
pub mod script;
pub mod template;

pub use export::{FileError, Request, Requirement, Step, TestFile, load, parse, sha256_hex};
pub use runner::{
    Credential, RUNSCOPE_USER_AGENT, RunContext, RunEvent, RunOptions, run_file,
    unconfirmed_failure,
};
pub use template::Variables;
