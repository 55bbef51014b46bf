//! `scimplan spec` against the real scim2-server, and the SPEC suite against misbehaving apps.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{okta_like_plan, stderr, stdout};
use fake_app::{fake_app, reply};
use scim_server::ScimServer;
use scimplan::verify::spec::CheckStatus;
use scimplan::verify::{
    AuthScheme, CancelFlag, Connection, ScimClient, Secret, SpecOptions, VerifyEvent, run_spec,
    spawn_spec,
};
use serde_json::Value;

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";

fn scimplan(dir: &Path, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", token)
        .stdin(Stdio::null())
        .output()
        .expect("run scimplan")
}

/// A generated plan with Okta's case IDs, connected to `server`.
fn connected(server: &ScimServer) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    let out = scimplan(
        dir.path(),
        &server.token,
        &["connect", PLAN, "--scim-url", &server.url],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn session(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("okta-scim-test-plan-v2.scimplan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_spec_suite_passes_against_the_real_server_and_leaves_one_inactive_user() {
    let server = ScimServer::start();
    let dir = connected(&server);
    server.create_user("existing@example.com", "Ex", "Isting", true);
    server.create_group("Everyone", &[]);
    let junit = dir.path().join("spec.xml");
    let out = scimplan(
        dir.path(),
        &server.token,
        &[
            "spec",
            PLAN,
            "--yes",
            "--json",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("creates one user"),
        "{}",
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.len() >= 16, "{}", checks.len());
    for check in checks {
        assert_eq!(check["status"], "pass", "{check}");
    }
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for wanted in [
        "1. ",
        "6. POST",
        "10. a wrong token",
        "11. ",
        "paging",
        "PATCH active=false",
        "case-insensitive",
        "/Groups",
    ] {
        assert!(
            names.iter().any(|n| n.contains(wanted)),
            "no check {wanted}: {names:?}"
        );
    }

    // One user created, with the random name the suite announced, and now inactive.
    let created = report["created_user"].as_str().unwrap();
    assert!(stderr(&out).contains(created));
    assert_eq!(server.user_count(), 2);
    let users = server.find_users(created);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["active"], false);
    assert_eq!(report["deactivated"], true);

    let runs = session(dir.path())["suite_runs"].clone();
    let run = runs.as_array().unwrap().last().unwrap();
    assert_eq!(run["suite"], "spec");
    assert_eq!(run["passed"], true);
    assert_eq!(run["failures"], 0);
    assert_eq!(run["target"], server.url.as_str());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("failures=\"0\"") && xml.contains("6. POST /Users"),
        "{xml}"
    );
    let session_text =
        std::fs::read_to_string(dir.path().join("okta-scim-test-plan-v2.scimplan.json")).unwrap();
    for text in [stdout(&out), xml, session_text] {
        assert!(!text.contains(&server.token), "the token leaked");
    }
}

#[test]
fn an_app_without_users_fails_check_one_saying_what_to_do() {
    let server = ScimServer::start();
    let dir = connected(&server);
    let out = scimplan(dir.path(), &server.token, &["spec", PLAN, "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("FAIL  1. GET /Users"), "{text}");
    assert!(text.contains("the app holds no user"), "{text}");
    assert!(
        text.contains("created user") && text.contains("deactivated"),
        "{text}"
    );
    let runs = session(dir.path())["suite_runs"].clone();
    assert_eq!(runs[0]["passed"], false);
    assert!(runs[0]["failures"].as_u64().unwrap() >= 1);
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_created() {
    let server = ScimServer::start();
    let dir = connected(&server);
    let out = scimplan(dir.path(), &server.token, &["spec", PLAN]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_eq!(server.user_count(), 0);
    let runs = session(dir.path())["suite_runs"].clone();
    assert!(runs.as_array().is_none_or(Vec::is_empty), "{runs}");
}

#[test]
fn the_background_spec_suite_reports_every_check() {
    let server = ScimServer::start();
    server.create_user("bg@example.com", "Bg", "User", true);
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    let options = SpecOptions::new(AuthScheme::Bearer);
    let (sink, events) = scimplan::verify::worker::channel();
    let _running = spawn_spec(connection, Secret::new(server.token.clone()), options, sink);
    let mut seen = 0;
    let mut report = None;
    for event in events.iter() {
        match event {
            VerifyEvent::SpecCheck(_) => seen += 1,
            VerifyEvent::SpecFinished(r) => report = Some(r),
            VerifyEvent::Ended => assert!(report.is_some(), "Ended comes last"),
            other => panic!("unexpected {other:?}"),
        }
    }
    let report = report.expect("a final report");
    assert!(report.passed(), "{:#?}", report.checks);
    assert_eq!(seen, report.checks.len());
    assert_eq!(report.suite_run().checks, seen);
}

#[test]
fn an_app_answering_html_errors_fails_every_check_with_the_status_named() {
    let app = fake_app(|_, _| fake_app::Reply {
        content_type: "text/html",
        ..reply(500, "<html><body>oops</body></html>")
    });
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new("spec-test-token-xyz")).unwrap();
    let mut options = SpecOptions::new(AuthScheme::Bearer);
    options.request_deadline = Duration::from_secs(5);
    let report = run_spec(&client, &options, &CancelFlag::new(), &mut |_| {});
    assert!(!report.passed());
    let required: Vec<_> = report.checks.iter().filter(|c| c.required).collect();
    assert!(
        required.iter().all(|c| c.status == CheckStatus::Fail),
        "{required:#?}"
    );
    let first = &report.checks[0].detail.join(" ");
    assert!(first.contains("got 500"), "{first}");
    assert!(report.created_user.is_none(), "no user was created");
    // Check 10 names the non-JSON error page.
    let ten = report
        .checks
        .iter()
        .find(|c| c.name.starts_with("10."))
        .unwrap();
    assert!(
        ten.detail
            .join(" ")
            .contains("expected status 401, got 500"),
        "{ten:?}"
    );
}

#[test]
fn an_unreachable_app_stops_the_suite_and_records_no_result() {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    // A port nobody listens on.
    let port = common::unused_port();
    let url = format!("http://127.0.0.1:{port}/scim/v2");
    let out = scimplan(dir.path(), "t0ken", &["connect", PLAN, "--scim-url", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(dir.path(), "t0ken", &["spec", PLAN, "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("could not reach") && err.contains("cannot connect"),
        "{err}"
    );
    assert!(err.contains("no SPEC result was recorded"), "{err}");
    // The suite stops after its first step, rather than showing the same refusal 15 times.
    assert!(stdout(&out).contains("1. GET /Users"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("3. filter"), "{}", stdout(&out));
    let runs = session(dir.path())["suite_runs"].clone();
    assert!(runs.as_array().is_none_or(Vec::is_empty), "{runs}");
}

#[test]
fn a_cancelled_run_records_the_clean_up_that_deactivates_its_user() {
    let server = ScimServer::start();
    server.create_user("existing@example.com", "Ex", "Isting", true);
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(server.token.clone())).unwrap();
    let options = SpecOptions::new(AuthScheme::Bearer);
    let cancel = CancelFlag::new();
    // Cancel the moment the user exists, as a tester pressing Esc would.
    let report = run_spec(&client, &options, &cancel, &mut |event| {
        if let VerifyEvent::SpecCheck(check) = event
            && check.name.starts_with("6.")
        {
            cancel.cancel();
        }
    });
    assert!(report.cancelled);
    assert!(report.deactivated, "{report:#?}");
    let cleanup = report
        .checks
        .iter()
        .find(|c| c.name.starts_with("cleanup"))
        .expect("the clean-up is recorded as a check");
    assert_eq!(cleanup.requests.len(), 1, "{cleanup:#?}");
    assert_eq!(cleanup.requests[0].method, "PATCH");
    assert!(matches!(cleanup.requests[0].status, Some(200 | 204)));
    let created = server.find_users(&options.user_name);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["active"], Value::Bool(false));
}
