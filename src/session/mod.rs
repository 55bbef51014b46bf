//! Everything the tester produced, kept in a JSON file beside the workbook and saved after
//! every change.

mod history;
mod model;
mod store;

pub use history::{CaseDelta, HistoryEntry, HistoryKind};
pub use model::{
    CaseResult, Evidence, Outcome, ReconcileReport, SavedOutcome, Session, SuiteLinks,
    SCHEMA_VERSION,
};
pub use store::{SessionError, SessionStore, default_session_path, write_atomic};
