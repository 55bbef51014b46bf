//! Changes to a session, recorded in an append-only log so they can be undone and redone,
//! even after a restart.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{CaseResult, Evidence, Outcome, Session};
use crate::plan::Plan;
use crate::plan::profile::Requirements;

/// How many changes can be undone. Older entries stay in the log as descriptions only, so the
/// session file (rewritten after every change) does not grow with every snapshot ever taken.
pub const UNDO_DEPTH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryKind {
    Change,
    Undo,
    Redo,
}

/// One case's result before and after a change (`None`: no result, i.e. Not run).
/// Boxed: a long history is mostly entries past the undo depth whose results are gone, and an
/// unboxed pair made each of them cost the size of two results (tens of MB on 10,000 cases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDelta {
    pub case: String,
    pub before: Option<Box<CaseResult>>,
    pub after: Option<Box<CaseResult>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub kind: HistoryKind,
    /// For Undo and Redo: the index of the change they act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<usize>,
    pub description: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "exact_vec"
    )]
    pub cases: Vec<CaseDelta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities_before: Option<BTreeMap<String, bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities_after: Option<BTreeMap<String, bool>>,
}

/// Reads a list without the spare room a growing `Vec` keeps: a long history holds tens of
/// thousands of one-case entries, and a session is held twice (as saved and as changed) while
/// a save merges a third read from disk, so the spare room cost megabytes on 10,000 cases.
pub(super) fn exact_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut items = Vec::<T>::deserialize(deserializer)?;
    items.shrink_to_fit();
    Ok(items)
}

thread_local! {
    /// Set while a session is read without its undo history (see `without_history`).
    static LEAVE_OUT_HISTORY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `read` (a session's deserialization) with the undo history skipped, not built: for
/// commands that only read a session, on a large one the history is two thirds of the file.
pub(super) fn without_history<T>(read: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            LEAVE_OUT_HISTORY.set(false);
        }
    }
    LEAVE_OUT_HISTORY.set(true);
    let _reset = Reset;
    read()
}

/// The session's `history`: read as `exact_vec`, or skipped inside `without_history`.
pub(super) fn history_list<'de, D>(deserializer: D) -> Result<Vec<HistoryEntry>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    if LEAVE_OUT_HISTORY.get() {
        serde::de::IgnoredAny::deserialize(deserializer)?;
        return Ok(Vec::new());
    }
    exact_vec(deserializer)
}

impl Session {
    /// Runs `change` and records what it did to `cases` (and to the capabilities when
    /// `touches_capabilities`). Returns false, recording nothing, when nothing changed.
    pub(crate) fn record(
        &mut self,
        description: String,
        cases: &[&str],
        touches_capabilities: bool,
        change: impl FnOnce(&mut Session),
    ) -> bool {
        let caps_before = touches_capabilities.then(|| self.capabilities.clone());
        let before: Vec<Option<Box<CaseResult>>> = cases
            .iter()
            .map(|id| self.results.get(*id).cloned().map(Box::new))
            .collect();
        change(self);
        let deltas: Vec<CaseDelta> = cases
            .iter()
            .zip(before)
            .filter_map(|(id, before)| {
                let after = self.results.get(*id).cloned().map(Box::new);
                (before != after).then(|| CaseDelta {
                    case: id.to_string(),
                    before,
                    after,
                })
            })
            .collect();
        let caps_after = touches_capabilities.then(|| self.capabilities.clone());
        if deltas.is_empty() && caps_before == caps_after {
            return false;
        }
        self.history.push(HistoryEntry {
            at: Utc::now(),
            kind: HistoryKind::Change,
            target: None,
            description,
            cases: deltas,
            capabilities_before: caps_before,
            capabilities_after: caps_after,
        });
        self.undo_stack.push(self.history.len() - 1);
        self.redo_stack.clear();
        self.forget_beyond_undo_depth();
        true
    }

    fn forget_beyond_undo_depth(&mut self) {
        while self.undo_stack.len() > UNDO_DEPTH {
            let oldest = self.undo_stack.remove(0);
            let entry = &mut self.history[oldest];
            entry.cases.iter_mut().for_each(|delta| {
                delta.before = None;
                delta.after = None;
            });
            entry.capabilities_before = None;
            entry.capabilities_after = None;
        }
    }

    fn touch(&mut self, case_id: &str, edit: impl FnOnce(&mut CaseResult)) {
        let tester = self.tester.clone();
        let result = self.results.entry(case_id.to_string()).or_default();
        edit(result);
        result.updated_at = Some(Utc::now());
        if tester.is_some() {
            result.tester = tester;
        }
        if result.is_blank() && result.reason.is_none() && result.skipped_for.is_none() {
            self.results.remove(case_id);
        }
    }

    /// Records an outcome. `reason` is kept for Skipped and Blocked; `automatic` marks a
    /// verdict of an automatic verification.
    pub fn set_outcome(
        &mut self,
        case_id: &str,
        outcome: Outcome,
        reason: Option<String>,
        automatic: bool,
    ) -> bool {
        let description = format!("{case_id}: {outcome}");
        self.record(description, &[case_id], false, |s| {
            s.touch(case_id, |r| {
                r.outcome = outcome;
                r.reason = match outcome {
                    Outcome::Skipped | Outcome::Blocked => reason,
                    _ => None,
                };
                r.automatic = automatic;
                // An explicit mark overrides a capability skip.
                r.skipped_for = None;
                r.before_skip = None;
            })
        })
    }

    pub fn set_note(&mut self, case_id: &str, note: &str) -> bool {
        if self.result(case_id).map(|r| r.note.as_str()).unwrap_or("") == note {
            return false;
        }
        let note = note.to_string();
        self.record(format!("{case_id}: note"), &[case_id], false, |s| {
            s.touch(case_id, |r| r.note = note)
        })
    }

    pub fn toggle_step(&mut self, case_id: &str, step: usize) -> bool {
        self.record(
            format!("{case_id}: step {}", step + 1),
            &[case_id],
            false,
            |s| {
                s.touch(case_id, |r| {
                    if !r.steps_checked.remove(&step) {
                        r.steps_checked.insert(step);
                    }
                })
            },
        )
    }

    /// Records a bare reference (what sessions held before files were copied; resume uses it
    /// for entries a workbook lists without a file).
    pub fn add_evidence(&mut self, case_id: &str, reference: &str, caption: &str) -> bool {
        self.attach_evidence(
            case_id,
            Evidence {
                added_at: Utc::now(),
                reference: reference.to_string(),
                caption: caption.to_string(),
                file: None,
            },
        )
    }

    /// Records an entry checked (and its file copied) by `evidence::attach`. The same file
    /// attached twice to a case is recorded once.
    pub fn attach_evidence(&mut self, case_id: &str, evidence: Evidence) -> bool {
        let already = self.result(case_id).is_some_and(|r| {
            r.evidence.iter().any(|e| match (&e.file, &evidence.file) {
                (Some(a), Some(b)) => a.sha256 == b.sha256,
                (None, None) => e.reference == evidence.reference,
                _ => false,
            })
        });
        if already {
            return false;
        }
        let description = format!("{case_id}: evidence {}", evidence.name());
        self.record(description, &[case_id], false, |s| {
            s.touch(case_id, |r| r.evidence.push(evidence))
        })
    }

    /// Replaces the evidence of each listed case (resuming from a completed workbook).
    pub fn restore_evidence(&mut self, source: &str, cases: Vec<(String, Vec<Evidence>)>) -> bool {
        let ids: Vec<String> = cases.iter().map(|(id, _)| id.clone()).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.record(
            format!("evidence restored from {source}"),
            &refs,
            false,
            |s| {
                // Not `touch`: the results keep the tester and time the workbook gave them.
                for (id, evidence) in cases {
                    s.results.entry(id).or_default().evidence = evidence;
                }
            },
        )
    }

    /// Removes the case's entry at `index` (its copy stays in the folder, so undo brings it
    /// back whole). Returns the removed entry's name.
    pub fn remove_evidence(&mut self, case_id: &str, index: usize) -> Option<String> {
        let name = self.result(case_id)?.evidence.get(index)?.name();
        let description = format!("{case_id}: removed evidence {name}");
        self.record(description, &[case_id], false, |s| {
            s.touch(case_id, |r| {
                r.evidence.remove(index);
            })
        })
        .then_some(name)
    }

    /// Adds time the case was open; not an undoable change.
    pub fn add_time_spent(&mut self, case_id: &str, seconds: u64) {
        if seconds > 0 {
            self.results
                .entry(case_id.to_string())
                .or_default()
                .time_spent_secs += seconds;
        }
    }

    /// Declares capabilities supported or not, skipping or restoring their cases.
    pub fn set_capabilities(
        &mut self,
        plan: &Plan,
        reqs: &Requirements,
        changes: &[(String, bool)],
    ) -> bool {
        let ids: Vec<&str> = plan.cases.iter().map(|c| c.id.as_str()).collect();
        let description = changes
            .iter()
            .map(|(k, on)| format!("{k} {}", if *on { "supported" } else { "unsupported" }))
            .collect::<Vec<_>>()
            .join(", ");
        self.record(description, &ids, true, |s| {
            for (key, supported) in changes {
                if *supported {
                    s.capabilities.remove(key);
                    s.capabilities.insert(key.clone(), true);
                } else {
                    s.capabilities.insert(key.clone(), false);
                }
            }
            s.apply_capabilities(plan, reqs);
        })
    }

    /// Why the undo history, as read from a file, cannot be walked safely (a hand edit or a
    /// damaged file): `None` when it can.
    pub fn history_problem(&self) -> Option<String> {
        let len = self.history.len();
        let mut seen = std::collections::BTreeSet::new();
        for (list, stack) in [("undo", &self.undo_stack), ("redo", &self.redo_stack)] {
            for &index in stack {
                let Some(entry) = self.history.get(index) else {
                    return Some(format!(
                        "the {list} list points to change {} but the history holds {len}",
                        index + 1
                    ));
                };
                if entry.kind != HistoryKind::Change {
                    return Some(format!(
                        "the {list} list points to entry {}, which is not a change",
                        index + 1
                    ));
                }
                if !seen.insert(index) {
                    return Some(format!(
                        "change {} is listed twice in the undo and redo lists",
                        index + 1
                    ));
                }
            }
        }
        self.history.iter().enumerate().find_map(|(i, entry)| {
            let target_gone = entry.target.is_some_and(|t| t >= len);
            // A change on the undo or redo list must still hold what it changed.
            let emptied =
                seen.contains(&i) && entry.cases.iter().any(|delta| delta.before == delta.after);
            (target_gone || emptied).then(|| format!("history entry {} is inconsistent", i + 1))
        })
    }

    /// Forgets the undo history (results stay as they are).
    pub fn drop_history(&mut self) {
        self.history.clear();
        self.undo_stack.clear();
        self.redo_stack.clear();
    }

    pub fn can_undo(&self) -> bool {
        !self.undo_stack.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo_stack.is_empty()
    }

    /// Reverts the most recent change still in effect. Returns its description.
    pub fn undo(&mut self) -> Option<String> {
        let target = self.undo_stack.pop()?;
        let entry = self.history.get(target)?.clone();
        for delta in &entry.cases {
            self.put(&delta.case, delta.before.as_deref().cloned());
        }
        if let Some(caps) = &entry.capabilities_before {
            self.capabilities = caps.clone();
        }
        self.log_walk(HistoryKind::Undo, target, &entry);
        self.redo_stack.push(target);
        Some(entry.description)
    }

    /// Applies again the most recently undone change. Returns its description.
    pub fn redo(&mut self) -> Option<String> {
        let target = self.redo_stack.pop()?;
        let entry = self.history.get(target)?.clone();
        for delta in &entry.cases {
            self.put(&delta.case, delta.after.as_deref().cloned());
        }
        if let Some(caps) = &entry.capabilities_after {
            self.capabilities = caps.clone();
        }
        self.log_walk(HistoryKind::Redo, target, &entry);
        self.undo_stack.push(target);
        Some(entry.description)
    }

    fn put(&mut self, case_id: &str, result: Option<CaseResult>) {
        match result {
            Some(result) => {
                self.results.insert(case_id.to_string(), result);
            }
            None => {
                self.results.remove(case_id);
            }
        }
    }

    fn log_walk(&mut self, kind: HistoryKind, target: usize, entry: &HistoryEntry) {
        self.history.push(HistoryEntry {
            at: Utc::now(),
            kind,
            target: Some(target),
            description: entry.description.clone(),
            cases: Vec::new(),
            capabilities_before: None,
            capabilities_after: None,
        });
    }
}
