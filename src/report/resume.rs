//! Continuing from a completed workbook: the results in its added columns (Result, Notes,
//! Tested by, Tested at, Time spent, Evidence) become the session's, including results someone
//! changed by hand in Excel. Words that are not an outcome are reported with their row.

use chrono::{DateTime, Utc};

use crate::plan::completed::{
    CUT_MARKER, parse_evidence, parse_tested_by, split_notes, tested_at_from_cell,
    time_spent_from_cell,
};
use crate::plan::profile::Requirements;
use crate::plan::{Plan, RecordedRow};
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

/// Continues from a completed workbook: its results, capability declarations, suite links,
/// app and tester go into the session. Call when the session is new, or when the tester asks
/// (`--import-results`). Returns `None` when the workbook is not a completed one.
pub fn resume_from_workbook(
    plan: &Plan,
    reqs: &Requirements,
    session: &mut Session,
) -> Option<ImportReport> {
    // The loader read the Summary sheet with the plan sheet.
    let facts = plan.recorded.as_ref()?.summary.clone().unwrap_or_default();
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
            .map(|e| (e.name(), e.caption.clone()))
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
    let (newer, workbook_time) = match (exported_at, tested_at_from_cell(&row.tested_at)) {
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

fn result_from_row(row: &RecordedRow, outcome: Outcome, previous: &CaseResult) -> CaseResult {
    let (note, reason) = split_notes(&row.notes.as_text());
    // A note cut at Excel's limit keeps the full text the session still has.
    let note = match note.strip_suffix(CUT_MARKER) {
        Some(prefix) if previous.note.starts_with(prefix) => previous.note.clone(),
        _ => note,
    };
    let (tester, automatic) = parse_tested_by(&row.tested_by.as_text());
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
        updated_at: tested_at_from_cell(&row.tested_at),
        steps_checked: previous.steps_checked.clone(),
        evidence: evidence(&row.evidence.as_text(), previous),
        time_spent_secs: time_spent_from_cell(&row.time_spent),
        automatic: automatic && !changed_by_hand,
        skipped_for: None,
        before_skip: None,
    }
}

/// Evidence lines (`name — caption`: a file by its name, a link as it is); entries the session
/// already has are kept whole (their original path, copy and date).
fn evidence(text: &str, previous: &CaseResult) -> Vec<Evidence> {
    parse_evidence(text)
        .into_iter()
        .map(|(reference, caption)| {
            previous
                .evidence
                .iter()
                .find(|e| {
                    (e.name() == reference || e.reference == reference) && e.caption == caption
                })
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
    use crate::plan::CellValue;

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
}
