//! What the tester declared about the integration beyond the capabilities (its kind, its
//! entitlement endpoints), and what scimplan keeps of hosted runs in BlazeMeter API Monitoring
//! (formerly Runscope): the tests it made in the tester's buckets and the latest results. Never
//! the access token, never a trigger URL (anyone holding one can start runs).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::SuiteKind;
use crate::plan::profile::IntegrationKind;

/// The tester's own declarations about the integration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Declarations {
    /// How the integration is built, as the tester declared it (the plan's profile decides
    /// for a workbook it knows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<IntegrationKind>,
    /// The SCIM endpoints of the integration's entitlements (`/Roles`, `/Licenses`...), relative
    /// to the SCIM base URL: Okta's Entitlements file runs once per endpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlement_endpoints: Vec<String>,
}

/// The tests scimplan made in the tester's account and the hosted results, latest last.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HostedState {
    /// The bucket used last, so it need not be named again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<HostedTest>,
    /// Hosted runs, oldest first, the latest `HOSTED_RUNS_KEPT` per suite.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<HostedRun>,
}

/// Hosted runs kept per suite.
pub const HOSTED_RUNS_KEPT: usize = 5;

impl HostedState {
    /// The test scimplan made for `suite` in `bucket`, when it made one.
    pub fn test(&self, suite: SuiteKind, bucket: &str) -> Option<&HostedTest> {
        self.tests
            .iter()
            .find(|t| t.suite == suite && t.bucket == bucket)
    }

    /// The latest hosted run of `suite`.
    pub fn latest(&self, suite: SuiteKind) -> Option<&HostedRun> {
        self.runs.iter().rev().find(|r| r.suite == suite)
    }

    /// The hosted run whose result page is `link`, when scimplan recorded it.
    pub fn run_for_link(&self, suite: SuiteKind, link: &str) -> Option<&HostedRun> {
        self.runs
            .iter()
            .rev()
            .find(|r| r.suite == suite && r.page == link.trim())
    }
}

/// A test scimplan made in the tester's bucket from one of Okta's files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedTest {
    pub suite: SuiteKind,
    pub bucket: String,
    pub test_id: String,
    /// The file the test was last given (its own name) and its SHA-256.
    pub file: String,
    pub sha256: String,
    pub at: DateTime<Utc>,
}

/// How a hosted run ended, in BlazeMeter's words (`result` of a test run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostedResult {
    Pass,
    Fail,
    Canceled,
    /// Still queued or working when the tester stopped waiting: the run goes on in BlazeMeter.
    Unfinished,
}

impl HostedResult {
    pub fn label(self) -> &'static str {
        match self {
            HostedResult::Pass => "passed",
            HostedResult::Fail => "FAILED",
            HostedResult::Canceled => "canceled",
            HostedResult::Unfinished => "still running (not waited for)",
        }
    }
}

/// A step of a hosted run that did not pass, with what went wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedFailure {
    /// `step 4: GET https://.../Users/...` (or the step's note).
    pub step: String,
    pub problems: Vec<String>,
}

/// One run of a test in BlazeMeter API Monitoring, as its results said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedRun {
    pub suite: SuiteKind,
    pub bucket: String,
    pub test_id: String,
    pub run_id: String,
    pub result: HostedResult,
    /// When scimplan started it.
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// The result page: `https://www.runscope.com/radar/{bucket}/{test}/history/{run}`.
    pub page: String,
    /// The SCIM base URL (and Okta org) it ran against.
    pub target: String,
    /// The file the test holds and its SHA-256.
    pub file: String,
    pub sha256: String,
    pub requests: usize,
    pub assertions_passed: usize,
    pub assertions_failed: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<HostedFailure>,
}

impl HostedRun {
    /// `hosted run passed at 2026-05-01 12:00 UTC, 12 requests`.
    pub fn describe(&self) -> String {
        let counts = match self.result {
            HostedResult::Fail => format!(
                ", {} of {} assertions failed",
                self.assertions_failed,
                self.assertions_failed + self.assertions_passed
            ),
            _ => format!(", {} requests", self.requests),
        };
        format!(
            "hosted run {} at {}{counts}",
            self.result.label(),
            self.at.format("%Y-%m-%d %H:%M UTC")
        )
    }
}
