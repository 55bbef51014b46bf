//! One world per scenario row of the both-sides tables (`tests/verdicts_*.rs`): a plan with
//! Okta's case IDs connected to the pinned scim2-server (one per test binary, shared: rows
//! name their own users and groups) and to an Okta org double of its own that provisions into
//! it as Okta does; the tester's Admin Console actions as the double's API calls; `scimplan
//! done` and `verify` through the real binary; and what a row expects of the verdict.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::okta_like_plan;
use crate::okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use crate::scim_server::ScimServer;

pub const OKTA_TOKEN: &str = "okta-token-for-verdict-tables";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub struct World {
    pub dir: tempfile::TempDir,
    pub server: &'static ScimServer,
    pub double: OktaDouble,
    /// The session is connected to the org (the double).
    pub org: bool,
}

/// What a verify run said.
pub struct Said {
    pub code: Option<i32>,
    /// stdout and stderr together.
    pub text: String,
}

impl World {
    /// The org as `options` shape it, with a short provisioning delay, both sides connected.
    pub fn with(options: DoubleOptions) -> World {
        World::connected(options, true)
    }

    pub fn new() -> World {
        World::with(DoubleOptions::default())
    }

    /// Both sides exist, only the app is connected in the session.
    pub fn without_org() -> World {
        World::connected(DoubleOptions::default(), false)
    }

    fn connected(options: DoubleOptions, org: bool) -> World {
        let server = ScimServer::shared();
        let double = OktaDouble::start(DoubleOptions {
            token: OKTA_TOKEN.into(),
            scim: Some(ScimTarget {
                url: server.url.clone(),
                token: server.token.clone(),
            }),
            provisioning_delay: Duration::from_millis(50),
            ..options
        });
        let dir = tempfile::tempdir().unwrap();
        okta_like_plan(dir.path(), "plan.xlsx");
        let world = World {
            dir,
            server,
            double,
            org,
        };
        let mut args = vec!["connect", "plan.xlsx", "--scim-url", &world.server.url];
        if org {
            args.extend([
                "--okta-org",
                &world.double.url,
                "--okta-app-id",
                &world.double.app_id,
            ]);
        }
        let out = world.run(&args);
        assert_eq!(out.code, Some(0), "{}", out.text);
        world
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_scimplan"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("SCIMPLAN_TESTER")
            .env("SCIMPLAN_SCIM_TOKEN", &self.server.token)
            .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
            .stdin(std::process::Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Said {
        said(self.command(args).output().unwrap())
    }

    /// The binary with the org connected but its token not set.
    pub fn run_without_okta_token(&self, args: &[&str]) -> Said {
        said(
            self.command(args)
                .env_remove("SCIMPLAN_OKTA_TOKEN")
                .output()
                .unwrap(),
        )
    }

    /// `scimplan done`: the tester did the case's steps in Okta.
    pub fn done(&self, case: &str) {
        let out = self.run(&["done", "plan.xlsx", case]);
        assert_eq!(out.code, Some(0), "{}", out.text);
    }

    /// `scimplan start PLAN CASE --input ...`, which must succeed.
    pub fn start(&self, case: &str, inputs: &[&str]) {
        let mut args = vec!["start", "plan.xlsx", case];
        for input in inputs {
            args.extend(["--input", input]);
        }
        let out = self.run(&args);
        assert_eq!(out.code, Some(0), "start {case}: {}", out.text);
    }

    /// `scimplan verify PLAN CASE --deadline S --input ...`.
    pub fn verify(&self, case: &str, deadline: u32, inputs: &[&str]) -> Said {
        let deadline = deadline.to_string();
        let mut args = vec!["verify", "plan.xlsx", case, "--deadline", &deadline];
        for input in inputs {
            args.extend(["--input", input]);
        }
        self.run(&args)
    }

    /// Marks the case done and verifies it: the row's check.
    pub fn check(&self, case: &str, inputs: &[&str]) -> Said {
        self.done(case);
        self.verify(case, 10, inputs)
    }

    /// Like `check`, for a row that must fail: a short deadline (nothing changes any more).
    pub fn check_briefly(&self, case: &str, inputs: &[&str]) -> Said {
        self.done(case);
        self.verify(case, 1, inputs)
    }

    /// An earlier case the row builds on, which must pass.
    pub fn passes(&self, case: &str, inputs: &[&str]) {
        let out = self.check(case, inputs);
        assert_eq!(out.code, Some(0), "{case} should pass first: {}", out.text);
    }

    pub fn session(&self) -> Value {
        let text = std::fs::read_to_string(self.dir.path().join("plan.scimplan.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn outcome(&self, case: &str) -> Value {
        self.session()["results"][case]["outcome"].clone()
    }

    pub fn runs_of(&self, case: &str) -> usize {
        self.session()["verify"]["runs"]
            .as_array()
            .map_or(0, |runs| runs.iter().filter(|r| r["case"] == case).count())
    }

    pub fn latest_run(&self, case: &str) -> Value {
        let session = self.session();
        let runs = session["verify"]["runs"].as_array().cloned();
        runs.unwrap_or_default()
            .into_iter()
            .rev()
            .find(|r| r["case"] == case)
            .unwrap_or_else(|| panic!("no run of {case}"))
    }

    /// Waits until the double has done every provisioning job queued.
    pub fn settle(&self) {
        assert!(self.double.wait_idle(Duration::from_secs(30)));
    }

    /// A call of Okta's API, as the Admin Console makes it; must succeed.
    pub fn okta(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut request = reqwest::blocking::Client::new()
            .request(method, format!("{}{path}", self.double.url))
            .header("Authorization", format!("SSWS {OKTA_TOKEN}"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().unwrap_or(Value::Null)
    }

    /// An Okta user with these profile attributes beside the names, assigned to the app as
    /// the tester does (the app user profile is Okta's mapping of the Okta profile, plus
    /// `typed` as entered on the assignment); provisioned before this returns.
    pub fn assigned(&self, login: &str, extra: Value, typed: Value) -> String {
        let id = self.double.add_user_with(login, "Ann", "Tester", extra);
        self.assign(&id, login, typed);
        id
    }

    pub fn assign(&self, user_id: &str, login: &str, typed: Value) {
        let path = format!("/api/v1/apps/{}/users", self.double.app_id);
        self.okta(
            reqwest::Method::POST,
            &path,
            Some(json!({"id": user_id, "scope": "USER", "credentials": {"userName": login}, "profile": typed})),
        );
        self.settle();
    }

    /// The app's only user named `login`: its SCIM id.
    pub fn scim_id(&self, login: &str) -> String {
        let found = self.server.find_users(login);
        assert_eq!(found.len(), 1, "{login}: {found:?}");
        found[0]["id"].as_str().unwrap().to_string()
    }

    /// Okta's SCIM token for the app stops working: Okta's requests are refused from now on.
    pub fn break_okta_credentials(&self) {
        self.double
            .edit(|org| org.options.scim.as_mut().unwrap().token = "revoked-token".into());
    }

    /// A lifecycle operation on an Okta user (`deactivate`, `activate`, ...), then provisioning.
    pub fn lifecycle(&self, user_id: &str, op: &str) {
        self.okta(
            reqwest::Method::POST,
            &format!("/api/v1/users/{user_id}/lifecycle/{op}?sendEmail=false"),
            None,
        );
        self.settle();
    }
}

impl World {
    /// Every answer the double sent was one Okta's OpenAPI allows (when the spec is there);
    /// without the org connected, it answered nothing to check.
    pub fn valid(&self) {
        if self.org {
            self.double.assert_valid();
        }
    }
}

fn said(out: Output) -> Said {
    Said {
        code: out.status.code(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The row passed: exit 0, `CASE PASS`, recorded Pass. Every row's double answered as
/// Okta's OpenAPI allows (checked when the spec is there).
pub fn expect_pass(world: &World, case: &str, out: &Said) {
    assert_eq!(out.code, Some(0), "{case} should pass:\n{}", out.text);
    assert!(out.text.contains(&format!("{case} PASS")), "{}", out.text);
    assert_eq!(world.outcome(case), "pass", "{}", out.text);
    world.valid();
}

/// The row failed: exit 1, `CASE FAIL`, recorded Fail, and the output says every text.
pub fn expect_fail(world: &World, case: &str, out: &Said, texts: &[&str]) {
    assert_eq!(out.code, Some(1), "{case} should fail:\n{}", out.text);
    assert!(out.text.contains(&format!("{case} FAIL")), "{}", out.text);
    for text in texts {
        assert!(out.text.contains(text), "no '{text}' in:\n{}", out.text);
    }
    assert_eq!(world.outcome(case), "fail", "{}", out.text);
    world.valid();
}

/// Nothing was checked: exit 2 before any verdict, no run recorded, the output says `text`.
pub fn expect_refused(world: &World, case: &str, out: &Said, text: &str) {
    assert_eq!(out.code, Some(2), "{case} should be refused:\n{}", out.text);
    assert!(out.text.contains(text), "no '{text}' in:\n{}", out.text);
    assert_eq!(world.runs_of(case), 0, "a run was recorded: {}", out.text);
    assert_ne!(world.outcome(case), "pass");
    assert_ne!(world.outcome(case), "fail");
    world.valid();
}

/// The quotes of Okta's Expected Results the rows derive their verdicts from: when Okta's v2
/// plan is beside the checkout (`SCIMPLAN_REAL_PLANS`, `../shared/plans`), each must be in its
/// case's Expected Result, so a comment cannot misquote Okta.
pub fn check_quotes(quotes: &[(&str, &str)]) {
    let dir = std::env::var_os("SCIMPLAN_REAL_PLANS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/plans"));
    let path = dir.join("okta-scim-test-plan-v2.xlsx");
    if !path.is_file() {
        assert!(
            std::env::var_os("SCIMPLAN_REQUIRE_REAL_PLANS").is_none(),
            "SCIMPLAN_REQUIRE_REAL_PLANS is set but {} is missing",
            path.display()
        );
        crate::okta_double::openapi::skip_once(
            "skipping: the Expected Results quoted by the verdict tables are not compared with Okta's v2 plan (not found; set SCIMPLAN_REAL_PLANS)",
        );
        return;
    }
    let plan = scimplan::plan::load_plan(&path).unwrap();
    let squash = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (case, quote) in quotes {
        let expected = plan
            .case(case)
            .unwrap_or_else(|| panic!("{case}"))
            .expected
            .plain();
        assert!(
            squash(&expected).contains(&squash(quote)),
            "{case}'s Expected Result does not say \"{quote}\": {expected}"
        );
    }
}
