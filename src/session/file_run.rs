//! A run of one of Okta's Runscope test files (SPEC, CRUD, Entitlements), as the session keeps it:
//! which file (and its SHA-256), every step with every attempt and assertion, the variables the
//! run used (secrets redacted). `verify::runscope` fills it; readiness, export and the checklist
//! read it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::verification::RequestRecord;

/// Which file was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    /// The test's own name, e.g. `Okta SCIM 2.0 SPEC Test`.
    pub name: String,
    /// The path it was read from.
    pub path: String,
    pub sha256: String,
    /// The SHA-256 the profile pins for Okta's file, when it differs (Okta edited the file, or a
    /// tester's copy was run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepRequirement {
    Required,
    Optional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// Every assertion held (and the script, if any, passed).
    Pass,
    /// A Required step failed: the file fails.
    Fail,
    /// An Optional step failed: a warning, the file still passes.
    Warn,
    /// Marked `skipped` in the file.
    Skipped,
    /// Could not be sent (a variable it needs was never set, cancelled before it).
    NotRun,
    /// A pause step.
    Pause,
}

impl StepStatus {
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::Pass => "PASS",
            StepStatus::Fail => "FAIL",
            StepStatus::Warn => "WARN",
            StepStatus::Skipped => "SKIP",
            StepStatus::NotRun => "NOT RUN",
            StepStatus::Pause => "PAUSE",
        }
    }
}

/// One assertion of a step, as evaluated on the step's last attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssertionResult {
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub property: String,
    pub comparison: String,
    pub expected: String,
    pub actual: String,
    pub passed: bool,
}

impl AssertionResult {
    /// `response_json totalResults equal 0`.
    pub fn describe(&self) -> String {
        let mut text = self.source.clone();
        if !self.property.is_empty() {
            text.push(' ');
            text.push_str(&self.property);
        }
        text.push(' ');
        text.push_str(&self.comparison);
        text
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// 1-based position in the file, pauses counted, as Runscope numbers steps.
    pub position: usize,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub requirement: StepRequirement,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub method: String,
    /// The URL as sent (secrets redacted).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// Why the step was not run, or what went wrong beside the assertions (no answer, a 429 the
    /// file sees as is, a script that was not run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<AssertionResult>,
    /// Every request made for this step: one, or one per polling attempt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<RequestRecord>,
    /// A pause's length in the file, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_seconds: Option<f64>,
    /// What became of the pause, or how long the polling after it really waited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<String>,
    /// Variables the step set (secrets redacted).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables_set: BTreeMap<String, String>,
    /// What the step's scripts logged (`log`, `console.log`), a line per call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
    /// The step failed right after a pause scimplan shortened, and was sent again with the
    /// pause waited in full, as Runscope waits it: what became of that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    pub duration_ms: u64,
}

impl StepRecord {
    /// `step 3: Required Test: Get Users/{{id}}` or `step 2: pause 5 s`.
    pub fn title(&self) -> String {
        match self.status {
            StepStatus::Pause => format!(
                "step {}: pause {} s",
                self.position,
                self.pause_seconds.unwrap_or_default()
            ),
            _ if self.note.trim().is_empty() => {
                format!("step {}: {} {}", self.position, self.method, self.url)
            }
            _ => format!("step {}: {}", self.position, self.note.trim()),
        }
    }

    pub fn failed_assertions(&self) -> impl Iterator<Item = &AssertionResult> {
        self.assertions.iter().filter(|a| !a.passed)
    }

    /// What went wrong, a line each: every failed assertion (`...: expected X, got Y`), then
    /// the step's problems.
    pub fn what_failed(&self) -> Vec<String> {
        self.failed_assertions()
            .map(|a| {
                format!(
                    "{}: expected {}, got {}",
                    a.describe(),
                    a.expected,
                    a.actual
                )
            })
            .chain(self.problems.iter().cloned())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRun {
    pub file: FileRef,
    /// The base URL(s) the file was run against.
    pub target: String,
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    /// The variables the run started with (random test values, URLs; secrets redacted), so the
    /// tester can find what the run created.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    pub steps: Vec<StepRecord>,
    pub cancelled: bool,
    /// The app could not be reached at all: the run stopped, and says nothing about the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    /// A credential was refused where the file first uses it: the run stopped there, and says
    /// nothing about the app. Names what to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// How this run came to be, when it is not the first one (a failure after a shortened
    /// pause confirmed with every pause waited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl FileRun {
    pub fn requests(&self) -> impl Iterator<Item = &StepRecord> {
        self.steps.iter().filter(|s| s.status != StepStatus::Pause)
    }

    /// Required steps that failed or could not run: each one fails the file.
    pub fn failures(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| {
                s.requirement == StepRequirement::Required
                    && matches!(s.status, StepStatus::Fail | StepStatus::NotRun)
            })
            .count()
    }

    /// Optional steps that failed.
    pub fn warnings(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.status == StepStatus::Warn)
            .count()
    }

    /// Okta's verdict: every Required step passed (Optional failures are warnings).
    pub fn passed(&self) -> bool {
        !self.cancelled
            && self.unreachable.is_none()
            && self.refused.is_none()
            && self.failures() == 0
    }

    /// `passed`, `failed`, `cancelled` or `could not run`.
    pub fn verdict(&self) -> &'static str {
        if self.cancelled {
            "cancelled"
        } else if self.unreachable.is_some() || self.refused.is_some() {
            "could not run"
        } else if self.passed() {
            "passed"
        } else {
            "failed"
        }
    }

    /// `12 requests, 0 failed, 1 warning(s), 0.09 s`.
    pub fn counts(&self) -> String {
        format!(
            "{} requests, {} failed, {} warning(s), {:.2} s",
            self.requests().count(),
            self.failures(),
            self.warnings(),
            self.duration_ms as f64 / 1000.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::SuiteRun;
    use super::super::verification::SpecReport;
    use super::*;

    /// Sessions written before scimplan ran Okta's file keep opening: their SPEC report has no
    /// `file` (it is no run of Okta's file, so it does not pass), their suite runs no file name.
    #[test]
    fn sessions_from_before_okta_files_still_read() {
        let old_report = r#"{"target":"http://x","at":"2026-11-01T10:00:00Z","checks":[
            {"name":"1. GET /Users","required":true,"status":"pass","detail":[],"requests":[],"duration_ms":3}],
            "created_user":null,"created_id":null,"deactivated":false,"cancelled":false,"duration_ms":9}"#;
        let report: SpecReport = serde_json::from_str(old_report).unwrap();
        assert!(report.file.is_none());
        assert!(!report.passed(), "no run of Okta's file");
        assert_eq!(report.failures(), 0);
        let old_run = r#"{"suite":"spec","at":"2026-11-01T10:00:00Z","target":"http://x",
            "passed":true,"checks":16,"failures":0,"duration_ms":9}"#;
        let run: SuiteRun = serde_json::from_str(old_run).unwrap();
        assert_eq!((run.file, run.sha256), (None, None));
    }

    fn step(position: usize, requirement: StepRequirement, status: StepStatus) -> StepRecord {
        StepRecord {
            position,
            note: String::new(),
            requirement,
            status,
            method: "GET".into(),
            url: "http://x/Users".into(),
            problems: Vec::new(),
            assertions: Vec::new(),
            attempts: Vec::new(),
            pause_seconds: None,
            wait: None,
            variables_set: BTreeMap::new(),
            log: Vec::new(),
            confirmation: None,
            duration_ms: 1,
        }
    }

    /// Okta's verdict: Required steps only; a Required step that could not run fails the file,
    /// an Optional failure is a warning, pauses and skipped steps count for nothing.
    #[test]
    fn the_verdict_is_the_required_steps() {
        use StepRequirement::{Optional, Required};
        let mut run = FileRun {
            file: FileRef {
                name: "t".into(),
                path: "t.json".into(),
                sha256: "0".into(),
                expected_sha256: None,
            },
            target: "http://x".into(),
            at: Utc::now(),
            duration_ms: 1,
            variables: BTreeMap::new(),
            steps: vec![
                step(1, Required, StepStatus::Pass),
                step(2, Required, StepStatus::Pause),
                step(3, Optional, StepStatus::Warn),
                step(4, Required, StepStatus::Skipped),
            ],
            cancelled: false,
            unreachable: None,
            refused: None,
            notes: Vec::new(),
        };
        assert!(run.passed());
        assert_eq!((run.failures(), run.warnings()), (0, 1));
        assert_eq!(run.requests().count(), 3);
        run.steps.push(step(5, Required, StepStatus::NotRun));
        assert!(!run.passed());
        assert_eq!(run.verdict(), "failed");
        run.steps.pop();
        run.cancelled = true;
        assert!(!run.passed());
        assert_eq!(run.verdict(), "cancelled");
    }
}

/// A run of Okta's CRUD file: the run, the Okta user the file created, what the clean-up
/// removed, and Okta's refusals in its own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrudReport {
    pub run: FileRun,
    /// The login (= email) of the Okta user the file creates.
    pub okta_user: String,
    pub cleanup: CleanUp,
    /// Steps Okta refused, explained: `Okta refused step 2 (...): E0000001: ...`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<String>,
    /// Okta's side of a failed run, read before the clean-up: the app user's sync state and
    /// the System Log since the run started (why provisioning into the app failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta: Option<super::OktaTrail>,
}

/// What the clean-up after a CRUD run did with the Okta user the file created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CleanUp {
    /// Unassigned from the app (when it still was), deactivated and deleted.
    Removed { id: String, unassigned: bool },
    /// No such Okta user existed any more (or the file never created it).
    NothingLeft,
    /// The clean-up could not finish: the user is left in the org.
    Failed { why: String },
}

impl CrudReport {
    /// What the clean-up did, in a sentence.
    pub fn cleanup_line(&self) -> String {
        let login = &self.okta_user;
        match &self.cleanup {
            CleanUp::Removed { id, unassigned } => format!(
                "Okta user {login} ({id}) {}deactivated and deleted.",
                if *unassigned { "unassigned, " } else { "" }
            ),
            CleanUp::NothingLeft => format!("no Okta user {login} was left to remove."),
            CleanUp::Failed { why } => format!(
                "failed: {why}. Remove the Okta user {login} by hand (Directory > People: deactivate, then delete)."
            ),
        }
    }

    /// The summary kept in `Session::suite_runs`, shown beside the Runscope CRUD link.
    pub fn suite_run(&self) -> super::SuiteRun {
        let run = &self.run;
        super::SuiteRun {
            suite: super::SuiteKind::Crud,
            at: run.at,
            target: run.target.clone(),
            passed: run.passed(),
            checks: run.requests().count(),
            failures: run.failures(),
            warnings: run.warnings(),
            duration_ms: run.duration_ms,
            file: Some(run.file.name.clone()),
            sha256: Some(run.file.sha256.clone()),
            crud: None,
        }
    }
}
