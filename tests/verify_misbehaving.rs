//! Checks against apps that misbehave, written here on loopback: slow, 500, invalid JSON, an
//! HTML error page, 429, a wrong token, a redirect to another host. Each gets a clear verdict
//! and nothing waits past its deadline.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::Duration;

use fake_app::{Reply, fake_app, reply};

use scimplan::net::{CancelFlag, Secret};
use scimplan::scim::ScimClient;
use scimplan::session::{RequestRecord, RunFailure};
use scimplan::verify::{
    Access, AuthScheme, CheckJob, Connection, RecipeBook, ScimAccess, Verdict, VerifyEvent,
    VerifyRun, VerifyState, run_check, spawn_checks, worker,
};
use serde_json::json;

const TOKEN: &str = "misbehaving-test-token-0123456789";

/// A well-behaved answer for C9290's two requests about ann@example.com.
fn good_answer(head: &str) -> Reply {
    let user = json!({"id": "u1", "userName": "ann@example.com", "active": true,
        "name": {"givenName": "Ann", "familyName": "Lee"}});
    if head.starts_with("GET /Users?") {
        reply(
            200,
            json!({"totalResults": 1, "Resources": [user]}).to_string(),
        )
    } else {
        reply(200, user.to_string())
    }
}

fn job(deadline: Duration) -> CheckJob {
    let state = VerifyState {
        subjects: BTreeMap::from([("user".to_string(), "ann@example.com".to_string())]),
        ..VerifyState::default()
    };
    CheckJob::prepare(&RecipeBook::builtin(), "C9290", &state, deadline).unwrap()
}

fn check_with(url: &str, auth: AuthScheme, deadline: Duration) -> VerifyRun {
    let username = (auth == AuthScheme::Basic).then(|| "okta".to_string());
    let connection = Connection::new(url, auth, username).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(TOKEN)).unwrap();
    let run = run_check(
        &client,
        &connection.auth,
        &job(deadline),
        &CancelFlag::new(),
        &mut |_| {},
    );
    let stored = serde_json::to_string(&run).unwrap();
    assert!(!stored.contains(TOKEN), "the token leaked into the run");
    run
}

fn check(url: &str, deadline: Duration) -> VerifyRun {
    check_with(url, AuthScheme::Bearer, deadline)
}

fn all_actuals(run: &VerifyRun) -> String {
    run.assertions
        .iter()
        .map(|a| a.actual.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn a_well_behaved_app_passes() {
    let app = fake_app(|_, head| good_answer(head));
    let run = check(&app.url, Duration::from_secs(5));
    assert_eq!(run.verdict, Verdict::Pass, "{}", run.summary);
    let heads = app.heads.lock().unwrap().join("\n").to_lowercase();
    assert!(heads.contains(&format!("authorization: bearer {TOKEN}").to_lowercase()));
    assert!(heads.contains("accept: application/scim+json"), "{heads}");
    assert!(heads.contains("user-agent: scimplan/"), "{heads}");
    assert!(
        heads.contains("filter=username%20eq%20%22ann%40example.com%22"),
        "{heads}"
    );
}

#[test]
fn basic_and_custom_header_auth_are_sent_as_configured() {
    let app = fake_app(|_, head| good_answer(head));
    let run = check_with(&app.url, AuthScheme::Basic, Duration::from_secs(5));
    assert_eq!(run.verdict, Verdict::Pass, "{}", run.summary);
    let header = AuthScheme::Header {
        name: "X-API-Key".into(),
    };
    let run = check_with(&app.url, header, Duration::from_secs(5));
    assert_eq!(run.verdict, Verdict::Pass, "{}", run.summary);
    assert_eq!(run.requests[0].request_headers[0], "X-API-Key: [redacted]");
    let heads = app.heads.lock().unwrap().join("\n").to_lowercase();
    // base64("okta:" + TOKEN)
    assert!(heads.contains("authorization: basic b2t0yt"), "{heads}");
    assert!(heads.contains(&format!("x-api-key: {TOKEN}")), "{heads}");
}

#[test]
fn a_hung_app_is_an_error_at_the_deadline_like_an_unreachable_one() {
    let app = fake_app(|_, head| Reply {
        delay: Duration::from_secs(20),
        ..good_answer(head)
    });
    let run = check(&app.url, Duration::from_millis(800));
    // No answer at all says nothing about the app's SCIM: an error (no outcome), not a Fail.
    assert_eq!(run.verdict, Verdict::Error);
    assert!(
        run.summary.contains("did not answer within"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("no answer within"), "{}", run.summary);
    assert!(run.requests.iter().all(|r| r.status.is_none()));
}

#[test]
fn a_server_error_fails_naming_the_status() {
    let app = fake_app(|_, _| {
        reply(
            500,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"db down"}"#,
        )
    });
    let run = check(&app.url, Duration::from_millis(700));
    assert_eq!(run.verdict, Verdict::Fail);
    assert!(
        run.summary.contains("expected 200, got 500"),
        "{}",
        run.summary
    );
    assert!(run.attempts >= 2, "a 500 is retried until the deadline");
    assert!(run.requests[0].response_body.contains("db down"));
}

#[test]
fn invalid_json_fails_saying_so() {
    let app = fake_app(|_, _| reply(200, r#"{"totalResults": 1, "Resources": ["#));
    let run = check(&app.url, Duration::from_millis(500));
    assert_eq!(run.verdict, Verdict::Fail);
    assert!(
        all_actuals(&run).contains("not JSON"),
        "{}",
        all_actuals(&run)
    );
}

#[test]
fn an_html_error_page_fails_saying_so() {
    let app = fake_app(|_, _| Reply {
        content_type: "text/html",
        ..reply(
            502,
            "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
        )
    });
    let run = check(&app.url, Duration::from_millis(500));
    assert_eq!(run.verdict, Verdict::Fail);
    assert!(run.summary.contains("got 502"), "{}", run.summary);
    assert!(
        all_actuals(&run).contains("HTML page"),
        "{}",
        all_actuals(&run)
    );
}

#[test]
fn rate_limiting_is_honoured_within_the_deadline() {
    let app = fake_app(|n, head| {
        if n == 0 {
            Reply {
                headers: vec!["Retry-After: 1".into()],
                ..reply(429, "{}")
            }
        } else {
            good_answer(head)
        }
    });
    let run = check(&app.url, Duration::from_secs(10));
    assert_eq!(run.verdict, Verdict::Pass, "{}", run.summary);
    let statuses: Vec<Option<u16>> = run.requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses[..2], [Some(429), Some(200)]);
}

#[test]
fn rate_limiting_past_the_deadline_fails_saying_so() {
    let app = fake_app(|_, _| Reply {
        headers: vec!["Retry-After: 120".into()],
        ..reply(429, "{}")
    });
    let run = check(&app.url, Duration::from_secs(1));
    assert_eq!(run.verdict, Verdict::Fail);
    assert!(
        run.summary.contains("past the check's deadline"),
        "{}",
        run.summary
    );
}

#[test]
fn a_refused_token_is_an_error_at_once() {
    let app = fake_app(|_, _| {
        reply(
            401,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad token"}"#,
        )
    });
    let run = check(&app.url, Duration::from_secs(30));
    assert_eq!(run.verdict, Verdict::Error);
    assert_eq!(run.attempts, 1, "no polling on refused credentials");
    assert!(
        run.summary.contains("refused the credentials (401)"),
        "{}",
        run.summary
    );
    assert_eq!(run.verdict.outcome(), None, "an error records no outcome");
    assert_eq!(
        run.failure,
        Some(RunFailure::CredentialsRefused {
            status: 401,
            secret_env: "SCIMPLAN_SCIM_TOKEN".into()
        })
    );
}

#[test]
fn a_refused_login_names_the_variable_its_scheme_reads() {
    let app = fake_app(|_, _| reply(403, r#"{"detail":"no"}"#));
    // Basic reads the password, not the token.
    let run = check_with(&app.url, AuthScheme::Basic, Duration::from_secs(30));
    assert!(
        run.summary.contains("SCIMPLAN_SCIM_PASSWORD")
            && !run.summary.contains("SCIMPLAN_SCIM_TOKEN"),
        "{}",
        run.summary
    );
    let header = AuthScheme::Header {
        name: "X-API-Key".into(),
    };
    let run = check_with(&app.url, header, Duration::from_secs(30));
    assert!(
        run.summary.contains("SCIMPLAN_SCIM_TOKEN"),
        "{}",
        run.summary
    );
    assert!(matches!(
        run.failure,
        Some(RunFailure::CredentialsRefused { status: 403, .. })
    ));
}

#[test]
fn an_unreachable_app_is_an_error_at_once() {
    let port = common::unused_port();
    let run = check(&format!("http://127.0.0.1:{port}"), Duration::from_secs(30));
    assert_eq!(run.verdict, Verdict::Error);
    assert!(run.summary.contains("cannot connect"), "{}", run.summary);
    assert_eq!(run.failure, Some(RunFailure::Unreachable));
}

#[test]
fn https_to_a_plain_http_port_says_so() {
    // Answers whatever arrives with plain HTTP, as an http-only app does to a TLS hello.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(4).flatten() {
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            );
        }
    });
    let run = check(
        &format!("https://127.0.0.1:{port}"),
        Duration::from_secs(30),
    );
    assert_eq!(run.verdict, Verdict::Error);
    assert!(
        run.summary.contains("does not seem to speak https"),
        "{}",
        run.summary
    );
}

#[test]
fn a_certificate_nobody_vouches_for_is_refused_before_anything_is_sent() {
    // An https app with a self-signed certificate, as a misconfigured staging server has.
    let issued =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(issued.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![issued.cert.der().clone()], key)
    .unwrap();
    let config = std::sync::Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4).flatten() {
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut buf = [0u8; 4096];
            if matches!(std::io::Read::read(&mut tls, &mut buf), Ok(n) if n > 0) {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = std::io::Write::write_all(
                    &mut tls,
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                );
            }
        }
    });
    let run = check(
        &format!("https://127.0.0.1:{port}"),
        Duration::from_secs(30),
    );
    assert_eq!(run.verdict, Verdict::Error);
    assert!(run.summary.contains("not trusted"), "{}", run.summary);
    assert_eq!(
        requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request (and no token) went over the untrusted connection"
    );
}

#[test]
fn the_token_never_follows_a_redirect_to_another_host() {
    let elsewhere = fake_app(|_, head| good_answer(head));
    let target = elsewhere.url.replace("127.0.0.1", "localhost");
    let app = fake_app(move |_, _| Reply {
        headers: vec![format!("Location: {target}/Users")],
        ..reply(302, "")
    });
    let run = check(&app.url, Duration::from_millis(500));
    assert_eq!(run.verdict, Verdict::Fail);
    assert!(
        all_actuals(&run).contains("another host"),
        "{}",
        all_actuals(&run)
    );
    assert!(
        elsewhere.heads.lock().unwrap().is_empty(),
        "nothing reached the other host"
    );
}

#[test]
fn an_app_echoing_the_token_has_it_redacted_in_the_evidence() {
    let app = fake_app(|_, head| {
        let echoed = head.replace(['\r', '\n', '"'], " ");
        reply(500, json!({"detail": echoed}).to_string())
    });
    let run = check(&app.url, Duration::from_millis(300));
    let body = &run.requests[0].response_body;
    assert!(
        body.contains("[redacted]") && !body.contains(TOKEN),
        "{body}"
    );
    // Basic sends base64("okta:" + TOKEN): that spelling is redacted too.
    let run = check_with(&app.url, AuthScheme::Basic, Duration::from_millis(300));
    let body = &run.requests[0].response_body;
    assert!(body.contains("Basic [redacted]"), "{body}");
    assert!(
        !body.contains("b2t0YTptaXNiZWhhdmluZy10ZXN0LXRva2VuLTAxMjM0NTY3ODk="),
        "{body}"
    );
}

#[test]
fn large_bodies_are_cut_in_the_evidence() {
    let app = fake_app(|_, _| reply(500, format!("{{\"detail\": \"{}\"}}", "x".repeat(100_000))));
    let run = check(&app.url, Duration::from_millis(300));
    let record: &RequestRecord = &run.requests[0];
    assert!(
        record.response_body.len() < 5000,
        "{}",
        record.response_body.len()
    );
    assert!(record.response_body.contains("more bytes not kept"));
}

/// The app's side alone, as a plan without an Okta org gives it.
fn scim(connection: Connection) -> Access {
    Access {
        scim: Some(ScimAccess {
            connection,
            secret: Secret::new(TOKEN),
        }),
        okta: None,
    }
}

#[test]
fn a_background_check_reports_each_attempt_and_can_be_cancelled() {
    let app = fake_app(|_, _| reply(503, "{}"));
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let (sink, events) = worker::channel();
    let running = spawn_checks(vec![job(Duration::from_secs(60))], scim(connection), sink);
    let first = events.recv_timeout(Duration::from_secs(30)).unwrap();
    match first {
        VerifyEvent::Attempt {
            number, retry_in, ..
        } => {
            assert_eq!(number, 1);
            assert!(retry_in.is_some(), "a failing attempt is retried");
        }
        other => panic!("expected an attempt, got {other:?}"),
    }
    running.cancel.cancel();
    let finished = events
        .iter()
        .find_map(|e| match e {
            VerifyEvent::Finished(run) => Some(run),
            _ => None,
        })
        .expect("a final run");
    assert_eq!(finished.verdict, Verdict::Cancelled);
    running.thread.join().unwrap();
}

#[test]
fn cancelling_does_not_wait_for_an_app_that_holds_the_request() {
    // The app answers only after 40 s; the check is cancelled while it waits.
    let app = fake_app(|_, _| {
        let mut answer = reply(200, "{}");
        answer.delay = Duration::from_secs(40);
        answer
    });
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let (sink, events) = worker::channel();
    let running = spawn_checks(vec![job(Duration::from_secs(60))], scim(connection), sink);
    // Wait until the request has reached the app, then cancel.
    while app.heads.lock().unwrap().is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let cancelled_at = std::time::Instant::now();
    running.cancel.cancel();
    let finished = events
        .iter()
        .find_map(|e| match e {
            VerifyEvent::Finished(run) => Some(run),
            _ => None,
        })
        .expect("a final run");
    // Not waiting means the run ends long before the app's 40 s hold (generous for a loaded
    // machine: the cancel is seen within 50 ms).
    let waited = cancelled_at.elapsed();
    assert!(
        waited < Duration::from_secs(20),
        "the cancelled run waited {waited:?} for an app holding the request 40 s"
    );
    assert_eq!(finished.verdict, Verdict::Cancelled);
    let request = finished
        .requests
        .first()
        .expect("the held request is recorded");
    assert_eq!(request.status, None, "no answer came");
    assert!(
        request
            .error
            .as_deref()
            .is_some_and(|e| e.contains("cancelled before the app answered")),
        "{request:?}"
    );
    running.thread.join().unwrap();
}

#[test]
fn when_the_deadline_cuts_the_last_attempt_the_last_complete_one_is_reported() {
    let app = fake_app(|n, head| {
        let inactive = json!({"id": "u1", "userName": "ann@example.com", "active": false});
        let mut answer = if head.starts_with("GET /Users?") {
            reply(
                200,
                json!({"totalResults": 1, "Resources": [inactive]}).to_string(),
            )
        } else {
            reply(200, inactive.to_string())
        };
        if n >= 2 {
            answer.delay = Duration::from_secs(20);
        }
        answer
    });
    let run = check(&app.url, Duration::from_millis(1500));
    assert_eq!(run.verdict, Verdict::Fail);
    assert!(run.attempts >= 2, "{}", run.attempts);
    assert!(
        run.summary.contains("expected true, got false"),
        "{}",
        run.summary
    );
}

#[test]
fn quotes_in_inputs_are_escaped_inside_the_filter() {
    let app = fake_app(|_, head| good_answer(head));
    let state = VerifyState {
        subjects: BTreeMap::from([("user".to_string(), "o\"neil@example.com".to_string())]),
        ..VerifyState::default()
    };
    let job = CheckJob::prepare(
        &RecipeBook::builtin(),
        "C9290",
        &state,
        Duration::from_secs(2),
    )
    .unwrap();
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(TOKEN)).unwrap();
    run_check(
        &client,
        &connection.auth,
        &job,
        &CancelFlag::new(),
        &mut |_| {},
    );
    let heads = app.heads.lock().unwrap().join("\n");
    // userName eq "o\"neil@example.com"
    assert!(heads.contains("%22o%5C%22neil%40example.com%22"), "{heads}");
}

#[test]
fn an_app_that_ignores_start_index_fails_the_import_count_saying_so() {
    // 150 users, but every page is the first one: Okta's import would read it again and again.
    let app = fake_app(|_, _| {
        let users: Vec<_> = (0..100)
            .map(|i| json!({"id": format!("u{i}"), "userName": format!("u{i}@example.com")}))
            .collect();
        reply(
            200,
            json!({"totalResults": 150, "startIndex": 1, "Resources": users}).to_string(),
        )
    });
    let state = VerifyState {
        subjects: BTreeMap::from([("users_scanned".to_string(), "150".to_string())]),
        ..VerifyState::default()
    };
    let job = CheckJob::prepare(
        &RecipeBook::builtin(),
        "C9304",
        &state,
        Duration::from_secs(1),
    )
    .unwrap();
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(TOKEN)).unwrap();
    let run = run_check(
        &client,
        &connection.auth,
        &job,
        &CancelFlag::new(),
        &mut |_| {},
    );
    assert_eq!(run.verdict, Verdict::Fail, "{}", run.summary);
    let failed: Vec<_> = run.assertions.iter().filter(|a| !a.passed).collect();
    assert!(
        failed
            .iter()
            .any(|a| a.check == "paging" && a.actual.contains("ignores startIndex")),
        "{failed:?}"
    );
    let heads = app.heads.lock().unwrap().join("\n");
    assert!(heads.contains("startIndex=101&count=100"), "{heads}");
}
