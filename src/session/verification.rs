//! What verification leaves in the session: the connection (never its secret), test subjects,
//! remembered values, every case run with its evidence, and the latest SPEC report. `verify`
//! fills these; the session only stores them, so it never depends on the verifier.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::connection::Connection;
use super::file_run::FileRun;
use super::model::{Outcome, SuiteKind, SuiteRun};

/// Response bodies kept as evidence are cut to this many bytes.
pub const EVIDENCE_BODY_LIMIT: usize = 4096;
/// Runs kept per case; older ones are dropped.
pub const RUNS_KEPT_PER_CASE: usize = 10;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VerifyState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
    /// The tester's Okta org and app instance (never the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta: Option<super::OktaConnection>,
    /// Inputs typed once and reused: `user`, `group`, `members`...
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subjects: BTreeMap<String, String>,
    /// Values captured by a passing run for later cases (e.g. the SCIM id C9293 compares with),
    /// kept per user or group: the key is `name[subject]` (see `remembered_key`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub remembered: BTreeMap<String, RememberedValue>,
    /// What the app held when the tester started a case (before its Okta steps), by case ID:
    /// the SCIM ids and members the case will act on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub started: BTreeMap<String, CaseStart>,
    /// Verification runs, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<VerifyRun>,
    /// The latest SPEC suite run, every check with its requests (older runs keep their summary
    /// in `Session::suite_runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_spec: Option<SpecReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RememberedValue {
    pub value: String,
    /// The case whose run captured it.
    pub case: String,
    pub at: DateTime<Utc>,
    /// The user or group (as the tester named it) the value belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The key a remembered value is kept under: one slot per name and user or group.
pub fn remembered_key(name: &str, subject: Option<&str>) -> String {
    match subject {
        Some(subject) => format!("{name}[{subject}]"),
        None => name.to_string(),
    }
}

/// What the app held when a case was started, observed by the recipe's `before` steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStart {
    pub at: DateTime<Utc>,
    /// The user or group the observation is about; it counts only for that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Captured values (ids; lists comma-separated).
    #[serde(default)]
    pub observed: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every assertion held.
    Pass,
    /// The app's API did not show the expected outcome before the deadline.
    Fail,
    /// The check could not be made (unreachable, credentials refused, missing input).
    Error,
    /// Stopped by the tester.
    Cancelled,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
            Verdict::Cancelled => "CANCELLED",
        }
    }

    /// The case outcome a run of this verdict records (none for errors and cancels).
    pub fn outcome(self) -> Option<Outcome> {
        match self {
            Verdict::Pass => Some(Outcome::Pass),
            Verdict::Fail => Some(Outcome::Fail),
            Verdict::Error | Verdict::Cancelled => None,
        }
    }
}

/// Why a check could not be made or did not finish: the checklist and the CLI match on this,
/// never on the wording of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum RunFailure {
    /// The app could not be reached at all (refused, DNS, TLS).
    Unreachable,
    /// The app took longer to answer than the check's deadline allowed.
    TimedOut,
    /// The app answered 401 or 403: the secret in `secret_env` (or typed) or the scheme is wrong.
    CredentialsRefused { status: u16, secret_env: String },
    /// The tester stopped the check.
    Cancelled,
    /// The check cannot be made as written: an attribute path scimplan cannot read, a value
    /// an earlier step did not capture.
    CannotCheck,
    /// Okta could not be read for the case's Okta side: the token refused, a permission
    /// missing, Okta unreachable (the summary says which, in Okta's words).
    Okta {
        /// Okta refused the token or the service app's sign-in (a typed token is forgotten).
        #[serde(default)]
        credentials_refused: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyRun {
    pub case: String,
    pub at: DateTime<Utc>,
    /// The SCIM base URL checked.
    pub target: String,
    pub verdict: Verdict,
    /// One line for the tester: the first failing assertion or the error.
    pub summary: String,
    /// Why the check could not be made, for an Error or Cancelled verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<RunFailure>,
    /// Polling attempts made.
    pub attempts: u32,
    pub duration_ms: u64,
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// The requests of the last attempt (and any 429s it waited on).
    #[serde(default)]
    pub requests: Vec<RequestRecord>,
    /// The assertions of the last attempt.
    #[serde(default)]
    pub assertions: Vec<AssertionRecord>,
    /// Values captured by the last attempt.
    #[serde(default)]
    pub captured: BTreeMap<String, String>,
    /// Okta's side: System Log events since the case started and the app user's sync state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta: Option<super::OktaTrail>,
    /// The case has an Okta side that this run did not check (no org connected, or no
    /// token), and what checking it would add: the verdict is the SCIM side's alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_not_checked: Option<String>,
    /// Parts of the case's expected result this run did not check, one line each: what no API
    /// can see (only a person can judge it), and what the run could not compare. The verdict
    /// claims nothing about them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<String>,
    /// Why a finished check left the case's outcome alone (steps not marked done, a recheck).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_left: Option<String>,
    /// The recipe's `remember` table (remembered name -> capture), applied by `record_run`.
    #[serde(skip)]
    pub remember: BTreeMap<String, String>,
    /// The user or group remembered values are kept under (`remembered_key`).
    #[serde(skip)]
    pub subject: Option<String>,
    /// The tester marked every step of the case done: a failing check may record Fail.
    #[serde(skip)]
    pub steps_done: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub status: Option<u16>,
    pub duration_ms: u64,
    /// Headers sent that matter as evidence; the credentials are always redacted.
    #[serde(default)]
    pub request_headers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The answer's body, cut to `EVIDENCE_BODY_LIMIT` bytes.
    #[serde(default)]
    pub response_body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssertionRecord {
    /// The step (request) the assertion is about.
    pub step: String,
    /// What was checked, e.g. `Resources[0].active equals true`.
    pub check: String,
    pub expected: String,
    pub actual: String,
    pub passed: bool,
    /// Something the tester should know even when it held (e.g. equal only after Unicode
    /// NFC normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl VerifyState {
    /// How to reach a service both connections lead to (the Runscope API): the CA files of
    /// both, the Okta connection's proxy, else the SCIM one's.
    pub fn shared_network(&self) -> super::NetworkSettings {
        let none = super::NetworkSettings::default();
        let okta = self.okta.as_ref().map(|c| &c.network).unwrap_or(&none);
        let scim = self
            .connection
            .as_ref()
            .map(|c| &c.network)
            .unwrap_or(&none);
        okta.merged(scim)
    }

    /// The latest run of a case.
    pub fn latest_run(&self, case: &str) -> Option<&VerifyRun> {
        self.runs.iter().rev().find(|r| r.case == case)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Not required by Okta: reported, not counted as a failure.
    Warn,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "PASS",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Warn => "WARN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecCheck {
    pub name: String,
    /// Okta requires it; a failure of an optional check is a warning.
    pub required: bool,
    pub status: CheckStatus,
    /// Each problem found, or what was confirmed.
    pub detail: Vec<String>,
    pub requests: Vec<RequestRecord>,
    pub duration_ms: u64,
}

/// A run of `scimplan spec`: Okta's SPEC file (its verdict is the run's), then scimplan's own
/// checks of what Okta's provisioning relies on beyond the SPEC file (reported apart, never
/// changing the verdict), then the deactivation of the user the file created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecReport {
    pub target: String,
    pub at: DateTime<Utc>,
    /// Okta's SPEC file as run, step by step. `None` only in sessions written before scimplan
    /// ran Okta's file (their `checks` were a hand-written approximation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRun>,
    /// What Okta's provisioning relies on beyond the SPEC file: never part of the verdict.
    pub checks: Vec<SpecCheck>,
    /// Okta's Entitlements file, once per entitlement endpoint named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<FileRun>,
    /// The userName of the user the suite created, if it did.
    pub created_user: Option<String>,
    pub created_id: Option<String>,
    /// Ids of duplicates an app created when it should have answered 409 (deactivated too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicate_ids: Vec<String>,
    /// The created user was deactivated at the end.
    pub deactivated: bool,
    /// How the deactivation went: `PATCH active=false answered 204`, or why it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivation: Option<String>,
    /// The requests of the deactivation at the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleanup: Vec<RequestRecord>,
    pub cancelled: bool,
    /// The app could not be reached at all (refused, DNS, TLS): the suite stopped after its
    /// first check, and this run is no SPEC result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    pub duration_ms: u64,
}

/// How a suite run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuiteVerdict {
    Passed,
    Failed,
    Cancelled,
}

impl SuiteVerdict {
    /// `passed`, `failed` or `cancelled`.
    pub fn label(self) -> &'static str {
        match self {
            SuiteVerdict::Passed => "passed",
            SuiteVerdict::Failed => "failed",
            SuiteVerdict::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for SuiteVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl SpecReport {
    /// Okta's SPEC file's Required steps decide it, nothing else.
    pub fn verdict(&self) -> SuiteVerdict {
        if self.cancelled {
            SuiteVerdict::Cancelled
        } else if self.passed() {
            SuiteVerdict::Passed
        } else {
            SuiteVerdict::Failed
        }
    }

    /// `12 requests, 0 failed, 1 warning(s), 0.11 s`.
    pub fn counts(&self) -> String {
        match &self.file {
            Some(file) => format!(
                "{} requests, {} failed, {} warning(s), {:.2} s",
                file.requests().count(),
                self.failures(),
                self.warnings(),
                self.duration_ms as f64 / 1000.0
            ),
            None => format!(
                "{} checks, {} failed, {} warning(s), {:.2} s",
                self.checks.len(),
                self.failures(),
                self.warnings(),
                self.duration_ms as f64 / 1000.0
            ),
        }
    }

    /// `beyond the SPEC file: 5 checks, 1 problem`.
    pub fn extra_counts(&self) -> String {
        let problems = self
            .checks
            .iter()
            .filter(|c| c.status != CheckStatus::Pass)
            .count();
        format!(
            "beyond the SPEC file: {} checks, {problems} problem(s)",
            self.checks.len()
        )
    }

    /// What became of the user the suite created, when it created one.
    pub fn created_user_state(&self) -> Option<String> {
        let user = self.created_user.as_ref()?;
        let how = self
            .deactivation
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        Some(if self.deactivated {
            format!("created user {user}: deactivated at the end{how}")
        } else {
            format!("created user {user}: NOT deactivated{how}: deactivate it in the app")
        })
    }

    /// Required steps of Okta's file that failed (for old sessions: failed checks).
    pub fn failures(&self) -> usize {
        match &self.file {
            Some(file) => file.failures(),
            None => self
                .checks
                .iter()
                .filter(|c| c.status == CheckStatus::Fail)
                .count(),
        }
    }

    /// Optional steps of Okta's file that failed.
    pub fn warnings(&self) -> usize {
        match &self.file {
            Some(file) => file.warnings(),
            None => self
                .checks
                .iter()
                .filter(|c| c.status == CheckStatus::Warn)
                .count(),
        }
    }

    pub fn passed(&self) -> bool {
        !self.cancelled
            && self.unreachable.is_none()
            && self.file.as_ref().is_some_and(FileRun::passed)
    }

    /// The summary kept in `Session::suite_runs`, shown beside the Runscope SPEC link.
    pub fn suite_run(&self) -> SuiteRun {
        SuiteRun {
            suite: SuiteKind::Spec,
            at: self.at,
            target: self.target.clone(),
            passed: self.passed(),
            checks: self
                .file
                .as_ref()
                .map(|f| f.requests().count())
                .unwrap_or(self.checks.len()),
            failures: self.failures(),
            warnings: self.warnings(),
            duration_ms: self.duration_ms,
            file: self.file.as_ref().map(|f| f.file.name.clone()),
            sha256: self.file.as_ref().map(|f| f.file.sha256.clone()),
            crud: None,
        }
    }
}
