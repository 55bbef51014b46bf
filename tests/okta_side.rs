//! The Okta side of the O and S+O cases against the Okta double (and the real scim2-server
//! where provisioning matters): each expectation passes in the state the case's expected result
//! describes and fails, saying what Okta shows, in realistic wrong states.

#[path = "common/okta_double.rs"]
mod okta_double;
#[path = "common/scim_server.rs"]
mod scim_server;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use okta_double::{DoubleOptions, OktaDouble, ScimTarget};
use scim_server::ScimServer;
use scimplan::net::{CancelFlag, Secret};
use scimplan::okta::{Lifecycle, OktaClient, OktaCredential};
use scimplan::session::{AssertionRecord, OktaAuth, OktaConnection};
use scimplan::verify::RecipeBook;
use scimplan::verify::okta_side::{
    MappingState, OktaExpectation, check, poll, profile_expectations,
};
use scimplan::verify::recipe_okta::CheckEnv;

/// The Okta side the built-in recipe of `case` expects, from `inputs` alone.
fn expectations_for(case: &str, inputs: &BTreeMap<String, String>) -> Vec<OktaExpectation> {
    let book = RecipeBook::builtin();
    let recipe = book.for_case(case).expect("a recipe");
    // The double's org does not sync passwords unless asked: C9306 expects the To App
    // settings of the other capabilities.
    let supported = |capability: &str| capability != "sync-password";
    let env = CheckEnv {
        since: chrono::Utc::now() - chrono::Duration::minutes(15),
        supported: &supported,
    };
    recipe
        .okta
        .iter()
        .flat_map(|check| {
            check
                .expectations(&|name| inputs.get(name).cloned(), &env)
                .unwrap()
        })
        .collect()
}
use serde_json::json;

fn client(double: &OktaDouble) -> OktaClient {
    let connection = OktaConnection::new(&double.url, &double.app_id, OktaAuth::ApiToken).unwrap();
    OktaClient::new(
        &connection,
        OktaCredential::ApiToken(Secret::new(double.token.clone())),
    )
    .unwrap()
}

fn with_scim(server: &ScimServer, token: &str) -> OktaDouble {
    OktaDouble::start(DoubleOptions {
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: token.into(),
        }),
        provisioning_delay: Duration::from_millis(500),
        ..DoubleOptions::default()
    })
}

fn passed(records: &[AssertionRecord]) -> bool {
    !records.is_empty() && records.iter().all(|r| r.passed)
}

fn failing(records: &[AssertionRecord]) -> Vec<String> {
    records
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "{}: {}: expected {}, got {}",
                r.step, r.check, r.expected, r.actual
            )
        })
        .collect()
}

fn assign(okta: &OktaClient, user_id: &str, login: &str) {
    okta.assign_user(
        user_id,
        login,
        &json!({"givenName": "Ann", "familyName": "Lee", "email": login}),
    )
    .unwrap();
}

#[test]
fn a_provisioned_user_passes_once_okta_has_pushed_it_and_not_before() {
    let server = ScimServer::start();
    let double = with_scim(&server, &server.token);
    let okta = client(&double);
    let login = "ann.lee@example.com";
    let user_id = double.add_user(login, "Ann", "Lee");
    assign(&okta, &user_id, login);
    let inputs: BTreeMap<String, String> = [("user".to_string(), login.to_string())].into();
    let expectations = expectations_for("C9290", &inputs);
    let early = check(&okta, &expectations[0]).unwrap();
    assert!(!passed(&early), "passed before Okta provisioned: {early:?}");
    assert!(
        failing(&early)
            .iter()
            .any(|f| f.contains("syncState: expected SYNCHRONIZED, got SYNCING")),
        "{early:?}"
    );
    let records = poll(
        &okta,
        &expectations,
        Instant::now() + Duration::from_secs(20),
        Duration::from_millis(200),
        &CancelFlag::new(),
    )
    .unwrap();
    assert!(passed(&records), "{:?}", failing(&records));
    // Linked to the SCIM id the app holds, and to no other.
    let scim_id = server.find_users(login)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let right = OktaExpectation::Provisioned {
        login: login.into(),
        scim_id: Some(scim_id),
        scope: None,
    };
    assert!(passed(&check(&okta, &right).unwrap()));
    let wrong = OktaExpectation::Provisioned {
        login: login.into(),
        scim_id: Some("another-id".into()),
        scope: None,
    };
    let records = check(&okta, &wrong).unwrap();
    assert!(
        failing(&records).iter().any(|f| f.contains("externalId")),
        "{records:?}"
    );
    // The SCIM side's expected values come from the Okta profile.
    let profile = profile_expectations(&okta, login).unwrap().unwrap();
    assert_eq!(
        (
            profile.given_name.as_deref(),
            profile.family_name.as_deref()
        ),
        (Some("Ann"), Some("Lee"))
    );
    assert!(
        profile_expectations(&okta, "nobody@example.com")
            .unwrap()
            .is_none()
    );
    double.assert_valid();
}

#[test]
fn a_refused_push_fails_the_okta_side_with_the_sync_error() {
    let server = ScimServer::start();
    let double = with_scim(&server, "wrong-token");
    let okta = client(&double);
    let login = "bob@example.com";
    let user_id = double.add_user(login, "Bob", "Ray");
    assign(&okta, &user_id, login);
    let expectation = OktaExpectation::Provisioned {
        login: login.into(),
        scim_id: None,
        scope: None,
    };
    let records = poll(
        &okta,
        &[expectation],
        Instant::now() + Duration::from_secs(3),
        Duration::from_millis(200),
        &CancelFlag::new(),
    )
    .unwrap();
    let failures = failing(&records);
    assert!(
        failures
            .iter()
            .any(|f| f.contains("syncState: expected SYNCHRONIZED, got ERROR")),
        "{failures:?}"
    );
    let unknown = check(
        &okta,
        &OktaExpectation::Provisioned {
            login: "nobody@example.com".into(),
            scim_id: None,
            scope: None,
        },
    )
    .unwrap();
    assert!(
        failing(&unknown)[0].contains("no Okta user nobody@example.com"),
        "{unknown:?}"
    );
    double.assert_valid();
}

#[test]
fn suspension_provisioning_and_features_are_read_from_okta() {
    let double = OktaDouble::start(DoubleOptions::default());
    let okta = client(&double);
    let login = "sus@example.com";
    let user_id = double.add_user(login, "Sus", "Pended");
    let inputs: BTreeMap<String, String> = [("user".to_string(), login.to_string())].into();
    let suspended = &expectations_for("C9295", &inputs)[0];
    let active = &expectations_for("C9300", &inputs)[0];
    assert!(!passed(&check(&okta, suspended).unwrap()));
    okta.lifecycle(&user_id, Lifecycle::Suspend).unwrap();
    assert!(passed(&check(&okta, suspended).unwrap()));
    assert!(!passed(&check(&okta, active).unwrap()));
    okta.lifecycle(&user_id, Lifecycle::Unsuspend).unwrap();
    assert!(passed(&check(&okta, active).unwrap()));

    let on = &expectations_for("C9306", &inputs)[0];
    let off = &expectations_for("C9339", &inputs)[0];
    assert!(passed(&check(&okta, on).unwrap()));
    assert!(!passed(&check(&okta, off).unwrap()));
    let sourcing = &expectations_for("C9359", &inputs)[0];
    assert!(
        !passed(&check(&okta, sourcing).unwrap()),
        "the double's app has no profile sourcing"
    );
    let password = &expectations_for("C9301", &inputs)[0];
    assert!(
        failing(&check(&okta, password).unwrap())
            .iter()
            .any(|f| f.contains("sync password: expected ENABLED, got DISABLED"))
    );

    let disabled = OktaDouble::start(DoubleOptions {
        provisioning: false,
        ..DoubleOptions::default()
    });
    let okta = client(&disabled);
    assert!(!passed(&check(&okta, on).unwrap()));
    assert!(passed(&check(&okta, off).unwrap()));
    double.assert_valid();
    disabled.assert_valid();
}

#[test]
fn push_mappings_are_matched_by_the_exact_group_name() {
    let server = ScimServer::start();
    let double = with_scim(&server, &server.token);
    let okta = client(&double);
    // Letter-case twins: Okta's search finds both; only the exact name counts.
    let twin = double.add_group("engineering", &[]);
    let group = double.add_group("Engineering", &[]);
    let mappings = format!("/api/v1/apps/{}/group-push/mappings", double.app_id);
    okta.send(
        "POST",
        &mappings,
        Some(&json!({"sourceGroupId": twin, "status": "ACTIVE"})),
    )
    .unwrap();
    let of = |state| OktaExpectation::PushMapping {
        group: "Engineering".into(),
        state,
    };
    let records = check(&okta, &of(MappingState::Active)).unwrap();
    assert!(
        failing(&records).iter().any(|f| f.contains("no mapping")),
        "the twin's mapping stood in: {records:?}"
    );
    assert!(passed(&check(&okta, &of(MappingState::Absent)).unwrap()));

    let created = okta
        .send(
            "POST",
            &mappings,
            Some(&json!({"sourceGroupId": group, "status": "ACTIVE"})),
        )
        .unwrap();
    let id = created.json.unwrap()["id"].as_str().unwrap().to_string();
    assert!(double.wait_idle(Duration::from_secs(20)));
    let records = check(&okta, &of(MappingState::Active)).unwrap();
    assert!(passed(&records), "{:?}", failing(&records));
    assert!(!passed(&check(&okta, &of(MappingState::Absent)).unwrap()));
    okta.send(
        "PATCH",
        &format!("{mappings}/{id}"),
        Some(&json!({"status": "INACTIVE"})),
    )
    .unwrap();
    assert!(passed(&check(&okta, &of(MappingState::Inactive)).unwrap()));
    assert!(!passed(&check(&okta, &of(MappingState::Active)).unwrap()));
    let missing = OktaExpectation::PushMapping {
        group: "Sales".into(),
        state: MappingState::Active,
    };
    assert!(failing(&check(&okta, &missing).unwrap())[0].contains("no Okta group named Sales"));
    double.assert_valid();
}

#[test]
fn letter_case_twins_never_stand_in_and_the_second_page_is_read() {
    let server = ScimServer::start();
    // One result per page: the exact user and group sit behind their twins, on page two.
    let double = OktaDouble::start(DoubleOptions {
        scim: Some(ScimTarget {
            url: server.url.clone(),
            token: server.token.clone(),
        }),
        provisioning_delay: Duration::from_millis(100),
        max_page: 1,
        ..DoubleOptions::default()
    });
    let okta = client(&double);
    let twin_id = double.add_user("TWIN@example.com", "Upper", "Twin");
    let exact_id = double.add_user("twin@example.com", "Lower", "Twin");
    assign(&okta, &twin_id, "TWIN@example.com");
    assert!(double.wait_idle(Duration::from_secs(20)));
    let of = |login: &str| OktaExpectation::Provisioned {
        login: login.into(),
        scim_id: None,
        scope: None,
    };
    let records = check(&okta, &of("twin@example.com")).unwrap();
    assert!(
        failing(&records)
            .iter()
            .any(|f| f.contains("assigned to the app: expected an assignment, got not assigned")),
        "the twin's assignment stood in: {records:?}"
    );
    assert!(passed(&check(&okta, &of("TWIN@example.com")).unwrap()));
    // The profile the SCIM side is compared with is the exact user's.
    let profile = profile_expectations(&okta, "twin@example.com")
        .unwrap()
        .unwrap();
    assert_eq!(profile.given_name.as_deref(), Some("Lower"));
    assert!(!exact_id.is_empty());
    // A login Okta would resolve as a short name or with another case, when no user has it
    // exactly and two differ only in case: nobody.
    double.add_user("Pair@example.com", "A", "Pair");
    double.add_user("PAIR@example.com", "B", "Pair");
    assert!(
        profile_expectations(&okta, "pair@example.com")
            .unwrap()
            .is_none()
    );
    assert!(profile_expectations(&okta, "twin").unwrap().is_none());

    // Groups: the twin first, the mapping of the exact group on the second page of mappings.
    let twin_group = double.add_group("sales", &[]);
    let group = double.add_group("Sales", &[]);
    let mappings = format!("/api/v1/apps/{}/group-push/mappings", double.app_id);
    for source in [&twin_group, &group] {
        okta.send(
            "POST",
            &mappings,
            Some(&json!({"sourceGroupId": source, "status": "ACTIVE"})),
        )
        .unwrap();
    }
    assert!(double.wait_idle(Duration::from_secs(20)));
    let mapping = OktaExpectation::PushMapping {
        group: "Sales".into(),
        state: MappingState::Active,
    };
    let records = check(&okta, &mapping).unwrap();
    assert!(passed(&records), "{:?}", failing(&records));
    assert_eq!(
        records.len(),
        2,
        "one mapping, not the twin's too: {records:?}"
    );
    double.assert_valid();
}

#[test]
fn an_unassigned_member_has_no_app_assignment_left() {
    let server = ScimServer::start();
    let double = with_scim(&server, &server.token);
    let okta = client(&double);
    let login = "gone@example.com";
    let user_id = double.add_user(login, "Gone", "Soon");
    assign(&okta, &user_id, login);
    assert!(double.wait_idle(Duration::from_secs(20)));
    let inputs: BTreeMap<String, String> = [
        ("members".to_string(), login.to_string()),
        ("group".to_string(), "Leavers".to_string()),
    ]
    .into();
    let unassigned: Vec<OktaExpectation> = expectations_for("C9311", &inputs)
        .into_iter()
        .filter(|e| matches!(e, OktaExpectation::Unassigned { .. }))
        .collect();
    assert_eq!(unassigned.len(), 1, "one per member: {unassigned:?}");
    let records = check(&okta, &unassigned[0]).unwrap();
    assert!(
        failing(&records).iter().any(|f| f.contains(
            "assigned to the app: expected not assigned (or deprovisioned), got assigned (PROVISIONED, scope USER, syncState SYNCHRONIZED)"
        )),
        "{records:?}"
    );
    okta.unassign_user(&user_id).unwrap();
    assert!(passed(&check(&okta, &unassigned[0]).unwrap()));
    // The app side of C9311: Okta deactivated the user there.
    assert!(double.wait_idle(Duration::from_secs(20)));
    assert_eq!(server.find_users(login)[0]["active"], false);
    double.assert_valid();
}
