//! The checklist's Okta part against the Okta double: the connection form's Okta fields
//! (checked against the org before anything is saved, the token typed and kept in memory only),
//! the Admin Console page of a case (opened with the system's opener, the URL shown), and the
//! case's System Log read on demand into the detail pane.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scimplan::session::default_session_path;
use scimplan::tui::connect_form::Field;
use scimplan::tui::model::{Overlay, PromptKind};
use scimplan::tui::{Action, Mode, Model, update, view};

use common::{case_row, write_plan};
use okta_double::{DoubleOptions, OktaDouble};
use tui_helpers::{on_disk, ready as open, select};

const TOKEN: &str = "okta-token-tui-9f2c";

fn plan(dir: &Path) -> PathBuf {
    let path = dir.join("plan.xlsx");
    write_plan(
        &path,
        vec![
            case_row(
                "C9296",
                "Add People",
                "Preconditions - SCIM App Setup",
                "",
                "1. From the **People** page, click **Add Person**.",
                "Added",
            ),
            case_row(
                "C9290",
                "Verify App Assignment for New User",
                "Create Users",
                "",
                "1. Sign in to Okta as Admin\n2. Go to Directory > People and check the user\n4. From the Application page, select the Assignments Tab > Assign",
                "The user is created in the app",
            ),
            case_row(
                "C9312",
                "Verify Push Groups > Create Group",
                "Group Push",
                "",
                "1. Sign in to Okta as **Admin**\n4. From the **Application** page, select the **Push Groups** tab",
                "The group is created in the app",
            ),
        ],
    );
    path
}

fn message(m: &Model) -> String {
    m.message
        .as_ref()
        .map(|x| x.text.clone())
        .unwrap_or_default()
}

fn paste(m: &mut Model, text: &str) {
    update(m, Action::Paste(text.into()));
}

fn screen(m: &mut Model) -> String {
    update(
        m,
        Action::Resize {
            width: 140,
            height: 45,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(140, 45)).unwrap();
    terminal.draw(|frame| view::render(m, frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for (i, cell) in buffer.content.iter().enumerate() {
        text.push_str(cell.symbol());
        if (i + 1) % 140 == 0 {
            text.push('\n');
        }
    }
    text
}

/// Ticks until the message says `what` (the background read is done).
fn wait_for_message(m: &mut Model, what: &str) {
    for _ in 0..400 {
        update(m, Action::Tick);
        if message(m).contains(what) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("no message with {what:?}; last: {}", message(m));
}

fn focus(m: &mut Model, field: Field) {
    for _ in 0..12 {
        if matches!(m.top(), Some(Overlay::Connection(form)) if form.field == field) {
            return;
        }
        update(m, Action::NextField);
    }
    panic!("the form has no field {field:?}");
}

fn connect(m: &mut Model, double: &OktaDouble, token: &str) {
    update(m, Action::ConnectionSettings);
    focus(m, Field::OktaOrg);
    paste(m, &double.url);
    update(m, Action::NextField);
    paste(m, &double.app_id);
    update(m, Action::Submit);
    assert!(
        matches!(m.top(), Some(Overlay::Prompt(p)) if p.kind == PromptKind::OktaToken),
        "without SCIMPLAN_OKTA_TOKEN the token is asked for: {}",
        message(m)
    );
    paste(m, token);
    update(m, Action::Submit);
}

#[test]
fn the_okta_part_is_checked_before_it_is_saved_and_the_token_stays_in_memory() {
    let double = OktaDouble::start(DoubleOptions {
        token: TOKEN.into(),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path());
    let mut m = open(&plan);

    // A wrong token: Okta's refusal is shown, nothing is saved, the typed token is forgotten.
    connect(&mut m, &double, "not-the-token");
    wait_for_message(&mut m, "not saved");
    assert!(m.message.as_ref().unwrap().error);
    assert!(
        message(&m).contains("Okta refused the API token"),
        "{}",
        message(&m)
    );
    assert!(message(&m).contains("forgotten"), "{}", message(&m));
    assert!(m.okta_secret.is_none());
    assert_eq!(on_disk(&plan).verify.okta, None);

    // The right one: the app is described and the connection saved with the app's name.
    connect(&mut m, &double, TOKEN);
    wait_for_message(&mut m, "Okta connection saved");
    assert!(message(&m).contains("Acme SCIM"), "{}", message(&m));
    assert!(message(&m).contains("provisioning: on"), "{}", message(&m));
    let saved = on_disk(&plan).verify.okta.expect("saved");
    assert_eq!(saved.app_id, double.app_id);
    assert_eq!(saved.app_name.as_deref(), Some("acmescim"));
    let session = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(
        !session.contains(TOKEN),
        "the token reached the session file"
    );
    assert!(!session.contains("not-the-token"));

    // Reopened, the form holds the org; the service app asks for its client id and key.
    update(&mut m, Action::ConnectionSettings);
    let shown = screen(&mut m);
    assert!(shown.contains(&double.url), "{shown}");
    assert!(shown.contains("(•) API token"), "{shown}");
    focus(&mut m, Field::OktaSignIn);
    update(&mut m, Action::NextChoice);
    let shown = screen(&mut m);
    assert!(shown.contains("(•) OAuth service app"), "{shown}");
    assert!(shown.contains("Service app client id"), "{shown}");
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Connection, "{}", message(&m));
    assert!(message(&m).contains("client id"), "{}", message(&m));
    update(&mut m, Action::Cancel);
    assert_eq!(
        on_disk(&plan).verify.okta.unwrap().auth,
        scimplan::session::OktaAuth::ApiToken,
        "Esc leaves the saved connection alone"
    );

    // An org without an app id is refused; an emptied org removes the connection.
    update(&mut m, Action::ConnectionSettings);
    if let Some(Overlay::Connection(form)) = m.top_mut() {
        form.okta_app = Default::default();
    }
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::Connection);
    assert!(message(&m).contains("app instance id"), "{}", message(&m));
    update(&mut m, Action::Cancel);
    update(&mut m, Action::ConnectionSettings);
    if let Some(Overlay::Connection(form)) = m.top_mut() {
        form.okta_org = Default::default();
        form.okta_app = Default::default();
    }
    update(&mut m, Action::Submit);
    assert!(
        message(&m).contains("Okta connection removed"),
        "{}",
        message(&m)
    );
    assert_eq!(on_disk(&plan).verify.okta, None);
}

/// The Admin Console page of each case's steps, opened with the system's opener (a stand-in
/// that writes down what it was given) and shown; the System Log filtered to the test user.
#[test]
fn w_opens_the_page_the_steps_start_on_and_l_reads_the_system_log() {
    let double = OktaDouble::start(DoubleOptions {
        token: TOKEN.into(),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opened = dir.path().join("opened.txt");
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // SAFETY: the only test of this binary that reads these variables; set before any thread
    // of it opens anything.
    unsafe {
        std::env::set_var("DISPLAY", ":77");
        std::env::remove_var("SSH_CONNECTION");
        let path = std::env::var("PATH").unwrap_or_default();
        std::env::set_var("PATH", format!("{}:{path}", bin.display()));
    }
    let plan = plan(dir.path());
    let mut m = open(&plan);

    // Without an Okta connection the key says how to connect.
    select(&mut m, "C9312");
    update(&mut m, Action::OpenAdminPage);
    assert!(
        message(&m).contains("No Okta org connected"),
        "{}",
        message(&m)
    );

    connect(&mut m, &double, TOKEN);
    wait_for_message(&mut m, "Okta connection saved");
    let app_page = format!(
        "{}/admin/app/acmescim/instance/{}/",
        double.url, double.app_id
    );

    let cases = [
        ("C9312", format!("{app_page}#tab-group-push")),
        // Directory > People comes before the Assignments tab in C9290's steps.
        ("C9290", format!("{}/admin/users", double.url)),
        ("C9296", format!("{}/admin/users", double.url)),
    ];
    for (case, url) in &cases {
        select(&mut m, case);
        update(&mut m, Action::OpenAdminPage);
        assert!(
            message(&m).starts_with(url.as_str()),
            "{case}: {}",
            message(&m)
        );
    }
    // The System Log, filtered to the case's test user since the case started.
    let login = "ann.tester@example.com";
    let user_id = double.add_user(login, "Ann", "Tester");
    m.ws.store
        .session
        .verify
        .subjects
        .insert("user".into(), login.into());
    select(&mut m, "C9290");
    update(&mut m, Action::OpenSystemLog);
    let log_page = format!(
        "{}/report/system_log_2?search=ann.tester%40example.com&fromTime=",
        double.url
    );
    assert!(message(&m).starts_with(&log_page), "{}", message(&m));

    // The opener got each URL (each opener runs on its own, so in any order).
    let mut got = String::new();
    for _ in 0..100 {
        got = std::fs::read_to_string(&opened).unwrap_or_default();
        if got.lines().count() == 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got.len(), 4, "{got:?}");
    for (_, url) in &cases {
        assert!(got.contains(&url.as_str()), "{url} not opened: {got:?}");
    }
    assert!(got.iter().any(|l| l.starts_with(&log_page)), "{got:?}");

    // `l` reads the System Log: the provisioning failure and its reason are in the detail.
    double.add_log(
        "application.provision.user.push",
        "FAILURE",
        Some("Matching user not found: 409 from the app"),
        &[&user_id, &double.app_id],
    );
    double.add_log(
        "application.user_membership.add",
        "SUCCESS",
        None,
        &[&user_id, &double.app_id],
    );
    update(&mut m, Action::ReadSystemLog);
    wait_for_message(&mut m, "System Log event(s)");
    assert!(
        message(&m).contains("C9290: 2 System Log event(s)"),
        "{}",
        message(&m)
    );
    assert!(message(&m).contains("1 failed"), "{}", message(&m));
    let shown = screen(&mut m);
    assert!(shown.contains("Okta System Log"), "{shown}");
    assert!(
        shown.contains("application.provision.user.push FAILURE: Matching user not found"),
        "{shown}"
    );
    assert!(
        shown.contains("application.user_membership.add SUCCESS"),
        "{shown}"
    );
    double.assert_valid();

    // Another case's log is its own: C9312 has no group input, so only the app's failures.
    select(&mut m, "C9312");
    let shown = screen(&mut m);
    assert!(!shown.contains("Okta System Log"), "{shown}");
}
