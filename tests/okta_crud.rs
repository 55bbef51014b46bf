//! `scimplan crud` from the real binary: Okta's CRUD file (from `SCIMPLAN_OKTA_FILES`; in a fresh
//! clone the CRUD-shaped fixture of `common/suite_files.rs`, whose steps sit at the same
//! positions and whose notes are its own) against
//! the Okta double and the real scim2-server, polled instead of paused; the Okta user it creates
//! is removed at the end; Okta's refusals are explained; no token reaches the session.

mod common;
#[path = "common/mini_scim.rs"]
mod mini_scim;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{
    CRUD_FILE, SuiteFile, case_row, crud_files, okta_or_fixture, stderr, stdout, write_plan,
};
use mini_scim::{MiniScim, Quirks};
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;

const OKTA_TOKEN: &str = "okta-token-for-crud-tests";

/// The app's SCIM API the double provisions into and scimplan checks: the real scim2-server,
/// or a MiniScim that misbehaves in one named way.
struct App {
    url: String,
    token: String,
}

impl From<&ScimServer> for App {
    fn from(server: &ScimServer) -> App {
        App {
            url: server.url.clone(),
            token: server.token.clone(),
        }
    }
}

impl From<&MiniScim> for App {
    fn from(app: &MiniScim) -> App {
        App {
            url: app.url.clone(),
            token: app.token.clone(),
        }
    }
}

fn scimplan(dir: &Path, server: impl Into<App>, args: &[&str]) -> Output {
    let app: App = server.into();
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SCIMPLAN_SCIM_TOKEN", &app.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn setup(options: DoubleOptions) -> (tempfile::TempDir, ScimServer, OktaDouble) {
    let server = ScimServer::start();
    let (dir, double) = setup_with(&server, options);
    (dir, server, double)
}

/// The double as these tests use it: Okta provisions one second after a change.
fn one_second_org() -> DoubleOptions {
    DoubleOptions {
        provisioning_delay: Duration::from_secs(1),
        ..DoubleOptions::default()
    }
}

/// A plan connected to `app` and to an Okta double that provisions into it.
fn setup_with(app: impl Into<App>, options: DoubleOptions) -> (tempfile::TempDir, OktaDouble) {
    let app: App = app.into();
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: app.url.clone(),
            token: app.token.clone(),
        }),
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
    let url = app.url.clone();
    let out = scimplan(
        dir.path(),
        app,
        &[
            "connect",
            "plan.xlsx",
            "--scim-url",
            &url,
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
    (dir, double)
}

/// Okta's CRUD file when present (required in CI), else the fixture.
fn crud_file() -> SuiteFile {
    okta_or_fixture(CRUD_FILE)
}

/// The fixture, and Okta's CRUD file when present.
#[test]
fn okta_crud_file_passes_and_leaves_no_okta_user_behind() {
    for file in crud_files() {
        crud_file_passes(&file);
    }
}

fn crud_file_passes(file: &SuiteFile) {
    let (dir, server, double) = setup(one_second_org());
    let started = Instant::now();
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "crud",
            "plan.xlsx",
            "--file",
            file.path_str(),
            "--yes",
            "--junit",
            "crud.xml",
        ],
    );
    let elapsed = started.elapsed();
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    assert!(text.contains("CRUD file passed"), "{text}");
    // The pause before the unassign follows the check that the reactivation reached the
    // app: not waited (the read before it already saw it), so no pause is sat out.
    let not_waited = format!(
        "step 16: pause {} s (not waited: step 15 just before it already saw what it waits for",
        file.pause_seconds(16)
    );
    assert!(
        err.contains(&not_waited) || text.contains(&not_waited),
        "{text}{err}"
    );
    // JUnit: one test case per request step of the file (13) and the clean-up, none failed.
    assert_eq!(file.requests(), 13);
    let junit = std::fs::read_to_string(dir.path().join("crud.xml")).unwrap();
    assert!(
        junit.contains(r#"<testsuites name="scimplan crud" tests="14" failures="0" errors="0">"#),
        "{junit}"
    );
    assert!(junit.contains("remove the Okta user"), "{junit}");
    assert!(!junit.contains(OKTA_TOKEN) && !junit.contains(&server.token));
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
    // The run shows beside the CRUD link: in `status`, the readiness summary and the
    // completed workbook's Summary sheet.
    let beside = "local run passed (13 requests) at ";
    for command in ["status", "summary"] {
        let out = scimplan(dir.path(), &server, &[command, "plan.xlsx"]);
        let text = stdout(&out);
        let crud_line = text
            .lines()
            .find(|l| l.contains("CRUD"))
            .unwrap_or_else(|| panic!("{command} names the CRUD suite:\n{text}"));
        assert!(crud_line.contains(beside), "{command}:\n{text}");
    }
    let out = scimplan(
        dir.path(),
        &server,
        &["export", "plan.xlsx", "-o", "done.xlsx"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("done.xlsx")).unwrap();
    let summary = calamine::Reader::worksheet_range(&mut book, "Summary").unwrap();
    let crud_row = summary
        .rows()
        .find(|row| row.iter().any(|c| c.to_string().contains("CRUD")))
        .expect("a CRUD row on the Summary sheet");
    assert!(
        crud_row.iter().any(|c| c.to_string().contains(beside)),
        "{crud_row:?}"
    );
    double.assert_valid();
}

#[test]
fn a_password_the_org_refuses_is_explained_and_nothing_is_left() {
    let (dir, server, double) = setup(DoubleOptions {
        min_password_length: 12,
        ..one_second_org()
    });
    // Every later step fails too (no user): a copy of the file with one-second pauses and a
    // short deadline keep the run brief; the refusal is what this test is about.
    let original = std::fs::read_to_string(&crud_file().path).unwrap();
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
        &[
            "crud",
            "plan.xlsx",
            "--file",
            crud_file().path_str(),
            "--yes",
        ],
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
        .args([
            "crud",
            "plan.xlsx",
            "--file",
            crud_file().path_str(),
            "--yes",
        ])
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
    // The run now polls step 5 (the double provisions after 3 s): signal it while it polls.
    std::thread::sleep(Duration::from_millis(1200));
    assert!(
        double.org.lock().unwrap().scim_ids.is_empty(),
        "not provisioned yet"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("step 5 attempt 1: "),
        "the signal came while step 5 was polled:\n{err}"
    );
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

/// Runs the CRUD file against an app whose SCIM API misbehaves, polling for `deadline`
/// seconds, and returns the exit code, stdout, stderr and the JUnit file.
fn crud_against(
    app: &MiniScim,
    file: &SuiteFile,
    deadline: &str,
) -> (Option<i32>, String, String, String, OktaDouble) {
    let (dir, double) = setup_with(
        app,
        DoubleOptions {
            provisioning_delay: Duration::from_millis(300),
            ..DoubleOptions::default()
        },
    );
    let out = scimplan(
        dir.path(),
        app,
        &[
            "crud",
            "plan.xlsx",
            "--file",
            file.path_str(),
            "--yes",
            "--deadline",
            deadline,
            // These apps fail for what they are, not for speed: the fast run's verdict is
            // reported without running Okta's file again with its 20-40 s pauses.
            "--no-confirm",
            "--junit",
            "crud.xml",
        ],
    );
    let junit = std::fs::read_to_string(dir.path().join("crud.xml")).unwrap_or_default();
    (out.status.code(), stdout(&out), stderr(&out), junit, double)
}

/// An app that answers PATCH `active=false` with 200 but keeps the user active. In Okta's CRUD
/// file, step 9 deactivates the Okta user (the double PATCHes `active=false`) and step 11 "Verify
/// if user is deactivated in SCIM App" asserts `active` equal `false`: it fails, expected false,
/// got true. Step 13 assigns again: the user was never inactive, so step 15 (`active` true)
/// holds. Step 17 unassigns (another PATCH `active=false`, ignored): step 19, the same check as
/// step 11, fails too. Every other step passes.
#[test]
fn an_app_that_ignores_deactivation_fails_at_steps_11_and_19() {
    let app = MiniScim::start(Quirks {
        ignores_deactivation: true,
        ..Quirks::default()
    });
    let file = crud_file();
    let (code, text, err, junit, double) = crud_against(&app, &file, "3");
    assert_eq!(code, Some(1), "{text}{err}");
    assert!(
        text.contains("CRUD file failed: 2 of 13 required steps failed"),
        "{text}"
    );
    let failed: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(
        failed,
        [
            format!("FAIL    step 11: {}", file.note(11)),
            format!("FAIL    step 19: {}", file.note(19)),
        ],
        "{text}"
    );
    assert!(
        text.contains("response_json active equal: expected false, got true"),
        "{text}"
    );
    assert!(
        junit.contains(r#"tests="14" failures="2" errors="0""#)
            && junit.contains("message=\"response_json active equal: expected false, got true\""),
        "{junit}"
    );
    assert!(err.contains("clean-up: Okta user"), "{err}");
    assert!(
        double.org.lock().unwrap().users.is_empty(),
        "an Okta user was left behind"
    );
    double.assert_valid();
}

/// An app that refuses to create users (POST /Users answers 400). Okta's CRUD file: step 3
/// assigns the user, the double's provisioning POST is refused, so step 5 "Verify if user is
/// created in SCIM App" finds no user (`Resources[0].userName` missing) and fails; it is also the
/// step that sets `scim_id`, so steps 8, 11, 15 and 19 (`/Users/{{scim_id}}`) cannot run. The
/// Okta steps (1-3, 6, 9, 12, 13, 17) pass.
#[test]
fn an_app_that_refuses_a_create_fails_at_step_5_and_the_steps_after_cannot_run() {
    let app = MiniScim::start(Quirks {
        refuses_create: true,
        ..Quirks::default()
    });
    let file = crud_file();
    let (code, text, err, junit, double) = crud_against(&app, &file, "2");
    assert_eq!(code, Some(1), "{text}{err}");
    assert!(
        text.contains("CRUD file failed: 5 of 13 required steps failed"),
        "{text}"
    );
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("FAIL") || l.starts_with("NOT RUN"))
        .collect();
    assert_eq!(
        failed,
        [
            format!("FAIL    step 5: {}", file.note(5)),
            format!("NOT RUN step 8: {}", file.note(8)),
            format!("NOT RUN step 11: {}", file.note(11)),
            format!("NOT RUN step 15: {}", file.note(15)),
            format!("NOT RUN step 19: {}", file.note(19)),
        ],
        "{text}"
    );
    assert!(
        text.contains("response_json Resources[0].userName equal: expected Runscope"),
        "{text}"
    );
    assert!(
        text.contains(&format!("not run: {{{{{}}}}} has no value: step 5 sets it from 'Resources[0].id', which its response did not have", file.sets(5))),
        "{text}"
    );
    assert!(
        junit.contains(r#"tests="14" failures="1" errors="4""#),
        "{junit}"
    );
    // Why: Okta's System Log for the file's user, read before the clean-up, has the app's
    // refusal in Okta's words.
    let okta_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("Okta: ")).collect();
    assert!(
        okta_lines
            .iter()
            .any(|l| l.starts_with("Okta: System Log: ")
                && l.contains("application.provision.user.push")
                && l.contains("400 this app does not create users over SCIM")),
        "{text}"
    );
    // The app never got a user; Okta's is removed all the same.
    assert!(app.users().is_empty());
    assert!(err.contains("clean-up: Okta user"), "{err}");
    assert!(
        double.org.lock().unwrap().users.is_empty(),
        "an Okta user was left behind"
    );
    double.assert_valid();
}

/// A token that may create and assign users but not read, change or delete them
/// (`/api/v1/users/...` answers 403 E0000006): the clean-up cannot remove the Okta user, and says
/// so with what to do by hand, as a warning and as a JUnit error; the file's own refusals (step
/// 6, the profile update, first) are explained in Okta's words.
#[test]
fn a_clean_up_okta_refuses_says_what_to_remove_by_hand() {
    let file = crud_file();
    let (dir, server, double) = setup(DoubleOptions {
        forbidden: vec!["/api/v1/users/".into()],
        provisioning_delay: Duration::from_millis(300),
        ..DoubleOptions::default()
    });
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "crud",
            "plan.xlsx",
            "--file",
            file.path_str(),
            "--yes",
            "--deadline",
            "2",
            "--junit",
            "crud.xml",
        ],
    );
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    let login = text
        .lines()
        .find_map(|l| l.strip_prefix("test user: "))
        .expect("the test user named")
        .to_string();
    assert!(
        text.contains(&format!(
            "Okta refused step 6 (step 6: {}): E0000006",
            file.note(6)
        )),
        "{text}"
    );
    assert!(
        err.contains("warning: clean-up failed: ")
            && err.contains("E0000006")
            && err.contains(&format!("Remove the Okta user {login} by hand")),
        "{err}"
    );
    let junit = std::fs::read_to_string(dir.path().join("crud.xml")).unwrap();
    assert!(
        junit.contains(r#"<error type="clean-up failed""#),
        "{junit}"
    );
    // Left behind, as the warning says.
    assert!(double.user(&login).is_some());
    double.assert_valid();
}
