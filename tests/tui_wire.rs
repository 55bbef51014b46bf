//! The checklist wired to readiness, export and verification: `update` action by action on real
//! workbooks, with the real scim2-server for verification and the session read back from disk.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use scimplan::session::{Outcome, default_session_path};
use scimplan::tui::job::{JobKind, RunKind};
use scimplan::tui::overlays::confirm_suite::ConfirmSuite;
use scimplan::tui::overlays::connection::{ConnectionForm, Field};
use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
use scimplan::tui::overlays::summary::Summary;
use scimplan::tui::{Action, Mode, Model, update};
use scimplan::verify::{AuthScheme, Connection, Verdict};

use common::{case_row, write_plan};
use scim_server::ScimServer;
use tui_helpers::{
    message, on_disk, ready as open, screen, select, wait_for_job as wait_for_verification,
    wait_for_jobs,
};

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";

fn small_plan(dir: &Path) -> PathBuf {
    let path = dir.join("plan.xlsx");
    let section = "Create Users";
    write_plan(
        &path,
        vec![
            case_row("C1", "Create a user", section, "", "1. Assign", "Created"),
            case_row(
                "C2",
                "Reactivate a user",
                section,
                "",
                "1. Activate",
                "Active",
            ),
            case_row("C3", "Rename a user", section, "", "1. Rename", "Renamed"),
        ],
    );
    path
}

fn paste(m: &mut Model, text: &str) {
    update(m, Action::Paste(text.into()));
}

#[test]
fn summary_shows_the_verdict_and_enter_goes_to_a_blocker() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let mut m = open(&plan);
    select(&mut m, "C1");
    update(&mut m, Action::MarkPass);
    select(&mut m, "C3");
    update(&mut m, Action::MarkFail);
    select(&mut m, "C1");

    update(&mut m, Action::Summary);
    assert_eq!(m.mode(), Mode::Summary);
    let readiness = m
        .find::<Summary>()
        .map(|s| s.readiness.clone())
        .expect("assessed when the summary opens");
    assert!(!readiness.ready);
    let ids: Vec<&str> = readiness.blockers.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["C2", "C3"]);
    assert!(readiness.suites.iter().all(|s| !s.satisfied()));

    update(&mut m, Action::MoveDown);
    update(&mut m, Action::MoveDown); // stays on the last blocker
    assert_eq!(m.find::<Summary>().unwrap().cursor, 1);
    update(&mut m, Action::JumpToCase);
    assert_eq!(m.mode(), Mode::Normal);
    let selected = m.selected_case().expect("a case is selected");
    assert_eq!(m.ws.plan.cases[selected].id, "C3");
}

#[test]
fn suite_links_are_validated_like_the_cli_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let mut m = open(&plan);
    update(&mut m, Action::Summary);

    update(&mut m, Action::SpecLink);
    assert_eq!(m.mode(), Mode::Prompt);
    paste(&mut m, "runscope results");
    update(&mut m, Action::Submit);
    assert_eq!(
        m.mode(),
        Mode::Prompt,
        "an invalid link keeps the prompt open"
    );
    assert!(message(&m).contains("is not a web link"), "{}", message(&m));
    assert_eq!(on_disk(&plan).suites().spec, None);

    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Summary);
    update(&mut m, Action::SpecLink);
    paste(
        &mut m,
        "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    );
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Summary);
    // A page Okta's reviewers could not open as a result is refused, saying what is accepted.
    update(&mut m, Action::CrudLink);
    paste(&mut m, "http://runscope.example/crud");
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Prompt);
    assert!(
        message(&m).contains("/radar/{bucket}/{test}/history/{run}"),
        "{}",
        message(&m)
    );
    update(&mut m, Action::Cancel);
    update(&mut m, Action::CrudLink);
    paste(
        &mut m,
        "https://www.runscope.com/radar/ab12cd34ef56/6e1c3a5f-2d3b-4e4c-8f90-1b2c3d4e5f60/history/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
    );
    update(&mut m, Action::Submit);

    let saved = on_disk(&plan).suites().clone();
    assert_eq!(
        saved.spec.as_deref(),
        Some(
            "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
        )
    );
    assert_eq!(
        saved.crud.as_deref(),
        Some(
            "https://www.runscope.com/radar/ab12cd34ef56/6e1c3a5f-2d3b-4e4c-8f90-1b2c3d4e5f60/history/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
        )
    );
    let readiness = m.find::<Summary>().map(|s| s.readiness.clone()).unwrap();
    assert!(readiness.suites.iter().all(|s| s.satisfied()));
}

#[test]
fn export_writes_the_completed_workbook_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), PLAN);
    let mut m = open(&plan);
    update(&mut m, Action::MarkPass);
    update(&mut m, Action::Export);
    wait_for_jobs(&mut m);
    let text = message(&m);
    let path = text
        .strip_prefix("Completed workbook written: ")
        .unwrap_or_else(|| panic!("{text}"));
    let bytes = std::fs::read(path).expect("the named file exists");
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");

    // From the summary too; a taken name is never replaced: the next number is used.
    std::fs::remove_file(path).unwrap();
    std::fs::create_dir(path).unwrap();
    update(&mut m, Action::Summary);
    update(&mut m, Action::Export);
    wait_for_jobs(&mut m);
    let second = message(&m);
    assert!(second.ends_with("-2.xlsx"), "{second}");
    assert!(Path::new(path).is_dir(), "the folder is left alone");

    // A failure is shown, not a panic: the plan's folder is gone.
    std::fs::remove_dir_all(dir.path()).unwrap();
    update(&mut m, Action::Export);
    wait_for_jobs(&mut m);
    assert!(m.message.as_ref().unwrap().error);
    assert!(
        message(&m).starts_with("Export failed: "),
        "{}",
        message(&m)
    );
}

/// Pictures are re-encoded while the workbook is written: that runs as a background job, and
/// the checklist draws and answers keys until its result comes back as an action.
#[test]
fn an_export_with_large_pictures_is_a_job_and_the_checklist_answers_meanwhile() {
    use calamine::Reader;
    let dir = tempfile::tempdir().unwrap();
    let plan = common::okta_like_plan(dir.path(), PLAN);
    let shots = dir.path().join("shots");
    let mut m = open(&plan);
    select(&mut m, "C9290");
    for (name, width, height) in [("console.png", 4000, 3000), ("users.png", 3600, 2700)] {
        let shot = shots.join(name);
        common::write_grainy_png(&shot, width, height);
        update(&mut m, Action::AddEvidence);
        paste(&mut m, &shot.display().to_string());
        update(&mut m, Action::Submit);
        assert_eq!(m.mode(), Mode::Normal, "{}", message(&m));
    }

    update(&mut m, Action::Export);
    // `update` came back with the workbook still to be written: it is a pending job, shown
    // in the footer, and only an action taken from the inbox ends it.
    assert!(m.jobs.is_pending(JobKind::Export));
    assert_eq!(message(&m), "Writing the completed workbook…");
    let shown = screen(&mut m);
    assert!(
        shown.contains("Writing the completed workbook (Esc cancels)"),
        "{shown}"
    );
    // Keys keep working meanwhile; a second E says one is under way.
    update(&mut m, Action::MoveDown);
    assert_ne!(m.selected_case(), m.ws.plan.case_index("C9290"));
    let marked = m.ws.plan.cases[m.selected_case().unwrap()].id.clone();
    update(&mut m, Action::MarkBlocked);
    assert_eq!(on_disk(&plan).outcome(&marked), Outcome::Blocked);
    update(&mut m, Action::Export);
    assert!(message(&m).contains("being written"), "{}", message(&m));
    // Quitting waits for it: the workbook is written whole or not at all.
    update(&mut m, Action::Quit);
    assert!(!m.quit);
    assert!(
        message(&m).contains("q quits when it is done"),
        "{}",
        message(&m)
    );
    assert!(m.jobs.is_pending(JobKind::Export));

    wait_for_jobs(&mut m);
    let text = message(&m);
    let path = text
        .strip_prefix("Completed workbook written: ")
        .unwrap_or_else(|| panic!("{text}"));
    let book = calamine::open_workbook_auto(path).unwrap();
    let pictures = book.pictures().expect("pictures in xl/media");
    assert_eq!(pictures.len(), 2, "both pictures, re-encoded smaller");
    update(&mut m, Action::Quit);
    assert!(m.quit);
}

/// Presses a key as the terminal would: through the keymap of what is open.
fn key(m: &mut Model, code: KeyCode) {
    let event = crossterm::event::Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    if let Some(action) = scimplan::tui::action_for(m, &event) {
        update(m, action);
    }
}

#[test]
fn verify_without_a_connection_opens_the_connection_form() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let mut m = open(&plan);
    update(&mut m, Action::VerifyCase);
    assert_eq!(m.mode(), Mode::ConnectionForm);
    paste(&mut m, "ftp://app.example.com/scim");
    update(&mut m, Action::Submit);
    assert_eq!(
        m.mode(),
        Mode::ConnectionForm,
        "an invalid URL keeps the form open"
    );
    assert!(
        message(&m).contains("not an http(s) URL"),
        "{}",
        message(&m)
    );
    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Normal);
    assert!(m.running().is_none());
    assert!(message(&m).contains("Not verified"), "{}", message(&m));
    assert_eq!(on_disk(&plan).verify().connection, None);
}

#[test]
fn the_connection_form_sets_bearer_basic_or_a_custom_header() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let mut m = open(&plan);

    // Basic: URL, → to Basic, the username.
    update(&mut m, Action::ConnectionSettings);
    assert_eq!(m.mode(), Mode::ConnectionForm);
    let shown = screen(&mut m);
    assert!(shown.contains("SCIM base URL"), "{shown}");
    assert!(shown.contains("(•) Bearer token"), "{shown}");
    assert!(
        !shown.contains("Username"),
        "bearer has no name field:\n{shown}"
    );
    paste(&mut m, "https://app.example.com/scim/v2/");
    update(&mut m, Action::NextField);
    key(&mut m, KeyCode::Right);
    let shown = screen(&mut m);
    assert!(shown.contains("(•) Basic"), "{shown}");
    assert!(shown.contains("Username"), "{shown}");
    update(&mut m, Action::Submit);
    assert_eq!(
        m.mode(),
        Mode::ConnectionForm,
        "Basic without a username is refused"
    );
    assert!(message(&m).contains("username"), "{}", message(&m));
    update(&mut m, Action::NextField);
    paste(&mut m, "okta-provisioner");
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Normal);
    let saved = on_disk(&plan).verify().connection.clone().expect("saved");
    assert_eq!(saved.base_url, "https://app.example.com/scim/v2");
    assert_eq!(saved.auth, AuthScheme::Basic);
    assert_eq!(saved.username.as_deref(), Some("okta-provisioner"));
    assert!(
        message(&m).contains("basic as okta-provisioner"),
        "{}",
        message(&m)
    );

    // Reopened, it holds the saved settings; → again for a custom header.
    update(&mut m, Action::ConnectionSettings);
    let shown = screen(&mut m);
    assert!(shown.contains("https://app.example.com/scim/v2"), "{shown}");
    assert!(shown.contains("okta-provisioner"), "{shown}");
    // (The form opens on the URL; the Okta fields follow the SCIM ones, so the scheme is next.)
    update(&mut m, Action::NextField);
    assert!(
        m.top_as::<ConnectionForm>()
            .is_some_and(|form| form.field == Field::Scheme)
    );
    key(&mut m, KeyCode::Right);
    update(&mut m, Action::NextField);
    paste(&mut m, "bad name");
    update(&mut m, Action::Submit);
    assert_eq!(
        m.mode(),
        Mode::ConnectionForm,
        "a header name with a space is refused"
    );
    update(&mut m, Action::Cancel);
    assert_eq!(
        on_disk(&plan).verify().connection.clone().unwrap().auth,
        AuthScheme::Basic,
        "Esc leaves the saved connection alone"
    );
    update(&mut m, Action::ConnectionSettings);
    update(&mut m, Action::NextField);
    key(&mut m, KeyCode::Right);
    update(&mut m, Action::NextField);
    paste(&mut m, "X-API-Key");
    update(&mut m, Action::Submit);
    let saved = on_disk(&plan).verify().connection.clone().expect("saved");
    assert_eq!(
        saved.auth,
        AuthScheme::Header {
            name: "X-API-Key".into()
        }
    );

    // Plain http off this machine is saved with a warning; the secret is never on screen.
    update(&mut m, Action::ConnectionSettings);
    for _ in 0..40 {
        key(&mut m, KeyCode::Backspace);
    }
    paste(&mut m, "http://app.example.com/scim");
    update(&mut m, Action::Submit);
    assert!(m.message.as_ref().unwrap().error);
    assert!(message(&m).contains("plain http"), "{}", message(&m));
    assert_eq!(
        on_disk(&plan).verify().connection.clone().unwrap().base_url,
        "http://app.example.com/scim"
    );
}

fn connected(dir: &Path, server: &ScimServer) -> (PathBuf, Model) {
    let plan = common::okta_like_plan(dir, PLAN);
    let mut m = open(&plan);
    m.ws.apply(scimplan::session::Command::Connection(Some(
        Connection::new(&server.url, AuthScheme::Bearer, None).unwrap(),
    )));
    m.ws.save().unwrap();
    (plan, m)
}

/// Ticks every step of `case`: the tester did it in Okta, so `V` may check it and a failing
/// check records Fail.
fn mark_steps_done(m: &mut Model, case: &str) {
    let index = m.ws.plan.case_index(case).unwrap();
    for step in 0..m.ws.plan.cases[index].steps.len() {
        m.ws.apply(scimplan::session::Command::Step {
            case: case.to_string(),
            step,
            ticked: true,
        });
    }
    m.ws.save().unwrap();
}

/// Answers the secret prompt (the models here never read the secret from the environment).
fn give_secret(m: &mut Model, token: &str) {
    let prompt = m.top_as::<Prompt>().expect("the secret is asked for");
    assert_eq!(prompt.kind(), PromptKind::Secret);
    paste(m, token);
    let shown = screen(m);
    assert!(!shown.contains(token), "the secret is masked:\n{shown}");
    assert!(
        shown.contains("type the SCIM secret (memory only, never saved)"),
        "the whole title shows:\n{shown}"
    );
    assert!(
        shown.contains(&"•".repeat(token.chars().count())),
        "{shown}"
    );
    update(m, Action::Submit);
}

#[test]
fn v_asks_for_the_input_and_secret_then_records_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let plan = common::okta_like_plan(dir.path(), PLAN);
    let mut m = open(&plan);
    server.create_user("ann@example.com", "Ann", "Lee", true);
    select(&mut m, "C9290");

    // No connection yet: the form asks for it; bearer is the default scheme.
    update(&mut m, Action::VerifyCase);
    assert_eq!(m.mode(), Mode::ConnectionForm);
    paste(&mut m, &server.url);
    update(&mut m, Action::Submit);
    let saved = on_disk(&plan)
        .verify()
        .connection
        .clone()
        .expect("connection saved");
    assert_eq!(saved.base_url, server.url);
    assert_eq!(saved.auth, AuthScheme::Bearer);
    let prompt = m.top_as::<Prompt>().expect("the user input is asked for");
    assert_eq!(prompt.kind(), PromptKind::VerifyInput);
    paste(&mut m, "ann@example.com");
    update(&mut m, Action::Submit);
    assert_eq!(
        on_disk(&plan)
            .verify()
            .subjects
            .get("user")
            .map(String::as_str),
        Some("ann@example.com"),
        "the input is remembered in the session"
    );
    give_secret(&mut m, &server.token);
    assert_eq!(m.mode(), Mode::Normal);
    assert!(m.running().is_some(), "running in the background");

    // A second v while it runs changes nothing.
    update(&mut m, Action::VerifyCase);
    assert!(message(&m).contains("already running"), "{}", message(&m));
    assert_eq!(m.running().unwrap().current_case(), Some("C9290"));

    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("C9290 verified: PASS"),
        "{}",
        message(&m)
    );
    let session = on_disk(&plan);
    let result = session.result("C9290").expect("recorded");
    assert_eq!(result.outcome, Outcome::Pass);
    assert!(result.automatic);
    assert_eq!(session.verify().runs.len(), 1);
    let shown = screen(&mut m);
    let line = shown
        .lines()
        .find(|l| l.contains("C9290 Fixture case"))
        .expect("C9290 in the list");
    assert!(
        line.contains("[auto]"),
        "automatic verdicts are marked: {line}"
    );
    assert!(
        shown.contains("automatic: set by a verification"),
        "and said so in the detail:\n{shown}"
    );
    let text = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(
        !text.contains(&server.token),
        "the secret never touches disk"
    );
}

#[test]
fn esc_cancels_a_running_verification_and_v_all_runs_every_ready_case() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "nobody@example.com".into(),
    });
    m.ws.save().unwrap();
    // V covers cases without an outcome whose steps are ticked: C9290 and C9334, not C9336
    // (a person passed it) nor the cases whose steps are not ticked.
    for case in ["C9290", "C9334", "C9336"] {
        mark_steps_done(&mut m, case);
    }
    m.ws.apply(scimplan::session::Command::Mark {
        case: "C9336".to_string(),
        outcome: Outcome::Pass,
        reason: None,
        note: None,
    });
    m.ws.save().unwrap();

    // No such user: the check polls until its deadline unless cancelled.
    update(&mut m, Action::VerifyAll);
    give_secret(&mut m, &server.token);
    let Some(RunKind::Cases { cases, .. }) =
        m.running().and_then(|r| r.verification()).map(|v| &v.kind)
    else {
        panic!("case checks running");
    };
    assert_eq!(cases, &["C9290", "C9334"]);
    // Cancel once the first attempt has shown in the footer, so one run is under way.
    for _ in 0..3000 {
        update(&mut m, Action::Tick);
        if !m
            .running()
            .unwrap()
            .verification()
            .unwrap()
            .progress
            .is_empty()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = m.running().unwrap().status_line();
    assert!(status.contains("attempt 1"), "{status}");
    let shown = screen(&mut m);
    assert!(
        shown.contains("Verifying 1/"),
        "progress in the footer:\n{shown}"
    );
    update(&mut m, Action::Back);
    assert!(m.running().unwrap().cancelled);
    wait_for_verification(&mut m);

    let session = on_disk(&plan);
    let runs = &session.verify().runs;
    assert_eq!(runs.len(), 1, "cancelling stops the rest too");
    assert_eq!(runs[0].verdict, Verdict::Cancelled);
    assert_eq!(session.outcome(&runs[0].case), Outcome::NotRun);
    assert!(message(&m).contains("1 cancelled"), "{}", message(&m));
}

#[test]
fn a_refused_typed_secret_is_forgotten_and_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (_plan, mut m) = connected(dir.path(), &server);
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    select(&mut m, "C9290");
    update(&mut m, Action::VerifyCase);
    give_secret(&mut m, "not-the-token");
    wait_for_verification(&mut m);
    assert!(message(&m).contains("ERROR"), "{}", message(&m));
    assert!(message(&m).contains("asks for it again"), "{}", message(&m));
    assert!(m.secret.is_none());
    update(&mut m, Action::VerifyCase);
    assert_eq!(m.top_as::<Prompt>().unwrap().kind(), PromptKind::Secret);
}

#[test]
fn r_on_the_summary_runs_the_spec_suite_after_asking_and_counts_it() {
    // The file the checklist reads: Okta's when present, else the tests' SPEC-shaped fixture.
    let file = common::okta_or_fixture(common::SPEC_FILE);
    let first = format!("step 1: {}", file.note(1));
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    let users_before = server.user_count();
    update(&mut m, Action::Summary);
    let shown = screen(&mut m);
    assert!(shown.contains("r runs it here, b in BlazeMeter"), "{shown}");

    // It says which user it would create; n creates nothing.
    update(&mut m, Action::RunSpec);
    assert_eq!(m.mode(), Mode::ConfirmSuite);
    let offered = m
        .top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::spec_mut)
        .expect("offered");
    // The test values come from Okta's initial script run as written, as in the CLI (the
    // fixture's script where Okta's files are absent).
    let script = offered.source.script.as_ref().expect("the initial script");
    assert!(
        script.path.ends_with(common::SPEC_SCRIPT_FILE),
        "{}",
        script.path
    );
    assert!(offered.values_from().contains("run as written"));
    let user = offered.user_name().to_string();
    let shown = screen(&mut m);
    assert!(shown.contains(&user), "{shown}");
    assert!(shown.contains("deactivates it at the end"), "{shown}");
    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Summary);
    assert!(m.running().is_none());
    assert_eq!(server.user_count(), users_before, "nothing created");

    // y runs it in the background, with progress on the summary.
    update(&mut m, Action::RunSpec);
    update(&mut m, Action::Agree);
    give_secret(&mut m, &server.token);
    assert_eq!(m.mode(), Mode::Summary);
    assert!(
        m.running().expect("running").current_case().is_none(),
        "a SPEC run"
    );
    let shown = screen(&mut m);
    assert!(
        shown.contains("Okta's SPEC file: ") && shown.contains("steps done"),
        "{shown}"
    );
    wait_for_verification(&mut m);
    // The file needs a user in the app to start from: step 1's `Resources` is empty.
    assert!(
        message(&m).starts_with("SPEC suite FAILED"),
        "{}",
        message(&m)
    );
    assert!(
        message(&m).contains(&format!(
            "First failure: {first}: response_json Resources not_empty"
        )),
        "{}",
        message(&m)
    );
    assert!(m.message.as_ref().unwrap().error);
    let session = on_disk(&plan);
    assert!(!session.suite_runs().last().unwrap().passed);
    let report = session
        .verify()
        .last_spec
        .clone()
        .expect("the whole report is kept");
    assert_eq!(
        report.file.as_ref().expect("the file's run").steps.len(),
        file.steps().len()
    );
    let text = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(
        !text.contains(&server.token),
        "no secret in the stored report"
    );
    // d shows the run step by step: step 1 failed with its assertion, expected against actual.
    update(&mut m, Action::SpecRunDetail);
    assert_eq!(m.mode(), Mode::SuiteRuns);
    let shown = screen(&mut m);
    assert!(shown.contains("Latest local SPEC run"), "{shown}");
    assert!(shown.contains("FAIL") && shown.contains(&first), "{shown}");
    assert!(
        shown.contains("✗ response_json Resources not_empty: expected"),
        "{shown}"
    );
    update(&mut m, Action::Close);
    assert_eq!(m.mode(), Mode::Summary);
    let shown = screen(&mut m);
    assert!(
        shown.contains(&format!("✗ {first}")),
        "the failed steps are listed under the verdict:\n{shown}"
    );
    assert!(
        shown.contains(&format!(
            "local run FAILED 2 of {} requests",
            file.requests()
        )),
        "{shown}"
    );
    assert!(
        shown.contains("response_json Resources not_empty: expected not empty, got []"),
        "each failed assertion is listed under its step:\n{shown}"
    );

    server.create_user("ann@example.com", "Ann", "Lee", true);
    update(&mut m, Action::RunSpec);
    let user = m
        .top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::spec_mut)
        .expect("offered")
        .user_name()
        .to_string();
    update(&mut m, Action::Agree);
    assert!(
        m.top_as::<Prompt>().is_none(),
        "the typed secret is remembered"
    );
    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("SPEC suite PASSED"),
        "{}",
        message(&m)
    );

    let session = on_disk(&plan);
    let run = session.suite_runs().last().expect("the run is recorded");
    assert!(run.passed, "{run:?}");
    assert_eq!(run.target, server.url);
    let readiness = m
        .find::<Summary>()
        .map(|s| &s.readiness)
        .expect("refreshed");
    let spec = readiness
        .suites
        .iter()
        .find(|s| s.suite == scimplan::session::SuiteKind::Spec)
        .unwrap();
    // A local run is a pre-flight: the Runscope link is still needed, the run shows beside it.
    assert!(!spec.satisfied(), "{:?}", spec.evidence);
    assert!(spec.local.as_ref().is_some_and(|r| r.passed));
    let shown = screen(&mut m);
    assert!(
        shown.contains(&format!("local run passed ({} requests)", file.requests())),
        "{shown}"
    );
    let created = server.find_users(&user);
    assert_eq!(created.len(), 1, "exactly the announced user");
    assert_eq!(created[0]["active"], false, "deactivated at the end");
}

#[test]
fn a_failed_check_shows_expected_against_actual_in_the_detail() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    // The config file's verify-deadline: a short one, so the failing check ends soon.
    m.settings.verify_deadline = Duration::from_millis(1500);
    server.create_user("ann@example.com", "Ann", "Lee", false);
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    mark_steps_done(&mut m, "C9290");
    select(&mut m, "C9290");
    update(&mut m, Action::VerifyCase);
    give_secret(&mut m, &server.token);
    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("C9290 verified: FAIL"),
        "{}",
        message(&m)
    );
    let result = on_disk(&plan).result("C9290").cloned().expect("recorded");
    assert_eq!(result.outcome, Outcome::Fail);
    assert!(result.automatic);
    // The verification section is at the end of the detail: scroll there (from what a frame
    // showed, as in the terminal).
    update(&mut m, Action::SwitchPane);
    screen(&mut m);
    update(&mut m, Action::PageDown);
    screen(&mut m);
    update(&mut m, Action::PageDown);
    let shown = screen(&mut m);
    assert!(shown.contains("✗ "), "{shown}");
    assert!(shown.contains("expected true, got false"), "{shown}");
    assert!(shown.contains("inputs: user=ann@example.com"), "{shown}");
}

/// A failing check of a case whose steps are not ticked records no Fail (issue 14): the detail
/// says why the outcome was left as it was.
#[test]
fn a_check_that_leaves_the_outcome_alone_says_why_in_the_detail() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    m.settings.verify_deadline = Duration::from_millis(1500);
    server.create_user("bea@example.com", "Bea", "Lee", false);
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "bea@example.com".into(),
    });
    select(&mut m, "C9290");
    update(&mut m, Action::VerifyCase);
    give_secret(&mut m, &server.token);
    wait_for_verification(&mut m);
    let session = on_disk(&plan);
    assert_eq!(session.outcome("C9290"), Outcome::NotRun);
    let run = session
        .verify()
        .latest_run("C9290")
        .expect("the run is kept");
    let why = run.outcome_left.clone().expect("the run says why");
    update(&mut m, Action::SwitchPane);
    screen(&mut m);
    update(&mut m, Action::PageDown);
    screen(&mut m);
    update(&mut m, Action::PageDown);
    let shown = screen(&mut m);
    assert!(shown.contains("Outcome left as it was:"), "{shown}");
    let start: String = why.chars().take(30).collect();
    assert!(shown.contains(&start), "{why}\n{shown}");
}

#[test]
fn q_while_the_spec_suite_runs_says_to_cancel_first() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let mut m = open(&plan);
    // An app that holds every request, so the suite is still running when q is pressed.
    let app = fake_app::fake_app(|_, _| {
        let mut answer = fake_app::reply(200, "{}");
        answer.delay = Duration::from_secs(30);
        answer
    });
    m.ws.apply(scimplan::session::Command::Connection(Some(
        Connection::new(&app.url, AuthScheme::Bearer, None).unwrap(),
    )));
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunSpec);
    update(&mut m, Action::Agree);
    give_secret(&mut m, "a-token-for-the-slow-app");
    assert!(m.running().is_some(), "running");

    update(&mut m, Action::Close);
    update(&mut m, Action::Quit);
    assert!(!m.quit, "q does not leave the suite's user behind");
    assert!(message(&m).contains("Esc cancels it"), "{}", message(&m));

    update(&mut m, Action::Summary);
    update(&mut m, Action::Back);
    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("SPEC suite CANCELLED"),
        "{}",
        message(&m)
    );
    let session = on_disk(&plan);
    assert!(!session.suite_runs().last().expect("recorded").passed);
    update(&mut m, Action::Close);
    update(&mut m, Action::Quit);
    assert!(m.quit);
}

#[test]
fn an_unreachable_app_is_no_spec_result() {
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(dir.path());
    let mut m = open(&plan);
    let port = common::unused_port();
    let url = format!("http://127.0.0.1:{port}");
    m.ws.apply(scimplan::session::Command::Connection(Some(
        Connection::new(&url, AuthScheme::Bearer, None).unwrap(),
    )));
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunSpec);
    assert_eq!(m.mode(), Mode::ConfirmSuite, "{}", message(&m));
    update(&mut m, Action::Agree);
    give_secret(&mut m, "a-token-nobody-reads");
    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("SPEC suite not run: cannot reach"),
        "{}",
        message(&m)
    );
    assert!(m.message.as_ref().unwrap().error);
    assert!(on_disk(&plan).suite_runs().is_empty(), "nothing recorded");
}

#[test]
fn a_list_input_says_comma_separated_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (_plan, mut m) = connected(dir.path(), &server);
    // C9312 asks for the group, then its members (a list).
    select(&mut m, "C9312");
    update(&mut m, Action::VerifyCase);
    let mut titles = Vec::new();
    while let Some(prompt) = m
        .top_as::<Prompt>()
        .filter(|p| p.kind() == PromptKind::VerifyInput)
    {
        let title = prompt.title.clone();
        titles.push(title.clone());
        if title.contains("members") || titles.len() > 3 {
            break;
        }
        paste(&mut m, "Engineering");
        update(&mut m, Action::Submit);
    }
    let members = titles
        .iter()
        .find(|t| t.contains("members"))
        .unwrap_or_else(|| panic!("the members are asked for: {titles:?}"));
    assert_eq!(members.matches("comma-separated").count(), 1, "{members}");
}

#[test]
fn an_input_the_recipe_cannot_use_keeps_the_prompt_open_and_is_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    // C9318 checks one group: a list where one value is meant is refused in the prompt.
    select(&mut m, "C9318");
    update(&mut m, Action::VerifyCase);
    assert_eq!(
        m.top_as::<Prompt>().expect("asked").kind(),
        PromptKind::VerifyInput
    );
    paste(&mut m, "Engineering,Sales");
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Prompt, "the field stays open");
    assert!(message(&m).contains("takes one value"), "{}", message(&m));
    assert!(!on_disk(&plan).verify().subjects.contains_key("group"));
    assert!(m.running().is_none());
}

/// `t` starts a case as `scimplan start` does: the app group C9315 will rename is noted (its
/// SCIM id and members) before the Okta steps; a group the app does not have notes nothing.
#[test]
fn t_starts_a_case_by_noting_what_it_will_act_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    let ann = server.create_user("ann@example.com", "Ann", "Lee", true);
    let app_group = server.create_group("Sales Team", &[&ann]);
    for (name, value) in [
        ("group", "Engineering"),
        ("app_group", "Sales Team"),
        ("members", "ann@example.com"),
    ] {
        m.ws.apply(scimplan::session::Command::Subject {
            name: name.into(),
            value: value.into(),
        });
    }
    select(&mut m, "C9315");
    key(&mut m, KeyCode::Char('t'));
    give_secret(&mut m, &server.token);
    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("C9315 started: "),
        "{}",
        message(&m)
    );
    let started = on_disk(&plan)
        .verify()
        .started
        .get("C9315")
        .cloned()
        .expect("the start is kept");
    assert_eq!(
        started.observed.get("app_group_id"),
        Some(&app_group),
        "{started:?}"
    );
    assert_eq!(started.observed.get("app_group_members"), Some(&ann));

    // A group the app does not have (only a letter-case twin): nothing is noted, and why.
    m.ws.apply(scimplan::session::Command::Subject {
        name: "app_group".into(),
        value: "sales team".into(),
    });
    m.ws.save().unwrap();
    key(&mut m, KeyCode::Char('t'));
    wait_for_verification(&mut m);
    assert!(
        message(&m).starts_with("C9315 not started: "),
        "{}",
        message(&m)
    );
    // The earlier start stays as it was: nothing was noted for the twin.
    assert_eq!(on_disk(&plan).verify().started.get("C9315"), Some(&started));
}

/// `v` on a case whose outcome a person set asks first: `n` checks and keeps the person's
/// outcome (the run kept as evidence, the message saying so), `y` lets the verdict replace it;
/// the note is never touched.
#[test]
fn v_on_a_persons_outcome_asks_before_the_verdict_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (plan, mut m) = connected(dir.path(), &server);
    server.create_user("ann@example.com", "Ann", "Lee", true);
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    m.ws.apply(scimplan::session::Command::Mark {
        case: "C9290".into(),
        outcome: Outcome::Fail,
        reason: None,
        note: Some("saw it fail".into()),
    });
    m.ws.save().unwrap();
    select(&mut m, "C9290");

    update(&mut m, Action::VerifyCase);
    assert_eq!(m.mode(), Mode::ConfirmReplace);
    assert!(
        screen(&mut m).contains("Replace it with the check's verdict?"),
        "{}",
        screen(&mut m)
    );
    key(&mut m, KeyCode::Char('n'));
    give_secret(&mut m, &server.token);
    wait_for_verification(&mut m);
    assert!(message(&m).contains("kept your Fail"), "{}", message(&m));
    let s = on_disk(&plan);
    assert_eq!(s.outcome("C9290"), Outcome::Fail);
    assert_eq!(s.verify().runs.len(), 1, "the run is kept as evidence");

    // Esc asks nothing further and checks nothing.
    update(&mut m, Action::VerifyCase);
    key(&mut m, KeyCode::Esc);
    assert!(message(&m).contains("C9290 not checked"), "{}", message(&m));
    assert!(m.running().is_none());

    update(&mut m, Action::VerifyCase);
    key(&mut m, KeyCode::Char('y'));
    wait_for_verification(&mut m);
    let s = on_disk(&plan);
    let result = s.result("C9290").unwrap();
    assert_eq!((result.outcome, result.automatic), (Outcome::Pass, true));
    assert_eq!(result.note, "saw it fail", "the note is never touched");
}
