//! The completed workbook's "API checks" sheet: the latest automatic verification of each case
//! and the latest local run of Okta's SPEC file, one row per step (then the checks beyond the
//! file, apart), so a reviewer sees what the verdicts rest on.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};

use super::export::Formats;
use super::export_plan::{page_setup, row_height, wrapped_lines};

use crate::plan::completed::fit_cell;
use crate::session::Session;
use crate::session::VerifyRun;

pub const CHECKS_SHEET: &str = "API checks";

/// Whether the session holds anything for the sheet.
pub fn has_checks(session: &Session) -> bool {
    !session.verify().runs.is_empty() || session.verify().last_spec.is_some()
}

/// The latest run of each case, in the order cases were first verified.
fn latest_runs(session: &Session) -> Vec<&VerifyRun> {
    let mut latest: Vec<&VerifyRun> = Vec::new();
    for run in &session.verify().runs {
        match latest.iter_mut().find(|r| r.case == run.case) {
            Some(slot) => *slot = run,
            None => latest.push(run),
        }
    }
    latest
}

/// Column widths in characters: the sheet prints one landscape page wide at a readable scale;
/// long texts wrap and their rows grow.
const WIDTHS: [f64; 8] = [10.0, 18.0, 11.0, 45.0, 9.0, 10.0, 50.0, 50.0];

pub(super) fn write_checks_sheet(
    sheet: &mut Worksheet,
    session: &Session,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let (header, date, title, body) = (
        &formats.header,
        &formats.date,
        &formats.title,
        &formats.body,
    );
    // Every cell wraps; a row is as tall as its longest text.
    let mut cells = Cells {
        sheet,
        body,
        lines: 1,
    };
    let mut row = 0;
    // The first table's title and header repeat on every printed page.
    let mut header_rows = 1;
    let runs = latest_runs(session);
    if !runs.is_empty() {
        cells.title(row, "Case verifications (latest run of each case)", title)?;
        row += 1;
        let headers = [
            "Case",
            "Verified at (UTC)",
            "Verdict",
            "Summary",
            "Attempts",
            "Requests",
            "Assertions that did not hold (expected, actual)",
            "Okta: app user and System Log since the case started",
        ];
        cells.headers(row, &headers, header)?;
        header_rows = 2;
        row += 1;
        for run in runs {
            cells.text(row, 0, &run.case)?;
            if let Ok(at) = ExcelDateTime::from_timestamp(run.at.timestamp()) {
                cells.sheet.write_datetime_with_format(row, 1, &at, date)?;
            }
            cells.text(row, 2, run.verdict.label())?;
            cells.text(row, 3, &format!("{} ({})", run.summary, run.target))?;
            cells.number(row, 4, run.attempts as f64)?;
            cells.number(row, 5, run.requests.len() as f64)?;
            let failed: Vec<String> = run
                .assertions
                .iter()
                .filter(|a| !a.passed)
                .map(|a| {
                    format!(
                        "{}: {}: expected {}, got {}",
                        a.step, a.check, a.expected, a.actual
                    )
                })
                .collect();
            cells.text(row, 6, &failed.join("\n"))?;
            if let Some(trail) = &run.okta {
                cells.text(row, 7, &trail.lines().join("\n"))?;
            }
            cells.end_row(row)?;
            row += 1;
        }
        row += 1;
    }
    if let Some(report) = &session.verify().last_spec {
        let heading = format!(
            "Okta's SPEC file (latest local run): {}, {} against {}",
            report.verdict(),
            report.counts(),
            report.target
        );
        cells.title(row, &heading, title)?;
        row += 1;
        if let Ok(at) = ExcelDateTime::from_timestamp(report.at.timestamp()) {
            cells.text(row, 0, "Run at (UTC)")?;
            cells.sheet.write_datetime_with_format(row, 1, &at, date)?;
            cells.end_row(row)?;
            row += 1;
        }
        for run in report.file.iter().chain(report.entitlements.iter()) {
            cells.text(row, 0, "File")?;
            // The file's name only: where it lies on the tester's machine is theirs.
            let name = Path::new(&run.file.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // Written across the row's columns, unwrapped: one line of text.
            cells.sheet.write_string(
                row,
                1,
                fit_cell(&format!(
                    "{} ({name}), SHA-256 {} against {}",
                    run.file.name, run.file.sha256, run.target
                ))
                .as_ref(),
            )?;
            row += 1;
            cells.headers(
                row,
                &[
                    "Step",
                    "Test",
                    "Result",
                    "Assertions that did not hold (expected, actual), problems",
                    "Required",
                    "Requests",
                ],
                header,
            )?;
            row += 1;
            for step in run.requests() {
                cells.number(row, 0, step.position as f64)?;
                cells.text(row, 1, &step.title())?;
                cells.text(row, 2, step.status.label())?;
                let why: Vec<String> = step
                    .what_failed()
                    .into_iter()
                    .chain(step.wait.iter().cloned())
                    .collect();
                cells.text(row, 3, &why.join("\n"))?;
                let required = step.requirement == crate::session::StepRequirement::Required;
                cells.text(row, 4, if required { "yes" } else { "no" })?;
                cells.number(row, 5, step.attempts.len() as f64)?;
                cells.end_row(row)?;
                row += 1;
            }
            row += 1;
        }
        if !report.checks.is_empty() {
            cells.title(
                row,
                "What Okta's provisioning relies on beyond the SPEC file (not part of the verdict)",
                title,
            )?;
            row += 1;
            cells.headers(
                row,
                &["#", "Check", "Result", "Detail", "", "Requests"],
                header,
            )?;
            row += 1;
            for (i, check) in report.checks.iter().enumerate() {
                cells.number(row, 0, (i + 1) as f64)?;
                cells.text(row, 1, &check.name)?;
                cells.text(row, 2, check.status.label())?;
                cells.text(row, 3, &check.detail.join("\n"))?;
                cells.number(row, 5, check.requests.len() as f64)?;
                cells.end_row(row)?;
                row += 1;
            }
        }
        if let Some(state) = report.created_user_state() {
            cells
                .sheet
                .write_string(row, 0, fit_cell(&state).as_ref())?;
            row += 1;
        }
    }
    page_setup(cells.sheet, header_rows);
    cells
        .sheet
        .set_print_area(0, 0, row.max(1), WIDTHS.len() as u16 - 1)?;
    Ok(())
}

/// Writes a row's cells wrapped and remembers how many lines its longest one takes.
struct Cells<'a> {
    sheet: &'a mut Worksheet,
    body: &'a Format,
    lines: usize,
}

impl Cells<'_> {
    fn text(&mut self, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
        let value = fit_cell(value);
        self.lines = self.lines.max(wrapped_lines(&value, WIDTHS[col as usize]));
        self.sheet
            .write_string_with_format(row, col, value.as_ref(), self.body)?;
        Ok(())
    }

    fn number(&mut self, row: u32, col: u16, value: f64) -> Result<(), XlsxError> {
        self.sheet
            .write_number_with_format(row, col, value, self.body)?;
        Ok(())
    }

    /// A heading: one line, written across the row (not wrapped in its narrow first column).
    fn title(&mut self, row: u32, value: &str, title: &Format) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(row, 0, fit_cell(value).as_ref(), title)?;
        // A 14-point title needs a taller row than the default, or it overlaps the one above.
        self.sheet.set_row_height(row, 20.0)?;
        Ok(())
    }

    fn headers(&mut self, row: u32, names: &[&str], header: &Format) -> Result<(), XlsxError> {
        let mut lines = 1;
        for (col, name) in names.iter().enumerate() {
            lines = lines.max(wrapped_lines(name, WIDTHS[col]));
            self.sheet
                .write_string_with_format(row, col as u16, *name, header)?;
        }
        if let Some(height) = row_height(lines) {
            self.sheet.set_row_height(row, height)?;
        }
        Ok(())
    }

    /// Sets the row's height from its longest text, and starts counting anew.
    fn end_row(&mut self, row: u32) -> Result<(), XlsxError> {
        if let Some(height) = row_height(self.lines) {
            self.sheet.set_row_height(row, height)?;
        }
        self.lines = 1;
        Ok(())
    }
}
