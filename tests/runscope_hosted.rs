//! `scimplan runscope`: Okta's file run in BlazeMeter API Monitoring through its REST API,
//! against a double of that API (`common/runscope_double.rs`) that really runs the stored test
//! with the runner against the pinned scim2-server. Fixture files are written here in Okta's
//! formats; Okta's own SPEC file and initial script are an extra check when present.

mod common;
#[path = "common/okta_formats.rs"]
mod okta_formats;
#[path = "common/runscope_double.rs"]
mod runscope_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{okta_file, okta_like_plan, stderr, stdout};
use okta_formats::{SPEC_SCRIPT, spec_like_file, write_okta_like_files};
use runscope_double::RunscopeDouble;
use scim_server::ScimServer;
use serde_json::{Value, json};

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
const SESSION: &str = "okta-scim-test-plan-v2.scimplan.json";
const TOKEN: &str = "bzm-access-token-0123456789";
const BUCKET: &str = "b0ck3tk3y123";

/// A generated plan connected to `server`, with the fixture files as Okta's in its data folder.
fn setup(server: &ScimServer, file: &Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    write_okta_like_files(&dir.path().join("data"), file);
    let out = scimplan(
        dir.path(),
        "",
        &server.token,
        &["connect", PLAN, "--scim-url", &server.url],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn scimplan(dir: &Path, api: &str, scim_token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        // Nothing opens a browser here.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("SCIMPLAN_SCIM_TOKEN", scim_token)
        .env("SCIMPLAN_RUNSCOPE_API", api)
        .env("SCIMPLAN_RUNSCOPE_TOKEN", TOKEN)
        .env("SCIMPLAN_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .output()
        .expect("run scimplan")
}

fn session(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(SESSION)).unwrap()).unwrap()
}

fn hosted(dir: &Path, double: &RunscopeDouble, server: &ScimServer) -> Output {
    scimplan(
        dir,
        &double.url,
        &server.token,
        &[
            "runscope", PLAN, "--suite", "spec", "--bucket", BUCKET, "--yes",
        ],
    )
}

#[test]
fn a_passing_hosted_run_records_its_link_and_no_secret_goes_where_it_should_not() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let dir = setup(&server, &spec_like_file(201));
    let out = hosted(dir.path(), &double, &server);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{o}\n{e}");

    // The double ran the stored test against the app: the user the file creates is there.
    let tests = double.tests();
    assert_eq!(tests.len(), 1);
    let test = &tests[0];
    assert_eq!(test.name, "Fixture SCIM 2.0 SPEC Test");
    assert_eq!(test.steps.len(), 4, "the file's steps, pause included");
    assert!(test.description.contains("SHA-256"), "{}", test.description);
    let runs = double.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].state, "pass", "{:#}", runs[0].result);
    let created = runs[0].result["requests"][1]["url"].as_str().unwrap();
    assert!(created.ends_with("/Users"), "{created}");
    let users = server.get("/Users?filter=userName%20sw%20%22Runscope%22");
    assert_eq!(users["totalResults"], 1, "{users}");

    // The environment got the connection as Okta's instructions ask, and Okta's script.
    let env = &test.environment;
    assert_eq!(env["initial_variables"]["SCIMBaseURL"], server.url);
    assert_eq!(
        env["initial_variables"]["auth"],
        format!("Bearer {}", server.token)
    );
    assert_eq!(env["script"], SPEC_SCRIPT);
    assert_eq!(env["regions"], json!(["us1"]), "other settings kept");

    // The trigger carries no secret: no query, no body, no token.
    let seen = double.seen();
    let triggers: Vec<_> = seen
        .iter()
        .filter(|s| s.target.contains("/trigger"))
        .collect();
    assert_eq!(triggers.len(), 1);
    let trigger = triggers[0];
    assert!(!trigger.target.contains('?'), "{}", trigger.target);
    assert!(trigger.body.is_empty(), "{}", trigger.body);
    assert_eq!(trigger.authorization, None);
    for s in &seen {
        let secret_here = s.body.contains(&server.token);
        let is_env = s.method == "PUT" && s.target.contains("/environments/");
        assert!(
            !secret_here || is_env,
            "{} {} carries the SCIM token",
            s.method,
            s.target
        );
        assert!(!s.target.contains(TOKEN) && !s.target.contains(&server.token));
    }

    // The verdict, the page, the link recorded; the cloud cannot reach 127.0.0.1: warned.
    let page = format!(
        "https://www.runscope.com/radar/{BUCKET}/{}/history/{}",
        test.id, runs[0].id
    );
    assert!(
        o.contains("SPEC hosted run passed") && o.contains(&page),
        "{o}"
    );
    assert!(e.contains("127.0.0.1") && e.contains("Radar agent"), "{e}");
    assert!(e.contains("Shareable"), "{e}");
    let s = session(dir.path());
    assert_eq!(s["suites"]["spec"], page);
    assert_eq!(s["hosted"]["bucket"], BUCKET);
    assert_eq!(s["hosted"]["tests"][0]["test_id"], test.id.as_str());
    assert_eq!(s["hosted"]["runs"][0]["result"], "pass");
    let text = std::fs::read_to_string(dir.path().join(SESSION)).unwrap();
    assert!(!text.contains(&server.token) && !text.contains(TOKEN));
    assert!(!text.contains("/trigger"), "no trigger URL is kept");

    // Readiness shows the hosted verdict beside the link scimplan recorded.
    let out = scimplan(
        dir.path(),
        &double.url,
        &server.token,
        &["summary", PLAN, "--format", "json"],
    );
    let summary: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let spec = &summary["suites"][0];
    assert_eq!(spec["suite"], "spec");
    assert_eq!(spec["satisfied"], true);
    assert_eq!(spec["hosted"]["result"], "pass");
    assert_eq!(spec["hosted"]["linked"], true);
    assert!(
        spec["detail"]
            .as_str()
            .unwrap()
            .contains("hosted run passed"),
        "{spec}"
    );
}

#[test]
fn the_test_made_before_is_reused() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let dir = setup(&server, &spec_like_file(201));
    for _ in 0..2 {
        let out = hosted(dir.path(), &double, &server);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(double.tests().len(), 1, "one test in the bucket");
    let seen = double.seen();
    let creates = seen
        .iter()
        .filter(|s| s.method == "POST" && s.target.ends_with("/tests"))
        .count();
    let test = &double.tests()[0];
    let updates = seen
        .iter()
        .filter(|s| s.method == "PUT" && s.target.ends_with(&format!("/tests/{}", test.id)))
        .count();
    assert_eq!((creates, updates), (1, 1));
    let runs = double.runs();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.test == test.id && r.state == "pass"));
    let s = session(dir.path());
    assert_eq!(s["hosted"]["tests"].as_array().unwrap().len(), 1);
    assert_eq!(s["hosted"]["runs"].as_array().unwrap().len(), 2);
    // The link is the latest run's page.
    assert!(
        s["suites"]["spec"].as_str().unwrap().ends_with(&runs[1].id),
        "{}",
        s["suites"]["spec"]
    );
    // Without --bucket, the bucket used last is used again.
    let out = scimplan(
        dir.path(),
        &double.url,
        &server.token,
        &["runscope", PLAN, "--suite", "spec", "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(double.tests().len(), 1);
}

#[test]
fn a_failing_hosted_run_records_no_link_and_keeps_the_result() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    // The app answers 201 to the create; this file expects 200: it fails, as in Runscope.
    let dir = setup(&server, &spec_like_file(200));
    let out = hosted(dir.path(), &double, &server);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{o}\n{e}");
    assert!(o.contains("SPEC hosted run FAILED"), "{o}");
    assert!(
        o.contains("response_status equal_number: expected 200, got 201"),
        "{o}"
    );
    assert!(e.contains("No link recorded"), "{e}");
    let s = session(dir.path());
    assert!(s["suites"].get("spec").is_none(), "{}", s["suites"]);
    assert_eq!(s["hosted"]["runs"][0]["result"], "fail");
    // Readiness: the link is missing, the failed hosted run is shown beside it.
    let out = scimplan(dir.path(), &double.url, &server.token, &["summary", PLAN]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("[!!] SPEC: missing") && text.contains("hosted run FAILED"),
        "{text}"
    );
    assert!(text.contains("✗ request 2: POST"), "{text}");
}

#[test]
fn a_refused_token_exits_2_naming_the_variable_and_records_nothing() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start("another-token", &[(BUCKET, "Okta SCIM")]);
    let dir = setup(&server, &spec_like_file(201));
    let before = std::fs::read_to_string(dir.path().join(SESSION)).unwrap();
    let out = hosted(dir.path(), &double, &server);
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("SCIMPLAN_RUNSCOPE_TOKEN") && e.contains("refused"),
        "{e}"
    );
    assert!(!e.contains(TOKEN), "the token is never printed: {e}");
    assert!(double.tests().is_empty() && double.runs().is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.path().join(SESSION)).unwrap(),
        before
    );
}

#[test]
fn the_bucket_is_the_only_one_or_must_be_named() {
    let server = ScimServer::start();
    let two = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM"), ("zz9plural", "Other")]);
    let dir = setup(&server, &spec_like_file(201));
    let args = ["runscope", PLAN, "--suite", "spec", "--yes"];
    let out = scimplan(dir.path(), &two.url, &server.token, &args);
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("--bucket KEY")
            && e.contains("b0ck3tk3y123 (Okta SCIM)")
            && e.contains("zz9plural"),
        "{e}"
    );
    let one = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let out = scimplan(dir.path(), &one.url, &server.token, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(one.tests()[0].bucket, BUCKET);
    // A suite the Wizard does not ask of this integration is refused before anything is sent.
    let out = scimplan(
        dir.path(),
        &one.url,
        &server.token,
        &["runscope", PLAN, "--suite", "entitlements", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--support entitlements"),
        "{}",
        stderr(&out)
    );
}

/// Okta's own SPEC file and initial script, when present, run in the double as they would in
/// BlazeMeter, and pass against the pinned server.
#[test]
fn okta_spec_file_runs_hosted_against_the_real_server() {
    let (Some(spec), Some(script)) = (
        okta_file("Okta-SCIM-20-SPEC-Test.json"),
        okta_file("Initial_Script_Spec.txt"),
    ) else {
        return;
    };
    let server = ScimServer::start();
    server.create_user("existing@example.com", "Ex", "Isting", true);
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let file: Value = serde_json::from_slice(&std::fs::read(&spec).unwrap()).unwrap();
    let dir = setup(&server, &file);
    std::fs::copy(&spec, dir.path().join("data/Okta-SCIM-20-SPEC-Test.json")).unwrap();
    std::fs::copy(&script, dir.path().join("data/Initial_Script_Spec.txt")).unwrap();
    let out = hosted(dir.path(), &double, &server);
    let runs = double.runs();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}\n{:#}",
        stdout(&out),
        stderr(&out),
        runs.first().map(|r| r.result.clone()).unwrap_or_default()
    );
    assert_eq!(double.tests()[0].name, "Okta SCIM 2.0 SPEC Test");
    assert!(
        !stderr(&out).contains("the profile pins"),
        "Okta's own file: {}",
        stderr(&out)
    );
}

#[test]
fn a_later_failing_hosted_run_warns_beside_the_recorded_link() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let dir = setup(&server, &spec_like_file(201));
    assert_eq!(hosted(dir.path(), &double, &server).status.code(), Some(0));
    let link = session(dir.path())["suites"]["spec"].clone();
    // The app changed: the same test now fails.
    write_okta_like_files(&dir.path().join("data"), &spec_like_file(200));
    assert_eq!(hosted(dir.path(), &double, &server).status.code(), Some(1));
    assert_eq!(
        session(dir.path())["suites"]["spec"],
        link,
        "the link stays"
    );
    let out = scimplan(
        dir.path(),
        &double.url,
        &server.token,
        &["summary", PLAN, "--format", "json"],
    );
    let summary: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let warning = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "later-hosted-run-failed")
        .unwrap_or_else(|| panic!("{:#}", summary["warnings"]));
    assert_eq!(warning["case"], "SPEC");
    let later = &double.runs()[1].id;
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains(later.as_str()),
        "{warning}"
    );
    assert_eq!(summary["suites"][0]["hosted"]["linked"], true);
}

#[test]
fn ctrl_c_stops_waiting_and_the_hosted_run_goes_on() {
    let server = ScimServer::start();
    let double = RunscopeDouble::start_with(
        TOKEN,
        &[(BUCKET, "Okta SCIM")],
        std::time::Duration::from_secs(30),
    );
    let dir = setup(&server, &spec_like_file(201));
    let child = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args([
            "runscope", PLAN, "--suite", "spec", "--bucket", BUCKET, "--yes",
        ])
        .current_dir(dir.path())
        .env_remove("DISPLAY")
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_RUNSCOPE_API", &double.url)
        .env("SCIMPLAN_RUNSCOPE_TOKEN", TOKEN)
        .env("SCIMPLAN_DATA_DIR", dir.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the result has been read at least once, the run is being waited for.
    for _ in 0..400 {
        let results = double
            .seen()
            .iter()
            .filter(|s| s.target.contains("/results/"))
            .count();
        if results > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("Stopped waiting") && e.contains("--spec-link"),
        "{e}"
    );
    let s = session(dir.path());
    assert_eq!(s["hosted"]["runs"][0]["result"], "unfinished");
    assert!(s["suites"].get("spec").is_none());
    let state = double.runs()[0].state.clone();
    assert!(state == "queued" || state == "working", "{state}");
}
