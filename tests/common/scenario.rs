//! Scenario tables for the per-case recipes: each row puts the real scim2-server in a state
//! (correct, realistically wrong, an edge), runs the real binary's `verify`, and checks the
//! verdict, the words of the output and what the session recorded. A table runs every row
//! and then names each row that went wrong.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use super::common::{case_row, write_plan};
use super::scim_server::{ScimServer, USER_SCHEMA};

pub const PLAN: &str = "plan.xlsx";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Every case the recipes verify, in Okta's sections, each with three steps; enough to run
/// the real binary without Okta's workbook (the workbook is not the point here).
pub fn write_recipe_plan(path: &Path) {
    let cases: &[(&str, &str)] = &[
        ("C9290", "Create Users"),
        ("C9334", "Create Users"),
        ("C9336", "Create Users"),
        ("C9335", "Create Users"),
        ("C9293", "Create Users"),
        ("C9307", "Create Users"),
        ("C9291", "Update Users"),
        ("C9310", "Update Users"),
        ("C9309", "Update Users"),
        ("C9292", "Deprovision (Deactivate) Users"),
        ("C9294", "Deprovision (Deactivate) Users"),
        ("C9311", "Deprovision (Deactivate) Users"),
        ("C9303", "Read (Import) Users"),
        ("C9304", "Read (Import) Users"),
        ("C9305", "Read (Import) Users"),
        ("C9338", "Read (Import) Groups"),
        ("C9312", "Using Group Push"),
        ("C9317", "Using Group Push"),
        ("C9332", "Using Group Push"),
        ("C9316", "Using Group Push"),
        ("C9315", "Using Group Push"),
        ("C9330", "Using Group Push"),
        ("C9333", "Using Group Push"),
        ("C9318", "Using Group Push"),
        ("C9327", "Using Group Push"),
        ("C9321", "Using Group Push"),
        ("C9326", "Using Group Push"),
        ("C9331", "Using Group Push"),
    ];
    let rows = cases
        .iter()
        .map(|(id, section)| {
            case_row(
                id,
                &format!("Case {id}"),
                section,
                "",
                "1. Sign in to Okta as Admin\n2. Do the case's step\n3. Observe the app",
                "The app shows it",
            )
        })
        .collect();
    write_plan(path, rows);
}

/// One row's world: a session beside a generated plan, connected to the table's server.
pub struct Scene<'a> {
    pub dir: tempfile::TempDir,
    pub server: &'a ScimServer,
}

impl<'a> Scene<'a> {
    pub fn new(server: &'a ScimServer) -> Scene<'a> {
        let dir = tempfile::tempdir().unwrap();
        write_recipe_plan(&dir.path().join(PLAN));
        let scene = Scene { dir, server };
        let out = scene.run(&[
            "connect",
            PLAN,
            "--scim-url",
            &server.url,
            "--auth",
            "bearer",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        scene
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_scimplan"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("SCIMPLAN_TESTER")
            .env_remove("SCIMPLAN_SCIM_PASSWORD")
            .env("SCIMPLAN_SCIM_TOKEN", &self.server.token)
            .env("NO_COLOR", "1")
            .output()
            .expect("run scimplan")
    }

    /// `scimplan verify PLAN CASE --deadline S --input ...`
    pub fn verify(&self, case: &str, deadline: &str, inputs: &[&str]) -> Output {
        let mut args = vec!["verify", PLAN, case, "--deadline", deadline];
        for input in inputs {
            args.extend(["--input", input]);
        }
        self.run(&args)
    }

    /// `scimplan start PLAN CASE --input ...`, which must succeed.
    pub fn start(&self, case: &str, inputs: &[&str]) {
        let mut args = vec!["start", PLAN, case];
        for input in inputs {
            args.extend(["--input", input]);
        }
        let out = self.run(&args);
        assert!(out.status.success(), "start {case}: {}", text(&out));
    }

    /// Marks a case's steps done, then verifies it; the run must pass (an earlier case that
    /// a row builds on).
    pub fn passes(&self, case: &str, inputs: &[&str]) {
        self.done(case);
        let out = self.verify(case, "10", inputs);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{case} should pass: {}",
            text(&out)
        );
    }

    pub fn done(&self, case: &str) {
        let out = self.run(&["done", PLAN, case]);
        assert!(out.status.success(), "{}", text(&out));
    }

    pub fn session_path(&self) -> PathBuf {
        self.dir.path().join("plan.scimplan.json")
    }

    pub fn session(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.session_path()).unwrap()).unwrap()
    }

    pub fn outcome(&self, case: &str) -> Value {
        self.session()["results"][case]["outcome"].clone()
    }

    /// A user with the usual attributes (and a work email equal to the userName, primary).
    pub fn user(&self, user_name: &str, given: &str, family: &str, active: bool) -> String {
        self.server.create_user(user_name, given, family, active)
    }

    /// A user made of `extra` on top of a userName and active = true.
    pub fn user_with(&self, user_name: &str, extra: Value) -> String {
        let mut body =
            json!({"schemas": [USER_SCHEMA, ENTERPRISE], "userName": user_name, "active": true});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.server.post("/Users", body)["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a row must end with.
pub enum Expect {
    /// Exit 0, `CASE PASS`, outcome pass.
    Pass,
    /// A pass whose output holds the text (a note the tester should see).
    PassNoting(&'static str),
    /// Exit 1, `CASE FAIL`, outcome fail, and the output holds every text.
    Fail(&'static [&'static str]),
    /// Exit 2 before any verdict (input refused, something to do first), naming the text.
    Refused(&'static str),
    /// Exit 2 with `CASE ERROR`, no outcome recorded, naming the text.
    Error(&'static str),
}

/// A row: its name, its case, the state it sets up (and earlier cases it runs), the inputs
/// of the check, and what the check must say.
pub struct Row {
    pub name: &'static str,
    pub case: &'static str,
    pub inputs: &'static [&'static str],
    pub setup: fn(&Scene),
    pub expect: Expect,
}

/// The problem with one row's result, if any.
fn judge(row: &Row, scene: &Scene, out: &Output) -> Option<String> {
    let all = text(out);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let mut outcome = scene.outcome(row.case);
    if outcome == json!("not-run") {
        outcome = Value::Null;
    }
    let (code, words, wanted_outcome, texts): (i32, String, Value, Vec<&str>) = match &row.expect {
        Expect::Pass => (0, format!("{} PASS", row.case), json!("pass"), vec![]),
        Expect::PassNoting(text) => (0, format!("{} PASS", row.case), json!("pass"), vec![*text]),
        Expect::Fail(texts) => (
            1,
            format!("{} FAIL", row.case),
            json!("fail"),
            texts.to_vec(),
        ),
        Expect::Error(text) => (2, format!("{} ERROR", row.case), Value::Null, vec![*text]),
        Expect::Refused(text) => (2, String::new(), Value::Null, vec![*text]),
    };
    if out.status.code() != Some(code) {
        return Some(format!("exit {:?}, wanted {code}", out.status.code()));
    }
    if !words.is_empty() && !stdout.contains(&words) {
        return Some(format!("no '{words}' in the output"));
    }
    if let Some(missing) = texts.iter().find(|t| !all.contains(**t)) {
        return Some(format!("the output does not say '{missing}'"));
    }
    if outcome != wanted_outcome {
        return Some(format!("outcome {outcome}, wanted {wanted_outcome}"));
    }
    None
}

/// Runs every row (a fresh session each; rows name their own users and groups, so they share
/// the server) and fails naming every row that did not end as it should.
pub fn run_table(server: &ScimServer, rows: &[Row]) {
    let mut wrong = Vec::new();
    for row in rows {
        let scene = Scene::new(server);
        (row.setup)(&scene);
        scene.done(row.case);
        let deadline = match row.expect {
            Expect::Pass | Expect::PassNoting(_) => "10",
            _ => "1",
        };
        let out = scene.verify(row.case, deadline, row.inputs);
        if let Some(problem) = judge(row, &scene, &out) {
            wrong.push(format!(
                "row '{}' ({}): {problem}\n{}",
                row.name,
                row.case,
                text(&out)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows went wrong:\n\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n\n")
    );
}
