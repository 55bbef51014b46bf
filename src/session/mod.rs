//! Everything the tester produced, kept in a JSON file beside the workbook and saved after
//! every change.

mod history;
mod model;
mod store;

pub use history::{CaseDelta, HistoryEntry, HistoryKind, UNDO_DEPTH};
pub use model::{
    CaseResult, Evidence, Outcome, ReconcileReport, SCHEMA_VERSION, SavedOutcome, Session,
    SuiteKind, SuiteLinks, SuiteRun,
};
pub use store::{SessionError, SessionStore, default_session_path, write_atomic};

#[cfg(test)]
mod tests;
