//! The completed workbook's format, in one place for its writer (`report::export`) and its
//! readers (`plan::load`, `session::import`): the six columns scimplan adds beside the plan
//! columns, how each cell encodes a result, and the Summary sheet's labels.
//!
//! It lives with the plan because the plan loader must recognise a completed workbook (its added
//! columns are results, not plan columns) and the plan is the lowest layer. Everything here is
//! in plain terms (text, numbers, dates) so no layer above is named.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::{CellValue, Column};

/// One of the columns scimplan adds to a completed workbook, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Result,
    Notes,
    TestedBy,
    TestedAt,
    TimeSpent,
    Evidence,
}

impl Added {
    pub const ALL: [Added; 6] = [
        Added::Result,
        Added::Notes,
        Added::TestedBy,
        Added::TestedAt,
        Added::TimeSpent,
        Added::Evidence,
    ];

    /// Columns after the first added column (Result is 0).
    pub fn offset(self) -> u16 {
        self as u16
    }

    pub fn header(self) -> &'static str {
        ADDED_HEADERS[self as usize]
    }
}

/// Headers of the columns scimplan adds to a completed workbook, in order. A header row that
/// holds them side by side is a completed workbook: those columns are results, not plan columns.
pub const ADDED_HEADERS: [&str; 6] = [
    "Result",
    "Notes",
    "Tested by",
    "Tested at",
    "Time spent",
    "Evidence",
];

/// Excel refuses longer cell text.
pub const EXCEL_CELL_LIMIT: usize = 32_767;
/// Appended to text cut at Excel's limit, so nobody mistakes it for the whole text.
pub const CUT_MARKER: &str =
    " [… cut at Excel's cell limit: the full text is in the scimplan session]";
/// "Tested by" of an automatic verdict ends with this.
pub const AUTOMATIC_SUFFIX: &str = " (automatic)";
/// "Tested by" of an automatic verdict when no tester was named.
pub const AUTOMATIC_TESTER: &str = "scimplan";
/// A line of the Notes cell holding the recorded reason of a Skipped or Blocked case.
pub const REASON_PREFIX: &str = "Reason: ";
/// Separates an evidence reference from its caption on an Evidence line.
pub const EVIDENCE_CAPTION_SEPARATOR: &str = " — ";
/// Number formats of the Tested at (UTC) and Time spent cells.
pub const TESTED_AT_FORMAT: &str = "yyyy-mm-dd hh:mm";
pub const TIME_SPENT_FORMAT: &str = "[h]:mm:ss";

/// The Summary sheet's name, and the one used when the plan sheet itself is called Summary.
pub const SUMMARY_SHEET: &str = "Summary";
pub const SUMMARY_SHEET_ALT: &str = "scimplan Summary";

/// Labels in column A of the Summary sheet, values in column B.
pub mod summary_label {
    pub const EXPORTED_AT: &str = "Exported at (UTC)";
    pub const APP: &str = "App";
    pub const TESTER: &str = "Tester";
    pub const SOURCE_WORKBOOK: &str = "Source workbook";
    pub const SHEET: &str = "Sheet";
    /// The SHA-256 of the plan workbook the results were recorded against (Okta's original,
    /// also when a completed workbook is exported again), so the plan is recognised on resume.
    pub const SOURCE_SHA256: &str = "Source SHA-256";
    pub const VERDICT: &str = "Verdict";
    /// A suite row: its name in column A, and the bare link in column D.
    pub const SPEC: &str = "SPEC";
    pub const CRUD: &str = "CRUD";
    pub const ENTITLEMENTS: &str = "Entitlements";
}

/// Headers of the capability table on the Summary sheet: rows below hold the capability's name,
/// its key, and "Yes" / "No".
pub const CAPABILITY_HEADERS: [&str; 4] = ["Capability", "Key", "Supported", "Cases"];
pub const SUPPORTED_YES: &str = "Yes";
pub const SUPPORTED_NO: &str = "No";
/// Column of a suite row holding the bare link.
pub const SUITE_LINK_COL: u16 = 3;

/// Cuts text to Excel's cell limit, with a visible marker.
pub fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    // Cheap first test: a string of at most the limit in bytes has at most that many chars.
    if text.len() <= EXCEL_CELL_LIMIT || text.chars().count() <= EXCEL_CELL_LIMIT {
        return text.into();
    }
    let keep = EXCEL_CELL_LIMIT - CUT_MARKER.chars().count();
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(CUT_MARKER);
    cut.into()
}

/// The text of the Notes cell: the note, then the reason of a Skipped or Blocked case.
pub fn notes_cell(note: &str, reason: Option<&str>) -> String {
    match (reason, note.is_empty()) {
        (Some(reason), true) => format!("{REASON_PREFIX}{reason}"),
        (Some(reason), false) => format!("{note}\n\n{REASON_PREFIX}{reason}"),
        (None, _) => note.to_string(),
    }
}

/// Splits a Notes cell into the note and the reason line scimplan appends.
pub fn split_notes(cell: &str) -> (String, Option<String>) {
    let text = cell.trim_end_matches(['\n', '\r']);
    if let Some(reason) = text.strip_prefix(REASON_PREFIX)
        && !reason.contains('\n')
    {
        return (String::new(), Some(reason.to_string()));
    }
    match text.rfind(&format!("\n\n{REASON_PREFIX}")) {
        Some(pos) if !text[pos + 2..].contains('\n') => (
            text[..pos].to_string(),
            Some(text[pos + 2 + REASON_PREFIX.len()..].to_string()),
        ),
        _ => (cell.to_string(), None),
    }
}

/// The Tested by cell: the tester, marked when the verdict was automatic.
pub fn tested_by_cell(tester: Option<&str>, automatic: bool) -> String {
    match (tester, automatic) {
        (Some(t), true) => format!("{t}{AUTOMATIC_SUFFIX}"),
        (None, true) => format!("{AUTOMATIC_TESTER}{AUTOMATIC_SUFFIX}"),
        (Some(t), false) => t.to_string(),
        (None, false) => String::new(),
    }
}

/// Reads a Tested by cell: the tester (if any) and whether the verdict was automatic.
pub fn parse_tested_by(cell: &str) -> (Option<String>, bool) {
    let tested_by = cell.trim();
    match tested_by.strip_suffix(AUTOMATIC_SUFFIX) {
        Some(AUTOMATIC_TESTER) => (None, true),
        Some(name) => (Some(name.trim().to_string()), true),
        None if tested_by.is_empty() => (None, false),
        None => (Some(tested_by.to_string()), false),
    }
}

/// One line of the Evidence cell.
pub fn evidence_line(reference: &str, caption: &str) -> String {
    if caption.is_empty() {
        reference.to_string()
    } else {
        format!("{reference}{EVIDENCE_CAPTION_SEPARATOR}{caption}")
    }
}

/// Reads an Evidence cell: (reference, caption) per non-empty line.
pub fn parse_evidence(cell: &str) -> Vec<(String, String)> {
    cell.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once(EVIDENCE_CAPTION_SEPARATOR) {
            Some((r, c)) => (r.trim().to_string(), c.trim().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect()
}

/// Excel's day 0 is 1899-12-30 (with the 1900 leap-year bug folded in): this is 1970-01-01.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;
const SECONDS_PER_DAY: f64 = 86_400.0;

/// An Excel serial date-time as UTC, kept to the millisecond.
pub fn serial_to_utc(serial: f64) -> Option<DateTime<Utc>> {
    if !serial.is_finite() || serial <= 0.0 {
        return None;
    }
    let millis = ((serial - UNIX_EPOCH_SERIAL) * SECONDS_PER_DAY * 1_000.0).round();
    // Far outside any date chrono holds: not a date scimplan wrote.
    if millis.abs() > 1e16 {
        return None;
    }
    Utc.timestamp_millis_opt(millis as i64).single()
}

/// The Exported at cell's value: a serial date-time to the millisecond, so importing the
/// workbook later tells a result changed after the export from one it holds.
pub fn exported_at_serial(now: DateTime<Utc>) -> f64 {
    UNIX_EPOCH_SERIAL + now.timestamp_millis() as f64 / (SECONDS_PER_DAY * 1_000.0)
}

/// Reads a Tested at cell: an Excel serial date-time (UTC), or text as RFC 3339 or
/// `YYYY-MM-DD HH:MM[:SS]`.
pub fn tested_at_from_cell(cell: &CellValue) -> Option<DateTime<Utc>> {
    match cell {
        CellValue::Number(serial) => serial_to_utc(*serial),
        CellValue::Text(text) => {
            let text = text.trim();
            DateTime::parse_from_rfc3339(text)
                .map(|d| d.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
                        .iter()
                        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                        .map(|n| n.and_utc())
                })
        }
        _ => None,
    }
}

/// The Time spent cell's value: a fraction of a day, as Excel keeps durations.
pub fn time_spent_days(secs: u64) -> f64 {
    secs as f64 / SECONDS_PER_DAY
}

/// Reads a Time spent cell: a fraction of a day (Excel), an ISO 8601 duration such as
/// `PT1H2M5S` (OpenDocument), or `h:mm:ss` typed as text.
pub fn time_spent_from_cell(cell: &CellValue) -> u64 {
    match cell {
        // `as` saturates: a huge number cannot wrap around.
        CellValue::Number(days) if *days > 0.0 => (days * SECONDS_PER_DAY).round() as u64,
        CellValue::Text(text) => {
            let text = text.trim();
            if let Some(rest) = text.strip_prefix("PT") {
                let mut secs = 0.0;
                let mut number = String::new();
                for c in rest.chars() {
                    match c {
                        'H' | 'M' | 'S' => {
                            let n: f64 = number.parse().unwrap_or(0.0);
                            secs += n * match c {
                                'H' => 3_600.0,
                                'M' => 60.0,
                                _ => 1.0,
                            };
                            number.clear();
                        }
                        c => number.push(c),
                    }
                }
                if secs.is_finite() && secs > 0.0 {
                    secs.round() as u64
                } else {
                    0
                }
            } else {
                text.split(':')
                    .map(|p| p.trim().parse::<u64>().ok())
                    .collect::<Option<Vec<u64>>>()
                    .filter(|parts| (2..=3).contains(&parts.len()))
                    .and_then(|parts| {
                        parts
                            .iter()
                            .try_fold(0u64, |acc, p| acc.checked_mul(60)?.checked_add(*p))
                    })
                    .unwrap_or(0)
            }
        }
        _ => 0,
    }
}

/// The results scimplan wrote into a completed workbook, as found in its added columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordedResults {
    /// Zero-based sheet column of the first added column (Result).
    pub first_col: u32,
    /// One entry per case row, in plan order.
    pub rows: Vec<RecordedRow>,
    /// What the Summary sheet says, when the workbook has one.
    pub summary: Option<SummaryFacts>,
}

/// The added cells of one case row.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRow {
    pub case: String,
    /// One-based row number in the sheet.
    pub row: u32,
    pub result: CellValue,
    pub notes: CellValue,
    pub tested_by: CellValue,
    /// An Excel date-time serial number when written by scimplan (or text typed by hand).
    pub tested_at: CellValue,
    /// A fraction of a day (Excel duration) when written by scimplan.
    pub time_spent: CellValue,
    pub evidence: CellValue,
}

impl RecordedRow {
    /// A row from its six added cells, in `Added` order.
    pub fn new(case: String, row: u32, mut cells: impl FnMut(Added) -> CellValue) -> RecordedRow {
        RecordedRow {
            case,
            row,
            result: cells(Added::Result),
            notes: cells(Added::Notes),
            tested_by: cells(Added::TestedBy),
            tested_at: cells(Added::TestedAt),
            time_spent: cells(Added::TimeSpent),
            evidence: cells(Added::Evidence),
        }
    }
}

/// What the Summary sheet of a completed workbook says beyond the case results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SummaryFacts {
    pub app: Option<String>,
    pub tester: Option<String>,
    /// The SHA-256 of the plan the results were recorded against (lowercase hex), when it is one.
    pub source_sha256: Option<String>,
    /// Capability key and whether it is declared supported.
    pub capabilities: Vec<(String, bool)>,
    pub spec_link: Option<String>,
    pub crud_link: Option<String>,
    pub entitlements_link: Option<String>,
    /// When scimplan wrote the workbook.
    pub exported_at: Option<DateTime<Utc>>,
}

/// Whether a sheet of that name is the Summary sheet scimplan writes.
pub fn is_summary_sheet(name: &str) -> bool {
    name == SUMMARY_SHEET || name == SUMMARY_SHEET_ALT
}

/// Reads the Summary sheet from its rows of cells (only text cells count).
pub fn read_summary<'a>(rows: impl IntoIterator<Item = &'a [CellValue]>) -> SummaryFacts {
    let cell = |row: &[CellValue], col: usize| match row.get(col) {
        Some(CellValue::Text(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    let link_col = SUITE_LINK_COL as usize;
    let mut facts = SummaryFacts::default();
    let mut in_capabilities = false;
    for row in rows {
        let label = cell(row, 0);
        if in_capabilities {
            match cell(row, 2).as_str() {
                SUPPORTED_YES => facts.capabilities.push((cell(row, 1), true)),
                SUPPORTED_NO => facts.capabilities.push((cell(row, 1), false)),
                _ => in_capabilities = false,
            }
            continue;
        }
        if label.starts_with(summary_label::EXPORTED_AT) {
            facts.exported_at = row.get(1).and_then(tested_at_from_cell);
            continue;
        }
        let value = Some(cell(row, 1)).filter(|v| !v.is_empty());
        match label.as_str() {
            summary_label::APP => facts.app = value,
            summary_label::TESTER => facts.tester = value,
            summary_label::SOURCE_SHA256 => {
                facts.source_sha256 = value
                    .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
                    .map(|v| v.to_ascii_lowercase())
            }
            l if l == CAPABILITY_HEADERS[0] && cell(row, 1) == CAPABILITY_HEADERS[1] => {
                in_capabilities = true
            }
            summary_label::SPEC => {
                facts.spec_link = Some(cell(row, link_col)).filter(|v| !v.is_empty())
            }
            summary_label::CRUD => {
                facts.crud_link = Some(cell(row, link_col)).filter(|v| !v.is_empty())
            }
            summary_label::ENTITLEMENTS => {
                facts.entitlements_link = Some(cell(row, link_col)).filter(|v| !v.is_empty())
            }
            _ => {}
        }
    }
    facts
}

/// Removes scimplan's added columns (six adjacent columns with exactly `ADDED_HEADERS`) from a
/// header and returns the sheet column of the first one.
pub fn take_added_columns(columns: &mut Vec<Column>) -> Option<u32> {
    let n = ADDED_HEADERS.len();
    let start = (0..=columns.len().checked_sub(n)?).find(|&i| {
        columns[i..i + n]
            .iter()
            .zip(ADDED_HEADERS)
            .enumerate()
            .all(|(k, (c, h))| {
                c.header.trim() == h && c.sheet_col == columns[i].sheet_col + k as u32
            })
    })?;
    let first = columns[start].sheet_col;
    columns.drain(start..start + n);
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_line_is_split_from_the_note() {
        assert_eq!(
            split_notes("Reason: no SSO"),
            (String::new(), Some("no SSO".into()))
        );
        assert_eq!(
            split_notes("line 1\nline 2\n\nReason: env down"),
            ("line 1\nline 2".into(), Some("env down".into()))
        );
        assert_eq!(split_notes("=SUM(A1)"), ("=SUM(A1)".into(), None));
        assert_eq!(
            split_notes("ends with a space "),
            ("ends with a space ".into(), None)
        );
        for (note, reason) in [("", Some("r")), ("a\nb", Some("x y")), ("n", None)] {
            let (n, r) = split_notes(&notes_cell(note, reason));
            assert_eq!((n.as_str(), r.as_deref()), (note, reason));
        }
    }

    #[test]
    fn tested_by_round_trips() {
        for (tester, automatic) in [(None, false), (None, true), (Some("Zoë"), true)] {
            let cell = tested_by_cell(tester, automatic);
            assert_eq!(
                parse_tested_by(&cell),
                (tester.map(String::from), automatic)
            );
        }
        assert_eq!(parse_tested_by(" Ann "), (Some("Ann".into()), false));
    }

    #[test]
    fn evidence_lines_round_trip() {
        let cell = [
            evidence_line("/tmp/a.png", "the user"),
            evidence_line("https://x.test", ""),
        ]
        .join("\n");
        assert_eq!(
            parse_evidence(&cell),
            [
                ("/tmp/a.png".to_string(), "the user".to_string()),
                ("https://x.test".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn excel_serial_dates_are_utc() {
        let at = tested_at_from_cell(&CellValue::Number(45_000.5)).unwrap();
        assert_eq!(at.to_rfc3339(), "2023-03-15T12:00:00+00:00");
        let typed = tested_at_from_cell(&CellValue::Text("2024-02-01 09:30".into())).unwrap();
        assert_eq!(typed.to_rfc3339(), "2024-02-01T09:30:00+00:00");
        assert_eq!(
            tested_at_from_cell(&CellValue::Text("yesterday".into())),
            None
        );
        assert_eq!(tested_at_from_cell(&CellValue::Number(f64::MAX)), None);
        assert_eq!(tested_at_from_cell(&CellValue::Number(f64::NAN)), None);
    }

    #[test]
    fn durations_are_fractions_of_a_day() {
        assert_eq!(
            time_spent_from_cell(&CellValue::Number(time_spent_days(90))),
            90
        );
        assert_eq!(time_spent_from_cell(&CellValue::Empty), 0);
        assert_eq!(
            time_spent_from_cell(&CellValue::Text("PT1H2M5S".into())),
            3_725
        );
        assert_eq!(
            time_spent_from_cell(&CellValue::Text("1:02:05".into())),
            3_725
        );
        assert_eq!(time_spent_from_cell(&CellValue::Text("soon".into())), 0);
        let huge = format!("{}:00:00", u64::MAX);
        assert_eq!(time_spent_from_cell(&CellValue::Text(huge)), 0);
    }

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let long = "é".repeat(EXCEL_CELL_LIMIT + 10);
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), EXCEL_CELL_LIMIT);
        assert!(cut.ends_with(CUT_MARKER));
        assert_eq!(fit_cell("short"), "short");
        // Many bytes but few characters: kept whole.
        let wide = "é".repeat(EXCEL_CELL_LIMIT);
        assert_eq!(fit_cell(&wide), wide.as_str());
    }

    #[test]
    fn the_added_columns_are_in_header_order() {
        for (k, added) in Added::ALL.iter().enumerate() {
            assert_eq!(added.offset() as usize, k);
            assert_eq!(added.header(), ADDED_HEADERS[k]);
        }
    }
}
