//! The Okta side of each case, from the recipes, through the real binary (the Okta double
//! provisioning into the real scim2-server): a case with both sides passes only when both hold
//! and the summary names the side that failed; cases checked in Okta only pass and fail from
//! the org; Okta's refusals are errors naming Okta; without the org the SCIM side decides and
//! the run says what the Okta side would add; no token reaches the disk.

mod common;
#[path = "common/okta_cases.rs"]
mod okta_cases;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::stderr;
use okta_cases::{
    OKTA_TOKEN, assertions, assign, latest_run, okta_post, okta_send, scimplan, session, setup,
    verify,
};
use okta_double::DoubleOptions;
use serde_json::json;

#[test]
fn a_case_with_both_sides_passes_only_when_both_hold_and_names_the_side_that_failed() {
    let (dir, server, double) = setup(true, None, DoubleOptions::default());
    // The tester types the login only: the expected names come from the Okta profile.
    let ann = "ann.both@example.com";
    assign(&double, ann, "Ann", "Ann");
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={ann}")]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9290 PASS") && text.contains("and Okta 3"),
        "{text}"
    );
    let run = latest_run(dir.path(), "C9290");
    let lines = assertions(&run);
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "Okta: app user {ann}: syncState: expected SYNCHRONIZED"
        ))),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "read the user by id: name.givenName equals the app user profile's givenName (what Okta sent): expected \"Ann\", got \"Ann\""
        )),
        "the given name Okta sent was compared: {lines:#?}"
    );

    // A first name typed for someone else (inputs stay in the session) does not stand in for
    // Okta's profile, and the run says it was not used.
    let (out, text) = verify(
        dir.path(),
        &server,
        "C9290",
        &[&format!("user={ann}"), "given_name=Anne"],
    );
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "given_name=Anne was typed; the app is compared with what Okta sent (the app user profile)"
        ),
        "{text}"
    );
    let out = scimplan(
        dir.path(),
        &server,
        &["verify", "plan.xlsx", "C9290", "--input", "given_name="],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The admin typed another first name on the assignment than the Okta profile holds:
    // Okta sent "Robert", and that is what the app must hold.
    let bob = "bob.both@example.com";
    assign(&double, bob, "Bob", "Robert");
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={bob}")]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    // The app changed it on its own: Okta is in sync (it pushed what its app user profile
    // holds), the app's user is not what Okta sent.
    let bob_scim = server.find_users(bob)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.patch_user(&bob_scim, Some("name.givenName"), json!("Bobby"));
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={bob}")]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9290 FAIL  SCIM: read the user by id: name.givenName equals the app user profile's givenName (what Okta sent): expected \"Robert\", got \"Bobby\""),
        "{text}"
    );
    let run = latest_run(dir.path(), "C9290");
    let failed: Vec<String> = assertions(&run)
        .into_iter()
        .filter(|l| l.starts_with("FAILED"))
        .collect();
    assert!(
        failed.iter().all(|l| !l.contains("Okta: ")),
        "only the SCIM side failed: {failed:#?}"
    );
    // Nothing of either token on disk, in the session or the completed workbook.
    let export = dir.path().join("completed.xlsx");
    let out = scimplan(
        dir.path(),
        &server,
        &["export", "plan.xlsx", "-o", export.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, raw) = session(dir.path());
    let workbook = std::fs::read(&export).unwrap();
    for secret in [OKTA_TOKEN, server.token.as_str()] {
        assert!(!raw.contains(secret), "a token is in the session");
        assert!(
            !workbook
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "a token is in the export"
        );
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "a token is in {}",
                    path.display()
                );
            }
        }
    }
    double.assert_valid();
}

#[test]
fn a_push_the_app_refused_fails_saying_okta_first() {
    // Okta holds a token the app refuses: its create fails, the app user's sync is ERROR.
    let (dir, server, double) = setup(true, Some("not-the-apps-token"), DoubleOptions::default());
    let login = "ann.refused@example.com";
    assign(&double, login, "Ann", "Ann");
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={login}")]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!("C9290 FAIL  Okta: app user {login}: "))
            && text.contains("; and SCIM: find the user by userName"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Okta: app user {login}: syncState: expected SYNCHRONIZED, got ERROR"
        )),
        "{text}"
    );
    double.assert_valid();
}

#[test]
fn cases_checked_in_okta_only_pass_and_fail_from_the_org() {
    // Every To App setting on (password sync too), as C9306 expects.
    let options = DoubleOptions {
        password_sync: true,
        ..DoubleOptions::default()
    };
    let (dir, server, double) = setup(true, None, options);
    let login = "sue.suspend@example.com";
    let user_id = assign(&double, login, "Sue", "Sue");
    // C9295 before the suspension: the app side holds, Okta's does not.
    let (out, text) = verify(dir.path(), &server, "C9295", &[&format!("user={login}")]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!(
            "C9295 FAIL  Okta: user {login}: status: expected SUSPENDED, got ACTIVE"
        )),
        "{text}"
    );
    okta_post(
        &double,
        &format!("/api/v1/users/{user_id}/lifecycle/suspend"),
    );
    let (out, text) = verify(dir.path(), &server, "C9295", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    // Suspending sends nothing to the app: its user is still active.
    let scim = &server.find_users(login)[0];
    assert_eq!(scim["active"], true);

    // No SCIM step at all: provisioning on, so C9306 passes. C9339 (started once the user
    // is in the app) fails on Okta's side: provisioning is still on.
    let (out, text) = verify(dir.path(), &server, "C9306", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let out = scimplan(dir.path(), &server, &["start", "plan.xlsx", "C9339"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (out, text) = verify(dir.path(), &server, "C9339", &[]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9339 FAIL  Okta: app provisioning: USER_PROVISIONING feature: expected DISABLED, got ENABLED"),
        "{text}"
    );
    // The double's app has no profile sourcing.
    let (out, text) = verify(dir.path(), &server, "C9359", &[]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("PROFILE_MASTERING: expected enabled, got not enabled"),
        "{text}"
    );
    double.assert_valid();
}

#[test]
fn okta_refusing_the_token_a_permission_is_an_error_naming_okta() {
    let options = DoubleOptions {
        forbidden: vec![format!(
            "/api/v1/apps/{}/users/",
            okta_double::okta_id("0oa", 1)
        )],
        ..DoubleOptions::default()
    };
    let (dir, server, double) = setup(true, None, options);
    let login = "ann.forbidden@example.com";
    // Provisioned by Okta itself; only the token may not read app users.
    let user_id = double.add_user(login, "Ann", "Tester");
    server.create_user(login, "Ann", "Tester", true);
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={login}")]);
    assert_eq!(out.status.code(), Some(2), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9290 ERROR Okta: the token lacks a permission for GET /api/v1/apps/"),
        "{text}"
    );
    let run = latest_run(dir.path(), "C9290");
    assert_eq!(run["failure"]["kind"], "okta", "{run}");
    assert_eq!(
        run["failure"]["credentials_refused"], false,
        "a permission, not the token"
    );
    assert!(!user_id.is_empty());
    double.assert_valid();
}

#[test]
fn without_the_org_the_scim_side_decides_and_the_run_says_what_okta_would_add() {
    let (dir, server, double) = setup(false, None, DoubleOptions::default());
    let login = "ann.alone@example.com";
    server.create_user(login, "Ann", "Alone", true);
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={login}")]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("Okta side not checked: connect the org (scimplan connect PLAN --okta-org URL --okta-app-id ID, with SCIMPLAN_OKTA_TOKEN set) to also check the app user's provisioning state"),
        "{text}"
    );
    let run = latest_run(dir.path(), "C9290");
    assert!(
        run["okta_not_checked"]
            .as_str()
            .is_some_and(|n| n.contains("syncState")),
        "{run}"
    );
    assert!(
        assertions(&run).iter().all(|l| !l.contains("Okta: ")),
        "{run}"
    );
    // A case checked in Okta only is refused by name, nothing recorded.
    let (out, _) = verify(dir.path(), &server, "C9306", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("C9306 is checked in Okta only"),
        "{}",
        stderr(&out)
    );
    let (json, _) = session(dir.path());
    assert!(
        json["verify"]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["case"] != "C9306")
    );
    drop(double);
}

#[test]
fn the_system_log_is_read_from_when_the_case_started() {
    let (dir, server, double) = setup(true, None, DoubleOptions::default());
    let login = "ann.since@example.com";
    assign(&double, login, "Ann", "Ann");
    // The case's steps ticked (C9290 has no start command): the Okta steps came before the
    // ticks, so the window starts 15 minutes before the first tick.
    let before: DateTime<Utc> = Utc::now() - chrono::Duration::seconds(1);
    let out = scimplan(dir.path(), &server, &["done", "plan.xlsx", "C9290"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after: DateTime<Utc> = Utc::now() + chrono::Duration::seconds(1);
    let (out, text) = verify(dir.path(), &server, "C9290", &[&format!("user={login}")]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let run = latest_run(dir.path(), "C9290");
    let since: DateTime<Utc> = run["okta"]["since"].as_str().unwrap().parse().unwrap();
    let lookback = chrono::Duration::minutes(15);
    assert!(
        since >= before - lookback && since <= after - lookback,
        "since {since}, ticked between {before} and {after}"
    );

    // A case started with `scimplan start` (before its Okta steps): from that moment.
    let existing = "ann.existing@example.com";
    server.create_user(existing, "Ann", "Existing", true);
    let out = scimplan(
        dir.path(),
        &server,
        &[
            "start",
            "plan.xlsx",
            "C9335",
            "--input",
            &format!("user={existing}"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (json, _) = session(dir.path());
    let started: DateTime<Utc> = json["verify"]["started"]["C9335"]["at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (out, text) = verify(dir.path(), &server, "C9335", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "not assigned in Okta: {text}{}",
        stderr(&out)
    );
    let run = latest_run(dir.path(), "C9335");
    let since: DateTime<Utc> = run["okta"]["since"].as_str().unwrap().parse().unwrap();
    assert_eq!(since, started);
    double.assert_valid();
}

/// C9312 then C9319: the pushed group is remembered; once its push is deactivated, a member
/// added in Okta must not reach the app (members frozen), and the mapping is INACTIVE.
#[test]
fn a_deactivated_push_freezes_the_app_groups_members() {
    use reqwest::Method;
    let (dir, server, double) = setup(true, None, DoubleOptions::default());
    let ann = "ann.push@example.com";
    let bob = "bob.push@example.com";
    let ann_id = assign(&double, ann, "Ann", "Ann");
    let bob_id = assign(&double, bob, "Bob", "Bob");
    let group = double.add_group("Platform", &[ann_id.as_str()]);
    let mappings = format!("/api/v1/apps/{}/group-push/mappings", double.app_id);
    let mapping = okta_send(
        &double,
        Method::POST,
        &mappings,
        Some(json!({"sourceGroupId": group, "status": "ACTIVE"})),
    );
    assert!(double.wait_idle(Duration::from_secs(30)));
    let (out, text) = verify(
        dir.path(),
        &server,
        "C9312",
        &["group=Platform", &format!("members={ann}")],
    );
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));

    // Before the push is deactivated: Okta's side says so.
    let (out, text) = verify(dir.path(), &server, "C9319", &[]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9319 FAIL  Okta: Group Push of Platform: mapping status: expected INACTIVE, got ACTIVE"),
        "{text}"
    );
    let mapping_id = mapping["id"].as_str().unwrap();
    okta_send(
        &double,
        Method::PATCH,
        &format!("{mappings}/{mapping_id}"),
        Some(json!({"status": "INACTIVE"})),
    );
    okta_send(
        &double,
        Method::PUT,
        &format!("/api/v1/groups/{group}/users/{bob_id}"),
        None,
    );
    assert!(double.wait_idle(Duration::from_secs(30)));
    let (out, text) = verify(dir.path(), &server, "C9319", &[]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));

    // An app that took the new member anyway fails, on the SCIM side.
    let scim_group = server.get("/Groups")["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["displayName"] == "Platform")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bob_scim = server.find_users(bob)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.add_members(&scim_group, &[&bob_scim]);
    let (out, text) = verify(dir.path(), &server, "C9319", &[]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("C9319 FAIL  SCIM: read the pushed group by id")
            && text.contains("not expected"),
        "{text}"
    );
    assert!(text.contains(bob), "{text}");
    double.assert_valid();
}
