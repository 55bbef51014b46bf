//! Runscope's scripts run as Runscope runs them, in scimplan's embedded JavaScript engine with
//! Runscope's script environment: a test per feature (`response` with its body, status, headers
//! and time; `request`; `variables.get/set`, feeding the step's own assertions and later steps;
//! before-request scripts; Chai's `assert`; `JSON`, `Math`; `log` and `console.log` into the
//! run's log), a failing `assert` and a syntax error reported with their step and line, and
//! initial scripts run as written. On exports of the tests' own in the shape of Okta's files;
//! Okta's own files and initial scripts run beside them when present.

mod common;
#[path = "common/mini_scim.rs"]
mod mini_scim;
#[path = "common/runscope_exports.rs"]
mod runscope_exports;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::RunReport as Run;
use common::{okta_file, stderr, stdout, write_plan};
use mini_scim::{MiniScim, Quirks};
use runscope_exports::{
    export, json_is, request, sets, spec_like, status_is, with_before_script, with_script,
    write_export,
};
use scimplan::runscope::Variables;
use scimplan::runscope::initial::{InitialScript, crud_values, spec_values};
use serde_json::{Value, json};

fn scimplan(dir: &Path, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env("NO_COLOR", "1")
        .env("SCIMPLAN_SCIM_TOKEN", token)
        .env("SCIMPLAN_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .output()
        .expect("run scimplan")
}

struct Setup {
    app: MiniScim,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let app = MiniScim::start(Quirks::default());
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("plan.xlsx"), common::large_plan_rows(3));
    let out = scimplan(
        dir.path(),
        &app.token,
        &["connect", "plan.xlsx", "--scim-url", &app.url],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    Setup { app, dir }
}

impl Setup {
    /// `scimplan spec` with `export` (as JSON, or as text with `text`).
    fn run(&self, export: &Value, extra: &[&str], json_output: bool) -> Run {
        let file = write_export(self.dir.path(), "scripted.json", export);
        let mut args = vec![
            "spec",
            "plan.xlsx",
            "--yes",
            "--file",
            file.to_str().unwrap(),
        ];
        if json_output {
            args.push("--json");
        }
        args.extend(extra);
        let out = scimplan(self.dir.path(), &self.app.token, &args);
        Run::of(&out)
    }
}

fn list_users() -> Value {
    let mut step = request(
        "Required Test: list users",
        "GET",
        "{{SCIMBaseURL}}/Users?count=1&startIndex=1",
        json!({"Accept": ["application/scim+json"], "Authorization": ["{{auth}}"]}),
    );
    status_is(&mut step, 200);
    step
}

fn read_user(id_variable: &str) -> Value {
    let mut step = request(
        "Required Test: read a user",
        "GET",
        &format!("{{{{SCIMBaseURL}}}}/Users/{{{{{id_variable}}}}}"),
        json!({"Accept": ["application/scim+json"], "Authorization": ["{{auth}}"]}),
    );
    status_is(&mut step, 200);
    step
}

/// `response`: the body (parsed with `JSON.parse`), the status, the headers (by any case of
/// their name, a list of values each), the response time and size, the reason phrase.
#[test]
fn a_response_script_reads_the_response() {
    let s = setup();
    let script = r#"var data = JSON.parse(response.body);
assert.strictEqual(response.status, 200);
assert.equal(response.reason, "OK");
assert.include(response.headers["Content-Type"][0], "application/scim+json");
assert.deepEqual(response.headers["content-type"], response.headers["CONTENT-TYPE"]);
assert.isAtLeast(response.response_time_ms, 0);
assert.equal(response.size_bytes, response.body.length);
assert.isArray(data.Resources);
assert.lengthOf(data.Resources, 1);
assert.equal(data.Resources[0].userName, "existing@example.com");"#;
    let run = s.run(
        &export("response", vec![with_script(list_users(), script)]),
        &[],
        true,
    );
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    assert_eq!(run.step(1)["status"], "pass");
}

/// `variables.set` in a response script: the step's own assertions see the value (Runscope
/// processes scripts before assertions), later steps use it in their URL, and `variables.get`
/// reads an initial variable and one the step extracted.
#[test]
fn variables_set_by_a_script_reach_assertions_and_later_steps() {
    let s = setup();
    let mut list = list_users();
    sets(&mut list, "extracted", "Resources[0].userName");
    let list = with_script(
        list,
        r#"var data = JSON.parse(response.body);
variables.set("firstId", data.Resources[0].id);
variables.set("baseSeen", variables.get("SCIMBaseURL").indexOf("/scim/v2") > 0);
assert.equal(variables.get("extracted"), "existing@example.com");
assert.isUndefined(variables.get("neverSet"));"#,
    );
    let mut list = list;
    json_is(&mut list, "Resources[0].id", "equal", json!("{{firstId}}"));
    let run = s.run(
        &export("variables", vec![list, read_user("firstId")]),
        &[],
        true,
    );
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    let set = &run.step(1)["variables_set"];
    assert_eq!(set["baseSeen"], "true");
    assert_eq!(set["extracted"], "existing@example.com");
    let id = set["firstId"].as_str().unwrap();
    assert!(
        run.step(2)["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/Users/{id}")),
        "{:#}",
        run.step(2)
    );
    assert_eq!(run.step(2)["status"], "pass");
}

/// `request` in a response script: the request as sent (method, URL, its parts, headers,
/// body), the token redacted from nothing the script sees but from everything recorded.
#[test]
fn a_response_script_reads_the_request() {
    let s = setup();
    let script = r#"assert.equal(request.method, "GET");
assert.equal(request.scheme, "http");
assert.equal(request.host, "127.0.0.1");
assert.match(request.path, /\/scim\/v2\/Users$/);
assert.deepEqual(request.params.count, ["1"]);
assert.include(request.url, "startIndex=1");
assert.equal(request.headers.Authorization[0].indexOf("Bearer "), 0);
assert.equal(request.headers["user-agent"][0], "Runscope/1.0");
log("sent with " + request.headers.Authorization[0]);"#;
    let run = s.run(
        &export("request", vec![with_script(list_users(), script)]),
        &[],
        true,
    );
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    let log = run.step(1)["log"].to_string();
    assert!(log.contains("sent with Bearer [redacted]"), "{log}");
    assert!(!run.out.contains(&s.app.token), "the token leaked");
}

/// A before-request script changes the request before it is sent: a header and a parameter
/// added, as Runscope's documentation shows; the app receives them.
#[test]
fn a_before_request_script_changes_what_is_sent() {
    let s = setup();
    let step = with_before_script(
        list_users(),
        r#"request.headers["X-Signature"] = [request.method + " " + request.path];
request.params["attributes"] = ["userName"];"#,
    );
    let run = s.run(&export("before", vec![step]), &[], true);
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    let seen = s.app.requests();
    let sent = seen
        .iter()
        .find(|r| r.path.starts_with("/Users?count=1&startIndex=1"))
        .unwrap();
    assert!(
        sent.headers
            .contains(&("x-signature".into(), "GET /scim/v2/Users".into())),
        "{:?}",
        sent.headers
    );
    assert!(sent.path.contains("attributes=userName"), "{}", sent.path);
}

/// `log` and `console.log` write into the run's log: the step's record and the text output.
/// `JSON` and `Math` are there, as in any JavaScript.
#[test]
fn log_and_console_log_go_into_the_run_log() {
    let s = setup();
    let script = r#"var data = JSON.parse(response.body);
console.log("total", data.totalResults, {first: data.Resources[0].userName});
log(JSON.stringify({max: Math.max(3, 7), floor: Math.floor(2.7)}));"#;
    let scripted = export("log", vec![with_script(list_users(), script)]);
    let run = s.run(&scripted, &[], true);
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    assert_eq!(
        run.step(1)["log"],
        json!([
            "total 1 { first: 'existing@example.com' }",
            "{\"max\":7,\"floor\":2}"
        ])
    );
    let text = s.run(&scripted, &[], false);
    assert!(
        text.out
            .contains("        log: total 1 { first: 'existing@example.com' }"),
        "{}",
        text.out
    );
}

/// A failing `assert` fails the step (the file's verdict is a fail) with Chai's message and the
/// script's line; what the script logged before it failed is kept.
#[test]
fn a_failing_assert_fails_the_step_naming_its_line() {
    let s = setup();
    let script = r#"var data = JSON.parse(response.body);
log("checking");
assert.notEqual(data.Resources[0].userName.toLowerCase(), "existing@example.com", "userName keeps its case");"#;
    let run = s.run(
        &export("assert", vec![with_script(list_users(), script)]),
        &[],
        false,
    );
    assert_eq!(run.code, Some(1), "{}{}", run.out, run.err);
    assert!(
        run.out
            .contains("FAIL    step 1: Required Test: list users"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains(
            "response script failed, line 3: AssertionError: userName keeps its case: expected 'existing@example.com' to not equal 'existing@example.com'"
        ),
        "{}",
        run.out
    );
    assert!(run.out.contains("log: checking"), "{}", run.out);
}

/// A syntax error fails the step, reported with the step and the line; an error thrown by the
/// script (reading a property of undefined) too.
#[test]
fn script_errors_are_reported_with_step_and_line() {
    let s = setup();
    let run = s.run(
        &export(
            "syntax",
            vec![
                list_users(),
                with_script(list_users(), "var a = 1;\nvar b = {;\n"),
                with_script(
                    list_users(),
                    "var data = JSON.parse(response.body);\nvar x = data.nothing.here;",
                ),
            ],
        ),
        &[],
        false,
    );
    assert_eq!(run.code, Some(1), "{}{}", run.out, run.err);
    let lines: Vec<&str> = run.out.lines().collect();
    let after = |title: &str| {
        let at = lines
            .iter()
            .position(|l| l.starts_with("FAIL") && l.contains(title))
            .unwrap_or_else(|| panic!("no failed {title}: {}", run.out));
        lines[at + 1].to_string()
    };
    let syntax = after("step 2:");
    assert!(
        syntax.contains("response script failed, line 2: SyntaxError"),
        "{syntax}"
    );
    let thrown = after("step 3:");
    assert!(
        thrown.contains("response script failed, line 2: TypeError"),
        "{thrown}"
    );
    assert!(run.out.contains("PASS    step 1:"), "{}", run.out);
}

/// A step in the shape of Okta's older SPEC file: the create's response script compares the
/// echoed userName with the variable, as Okta's "realistic values" step does. A compliant app
/// passes it, as in Runscope.
#[test]
fn an_older_okta_style_create_script_passes_a_compliant_app() {
    let s = setup();
    let mut file = spec_like(0.0);
    let create = &mut file["steps"][6];
    assert_eq!(create["method"], "POST");
    create["scripts"] = json!([
        "var data = JSON.parse(response.body);\nassert.notEqual(data.userName.toLowerCase(), variables.get(\"randomUsername\"), \"userName is returned as sent, not lower-cased\");\nassert.equal(data.name.givenName, variables.get(\"randomGivenName\"));\nassert.isTrue(data.active);"
    ]);
    let run = s.run(&file, &[], true);
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    assert_eq!(run.step(7)["status"], "pass");
}

/// An initial script of the tests' own, in the shape of Okta's (functions, `Math.random`,
/// `variables.set`), run as written: the values the run uses are the ones it made.
#[test]
fn an_initial_script_runs_as_written() {
    let s = setup();
    let script = s.dir.path().join("initial.js");
    std::fs::write(
        &script,
        r#"function digits(n) {
    var out = "";
    for (var i = 0; i < n; i++) out += String(Math.floor(Math.random() * 10));
    return out;
}
var given = "Tester" + digits(4);
var family = "Family" + digits(2);
var email = given + family + "@example.org";
variables.set("randomGivenName", given);
variables.set("randomFamilyName", family);
variables.set("randomEmail", email);
variables.set("randomUsername", email);
variables.set("InvalidUserEmail", "nobody@example.org");
variables.set("UserIdThatDoesNotExist", "no-such-id-" + digits(6));
variables.set("randomUsernameCaps", email.toUpperCase());
log("made", email);"#,
    )
    .unwrap();
    let run = s.run(
        &spec_like(0.0),
        &["--initial-script", script.to_str().unwrap()],
        true,
    );
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    let user = run.report["created_user"].as_str().unwrap();
    assert!(
        user.starts_with("Tester") && user.ends_with("@example.org"),
        "{user}"
    );
    assert!(
        run.err.contains("Test values: from the initial script"),
        "{}",
        run.err
    );
    assert!(
        run.err.contains("initial script log: made Tester"),
        "{}",
        run.err
    );
    assert!(s.app.users().iter().any(|u| u["userName"] == user));

    // Without a script, scimplan's own equivalent, said so.
    let run = s.run(&spec_like(0.0), &[], true);
    assert!(
        run.err
            .contains("scimplan's own equivalent of Okta's SPEC initial script"),
        "{}",
        run.err
    );
    assert!(
        run.report["created_user"]
            .as_str()
            .unwrap()
            .starts_with("Runscope")
    );
}

/// An initial script that fails stops the run before anything is sent, naming its line.
#[test]
fn a_failing_initial_script_stops_before_anything_is_sent() {
    let s = setup();
    let script = s.dir.path().join("broken.js");
    std::fs::write(
        &script,
        "variables.set('a', 1);\nvariables.set('b', undefinedThing);\n",
    )
    .unwrap();
    let run = s.run(
        &spec_like(0.0),
        &["--initial-script", script.to_str().unwrap()],
        true,
    );
    assert_eq!(run.code, Some(2), "{}{}", run.out, run.err);
    assert!(
        run.err
            .contains("the initial script failed, line 2: ReferenceError"),
        "{}",
        run.err
    );
    assert!(s.app.requests().is_empty());
}

/// The values of an initial script in the shape of Okta's, run as written, and scimplan's own
/// equivalent: the same names and shapes (given name `Runscope` + 3 digits; family name a
/// capital, 8 small letters, 3 digits; userName = email = both + `@atko.com`; an upper-case
/// copy). Okta's own scripts, when present, give the same.
#[test]
fn scimplans_own_values_are_what_okta_shaped_initial_scripts_make() {
    let shape_of = |v: &Variables| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| {
                let shape: String = v
                    .chars()
                    .map(|c| match c {
                        '0'..='9' => '9',
                        'a'..='z' => 'a',
                        'A'..='Z' => 'A',
                        other => other,
                    })
                    .collect();
                (k.clone(), shape)
            })
            .collect()
    };
    let okta_like_spec = r#"function pick(letters, n) {
  var out = "";
  for (var i = 0; i < n; i++) out += letters.charAt(Math.floor(Math.random() * letters.length));
  return out;
}
var first = "Runscope" + pick("0123456789", 3);
var last = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1) + pick("abcdefghijklmnopqrstuvwxyz", 8) + pick("0123456789", 3);
var email = first + last + "@atko.com";
variables.set("randomGivenName", first);
variables.set("randomFamilyName", last);
variables.set("randomEmail", email);
variables.set("randomUsername", email);
variables.set("InvalidUserEmail", "abcdefgh@atko.com");
variables.set("UserIdThatDoesNotExist", "010101001010101011001010101011");
variables.set("randomUsernameCaps", email.toUpperCase());"#;
    let native = spec_values(&mut fastrand::Rng::new());
    let mut scripts = vec![InitialScript {
        path: "okta-like-spec.js".into(),
        text: okta_like_spec.into(),
    }];
    scripts.extend(okta_file("Initial_Script_Spec.txt").map(|p| InitialScript::load(&p).unwrap()));
    for script in &scripts {
        let (values, _) = script.run(&Variables::new()).unwrap();
        assert_eq!(shape_of(&values), shape_of(&native), "{}", script.path);
        assert_ne!(values, native, "random values");
    }
    if let Some(path) = okta_file("Initial_Script_CRUD.txt") {
        let (values, _) = InitialScript::load(&path)
            .unwrap()
            .run(&Variables::new())
            .unwrap();
        let native = crud_values(&mut fastrand::Rng::new());
        assert_eq!(shape_of(&values), shape_of(&native));
    }
}

/// Beside Okta's files: Okta's SPEC file with Okta's initial script run as written (its Groups
/// step's script runs as a script), and the tests' own scripted export, against one app.
#[test]
fn okta_files_and_a_scripted_export_of_our_own_run_side_by_side() {
    let s = setup();
    let mut own = spec_like(0.0);
    own["steps"][0]["scripts"] = json!([
        "var data = JSON.parse(response.body);\nassert.isAbove(data.totalResults, 0);\nvariables.set('seen', data.totalResults);"
    ]);
    let run = s.run(&own, &[], true);
    assert_eq!(run.code, Some(0), "{}{}", run.out, run.err);
    let (Some(spec), Some(script)) = (
        okta_file("Okta-SCIM-20-SPEC-Test.json"),
        okta_file("Initial_Script_Spec.txt"),
    ) else {
        return;
    };
    let out = scimplan(
        s.dir.path(),
        &s.app.token,
        &[
            "spec",
            "plan.xlsx",
            "--yes",
            "--json",
            "--file",
            spec.to_str().unwrap(),
            "--initial-script",
            script.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let groups = report["file"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["url"].as_str().unwrap_or_default().ends_with("/Groups"))
        .unwrap();
    assert_eq!(groups["status"], "pass", "{groups:#}");
    assert!(
        report["created_user"]
            .as_str()
            .unwrap()
            .ends_with("@atko.com")
    );
}
