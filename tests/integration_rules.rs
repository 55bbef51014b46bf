//! Okta's current submission rules: the kind of integration decides which links readiness asks
//! for (a SCIM integration: SPEC and CRUD, and Entitlements when it declares entitlement
//! management; one built with API integration actions: none, "Validate flows" is the tester's
//! own item); the entitlement declaration end to end (readiness, Okta's Entitlements file per
//! endpoint, locally and hosted, the With-Entitlements CRUD file); the Import User Schema
//! pre-flight against the pinned scim2-server and an app whose /Schemas Okta could not read.

mod common;
#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/okta_formats.rs"]
mod okta_formats;
#[path = "common/runscope_double.rs"]
mod runscope_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{case_row, okta_like_plan, stderr, stdout, write_plan};
use fake_app::{fake_app, reply};
use okta_formats::{spec_like_file, write_okta_like_files};
use runscope_double::RunscopeDouble;
use scim_server::ScimServer;
use scimplan::net::{CancelFlag, Secret};
use scimplan::plan::profile::{IntegrationKind, Requirements};
use scimplan::plan::{Plan, Profile, load_plan};
use scimplan::report::readiness::{KindSource, VALIDATE_FLOWS, Warning};
use scimplan::report::{SuiteEvidence, SummaryFormat, assess, render};
use scimplan::scim::ScimClient;
use scimplan::session::{AuthScheme, Command as Change, Connection, Outcome, Session, SuiteKind};
use scimplan::verify::schema::check_user_schema;
use serde_json::{Value, json};

const SPEC_LINK: &str = "https://www.runscope.com/radar/ab12cd34ef56/5f0d2b4e-1c2a-4d3b-9e8f-0a1b2c3d4e5f/history/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const CRUD_LINK: &str = "https://www.runscope.com/radar/ab12cd34ef56/6e1c3a5f-2d3b-4e4c-8f90-1b2c3d4e5f60/history/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const ENT_LINK: &str = "https://www.runscope.com/radar/ab12cd34ef56/7f2d4b60-3e4c-4f5d-9a01-2c3d4e5f6071/history/1c2d3e4f-5061-4728-93a4-b5c6d7e8f90a";

struct Fixture {
    plan: Plan,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.xlsx");
    write_plan(
        &path,
        vec![
            case_row(
                "C1",
                "Add People",
                "Preconditions - Setup",
                "",
                "1. Add",
                "Added",
            ),
            case_row("C2", "Assign", "Create Users", "", "1. Assign", "Made"),
        ],
    );
    Fixture {
        plan: load_plan(&path).unwrap(),
        _dir: dir,
    }
}

fn all_pass(f: &Fixture) -> Session {
    let mut s = Session::new(&f.plan);
    for case in &f.plan.cases {
        common::mark(&mut s, &f.plan, &case.id, Outcome::Pass);
    }
    s
}

fn reqs(plan: &Plan) -> Requirements {
    Requirements::new(&Profile::builtin(), plan)
}

fn suites(s: &Session, plan: &Plan) -> Vec<(SuiteKind, bool)> {
    assess(plan, &reqs(plan), s)
        .suites
        .iter()
        .map(|x| (x.suite, x.satisfied()))
        .collect()
}

#[test]
fn a_scim_integration_needs_spec_and_crud_and_entitlements_once_declared() {
    let f = fixture();
    let mut s = all_pass(&f);
    assert_eq!(
        suites(&s, &f.plan),
        [(SuiteKind::Spec, false), (SuiteKind::Crud, false)]
    );
    common::link(&mut s, &f.plan, SuiteKind::Spec, SPEC_LINK);
    common::link(&mut s, &f.plan, SuiteKind::Crud, CRUD_LINK);
    let r = assess(&f.plan, &reqs(&f.plan), &s);
    assert!(r.ready);
    assert_eq!(r.integration.kind, IntegrationKind::Scim);
    assert_eq!(r.integration.source, KindSource::Default);
    assert!(r.own_items.is_empty());

    // Declaring entitlement management adds the third field, until its link is recorded.
    common::declare(&mut s, &f.plan, &[("entitlements".into(), true)]);
    let r = assess(&f.plan, &reqs(&f.plan), &s);
    assert!(!r.ready);
    let ent = &r.suites[2];
    assert_eq!(
        (ent.suite, ent.satisfied()),
        (SuiteKind::Entitlements, false)
    );
    assert!(
        ent.describe().contains("--suite entitlements")
            && ent.describe().contains("--entitlement-endpoint"),
        "{}",
        ent.describe()
    );
    let text = render(&r, SummaryFormat::Text);
    assert!(text.contains("[!!] Entitlements: missing"), "{text}");
    common::link(&mut s, &f.plan, SuiteKind::Entitlements, ENT_LINK);
    let r = assess(&f.plan, &reqs(&f.plan), &s);
    assert!(r.ready, "{:?}", r.suites);
    let json: Value = serde_json::from_str(&render(&r, SummaryFormat::Json)).unwrap();
    assert_eq!(json["integration"]["entitlements"], true);
    assert_eq!(json["suites"][2]["suite"], "entitlements");
    assert_eq!(json["suites"][2]["link"], ENT_LINK);

    // Not declared in so many words (every capability counts as supported for its cases):
    // the plan has no Entitlements section, so no third link is asked.
    let t = all_pass(&f);
    assert!(t.is_supported("entitlements") && !t.declared_supported("entitlements"));
    assert_eq!(suites(&t, &f.plan).len(), 2);
}

#[test]
fn an_integration_built_with_api_integration_actions_needs_no_link() {
    let f = fixture();
    let mut s = all_pass(&f);
    common::apply(
        &mut s,
        &f.plan,
        Change::Integration(Some(IntegrationKind::Actions)),
    );
    let r = assess(&f.plan, &reqs(&f.plan), &s);
    assert!(r.ready, "{:?}", r.suites);
    assert!(r.suites.is_empty());
    assert_eq!(r.integration.kind, IntegrationKind::Actions);
    assert_eq!(r.integration.source, KindSource::Declared);
    assert_eq!(r.own_items, [VALIDATE_FLOWS]);
    let text = render(&r, SummaryFormat::Text);
    assert!(
        text.starts_with("READY to submit: every applicable case passed (no Runscope result"),
        "{text}"
    );
    assert!(
        text.contains("Your own items") && text.contains("Validate flows"),
        "{text}"
    );
    let md = render(&r, SummaryFormat::Markdown);
    assert!(md.contains("- [ ] Validate flows"), "{md}");
    let json: Value = serde_json::from_str(&render(&r, SummaryFormat::Json)).unwrap();
    assert_eq!(json["integration"]["kind"], "actions");
    assert_eq!(json["integration"]["source"], "declared");
    assert_eq!(json["suites"], json!([]));
    // A failing case still blocks.
    common::mark(&mut s, &f.plan, "C2", Outcome::Fail);
    assert!(!assess(&f.plan, &reqs(&f.plan), &s).ready);
}

#[test]
fn the_actions_plan_is_known_by_its_checksum() {
    let profile = Profile::builtin();
    let actions = profile.workbook("actions").expect("the actions plan");
    assert_eq!(actions.file, "okta_actions_test_plan_provisioning.xlsx");
    assert_eq!(
        profile.integration_kind(&actions.sha256),
        Some(IntegrationKind::Actions)
    );
    let v2 = profile.workbook("v2").unwrap();
    assert_eq!(
        profile.integration_kind(&v2.sha256),
        Some(IntegrationKind::Scim)
    );
    assert!(profile.test_file("crud-entitlements").is_some());

    // Okta's own actions plan, when present: no link asked, whatever is declared.
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = common::real_plan("okta_actions_test_plan_provisioning.xlsx", dir.path())
    else {
        return;
    };
    let plan = load_plan(&path).unwrap();
    assert_eq!(plan.cases.len(), 69);
    let mut s = Session::new(&plan);
    let r = assess(&plan, &reqs(&plan), &s);
    assert_eq!(r.integration.source, KindSource::Plan("actions".into()));
    assert!(r.suites.is_empty() && r.own_items == [VALIDATE_FLOWS]);
    common::apply(
        &mut s,
        &plan,
        Change::Integration(Some(IntegrationKind::Scim)),
    );
    let r = assess(&plan, &reqs(&plan), &s);
    assert!(r.suites.is_empty(), "the plan decides");
    assert!(
        r.warnings
            .iter()
            .any(|w| matches!(w, Warning::KindNotAsDeclared { .. })),
        "{:?}",
        r.warnings
    );
}

#[test]
fn a_stored_link_okta_would_not_accept_counts_for_nothing() {
    let f = fixture();
    let mut s = all_pass(&f);
    common::link(&mut s, &f.plan, SuiteKind::Crud, CRUD_LINK);
    // As a session from before links were checked may hold it.
    let s = common::edit_file(&s, |v| {
        v["suites"]["spec"] = "https://ann:hunter22@example.com/not-runscope".into()
    });
    let r = assess(&f.plan, &reqs(&f.plan), &s);
    assert!(!r.ready);
    let SuiteEvidence::Invalid { why, .. } = &r.suites[0].evidence else {
        panic!("{:?}", r.suites[0].evidence)
    };
    assert!(why.contains("user name or password"), "{why}");
    assert!(!why.contains("hunter22"), "{why}");
    let json: Value = serde_json::from_str(&render(&r, SummaryFormat::Json)).unwrap();
    assert_eq!(json["suites"][0]["evidence"], "invalid-link");
    assert_eq!(json["suites"][0]["satisfied"], false);
}

// ---- the real binary, the pinned scim2-server, Okta's formats ----

const PLAN: &str = "okta-scim-test-plan-v2.xlsx";
const SESSION: &str = "okta-scim-test-plan-v2.scimplan.json";
const TOKEN: &str = "bzm-access-token-0123456789";
const BUCKET: &str = "b0ck3tk3y123";

fn scimplan(dir: &Path, server: &ScimServer, api: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMPLAN_TESTER")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", "00okta-token-for-the-fixture")
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

fn connected(server: &ScimServer) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), PLAN);
    write_okta_like_files(&dir.path().join("data"), &spec_like_file(201));
    let out = scimplan(
        dir.path(),
        server,
        "",
        &["connect", PLAN, "--scim-url", &server.url],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn entitlement_management_end_to_end() {
    let server = ScimServer::start();
    server.create_group("Admins", &[]);
    let double = RunscopeDouble::start(TOKEN, &[(BUCKET, "Okta SCIM")]);
    let dir = connected(&server);
    let d = dir.path();
    let run = |args: &[&str]| scimplan(d, &server, &double.url, args);
    let out = run(&["capabilities", PLAN, "--support", "entitlements"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Readiness asks for the third link at once, and says how to get it.
    let out = run(&["summary", PLAN, "--format", "json"]);
    let summary: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = summary["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["suite"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["spec", "crud", "entitlements"]);

    // Without endpoints, the hosted Entitlements run says where they come from.
    let out = run(&[
        "runscope",
        PLAN,
        "--suite",
        "entitlements",
        "--bucket",
        BUCKET,
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--entitlement-endpoint /Roles"),
        "{}",
        stderr(&out)
    );

    // Locally, the Entitlements file runs once per endpoint; /Roles is not served: a finding.
    let out = run(&[
        "spec",
        PLAN,
        "--yes",
        "--entitlement-endpoint",
        "/Groups",
        "--entitlement-endpoint",
        "/Roles",
    ]);
    let o = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{o}\n{}", stderr(&out));
    assert!(o.contains("SPEC file passed"), "{o}");
    assert!(
        o.contains(&format!(
            "Entitlements file against {}/Groups: passed",
            server.url
        )) && o.contains(&format!(
            "Entitlements file against {}/Roles: failed",
            server.url
        )),
        "{o}"
    );
    let s = session(d);
    assert_eq!(
        s["declared"]["entitlement_endpoints"],
        json!(["/Groups", "/Roles"])
    );

    // The endpoints are remembered: `spec` alone runs them again.
    let out = run(&["spec", PLAN, "--yes", "--json"]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["entitlements"].as_array().unwrap().len(), 2);
    let out = run(&["summary", PLAN]);
    assert!(
        stdout(&out).contains("[!!] Entitlements: missing")
            && stdout(&out).contains("local run FAILED"),
        "{}",
        stdout(&out)
    );

    // With the endpoints the app serves, the hosted run repeats the request per endpoint in one
    // test, passes, and gives the third link.
    let out = run(&["spec", PLAN, "--yes", "--entitlement-endpoint", "/Groups"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = run(&[
        "runscope",
        PLAN,
        "--suite",
        "entitlements",
        "--bucket",
        BUCKET,
        "--yes",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let test = &double.tests()[0];
    assert_eq!(test.name, "Fixture SCIM 2.0 Entitlements Test");
    assert_eq!(test.steps.len(), 1);
    assert_eq!(
        test.steps[0]["url"],
        "{{SCIMBaseURL}}/Groups?count=1&startIndex=1"
    );
    assert_eq!(
        test.environment["script"], "",
        "the Entitlements file needs no script"
    );
    let s = session(d);
    let link = s["suites"]["entitlements"].as_str().unwrap();
    assert!(link.ends_with(&double.runs()[0].id), "{link}");
    let out = run(&["summary", PLAN, "--format", "json"]);
    let summary: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["suites"][2]["satisfied"], true);
    assert_eq!(summary["suites"][2]["hosted"]["linked"], true);
}

#[test]
fn crud_runs_the_with_entitlements_file_when_entitlements_are_declared() {
    let server = ScimServer::start();
    let dir = connected(&server);
    let d = dir.path();
    // An Okta connection as `connect` saves it (checking it would need an org).
    let okta = scimplan::session::OktaConnection::new(
        "https://dev-123456.okta.com",
        "0oa1b2c3d4e5f6g7h8i9",
        scimplan::session::OktaAuth::ApiToken,
    )
    .unwrap();
    let mut s = session(d);
    s["verify"]["okta"] = serde_json::to_value(okta).unwrap();
    std::fs::write(d.join(SESSION), serde_json::to_vec(&s).unwrap()).unwrap();
    // No --yes and no terminal: it names the file it would run, then runs nothing.
    let crud = |dir: &Path| scimplan(dir, &server, "", &["crud", PLAN]);
    let out = crud(d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Running Fixture SCIM 2.0 CRUD Test"),
        "{}",
        stderr(&out)
    );
    let out = scimplan(
        d,
        &server,
        "",
        &["capabilities", PLAN, "--support", "entitlements"],
    );
    assert!(out.status.success());
    let out = crud(d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Running Fixture SCIM 2.0 with entitlements CRUD test"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("refusing to create a user without asking"));
}

#[test]
fn import_user_schema_preflight_reads_what_okta_reads() {
    let server = ScimServer::start();
    let connection = Connection::new(&server.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new(&server.token)).unwrap();
    let report = check_user_schema(&client, &CancelFlag::new());
    assert!(report.passed(), "{report:?}");
    assert!(
        report
            .found
            .iter()
            .any(|f| f.contains("/Users") && f.contains("1 extension")),
        "{:?}",
        report.found
    );
    assert!(
        report
            .found
            .iter()
            .any(|f| f.starts_with("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")),
        "{:?}",
        report.found
    );

    // An app whose /Schemas Okta could not read: a bare array, an attribute type Okta does not
    // know, a complex attribute without sub-attributes, and the extension missing.
    let app = fake_app(|_, head| {
        let path = head.split_whitespace().nth(1).unwrap_or("");
        match path {
            "/ResourceTypes" => reply(200, json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 1,
                "Resources": [{"id": "User", "name": "User", "endpoint": "/Users",
                    "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
                    "schemaExtensions": [{"schema": "urn:acme:custom:User", "required": false}]}]
            }).to_string()),
            "/Schemas" => reply(200, json!([
                {"id": "urn:ietf:params:scim:schemas:core:2.0:User", "attributes": [
                    {"name": "userName", "type": "string"},
                    {"name": "age", "type": "int"},
                    {"name": "address", "type": "complex", "multiValued": true}]}
            ]).to_string()),
            _ => reply(404, "{}"),
        }
    });
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new("tok-1234")).unwrap();
    let report = check_user_schema(&client, &CancelFlag::new());
    assert!(!report.passed());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("/Schemas") && p.contains("bare JSON array")),
        "{:?}",
        report.problems
    );
    // Served as a ListResponse, the attributes are judged one by one.
    let app = fake_app(|_, head| {
        let path = head.split_whitespace().nth(1).unwrap_or("");
        let list = |resources: Value| {
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                   "totalResults": 1, "Resources": resources})
            .to_string()
        };
        match path {
            "/ResourceTypes" => reply(
                200,
                list(json!([{"id": "User", "name": "User",
                "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
                "schemaExtensions": [{"schema": "urn:acme:custom:User", "required": false}]}])),
            ),
            "/Schemas" => reply(
                200,
                list(json!([
                {"id": "urn:ietf:params:scim:schemas:core:2.0:User", "attributes": [
                    {"name": "age", "type": "int"},
                    {"name": "address", "type": "complex", "multiValued": true}]}])),
            ),
            _ => reply(404, "{}"),
        }
    });
    let connection = Connection::new(&app.url, AuthScheme::Bearer, None).unwrap();
    let client = ScimClient::new(&connection, &Secret::new("tok-1234")).unwrap();
    let problems = check_user_schema(&client, &CancelFlag::new()).problems;
    for says in [
        "attribute 'age': type 'int'",
        "attribute 'address': complex without subAttributes",
        "no userName attribute",
        "no schema with id urn:acme:custom:User",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(says)),
            "{says}: {problems:?}"
        );
    }
    // Requests carry the app's credentials as Okta's would.
    assert!(
        app.heads
            .lock()
            .unwrap()
            .iter()
            .all(|h| h.contains("Bearer tok-1234"))
    );

    // `spec` runs the pre-flight once Import User Schema is declared.
    let dir = connected(&server);
    let d = dir.path();
    let out = scimplan(d, &server, "", &["spec", PLAN, "--yes"]);
    assert!(
        !stdout(&out).contains("Import User Schema"),
        "not declared: not run"
    );
    scimplan(
        d,
        &server,
        "",
        &["capabilities", PLAN, "--support", "user-schema-discovery"],
    );
    let out = scimplan(d, &server, "", &["spec", PLAN, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "Import User Schema (Okta reads /ResourceTypes and /Schemas): Okta can read them"
        ),
        "{}",
        stdout(&out)
    );
}
