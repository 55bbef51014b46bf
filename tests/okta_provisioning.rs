//! The Okta double provisions into the real pinned scim2-server the way Okta does, driven
//! through scimplan's Okta client (the calls of Okta's CRUD file), and what a tester sees of it
//! in Okta: the app user's sync state and the System Log, collected as a run's `OktaTrail`.

#[path = "common/fake_app.rs"]
mod fake_app;
#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::time::Duration;

use fake_app::{fake_app, reply};
use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;
use scimplan::net::Secret;
use scimplan::okta::{Lifecycle, OktaClient, OktaCredential, TrailSubject, okta_trail};
use scimplan::session::{OktaAuth, OktaConnection};
use serde_json::json;

fn start(server: &ScimServer, scim_token: &str) -> (OktaDouble, OktaClient) {
    let double = OktaDouble::start(DoubleOptions {
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: scim_token.to_string(),
        }),
        provisioning_delay: Duration::from_millis(300),
        ..DoubleOptions::default()
    });
    let connection = OktaConnection::new(&double.url, &double.app_id, OktaAuth::ApiToken).unwrap();
    let client = OktaClient::new(
        &connection,
        OktaCredential::ApiToken(Secret::new(double.token.clone())),
    )
    .unwrap();
    (double, client)
}

fn idle(double: &OktaDouble) {
    assert!(
        double.wait_idle(Duration::from_secs(30)),
        "provisioning did not finish"
    );
}

/// The CRUD file's user, with a first name that is easy to spot.
fn crud_profile(login: &str, first: &str) -> serde_json::Value {
    json!({"firstName": first, "lastName": "Abcdefghi123", "email": login, "login": login})
}

#[test]
fn assign_update_deactivate_reassign_unassign_reach_the_scim_app_like_okta() {
    let server = ScimServer::start();
    let (double, okta) = start(&server, &server.token);
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let login = "Runscope123Abcdefghi123@atko.com";
    let user = okta
        .create_user(&crud_profile(login, "Runscope123"), Some("Kv7J2LEa"), true)
        .unwrap();
    assert_eq!(user.status, "ACTIVE");
    let app_profile = json!({"familyName": "Abcdefghi123", "givenName": "Runscope123", "emailType": "work", "email": login});
    let assigned = okta.assign_user(&user.id, login, &app_profile).unwrap();
    // Okta answers at once and provisions later.
    assert_eq!(assigned.sync_state.as_deref(), Some("SYNCING"));
    assert!(
        server.find_users(login).is_empty(),
        "provisioned synchronously"
    );
    idle(&double);
    let scim_users = server.find_users(login);
    assert_eq!(scim_users.len(), 1);
    let scim_id = scim_users[0]["id"].as_str().unwrap().to_string();
    assert_eq!(scim_users[0]["name"]["givenName"], "Runscope123");
    let app_user = okta.app_user(&user.id).unwrap().expect("assigned");
    assert_eq!(app_user.status, "PROVISIONED");
    assert_eq!(app_user.sync_state.as_deref(), Some("SYNCHRONIZED"));
    assert_eq!(app_user.external_id.as_deref(), Some(scim_id.as_str()));
    let sent = double.scim_requests();
    assert!(sent[0].starts_with("GET /Users?filter=userName+eq+%22Runscope123Abcdefghi123%40atko.com%22&startIndex=1&count=100 200"), "{sent:?}");
    assert_eq!(sent[1], "POST /Users 201");

    okta.replace_user_profile(&user.id, &crud_profile(login, "Changed"))
        .unwrap();
    idle(&double);
    assert_eq!(
        server.get(&format!("/Users/{scim_id}"))["name"]["givenName"],
        "Changed"
    );
    assert_eq!(
        double.scim_requests()[2..4],
        [
            format!("GET /Users/{scim_id} 200"),
            format!("PUT /Users/{scim_id} 200")
        ]
    );

    okta.lifecycle(&user.id, Lifecycle::Deactivate).unwrap();
    idle(&double);
    assert_eq!(server.get(&format!("/Users/{scim_id}"))["active"], false);
    assert!(
        okta.app_user(&user.id).unwrap().is_none(),
        "deactivation removes the assignment"
    );

    okta.lifecycle(&user.id, Lifecycle::Activate).unwrap();
    okta.assign_user(&user.id, login, &app_profile).unwrap();
    idle(&double);
    assert_eq!(
        server.get(&format!("/Users/{scim_id}"))["active"],
        true,
        "reassigning reactivates the same SCIM user"
    );
    assert_eq!(
        server.find_users(login).len(),
        1,
        "reassigning must not create a second user"
    );

    okta.unassign_user(&user.id).unwrap();
    idle(&double);
    assert_eq!(server.get(&format!("/Users/{scim_id}"))["active"], false);
    let patches = double
        .scim_requests()
        .iter()
        .filter(|r| r.starts_with("PATCH"))
        .count();
    assert_eq!(patches, 3, "{:?}", double.scim_requests());
    assert!(
        !double
            .scim_requests()
            .iter()
            .any(|r| r.starts_with("DELETE")),
        "Okta never deletes a user"
    );

    let trail = okta_trail(&okta, since, &[TrailSubject::User(login.into())]);
    assert_eq!(trail.error, None, "{trail:?}");
    let types: Vec<&str> = trail
        .events
        .iter()
        .filter(|e| e.event_type.starts_with("application.provision"))
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "application.provision.user.push",
            "application.provision.user.push_profile",
            "application.provision.user.deactivate",
            "application.provision.user.reactivate",
            "application.provision.user.deactivate",
        ],
        "{trail:?}"
    );
    assert!(trail.failures().is_empty(), "{:?}", trail.failures());
    assert_eq!(trail.app_user, None, "unassigned at the end");

    // Cleaning up as a CRUD runner must: deactivate, then delete.
    okta.delete_user(&user.id).unwrap();
    assert!(okta.user(&user.id).unwrap().is_none());
    double.assert_valid();
}

#[test]
fn a_refused_create_marks_the_app_user_and_the_system_log_says_why() {
    let server = ScimServer::start();
    // Okta holds a wrong SCIM token: the app answers 401.
    let (double, okta) = start(&server, "wrong-scim-token");
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let login = "ann.failing@example.com";
    let user_id = double.add_user(login, "Ann", "Failing");
    okta.assign_user(
        &user_id,
        login,
        &json!({"givenName": "Ann", "familyName": "Failing", "email": login}),
    )
    .unwrap();
    idle(&double);
    let app_user = okta.app_user(&user_id).unwrap().unwrap();
    assert_eq!(app_user.sync_state.as_deref(), Some("ERROR"));
    assert_eq!(app_user.external_id, None);

    let trail = okta_trail(&okta, since, &[TrailSubject::User(login.into())]);
    assert_eq!(trail.error, None, "{trail:?}");
    let sync = trail.app_user.clone().expect("the app user is kept");
    assert_eq!(sync.sync_state, "ERROR");
    let failures = trail.failures();
    assert!(
        failures
            .iter()
            .any(|f| f.contains("application.integration.authentication_failure FAILURE")),
        "{failures:?}"
    );
    assert!(
        failures.iter().any(|f| f.contains("application.provision.user.push FAILURE: Error while checking whether user ann.failing@example.com exists in the app: 401")),
        "{failures:?}"
    );
    assert!(
        failures.iter().any(|f| f.contains("sync state ERROR")),
        "{failures:?}"
    );
    // The successful membership event is there too, and events of other users are not.
    assert!(
        trail
            .events
            .iter()
            .any(|e| e.event_type == "application.user_membership.add" && e.result == "SUCCESS")
    );
    let other = double.add_user("bob@example.com", "Bob", "Other");
    double.add_log(
        "application.provision.user.push",
        "FAILURE",
        Some("not about Ann"),
        &[&other],
    );
    let again = okta_trail(&okta, since, &[TrailSubject::User(login.into())]);
    assert!(
        !again
            .events
            .iter()
            .any(|e| e.reason.as_deref() == Some("not about Ann")),
        "{again:?}"
    );
    double.assert_valid();
}

#[test]
fn an_account_the_app_already_holds_is_linked_not_created_twice() {
    let server = ScimServer::start();
    let (double, okta) = start(&server, &server.token);
    let login = "dup@example.com";
    let existing = server.create_user("DUP@example.com", "Dup", "User", true);
    let user_id = double.add_user(login, "Dup", "User");
    okta.assign_user(
        &user_id,
        login,
        &json!({"givenName": "Dup", "familyName": "User", "email": login}),
    )
    .unwrap();
    idle(&double);
    // userName is case-insensitive (RFC 7643): Okta's filter GET finds the account and links it.
    let app_user = okta.app_user(&user_id).unwrap().unwrap();
    assert_eq!(app_user.sync_state.as_deref(), Some("SYNCHRONIZED"));
    assert_eq!(app_user.external_id.as_deref(), Some(existing.as_str()));
    assert_eq!(server.find_users(login).len(), 1);
    assert!(
        !double.scim_requests().iter().any(|r| r.starts_with("POST")),
        "{:?}",
        double.scim_requests()
    );
    double.assert_valid();
}

#[test]
fn an_app_that_refuses_the_create_leaves_its_detail_in_the_system_log() {
    let app = fake_app(|n, _head| match n {
        0 => reply(
            200,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#,
        ),
        _ => reply(
            400,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"department is required"}"#,
        ),
    });
    let double = OktaDouble::start(DoubleOptions {
        scim: Some(ScimTarget {
            url: app.url.clone(),
            token: "t".into(),
        }),
        provisioning_delay: Duration::from_millis(100),
        ..DoubleOptions::default()
    });
    let connection = OktaConnection::new(&double.url, &double.app_id, OktaAuth::ApiToken).unwrap();
    let okta = OktaClient::new(
        &connection,
        OktaCredential::ApiToken(Secret::new(double.token.clone())),
    )
    .unwrap();
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let login = "refused@example.com";
    let user_id = double.add_user(login, "Re", "Fused");
    okta.assign_user(
        &user_id,
        login,
        &json!({"givenName": "Re", "familyName": "Fused", "email": login}),
    )
    .unwrap();
    idle(&double);
    assert_eq!(
        double.scim_requests().last().map(String::as_str),
        Some("POST /Users 400")
    );
    let trail = okta_trail(&okta, since, &[TrailSubject::User(login.into())]);
    assert_eq!(
        trail.app_user.as_ref().map(|a| a.sync_state.as_str()),
        Some("ERROR")
    );
    let failures = trail.failures();
    assert!(
        failures.iter().any(|f| f.contains("Automatic provisioning of user refused@example.com to app Acme SCIM failed: Error while creating user refused@example.com: 400 department is required")),
        "{failures:?}"
    );
    assert!(
        !failures
            .iter()
            .any(|f| f.contains("authentication_failure")),
        "{failures:?}"
    );
    double.assert_valid();
}

#[test]
fn group_push_creates_renames_and_deletes_the_group_in_the_app() {
    let server = ScimServer::start();
    let (double, okta) = start(&server, &server.token);
    let login = "member@example.com";
    let user_id = double.add_user(login, "Mem", "Ber");
    okta.assign_user(
        &user_id,
        login,
        &json!({"givenName": "Mem", "familyName": "Ber", "email": login}),
    )
    .unwrap();
    idle(&double);
    let group_id = double.add_group("Engineering", &[&user_id]);
    let created = okta
        .send(
            "POST",
            &format!("/api/v1/apps/{}/group-push/mappings", double.app_id),
            Some(&json!({"sourceGroupId": group_id, "status": "ACTIVE"})),
        )
        .unwrap();
    let mapping_id = created.json.unwrap()["id"].as_str().unwrap().to_string();
    idle(&double);
    let groups = server.get("/Groups?filter=displayName%20eq%20%22Engineering%22");
    assert_eq!(groups["totalResults"], 1, "{groups}");
    let scim_group = groups["Resources"][0]["id"].as_str().unwrap().to_string();
    let members = server.get(&format!("/Groups/{scim_group}"))["members"].clone();
    assert_eq!(members.as_array().map(Vec::len), Some(1), "{members}");
    let mappings = okta.group_push_mappings().unwrap();
    assert_eq!(mappings[0].status, "ACTIVE");
    assert_eq!(mappings[0].error_summary, None);
    assert!(mappings[0].last_push.is_some());

    okta.send(
        "PUT",
        &format!("/api/v1/groups/{group_id}"),
        Some(&json!({"profile": {"name": "Engineering 2"}})),
    )
    .unwrap();
    idle(&double);
    assert_eq!(
        server.get(&format!("/Groups/{scim_group}"))["displayName"],
        "Engineering 2"
    );

    let mapping_path = format!(
        "/api/v1/apps/{}/group-push/mappings/{mapping_id}",
        double.app_id
    );
    let refused = okta
        .send(
            "DELETE",
            &format!("{mapping_path}?deleteTargetGroup=true"),
            None,
        )
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("Deactivate the group push mapping"),
        "{refused}"
    );
    okta.send("PATCH", &mapping_path, Some(&json!({"status": "INACTIVE"})))
        .unwrap();
    okta.send(
        "DELETE",
        &format!("{mapping_path}?deleteTargetGroup=true"),
        None,
    )
    .unwrap();
    idle(&double);
    assert_eq!(
        server.get("/Groups?filter=displayName%20eq%20%22Engineering%202%22")["totalResults"],
        0
    );
    assert!(
        double
            .scim_requests()
            .iter()
            .any(|r| r == &format!("DELETE /Groups/{scim_group} 204")),
        "{:?}",
        double.scim_requests()
    );
    double.assert_valid();
}
