//! Okta's With-Entitlements CRUD file (it adds "Assign grants to a user", an Okta Identity
//! Governance call) run by `scimplan crud` once Entitlement Management is declared, against the
//! Okta double and the real scim2-server. Okta's file and its management OpenAPI (which the
//! double validates against) are needed: an extra check where they are present; the choice of
//! file itself is checked without them in `integration_rules.rs`.

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{case_row, okta_file, stderr, stdout, write_plan};
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;

const OKTA_TOKEN: &str = "okta-token-for-entitlement-tests";
const FILE: &str = "Okta-SCIM-20-With-Entitlements-CRUD-Test.json";

fn scimplan(dir: &std::path::Path, server: &ScimServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("SCIMPLAN_SCIM_TOKEN", &server.token)
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .env("SCIMPLAN_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn okta_with_entitlements_crud_file_runs_once_entitlements_are_declared() {
    let (Some(file), Some(_)) = (okta_file(FILE), common::okta_files_dir()) else {
        return;
    };
    let server = ScimServer::start();
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: server.token.clone(),
        }),
        provisioning_delay: Duration::from_secs(1),
        ..DoubleOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("data")).unwrap();
    std::fs::copy(&file, d.join("data").join(FILE)).unwrap();
    write_plan(
        &d.join("plan.xlsx"),
        vec![case_row(
            "C1",
            "Assign",
            "Create Users",
            "",
            "1. Assign",
            "Made",
        )],
    );
    let out = scimplan(
        d,
        &server,
        &[
            "connect",
            "plan.xlsx",
            "--scim-url",
            &server.url,
            "--okta-org",
            &double.url,
            "--okta-app-id",
            &double.app_id,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(
        d,
        &server,
        &["capabilities", "plan.xlsx", "--support", "entitlements"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = scimplan(d, &server, &["crud", "plan.xlsx", "--yes"]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}{err}");
    assert!(
        err.contains("Running Okta SCIM 2.0 with entitlements CRUD test"),
        "{err}"
    );
    assert!(text.contains("Assign grants to a user"), "{text}");
    let grants: Vec<String> = double
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("POST /governance/api/v1/grants"))
        .collect();
    assert_eq!(grants.len(), 1, "{:?}", double.requests());
    let session: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("plan.scimplan.json")).unwrap())
            .unwrap();
    let run = session["suite_runs"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(run["suite"], "crud");
    assert_eq!(run["file"], "Okta SCIM 2.0 with entitlements CRUD test");
    assert_eq!(run["passed"], true);
    double.assert_valid();
}
