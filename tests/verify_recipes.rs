//! Each recipe against the real scim2-server: passes once the server is in the state Okta would
//! have produced (made through SCIM directly), fails naming the actual value otherwise.

mod common;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output};

use common::{okta_like_plan, stderr, stdout};
use scim_server::ScimServer;
use serde_json::{Value, json};

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
/// Long enough for one round of requests on a loaded machine; the failing checks poll this long.
const FAIL_DEADLINE: &str = "2";

struct Bench {
    dir: tempfile::TempDir,
    server: ScimServer,
}

impl Bench {
    /// A generated plan with Okta's case IDs, a fresh server, and a session connected to it.
    fn new() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        okta_like_plan(dir.path(), PLAN);
        let server = ScimServer::start();
        let bench = Bench { dir, server };
        let out = bench.run(&[
            "connect",
            PLAN,
            "--scim-url",
            &bench.server.url,
            "--auth",
            "bearer",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        bench
    }

    fn run(&self, args: &[&str]) -> Output {
        run_with_token(self.dir.path(), &self.server.token, args)
    }

    /// `scimplan verify PLAN CASE --deadline S --input ...`
    fn verify(&self, case: &str, deadline: &str, inputs: &[&str]) -> Output {
        let mut args = vec!["verify", PLAN, case, "--deadline", deadline];
        for input in inputs {
            args.extend(["--input", input]);
        }
        self.run(&args)
    }

    fn session(&self) -> Value {
        let path = self.dir.path().join("okta-scim-test-plan-v2.scimplan.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn session_text(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("okta-scim-test-plan-v2.scimplan.json"))
            .unwrap()
    }
}

fn run_with_token(dir: &Path, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env_remove("SCIMPLAN_SCIM_PASSWORD")
        .env("SCIMPLAN_SCIM_TOKEN", token)
        .env("NO_COLOR", "1")
        .output()
        .expect("run scimplan")
}

#[track_caller]
fn assert_pass(out: &Output, case: &str) {
    let text = stdout(out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{case} should pass:\n{text}\n{}",
        stderr(out)
    );
    assert!(text.contains(&format!("{case} PASS")), "{text}");
}

/// Fails with exit 1, and the output names `actual`.
#[track_caller]
fn assert_fail(out: &Output, case: &str, actual: &str) {
    let text = stdout(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{case} should fail:\n{text}\n{}",
        stderr(out)
    );
    assert!(text.contains(&format!("{case} FAIL")), "{text}");
    assert!(
        text.contains(actual),
        "the failure should name {actual}:\n{text}"
    );
}

#[test]
fn assigned_user_passes_with_the_okta_profile_and_fails_naming_a_wrong_name() {
    let b = Bench::new();
    let note = b.run(&[
        "mark",
        PLAN,
        "C9290",
        "not-run",
        "--note",
        "tester's own words",
    ]);
    assert!(note.status.success());
    let profile = [
        "user=ann@example.com",
        "given_name=Ann",
        "family_name=Lee",
        "email=ANN@example.com",
    ];
    // Nothing provisioned yet (the tester marked the steps done): the user is not found.
    assert!(b.run(&["done", PLAN, "C9290"]).status.success());
    let out = b.verify("C9290", FAIL_DEADLINE, &profile);
    assert_fail(&out, "C9290", "expected 1, got 0");
    assert_eq!(b.session()["results"]["C9290"]["outcome"], "fail");

    b.server.create_user("ann@example.com", "Ann", "Lee", true);
    let out = b.verify("C9290", "5", &[]);
    assert_pass(&out, "C9290");
    let session = b.session();
    let result = &session["results"]["C9290"];
    assert_eq!(result["outcome"], "pass");
    assert_eq!(result["automatic"], true);
    assert_eq!(
        result["note"], "tester's own words",
        "the note is untouched"
    );
    assert_eq!(session["verify"]["subjects"]["user"], "ann@example.com");
    let run = session["verify"]["runs"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(run["verdict"], "pass");
    assert!(!run["requests"].as_array().unwrap().is_empty());
    assert_eq!(
        run["requests"][0]["request_headers"][0],
        "Authorization: [redacted]"
    );
    assert!(
        run["requests"][0]["url"]
            .as_str()
            .unwrap()
            .contains("filter=")
    );

    // The same recipe for C9334, with a first name Okta would not have sent.
    let out = b.verify("C9334", FAIL_DEADLINE, &["given_name=Anne"]);
    assert_fail(&out, "C9334", "expected \"Anne\", got \"Ann\"");
    assert!(!b.session_text().contains(&b.server.token));
}

#[test]
fn deactivation_and_reactivation_compare_the_remembered_id() {
    let b = Bench::new();
    let id = b.server.create_user("bob@example.com", "Bob", "Ray", true);
    let out = b.verify("C9293", "1", &["user=bob@example.com"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("verify C9292 or C9294 for bob@example.com first"),
        "{}",
        stderr(&out)
    );

    assert!(b.run(&["done", PLAN, "C9292", "C9293"]).status.success());
    let out = b.verify("C9292", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9292", "expected false, got true");
    b.server.set_active(&id, false);
    assert_pass(&b.verify("C9292", "5", &[]), "C9292");
    assert_eq!(
        b.session()["verify"]["remembered"]["deactivated_user_id[bob@example.com]"]["value"],
        id.as_str()
    );
    assert_pass(&b.verify("C9294", "5", &[]), "C9294");

    let out = b.verify("C9293", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9293", "expected true, got false");
    b.server.set_active(&id, true);
    assert_pass(&b.verify("C9293", "5", &[]), "C9293");

    // The app deleted and re-created the user: a new id, which Okta would not link back.
    b.server.delete_user(&id);
    let new_id = b.server.create_user("bob@example.com", "Bob", "Ray", true);
    let out = b.verify("C9293", FAIL_DEADLINE, &[]);
    assert_fail(
        &out,
        "C9293",
        &format!("expected \"{id}\", got \"{new_id}\""),
    );
}

#[test]
fn existing_user_is_not_duplicated_and_keeps_its_id() {
    let b = Bench::new();
    let id = b.server.create_user("cy@example.com", "Cy", "Doe", true);
    let input = format!("existing_user_id={id}");
    assert_pass(
        &b.verify("C9335", "5", &["user=cy@example.com", &input]),
        "C9335",
    );
    let out = b.verify("C9335", FAIL_DEADLINE, &["existing_user_id=some-other-id"]);
    assert_fail(&out, "C9335", &format!("got \"{id}\""));
}

#[test]
fn attribute_update_is_seen_with_its_new_value() {
    let b = Bench::new();
    let id = b.server.create_user("dee@example.com", "Dee", "Fox", true);
    let inputs = [
        "user=dee@example.com",
        "attribute=name.givenName",
        "value=Deanna",
    ];
    let out = b.verify("C9291", FAIL_DEADLINE, &inputs);
    assert_fail(&out, "C9291", "expected \"Deanna\", got \"Dee\"");
    b.server
        .patch_user(&id, Some("name.givenName"), json!("Deanna"));
    assert_pass(&b.verify("C9291", "5", &[]), "C9291");
    assert_pass(&b.verify("C9310", "5", &[]), "C9310");
    b.server.patch_user(&id, Some("title"), json!("Engineer"));
    assert_pass(
        &b.verify(
            "C9309",
            "5",
            &[
                "members=dee@example.com",
                "attribute=title",
                "value=Engineer",
            ],
        ),
        "C9309",
    );
    // C9305: an imported user's assignment edited in Okta reaches the app the same way.
    let out = b.verify("C9305", FAIL_DEADLINE, &["attribute=title", "value=Lead"]);
    assert_fail(&out, "C9305", "expected \"Lead\", got \"Engineer\"");
    b.server.patch_user(&id, Some("title"), json!("Lead"));
    assert_pass(&b.verify("C9305", "5", &[]), "C9305");
}

#[test]
fn group_assignment_members_are_active_then_inactive() {
    let b = Bench::new();
    let a = b.server.create_user("m1@example.com", "Em", "One", true);
    let c = b.server.create_user("m2@example.com", "Em", "Two", true);
    let members = "members=m1@example.com, m2@example.com";
    assert_pass(&b.verify("C9307", "5", &["group=Staff", members]), "C9307");
    let out = b.verify("C9311", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9311", "expected false, got true");
    b.server.set_active(&a, false);
    b.server.set_active(&c, false);
    assert_pass(&b.verify("C9311", "5", &[]), "C9311");
    let out = b.verify("C9307", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9307", "find the member (m1@example.com)");
}

#[test]
fn group_push_creates_updates_renames_and_deletes() {
    let b = Bench::new();
    let a = b.server.create_user("p1@example.com", "Pa", "One", true);
    let c = b.server.create_user("p2@example.com", "Pa", "Two", true);
    let inputs = ["group=Engineering", "members=p1@example.com,p2@example.com"];
    let out = b.verify("C9312", FAIL_DEADLINE, &inputs);
    assert_fail(&out, "C9312", "expected 1, got 0");
    let group = b.server.create_group("Engineering", &[&a]);
    // One member missing: named by userName, with its SCIM id.
    let out = b.verify("C9312", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9312", &format!("missing \"p2@example.com\" [{c}]"));
    b.server.delete_group(&group);
    let group = b.server.create_group("Engineering", &[&a, &c]);
    // C9312 remembers the pushed group's id and members; the later cases use them.
    for case in ["C9312", "C9332", "C9316", "C9321", "C9326", "C9331"] {
        assert_pass(&b.verify(case, "5", &[]), case);
    }
    // Without the org, C9317's group must have no member (it pushes an empty group).
    let out = b.verify("C9317", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9317", "expected no members, got not expected");

    // C9333: the removed member left the group and was deactivated in the app.
    b.server.remove_member(&group, &c);
    b.server.set_active(&c, false);
    assert_pass(
        &b.verify("C9333", "5", &["removed_members=p2@example.com"]),
        "C9333",
    );
    let out = b.verify("C9333", FAIL_DEADLINE, &["removed_members=p1@example.com"]);
    assert_fail(&out, "C9333", "still there \"p1@example.com\"");

    // Linking renames the app's group to the Okta name (C9315) or leaves it (C9330): both
    // started before linking, so they compare the app group's own id.
    let link = ["group=Platform", "app_group=platform-old"];
    let old = b.server.create_group("platform-old", &[&a]);
    for case in ["C9330", "C9315"] {
        let mut args = vec!["start", PLAN, case];
        for input in link {
            args.extend(["--input", input]);
        }
        let out = b.run(&args);
        assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    }
    assert_pass(
        &b.verify("C9330", "5", &["members=p1@example.com"]),
        "C9330",
    );
    let out = b.verify("C9315", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9315", "expected \"Platform\", got \"platform-old\"");
    b.server.rename_group(&old, "Platform");
    assert_pass(&b.verify("C9315", "5", &[]), "C9315");

    let out = b.verify("C9318", FAIL_DEADLINE, &["group=Engineering"]);
    assert_fail(&out, "C9318", "expected 404, got 200");
    b.server.delete_group(&group);
    assert_pass(&b.verify("C9318", "5", &[]), "C9318");
    assert_pass(&b.verify("C9327", "5", &[]), "C9327");
    let out = b.verify("C9321", FAIL_DEADLINE, &[]);
    assert_fail(&out, "C9321", "expected 200, got 404");

    b.server.create_group("Empty", &[]);
    assert_pass(&b.verify("C9317", "5", &["group=Empty"]), "C9317");
}

#[test]
fn imports_count_users_and_groups() {
    let b = Bench::new();
    b.server.create_user("i1@example.com", "Im", "One", true);
    b.server.create_user("i2@example.com", "Im", "Two", true);
    b.server.create_group("Imported", &[]);
    assert_pass(&b.verify("C9303", "5", &["user=i2@example.com"]), "C9303");
    assert_pass(&b.verify("C9304", "5", &["users_scanned=2"]), "C9304");
    let out = b.verify("C9304", FAIL_DEADLINE, &["users_scanned=1"]);
    assert_fail(&out, "C9304", "expected 1, got 2");
    assert_pass(&b.verify("C9338", "5", &["groups_scanned=1"]), "C9338");
    let out = b.verify("C9303", FAIL_DEADLINE, &["user=nobody@example.com"]);
    assert_fail(&out, "C9303", "contains");
}

#[test]
fn verify_without_inputs_connection_or_token_says_what_to_do() {
    let b = Bench::new();
    let out = b.verify("C9290", "1", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--input user="), "{}", stderr(&out));
    let out = b.verify("C9999", "1", &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = b.verify("C9296", "1", &[]);
    assert!(
        stderr(&out).contains("no verification recipe"),
        "{}",
        stderr(&out)
    );
    let out = b.verify("C9290", "1", &["colour=blue"]);
    assert!(stderr(&out).contains("Inputs:"), "{}", stderr(&out));

    let mut no_token = Command::new(env!("CARGO_BIN_EXE_scimplan"));
    no_token
        .args(["verify", PLAN, "C9290", "--input", "user=x@example.com"])
        .current_dir(b.dir.path())
        .env_remove("SCIMPLAN_SCIM_TOKEN");
    let out = no_token.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("SCIMPLAN_SCIM_TOKEN"),
        "{}",
        stderr(&out)
    );

    let fresh = tempfile::tempdir().unwrap();
    let plan = okta_like_plan(fresh.path(), PLAN);
    assert!(plan.exists());
    let out = run_with_token(fresh.path(), "t", &["verify", PLAN, "C9290"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("scimplan connect"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_wrong_token_is_an_error_that_leaves_the_outcome_alone() {
    let b = Bench::new();
    b.server.create_user("eve@example.com", "Eve", "Ng", true);
    let out = run_with_token(
        b.dir.path(),
        "not-the-token",
        &[
            "verify",
            PLAN,
            "C9290",
            "--input",
            "user=eve@example.com",
            "--deadline",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("C9290 ERROR"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("refused the credentials (401)"),
        "{}",
        stdout(&out)
    );
    assert!(
        b.session()["results"]["C9290"].is_null(),
        "outcome unchanged"
    );
}

#[test]
fn every_case_with_known_inputs_runs_and_writes_junit_and_json_without_the_token() {
    let b = Bench::new();
    b.server.create_user("all@example.com", "Al", "Li", true);
    let junit = b.dir.path().join("verify.xml");
    // A check of many cases covers the cases whose steps the tester marked done.
    assert!(b.run(&["done", PLAN, "C9290", "C9292"]).status.success());
    let out = b.run(&[
        "verify",
        PLAN,
        "--input",
        "user=all@example.com",
        "--deadline",
        FAIL_DEADLINE,
        "--junit",
        junit.to_str().unwrap(),
    ]);
    // Create-user cases pass, the deactivation ones fail: exit 1, and cases lacking inputs
    // are named as skipped.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("C9290 PASS") && text.contains("C9292 FAIL"),
        "{text}"
    );
    // (Cases checked in Okta only, C9306 first, are listed too: their steps are not done.)
    let not_done = stderr(&out)
        .lines()
        .find(|l| l.starts_with("not checked, steps not marked done (ticked/steps): "))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        not_done.contains(" C9293 (0/") && !not_done.contains("C9290"),
        "{}",
        stderr(&out)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"C9290\"") && xml.contains("<failure"),
        "{xml}"
    );

    let out = b.run(&["verify", PLAN, "C9290", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let runs: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(runs[0]["case"], "C9290");
    assert_eq!(runs[0]["verdict"], "pass");
    let spec_file = common::okta_or_fixture(common::SPEC_FILE);
    let spec = b.run(&["spec", PLAN, "--yes", "--file", spec_file.path_str()]);
    assert_eq!(spec.status.code(), Some(0), "{}", stdout(&spec));

    // The export carries what the verdicts rest on, on a sheet of its own.
    let export = b.dir.path().join("completed.xlsx");
    let out = b.run(&["export", PLAN, "-o", export.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&export).unwrap();
    let mut cells = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            let line: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            cells.push_str(&line.join("\t"));
            cells.push('\n');
        }
    }
    let checks = book
        .worksheet_range("API checks")
        .expect("an API checks sheet");
    let rows: Vec<Vec<String>> = checks
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let row_of = |first: &str| rows.iter().find(|r| r[0] == first).cloned();
    let c9290 = row_of("C9290").expect("C9290's latest run");
    assert_eq!(c9290[2], "PASS", "{c9290:?}");
    let c9292 = row_of("C9292").expect("C9292's run");
    assert_eq!(c9292[2], "FAIL", "{c9292:?}");
    assert!(c9292[6].contains("expected"), "{c9292:?}");
    // The SPEC file, one row per step.
    let create = spec_file.request("POST", "/Users");
    assert!(
        rows.iter().any(|r| r[0] == create.to_string()
            && r[1] == format!("step {create}: {}", spec_file.note(create))
            && r[2] == "PASS"),
        "{rows:?}"
    );
    let step_rows = rows
        .iter()
        .filter(|r| {
            r[1].starts_with("step ") && r[1].contains(": Required Test")
                || r[1].contains(": Optional Test")
        })
        .count();
    assert_eq!(step_rows, spec_file.requests(), "{rows:?}");
    // Reopened, the plan sheet is still the one found, and C9290's automatic Pass comes back.
    let reopened = b.run(&["status", export.to_str().unwrap()]);
    assert_eq!(reopened.status.code(), Some(0), "{}", stderr(&reopened));
    let session: Value = serde_json::from_str(
        &std::fs::read_to_string(b.dir.path().join("completed.scimplan.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(session["results"]["C9290"]["outcome"], "pass");
    assert_eq!(session["results"]["C9290"]["automatic"], true);
    for text in [stdout(&out), xml, b.session_text(), cells] {
        assert!(!text.contains(&b.server.token), "the token leaked");
    }
}
