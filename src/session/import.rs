//! Taking in a completed workbook: the results in its added columns (Result, Notes, Tested by,
//! Tested at, Time spent, Evidence), including results someone changed by hand in Excel, its
//! capability declarations and suite links, and the evidence its Evidence sheet carries: one
//! command (`Command::Import`), undone whole. Words that are not an outcome are reported with
//! their row; a result the session changed after the workbook was written is kept.

use chrono::{DateTime, Utc};

use super::command::{Effect, Scope};
use super::history::Touches;
use super::model::{CaseResult, Evidence, Outcome, Session};
use super::writer::Writer;
use crate::plan::completed::{
    CUT_MARKER, RecordedResults, SummaryFacts, parse_evidence, parse_tested_by, split_notes,
    tested_at_from_cell, time_spent_from_cell,
};
use crate::plan::{Plan, RecordedRow};

/// What a completed workbook holds beyond the plan, as the loader read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The workbook's file name (for the history and messages).
    pub source: String,
    pub facts: SummaryFacts,
    pub recorded: RecordedResults,
    /// The entries of its Evidence sheet by case (pictures already written into the evidence
    /// folder), or `None` when it has no Evidence sheet.
    pub evidence: Option<Vec<(String, Vec<Evidence>)>>,
}

impl Import {
    /// The results `plan` was read with, when it is a completed workbook.
    pub fn from_plan(
        plan: &Plan,
        evidence: Option<Vec<(String, Vec<Evidence>)>>,
    ) -> Option<Import> {
        let recorded = plan.recorded.clone()?;
        Some(Import {
            source: plan.file_name(),
            facts: recorded.summary.clone().unwrap_or_default(),
            recorded,
            evidence,
        })
    }
}

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
    /// Evidence entries taken from the Evidence sheet.
    pub evidence: usize,
    /// Cases of the workbook the session's plan does not have: left out.
    pub not_in_plan: Vec<String>,
}

/// Copies the results of a completed workbook into the session. Rows whose result equals the
/// session's change nothing; a result the session changed after `exported_at` (or, without it,
/// after the row's Tested at) is kept and reported as a conflict: the workbook cannot hold a
/// change made after it was written.
fn import_recorded(
    session: &mut Session,
    plan: &Plan,
    recorded: &RecordedResults,
    exported_at: Option<DateTime<Utc>>,
) -> ImportReport {
    let mut report = ImportReport::default();
    let column = crate::plan::column_letter(recorded.first_col);
    for row in &recorded.rows {
        // A colleague's workbook of another version of the plan: its cases are matched by ID.
        if !plan.contains(&row.case) {
            report.not_in_plan.push(row.case.clone());
            continue;
        }
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
        if result.is_empty() {
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
    let cell = row.notes.as_text();
    let (note, reason) = split_notes(&cell);
    // A note cut at Excel's limit keeps the full text the session still has.
    let note = match note.strip_suffix(CUT_MARKER) {
        Some(prefix) if previous.note.starts_with(prefix) => previous.note.clone(),
        _ => note,
    };
    let (tester, automatic) = parse_tested_by(&row.tested_by.as_text());
    // A reason only Skipped and Blocked carry; with the Result cleared or changed, the reason
    // still written in the Notes stays there, as part of the note.
    let (note, reason) = match outcome {
        Outcome::Skipped | Outcome::Blocked => (note, reason),
        _ if reason.is_some() => (cell.trim_end_matches(['\n', '\r']).to_string(), None),
        _ => (note, None),
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
        decided: previous.decided.clone().filter(|_| !changed_by_hand),
    }
}

/// The same evidence, as the session holds it and as a workbook carried it back: the same
/// file (its hash), or the same name added at the same second (a picture that travelled
/// downscaled), or the same link.
fn same_entry(own: &Evidence, carried: &Evidence) -> bool {
    let same_file = match (&own.file, &carried.file) {
        (Some(a), Some(b)) => a.sha256 == b.sha256,
        _ => false,
    };
    own.caption == carried.caption
        && (same_file
            || (own.name() == carried.name()
                && own.added_at.timestamp() == carried.added_at.timestamp()))
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

impl Session {
    /// Takes in a completed workbook (see the module): one change, undone whole.
    pub(super) fn import(
        &mut self,
        writer: &Writer,
        id: u64,
        import: &Import,
        scope: Scope<'_>,
    ) -> Effect {
        let Scope { plan, reqs } = scope;
        let facts = &import.facts;
        let declared: Vec<(String, bool)> = facts
            .capabilities
            .iter()
            .filter(|(key, _)| reqs.capability(key).is_some())
            .cloned()
            .collect();
        if self.app_name.is_none() {
            self.app_name = facts.app.clone();
        }
        if self.tester.is_none() {
            self.tester = facts.tester.clone();
        }
        let ids: Vec<&str> = plan.cases.iter().map(|c| c.id.as_str()).collect();
        let description = format!("results imported from {}", import.source);
        let mut report = ImportReport::default();
        let touches = Touches {
            capabilities: true,
            settings: true,
        };
        let changed = self.record(writer, id, description.clone(), &ids, touches, |session| {
            if !declared.is_empty() {
                session.capabilities_confirmed = true;
            }
            if let Some(link) = &facts.spec_link {
                session.suites.spec = Some(link.clone());
            }
            if let Some(link) = &facts.crud_link {
                session.suites.crud = Some(link.clone());
            }
            if let Some(link) = &facts.entitlements_link {
                session.suites.entitlements = Some(link.clone());
            }
            for (key, supported) in &declared {
                session.capabilities.insert(key.clone(), *supported);
            }
            report = ImportReport {
                capabilities: declared.len(),
                ..import_recorded(session, plan, &import.recorded, facts.exported_at)
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
            // The Evidence sheet's entries, except for cases whose newer session result was kept.
            if let Some(evidence) = &import.evidence {
                for (case, entries) in evidence {
                    let kept = report.conflicts.iter().any(|c| &c.case == case);
                    if plan.contains(case) && !kept {
                        let result = session.results.entry(case.clone()).or_default();
                        // An entry this session already holds keeps what only it knows: the
                        // original path (the workbook carries the file's name) and its copy.
                        let entries: Vec<Evidence> = entries
                            .iter()
                            .map(|entry| {
                                result
                                    .evidence
                                    .iter()
                                    .find(|own| same_entry(own, entry))
                                    .unwrap_or(entry)
                                    .clone()
                            })
                            .collect();
                        report.evidence += entries.len();
                        // Not `touch`: the results keep the tester and time the workbook gave them.
                        result.evidence = entries;
                    }
                }
            }
        });
        Effect {
            changed,
            description,
            import: Some(Box::new(report)),
            ..Effect::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::CellValue;
    use crate::plan::RecordedRow;

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
