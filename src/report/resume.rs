//! Continuing from a completed workbook: the results in its added columns (Result, Notes,
//! Tested by, Tested at, Time spent, Evidence) become the session's, including results someone
//! changed by hand in Excel. Words that are not an outcome are reported with their row.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::export::{AUTOMATIC_SUFFIX, CUT_MARKER, REASON_PREFIX, SUMMARY_SHEET};
use crate::plan::profile::Requirements;
use crate::plan::{CellValue, Plan, RecordedRow};
use crate::session::{CaseResult, Evidence, Outcome, Session, SuiteKind};

/// A Result cell scimplan could not read as an outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownResult {
    pub case: String,
    /// One-based row in the plan sheet.
    pub row: u32,
    /// Column letter of the Result column.
    pub column: String,
    pub word: String,
}

impl std::fmt::Display for UnknownResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column {} ({}): '{}' is not an outcome; the case was left as it was. Use one of: Not run, Pass, Fail, Blocked, Skipped (or ✓ / ✗, or leave the cell empty).",
            self.row, self.column, self.case, self.word
        )
    }
}

/// A case whose result the session changed after the workbook was exported: the workbook
/// cannot know that change, so the session's (newer) result is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportConflict {
    pub case: String,
    /// One-based row in the plan sheet.
    pub row: u32,
    pub session: Outcome,
    pub session_changed: DateTime<Utc>,
    pub workbook: Outcome,
    /// When the workbook was exported (or, without a Summary sheet, its Tested at).
    pub workbook_time: DateTime<Utc>,
}

impl std::fmt::Display for ImportConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        write!(
            f,
            "row {} ({}): the session's result ({}, changed {}) is newer than the workbook's ({}, as of {}); kept the session's.",
            self.row,
            self.case,
            self.session,
            at(&self.session_changed),
            self.workbook,
            at(&self.workbook_time)
        )
    }
}

/// What importing a completed workbook's results did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    /// Cases whose result was taken from the workbook.
    pub imported: usize,
    pub unknown: Vec<UnknownResult>,
    /// Cases the session changed after the export: the session's result was kept.
    pub conflicts: Vec<ImportConflict>,
    /// Capability declarations taken from the Summary sheet.
    pub capabilities: usize,
}

/// What the Summary sheet of a completed workbook says beyond the case results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SummaryFacts {
    pub app: Option<String>,
    pub tester: Option<String>,
    /// Capability key and whether it is declared supported.
    pub capabilities: Vec<(String, bool)>,
    pub spec_link: Option<String>,
    pub crud_link: Option<String>,
    /// When scimplan wrote the workbook.
    pub exported_at: Option<DateTime<Utc>>,
}

/// Reads the Summary sheet scimplan writes; `None` when the workbook has none or it cannot be read.
pub fn read_summary(path: &Path) -> Option<SummaryFacts> {
    let mut book = open_workbook_auto(path).ok()?;
    let name = book
        .sheet_names()
        .into_iter()
        .find(|n| n == SUMMARY_SHEET || n == "scimplan Summary")?;
    let range = book.worksheet_range(&name).ok()?;
    let text = |d: &Data| match d {
        Data::String(s) => s.trim().to_string(),
        _ => String::new(),
    };
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    let cell = |row: &[String], col: usize| row.get(col).cloned().unwrap_or_default();
    let mut facts = SummaryFacts {
        exported_at: range
            .rows()
            .find(|r| {
                r.first()
                    .is_some_and(|c| text(c).starts_with("Exported at"))
            })
            .and_then(|r| r.get(1))
            .and_then(excel_date_time),
        ..SummaryFacts::default()
    };
    let mut in_capabilities = false;
    for row in &rows {
        let label = cell(row, 0);
        if in_capabilities {
            match cell(row, 2).as_str() {
                "Yes" => facts.capabilities.push((cell(row, 1), true)),
                "No" => facts.capabilities.push((cell(row, 1), false)),
                _ => in_capabilities = false,
            }
            continue;
        }
        let value = Some(cell(row, 1)).filter(|v| !v.is_empty());
        match label.as_str() {
            "App" => facts.app = value,
            "Tester" => facts.tester = value,
            "Capability" if cell(row, 1) == "Key" => in_capabilities = true,
            "SPEC" => facts.spec_link = Some(cell(row, 3)).filter(|v| !v.is_empty()),
            "CRUD" => facts.crud_link = Some(cell(row, 3)).filter(|v| !v.is_empty()),
            _ => {}
        }
    }
    Some(facts)
}

/// Continues from a completed workbook: its results, capability declarations, suite links,
/// app and tester go into the session. Call when the session is new, or when the tester asks
/// (`--import-results`). Returns `None` when the workbook is not a completed one.
pub fn resume_from_workbook(
    plan: &Plan,
    reqs: &Requirements,
    session: &mut Session,
) -> Option<ImportReport> {
    plan.recorded.as_ref()?;
    let facts = read_summary(&plan.source).unwrap_or_default();
    let declared: Vec<(String, bool)> = facts
        .capabilities
        .iter()
        .filter(|(key, _)| reqs.capability(key).is_some())
        .cloned()
        .collect();
    if !declared.is_empty() {
        session.capabilities_confirmed = true;
    }
    if session.app_name.is_none() {
        session.app_name = facts.app;
    }
    if session.tester.is_none() {
        session.tester = facts.tester;
    }
    for (kind, link) in [
        (SuiteKind::Spec, facts.spec_link),
        (SuiteKind::Crud, facts.crud_link),
    ] {
        if let Some(link) = link {
            match kind {
                SuiteKind::Spec => session.suites.spec = Some(link),
                SuiteKind::Crud => session.suites.crud = Some(link),
            }
        }
    }
    let mut report = ImportReport {
        capabilities: declared.len(),
        ..ImportReport::default()
    };
    let ids: Vec<&str> = plan.cases.iter().map(|c| c.id.as_str()).collect();
    let description = format!("results imported from {}", plan.file_name());
    // One undoable step: results, notes and capability declarations together.
    session.record(description, &ids, true, |session| {
        for (key, supported) in &declared {
            session.capabilities.insert(key.clone(), *supported);
        }
        report = ImportReport {
            capabilities: declared.len(),
            ..import_recorded(plan, session, facts.exported_at)
        };
        // A case Skipped for an unsupported capability starts from Not run, so declaring the
        // capability supported later brings it back as to do, not as a Skipped blocker.
        for (index, case) in plan.cases.iter().enumerate() {
            if !session.applies(reqs, index)
                && let Some(result) = session.results.get_mut(&case.id)
                && result.outcome == Outcome::Skipped
                && result.skipped_for.is_none()
            {
                result.outcome = Outcome::NotRun;
                result.reason = None;
            }
        }
        // Cases of unsupported capabilities are marked Skipped (their reason kept) as usual.
        session.apply_capabilities(plan, reqs);
    });
    Some(report)
}

/// True when the plan was read from a completed workbook holding scimplan's added columns.
pub fn has_recorded_results(plan: &Plan) -> bool {
    plan.recorded.is_some()
}

/// Copies the results of a completed workbook into the session. Rows whose result equals the
/// session's change nothing; a result the session changed after `exported_at` (or, without it,
/// after the row's Tested at) is kept and reported as a conflict: the workbook cannot hold a
/// change made after it was written.
pub fn import_recorded(
    plan: &Plan,
    session: &mut Session,
    exported_at: Option<DateTime<Utc>>,
) -> ImportReport {
    let mut report = ImportReport::default();
    let Some(recorded) = &plan.recorded else {
        return report;
    };
    let column = crate::plan::column_letter(recorded.first_col);
    for row in &recorded.rows {
        let word = row.result.as_text();
        let Some(outcome) = Outcome::from_cell(&word) else {
            report.unknown.push(UnknownResult {
                case: row.case.clone(),
                row: row.row,
                column: column.clone(),
                word: word.trim().to_string(),
            });
            continue;
        };
        let previous = session.results.get(&row.case).cloned().unwrap_or_default();
        let result = result_from_row(row, outcome, &previous);
        if same_content(&result, &previous) {
            continue;
        }
        if let Some(conflict) = newer_in_session(row, &previous, outcome, exported_at) {
            report.conflicts.push(conflict);
            continue;
        }
        if result.is_blank() && result.reason.is_none() {
            session.results.remove(&row.case);
        } else {
            session.results.insert(row.case.clone(), result);
        }
        report.imported += 1;
    }
    report
}

/// What the workbook carries of a result is the same in both.
fn same_content(a: &CaseResult, b: &CaseResult) -> bool {
    let evidence = |r: &CaseResult| -> Vec<(String, String)> {
        r.evidence
            .iter()
            .map(|e| (e.reference.clone(), e.caption.clone()))
            .collect()
    };
    a.outcome == b.outcome
        && a.note == b.note
        && a.reason == b.reason
        && a.tester == b.tester
        && a.time_spent_secs == b.time_spent_secs
        && evidence(a) == evidence(b)
}

/// The session's result is newer than the workbook when it changed after the export (to the
/// millisecond scimplan writes), or, for a workbook without that time, after the row's Tested at
/// (whole seconds, as the cell holds them).
fn newer_in_session(
    row: &RecordedRow,
    previous: &CaseResult,
    outcome: Outcome,
    exported_at: Option<DateTime<Utc>>,
) -> Option<ImportConflict> {
    let changed = previous.updated_at.filter(|_| !previous.is_blank())?;
    let (newer, workbook_time) = match (exported_at, date_time(&row.tested_at)) {
        (Some(exported), _) => (changed > exported, exported),
        (None, Some(tested)) => (changed.timestamp() > tested.timestamp(), tested),
        (None, None) => return None,
    };
    newer.then(|| ImportConflict {
        case: row.case.clone(),
        row: row.row,
        session: previous.outcome,
        session_changed: changed,
        workbook: outcome,
        workbook_time,
    })
}

/// An Excel date-time cell (or a number holding its serial) as UTC.
fn excel_date_time(cell: &Data) -> Option<DateTime<Utc>> {
    let serial = match cell {
        Data::DateTime(dt) => dt.as_f64(),
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        Data::String(s) => return date_time(&CellValue::Text(s.clone())),
        _ => return None,
    };
    serial_to_utc(serial)
}

/// Excel's day 0 is 1899-12-30 (with the 1900 leap-year bug folded in); kept to the millisecond.
fn serial_to_utc(serial: f64) -> Option<DateTime<Utc>> {
    if serial <= 0.0 {
        return None;
    }
    let millis = ((serial - 25_569.0) * 86_400_000.0).round() as i64;
    Utc.timestamp_millis_opt(millis).single()
}

fn result_from_row(row: &RecordedRow, outcome: Outcome, previous: &CaseResult) -> CaseResult {
    let (note, reason) = split_notes(&row.notes.as_text());
    // A note cut at Excel's limit keeps the full text the session still has.
    let note = match note.strip_suffix(CUT_MARKER) {
        Some(prefix) if previous.note.starts_with(prefix) => previous.note.clone(),
        _ => note,
    };
    let tested_by = row.tested_by.as_text().trim().to_string();
    let (tester, automatic) = match tested_by.strip_suffix(AUTOMATIC_SUFFIX) {
        Some("scimplan") => (None, true),
        Some(name) => (Some(name.trim().to_string()), true),
        None if tested_by.is_empty() => (None, false),
        None => (Some(tested_by), false),
    };
    let reason = match outcome {
        Outcome::Skipped | Outcome::Blocked => reason,
        _ => None,
    };
    // With a session to compare to, a result changed in the workbook is a person's verdict.
    let changed_by_hand = !previous.is_blank() && outcome != previous.outcome;
    CaseResult {
        outcome,
        note,
        reason,
        tester,
        updated_at: date_time(&row.tested_at),
        steps_checked: previous.steps_checked.clone(),
        evidence: evidence(&row.evidence.as_text(), previous),
        time_spent_secs: duration_secs(&row.time_spent),
        automatic: automatic && !changed_by_hand,
        skipped_for: None,
        before_skip: None,
    }
}

/// Splits a Notes cell into the note and the reason line scimplan appends.
fn split_notes(cell: &str) -> (String, Option<String>) {
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

/// Reads a Tested at cell: an Excel serial date-time (UTC), or text as RFC 3339 or
/// `YYYY-MM-DD HH:MM[:SS]`.
fn date_time(cell: &CellValue) -> Option<DateTime<Utc>> {
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

/// Reads a Time spent cell: a fraction of a day (Excel), an ISO 8601 duration such as
/// `PT1H2M5S` (OpenDocument), or `h:mm:ss` typed as text.
fn duration_secs(cell: &CellValue) -> u64 {
    match cell {
        CellValue::Number(days) if *days > 0.0 => (days * 86_400.0).round() as u64,
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
                secs.round() as u64
            } else {
                text.split(':')
                    .map(|p| p.trim().parse::<u64>().ok())
                    .collect::<Option<Vec<u64>>>()
                    .filter(|parts| (2..=3).contains(&parts.len()))
                    .map(|parts| parts.iter().fold(0, |acc, p| acc * 60 + p))
                    .unwrap_or(0)
            }
        }
        _ => 0,
    }
}

/// Evidence lines (`reference — caption`); entries the session already has keep their date.
fn evidence(text: &str, previous: &CaseResult) -> Vec<Evidence> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (reference, caption) = match line.split_once(" — ") {
                Some((r, c)) => (r.trim().to_string(), c.trim().to_string()),
                None => (line.to_string(), String::new()),
            };
            previous
                .evidence
                .iter()
                .find(|e| e.reference == reference && e.caption == caption)
                .cloned()
                .unwrap_or(Evidence {
                    added_at: Utc::now(),
                    reference,
                    caption,
                    file: None,
                })
        })
        .collect()
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
    }

    #[test]
    fn a_session_result_changed_after_the_workbook_is_newer() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let serial = |t: DateTime<Utc>| 25_569.0 + t.timestamp_millis() as f64 / 86_400_000.0;
        let row = |tested: DateTime<Utc>| RecordedRow {
            case: "C1".into(),
            row: 2,
            result: CellValue::Text("Pass".into()),
            notes: CellValue::Empty,
            tested_by: CellValue::Empty,
            tested_at: CellValue::Number(serial(tested)),
            time_spent: CellValue::Empty,
            evidence: CellValue::Empty,
        };
        let session = |changed: DateTime<Utc>| CaseResult {
            outcome: Outcome::Fail,
            updated_at: Some(changed),
            ..CaseResult::default()
        };
        // Whole seconds, as the export writes Tested at.
        let tested = at("2026-03-04T10:00:00Z");
        // Without an export time, the row's Tested at decides, to the second.
        let same_second = session(at("2026-03-04T10:00:00.900Z"));
        assert_eq!(
            newer_in_session(&row(tested), &same_second, Outcome::Pass, None),
            None
        );
        let later = session(at("2026-03-04T10:00:01.000Z"));
        let conflict = newer_in_session(&row(tested), &later, Outcome::Pass, None).unwrap();
        assert_eq!(
            (conflict.session, conflict.workbook),
            (Outcome::Fail, Outcome::Pass)
        );
        // The export time, to the millisecond, wins over Tested at.
        let exported = at("2026-03-04T10:00:00.950Z");
        assert_eq!(
            newer_in_session(&row(tested), &same_second, Outcome::Pass, Some(exported)),
            None
        );
        let just_after = session(at("2026-03-04T10:00:00.951Z"));
        assert!(
            newer_in_session(&row(tested), &just_after, Outcome::Pass, Some(exported)).is_some()
        );
        // A blank result has nothing to lose.
        assert_eq!(
            newer_in_session(&row(tested), &CaseResult::default(), Outcome::Pass, None),
            None
        );
    }

    #[test]
    fn excel_serial_dates_are_utc() {
        let at = date_time(&CellValue::Number(45_000.5)).unwrap();
        assert_eq!(at.to_rfc3339(), "2023-03-15T12:00:00+00:00");
        let typed = date_time(&CellValue::Text("2024-02-01 09:30".into())).unwrap();
        assert_eq!(typed.to_rfc3339(), "2024-02-01T09:30:00+00:00");
        assert_eq!(date_time(&CellValue::Text("yesterday".into())), None);
    }

    #[test]
    fn durations_are_fractions_of_a_day() {
        assert_eq!(duration_secs(&CellValue::Number(90.0 / 86_400.0)), 90);
        assert_eq!(duration_secs(&CellValue::Empty), 0);
        assert_eq!(duration_secs(&CellValue::Text("PT1H2M5S".into())), 3_725);
        assert_eq!(duration_secs(&CellValue::Text("1:02:05".into())), 3_725);
        assert_eq!(duration_secs(&CellValue::Text("soon".into())), 0);
    }
}
