//! What the tester hands in: the readiness verdict and its renderings, the completed workbook,
//! and reading results back from a completed workbook.

pub mod readiness;
pub mod render;

pub use readiness::{Blocker, Readiness, SuiteEvidence, SuiteStatus, Warning, assess};
pub use render::{SummaryFormat, render};
pub mod export;

pub use export::{ExportError, export_workbook, export_workspace};
pub mod resume;

pub use resume::{ImportReport, resume_from_workbook};
