//! Readiness rules, table-driven, on a small plan written by the test; renderers; and the
//! exit codes of `scimplan summary` and `scimplan suites` run as the real binary.

mod common;

use std::path::Path;

use chrono::{Duration, Utc};
use common::{case_row, scimplan, stderr, stdout, write_plan};
use scimplan::plan::profile::Requirements;
use scimplan::plan::{Plan, Profile, load_plan};
use scimplan::report::readiness::Warning;
use scimplan::report::{Readiness, SuiteEvidence, SummaryFormat, assess, render};
use scimplan::session::{CaseResult, Command, Outcome, Session, SuiteKind, SuiteRun};

/// Result pages of the form Okta's guide shows.
const SPEC_LINK: &str = "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const CRUD_LINK: &str = "https://www.runscope.com/radar/ab12cd34ef56/6e1c3a5f-2d3b-4e4c-8f90-1b2c3d4e5f60/history/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

const SETUP: &str = "Preconditions - SCIM App Setup / Add People / Add Group";

fn plan_rows() -> Vec<Vec<String>> {
    vec![
        case_row("C1", "Add People", SETUP, "", "1. Add", "Added"),
        case_row(
            "C2",
            "Assign user",
            "Create Users",
            "1. Done [C1]",
            "1. Assign",
            "Made",
        ),
        case_row(
            "C3",
            "Update user",
            "Update Users",
            "",
            "1. Edit",
            "Changed",
        ),
        case_row(
            "C4",
            "Push group",
            "Using Group Push",
            "",
            "1. Push",
            "Pushed",
        ),
        case_row(
            "C5",
            "Import users",
            "Read (Import) Users",
            "",
            "1. Import",
            "Read",
        ),
    ]
}

struct Fixture {
    plan: Plan,
    reqs: Requirements,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.xlsx");
    write_plan(&path, plan_rows());
    let plan = load_plan(&path).unwrap();
    let reqs = Requirements::new(&Profile::builtin(), &plan);
    Fixture {
        plan,
        reqs,
        _dir: dir,
    }
}

fn all_pass(f: &Fixture) -> Session {
    let mut session = Session::new(&f.plan);
    for case in &f.plan.cases {
        common::mark(&mut session, &f.plan, &case.id, Outcome::Pass);
    }
    session
}

fn with_links(f: &Fixture, mut session: Session) -> Session {
    common::link(&mut session, &f.plan, SuiteKind::Spec, SPEC_LINK);
    common::link(&mut session, &f.plan, SuiteKind::Crud, CRUD_LINK);
    session
}

fn declare(f: &Fixture, session: &mut Session, changes: &[(&str, bool)]) {
    let changes: Vec<(String, bool)> = changes.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    common::declare(session, &f.plan, &changes);
}

/// The session without its link of `suite` (written as the file would hold it).
fn without_link(session: &Session, suite: &str) -> Session {
    common::edit_file(session, |v| v["suites"][suite] = serde_json::Value::Null)
}

/// The session with `link` as its link of `suite`, checked or not (a hand-edited file).
fn with_raw_link(session: &Session, suite: &str, link: &str) -> Session {
    common::edit_file(session, |v| v["suites"][suite] = link.into())
}

/// The session with these runs of scimplan's own suites added.
fn with_runs(session: &Session, runs: &[SuiteRun]) -> Session {
    common::edit_file(session, |v| {
        let list = v["suite_runs"].as_array_mut().expect("a list");
        list.extend(runs.iter().map(|r| serde_json::to_value(r).unwrap()));
    })
}

fn suite_run(suite: SuiteKind, passed: bool) -> SuiteRun {
    SuiteRun {
        suite,
        at: Utc::now(),
        target: "http://127.0.0.1:9/scim/v2".into(),
        passed,
        checks: 11,
        failures: if passed { 0 } else { 2 },
        warnings: 0,
        duration_ms: 40,
        file: Some("Okta SCIM 2.0 SPEC Test".into()),
        sha256: Some("a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899".into()),
        crud: None,
    }
}

const IMPORT_ONLY: [(&str, bool); 5] = [
    ("create-users", false),
    ("update-users", false),
    ("deactivate-users", false),
    ("sync-password", false),
    ("group-push", false),
];

struct Row {
    name: &'static str,
    build: fn(&Fixture) -> Session,
    ready: bool,
    /// (case, outcome) of each expected blocker, in plan order.
    blockers: &'static [(&'static str, Outcome)],
    /// Expected satisfaction of SPEC then CRUD.
    suites: [bool; 2],
}

#[test]
fn local_runs_are_shown_beside_the_links_and_a_failing_one_warns() {
    let f = fixture();
    let mut s = with_links(&f, all_pass(&f));
    s = without_link(&s, "crud");
    s = with_runs(
        &s,
        &[
            suite_run(SuiteKind::Spec, true),
            suite_run(SuiteKind::Spec, false),
        ],
    );
    let r = assess(&f.plan, &f.reqs, &s);
    assert!(!r.ready);
    let spec = r.suites[0].describe();
    assert!(
        spec.starts_with(&format!("link recorded: {SPEC_LINK}; warning"))
            && spec.contains("FAILED 2 of 11 requests")
            && spec.contains("Okta SCIM 2.0 SPEC Test, SHA-256 a118fed67320"),
        "{spec}"
    );
    let warned: Vec<&str> = r.warnings.iter().map(|w| w.kind()).collect();
    assert_eq!(warned, ["failing-local-run"]);
    assert!(
        r.warnings[0]
            .describe()
            .starts_with("SPEC: a Runscope link is recorded")
    );
    let crud = r.suites[1].describe();
    assert!(
        crud.starts_with("missing:")
            && crud.contains("in Runscope")
            && crud.contains("--crud-link URL"),
        "{crud}"
    );
    // No link and a passing local run: still missing, saying what to do next.
    s = without_link(&s, "spec");
    s = with_runs(&s, &[suite_run(SuiteKind::Spec, true)]);
    let r = assess(&f.plan, &f.reqs, &s);
    let spec = r.suites[0].describe();
    assert!(
        spec.contains("scimplan spec PLAN")
            && spec.contains("--spec-link URL")
            && spec.contains("local run passed (11 requests)"),
        "{spec}"
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn readiness_rules() {
    let table = [
        Row {
            name: "everything passed, both links",
            build: |f| with_links(f, all_pass(f)),
            ready: true,
            blockers: &[],
            suites: [true, true],
        },
        Row {
            name: "everything passed but the CRUD link is missing",
            build: |f| {
                let mut s = with_links(f, all_pass(f));
                s = without_link(&s, "crud");
                s
            },
            ready: false,
            blockers: &[],
            suites: [true, false],
        },
        Row {
            name: "everything passed but no suite link at all",
            build: all_pass,
            ready: false,
            blockers: &[],
            suites: [false, false],
        },
        Row {
            name: "a blank link counts as missing",
            build: |f| {
                let mut s = with_links(f, all_pass(f));
                s = with_raw_link(&s, "spec", "   ");
                s
            },
            ready: false,
            blockers: &[],
            suites: [false, true],
        },
        Row {
            name: "nothing run",
            build: |f| with_links(f, Session::new(&f.plan)),
            ready: false,
            blockers: &[
                ("C1", Outcome::NotRun),
                ("C2", Outcome::NotRun),
                ("C3", Outcome::NotRun),
                ("C4", Outcome::NotRun),
                ("C5", Outcome::NotRun),
            ],
            suites: [true, true],
        },
        Row {
            name: "fail, blocked and skipped-although-supported block",
            build: |f| {
                let mut s = with_links(f, all_pass(f));
                common::mark(&mut s, &f.plan, "C2", Outcome::Fail);
                common::mark_why(&mut s, &f.plan, "C3", Outcome::Blocked, Some("org down"));
                common::mark_why(&mut s, &f.plan, "C5", Outcome::Skipped, Some("later"));
                s
            },
            ready: false,
            blockers: &[
                ("C2", Outcome::Fail),
                ("C3", Outcome::Blocked),
                ("C5", Outcome::Skipped),
            ],
            suites: [true, true],
        },
        Row {
            name: "cases of an unsupported capability are skipped and do not block",
            build: |f| {
                let mut s = with_links(f, Session::new(&f.plan));
                declare(f, &mut s, &[("group-push", false)]);
                for id in ["C1", "C2", "C3", "C5"] {
                    common::mark(&mut s, &f.plan, id, Outcome::Pass);
                }
                s
            },
            ready: true,
            blockers: &[],
            suites: [true, true],
        },
        Row {
            name: "a failed case of an unsupported capability does not block",
            build: |f| {
                let mut s = with_links(f, all_pass(f));
                common::mark(&mut s, &f.plan, "C4", Outcome::Fail);
                declare(f, &mut s, &[("group-push", false)]);
                s
            },
            ready: true,
            blockers: &[],
            suites: [true, true],
        },
        Row {
            // The Wizard has two link fields; both must be filled (OKTA_SCIM.md).
            name: "an integration that only imports still needs both links",
            build: |f| {
                let mut s = with_links(f, Session::new(&f.plan));
                s = without_link(&s, "crud");
                declare(f, &mut s, &IMPORT_ONLY);
                common::mark(&mut s, &f.plan, "C1", Outcome::Pass);
                common::mark(&mut s, &f.plan, "C5", Outcome::Pass);
                s
            },
            ready: false,
            blockers: &[],
            suites: [true, false],
        },
        Row {
            name: "import-only still needs the SPEC result",
            build: |f| {
                let mut s = Session::new(&f.plan);
                declare(f, &mut s, &IMPORT_ONLY);
                common::mark(&mut s, &f.plan, "C1", Outcome::Pass);
                common::mark(&mut s, &f.plan, "C5", Outcome::Pass);
                s
            },
            ready: false,
            blockers: &[],
            suites: [false, false],
        },
        Row {
            name: "an integration that creates users needs its own CRUD result",
            build: |f| {
                let mut s = with_links(f, all_pass(f));
                s = without_link(&s, "crud");
                declare(f, &mut s, &[("group-push", false)]);
                s
            },
            ready: false,
            blockers: &[],
            suites: [true, false],
        },
        Row {
            // A local run is a pre-flight: it does not fill the Wizard's link field.
            name: "passing local runs do not stand in for the links",
            build: |f| {
                let mut s = all_pass(f);
                s = with_runs(
                    &s,
                    &[
                        suite_run(SuiteKind::Spec, true),
                        suite_run(SuiteKind::Crud, true),
                    ],
                );
                s
            },
            ready: false,
            blockers: &[],
            suites: [false, false],
        },
        Row {
            name: "a failing latest local run beside a recorded link is a warning, not a blocker",
            build: |f| {
                let mut s = with_links(f, all_pass(f));
                s = with_runs(
                    &s,
                    &[
                        suite_run(SuiteKind::Crud, true),
                        suite_run(SuiteKind::Crud, false),
                    ],
                );
                s
            },
            ready: true,
            blockers: &[],
            suites: [true, true],
        },
    ];
    let f = fixture();
    for row in table {
        let session = (row.build)(&f);
        let r = assess(&f.plan, &f.reqs, &session);
        assert_eq!(r.ready, row.ready, "{}: ready", row.name);
        let blockers: Vec<(&str, Outcome)> = r
            .blockers
            .iter()
            .map(|b| (b.id.as_str(), b.outcome))
            .collect();
        assert_eq!(blockers, row.blockers, "{}: blockers", row.name);
        let suites: Vec<bool> = r.suites.iter().map(|s| s.satisfied()).collect();
        assert_eq!(suites, row.suites, "{}: suites", row.name);
    }
}

#[test]
fn blockers_carry_title_section_note_and_reason() {
    let f = fixture();
    let mut s = with_links(&f, all_pass(&f));
    common::mark_why(
        &mut s,
        &f.plan,
        "C3",
        Outcome::Blocked,
        Some("the org is down"),
    );
    common::note(&mut s, &f.plan, "C3", "Tried twice\nsee ticket 42");
    let r = assess(&f.plan, &f.reqs, &s);
    let b = &r.blockers[0];
    assert_eq!(
        (b.id.as_str(), b.title.as_str(), b.section.as_str(), b.row),
        ("C3", "Update user", "Update Users", 4)
    );
    assert_eq!(b.note, "Tried twice\nsee ticket 42");
    assert_eq!(b.reason.as_deref(), Some("the org is down"));
    assert_eq!(b.case_index, 2);
}

#[test]
fn tables_per_section_and_capability() {
    let f = fixture();
    let mut s = with_links(&f, Session::new(&f.plan));
    declare(&f, &mut s, &[("group-push", false)]);
    common::mark(&mut s, &f.plan, "C2", Outcome::Fail);
    let r = assess(&f.plan, &f.reqs, &s);
    let names: Vec<&str> = r.sections.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            SETUP,
            "Create Users",
            "Update Users",
            "Using Group Push",
            "Read (Import) Users"
        ]
    );
    let push = &r.sections[3];
    assert_eq!((push.cases, push.applicable), (1, 0));
    assert_eq!(push.count(Outcome::Skipped), 1);
    assert_eq!(r.sections[1].count(Outcome::Fail), 1);
    assert_eq!((r.total.cases, r.total.applicable), (5, 4));
    assert_eq!(r.total.count(Outcome::NotRun), 3);
    let group_push = r
        .capabilities
        .iter()
        .find(|c| c.key == "group-push")
        .unwrap();
    assert!(!group_push.supported);
    assert_eq!(group_push.cases, 1);
    assert!(
        r.capabilities
            .iter()
            .find(|c| c.key == "create-users")
            .unwrap()
            .supported
    );
    // Only capabilities the plan uses are listed.
    assert!(r.capabilities.iter().all(|c| c.key != "entitlements"));
}

#[test]
fn warnings_do_not_block() {
    let f = fixture();
    let mut s = with_links(&f, all_pass(&f));
    // C2 cites C1; C1's pass was recorded after C2's.
    let now = Utc::now();
    let at = |t: chrono::DateTime<Utc>| serde_json::to_value(t).unwrap();
    s = common::edit_file(&s, |v| {
        v["results"]["C2"]["updated_at"] = at(now - Duration::minutes(5));
        v["results"]["C1"]["updated_at"] = at(now);
        v["results"]["C999"] = serde_json::to_value(CaseResult {
            outcome: Outcome::Fail,
            ..CaseResult::default()
        })
        .unwrap();
    });
    let r = assess(&f.plan, &f.reqs, &s);
    assert!(r.ready, "warnings must not block");
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(matches!(
        &r.warnings[0],
        Warning::PassBeforePrecondition { case, precondition, precondition_passed_at: Some(_) }
            if case == "C2" && precondition == "C1"
    ));
    assert!(matches!(
        &r.warnings[1],
        Warning::OrphanResult { case, outcome: Outcome::Fail } if case == "C999"
    ));

    // In the right order there is no warning.
    s = common::edit_file(&s, |v| {
        v["results"]["C2"]["updated_at"] = at(now + Duration::minutes(5));
        v["results"].as_object_mut().unwrap().remove("C999");
    });
    assert!(assess(&f.plan, &f.reqs, &s).warnings.is_empty());
}

fn not_ready_example(f: &Fixture) -> Readiness {
    let mut s = all_pass(f);
    s = with_raw_link(&s, "spec", SPEC_LINK);
    common::mark(&mut s, &f.plan, "C2", Outcome::Fail);
    common::note(&mut s, &f.plan, "C2", "409 | conflict <b>\nsecond line");
    common::apply(
        &mut s,
        &f.plan,
        Command::Identity {
            tester: None,
            app: Some("Acme HR".into()),
            asked: false,
        },
    );
    assess(&f.plan, &f.reqs, &s)
}

#[test]
fn json_has_a_stable_documented_shape() {
    let f = fixture();
    let r = not_ready_example(&f);
    let json: serde_json::Value = serde_json::from_str(&render(&r, SummaryFormat::Json)).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["ready"], false);
    assert_eq!(json["app"], "Acme HR");
    assert_eq!(json["plan"]["file"], "plan.xlsx");
    assert_eq!(json["blockers"][0]["id"], "C2");
    assert_eq!(json["blockers"][0]["outcome"], "fail");
    assert_eq!(
        json["blockers"][0]["note"],
        "409 | conflict <b>\nsecond line"
    );
    assert_eq!(json["suites"][0]["suite"], "spec");
    assert_eq!(json["suites"][0]["evidence"], "link");
    assert_eq!(json["suites"][0]["link"], SPEC_LINK);
    assert_eq!(json["suites"][1]["evidence"], "missing");
    assert_eq!(json["suites"][1]["satisfied"], false);
    assert_eq!(json["total"]["pass"], 4);
    assert_eq!(json["total"]["fail"], 1);
    assert_eq!(json["sections"].as_array().unwrap().len(), 5);
    assert!(json["capabilities"][0]["key"].is_string());
}

#[test]
fn markdown_escapes_table_cells() {
    let f = fixture();
    let md = render(&not_ready_example(&f), SummaryFormat::Markdown);
    assert!(
        md.contains("**NOT READY: 1 blocking case and 1 missing API suite result.**"),
        "{md}"
    );
    assert!(
        md.contains("| C2 | Assign user | Create Users | failed | 409 \\| conflict &lt;b&gt;<br>second line |"),
        "{md}"
    );
    assert!(
        md.contains(&format!("- [x] SPEC: link recorded: {SPEC_LINK}")),
        "{md}"
    );
    assert!(md.contains("- [ ] CRUD: missing"), "{md}");
}

#[test]
fn junit_reports_blockers_as_failures() {
    let f = fixture();
    let xml = render(&not_ready_example(&f), SummaryFormat::Junit);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(
        xml.contains(
            "<testsuites name=\"scimplan plan.xlsx\" tests=\"7\" failures=\"2\" errors=\"0\">"
        ),
        "{xml}"
    );
    assert!(xml.contains("<failure type=\"fail\" message=\"C2 failed\">409 | conflict &lt;b&gt;&#10;second line</failure>"), "{xml}");
    assert!(
        xml.contains("name=\"CRUD suite\">\n      <failure type=\"missing\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 7);
    assert_eq!(xml.matches("<testsuite ").count(), 6);
}

#[test]
fn text_lists_blockers_and_missing_suites() {
    let f = fixture();
    let text = render(&not_ready_example(&f), SummaryFormat::Text);
    assert!(text.starts_with("NOT READY: 1 blocking case and 1 missing API suite result."));
    assert!(
        text.contains(
            "  C2 Assign user [Create Users] row 3: failed\n      note: 409 | conflict <b> …"
        ),
        "{text}"
    );
    assert!(text.contains("[!!] CRUD: missing"), "{text}");
    assert!(text.contains("[ok] SPEC: link recorded"), "{text}");
    let evidence: Vec<_> = not_ready_example(&f)
        .suites
        .into_iter()
        .map(|s| s.evidence)
        .collect();
    assert!(matches!(evidence[1], SuiteEvidence::Missing));
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = scimplan(dir, args);
    (out.status.code().unwrap(), stdout(&out), stderr(&out))
}

#[test]
fn summary_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_plan(&d.join("plan.xlsx"), plan_rows());

    let (code, out, _) = run(d, &["summary", "plan.xlsx"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("NOT READY: 5 blocking cases and 2 missing"),
        "{out}"
    );

    for id in ["C1", "C2", "C3", "C4", "C5"] {
        assert_eq!(run(d, &["mark", "plan.xlsx", id, "pass"]).0, 0);
    }
    // Everything passed but the suite links are missing: still not ready.
    assert_eq!(run(d, &["summary", "plan.xlsx"]).0, 1);

    let (code, _, err) = run(
        d,
        &["suites", "plan.xlsx", "--spec-link", "ftp://x.test/spec"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--spec-link 'ftp://x.test/spec' is not a web link"),
        "{err}"
    );
    let (code, _, err) = run(d, &["suites", "plan.xlsx", "--crud-link", "https://"]);
    assert_eq!(code, 2, "{err}");

    let (code, out, err) = run(d, &["suites", "plan.xlsx", "--spec-link", SPEC_LINK]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("SPEC: link recorded: {SPEC_LINK}")),
        "{out}"
    );
    assert!(out.contains("CRUD: missing"), "{out}");
    assert_eq!(run(d, &["summary", "plan.xlsx"]).0, 1);

    // Links Okta would not take are refused, saying what is accepted; nothing is recorded.
    for (bad, why) in [
        ("http://runscope.test/crud", "not https"),
        ("https://example.org/x", "example.org is not Runscope"),
        (
            &CRUD_LINK.replace("https://", "https://ann:pw-secret@"),
            "user name or password",
        ),
    ] {
        let (code, _, err) = run(d, &["suites", "plan.xlsx", "--crud-link", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains(why) && !err.contains("pw-secret"), "{err}");
    }
    assert_eq!(run(d, &["summary", "plan.xlsx"]).0, 1);
    run(d, &["suites", "plan.xlsx", "--crud-link", CRUD_LINK]);
    let (code, out, _) = run(d, &["summary", "plan.xlsx", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["ready"], true);
    assert_eq!(json["suites"][1]["link"], CRUD_LINK);

    assert_eq!(
        run(d, &["summary", "plan.xlsx", "--format", "markdown"]).0,
        0
    );
    assert_eq!(run(d, &["summary", "plan.xlsx", "--format", "junit"]).0, 0);
    let (code, _, err) = run(d, &["summary", "plan.xlsx", "--format", "yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("'yaml' is not a summary format"), "{err}");
    let (code, _, err) = run(d, &["summary", "missing.xlsx"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.xlsx"), "{err}");

    // A failure after the links are in makes it not ready again.
    run(
        d,
        &["mark", "plan.xlsx", "C3", "fail", "--note", "500 on PUT"],
    );
    let (code, out, _) = run(d, &["summary", "plan.xlsx"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("C3 Update user [Update Users] row 4: failed"),
        "{out}"
    );
    assert!(out.contains("note: 500 on PUT"), "{out}");
}
