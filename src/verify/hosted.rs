//! Okta's files run in BlazeMeter API Monitoring (the hosted Runscope) for the links the OIN
//! Wizard asks for: which file each suite runs (the one scimplan runs locally, checksummed),
//! which initial variables and initial script its environment gets from the session's
//! connections, the test made before reused, the run started and watched until it ends, and
//! what is kept of it. The REST API itself is `runscope::hosted`.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::suite_files::{file_key, script_key};
use crate::net::{CancelFlag, Secret};
use crate::plan::Profile;
use crate::runscope::files::{self, LocalFile};
use crate::runscope::hosted::{ApiMonitoring, HostedError, RunResult, result_page, test_body};
use crate::runscope::initial::{scim_authorization, with_crud_connections};
use crate::runscope::{Variables, sha256_hex};
use crate::session::{
    Connection, HostedFailure, HostedResult, HostedRun, HostedTest, OktaAuth, OktaConnection,
    Session, SuiteKind,
};

/// Why a hosted run cannot start, in the tester's words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotReady(pub String);

/// Everything a hosted run sends, prepared before anything is sent.
#[derive(Debug, Clone)]
pub struct HostedJob {
    pub suite: SuiteKind,
    pub bucket: String,
    /// Okta's file on disk, its SHA-256 and whether it is the profile's.
    pub file: LocalFile,
    /// The test's own name in the file.
    pub file_name: String,
    /// The test given to BlazeMeter: the file's name, description and steps.
    pub body: Value,
    /// The environment's initial variables (they carry the secrets: never printed or kept).
    pub variables: BTreeMap<String, String>,
    /// The environment's initial script (Okta's, as its instructions say to paste it).
    pub script: String,
    /// Every secret the variables carry, redacted from whatever is shown or kept.
    pub secrets: Vec<Secret>,
    /// What the run goes to (the SCIM base URL, and the Okta org for CRUD).
    pub target: String,
    /// The test scimplan made for this suite in this bucket before.
    pub reuse: Option<String>,
    /// Worth saying before the run (an app BlazeMeter's cloud cannot reach, a file that is not
    /// Okta's published one).
    pub warnings: Vec<String>,
}

/// The secrets a hosted run of a suite puts into the environment.
pub struct Secrets<'a> {
    pub scim: &'a Secret,
    /// The Okta API token (the CRUD file sends it as SSWS).
    pub okta: Option<&'a Secret>,
}

impl HostedJob {
    /// Prepares a hosted run of `suite` in `bucket` from the session's connections: Okta's
    /// file and initial script from `dir` (downloaded when absent), the environment's variables
    /// as Okta's instructions ask testers to type them.
    pub fn prepare(
        suite: SuiteKind,
        bucket: &str,
        session: &Session,
        profile: &Profile,
        dir: &Path,
        secrets: Secrets<'_>,
    ) -> Result<HostedJob, NotReady> {
        let connection = session.verify().connection.clone().ok_or_else(|| {
            NotReady("no SCIM connection in this session. Run `scimplan connect PLAN --scim-url URL --auth bearer` first.".into())
        })?;
        let entitlements = session.declared_supported(crate::plan::profile::ENTITLEMENTS);
        let endpoints = &session.declarations().entitlement_endpoints;
        if suite == SuiteKind::Entitlements {
            if !entitlements {
                return Err(NotReady("the Entitlements suite is for integrations that manage entitlements: declare it with `scimplan capabilities PLAN --support entitlements` first.".into()));
            }
            if endpoints.is_empty() {
                return Err(NotReady("no entitlement endpoints known: run Okta's Entitlements file locally first with `scimplan spec PLAN --entitlement-endpoint /Roles` (one per endpoint; remembered).".into()));
            }
        }
        // What the suite needs from the session and the tester, before any file is read.
        let crud = match suite {
            SuiteKind::Crud => {
                let okta = crud_okta(session.verify().okta.as_ref())?;
                let token = secrets.okta.ok_or_else(|| {
                    NotReady(format!(
                        "the Okta API token is not set: export {} (Okta's CRUD file sends it as SSWS).",
                        crate::session::OKTA_TOKEN_ENV
                    ))
                })?;
                Some((okta, token))
            }
            _ => None,
        };
        let key = file_key(suite, entitlements);
        let (file, bytes) = read_okta_file(profile, key, dir)?;
        let mut body = test_body(&bytes, &file.path.display().to_string())
            .map_err(|e| NotReady(e.to_string()))?;
        let file_name = body["name"].as_str().unwrap_or_default().to_string();
        if suite == SuiteKind::Entitlements {
            per_endpoint(&mut body, endpoints);
        }
        let short = &file.sha256[..12.min(file.sha256.len())];
        let description = format!(
            "{} (put here by scimplan from {}, SHA-256 {short}…)",
            body["description"].as_str().unwrap_or_default(),
            file.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        body["description"] = Value::String(description.trim_start().to_string());
        let script = match script_key(suite) {
            Some(key) => {
                let (_, bytes) = read_okta_file(profile, key, dir)?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            None => String::new(),
        };
        let scim_auth = scim_authorization(&connection, secrets.scim.expose());
        let mut secret_list = vec![secrets.scim.clone(), Secret::new(scim_auth.clone())];
        let (variables, target) = match suite {
            SuiteKind::Spec | SuiteKind::Entitlements => {
                let mut v = Variables::new();
                v.insert("SCIMBaseURL".into(), connection.base_url.clone());
                v.insert("auth".into(), scim_auth);
                (v, connection.base_url.clone())
            }
            SuiteKind::Crud => {
                let (okta, token) = crud.expect("checked above");
                secret_list.push(token.clone());
                let v = with_crud_connections(
                    Variables::new(),
                    &okta.org_url,
                    &okta.app_id,
                    token.expose(),
                    &connection.base_url,
                    &scim_auth,
                );
                (v, format!("{} and {}", okta.org_url, connection.base_url))
            }
        };
        let mut warnings = Vec::new();
        if let Some(warning) = file.mismatch_warning() {
            warnings.push(warning);
        }
        if let Some(warning) = unreachable_from_the_cloud(&connection) {
            warnings.push(warning);
        }
        Ok(HostedJob {
            suite,
            bucket: bucket.to_string(),
            reuse: session
                .hosted()
                .test(suite, bucket)
                .map(|t| t.test_id.clone()),
            file,
            file_name,
            body,
            variables: variables.into_iter().collect(),
            script,
            secrets: secret_list,
            target,
            warnings,
        })
    }

    fn redact(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_string(), |text, secret| secret.redact(&text))
    }
}

fn crud_okta(okta: Option<&OktaConnection>) -> Result<&OktaConnection, NotReady> {
    let okta = okta.ok_or_else(|| {
        NotReady("no Okta org in this session. Run `scimplan connect PLAN --okta-org URL --okta-app-id ID` first: Okta's CRUD file drives the org.".into())
    })?;
    if okta.auth != OktaAuth::ApiToken {
        return Err(NotReady(format!(
            "Okta's CRUD file signs in with an API token (Authorization: SSWS {{{{oktaToken}}}}), not a service app: set {} to a token of the org.",
            crate::session::OKTA_TOKEN_ENV
        )));
    }
    Ok(okta)
}

/// One of Okta's files (downloaded into `dir` when absent) and its bytes, the SHA-256 taken
/// of the bytes sent.
fn read_okta_file(
    profile: &Profile,
    key: &str,
    dir: &Path,
) -> Result<(LocalFile, Vec<u8>), NotReady> {
    let known = files::known(profile, key).map_err(|e| NotReady(e.to_string()))?;
    let mut local = files::ensure(known, dir, false).map_err(|e| NotReady(e.to_string()))?;
    let bytes = std::fs::read(&local.path)
        .map_err(|e| NotReady(format!("{}: cannot read: {e}", local.path.display())))?;
    // Checksummed as sent, not as found earlier.
    local.sha256 = sha256_hex(&bytes);
    local.expected_mismatch =
        (!local.sha256.eq_ignore_ascii_case(&known.sha256)).then(|| known.sha256.clone());
    Ok((local, bytes))
}

/// Okta's Entitlements file holds one request "Duplicate the request for multiple Entitlement
/// Endpoints": each request is duplicated per endpoint, with the endpoint in place of
/// `{{EntitlementEndpoint}}`, so one run (and one link) covers them all.
fn per_endpoint(body: &mut Value, endpoints: &[String]) {
    let Some(steps) = body.get("steps").and_then(Value::as_array).cloned() else {
        return;
    };
    let mut out = Vec::new();
    for endpoint in endpoints {
        for step in &steps {
            let mut step = step.clone();
            if let Some(url) = step.get("url").and_then(Value::as_str) {
                step["url"] = Value::String(url.replace("{{EntitlementEndpoint}}", endpoint));
            }
            let note = step.get("note").and_then(Value::as_str).unwrap_or("");
            step["note"] = Value::String(format!("{endpoint}: {note}").trim_end().to_string());
            out.push(step);
        }
    }
    body["steps"] = Value::Array(out);
}

/// A warning when BlazeMeter's cloud cannot reach the SCIM base URL (this machine, a private
/// network), unless the tester runs a Radar agent there. Not a refusal: the tester may have one.
pub fn unreachable_from_the_cloud(connection: &Connection) -> Option<String> {
    let url = url::Url::parse(&connection.base_url).ok()?;
    let host = url
        .host_str()?
        .trim_matches(['[', ']'])
        .to_ascii_lowercase();
    let private = match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
        Err(_) => {
            host == "localhost"
                || host.ends_with(".localhost")
                || host.ends_with(".local")
                || host.ends_with(".internal")
                || !host.contains('.')
        }
    };
    private.then(|| {
        format!(
            "{} is on this machine or a private network: BlazeMeter API Monitoring runs from its cloud and cannot reach it, unless you run a Radar agent (a private location) there. The run goes ahead.",
            connection.base_url
        )
    })
}

/// What happens during a hosted run, for display.
#[derive(Debug, Clone)]
pub enum HostedEvent {
    /// The test holding Okta's file is ready (made now, or reused): keep it for next time.
    Test { test: HostedTest, created: bool },
    /// What is being done, or the run's state while waiting.
    Progress(String),
}

/// How a hosted run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct HostedOutcome {
    pub test: HostedTest,
    pub run: HostedRun,
    /// The tester stopped waiting (or the wait ran out): the hosted run goes on.
    pub stopped_waiting: bool,
}

/// How long and how often a run's result is read.
#[derive(Debug, Clone)]
pub struct Polling {
    pub first: Duration,
    pub longest: Duration,
    /// Waiting stops after this (the run goes on in BlazeMeter).
    pub give_up: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            first: Duration::from_millis(500),
            longest: Duration::from_secs(5),
            give_up: Duration::from_secs(30 * 60),
        }
    }
}

/// Puts Okta's file into the bucket (reusing the test made before), sets its environment,
/// starts a run through its trigger URL and reads the result until the run ends, the tester
/// cancels (`cancel`: the hosted run goes on) or `polling.give_up` passes.
pub fn run_hosted(
    api: &ApiMonitoring,
    job: &HostedJob,
    polling: &Polling,
    cancel: &CancelFlag,
    on_event: &mut dyn FnMut(HostedEvent),
) -> Result<HostedOutcome, HostedError> {
    let bucket = &job.bucket;
    let reused = match &job.reuse {
        Some(id) => api.test(bucket, id)?,
        None => None,
    };
    let created = reused.is_none();
    let info = match reused {
        Some(existing) => {
            on_event(HostedEvent::Progress(format!(
                "giving test {} in bucket {bucket} Okta's file again…",
                existing.id
            )));
            api.update_test(bucket, &existing.id, &job.body)?
        }
        None => {
            on_event(HostedEvent::Progress(format!(
                "making a test of {} in bucket {bucket}…",
                job.file_name
            )));
            api.create_test(bucket, &job.body)?
        }
    };
    let test = HostedTest {
        suite: job.suite,
        bucket: bucket.clone(),
        test_id: info.id.clone(),
        file: job.file_name.clone(),
        sha256: job.file.sha256.clone(),
        at: Utc::now(),
    };
    on_event(HostedEvent::Test {
        test: test.clone(),
        created,
    });
    on_event(HostedEvent::Progress(
        "setting the test's initial variables and initial script…".into(),
    ));
    api.set_environment(
        bucket,
        &info.id,
        &info.default_environment_id,
        &job.variables,
        &job.script,
    )
    .map_err(|e| redact_error(job, e))?;
    // Ctrl-C or Esc before the run starts: nothing is started.
    if cancel.is_cancelled() {
        return Err(HostedError::Cancelled);
    }
    let at = Utc::now();
    let triggered = api.trigger(&info.trigger_url)?;
    let run_id = triggered.test_run_id;
    let page = result_page(bucket, &info.id, &run_id);
    on_event(HostedEvent::Progress(format!(
        "started run {run_id}: {page}"
    )));
    let started = Instant::now();
    let mut wait = polling.first;
    let (result, stopped_waiting) = loop {
        let result = api.result(bucket, &info.id, &run_id)?;
        if !result.running() {
            break (result, false);
        }
        on_event(HostedEvent::Progress(format!(
            "{} for {} s (Ctrl-C or Esc stops waiting; the run goes on)",
            result.result,
            started.elapsed().as_secs()
        )));
        if started.elapsed() >= polling.give_up || !cancel.sleep(wait) {
            break (result, true);
        }
        wait = (wait * 3 / 2).min(polling.longest);
    };
    let run = hosted_run(job, &test, &run_id, page, at, &result, stopped_waiting)?;
    Ok(HostedOutcome {
        test,
        run,
        stopped_waiting,
    })
}

fn redact_error(job: &HostedJob, error: HostedError) -> HostedError {
    match error {
        HostedError::Api {
            call,
            status,
            message,
        } => HostedError::Api {
            call,
            status,
            message: job.redact(&message),
        },
        other => other,
    }
}

fn hosted_run(
    job: &HostedJob,
    test: &HostedTest,
    run_id: &str,
    page: String,
    at: DateTime<Utc>,
    result: &RunResult,
    stopped_waiting: bool,
) -> Result<HostedRun, HostedError> {
    let verdict = match (stopped_waiting, result.result.as_str()) {
        (true, _) => HostedResult::Unfinished,
        (false, "pass") => HostedResult::Pass,
        (false, "fail") => HostedResult::Fail,
        (false, "canceled" | "cancelled") => HostedResult::Canceled,
        (false, other) => {
            return Err(HostedError::Unexpected {
                call: format!("the result of run {run_id}"),
                why: format!(
                    "`result` is '{other}', not one of queued, working, pass, fail, canceled"
                ),
            });
        }
    };
    let failures = result
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.result == "fail")
        .map(|(i, r)| HostedFailure {
            step: job.redact(&format!("request {}: {} {}", i + 1, r.method, r.url)),
            problems: match r.problems.is_empty() {
                true => vec![format!(
                    "failed (status {})",
                    r.status.as_deref().unwrap_or("none")
                )],
                false => r.problems.iter().map(|p| job.redact(p)).collect(),
            },
        })
        .collect();
    Ok(HostedRun {
        suite: job.suite,
        bucket: job.bucket.clone(),
        test_id: test.test_id.clone(),
        run_id: run_id.to_string(),
        result: verdict,
        at,
        finished_at: result
            .finished_at
            .filter(|_| !stopped_waiting)
            .and_then(|s| Utc.timestamp_millis_opt((s * 1000.0) as i64).single()),
        page,
        target: job.target.clone(),
        file: job.file_name.clone(),
        sha256: job.file.sha256.clone(),
        requests: result.requests.len(),
        assertions_passed: result.assertions_passed,
        assertions_failed: result.assertions_failed,
        failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::AuthScheme;

    #[test]
    fn apps_the_cloud_cannot_reach_are_named() {
        let warn = |url: &str| {
            unreachable_from_the_cloud(&Connection::new(url, AuthScheme::Bearer, None).unwrap())
        };
        for url in [
            "http://127.0.0.1:8080/scim/v2",
            "http://localhost:3000",
            "https://10.1.2.3/scim",
            "https://192.168.0.5/scim",
            "https://172.16.0.1/scim",
            "http://[::1]:8080/scim",
            "https://scim.corp.internal/v2",
            "http://devbox:8080/scim",
        ] {
            let w = warn(url).unwrap_or_else(|| panic!("{url} should be warned about"));
            assert!(w.contains("Radar agent") && w.contains("goes ahead"), "{w}");
        }
        for url in ["https://app.example.com/scim/v2", "https://8.8.8.8/scim"] {
            assert_eq!(warn(url), None, "{url}");
        }
    }

    #[test]
    fn the_entitlements_request_is_repeated_per_endpoint() {
        let mut body = serde_json::json!({"name": "E", "steps": [
            {"step_type": "request", "note": "Duplicate the request",
             "url": "{{SCIMBaseURL}}{{EntitlementEndpoint}}?count=1&startIndex=1"}]});
        per_endpoint(&mut body, &["/Roles".into(), "/Licenses".into()]);
        let steps = body["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0]["url"],
            "{{SCIMBaseURL}}/Roles?count=1&startIndex=1"
        );
        assert_eq!(
            steps[1]["url"],
            "{{SCIMBaseURL}}/Licenses?count=1&startIndex=1"
        );
        assert!(
            steps[1]["note"]
                .as_str()
                .unwrap()
                .starts_with("/Licenses: ")
        );
    }
}
