//! C9301/C9302 (password sync): the double pushes the password with the create when "Sync
//! password" is on (the `password` attribute, as Okta does) and records
//! `application.provision.user.push_password`; the case passes when the push reached the app
//! and fails, with the System Log's failure beside it, when the app refused it.

mod common;
#[path = "common/okta_cases.rs"]
mod okta_cases;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use common::stderr;
use okta_cases::{assertions, assign, latest_run, okta_send, setup, verify};
use okta_double::DoubleOptions;

#[test]
fn a_pushed_password_passes_and_a_refused_push_fails_with_its_log_event() {
    let options = DoubleOptions {
        password_sync: true,
        ..DoubleOptions::default()
    };
    let (dir, server, double) = setup(true, None, options);
    let ann = "ann.password@example.com";
    let ann_id = assign(&double, ann, "Ann", "Ann");
    let (out, text) = verify(dir.path(), &server, "C9301", &[&format!("user={ann}")]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let lines = assertions(&latest_run(dir.path(), "C9301"));
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "Okta: app user {ann}: passwordChanged: expected set"
        ))),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l
            .starts_with("Okta: app provisioning: sync password: expected ENABLED, got ENABLED")),
        "{lines:#?}"
    );

    // The app refuses Okta's requests from now on: the create, and the password with it.
    double
        .org
        .lock()
        .unwrap()
        .options
        .scim
        .as_mut()
        .unwrap()
        .token = "not-the-apps-token".into();
    // Ann's new password does not reach the app: passwordChanged stays set from the create,
    // the System Log's push_password failure decides.
    okta_send(
        &double,
        reqwest::Method::POST,
        &format!("/api/v1/users/{ann_id}"),
        Some(serde_json::json!({"credentials": {"password": {"value": "NewPassw0rd"}}})),
    );
    assert!(double.wait_idle(std::time::Duration::from_secs(30)));
    let (out, text) = verify(dir.path(), &server, "C9302", &[&format!("user={ann}")]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!(
            "Okta: app user {ann}: latest push_password event since the case started"
        )) && text.contains("System Log): expected one, not FAILURE, got FAILURE: "),
        "{text}"
    );
    assert!(
        text.contains("application.provision.user.push_password FAILURE"),
        "the System Log's failure is shown: {text}"
    );

    // A user the app refused outright has no password pushed at all.
    let bob = "bob.password@example.com";
    assign(&double, bob, "Bob", "Bob");
    let (out, text) = verify(dir.path(), &server, "C9302", &[&format!("user={bob}")]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!(
            "Okta: app user {bob}: passwordChanged: expected set since the case started ("
        )) && text.contains("got not set"),
        "{text}"
    );
    double.assert_valid();
}
