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

use common::{SuiteFile, okta_like_plan, spec_files, stderr, stdout};
use fake_app::{fake_app, reply};
use scim_server::ScimServer;
use scimplan::net::{CancelFlag, Secret};
use scimplan::runscope;
use scimplan::scim::ScimClient;
use scimplan::session::StepStatus;
use scimplan::verify::{AuthScheme, Connection, SpecOptions, VerifyEvent, run_spec, spawn_spec};
use serde_json::Value;

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
/// The SHA-256 of Okta's published SPEC file (plans/okta-scim.toml pins it).
const SPEC_SHA256: &str = "a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899";

/// Runs scimplan with `file` as the SPEC file in its data folder (`dir/data`, under Okta's
/// name), so `spec` finds it without the network, as after `scimplan fetch`.
fn scimplan(dir: &Path, file: &SuiteFile, token: &str, args: &[&str]) -> Output {
    let data = dir.join("data");
    if !data.join(common::SPEC_FILE).is_file() {
        std::fs::create_dir_all(&data).unwrap();
        std::fs::copy(&file.path, data.join(common::SPEC_FILE)).unwrap();
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

/// The SPEC file as the runner reads it.
fn spec_options(file: &SuiteFile, auth: AuthScheme) -> SpecOptions {
    SpecOptions::new(auth, runscope::load(&file.path).unwrap()).unwrap()
}

/// A generated plan with Okta's case IDs, connected to `server`.
fn connected(server: &ScimServer, file: &SuiteFile) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    let out = scimplan(
        dir.path(),
        file,
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

/// The SPEC-shaped fixture and Okta's SPEC file (when present) against the real server: every
/// request passes, the one user the file creates is left inactive.
#[test]
fn okta_spec_file_passes_against_the_real_server_and_leaves_one_inactive_user() {
    for file in spec_files() {
        spec_file_passes(&file);
    }
}

fn spec_file_passes(file_used: &SuiteFile) {
    let server = ScimServer::start();
    let dir = connected(&server, file_used);
    server.create_user("existing@example.com", "Ex", "Isting", true);
    server.create_group("Everyone", &[]);
    let junit = dir.path().join("spec.xml");
    let out = scimplan(
        dir.path(),
        file_used,
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
    let label = file_used.label();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{label}: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("It creates one user"),
        "{}",
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    // The file, step by step: every request passing, each once.
    let file = &report["file"];
    assert_eq!(file["file"]["name"], file_used.name());
    let sha = runscope::sha256_hex(&std::fs::read(&file_used.path).unwrap());
    assert_eq!(file["file"]["sha256"], sha.as_str());
    if file_used.okta {
        assert_eq!(sha, SPEC_SHA256);
        assert!(file["file"]["expected_sha256"].is_null(), "Okta's own file");
    } else {
        assert_eq!(
            file["file"]["expected_sha256"], SPEC_SHA256,
            "not Okta's file: the pinned hash is named"
        );
    }
    let steps = file["steps"].as_array().unwrap();
    assert_eq!(steps.len(), file_used.steps().len());
    let requests: Vec<&Value> = steps.iter().filter(|s| s["status"] != "pause").collect();
    assert_eq!(requests.len(), file_used.requests());
    for step in &requests {
        assert_eq!(step["status"], "pass", "{label}: {step:#}");
        assert_eq!(
            step["attempts"].as_array().unwrap().len(),
            1,
            "no polling in SPEC"
        );
    }
    let optional = file_used.optional();
    assert_eq!(optional.len(), 1, "{label}");
    let optional_step = steps.iter().find(|s| s["position"] == optional[0]).unwrap();
    assert_eq!(optional_step["requirement"], "optional");
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
    assert_eq!(run["checks"], file_used.requests());
    assert_eq!(run["sha256"], sha.as_str());
    assert_eq!(run["target"], server.url.as_str());
    let xml = std::fs::read_to_string(&junit).unwrap();
    let create = file_used.request("POST", "/Users");
    assert!(
        xml.contains("failures=\"0\"") && xml.contains(file_used.note(create)),
        "{xml}"
    );
    let session_text =
        std::fs::read_to_string(dir.path().join("okta-scim-test-plan-v2.scimplan.json")).unwrap();
    for text in [stdout(&out), xml, session_text] {
        assert!(!text.contains(&server.token), "the token leaked");
    }
    // Not Okta's file: the text report says so.
    if !file_used.okta {
        let out = scimplan(
            dir.path(),
            file_used,
            &server.token,
            &["spec", PLAN, "--yes"],
        );
        assert!(
            stdout(&out).contains(&format!(
                "not Okta's published file (the profile pins {SPEC_SHA256})"
            )),
            "{}",
            stdout(&out)
        );
    }
}

/// An app holding no user: step 1 asserts `Resources` `not_empty` (Required): fail, and the
/// step reading the user step 1 names cannot run, since step 1 set no value. The user the file
/// creates is still deactivated.
#[test]
fn an_app_without_users_fails_step_one_naming_the_assertion() {
    for file in spec_files() {
        let server = ScimServer::start();
        let dir = connected(&server, &file);
        let out = scimplan(dir.path(), &file, &server.token, &["spec", PLAN, "--yes"]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!("FAIL    step 1: {}", file.note(1))),
            "{text}"
        );
        assert!(
            text.contains("response_json Resources not_empty: expected not empty"),
            "{text}"
        );
        let variable = file.sets(1);
        let reader = file.first_use(variable);
        assert!(
            text.contains(&format!("NOT RUN step {reader}"))
                && text.contains(&format!("{{{{{variable}}}}} has no value")),
            "{text}"
        );
        assert!(
            text.contains("created user") && text.contains("deactivated at the end"),
            "{text}"
        );
        let runs = session(dir.path())["suite_runs"].clone();
        assert_eq!(runs[0]["passed"], false);
        assert_eq!(
            runs[0]["failures"], 2,
            "step 1 failed, step {reader} not run"
        );
    }
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_created() {
    let file = &spec_files()[0];
    let server = ScimServer::start();
    let dir = connected(&server, file);
    let out = scimplan(dir.path(), file, &server.token, &["spec", PLAN]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_eq!(server.user_count(), 0);
    let runs = session(dir.path())["suite_runs"].clone();
    assert!(runs.as_array().is_none_or(Vec::is_empty), "{runs}");
}

#[test]
fn the_background_spec_suite_reports_every_check() {
    for file in spec_files() {
        let server = ScimServer::start();
        server.create_user("bg@example.com", "Bg", "User", true);
        let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
        let options = spec_options(&file, AuthScheme::Bearer);
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
        assert!(report.passed(), "{}: {:#?}", file.label(), report.file);
        assert_eq!(steps, report.file.as_ref().unwrap().steps.len());
        assert_eq!(checks, report.checks.len());
        assert_eq!(report.suite_run().checks, file.requests());
    }
}

#[test]
fn an_app_answering_html_errors_fails_every_check_with_the_status_named() {
    for spec in spec_files() {
        html_errors_fail_every_check(&spec);
    }
}

fn html_errors_fail_every_check(spec: &SuiteFile) {
    let app = fake_app(|_, _| fake_app::Reply {
        content_type: "text/html",
        ..reply(500, "<html><body>oops</body></html>")
    });
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new("spec-test-token-xyz")).unwrap();
    let mut options = spec_options(spec, AuthScheme::Bearer);
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
    let position = spec.expecting(401);
    let unauthorized = file.steps.iter().find(|s| s.position == position).unwrap();
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
    for file in spec_files() {
        let dir = tempfile::tempdir().unwrap();
        okta_like_plan(dir.path(), PLAN);
        // A port nobody listens on.
        let port = common::unused_port();
        let url = format!("http://127.0.0.1:{port}/scim/v2");
        let out = scimplan(
            dir.path(),
            &file,
            "t0ken",
            &["connect", PLAN, "--scim-url", &url],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let out = scimplan(dir.path(), &file, "t0ken", &["spec", PLAN, "--yes"]);
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("could not reach") && err.contains("cannot connect"),
            "{err}"
        );
        assert!(err.contains("no SPEC result was recorded"), "{err}");
        // The run stops after its first step, rather than showing the same refusal each time.
        assert!(
            stdout(&out).contains(&format!("step 1: {}", file.note(1))),
            "{}",
            stdout(&out)
        );
        assert!(!stdout(&out).contains("step 3"), "{}", stdout(&out));
        let runs = session(dir.path())["suite_runs"].clone();
        assert!(runs.as_array().is_none_or(Vec::is_empty), "{runs}");
    }
}

/// Cancelled right after the file created its user (Esc in the checklist, Ctrl-C on the
/// command line): the run stops there, and the user is still deactivated, with PATCH.
#[test]
fn a_cancel_after_the_user_was_created_still_deactivates_it() {
    for file in spec_files() {
        let server = ScimServer::start();
        server.create_user("existing@example.com", "Ex", "Isting", true);
        let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
        let client = ScimClient::new(&connection, &Secret::new(server.token.clone())).unwrap();
        let options = spec_options(&file, AuthScheme::Bearer);
        let create = file.request("POST", "/Users");
        let cancel = CancelFlag::new();
        let mut last_step = 0;
        let report = run_spec(&client, &options, &cancel, &mut |event| {
            if let VerifyEvent::FileStep(step) = event {
                last_step = step.position;
                if step.position == create {
                    cancel.cancel();
                }
            }
        });
        assert!(report.cancelled);
        assert!(!report.passed());
        assert_eq!(last_step, create, "nothing ran after the cancel");
        assert!(
            report.checks.is_empty(),
            "no checks beyond the file after a cancel"
        );
        let created = report
            .created_user
            .clone()
            .expect("the user the create step made");
        assert_eq!(created, options.user_name());
        assert!(report.deactivated, "{:?}", report.deactivation);
        assert!(report.cleanup.iter().any(|r| r.method == "PATCH"));
        let users = server.find_users(&created);
        assert_eq!(users.len(), 1);
        assert_eq!(users[0]["active"], false);
    }
}
