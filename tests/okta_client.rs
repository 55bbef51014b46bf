//! The Okta client against the Okta org double: connecting from the real binary (right and
//! wrong token, app, permission), rate limits waited out, paging across `Link` pages, the
//! System Log's polling pages, cancelling; every answer of the double validated against Okta's
//! OpenAPI, and a wrong shape shown to fail that validation.
//!
//! Over 600 lines: one scenario per test, each with its own org; split by topic, the files
//! would repeat the set-up helpers.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/openapi_sample.rs"]
mod openapi_sample;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{case_row, stderr, stdout, write_plan};
use okta_double::openapi::{OktaSpec, okta_spec};
use okta_double::{DoubleOptions, OktaDouble};
use openapi_sample::SAMPLE_OPENAPI;
use scimplan::net::{CancelFlag, Secret};
use scimplan::okta::{LogQuery, OktaClient, OktaCredential, OktaError, OktaProgress};
use scimplan::session::{OktaAuth, OktaConnection};
use serde_json::json;

fn client(double: &OktaDouble) -> OktaClient {
    let connection = OktaConnection::new(&double.url, &double.app_id, OktaAuth::ApiToken).unwrap();
    OktaClient::new(
        &connection,
        OktaCredential::ApiToken(Secret::new(double.token.clone())),
    )
    .unwrap()
}

fn plan(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("plan.xlsx");
    write_plan(
        &path,
        vec![case_row(
            "C9290",
            "Create user",
            "Create Users",
            "",
            "1. Assign the user",
            "The user is created",
        )],
    );
    path
}

fn connect(
    dir: &std::path::Path,
    token: Option<&str>,
    org: &str,
    app: &str,
) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_scimplan"));
    command
        .args([
            "connect",
            "plan.xlsx",
            "--okta-org",
            org,
            "--okta-app-id",
            app,
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_OKTA_TOKEN")
        .stdin(std::process::Stdio::null());
    if let Some(token) = token {
        command.env("SCIMPLAN_OKTA_TOKEN", token);
    }
    command.output().unwrap()
}

fn session_text(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("plan.scimplan.json")).unwrap_or_default()
}

#[test]
fn connect_checks_the_app_at_once_and_saves_no_token() {
    let double = OktaDouble::start(DoubleOptions::default());
    let dir = tempfile::tempdir().unwrap();
    plan(dir.path());
    let out = connect(dir.path(), Some(&double.token), &double.url, &double.app_id);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("app: Acme SCIM (0oa"), "{text}");
    assert!(text.contains("sign-on mode SAML_2_0"), "{text}");
    assert!(
        text.contains("provisioning: on, connection ENABLED (TOKEN)"),
        "{text}"
    );
    assert!(
        text.contains(
            "create users on, update user attributes on, deactivate users on, sync password off"
        ),
        "{text}"
    );
    assert!(
        text.contains("features: GROUP_PUSH, IMPORT_NEW_USERS, PUSH_NEW_USERS"),
        "{text}"
    );
    let session: serde_json::Value = serde_json::from_str(&session_text(dir.path())).unwrap();
    assert_eq!(session["verify"]["okta"]["org_url"], json!(double.url));
    assert_eq!(session["verify"]["okta"]["app_id"], json!(double.app_id));
    assert_eq!(
        session["verify"]["okta"]["auth"]["kind"],
        json!("api-token")
    );
    for file in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let bytes = std::fs::read(file.path()).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&double.token),
            "the token is in {}",
            file.path().display()
        );
    }
    // The check used the token as Okta's CRUD file does.
    assert!(
        double
            .requests()
            .iter()
            .any(|r| r.ends_with(&format!("/api/v1/apps/{}", double.app_id)))
    );
    double.assert_valid();
}

#[test]
fn connect_with_provisioning_off_saves_and_warns() {
    let double = OktaDouble::start(DoubleOptions {
        provisioning: false,
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    plan(dir.path());
    let out = connect(dir.path(), Some(&double.token), &double.url, &double.app_id);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("provisioning: off (connection DISABLED (TOKEN))"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("features: none enabled"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("warning: provisioning is off for Acme SCIM"),
        "{}",
        stderr(&out)
    );
    double.assert_valid();
}

#[test]
fn connect_says_what_is_wrong_with_oktas_code_and_saves_nothing() {
    let double = OktaDouble::start(DoubleOptions {
        forbidden: vec!["/api/v1/apps/0oa00000000000000001/connections".into()],
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    plan(dir.path());

    let out = connect(
        dir.path(),
        Some("not-the-token"),
        &double.url,
        &double.app_id,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("Okta refused the API token (401 E0000011: Invalid token provided)"),
        "{err}"
    );
    assert!(
        err.contains("SCIMPLAN_OKTA_TOKEN") && err.contains("not saved"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-token"),
        "the token was printed: {err}"
    );

    let out = connect(dir.path(), Some(&double.token), &double.url, "0oaNoSuchApp");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("app instance 0oaNoSuchApp"), "{err}");
    assert!(
        err.contains("E0000007: Not found: Resource not found: 0oaNoSuchApp (AppInstance)"),
        "{err}"
    );
    assert!(err.contains("--okta-app-id"), "{err}");

    let out = connect(dir.path(), Some(&double.token), &double.url, &double.app_id);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("the token lacks a permission"), "{err}");
    assert!(
        err.contains("403 E0000006: You do not have permission to perform the requested action"),
        "{err}"
    );
    assert!(err.contains("/connections/default"), "{err}");
    assert!(
        !session_text(dir.path()).contains("\"okta\""),
        "a failed check saved the connection"
    );

    // Settings that cannot work are refused before any request, so no token travels.
    let before = double.requests().len();
    let out = connect(
        dir.path(),
        Some(&double.token),
        "http://dev-1.okta.com",
        &double.app_id,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("plain http"), "{}", stderr(&out));
    let out = connect(
        dir.path(),
        Some(&double.token),
        &double.url,
        "0oa1/../../users",
    );
    assert!(
        stderr(&out).contains("not an Okta app id"),
        "{}",
        stderr(&out)
    );
    let out = connect(dir.path(), None, &double.url, &double.app_id);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("export SCIMPLAN_OKTA_TOKEN"),
        "{}",
        stderr(&out)
    );
    assert_eq!(double.requests().len(), before);
    double.assert_valid();
}

#[test]
fn connect_accepts_the_admin_console_address() {
    let connection = OktaConnection::new(
        "https://dev-123456-admin.okta.com/admin/app/acme/instance/0oa1/",
        "0oa1",
        OktaAuth::ApiToken,
    )
    .unwrap();
    assert_eq!(connection.org_url, "https://dev-123456.okta.com");
}

#[test]
fn a_429_waits_for_the_reset_and_reports_it_as_progress() {
    let double = OktaDouble::start(DoubleOptions::default());
    let seen: Arc<Mutex<Vec<OktaProgress>>> = Arc::default();
    let log = seen.clone();
    let okta = client(&double).with_progress(move |p| log.lock().unwrap().push(p.clone()));
    double.throttle_next(2, Duration::from_secs(1));
    let started = Instant::now();
    let app = okta
        .app()
        .expect("a rate limit is waited out, not a failure");
    assert_eq!(app.label, "Acme SCIM");
    let waits = seen.lock().unwrap().clone();
    assert_eq!(waits.len(), 2, "{waits:?}");
    let OktaProgress::RateLimited { request, wait, .. } = &waits[0];
    assert!(request.starts_with("GET /api/v1/apps/"), "{request}");
    assert!(*wait >= Duration::from_secs(1), "{wait:?}");
    assert!(waits[0].describe().contains("not a failure"));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "did not wait: {:?}",
        started.elapsed()
    );
    assert_eq!(double.requests().len(), 3);
    double.assert_valid();
}

#[test]
fn a_used_up_window_is_waited_for_before_the_next_request() {
    // X-Rate-Limit-Remaining 0 on a success: the next request waits for the reset instead of
    // spending a 429.
    let double = OktaDouble::start(DoubleOptions {
        rate_limit: Some(2),
        rate_window: Duration::from_secs(2),
        ..DoubleOptions::default()
    });
    let waits = Arc::new(Mutex::new(0));
    let count = waits.clone();
    let okta = client(&double).with_progress(move |_| *count.lock().unwrap() += 1);
    for _ in 0..4 {
        okta.app().expect("waits, never fails");
    }
    assert!(*waits.lock().unwrap() >= 1);
    let statuses_429 = double.requests().len() - 4;
    assert_eq!(
        statuses_429,
        0,
        "the client spent 429s: {:?}",
        double.requests()
    );
    double.assert_valid();
}

#[test]
fn endless_429s_end_in_a_clear_error_and_cancelling_stops_a_wait() {
    let double = OktaDouble::start(DoubleOptions::default());
    double.throttle_next(100, Duration::from_secs(1));
    let err = client(&double).app().unwrap_err();
    assert!(
        matches!(err, OktaError::RateLimited { waits: 5, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("429"), "{err}");

    double.throttle_next(100, Duration::from_secs(30));
    let cancel = CancelFlag::new();
    let okta = client(&double).with_cancel(cancel.clone());
    let canceller = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        canceller.cancel();
    });
    let started = Instant::now();
    let err = okta.app().unwrap_err();
    assert!(matches!(err, OktaError::Cancelled { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn lists_follow_link_pages_to_the_end() {
    let double = OktaDouble::start(DoubleOptions {
        max_page: 3,
        ..DoubleOptions::default()
    });
    let ids: Vec<String> = (0..7)
        .map(|i| double.add_user(&format!("user{i}@example.com"), "Ann", &format!("User{i}")))
        .collect();
    let okta = client(&double);
    let users: Vec<serde_json::Value> = okta.get_all("/api/v1/users?limit=3").unwrap();
    let got: Vec<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let pages: Vec<String> = double
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /api/v1/users"))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[1].contains(&format!("after={}", ids[2])), "{pages:?}");

    // A user on the second page is found by login, and a login cannot change the path.
    let found = okta.user("user5@example.com").unwrap().expect("found");
    assert_eq!(found.id, ids[5]);
    assert_eq!(found.profile.last_name.as_deref(), Some("User5"));
    assert!(okta.user("nobody@example.com").unwrap().is_none());
    assert!(okta.user("../apps").unwrap().is_none());
    double.assert_valid();
}

#[test]
fn the_system_log_is_read_to_the_end_of_the_window_not_polled_forever() {
    let double = OktaDouble::start(DoubleOptions {
        max_page: 2,
        ..DoubleOptions::default()
    });
    let user = double.add_user("ann@example.com", "Ann", "Smith");
    let since = chrono::Utc::now() - chrono::Duration::seconds(5);
    for i in 0..5 {
        let result = if i == 3 { "FAILURE" } else { "SUCCESS" };
        double.add_log(
            "application.provision.user.push",
            result,
            (i == 3).then_some("Error while creating user"),
            &[&user, &double.app_id],
        );
    }
    let okta = client(&double);
    let events = okta.logs(&LogQuery::since(since)).unwrap();
    assert_eq!(events.len(), 5, "{:?}", double.requests());
    let failures = okta
        .logs(&LogQuery::since(since).filter("outcome.result eq \"FAILURE\""))
        .unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].outcome.reason.as_deref(),
        Some("Error while creating user")
    );
    // Without `until` the double, like Okta, always offers a next page; the client asks with
    // one and stops.
    let polled: Vec<serde_json::Value> = okta
        .get_all(&format!(
            "/api/v1/logs?since={}",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ))
        .unwrap();
    assert_eq!(polled.len(), 5);
    double.assert_valid();
}

/// The validator's rules on the tests' own sample of an OpenAPI document, and on Okta's spec
/// when Okta's files are there (always in CI).
#[test]
fn the_validator_can_fail() {
    let sample = OktaSpec::parse(SAMPLE_OPENAPI).expect("the sample is YAML");
    validator_rules_hold(&sample);
    // Rules the sample's schemas carry (Okta's spec may place them elsewhere).
    let path = "/api/v1/apps/0oa1/users/00u1";
    let user = |extra: serde_json::Value| {
        let mut value =
            json!({"id": "00u1", "syncState": "PENDING", "credentials": {"userName": "a"}});
        for (k, v) in extra.as_object().unwrap() {
            value[k] = v.clone();
        }
        sample.validate_response("GET", path, 200, &value.to_string())
    };
    assert_eq!(user(json!({"lastSync": null})), Vec::<String>::new());
    assert!(user(json!({"created": null}))[0].contains("not nullable"));
    let event = |extra: serde_json::Value| {
        let mut value = json!({"eventType": "x", "published": "2026-11-29T12:00:00Z"});
        for (k, v) in extra.as_object().unwrap() {
            value[k] = v.clone();
        }
        sample.validate_response("GET", "/api/v1/logs", 200, &json!([value]).to_string())
    };
    assert_eq!(event(json!({"severity": 3})), Vec::<String>::new());
    assert!(event(json!({"severity": 9}))[0].contains("out of the spec's range"));
    assert!(event(json!({"actor": {"alternateId": "ann"}}))[0].contains("not an email"));
    // A 401 every operation may answer: the shared response describes it.
    let refused = json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"});
    assert_eq!(
        sample.validate_response("GET", path, 401, &refused.to_string()),
        Vec::<String>::new()
    );
    assert!(
        !sample
            .validate_response("GET", path, 401, &json!({"errorCode": 11}).to_string())
            .is_empty()
    );
    // A bookmark app must have its own required property, a SAML one must not.
    let bookmark = json!({"id": "0oa1", "label": "A", "signOnMode": "BOOKMARK"});
    assert!(
        sample.validate_response("GET", "/api/v1/apps/0oa1", 200, &bookmark.to_string())[0]
            .contains("'url' is missing")
    );
    assert!(
        sample.validate_response("GET", "/api/v2/nothing", 200, "{}")[0]
            .contains("no path of the spec matches")
    );
    match okta_spec() {
        Some(spec) => validator_rules_hold(spec),
        None => assert!(std::env::var_os("SCIMPLAN_REQUIRE_OKTA_FILES").is_none()),
    }
}

fn validator_rules_hold(spec: &OktaSpec) {
    let good = json!({"id": "00u1", "status": "PROVISIONED", "syncState": "SYNCHRONIZED", "scope": "USER",
                      "created": "2026-11-29T12:00:00.000Z", "credentials": {"userName": "ann@example.com"}, "profile": {}});
    assert_eq!(
        spec.validate_component("AppUser", &good),
        Vec::<String>::new()
    );
    let cases = [
        (json!({"syncState": "FINE"}), "not one of the spec's values"),
        (json!({"status": 3}), "not of type string"),
        (json!({"created": "yesterday"}), "not a date-time"),
        (
            json!({"syncstate": "ERROR"}),
            "not a property of the spec's schema",
        ),
        (json!({"credentials": {"userName": ""}}), "length"),
        (
            json!({"credentials": {"password": {"value": "secret"}}}),
            "write-only",
        ),
    ];
    for (change, expected) in cases {
        let mut bad = good.clone();
        for (k, v) in change.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let errors = spec.validate_component("AppUser", &bad);
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{change}: {errors:?}"
        );
    }
    // Through a response: the app needs a label, and the mapped sign-on schema is applied.
    let path = "/api/v1/apps/0oa1";
    let ok =
        json!({"id": "0oa1", "label": "A", "signOnMode": "SAML_2_0", "name": "x", "features": []});
    assert_eq!(
        spec.validate_response("GET", path, 200, &ok.to_string()),
        Vec::<String>::new()
    );
    let no_label = json!({"id": "0oa1", "signOnMode": "SAML_2_0"});
    assert!(
        !spec
            .validate_response("GET", path, 200, &no_label.to_string())
            .is_empty()
    );
    let bad_mode = json!({"id": "0oa1", "label": "A", "signOnMode": "SCIM"});
    assert!(
        !spec
            .validate_response("GET", path, 200, &bad_mode.to_string())
            .is_empty()
    );
    assert!(!spec.validate_response("GET", path, 200, "[]").is_empty());
    assert!(
        !spec.validate_response("GET", path, 418, "{}").is_empty(),
        "an undeclared status"
    );
    assert!(
        !spec
            .validate_response("DELETE", "/api/v1/apps/0oa1/users/00u1", 204, "{}")
            .is_empty(),
        "a body where none is"
    );
    let long_reason = json!([{"eventType": "x", "published": "2026-11-29T12:00:00Z", "outcome": {"result": "FAILURE", "reason": "r".repeat(256)}}]);
    assert!(
        !spec
            .validate_response("GET", "/api/v1/logs", 200, &long_reason.to_string())
            .is_empty()
    );
}

/// A service app with a fresh P-256 key; the private key written to `dir/key.pem`.
fn service_app(
    dir: &std::path::Path,
    granted: &[&str],
    dpop: bool,
) -> (okta_double::ServiceAppDouble, std::path::PathBuf) {
    let key = rcgen::KeyPair::generate().unwrap();
    let path = dir.join("key.pem");
    std::fs::write(&path, key.serialize_pem()).unwrap();
    let app = okta_double::ServiceAppDouble {
        client_id: "0oaServiceApp1".into(),
        public_key_pem: key.public_key_pem(),
        granted: granted.iter().map(|s| s.to_string()).collect(),
        dpop,
    };
    (app, path)
}

fn connect_service_app(
    dir: &std::path::Path,
    double: &OktaDouble,
    key: &std::path::Path,
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args([
            "connect",
            "plan.xlsx",
            "--okta-org",
            &double.url,
            "--okta-app-id",
            &double.app_id,
        ])
        .args(["--okta-client-id", "0oaServiceApp1", "--okta-key-file"])
        .arg(key)
        .current_dir(dir)
        .env_remove("SCIMPLAN_OKTA_TOKEN")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

const ALL_SCOPES: [&str; 4] = [
    "okta.users.manage",
    "okta.apps.manage",
    "okta.groups.manage",
    "okta.logs.read",
];

#[test]
fn a_service_app_signs_in_with_a_private_key_jwt() {
    let dir = tempfile::tempdir().unwrap();
    plan(dir.path());
    let (app, key) = service_app(dir.path(), &ALL_SCOPES, false);
    let double = OktaDouble::start(DoubleOptions {
        service_app: Some(app),
        ..DoubleOptions::default()
    });
    let out = connect_service_app(dir.path(), &double, &key);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("OAuth 2.0 service app 0oaServiceApp1"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("app: Acme SCIM"), "{}", stdout(&out));
    let text = session_text(dir.path());
    let session: serde_json::Value = serde_json::from_str(&text).unwrap();
    let auth = &session["verify"]["okta"]["auth"];
    assert_eq!(auth["kind"], "service-app");
    assert_eq!(auth["client_id"], "0oaServiceApp1");
    assert_eq!(auth["key_file"], json!(key.display().to_string()));
    assert_eq!(auth["scopes"], json!(ALL_SCOPES));
    let pem = std::fs::read_to_string(&key).unwrap();
    let body_line = pem.lines().nth(1).unwrap();
    assert!(
        !text.contains(body_line) && !text.contains("double-access-token"),
        "key or token in the session"
    );
    double.assert_valid();
}

#[test]
fn a_service_app_refused_says_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    plan(dir.path());
    // Okta holds another public key.
    let (mut app, key) = service_app(dir.path(), &ALL_SCOPES, false);
    app.public_key_pem = rcgen::KeyPair::generate().unwrap().public_key_pem();
    let double = OktaDouble::start(DoubleOptions {
        service_app: Some(app),
        ..DoubleOptions::default()
    });
    let out = connect_service_app(dir.path(), &double, &key);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("invalid_client") && err.contains("public keys (JWKS)"),
        "{err}"
    );

    let (app, key) = service_app(dir.path(), &["okta.apps.manage"], false);
    let double = OktaDouble::start(DoubleOptions {
        service_app: Some(app),
        ..DoubleOptions::default()
    });
    let err = stderr(&connect_service_app(dir.path(), &double, &key));
    assert!(
        err.contains("invalid_scope")
            && err.contains("Okta API Scopes tab")
            && err.contains("okta.logs.read"),
        "{err}"
    );

    let (app, key) = service_app(dir.path(), &ALL_SCOPES, true);
    let double = OktaDouble::start(DoubleOptions {
        service_app: Some(app),
        ..DoubleOptions::default()
    });
    let err = stderr(&connect_service_app(dir.path(), &double, &key));
    assert!(
        err.contains("invalid_dpop_proof") && err.contains("DPoP"),
        "{err}"
    );

    let err = stderr(&connect_service_app(
        dir.path(),
        &double,
        &dir.path().join("missing.pem"),
    ));
    assert!(
        err.contains("missing.pem: cannot read the service app's private key"),
        "{err}"
    );
    assert!(!session_text(dir.path()).contains("\"okta\""));
}
