//! The completed workbook: the plan sheet as Okta wrote it plus scimplan's result columns, a
//! Summary sheet with the verdict (`export_summary`) and, once anything was verified, an
//! "API checks" sheet (`export_checks`). The columns' format is `plan::completed`'s. Written to a
//! temp file and renamed; never over the input.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use thiserror::Error;

use super::export_checks::{CHECKS_SHEET, has_checks, write_checks_sheet};
use super::export_plan::write_plan_sheet;
use super::export_summary::write_summary_sheet;
use super::readiness::assess;
use crate::plan::Plan;
use crate::plan::completed::{
    self, SUMMARY_SHEET, SUMMARY_SHEET_ALT, TESTED_AT_FORMAT, TIME_SPENT_FORMAT,
};
use crate::plan::profile::Requirements;
use crate::session::{CaseResult, FileAccess, Outcome, Session, write_atomic_with};
use crate::workspace::Workspace;

pub use crate::plan::completed::{CUT_MARKER, EXCEL_CELL_LIMIT, fit_cell};

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(
        "{path} is the workbook being read: scimplan never overwrites it. Pass another file with -o."
    )]
    WouldOverwriteInput { path: PathBuf },
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

/// Exports the workspace's plan and session (what the TUI's export key calls).
pub fn export_workspace(ws: &Workspace, out: Option<&Path>) -> Result<PathBuf, ExportError> {
    export_workbook(&ws.plan, &ws.reqs, &ws.store.session, out)
}

/// Writes the completed workbook to `out`, or to `<stem>-completed-<YYYY-MM-DD>.xlsx` beside
/// the plan, and returns where it went.
pub fn export_workbook(
    plan: &Plan,
    reqs: &Requirements,
    session: &Session,
    out: Option<&Path>,
) -> Result<PathBuf, ExportError> {
    let now = Utc::now();
    let target = match out {
        Some(path) => path.to_path_buf(),
        None => default_export_path(&plan.source, now),
    };
    if same_file(&target, &plan.source) {
        return Err(ExportError::WouldOverwriteInput { path: target });
    }
    let bytes = workbook_bytes(plan, reqs, session, now)?;
    write_atomic_with(&target, &bytes, false, FileAccess::LikeNewFiles).map_err(|source| {
        ExportError::Write {
            path: target.clone(),
            source,
        }
    })?;
    Ok(target)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `<stem>-completed-<date>.xlsx` beside the plan. Exporting a completed workbook again drops
/// its old suffix; when that name is the input itself, a counter keeps them apart.
pub fn default_export_path(plan_path: &Path, now: DateTime<Utc>) -> PathBuf {
    let stem = plan_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    let base = strip_completed_suffix(&stem);
    let date = now.format("%Y-%m-%d");
    let mut candidate = plan_path.with_file_name(format!("{base}-completed-{date}.xlsx"));
    let mut counter = 2;
    while same_file(&candidate, plan_path) {
        candidate = plan_path.with_file_name(format!("{base}-completed-{date}-{counter}.xlsx"));
        counter += 1;
    }
    candidate
}

fn strip_completed_suffix(stem: &str) -> &str {
    if let Some(pos) = stem.rfind("-completed-") {
        let rest = &stem[pos + "-completed-".len()..];
        let date_like = rest.len() >= 10
            && rest[..10].chars().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if date_like && rest[10..].chars().all(|c| c == '-' || c.is_ascii_digit()) {
            return &stem[..pos];
        }
    }
    stem
}

/// The plan sheet's name as Excel accepts it (OpenDocument allows longer names and more characters).
fn excel_sheet_name(name: &str) -> String {
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

pub fn evidence_cell(result: &CaseResult) -> String {
    result
        .evidence
        .iter()
        .map(|e| completed::evidence_line(&e.reference, &e.caption))
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
    let readiness = assess(plan, reqs, session);
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // Fast deflate: several times quicker on large plans for a slightly larger file.
    workbook.set_zip_compression_level(1);
    let summary_name = if excel_sheet_name(&plan.sheet).eq_ignore_ascii_case(SUMMARY_SHEET) {
        SUMMARY_SHEET_ALT
    } else {
        SUMMARY_SHEET
    };
    {
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(excel_sheet_name(&plan.sheet))?;
        write_plan_sheet(sheet, plan, session, &formats)?;
    }
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(summary_name)?;
        write_summary_sheet(
            sheet,
            summary_name,
            plan,
            session,
            &readiness,
            &formats,
            now,
        )?;
    }
    if has_checks(session) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(
            if excel_sheet_name(&plan.sheet).eq_ignore_ascii_case(CHECKS_SHEET) {
                "scimplan API checks"
            } else {
                CHECKS_SHEET
            },
        )?;
        write_checks_sheet(
            sheet,
            session,
            &formats.header,
            &formats.date,
            &formats.title,
        )?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_name_is_beside_the_plan_with_the_date() {
        let now = DateTime::parse_from_rfc3339("2026-03-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let path = default_export_path(Path::new("/plans/okta-v2.xlsx"), now);
        assert_eq!(path, Path::new("/plans/okta-v2-completed-2026-03-04.xlsx"));
        // Re-exporting an export does not pile up suffixes.
        let again = default_export_path(Path::new("/plans/okta-v2-completed-2026-01-02.xlsx"), now);
        assert_eq!(again, Path::new("/plans/okta-v2-completed-2026-03-04.xlsx"));
        assert_eq!(
            strip_completed_suffix("x-completed-soon"),
            "x-completed-soon"
        );
    }

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(excel_sheet_name("Sheet1"), "Sheet1");
        assert_eq!(excel_sheet_name("a/b:c"), "abc");
        assert_eq!(excel_sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(excel_sheet_name("[]"), "Plan");
    }
}
