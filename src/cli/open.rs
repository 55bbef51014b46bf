//! Opening a plan's workspace for a command: what reconciling with the plan found is said,
//! and the results of a completed workbook are taken in (`import`).

use std::path::Path;

use super::common::{Common, Failure};
use super::import::{resume_if_completed, takes_results_from_workbook};
use crate::workspace::Workspace;

/// Opens the workspace and tells the tester what reconciling with the plan found.
pub fn open(plan: &Path, common: &Common) -> Result<Workspace, Failure> {
    let ws = Workspace::open(plan, &common.open_options())?;
    opened(ws, plan, common)
}

/// As `open`, for commands that only read the session (export): its undo history is not read
/// and the workspace cannot be saved (unless results are taken from a completed workbook,
/// which are saved).
pub fn open_to_read(plan: &Path, common: &Common) -> Result<Workspace, Failure> {
    let ws = Workspace::open_to_read(plan, &common.open_options())?;
    if takes_results_from_workbook(&ws, common) {
        // The results taken from the workbook are saved: the whole session is needed.
        return open(plan, common);
    }
    opened(ws, plan, common)
}

fn opened(mut ws: Workspace, plan: &Path, common: &Common) -> Result<Workspace, Failure> {
    for repeated in &ws.plan.repeated_sheets {
        eprintln!("warning: {}: {repeated}.", plan.display());
    }
    resume_if_completed(&mut ws, common)?;
    let report = &ws.reconcile;
    if report.plan_changed {
        eprintln!(
            "note: {} changed since this session last saw it; results are matched by case ID.",
            plan.display()
        );
        if !report.new_cases.is_empty() {
            eprintln!(
                "note: {} new case(s), starting as Not run: {}",
                report.new_cases.len(),
                report.new_cases.join(", ")
            );
        }
    }
    if !report.missing_cases.is_empty() {
        eprintln!(
            "warning: results are kept for {} case(s) no longer in the plan: {}",
            report.missing_cases.len(),
            report.missing_cases.join(", ")
        );
    }
    if let Some(problem) = &report.history_dropped {
        eprintln!(
            "warning: {}: the undo history is damaged ({problem}); it was dropped, every result is kept. Nothing can be undone from before now.",
            ws.session_path().display()
        );
    }
    Ok(ws)
}
