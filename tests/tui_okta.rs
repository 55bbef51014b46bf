//! The checklist's Okta part against the Okta double: the connection form's Okta fields
//! (checked against the org before anything is saved, the token typed and kept in memory only),
//! the Admin Console page of a case (opened with the system's opener, the URL shown), and the
//! case's System Log read on demand into the detail pane.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/okta_tui.rs"]
mod okta_tui;
#[path = "common/screen.rs"]
mod screen;
#[path = "common/tui.rs"]
mod tui_helpers;

use scimplan::session::default_session_path;
use scimplan::tui::job::JobKind;
use scimplan::tui::overlays::connection::{ConnectionForm, Field};
use scimplan::tui::{Action, Mode, update};

use okta_double::{DoubleOptions, OktaDouble};
use okta_tui::{TOKEN, connect, focus, message, plan, screen, wait_for_message};
use tui_helpers::{on_disk, ready as open, wait_for_jobs};

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
    assert_eq!(on_disk(&plan).verify().okta, None);

    // The right one: the app is described and the connection saved with the app's name.
    connect(&mut m, &double, TOKEN);
    wait_for_message(&mut m, "Okta connection saved");
    assert!(message(&m).contains("Acme SCIM"), "{}", message(&m));
    assert!(message(&m).contains("provisioning: on"), "{}", message(&m));
    let saved = on_disk(&plan).verify().okta.clone().expect("saved");
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
    assert_eq!(m.mode(), Mode::ConnectionForm, "{}", message(&m));
    assert!(message(&m).contains("client id"), "{}", message(&m));
    update(&mut m, Action::Cancel);
    assert_eq!(
        on_disk(&plan).verify().okta.clone().unwrap().auth,
        scimplan::session::OktaAuth::ApiToken,
        "Esc leaves the saved connection alone"
    );

    // An org without an app id is refused; an emptied org removes the connection.
    update(&mut m, Action::ConnectionSettings);
    if let Some(form) = m.top_as_mut::<ConnectionForm>() {
        form.okta_app = Default::default();
    }
    update(&mut m, Action::Submit);
    assert_eq!(m.mode(), Mode::ConnectionForm);
    assert!(message(&m).contains("app instance id"), "{}", message(&m));
    update(&mut m, Action::Cancel);
    update(&mut m, Action::ConnectionSettings);
    if let Some(form) = m.top_as_mut::<ConnectionForm>() {
        form.okta_org = Default::default();
        form.okta_app = Default::default();
    }
    update(&mut m, Action::Submit);
    assert!(
        message(&m).contains("Okta connection removed"),
        "{}",
        message(&m)
    );
    assert_eq!(on_disk(&plan).verify().okta, None);
}

/// The real binary in a pty: the Okta part of the form typed like a tester would, the token
/// in the masked field, then `w` on a case shows its Admin Console page.
#[test]
fn the_real_checklist_connects_the_org_and_shows_the_admin_console_page() {
    let double = OktaDouble::start(DoubleOptions {
        token: TOKEN.into(),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path());
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(r#"stty cols 120 rows 40 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_scimplan"))
        .arg(&plan)
        .args(["--tester", "Ana", "--app", "Acme"])
        .current_dir(dir.path())
        .env("SCIMPLAN_CONFIG", dir.path().join("no-config.toml"))
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_OKTA_TOKEN")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    let mut p = rexpect::session::spawn_command(command, Some(30_000)).unwrap();
    let mut screen = screen::Screen::new();
    let send = |p: &mut rexpect::session::PtySession, keys: &str| {
        p.send(keys).unwrap();
        p.flush().unwrap();
    };
    screen.wait_for(&mut p, "Capabilities:");
    send(&mut p, "\r");
    screen.wait_for(&mut p, "C9296");
    send(&mut p, "C");
    screen.wait_for(&mut p, "Org URL");
    // Bearer: URL, scheme, then the org.
    send(&mut p, "\t\t");
    send(&mut p, &double.url);
    send(&mut p, "\t");
    send(&mut p, &double.app_id);
    send(&mut p, "\r");
    screen.wait_for(&mut p, "paste the Okta API token");
    send(&mut p, TOKEN);
    let shown = screen.wait_for(&mut p, "••••");
    assert!(!shown.contains(TOKEN), "the token is masked:\n{shown}");
    send(&mut p, "\r");
    screen.wait_for(&mut p, "Okta connection saved");
    // C9312 is the third case: its steps start on the app's Push Groups tab.
    send(&mut p, "jj");
    screen.wait_for(&mut p, "C9312 · Group Push");
    send(&mut p, "w");
    screen.wait_for(&mut p, "#tab-group-push");
    send(&mut p, "q");
    p.exp_eof().unwrap();
    let saved = on_disk(&plan).verify().okta.clone().expect("saved");
    assert_eq!(saved.app_name.as_deref(), Some("acmescim"));
    let text = std::fs::read_to_string(default_session_path(&plan)).unwrap();
    assert!(!text.contains(TOKEN), "the token never touches disk");
}

/// Okta reads are background jobs like checks: pending (and shown) until their result is
/// taken from the inbox, one at a time, and Esc cancels them: nothing of a cancelled read is
/// kept.
#[test]
fn okta_reads_are_jobs_that_esc_cancels() {
    let double = OktaDouble::start(DoubleOptions {
        token: TOKEN.into(),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path());
    let mut m = open(&plan);

    // The connection check: pending until its answer is taken; Esc drops it unsaved.
    connect(&mut m, &double, TOKEN);
    assert!(m.jobs.is_pending(JobKind::OktaCheck));
    let shown = screen(&mut m);
    assert!(
        shown.contains(&format!(
            "Checking the Okta org {} (Esc cancels)",
            double.url
        )),
        "{shown}"
    );
    update(&mut m, Action::Back);
    assert!(m.jobs.get(JobKind::OktaCheck).unwrap().cancelled);
    wait_for_jobs(&mut m);
    assert!(
        message(&m).contains("cancelled: the connection is not saved"),
        "{}",
        message(&m)
    );
    assert_eq!(on_disk(&plan).verify().okta, None);

    // Again: the typed token is still in memory, so the check starts at once.
    update(&mut m, Action::ConnectionSettings);
    focus(&mut m, Field::OktaOrg);
    update(&mut m, Action::Paste(double.url.clone()));
    update(&mut m, Action::NextField);
    update(&mut m, Action::Paste(double.app_id.clone()));
    update(&mut m, Action::Submit);
    assert!(m.jobs.is_pending(JobKind::OktaCheck));
    wait_for_message(&mut m, "Okta connection saved");
    assert!(!m.jobs.is_pending(JobKind::OktaCheck));

    // A System Log read: one at a time; Esc cancels it and the pane shows nothing of it.
    let c9290 = m.ws.plan.case_index("C9290").unwrap();
    m.select_case(c9290);
    update(&mut m, Action::ReadSystemLog);
    assert!(m.jobs.is_pending(JobKind::SystemLog));
    update(&mut m, Action::ReadSystemLog);
    assert!(message(&m).contains("being read"), "{}", message(&m));
    update(&mut m, Action::Back);
    wait_for_jobs(&mut m);
    assert!(
        message(&m).contains("C9290: reading Okta's System Log cancelled"),
        "{}",
        message(&m)
    );
    assert!(!screen(&mut m).contains("Okta System Log"));

    // Not cancelled, it arrives.
    update(&mut m, Action::ReadSystemLog);
    wait_for_message(&mut m, "System Log event(s)");
    assert!(screen(&mut m).contains("Okta System Log"));
}
