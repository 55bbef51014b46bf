//! The completed workbook: the plan sheet as Okta wrote it plus scimplan's result columns, and a
//! Summary sheet with the verdict. Written to a temp file and renamed; never over the input.

use super::export_checks::{CHECKS_SHEET, has_checks, write_checks_sheet};
use super::export_evidence::{EVIDENCE_SHEET, EvidenceLayout};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule, DataValidation,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use thiserror::Error;

use super::export_target::{ExportTarget, write_export};
use super::readiness::{Readiness, assess};
use crate::plan::profile::Requirements;
use crate::plan::{ADDED_HEADERS, CellValue, Field, Plan};
use crate::session::{CaseResult, Outcome, Session, backup_path, lock_path};
use crate::workspace::Workspace;

/// Excel refuses longer cell text.
pub const EXCEL_CELL_LIMIT: usize = 32_767;
/// Appended to text cut at Excel's limit, so nobody mistakes it for the whole text.
pub const CUT_MARKER: &str =
    " [… cut at Excel's cell limit: the full text is in the scimplan session]";
/// "Tested by" of an automatic verdict ends with this.
pub const AUTOMATIC_SUFFIX: &str = " (automatic)";
/// A line of the Notes cell holding the recorded reason of a Skipped or Blocked case.
pub const REASON_PREFIX: &str = "Reason: ";
pub const SUMMARY_SHEET: &str = "Summary";

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
    let session = &ws.store.path;
    let protected = [
        (session.clone(), "the session file"),
        (backup_path(session), "the session's backup"),
        (lock_path(session), "the session's lock file"),
    ];
    let target = ExportTarget {
        output: out,
        replace,
        protected: &protected,
    };
    let now = Utc::now();
    let folder = ws.store.evidence_dir();
    let bytes =
        workbook_bytes_with_evidence(&ws.plan, &ws.reqs, &ws.store.session, now, Some(&folder))?;
    write_export(&ws.plan.source, &target, now, &bytes)
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

/// Cuts text to Excel's cell limit, with a visible marker.
pub fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= EXCEL_CELL_LIMIT {
        return text.into();
    }
    let keep = EXCEL_CELL_LIMIT - CUT_MARKER.chars().count();
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(CUT_MARKER);
    cut.into()
}

/// The text of the Notes cell: the note, then the reason of a Skipped or Blocked case.
pub fn notes_cell(result: &CaseResult) -> String {
    match (&result.reason, result.note.is_empty()) {
        (Some(reason), true) => format!("{REASON_PREFIX}{reason}"),
        (Some(reason), false) => format!("{}\n\n{REASON_PREFIX}{reason}", result.note),
        (None, _) => result.note.clone(),
    }
}

pub fn tested_by_cell(result: &CaseResult) -> String {
    match (&result.tester, result.automatic) {
        (Some(t), true) => format!("{t}{AUTOMATIC_SUFFIX}"),
        (None, true) => format!("scimplan{AUTOMATIC_SUFFIX}"),
        (Some(t), false) => t.clone(),
        (None, false) => String::new(),
    }
}

pub fn evidence_cell(result: &CaseResult) -> String {
    result
        .evidence
        .iter()
        .map(|e| {
            if e.caption.is_empty() {
                e.reference.clone()
            } else {
                format!("{} — {}", e.reference, e.caption)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Column width in characters for a plan column.
fn plan_width(field: Option<Field>) -> f64 {
    match field {
        Some(Field::Id) => 10.0,
        Some(Field::Title) => 40.0,
        Some(Field::Section) => 28.0,
        Some(Field::Preconditions) => 45.0,
        Some(Field::Steps) => 60.0,
        Some(Field::Expected) => 50.0,
        None => 24.0,
    }
}

const ADDED_WIDTHS: [f64; 6] = [11.0, 45.0, 18.0, 18.0, 11.0, 40.0];

struct Formats {
    header: Format,
    body: Format,
    number: Format,
    date: Format,
    duration: Format,
    automatic: Format,
    bold: Format,
    title: Format,
}

impl Formats {
    fn new() -> Formats {
        let body = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xBFBFBF));
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            number: body.clone().set_text_wrap(),
            date: body.clone().set_num_format("yyyy-mm-dd hh:mm"),
            duration: body.clone().set_num_format("[h]:mm:ss"),
            automatic: body.clone().set_italic(),
            body,
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

fn outcome_style(outcome: Outcome) -> Option<(u32, u32)> {
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
    let readiness = assess(plan, reqs, session);
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // Fast deflate: several times quicker on large plans for a slightly larger file.
    workbook.set_zip_compression_level(1);
    let summary_name = if excel_sheet_name(&plan.sheet).eq_ignore_ascii_case(SUMMARY_SHEET) {
        "scimplan Summary"
    } else {
        SUMMARY_SHEET
    };
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(excel_sheet_name(&plan.sheet))?;
        write_plan_sheet(sheet, plan, session, &formats)?;
        let evidence_col = plan.columns.len() as u16 + 5;
        layout.link_cells(
            sheet,
            evidence_name,
            plan,
            session,
            evidence_col,
            evidence_cell,
        )?;
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
    if !layout.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(evidence_name)?;
        layout.write(sheet, plan, session, &formats.header, &formats.title)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &CellValue,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match value {
        CellValue::Empty => sheet.write_blank(row, col, &formats.body)?,
        // write_string never makes a formula, whatever the text starts with.
        CellValue::Text(text) => {
            sheet.write_string_with_format(row, col, fit_cell(text), &formats.body)?
        }
        CellValue::Number(n) => sheet.write_number_with_format(row, col, *n, &formats.number)?,
        CellValue::Bool(b) => sheet.write_boolean_with_format(row, col, *b, &formats.body)?,
    };
    Ok(())
}

fn write_plan_sheet(
    sheet: &mut Worksheet,
    plan: &Plan,
    session: &Session,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let plan_cols = plan.columns.len() as u16;
    for (c, column) in plan.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, fit_cell(&column.header), &formats.header)?;
        sheet.set_column_width(c as u16, plan_width(column.field))?;
    }
    for (k, header) in ADDED_HEADERS.iter().enumerate() {
        let col = plan_cols + k as u16;
        sheet.write_string_with_format(0, col, *header, &formats.header)?;
        sheet.set_column_width(col, ADDED_WIDTHS[k])?;
    }
    sheet.insert_note(
        0,
        plan_cols + 3,
        &Note::new("Date and time in UTC.").add_author_prefix(false),
    )?;

    let result_col = plan_cols;
    for (i, case) in plan.cases.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, value) in case.cells.iter().enumerate() {
            write_cell(sheet, row, c as u16, value, formats)?;
        }
        let blank = CaseResult::default();
        let result = session.result(&case.id).unwrap_or(&blank);
        let result_format = if result.automatic {
            &formats.automatic
        } else {
            &formats.body
        };
        sheet.write_string_with_format(row, result_col, result.outcome.label(), result_format)?;
        if result.automatic {
            sheet.insert_note(
                row,
                result_col,
                &Note::new("Verdict of scimplan's automatic verification.")
                    .add_author_prefix(false),
            )?;
        }
        let texts = [
            (1, notes_cell(result)),
            (2, tested_by_cell(result)),
            (5, evidence_cell(result)),
        ];
        for (k, text) in texts {
            let col = result_col + k;
            if text.is_empty() {
                sheet.write_blank(row, col, &formats.body)?;
            } else {
                sheet.write_string_with_format(row, col, fit_cell(&text), &formats.body)?;
            }
        }
        match result
            .updated_at
            .and_then(|at| ExcelDateTime::from_timestamp(at.timestamp()).ok())
        {
            Some(at) => {
                sheet.write_datetime_with_format(row, result_col + 3, &at, &formats.date)?
            }
            None => sheet.write_blank(row, result_col + 3, &formats.date)?,
        };
        if result.time_spent_secs > 0 {
            let days = result.time_spent_secs as f64 / 86_400.0;
            sheet.write_number_with_format(row, result_col + 4, days, &formats.duration)?;
        } else {
            sheet.write_blank(row, result_col + 4, &formats.duration)?;
        }
    }

    let last_row = plan.cases.len() as u32;
    let last_col = plan_cols + ADDED_HEADERS.len() as u16 - 1;
    let labels: Vec<&str> = Outcome::ALL.iter().map(|o| o.label()).collect();
    let validation = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_error_title("Not an outcome")?
        .set_error_message("Choose one of: Not run, Pass, Fail, Blocked, Skipped.")?;
    sheet.add_data_validation(1, result_col, last_row, result_col, &validation)?;
    // Conditional formats, so the colour follows a result changed by hand in Excel.
    for outcome in Outcome::ALL {
        if let Some((fill, font)) = outcome_style(outcome) {
            let rule = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::EqualTo(outcome.label()))
                .set_format(
                    Format::new()
                        .set_background_color(Color::RGB(fill))
                        .set_font_color(Color::RGB(font)),
                );
            sheet.add_conditional_format(1, result_col, last_row, result_col, &rule)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

fn write_summary_sheet(
    sheet: &mut Worksheet,
    sheet_name: &str,
    plan: &Plan,
    session: &Session,
    readiness: &Readiness,
    formats: &Formats,
    now: DateTime<Utc>,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 34.0)?;
    sheet.set_column_width(1, 40.0)?;
    for col in 2..9 {
        sheet.set_column_width(col, 11.0)?;
    }
    let text = |s: &str| fit_cell(s).into_owned();
    sheet.write_string_with_format(
        0,
        0,
        "Okta OIN SCIM test plan: completed workbook",
        &formats.title,
    )?;
    let verdict = if readiness.ready {
        "READY to submit".to_string()
    } else {
        format!(
            "NOT READY: {} blocking case(s), {} missing API suite result(s)",
            readiness.blockers.len(),
            readiness.suites.iter().filter(|s| !s.satisfied()).count()
        )
    };
    let facts = [
        ("App", session.app_name.clone().unwrap_or_default()),
        ("Tester", session.tester.clone().unwrap_or_default()),
        ("Source workbook", plan.file_name()),
        ("Sheet", plan.sheet.clone()),
        ("Source SHA-256", plan.fingerprint.clone()),
        ("Verdict", verdict),
    ];
    let mut row = 2;
    sheet.write_string_with_format(row, 0, "Exported at (UTC)", &formats.bold)?;
    // To the millisecond: importing this workbook later tells a result changed after the
    // export from one it holds.
    let serial = 25_569.0 + now.timestamp_millis() as f64 / 86_400_000.0;
    sheet.write_number_with_format(row, 1, serial, &formats.date)?;
    row += 1;
    for (label, value) in facts {
        sheet.write_string_with_format(row, 0, label, &formats.bold)?;
        sheet.write_string(row, 1, text(&value))?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "API suites", &formats.title)?;
    row += 1;
    for suite in &readiness.suites {
        sheet.write_string_with_format(row, 0, suite.name(), &formats.bold)?;
        sheet.write_string(row, 1, if suite.satisfied() { "OK" } else { "MISSING" })?;
        sheet.write_string(row, 2, text(&suite.describe()))?;
        // Column E: the latest local run of Okta's file, beside the link.
        if let Some(local) = suite.describe_local() {
            sheet.write_string(row, 4, text(&local))?;
        }
        if let super::readiness::SuiteEvidence::Link(url) = &suite.evidence {
            // Column D holds the bare link so a colleague's scimplan can read it back.
            sheet.write_string(row, 3, text(url))?;
        }
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Capabilities", &formats.title)?;
    row += 1;
    for (c, header) in ["Capability", "Key", "Supported", "Cases"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(row, c as u16, *header, &formats.header)?;
    }
    row += 1;
    for cap in &readiness.capabilities {
        sheet.write_string(row, 0, text(&cap.name))?;
        sheet.write_string(row, 1, text(&cap.key))?;
        sheet.write_string(row, 2, if cap.supported { "Yes" } else { "No" })?;
        sheet.write_number(row, 3, cap.cases as f64)?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Sections", &formats.title)?;
    row += 1;
    let table_header = row;
    let mut headers = vec!["Section", "Cases", "Applicable"];
    headers.extend(Outcome::ALL.iter().map(|o| o.label()));
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *header, &formats.header)?;
    }
    row += 1;
    let first_section_row = row;
    for tally in readiness
        .sections
        .iter()
        .chain(std::iter::once(&readiness.total))
    {
        let name = if tally.name.is_empty() {
            "(no section)"
        } else {
            &tally.name
        };
        sheet.write_string(row, 0, text(name))?;
        sheet.write_number(row, 1, tally.cases as f64)?;
        sheet.write_number(row, 2, tally.applicable as f64)?;
        for (k, outcome) in Outcome::ALL.iter().enumerate() {
            sheet.write_number(row, 3 + k as u16, tally.count(*outcome) as f64)?;
        }
        row += 1;
    }
    let last_section_row = row - 2; // the chart leaves out the Total row
    if !readiness.sections.is_empty() {
        let mut chart = Chart::new(ChartType::BarStacked);
        chart.title().set_name("Outcomes per section");
        for (k, outcome) in Outcome::ALL.iter().enumerate() {
            let col = 3 + k as u16;
            let series = chart.add_series();
            series
                .set_name((sheet_name, table_header, col))
                .set_categories((sheet_name, first_section_row, 0, last_section_row, 0))
                .set_values((sheet_name, first_section_row, col, last_section_row, col));
            if let Some((fill, _)) = outcome_style(*outcome) {
                series.set_format(rust_xlsxwriter::ChartFormat::new().set_solid_fill(
                    rust_xlsxwriter::ChartSolidFill::new().set_color(Color::RGB(fill)),
                ));
            }
        }
        chart
            .set_width(720)
            .set_height((220 + 24 * readiness.sections.len() as u32).min(900));
        sheet.insert_chart(2, 10, &chart)?;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Blocking cases", &formats.title)?;
    row += 1;
    if readiness.blockers.is_empty() {
        sheet.write_string(row, 0, "None")?;
        row += 1;
    } else {
        for (c, header) in ["Case", "Title", "Section", "Problem", "Note"]
            .iter()
            .enumerate()
        {
            sheet.write_string_with_format(row, c as u16, *header, &formats.header)?;
        }
        row += 1;
        for b in &readiness.blockers {
            sheet.write_string(row, 0, text(&b.id))?;
            sheet.write_string(row, 1, text(&b.title))?;
            sheet.write_string(row, 2, text(&b.section))?;
            sheet.write_string(row, 3, b.problem())?;
            let note = match &b.reason {
                Some(reason) => format!("{REASON_PREFIX}{reason}\n{}", b.note),
                None => b.note.clone(),
            };
            sheet.write_string(row, 4, text(note.trim()))?;
            row += 1;
        }
    }
    if !readiness.warnings.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, "Warnings (not blocking)", &formats.title)?;
        row += 1;
        for w in &readiness.warnings {
            sheet.write_string(row, 0, text(&w.describe()))?;
            row += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let long = "é".repeat(EXCEL_CELL_LIMIT + 10);
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_LIMIT);
        assert!(cut.ends_with(CUT_MARKER));
        assert_eq!(fit_cell("short"), "short");
    }

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(excel_sheet_name("Sheet1"), "Sheet1");
        assert_eq!(excel_sheet_name("a/b:c"), "abc");
        assert_eq!(excel_sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(excel_sheet_name("[]"), "Plan");
    }
}
