//! Changes to a session, recorded in an append-only log so they can be undone and redone,
//! even after a restart. Each change knows its writer (`Writer`) and what it changed from and
//! to; undo takes back the latest change of the asking writer's kind (the checklist's `u` its
//! own, `scimplan undo` a command's), and only while what it set still stands: a change another
//! writer made on top of it is never undone by accident.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{Refusal, local_time};
use super::model::{CaseResult, Evidence, Session, SuiteKind, SuiteLinks};
use super::writer::Writer;

/// How many changes can be undone. Older entries stay in the log as descriptions only, so the
/// session file (rewritten after every change) does not grow with every snapshot ever taken.
pub const UNDO_DEPTH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryKind {
    Change,
    Undo,
    Redo,
    /// An undo or redo refused because what the change set no longer stood; the change is off
    /// the undo and redo lists from then on.
    Refused,
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

/// The parts of a session besides results and capabilities that one command can change with
/// them (an import takes in the workbook's suite links and confirms the capabilities).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsSnapshot {
    pub capabilities_confirmed: bool,
    #[serde(default)]
    pub suites: SuiteLinks,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Unique in the log and the same for every writer: what an undo names. Entries of
    /// sessions written before ids existed are numbered by their place when read.
    #[serde(default)]
    pub id: u64,
    pub at: DateTime<Utc>,
    pub kind: HistoryKind,
    /// Who made it (`None` in sessions written before writers were recorded: those changes
    /// can be undone from the checklist and from `scimplan undo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<Writer>,
    /// For Undo, Redo and Refused: the id of the change they act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<u64>,
    /// The index of that change, in sessions written before ids existed (read, never written).
    #[serde(default, skip_serializing)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_before: Option<Box<SettingsSnapshot>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_after: Option<Box<SettingsSnapshot>>,
}

impl HistoryEntry {
    /// Whether undo may take this change back when `writer` asks: its own kind of writer's
    /// changes (and changes of unknown writers, from older sessions).
    fn belongs_to(&self, checklist: bool) -> bool {
        self.writer
            .as_ref()
            .is_none_or(|w| w.is_checklist() == checklist)
    }

    /// The change still holds its before and after (entries past the undo depth do not).
    fn walkable(&self) -> bool {
        self.kind == HistoryKind::Change
            && (self
                .cases
                .iter()
                .any(|d| d.before.is_some() || d.after.is_some())
                || self.capabilities_before.is_some()
                || self.settings_before.is_some())
    }
}

/// What a command records in the log besides the results of `cases`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Touches {
    pub capabilities: bool,
    pub settings: bool,
}

/// The side of a change an undo (`Before`) or redo (`After`) goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
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

/// A fresh entry id: random and large, so it never meets the small numbers given to entries of
/// older sessions, nor another writer's.
pub(super) fn new_entry_id() -> u64 {
    fastrand::u64((1 << 32)..)
}

/// The parts of a result a change can set, compared part by part: time spent, the tester and
/// the dates are bookkeeping, not something an undo restores or refuses over.
fn verdict_of(
    r: Option<&CaseResult>,
) -> (
    super::model::Outcome,
    Option<&str>,
    bool,
    Option<&str>,
    Option<&super::model::SavedOutcome>,
) {
    match r {
        Some(r) => (
            r.outcome,
            r.reason.as_deref(),
            r.automatic,
            r.skipped_for.as_deref(),
            r.before_skip.as_ref(),
        ),
        None => (Default::default(), None, false, None, None),
    }
}

fn note_of(r: Option<&CaseResult>) -> &str {
    r.map_or("", |r| r.note.as_str())
}

fn steps_of(r: Option<&CaseResult>) -> std::collections::BTreeSet<usize> {
    r.map(|r| r.steps_checked.clone()).unwrap_or_default()
}

fn evidence_of(r: Option<&CaseResult>) -> &[Evidence] {
    r.map_or(&[], |r| r.evidence.as_slice())
}

/// Whether `current` still holds what the change set on the `from` side, in every part the
/// change touched (going from `from` to `to`).
fn delta_stands(
    from: Option<&CaseResult>,
    to: Option<&CaseResult>,
    current: Option<&CaseResult>,
) -> bool {
    if verdict_of(from) != verdict_of(to) && verdict_of(current) != verdict_of(from) {
        return false;
    }
    if note_of(from) != note_of(to) && note_of(current) != note_of(from) {
        return false;
    }
    let (from_steps, to_steps, now_steps) = (steps_of(from), steps_of(to), steps_of(current));
    if from_steps
        .symmetric_difference(&to_steps)
        .any(|step| now_steps.contains(step) != from_steps.contains(step))
    {
        return false;
    }
    let (from_ev, to_ev, now_ev) = (evidence_of(from), evidence_of(to), evidence_of(current));
    let added_stays = from_ev
        .iter()
        .filter(|e| !to_ev.contains(e))
        .all(|e| now_ev.contains(e));
    let removed_stays_out = to_ev
        .iter()
        .filter(|e| !from_ev.contains(e))
        .all(|e| !now_ev.contains(e));
    added_stays && removed_stays_out
}

/// `current` taken from `from` to `to` in the parts the change touched; the rest (time spent,
/// steps and evidence others changed) is kept.
fn walk_delta(
    from: Option<&CaseResult>,
    to: Option<&CaseResult>,
    current: Option<CaseResult>,
) -> Option<CaseResult> {
    let mut now = current.unwrap_or_default();
    let blank = CaseResult::default();
    let target = to.unwrap_or(&blank);
    if verdict_of(from) != verdict_of(to) {
        now.outcome = target.outcome;
        now.reason = target.reason.clone();
        now.automatic = target.automatic;
        now.skipped_for = target.skipped_for.clone();
        now.before_skip = target.before_skip.clone();
        now.decided = target.decided.clone();
        now.tester = target.tester.clone().or(now.tester);
    }
    if note_of(from) != note_of(to) {
        now.note = target.note.clone();
    }
    let (from_steps, to_steps) = (steps_of(from), steps_of(to));
    for step in from_steps.symmetric_difference(&to_steps) {
        if to_steps.contains(step) {
            now.steps_checked.insert(*step);
        } else {
            now.steps_checked.remove(step);
        }
    }
    let (from_ev, to_ev) = (evidence_of(from), evidence_of(to));
    now.evidence
        .retain(|e| to_ev.contains(e) || !from_ev.contains(e));
    for e in to_ev {
        if !from_ev.contains(e) && !now.evidence.contains(e) {
            now.evidence.push(e.clone());
        }
    }
    now.updated_at = Some(Utc::now());
    (!now.is_empty()).then_some(now)
}

/// The keys whose support differs between two capability declarations.
fn changed_keys<'a>(
    a: &'a BTreeMap<String, bool>,
    b: &'a BTreeMap<String, bool>,
) -> impl Iterator<Item = &'a String> {
    a.keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .filter(|k| a.get(*k) != b.get(*k))
}

impl Session {
    fn settings_snapshot(&self) -> SettingsSnapshot {
        SettingsSnapshot {
            capabilities_confirmed: self.capabilities_confirmed,
            suites: self.suites.clone(),
        }
    }

    /// Runs `change` (a command's effect) and logs what it did to `cases` (and to the
    /// capabilities and settings, when it touches them) as entry `id` by `writer`. Returns
    /// false, logging nothing, when nothing changed.
    pub(super) fn record(
        &mut self,
        writer: &Writer,
        id: u64,
        description: String,
        cases: &[&str],
        touches: Touches,
        change: impl FnOnce(&mut Session),
    ) -> bool {
        let caps_before = touches.capabilities.then(|| self.capabilities.clone());
        let settings_before = touches.settings.then(|| self.settings_snapshot());
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
        let caps_after = touches.capabilities.then(|| self.capabilities.clone());
        let settings_after = touches.settings.then(|| self.settings_snapshot());
        let caps_changed = caps_before != caps_after;
        let settings_changed = settings_before != settings_after;
        if deltas.is_empty() && !caps_changed && !settings_changed {
            return false;
        }
        let (capabilities_before, capabilities_after) = match caps_changed {
            true => (caps_before, caps_after),
            false => (None, None),
        };
        let (settings_before, settings_after) = match settings_changed {
            true => (settings_before.map(Box::new), settings_after.map(Box::new)),
            false => (None, None),
        };
        self.history.push(HistoryEntry {
            id,
            at: Utc::now(),
            kind: HistoryKind::Change,
            writer: Some(writer.clone()),
            target_id: None,
            target: None,
            description,
            cases: deltas,
            capabilities_before,
            capabilities_after,
            settings_before,
            settings_after,
        });
        self.forget_beyond_undo_depth();
        true
    }

    /// Keeps the before and after of the latest `UNDO_DEPTH` changes only: scanning back to the
    /// first change past the depth is enough, as everything older was forgotten already.
    fn forget_beyond_undo_depth(&mut self) {
        let mut kept = 0;
        for entry in self.history.iter_mut().rev() {
            if !entry.walkable() {
                continue;
            }
            kept += 1;
            if kept > UNDO_DEPTH {
                entry.cases.iter_mut().for_each(|delta| {
                    delta.before = None;
                    delta.after = None;
                });
                entry.capabilities_before = None;
                entry.capabilities_after = None;
                entry.settings_before = None;
                entry.settings_after = None;
                break;
            }
        }
    }

    /// The undo and redo lists of the checklist (`checklist`) or of commands, as entry ids,
    /// most recent last: derived from the log, so every writer sees the same lists.
    fn walk_lists(&self, checklist: bool) -> (Vec<u64>, Vec<u64>) {
        let mut undo: Vec<u64> = Vec::new();
        let mut redo: Vec<u64> = Vec::new();
        for entry in &self.history {
            let mine = entry.belongs_to(checklist);
            match (entry.kind, entry.target_id) {
                (HistoryKind::Change, _) if mine => {
                    undo.push(entry.id);
                    redo.clear();
                }
                (HistoryKind::Undo, Some(target)) => {
                    undo.retain(|id| *id != target);
                    if mine {
                        redo.push(target);
                    }
                }
                (HistoryKind::Redo, Some(target)) => {
                    redo.retain(|id| *id != target);
                    if mine {
                        undo.push(target);
                    }
                }
                (HistoryKind::Refused, Some(target)) => {
                    undo.retain(|id| *id != target);
                    redo.retain(|id| *id != target);
                }
                _ => {}
            }
        }
        // Changes past the undo depth hold no before and after any more.
        let walkable: std::collections::HashSet<u64> = self
            .history
            .iter()
            .filter(|e| e.walkable())
            .map(|e| e.id)
            .collect();
        undo.retain(|id| walkable.contains(id));
        redo.retain(|id| walkable.contains(id));
        (undo, redo)
    }

    fn entry_index(&self, id: u64) -> Option<usize> {
        self.history.iter().rposition(|e| e.id == id)
    }

    /// The change `u` (checklist) or `scimplan undo` (a command) would take back.
    pub(super) fn undo_target(&self, writer: &Writer) -> Option<u64> {
        self.walk_lists(writer.is_checklist()).0.last().copied()
    }

    /// The change redo would apply again for `writer`'s kind.
    pub(super) fn redo_target(&self, writer: &Writer) -> Option<u64> {
        self.walk_lists(writer.is_checklist()).1.last().copied()
    }

    /// Whether `writer`'s kind has a change to undo (or, with `redo`, to redo).
    pub fn can_walk(&self, writer: &Writer, redo: bool) -> bool {
        match redo {
            false => self.undo_target(writer).is_some(),
            true => self.redo_target(writer).is_some(),
        }
    }

    /// Undoes (`redo` false) or redoes change `target` as entry `id` by `writer`, when what it
    /// set still stands; otherwise logs the refusal (the change leaves the lists) and says who
    /// changed it since. Returns the change's description.
    pub(super) fn walk(
        &mut self,
        writer: &Writer,
        id: u64,
        target: u64,
        redo: bool,
    ) -> Result<String, Refusal> {
        let side = if redo { Side::After } else { Side::Before };
        let verb = if redo { "redone" } else { "undone" };
        let Some(index) = self
            .entry_index(target)
            .filter(|i| self.history[*i].walkable())
        else {
            return Err(Refusal::ChangedSince {
                verb,
                what: "that change".into(),
                since: "it is no longer in the undo history".into(),
            });
        };
        let entry = self.history[index].clone();
        if let Some(why) = self.why_not_standing(&entry, index, side) {
            self.log_walk(HistoryKind::Refused, writer, id, &entry);
            return Err(Refusal::ChangedSince {
                verb,
                what: why.0,
                since: why.1,
            });
        }
        let to_before = side == Side::Before;
        for delta in &entry.cases {
            let (from, to) = match to_before {
                true => (delta.after.as_deref(), delta.before.as_deref()),
                false => (delta.before.as_deref(), delta.after.as_deref()),
            };
            let current = self.results.remove(&delta.case);
            if let Some(result) = walk_delta(from, to, current) {
                self.results.insert(delta.case.clone(), result);
            }
        }
        if let (Some(before), Some(after)) = (&entry.capabilities_before, &entry.capabilities_after)
        {
            let (from, to) = if to_before {
                (after, before)
            } else {
                (before, after)
            };
            for key in changed_keys(from, to) {
                match to.get(key) {
                    Some(value) => self.capabilities.insert(key.clone(), *value),
                    None => self.capabilities.remove(key),
                };
            }
        }
        if let (Some(before), Some(after)) = (&entry.settings_before, &entry.settings_after) {
            let (from, to) = if to_before {
                (after, before)
            } else {
                (before, after)
            };
            if from.capabilities_confirmed != to.capabilities_confirmed {
                self.capabilities_confirmed = to.capabilities_confirmed;
            }
            if from.suites.spec != to.suites.spec {
                self.suites.spec = to.suites.spec.clone();
            }
            if from.suites.crud != to.suites.crud {
                self.suites.crud = to.suites.crud.clone();
            }
            if from.suites.entitlements != to.suites.entitlements {
                self.suites.entitlements = to.suites.entitlements.clone();
            }
        }
        let kind = if redo {
            HistoryKind::Redo
        } else {
            HistoryKind::Undo
        };
        self.log_walk(kind, writer, id, &entry);
        Ok(entry.description)
    }

    /// What no longer holds what `entry` set on the side it is walked from (the case or setting,
    /// and who changed it since), or `None` when every part stands.
    fn why_not_standing(
        &self,
        entry: &HistoryEntry,
        index: usize,
        side: Side,
    ) -> Option<(String, String)> {
        let to_before = side == Side::Before;
        for delta in &entry.cases {
            let (from, to) = match to_before {
                true => (delta.after.as_deref(), delta.before.as_deref()),
                false => (delta.before.as_deref(), delta.after.as_deref()),
            };
            if !delta_stands(from, to, self.results.get(&delta.case)) {
                return Some((delta.case.clone(), self.changed_since(&delta.case, index)));
            }
        }
        if let (Some(before), Some(after)) = (&entry.capabilities_before, &entry.capabilities_after)
        {
            let (from, to) = if to_before {
                (after, before)
            } else {
                (before, after)
            };
            if let Some(key) =
                changed_keys(from, to).find(|k| self.capabilities.get(*k) != from.get(*k))
            {
                return Some((
                    format!("the capability {key}"),
                    self.changed_since_by(index, |e| {
                        e.capabilities_after
                            .as_ref()
                            .is_some_and(|c| c.contains_key(key))
                    }),
                ));
            }
        }
        if let (Some(before), Some(after)) = (&entry.settings_before, &entry.settings_after) {
            let (from, to) = if to_before {
                (after, before)
            } else {
                (before, after)
            };
            let now = self.settings_snapshot();
            let confirmed = from.capabilities_confirmed != to.capabilities_confirmed
                && now.capabilities_confirmed != from.capabilities_confirmed;
            let links = SuiteKind::ALL.into_iter().any(|suite| {
                from.suites.get(suite) != to.suites.get(suite)
                    && now.suites.get(suite) != from.suites.get(suite)
            });
            if confirmed || links {
                let what = if links {
                    "the suite links"
                } else {
                    "the capability declaration"
                };
                return Some((
                    what.to_string(),
                    self.changed_since_by(index, |e| e.settings_after.is_some()),
                ));
            }
        }
        None
    }

    /// Who changed `case` after entry `index`, in words: "by `scimplan mark` at 12:14:03".
    fn changed_since(&self, case: &str, index: usize) -> String {
        let touches = |e: &HistoryEntry| e.cases.iter().any(|d| d.case == case);
        let by_log = self.changed_since_by(index, touches);
        if !by_log.is_empty() {
            return by_log;
        }
        self.results
            .get(case)
            .and_then(|r| r.decided.as_ref())
            .map(|d| format!("by {} at {}", d.by, local_time(d.at)))
            .unwrap_or_default()
    }

    /// The latest entry after `index` that `touches` (for an undo or redo, its change does),
    /// as "by WRITER at TIME"; empty when the log does not say.
    fn changed_since_by(&self, index: usize, touches: impl Fn(&HistoryEntry) -> bool) -> String {
        self.history[index + 1..]
            .iter()
            .rev()
            .find(|e| match e.kind {
                HistoryKind::Change => touches(e),
                HistoryKind::Undo | HistoryKind::Redo => e
                    .target_id
                    .and_then(|t| self.entry_index(t))
                    .is_some_and(|t| touches(&self.history[t])),
                HistoryKind::Refused => false,
            })
            .map(|e| match &e.writer {
                Some(writer) => format!("by {writer} at {}", local_time(e.at)),
                None => format!("at {}", local_time(e.at)),
            })
            .unwrap_or_default()
    }

    fn log_walk(&mut self, kind: HistoryKind, writer: &Writer, id: u64, entry: &HistoryEntry) {
        self.history.push(HistoryEntry {
            id,
            at: Utc::now(),
            kind,
            writer: Some(writer.clone()),
            target_id: Some(entry.id),
            target: None,
            description: entry.description.clone(),
            cases: Vec::new(),
            capabilities_before: None,
            capabilities_after: None,
            settings_before: None,
            settings_after: None,
        });
    }

    /// Gives entries of sessions written before ids existed their numbers (their place, from
    /// 1), and their undo and redo targets the ids those places have now.
    pub(super) fn number_old_history(&mut self) {
        if self.history.iter().all(|e| e.id != 0) {
            return;
        }
        let ids: Vec<u64> = (0..self.history.len())
            .map(|i| match self.history[i].id {
                0 => i as u64 + 1,
                id => id,
            })
            .collect();
        for (entry, id) in self.history.iter_mut().zip(&ids) {
            entry.id = *id;
            if entry.target_id.is_none()
                && let Some(index) = entry.target
            {
                // 0 is no entry's id: a target past the end is reported by `history_problem`.
                entry.target_id = Some(ids.get(index).copied().unwrap_or(0));
            }
        }
    }

    /// Why the undo history, as read from a file, cannot be walked safely (a hand edit or a
    /// damaged file): `None` when it can.
    pub fn history_problem(&self) -> Option<String> {
        let len = self.history.len();
        let mut seen = std::collections::BTreeSet::new();
        // The lists older sessions kept beside the log.
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
        let mut ids = std::collections::HashSet::with_capacity(len);
        for (i, entry) in self.history.iter().enumerate() {
            if entry.id == 0 || !ids.insert(entry.id) {
                return Some(format!("history entry {} has no id of its own", i + 1));
            }
        }
        self.history.iter().enumerate().find_map(|(i, entry)| {
            let target_gone = match entry.kind {
                HistoryKind::Change => false,
                _ => entry.target_id.is_none_or(|t| !ids.contains(&t)),
            };
            // A change still listed must hold what it changed.
            let emptied =
                seen.contains(&i) && entry.cases.iter().any(|delta| delta.before == delta.after);
            (target_gone || emptied).then(|| format!("history entry {} is inconsistent", i + 1))
        })
    }

    /// Forgets the undo history (results stay as they are).
    pub(super) fn drop_history(&mut self) {
        self.history.clear();
        self.undo_stack.clear();
        self.redo_stack.clear();
    }
}
