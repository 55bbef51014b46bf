//! What a verification leaves in the session: the connection settings, the test subjects,
//! remembered values and every run with its evidence. Kept out of `CaseResult` so the undo
//! history does not copy run records.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::connection::{Connection, Exchange, Secret};
use super::spec::SpecReport;
use crate::session::{Outcome, Session};

/// Response bodies kept as evidence are cut to this many bytes.
pub const EVIDENCE_BODY_LIMIT: usize = 4096;
/// Runs kept per case; older ones are dropped.
pub const RUNS_KEPT_PER_CASE: usize = 10;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VerifyState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
    /// Inputs typed once and reused: `user`, `group`, `members`...
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subjects: BTreeMap<String, String>,
    /// Values captured by a passing run for later cases (e.g. the SCIM id C9293 compares with).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub remembered: BTreeMap<String, RememberedValue>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyRun {
    pub case: String,
    pub at: DateTime<Utc>,
    /// The SCIM base URL checked.
    pub target: String,
    pub verdict: Verdict,
    /// One line for the tester: the first failing assertion or the error.
    pub summary: String,
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
    /// The recipe's `remember` table (remembered name -> capture), applied by `record_run`.
    #[serde(skip)]
    pub remember: BTreeMap<String, String>,
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

impl RequestRecord {
    pub fn from_exchange(exchange: &Exchange, auth_header: &str, secret: &Secret) -> RequestRecord {
        RequestRecord {
            method: exchange.method.clone(),
            url: secret.redact(&exchange.url),
            status: exchange.status,
            duration_ms: exchange.duration.as_millis() as u64,
            request_headers: vec![
                format!("{auth_header}: [redacted]"),
                "Accept: application/scim+json".into(),
            ],
            request_body: exchange
                .request_body
                .as_deref()
                .map(|b| cut(&secret.redact(b))),
            content_type: exchange.content_type.clone(),
            response_body: cut(&secret.redact(&exchange.body)),
            error: exchange.error.as_deref().map(|e| secret.redact(e)),
        }
    }
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
}

/// `text` cut to the evidence limit at a character boundary, saying how much was left out.
pub fn cut(text: &str) -> String {
    if text.len() <= EVIDENCE_BODY_LIMIT {
        return text.to_string();
    }
    let mut end = EVIDENCE_BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… [{} more bytes not kept]",
        &text[..end],
        text.len() - end
    )
}

/// Stores a finished run: the run itself, the case outcome (automatic) for a pass or a fail,
/// and on a pass the values the recipe remembers. The note is never touched.
/// Stores a SPEC run: its summary for the readiness verdict, and the whole report as evidence.
pub fn record_spec(session: &mut Session, report: SpecReport) {
    session.suite_runs.push(report.suite_run());
    session.verify.last_spec = Some(report);
}

pub fn record_run(session: &mut Session, run: VerifyRun) -> Option<Outcome> {
    let outcome = run.verdict.outcome();
    if let Some(outcome) = outcome {
        session.set_outcome(&run.case, outcome, None, true);
    }
    if run.verdict == Verdict::Pass {
        for (name, capture) in &run.remember {
            if let Some(value) = run.captured.get(capture) {
                session.verify.remembered.insert(
                    name.clone(),
                    RememberedValue {
                        value: value.clone(),
                        case: run.case.clone(),
                        at: run.at,
                    },
                );
            }
        }
    }
    let runs = &mut session.verify.runs;
    runs.push(run);
    let case = runs.last().map(|r| r.case.clone()).unwrap_or_default();
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
    outcome
}

impl VerifyState {
    /// The latest run of a case.
    pub fn latest_run(&self, case: &str) -> Option<&VerifyRun> {
        self.runs.iter().rev().find(|r| r.case == case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_at_a_character_boundary() {
        let body = "é".repeat(EVIDENCE_BODY_LIMIT);
        let kept = cut(&body);
        assert!(kept.len() < body.len());
        assert!(kept.contains("more bytes not kept"));
        assert_eq!(cut("short"), "short");
    }
}
