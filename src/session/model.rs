use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::history::HistoryEntry;
use super::writer::Writer;
use crate::plan::Plan;
use crate::plan::profile::Requirements;

pub const SCHEMA_VERSION: u32 = 1;

/// The result of a case. Anchors: TestRail's Untested/Passed/Failed/Blocked, plus Skipped for
/// cases of features the integration does not support.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    #[default]
    NotRun,
    Pass,
    Fail,
    Blocked,
    Skipped,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::NotRun,
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Blocked,
        Outcome::Skipped,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Outcome::NotRun => "Not run",
            Outcome::Pass => "Pass",
            Outcome::Fail => "Fail",
            Outcome::Blocked => "Blocked",
            Outcome::Skipped => "Skipped",
        }
    }

    /// The words `mark` accepts (each also in other spellings: "Passed", "p", "not run"...).
    pub const WORDS: &'static str = "pass, fail, blocked, skip, not-run";

    /// Reads an outcome the way testers write it: "pass", "Passed", "p", "not run", "untested",
    /// "n/a"... An empty word (an unset variable) and symbols (`-`, `✓`, `?`) are no outcome:
    /// they mean different things to different people, so they are refused, never guessed. Nor
    /// are "x", "none" or "todo", which some write for done and others for not done.
    pub fn parse(text: &str) -> Option<Outcome> {
        let text = text.trim();
        if !text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '_' | '/'))
        {
            return None;
        }
        let key: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "notrun" | "untested" => Outcome::NotRun,
            "pass" | "passed" | "p" | "ok" => Outcome::Pass,
            "fail" | "failed" | "f" => Outcome::Fail,
            "blocked" | "block" | "b" => Outcome::Blocked,
            "skipped" | "skip" | "s" | "na" | "notapplicable" => Outcome::Skipped,
            _ => return None,
        })
    }

    /// Reads a Result cell of a completed workbook: an empty cell is Not run (nothing recorded),
    /// and the check and cross marks spreadsheets use are taken deliberately (✓ ✔ ☑ Pass,
    /// ✗ ✘ ❌ ✖ Fail); anything else as `parse`.
    pub fn from_cell(text: &str) -> Option<Outcome> {
        let text: String = text.trim().chars().filter(|c| *c != '\u{fe0f}').collect();
        match text.as_str() {
            "" => Some(Outcome::NotRun),
            "✓" | "✔" | "☑" => Some(Outcome::Pass),
            "✗" | "✘" | "❌" | "✖" | "☒" => Some(Outcome::Fail),
            word => Outcome::parse(word),
        }
    }

    /// Counts as done for progress: anything but Not run.
    pub fn is_done(self) -> bool {
        self != Outcome::NotRun
    }

    /// This outcome's place in `Outcome::ALL`, for per-outcome counts.
    pub fn slot(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A file or link the tester attached to a case as proof. Sessions written before files were
/// copied hold bare references (a path, a URL or text) without `file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub added_at: DateTime<Utc>,
    /// The original file's path when attached, or the URL.
    pub reference: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// The copy kept in the evidence folder, for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<super::evidence::EvidenceFile>,
}

/// An outcome put aside while the case's capability is declared unsupported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedOutcome {
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaseResult {
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Why the case was skipped (or blocked), recorded with the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tester: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Indexes of ticked steps (zero-based, plan order).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub steps_checked: BTreeSet<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Seconds the case was open in the checklist.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub time_spent_secs: u64,
    /// Set by an automatic verification rather than a person.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automatic: bool,
    /// The capability whose being unsupported skipped this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_for: Option<String>,
    /// The outcome the case had before that capability was declared unsupported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_skip: Option<SavedOutcome>,
    /// Who set the outcome, and when (kept to say so when a check or an undo leaves it alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<Decided>,
}

/// Who set a case's outcome, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decided {
    pub by: Writer,
    pub at: DateTime<Utc>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl CaseResult {
    /// True when the result holds nothing a tester produced.
    pub fn is_blank(&self) -> bool {
        self.outcome == Outcome::NotRun
            && self.note.is_empty()
            && self.steps_checked.is_empty()
            && self.evidence.is_empty()
            && self.time_spent_secs == 0
    }

    /// True when nothing is worth keeping: blank, and no reason or capability skip either.
    pub fn is_empty(&self) -> bool {
        self.is_blank() && self.reason.is_none() && self.skipped_for.is_none()
    }

    /// Who set the outcome and when, in words ("by `scimplan mark` at 12:14:03"), when known.
    pub fn decided_words(&self) -> Option<String> {
        let decided = self.decided.as_ref()?;
        Some(format!(
            "by {} at {}",
            decided.by,
            super::command::local_time(decided.at)
        ))
    }
}

/// Links to the Runscope SPEC, CRUD and Entitlements results the OIN Wizard asks for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SuiteLinks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crud: Option<String>,
    /// "Link to SCIM Entitlement Management Runscope test results".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<String>,
}

impl SuiteLinks {
    /// The link recorded for `suite`.
    pub fn get(&self, suite: SuiteKind) -> Option<&str> {
        match suite {
            SuiteKind::Spec => self.spec.as_deref(),
            SuiteKind::Crud => self.crud.as_deref(),
            SuiteKind::Entitlements => self.entitlements.as_deref(),
        }
    }

    pub(super) fn slot(&mut self, suite: SuiteKind) -> &mut Option<String> {
        match suite {
            SuiteKind::Spec => &mut self.spec,
            SuiteKind::Crud => &mut self.crud,
            SuiteKind::Entitlements => &mut self.entitlements,
        }
    }
}

/// Okta's API suites, each a Runscope file whose result link the OIN Wizard asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuiteKind {
    Spec,
    Crud,
    /// Okta's Entitlements file, run per entitlement endpoint (entitlement management only).
    Entitlements,
}

impl SuiteKind {
    pub const ALL: [SuiteKind; 3] = [SuiteKind::Spec, SuiteKind::Crud, SuiteKind::Entitlements];

    /// `spec`, `crud`, `entitlements`: as typed on the command line.
    pub fn key(self) -> &'static str {
        match self {
            SuiteKind::Spec => "spec",
            SuiteKind::Crud => "crud",
            SuiteKind::Entitlements => "entitlements",
        }
    }

    pub fn parse(text: &str) -> Option<SuiteKind> {
        SuiteKind::ALL
            .into_iter()
            .find(|s| s.key().eq_ignore_ascii_case(text.trim()))
    }
}

/// A run of scimplan's own equivalent of one of Okta's API suites (counted by readiness in
/// place of a Runscope link).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteRun {
    pub suite: SuiteKind,
    pub at: DateTime<Utc>,
    /// The SCIM base URL the suite ran against.
    pub target: String,
    pub passed: bool,
    pub checks: usize,
    pub failures: usize,
    #[serde(default)]
    pub warnings: usize,
    pub duration_ms: u64,
    /// The Runscope test file run (its own name), for runs of Okta's files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// That file's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The whole CRUD run, step by step, with its Okta user and clean-up: kept on the latest
    /// CRUD run only (`Session::record_crud` drops it from older ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crud: Option<Box<super::file_run::CrudReport>>,
}

/// A record that the workbook changed under the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanChange {
    pub at: DateTime<Utc>,
    pub from_fingerprint: String,
    pub to_fingerprint: String,
    pub new_cases: Vec<String>,
    pub missing_cases: Vec<String>,
}

/// What reopening a session against its workbook found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReconcileReport {
    /// The workbook's fingerprint differs from the one the session was made with.
    pub plan_changed: bool,
    /// Cases of the plan with no result yet that did not exist when the session last saw the plan.
    pub new_cases: Vec<String>,
    /// Results kept for cases the plan no longer has.
    pub missing_cases: Vec<String>,
    /// The undo history in the file was damaged and was dropped (the results are kept): why.
    pub history_dropped: Option<String>,
    /// Reconciling changed the session (the plan, or cases skipped or restored).
    pub changed: bool,
}

/// Everything the tester produced. Its fields are private to `session`: every change is a
/// `Command` (see `command.rs`), applied by `Session::apply` (or, with saving, by the store
/// and the workspace); everyone else reads through the accessors below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub(super) schema: u32,
    /// SHA-256 of the plan the results belong to (for a completed workbook, of the plan it
    /// was exported from: `Plan::source_fingerprint`).
    pub(super) plan_fingerprint: String,
    /// The workbook's file name when the session was made (for messages only).
    #[serde(default)]
    pub(super) plan_file: String,
    #[serde(default)]
    pub(super) app_name: Option<String>,
    #[serde(default)]
    pub(super) tester: Option<String>,
    /// The checklist asked who is testing and which app (answered or skipped): not again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) identity_asked: bool,
    pub(super) created_at: DateTime<Utc>,
    /// Declared support per capability key; a capability not listed counts as supported.
    #[serde(default)]
    pub(super) capabilities: BTreeMap<String, bool>,
    /// The tester has confirmed the capability declaration at least once.
    #[serde(default)]
    pub(super) capabilities_confirmed: bool,
    /// Results by case ID. Cases without an entry are Not run.
    #[serde(default)]
    pub(super) results: BTreeMap<String, CaseResult>,
    #[serde(default)]
    pub(super) suites: SuiteLinks,
    /// scimplan's own SPEC/CRUD suite runs, oldest first.
    #[serde(default)]
    pub(super) suite_runs: Vec<SuiteRun>,
    /// Case IDs of the plan when the session last saw it, to tell new cases from old.
    #[serde(default)]
    pub(super) known_cases: Vec<String>,
    #[serde(default)]
    pub(super) plan_changes: Vec<PlanChange>,
    /// Append-only log of changes, each with its writer; undo and redo walk it (`history.rs`).
    #[serde(default, deserialize_with = "super::history::history_list")]
    pub(super) history: Vec<HistoryEntry>,
    /// The undo and redo lists of sessions written before each change knew its writer: read
    /// only to check an old file's history, never written (the lists are derived from the log).
    #[serde(default, skip_serializing)]
    pub(super) undo_stack: Vec<usize>,
    #[serde(default, skip_serializing)]
    pub(super) redo_stack: Vec<usize>,
    /// The case the checklist had selected when last saved, to resume there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) last_case: Option<String>,
    /// The SCIM connection (not its secret), test subjects and verification runs.
    #[serde(default)]
    pub(super) verify: super::verification::VerifyState,
    /// The integration's kind and entitlement endpoints, as the tester declared them.
    #[serde(default, skip_serializing_if = "is_default")]
    pub(super) declared: super::hosted::Declarations,
    /// Tests scimplan made in BlazeMeter API Monitoring and their hosted results.
    #[serde(default, skip_serializing_if = "is_default")]
    pub(super) hosted: super::hosted::HostedState,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Session {
    pub fn new(plan: &Plan) -> Session {
        Session {
            schema: SCHEMA_VERSION,
            plan_fingerprint: plan.source_fingerprint().to_string(),
            plan_file: plan.file_name(),
            app_name: None,
            tester: None,
            identity_asked: false,
            created_at: Utc::now(),
            capabilities: BTreeMap::new(),
            capabilities_confirmed: false,
            results: BTreeMap::new(),
            suites: SuiteLinks::default(),
            suite_runs: Vec::new(),
            known_cases: plan.cases.iter().map(|c| c.id.clone()).collect(),
            plan_changes: Vec::new(),
            history: Vec::new(),
            undo_stack: Vec::new(),
            redo_stack: Vec::new(),
            last_case: None,
            verify: Default::default(),
            declared: Default::default(),
            hosted: Default::default(),
        }
    }

    pub fn result(&self, case_id: &str) -> Option<&CaseResult> {
        self.results.get(case_id)
    }

    /// Every result, by case ID (cases without an entry are Not run).
    pub fn results(&self) -> &BTreeMap<String, CaseResult> {
        &self.results
    }

    pub fn outcome(&self, case_id: &str) -> Outcome {
        self.results
            .get(case_id)
            .map(|r| r.outcome)
            .unwrap_or_default()
    }

    /// The case's note ("" when it has none).
    pub fn note(&self, case_id: &str) -> &str {
        self.results.get(case_id).map_or("", |r| r.note.as_str())
    }

    pub fn app_name(&self) -> Option<&str> {
        self.app_name.as_deref()
    }

    pub fn tester(&self) -> Option<&str> {
        self.tester.as_deref()
    }

    pub fn identity_asked(&self) -> bool {
        self.identity_asked
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    pub fn plan_fingerprint(&self) -> &str {
        &self.plan_fingerprint
    }

    pub fn plan_file(&self) -> &str {
        &self.plan_file
    }

    /// Declared support per capability key (a capability not listed counts as supported).
    pub fn capabilities(&self) -> &BTreeMap<String, bool> {
        &self.capabilities
    }

    pub fn capabilities_confirmed(&self) -> bool {
        self.capabilities_confirmed
    }

    pub fn suites(&self) -> &SuiteLinks {
        &self.suites
    }

    /// scimplan's own SPEC/CRUD runs, oldest first.
    pub fn suite_runs(&self) -> &[SuiteRun] {
        &self.suite_runs
    }

    pub fn known_cases(&self) -> &[String] {
        &self.known_cases
    }

    pub fn plan_changes(&self) -> &[PlanChange] {
        &self.plan_changes
    }

    /// The log of changes, oldest first.
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    pub fn last_case(&self) -> Option<&str> {
        self.last_case.as_deref()
    }

    /// The connections (never their secrets), test subjects and verification records.
    pub fn verify(&self) -> &super::verification::VerifyState {
        &self.verify
    }

    /// The most recent run of one of scimplan's own suites.
    pub fn latest_suite_run(&self, suite: SuiteKind) -> Option<&SuiteRun> {
        self.suite_runs.iter().rev().find(|r| r.suite == suite)
    }

    /// The latest CRUD run kept whole, if the latest CRUD run has it.
    pub fn latest_crud(&self) -> Option<&super::file_run::CrudReport> {
        self.latest_suite_run(SuiteKind::Crud)?.crud.as_deref()
    }

    /// The integration's kind and entitlement endpoints, as the tester declared them.
    pub fn declarations(&self) -> &super::hosted::Declarations {
        &self.declared
    }

    /// The tests scimplan made in BlazeMeter API Monitoring and their hosted results.
    pub fn hosted(&self) -> &super::hosted::HostedState {
        &self.hosted
    }

    /// The capability was declared supported in so many words. Unlike `is_supported` (a
    /// capability nobody declared counts as supported, so its cases stay to do), what the
    /// integration offers beyond the plan's cases (Entitlement Management's link, Import User
    /// Schema's pre-flight) counts only once declared.
    pub fn declared_supported(&self, capability: &str) -> bool {
        self.capabilities.get(capability) == Some(&true)
    }

    pub fn is_supported(&self, capability: &str) -> bool {
        self.capabilities.get(capability).copied().unwrap_or(true)
    }

    /// A case applies when every capability it needs is declared supported.
    pub fn applies(&self, reqs: &Requirements, case_index: usize) -> bool {
        reqs.needs(case_index).iter().all(|k| self.is_supported(k))
    }

    /// Matches results to the plan by case ID after the workbook may have changed.
    /// Results of cases that disappeared are kept; new cases start as Not run (or Skipped when
    /// their capability is unsupported).
    pub(super) fn reconcile(&mut self, plan: &Plan, reqs: &Requirements) -> ReconcileReport {
        let mut report = ReconcileReport {
            missing_cases: self
                .results
                .iter()
                .filter(|(id, result)| !plan.contains(id) && !result.is_blank())
                .map(|(id, _)| id.clone())
                .collect(),
            ..ReconcileReport::default()
        };
        // A completed workbook of the session's plan is that plan (its Summary names it), so
        // opening one is no change of plan.
        if self.plan_fingerprint != plan.source_fingerprint() {
            report.plan_changed = true;
            let known: std::collections::HashSet<&str> =
                self.known_cases.iter().map(String::as_str).collect();
            report.new_cases = plan
                .cases
                .iter()
                .filter(|c| !known.contains(c.id.as_str()) && !self.results.contains_key(&c.id))
                .map(|c| c.id.clone())
                .collect();
            self.plan_changes.push(PlanChange {
                at: Utc::now(),
                from_fingerprint: self.plan_fingerprint.clone(),
                to_fingerprint: plan.source_fingerprint().to_string(),
                new_cases: report.new_cases.clone(),
                missing_cases: report.missing_cases.clone(),
            });
            self.adopt_plan(plan);
        }
        report.changed = self.apply_capabilities(plan, reqs) || report.plan_changed;
        report
    }

    /// Takes `plan` as the one the results belong to (no change is recorded).
    pub(super) fn adopt_plan(&mut self, plan: &Plan) {
        self.plan_fingerprint = plan.source_fingerprint().to_string();
        self.plan_file = plan.file_name();
        self.known_cases = plan.cases.iter().map(|c| c.id.clone()).collect();
    }

    /// Brings every case in line with the declared capabilities: cases of unsupported ones are
    /// Skipped with the reason; cases whose capabilities are all supported again get back the
    /// outcome they had. Returns whether any case changed.
    pub(super) fn apply_capabilities(&mut self, plan: &Plan, reqs: &Requirements) -> bool {
        let mut changed = false;
        for (index, case) in plan.cases.iter().enumerate() {
            let unsupported = reqs
                .needs(index)
                .iter()
                .find(|k| !self.is_supported(k))
                .cloned();
            match unsupported {
                Some(key) => {
                    let name = reqs
                        .capability(&key)
                        .map(|c| c.name.clone())
                        .unwrap_or_else(|| key.clone());
                    let reason = format!("Capability not supported: {name}");
                    let result = self.results.entry(case.id.clone()).or_default();
                    if result.skipped_for.as_deref() == Some(key.as_str())
                        && result.reason.as_deref() == Some(reason.as_str())
                    {
                        continue;
                    }
                    changed = true;
                    if result.skipped_for.is_none() {
                        result.before_skip = Some(SavedOutcome {
                            outcome: result.outcome,
                            skip_reason: result.reason.clone(),
                        });
                    }
                    result.outcome = Outcome::Skipped;
                    result.reason = Some(reason);
                    result.skipped_for = Some(key);
                }
                None => {
                    if let Some(result) = self.results.get_mut(&case.id)
                        && result.skipped_for.is_some()
                    {
                        changed = true;
                        let saved = result.before_skip.take().unwrap_or(SavedOutcome {
                            outcome: Outcome::NotRun,
                            skip_reason: None,
                        });
                        result.outcome = saved.outcome;
                        result.reason = saved.skip_reason;
                        result.skipped_for = None;
                        if result.is_empty() {
                            self.results.remove(&case.id);
                        }
                    }
                }
            }
        }
        changed
    }
}
