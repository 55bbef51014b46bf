//! `scimplan connect`: the connection settings go into the session, never the secret.

mod common;

use std::process::Command;

use common::{okta_like_plan, stderr, stdout};
use serde_json::Value;

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";

fn connect(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .arg("connect")
        .arg(PLAN)
        .args(args)
        .current_dir(dir)
        .env("SCIMPLAN_SCIM_TOKEN", "connect-test-secret-value")
        .env("SCIMPLAN_SCIM_PASSWORD", "connect-test-password-value")
        .output()
        .unwrap()
}

#[test]
fn connection_settings_are_saved_without_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    let session_path = dir.path().join("okta-scim-test-plan-v2.scimplan.json");

    let out = connect(
        dir.path(),
        &[
            "--scim-url",
            "https://app.example.com/scim/v2/",
            "--auth",
            "header:X-API-Key",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("SCIMPLAN_SCIM_TOKEN (set)"),
        "{}",
        stdout(&out)
    );
    let session: Value =
        serde_json::from_str(&std::fs::read_to_string(&session_path).unwrap()).unwrap();
    let connection = &session["verify"]["connection"];
    assert_eq!(connection["base_url"], "https://app.example.com/scim/v2");
    assert_eq!(connection["auth"]["scheme"], "header");
    assert_eq!(connection["auth"]["name"], "X-API-Key");

    let out = connect(
        dir.path(),
        &[
            "--scim-url",
            "https://app.example.com/scim/v2",
            "--auth",
            "basic",
            "--username",
            "okta",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("SCIMPLAN_SCIM_PASSWORD"),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&session_path).unwrap();
    assert!(text.contains("\"okta\""));
    assert!(
        !text.contains("connect-test-secret-value")
            && !text.contains("connect-test-password-value")
    );

    let out = connect(
        dir.path(),
        &["--scim-url", "http://app.example.com/scim/v2"],
    );
    assert!(stderr(&out).contains("plain http"), "{}", stderr(&out));
}

#[test]
fn bad_connection_settings_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    let out = connect(
        dir.path(),
        &["--scim-url", "https://x/scim", "--auth", "basic"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--username"), "{}", stderr(&out));
    let out = connect(
        dir.path(),
        &["--scim-url", "https://x/scim", "--auth", "oauth"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("header:NAME"), "{}", stderr(&out));
    let out = connect(dir.path(), &["--scim-url", "app.example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a URL"), "{}", stderr(&out));
}
