//! `scimplan spec` runs Okta's own SPEC file: against apps that differ from a compliant one the
//! way real apps do, against hand-edited copies of the file, and as exactly as Runscope would
//! (the headers a step names, no retries). The tests whose verdicts are derived from Okta's own
//! steps need Okta's file and say once that they skip without it; the compliant reference, the
//! 429, the removed step and the unknown comparison run on the tests' SPEC-shaped fixture too. Each expected verdict is derived in the test's comment
//! from Okta's file and Runscope's documented assertion semantics
//! (https://www.runscope.com/docs/api-testing/assertions; see src/runscope/compare.rs).

mod common;
#[path = "common/mini_scim.rs"]
mod mini_scim;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::RunReport as Run;
use common::{SuiteFile, okta_file, okta_or_fixture, spec_files, stderr, stdout, write_plan};
use mini_scim::{MiniScim, Quirks};
use serde_json::Value;

const SPEC: &str = common::SPEC_FILE;

fn scimplan(dir: &Path, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", token)
        // Never the tester's data folder, and never the network: Okta's files come from --file
        // or from this (empty) folder.
        .env("SCIMPLAN_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .output()
        .expect("run scimplan")
}

/// A generated plan connected to `app`.
fn plan_for(app: &MiniScim) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_plan(&dir.path().join("plan.xlsx"), common::large_plan_rows(5));
    let out = scimplan(
        dir.path(),
        &app.token,
        &["connect", "plan.xlsx", "--scim-url", &app.url],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn run_spec_json(dir: &Path, app: &MiniScim, file: &Path) -> Run {
    let out = scimplan(
        dir,
        &app.token,
        &[
            "spec",
            "plan.xlsx",
            "--yes",
            "--json",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    Run::of(&out)
}

/// Runs Okta's SPEC file against an app with `quirks` holding one user; `None` when Okta's file
/// is absent (and not required).
fn against(quirks: Quirks) -> Option<(Run, MiniScim, tempfile::TempDir)> {
    let file = okta_file(SPEC)?;
    let app = MiniScim::start(quirks);
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let run = run_spec_json(dir.path(), &app, &file);
    Some((run, app, dir))
}

/// Runs `file` against an app with `quirks` holding one user.
fn against_file(file: &SuiteFile, quirks: Quirks) -> (Run, MiniScim, tempfile::TempDir) {
    let app = MiniScim::start(quirks);
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let run = run_spec_json(dir.path(), &app, &file.path);
    (run, app, dir)
}

fn every_required_step_passed(run: &Run) {
    for step in run.report["file"]["steps"].as_array().unwrap() {
        if step["requirement"] == "required" && step["status"] != "pause" {
            assert_eq!(step["status"], "pass", "{step:#}");
        }
    }
}

/// The compliant reference: this app with no quirk passes Okta's file (and the tests' SPEC-shaped
/// fixture) and the extra set, so each test below fails for its one quirk only.
#[test]
fn the_mini_app_without_quirks_passes_everything() {
    for file in spec_files() {
        mini_app_passes(&file);
    }
}

fn mini_app_passes(file: &SuiteFile) {
    let (run, app, _dir) = against_file(file, Quirks::default());
    assert_eq!(
        run.code,
        Some(0),
        "{}: {}\n{}",
        file.label(),
        run.out,
        run.err
    );
    every_required_step_passed(&run);
    for check in run.report["checks"].as_array().unwrap() {
        assert_eq!(check["status"], "pass", "{check:#}");
    }
    assert_eq!(run.report["deactivated"], true);
    let created = run.report["created_user"].as_str().unwrap();
    let user = app
        .users()
        .into_iter()
        .find(|u| u["userName"] == created)
        .expect("the created user");
    assert_eq!(user["active"], false);
}

/// Numeric ids (`"id": 101`). Step 1 extracts ISVUserid from `Resources[0].id`: Runscope casts
/// the number to the string "101". Step 3 asserts `id` `equal` "{{ISVUserid}}": a string
/// comparison after casting, "101" = "101": pass. So Okta's file passes. (scimplan's old
/// hand-written suite compared the JSON number with a string and failed this app.)
#[test]
fn numeric_ids_pass_as_in_runscope() {
    let Some((run, _app, _dir)) = against(Quirks {
        numeric_ids: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    every_required_step_passed(&run);
    assert_eq!(run.step(1)["variables_set"]["ISVUserid"], "100");
    assert!(
        run.step(3)["attempts"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/Users/100")
    );
}

/// `status` as a number in error bodies (`"status": 401`). Steps 21 and 23 assert `status`
/// `equal` "401" / "404": Equals casts non-strings to strings, 401 -> "401": pass. The verdict is
/// a pass. (The old suite demanded the string and failed it.)
#[test]
fn status_as_a_number_in_error_bodies_passes() {
    let Some((run, _app, _dir)) = against(Quirks {
        status_as_number: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.status(21), "pass");
    assert_eq!(run.status(23), "pass");
}

/// `Content-Type: application/json` everywhere. No step of Okta's file asserts a response
/// header, and Runscope reads a JSON body whatever its content type: pass.
#[test]
fn plain_json_content_type_passes() {
    let Some((run, _app, _dir)) = against(Quirks {
        plain_json_content_type: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    every_required_step_passed(&run);
}

/// The app stores userName lower-cased. Okta's random userName is mixed case
/// (`Runscope123Abcdefgh123@atko.com`); step 11 (Required) asserts `userName` `equal`
/// "{{randomUsername}}": Equals is case-sensitive: fail. Step 13 fails the same way. The
/// verdict is a fail, exit 1.
#[test]
fn a_lower_cased_user_name_fails_as_in_runscope() {
    let Some((run, _app, _dir)) = against(Quirks {
        lowercases_user_name: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(1), "{}", run.out);
    assert_eq!(run.status(11), "fail");
    assert_eq!(run.status(13), "fail");
    let failed: Vec<&Value> = run.step(11)["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["property"], "userName");
    let expected = failed[0]["expected"].as_str().unwrap();
    assert_eq!(
        failed[0]["actual"].as_str().unwrap(),
        format!("\"{}\"", expected.to_lowercase())
    );
    assert_eq!(run.report["file"]["steps"][0]["status"], "pass");
}

/// No /Groups endpoint (404). Only step 19 reads /Groups, and its note says "Optional Test":
/// a warning, the verdict still passes (Okta's rule: Required steps only). The extra set's
/// /Groups check warns too, apart. (The old suite made /Groups required and failed the app.)
#[test]
fn no_groups_endpoint_is_a_warning_only() {
    let Some((run, _app, _dir)) = against(Quirks {
        no_groups: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.status(19), "warn");
    assert_eq!(run.report["file"]["steps"].as_array().unwrap().len(), 23);
    assert_eq!(run.extra("/Groups")["status"], "warn");
}

/// Empty error bodies. Step 7 (Required) asserts `detail` `not_empty` on the 404: there is no
/// JSON, so no value: empty: fail. Steps 21 and 23 fail the same way. Verdict: fail.
#[test]
fn empty_error_bodies_fail() {
    let Some((run, _app, _dir)) = against(Quirks {
        empty_error_bodies: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(1), "{}", run.out);
    for position in [7, 21, 23] {
        assert_eq!(run.status(position), "fail", "step {position}");
    }
    let detail = &run.step(7)["assertions"][1];
    assert_eq!(detail["property"], "detail");
    assert!(
        detail["actual"]
            .as_str()
            .unwrap()
            .contains("status 404 with an empty body"),
        "{detail}"
    );
    // The 409 of step 15 only has its status asserted: it passes.
    assert_eq!(run.status(15), "pass");
}

/// /Groups takes 800 ms. Step 19 asserts `response_time` `is_less_than` 600: fail, but the step
/// is Optional: a warning; the verdict passes.
#[test]
fn a_slow_groups_endpoint_is_a_warning() {
    let Some((run, _app, _dir)) = against(Quirks {
        slow_groups: Some(Duration::from_millis(800)),
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.status(19), "warn");
    let time = run.step(19)["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["source"] == "response_time")
        .unwrap()
        .clone();
    assert_eq!(time["passed"], false);
    assert!(time["actual"].as_str().unwrap().parse::<u64>().unwrap() >= 800);
}

/// A case-sensitive userName filter. Step 17 filters on the upper-cased userName and asserts
/// only the status 200: pass. Okta's verdict passes; scimplan's own check of what Okta relies on
/// (finding the user in upper case) fails, reported apart.
#[test]
fn a_case_sensitive_filter_passes_the_file_and_fails_the_extra_check() {
    let Some((run, _app, _dir)) = against(Quirks {
        case_sensitive_filter: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.status(17), "pass");
    let check = run.extra("case-insensitive");
    assert_eq!(check["status"], "fail");
    assert!(
        check["detail"][0].as_str().unwrap().contains("In Okta"),
        "{check}"
    );
}

/// The first listed user has an empty given name. Step 1 (Required) asserts
/// `Resources[0].name.givenName` `not_empty`: "" is empty: fail. (The old suite only checked
/// that the field was present and passed this app, which Runscope fails.)
#[test]
fn an_empty_given_name_fails_step_one() {
    let Some(file) = okta_file(SPEC) else {
        return;
    };
    let app = MiniScim::start(Quirks::default());
    app.add_user("existing@example.com", "", "Isting");
    let dir = plan_for(&app);
    let run = run_spec_json(dir.path(), &app, &file);
    assert_eq!(run.code, Some(1), "{}", run.out);
    assert_eq!(run.status(1), "fail");
    let failed: Vec<&str> = run.step(1)["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["passed"] == false)
        .map(|a| a["property"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["Resources[0].name.givenName"]);
}

/// Counts as strings (`"totalResults": "0"`). Step 5 asserts `totalResults` `equal` "0": a string
/// comparison: pass; step 9 `equal_number` "0": "0" casts to 0: pass; `is_a_number` on "1":
/// a string that casts to a number: pass. The verdict passes.
#[test]
fn counts_as_numeric_strings_pass() {
    let Some((run, _app, _dir)) = against(Quirks {
        counts_as_strings: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    every_required_step_passed(&run);
}

/// A 409 without a body. Step 15 asserts only the status: pass; the verdict passes. scimplan's
/// check that the 409 is a SCIM error with `detail` (what the admin sees in Okta) fails, apart.
#[test]
fn a_conflict_without_body_passes_the_file() {
    let Some((run, _app, _dir)) = against(Quirks {
        empty_conflict_body: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.status(15), "pass");
    assert_eq!(run.extra("409")["status"], "fail");
}

/// An app that refuses PATCH: Okta's file never PATCHes, so the verdict passes; the extra
/// PATCH check fails, and the created user is still deactivated, with PUT, and the report says so.
#[test]
fn a_refused_patch_is_followed_by_a_put_that_deactivates() {
    let Some((run, app, _dir)) = against(Quirks {
        refuses_patch: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.extra("PATCH active=false")["status"], "fail");
    assert_eq!(run.report["deactivated"], true);
    let how = run.report["deactivation"].as_str().unwrap();
    assert!(
        how.contains("PATCH was refused (405)") && how.contains("PUT"),
        "{how}"
    );
    let created = run.report["created_user"].as_str().unwrap();
    let user = app
        .users()
        .into_iter()
        .find(|u| u["userName"] == created)
        .unwrap();
    assert_eq!(user["active"], false);
}

/// A 429 is what the file sees: no silent retry. The app answers 429 to its first request
/// (step 1): step 1 fails saying so, and the app saw step 1's request once. (Okta's file, else
/// the tests' SPEC-shaped fixture.)
#[test]
fn a_429_is_not_retried() {
    let file = okta_or_fixture(SPEC);
    let (run, app, _dir) = against_file(
        &file,
        Quirks {
            first_request_429: true,
            ..Quirks::default()
        },
    );
    let first_path = file.step(1)["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("{{SCIMBaseURL}}")
        .to_string();
    assert_eq!(run.code, Some(1), "{}", run.out);
    assert_eq!(run.status(1), "fail");
    assert_eq!(run.step(1)["attempts"].as_array().unwrap().len(), 1);
    let problems = run.step(1)["problems"].to_string();
    assert!(
        problems.contains("429") && problems.contains("does not retry"),
        "{problems}"
    );
    let first_list_requests = app
        .requests()
        .iter()
        .filter(|r| r.path == first_path)
        .count();
    assert_eq!(first_list_requests, 1);
}

/// Each request carries exactly the headers its step names (plus what HTTP needs: host and,
/// with a body, content-length, and Runscope's `User-Agent` where a step names none), with
/// Okta's values: the user agent, the 401 step's `Authorization: non-token`, the POST's
/// `application/json`. No token on disk.
#[test]
fn exactly_the_headers_a_step_names() {
    let Some((run, app, dir)) = against(Quirks::default()) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    let requests = app.requests();
    let names = |r: &mini_scim::SeenRequest| {
        let mut names: Vec<String> = r.headers.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names
    };
    let value = |r: &mini_scim::SeenRequest, name: &str| {
        r.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let first = &requests[0];
    assert_eq!(first.path, "/Users?count=1&startIndex=1");
    assert_eq!(
        names(first),
        [
            "accept",
            "accept-charset",
            "authorization",
            "content-type",
            "host",
            "user-agent"
        ]
    );
    assert_eq!(value(first, "user-agent"), "OKTA SCIM Integration");
    assert_eq!(
        value(first, "authorization"),
        format!("Bearer {}", app.token)
    );
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        names(post),
        [
            "accept",
            "authorization",
            "content-length",
            "content-type",
            "host",
            "user-agent"
        ]
    );
    assert_eq!(value(post, "content-type"), "application/json");
    // The create names no User-Agent: it carries Runscope's, as in Runscope.
    assert_eq!(value(post, "user-agent"), "Runscope/1.0");
    let body: Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(body["userName"], run.report["created_user"]);
    let unauthorized = requests
        .iter()
        .find(|r| value(r, "authorization") == "non-token")
        .expect("the 401 step's request");
    assert!(unauthorized.path.starts_with("/Users?filter=userName"));
    // The token is redacted from the report, the session and the recorded headers.
    let session = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    for text in [&run.out, &session] {
        assert!(!text.contains(&app.token), "the token leaked");
    }
    assert!(session.contains("Authorization: Bearer [redacted]"));
}

/// A copy of Okta's file in `dir`, changed by `edit` (a JSON value of the export).
fn edited_copy(dir: &Path, edit: impl FnOnce(&mut Value)) -> Option<PathBuf> {
    let original = okta_file(SPEC)?;
    Some(edited_copy_of(&original, dir, edit))
}

/// A copy of `original` in `dir`, changed by `edit`.
fn edited_copy_of(original: &Path, dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(original).unwrap()).unwrap();
    edit(&mut json);
    let path = dir.join("edited-spec.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    path
}

fn step_index(json: &Value, note_start: &str) -> usize {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| {
            s["note"]
                .as_str()
                .is_some_and(|n| n.starts_with(note_start))
        })
        .unwrap()
}

/// An expected value changed in a copy: step 5's `totalResults` `equal` "0" becomes "1". The app
/// answers 0: that step fails, with expected and actual; the copy's SHA-256 is reported as not
/// Okta's.
#[test]
fn an_edited_expected_value_fails_that_step() {
    let app = MiniScim::start(Quirks::default());
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let Some(copy) = edited_copy(dir.path(), |json| {
        let i = step_index(json, "Required Test: Test invalid User by username");
        json["steps"][i]["assertions"][2]["value"] = "1".into();
    }) else {
        return;
    };
    let run = run_spec_json(dir.path(), &app, &copy);
    assert_eq!(run.code, Some(1), "{}", run.out);
    assert_eq!(run.status(5), "fail");
    let failed = &run.step(5)["assertions"][2];
    assert_eq!(
        (failed["expected"].as_str(), failed["actual"].as_str()),
        (Some("1"), Some("0"))
    );
    let file = &run.report["file"]["file"];
    assert!(file["expected_sha256"].is_string(), "{file}");
    assert_ne!(file["sha256"], file["expected_sha256"]);
}

/// A step removed from a copy: without step 1 nothing sets the variable (Okta's
/// {{ISVUserid}}) that a later step uses: the copy is refused before any request, naming the
/// variable and the step. (Okta's file, else the tests' SPEC-shaped fixture.)
#[test]
fn a_removed_step_that_others_need_is_refused_before_anything_is_sent() {
    let file = okta_or_fixture(SPEC);
    let app = MiniScim::start(Quirks::default());
    let dir = plan_for(&app);
    let copy = edited_copy_of(&file.path, dir.path(), |json| {
        json["steps"].as_array_mut().unwrap().remove(0);
    });
    let run = run_spec_json(dir.path(), &app, &copy);
    assert_eq!(run.code, Some(2), "{}", run.out);
    let variable = file.sets(1);
    let user = file.note(file.first_use(variable));
    assert!(
        run.err.contains(&format!("{{{{{variable}}}}}")) && run.err.contains(user),
        "{}",
        run.err
    );
    assert!(app.requests().is_empty(), "nothing was sent");
}

/// A step removed that nothing depends on (the final 404 check): the run has 11 requests and
/// the app that fails only that check now passes.
#[test]
fn a_removed_independent_step_is_simply_not_run() {
    let app = MiniScim::start(Quirks::default());
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let Some(copy) = edited_copy(dir.path(), |json| {
        let i = step_index(json, "Required Test: Check status 404");
        json["steps"].as_array_mut().unwrap().truncate(i);
    }) else {
        return;
    };
    let run = run_spec_json(dir.path(), &app, &copy);
    assert_eq!(run.code, Some(0), "{}", run.out);
    let requests = run.report["file"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "pause")
        .count();
    assert_eq!(requests, 11);
    assert!(
        !app.requests()
            .iter()
            .any(|r| r.path == "/Users/00919288221112222")
    );
}

/// An unknown comparison is refused clearly (not a pass), naming the step and Runscope's set.
/// (Okta's file, else the tests' SPEC-shaped fixture.)
#[test]
fn an_unknown_comparison_is_refused() {
    let file = okta_or_fixture(SPEC);
    let app = MiniScim::start(Quirks::default());
    let dir = plan_for(&app);
    let copy = edited_copy_of(&file.path, dir.path(), |json| {
        json["steps"][0]["assertions"][0]["comparison"] = "equals_roughly".into();
    });
    let run = run_spec_json(dir.path(), &app, &copy);
    assert_eq!(run.code, Some(2), "{}", run.out);
    assert!(
        run.err.contains("'equals_roughly'")
            && run.err.contains(file.note(1))
            && run.err.contains("equal_number"),
        "{}",
        run.err
    );
    assert!(app.requests().is_empty());
}

/// Without --file, the SPEC file comes from the data folder; a copy whose SHA-256 differs from
/// the profile's is used, with a warning naming both.
#[test]
fn the_data_folder_file_is_used_and_a_changed_one_warned_about() {
    let Some(original) = okta_file(SPEC) else {
        return;
    };
    let app = MiniScim::start(Quirks::default());
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(&original, data.join(SPEC)).unwrap();
    let out = scimplan(dir.path(), &app.token, &["spec", "plan.xlsx", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899")
    );
    let mut text = std::fs::read_to_string(&original).unwrap();
    text.push('\n');
    std::fs::write(data.join(SPEC), text).unwrap();
    let out = scimplan(dir.path(), &app.token, &["spec", "plan.xlsx", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning")
            && err.contains("a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899"),
        "{err}"
    );
}

/// Offline, with no file in the data folder: a clear error saying how to pass the file.
#[test]
fn without_the_file_and_offline_the_error_says_what_to_do() {
    let app = MiniScim::start(Quirks::default());
    let dir = plan_for(&app);
    let profile = dir.path().join("profile.toml");
    let builtin =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("plans/okta-scim.toml"))
            .unwrap();
    let port = common::unused_port();
    std::fs::write(
        &profile,
        builtin.replace(
            "https://developer.okta.com/standards/SCIM/SCIMFiles",
            &format!("http://127.0.0.1:{port}"),
        ),
    )
    .unwrap();
    let out = scimplan(
        dir.path(),
        &app.token,
        &[
            "spec",
            "plan.xlsx",
            "--yes",
            "--profile",
            profile.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot download Okta-SCIM-20-SPEC-Test.json") && err.contains("--file PATH"),
        "{err}"
    );
    assert!(app.requests().is_empty());
}

/// `--entitlement-endpoint` runs Okta's Entitlements file once per endpoint: /Roles answers a
/// ListResponse with one role and `itemsPerPage` 1 (the file's `equal_number` 1): pass; an
/// endpoint the app lacks answers 404: its Required step fails, so the command finds a problem
/// (exit 1) while the SPEC verdict itself stays a pass.
#[test]
fn the_entitlements_file_runs_per_endpoint() {
    let Some(spec) = okta_file(SPEC) else {
        return;
    };
    let Some(entitlements) = okta_file("Okta-SCIM-20-Entitlements-Test.json") else {
        return;
    };
    let app = MiniScim::start(Quirks {
        roles: true,
        ..Quirks::default()
    });
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(
        &entitlements,
        data.join("Okta-SCIM-20-Entitlements-Test.json"),
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let args = |endpoints: &[&'static str]| {
        let mut args = vec!["spec", "plan.xlsx", "--yes", "--json", "--file", spec];
        for e in endpoints {
            args.extend(["--entitlement-endpoint", *e]);
        }
        args
    };
    let out = scimplan(dir.path(), &app.token, &args(&["/Roles"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let runs = report["entitlements"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0]["target"]
            .as_str()
            .unwrap()
            .ends_with("/scim/v2/Roles")
    );
    assert_eq!(runs[0]["steps"][0]["status"], "pass", "{}", runs[0]);
    let roles_request = app
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/Roles"))
        .unwrap();
    assert_eq!(roles_request.path, "/Roles?count=1&startIndex=1");

    let out = scimplan(dir.path(), &app.token, &args(&["/Roles", "/Licenses"]));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["entitlements"][1]["steps"][0]["status"], "fail");
    assert_eq!(report["file"]["steps"][0]["status"], "pass");
    let session = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    let session: Value = serde_json::from_str(&session).unwrap();
    // The SPEC file passed; the Entitlements file (its own suite result) did not.
    let latest = |suite: &str| {
        session["suite_runs"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|r| r["suite"] == suite)
            .cloned()
            .unwrap()
    };
    assert_eq!(latest("spec")["passed"], true);
    assert_eq!(latest("entitlements")["passed"], false);

    // Only when the integration declares the Entitlement Management capability.
    let out = scimplan(
        dir.path(),
        &app.token,
        &["capabilities", "plan.xlsx", "--unsupport", "entitlements"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(dir.path(), &app.token, &args(&["/Roles"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--support entitlements"),
        "{}",
        stderr(&out)
    );
}

/// SIGTERM (as Ctrl-C) while Okta's file runs, after it created its user (the app holds /Groups,
/// step 19, for a while): the run stops as cancelled (exit 2), and the user is deactivated.
#[test]
fn sigterm_after_the_user_was_created_still_deactivates_it() {
    let Some(file) = okta_file(SPEC) else {
        return;
    };
    let app = MiniScim::start(Quirks {
        slow_groups: Some(Duration::from_secs(20)),
        ..Quirks::default()
    });
    app.add_user("existing@example.com", "Ex", "Isting");
    let dir = plan_for(&app);
    let child = Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args([
            "spec",
            "plan.xlsx",
            "--yes",
            "--file",
            file.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .env_remove("SCIMPLAN_TESTER")
        .env("SCIMPLAN_SCIM_TOKEN", &app.token)
        .env("SCIMPLAN_DATA_DIR", dir.path().join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the app holds the /Groups request: the user exists by then.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !app.requests().iter().any(|r| r.path == "/Groups") {
        assert!(std::time::Instant::now() < deadline, "no /Groups request");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        app.users()
            .iter()
            .any(|u| u["active"] == true && u["userName"] != "existing@example.com")
    );
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the cancel does not wait for the app"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("SPEC file cancelled"), "{text}");
    assert!(
        text.contains("deactivated at the end (PATCH active=false answered 200)"),
        "{text}"
    );
    let created: Vec<_> = app
        .users()
        .into_iter()
        .filter(|u| u["userName"] != "existing@example.com")
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["active"], false);
    // The cancelled run is recorded, not as a pass.
    let session = std::fs::read_to_string(dir.path().join("plan.scimplan.json")).unwrap();
    let session: Value = serde_json::from_str(&session).unwrap();
    assert_eq!(session["verify"]["last_spec"]["cancelled"], true);
}

/// An app that creates a duplicate instead of answering 409. Step 15 (Required) asserts the
/// status `equal_number` 409: 201 fails it, and the verdict is a fail. scimplan deactivates the
/// duplicate as well as the user step 11 created: nothing is left active.
#[test]
fn a_duplicate_instead_of_a_409_fails_and_both_users_are_deactivated() {
    let Some((run, app, _dir)) = against(Quirks {
        allows_duplicates: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(1), "{}", run.out);
    assert_eq!(run.status(15), "fail");
    let created = run.report["created_user"].as_str().unwrap();
    let twins: Vec<_> = app
        .users()
        .into_iter()
        .filter(|u| u["userName"] == created)
        .collect();
    assert_eq!(twins.len(), 2, "the app made a duplicate");
    assert!(twins.iter().all(|u| u["active"] == false), "{twins:?}");
    assert_eq!(run.report["duplicate_ids"].as_array().unwrap().len(), 1);
}

/// Scripts run as in Runscope. Okta's one script (step 19, `GET /Groups`) parses the body: an
/// HTML page with status 200 makes `JSON.parse` throw, the step fails (Optional, so a warning)
/// naming the script's line. A script added to Required step 1 runs too: one that holds passes
/// the step; a failing `assert` fails it with Chai's message and the line.
#[test]
fn scripts_run_as_in_runscope() {
    let Some((run, _app, _dir)) = against(Quirks {
        groups_html: true,
        ..Quirks::default()
    }) else {
        return;
    };
    assert_eq!(run.code, Some(0), "{}", run.out);
    assert_eq!(run.status(19), "warn");
    let problems = run.step(19)["problems"].to_string();
    assert!(
        problems.contains("response script failed, line 1: SyntaxError"),
        "{problems}"
    );
    // The status assertion itself held.
    assert_eq!(run.step(19)["assertions"][0]["passed"], true);

    for (script, passes) in [
        ("assert(response.status === 200);", true),
        (
            "var data = JSON.parse(response.body);\nassert.equal(data.totalResults, 0, 'no users');",
            false,
        ),
    ] {
        let app = MiniScim::start(Quirks::default());
        app.add_user("existing@example.com", "Ex", "Isting");
        let dir = plan_for(&app);
        let Some(copy) = edited_copy(dir.path(), |json| {
            json["steps"][0]["scripts"] = serde_json::json!([script]);
        }) else {
            return;
        };
        let run = run_spec_json(dir.path(), &app, &copy);
        assert_eq!(run.code, Some(if passes { 0 } else { 1 }), "{}", run.out);
        if !passes {
            assert_eq!(run.status(1), "fail");
            let problems = run.step(1)["problems"].to_string();
            assert!(
                problems.contains("line 2: AssertionError: no users: expected 1 to equal 0"),
                "{problems}"
            );
        }
    }
}
