//! Everything the tester produced, kept in a JSON file beside the workbook and saved after
//! every change: results, capability declarations, suite links, the connection settings (never
//! secrets) and the records verification leaves.

mod atomic;
mod changes;
mod command;
pub mod connection;
pub mod evidence;
pub mod file_run;
mod history;
pub mod hosted;
mod import;
pub mod links;
pub mod lock;
mod model;
pub mod okta;
mod store;
pub mod tally;
pub mod verification;
mod writer;

pub use atomic::{
    FileAccess, backup_path, write_atomic, write_atomic_with, write_new, write_new_with,
};
pub use changes::ChangesElsewhere;
pub use command::{Command, Effect, Refusal, STEPS_NOT_DONE, Scope, Standing};
pub use connection::{AuthScheme, Connection, ConnectionError, NetworkSettings, proxy_url};
pub use evidence::{EvidenceError, EvidenceFile, EvidenceKind, evidence_dir};
pub use file_run::{
    AssertionResult, CleanUp, CrudReport, FileRef, FileRun, StepRecord, StepRequirement, StepStatus,
};
pub use history::{CaseDelta, HistoryEntry, HistoryKind, UNDO_DEPTH};
pub use hosted::{
    Declarations, HOSTED_RUNS_KEPT, HostedFailure, HostedResult, HostedRun, HostedState, HostedTest,
};
pub use import::{Import, ImportConflict, ImportReport, UnknownResult};
pub use links::{
    CredentialsInUrl, LinkError, RESULT_LINK_FORM, ResultLinkError, check_link, check_result_link,
    refuse_credentials,
};
pub use lock::{Holder, LockError, lock_path};
pub use model::{
    CaseResult, Decided, Evidence, Outcome, PlanChange, ReconcileReport, SCHEMA_VERSION,
    SavedOutcome, Session, SuiteKind, SuiteLinks, SuiteRun,
};
pub use okta::{
    AppUserSync, OKTA_SCOPES, OKTA_TOKEN_ENV, OktaAuth, OktaConnection, OktaLogEntry,
    OktaSettingsError, OktaTrail,
};
pub use store::{
    SaveError, SaveFailure, Saved, SessionError, SessionFile, SessionStore, Unsaved,
    default_session_path,
};
pub use tally::{Tally, tally_sections};
pub use verification::{
    AssertionRecord, CaseStart, CheckStatus, RememberedValue, RequestRecord, RunFailure, SpecCheck,
    SpecReport, SuiteVerdict, Verdict, VerifyRun, VerifyState, remembered_key,
};
pub use writer::Writer;

#[cfg(test)]
mod tests;
