//! Verifying cases against the app's SCIM API, and scimplan's own SPEC suite.
//!
//! - `connection`: settings (in the session), the secret (memory only), the HTTP client.
//! - `recipe` + `engine`: declarative checks from `plans/okta-scim-recipes.toml`, polled until
//!   they hold or the deadline passes.
//! - `record`: what a run leaves in the session.
//! - `spec`: the local equivalent of Okta's SPEC suite.
//! - `worker`: the same on a background thread, for the TUI.

pub mod assertions;
pub mod cancel;
pub mod connection;
pub mod engine;
pub mod json_path;
pub mod junit;
pub mod recipe;
pub mod record;
pub mod spec;
pub mod worker;

use std::time::Duration;

use thiserror::Error;

pub use cancel::CancelFlag;
pub use connection::{AuthScheme, Connection, ScimClient, Secret};
pub use engine::{CheckJob, DEFAULT_DEADLINE, prepare_all, run_check};
pub use recipe::{Recipe, RecipeBook};
pub use record::{Verdict, VerifyRun, VerifyState, record_run, record_spec};
pub use spec::{SpecOptions, SpecReport, run_spec};
pub use worker::{CancelHandle, Running, spawn, spawn_all, spawn_spec};

#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("{0}")]
    Settings(String),
    #[error(
        "no SCIM connection in this session. Run `scimplan connect PLAN --scim-url URL --auth bearer` first."
    )]
    NoConnection,
    #[error(
        "the secret is not set: export {var} (it is read from the environment and never saved)."
    )]
    MissingSecret { var: &'static str },
    #[error("{case} has no verification recipe. Cases that can be verified: {known}")]
    NoRecipe { case: String, known: String },
    #[error("{case} needs input(s) not known yet: {}", missing.join(", "))]
    MissingInputs { case: String, missing: Vec<String> },
    #[error(
        "{case} compares with '{name}', remembered when {cases} passed verification: verify {cases} first."
    )]
    NeedsEarlierCase {
        case: String,
        name: String,
        cases: String,
    },
    #[error("verification recipes: {0}")]
    Recipe(String),
}

/// Progress of background work, in order; `Finished`, `SpecFinished` or `Failed` comes last.
#[derive(Debug, Clone)]
pub enum VerifyEvent {
    /// One polling attempt of a case check ended.
    Attempt {
        case: String,
        number: u32,
        passed: usize,
        failed: usize,
        /// The first assertion that did not hold, or the error.
        first_failure: Option<String>,
        /// When the next attempt starts; `None` when this was the last.
        retry_in: Option<Duration>,
    },
    /// One SPEC check ended.
    SpecCheck(spec::SpecCheck),
    Finished(Box<VerifyRun>),
    SpecFinished(Box<SpecReport>),
    /// The work could not start (e.g. the HTTP client could not be set up).
    Failed(String),
}
