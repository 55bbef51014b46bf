//! The completed workbook's "API checks" sheet: the latest automatic verification of each case
//! and the latest local run of Okta's SPEC file, one row per step (then the checks beyond the
//! file, apart), so a reviewer sees what the verdicts rest on.

use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};

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

pub fn write_checks_sheet(
    sheet: &mut Worksheet,
    session: &Session,
    header: &Format,
    date: &Format,
    title: &Format,
) -> Result<(), XlsxError> {
    let widths = [10.0, 18.0, 11.0, 60.0, 9.0, 10.0, 70.0, 70.0];
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let text = |s: &str| fit_cell(s).into_owned();
    let mut row = 0;
    let runs = latest_runs(session);
    if !runs.is_empty() {
        sheet.write_string_with_format(
            row,
            0,
            "Case verifications (latest run of each case)",
            title,
        )?;
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
        for (col, name) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *name, header)?;
        }
        row += 1;
        for run in runs {
            sheet.write_string(row, 0, text(&run.case))?;
            if let Ok(at) = ExcelDateTime::from_timestamp(run.at.timestamp()) {
                sheet.write_datetime_with_format(row, 1, &at, date)?;
            }
            sheet.write_string(row, 2, run.verdict.label())?;
            sheet.write_string(row, 3, text(&format!("{} ({})", run.summary, run.target)))?;
            sheet.write_number(row, 4, run.attempts)?;
            sheet.write_number(row, 5, run.requests.len() as u32)?;
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
            sheet.write_string(row, 6, text(&failed.join("\n")))?;
            if let Some(trail) = &run.okta {
                sheet.write_string(row, 7, text(&trail.lines().join("\n")))?;
            }
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
        sheet.write_string_with_format(row, 0, text(&heading), title)?;
        row += 1;
        if let Ok(at) = ExcelDateTime::from_timestamp(report.at.timestamp()) {
            sheet.write_string(row, 0, "Run at (UTC)")?;
            sheet.write_datetime_with_format(row, 1, &at, date)?;
            row += 1;
        }
        for run in report.file.iter().chain(report.entitlements.iter()) {
            sheet.write_string(row, 0, "File")?;
            sheet.write_string(
                row,
                1,
                text(&format!(
                    "{} ({}), SHA-256 {} against {}",
                    run.file.name, run.file.path, run.file.sha256, run.target
                )),
            )?;
            row += 1;
            for (col, name) in [
                "Step",
                "Test",
                "Result",
                "Assertions that did not hold (expected, actual), problems",
                "Required",
                "Requests",
            ]
            .iter()
            .enumerate()
            {
                sheet.write_string_with_format(row, col as u16, *name, header)?;
            }
            row += 1;
            for step in run.requests() {
                sheet.write_number(row, 0, step.position as u32)?;
                sheet.write_string(row, 1, text(&step.title()))?;
                sheet.write_string(row, 2, step.status.label())?;
                let why: Vec<String> = step
                    .what_failed()
                    .into_iter()
                    .chain(step.wait.iter().cloned())
                    .collect();
                sheet.write_string(row, 3, text(&why.join("\n")))?;
                let required = step.requirement == crate::session::StepRequirement::Required;
                sheet.write_string(row, 4, if required { "yes" } else { "no" })?;
                sheet.write_number(row, 5, step.attempts.len() as u32)?;
                row += 1;
            }
            row += 1;
        }
        if !report.checks.is_empty() {
            sheet.write_string_with_format(
                row,
                0,
                "What Okta's provisioning relies on beyond the SPEC file (not part of the verdict)",
                title,
            )?;
            row += 1;
            for (col, name) in ["#", "Check", "Result", "Detail", "", "Requests"]
                .iter()
                .enumerate()
            {
                sheet.write_string_with_format(row, col as u16, *name, header)?;
            }
            row += 1;
            for (i, check) in report.checks.iter().enumerate() {
                sheet.write_number(row, 0, (i + 1) as u32)?;
                sheet.write_string(row, 1, text(&check.name))?;
                sheet.write_string(row, 2, check.status.label())?;
                sheet.write_string(row, 3, text(&check.detail.join("\n")))?;
                sheet.write_number(row, 5, check.requests.len() as u32)?;
                row += 1;
            }
        }
        if let Some(state) = report.created_user_state() {
            sheet.write_string(row, 0, text(&state))?;
        }
    }
    Ok(())
}
