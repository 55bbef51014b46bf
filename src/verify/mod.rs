//! What a case requires and whether it holds: the recipes, the checks they run against the
//! app's SCIM API (`crate::scim`) and the tester's Okta org (`crate::okta`), Okta's SPEC and
//! CRUD files run with the tester's connections (`crate::runscope`), and what all of it leaves
//! in the session. The clients live in their own rooms beneath; cases and recipes meet them
//! here. The connection settings and every record a run leaves are session types
//! (`session::connection`, `session::verification`).
//!
//! - `planner`: for a request (cases named, the pending batch, a recheck, a start), what will
//!   run on which side, what is missing (a connection, a secret, an input) and which cases are
//!   left out and why; the checklist and the CLI only present it. `runner`: the one runner of
//!   a case (both sides, polled, the System Log kept), inline in the CLI, on `worker`'s thread
//!   in the checklist.
//! - `recipe` + `engine`: declarative checks from `plans/okta-scim-recipes.toml`, polled until
//!   they hold or the deadline passes; `job` prepares one (inputs validated first), `step`
//!   runs one request of it (paging, exact matches, captures), `members` compares a group's
//!   members by userName, `assertions` judges an answer against the expected result,
//!   `attempt` is what one pass found, `template` fills `{{name}}`s.
//! - What a run leaves in the session is recorded by session commands (`Command::RecordRun`
//!   and friends), which own the rule of when a check's verdict becomes the outcome.
//! - `spec`: the local equivalent of Okta's SPEC suite (Okta's file, then the checks beyond
//!   it); `crud`: Okta's CRUD file with both connections, its Okta user always cleaned up.
//! - `hosted`: Okta's files run in BlazeMeter API Monitoring (the hosted Runscope) for the
//!   links the OIN Wizard asks for: which file, which variables, the test reused.
//! - `schema`: the Import User Schema pre-flight (`/ResourceTypes` and `/Schemas` read as Okta
//!   reads them).
//! - `worker`: checks, starts and the suites on a background thread, for the TUI.
//! - `error` and `event`: why a check cannot be prepared, and the progress work reports.
//! - The Okta side of a case: `recipe_okta` reads `[[recipe.okta]]`, `okta_side` checks it in
//!   the org (run by the engine beside the SCIM side), `okta_inputs` fills what it needs from
//!   Okta, `profile` says what Okta sends a user (its app user profile through the app's
//!   attribute mapping) and compares the app's user with it; `trail` picks which System Log a
//!   run keeps; `console` the Admin Console page a case needs.
//!
//! Rules every check follows (the SCIM side here; the Okta side must follow them too):
//! 1. A check records an outcome only for a case the tester asked for (`v`, or named on the
//!    command line), a Fail only once the case's steps are marked done, never over an outcome
//!    someone set before or while it ran (`session::Command::RecordRun`); a check of many
//!    cases (`planner::Request::Pending`) covers only cases without an outcome whose steps
//!    are done, and a recheck (`Request::Recheck`, `drift`) records nothing.
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
pub mod attempt;
pub mod console;
pub mod crud;
pub mod engine;
pub mod error;
pub mod event;
pub mod hosted;
pub mod job;
pub mod members;
mod okta_inputs;
pub mod okta_side;
pub mod planner;
pub mod profile;
pub mod recipe;
pub mod recipe_okta;
pub mod runner;
pub mod schema;
pub mod spec;
pub mod step;
pub mod suite_files;
pub mod template;
pub mod trail;
pub mod worker;

pub use crate::session::STEPS_NOT_DONE;
pub use engine::{DEFAULT_DEADLINE, run_check};
pub use error::{InputError, VerifyError};
pub use event::{StartReport, VerifyEvent};
pub use job::{CheckJob, steps_done};
pub use planner::{
    LeftOut, Missing, OktaState, Planner, Request, Secrets, Side, VerifyPlan, Why, drift,
};
pub use recipe::{Recipe, RecipeBook};
pub use runner::{Access, OktaAccess, Runner, ScimAccess};
// The records a run leaves and the connection settings are session types; named here too so
// callers of verify find them beside the functions that fill them.
pub use crate::session::connection::{PASSWORD_ENV, TOKEN_ENV};
pub use crate::session::{
    AssertionRecord, AuthScheme, CheckStatus, Connection, RememberedValue, RequestRecord,
    SpecCheck, SpecReport, Verdict, VerifyRun, VerifyState,
};
pub use crud::{CrudOptions, run_crud};
pub use spec::{SpecOptions, run_spec};
pub use worker::{CancelHandle, Running, Sink, spawn_checks, spawn_crud, spawn_spec, spawn_start};
