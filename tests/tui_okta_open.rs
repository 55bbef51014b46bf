//! The checklist's Admin Console keys and System Log on demand, against the Okta double: each
//! case's page handed to the system's opener (a stand-in on PATH) and shown, the System Log
//! read into the detail pane. Alone in its binary: it changes this process's environment.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/okta_tui.rs"]
mod okta_tui;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::time::Duration;

use scimplan::tui::{Action, update};

use okta_double::{DoubleOptions, OktaDouble};
use okta_tui::{TOKEN, connect, message, plan, screen, wait_for_message};
use tui_helpers::{ready as open, select};

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
    // SAFETY: the only test of this binary, so no other thread reads the environment
    // meanwhile (the double's threads do not).
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
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: login.into(),
    });
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
        shown.contains("application.provision.user.push FAILURE: Matching"),
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
