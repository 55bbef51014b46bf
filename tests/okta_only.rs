//! Cases checked in Okta only (no SCIM step) with only the Okta org connected, from the CLI and
//! the checklist; the Okta requests a run made kept as its evidence (never the token); and
//! every Okta request bounded by the check's deadline (a rate-limit reset or a slow answer
//! past it ends the check at its deadline).

mod common;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::{okta_like_plan, stderr, stdout};
use okta_double::{DoubleOptions, OktaDouble};
use serde_json::Value;

const OKTA_TOKEN: &str = "okta-token-for-okta-only-tests";

/// The binary with the Okta token only: no SCIM secret anywhere.
fn scimplan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SCIMPLAN_TESTER")
        .env_remove("SCIMPLAN_SCIM_TOKEN")
        .env("SCIMPLAN_OKTA_TOKEN", OKTA_TOKEN)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// A plan with Okta's case IDs connected to the Okta double only (no SCIM connection).
fn okta_only_setup(options: DoubleOptions) -> (tempfile::TempDir, OktaDouble) {
    // Every To App setting on, as C9306 expects of an app supporting every capability.
    let double = OktaDouble::start(DoubleOptions {
        token: OKTA_TOKEN.into(),
        password_sync: true,
        ..options
    });
    let dir = tempfile::tempdir().unwrap();
    okta_like_plan(dir.path(), "plan.xlsx");
    let out = scimplan(
        dir.path(),
        &[
            "connect",
            "plan.xlsx",
            "--okta-org",
            &double.url,
            "--okta-app-id",
            &double.app_id,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (dir, double)
}

fn verify(dir: &Path, case: &str, extra: &[&str]) -> (Output, String) {
    let mut args = vec!["verify", "plan.xlsx", case, "--deadline", "3"];
    args.extend(extra);
    let out = scimplan(dir, &args);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    (out, text)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn okta_only_cases_run_with_only_the_org_and_keep_its_requests_without_the_token() {
    let (dir, double) = okta_only_setup(DoubleOptions::default());
    // Provisioning is on in the double: C9306 passes; the double's app has no profile
    // sourcing, so C9359 fails; no SCIM secret asked.
    let (out, text) = verify(dir.path(), "C9306", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("C9306 PASS"), "{text}");
    let (out, text) = verify(dir.path(), "C9359", &[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("C9359 FAIL  Okta: app features: PROFILE_MASTERING"),
        "{text}"
    );
    // A case that reads the app's SCIM API still needs its connection, and says so.
    let (out, text) = verify(dir.path(), "C9290", &["--input", "user=ann@example.com"]);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("C9290 read the app's SCIM API") && text.contains("scimplan connect"),
        "{text}"
    );

    // The run keeps Okta's requests: method, URL, status, timing; the header redacted.
    let (out, text) = verify(dir.path(), "C9306", &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let runs: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let requests = runs[0]["requests"].as_array().expect("requests").clone();
    let feature = requests
        .iter()
        .find(|r| {
            r["url"]
                .as_str()
                .unwrap()
                .ends_with("/features/USER_PROVISIONING")
        })
        .unwrap_or_else(|| panic!("the feature request is kept: {requests:#?}"));
    assert_eq!(feature["method"], "GET");
    assert_eq!(feature["status"], 200);
    assert!(feature["url"].as_str().unwrap().starts_with(&double.url));
    assert!(feature["duration_ms"].is_u64());
    assert!(
        feature["request_headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "Authorization: SSWS [redacted]"),
        "{feature:#}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r["url"].as_str().unwrap().ends_with("/connections/default")),
        "{requests:#?}"
    );
    assert!(!text.contains(OKTA_TOKEN));
    let export = dir.path().join("completed.xlsx");
    let out = scimplan(
        dir.path(),
        &["export", "plan.xlsx", "-o", export.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let session = std::fs::read(dir.path().join("plan.scimplan.json")).unwrap();
    assert!(contains(&session, "/features/USER_PROVISIONING"));
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(!contains(&bytes, OKTA_TOKEN), "{}", path.display());
        }
    }
    double.assert_valid();
}

#[test]
fn okta_requests_end_at_the_checks_deadline() {
    let (dir, double) = okta_only_setup(DoubleOptions::default());
    // A rate limit whose reset is a minute away: the check ends at its 2 s deadline, an error
    // saying Okta did not answer in time, not a pass a minute later.
    double.throttle_next(1, Duration::from_secs(60));
    let out = scimplan(
        dir.path(),
        &["verify", "plan.xlsx", "C9306", "--deadline", "2"],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9306 ERROR") && text.contains("before the check's deadline"),
        "{text}"
    );
    // A slow answer (10 s, within the client's own 30 s timeout) past the deadline: the same.
    double.stall_next(1, Duration::from_secs(10));
    let out = scimplan(
        dir.path(),
        &["verify", "plan.xlsx", "C9306", "--deadline", "2"],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9306 ERROR") && text.contains("before the check's deadline"),
        "{text}"
    );
}

#[test]
fn the_checklist_verifies_an_okta_only_case_without_a_scim_connection() {
    use scimplan::net::Secret;
    use scimplan::tui::overlays::connection::ConnectionForm;
    use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
    use scimplan::tui::{Action, update};

    let (dir, double) = okta_only_setup(DoubleOptions::default());
    let plan = dir.path().join("plan.xlsx");
    let mut m = tui_helpers::ready(&plan);
    tui_helpers::select(&mut m, "C9306");
    // No token typed: the Okta token is asked for, not the SCIM connection.
    update(&mut m, Action::VerifyCase);
    assert!(
        m.top_as::<Prompt>()
            .is_some_and(|p| p.kind() == PromptKind::OktaToken),
        "{}",
        tui_helpers::message(&m)
    );
    update(&mut m, Action::Cancel);
    m.okta_secret = Some(Secret::new(OKTA_TOKEN));
    update(&mut m, Action::VerifyCase);
    assert!(
        m.top_as::<ConnectionForm>().is_none(),
        "the SCIM connection form opened: {}",
        tui_helpers::message(&m)
    );
    for _ in 0..400 {
        update(&mut m, Action::Tick);
        if m.running().is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(m.running().is_none(), "the check did not end");
    let session = tui_helpers::on_disk(&plan);
    let run = session.verify().latest_run("C9306").expect("a run");
    assert_eq!(
        run.verdict,
        scimplan::session::Verdict::Pass,
        "{}",
        run.summary
    );
    assert!(
        run.requests
            .iter()
            .any(|r| r.url.ends_with("/connections/default"))
    );
    // A case with SCIM steps still opens the connection form.
    tui_helpers::select(&mut m, "C9292");
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    update(&mut m, Action::VerifyCase);
    assert!(
        m.top_as::<ConnectionForm>().is_some(),
        "{}",
        tui_helpers::message(&m)
    );
    double.assert_valid();
}

/// `V` with only the Okta org connected checks the pending cases that need nothing else, and
/// says how many need the app's SCIM connection, instead of asking for it.
#[test]
fn v_all_without_a_scim_connection_checks_the_okta_only_cases() {
    use scimplan::net::Secret;
    use scimplan::tui::overlays::connection::ConnectionForm;
    use scimplan::tui::{Action, update};

    let (dir, double) = okta_only_setup(DoubleOptions::default());
    let plan = dir.path().join("plan.xlsx");
    let mut m = tui_helpers::ready(&plan);
    m.okta_secret = Some(Secret::new(OKTA_TOKEN));
    m.ws.apply(scimplan::session::Command::Subject {
        name: "user".into(),
        value: "ann@example.com".into(),
    });
    // The tester did the steps of an Okta-only case and of a case that reads the app.
    for case in ["C9306", "C9292"] {
        let index = m.ws.plan.case_index(case).unwrap();
        for step in 0..m.ws.plan.cases[index].steps.len() {
            m.ws.apply(scimplan::session::Command::Step {
                case: case.to_string(),
                step,
                ticked: true,
            });
        }
    }
    m.ws.save().unwrap();
    update(&mut m, Action::VerifyAll);
    assert!(
        m.top_as::<ConnectionForm>().is_none(),
        "the SCIM connection form opened: {}",
        tui_helpers::message(&m)
    );
    assert!(
        tui_helpers::message(&m).contains("1 more need the app's SCIM connection"),
        "{}",
        tui_helpers::message(&m)
    );
    for _ in 0..400 {
        update(&mut m, Action::Tick);
        if m.running().is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let session = tui_helpers::on_disk(&plan);
    assert!(session.verify().latest_run("C9306").is_some());
    assert!(session.verify().latest_run("C9292").is_none());
    double.assert_valid();
}
