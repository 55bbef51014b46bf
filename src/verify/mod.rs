//! Verifying cases against the app's SCIM API, and scimplan's own SPEC suite.
//!
//! - `secret` (memory only) and `http` (the SCIM client); the connection settings and every
//!   record a run leaves are session types (`session::connection`, `session::verification`).
//! - `recipe` + `engine`: declarative checks from `plans/okta-scim-recipes.toml`, polled until
//!   they hold or the deadline passes.
//! - `record`: what a run leaves in the session.
//! - `spec`: the local equivalent of Okta's SPEC suite.
//! - `worker`: the same on a background thread, for the TUI.

pub mod assertions;
pub mod cancel;
pub mod engine;
pub mod http;
pub mod json_path;
pub mod recipe;
pub mod record;
pub mod runscope;
pub mod secret;
pub mod spec;
pub mod worker;

use std::time::Duration;

use thiserror::Error;

pub use cancel::CancelFlag;
pub use engine::{CheckJob, DEFAULT_DEADLINE, prepare_all, run_check};
pub use http::{Exchange, REQUEST_TIMEOUT, ScimClient};
pub use recipe::{Recipe, RecipeBook};
pub use record::{record_run, record_spec, request_record};
pub use secret::Secret;
// The records a run leaves and the connection settings are session types; named here too so
// callers of verify find them beside the functions that fill them.
pub use crate::session::connection::{PASSWORD_ENV, TOKEN_ENV};
pub use crate::session::{
    AssertionRecord, AuthScheme, CheckStatus, Connection, RememberedValue, RequestRecord,
    SpecCheck, SpecReport, Verdict, VerifyRun, VerifyState,
};
pub use spec::{SpecOptions, run_spec};
pub use worker::{CancelHandle, Running, Sink, spawn, spawn_all, spawn_spec};

#[derive(Debug, Error)]
pub enum VerifyError {
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Connection(#[from] crate::session::ConnectionError),
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

/// Progress of background work, in order; `Ended` comes last.
#[derive(Debug, Clone, PartialEq)]
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
    /// One SPEC check ended (the checks beyond Okta's file).
    SpecCheck(spec::SpecCheck),
    /// One step of a Runscope file ended (Okta's SPEC or Entitlements file).
    FileStep(Box<crate::session::StepRecord>),
    /// A polled step of a Runscope file did not hold yet; it is tried again in `retry_in`.
    FileAttempt {
        position: usize,
        number: u32,
        failing: String,
        retry_in: Duration,
    },
    Finished(Box<VerifyRun>),
    SpecFinished(Box<SpecReport>),
    /// The work could not start (e.g. the HTTP client could not be set up).
    Failed(String),
    /// The worker is done: nothing follows.
    Ended,
}
