//! Continuing from a completed workbook: the results in its added columns (Result, Notes,
//! Tested by, Tested at, Time spent, Evidence) become the session's, including results someone
//! changed by hand in Excel. Words that are not an outcome are reported with their row.

use chrono::Utc;

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
            "row {}, column {} ({}): '{}' is not an outcome; the case was left as it was. Use one of: Not run, Pass, Fail, Blocked, Skipped.",
            self.row, self.column, self.case, self.word
        )
    }
}

/// What importing a completed workbook's results did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    /// Cases whose result was taken from the workbook.
    pub imported: usize,
    pub unknown: Vec<UnknownResult>,
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
    let facts = plan.recorded.as_ref()?.summary.clone().unwrap_or_default();
    let mut capabilities = 0;
    for (key, supported) in &facts.capabilities {
        if reqs.capability(key).is_some() {
            session.capabilities.insert(key.clone(), *supported);
            capabilities += 1;
        }
    }
    if capabilities > 0 {
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
    let mut report = import_recorded(plan, session);
    report.capabilities = capabilities;
    // A case Skipped for an unsupported capability starts from Not run, so declaring the
    // capability supported later brings it back as to do, not as a Skipped blocker.
    for (index, case) in plan.cases.iter().enumerate() {
        if !session.applies(reqs, index)
            && let Some(result) = session.results.get_mut(&case.id)
            && result.outcome == Outcome::Skipped
        {
            result.outcome = Outcome::NotRun;
            result.reason = None;
        }
    }
    // Cases of unsupported capabilities are marked Skipped (their reason kept) as usual.
    session.apply_capabilities(plan, reqs);
    Some(report)
}

/// True when the plan was read from a completed workbook holding scimplan's added columns.
pub fn has_recorded_results(plan: &Plan) -> bool {
    plan.recorded.is_some()
}

/// Copies the results of a completed workbook into the session, replacing the results of the
/// cases it lists (rows with nothing recorded leave the session's result alone). Not undoable:
/// it is the session's starting point.
pub fn import_recorded(plan: &Plan, session: &mut Session) -> ImportReport {
    let mut report = ImportReport::default();
    let Some(recorded) = &plan.recorded else {
        return report;
    };
    let column = crate::plan::column_letter(recorded.first_col);
    for row in &recorded.rows {
        let word = row.result.as_text();
        let Some(outcome) = Outcome::parse(&word) else {
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
        if result.is_blank() && result.reason.is_none() {
            if previous.is_blank() {
                continue;
            }
            session.results.remove(&row.case);
        } else {
            session.results.insert(row.case.clone(), result);
        }
        report.imported += 1;
    }
    report
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

/// Evidence lines (`reference — caption`); entries the session already has keep their date.
fn evidence(text: &str, previous: &CaseResult) -> Vec<Evidence> {
    parse_evidence(text)
        .into_iter()
        .map(|(reference, caption)| {
            previous
                .evidence
                .iter()
                .find(|e| e.reference == reference && e.caption == caption)
                .cloned()
                .unwrap_or(Evidence {
                    added_at: Utc::now(),
                    reference,
                    caption,
                })
        })
        .collect()
}
