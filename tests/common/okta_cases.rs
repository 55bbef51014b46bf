//! Helpers for the tests of each case's Okta side through the real binary: a plan with Okta's
//! case IDs connected to the real scim2-server and the Okta double, users assigned as a tester
//! does in the Admin Console, `scimplan verify`, and the session as written.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{okta_like_plan, stderr, stdout};
use crate::okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use crate::scim_server::ScimServer;

pub const OKTA_TOKEN: &str = "okta-token-for-recipe-tests";

pub fn scimplan(dir: &Path, server: &ScimServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// A plan with Okta's case IDs, connected to the app and (unless `okta` is false) the org.
/// `options` shapes the org; its provisioning goes to `server` with `scim_token`.
pub fn setup(
    okta: bool,
    scim_token: Option<&str>,
    options: DoubleOptions,
) -> (tempfile::TempDir, ScimServer, OktaDouble) {
    let server = ScimServer::start();
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: scim_token.unwrap_or(&server.token).to_string(),
        }),
        provisioning_delay: Duration::from_millis(300),
        ..options
    });
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), "plan.xlsx");
    let mut args = vec!["connect", "plan.xlsx", "--scim-url", &server.url];
    if okta {
        args.extend(["--okta-org", &double.url, "--okta-app-id", &double.app_id]);
    }
    let out = scimplan(dir.path(), &server, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (dir, server, double)
}

/// Adds an Okta user and assigns it to the app with `given` as the app profile's first name
/// (what the app receives), as the tester does in the Admin Console; waits for provisioning.
pub fn assign(double: &OktaDouble, login: &str, okta_first: &str, given: &str) -> String {
    let user_id = double.add_user(login, okta_first, "Tester");
    let response = http()
        .post(format!(
            "{}/api/v1/apps/{}/users",
            double.url, double.app_id
        ))
        .header("Authorization", format!("SSWS {OKTA_TOKEN}"))
        .json(
            &json!({"id": user_id, "scope": "USER", "credentials": {"userName": login},
                      "profile": {"givenName": given, "familyName": "Tester", "email": login}}),
        )
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(double.wait_idle(Duration::from_secs(30)));
    user_id
}

pub fn okta_post(double: &OktaDouble, path: &str) {
    let response = http()
        .post(format!("{}{path}", double.url))
        .header("Authorization", format!("SSWS {OKTA_TOKEN}"))
        .send()
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

pub fn verify(dir: &Path, server: &ScimServer, case: &str, inputs: &[&str]) -> (Output, String) {
    let mut args = vec!["verify", "plan.xlsx", case, "--deadline", "3"];
    for input in inputs {
        args.extend(["--input", input]);
    }
    let out = scimplan(dir, server, &args);
    let text = stdout(&out);
    (out, text)
}

pub fn session(dir: &Path) -> (Value, String) {
    let text = std::fs::read_to_string(dir.join("plan.scimplan.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

pub fn latest_run(dir: &Path, case: &str) -> Value {
    let (json, _) = session(dir);
    json["verify"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["case"] == case)
        .cloned()
        .unwrap_or_else(|| panic!("no run of {case}"))
}

/// The run's assertion lines: `step: check: expected E, got A`, failed ones marked.
pub fn assertions(run: &Value) -> Vec<String> {
    run["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}{}: {}: expected {}, got {}",
                if a["passed"] == true { "" } else { "FAILED " },
                a["step"].as_str().unwrap(),
                a["check"].as_str().unwrap(),
                a["expected"].as_str().unwrap(),
                a["actual"].as_str().unwrap()
            )
        })
        .collect()
}

pub fn okta_send(
    double: &OktaDouble,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = http()
        .request(method, format!("{}{path}", double.url))
        .header("Authorization", format!("SSWS {OKTA_TOKEN}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().unwrap_or(Value::Null)
}

/// A plain client for the double's admin API. reqwest 0.13 takes rustls's crypto provider from
/// the process (scimplan's own clients bring theirs); a second install is refused, which is fine.
fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}
