//! The completed workbook: the plan sheet as Okta wrote it plus scimplan's result columns, a
//! Summary sheet with the verdict (`export_summary`) and, once anything was verified, an
//! "API checks" sheet (`export_checks`). The columns' format is `plan::completed`'s. Written to a
//! temp file and renamed; never over the input.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use thiserror::Error;

use super::export_checks::{CHECKS_SHEET, has_checks, write_checks_sheet};
use super::export_evidence::{EVIDENCE_SHEET, EvidenceLayout};
use super::export_plan::{write_plan_header, write_plan_rows};
use super::export_summary::write_summary_sheet;
use super::export_target::{ExportTarget, write_export};
use super::readiness::assess;
use crate::net::CancelFlag;
use crate::plan::Plan;
use crate::plan::completed::{
    self, SUMMARY_SHEET, SUMMARY_SHEET_ALT, TESTED_AT_FORMAT, TIME_SPENT_FORMAT,
};
use crate::plan::profile::Requirements;
use crate::session::{CaseResult, Outcome, Session, backup_path, lock_path};
use crate::workspace::Workspace;

pub use crate::plan::completed::{CUT_MARKER, EXCEL_CELL_LIMIT, fit_cell};

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(
        "{path} is the workbook being read: scimplan never overwrites it. Pass another file with -o."
    )]
    WouldOverwriteInput { path: PathBuf },
    #[error(
        "{path} is {what}: scimplan never writes the workbook over it. Pass another file with -o."
    )]
    WouldOverwriteSession { path: PathBuf, what: String },
    #[error(
        "{path}: the completed workbook is an .xlsx file, so scimplan does not write it under a .{extension} name. Pass a name ending in .xlsx, e.g. {suggestion}."
    )]
    NotXlsx {
        path: PathBuf,
        extension: String,
        suggestion: PathBuf,
    },
    #[error(
        "{path} already exists; nothing was written. Pass another name with -o, or replace it with --force."
    )]
    Exists { path: PathBuf },
    #[error("cannot build the completed workbook: {0}. Please report this as a bug.")]
    Build(#[from] XlsxError),
    #[error(
        "{path}: cannot write the completed workbook: {source}. Check the folder exists and is writable, and that enough disk space is free (nothing was left half-written)."
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Exports the workspace's plan and session (what the TUI's export key calls): to `out` (a file
/// or a folder), or to the next free `<stem>-completed-<date>[-N].xlsx` beside the plan. Never
/// replaces a file: an existing `out` gives `ExportError::Exists`, so the checklist can ask and
/// call `export_workspace_with(ws, out, true)`.
pub fn export_workspace(ws: &Workspace, out: Option<&Path>) -> Result<PathBuf, ExportError> {
    export_workspace_with(ws, out, false)
}

/// As `export_workspace`; `replace` allows writing over an existing `out` (never over the plan,
/// the session, its backup or its lock).
pub fn export_workspace_with(
    ws: &Workspace,
    out: Option<&Path>,
    replace: bool,
) -> Result<PathBuf, ExportError> {
    let now = Utc::now();
    let folder = ws.evidence_dir();
    let bytes = workbook_bytes_with_evidence(&ws.plan, &ws.reqs, ws.session(), now, Some(&folder))?;
    write_beside_session(
        &ws.plan.source,
        ws.session_path(),
        out,
        replace,
        now,
        &bytes,
    )
}

/// Writes the completed workbook's `bytes` where `out` says (or beside the plan), never over the
/// plan, the session, its backup or its lock.
fn write_beside_session(
    plan: &Path,
    session: &Path,
    out: Option<&Path>,
    replace: bool,
    now: DateTime<Utc>,
    bytes: &[u8],
) -> Result<PathBuf, ExportError> {
    let protected = [
        (session.to_path_buf(), "the session file"),
        (backup_path(session), "the session's backup"),
        (lock_path(session), "the session's lock file"),
    ];
    let target = ExportTarget {
        output: out,
        replace,
        protected: &protected,
    };
    write_export(plan, &target, now, bytes)
}

/// What `export_workspace` reads, taken from the workspace as it is now: the checklist takes
/// one on its own thread and writes the workbook on another, so drawing and keys go on while
/// pictures are re-encoded.
pub struct ExportSnapshot {
    plan: Plan,
    reqs: Requirements,
    session: Session,
    session_path: PathBuf,
    evidence: PathBuf,
    now: DateTime<Utc>,
}

impl ExportSnapshot {
    pub fn of(ws: &Workspace) -> ExportSnapshot {
        ExportSnapshot {
            plan: ws.plan.clone(),
            reqs: ws.reqs.clone(),
            session: ws.session().clone(),
            session_path: ws.session_path().to_path_buf(),
            evidence: ws.evidence_dir(),
            now: Utc::now(),
        }
    }

    /// Builds the workbook and writes it beside the plan under the next free name, as
    /// `export_workspace(ws, None)` does. `Ok(None)`: `cancel` was set before anything was
    /// written (the workbook is built first, whole, then written at once).
    pub fn write(&self, cancel: &CancelFlag) -> Result<Option<PathBuf>, ExportError> {
        let bytes = workbook_bytes_with_evidence(
            &self.plan,
            &self.reqs,
            &self.session,
            self.now,
            Some(&self.evidence),
        )?;
        if cancel.is_cancelled() {
            return Ok(None);
        }
        write_beside_session(
            &self.plan.source,
            &self.session_path,
            None,
            false,
            self.now,
            &bytes,
        )
        .map(Some)
    }
}

/// Writes the completed workbook where `target` says and returns where it went.
pub fn export_workbook(
    plan: &Plan,
    reqs: &Requirements,
    session: &Session,
    target: &ExportTarget,
) -> Result<PathBuf, ExportError> {
    let now = Utc::now();
    let bytes = workbook_bytes(plan, reqs, session, now)?;
    write_export(&plan.source, target, now, &bytes)
}

/// The plan sheet's name as Excel accepts it (OpenDocument allows longer names and more characters).
pub(super) fn excel_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let cleaned = cleaned.trim_matches('\'').to_string();
    if cleaned.trim().is_empty() {
        "Plan".into()
    } else {
        cleaned
    }
}

/// The text of the Notes cell of a result.
pub fn notes_cell(result: &CaseResult) -> String {
    completed::notes_cell(&result.note, result.reason.as_deref())
}

pub fn tested_by_cell(result: &CaseResult) -> String {
    completed::tested_by_cell(result.tester.as_deref(), result.automatic)
}

/// The Evidence cell: one line per entry, a file by its name (never the tester's local path),
/// a link as it is.
pub fn evidence_cell(result: &CaseResult) -> String {
    result
        .evidence
        .iter()
        .map(|e| completed::evidence_line(&e.name(), &e.caption))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cell formats of every sheet.
pub(super) struct Formats {
    pub header: Format,
    pub body: Format,
    pub date: Format,
    pub duration: Format,
    pub automatic: Format,
    pub bold: Format,
    /// Bold, wrapped, at the top: a case's first row on the Evidence sheet.
    pub body_bold: Format,
    pub title: Format,
}

impl Formats {
    pub fn new() -> Formats {
        // No cell borders: the plan sheet prints its gridlines instead (see export_plan).
        let body = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            date: body.clone().set_num_format(TESTED_AT_FORMAT),
            duration: body.clone().set_num_format(TIME_SPENT_FORMAT),
            automatic: body.clone().set_italic(),
            body_bold: body.clone().set_bold(),
            body,
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

pub(super) fn outcome_style(outcome: Outcome) -> Option<(u32, u32)> {
    // (fill, font) colours Excel's own "Good/Bad/Neutral" styles use.
    match outcome {
        Outcome::Pass => Some((0xC6EFCE, 0x006100)),
        Outcome::Fail => Some((0xFFC7CE, 0x9C0006)),
        Outcome::Blocked => Some((0xFFEB9C, 0x9C5700)),
        Outcome::Skipped => Some((0xD9D9D9, 0x404040)),
        Outcome::NotRun => None,
    }
}

/// The completed workbook as bytes (no file written).
pub fn workbook_bytes(
    plan: &Plan,
    reqs: &Requirements,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ExportError> {
    workbook_bytes_with_evidence(plan, reqs, session, now, None)
}

/// The completed workbook as bytes, with the Evidence sheet's pictures read from `evidence`
/// (the session's evidence folder; without it evidence is listed, not embedded).
pub fn workbook_bytes_with_evidence(
    plan: &Plan,
    reqs: &Requirements,
    session: &Session,
    now: DateTime<Utc>,
    evidence: Option<&Path>,
) -> Result<Vec<u8>, ExportError> {
    let layout = EvidenceLayout::prepare(plan, session, evidence);
    let evidence_name = if excel_sheet_name(&plan.sheet).eq_ignore_ascii_case(EVIDENCE_SHEET) {
        "scimplan Evidence"
    } else {
        EVIDENCE_SHEET
    };
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // Fast deflate: several times quicker on large plans for a slightly larger file.
    workbook.set_zip_compression_level(1);
    let summary_name = if excel_sheet_name(&plan.sheet).eq_ignore_ascii_case(SUMMARY_SHEET) {
        SUMMARY_SHEET_ALT
    } else {
        SUMMARY_SHEET
    };
    let plan_sheet = workbook.add_worksheet_with_constant_memory()?;
    plan_sheet.set_name(excel_sheet_name(&plan.sheet))?;
    write_plan_header(plan_sheet, plan, &formats)?;
    // Constant-memory too: its strings are written inline, so no shared-string table is built
    // for the thousands of blocking cases a large plan can list.
    workbook
        .add_worksheet_with_constant_memory()?
        .set_name(summary_name)?;
    // The plan sheet's rows and the Summary (with the readiness it shows) are written at once
    // on two threads: on a 10,000-case plan each takes tens of milliseconds. They first use
    // no format in common (write_plan_header used the shared ones).
    let links = layout.links(evidence_name);
    let (plan_sheet, summary_sheet) = match workbook.worksheets_mut().as_mut_slice() {
        [plan_sheet, summary_sheet] => (plan_sheet, summary_sheet),
        _ => unreachable!("two sheets were added"),
    };
    std::thread::scope(|scope| {
        let summary = scope.spawn(|| {
            let readiness = assess(plan, reqs, session);
            write_summary_sheet(
                summary_sheet,
                summary_name,
                plan,
                session,
                &readiness,
                &formats,
                now,
            )
        });
        let rows = write_plan_rows(plan_sheet, plan, session, &formats, &links);
        let summary = summary
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        rows.and(summary)
    })?;
    if has_checks(session) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(
            if excel_sheet_name(&plan.sheet).eq_ignore_ascii_case(CHECKS_SHEET) {
                "scimplan API checks"
            } else {
                CHECKS_SHEET
            },
        )?;
        write_checks_sheet(sheet, session, &formats)?;
    }
    if !layout.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(evidence_name)?;
        layout.write(sheet, plan, session, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(excel_sheet_name("Sheet1"), "Sheet1");
        assert_eq!(excel_sheet_name("a/b:c"), "abc");
        assert_eq!(excel_sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(excel_sheet_name("[]"), "Plan");
    }
}
