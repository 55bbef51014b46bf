//! Okta's CRUD file from the checklist's summary (`R`): it needs both connections, asks first
//! naming the Okta user it creates, asks for the Okta token in a masked prompt, shows progress,
//! cleans up after Esc, records the run beside the CRUD link, and `d` shows it step by step.
//! Model-level, against the Okta double provisioning into the real scim2-server.

mod common;
#[path = "common/mini_scim.rs"]
mod mini_scim;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use scimplan::session::{OktaAuth, OktaConnection, SuiteKind, default_session_path};
use scimplan::tui::action::SecretKind;
use scimplan::tui::overlays::confirm_suite::ConfirmSuite;
use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
use scimplan::tui::{Action, Mode, Model, update};
use scimplan::verify::{AuthScheme, Connection};

use mini_scim::{MiniScim, Quirks};
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;
use tui_helpers::{message, on_disk, ready as open, screen, wait_for_job};

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
const OKTA_TOKEN: &str = "okta-token-for-checklist-crud";

/// Types a secret into the masked prompt of `kind`, checking it never shows.
fn give(m: &mut Model, kind: SecretKind, secret: &str, title: &str) {
    let prompt = m.top_as::<Prompt>().expect("a secret is asked for");
    let expected = match kind {
        SecretKind::Scim => PromptKind::Secret,
        SecretKind::Okta => PromptKind::OktaToken,
    };
    assert_eq!(prompt.kind(), expected);
    update(m, Action::Paste(secret.into()));
    let shown = screen(m);
    assert!(!shown.contains(secret), "the secret is masked:\n{shown}");
    assert!(shown.contains(title), "{shown}");
    update(m, Action::Submit);
}

/// A plan whose session has the SCIM connection to `scim_url` and, when given, the double as
/// its Okta org.
fn connected(dir: &Path, scim_url: &str, okta: Option<&OktaDouble>) -> (PathBuf, Model) {
    let plan = common::okta_like_plan(dir, PLAN);
    let mut m = open(&plan);
    m.ws.apply(scimplan::session::Command::Connection(Some(
        Connection::new(scim_url, AuthScheme::Bearer, None).unwrap(),
    )));
    m.ws.apply(scimplan::session::Command::OktaConnection(okta.map(|d| {
        OktaConnection::new(&d.url, &d.app_id, OktaAuth::ApiToken).unwrap()
    })));
    m.ws.save().unwrap();
    (plan, m)
}

fn double_into(url: &str, token: &str, delay: Duration) -> OktaDouble {
    OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: url.into(),
            token: token.into(),
        }),
        provisioning_delay: delay,
        ..DoubleOptions::default()
    })
}

#[test]
fn without_an_okta_org_r_says_how_to_connect_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let (_plan, mut m) = connected(dir.path(), &server.url, None);
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunCrud);
    assert_eq!(m.mode(), Mode::Summary);
    assert!(m.running().is_none());
    let text = message(&m);
    assert!(m.message.as_ref().unwrap().error);
    assert!(text.contains("no Okta org is connected"), "{text}");
    assert!(
        text.contains("scimplan connect PLAN --okta-org URL --okta-app-id ID"),
        "{text}"
    );
    assert!(text.contains("SCIMPLAN_OKTA_TOKEN"), "{text}");
}

#[test]
fn capital_r_asks_then_runs_the_crud_file_and_d_shows_it() {
    let file = common::okta_or_fixture(common::CRUD_FILE);
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let double = double_into(&server.url, &server.token, Duration::from_millis(300));
    let (plan, mut m) = connected(dir.path(), &server.url, Some(&double));
    update(&mut m, Action::Summary);
    let shown = screen(&mut m);
    assert!(
        shown.contains("CRUD suite: no link: R runs it here, b in BlazeMeter"),
        "{shown}"
    );
    assert!(
        shown.contains("R run CRUD"),
        "the footer names the key:\n{shown}"
    );

    // It names the Okta user first; n creates nothing.
    update(&mut m, Action::RunCrud);
    assert_eq!(m.mode(), Mode::ConfirmSuite);
    let login = m
        .top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::crud_mut)
        .expect("offered")
        .okta_user()
        .to_string();
    assert!(login.starts_with("Runscope") && login.ends_with("@atko.com"));
    let shown = screen(&mut m);
    assert!(shown.contains("Run Okta's CRUD file?"), "{shown}");
    assert!(shown.contains(&login), "{shown}");
    assert!(shown.contains("deactivates and deletes it"), "{shown}");
    update(&mut m, Action::Cancel);
    assert_eq!(m.mode(), Mode::Summary);
    assert!(message(&m).contains("CRUD suite not run: nothing was created"));
    assert!(double.requests().is_empty(), "nothing sent to Okta");

    // y: both secrets are asked for (masked), then it runs with progress on the summary.
    update(&mut m, Action::RunCrud);
    let login = m
        .top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::crud_mut)
        .unwrap()
        .okta_user()
        .to_string();
    update(&mut m, Action::Agree);
    give(
        &mut m,
        SecretKind::Scim,
        &server.token,
        "type the SCIM secret (memory only, never saved)",
    );
    give(
        &mut m,
        SecretKind::Okta,
        OKTA_TOKEN,
        "SCIMPLAN_OKTA_TOKEN not set: type the Okta API token (memory only, never saved)",
    );
    assert_eq!(m.mode(), Mode::Summary);
    assert!(m.running().is_some());
    let shown = screen(&mut m);
    assert!(shown.contains("Okta's CRUD file: "), "{shown}");
    let started = Instant::now();
    wait_for_job(&mut m);
    eprintln!(
        "CRUD from the checklist, 0.3 s provisioning delay: {:.1} s",
        started.elapsed().as_secs_f32()
    );
    let text = message(&m);
    assert!(text.starts_with("CRUD suite PASSED"), "{text}");
    assert!(
        text.contains(&format!("Clean-up: Okta user {login}")) && text.contains("deleted"),
        "{text}"
    );
    assert!(
        double.user(&login).is_none(),
        "the Okta user was left behind"
    );

    // Recorded whole on the latest CRUD run, beside the CRUD link; no token on disk.
    let session = on_disk(&plan);
    let run = session.latest_suite_run(SuiteKind::Crud).expect("recorded");
    assert!(run.passed);
    assert_eq!(run.crud.as_ref().expect("kept whole").okta_user, login);
    let raw = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(!raw.contains(OKTA_TOKEN) && !raw.contains(&server.token));
    let shown = screen(&mut m);
    assert!(shown.contains("local run passed (13 requests)"), "{shown}");

    // d: the run step by step, with the Okta user and what the clean-up removed.
    update(&mut m, Action::SpecRunDetail);
    assert_eq!(m.mode(), Mode::SuiteRuns);
    let shown = screen(&mut m);
    assert!(shown.contains("Latest local CRUD run"), "{shown}");
    assert!(shown.contains(&format!("Okta user: {login}")), "{shown}");
    assert!(
        shown.contains(&format!("PASS    step 5: {}", file.note(5))),
        "{shown}"
    );
    for _ in 0..10 {
        update(&mut m, Action::MoveDown);
    }
    let shown = screen(&mut m);
    assert!(shown.contains("Clean-up: Okta user"), "{shown}");

    // A second run asks for neither secret again.
    update(&mut m, Action::Close);
    update(&mut m, Action::RunCrud);
    update(&mut m, Action::Agree);
    assert!(
        m.top_as::<Prompt>().is_none(),
        "typed secrets are remembered"
    );
    update(&mut m, Action::Back);
    wait_for_job(&mut m);
    double.assert_valid();
}

#[test]
fn esc_mid_run_cancels_and_still_removes_the_okta_user() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    // Okta provisions after 3 s: the run is polling step 5 when Esc comes.
    let double = double_into(&server.url, &server.token, Duration::from_secs(3));
    let (plan, mut m) = connected(dir.path(), &server.url, Some(&double));
    m.okta_secret = Some(scimplan::net::Secret::new(OKTA_TOKEN));
    m.secret = Some(scimplan::net::Secret::new(server.token.clone()));
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunCrud);
    update(&mut m, Action::Agree);
    assert!(m.running().is_some(), "{}", message(&m));
    let until = Instant::now() + Duration::from_secs(30);
    let assigned = format!("POST /api/v1/apps/{}/users", double.app_id);
    while !double.requests().contains(&assigned) {
        assert!(Instant::now() < until, "never assigned");
        update(&mut m, Action::Tick);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(800));
    update(&mut m, Action::Tick);
    assert!(
        screen(&mut m).contains("step 5 attempt"),
        "polling step 5 when Esc comes"
    );
    // q is refused while it runs: the Okta user must be removed first.
    update(&mut m, Action::Close);
    update(&mut m, Action::Quit);
    assert!(!m.quit);
    update(&mut m, Action::Summary);
    update(&mut m, Action::Back);
    wait_for_job(&mut m);
    let text = message(&m);
    assert!(
        text.starts_with("CRUD suite cancelled: nothing recorded. Clean-up: Okta user"),
        "{text}"
    );
    assert!(
        text.contains("unassigned, deactivated and deleted"),
        "{text}"
    );
    assert!(
        double.org.lock().unwrap().users.is_empty(),
        "an Okta user was left behind"
    );
    assert!(on_disk(&plan).latest_suite_run(SuiteKind::Crud).is_none());
    double.assert_valid();
}

/// An app that ignores deactivation (PATCH `active=false` answered 200, still active): Okta's
/// CRUD file fails at step 11 (and 19), "Verify if user is deactivated in SCIM App", `active`
/// expected false, got true. The summary lists the failed steps under the CRUD suite.
#[test]
fn a_failing_crud_run_lists_its_failed_steps_on_the_summary() {
    let file = common::okta_or_fixture(common::CRUD_FILE);
    let dir = tempfile::tempdir().unwrap();
    let app = MiniScim::start(Quirks {
        ignores_deactivation: true,
        ..Quirks::default()
    });
    let double = double_into(&app.url, &app.token, Duration::from_millis(200));
    let (plan, mut m) = connected(dir.path(), &app.url, Some(&double));
    m.okta_secret = Some(scimplan::net::Secret::new(OKTA_TOKEN));
    m.secret = Some(scimplan::net::Secret::new(app.token.clone()));
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunCrud);
    m.top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::crud_mut)
        .unwrap()
        .set_deadline(2.0)
        .unwrap();
    // The app fails for what it is: its fast run is the result, without running Okta's file
    // again with its 20-40 s pauses (`crud --no-confirm`).
    m.top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::crud_mut)
        .unwrap()
        .run
        .confirm = false;
    update(&mut m, Action::Agree);
    wait_for_job(&mut m);
    let text = message(&m);
    assert!(
        text.starts_with(&format!("CRUD suite FAILED: 2 of 13 required steps failed. First failure: step 11: {}: response_json active equal: expected false, got true", file.note(11))),
        "{text}"
    );
    assert!(m.message.as_ref().unwrap().error);
    let shown = screen(&mut m);
    assert!(
        shown.contains("local run FAILED 2 of 13 requests"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("✗ step 11: {}", file.note(11))),
        "{shown}"
    );
    assert!(
        shown.contains("response_json active equal: expected false, got true"),
        "{shown}"
    );
    assert!(
        !on_disk(&plan)
            .latest_suite_run(SuiteKind::Crud)
            .unwrap()
            .passed
    );
    assert!(double.org.lock().unwrap().users.is_empty());
    // d: Okta's side of the failed run (read before the clean-up) under its steps.
    update(&mut m, Action::SpecRunDetail);
    for _ in 0..12 {
        update(&mut m, Action::MoveDown);
    }
    let shown = screen(&mut m);
    assert!(shown.contains("Okta: System Log: "), "{shown}");
    assert!(shown.contains("Clean-up: Okta user"), "{shown}");
}

/// Okta refuses the file's password (the org's policy wants 12 characters): the message says so
/// in Okta's words, with what to do.
#[test]
fn okta_refusing_the_password_is_explained_in_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let server = ScimServer::start();
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: server.token.clone(),
        }),
        min_password_length: 12,
        ..DoubleOptions::default()
    });
    let (_plan, mut m) = connected(dir.path(), &server.url, Some(&double));
    m.okta_secret = Some(scimplan::net::Secret::new(OKTA_TOKEN));
    m.secret = Some(scimplan::net::Secret::new(server.token.clone()));
    update(&mut m, Action::Summary);
    update(&mut m, Action::RunCrud);
    m.top_as_mut::<ConfirmSuite>()
        .and_then(ConfirmSuite::crud_mut)
        .unwrap()
        .set_deadline(1.0)
        .unwrap();
    update(&mut m, Action::Agree);
    wait_for_job(&mut m);
    let text = message(&m);
    assert!(text.starts_with("CRUD suite FAILED"), "{text}");
    assert!(
        text.contains("Okta refused step 2") && text.contains("E0000001"),
        "{text}"
    );
    assert!(text.contains("password policy"), "{text}");
    assert!(text.contains("no Okta user"), "{text}");
}
