//! Every change to a session is a `Command`, applied by `Session::apply`: the one place that
//! checks what a change may do, records it in the history with its writer, and says what it
//! left alone and why. The store keeps the commands a writer applied until they are saved, and
//! applies them again to what is on disk then (`store.rs`), so each rule below is checked
//! against the latest state, whoever wrote it.
//!
//! Rules of the data, each decided here and only here:
//! - A person's mark (`Mark`) always applies; a later save wins over an earlier one and the
//!   store says so.
//! - A check (`RecordRun`) records its verdict only while the case's outcome is what it was
//!   when the check started, never over a person's outcome unless the tester asked for that
//!   (`replace`), and a Fail only once the case's steps are marked done. The run itself is
//!   always kept; the note is never touched.
//! - A note written from an older version (`Note` with `was`) is refused when the note changed
//!   meanwhile, so nobody's note is replaced unseen.
//! - Undo and redo take back one change of the asking writer's kind, whole, and only while
//!   what it set still stands (`history.rs`).

use chrono::{DateTime, Utc};

use super::connection::Connection;
use super::file_run::CrudReport;
use super::history::{Touches, new_entry_id};
use super::hosted::{HOSTED_RUNS_KEPT, HostedRun, HostedTest};
use super::import::{Import, ImportReport};
use super::model::{CaseResult, Decided, Evidence, Outcome, Session, SuiteKind, SuiteRun};
use super::okta::OktaConnection;
use super::verification::{
    CaseStart, RUNS_KEPT_PER_CASE, RememberedValue, SpecReport, Verdict, VerifyRun, remembered_key,
};
use super::writer::Writer;
use crate::plan::Plan;
use crate::plan::profile::{IntegrationKind, Requirements};

/// Why a failing check on a case whose steps are not marked done records no Fail.
pub const STEPS_NOT_DONE: &str = "outcome left alone: the case's steps are not marked done, so this failure may only mean they were not done yet";

/// The plan the session belongs to, for the commands that act on every case (capabilities,
/// imports, reconciling).
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub plan: &'a Plan,
    pub reqs: &'a Requirements,
}

/// A case's outcome and who set it, as a check saw it when it started: the check records its
/// verdict only if the case still stands so when it ends.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Standing {
    pub outcome: Outcome,
    pub automatic: bool,
    pub skipped_for: Option<String>,
    pub decided: Option<Decided>,
}

impl Standing {
    /// An outcome a person (or a capability declaration) decided: a check leaves it alone.
    pub fn is_persons(&self) -> bool {
        self.outcome != Outcome::NotRun && (!self.automatic || self.skipped_for.is_some())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A person's outcome (the reason is kept for Blocked and Skipped) and, when given, the
    /// note: one change, undone whole.
    Mark {
        case: String,
        outcome: Outcome,
        reason: Option<String>,
        note: Option<String>,
    },
    /// The note. With `was` (the note the writer started from), refused when the note changed
    /// since; without, it replaces whatever is there.
    Note {
        case: String,
        note: String,
        was: Option<String>,
    },
    Step {
        case: String,
        step: usize,
        ticked: bool,
    },
    /// An entry checked (and its file copied) by `evidence::attach`; the same file attached
    /// twice to a case is recorded once.
    Attach {
        case: String,
        evidence: Evidence,
    },
    /// Removes that entry (its copy stays in the folder, so undo brings it back whole).
    Detach {
        case: String,
        evidence: Evidence,
    },
    /// Declares capabilities supported or not (their cases skipped or restored) and, with
    /// `confirm`, the declaration as made.
    Capabilities {
        changes: Vec<(String, bool)>,
        confirm: bool,
    },
    /// A completed workbook's results, declarations, links and evidence: one change.
    Import(Box<Import>),
    /// Takes back the latest change of the writer's kind (`target` is filled in when the
    /// command is first applied, so applying it again after another writer saved acts on the
    /// same change).
    Undo {
        target: Option<u64>,
    },
    Redo {
        target: Option<u64>,
    },
    /// Time the case was open in the checklist (adds up; not undoable).
    TimeSpent {
        case: String,
        seconds: u64,
    },
    /// The case the checklist has selected, to resume there.
    LastCase(Option<String>),
    /// The tester's and the app's names (`None` leaves one as it is); `asked` records that the
    /// checklist's question was answered or skipped.
    Identity {
        tester: Option<String>,
        app: Option<String>,
        asked: bool,
    },
    SuiteLink {
        suite: SuiteKind,
        link: String,
    },
    Connection(Option<Connection>),
    OktaConnection(Option<OktaConnection>),
    /// An input typed once and reused (`user`, `group`, `members`...); empty forgets it.
    Subject {
        name: String,
        value: String,
    },
    /// A finished check: see the module's rules.
    RecordRun {
        run: Box<VerifyRun>,
        started_with: Standing,
        replace: bool,
    },
    RecordStart {
        case: String,
        start: CaseStart,
    },
    RecordSpec(Box<SpecReport>),
    RecordCrud(Box<CrudReport>),
    /// How the integration is built, as the tester declares it (`None` forgets the
    /// declaration; the plan's profile decides for a workbook it knows).
    Integration(Option<IntegrationKind>),
    /// The entitlement endpoints Okta's Entitlements file runs against (`/Roles`...).
    EntitlementEndpoints(Vec<String>),
    /// A test scimplan made (or gave Okta's file again) in the tester's BlazeMeter bucket:
    /// reused by the next hosted run of that suite in that bucket.
    HostedTest(HostedTest),
    /// A hosted run's result, kept beside its suite (the link is a `SuiteLink` of its own, once
    /// the tester made the result shareable).
    RecordHosted(Box<HostedRun>),
    /// Matches the results to the plan after the workbook may have changed.
    Reconcile,
}

/// What a command asked for but was not done, and why: shown to the tester as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    NothingToUndo,
    NothingToRedo,
    /// An undo or redo whose change no longer stands: `what` was changed `since`.
    ChangedSince {
        verb: &'static str,
        what: String,
        since: String,
    },
    /// A check's verdict not recorded over an outcome someone decided.
    KeptOutcome {
        case: String,
        kept: Outcome,
        /// "recorded 12:14:03 by `scimplan mark`", when known.
        by: Option<String>,
        check: Verdict,
        /// The outcome changed while the check ran (rather than being set before it).
        during_check: bool,
    },
    /// A note that changed since the writer read it.
    NoteChanged {
        case: String,
        theirs: String,
    },
    NoSuchEvidence {
        case: String,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NothingToUndo => f.write_str("Nothing to undo."),
            Refusal::NothingToRedo => f.write_str("Nothing to redo."),
            Refusal::ChangedSince { verb, what, since } => {
                let since = if since.is_empty() {
                    "since".to_string()
                } else {
                    since.clone()
                };
                write!(f, "{what} was changed {since}; not {verb}.")
            }
            Refusal::KeptOutcome {
                case,
                kept,
                by,
                check,
                during_check,
            } => {
                let by = by.as_deref().map(|b| format!(" ({b})")).unwrap_or_default();
                let when = if *during_check {
                    "it was set while the check ran"
                } else {
                    "a check does not replace a person's outcome unless asked to"
                };
                write!(
                    f,
                    "{case}: kept your {kept}{by}; the app now says {}. The run is kept; {when}.",
                    check.label()
                )
            }
            Refusal::NoteChanged { case, .. } => write!(
                f,
                "{case}: the note was changed by another writer since it was opened; not saved."
            ),
            Refusal::NoSuchEvidence { case } => {
                write!(f, "{case}: that evidence entry is no longer there.")
            }
        }
    }
}

/// What applying a command did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effect {
    /// The session changed (the store then has something to save).
    pub changed: bool,
    /// The change in words (the history entry's description when one was logged).
    pub description: String,
    /// What was asked for but not done, and why.
    pub refused: Option<Refusal>,
    /// The outcome a check recorded.
    pub recorded: Option<Outcome>,
    /// What an import took in.
    pub import: Option<Box<ImportReport>>,
}

impl Effect {
    fn changed(changed: bool, description: impl Into<String>) -> Effect {
        Effect {
            changed,
            description: description.into(),
            ..Effect::default()
        }
    }

    fn refused(refusal: Refusal) -> Effect {
        Effect {
            refused: Some(refusal),
            ..Effect::default()
        }
    }
}

impl Command {
    /// A change the tester makes (counted as unsaved, asked about when quitting), as opposed to
    /// bookkeeping (the selected case, names from the command line, reconciling), which is saved
    /// with the next change.
    pub fn is_bookkeeping(&self) -> bool {
        matches!(
            self,
            Command::LastCase(_) | Command::Reconcile | Command::TimeSpent { .. }
        )
    }

    /// The cases this command changes, for "not saved" messages.
    pub fn cases(&self) -> Vec<&str> {
        match self {
            Command::Mark { case, .. }
            | Command::Note { case, .. }
            | Command::Step { case, .. }
            | Command::Attach { case, .. }
            | Command::Detach { case, .. }
            | Command::TimeSpent { case, .. }
            | Command::RecordStart { case, .. } => vec![case.as_str()],
            Command::RecordRun { run, .. } => vec![run.case.as_str()],
            _ => Vec::new(),
        }
    }
}

impl Session {
    /// Where a case stands now, as a check records it when it starts.
    pub fn standing(&self, case: &str) -> Standing {
        self.results
            .get(case)
            .map(|r| Standing {
                outcome: r.outcome,
                automatic: r.automatic,
                skipped_for: r.skipped_for.clone(),
                decided: r.decided.clone(),
            })
            .unwrap_or_default()
    }

    /// Applies `command` made by `writer`, as history entry `id` when it logs one. `command` is
    /// completed on the way (an undo learns which change it takes back), so applying the same
    /// command again to another copy of the session acts on the same things.
    pub fn apply_as(
        &mut self,
        command: &mut Command,
        writer: &Writer,
        id: u64,
        scope: Scope<'_>,
    ) -> Effect {
        match command {
            Command::Mark {
                case,
                outcome,
                reason,
                note,
            } => self.mark(writer, id, case, *outcome, reason.clone(), note.clone()),
            Command::Note { case, note, was } => {
                let current = self.note(case);
                if current == note.as_str() {
                    return Effect::changed(false, format!("{case}: note"));
                }
                if let Some(was) = was
                    && current != was.as_str()
                {
                    return Effect::refused(Refusal::NoteChanged {
                        case: case.clone(),
                        theirs: current.to_string(),
                    });
                }
                let (id_, note) = (case.clone(), note.clone());
                let changed = self.record(
                    writer,
                    id,
                    format!("{case}: note"),
                    &[case],
                    Touches::default(),
                    |s| s.touch(writer, &id_, |r| r.note = note),
                );
                Effect::changed(changed, format!("{case}: note"))
            }
            Command::Step { case, step, ticked } => {
                let (id_, step, ticked) = (case.clone(), *step, *ticked);
                let description = format!(
                    "{case}: step {} {}",
                    step + 1,
                    if ticked { "ticked" } else { "unticked" }
                );
                let already = self
                    .result(case)
                    .is_some_and(|r| r.steps_checked.contains(&step));
                if already == ticked {
                    return Effect::changed(false, description);
                }
                let changed = self.record(
                    writer,
                    id,
                    description.clone(),
                    &[case],
                    Touches::default(),
                    |s| {
                        s.touch(writer, &id_, |r| {
                            if ticked {
                                r.steps_checked.insert(step);
                            } else {
                                r.steps_checked.remove(&step);
                            }
                        })
                    },
                );
                Effect::changed(changed, description)
            }
            Command::Attach { case, evidence } => {
                let description = format!("{case}: evidence {}", evidence.name());
                let already = self.result(case).is_some_and(|r| {
                    r.evidence.iter().any(|e| match (&e.file, &evidence.file) {
                        (Some(a), Some(b)) => a.sha256 == b.sha256,
                        (None, None) => e.reference == evidence.reference,
                        _ => false,
                    })
                });
                if already {
                    return Effect::changed(false, description);
                }
                let (id_, entry) = (case.clone(), evidence.clone());
                let changed = self.record(
                    writer,
                    id,
                    description.clone(),
                    &[case],
                    Touches::default(),
                    |s| s.touch(writer, &id_, |r| r.evidence.push(entry)),
                );
                Effect::changed(changed, description)
            }
            Command::Detach { case, evidence } => {
                let description = format!("{case}: removed evidence {}", evidence.name());
                let Some(index) = self
                    .result(case)
                    .and_then(|r| r.evidence.iter().position(|e| e == evidence))
                else {
                    return Effect::refused(Refusal::NoSuchEvidence { case: case.clone() });
                };
                let id_ = case.clone();
                let changed = self.record(
                    writer,
                    id,
                    description.clone(),
                    &[case],
                    Touches::default(),
                    |s| {
                        s.touch(writer, &id_, |r| {
                            r.evidence.remove(index);
                        })
                    },
                );
                Effect::changed(changed, description)
            }
            Command::Capabilities { changes, confirm } => {
                let description = changes
                    .iter()
                    .map(|(k, on)| format!("{k} {}", if *on { "supported" } else { "unsupported" }))
                    .collect::<Vec<_>>()
                    .join(", ");
                let description = match description.is_empty() {
                    true => "capabilities confirmed".to_string(),
                    false => description,
                };
                let ids: Vec<&str> = scope.plan.cases.iter().map(|c| c.id.as_str()).collect();
                let (changes, confirm) = (changes.clone(), *confirm);
                let touches = Touches {
                    capabilities: true,
                    settings: true,
                };
                let changed = self.record(writer, id, description.clone(), &ids, touches, |s| {
                    for (key, supported) in changes {
                        s.capabilities.insert(key, supported);
                    }
                    if confirm {
                        s.capabilities_confirmed = true;
                    }
                    s.apply_capabilities(scope.plan, scope.reqs);
                });
                Effect::changed(changed, description)
            }
            Command::Import(import) => self.import(writer, id, import, scope),
            Command::Undo { .. } | Command::Redo { .. } => {
                let redo = matches!(command, Command::Redo { .. });
                let target = match (command_target(command), redo) {
                    (Some(target), _) => target,
                    (None, false) => match self.undo_target(writer) {
                        Some(target) => target,
                        None => return Effect::refused(Refusal::NothingToUndo),
                    },
                    (None, true) => match self.redo_target(writer) {
                        Some(target) => target,
                        None => return Effect::refused(Refusal::NothingToRedo),
                    },
                };
                set_target(command, target);
                let logged = self.history.len();
                match self.walk(writer, id, target, redo) {
                    Ok(description) => Effect::changed(true, description),
                    // A refusal of a change that no longer stands is logged (the change leaves
                    // the lists): that is something to save too.
                    Err(refusal) => Effect {
                        changed: self.history.len() != logged,
                        refused: Some(refusal),
                        ..Effect::default()
                    },
                }
            }
            Command::TimeSpent { case, seconds } => {
                if *seconds == 0 {
                    return Effect::default();
                }
                self.results
                    .entry(case.clone())
                    .or_default()
                    .time_spent_secs += *seconds;
                Effect::changed(true, format!("{case}: time spent"))
            }
            Command::LastCase(case) => {
                let changed = self.last_case != *case;
                self.last_case = case.clone();
                Effect::changed(changed, "selected case")
            }
            Command::Identity { tester, app, asked } => {
                let before = (
                    self.tester.clone(),
                    self.app_name.clone(),
                    self.identity_asked,
                );
                if let Some(tester) = tester {
                    self.tester = Some(tester.clone()).filter(|t| !t.trim().is_empty());
                }
                if let Some(app) = app {
                    self.app_name = Some(app.clone()).filter(|a| !a.trim().is_empty());
                }
                self.identity_asked |= *asked;
                let after = (
                    self.tester.clone(),
                    self.app_name.clone(),
                    self.identity_asked,
                );
                Effect::changed(before != after, "tester and app")
            }
            Command::SuiteLink { suite, link } => {
                let slot = self.suites.slot(*suite);
                let changed = slot.as_deref() != Some(link.as_str());
                *slot = Some(link.clone());
                Effect::changed(changed, "suite link")
            }
            Command::Connection(connection) => {
                let changed = self.verify.connection != *connection;
                self.verify.connection = connection.clone();
                Effect::changed(changed, "SCIM connection")
            }
            Command::OktaConnection(okta) => {
                let changed = self.verify.okta != *okta;
                self.verify.okta = okta.clone();
                Effect::changed(changed, "Okta connection")
            }
            Command::Subject { name, value } => {
                // An empty value forgets the input.
                let changed = match value.is_empty() {
                    true => self.verify.subjects.remove(name.as_str()).is_some(),
                    false => {
                        self.verify.subjects.insert(name.clone(), value.clone())
                            != Some(value.clone())
                    }
                };
                Effect::changed(changed, format!("input {name}"))
            }
            Command::RecordRun {
                run,
                started_with,
                replace,
            } => self.record_run(writer, id, (**run).clone(), started_with, *replace),
            Command::RecordStart { case, start } => {
                self.verify.started.insert(case.clone(), start.clone());
                Effect::changed(true, format!("{case}: started"))
            }
            Command::RecordSpec(report) => {
                self.suite_runs.push(report.suite_run());
                if let Some(run) = entitlements_run(report) {
                    self.suite_runs.push(run);
                }
                self.verify.last_spec = Some((**report).clone());
                Effect::changed(true, "SPEC run")
            }
            Command::Integration(kind) => {
                let changed = self.declared.integration != *kind;
                self.declared.integration = *kind;
                Effect::changed(changed, "kind of integration")
            }
            Command::EntitlementEndpoints(endpoints) => {
                let changed = self.declared.entitlement_endpoints != *endpoints;
                self.declared.entitlement_endpoints = endpoints.clone();
                Effect::changed(changed, "entitlement endpoints")
            }
            Command::HostedTest(test) => {
                let tests = &mut self.hosted.tests;
                let changed = !tests.contains(test);
                tests.retain(|t| !(t.suite == test.suite && t.bucket == test.bucket));
                tests.push(test.clone());
                self.hosted.bucket = Some(test.bucket.clone());
                Effect::changed(changed, format!("{} test in BlazeMeter", test.suite.key()))
            }
            Command::RecordHosted(run) => {
                let runs = &mut self.hosted.runs;
                runs.retain(|r| !(r.suite == run.suite && r.run_id == run.run_id));
                runs.push((**run).clone());
                let of_suite = runs.iter().filter(|r| r.suite == run.suite).count();
                let mut to_drop = of_suite.saturating_sub(HOSTED_RUNS_KEPT);
                runs.retain(|r| {
                    let drop = to_drop > 0 && r.suite == run.suite;
                    to_drop -= usize::from(drop);
                    !drop
                });
                Effect::changed(true, format!("hosted {} run", run.suite.key()))
            }
            Command::RecordCrud(report) => {
                for older in self
                    .suite_runs
                    .iter_mut()
                    .filter(|r| r.suite == SuiteKind::Crud)
                {
                    older.crud = None;
                }
                let mut run = report.suite_run();
                run.crud = Some(report.clone());
                self.suite_runs.push(run);
                Effect::changed(true, "CRUD run")
            }
            Command::Reconcile => {
                let changed = self.reconcile(scope.plan, scope.reqs).changed;
                Effect::changed(changed, "plan matched")
            }
        }
    }

    /// Applies `command` as a new change by `writer` (tests, and sessions held in memory only).
    pub fn apply(&mut self, mut command: Command, writer: &Writer, scope: Scope<'_>) -> Effect {
        self.apply_as(&mut command, writer, new_entry_id(), scope)
    }

    /// Changes a case's result as `writer`, stamping when and who (and the tester's name).
    pub(super) fn touch(
        &mut self,
        writer: &Writer,
        case_id: &str,
        edit: impl FnOnce(&mut CaseResult),
    ) {
        let tester = self.tester.clone();
        let result = self.results.entry(case_id.to_string()).or_default();
        let verdict_before = (result.outcome, result.reason.clone(), result.automatic);
        edit(result);
        let now = Utc::now();
        result.updated_at = Some(now);
        if (result.outcome, result.reason.clone(), result.automatic) != verdict_before {
            result.decided = Some(Decided {
                by: writer.clone(),
                at: now,
            });
        }
        if tester.is_some() {
            result.tester = tester;
        }
        if result.is_empty() {
            self.results.remove(case_id);
        }
    }

    fn set_outcome(
        &mut self,
        writer: &Writer,
        case_id: &str,
        outcome: Outcome,
        reason: Option<String>,
        automatic: bool,
    ) {
        self.touch(writer, case_id, |r| {
            r.outcome = outcome;
            r.reason = match outcome {
                Outcome::Skipped | Outcome::Blocked => reason,
                _ => None,
            };
            r.automatic = automatic;
            // An explicit mark overrides a capability skip.
            r.skipped_for = None;
            r.before_skip = None;
        });
    }

    fn mark(
        &mut self,
        writer: &Writer,
        id: u64,
        case: &str,
        outcome: Outcome,
        reason: Option<String>,
        note: Option<String>,
    ) -> Effect {
        let mut description = format!("{case}: {outcome}");
        if note.as_deref().is_some_and(|n| n != self.note(case)) {
            description.push_str(" with a note");
        }
        let changed = self.record(
            writer,
            id,
            description.clone(),
            &[case],
            Touches::default(),
            |s| {
                s.set_outcome(writer, case, outcome, reason, false);
                if let Some(note) = note {
                    s.touch(writer, case, |r| r.note = note);
                }
            },
        );
        Effect::changed(changed, description)
    }

    /// Keeps a run, and records its verdict as the case's outcome when the rules allow.
    fn record_run(
        &mut self,
        writer: &Writer,
        id: u64,
        mut run: VerifyRun,
        started_with: &Standing,
        replace: bool,
    ) -> Effect {
        let case = run.case.clone();
        let mut effect = Effect::changed(true, format!("{case}: check {}", run.verdict.label()));
        let mut proposed = run.verdict.outcome();
        if proposed == Some(Outcome::Fail) && !run.steps_done {
            proposed = None;
            run.outcome_left = Some(STEPS_NOT_DONE.to_string());
        }
        if let Some(outcome) = proposed {
            let now = self.standing(&case);
            let during_check = now != *started_with;
            if now.outcome == outcome {
                // Already so (a person's agreeing outcome stays theirs).
            } else if during_check || (now.is_persons() && !replace) {
                let refusal = Refusal::KeptOutcome {
                    case: case.clone(),
                    kept: now.outcome,
                    by: now
                        .decided
                        .as_ref()
                        .map(|d| format!("recorded {} by {}", local_time(d.at), d.by)),
                    check: run.verdict,
                    during_check,
                };
                run.outcome_left = Some(refusal.to_string());
                effect.refused = Some(refusal);
            } else if self.record(
                writer,
                id,
                format!("{case}: {outcome}"),
                &[&case],
                Touches::default(),
                |s| s.set_outcome(writer, &case, outcome, None, true),
            ) {
                effect.recorded = Some(outcome);
                effect.description = format!("{case}: {outcome}");
            }
        }
        if run.verdict == Verdict::Pass {
            for (name, capture) in &run.remember {
                if let Some(value) = run.captured.get(capture) {
                    self.verify.remembered.insert(
                        remembered_key(name, run.subject.as_deref()),
                        RememberedValue {
                            value: value.clone(),
                            case: case.clone(),
                            at: run.at,
                            subject: run.subject.clone(),
                        },
                    );
                }
            }
        }
        let runs = &mut self.verify.runs;
        runs.push(run);
        let of_case = runs.iter().filter(|r| r.case == case).count();
        if of_case > RUNS_KEPT_PER_CASE {
            let mut to_drop = of_case - RUNS_KEPT_PER_CASE;
            runs.retain(|r| {
                if to_drop > 0 && r.case == case {
                    to_drop -= 1;
                    false
                } else {
                    true
                }
            });
        }
        effect
    }
}

/// The Entitlements file's runs of a SPEC report (one per endpoint) as one suite run, shown
/// beside the Entitlements link.
fn entitlements_run(report: &SpecReport) -> Option<SuiteRun> {
    let first = report.entitlements.first()?;
    let runs = &report.entitlements;
    Some(SuiteRun {
        suite: SuiteKind::Entitlements,
        at: first.at,
        target: runs
            .iter()
            .map(|r| r.target.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        passed: runs.iter().all(|r| r.passed()),
        checks: runs.iter().map(|r| r.requests().count()).sum(),
        failures: runs.iter().map(|r| r.failures()).sum(),
        warnings: runs.iter().map(|r| r.warnings()).sum(),
        duration_ms: runs.iter().map(|r| r.duration_ms).sum(),
        file: Some(first.file.name.clone()),
        sha256: Some(first.file.sha256.clone()),
        crud: None,
    })
}

fn command_target(command: &Command) -> Option<u64> {
    match command {
        Command::Undo { target } | Command::Redo { target } => *target,
        _ => None,
    }
}

fn set_target(command: &mut Command, id: u64) {
    if let Command::Undo { target } | Command::Redo { target } = command {
        *target = Some(id);
    }
}

/// A time of day in the tester's time zone, as messages show it.
pub(super) fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%H:%M:%S")
        .to_string()
}
