//! C9320/C9329 take the group's expected members from the Okta group (`GET
//! /api/v1/groups/{id}/users`, every page) when the org is connected, so the tester types the
//! group's name only; a letter-case twin group never stands in; without the org the members
//! are typed (and the check says so when they are not).

mod common;
#[path = "common/okta_cases.rs"]
mod okta_cases;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;
#[path = "common/tui.rs"]
mod tui_helpers;

use std::time::Duration;

use common::stderr;
use okta_cases::{assign, latest_run, okta_send, setup, verify};
use okta_double::DoubleOptions;
use reqwest::Method;
use serde_json::json;

#[test]
fn reactivated_push_is_compared_with_the_okta_groups_members() {
    // One item a page: the members are read over several pages.
    let options = DoubleOptions {
        max_page: 1,
        ..DoubleOptions::default()
    };
    let (dir, server, double) = setup(true, None, options);
    let ann = "ann.members@example.com";
    let bob = "bob.members@example.com";
    let ann_id = assign(&double, ann, "Ann", "Ann");
    let bob_id = assign(&double, bob, "Bob", "Bob");
    // A letter-case twin with other members: it must not stand in for "Platform".
    double.add_group("platform", &[ann_id.as_str()]);
    let group = double.add_group("Platform", &[ann_id.as_str()]);
    let mappings = format!("/api/v1/apps/{}/group-push/mappings", double.app_id);
    let mapping = okta_send(
        &double,
        Method::POST,
        &mappings,
        Some(json!({"sourceGroupId": group, "status": "ACTIVE"})),
    );
    assert!(double.wait_idle(Duration::from_secs(30)));
    let mapping_id = mapping["id"].as_str().unwrap().to_string();
    let set_status = |status: &str| {
        okta_send(
            &double,
            Method::PATCH,
            &format!("{mappings}/{mapping_id}"),
            Some(json!({ "status": status })),
        );
        assert!(double.wait_idle(Duration::from_secs(30)));
    };
    // Push deactivated, Bob added in Okta, push active again: Okta re-syncs the members.
    set_status("INACTIVE");
    okta_send(
        &double,
        Method::PUT,
        &format!("/api/v1/groups/{group}/users/{bob_id}"),
        None,
    );
    assert!(double.wait_idle(Duration::from_secs(30)));
    set_status("ACTIVE");

    // The tester types the group's name only.
    let (out, text) = verify(dir.path(), &server, "C9320", &["group=Platform"]);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let run = latest_run(dir.path(), "C9320");
    assert_eq!(run["inputs"]["members"], format!("{ann}, {bob}"), "{run:#}");
    assert!(
        run["requests"].as_array().unwrap().iter().any(|r| r["url"]
            .as_str()
            .unwrap()
            .contains(&format!("/api/v1/groups/{group}/users"))),
        "{run:#}"
    );

    // Bob leaves the Okta group while the push is inactive: the app keeps him, so the Okta
    // group's members (Ann alone) no longer match the app's.
    set_status("INACTIVE");
    okta_send(
        &double,
        Method::DELETE,
        &format!("/api/v1/groups/{group}/users/{bob_id}"),
        None,
    );
    assert!(double.wait_idle(Duration::from_secs(30)));
    let (out, text) = verify(dir.path(), &server, "C9329", &["group=Platform"]);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("not expected") && text.contains(bob),
        "{text}"
    );

    // A name only a twin has (letter case differs) is no group at all.
    let (out, text) = verify(dir.path(), &server, "C9320", &["group=PLATFORM"]);
    assert_eq!(out.status.code(), Some(2), "{text}{}", stderr(&out));
    assert!(
        text.contains("no group is named exactly \"PLATFORM\""),
        "{text}"
    );
    double.assert_valid();
}

#[test]
fn without_the_org_the_members_are_typed() {
    let (dir, server, _double) = setup(false, None, DoubleOptions::default());
    let (out, text) = verify(dir.path(), &server, "C9320", &["group=Platform"]);
    // Asked for before anything runs, as the checklist asks for them: no run is recorded.
    let said = format!("{text}{}", stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("C9320 compares the group's members") && said.contains("--input members="),
        "{said}"
    );
    let (json, _) = okta_cases::session(dir.path());
    assert!(
        json["verify"]["runs"].as_array().is_none_or(Vec::is_empty),
        "{json}"
    );
}

#[test]
fn the_checklist_asks_for_the_members_without_the_org() {
    use scimplan::net::Secret;
    use scimplan::tui::overlays::prompt::{Prompt, PromptKind};
    use scimplan::tui::{Action, update};

    let (dir, server, _double) = setup(false, None, DoubleOptions::default());
    let mut m = tui_helpers::ready(&dir.path().join("plan.xlsx"));
    m.secret = Some(Secret::new(server.token.clone()));
    m.ws.apply(scimplan::session::Command::Subject {
        name: "group".into(),
        value: "Platform".into(),
    });
    tui_helpers::select(&mut m, "C9320");
    update(&mut m, Action::VerifyCase);
    assert!(
        m.top_as::<Prompt>()
            .is_some_and(|p| p.kind() == PromptKind::VerifyInput
                && p.title.matches("comma-separated").count() == 1),
        "{}",
        tui_helpers::message(&m)
    );
}
