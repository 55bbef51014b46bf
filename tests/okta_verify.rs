//! `scimplan verify` with an Okta org connected (the real binary, the Okta double, the real
//! scim2-server): each run keeps Okta's side (System Log since the case started, the app
//! user's sync state), a provisioning failure shows its reason beside the verdict, and no token
//! reaches the disk.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::{case_row, stderr, stdout, write_plan};
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;
use serde_json::{Value, json};

const OKTA_TOKEN: &str = "okta-token-for-verify-tests";

fn scimplan(dir: &Path, server: &ScimServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// `wrong_token`: Okta holds a token the app refuses.
fn setup(wrong_token: bool) -> (tempfile::TempDir, ScimServer, OktaDouble) {
    let server = ScimServer::start();
    let scim_token_in_okta = if wrong_token {
        "not-the-apps-token".to_string()
    } else {
        server.token.clone()
    };
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: scim_token_in_okta,
        }),
        provisioning_delay: Duration::from_millis(300),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    write_plan(
        &dir.path().join("plan.xlsx"),
        vec![case_row(
            "C9290",
            "Push new user",
            "Create Users",
            "",
            "1. Assign the user to the app",
            "The user is created in the app",
        )],
    );
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "connect",
            "plan.xlsx",
            "--scim-url",
            &server.url,
            "--okta-org",
            &double.url,
            "--okta-app-id",
            &double.app_id,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    (dir, server, double)
}

/// Assigns a new Okta user to the app, as the tester does in the Admin Console.
fn assign(double: &OktaDouble, login: &str) -> String {
    let user_id = double.add_user(login, "Ann", "Tester");
    // reqwest 0.13 takes rustls's crypto provider from the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    let response = http
        .post(format!(
            "{}/api/v1/apps/{}/users",
            double.url, double.app_id
        ))
        .header("Authorization", format!("SSWS {OKTA_TOKEN}"))
        .json(
            &json!({"id": user_id, "scope": "USER", "credentials": {"userName": login},
                      "profile": {"givenName": "Ann", "familyName": "Tester", "email": login}}),
        )
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(double.wait_idle(Duration::from_secs(30)));
    user_id
}

fn session(dir: &Path) -> (Value, String) {
    let text = std::fs::read_to_string(dir.join("plan.scimplan.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

#[test]
fn a_passing_check_keeps_oktas_side_with_the_run() {
    let (dir, server, double) = setup(false);
    let login = "ann.pass@example.com";
    let user_id = assign(&double, login);
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "verify",
            "plan.xlsx",
            "C9290",
            "--input",
            &format!("user={login}"),
            "--deadline",
            "10",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let scim_id = server.find_users(login)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains(&format!(
            "Okta: app user {user_id} PROVISIONED (sync SYNCHRONIZED, SCIM id {scim_id})"
        )),
        "{text}"
    );
    assert!(text.contains("no failure"), "{text}");
    let (json, raw) = session(dir.path());
    let trail = &json["verify"]["runs"][0]["okta"];
    let events: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"application.provision.user.push"),
        "{trail}"
    );
    assert_eq!(trail["app_user"]["external_id"], json!(scim_id));
    assert!(
        !raw.contains(OKTA_TOKEN) && !raw.contains(&server.token),
        "a token is in the session"
    );
    double.assert_valid();
}

#[test]
fn a_provisioning_failure_shows_oktas_reason_beside_the_verdict() {
    // Okta holds a wrong token for the app: its create is refused with 401.
    let (dir, server, double) = setup(true);
    let login = "ann.fail@example.com";
    let user_id = assign(&double, login);
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "verify",
            "plan.xlsx",
            "C9290",
            "--input",
            &format!("user={login}"),
            "--deadline",
            "2",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("C9290 FAIL"), "{text}");
    assert!(
        text.contains(&format!("Okta: app user {user_id} STAGED (sync ERROR)")),
        "{text}"
    );
    assert!(
        text.contains("Okta: System Log: ") && text.contains("application.provision.user.push FAILURE: Error while checking whether user ann.fail@example.com exists in the app: 401"),
        "{text}"
    );
    assert!(
        text.contains("application.integration.authentication_failure FAILURE"),
        "{text}"
    );
    // The completed workbook's API checks sheet lists Okta's side beside the verdict.
    let export = dir.path().join("completed.xlsx");
    let out = scimplan(
        dir.path(),
        &server,
        &["export", "plan.xlsx", "-o", export.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&export).unwrap();
    let rows: Vec<Vec<String>> = book
        .worksheet_range("API checks")
        .expect("an API checks sheet")
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let row = rows.iter().find(|r| r[0] == "C9290").expect("C9290's run");
    assert!(
        row[7].contains("sync ERROR") && row[7].contains("application.provision.user.push FAILURE"),
        "{row:?}"
    );
    let (json, raw) = session(dir.path());
    let events = json["verify"]["runs"][0]["okta"]["events"]
        .as_array()
        .unwrap()
        .clone();
    assert!(events.iter().any(|e| e["result"] == "FAILURE" && e["reason"].as_str().unwrap_or("").contains("401")), "{events:?}");
    assert!(
        !raw.contains(OKTA_TOKEN)
            && !raw.contains("not-the-apps-token")
            && !raw.contains(&server.token)
    );
    double.assert_valid();
}

/// The org connected and the token not set: a case with an Okta part is never checked on its
/// SCIM side alone; verify stops before anything runs, naming the variable.
#[test]
fn without_the_okta_token_verify_stops_naming_the_variable() {
    let (dir, server, double) = setup(false);
    let out = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args([
            "verify",
            "plan.xlsx",
            "C9290",
            "--input",
            "user=nobody@example.com",
            "--deadline",
            "1",
        ])
        .current_dir(dir.path())
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env_remove("SCIMPLAN_OKTA_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SCIMPLAN_OKTA_TOKEN is not set"),
        "{}",
        stderr(&out)
    );
    let (json, _) = session(dir.path());
    assert!(
        json["verify"]["runs"].as_array().is_none_or(Vec::is_empty),
        "nothing recorded: {json}"
    );
    drop(double);
}
