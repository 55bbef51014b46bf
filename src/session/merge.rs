//! Three-way merge of sessions: the session as this writer last read or wrote it (base), as this
//! writer has it now (ours), and as it is on disk now (theirs, written by another scimplan).
//! Every change either side made since the base is kept; where both changed the same thing,
//! this writer's change wins (it is the one being made now) and the case is reported.
//!
//! Each field of `Session` has its policy below; the destructuring makes a new field a compile
//! error here until it has one.

use std::collections::{BTreeMap, BTreeSet};

use super::history::HistoryEntry;
use super::model::{CaseResult, Session};
use super::verification::VerifyState;

/// What another writer changed, as this writer learns when saving or refreshing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangesElsewhere {
    /// Cases whose result another writer changed.
    pub cases: BTreeSet<String>,
    /// Cases both writers changed differently; this writer's outcome and note were kept.
    pub conflicts: BTreeSet<String>,
    /// Other parts another writer changed: "capabilities", "suite links", "connection", ...
    pub other: BTreeSet<&'static str>,
}

impl ChangesElsewhere {
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.other.is_empty() && self.conflicts.is_empty()
    }

    /// Adds what a later merge found.
    pub fn absorb(&mut self, later: ChangesElsewhere) {
        self.cases.extend(later.cases);
        self.conflicts.extend(later.conflicts);
        self.other.extend(later.other);
    }

    /// One line for the tester, e.g. "another scimplan changed C9290, C9291 and the capabilities".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.cases.is_empty() {
            parts.push(list(self.cases.iter().map(String::as_str), 8));
        }
        parts.extend(self.other.iter().map(|s| s.to_string()));
        let mut text = format!("another scimplan changed {}", parts.join(", "));
        if !self.conflicts.is_empty() {
            text.push_str(&format!(
                "; changed here too, yours kept: {}",
                list(self.conflicts.iter().map(String::as_str), 8)
            ));
        }
        text
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>, at_most: usize) -> String {
    let items: Vec<&str> = items.collect();
    if items.len() <= at_most {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..at_most].join(", "),
            items.len() - at_most
        )
    }
}

/// Takes theirs where only they changed, ours where we changed (reports a conflict when both did).
fn pick<T: PartialEq + Clone>(base: &T, ours: &T, theirs: &T) -> (T, bool) {
    if ours == base {
        (theirs.clone(), false)
    } else {
        (ours.clone(), theirs != base && theirs != ours)
    }
}

/// A list as a set: what we added is added, what we removed is removed, theirs keeps its order.
fn merge_list<T: PartialEq + Clone>(base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
    if ours == base {
        return theirs.to_vec();
    }
    if theirs == base {
        return ours.to_vec();
    }
    let mut out: Vec<T> = theirs
        .iter()
        .filter(|t| !base.contains(t) || ours.contains(t))
        .cloned()
        .collect();
    for item in ours {
        if !base.contains(item) && !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

/// A map key by key with `merge_value`; `None` stands for "no entry".
fn merge_map<K: Ord + Clone, V: PartialEq + Clone>(
    base: &BTreeMap<K, V>,
    ours: &BTreeMap<K, V>,
    theirs: &BTreeMap<K, V>,
    mut merge_value: impl FnMut(&K, Option<&V>, Option<&V>, Option<&V>) -> Option<V>,
) -> BTreeMap<K, V> {
    if ours == base {
        return theirs.clone();
    }
    if theirs == base {
        return ours.clone();
    }
    let keys: BTreeSet<&K> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    keys.into_iter()
        .filter_map(|k| {
            merge_value(k, base.get(k), ours.get(k), theirs.get(k)).map(|v| (k.clone(), v))
        })
        .collect()
}

fn merge_entry<V: PartialEq + Clone>(
    base: Option<&V>,
    ours: Option<&V>,
    theirs: Option<&V>,
) -> Option<V> {
    pick(&base.cloned(), &ours.cloned(), &theirs.cloned()).0
}

/// One case's result. The verdict (outcome with its reason, tester and provenance) and the note
/// are each taken whole; ticked steps and evidence merge as sets; time spent adds up.
fn merge_result(
    base: Option<&CaseResult>,
    ours: Option<&CaseResult>,
    theirs: Option<&CaseResult>,
) -> (Option<CaseResult>, bool) {
    if ours == base {
        return (theirs.cloned(), false);
    }
    if theirs == base || theirs == ours {
        return (ours.cloned(), false);
    }
    let blank = CaseResult::default();
    let (b, o, t) = (
        base.unwrap_or(&blank),
        ours.unwrap_or(&blank),
        theirs.unwrap_or(&blank),
    );
    let verdict = |r: &CaseResult| {
        (
            r.outcome,
            r.reason.clone(),
            r.automatic,
            r.skipped_for.clone(),
            r.before_skip.clone(),
        )
    };
    let (v, verdict_conflict) = pick(&verdict(b), &verdict(o), &verdict(t));
    let (note, note_conflict) = pick(&b.note, &o.note, &t.note);
    let (tester, _) = pick(&b.tester, &o.tester, &t.tester);
    let merged = CaseResult {
        outcome: v.0,
        reason: v.1,
        automatic: v.2,
        skipped_for: v.3,
        before_skip: v.4,
        note,
        tester,
        updated_at: o.updated_at.max(t.updated_at),
        steps_checked: set_merge(&b.steps_checked, &o.steps_checked, &t.steps_checked),
        evidence: merge_list(&b.evidence, &o.evidence, &t.evidence),
        time_spent_secs: t.time_spent_secs + o.time_spent_secs.saturating_sub(b.time_spent_secs),
    };
    let merged = (!(merged.is_blank() && merged.reason.is_none() && merged.skipped_for.is_none()))
        .then_some(merged);
    (merged, verdict_conflict || note_conflict)
}

fn set_merge<T: Ord + Clone>(
    base: &BTreeSet<T>,
    ours: &BTreeSet<T>,
    theirs: &BTreeSet<T>,
) -> BTreeSet<T> {
    theirs
        .iter()
        .filter(|t| !base.contains(t) || ours.contains(t))
        .chain(ours.difference(base))
        .cloned()
        .collect()
}

/// Merges `ours` and `theirs` from their common `base`.
pub fn merge(base: &Session, ours: &Session, theirs: &Session) -> (Session, ChangesElsewhere) {
    let mut report = ChangesElsewhere::default();
    let Session {
        schema,
        plan_fingerprint,
        plan_file,
        app_name,
        tester,
        identity_asked,
        created_at,
        capabilities,
        capabilities_confirmed,
        results,
        suites,
        suite_runs,
        known_cases,
        plan_changes,
        history: _,
        undo_stack: _,
        redo_stack: _,
        last_case,
        verify,
    } = ours;
    let mut noted = |what: &'static str, changed: bool| {
        if changed {
            report.other.insert(what);
        }
    };
    noted("capabilities", theirs.capabilities != base.capabilities);
    noted("suite links", theirs.suites != base.suites);
    noted(
        "verification records",
        theirs.verify != base.verify || theirs.suite_runs != base.suite_runs,
    );

    let mut conflicts = BTreeSet::new();
    let mut changed_there = BTreeSet::new();
    let merged_results = merge_map(&base.results, results, &theirs.results, |id, b, o, t| {
        if t != b {
            changed_there.insert(id.clone());
        }
        let (merged, conflict) = merge_result(b, o, t);
        if conflict {
            conflicts.insert(id.clone());
        }
        merged
    });
    // A map untouched by us is taken whole from theirs, unseen by the closure above.
    if results == &base.results {
        changed_there.extend(
            base.results
                .keys()
                .chain(theirs.results.keys())
                .filter(|id| base.results.get(*id) != theirs.results.get(*id))
                .cloned(),
        );
    }
    report.cases = changed_there;
    report.conflicts = conflicts;

    let mut merged = Session {
        schema: *schema.max(&theirs.schema),
        plan_fingerprint: pick(
            &base.plan_fingerprint,
            plan_fingerprint,
            &theirs.plan_fingerprint,
        )
        .0,
        plan_file: pick(&base.plan_file, plan_file, &theirs.plan_file).0,
        app_name: pick(&base.app_name, app_name, &theirs.app_name).0,
        tester: pick(&base.tester, tester, &theirs.tester).0,
        identity_asked: *identity_asked || theirs.identity_asked,
        created_at: (*created_at).min(theirs.created_at),
        capabilities: merge_map(
            &base.capabilities,
            capabilities,
            &theirs.capabilities,
            |_, b, o, t| merge_entry(b, o, t),
        ),
        capabilities_confirmed: *capabilities_confirmed || theirs.capabilities_confirmed,
        results: merged_results,
        suites: super::model::SuiteLinks {
            spec: pick(&base.suites.spec, &suites.spec, &theirs.suites.spec).0,
            crud: pick(&base.suites.crud, &suites.crud, &theirs.suites.crud).0,
        },
        suite_runs: merge_list(&base.suite_runs, suite_runs, &theirs.suite_runs),
        known_cases: pick(&base.known_cases, known_cases, &theirs.known_cases).0,
        plan_changes: merge_list(&base.plan_changes, plan_changes, &theirs.plan_changes),
        history: Vec::new(),
        undo_stack: Vec::new(),
        redo_stack: Vec::new(),
        last_case: pick(&base.last_case, last_case, &theirs.last_case).0,
        verify: merge_verify(&base.verify, verify, &theirs.verify),
    };
    merge_history(base, ours, theirs, &mut merged);
    (merged, report)
}

fn merge_verify(base: &VerifyState, ours: &VerifyState, theirs: &VerifyState) -> VerifyState {
    let VerifyState {
        connection,
        okta,
        subjects,
        remembered,
        started,
        runs,
        last_spec,
    } = ours;
    VerifyState {
        connection: pick(&base.connection, connection, &theirs.connection).0,
        okta: pick(&base.okta, okta, &theirs.okta).0,
        subjects: merge_map(&base.subjects, subjects, &theirs.subjects, |_, b, o, t| {
            merge_entry(b, o, t)
        }),
        remembered: merge_map(
            &base.remembered,
            remembered,
            &theirs.remembered,
            |_, b, o, t| merge_entry(b, o, t),
        ),
        started: merge_map(&base.started, started, &theirs.started, |_, b, o, t| {
            merge_entry(b, o, t)
        }),
        runs: merge_list(&base.runs, runs, &theirs.runs),
        last_spec: pick(&base.last_spec, last_spec, &theirs.last_spec).0,
    }
}

/// The undo log: theirs as it is, then the entries we added, renumbered after theirs; the undo
/// and redo lists lose what we took off them and gain what we put on.
fn merge_history(base: &Session, ours: &Session, theirs: &Session, out: &mut Session) {
    let base_len = base.history.len();
    let theirs_len = theirs.history.len();
    // Their log normally extends the base; a shorter one was reset (a damaged history dropped).
    let theirs_extends_base = theirs_len >= base_len;
    let renumber = |index: usize| -> Option<usize> {
        if index >= base_len {
            Some(index - base_len + theirs_len)
        } else if theirs_extends_base {
            Some(index)
        } else {
            None
        }
    };
    out.history = theirs.history.clone();
    out.history.extend(
        ours.history
            .iter()
            .skip(base_len)
            .map(|entry| HistoryEntry {
                target: entry.target.and_then(renumber),
                ..entry.clone()
            }),
    );
    let stack = |b: &[usize], o: &[usize], t: &[usize]| -> Vec<usize> {
        let mut merged: Vec<usize> = t
            .iter()
            .filter(|i| !theirs_extends_base || !b.contains(i) || o.contains(i))
            .copied()
            .collect();
        for index in o
            .iter()
            .filter(|i| !b.contains(i))
            .filter_map(|i| renumber(*i))
        {
            if !merged.contains(&index) {
                merged.push(index);
            }
        }
        merged
    };
    out.undo_stack = stack(&base.undo_stack, &ours.undo_stack, &theirs.undo_stack);
    out.redo_stack = stack(&base.redo_stack, &ours.redo_stack, &theirs.redo_stack);
    // An index on both lists (each side walked the same change) stays only where we put it.
    let ours_undo: Vec<usize> = out.undo_stack.clone();
    out.redo_stack.retain(|i| !ours_undo.contains(i));
}
