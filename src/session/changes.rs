//! What another writer changed in the session file since this writer last read or wrote it:
//! the session as this writer last saw it (base) against the file now (theirs). The store then
//! applies this writer's own commands again on top of theirs (`store.rs`), so nothing either
//! side did is lost; this module only says what the other side did, for the tester.

use std::collections::BTreeSet;

use super::command::Refusal;
use super::model::{CaseResult, Session};

/// What another writer changed, as this writer learns when saving or refreshing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangesElsewhere {
    /// Cases whose result another writer changed.
    pub cases: BTreeSet<String>,
    /// Cases whose outcome or note both writers set: this writer's later save won.
    pub conflicts: BTreeSet<String>,
    /// Other parts another writer changed: "capabilities", "suite links", "connection", ...
    pub other: BTreeSet<&'static str>,
    /// This writer's changes that no longer applied on top of theirs, and why (a check's
    /// verdict over an outcome set meanwhile, an undo of a change changed since).
    pub refused: Vec<Refusal>,
}

impl ChangesElsewhere {
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
            && self.other.is_empty()
            && self.conflicts.is_empty()
            && self.refused.is_empty()
    }

    /// Adds what a later save or refresh found.
    pub fn absorb(&mut self, later: ChangesElsewhere) {
        self.cases.extend(later.cases);
        self.conflicts.extend(later.conflicts);
        self.other.extend(later.other);
        self.refused.extend(later.refused);
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

/// The cases whose outcome (with its reason and provenance) and whose note another writer
/// changed: the parts that two writers setting at once is a conflict, the later save winning.
#[derive(Debug, Default)]
pub(super) struct DecidedThere {
    pub verdicts: BTreeSet<String>,
    pub notes: BTreeSet<String>,
}

/// What changed from `base` to `theirs`, and the cases whose outcome or note changed there.
pub(super) fn changes_between(
    base: &Session,
    theirs: &Session,
) -> (ChangesElsewhere, DecidedThere) {
    let mut report = ChangesElsewhere::default();
    let mut noted = |what: &'static str, changed: bool| {
        if changed {
            report.other.insert(what);
        }
    };
    noted("capabilities", theirs.capabilities != base.capabilities);
    noted("suite links", theirs.suites != base.suites);
    noted(
        "verification records",
        theirs.verify.runs != base.verify.runs
            || theirs.verify.remembered != base.verify.remembered
            || theirs.verify.started != base.verify.started
            || theirs.verify.last_spec != base.verify.last_spec
            || theirs.suite_runs != base.suite_runs,
    );
    noted(
        "connection",
        theirs.verify.connection != base.verify.connection
            || theirs.verify.okta != base.verify.okta,
    );
    let mut decided = DecidedThere::default();
    if theirs.results != base.results {
        let ids: BTreeSet<&String> = base.results.keys().chain(theirs.results.keys()).collect();
        for id in ids {
            let (b, t) = (base.results.get(id), theirs.results.get(id));
            if b == t {
                continue;
            }
            report.cases.insert(id.clone());
            let verdict = |r: Option<&CaseResult>| {
                r.map_or((Default::default(), None, false), |r| {
                    (r.outcome, r.reason.clone(), r.automatic)
                })
            };
            if verdict(b) != verdict(t) {
                decided.verdicts.insert(id.clone());
            }
            if b.map_or("", |r| r.note.as_str()) != t.map_or("", |r| r.note.as_str()) {
                decided.notes.insert(id.clone());
            }
        }
    }
    (report, decided)
}
