//! `scimplan crud` from the real binary: Okta's CRUD file (from `SCIMPLAN_OKTA_FILES`) against
//! the Okta double and the real scim2-server, polled instead of paused; the Okta user it creates
//! is removed at the end; Okta's refusals are explained; no token reaches the session.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{case_row, stderr, stdout, write_plan};
use okta_double::openapi::okta_files_dir;
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;

const OKTA_TOKEN: &str = "okta-token-for-crud-tests";

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

fn setup(options: DoubleOptions) -> (tempfile::TempDir, ScimServer, OktaDouble) {
    let server = ScimServer::start();
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: server.token.clone(),
        }),
        provisioning_delay: Duration::from_secs(1),
        ..options
    });
    let dir = tempfile::tempdir().unwrap();
    write_plan(
        &dir.path().join("plan.xlsx"),
        vec![case_row(
            "C9290",
            "Push new user",
            "Create Users",
            "",
            "1. Assign",
            "Created",
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

fn crud_file() -> String {
    okta_files_dir()
        .join("Okta-SCIM-20-CRUD-Test.json")
        .display()
        .to_string()
}

#[test]
fn okta_crud_file_passes_and_leaves_no_okta_user_behind() {
    let (dir, server, double) = setup(DoubleOptions::default());
    let started = Instant::now();
    let out = scimplan(
        dir.path(),
        &server,
        &["crud", "plan.xlsx", "--file", &crud_file(), "--yes"],
    );
    let elapsed = started.elapsed();
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    assert!(text.contains("CRUD file passed"), "{text}");
    let login = text
        .lines()
        .find_map(|l| l.strip_prefix("test user: "))
        .expect("the test user named")
        .to_string();
    assert!(
        err.contains(&format!("It creates the Okta user {login}")),
        "{err}"
    );
    assert!(
        err.contains(&format!("clean-up: Okta user {login}"))
            && err.contains("deactivated and deleted"),
        "{err}"
    );
    assert!(
        double.user(&login).is_none(),
        "the Okta user was left behind"
    );
    // The app keeps its user, deactivated (Okta never deletes an app user).
    let users = server.find_users(&login);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["active"], false);
    let session = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&session).unwrap();
    let runs = json["suite_runs"].as_array().unwrap();
    assert_eq!(runs.last().unwrap()["suite"], "crud");
    assert_eq!(runs.last().unwrap()["passed"], true);
    assert!(
        !session.contains(OKTA_TOKEN) && !session.contains(&server.token),
        "a token is in the session"
    );
    eprintln!(
        "CRUD against the double with a 1 s provisioning delay: {:.1} s",
        elapsed.as_secs_f32()
    );
    double.assert_valid();
}

#[test]
fn a_password_the_org_refuses_is_explained_and_nothing_is_left() {
    let (dir, server, double) = setup(DoubleOptions {
        min_password_length: 12,
        ..DoubleOptions::default()
    });
    // Every later step fails too (no user): a copy of the file with one-second pauses and a
    // short deadline keep the run brief; the refusal is what this test is about.
    let original = std::fs::read_to_string(crud_file()).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&original).unwrap();
    for step in file["steps"].as_array_mut().unwrap() {
        if step["step_type"] == "pause" {
            step["duration"] = serde_json::json!(1);
        }
    }
    let copy = dir.path().join("crud-short-pauses.json");
    std::fs::write(&copy, file.to_string()).unwrap();
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "crud",
            "plan.xlsx",
            "--file",
            copy.to_str().unwrap(),
            "--yes",
            "--deadline",
            "2",
        ],
    );
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    assert!(text.contains("Okta refused step 2"), "{text}");
    assert!(text.contains("E0000001: Api validation failed: password (password: Password requirements were not met"), "{text}");
    assert!(text.contains("password policy"), "{text}");
    assert!(err.contains("clean-up: no Okta user"), "{err}");
    double.assert_valid();
}

#[test]
fn without_an_okta_connection_crud_says_what_to_do() {
    let server = ScimServer::start();
    let dir = tempfile::tempdir().unwrap();
    write_plan(
        &dir.path().join("plan.xlsx"),
        vec![case_row(
            "C9290",
            "Push new user",
            "Create Users",
            "",
            "1. Assign",
            "Created",
        )],
    );
    let out = scimplan(
        dir.path(),
        &server,
        &["connect", "plan.xlsx", "--scim-url", &server.url],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = scimplan(
        dir.path(),
        &server,
        &["crud", "plan.xlsx", "--file", &crud_file(), "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("scimplan connect PLAN --okta-org URL --okta-app-id ID"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sigterm_mid_run_still_removes_the_okta_user() {
    let (dir, server, double) = setup(DoubleOptions {
        provisioning_delay: Duration::from_secs(3),
        ..DoubleOptions::default()
    });
    let child = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(["crud", "plan.xlsx", "--file", &crud_file(), "--yes"])
        .current_dir(dir.path())
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the file has created and assigned its Okta user (provisioning is still pending).
    let until = Instant::now() + Duration::from_secs(60);
    let assigned = format!("POST /api/v1/apps/{}/users", double.app_id);
    while !double.requests().iter().any(|r| r == &assigned) {
        assert!(Instant::now() < until, "the run never assigned its user");
        std::thread::sleep(Duration::from_millis(50));
    }
    let created = double.org.lock().unwrap().users.len();
    assert_eq!(created, 1, "the file's user exists before the signal");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("clean-up: Okta user") && err.contains("unassigned, deactivated and deleted"),
        "{err}"
    );
    assert!(
        double.org.lock().unwrap().users.is_empty(),
        "an Okta user was left behind"
    );
    let session = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    assert!(
        !session.contains("\"crud\""),
        "a cancelled run was recorded as a CRUD result"
    );
    double.assert_valid();
}
