//! Everything the tester produced, kept in a JSON file beside the workbook and saved after
//! every change: results, capability declarations, suite links, the connection settings (never
//! secrets) and the records verification leaves.

pub mod connection;
pub mod evidence;
mod history;
pub mod links;
mod model;
mod store;
pub mod tally;
pub mod verification;

pub use connection::{AuthScheme, Connection, ConnectionError};
pub use evidence::{EvidenceError, EvidenceFile, EvidenceKind, evidence_dir};
pub use history::{CaseDelta, HistoryEntry, HistoryKind, UNDO_DEPTH};
pub use links::{LinkError, check_link};
pub use model::{
    CaseResult, Evidence, Outcome, ReconcileReport, SCHEMA_VERSION, SavedOutcome, Session,
    SuiteKind, SuiteLinks, SuiteRun,
};
pub use store::{SessionError, SessionStore, default_session_path, write_atomic};
pub use tally::{Tally, tally_sections};
pub use verification::{
    AssertionRecord, CheckStatus, RememberedValue, RequestRecord, RunFailure, SpecCheck,
    SpecReport, SuiteVerdict, Verdict, VerifyRun, VerifyState,
};

#[cfg(test)]
mod tests;
