//! `scimplan spec` (Okta's SPEC file, run as Runscope would) against the real scim2-server, and
//! against apps that cannot be reached or answer HTML.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{okta_file, okta_like_plan, stderr, stdout};
use fake_app::{fake_app, reply};
use scim_server::ScimServer;
use scimplan::net::{CancelFlag, Secret};
use scimplan::runscope;
use scimplan::scim::ScimClient;
use scimplan::session::StepStatus;
use scimplan::verify::{AuthScheme, Connection, SpecOptions, VerifyEvent, run_spec, spawn_spec};
use serde_json::Value;

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
const SPEC: &str = "Okta-SCIM-20-SPEC-Test.json";
/// The SHA-256 of Okta's published SPEC file (plans/okta-scim.toml pins it).
const SPEC_SHA256: &str = "a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899";

/// Runs scimplan with Okta's SPEC file in its data folder (`dir/data`), so `spec` finds it
/// without the network, as after `scimplan fetch`.
fn scimplan(dir: &Path, token: &str, args: &[&str]) -> Output {
    let data = dir.join("data");
    if let Some(spec) = okta_file(SPEC)
        && !data.join(SPEC).is_file()
    {
        std::fs::create_dir_all(&data).unwrap();
        std::fs::copy(spec, data.join(SPEC)).unwrap();
    }
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", token)
        .env("SCIMPLAN_DATA_DIR", &data)
        .stdin(Stdio::null())
        .output()
        .expect("run scimplan")
}

/// Okta's SPEC file as the runner reads it. Okta's files are needed here: without them (and
/// `SCIMPLAN_OKTA_FILES`) these tests fail rather than pass silently.
fn spec_options(auth: AuthScheme) -> SpecOptions {
    let path = okta_file(SPEC).expect("Okta's SPEC file: set SCIMPLAN_OKTA_FILES");
    SpecOptions::new(auth, runscope::load(&path).unwrap()).unwrap()
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
fn okta_spec_file_passes_against_the_real_server_and_leaves_one_inactive_user() {
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
        stderr(&out).contains("It creates one user"),
        "{}",
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    // Okta's file, step by step: 12 requests and 11 pauses, every request passing.
    let file = &report["file"];
    assert_eq!(file["file"]["name"], "Okta SCIM 2.0 SPEC Test");
    assert_eq!(file["file"]["sha256"], SPEC_SHA256);
    assert!(file["file"]["expected_sha256"].is_null(), "Okta's own file");
    let steps = file["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 23);
    let requests: Vec<&Value> = steps.iter().filter(|s| s["status"] != "pause").collect();
    assert_eq!(requests.len(), 12);
    for step in &requests {
        assert_eq!(step["status"], "pass", "{step:#}");
        assert_eq!(
            step["attempts"].as_array().unwrap().len(),
            1,
            "no polling in SPEC"
        );
    }
    assert_eq!(
        requests[9]["requirement"], "optional",
        "Verify Groups endpoint"
    );
    // The pauses only space requests to the same app apart: not waited.
    assert!(
        steps[1]["wait"].as_str().unwrap().starts_with("not waited"),
        "{}",
        steps[1]
    );
    // The checks beyond the file, reported apart, all pass against a compliant server.
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 5, "{checks:#?}");
    for check in checks {
        assert_eq!(check["status"], "pass", "{check}");
    }
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for wanted in [
        "paging",
        "PATCH active=false",
        "case-insensitive",
        "/Groups",
        "409",
    ] {
        assert!(
            names.iter().any(|n| n.contains(wanted)),
            "no check {wanted}: {names:?}"
        );
    }

    // One user created, with the random name of Okta's shape, and now inactive.
    let created = report["created_user"].as_str().unwrap();
    assert_eq!(file["variables"]["randomUsername"], created);
    assert!(created.starts_with("Runscope") && created.ends_with("@atko.com"));
    assert!(stderr(&out).contains(created));
    assert_eq!(server.user_count(), 2);
    let users = server.find_users(created);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["active"], false);
    assert_eq!(report["deactivated"], true);
    assert_eq!(file["variables"]["auth"], "Bearer [redacted]");

    let runs = session(dir.path())["suite_runs"].clone();
    let run = runs.as_array().unwrap().last().unwrap();
    assert_eq!(run["suite"], "spec");
    assert_eq!(run["passed"], true);
    assert_eq!(run["failures"], 0);
    assert_eq!(run["checks"], 12);
    assert_eq!(run["sha256"], SPEC_SHA256);
    assert_eq!(run["target"], server.url.as_str());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("failures=\"0\"") && xml.contains("Create Okta user with realistic values"),
        "{xml}"
    );
    let session_text =
        std::fs::read_to_string(dir.path().join("okta-scim-test-plan-v2.scimplan.json")).unwrap();
    for text in [stdout(&out), xml, session_text] {
        assert!(!text.contains(&server.token), "the token leaked");
    }
}

/// An app holding no user: step 1 asserts `Resources` `not_empty` (Required): fail, and
/// step 3 cannot run, since step 1 set no {{ISVUserid}}. The user step 11 creates is still
/// deactivated.
#[test]
fn an_app_without_users_fails_step_one_naming_the_assertion() {
    let server = ScimServer::start();
    let dir = connected(&server);
    let out = scimplan(dir.path(), &server.token, &["spec", PLAN, "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL    step 1: Required Test: Test Users endpoint"),
        "{text}"
    );
    assert!(
        text.contains("response_json Resources not_empty: expected not empty"),
        "{text}"
    );
    assert!(
        text.contains("NOT RUN step 3") && text.contains("{{ISVUserid}} has no value"),
        "{text}"
    );
    assert!(
        text.contains("created user") && text.contains("deactivated at the end"),
        "{text}"
    );
    let runs = session(dir.path())["suite_runs"].clone();
    assert_eq!(runs[0]["passed"], false);
    assert_eq!(runs[0]["failures"], 2, "step 1 failed, step 3 not run");
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
    let options = spec_options(AuthScheme::Bearer);
    let (sink, events) = scimplan::verify::worker::channel();
    let _running = spawn_spec(connection, Secret::new(server.token.clone()), options, sink);
    let (mut steps, mut checks) = (0, 0);
    let mut report = None;
    for event in events.iter() {
        match event {
            VerifyEvent::FileStep(_) => steps += 1,
            VerifyEvent::SpecCheck(_) => checks += 1,
            VerifyEvent::SpecFinished(r) => report = Some(r),
            VerifyEvent::Ended => assert!(report.is_some(), "Ended comes last"),
            other => panic!("unexpected {other:?}"),
        }
    }
    let report = report.expect("a final report");
    assert!(report.passed(), "{:#?}", report.file);
    assert_eq!(steps, report.file.as_ref().unwrap().steps.len());
    assert_eq!(checks, report.checks.len());
    assert_eq!(report.suite_run().checks, 12);
}

#[test]
fn an_app_answering_html_errors_fails_every_check_with_the_status_named() {
    let app = fake_app(|_, _| fake_app::Reply {
        content_type: "text/html",
        ..reply(500, "<html><body>oops</body></html>")
    });
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new("spec-test-token-xyz")).unwrap();
    let mut options = spec_options(AuthScheme::Bearer);
    options.request_deadline = Duration::from_secs(5);
    let report = run_spec(&client, &options, &CancelFlag::new(), &mut |_| {});
    assert!(!report.passed());
    let file = report.file.as_ref().unwrap();
    // Every Required step fails or cannot run; the Optional one warns.
    for step in file.requests() {
        let expected: &[StepStatus] = match step.requirement {
            scimplan::session::StepRequirement::Required => &[StepStatus::Fail, StepStatus::NotRun],
            scimplan::session::StepRequirement::Optional => &[StepStatus::Warn],
        };
        assert!(expected.contains(&step.status), "{step:#?}");
    }
    let first = &file.steps[0].assertions;
    assert_eq!(first[0].actual, "500");
    assert!(
        first[1]
            .actual
            .contains("no JSON: status 500, body starts <html>"),
        "{first:#?}"
    );
    assert!(report.created_user.is_none(), "no user was created");
    // The 401 step names the status it got instead.
    let unauthorized = file
        .steps
        .iter()
        .find(|s| s.note.contains("Check status 401"))
        .unwrap();
    assert_eq!(
        (
            unauthorized.assertions[0].expected.as_str(),
            unauthorized.assertions[0].actual.as_str()
        ),
        ("401", "500")
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
    // The run stops after its first step, rather than showing the same refusal 12 times.
    assert!(
        stdout(&out).contains("step 1: Required Test"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("step 3"), "{}", stdout(&out));
    let runs = session(dir.path())["suite_runs"].clone();
    assert!(runs.as_array().is_none_or(Vec::is_empty), "{runs}");
}

/// Cancelled right after Okta's file created its user (Esc in the checklist, Ctrl-C on the
/// command line): the run stops there, and the user is still deactivated, with PATCH.
#[test]
fn a_cancel_after_the_user_was_created_still_deactivates_it() {
    let server = ScimServer::start();
    server.create_user("existing@example.com", "Ex", "Isting", true);
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(server.token.clone())).unwrap();
    let options = spec_options(AuthScheme::Bearer);
    let cancel = CancelFlag::new();
    let mut last_step = 0;
    let report = run_spec(&client, &options, &cancel, &mut |event| {
        if let VerifyEvent::FileStep(step) = event {
            last_step = step.position;
            if step.note.contains("Create Okta user") {
                cancel.cancel();
            }
        }
    });
    assert!(report.cancelled);
    assert!(!report.passed());
    assert_eq!(last_step, 11, "nothing ran after the cancel");
    assert!(
        report.checks.is_empty(),
        "no checks beyond the file after a cancel"
    );
    let created = report
        .created_user
        .clone()
        .expect("the user step 11 created");
    assert_eq!(created, options.user_name());
    assert!(report.deactivated, "{:?}", report.deactivation);
    assert!(report.cleanup.iter().any(|r| r.method == "PATCH"));
    let users = server.find_users(&created);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["active"], false);
}
