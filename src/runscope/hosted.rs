//! BlazeMeter API Monitoring (formerly Runscope) through its REST API, as BlazeMeter documents
//! it: a personal access token (Bearer); every answer wrapped in `{"data", "meta", "error"}`;
//! `GET /buckets`; `POST /buckets/{bucket}/tests` with a test's `name`, `description` and
//! `steps` (201, `id`, `default_environment_id`, `trigger_url`), `PUT` of the same to give an
//! existing test its steps again; `GET`/`PUT /buckets/{bucket}/tests/{test}/environments/{env}`
//! (`initial_variables`, `script`); the test's trigger URL (no token; its query and form
//! parameters would become initial variables, so nothing is sent there: they end up in logs),
//! whose `data.runs[].test_run_id` names the run; `GET
//! /buckets/{bucket}/tests/{test}/results/{run}` (`result`: queued, working, pass, fail,
//! canceled). There is no call for a result's Shareable toggle: the tester flips it on the
//! result page.
//!
//! Knows nothing of Okta's suites or the session: `verify::hosted` decides which file, which
//! variables and what is kept.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{Value, json};
use thiserror::Error;

use crate::net::http::error_chain;
use crate::net::{HttpSettings, Secret, build_client};
use crate::session::NetworkSettings;

/// The API's address: `SCIMPLAN_RUNSCOPE_API` (tests point it at a double), else BlazeMeter's.
pub const API_ENV: &str = "SCIMPLAN_RUNSCOPE_API";
pub const DEFAULT_API: &str = "https://api.runscope.com";
/// The access token's environment variable (never saved; asked on a terminal when unset).
pub const TOKEN_ENV: &str = "SCIMPLAN_RUNSCOPE_TOKEN";
/// Where result pages are: the form Okta's guide shows.
pub const RESULT_PAGES: &str = "https://www.runscope.com/radar";
/// A test holds fewer steps than this (BlazeMeter's limit).
pub const MAX_STEPS: usize = 100;
/// How long one API request may take.
pub const API_TIMEOUT: Duration = Duration::from_secs(30);

/// The API base URL from the environment, else BlazeMeter's, without a trailing slash.
pub fn api_base() -> String {
    std::env::var(API_ENV)
        .ok()
        .map(|v| v.trim().trim_end_matches('/').to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_API.to_string())
}

/// The page of one result, as Okta's guide shows it and its reviewers open it.
pub fn result_page(bucket: &str, test: &str, run: &str) -> String {
    format!("{RESULT_PAGES}/{bucket}/{test}/history/{run}")
}

#[derive(Debug, Error)]
pub enum HostedError {
    #[error(
        "BlazeMeter API Monitoring refused the access token ({status}: {message}). Set {TOKEN_ENV} to a personal access token of an Application in your BlazeMeter API Monitoring (Runscope) account (Account > Applications)."
    )]
    Refused { status: u16, message: String },
    #[error("BlazeMeter API Monitoring has no {what} (404){hint}")]
    NotFound { what: String, hint: String },
    #[error("BlazeMeter API Monitoring refused {call} ({status}: {message})")]
    Api {
        call: String,
        status: u16,
        message: String,
    },
    #[error("cannot reach BlazeMeter API Monitoring at {base} for {call}: {why}")]
    Network {
        base: String,
        call: String,
        why: String,
    },
    #[error("BlazeMeter API Monitoring answered {call} with something else than documented: {why}")]
    Unexpected { call: String, why: String },
    #[error("{0}")]
    File(String),
    #[error("cancelled before the run was started: nothing runs in BlazeMeter")]
    Cancelled,
    #[error("cannot set up HTTP: {0}")]
    Setup(String),
}

/// A bucket of the tester's account.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub key: String,
    pub name: String,
}

/// A test as the API describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TestInfo {
    pub id: String,
    pub name: String,
    pub default_environment_id: String,
    /// Anyone holding it can start runs: used, never kept.
    pub trigger_url: String,
    pub steps: usize,
}

/// A run the trigger started.
#[derive(Debug, Clone, PartialEq)]
pub struct Triggered {
    pub test_run_id: String,
    pub test_id: String,
}

/// A run's result so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// `queued`, `working`, `pass`, `fail` or `canceled`.
    pub result: String,
    pub started_at: Option<f64>,
    pub finished_at: Option<f64>,
    pub assertions_passed: usize,
    pub assertions_failed: usize,
    pub requests: Vec<RequestResult>,
}

impl RunResult {
    /// Still queued or working.
    pub fn running(&self) -> bool {
        matches!(self.result.as_str(), "queued" | "working")
    }
}

/// One request step of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestResult {
    pub method: String,
    pub url: String,
    pub result: String,
    pub status: Option<String>,
    /// What failed: assertions (`response_status equal_number 201: got 200`), scripts, errors.
    pub problems: Vec<String>,
}

/// The API, signed in with the tester's access token.
pub struct ApiMonitoring {
    http: Client,
    base: String,
    token: Secret,
}

impl ApiMonitoring {
    /// A client of the API at `base`, reached the way `network` says (CA files, proxy).
    pub fn new(
        base: &str,
        token: Secret,
        network: &NetworkSettings,
    ) -> Result<ApiMonitoring, HostedError> {
        let http = build_client(&HttpSettings::api(API_TIMEOUT).with_network(network))
            .map_err(|e| HostedError::Setup(e.to_string()))?;
        Ok(ApiMonitoring {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn signed(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.bearer_auth(self.token.expose())
    }

    /// Sends, and unwraps `data` from a 2xx answer; anything else becomes an error naming
    /// `call`, in BlazeMeter's words when it gave some.
    fn send(&self, call: &str, builder: RequestBuilder) -> Result<Value, HostedError> {
        let response = builder.send().map_err(|e| HostedError::Network {
            base: self.base.clone(),
            call: call.to_string(),
            why: self.token.redact(&error_chain(&e)),
        })?;
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        let body: Option<Value> = serde_json::from_str(&text).ok();
        if !(200..300).contains(&status) {
            let message = body
                .as_ref()
                .and_then(error_message)
                .unwrap_or_else(|| first_line(&text));
            let message = self.token.redact(&message);
            return Err(match status {
                401 | 403 => HostedError::Refused { status, message },
                404 => HostedError::NotFound {
                    what: call.to_string(),
                    hint: String::new(),
                },
                _ => HostedError::Api {
                    call: call.to_string(),
                    status,
                    message,
                },
            });
        }
        let unexpected = |why: String| HostedError::Unexpected {
            call: call.to_string(),
            why,
        };
        let body = body.ok_or_else(|| unexpected(format!("not JSON: {}", first_line(&text))))?;
        if let Some(message) = error_message(&body) {
            return Err(HostedError::Api {
                call: call.to_string(),
                status,
                message,
            });
        }
        body.get("data")
            .cloned()
            .ok_or_else(|| unexpected("no `data` in the answer".into()))
    }

    /// The tester's buckets (also the cheapest check of the token).
    pub fn buckets(&self) -> Result<Vec<Bucket>, HostedError> {
        let call = "GET /buckets";
        let data = self.send(call, self.signed(self.http.get(self.url("/buckets"))))?;
        let list = data.as_array().ok_or_else(|| HostedError::Unexpected {
            call: call.into(),
            why: "`data` is not a list of buckets".into(),
        })?;
        Ok(list
            .iter()
            .filter_map(|b| {
                Some(Bucket {
                    key: text(b, "key")?,
                    name: text(b, "name").unwrap_or_default(),
                })
            })
            .collect())
    }

    /// A test of the bucket, `None` when it is gone.
    pub fn test(&self, bucket: &str, test: &str) -> Result<Option<TestInfo>, HostedError> {
        let call = format!("GET /buckets/{bucket}/tests/{test}");
        let path = format!("/buckets/{}/tests/{}", seg(bucket), seg(test));
        match self.send(&call, self.signed(self.http.get(self.url(&path)))) {
            Ok(data) => test_info(&call, &data).map(Some),
            Err(HostedError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Makes a test in the bucket from `body` (`name`, `description`, `steps`).
    pub fn create_test(&self, bucket: &str, body: &Value) -> Result<TestInfo, HostedError> {
        let call = format!("POST /buckets/{bucket}/tests");
        let path = format!("/buckets/{}/tests", seg(bucket));
        let data = self
            .send(
                &call,
                self.signed(self.http.post(self.url(&path)).json(body)),
            )
            .map_err(|e| not_found_bucket(e, bucket))?;
        test_info(&call, &data)
    }

    /// Gives an existing test `body` (its name, description and steps) again.
    pub fn update_test(
        &self,
        bucket: &str,
        test: &str,
        body: &Value,
    ) -> Result<TestInfo, HostedError> {
        let call = format!("PUT /buckets/{bucket}/tests/{test}");
        let path = format!("/buckets/{}/tests/{}", seg(bucket), seg(test));
        let data = self.send(
            &call,
            self.signed(self.http.put(self.url(&path)).json(body)),
        )?;
        test_info(&call, &data)
    }

    /// Sets a test environment's initial variables and initial script, keeping its other
    /// settings (read first, then written back whole).
    pub fn set_environment(
        &self,
        bucket: &str,
        test: &str,
        environment: &str,
        initial_variables: &BTreeMap<String, String>,
        script: &str,
    ) -> Result<(), HostedError> {
        let path = format!(
            "/buckets/{}/tests/{}/environments/{}",
            seg(bucket),
            seg(test),
            seg(environment)
        );
        let call = format!("GET /buckets/{bucket}/tests/{test}/environments/{environment}");
        let mut env = self.send(&call, self.signed(self.http.get(self.url(&path))))?;
        let Some(fields) = env.as_object_mut() else {
            return Err(HostedError::Unexpected {
                call,
                why: "`data` is not an environment".into(),
            });
        };
        fields.insert("initial_variables".into(), json!(initial_variables));
        fields.insert("script".into(), json!(script));
        let call = format!("PUT /buckets/{bucket}/tests/{test}/environments/{environment}");
        self.send(
            &call,
            self.signed(self.http.put(self.url(&path)).json(&env)),
        )?;
        Ok(())
    }

    /// Starts a run through the test's trigger URL: a POST with nothing in its query or body
    /// (they would become initial variables, and end up in logs), and no token.
    pub fn trigger(&self, trigger_url: &str) -> Result<Triggered, HostedError> {
        let call = "the test's trigger URL".to_string();
        let bare = trigger_url.split(['?', '#']).next().unwrap_or(trigger_url);
        let data = self.send(&call, self.http.post(bare))?;
        let run = data
            .get("runs")
            .and_then(Value::as_array)
            .and_then(|runs| runs.first())
            .ok_or_else(|| HostedError::Unexpected {
                call: call.clone(),
                why: "no `data.runs[]`: no run was started".into(),
            })?;
        Ok(Triggered {
            test_run_id: text(run, "test_run_id").ok_or_else(|| HostedError::Unexpected {
                call: call.clone(),
                why: "the run has no `test_run_id`".into(),
            })?,
            test_id: text(run, "test_id").unwrap_or_default(),
        })
    }

    /// A run's result so far.
    pub fn result(&self, bucket: &str, test: &str, run: &str) -> Result<RunResult, HostedError> {
        let call = format!("GET /buckets/{bucket}/tests/{test}/results/{run}");
        let path = format!(
            "/buckets/{}/tests/{}/results/{}",
            seg(bucket),
            seg(test),
            seg(run)
        );
        let data = self.send(&call, self.signed(self.http.get(self.url(&path))))?;
        let result = text(&data, "result").ok_or_else(|| HostedError::Unexpected {
            call: call.clone(),
            why: "no `result`".into(),
        })?;
        let count = |key: &str| data.get(key).and_then(Value::as_u64).unwrap_or(0) as usize;
        let requests = data
            .get("requests")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter(|r| r.get("step_type").and_then(Value::as_str) != Some("pause"))
                    .map(request_result)
                    .collect()
            })
            .unwrap_or_default();
        Ok(RunResult {
            result,
            started_at: data.get("started_at").and_then(Value::as_f64),
            finished_at: data.get("finished_at").and_then(Value::as_f64),
            assertions_passed: count("assertions_passed"),
            assertions_failed: count("assertions_failed"),
            requests,
        })
    }
}

/// A test's body from a Runscope export: its `name`, `description` and `steps` (the export's
/// other fields, such as its original trigger URL, are the exporter's account's), refused when
/// it has no steps or more than BlazeMeter takes.
pub fn test_body(export: &[u8], path: &str) -> Result<Value, HostedError> {
    let value: Value = serde_json::from_slice(export)
        .map_err(|e| HostedError::File(format!("{path}: not a Runscope test export: {e}")))?;
    let steps = value
        .get("steps")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HostedError::File(format!("{path}: the export has no steps")))?;
    if steps.len() >= MAX_STEPS {
        return Err(HostedError::File(format!(
            "{path}: {} steps; a BlazeMeter API Monitoring test holds fewer than {MAX_STEPS}",
            steps.len()
        )));
    }
    Ok(json!({
        "name": value.get("name").and_then(Value::as_str).unwrap_or("Okta SCIM test"),
        "description": value.get("description").and_then(Value::as_str).unwrap_or(""),
        "steps": steps,
    }))
}

fn not_found_bucket(error: HostedError, bucket: &str) -> HostedError {
    match error {
        HostedError::NotFound { .. } => HostedError::NotFound {
            what: format!("bucket '{bucket}'"),
            hint: ": give the key of one of your buckets with --bucket KEY (`scimplan runscope` lists them when it cannot choose)".into(),
        },
        other => other,
    }
}

fn test_info(call: &str, data: &Value) -> Result<TestInfo, HostedError> {
    let missing = |field: &str| HostedError::Unexpected {
        call: call.to_string(),
        why: format!("the test has no `{field}`"),
    };
    Ok(TestInfo {
        id: text(data, "id").ok_or_else(|| missing("id"))?,
        name: text(data, "name").unwrap_or_default(),
        default_environment_id: text(data, "default_environment_id")
            .ok_or_else(|| missing("default_environment_id"))?,
        trigger_url: text(data, "trigger_url").ok_or_else(|| missing("trigger_url"))?,
        steps: data
            .get("steps")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
    })
}

fn request_result(request: &Value) -> RequestResult {
    let mut problems = Vec::new();
    for assertion in request
        .get("assertions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if text(assertion, "result").as_deref() != Some("fail") {
            continue;
        }
        let mut what = text(assertion, "source").unwrap_or_default();
        for key in ["property", "comparison"] {
            if let Some(part) = text(assertion, key).filter(|p| !p.is_empty()) {
                what.push(' ');
                what.push_str(&part);
            }
        }
        let shown = |key: &str| match assertion.get(key) {
            None | Some(Value::Null) => "nothing".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let mut line = format!(
            "{what}: expected {}, got {}",
            shown("target_value"),
            shown("actual_value")
        );
        if let Some(error) = text(assertion, "error").filter(|e| !e.is_empty()) {
            line.push_str(&format!(" ({error})"));
        }
        problems.push(line);
    }
    for script in request
        .get("scripts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if text(script, "result").as_deref() == Some("fail") {
            problems.push(format!(
                "script failed: {}",
                text(script, "error").unwrap_or_default()
            ));
        }
    }
    for message in request
        .get("error_messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        problems.push(match message {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    RequestResult {
        method: text(request, "method").unwrap_or_default(),
        url: text(request, "url").unwrap_or_default(),
        result: text(request, "result").unwrap_or_default(),
        status: request.get("response_status_code").and_then(|s| match s {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }),
        problems,
    }
}

/// The message of a BlazeMeter error: `error` as text, or its `message` (or `error`) field.
fn error_message(body: &Value) -> Option<String> {
    match body.get("error")? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(fields) => fields
            .get("message")
            .or_else(|| fields.get("error"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| Some(Value::Object(fields.clone()).to_string())),
        other => Some(other.to_string()),
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.is_empty() {
        true => "an empty answer".into(),
        false => line.chars().take(200).collect(),
    }
}

/// A path segment, percent-encoded: keys and ids come from the tester and the API.
fn seg(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_is_the_exports_name_description_and_steps() {
        let export = br#"{"version":"1.0","name":"Okta SCIM 2.0 SPEC Test","description":"Basic",
            "trigger_url":"https://api.runscope.com/radar/someone-elses/trigger",
            "steps":[{"step_type":"pause","duration":1}]}"#;
        let body = test_body(export, "f.json").unwrap();
        assert_eq!(body["name"], "Okta SCIM 2.0 SPEC Test");
        assert_eq!(body["steps"].as_array().unwrap().len(), 1);
        assert!(body.get("trigger_url").is_none(), "{body}");
        let many = format!(
            r#"{{"steps":[{}]}}"#,
            vec![r#"{"step_type":"pause","duration":1}"#; 100].join(",")
        );
        let err = test_body(many.as_bytes(), "big.json").unwrap_err();
        assert!(err.to_string().contains("fewer than 100"), "{err}");
        assert!(test_body(b"{\"steps\":[]}", "e.json").is_err());
    }

    #[test]
    fn failed_assertions_are_told_in_words() {
        let request = json!({"method": "GET", "url": "https://app/Users", "result": "fail",
            "response_status_code": "500",
            "assertions": [
                {"result": "pass", "source": "response_status", "comparison": "equal_number",
                 "target_value": 200, "actual_value": 200},
                {"result": "fail", "source": "response_status", "comparison": "equal_number",
                 "target_value": 200, "actual_value": 500, "error": null}],
            "error_messages": ["connection reset"]});
        let r = request_result(&request);
        assert_eq!(
            r.problems,
            [
                "response_status equal_number: expected 200, got 500",
                "connection reset"
            ]
        );
        assert_eq!(r.status.as_deref(), Some("500"));
        assert_eq!(
            error_message(&json!({"error": {"status": 401, "message": "Invalid token"}})),
            Some("Invalid token".into())
        );
        assert_eq!(error_message(&json!({"error": null, "data": {}})), None);
    }
}
