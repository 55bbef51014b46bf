//! Okta's own CRUD file (`Okta-SCIM-20-CRUD-Test.json`, read from `SCIMPLAN_OKTA_FILES`; and
//! always the CRUD-shaped fixture of `common/suite_files.rs`)
//! replayed request by request against the Okta double and the real scim2-server: the double
//! serves every Okta request of the file as the file expects (its headers, bodies and status
//! assertions), and provisions so that every SCIM assertion holds. A replay kept to what the
//! file uses (the runner of the Runscope format is the `runscope` work); pauses become waits
//! for the double's provisioning to finish.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::collections::HashMap;
use std::time::Duration;

use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;
use serde_json::Value;

fn fill(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    assert!(!out.contains("{{"), "undefined variable in {out}");
    out
}

/// `Resources[0].emails[0].value` in a JSON body.
fn property<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = json;
    for part in path.split('.') {
        let (name, indexes) = part
            .split_once('[')
            .map_or((part, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            current = current.get(name)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            current = current.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(current)
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The assertions of a step that do not hold, against one answer.
fn failed_assertions(
    step: &Value,
    status: u16,
    body: &Value,
    vars: &HashMap<String, String>,
) -> Vec<String> {
    let mut failed = Vec::new();
    for assertion in step["assertions"].as_array().into_iter().flatten() {
        let expected = fill(&as_text(&assertion["value"]), vars);
        let actual = match assertion["source"].as_str() {
            Some("response_status") => status.to_string(),
            Some("response_json") => property(body, assertion["property"].as_str().unwrap_or(""))
                .map(as_text)
                .unwrap_or_default(),
            other => panic!(
                "the CRUD file uses an assertion source this replay does not know: {other:?}"
            ),
        };
        if actual != expected {
            failed.push(format!(
                "{} {}: expected {expected}, got {actual}",
                assertion["source"], assertion["property"]
            ));
        }
    }
    failed
}

#[test]
fn okta_crud_file_passes_against_the_double_and_scim2_server() {
    for file in common::crud_files() {
        replay(&file.json);
    }
}

fn replay(file: &Value) {
    let server = ScimServer::start();
    let double = OktaDouble::start(DoubleOptions {
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: server.token.clone(),
        }),
        provisioning_delay: Duration::from_millis(500),
        ..DoubleOptions::default()
    });
    let mut vars: HashMap<String, String> = [
        ("oktaOrgUrl", double.url.clone()),
        ("oktaAppId", double.app_id.clone()),
        ("oktaToken", double.token.clone()),
        ("SCIMUrl", server.url.clone()),
        ("SCIMAuth", format!("Bearer {}", server.token)),
        ("okta_user_firstname", "Runscope481".into()),
        ("okta_user_lastname", "Qwertyuio481".into()),
        ("okta_user_email", "Runscope481Qwertyuio481@atko.com".into()),
        ("okta_user_title", "Tester".into()),
        ("okta_user_primaryphone", "1-555-415-1337".into()),
        ("okta_user_firstname_update", "Runscope482".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // reqwest 0.13 takes rustls's crypto provider from the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    let mut after_pause = false;
    for (number, step) in file["steps"].as_array().unwrap().iter().enumerate() {
        if step["step_type"] == "pause" {
            after_pause = true;
            continue;
        }
        let url = fill(step["url"].as_str().unwrap(), &vars);
        let method: reqwest::Method = step["method"].as_str().unwrap().parse().unwrap();
        // The step after a pause is retried while it fails, as a runner polls.
        let deadline =
            std::time::Instant::now() + Duration::from_secs(if after_pause { 30 } else { 0 });
        let (status, body) = loop {
            let mut request = http.request(method.clone(), &url);
            for (name, values) in step["headers"].as_object().unwrap() {
                let values: Vec<String> = match values {
                    Value::Array(list) => list.iter().map(as_text).collect(),
                    other => vec![as_text(other)],
                };
                for value in values {
                    request = request.header(name.as_str(), fill(&value, &vars));
                }
            }
            if let Some(body) = step["body"].as_str().filter(|b| !b.is_empty()) {
                request = request.body(fill(body, &vars));
            }
            let response = request.send().unwrap();
            let status = response.status().as_u16();
            let body: Value =
                serde_json::from_str(&response.text().unwrap()).unwrap_or(Value::Null);
            let failed = failed_assertions(step, status, &body, &vars);
            if failed.is_empty() || std::time::Instant::now() >= deadline {
                assert!(
                    failed.is_empty(),
                    "step {number} ({}): {failed:?}\n{body}",
                    step["note"]
                );
                break (status, body);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        after_pause = false;
        for variable in step["variables"].as_array().into_iter().flatten() {
            if let (Some(name), Some(path)) =
                (variable["name"].as_str(), variable["property"].as_str())
                && let Some(value) = property(&body, path)
            {
                vars.insert(name.to_string(), as_text(value));
            }
        }
        let _ = status;
    }
    // The file never deletes its user; the SCIM user ends deactivated, as the file checks.
    let users = server.find_users("Runscope481Qwertyuio481@atko.com");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["active"], false);
    assert_eq!(users[0]["name"]["givenName"], "Runscope482");
    double.assert_valid();
}
