//! What the tester hands in: the readiness verdict and its renderings, the completed workbook,
//! and reading its Evidence sheet back (taking its results in is the session's `Import`
//! command). No terminal code here.
//!
//! For the TUI: `assess(&plan, &reqs, &session)` then `render::text(&readiness)` for the summary
//! screen (each `Blocker` has the `case_index` to jump to); `export_workspace(&ws, None)` for the
//! export key.

pub mod export;
pub mod export_checks;
pub mod export_evidence;
pub mod export_plan;
mod export_summary;
pub mod export_target;
pub mod junit;
pub mod readiness;
pub mod render;

pub use export::{
    ExportError, ExportSnapshot, export_workbook, export_workspace, export_workspace_with,
};
pub use export_target::{ExportTarget, default_export_path};
pub use readiness::{Blocker, Readiness, SuiteEvidence, SuiteStatus, Warning, assess, counted};
pub use render::{SummaryFormat, render};
