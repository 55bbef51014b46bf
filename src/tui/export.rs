//! `E`: the completed workbook, written in the background from a snapshot of the workspace
//! (pictures are re-encoded, which takes a while): the checklist draws and answers keys
//! meanwhile, and the result comes back as an action saying where it went, or why not.

use super::action::JobEvent;
use super::job::{JobKind, Work};
use super::model::Model;
use crate::report::ExportSnapshot;

pub fn start(m: &mut Model) {
    if m.jobs.is_pending(JobKind::Export) {
        return m.info("The completed workbook is being written: wait for it, or Esc to cancel.");
    }
    m.credit_time();
    m.save();
    let snapshot = ExportSnapshot::of(&m.ws);
    m.info("Writing the completed workbook…");
    m.jobs.spawn(Work::Export, &m.inbox, move |cancel| {
        JobEvent::Exported(snapshot.write(cancel).map_err(|e| e.to_string()))
    });
}

/// The export's result came back: the job is over.
pub fn finished(m: &mut Model, result: Result<Option<std::path::PathBuf>, String>) {
    let cancelled = m.jobs.finish(JobKind::Export).is_some_and(|j| j.cancelled);
    match result {
        Ok(Some(path)) if cancelled => m.info(format!(
            "Completed workbook written before the cancel arrived: {}",
            path.display()
        )),
        Ok(Some(path)) => m.info(format!("Completed workbook written: {}", path.display())),
        Ok(None) => m.info("Export cancelled: nothing was written."),
        Err(e) => m.error(format!("Export failed: {e}")),
    }
}
