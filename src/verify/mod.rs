//! What a case requires and whether it holds: the recipes, the checks they run against the
//! app's SCIM API (`crate::scim`) and the tester's Okta org (`crate::okta`), Okta's SPEC and
//! CRUD files run with the tester's connections (`crate::runscope`), and what all of it leaves
//! in the session. The clients live in their own rooms beneath; cases and recipes meet them
//! here. The connection settings and every record a run leaves are session types
//! (`session::connection`, `session::verification`).
//!
//! - `recipe` + `engine`: declarative checks from `plans/okta-scim-recipes.toml`, polled until
//!   they hold or the deadline passes; `job` prepares one (inputs validated first), `step`
//!   runs one request of it (paging, exact matches, captures), `members` compares a group's
//!   members by userName, `assertions` judges an answer against the expected result.
//! - `batch`: which cases a many-at-once check covers (never rewriting earlier outcomes).
//! - What a run leaves in the session is recorded by session commands (`Command::RecordRun`
//!   and friends), which own the rule of when a check's verdict becomes the outcome.
//! - `spec`: the local equivalent of Okta's SPEC suite (Okta's file, then the checks beyond
//!   it); `crud`: Okta's CRUD file with both connections, its Okta user always cleaned up.
//! - `worker`: the same on a background thread, for the TUI.
//! - The Okta side of a case: `recipe_okta` reads `[[recipe.okta]]`, `okta_side` checks it in
//!   the org (run by the engine beside the SCIM side), `okta_inputs` fills what it needs from
//!   Okta; `trail` picks which System Log a run keeps; `console` the Admin Console page a case
//!   needs.
//!
//! Rules every check follows (the SCIM side here; the Okta side must follow them too):
//! 1. A check records an outcome only for a case the tester asked for (`v`, or named on the
//!    command line), a Fail only once the case's steps are marked done, never over an outcome
//!    someone set before or while it ran (`session::Command::RecordRun`); a check of many
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
pub mod console;
pub mod crud;
pub mod engine;
pub mod job;
pub mod members;
mod okta_inputs;
pub mod okta_side;
pub mod recipe;
pub mod recipe_okta;
pub mod spec;
pub mod step;
pub mod trail;
pub mod worker;

use std::time::Duration;

use thiserror::Error;

use crate::runscope::RunEvent;

pub use crate::session::STEPS_NOT_DONE;
pub use batch::{Batch, BatchMode, batch_jobs, drift};
pub use engine::{
    DEFAULT_DEADLINE, ScimSide, StartReport, observe_start, run_case, run_check,
    run_check_with_okta,
};
pub use job::{CheckJob, case_job, steps_done};
pub use recipe::{Recipe, RecipeBook};
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

/// A client that could not be set up stops the check before it sends anything.
impl From<crate::net::SetupError> for VerifyError {
    fn from(error: crate::net::SetupError) -> VerifyError {
        VerifyError::Settings(error.to_string())
    }
}

impl From<RunEvent> for VerifyEvent {
    fn from(event: RunEvent) -> VerifyEvent {
        match event {
            RunEvent::Step(step) => VerifyEvent::FileStep(step),
            RunEvent::Attempt {
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
    SpecCheck(SpecCheck),
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
