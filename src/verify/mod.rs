//! Verifying cases against the app's SCIM API, and scimplan's own SPEC suite.
//!
//! - `secret` (memory only) and `http` (the SCIM client); the connection settings and every
//!   record a run leaves are session types (`session::connection`, `session::verification`).
//! - `recipe` + `engine`: declarative checks from `plans/okta-scim-recipes.toml`, polled until
//!   they hold or the deadline passes; `job` prepares one (inputs validated first), `step`
//!   runs one request of it (paging, exact matches, captures), `members` compares a group's
//!   members by userName, `json_path` reads RFC 7644 attribute paths.
//! - `batch`: which cases a many-at-once check covers (never rewriting earlier outcomes).
//! - `record`: what a run leaves in the session.
//! - `spec`: the local equivalent of Okta's SPEC suite; `crud`: Okta's CRUD file with both
//!   connections, its Okta user always cleaned up.
//! - `worker`: the same on a background thread, for the TUI.
//! - `okta`: the Okta client (the tester's org: app, users, groups, System Log); a recipe's
//!   Okta side is `recipe_okta` (`[[recipe.okta]]`), run by the engine beside the SCIM side.
//!
//! Rules every check follows (the SCIM side here; the Okta side must follow them too):
//! 1. A check records an outcome only for a case the tester asked for (`v`, or named on the
//!    command line), and a Fail only once the case's steps are marked done; a check of many
//!    cases (`batch_jobs`) covers only cases without an outcome whose steps are done, and a
//!    recheck (`BatchMode::Recheck`, `drift`) records nothing.
//! 2. Absence, rename and "unchanged" checks compare the object the case acted on: its id,
//!    remembered per user or group by an earlier case, or observed when the case was started
//!    (`observe_start`), never a name lookup that a misspelling or a letter-case twin fools.
//! 3. A check is as strong as the case's expected result: every given value is checked or the
//!    input refused (`RecipeBook::check_input`, before any request); lists are lists.
//! 4. An app that cannot be reached, refuses the credentials or never answers gives an error
//!    (`Verdict::Error` with a `RunFailure`), never a Fail; so does a path that cannot be read.
//! 5. Output in the tester's terms: users by userName with the id in brackets, both sides shown
//!    by `assertions::show`, lists by `list_names`/`summarise`, NFC differences spelt out.

pub mod assertions;
pub mod batch;
pub mod cancel;
pub mod crud;
pub mod engine;
pub mod http;
pub mod job;
pub mod json_path;
pub mod members;
pub mod okta;
mod okta_inputs;
pub mod recipe;
pub mod recipe_okta;
pub mod record;
pub mod runscope;
pub mod secret;
pub mod spec;
pub mod step;
pub mod worker;

use std::time::Duration;

use thiserror::Error;

pub use crate::session::STEPS_NOT_DONE;
pub use batch::{Batch, BatchMode, batch_jobs, drift};
pub use cancel::CancelFlag;
pub use engine::{
    DEFAULT_DEADLINE, ScimSide, StartReport, observe_start, run_case, run_check,
    run_check_with_okta,
};
pub use http::{Exchange, REQUEST_TIMEOUT, ScimClient};
pub use job::{CheckJob, case_job, steps_done};
pub use recipe::{Recipe, RecipeBook};
pub use record::request_record;
pub use secret::Secret;
// The records a run leaves and the connection settings are session types; named here too so
// callers of verify find them beside the functions that fill them.
pub use crate::session::connection::{PASSWORD_ENV, TOKEN_ENV};
pub use crate::session::{
    AssertionRecord, AuthScheme, CheckStatus, Connection, RememberedValue, RequestRecord,
    SpecCheck, SpecReport, Verdict, VerifyRun, VerifyState,
};
pub use crud::{CrudOptions, run_crud};
pub use spec::{SpecOptions, run_spec};
pub use worker::{
    CancelHandle, Running, Sink, spawn, spawn_all, spawn_crud, spawn_okta_only, spawn_spec,
    spawn_start,
};

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
    #[error("{case}: {why}")]
    BadInput { case: String, why: String },
    #[error("{case} compares with '{name}', which scimplan has not seen yet: {how}.")]
    NeedsEarlierCase {
        case: String,
        name: String,
        how: String,
    },
    #[error(
        "{case} already has an outcome ({outcome}): a check of many cases leaves it alone (name the case to verify it again, or --recheck to compare)"
    )]
    HasOutcome { case: String, outcome: String },
    #[error(
        "{case}: {ticked} of {steps} steps ticked; mark its steps done (Space in the checklist, or `scimplan done PLAN {case}`) once you did them in Okta, or name the case to verify it now"
    )]
    StepsNotDone {
        case: String,
        ticked: usize,
        steps: usize,
    },
    #[error("{case} is {outcome}: nothing recorded to recheck")]
    NothingToRecheck { case: String, outcome: String },
    #[error(
        "{case} is checked in Okta only: connect the org (scimplan connect PLAN --okta-org URL --okta-app-id ID) and export SCIMPLAN_OKTA_TOKEN to verify it"
    )]
    OktaOnly { case: String },
    #[error("{case} has no before steps: nothing to observe when it starts")]
    NothingToStart { case: String },
    #[error("verification recipes: {0}")]
    Recipe(String),
}

impl From<runscope::RunEvent> for VerifyEvent {
    fn from(event: runscope::RunEvent) -> VerifyEvent {
        match event {
            runscope::RunEvent::Step(step) => VerifyEvent::FileStep(step),
            runscope::RunEvent::Attempt {
                position,
                number,
                failing,
                retry_in,
            } => VerifyEvent::FileAttempt {
                position,
                number,
                failing,
                retry_in,
            },
        }
    }
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
    /// A wait that is not a failure (Okta's rate limit used up: waiting for its reset).
    Waiting(String),
    Finished(Box<VerifyRun>),
    SpecFinished(Box<SpecReport>),
    /// Okta's CRUD file ended, its Okta user cleaned up.
    CrudFinished(Box<crate::session::CrudReport>),
    /// What the work does now, for the footer (the CRUD run's clean-up).
    Progress(String),
    /// What starting a case observed (the checklist's start key), or why nothing was kept.
    Started(Box<StartReport>),
    /// The work could not start (e.g. the HTTP client could not be set up).
    Failed(String),
    /// The worker is done: nothing follows.
    Ended,
}
