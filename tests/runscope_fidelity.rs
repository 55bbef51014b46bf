//! Runscope's verdict where going fast, or not doing what Runscope does, would change it: apps
//! written here with read-after-write lag, a rate limit, a User-Agent requirement and a 0-based
//! `startIndex`, run through `scimplan spec` and `scimplan crud` on exports of the tests' own
//! in the shape of Okta's files (short pauses, so a pause waited in full costs little). Each
//! verdict is compared with the one the same file gives with every pause waited
//! (`--wait-pauses`, Runscope's timing); `--no-confirm` shows the fast run alone would differ.
//! Credentials refused before the file's first change, with the apps' request logs as proof.

mod common;
#[path = "common/mini_scim.rs"]
mod mini_scim;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/runscope_exports.rs"]
mod runscope_exports;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::RunReport as Run;
use common::{okta_file, stderr, stdout, write_plan};
use mini_scim::{MiniScim, Quirks, RateLimit};
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use runscope_exports::{crud_like, pause, spec_like, write_export};
use serde_json::Value;

const OKTA_TOKEN: &str = "okta-token-for-fidelity-tests";

fn scimplan(dir: &Path, scim_token: &str, okta_token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env("NO_COLOR", "1")
        .env("SCIMPLAN_SCIM_TOKEN", scim_token)
        .env("SCIMPLAN_OKTA_TOKEN", okta_token)
        // Never the tester's data folder, and never the network.
        .env("SCIMPLAN_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .output()
        .expect("run scimplan")
}

/// A plan connected to `app` (and to `okta`, when given).
fn plan_for(app: &MiniScim, okta: Option<&OktaDouble>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("plan.xlsx"), common::large_plan_rows(3));
    let mut args = vec!["connect", "plan.xlsx", "--scim-url", &app.url];
    if let Some(okta) = okta {
        args.extend([
            "--okta-org",
            okta.url.as_str(),
            "--okta-app-id",
            okta.app_id.as_str(),
        ]);
    }
    let out = scimplan(dir.path(), &app.token, OKTA_TOKEN, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn spec(dir: &Path, app: &MiniScim, file: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "spec",
        "plan.xlsx",
        "--yes",
        "--json",
        "--file",
        file.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = scimplan(dir, &app.token, OKTA_TOKEN, &args);
    Run::of(&out)
}

fn crud(dir: &Path, app: &MiniScim, okta_token: &str, file: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "crud",
        "plan.xlsx",
        "--yes",
        "--json",
        "--file",
        file.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = scimplan(dir, &app.token, okta_token, &args);
    Run::of(&out)
}

/// An app with `quirks` holding one user, a plan connected to it, and the SPEC-shaped export
/// with `pause_s` pauses.
fn spec_setup(quirks: Quirks, pause_s: f64) -> (MiniScim, tempfile::TempDir, PathBuf) {
    let app = MiniScim::start(quirks);
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app, None);
    let file = write_export(dir.path(), "spec-like.json", &spec_like(pause_s));
    (app, dir, file)
}

/// The verdict with every pause waited, as Runscope waits them, against a fresh app like the
/// first.
fn spec_with_runscope_timing(quirks: Quirks, pause_s: f64) -> Run {
    let (app, dir, file) = spec_setup(quirks, pause_s);
    spec(dir.path(), &app, &file, &["--wait-pauses"])
}

/// Read-after-write lag (a created user reads 404 for 1.5 s) and pauses of 2 s: with Runscope's
/// timing the read of the created user comes after the lag and passes. scimplan sends it at once,
/// it fails, and is sent again with its 2 s pause waited: it passes, and says so. Alone (without
/// confirmation) the fast run would fail.
#[test]
fn read_after_write_lag_gets_runscope_verdict_in_spec() {
    let lag = || Quirks {
        read_lag: Some(Duration::from_millis(1500)),
        ..Quirks::default()
    };
    let runscope = spec_with_runscope_timing(lag(), 2.0);
    assert!(runscope.passed(), "{}{}", runscope.out, runscope.err);

    let (app, dir, file) = spec_setup(lag(), 2.0);
    let run = spec(dir.path(), &app, &file, &[]);
    assert_eq!(run.passed(), runscope.passed(), "{}{}", run.out, run.err);
    let read_back = run.step(9);
    assert_eq!(read_back["status"], "pass");
    assert_eq!(read_back["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(read_back["attempts"][0]["status"], 404);
    let confirmation = read_back["confirmation"].as_str().unwrap();
    assert!(
        confirmation.contains("failed without the 2 s pause (step 8)")
            && confirmation.contains("passed with the pause waited"),
        "{confirmation}"
    );

    let (app, dir, file) = spec_setup(lag(), 2.0);
    let fast_only = spec(dir.path(), &app, &file, &["--no-confirm"]);
    assert_eq!(fast_only.code, Some(1), "{}", fast_only.out);
    assert_eq!(fast_only.step(9)["status"], "fail");
}

/// A rate limit (a burst of 5, then 1 request a second, 429 with `Retry-After: 1`) and pauses
/// of 1 s: Runscope's timing never meets the limit. scimplan's fast requests do: each step
/// refused with 429 is sent again after its pause and passes, so the verdict is Runscope's.
#[test]
fn a_rate_limit_gets_runscope_verdict_in_spec() {
    let limited = || Quirks {
        rate_limit: Some(RateLimit {
            burst: 5.0,
            per_second: 1.0,
        }),
        ..Quirks::default()
    };
    let runscope = spec_with_runscope_timing(limited(), 1.0);
    assert!(runscope.passed(), "{}{}", runscope.out, runscope.err);

    let (app, dir, file) = spec_setup(limited(), 1.0);
    let run = spec(dir.path(), &app, &file, &[]);
    assert_eq!(run.passed(), runscope.passed(), "{}{}", run.out, run.err);
    let confirmed: Vec<&Value> = run.file()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["confirmation"].is_string())
        .collect();
    assert!(
        !confirmed.is_empty(),
        "no step met the limit: {:#}",
        run.report
    );
    for step in confirmed {
        assert_eq!(step["attempts"][0]["status"], 429, "{step:#}");
        assert_eq!(step["status"], "pass", "{step:#}");
    }

    let (app, dir, file) = spec_setup(limited(), 1.0);
    let fast_only = spec(dir.path(), &app, &file, &["--no-confirm"]);
    assert_eq!(fast_only.code, Some(1), "{}", fast_only.out);
}

/// An app behind a gateway that refuses requests without a `User-Agent` (403). The create step
/// names none, as in Okta's file; Runscope sends its own, and so does scimplan: the app sees
/// `Runscope/1.0` there, and the steps that name one keep theirs.
#[test]
fn a_step_without_user_agent_carries_runscope_one() {
    let quirks = || Quirks {
        requires_user_agent: true,
        ..Quirks::default()
    };
    let runscope = spec_with_runscope_timing(quirks(), 0.2);
    let (app, dir, file) = spec_setup(quirks(), 0.2);
    let run = spec(dir.path(), &app, &file, &[]);
    assert!(run.passed(), "{}{}", run.out, run.err);
    assert_eq!(run.passed(), runscope.passed());
    let agent = |r: &mini_scim::SeenRequest| {
        r.headers
            .iter()
            .find(|(n, _)| n == "user-agent")
            .map(|(_, v)| v.clone())
    };
    let requests = app.requests();
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(agent(post).as_deref(), Some("Runscope/1.0"));
    assert_eq!(
        agent(&requests[0]).as_deref(),
        Some("OKTA SCIM Integration")
    );
    assert!(
        requests.iter().all(|r| agent(r).is_some()),
        "a request without a User-Agent"
    );
    // The recorded request says what was sent.
    let headers = run.step(7)["attempts"][0]["request_headers"].to_string();
    assert!(headers.contains("User-Agent: Runscope/1.0"), "{headers}");
}

/// An app counting `startIndex` from 0, holding three users: every page looks right on its own
/// and the file passes (its one list asks for `startIndex=1&count=1` and gets a user), but
/// reading /Users from startIndex=1 as Okta's import does never gives the first user: the
/// paging check beyond the file fails saying so (it is not part of the verdict). The same app
/// counting from 1 passes the check.
#[test]
fn a_zero_based_start_index_fails_the_paging_check() {
    for zero_based in [true, false] {
        let app = MiniScim::start(Quirks {
            zero_based_start_index: zero_based,
            ..Quirks::default()
        });
        for (i, name) in ["ann", "bob", "cyd"].iter().enumerate() {
            app.add_user(&format!("{name}@example.com"), name, &format!("Name{i}"));
        }
        let dir = plan_for(&app, None);
        let file = write_export(dir.path(), "spec-like.json", &spec_like(0.1));
        let mut files = vec![file];
        files.extend(okta_file("Okta-SCIM-20-SPEC-Test.json"));
        for file in files {
            let run = spec(dir.path(), &app, &file, &[]);
            assert!(run.passed(), "{}: {}{}", file.display(), run.out, run.err);
            let paging = run.report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"].as_str().unwrap().contains("paging"))
                .unwrap();
            if zero_based {
                assert_eq!(paging["status"], "fail", "{paging:#}");
                let detail = paging["detail"].to_string();
                assert!(
                    detail.contains("as Okta's import does, gave ")
                        && detail.contains("the first user never comes")
                        && detail.contains("count startIndex from 0"),
                    "{detail}"
                );
            } else {
                assert_eq!(paging["status"], "pass", "{paging:#}");
            }
        }
    }
}

/// A wrong SCIM token: the file's first step (a read signed with `{{auth}}`) is the check; it
/// answers 401, the run stops with exit 2 naming the variable, and the app saw that one request
/// only. A file whose first step is no such read gets one read of scimplan's instead: again
/// one request, and nothing created.
#[test]
fn a_refused_scim_token_costs_one_request_in_spec() {
    let app = MiniScim::start(Quirks::default());
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app, None);
    let file = write_export(dir.path(), "spec-like.json", &spec_like(0.1));
    let wrong = |args: &[&str]| scimplan(dir.path(), "not-the-token", OKTA_TOKEN, args);
    let out = wrong(&[
        "spec",
        "plan.xlsx",
        "--yes",
        "--file",
        file.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}{err}", stdout(&out));
    assert!(
        err.contains("answered 401") && err.contains("Check SCIMPLAN_SCIM_TOKEN"),
        "{err}"
    );
    assert_eq!(app.requests().len(), 1, "{:?}", app.requests());

    let mut starts_with_create = spec_like(0.1);
    let steps = starts_with_create["steps"].as_array_mut().unwrap();
    let create = steps.remove(6);
    steps.insert(0, pause(0.1));
    steps.insert(0, create);
    let file = write_export(dir.path(), "create-first.json", &starts_with_create);
    let out = wrong(&[
        "spec",
        "plan.xlsx",
        "--yes",
        "--file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let requests = app.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].method, "GET");
    assert_eq!(requests[1].path, "/Users?startIndex=1&count=1");
    assert_eq!(app.users().len(), 1, "a user was created");
    let session = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    assert!(!session.contains("\"spec\""), "a SPEC result was recorded");
}

/// An Okta org double provisioning into `app`, and a plan connected to both.
fn crud_setup(app: &MiniScim, delay: Duration) -> (OktaDouble, tempfile::TempDir) {
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: app.url.clone(),
            token: app.token.clone(),
        }),
        provisioning_delay: delay,
        ..DoubleOptions::default()
    });
    let dir = plan_for(app, Some(&double));
    (double, dir)
}

/// A wrong Okta token: one read of the app and one of the Okta app instance before the file;
/// Okta answers 401, the run stops with exit 2 naming the variable, Okta saw that one request,
/// no Okta user exists, and no clean-up warning names one. A wrong SCIM token stops before Okta
/// is asked anything.
#[test]
fn a_refused_credential_stops_crud_before_anything_is_created() {
    let app = MiniScim::start(Quirks::default());
    let (double, dir) = crud_setup(&app, Duration::from_millis(100));
    let file = write_export(dir.path(), "crud-like.json", &crud_like(0.5));
    // `connect` read the app instance already: count from here.
    let (okta_before, app_before) = (double.requests().len(), app.requests().len());
    let run = crud(dir.path(), &app, "a-wrong-okta-token", &file, &[]);
    assert_eq!(run.code, Some(2), "{}{}", run.out, run.err);
    assert!(
        run.err.contains("SCIMPLAN_OKTA_TOKEN") && run.err.contains("Nothing was created"),
        "{}",
        run.err
    );
    assert!(!run.err.contains("warning"), "{}", run.err);
    assert!(!run.err.contains("clean-up"), "{}", run.err);
    let asked = double.requests()[okta_before..].to_vec();
    assert_eq!(
        asked,
        [format!("GET /api/v1/apps/{}", double.app_id)],
        "{asked:?}"
    );
    assert!(double.org.lock().unwrap().users.is_empty());
    let read = app.requests()[app_before..].to_vec();
    assert_eq!(read.len(), 1, "{read:?}");
    assert_eq!(read[0].path, "/Users?startIndex=1&count=1");

    let out = scimplan(
        dir.path(),
        "a-wrong-scim-token",
        OKTA_TOKEN,
        &[
            "crud",
            "plan.xlsx",
            "--yes",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Check SCIMPLAN_SCIM_TOKEN"), "{err}");
    assert_eq!(double.requests().len(), okta_before + 1, "Okta was asked");
    assert_eq!(app.requests().len(), app_before + 2);
}

/// CRUD against an app with read-after-write lag (a created user reads 404 by id for 3 s):
/// scimplan sees the provisioned user at once and sends Okta's update at once; Okta's own GET of
/// the user by id meets the lag and the update never reaches the app. Runscope waits 4 s after
/// each Okta action and passes. The fast run's failure is confirmed by running the whole file
/// again with every pause waited, which passes: the verdict is Runscope's, and says how.
#[test]
fn read_after_write_lag_gets_runscope_verdict_in_crud() {
    let lag = || Quirks {
        read_lag: Some(Duration::from_secs(3)),
        ..Quirks::default()
    };
    let runscope = {
        let app = MiniScim::start(lag());
        let (_double, dir) = crud_setup(&app, Duration::from_millis(200));
        let file = write_export(dir.path(), "crud-like.json", &crud_like(4.0));
        crud(dir.path(), &app, OKTA_TOKEN, &file, &["--wait-pauses"])
    };
    assert!(runscope.passed(), "{:#}{}", runscope.report, runscope.err);

    let app = MiniScim::start(lag());
    let (double, dir) = crud_setup(&app, Duration::from_millis(200));
    let file = write_export(dir.path(), "crud-like.json", &crud_like(4.0));
    let run = crud(dir.path(), &app, OKTA_TOKEN, &file, &["--deadline", "2"]);
    assert_eq!(run.passed(), runscope.passed(), "{}{}", run.out, run.err);
    let notes = run.file()["notes"].to_string();
    assert!(
        notes.contains("run of the whole file again with every pause waited"),
        "{:#}",
        run.report
    );
    assert!(
        run.err.contains("running the whole file again"),
        "{}",
        run.err
    );
    // Both runs' Okta users are gone.
    assert!(double.org.lock().unwrap().users.is_empty());

    let app = MiniScim::start(lag());
    let (_double, dir) = crud_setup(&app, Duration::from_millis(200));
    let file = write_export(dir.path(), "crud-like.json", &crud_like(4.0));
    let fast_only = crud(
        dir.path(),
        &app,
        OKTA_TOKEN,
        &file,
        &["--deadline", "2", "--no-confirm"],
    );
    assert_eq!(
        fast_only.code,
        Some(1),
        "{}{}",
        fast_only.out,
        fast_only.err
    );
}

/// CRUD against a rate-limited app (a burst of 5, then 1 request a second): Okta's provisioning
/// requests and scimplan's polling share the app's budget, and a request of Okta's is refused.
/// With Runscope's pauses the budget refills between Okta's actions and the file passes; the
/// fast run's failure is confirmed with every pause waited, so scimplan's verdict is the same.
#[test]
fn a_rate_limit_gets_runscope_verdict_in_crud() {
    let limited = || Quirks {
        rate_limit: Some(RateLimit {
            burst: 5.0,
            per_second: 1.0,
        }),
        ..Quirks::default()
    };
    let runscope = {
        let app = MiniScim::start(limited());
        let (_double, dir) = crud_setup(&app, Duration::from_millis(200));
        let file = write_export(dir.path(), "crud-like.json", &crud_like(4.0));
        crud(dir.path(), &app, OKTA_TOKEN, &file, &["--wait-pauses"])
    };
    assert!(runscope.passed(), "{}{}", runscope.out, runscope.err);

    let app = MiniScim::start(limited());
    let (double, dir) = crud_setup(&app, Duration::from_millis(200));
    let file = write_export(dir.path(), "crud-like.json", &crud_like(4.0));
    let run = crud(dir.path(), &app, OKTA_TOKEN, &file, &["--deadline", "2"]);
    assert_eq!(run.passed(), runscope.passed(), "{}{}", run.out, run.err);
    assert!(double.org.lock().unwrap().users.is_empty());
}

/// Okta's next action is not sent sooner after its previous one than Runscope sends it, unless
/// the read in between saw the previous action's effect. "Okta" here never provisions: the read
/// of the app fails when its polling ends (0.3 s), and the second action waits until the file's
/// 1.5 s pause after the first has passed; when the read holds (the user is there already), the
/// second action goes at once.
#[test]
fn okta_actions_keep_runscope_spacing_unless_the_app_shows_the_effect() {
    use scimplan::net::{CancelFlag, PlainClient};
    use scimplan::runscope::{self, RunContext, RunOptions, Variables, run_file};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    let okta_step = |note: &str| {
        let mut step = runscope_exports::request(
            note,
            "POST",
            "{{oktaOrgUrl}}/api/v1/users/u1/lifecycle/activate",
            serde_json::json!({"Authorization": "SSWS {{oktaToken}}"}),
        );
        runscope_exports::status_is(&mut step, 200);
        step
    };
    let mut read = runscope_exports::request(
        "Read the app",
        "GET",
        "{{SCIMUrl}}/Users?filter=userName eq \"{{user}}\"",
        serde_json::json!({"Authorization": "{{SCIMAuth}}"}),
    );
    runscope_exports::json_is(&mut read, "totalResults", "equal", serde_json::json!("1"));
    let export = runscope_exports::export(
        "spacing",
        vec![okta_step("first"), pause(1.5), read, okta_step("second")],
    );
    let file = runscope::parse(export.to_string().as_bytes(), "spacing.json").unwrap();
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let log = sent.clone();
    let okta = common_fake_okta(move || log.lock().unwrap().push(Instant::now()));
    let app = MiniScim::start(Quirks::default());
    let client = PlainClient::new().unwrap();
    let options = RunOptions {
        poll_interval: Duration::from_millis(100),
        min_poll: Duration::from_millis(300),
        poll_factor: 0.0,
        ..RunOptions::default()
    };
    let cancel = CancelFlag::new();
    let context = RunContext {
        client: &client,
        secrets: &[],
        cancel: &cancel,
        options: &options,
    };
    for (user, seen) in [("nobody@example.com", false), ("there@example.com", true)] {
        if seen {
            app.add_user(user, "The", "Re");
        }
        let variables: Variables = [
            ("oktaOrgUrl", okta.as_str()),
            ("oktaToken", "t"),
            ("SCIMUrl", app.url.as_str()),
            ("SCIMAuth", &format!("Bearer {}", app.token)),
            ("user", user),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        sent.lock().unwrap().clear();
        let run = run_file(&file, &variables, "t", &context, &mut |_| {});
        let times = sent.lock().unwrap().clone();
        assert_eq!(times.len(), 2);
        let second = &run.steps[3];
        assert_eq!(second.status, scimplan::session::StepStatus::Pass);
        if seen {
            assert_eq!(run.steps[2].status, scimplan::session::StepStatus::Pass);
            assert_eq!(second.wait, None, "{second:#?}");
        } else {
            assert_eq!(run.steps[2].status, scimplan::session::StepStatus::Fail);
            assert!(
                times[1].duration_since(times[0]) >= Duration::from_millis(1500),
                "sent {:?} after the first",
                times[1].duration_since(times[0])
            );
            assert_eq!(
                second.wait.as_deref(),
                Some(
                    "sent 1.5 s after step 1, as Runscope sends it: the reads since then did not see step 1's effect"
                )
            );
        }
    }
}

/// "Okta" on loopback: answers every request 200, calling `on_request` first.
fn common_fake_okta(on_request: impl Fn() + Send + Sync + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming().take(20).flatten() {
            let mut stream = stream;
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            on_request();
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            );
        }
    });
    url
}
