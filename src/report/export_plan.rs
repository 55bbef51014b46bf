//! The completed workbook's plan sheet: Okta's columns cell for cell, then the added columns
//! (`plan::completed`), rows tall enough for their wrapped text, ready to print.
//!
//! Written in rust_xlsxwriter's constant-memory mode (rows stream to a temp file, strings
//! inline) with column formats instead of a format per cell: on 10,000 cases that is several
//! times less work and memory than a table of formatted cells. Cell borders are replaced by
//! printed gridlines (on screen, spreadsheets draw their own grid).

use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, DataValidation, ExcelDateTime, Format,
    Note, Worksheet, XlsxError,
};
use unicode_width::UnicodeWidthChar;

use super::export::{Formats, evidence_cell, notes_cell, outcome_style, tested_by_cell};
use crate::plan::completed::{ADDED_HEADERS, Added, fit_cell, time_spent_days};
use crate::plan::{CellValue, Field, Plan};
use crate::session::{CaseResult, Outcome, Session};

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

/// The Result header's note: how an automatic verdict is told apart.
pub const AUTOMATIC_RESULT_NOTE: &str = "In italics: the verdict of scimplan's automatic verification (Tested by ends with \"(automatic)\").";

/// Height of one line of the default font (Calibri 11) in points, as Excel sizes rows.
const LINE_HEIGHT: f64 = 15.0;
/// Excel's tallest row, in points.
const MAX_ROW_HEIGHT: f64 = 409.0;

/// How many lines `text` takes when wrapped in a column `width` characters wide: each line of
/// the text, then as many more as its display width overflows (wide characters count double).
pub fn wrapped_lines(text: &str, width: f64) -> usize {
    // A character of the default font is about one width unit; keep a little margin for the
    // cell padding and proportional letters.
    let per_line = (width - 1.0).max(1.0);
    // A short cell of one line (a title, a name): no need to measure it.
    if (text.len() as f64) <= per_line / 4.0 && !text.as_bytes().contains(&b'\n') {
        return 1;
    }
    text.split('\n')
        .map(|line| {
            let bytes = line.as_bytes();
            let columns: usize = if bytes.is_ascii() {
                // The same widths, byte by byte: most plan text is ASCII, and most of it
                // printable (one column a byte; a tab four, a control character none).
                let mut columns = bytes.len();
                for &b in bytes {
                    if b < b' ' || b == 0x7f {
                        columns = columns - 1 + if b == b'\t' { 4 } else { 0 };
                    }
                }
                columns
            } else {
                line.chars()
                    .map(|c| if c == '\t' { 4 } else { c.width().unwrap_or(0) })
                    .sum()
            };
            (columns as f64 / per_line).ceil().max(1.0) as usize
        })
        .sum()
}

/// The row height, in points, that shows the tallest cell whole; `None` for one line (Excel's
/// default height).
pub fn row_height(lines: usize) -> Option<f64> {
    (lines > 1).then(|| (lines as f64 * LINE_HEIGHT).min(MAX_ROW_HEIGHT))
}

/// Column widths of the plan sheet: the plan's columns, then the added ones.
fn column_widths(plan: &Plan) -> Vec<f64> {
    let mut widths: Vec<f64> = plan.columns.iter().map(|c| plan_width(c.field)).collect();
    widths.extend(ADDED_WIDTHS);
    widths
}

/// The plan sheet's columns, printing set-up and header row. The formats the Summary also
/// uses (header, and date as a column format) are first used here, before the sheets' rows are
/// written on two threads: rust_xlsxwriter numbers a format the first time a sheet uses it,
/// and two sheets adding the same new format at once could number it twice (see `export`).
pub(super) fn write_plan_header(
    sheet: &mut Worksheet,
    plan: &Plan,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let result_col = plan.columns.len() as u16;
    let widths = column_widths(plan);
    for (col, width) in widths.iter().enumerate() {
        let col = col as u16;
        let format = match col.checked_sub(result_col) {
            Some(k) if k == Added::TestedAt.offset() => &formats.date,
            Some(k) if k == Added::TimeSpent.offset() => &formats.duration,
            _ => &formats.body,
        };
        sheet.set_column_width(col, *width)?;
        sheet.set_column_format(col, format)?;
    }
    page_setup(sheet, 1);

    // The header row.
    let mut header_lines = 1;
    for (c, column) in plan.columns.iter().enumerate() {
        let header = fit_cell(&column.header);
        header_lines = header_lines.max(wrapped_lines(&header, widths[c]));
        sheet.write_string_with_format(0, c as u16, header, &formats.header)?;
    }
    for (k, header) in ADDED_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, result_col + k as u16, *header, &formats.header)?;
    }
    if let Some(height) = row_height(header_lines) {
        sheet.set_row_height(0, height)?;
    }
    sheet.insert_note(
        0,
        result_col + Added::TestedAt.offset(),
        &Note::new("Date and time in UTC.").add_author_prefix(false),
    )?;
    // One note on the header rather than one per automatic verdict: on a large plan a note per
    // cell made the export about 15% slower (each note is a drawing in the file).
    sheet.insert_note(
        0,
        result_col,
        &Note::new(AUTOMATIC_RESULT_NOTE).add_author_prefix(false),
    )?;
    Ok(())
}

/// The plan sheet's rows, after `write_plan_header`: Okta's cells, the results, the drop-down
/// and colours of the Result column, the frozen header and the filter.
pub(super) fn write_plan_rows(
    sheet: &mut Worksheet,
    plan: &Plan,
    session: &Session,
    formats: &Formats,
    evidence_links: &std::collections::BTreeMap<String, String>,
) -> Result<(), XlsxError> {
    let plan_cols = plan.columns.len() as u16;
    let result_col = plan_cols;
    let widths = column_widths(plan);

    let blank = CaseResult::default();
    for (i, case) in plan.cases.iter().enumerate() {
        let row = i as u32 + 1;
        let result = session.result(&case.id).unwrap_or(&blank);
        let mut lines = 1;
        // The height is set before the row's cells: in constant-memory mode a row is written
        // out as soon as the next one starts.
        let added_texts = [
            (Added::Notes, notes_cell(result)),
            (Added::TestedBy, tested_by_cell(result)),
            (Added::Evidence, evidence_cell(result)),
        ];
        for (c, value) in case.cells.iter().enumerate() {
            if let CellValue::Text(text) = value {
                lines = lines.max(wrapped_lines(text, widths[c]));
            }
        }
        for (added, text) in &added_texts {
            let width = widths[(result_col + added.offset()) as usize];
            lines = lines.max(wrapped_lines(text, width));
        }
        if let Some(height) = row_height(lines) {
            sheet.set_row_height(row, height)?;
        }

        for (c, value) in case.cells.iter().enumerate() {
            write_cell(sheet, row, c as u16, value)?;
        }
        if result.automatic {
            sheet.write_string_with_format(
                row,
                result_col,
                result.outcome.label(),
                &formats.automatic,
            )?;
        } else {
            sheet.write_string(row, result_col, result.outcome.label())?;
        }
        for (added, text) in added_texts {
            let col = result_col + added.offset();
            // The Evidence cell links to the case's block on the Evidence sheet.
            let link = (added == Added::Evidence)
                .then(|| evidence_links.get(&case.id))
                .flatten();
            match link {
                Some(link) if !text.is_empty() => {
                    let url = rust_xlsxwriter::Url::new(link.as_str());
                    sheet.write_url_with_text(row, col, url, fit_cell(&text))?;
                }
                _ if !text.is_empty() => {
                    sheet.write_string(row, col, fit_cell(&text))?;
                }
                _ => {}
            }
        }
        if let Some(at) = result
            .updated_at
            .and_then(|at| ExcelDateTime::from_timestamp(at.timestamp()).ok())
        {
            sheet.write_datetime(row, result_col + Added::TestedAt.offset(), &at)?;
        }
        if result.time_spent_secs > 0 {
            let days = time_spent_days(result.time_spent_secs);
            sheet.write_number(row, result_col + Added::TimeSpent.offset(), days)?;
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
    sheet.set_print_area(0, 0, last_row, last_col)?;
    Ok(())
}

/// Printing (or saving as PDF), the same for every sheet of the completed workbook: landscape,
/// one page wide, the first `header_rows` rows on every page, the grid printed in place of cell
/// borders, the sheet's name and page number in the footer.
pub(super) fn page_setup(sheet: &mut Worksheet, header_rows: u32) {
    sheet
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_gridlines(true)
        .set_footer("&L&A&RPage &P of &N");
    // Rows from 0 always exist, so this cannot fail.
    let _ = sheet.set_repeat_rows(0, header_rows.max(1) - 1);
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &CellValue,
) -> Result<(), XlsxError> {
    match value {
        CellValue::Empty => {}
        // write_string never makes a formula, whatever the text starts with.
        CellValue::Text(text) => {
            sheet.write_string(row, col, fit_cell(text))?;
        }
        CellValue::Number(n) => {
            sheet.write_number(row, col, *n)?;
        }
        CellValue::Bool(b) => {
            sheet.write_boolean(row, col, *b)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_wrapping_and_wide_characters() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("short", 10.0), 1);
        assert_eq!(wrapped_lines("a\nb\nc", 10.0), 3);
        // 27 columns in a 10-wide column (9 usable): 3 lines.
        assert_eq!(wrapped_lines(&"x".repeat(27), 10.0), 3);
        // Wide characters take two columns each.
        assert_eq!(wrapped_lines(&"日".repeat(9), 10.0), 2);
        // Tabs count four, control characters nothing, ASCII or not.
        assert_eq!(wrapped_lines("\t\t\u{1}x", 10.0), 1);
        assert_eq!(wrapped_lines("\t\t\t", 10.0), 2);
        assert_eq!(wrapped_lines("\t\t\té", 10.0), 2);
        assert_eq!(wrapped_lines("\t\t\u{7f}\u{1}é", 10.0), 1);
        assert_eq!(row_height(1), None);
        assert_eq!(row_height(3), Some(45.0));
        assert_eq!(row_height(10_000), Some(MAX_ROW_HEIGHT));
    }
}
