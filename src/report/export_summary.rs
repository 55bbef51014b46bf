//! The completed workbook's Summary sheet: the verdict, the facts a colleague's scimplan reads
//! back (app, tester, source SHA-256, capability declarations, suite links: labels from
//! `plan::completed`), the tally per section with a chart, and the blockers.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Chart, ChartType, Color, Worksheet, XlsxError};

use super::export::{Formats, excel_sheet_name, fit_cell, outcome_style};
use super::readiness::{Readiness, SuiteEvidence, counted};
use crate::plan::Plan;
use crate::plan::completed::{
    CAPABILITY_HEADERS, REASON_PREFIX, SUITE_LINK_COL, SUPPORTED_NO, SUPPORTED_YES,
    exported_at_serial, summary_label as label,
};
use crate::session::{Outcome, Session, SuiteKind};

pub(super) fn write_summary_sheet(
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
    sheet.set_row_height(0, TITLE_ROW_HEIGHT)?;
    let verdict = readiness.verdict();
    let facts = [
        (
            label::APP,
            session.app_name().map(str::to_string).unwrap_or_default(),
        ),
        (
            label::TESTER,
            session.tester().map(str::to_string).unwrap_or_default(),
        ),
        (label::SOURCE_WORKBOOK, plan.file_name()),
        (label::SHEET, plan.sheet.clone()),
        (label::SOURCE_SHA256, plan.source_fingerprint().to_string()),
        (label::VERDICT, verdict),
    ];
    let mut row = 2;
    sheet.write_string_with_format(row, 0, label::EXPORTED_AT, &formats.bold)?;
    // To the millisecond: importing this workbook later tells a result changed after the
    // export from one it holds.
    sheet.write_number_with_format(row, 1, exported_at_serial(now), &formats.date)?;
    row += 1;
    for (label, value) in facts {
        sheet.write_string_with_format(row, 0, label, &formats.bold)?;
        sheet.write_string(row, 1, text(&value))?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "API suites", &formats.title)?;
    sheet.set_row_height(row, TITLE_ROW_HEIGHT)?;
    row += 1;
    for suite in &readiness.suites {
        let name = match suite.suite {
            SuiteKind::Spec => label::SPEC,
            SuiteKind::Crud => label::CRUD,
            SuiteKind::Entitlements => label::ENTITLEMENTS,
        };
        sheet.write_string_with_format(row, 0, name, &formats.bold)?;
        sheet.write_string(row, 1, if suite.satisfied() { "OK" } else { "MISSING" })?;
        sheet.write_string(row, 2, text(&suite.describe()))?;
        // Column E: the latest local run of Okta's file, beside the link.
        if let Some(local) = suite.describe_local() {
            sheet.write_string(row, 4, text(&local))?;
        }
        if let SuiteEvidence::Link(url) = &suite.evidence {
            // The bare link, so a colleague's scimplan can read it back.
            sheet.write_string(row, SUITE_LINK_COL, text(url))?;
        }
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Capabilities", &formats.title)?;
    sheet.set_row_height(row, TITLE_ROW_HEIGHT)?;
    row += 1;
    for (c, header) in CAPABILITY_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *header, &formats.header)?;
    }
    row += 1;
    for cap in &readiness.capabilities {
        sheet.write_string(row, 0, text(&cap.name))?;
        sheet.write_string(row, 1, text(&cap.key))?;
        let supported = if cap.supported {
            SUPPORTED_YES
        } else {
            SUPPORTED_NO
        };
        sheet.write_string(row, 2, supported)?;
        sheet.write_number(row, 3, cap.cases as f64)?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Sections", &formats.title)?;
    sheet.set_row_height(row, TITLE_ROW_HEIGHT)?;
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
    let mut chart_bottom = 0;
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
        let height = (220 + 24 * readiness.sections.len() as u32).min(900);
        chart.set_width(CHART_WIDTH_PX).set_height(height);
        sheet.insert_chart(CHART_ROW, CHART_COL, &chart)?;
        chart_bottom = CHART_ROW + height.div_ceil(DEFAULT_ROW_PX) + 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "Blocking cases", &formats.title)?;
    sheet.set_row_height(row, TITLE_ROW_HEIGHT)?;
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
        for b in readiness.blockers.iter().take(LISTED_BLOCKERS) {
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
        let more = readiness.blockers.len().saturating_sub(LISTED_BLOCKERS);
        if more > 0 {
            sheet.write_string(
                row,
                0,
                format!(
                    "… and {}: every case's result is on sheet '{}' (filter its Result column).",
                    counted(more, "more blocking case", "more blocking cases"),
                    excel_sheet_name(&plan.sheet)
                ),
            )?;
            row += 1;
        }
    }
    if !readiness.warnings.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, "Warnings (not blocking)", &formats.title)?;
        sheet.set_row_height(row, TITLE_ROW_HEIGHT)?;
        row += 1;
        for w in &readiness.warnings {
            sheet.write_string(row, 0, text(&w.describe()))?;
            row += 1;
        }
    }
    // Printable on its own: landscape, one page wide, the chart inside the printed area, the
    // footer of the other sheets.
    sheet
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer("&L&A&RPage &P of &N");
    let last_col = if chart_bottom > 0 { CHART_LAST_COL } else { 8 };
    sheet.set_print_area(0, 0, row.max(chart_bottom), last_col)?;
    Ok(())
}

/// A 14-point title's row height in points (Excel's default row is for 11 points: the title
/// would overlap the row above, on screen and printed).
const TITLE_ROW_HEIGHT: f64 = 20.0;

/// Blocking cases listed by name: the Summary is read (and printed) as a summary; beyond these
/// it says how many more there are, all of them on the plan sheet with their results.
pub const LISTED_BLOCKERS: usize = 100;

/// Where the chart stands: beside the tables, from row 3 in column K, 720 pixels wide (about
/// eleven default columns, so the printed area reaches column V).
const CHART_ROW: u32 = 2;
const CHART_COL: u16 = 10;
const CHART_WIDTH_PX: u32 = 720;
const CHART_LAST_COL: u16 = CHART_COL + 11;
/// Excel's default row height in pixels.
const DEFAULT_ROW_PX: u32 = 20;
